"""Held-out figures for the shipped heads, recomputed from local copies of the public sets.

    python bench/model_heldout.py [--data DIR] [--head incivility] [--drafts FILE.jsonl]

For each head in chatbot/model/heads.json: the test split of every source it was trained on
(read through the manifest, embedded through the training cache), scored with the shipped
weights at the shipped per-script cuts: recall, false alarms and AUC per source/language and
per script; then the clean pool (validation non-abusive rows) flagged per script at the
warning and confident cuts. With --drafts (e.g. ../shared/eval/dev.jsonl), also how many of
the labelled drafts carrying the head's label, and not carrying it, are flagged. Benchmarks
print; the tests check.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from chatbot.model import encoder  # noqa: E402
from chatbot.model.heads import load_heads  # noqa: E402
from chatbot.model.script import dominant_script  # noqa: E402
from chatbot.model.training import manifest, pipeline, report, splits  # noqa: E402
from chatbot.model.training.cache import default_dir  # noqa: E402
from chatbot.model.training.embedding import fill, open_cache  # noqa: E402
from chatbot.model.training.fit import auc  # noqa: E402

HEADS_JSON = REPO / "chatbot" / "model" / "heads.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=pipeline.default_data())
    parser.add_argument("--heads", type=Path, default=HEADS_JSON)
    parser.add_argument("--head", action="append", dest="only")
    parser.add_argument("--drafts", type=Path)
    args = parser.parse_args()

    shipped = json.loads(args.heads.read_text(encoding="utf-8"))
    loaded = load_heads(args.heads).heads  # verified, and scoring as the run time does
    plan = manifest.load()
    by_name = {s.name: s for s in plan.sources}
    cache = open_cache(default_dir())
    for name, head in shipped["heads"].items():
        if args.only and name not in args.only:
            continue
        sources = [by_name[s["name"]] for s in head["sources"]]
        rows = splits.head_rows(plan, sources, name, splits.git_reader(args.data))
        fill(cache, [r.text for r in rows if r.split != "train"])
        cut = _cuts(head)
        for split, what in (("test", "held-out test split"), ("val", "validation split")):
            part = [r for r in rows if r.split == split]
            texts = [r.text for r in part]
            scores = loaded[name].probability(cache.get(texts), texts)
            y = np.array([r.y for r in part])
            flagged = np.array([s >= cut(r.script, "thresholds") for s, r in
                                zip(scores, part, strict=True)])
            if split == "test":
                print(f"\n{name}: {what}, per source/language")
                print(report.table(_numbers(y, scores, flagged, [r.group for r in part])))
                print(f"\n{name}: {what}, per script")
                print(report.table(_numbers(y, scores, flagged, [r.script for r in part])))
            else:
                _clean_pool(name, head, part, scores, cut)
        if args.drafts:
            _drafts(name, head, loaded[name], args.drafts, cut)


def _cuts(head: dict):
    def cut(script: str, kind: str) -> float:
        return head[kind].get(script, head[kind]["default"])

    return cut


def _numbers(y, scores, flagged, groups) -> dict[str, dict]:
    out = {}
    groups = np.asarray(groups)
    for g in sorted(set(groups)):
        m = groups == g
        pos, neg = m & (y == 1), m & (y == 0)
        out[str(g)] = {
            "n_pos": int(pos.sum()), "n_neg": int(neg.sum()),
            "recall": float(flagged[pos].mean()) if pos.any() else None,
            "false_alarms": float(flagged[neg].mean()) if neg.any() else None,
            "auc": auc(y[m], scores[m]),
        }
    return out


def _clean_pool(name, head, part, scores, cut) -> None:
    print(f"\n{name}: clean pool (validation non-abusive rows) flagged")
    by_script: dict[str, list[float]] = {}
    for r, s in zip(part, scores, strict=True):
        if r.y == 0:
            by_script.setdefault(r.script, []).append(s)
    for script, values in sorted(by_script.items()):
        v = np.array(values)
        warn, conf = cut(script, "thresholds"), cut(script, "confident")
        print(f"  {script:<12} n={len(v):<5} warning {np.mean(v >= warn):6.1%}  "
              f"confident {np.mean(v >= conf):6.1%}")


def _drafts(name: str, head: dict, scorer, path: Path, cut) -> None:
    drafts = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
              if line.strip()]
    texts = [d["text"] for d in drafts]
    scores = scorer.probability(encoder.embed(texts), texts)
    flagged = [s >= cut(dominant_script(t), "thresholds") for s, t in
               zip(scores, texts, strict=True)]
    labelled = [head["label"] in d.get("labels", []) for d in drafts]
    hit = sum(f for f, lab in zip(flagged, labelled, strict=True) if lab)
    false = sum(f for f, lab in zip(flagged, labelled, strict=True) if not lab)
    print(f"\n{name}: drafts in {path.name}: {hit}/{sum(labelled)} labelled {head['label']} "
          f"flagged; {false}/{len(drafts) - sum(labelled)} others flagged")


if __name__ == "__main__":
    main()
