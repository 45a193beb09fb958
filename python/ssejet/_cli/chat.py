"""``ssejet chat``: streams a chat completion from an OpenAI-compatible endpoint (or the
embedded demo server) and prints it as it arrives, then a summary line."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from .. import Accumulator, APIStatusError, ChunkDecoder, SSEError, StreamAPIError
from .._transport._read import read
from .._transport.httpx import HttpxBody
from .output import CLIError, Printer, note, standard_input, use_color

DEFAULT_PROMPT = "Hello! What are you, and how does this reply reach me?"
# The API key's variable, guessed from the endpoint's host when --api-key-env is not given.
KEY_VARIABLES = (
    ("volces.com", "ARK_API_KEY"),
    ("volcengine", "ARK_API_KEY"),
    ("siliconflow", "SILICONFLOW_API_KEY"),
    ("deepseek.com", "DEEPSEEK_API_KEY"),
)


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

    @property
    def incomplete(self) -> bool:
        """Bytes of an unfinished event are buffered (the read loop asks at the body's end)."""
        return self._decoder.incomplete


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
        from .demo import DEMO_MODEL, ChatRoute
        from .server import Server

        server = Server(ChatRoute())
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


def _read_prompt() -> str:
    """The prompt from standard input (``ssejet chat -``), as text the request can carry."""
    stdin = standard_input()
    try:
        prompt = stdin.read().strip()
        prompt.encode()  # the bytes the locale could not decode come back as lone surrogates
    except OSError as error:
        raise CLIError(f"cannot read standard input: {error.strerror or error}") from None
    except UnicodeError:
        raise CLIError(
            f"cannot read the prompt from standard input: it is not {stdin.encoding} text"
        ) from None
    return prompt


def run_chat(args: argparse.Namespace) -> int:
    try:
        import httpx
    except ImportError as error:
        raise CLIError(f'ssejet chat needs httpx: pip install "ssejet[httpx]" ({error})') from None

    prompt = _read_prompt() if args.prompt == "-" else args.prompt
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
    stats = ChatStats()
    try:
        with httpx.Client(timeout=httpx.Timeout(10.0, read=args.timeout)) as client:
            stats.start = time.perf_counter()
            with client.stream("POST", url, json=payload, headers=headers) as response:
                for chunk in read(HttpxBody(response), decoder):
                    stats.add(chunk, printer.chunk(chunk))
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
    note(stats.summary(decoder))
    return 0


class ChatStats:
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


def register(commands: Any) -> None:
    """Adds ``ssejet chat`` to the command's subparsers."""
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
