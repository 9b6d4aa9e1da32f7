"""A workflow on a temporary file with a manual clock and an in-memory port, for tests.

The core's tests and the adapters' tests build the same things (a store, a port, a clock, a
verdict with chosen findings); this keeps them in one place. Nothing here talks to a network.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from chatbot.policy.model import Account, Draft, Finding, Level, MediaDeclaration, Verdict
from chatbot.store import Store
from chatbot.workflow.clock import ManualClock
from chatbot.workflow.nudges import NudgeScheduler
from chatbot.workflow.people import Person
from chatbot.workflow.reminders import ReminderScheduler
from chatbot.workflow.service import Workflow
from tests.doubles import MemoryPort

PLATFORM = "slack"
POSTER = Person(PLATFORM, "U-poster")
ANA = Person(PLATFORM, "U-ana")
BEN = Person(PLATFORM, "U-ben")
CHITRA = Person(PLATFORM, "U-chitra")
OUTSIDER = Person(PLATFORM, "U-outsider")
COMMS = frozenset({ANA, BEN, CHITRA})
OFFSETS = (0, 3600, 86400, 259200)


def finding(label: str = "product-endorsement", level: Level = "error",
            rule: str | None = None) -> Finding:
    return Finding(
        rule=rule or f"{label}-test",
        label=label,
        level=level,
        message=f"Change the {label} part of the draft.",
        policy="Do not endorse any products",
        link="https://meta.wikimedia.org/wiki/CIS-A2K/Media_Strategy/Best_Practices",
        span=(0, 4),
    )


def verdict(*findings: Finding, policy_version: str = "cis-a2k@test") -> Verdict:
    return Verdict(findings=tuple(findings), policy_version=policy_version)


def draft(text: str = "Join the Kannada Wikipedia edit-a-thon this Saturday at 10:00!",
          *, account: Account = "official", context: str = "International Mother Language Day",
          media: Iterable[MediaDeclaration] = ()) -> Draft:
    return Draft(text=text, account=account, media=tuple(media), context=context)


class Desk:
    """A store file, a port, a clock, a workflow and a scheduler, reopenable like a restart."""

    def __init__(self, path: Path | str, *, comms: Iterable[Person] = COMMS,
                 approvals_required: int = 1, offsets: tuple[int, ...] = OFFSETS,
                 clock: ManualClock | None = None, platform: str = PLATFORM,
                 nudge_after: float = 0) -> None:
        """`nudge_after` 0 (the default here): no nudges, as in a bot with
        CHECKPOST_NUDGE_AFTER=0; otherwise the scheduler's loop sends them too."""
        self.path = Path(path)
        self.comms = frozenset(comms)
        self.approvals_required = approvals_required
        self.offsets = offsets
        self.platform = platform
        self.nudge_after = nudge_after
        self.clock = clock or ManualClock()
        self.port = MemoryPort(platform)
        self._open()

    def _open(self) -> None:
        self.store = Store(self.path)
        self.scheduler = ReminderScheduler(self.store, self.port, self.clock)
        self.workflow = Workflow(self.store, self.port, self.comms,
                                 approvals_required=self.approvals_required,
                                 reminder_offsets=self.offsets, clock=self.clock,
                                 on_reminders_scheduled=self.scheduler.wake,
                                 nudge_after=self.nudge_after)
        self.scheduler.jobs = self.workflow.jobs
        self.nudges: NudgeScheduler | None = None
        if self.nudge_after:
            self.nudges = NudgeScheduler(self.store, self.port, self.clock,
                                         after=self.nudge_after)
            self.nudges.schedule_missing()
            self.scheduler.nudges = self.nudges

    def restart(self, *, after: float = 0.0) -> Desk:
        """Close everything, let `after` seconds pass while down, open the same file again."""
        self.scheduler.stop()
        self.store.close()
        self.clock.advance(after)
        self._open()
        return self

    def close(self) -> None:
        self.scheduler.stop()
        self.store.close()

    def submit(self, *findings: Finding, poster: Person = POSTER, key: str | None = None,
               text: str | None = None) -> int:
        """Submit a draft with these findings; returns the post number."""
        d = draft(text) if text else draft()
        outcome = self.workflow.submit(d, verdict(*findings), poster=poster, key=key)
        assert outcome.ok and outcome.post, outcome.message
        return outcome.post.number

    def approved(self, *findings: Finding, poster: Person = POSTER) -> int:
        """A post approved by enough comms members (with an override if it has errors)."""
        number = self.submit(*findings, poster=poster)
        voters = [p for p in sorted(self.comms) if p != poster][: self.approvals_required]
        for voter in voters:
            outcome = self.workflow.approve(number, by=voter, override_reason="checked by hand"
                                            if any(f.level == "error" for f in findings) else "")
            assert outcome.ok, outcome.message
        return number

    def published(self, url: str = "https://x.com/cis_a2k/status/1") -> int:
        number = self.approved()
        outcome = self.workflow.publish(number, url, by=POSTER)
        assert outcome.ok, outcome.message
        return number
