"""Turning a file's bytes into (text, labels) rows, as the manifest's `read` says.

The sets come as CSV with and without header rows, tab-separated files with stray quotes (read
unquoted), and Excel workbooks; a column is named by its header or, with no header, by its
index. Labels come back as a set so multi-label cells ("hate,offensive") map like single ones.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator

csv.field_size_limit(1 << 24)

_WHOLE_FLOAT = re.compile(r"^-?\d+\.0+$")


def rows(data: bytes, read: dict) -> Iterator[tuple[str, frozenset[str]]]:
    """Every row of the file with a non-empty text, as (text, labels)."""
    fmt = read.get("format", "csv")
    if fmt == "csv":
        table = _csv_table(data, read)
    elif fmt == "xlsx":
        table = _xlsx_table(data)
    elif fmt == "jsonl":
        table = _jsonl_table(data, read)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    header = next(table, None) if read.get("header", True) else None
    text_at = _column(read["text"], header)
    label_at = _column(read["label"], header)
    sep = read.get("label_sep")
    remove = re.compile(read["remove"]) if read.get("remove") else None
    for row in table:
        if len(row) <= max(text_at, label_at):
            continue
        text = _cell(row[text_at])
        if remove:  # words that give the label away (the hashtags a set was collected by)
            text = remove.sub(" ", text).strip()
        if not text:
            continue
        yield text, _labels(_cell(row[label_at]), sep)


def _csv_table(data: bytes, read: dict) -> Iterator[list]:
    text = data.decode(read.get("encoding", "utf-8-sig"), errors="replace")
    quoting = csv.QUOTE_NONE if read.get("quoting") == "none" else csv.QUOTE_MINIMAL
    return iter(csv.reader(io.StringIO(text, newline=""), delimiter=read.get("delimiter", ","),
                           quoting=quoting))


def _jsonl_table(data: bytes, read: dict) -> Iterator[list]:
    """Our own drafts: one JSON object a line, given a header row of the manifest's keys."""
    keys = [read["text"], read["label"]]
    yield keys
    for line in data.decode("utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            yield [item.get(k) for k in keys]


def _xlsx_table(data: bytes) -> Iterator[list]:
    import openpyxl  # the `train` extra

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = book[book.sheetnames[0]]
    return (list(r) for r in sheet.iter_rows(values_only=True))


def _column(spec: str | int, header: list | None) -> int:
    if isinstance(spec, int):
        return spec
    if header is None:
        raise ValueError(f"column {spec!r} named but the file has no header row")
    names = [_cell(h) for h in header]
    if spec not in names:
        raise ValueError(f"no column {spec!r} in header {names}")
    return names.index(spec)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text[: text.index(".")] if _WHOLE_FLOAT.match(text) else text


def _labels(cell: str, sep: str | None) -> frozenset[str]:
    parts = cell.split(sep) if sep else [cell]
    return frozenset(p.strip() for p in parts if p.strip())
