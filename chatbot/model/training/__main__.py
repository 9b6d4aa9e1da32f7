"""`python -m chatbot.model.training`: retrain the shipped heads and write heads.json.

--data DIR   the local copies (clones named NAME or OWNER+NAME, or OWNER+NAME/repo mirrors)
--no-nc      leave out the non-commercial, research-only and unlicensed sources
--cached-only  train on what the embedding cache already holds (the rows used are recorded)
--mlp        also try a one-hidden-layer MLP head, kept only if its mean validation AUC beats
             the linear head's by 0.02 (the shipped head is linear: see README)
--lexical    add the lexical channel (hashed character n-grams stacked with the embedding head,
             with our Bengali posts, `own_drafts_bn`); its weights go beside the heads file as
             `<out stem>.<head>.ngrams.npy`. Measured and not shipped: see README
--cuts-with-rules  set the warning cuts so that rules ∪ head flag at most 10% of each script's
             clean pool (the rules of policies/ run on it), not the head alone at 8%
--out PATH   where to write heads.json (default: the package's own, chatbot/model/heads.json,
             and then the rows used are recorded in manifest.yaml)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from chatbot.model import encoder
from chatbot.model.training import export, fit, manifest, pipeline, report, splits
from chatbot.model.training.cache import default_dir
from chatbot.model.training.embedding import open_cache
from chatbot.model.training.record import record_rows

HEADS_JSON = Path(__file__).resolve().parent.parent / "heads.json"
SHIPPED_HEADS = ("incivility",)
#: heads that get a lexical channel (the others were tried on embeddings alone: README)
LEXICAL_HEADS = ("incivility",)
#: sources left out of the shipped head and added with --lexical (the manifest says why)
LEXICAL_EXTRA = ("own_drafts_bn",)
POLICIES = Path(__file__).resolve().parents[3] / "policies"
#: whose clean rows (all scripts) set and check the cuts of heads trained on fewer languages
CLEAN_POOL_HEAD = "incivility"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chatbot.model.training",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=pipeline.default_data())
    parser.add_argument("--no-nc", action="store_true",
                        help="without NC, research-only and unlicensed sources")
    parser.add_argument("--out", type=Path, default=HEADS_JSON)
    parser.add_argument("--cache", type=Path, default=None,
                        help="embedding cache (default $CHECKPOST_CACHE or "
                             "~/.cache/checkpost/embeddings)")
    parser.add_argument("--cached-only", action="store_true",
                        help="train on the rows already embedded (quick, while the cache fills)")
    parser.add_argument("--mlp", action="store_true",
                        help="also try an MLP head (kept only if it clearly beats the linear)")
    parser.add_argument("--lexical", action="store_true",
                        help="stack a hashed character n-gram channel with the embedding")
    parser.add_argument("--either", action="store_true",
                        help="with --lexical: score the higher of the stacked and the embedding "
                        "head's own probability")
    parser.add_argument("--either-offset", type=float, default=0.0, metavar="D",
                        help="with --either: take D off the embedding's own logit first, so "
                        "it flags alone only what it is sure of (the shipped head: 1)")
    parser.add_argument("--cuts-with-rules", action="store_true",
                        help="set the warning cuts for rules ∪ head, not the head alone")
    parser.add_argument("--head", action="append", dest="heads",
                        help=f"a head to train (default: {', '.join(SHIPPED_HEADS)})")
    args = parser.parse_args(argv)

    started = time.monotonic()
    plan = manifest.load()
    cache = open_cache(args.cache or default_dir())
    read = splits.git_reader(args.data)
    heads: dict = {}
    files: dict[str, bytes] = {}
    clean: list = []
    for head in args.heads or SHIPPED_HEADS:
        sources = plan.for_head(head, no_nc=args.no_nc)
        if args.lexical and head in LEXICAL_HEADS:
            sources += [s for s in plan.for_head(head, extra=True) if s.name in LEXICAL_EXTRA]
        print(f"{head}: {len(sources)} sources" + (" (no NC)" if args.no_nc else ""), flush=True)
        if head != CLEAN_POOL_HEAD and not clean:
            clean = splits.head_rows(plan, plan.for_head(CLEAN_POOL_HEAD, no_nc=args.no_nc),
                                     CLEAN_POOL_HEAD, read)
        lexical_file = (None if not args.lexical or head not in LEXICAL_HEADS
                        else f"{args.out.stem}.{head}.ngrams.npy")
        trained = pipeline.train_head(plan, sources, head, read, cache, encoder.embed,
                                      cached_only=args.cached_only, clean_extra=clean,
                                      mlp_grid=fit.MLP_GRID if args.mlp else (),
                                      lexical_file=lexical_file,
                                      combine="either" if args.either else "stack",
                                      offset=args.either_offset,
                                      rules_flag=rules_flag if args.cuts_with_rules else None)
        report.print_head(head, trained)
        heads[head] = trained.entry
        files.update(trained.files)
    for name, data in files.items():
        export.write_file(args.out.parent / name, data)
    flags = " ".join(f for f, on in (("--no-nc", args.no_nc), ("--lexical", args.lexical),
                                      ("--cuts-with-rules", args.cuts_with_rules),
                                      ("--either", args.either),
                                      (f"--either-offset {args.either_offset:g}",
                                       args.either and args.either_offset > 0)) if on)
    export.write(export.document(heads, flags=flags), args.out)
    if args.out.resolve() == HEADS_JSON:
        record_rows(manifest.MANIFEST, {
            s["name"]: s["rows"] for entry in heads.values() for s in entry["sources"]})
    print(f"wrote {args.out} in {time.monotonic() - started:.0f} s", flush=True)
    return 0


def rules_flag(texts: list[str]):
    """Which texts the rules of `policies/` give any finding, as a bare official draft."""
    import numpy as np

    from chatbot.policy.engine import check_rules
    from chatbot.policy.loader import load_policy
    from chatbot.policy.model import Draft

    policy = load_policy(POLICIES)
    print(f"running the rules on {len(texts)} clean validation rows", flush=True)
    return np.array([bool(check_rules(Draft(text=t), policy)) for t in texts], dtype=bool)


if __name__ == "__main__":
    sys.exit(main())
