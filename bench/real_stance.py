"""The checker on real posts that take a political side: Swami et al.'s Hinglish demonetisation
tweets, each labelled FAVOR, AGAINST or NONE by its authors.

    python bench/real_stance.py [--data DIR] [--part tune|held-out|all] [--rules-only]

The checker issue's goal for real posts is "political endorsement ≥ 50% caught with ≤ 10%
false alarms". No public set we may use labels posts for or against an Indian candidate (the
US candidate stance sets are reserved for independent evaluation), so this measures the
nearest thing: tweets for or against the government's 2016 demonetisation, a party's flagship
policy, many of them naming Modi, Kejriwal or Rahul Gandhi. On the official account a side
taken either way is what the policy's neutrality and no-endorsement lines forbid, so a FAVOR
or AGAINST tweet counts as caught when it gets a `political-endorsement` or `non-neutral`
finding, and a NONE tweet counts as a false alarm when it gets any finding at all (the same
strict count as `bench/real_posts.py`). Also shown: the same figures for tweets that name a
politician or party (as the name lists see them) and for those that do not.

The tweets are split in two halves by a hash of the tweet id, fixed before anything was built:
`tune` may be read while writing rules; `held-out` is only measured. Read from a local copy of
sahilswami96/StanceDetection_CodeMixed (GPL-3.0) at the commit below; no text is committed.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from chatbot.config import Settings  # noqa: E402
from chatbot.model.training import gitread  # noqa: E402
from chatbot.policy.loader import load_policy  # noqa: E402
from chatbot.policy.model import Draft  # noqa: E402
from chatbot.verdict import check_many  # noqa: E402

SOURCE = "sahilswami96/StanceDetection_CodeMixed"
COMMIT = "e9ab92cfad6b5e1b96a4de984352a3318efafbf2"
SIDE = {"political-endorsement", "non-neutral"}
GOAL = "goal: caught ≥ 50%, false alarms ≤ 10%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--part", choices=("tune", "held-out", "all"), default="held-out")
    parser.add_argument("--rules-only", action="store_true", help="without the learned layer")
    args = parser.parse_args()

    tweets = [t for t in read(args.data) if args.part == "all" or part_of(t[0]) == args.part]
    policy = load_policy(REPO / "policies")
    started = time.perf_counter()
    drafts = [Draft(text=text) for _, text, _ in tweets]
    verdicts = check_many(drafts, policy, Settings(), use_llm=False,
                          use_model=not args.rules_only)
    took = time.perf_counter() - started
    found = [{f.label for f in v.findings} for v in verdicts]
    named = [_names_someone(d.text, policy) for d in drafts]
    print(f"{len(tweets)} tweets ({args.part}; {SOURCE} @ {COMMIT[:8]}), "
          f"{'rules only' if args.rules_only else 'rules and the learned layer'}, "
          f"official account, checked in {took:.1f} s")
    print(GOAL)
    print(f"{'':<28} {'FAVOR':>14} {'AGAINST':>14} {'NONE: flagged':>15}")
    for what, keep in (("all tweets", lambda i: True),
                       ("naming a politician/party", lambda i: named[i]),
                       ("naming none", lambda i: not named[i])):
        cells = []
        for stance in ("FAVOR", "AGAINST"):
            rows = [i for i, t in enumerate(tweets) if t[2] == stance and keep(i)]
            hit = sum(bool(found[i] & SIDE) for i in rows)
            cells.append(_share(hit, len(rows)))
        rows = [i for i, t in enumerate(tweets) if t[2] == "NONE" and keep(i)]
        cells.append(_share(sum(bool(found[i]) for i in rows), len(rows)))
        print(f"{what:<28} {cells[0]:>14} {cells[1]:>14} {cells[2]:>15}")


def read(data: Path) -> list[tuple[str, str, str]]:
    """(tweet id, text, stance) for every tweet that has both a text and a stance."""
    try:
        texts, stances = (_blocks(gitread.show(data, SOURCE, COMMIT, f"Dataset/{name}")
                                  .decode("utf-8", errors="replace"))
                          for name in ("Notebandi_tweets.txt", "Notebandi_tweets_stance.txt"))
    except gitread.MissingCopy as exc:
        raise SystemExit(f"{exc} (then check out {COMMIT})") from None
    return [(tid, texts[tid], stance) for tid, stance in stances.items()
            if tid in texts and texts[tid].strip() and stance in ("FAVOR", "AGAINST", "NONE")]


def part_of(tweet_id: str) -> str:
    return "tune" if int(hashlib.sha256(tweet_id.encode()).hexdigest(), 16) % 2 == 0 \
        else "held-out"


def _names_someone(text: str, policy) -> bool:
    """Whether the policy's political name lists (politicians, parties) find anyone in `text`."""
    from chatbot.policy.normalise import normalise

    norm = normalise(text)
    return any(names.find(norm) for names in policy.name_lists.values()
               if names.kind in ("politician", "party"))


def _blocks(text: str) -> dict[str, str]:
    """Blocks of an id line followed by one value line, separated by blank lines."""
    out: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        head = lines[i].strip()
        if head.isdigit() and i + 1 < len(lines):
            out[head] = lines[i + 1].strip()
            i += 2
        else:
            i += 1
    return out


def _share(hit: int, n: int) -> str:
    return f"{hit / n:4.0%} of {n}" if n else "—"


if __name__ == "__main__":
    main()
