"""Heads trained on checkpost's own labelled drafts: one per label, gated by real clean posts.

    python -m chatbot.model.training.drafts [--data DIR] [--base heads.json] [--out heads.json]

Why: the rules and the incivility head leave about 28% of problem drafts written blind to them
unflagged, mostly tone (sarcasm, snark) and side-taking. Public sets teach an encoder head
insults, not those (README: heads tried and not shipped). Our own drafts (`bench/drafts/`, MIT,
written for this project; the blind split `bench/blind/` is never read here) do teach them: a
linear head per label over the same embeddings separates a label's official drafts from the rest
(leave-one-wave-out AUC 0.93-0.99). A head trained on drafts alone, though, flags most real clean
posts (issue 9), so each is trained with real clean posts (every third clean training row of the
incivility sources, the same weight in total as the drafts) as negatives, and its cuts are set on
two pools, keeping the higher of:

- the drafts: out-of-fold scores (each wave held out in turn, so a head is scored on another
  writer's words) of the official fine drafts; the cut lets at most `FINE_QUANTILE`'s share of
  them over (about one in a thousand per head);
- each script's real clean posts (the incivility sources' clean validation rows): at most
  `POOL_RATE` of them over; a script with fewer than `MIN_POOL` rows takes the strictest.

Only official drafts are read and the heads judge only the official account, since what a
personal account may say differs label by label (LABELS.md § Personal accounts). Incivility
keeps the head trained on public posts; repost-of-violation comes from a quoted part that a head
flags (the layer adds it), and org-voice and media-license are the rules' business.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from chatbot.model import encoder
from chatbot.model.heads import SHIPPED
from chatbot.model.training import export, manifest, pipeline, splits
from chatbot.model.training.cache import default_dir
from chatbot.model.training.embedding import fill, open_cache

REPO = Path(__file__).resolve().parents[3]
DRAFTS = REPO / "bench" / "drafts"
PREFIX = "drafts-"
LABELS = ("political-endorsement", "non-neutral", "dispute", "product-endorsement",
          "article-subject-complaint", "sarcasm", "snark")
C = 10.0  # chosen out of fold (0.3-30 tried): higher separates better, flat past 10
FINE_QUANTILE = 0.999
CONFIDENT_QUANTILE = 1.0  # no official fine draft scored out of fold reaches the confident cut
POOL_RATE = 0.005
CONFIDENT_POOL_RATE = 0.002
MIN_POOL = 100
REAL_EVERY = 3
CLEAN_POOL_HEAD = "incivility"
TRAINED_BY = "python -m chatbot.model.training.drafts"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=TRAINED_BY, description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=pipeline.default_data(),
                        help="local copies of the incivility sources (for the real clean posts)")
    parser.add_argument("--drafts", type=Path, default=DRAFTS, help="a folder of *.jsonl drafts")
    parser.add_argument("--base", type=Path, default=SHIPPED,
                        help="the heads file whose other heads are kept (default: the shipped)")
    parser.add_argument("--out", type=Path, default=SHIPPED,
                        help="where to write it with the draft heads (default: the shipped)")
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args(argv)
    started = time.monotonic()

    drafts = official_drafts(sorted(args.drafts.glob("*.jsonl")))
    train_clean, val_clean = real_clean(args.data)
    print(f"{len(drafts)} official drafts; real clean posts: {len(train_clean)} to train on, "
          f"{len(val_clean)} to set cuts on", flush=True)
    cache = open_cache(args.cache or default_dir())
    texts = [d["text"] for d in drafts]
    fill(cache, texts + [r.text for r in train_clean] + [r.text for r in val_clean])
    xd, xt, xv = (cache.get(t) for t in
                  (texts, [r.text for r in train_clean], [r.text for r in val_clean]))
    waves = [wave_of(d["id"]) for d in drafts]
    val_scripts = [r.script for r in val_clean]
    provenance = sources_of(drafts, args.drafts, train_clean, val_clean)

    doc = json.loads(args.base.read_text(encoding="utf-8"))
    heads = {k: v for k, v in doc["heads"].items() if not k.startswith(PREFIX)}
    for label in LABELS:
        y = np.array([label in d["labels"] for d in drafts], dtype=int)
        fine = np.array([not d["labels"] for d in drafts])
        entry = train_one(label, xd, y, fine, waves, xt, xv, val_scripts)
        entry["sources"] = provenance
        heads[PREFIX + label] = entry
        s = entry["scores"]
        print(f"{PREFIX + label:34} {s['positives']:4} drafts  out-of-fold AUC {s['auc']:.3f}  "
              f"at the cut: recall {s['recall']:.0%}, official fine drafts "
              f"{s['fine_flagged']}/{s['fine']}, real clean worst script "
              f"{max(s['clean_flagged'].values()):.1%}", flush=True)
    flags = doc.get("trained_by", "").removeprefix(export.TRAINED_BY).strip()
    new = export.document(heads, flags=flags)
    new["encoder"] = doc.get("encoder", new["encoder"]) | {"version": encoder.version()}
    new["sha256"] = export.seal(new)
    export.write(new, args.out)
    print(f"wrote {args.out} in {time.monotonic() - started:.0f} s", flush=True)
    return 0


def train_one(label: str, xd: np.ndarray, y: np.ndarray, fine: np.ndarray, waves: Sequence[str],
              xt: np.ndarray, xv: np.ndarray, val_scripts: Sequence[str]) -> dict:
    """One label's head: weights from all drafts, cuts from held-out waves and the real pool."""
    oof = out_of_fold(xd, y, waves, xt)
    weights, bias = fit(xd, y, xt)
    pool = 1.0 / (1.0 + np.exp(-(xv @ weights + bias)))
    draft_cut = float(np.quantile(oof[fine], FINE_QUANTILE))
    confident_draft = float(np.quantile(oof[fine], CONFIDENT_QUANTILE))
    warning = cuts_for(pool, val_scripts, 1 - POOL_RATE, draft_cut)
    confident = cuts_for(pool, val_scripts, 1 - CONFIDENT_POOL_RATE, confident_draft)
    confident = {s: max(c, warning[s]) for s, c in confident.items()}
    flagged = oof >= draft_cut
    scripts = np.asarray(val_scripts)
    return {
        "label": label,
        "kind": "linear",
        "weights": [round(float(w), pipeline.DECIMALS) for w in weights],
        "bias": round(float(bias), pipeline.DECIMALS),
        "sentences": False,  # cuts are set on whole drafts: a draft is scored whole
        "cuts": (f"warning: the higher of the {FINE_QUANTILE:.1%} point of official fine "
                 f"drafts' out-of-fold scores and the {1 - POOL_RATE:.0%} point of each "
                 f"script's real clean validation posts (strictest below {MIN_POOL} posts)"),
        "thresholds": warning,
        "confident": confident,
        "trained_by": TRAINED_BY,
        "scores": {
            "positives": int(y.sum()),
            "auc": round(_auc(y, oof), 4),
            "recall": round(float(flagged[y == 1].mean()), 4),
            "fine": int(fine.sum()),
            "fine_flagged": int(flagged[fine].sum()),
            "clean_flagged": {
                s: round(float((pool[scripts == s] >= warning[s]).mean()), 4)
                for s in sorted(set(val_scripts)) if (scripts == s).sum() >= MIN_POOL},
        },
    }


def out_of_fold(xd: np.ndarray, y: np.ndarray, waves: Sequence[str], xt: np.ndarray) -> np.ndarray:
    """Each draft scored by a head trained without its wave (another writer's words)."""
    waves_arr = np.asarray(waves)
    oof = np.zeros(len(y))
    for wave in sorted(set(waves)):
        held = waves_arr == wave
        if y[~held].sum() == 0:
            continue  # no positives left to learn from: the wave scores 0 (a miss)
        weights, bias = fit(xd[~held], y[~held], xt)
        oof[held] = 1.0 / (1.0 + np.exp(-(xd[held] @ weights + bias)))
    return oof


def fit(xd: np.ndarray, y: np.ndarray, xt: np.ndarray) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([xd, xt])
    target = np.concatenate([y, np.zeros(len(xt), dtype=int)])
    weight = np.concatenate([np.ones(len(xd)), np.full(len(xt), len(xd) / max(1, len(xt)))])
    model = LogisticRegression(C=C, max_iter=5000).fit(x, target, sample_weight=weight)
    return model.coef_[0], float(model.intercept_[0])


def cuts_for(scores: np.ndarray, scripts: Sequence[str], quantile: float,
             floor: float) -> dict[str, float]:
    """Per script, the pool's `quantile` point (never under `floor`), rounded up; `default`,
    for scripts with too few posts, is the strictest."""
    arr = np.asarray(scripts)
    cuts = {s: max(floor, float(np.quantile(scores[arr == s], quantile)))
            for s in sorted(set(scripts)) if (arr == s).sum() >= MIN_POOL}
    cuts["default"] = max([floor, *cuts.values()])
    step = 10 ** -pipeline.DECIMALS
    return {s: round(np.ceil(c / step) * step, pipeline.DECIMALS) for s, c in cuts.items()}


def official_drafts(paths: Sequence[Path]) -> list[dict]:
    drafts = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            item = json.loads(line)
            if not isinstance(item.get("labels"), list) or not isinstance(item.get("text"), str):
                sys.exit(f"{path}:{number}: a labelled draft needs \"text\" and \"labels\"")
            if item.get("account", "official") == "official":
                drafts.append(item)
    return drafts


def wave_of(draft_id: str) -> str:
    """`wave4en-0012` → `wave4en`: the file, that is the writer, a draft came from."""
    return draft_id.rsplit("-", 1)[0]


def real_clean(data: Path) -> tuple[list[splits.Row], list[splits.Row]]:
    """The incivility sources' clean rows: every `REAL_EVERY`th of training, all of validation
    (public posts only; our own posts are drafts already)."""
    plan = manifest.load()
    sources = [s for s in plan.for_head(CLEAN_POOL_HEAD) if not s.read.get("local")]
    rows = [r for r in splits.head_rows(plan, sources, CLEAN_POOL_HEAD, splits.git_reader(data))
            if r.y == 0]
    train = [r for r in rows if r.split == "train"][::REAL_EVERY]
    return train, [r for r in rows if r.split == "val"]


def sources_of(drafts: list[dict], folder: Path, train: list, val: list) -> list[dict]:
    plan = {s.name: s for s in manifest.load().sources}
    counts: dict[str, dict[str, int]] = {}
    for r in (*train, *val):
        counts.setdefault(r.source, {"train": 0, "val": 0})[r.split] += 1
    own = {"name": "checkpost drafts", "repository": "checkpost",
           "paths": sorted({f"bench/drafts/{wave_of(d['id'])}.jsonl" for d in drafts}),
           "licence": "MIT (checkpost's own text)", "rows": {"official": len(drafts)}}
    return [own] + [
        {"name": name, "repository": plan[name].repository, "commit": plan[name].commit,
         "licence": plan[name].licence, "rows": {"clean " + k: v for k, v in c.items()}}
        for name, c in sorted(counts.items())]


def _auc(y: np.ndarray, scores: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, scores))


if __name__ == "__main__":
    sys.exit(main())
