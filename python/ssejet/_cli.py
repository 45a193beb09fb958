"""The ``ssejet`` command: ``ssejet chat`` streams a chat completion, ``ssejet parse`` decodes a
captured SSE body. Also ``python -m ssejet``.

Errors print one line on stderr (``ssejet: ...``) and exit 1 (2 for usage errors, as argparse
does); Ctrl-C exits with 130, without a traceback. Reasoning is printed apart from the answer:
dimmed on a terminal, else between ``<think>`` and ``</think>`` lines. Set ``NO_COLOR`` to turn
colour off, ``FORCE_COLOR`` to turn it on when stdout is not a terminal.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import IO, Any, Callable
from urllib.parse import urlsplit

import orjson

from . import _backend
from ._accumulate import Accumulator
from ._decoders import ChunkDecoder, SSEDecoder
from ._errors import APIStatusError, ChunkDecodeError, SSEError, StreamAPIError

DIM, RESET = "\x1b[2m", "\x1b[0m"
DEFAULT_PROMPT = "Hello! What are you, and how does this reply reach me?"
READ_SIZE = 64 * 1024
# The API key's variable, guessed from the endpoint's host when --api-key-env is not given.
KEY_VARIABLES = (
    ("volces.com", "ARK_API_KEY"),
    ("volcengine", "ARK_API_KEY"),
    ("siliconflow", "SILICONFLOW_API_KEY"),
    ("deepseek.com", "DEEPSEEK_API_KEY"),
)


class CLIError(Exception):
    """A failure to report as one line on stderr; ``code`` is the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def use_color(stream: IO[str]) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty() and os.environ.get("TERM") != "dumb"


class Printer:
    """Writes reasoning and answer text as it streams, the reasoning set apart."""

    def __init__(self, out: IO[str], color: bool) -> None:
        self.out = out
        self.color = color
        self.state = ""  # "", "reasoning" or "content"
        self.last = "\n"  # the last character written

    def _write(self, text: str) -> None:
        if text:
            self.out.write(text)
            self.last = text[-1]

    def _newline(self) -> None:
        if self.last != "\n":
            self._write("\n")

    def reasoning(self, text: str) -> None:
        if self.state != "reasoning":
            if self.state == "content":
                self._newline()
            self._write(DIM if self.color else "<think>\n")
            self.state = "reasoning"
        self._write(text)

    def content(self, text: str) -> None:
        if self.state == "reasoning":
            self._end_reasoning()
        self.state = "content"
        self._write(text)

    def _end_reasoning(self) -> None:
        if self.color:
            self.out.write(RESET)
            self._newline()
        else:
            self._newline()
            self._write("</think>\n")
        self._write("\n")

    def chunk(self, chunk: Any) -> bool:
        """Prints a chunk's text; True when it had some."""
        shown = False
        for choice in chunk.choices:
            delta = choice.delta
            if delta.reasoning_content:
                self.reasoning(delta.reasoning_content)
                shown = True
            if delta.content:
                self.content(delta.content)
                shown = True
        if shown:
            self.out.flush()
        return shown

    def finish(self) -> None:
        if self.state == "reasoning":
            self._end_reasoning()
        self._newline()
        self.state = ""
        self.out.flush()


def note(text: str) -> None:
    """A line of metadata on stderr (dimmed on a terminal)."""
    sys.stderr.write(f"{DIM}{text}{RESET}\n" if use_color(sys.stderr) else f"{text}\n")
    sys.stderr.flush()


class TimedDecoder:
    """A ChunkDecoder that adds up the time spent in ``feed``."""

    def __init__(self) -> None:
        self._decoder = ChunkDecoder()
        self.backend = self._decoder.backend
        self.close = self._decoder.close
        self.seconds = 0.0

    def feed(self, data: bytes) -> list:
        start = time.perf_counter()
        try:
            return self._decoder.feed(data)
        finally:
            self.seconds += time.perf_counter() - start

    @property
    def done(self) -> bool:
        return self._decoder.done


# --- ssejet chat -------------------------------------------------------------------------------


def _key_variable(url: str, chosen: str | None) -> str:
    if chosen:
        return chosen
    host = urlsplit(url).hostname or ""
    return next((var for part, var in KEY_VARIABLES if part in host), "OPENAI_API_KEY")


def _is_local(url: str) -> bool:
    return (urlsplit(url).hostname or "") in ("127.0.0.1", "localhost", "::1", "0.0.0.0")


def _endpoint(base_url: str) -> str:
    base = base_url.rstrip("/")
    return base if base.endswith("/chat/completions") else base + "/chat/completions"


def _status_message(error: APIStatusError, url: str) -> str:
    body = error.body
    detail = None
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            detail = inner.get("message") or inner.get("msg")
        elif isinstance(inner, str):
            detail = inner
    if not detail:
        detail = str(body).strip() or "(empty body)"
    detail = " ".join(str(detail).split())[:300]
    reason = error.response.reason_phrase if error.response is not None else ""
    status = f"{error.status_code} {reason}".rstrip()
    return f"HTTP {status} from {url}: {detail}"


def _target(args: argparse.Namespace) -> tuple[str, str, dict[str, str], Any]:
    """The endpoint, model and headers to use, and the embedded server when there is one."""
    if not args.base_url:
        from ._server import DEMO_MODEL, Server

        server = Server()
        note(f"ssejet chat: embedded demo server at {server.url} (give --base-url for a real one)")
        return server.url + "/v1/chat/completions", args.model or DEMO_MODEL, {}, server
    if urlsplit(args.base_url).scheme not in ("http", "https"):
        raise CLIError(f"--base-url must be an http:// or https:// URL, not {args.base_url!r}", 2)
    if not args.model:
        raise CLIError("--model is required with --base-url (the model or endpoint ID)", 2)
    url = _endpoint(args.base_url)
    variable = _key_variable(url, args.api_key_env)
    key = os.environ.get(variable, "").strip()
    if key:
        return url, args.model, {"Authorization": f"Bearer {key}"}, None
    if args.api_key_env or not _is_local(url):  # a local vLLM or llama.cpp needs no key
        hint = "" if args.api_key_env else " (or name another one with --api-key-env)"
        raise CLIError(f"no API key: set the environment variable {variable}{hint}", 2)
    return url, args.model, {}, None


def run_chat(args: argparse.Namespace) -> int:
    try:
        import httpx

        from . import _httpx
    except ImportError as error:
        raise CLIError(f'ssejet chat needs httpx: pip install "ssejet[httpx]" ({error})') from None

    prompt = sys.stdin.read().strip() if args.prompt == "-" else args.prompt
    messages = [{"role": "system", "content": args.system}] if args.system else []
    messages.append({"role": "user", "content": prompt or DEFAULT_PROMPT})
    url, model, headers, server = _target(args)
    headers.update({"Accept": "text/event-stream", "Cache-Control": "no-store"})
    payload = {
        "model": model,
        "messages": messages,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    printer = Printer(sys.stdout, use_color(sys.stdout))
    decoder = TimedDecoder()
    progress = Progress()
    try:
        with httpx.Client(timeout=httpx.Timeout(10.0, read=args.timeout)) as client:
            progress.start = time.perf_counter()
            with client.stream("POST", url, json=payload, headers=headers) as response:
                for chunk in _httpx._decoded(response, decoder, True):
                    progress.add(chunk, printer.chunk(chunk))
    except APIStatusError as error:
        raise CLIError(_status_message(error, url)) from None
    except StreamAPIError as error:
        printer.finish()
        code = f" (code {error.code})" if error.code is not None else ""
        raise CLIError(f"the server reported an error mid-stream: {error.message}{code}") from None
    except SSEError as error:  # not an event stream, a bad chunk, an oversize event
        printer.finish()
        raise CLIError(f"bad stream from {url}: {error}") from None
    except httpx.ConnectError as error:
        raise CLIError(f"cannot connect to {url}: {error}") from None
    except httpx.TimeoutException as error:
        printer.finish()
        raise CLIError(f"timed out waiting for {url} ({type(error).__name__})") from None
    except httpx.HTTPError as error:
        printer.finish()
        raise CLIError(f"connection to {url} broke: {error or type(error).__name__}") from None
    finally:
        if server is not None:
            server.close()
    printer.finish()
    note(progress.summary(decoder))
    return 0


class Progress:
    """What the summary line reports: chunks, time to first token, tokens per second."""

    def __init__(self) -> None:
        self.accumulator = Accumulator()
        self.chunks = 0
        self.start = self.last = 0.0
        self.first: float | None = None

    def add(self, chunk: Any, shown: bool) -> None:
        self.chunks += 1
        self.accumulator.add(chunk)
        if shown:
            self.last = time.perf_counter()
            if self.first is None:
                self.first = self.last

    def summary(self, decoder: TimedDecoder) -> str:
        parts = [f"{self.chunks} chunks"]
        if self.first is not None:
            parts.append(f"first token {(self.first - self.start) * 1000:.0f} ms")
            usage = self.accumulator.result().usage
            tokens = usage.completion_tokens if usage is not None else None
            if tokens and self.last > self.first:
                parts.append(f"{tokens / (self.last - self.first):.1f} tokens/s")
        if self.chunks:
            per_chunk = decoder.seconds / self.chunks * 1e6
            parts.append(f"ssejet {per_chunk:.1f} µs/chunk ({decoder.backend})")
        return " · ".join(parts)


# --- ssejet parse ------------------------------------------------------------------------------


def _blocks(source: str) -> Any:
    """The input's bytes in blocks of READ_SIZE: large files are never loaded whole."""
    if source == "-":
        stream = sys.stdin.buffer
        while True:
            block = stream.read1(READ_SIZE) if hasattr(stream, "read1") else stream.read(READ_SIZE)
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

    def emit_chunks(chunks: list) -> None:
        for chunk in chunks:
            out.write(dumps(chunk.to_dict(), option=newline))

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
        ("backend", _backend.default),
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


# --- the command line --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ssejet",
        description="Server-Sent Events for LLM streams, parsed into typed objects, fast.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    chat = commands.add_parser(
        "chat",
        help="stream a chat completion from an OpenAI-compatible endpoint",
        description="Streams a chat completion and prints it as it arrives, the reasoning "
        "apart, then a summary line (chunks, time to first token, tokens/s, ssejet's parse "
        "time per chunk). Without --base-url, an embedded local server streams a demo reply.",
        epilog="examples:\n"
        "  ssejet chat\n"
        "  ssejet chat 'Hello' --base-url https://ark.cn-beijing.volces.com/api/v3 "
        "--model doubao-1-5-pro-32k-250115\n"
        "  ssejet chat 'Hello' --base-url https://api.siliconflow.cn/v1 "
        "--model deepseek-ai/DeepSeek-R1\n"
        "  ssejet chat 'Hello' --base-url http://localhost:8000/v1 --model my-vllm-model",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    chat.add_argument("prompt", nargs="?", metavar="PROMPT",
                      help="the user message ('-' reads it from standard input)")  # fmt: skip
    chat.add_argument("--base-url", metavar="URL",
                      help="the API base URL, e.g. https://api.deepseek.com (default: embedded "
                      "demo server)")  # fmt: skip
    chat.add_argument("--model", metavar="M", help="model (or Ark endpoint) ID")
    chat.add_argument("--api-key-env", metavar="VAR",
                      help="environment variable holding the API key (default: guessed from the "
                      "host: ARK_API_KEY, SILICONFLOW_API_KEY, DEEPSEEK_API_KEY, else "
                      "OPENAI_API_KEY; none needed on localhost)")  # fmt: skip
    chat.add_argument("--system", metavar="S", help="a system message")
    chat.add_argument("--timeout", metavar="SECONDS", type=float, default=120.0,
                      help="the longest wait for more bytes (default: %(default)s)")  # fmt: skip
    chat.set_defaults(run=run_chat)

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
    # Listed for `ssejet --help` only: main() hands `ssejet bench ...` to ssejet._bench first.
    commands.add_parser(
        "bench",
        add_help=False,
        help="compare ssejet with the SSE/JSON parsers apps use today (ssejet bench --help)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """The ``ssejet`` console script; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:  # its own parser; the peers are imported only when it runs
        from ._bench import main as bench

        return bench(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except CLIError as error:
        sys.stdout.flush()
        print(f"ssejet: {error}", file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        if use_color(sys.stdout):
            sys.stdout.write(RESET)
        sys.stdout.write("\n")
        sys.stdout.flush()
        return 130
    except BrokenPipeError:
        # The reader went away (`ssejet parse --events big.sse | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
