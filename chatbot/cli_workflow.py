"""`chatbot report` and `chatbot purge`: the workflow's commands for people at a terminal.

`chatbot/cli.py` calls `register(subparsers)`; each command's `func` takes the parsed
arguments and returns the exit code: 0 done, 2 a usage or configuration error (the message
on stderr says what to change).
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from pathlib import Path

from chatbot.config import ConfigError, load_settings, parse_duration

EXIT_OK = 0
EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser(
        "report",
        help="write the Learning Pattern material: posts, decisions, metrics, incidents",
        description="Posts submitted in a period with their links, texts, findings, approvers "
        "and time to approval, metrics over time and incidents, and the totals.",
    )
    report.add_argument("--since", metavar="DATE",
                        help="first day (YYYY-MM-DD, UTC) or ISO date-time; default: the start")
    report.add_argument("--until", metavar="DATE",
                        help="last day, included (YYYY-MM-DD, UTC) or ISO date-time; default: now")
    report.add_argument("--format", choices=("md", "csv", "wikitext"), default="md",
                        help="md (Markdown, default), csv (one row per post) or wikitext (a "
                        "Learning Pattern draft for Meta-Wiki)")
    report.add_argument("--chart", metavar="FILE.png",
                        help="also draw each post's metrics over time and the findings by label "
                        "into this PNG, linked from the md and wikitext reports (needs the "
                        "`chart` extra: matplotlib)")
    report.add_argument("--db", metavar="PATH", help="the database (default: CHECKPOST_DB)")
    report.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    report.set_defaults(func=run_report)

    purge = subparsers.add_parser(
        "purge",
        help="remove the draft texts of old posts, keep the numbers",
        description="Remove the draft texts (and incident notes) of posts untouched for longer "
        "than AGE; keep states, findings' labels, votes, links, metrics and reminders.",
    )
    purge.add_argument("--older-than", metavar="AGE", required=True,
                       help="e.g. 180d; units s, m, h, d")
    purge.add_argument("--db", metavar="PATH", help="the database (default: CHECKPOST_DB)")
    purge.add_argument("--dry-run", action="store_true", help="say what would go, change nothing")
    purge.set_defaults(func=run_purge)


def run_report(args: argparse.Namespace) -> int:
    from chatbot.store import Store, StoreError  # here: `chatbot check` need not load sqlite
    from chatbot.workflow.report import (
        ReportError,
        build_report,
        parse_date,
        render_csv,
        render_markdown,
    )

    try:
        db_path = _db_path(args)
        since = parse_date(args.since)
        until = parse_date(args.until, end=True)
        if since is not None and until is not None and since >= until:
            raise ReportError(f"--since {args.since} is not before --until {args.until}")
        if args.chart and not args.chart.lower().endswith(".png"):
            raise ReportError(f"--chart {args.chart}: the chart is a PNG; name it FILE.png")
        with Store(db_path) as store:
            report = build_report(store, since, until, now=time.time())
        if args.chart:
            from chatbot.workflow.chart import write_chart

            write_chart(report, args.chart)
    except (ConfigError, ReportError, StoreError) as exc:
        return _usage("report", exc)
    if args.format == "csv":
        text = render_csv(report)
    elif args.format == "wikitext":
        from chatbot.workflow.learning_pattern import render_wikitext

        text = render_wikitext(report, chart=args.chart or "")
    else:
        text = render_markdown(report, chart=args.chart or "")
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def run_purge(args: argparse.Namespace) -> int:
    from chatbot.store import Store, StoreError
    from chatbot.workflow.people import Person
    from chatbot.workflow.retention import purge

    try:
        db_path = _db_path(args)
        older_than = _age(args.older_than)
        with Store(db_path) as store:
            result = purge(store, older_than, now=time.time(), by=Person("cli", _user()),
                           dry_run=args.dry_run)
    except (ConfigError, StoreError) as exc:
        return _usage("purge", exc)
    verb = "Would remove" if result.dry_run else "Removed"
    posts = ", ".join(str(n) for n in result.posts) or "none"
    print(f"{verb} the draft texts of {len(result.posts)} post(s) untouched for more than "
          f"{args.older_than} ({posts}), the notes of {result.incidents} incident(s) and "
          f"{result.keys} old idempotency key(s); numbers, findings, votes and metrics are kept.")
    return EXIT_OK


def _age(value: str) -> int:
    try:
        return parse_duration(value, "--older-than")
    except ConfigError:
        raise ConfigError(f"--older-than: {value!r} is not an age; write a number and a unit "
                          "(s, m, h or d), e.g. 180d") from None


def _db_path(args: argparse.Namespace) -> str:
    path = args.db or load_settings().db_path
    if not Path(path).is_file():
        raise ConfigError(f"no checkpost database at {path}; give --db PATH or set CHECKPOST_DB")
    return path


def _usage(command: str, exc: Exception) -> int:
    print(f"chatbot {command}: {exc}", file=sys.stderr)
    return EXIT_USAGE


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
