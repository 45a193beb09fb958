"""A small HTTP/1.1 server on 127.0.0.1 that streams SSE bodies with chunked transfer encoding.

It is the embedded server of ``ssejet chat`` (an OpenAI-compatible ``/chat/completions`` that
streams a canned reply in the shapes real providers use), and what the integration tests stream
from: a route is a function ``route(request, writer)`` that writes the response piece by piece,
each :meth:`Writer.write` one HTTP chunk, so tests control every read boundary, delay and drop.

Standard library only; the server runs in a daemon thread, listens on an ephemeral port, and
its connection threads are daemons too, so nothing it runs outlives the process.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import socket
import socketserver
import sys
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any, Callable

DEMO_MODEL = "doubao-1-5-pro-32k-250115"
TOKEN_DELAY = 0.015  # seconds between the demo reply's chunks; SSEJET_DEMO_TOKEN_DELAY overrides


class Request:
    """What a route receives: the request line, headers and body."""

    def __init__(self, method: str, path: str, headers: Any, body: bytes) -> None:
        self.method = method
        self.path = path
        self.headers = headers  # an email.message.Message: case-insensitive .get()
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


class Writer:
    """Writes one response; every method is a no-op once the client has gone away.

    Attributes:
        disconnected: True once a write failed because the client closed the connection.
    """

    def __init__(self, handler: BaseHTTPRequestHandler) -> None:
        self._handler = handler
        self._chunked = True
        self._gzip: Any = None
        self.started = False
        self.ended = False
        self.disconnected = False

    def start(
        self,
        status: int = 200,
        headers: Iterable[tuple[str, str]] = (("Content-Type", "text/event-stream"),),
        *,
        chunked: bool = True,
        gzip: bool = False,
    ) -> None:
        """Sends the status line and headers. Without ``chunked`` the body is close-delimited
        unless ``headers`` has a Content-Length; ``gzip`` compresses each write as it goes."""
        headers = list(headers)
        self.started = True
        self._chunked = chunked
        lines = [f"HTTP/1.1 {status} {_reason(status)}"]
        lines += [f"{name}: {value}" for name, value in headers]
        if chunked:
            lines.append("Transfer-Encoding: chunked")
        elif not any(name.lower() == "content-length" for name, _ in headers):
            lines.append("Connection: close")
            self._handler.close_connection = True
        if gzip:
            self._gzip = zlib.compressobj(wbits=31)
            lines.append("Content-Encoding: gzip")
        self._send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def write(self, data: bytes) -> None:
        """Sends ``data`` at once: one HTTP chunk (a network read, on loopback)."""
        if not self.started:
            self.start()
        if self._gzip is not None:
            data = self._gzip.compress(data) + self._gzip.flush(zlib.Z_SYNC_FLUSH)
        if not data:
            return
        self._send(b"%x\r\n%s\r\n" % (len(data), data) if self._chunked else data)

    def end(self) -> None:
        """Ends the body (the terminating chunk)."""
        if not self.started:
            self.start()
        if self.ended:
            return
        self.ended = True
        if self._gzip is not None:
            tail, self._gzip = self._gzip.flush(), None
            self.write(tail)
        if self._chunked:
            self._send(b"0\r\n\r\n")

    def drop(self) -> None:
        """Closes the connection at once, without ending the body."""
        self.ended = True
        self._handler.close_connection = True
        with contextlib.suppress(OSError):  # already gone
            self._handler.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, data: bytes) -> None:
        if self.disconnected:
            return
        try:
            self._handler.wfile.write(data)
        except OSError:  # BrokenPipeError, ConnectionResetError: the client left
            self.disconnected = True
            self._handler.close_connection = True


Route = Callable[[Request, Writer], None]


def _reason(status: int) -> str:
    return BaseHTTPRequestHandler.responses.get(status, ("",))[0]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # an idle keep-alive connection ends its thread after this
    server: _TCPServer

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        writer = Writer(self)
        with self.server.owner._lock:
            self.server.owner.requests += 1
        self.server.owner.route(Request(self.command, self.path, self.headers, body), writer)
        if not writer.ended:
            writer.end()

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def setup(self) -> None:
        super().setup()
        # Each write goes out at once, as an LLM server's flushes do (no Nagle coalescing).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.owner._lock:
            self.server.owner.connections += 1

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the CLI's terminal and the test output are not a server log


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 512  # the tests open hundreds of streams at once
    owner: Server

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that goes away mid-response is normal for a streaming server; other errors
        # (a failing route) are worth the traceback.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class Server:
    """Serves ``route`` on 127.0.0.1 (an ephemeral port) from a daemon thread.

    Use as a context manager, or call :meth:`close`. ``url`` is ``http://127.0.0.1:PORT``;
    ``connections`` and ``requests`` count what was accepted so far.

    >>> with Server() as server:  # doctest: +SKIP
    ...     print(server.url)
    """

    def __init__(self, route: Route | None = None, *, host: str = "127.0.0.1") -> None:
        self.route: Route = route if route is not None else ChatRoute()
        self.connections = 0
        self.requests = 0
        self._lock = threading.Lock()
        self._server = _TCPServer((host, 0), _Handler)
        self._server.owner = self
        port = self._server.server_address[1]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# --- the demo: an OpenAI-compatible chat completion endpoint -----------------------------------

_TOKEN = re.compile(r"[\u3000-\u9fff\uff00-\uffef]{1,2}|\s?[A-Za-z]{1,7}|\s?\d{1,3}|\s?\S|\s+")


def tokens(text: str) -> list[str]:
    """Splits text into token-sized pieces, roughly as an LLM tokenizer would."""
    return _TOKEN.findall(text)


def demo_reply(prompt: str) -> tuple[str, str]:
    """The canned (reasoning, answer) of the demo server for ``prompt``."""
    reasoning = (
        f"The user wrote: “{prompt}”. I am ssejet's embedded demo server, not a real model, "
        "so the honest answer is to describe the stream they are watching: this reasoning "
        "first, sent in `reasoning_content` as SiliconFlow and DeepSeek do, then the answer in "
        "`content`, in Volcano Engine Ark's chunk shape, with the token usage in a last chunk."
    )
    answer = (
        "你好！This reply came from ssejet's embedded server on 127.0.0.1, streamed as "
        "Server-Sent Events over chunked HTTP, one small JSON chunk per token. ssejet turned "
        "each network read into typed ChatCompletionChunk objects in a single call, and "
        "printed the reasoning apart from the answer.\n\nTo talk to a real model, give an "
        "OpenAI-compatible endpoint: ssejet chat --base-url "
        "https://ark.cn-beijing.volces.com/api/v3 --model <your endpoint or model> "
        "(with ARK_API_KEY set), or SiliconFlow, DeepSeek, OpenAI, a local vLLM…"
    )
    return reasoning, answer


def chat_stream(
    prompt: str, *, model: str = DEMO_MODEL, prompt_tokens: int | None = None
) -> Iterator[bytes]:
    """The SSE events of the demo reply: a keep-alive comment, reasoning chunks, answer
    chunks, a finish chunk, a usage chunk (``choices: []``), then ``[DONE]``.

    Chunks have Ark/Doubao's shape (``service_tier``, ``"usage": null``, and both ``data: `` and
    ``data:`` with no space, which Ark sends); reasoning comes first in ``reasoning_content``
    with an empty ``content``, as SiliconFlow and DeepSeek send it.
    """
    reasoning, answer = demo_reply(prompt)
    created = int(time.time())
    base = {
        "choices": None,
        "created": created,
        "id": "02" + str(created * 1000) + secrets.token_hex(12),
        "model": model,
        "service_tier": "default",
        "object": "chat.completion.chunk",
        "usage": None,
    }

    def event(choices: list[Any], usage: Any = None, space: bool = True) -> bytes:
        payload = dict(base, choices=choices, usage=usage)
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return (b"data: " if space else b"data:") + text.encode() + b"\n\n"

    def delta(**fields: Any) -> list[Any]:
        return [{"delta": dict(role="assistant", **fields), "index": 0}]

    yield b": keep-alive\n\n"
    reasoning_tokens, answer_tokens = tokens(reasoning), tokens(answer)
    for i, token in enumerate(reasoning_tokens):
        yield event(delta(content="", reasoning_content=token), space=i % 3 != 2)
    for i, token in enumerate(answer_tokens):
        yield event(delta(content=token), space=i % 3 != 2)
    yield event(
        [{"delta": {"content": "", "role": "assistant"}, "finish_reason": "stop", "index": 0}]
    )
    completion = len(reasoning_tokens) + len(answer_tokens) + 1
    prompt_count = prompt_tokens if prompt_tokens is not None else len(tokens(prompt)) + 8
    usage = {
        "completion_tokens": completion,
        "prompt_tokens": prompt_count,
        "total_tokens": prompt_count + completion,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": len(reasoning_tokens)},
    }
    yield event([], usage)
    yield b"data: [DONE]\n\n"


def _error(writer: Writer, status: int, message: str, type_: str) -> None:
    """An OpenAI-style JSON error response."""
    body = json.dumps({"error": {"message": message, "type": type_, "code": None}}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    writer.start(status, headers, chunked=False)
    writer.write(body)


class ChatRoute:
    """The demo endpoint: ``POST .../chat/completions`` with ``"stream": true``."""

    def __init__(self, delay: float | None = None) -> None:
        if delay is None:
            delay = float(os.environ.get("SSEJET_DEMO_TOKEN_DELAY", TOKEN_DELAY))
        self.delay = delay

    def __call__(self, request: Request, writer: Writer) -> None:
        if request.method != "POST" or not request.path.rstrip("/").endswith("/chat/completions"):
            _error(writer, 404, f"no route for {request.method} {request.path}", "not_found")
            return
        try:
            body = request.json()
            messages = body["messages"]
            prompt = str(messages[-1]["content"])
        except (ValueError, KeyError, IndexError, TypeError):
            _error(writer, 400, "the body must be JSON with a messages list", "invalid_request")
            return
        if not body.get("stream"):
            _error(writer, 400, "the demo server only streams: send stream=true", "invalid_request")
            return
        prompt_tokens = sum(len(tokens(str(m.get("content", "")))) + 4 for m in messages)
        stream = chat_stream(
            prompt, model=str(body.get("model") or DEMO_MODEL), prompt_tokens=prompt_tokens
        )
        writer.start(
            200,
            [("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-cache")],
        )
        for data in stream:
            writer.write(data)
            if writer.disconnected:
                return
            if self.delay:
                time.sleep(self.delay)
