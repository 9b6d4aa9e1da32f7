"""The `chatbot` command: check, eval, report, purge (and serve, with the adapters).

Exit codes are part of the public contract: 0 the draft may go out (no `error` finding),
1 at least one `error` finding, 2 a usage or configuration error (nothing was checked).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import struct
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from chatbot.config import ConfigError, Settings, load_settings, policy_path
from chatbot.policy.loader import PolicyError, load_policy
from chatbot.policy.model import ACCOUNTS, Draft, MediaDeclaration, Verdict
from chatbot.policy.networks import NETWORKS
from chatbot.policy.rules import Policy
from chatbot.render import render_verdict
from chatbot.verdict import DraftError, check, check_many, validate

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args)
    except (ConfigError, PolicyError, DraftError, InputError) as exc:
        print(f"chatbot {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `chatbot check … | head`: the reader left; that is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


class InputError(ValueError):
    """An input file or argument cannot be read; the message says which and why."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chatbot",
        description="checkpost: check social-media drafts against the policy; run the chat bot.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    c = sub.add_parser("check", help="check a draft (exit 0 pass, 1 needs changes, 2 usage error)")
    c.add_argument("text", nargs="?", help="the draft, or - to read it from standard input")
    c.add_argument("--file", type=Path, help="read the draft from this file")
    c.add_argument(
        "--account",
        choices=ACCOUNTS,
        default="official",
        help="the account it goes out on (default: official)",
    )
    c.add_argument(
        "--media",
        action="append",
        default=[],
        metavar='"SOURCE; LICENSE"',
        help="an attached photo/video and its licence; repeat for each",
    )
    c.add_argument("--context", default="", help="why this post, why now (an event, a day)")
    c.add_argument(
        "--platform",
        choices=tuple(NETWORKS),
        help="the network it goes to: a draft over its length limit gets a suggestion "
        "(default: CHECKPOST_PLATFORM, else none)",
    )
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c.add_argument(
        "--no-llm", action="store_true", help="skip the LLM tone review (the learned layer runs)"
    )
    c.add_argument(
        "--rules-only",
        action="store_true",
        help="the rules alone: no learned layer, no LLM review (fast; loads no model)",
    )
    c.add_argument(
        "--batch",
        type=Path,
        metavar="FILE.jsonl",
        help="check every draft of a JSONL file; print one JSON object per line",
    )
    c.add_argument(
        "--processes",
        type=int,
        metavar="N",
        help=f"processes for a --rules-only batch (default: 2 when it has at least "
        f"{POOL_FROM:,} drafts and two cores are free to the process, else 1)",
    )
    c.add_argument(
        "--policy",
        type=Path,
        help="policy file or directory (default: CHECKPOST_POLICY_DIR, else ./policies)",
    )
    c.set_defaults(func=cmd_check)

    e = sub.add_parser("eval", help="score the checker on labelled drafts (JSONL)")
    e.add_argument("file", type=Path, metavar="FILE.jsonl")
    e.add_argument("--json", action="store_true", help="print the scores as JSON")
    e.add_argument("--no-llm", action="store_true", help="skip the LLM tone review")
    e.add_argument("--rules-only", action="store_true", help="the rules alone (no model, no LLM)")
    e.add_argument("--policy", type=Path, help="policy file or directory")
    e.set_defaults(func=cmd_eval)

    s = sub.add_parser("serve", help="run the chat bot: `serve slack` or `serve matrix`")
    s.add_argument("platform", choices=("slack", "matrix"))
    s.set_defaults(func=cmd_serve)

    from chatbot import cli_workflow

    cli_workflow.register(sub)
    return parser


def cmd_serve(args: argparse.Namespace) -> int:
    """Run an adapter until it is stopped; its module is imported only now (Bolt, nio)."""
    from chatbot.store import StoreError

    settings = load_settings()
    if args.platform == "slack":
        from chatbot.adapters.slack import serve
    else:
        from chatbot.adapters.matrix import serve
    try:
        return serve(settings)
    except StoreError as exc:
        raise ConfigError(f"CHECKPOST_DB ({settings.db_path}): {exc}") from None


# --- check -------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.platform:
        settings = replace(settings, network=args.platform)
    policy = load_policy(args.policy or policy_path(settings))
    judges = _judges(args)
    if args.processes is not None and args.processes < 1:
        raise InputError("--processes must be at least 1")
    if args.batch:
        return _check_batch(args.batch, policy, settings, judges, args.processes)
    draft = Draft(
        text=_draft_text(args),
        account=args.account,
        media=tuple(MediaDeclaration.parse(m) for m in args.media),
        context=args.context,
    )
    verdict = check(draft, policy, settings, **judges)
    if args.json:
        print(json.dumps(verdict.to_json(), ensure_ascii=False))
    else:
        print(render_verdict(draft, verdict))
    return EXIT_OK if verdict.passed else EXIT_FINDINGS


def _draft_text(args: argparse.Namespace) -> str:
    """The draft from --file, standard input (`-`) or the argument. Files and standard input
    are read as bytes and decoded strictly as UTF-8, whatever the locale, so stray bytes
    are an error and not a draft quietly checked with holes in it."""
    if args.file:
        try:
            raw = args.file.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {args.file}: {exc}") from None
        return decode_utf8(raw, str(args.file))
    if args.text == "-":
        return decode_utf8(sys.stdin.buffer.read(), "standard input")
    if args.text is None:
        raise InputError("give the draft as an argument, - for standard input, or --file PATH")
    try:
        args.text.encode("utf-8")
    except UnicodeEncodeError:  # bytes the locale could not decode, kept as surrogates
        return decode_utf8(os.fsencode(args.text), "the draft argument")
    return args.text


def decode_utf8(raw: bytes, where: str) -> str:
    """`raw` as text, newlines read as `\\n`; InputError naming `where` and the bad byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start:exc.start + 1].hex()
        raise InputError(f"cannot read {where}: it is not UTF-8 text (byte 0x{bad} at "
                         f"offset {exc.start}); save it as UTF-8 and try again") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _judges(args: argparse.Namespace) -> dict[str, bool]:
    return {"use_llm": not (args.no_llm or args.rules_only), "use_model": not args.rules_only}


#: Lines checked together: the learned layer embeds a chunk in one call.
BATCH_CHUNK = 64
#: A rules-only batch this long is worth a second process (starting one costs ~0.1 s).
POOL_FROM = 2_000

Chunk = list[tuple[int, dict | str]]


def _check_batch(
    path: Path, policy: Policy, settings: Settings, judges: dict[str, bool],
    processes: int | None = None,
) -> int:
    """One JSON object out per line in, in order; a bad line gets an `error` object and the
    rest go on. Lines are checked in chunks so the learned layer can batch its embeddings;
    a long rules-only batch is checked by two processes, chunk by chunk, printed in order.
    The exit code is the worst line's: 2 for a line that could not be checked, else 1 for
    one with an `error` finding."""
    worst = EXIT_OK
    for lines, code in _checked(_chunks(_read_jsonl(path)), policy, settings, judges,
                                processes):
        for line in lines:
            print(line)
        worst = max(worst, code)
    return worst


def _chunks(entries: Iterator[tuple[int, dict | str]]) -> Iterator[Chunk]:
    chunk: Chunk = []
    for entry in entries:
        chunk.append(entry)
        if len(chunk) == BATCH_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _checked(
    chunks: Iterator[Chunk], policy: Policy, settings: Settings, judges: dict[str, bool],
    processes: int | None,
) -> Iterator[tuple[list[str], int]]:
    """Each chunk's output lines and exit code, in order: here, or shared with forked
    processes (the policy and the lines inherited, not sent) when the batch is long and
    rules-only."""
    rules_only = not judges["use_model"] and not judges["use_llm"]
    ahead: list[Chunk] = []
    long = False
    if rules_only:
        for chunk in chunks:  # read far enough to know whether the batch is long
            ahead.append(chunk)
            if len(ahead) * BATCH_CHUNK >= POOL_FROM:
                long = True
                break
    if processes is None and long and _free_cores() >= 2:
        processes = 2
    # One Hyperscan pass per draft says which patterns may match, read from the policy cache.
    # Compiling it takes longer than a few thousand drafts take without it, so when a long
    # batch finds none, one is compiled in the background for the next batch, and this one
    # is checked with the literal gates (the same findings).
    from chatbot.policy.engine import use_prefilter

    if not use_prefilter(policy, compile_if_missing=False) and long:
        _compile_prefilter_in_background(policy)
    everything = itertools.chain(ahead, chunks)
    if (processes or 1) < 2 or not rules_only or not hasattr(os, "fork"):
        for chunk in everything:
            yield _check_chunk(chunk, policy, settings, judges)
        return
    yield from _forked(list(everything), processes or 2, policy, settings, judges)


def _compile_prefilter_in_background(policy: Policy) -> None:
    """Compile the policy's prefilter into the cache in a forked process at low priority,
    not waited for and with its standard streams on /dev/null: it writes the database
    atomically and leaves (`os._exit`: it neither flushes this process's buffered output nor
    runs its exit handlers)."""
    if not hasattr(os, "fork"):
        return
    try:
        pid = os.fork()
    except OSError:
        return
    if pid:
        return
    status = 0
    try:
        # Off this process's output: a pipe reading it (`… | jq`) ends when this one does.
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.nice(10)
        from chatbot.policy.engine import use_prefilter

        use_prefilter(policy, compile_if_missing=True)
    except BaseException:
        status = 1
    os._exit(status)


#: A forked process's answer for one chunk: the length of its lines (UTF-8, one per line)
#: and its exit code, then the lines.
_HEADER = struct.Struct("<IB")


def _forked(
    chunks: list[Chunk], processes: int, policy: Policy, settings: Settings,
    judges: dict[str, bool],
) -> Iterator[tuple[list[str], int]]:
    """Chunk k is checked by process k mod N: this one (which prints) and N-1 forked ones,
    each writing its chunks' lines to a pipe that this process reads in turn. Nothing is
    pickled: the children inherit the policy and the lines, and send back only output."""
    sys.stdout.flush()
    children: list[tuple[BinaryIO, int]] = []
    try:
        for rank in range(1, processes):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: check every N-th chunk, send its lines, and leave
                os.close(read_end)
                for handle, _ in children:
                    handle.close()
                status = 0
                try:
                    with os.fdopen(write_end, "wb") as out:
                        for k in range(rank, len(chunks), processes):
                            lines, code = _check_chunk(chunks[k], policy, settings, judges)
                            body = "\n".join(lines).encode("utf-8")
                            out.write(_HEADER.pack(len(body), code) + body)
                except BaseException:  # the parent reports a child that stops early
                    status = 1
                os._exit(status)
            os.close(write_end)
            children.append((os.fdopen(read_end, "rb"), pid))
        for k, chunk in enumerate(chunks):
            rank = k % processes
            if rank == 0:
                yield _check_chunk(chunk, policy, settings, judges)
                continue
            handle = children[rank - 1][0]
            header = handle.read(_HEADER.size)
            if len(header) < _HEADER.size:
                raise InputError(f"a checking process stopped before line {chunk[0][0]}")
            size, code = _HEADER.unpack(header)
            yield handle.read(size).decode("utf-8").split("\n"), code
    finally:
        for handle, pid in children:
            handle.close()  # a child still writing (the reader left) stops on a broken pipe
            os.waitpid(pid, 0)


def _free_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _check_chunk(
    chunk: Chunk, policy: Policy, settings: Settings, judges: dict[str, bool]
) -> tuple[list[str], int]:
    worst = EXIT_OK
    outputs: list[dict] = []
    valid: list[tuple[int, Draft]] = []
    for number, item in chunk:
        if isinstance(item, str):
            outputs.append({"line": number, "error": item})
            continue
        try:
            draft = _draft_from_json(item)
            validate(draft)
        except (DraftError, InputError) as exc:
            outputs.append({"id": item.get("id"), "line": number, "error": str(exc)})
            continue
        valid.append((len(outputs), draft))
        outputs.append({"id": item.get("id")})
    verdicts = check_many([d for _, d in valid], policy, settings, **judges)
    for (slot, _), verdict in zip(valid, verdicts, strict=True):
        outputs[slot].update(verdict.to_json())
        if not verdict.passed and worst == EXIT_OK:
            worst = EXIT_FINDINGS
    if any("error" in output for output in outputs):
        worst = EXIT_USAGE
    return [json.dumps(output, ensure_ascii=False) for output in outputs], worst


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict | str]]:
    """Yield (line number, object) or (line number, error message) for each non-blank line."""
    try:
        handle: BinaryIO = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield number, (f"{path}:{number}: not UTF-8 text (byte "
                               f"0x{raw[exc.start:exc.start + 1].hex()} at offset {exc.start})")
                continue
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, f"{path}:{number}: not valid JSON ({exc.msg})"
                continue
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                yield number, f'{path}:{number}: expected an object with a "text" string'
                continue
            yield number, item


def _draft_from_json(item: dict) -> Draft:
    """Only `account`, `text` and `media` decide; labels and `why` are never read."""
    account = item.get("account", "official")
    if account not in ACCOUNTS:
        raise InputError(f"account {account!r} is not one of {', '.join(ACCOUNTS)}")
    return Draft(text=item["text"], account=account, media=_media_from_json(item.get("media")))


def _media_from_json(media: object) -> tuple[MediaDeclaration, ...]:
    """`[{"source": …, "license": …}, …]`, or absent; anything else is the line's error, as
    a draft checked without the media it declares could pass when it should not."""
    expected = 'media must be a list of {"source": "…", "license": "…"} objects'
    if media is None:
        return ()
    if not isinstance(media, list):
        raise InputError(f"{expected}, not {_json_kind(media)} {_shown(media)}")
    declared = []
    for index, m in enumerate(media, start=1):
        if not isinstance(m, dict):
            raise InputError(f"{expected}; item {index} is {_json_kind(m)} {_shown(m)}")
        for key in ("source", "license"):
            if not isinstance(m.get(key, ""), str):
                raise InputError(f'media item {index}: "{key}" must be a string, not '
                                 f"{_json_kind(m[key])} {_shown(m[key])}")
        unknown = sorted(set(m) - {"source", "license"})
        if unknown:
            raise InputError(f"media item {index}: unknown field(s) {', '.join(unknown)} "
                             '(only "source" and "license" are read)')
        declared.append(MediaDeclaration(source=m.get("source", ""), license=m.get("license", "")))
    return tuple(declared)


def _json_kind(value: object) -> str:
    kinds = {str: "a string", bool: "true/false", int: "a number", float: "a number",
             dict: "an object", list: "a list", type(None): "null"}
    return kinds.get(type(value), type(value).__name__)


def _shown(value: object) -> str:
    shown = json.dumps(value, ensure_ascii=False)
    return f"({shown})" if len(shown) <= 60 else f"({shown[:57]}…)"


# --- eval --------------------------------------------------------------------------------


def cmd_eval(args: argparse.Namespace) -> int:
    from chatbot.scoring import Score, render_score

    # The labels are the policy's; a network's length limit is no label of theirs.
    settings = replace(load_settings(), network="")
    policy = load_policy(args.policy or policy_path(settings))
    score = Score()
    items: list[tuple[str, set[str], Draft]] = []
    for number, item in _read_jsonl(args.file):
        if isinstance(item, str):
            raise InputError(item)
        labels = item.get("labels")
        if not isinstance(labels, list):
            raise InputError(f'{args.file}:{number}: a labelled draft needs a "labels" list')
        try:
            draft = _draft_from_json(item)
        except InputError as exc:
            raise InputError(f"{args.file}:{number}: {exc}") from None
        items.append((str(item.get("id", number)), set(labels), draft))
    judges = _judges(args)
    for start in range(0, len(items), BATCH_CHUNK):
        part = items[start : start + BATCH_CHUNK]
        verdicts: list[Verdict] = check_many([d for _, _, d in part], policy, settings, **judges)
        for (draft_id, labels, _), verdict in zip(part, verdicts, strict=True):
            score.add(draft_id, labels, verdict)
    if args.json:
        print(json.dumps(score.to_json(), ensure_ascii=False, indent=2))
    else:
        print(render_score(score))
    return EXIT_OK
