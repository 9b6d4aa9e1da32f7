"""The checker on real posts no one here wrote: the incivility sources' held-out test splits.

    python bench/real_posts.py [--data DIR] [--limit N] [--heads FILE]

The checker issue's goal for real posts is "incivility ≥ 60% caught with ≤ 10% false alarms in
every script". `bench/model_heldout.py` measures the learned head alone; this measures what a
poster would see: for each public source's test split (read through the training manifest from
local copies, embedded through the training cache), the share of abusive posts that get an
`incivility`, `snark` or `dispute` finding, and the share of clean posts that get any finding
at all — from the rules alone, the head alone (at its shipped per-script warning cut), both,
and all three with the heads trained on our own drafts (whose snark and dispute heads count as
caught), per source/language and per script. The rules run with the official account and no
media, as a bare draft. Measuring only: nothing here may be used to write a rule or set a cut.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from chatbot.model.heads import load_heads  # noqa: E402
from chatbot.model.training import manifest, pipeline, splits  # noqa: E402
from chatbot.model.training.cache import default_dir  # noqa: E402
from chatbot.model.training.embedding import fill, open_cache  # noqa: E402
from chatbot.policy.engine import check_rules  # noqa: E402
from chatbot.policy.loader import load_policy  # noqa: E402
from chatbot.policy.model import Draft  # noqa: E402

HEADS_JSON = REPO / "chatbot" / "model" / "heads.json"
TONE = {"incivility", "snark", "dispute"}
GOAL = "goal: caught ≥ 60%, false alarms ≤ 10% in every script"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=pipeline.default_data())
    parser.add_argument("--limit", type=int, default=0, help="at most N rows per source/language")
    parser.add_argument("--heads", type=Path, default=HEADS_JSON,
                        help="a heads file to measure (default: the shipped one)")
    args = parser.parse_args()

    head_json = json.loads(args.heads.read_text(encoding="utf-8"))["heads"]["incivility"]
    head = load_heads(args.heads).heads["incivility"]
    plan = manifest.load()
    by_name = {s.name: s for s in plan.sources}
    sources = [by_name[s["name"]] for s in head_json["sources"]]
    rows = [r for r in splits.head_rows(plan, sources, "incivility", splits.git_reader(args.data))
            if r.split == "test" and not by_name[r.source].read.get("local")]
    if args.limit:
        rows = _limited(rows, args.limit)
    cache = open_cache(default_dir())
    fill(cache, [r.text for r in rows])
    texts = [r.text for r in rows]
    scores = head.probability(cache.get(texts), texts)
    cuts = head_json["thresholds"]
    model = np.array([s >= cuts.get(r.script, cuts["default"]) for s, r in
                      zip(scores, rows, strict=True)])

    # the heads trained on our own drafts (chatbot/model/training/drafts.py): any of them
    # flagging a clean post is a false alarm; their snark and dispute heads count as caught
    vectors = cache.get(texts)
    drafts_any = np.zeros(len(rows), dtype=bool)
    drafts_tone = np.zeros(len(rows), dtype=bool)
    for name, spec in json.loads(args.heads.read_text(encoding="utf-8"))["heads"].items():
        if not name.startswith("drafts-"):
            continue
        scored = load_heads(args.heads).heads[name].probability(vectors, texts)
        over = np.array([p >= spec["thresholds"].get(r.script, spec["thresholds"]["default"])
                         for p, r in zip(scored, rows, strict=True)])
        drafts_any |= over
        if spec["label"] in TONE:
            drafts_tone |= over

    policy = load_policy(REPO / "policies")
    started = time.perf_counter()
    labels = [{f.label for f in check_rules(Draft(text=r.text), policy)} for r in rows]
    took = time.perf_counter() - started
    y = np.array([r.y for r in rows])
    rules_tone = np.array([bool(found & TONE) for found in labels])
    rules_any = np.array([bool(found) for found in labels])
    print(f"{len(rows)} held-out real posts ({int(y.sum())} abusive); rules took {took:.1f} s")
    print(GOAL)
    for what, key in (("per source/language", "group"), ("per script", "script")):
        print(f"\nincivility on real posts, {what}: caught (abusive rows with a tone finding) "
              "/ false alarms (clean rows with any finding)")
        print(f"{'':<22} {'pos':>5} {'neg':>5}   {'rules':>13}   {'model':>13}   {'both':>13}"
              f"   {'+ draft heads':>13}")
        groups = np.array([getattr(r, key) for r in rows])
        for g in sorted(set(groups)):
            m = groups == g
            pos, neg = m & (y == 1), m & (y == 0)
            cells = [_cell(tone, flagged, pos, neg) for tone, flagged in (
                (rules_tone, rules_any), (model, model),
                (rules_tone | model, rules_any | model),
                (rules_tone | model | drafts_tone, rules_any | model | drafts_any))]
            print(f"{g:<22} {int(pos.sum()):>5} {int(neg.sum()):>5}   " + "   ".join(cells))


def _cell(tone: np.ndarray, flagged: np.ndarray, pos: np.ndarray, neg: np.ndarray) -> str:
    caught = f"{tone[pos].mean():4.0%}" if pos.any() else "   —"
    alarms = f"{flagged[neg].mean():4.0%}" if neg.any() else "   —"
    return f"{caught} / {alarms}".rjust(13)


def _limited(rows: list, limit: int) -> list:
    """The first `limit` rows of each source/language, in file order (no sampling to vary)."""
    kept: dict[str, int] = {}
    out = []
    for r in rows:
        if kept.get(r.group, 0) < limit:
            kept[r.group] = kept.get(r.group, 0) + 1
            out.append(r)
    return out


if __name__ == "__main__":
    main()
