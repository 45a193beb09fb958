"""``ssejet parse``: decodes a captured SSE body (a file, or standard input) in 64 KiB blocks and
prints the accumulated message, each event or chunk as a JSON line, or decoding statistics."""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from typing import Any, Callable

import orjson

from .. import ChunkDecodeError, SSEDecoder, SSEError, StreamAPIError
from .. import backend as default_backend
from .detect import CHAT, DIALECTS, NAMES, sniff
from .output import CLIError, Printer, error_code, note, standard_input, use_color, wrap
from .views import DECODERS, View, view

READ_SIZE = 64 * 1024


def _blocks(source: str) -> Any:
    """The input's bytes in blocks of READ_SIZE: large files are never loaded whole."""
    if source == "-":
        stream = standard_input().buffer
        while True:
            try:
                block = (
                    stream.read1(READ_SIZE) if hasattr(stream, "read1") else stream.read(READ_SIZE)
                )
            except OSError as error:
                raise CLIError(f"cannot read standard input: {error.strerror or error}") from None
            if not block:
                return
            yield block
    try:
        file = open(source, "rb")  # noqa: SIM115 - closed below, after the last block
    except OSError as error:
        raise CLIError(f"cannot read {source}: {error.strerror or error}") from None
    with file:
        while True:
            try:
                block = file.read(READ_SIZE)
            except OSError as error:
                raise CLIError(f"cannot read {source}: {error.strerror or error}") from None
            if not block:
                return
            yield block


def _decode(blocks: Any, decoder: Any, emit: Callable[[list], None]) -> SSEError | None:
    """Feeds the input to the decoder; returns the error that stopped it, if any."""
    for block in blocks:
        try:
            emit(decoder.feed(block))
        except SSEError as error:
            emit(getattr(error, "chunks", None) or getattr(error, "events", None) or [])
            return error
        if getattr(decoder, "done", False):
            return None
    emit(decoder.close())
    return None


def _describe(error: SSEError) -> str:
    if isinstance(error, StreamAPIError):
        return f"the stream reported an error: {error.message}{error_code(error)}"
    if isinstance(error, ChunkDecodeError):
        return f"bad chunk: {error} (data: {error.data[:80]!r})"
    return str(error)


def _name(source: str) -> str:
    return "standard input" if source == "-" else source


class Input:
    """The input's blocks and its dialect: the one ``--dialect`` names, else the one its first
    event shows (the blocks read to see it are fed again, from memory: standard input is read
    once)."""

    def __init__(self, source: str, forced: str | None) -> None:
        blocks = _blocks(source)
        self.detected, seen = sniff(blocks)
        self.dialect = forced or self.detected
        self.forced = forced is not None
        self.blocks = itertools.chain(seen, blocks)

    def label(self) -> str:
        return f"{self.dialect} ({'--dialect' if self.forced else 'detected'})"


def run_parse(args: argparse.Namespace) -> int:
    source = Input(args.file, args.dialect)
    if args.stats:
        return _parse_stats(args.file, source)
    if not (args.events or args.chunks):
        return _parse_message(args.file, source)
    out = sys.stdout.buffer
    dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE

    def emit_events(events: list) -> None:
        for e in events:
            record = {"event": e.event, "data": e.data, "id": e.id, "retry": e.retry}
            out.write(dumps(record, option=newline))

    printed = 0
    chat = source.dialect == CHAT

    def emit_chunks(items: list) -> None:
        nonlocal printed
        for item in items:
            printed += 1
            try:
                line = dumps(item.to_dict(), option=newline)
            except orjson.JSONEncodeError as error:  # nested deeper than orjson prints (254)
                if chat:
                    name = f"chunk {printed}" + (f" (id {item.id})" if item.id else "")
                else:
                    name = f"event {printed} ({item.type})"
                raise CLIError(f"cannot print {name} as JSON: {error}") from None
            out.write(line)

    if args.events:
        error = _decode(source.blocks, SSEDecoder(), emit_events)
    else:
        decoder = DECODERS[source.dialect]()
        error = _decode(source.blocks, decoder, emit_chunks)
    out.flush()
    if error is not None:
        raise CLIError(_describe(error))
    return 0


def _parse_message(file: str, source: Input) -> int:
    shown = view(source.dialect, Printer(sys.stdout, use_color(sys.stdout)))
    decoder = shown.decoder()

    def emit(items: list) -> None:
        for item in items:
            shown.add(item)

    error = _decode(source.blocks, decoder, emit)
    shown.finish()
    if error is not None:
        raise CLIError(_describe(error))
    failure = shown.failure()
    if failure is not None:
        raise CLIError(failure)
    if not shown.recognised:
        raise CLIError(_nothing(file, source, shown))
    note(" · ".join(shown.note(decoder.done)))
    return 0


def _nothing(file: str, source: Input, shown: View) -> str:
    """Why a stream printed nothing: it holds none of its dialect's objects."""
    message = f"no {NAMES[source.dialect]} in {_name(file)}"
    if source.forced and source.detected != source.dialect:
        return f"{message} (it holds {NAMES[source.detected]}: drop --dialect)"
    if shown.count:
        kind = f", the first of type {shown.first_type!r}" if shown.first_type else ""
        message += f" ({shown.count} JSON payloads of another kind{kind}; --events prints them)"
    return message


def _parse_stats(file: str, source: Input) -> int:
    events = SSEDecoder()
    decoder = DECODERS[source.dialect]()
    n_bytes = n_events = n_items = 0
    t_events = t_items = 0.0
    item_error: SSEError | None = None
    for block in source.blocks:
        n_bytes += len(block)
        start = time.perf_counter()
        try:
            n_events += len(events.feed(block))
        except SSEError as error:
            n_events += len(getattr(error, "events", ()))
        middle = time.perf_counter()
        if item_error is None and not decoder.done:
            try:
                n_items += len(decoder.feed(block))
            except SSEError as error:
                n_items += len(getattr(error, "chunks", None) or getattr(error, "events", ()))
                item_error = error
        t_events += middle - start
        t_items += time.perf_counter() - middle
    n_events += len(events.close())
    if item_error is None and not decoder.done:
        n_items += len(decoder.close())

    def rate(seconds: float, count: int, unit: str) -> str:
        if seconds <= 0:
            return "-"
        per = f", {seconds / count * 1e6:.2f} µs/{unit}" if count else ""
        return f"{seconds * 1e3:.3f} ms ({n_bytes / seconds / 1e6:.1f} MB/s{per})"

    chat = source.dialect == CHAT
    rows = [
        ("input", _name(file)),
        ("backend", default_backend),
        ("dialect", source.label()),
        ("bytes", str(n_bytes)),
        ("events", str(n_events)),
        ("chunks" if chat else "decoded", str(n_items)),
        ("done", "yes" if decoder.done else "no"),
        ("error", _describe(item_error) if item_error is not None else "none"),
        ("SSEDecoder", rate(t_events, n_events, "event")),
        (
            "ChunkDecoder" if chat else "EventDecoder",
            rate(t_items, n_items, "chunk" if chat else "event"),
        ),
    ]
    for name, value in rows:
        print(f"{name:<13}{value}")
    return 0


def register(commands: Any) -> None:
    """Adds ``ssejet parse`` to the command's subparsers."""
    parse = commands.add_parser(
        "parse",
        help="decode a captured SSE body (chat chunks, Anthropic Messages, OpenAI Responses)",
        description=wrap(
            "Decodes a captured SSE body (a file, or '-' for standard input), reading it in "
            "64 KiB blocks. Prints the accumulated message by default: the answer, the "
            "reasoning apart, each tool call on its own line, then a note (on stderr) with the "
            "count of chunks or events, how the reply ended and the token usage. The dialect "
            "is detected from its first events: Anthropic's message_start/content_block_* "
            "events, OpenAI Responses' response.* events, else chat-completion chunks."
        ),
        epilog="examples:\n"
        "  ssejet parse capture.sse\n"
        "  curl -sN ... | ssejet parse -\n"
        "  ssejet parse --chunks --dialect anthropic capture.sse | jq .type",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parse.add_argument("file", nargs="?", default="-", metavar="FILE",
                       help="the SSE body ('-' or absent: standard input)")  # fmt: skip
    mode = parse.add_mutually_exclusive_group()
    mode.add_argument("--events", action="store_true",
                      help="print each Server-Sent Event as a JSON line")  # fmt: skip
    mode.add_argument("--chunks", action="store_true",
                      help="print each chat-completion chunk (or each Anthropic or Responses "
                      "event) as a JSON line")  # fmt: skip
    mode.add_argument("--stats", action="store_true",
                      help="print counts and throughput of both decoding layers")  # fmt: skip
    parse.add_argument("--dialect", choices=DIALECTS,
                       help="decode as this dialect (default: detected from the first "
                       "event)")  # fmt: skip
    parse.set_defaults(run=run_parse)
