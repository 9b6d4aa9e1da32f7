"""Hateful comments under a post: the policy's checklist, and who did each step when.

The policy line is one sentence with five duties; each becomes a step comms can mark done, so
nothing is forgotten when the thread gets heated. Recording the incident is the first step
("note them"), so it is done at once by whoever reported it. This is the model; its rows (the
SQL that reads and writes it) are `incident_rows`.
"""

from __future__ import annotations

from dataclasses import dataclass

from chatbot.messages import MessageRef
from chatbot.workflow.people import Person
from chatbot.workflow.wording import command

POLICY_LINE = (
    "If you see hateful comments from one user to another, note them, check with the "
    "Communications team member, and hide the hateful comments. Reach out to the person who "
    "was attacked and apologize for their experience. Provide email addresses to the team, "
    "if available."
)


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    aliases: tuple[str, ...] = ()


CHECKLIST: tuple[Step, ...] = (
    Step("note", "Note the hateful comments: where, who wrote them, to whom", ("noted",)),
    Step("check-with-comms", "Check with the Communications team member",
         ("check", "comms", "checked")),
    Step("hide", "Hide the hateful comments", ("hidden",)),
    Step("reach-out", "Reach out to the person who was attacked and apologise for their "
         "experience", ("reach", "apologise", "apologize", "apology")),
    Step("emails", "Provide their e-mail addresses to the team, if available",
         ("email", "e-mail", "e-mails")),
)


@dataclass(frozen=True)
class StepState:
    step: Step
    done_by: Person | None = None
    done_at: float | None = None
    note: str = ""

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True)
class Incident:
    id: int
    post_number: int | None
    link: str
    reporter: Person
    notes: str
    created_at: float
    steps: tuple[StepState, ...]
    closed_at: float | None = None
    comms_ref: MessageRef | None = None

    @property
    def open_steps(self) -> tuple[Step, ...]:
        return tuple(s.step for s in self.steps if not s.done)

    def checklist_text(self) -> str:
        """The checklist as plain text; adapters may render buttons from `steps` instead."""
        about = f" under post {self.post_number}" if self.post_number else ""
        lines = [f"Incident {self.id}: hateful comment{about}: {self.link}"]
        if self.notes:
            lines.append(f"Notes: {self.notes}")
        lines.append(f"Policy: “{POLICY_LINE}”")
        for i, s in enumerate(self.steps, 1):
            mark = "x" if s.done else " "
            who = f" — {s.done_by.user_id}" if s.done_by else ""
            note = f": {s.note}" if s.note else ""
            lines.append(f"[{mark}] {i}. {s.step.title}{who}{note}")
        if self.open_steps:
            lines.append(
                f"Mark a step done: {command(f'incident done {self.id} <step>')} "
                f"(step number or {', '.join(s.key for s in self.open_steps)})"
            )
        else:
            lines.append("All steps done.")
        return "\n".join(lines)


def find_step(name: str) -> Step | None:
    """A step by number (1–5), key or a short alias such as "hide" or "email"."""
    name = name.strip().lower()
    if name.isdigit() and 1 <= int(name) <= len(CHECKLIST):
        return CHECKLIST[int(name) - 1]
    return next((s for s in CHECKLIST if name == s.key or name in s.aliases), None)
