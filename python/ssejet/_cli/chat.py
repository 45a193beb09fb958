"""``ssejet chat``: streams a reply from an LLM API (or the embedded demo server) and prints it
as it arrives, then a summary line. ``--dialect`` picks the API: ``chat`` (OpenAI-compatible
``/chat/completions``, the default), ``anthropic`` (the Anthropic Messages API,
``/v1/messages``) or ``responses`` (the OpenAI Responses API, ``/responses``).

Where it goes: ``--base-url`` when given; else, for ``anthropic`` and ``responses``, the
vendor's API when its key is set (``ANTHROPIC_API_KEY``, ``OPENAI_API_KEY``); else the embedded
demo server, which answers in all three dialects. ``chat`` has no default endpoint (its
providers are many): without ``--base-url`` the demo answers."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from .. import APIStatusError, SSEError, StreamAPIError
from .._transport._read import read
from .._transport.httpx import HttpxBody
from .demo import ANTHROPIC_MODEL, RESPONSES_MODEL
from .detect import ANTHROPIC, CHAT, DIALECTS, RESPONSES
from .output import CLIError, Printer, error_code, note, standard_input, use_color, wrap
from .views import View, view

DEFAULT_PROMPT = "Hello! What are you, and how does this reply reach me?"
# The API key's variable, guessed from the endpoint's host when --api-key-env is not given.
KEY_VARIABLES = (
    ("volces.com", "ARK_API_KEY"),
    ("volcengine", "ARK_API_KEY"),
    ("siliconflow", "SILICONFLOW_API_KEY"),
    ("deepseek.com", "DEEPSEEK_API_KEY"),
)


class TimedDecoder:
    """A decoder (a ChunkDecoder, a dialect's EventDecoder) that adds up the time spent in
    ``feed``."""

    def __init__(self, decoder: Any) -> None:
        self._decoder = decoder
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


def _key_variable(url: str, chosen: str | None, dialect: str = CHAT) -> str:
    if chosen:
        return chosen
    if dialect == ANTHROPIC:
        return "ANTHROPIC_API_KEY"
    host = urlsplit(url).hostname or ""
    return next((var for part, var in KEY_VARIABLES if part in host), "OPENAI_API_KEY")


def _is_local(url: str) -> bool:
    return (urlsplit(url).hostname or "") in ("127.0.0.1", "localhost", "::1", "0.0.0.0")


class Dialect:
    """How ``ssejet chat`` speaks one API: its path, default endpoint, model and key."""

    def __init__(
        self, name: str, path: str, base: str | None, model: str | None, key: str | None
    ) -> None:
        self.name, self.path, self.base, self.model, self.key = name, path, base, model, key

    def endpoint(self, base_url: str) -> str:
        """The request URL for a base URL: ``path`` appended unless it is there already
        (for Anthropic, ``/v1`` too, unless the base ends with it)."""
        base = base_url.rstrip("/")
        if base.endswith(self.path):
            return base
        if self.name == ANTHROPIC and base.endswith("/v1"):
            return base + "/messages"
        return base + self.path

    def headers(self, key: str) -> dict[str, str]:
        if self.name == ANTHROPIC:
            headers = {"anthropic-version": ANTHROPIC_VERSION}
            if key:
                headers["x-api-key"] = key
            return headers
        return {"Authorization": f"Bearer {key}"} if key else {}

    def payload(self, args: argparse.Namespace, model: str, prompt: str) -> dict[str, Any]:
        if self.name == ANTHROPIC:
            body: dict[str, Any] = {
                "model": model,
                "max_tokens": args.max_tokens or ANTHROPIC_MAX_TOKENS,
                "messages": [{"role": "user", "content": prompt}],
                "stream": True,
            }
            if args.system:
                body["system"] = args.system
            return body
        if self.name == RESPONSES:
            body = {"model": model, "input": prompt, "stream": True}
            if args.system:
                body["instructions"] = args.system
            if args.max_tokens:
                body["max_output_tokens"] = args.max_tokens
            return body
        messages = [{"role": "system", "content": args.system}] if args.system else []
        messages.append({"role": "user", "content": prompt})
        body = {
            "model": model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if args.max_tokens:
            body["max_tokens"] = args.max_tokens
        return body


ANTHROPIC_VERSION = "2023-06-01"
ANTHROPIC_MAX_TOKENS = 4096  # the Messages API requires max_tokens; --max-tokens changes it
DIALECT_TABLE = {
    CHAT: Dialect(CHAT, "/chat/completions", None, None, None),
    ANTHROPIC: Dialect(
        ANTHROPIC, "/v1/messages", "https://api.anthropic.com", ANTHROPIC_MODEL,
        "ANTHROPIC_API_KEY",
    ),
    RESPONSES: Dialect(
        RESPONSES, "/responses", "https://api.openai.com/v1", RESPONSES_MODEL, "OPENAI_API_KEY"
    ),
}  # fmt: skip


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
    dialect = DIALECT_TABLE[args.dialect]
    if not args.base_url:
        variable = args.api_key_env or dialect.key
        key = os.environ.get(variable, "").strip() if variable else ""
        if dialect.base is not None and key:
            url = dialect.endpoint(dialect.base)
            model = args.model or dialect.model or ""
            note(f"ssejet chat: {url}, model {model} (the key from {variable})")
            return url, model, dialect.headers(key), None
        if args.api_key_env and dialect.base is not None:
            raise CLIError(f"no API key: set the environment variable {variable}", 2)
        return _demo(args, dialect)
    if urlsplit(args.base_url).scheme not in ("http", "https"):
        raise CLIError(f"--base-url must be an http:// or https:// URL, not {args.base_url!r}", 2)
    model = args.model or dialect.model
    if not model:
        raise CLIError("--model is required with --base-url (the model or endpoint ID)", 2)
    url = dialect.endpoint(args.base_url)
    variable = _key_variable(url, args.api_key_env, dialect.name)
    key = os.environ.get(variable, "").strip()
    if key:
        return url, model, dialect.headers(key), None
    if args.api_key_env or not _is_local(url):  # a local vLLM or llama.cpp needs no key
        hint = "" if args.api_key_env else " (or name another one with --api-key-env)"
        raise CLIError(f"no API key: set the environment variable {variable}{hint}", 2)
    return url, model, dialect.headers(""), None


def _demo(args: argparse.Namespace, dialect: Dialect) -> tuple[str, str, dict[str, str], Any]:
    """The embedded demo server, answering in the dialect."""
    from .demo import DEMO_MODEL, DemoRoute
    from .server import Server

    server = Server(DemoRoute())
    if dialect.key is None:
        hint = "give --base-url for a real one"
    else:
        hint = f"set {dialect.key} or give --base-url for a real one"
    note(f"ssejet chat: embedded demo server at {server.url} ({hint})")
    model = args.model or dialect.model or DEMO_MODEL
    return dialect.endpoint(server.url + "/v1"), model, dialect.headers(""), server


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
    url, model, headers, server = _target(args)
    headers.update({"Accept": "text/event-stream", "Cache-Control": "no-store"})
    payload = DIALECT_TABLE[args.dialect].payload(args, model, prompt or DEFAULT_PROMPT)
    shown = view(args.dialect, Printer(sys.stdout, use_color(sys.stdout)))
    decoder = TimedDecoder(shown.decoder())
    stats = ChatStats(shown)
    try:
        with httpx.Client(timeout=httpx.Timeout(10.0, read=args.timeout)) as client:
            stats.start = time.perf_counter()
            with client.stream("POST", url, json=payload, headers=headers) as response:
                # What ssejet.anthropic.iter_events(response) (and its kin) run, with the
                # decoder timed.
                for item in read(HttpxBody(response), decoder):
                    stats.add(shown.add(item))
    except APIStatusError as error:
        raise CLIError(_status_message(error, url)) from None
    except StreamAPIError as error:
        shown.finish()
        code = error_code(error)
        raise CLIError(f"the server reported an error mid-stream: {error.message}{code}") from None
    except SSEError as error:  # not an event stream, a bad chunk, an oversize event
        shown.finish()
        raise CLIError(f"bad stream from {url}: {error}") from None
    except httpx.ConnectError as error:
        raise CLIError(f"cannot connect to {url}: {error}") from None
    except httpx.TimeoutException as error:
        shown.finish()
        raise CLIError(f"timed out waiting for {url} ({type(error).__name__})") from None
    except httpx.HTTPError as error:
        shown.finish()
        raise CLIError(f"connection to {url} broke: {error or type(error).__name__}") from None
    finally:
        if server is not None:
            server.close()
    shown.finish()
    failure = shown.failure()
    if failure is not None:
        raise CLIError(failure)
    note(stats.summary(decoder))
    return 0


class ChatStats:
    """What the summary line reports: chunks (or events), time to first token, tokens per
    second, ssejet's time per object, how the reply ended when it is unusual."""

    def __init__(self, shown: View) -> None:
        self.shown = shown
        self.start = self.last = 0.0
        self.first: float | None = None

    def add(self, printed: bool) -> None:
        if printed:
            self.last = time.perf_counter()
            if self.first is None:
                self.first = self.last

    def summary(self, decoder: TimedDecoder) -> str:
        count, noun = self.shown.count, self.shown.noun
        parts = [f"{count} {noun}"]
        if self.first is not None:
            parts.append(f"first token {(self.first - self.start) * 1000:.0f} ms")
            tokens = self.shown.output_tokens()
            if tokens and self.last > self.first:
                parts.append(f"{tokens / (self.last - self.first):.1f} tokens/s")
        if count:
            per_item = decoder.seconds / count * 1e6
            parts.append(f"ssejet {per_item:.1f} µs/{noun[:-1]} ({decoder.backend})")
        parts += self.shown.trailer()
        return " · ".join(parts)


def _positive(text: str) -> int:
    """An integer of at least 1 (argparse reports anything else as a usage error)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {text!r}")
    return value


def register(commands: Any) -> None:
    """Adds ``ssejet chat`` to the command's subparsers."""
    chat = commands.add_parser(
        "chat",
        help="stream a reply from an OpenAI-compatible, Anthropic or OpenAI Responses API",
        description=wrap(
            "Streams a reply and prints it as it arrives, the reasoning apart, then a "
            "summary line (chunks or events, time to first token, tokens/s, ssejet's parse time "
            "per chunk or event). --dialect picks the API: chat (OpenAI-compatible "
            "/chat/completions, the default), anthropic (the Messages API, /v1/messages, "
            "ANTHROPIC_API_KEY, https://api.anthropic.com unless --base-url) or responses (the "
            "OpenAI Responses API, /responses, OPENAI_API_KEY, https://api.openai.com/v1 unless "
            "--base-url). Without --base-url (and, for anthropic and responses, without their "
            "key), an embedded local server streams a demo reply in the dialect."
        ),
        epilog="examples:\n"
        "  ssejet chat\n"
        "  ssejet chat --dialect anthropic 'Hello'      # Claude with ANTHROPIC_API_KEY, "
        "else the demo\n"
        "  ssejet chat --dialect responses 'Hello'      # OpenAI with OPENAI_API_KEY, "
        "else the demo\n"
        "  ssejet chat 'Hello' --base-url https://ark.cn-beijing.volces.com/api/v3 "
        "--model doubao-1-5-pro-32k-250115\n"
        "  ssejet chat 'Hello' --base-url https://api.siliconflow.cn/v1 "
        "--model deepseek-ai/DeepSeek-R1\n"
        "  ssejet chat 'Hello' --base-url http://localhost:8000/v1 --model my-vllm-model",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    chat.add_argument("prompt", nargs="?", metavar="PROMPT",
                      help="the user message ('-' reads it from standard input)")  # fmt: skip
    chat.add_argument("--dialect", choices=DIALECTS, default=CHAT,
                      help="the API to speak (default: %(default)s)")  # fmt: skip
    chat.add_argument("--base-url", metavar="URL",
                      help="the API base URL, e.g. https://api.deepseek.com (default: the "
                      "dialect's API when its key is set, else the embedded demo "
                      "server)")  # fmt: skip
    chat.add_argument("--model", metavar="M",
                      help="model (or Ark endpoint) ID (default for anthropic: "
                      f"{DIALECT_TABLE[ANTHROPIC].model}, responses: "
                      f"{DIALECT_TABLE[RESPONSES].model})")  # fmt: skip
    chat.add_argument("--api-key-env", metavar="VAR",
                      help="environment variable holding the API key (default: "
                      "ANTHROPIC_API_KEY for anthropic; else guessed from the host: "
                      "ARK_API_KEY, SILICONFLOW_API_KEY, DEEPSEEK_API_KEY, else "
                      "OPENAI_API_KEY; none needed on localhost)")  # fmt: skip
    chat.add_argument("--max-tokens", metavar="N", type=_positive,
                      help="the most tokens the reply may have (default: the API's; "
                      f"{ANTHROPIC_MAX_TOKENS} for anthropic, which requires one)")  # fmt: skip
    chat.add_argument("--system", metavar="S", help="a system message")
    chat.add_argument("--timeout", metavar="SECONDS", type=float, default=120.0,
                      help="the longest wait for more bytes (default: %(default)s)")  # fmt: skip
    chat.set_defaults(run=run_chat)
