"""``ssejet parse``: decodes a captured SSE body (a file, or standard input) in 64 KiB blocks and
prints the accumulated message, each event or chunk as a JSON line, or decoding statistics."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, Callable

import orjson

from .. import Accumulator, ChunkDecodeError, ChunkDecoder, SSEDecoder, SSEError, StreamAPIError
from .. import backend as default_backend
from .output import CLIError, Printer, note, standard_input, use_color

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


def _decode(source: str, decoder: Any, emit: Callable[[list], None]) -> SSEError | None:
    """Feeds the input to the decoder; returns the error that stopped it, if any."""
    for block in _blocks(source):
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
        code = f" (code {error.code})" if error.code is not None else ""
        return f"the stream reported an error: {error.message}{code}"
    if isinstance(error, ChunkDecodeError):
        return f"bad chunk: {error} (data: {error.data[:80]!r})"
    return str(error)


def run_parse(args: argparse.Namespace) -> int:
    if args.stats:
        return _parse_stats(args.file)
    if not (args.events or args.chunks):
        return _parse_message(args.file)
    out = sys.stdout.buffer
    dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE

    def emit_events(events: list) -> None:
        for e in events:
            record = {"event": e.event, "data": e.data, "id": e.id, "retry": e.retry}
            out.write(dumps(record, option=newline))

    printed = 0

    def emit_chunks(chunks: list) -> None:
        nonlocal printed
        for chunk in chunks:
            printed += 1
            try:
                line = dumps(chunk.to_dict(), option=newline)
            except orjson.JSONEncodeError as error:  # nested deeper than orjson prints (254)
                name = f"chunk {printed}" + (f" (id {chunk.id})" if chunk.id else "")
                raise CLIError(f"cannot print {name} as JSON: {error}") from None
            out.write(line)

    if args.events:
        error = _decode(args.file, SSEDecoder(), emit_events)
    else:
        error = _decode(args.file, ChunkDecoder(), emit_chunks)
    out.flush()
    if error is not None:
        raise CLIError(_describe(error))
    return 0


def _parse_message(source: str) -> int:
    accumulator = Accumulator()
    printer = Printer(sys.stdout, use_color(sys.stdout))
    count = 0

    def emit(chunks: list) -> None:
        nonlocal count
        count += len(chunks)
        for chunk in chunks:
            accumulator.add(chunk)
            printer.chunk(chunk)

    decoder = ChunkDecoder()
    error = _decode(source, decoder, emit)
    printer.finish()
    result = accumulator.result()
    for choice in result.choices:
        for call in choice.message.tool_calls or ():
            print(f"tool call {call.function.name}({call.function.arguments}) id={call.id}")
    if error is not None:
        raise CLIError(_describe(error))
    if not count:
        raise CLIError(
            f"no chat-completion chunks in {'standard input' if source == '-' else source}"
        )
    parts = [f"{count} chunks"]
    finish = [c.finish_reason for c in result.choices if c.finish_reason]
    if finish:
        parts.append(f"finish_reason {', '.join(finish)}")
    if result.usage is not None:
        u = result.usage
        parts.append(f"usage {u.prompt_tokens} prompt + {u.completion_tokens} completion tokens")
    if not decoder.done:
        parts.append("no [DONE]")
    note(" · ".join(parts))
    return 0


def _parse_stats(source: str) -> int:
    events, chunks = SSEDecoder(), ChunkDecoder()
    n_bytes = n_events = n_chunks = 0
    t_events = t_chunks = 0.0
    chunk_error: SSEError | None = None
    for block in _blocks(source):
        n_bytes += len(block)
        start = time.perf_counter()
        try:
            n_events += len(events.feed(block))
        except SSEError as error:
            n_events += len(getattr(error, "events", ()))
        middle = time.perf_counter()
        if chunk_error is None and not chunks.done:
            try:
                n_chunks += len(chunks.feed(block))
            except SSEError as error:
                n_chunks += len(getattr(error, "chunks", ()))
                chunk_error = error
        t_events += middle - start
        t_chunks += time.perf_counter() - middle
    n_events += len(events.close())
    if chunk_error is None and not chunks.done:
        n_chunks += len(chunks.close())

    def rate(seconds: float, count: int, unit: str) -> str:
        if seconds <= 0:
            return "-"
        per = f", {seconds / count * 1e6:.2f} µs/{unit}" if count else ""
        return f"{seconds * 1e3:.3f} ms ({n_bytes / seconds / 1e6:.1f} MB/s{per})"

    rows = [
        ("input", "standard input" if source == "-" else source),
        ("backend", default_backend),
        ("bytes", str(n_bytes)),
        ("events", str(n_events)),
        ("chunks", str(n_chunks)),
        ("done", "yes" if chunks.done else "no"),
        ("error", _describe(chunk_error) if chunk_error is not None else "none"),
        ("SSEDecoder", rate(t_events, n_events, "event")),
        ("ChunkDecoder", rate(t_chunks, n_chunks, "chunk")),
    ]
    for name, value in rows:
        print(f"{name:<13}{value}")
    return 0


def register(commands: Any) -> None:
    """Adds ``ssejet parse`` to the command's subparsers."""
    parse = commands.add_parser(
        "parse",
        help="decode a captured SSE body",
        description="Decodes a captured SSE body (a file, or '-' for standard input), reading it "
        "in 64 KiB blocks. Prints the accumulated message by default.",
    )
    parse.add_argument("file", nargs="?", default="-", metavar="FILE",
                       help="the SSE body ('-' or absent: standard input)")  # fmt: skip
    mode = parse.add_mutually_exclusive_group()
    mode.add_argument("--events", action="store_true",
                      help="print each Server-Sent Event as a JSON line")  # fmt: skip
    mode.add_argument("--chunks", action="store_true",
                      help="print each chat-completion chunk as a JSON line")  # fmt: skip
    mode.add_argument("--stats", action="store_true",
                      help="print counts and throughput of both decoding layers")  # fmt: skip
    parse.set_defaults(run=run_parse)
