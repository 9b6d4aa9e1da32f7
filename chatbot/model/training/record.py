"""Writing the rows a run used back into manifest.yaml, keeping its comments.

The manifest is read by people (which sets, how mapped, how many rows) as much as by code, so
this edits its text in place rather than dumping YAML: one `rows:` line per source, after its
`nc_or_research:` line.
"""

from __future__ import annotations

import re
from pathlib import Path

_NAME = re.compile(r"^  - name: (\S+)\s*$")
_ROWS = re.compile(r"^    rows: \{.*\}\s*$")
_FLAG = re.compile(r"^    nc_or_research: ")


def record_rows(path: Path, rows: dict[str, dict[str, int]]) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    current = None
    for line in lines:
        if match := _NAME.match(line):
            current = match.group(1)
        if current in rows and _ROWS.match(line):
            continue
        out.append(line)
        if current in rows and _FLAG.match(line):
            n = rows[current]
            out.append(f"    rows: {{train: {n['train']}, val: {n['val']}, test: {n['test']}}}")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
