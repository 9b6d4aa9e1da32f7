"""Validate freshly written labelled drafts and split them into a tuning part and a blind part.

    python bench/split_drafts.py DIR_OF_NEW_JSONL...

Each `NAME.jsonl` becomes `bench/drafts/NAME.jsonl` (for tuning) and `bench/blind/NAME.jsonl`
(never read while tuning; only measured). The split is fixed by a hash of each draft's id, so it
is chosen before anyone builds against the drafts and does not depend on their content: 30% blind.
Invalid lines are reported with file and line and nothing is written for that file.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = {
    "product-endorsement", "political-endorsement", "dispute", "article-subject-complaint",
    "sarcasm", "snark", "repost-of-violation", "media-license", "non-neutral", "incivility",
    "org-voice",
}
BLIND_PERCENT = 30


def is_blind(draft_id: str) -> bool:
    return int(hashlib.sha256(draft_id.encode()).hexdigest(), 16) % 100 < BLIND_PERCENT


def problems(item: object) -> list[str]:
    if not isinstance(item, dict):
        return ["not an object"]
    found = []
    if not isinstance(item.get("id"), str) or not item["id"]:
        found.append("no id")
    if item.get("account") not in ("official", "personal"):
        found.append("account must be official or personal")
    if not isinstance(item.get("text"), str) or not item["text"].strip():
        found.append("no text")
    labels = item.get("labels")
    if not isinstance(labels, list) or any(x not in LABELS for x in labels):
        found.append(f"labels must be a list of {sorted(LABELS)}")
    media = item.get("media", [])
    if not isinstance(media, list) or any(
        not isinstance(m, dict) or not isinstance(m.get("source"), str) for m in media
    ):
        found.append('media must be a list of {"source": …, "license": …}')
    return found


def split(path: Path, seen: set[str]) -> tuple[int, int] | None:
    keep, blind, bad = [], [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append(f"{path}:{number}: not JSON ({exc.msg})")
            continue
        errors = problems(item)
        if not errors and item["id"] in seen:
            errors = [f"duplicate id {item['id']}"]
        if errors:
            bad.append(f"{path}:{number}: {'; '.join(errors)}")
            continue
        seen.add(item["id"])
        (blind if is_blind(item["id"]) else keep).append(json.dumps(item, ensure_ascii=False))
    if bad:
        print("\n".join(bad), file=sys.stderr)
        return None
    for folder, rows in (("drafts", keep), ("blind", blind)):
        (HERE / folder / path.name).write_text("".join(r + "\n" for r in rows), encoding="utf-8")
    return len(keep), len(blind)


def main(argv: list[str]) -> int:
    seen: set[str] = set()
    for existing in [*HERE.glob("drafts/*.jsonl"), *HERE.glob("blind/*.jsonl")]:
        if not any(Path(a).resolve() == existing.resolve() for a in argv):
            for line in existing.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    seen.add(json.loads(line)["id"])
    status = 0
    for arg in argv:
        for path in sorted(Path(arg).glob("*.jsonl")) if Path(arg).is_dir() else [Path(arg)]:
            result = split(path, seen)
            if result is None:
                status = 1
                continue
            print(f"{path.name}: {result[0]} for tuning, {result[1]} blind")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
