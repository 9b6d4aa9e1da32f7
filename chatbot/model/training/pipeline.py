"""Training one head end to end: rows, embeddings, fit, per-script cuts, held-out scores.

Read top-down: `train_head` is the whole recipe; the helpers below it are its steps. Scores for
cuts and held-out numbers are computed with the weights as exported (rounded), so what the
report says is what the run time does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from chatbot.model.heads import combined
from chatbot.model.training import evaluate, fit, lexical, splits, thresholds
from chatbot.model.training.cache import Embed, EmbeddingCache
from chatbot.model.training.manifest import Manifest, Source
from chatbot.model.training.splits import Reader, Row

DECIMALS = 6


@dataclass(frozen=True)
class Trained:
    entry: dict  # the head's object in heads.json
    by_script: dict[str, dict]  # held-out numbers per script, for the report
    clean_heldout: dict[str, dict]  # held-out clean rows flagged per script: the ship check
    files: dict[str, bytes] = field(default_factory=dict)  # written beside heads.json

#: which clean texts the rules already flag (any finding), to set cuts for rules ∪ head
RulesFlag = Callable[[list[str]], np.ndarray]


def train_head(
    manifest: Manifest, sources: Sequence[Source], head: str, read: Reader,
    cache: EmbeddingCache, embed: Embed, *, cached_only: bool = False,
    clean_extra: Sequence[Row] = (), mlp_grid: Sequence[tuple[int, float]] = (),
    lexical_file: str | None = None, rules_flag: RulesFlag | None = None,
    combine: str = "stack", offset: float = 0.0,
) -> Trained:
    """Train `head`; `clean_extra` are other heads' clean rows, to set and check its cuts on.
    With `mlp_grid`, MLPs are tried too and one is kept if it beats the linear head clearly.
    With `lexical_file`, a lexical channel (hashed character n-grams, trained on every training
    row, no caps) is stacked with the embedding head and its weights go to that file.
    With `rules_flag`, the warning cuts bound the rules and the head together on the clean pool.
    With `combine="either"`, `offset` is taken off the embedding's own logit before it is
    compared with the stack's (see heads.combined).

    A head trained on one language (SubReddit's English) still meets posts in every script, so
    its cuts are set on the clean validation rows of the incivility sources too, and checked
    on their clean test rows.
    """
    rows = splits.head_rows(manifest, sources, head, read)
    if cached_only:  # a quick head from what is embedded so far; `rows` records what it used
        total, rows = len(rows), [r for r in rows if r.text in cache]
        print(f"using the {len(rows)} of {total} rows already in the cache", flush=True)
    _say_rows(rows)
    own_texts = {r.text for r in rows}
    extra = [r for r in clean_extra if r.y == 0 and r.split != "train"
             and r.text not in own_texts and (r.text in cache or not cached_only)]
    cache_fill(cache, rows + extra, embed)
    train, val, test = (_split(rows, s) for s in ("train", "val", "test"))
    x_train, x_val = cache.get([r.text for r in train]), cache.get([r.text for r in val])
    y_train, y_val, y_test = (np.array([r.y for r in p]) for p in (train, val, test))

    print(f"fitting {head} on {len(train)} rows", flush=True)
    model = fit.choose(x_train, y_train, x_val, y_val, [r.group for r in val],
                       mlp_grid=mlp_grid).rounded(DECIMALS)
    print(f"  chose {_described(model)}", flush=True)
    channel, stacked, files, lexical_entry = None, None, {}, None
    if lexical_file:
        # A source of one class only (Bengali hate: positives) teaches n-grams its own style:
        # trained with it, formal Bengali drafts scored as abusive. Such sources stay out.
        both = [s for s in sources if s.heads[head].negative]
        every = splits.head_rows(manifest, splits.uncapped(manifest, both), head, read)
        full = [r for r in every if r.split == "train"]
        print(f"fitting {head}'s n-gram channel on {len(full)} rows (no caps; without "
              f"{', '.join(s.name for s in sources if s not in both) or 'none'})", flush=True)
        fitted = lexical.fit([r.text for r in full], np.array([r.y for r in full]),
                             [r.text for r in val], y_val, [r.group for r in val])
        channel = fitted.channel
        stacked = lexical.stack(model.logit(x_val), channel.logits([r.text for r in val]), y_val)
        data = lexical.file_bytes(channel)
        files[lexical_file] = data
        lexical_entry = lexical.entry(fitted, lexical_file, data)
        lexical_entry["sources_left_out"] = sorted(s.name for s in sources if s not in both)
        print(f"  chose n-grams C={fitted.C:g}; stacked as {stacked}", flush=True)

    def score(part: list[Row]) -> np.ndarray:
        logit = model.logit(cache.get([r.text for r in part]))
        if channel is not None and stacked is not None:
            logit = combined(logit, channel.logits([r.text for r in part]), stacked, combine,
                             offset)
        return 1.0 / (1.0 + np.exp(-logit))

    pool = [r for r in val if r.y == 0] + _split(extra, "val")
    already = rules_flag([r.text for r in pool]) if rules_flag is not None else None
    cuts = thresholds.per_script(score(pool), [r.script for r in pool], already=already)
    test_scores = score(test)
    test_scripts = [r.script for r in test]
    heldout = evaluate.by_group(y_test, test_scores, [r.group for r in test], test_scripts, cuts)
    by_script = evaluate.by_group(y_test, test_scores, test_scripts, test_scripts, cuts)
    clean_test = [r for r in test if r.y == 0] + _split(extra, "test")
    clean_heldout = evaluate.flagged_by_script(score(clean_test),
                                               [r.script for r in clean_test], cuts)
    entry = {"label": head, **_layers(model),
        **({"lexical": lexical_entry, "stack": {**dict(zip(("embedding", "lexical", "bias"),
                                                            stacked, strict=True)),
                                                 **({"combine": "either",
                                                     "embedding_offset": offset}
                                                    if combine == "either" else {})},
            "score": _STACK_SCORES[combine]} if lexical_entry and stacked else {}),
        "cuts": ("the warning cut keeps rules ∪ head at most 10% of each script's clean "
                 "validation pool, less one standard error" if already is not None else
                 "the warning cut flags at most 8% of each script's clean validation pool, "
                 "less one standard error"),
        "thresholds": cuts.warning,
        "confident": cuts.confident,
        "sources": [_provenance(s, rows) for s in sources if any(r.source == s.name
                                                                   for r in rows)],
        "scores": {"heldout": heldout, "clean_pool": cuts.pool},
    }
    return Trained(entry, by_script, clean_heldout, files)


#: how heads.json says a stacked head scores, for each way of combining (see heads.Head)
_STACK_SCORES = {
    "stack": "sigmoid(stack.embedding·(weights·x + bias) + stack.lexical·lexical(text)"
             " + stack.bias)",
    "either": "sigmoid(max(weights·x + bias - stack.embedding_offset, stack.embedding·"
              "(weights·x + bias) + stack.lexical·lexical(text) + stack.bias))",
}


def _layers(model: fit.Head) -> dict:
    """The head's numbers as heads.json holds them (see `chatbot.model.heads`)."""
    out: dict = {}
    if model.hidden is not None:
        w1, b1 = model.hidden
        out["kind"] = "mlp"
        out["hidden"] = {"weights": [[float(v) for v in row] for row in w1],
                         "bias": [float(v) for v in b1]}
        out["score"] = "sigmoid(weights·relu(hidden.weights^T·x + hidden.bias) + bias)"
    else:
        out["score"] = "sigmoid(weights·x + bias)"
    out["weights"] = [float(w) for w in model.weights]
    out["bias"] = float(model.bias)
    return out


def _described(model: fit.Head) -> str:
    if model.hidden is None:
        return f"linear, C={model.C:g}"
    return f"MLP, {len(model.weights)} units, alpha={model.alpha:g}"


def cache_fill(cache: EmbeddingCache, rows: list[Row], embed: Embed) -> None:
    from chatbot.model.training.embedding import fill

    missing = sum(1 for r in rows if r.text not in cache)
    if missing:
        print(f"embedding {missing} texts not in the cache ({cache.dir})", flush=True)
        fill(cache, [r.text for r in rows], embed)


def _split(rows: list[Row], split: str) -> list[Row]:
    return [r for r in rows if r.split == split]


def _provenance(source: Source, rows: list[Row]) -> dict:
    mine = [r for r in rows if r.source == source.name]
    return {
        "name": source.name,
        "repository": source.repository,
        "commit": source.commit,
        "paths": source.paths,
        "licence": source.licence,
        "nc_or_research": source.nc_or_research,
        "rows": {s: sum(1 for r in mine if r.split == s) for s in ("train", "val", "test")},
    }


def _say_rows(rows: list[Row]) -> None:
    groups = sorted({r.group for r in rows})
    for g in groups:
        counts = {
            s: (sum(1 for r in rows if r.group == g and r.split == s and r.y == 1),
                sum(1 for r in rows if r.group == g and r.split == s and r.y == 0))
            for s in ("train", "val", "test")
        }
        print(f"  {g}: " + ", ".join(f"{s} {p}+/{n}-" for s, (p, n) in counts.items()),
              flush=True)


def default_data() -> Path:
    return Path("/work/.mirror")
