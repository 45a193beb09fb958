"""A small HTTP/1.1 server on 127.0.0.1 that streams SSE bodies with chunked transfer encoding.

It serves the embedded demo of ``ssejet chat`` (``.demo``, its route by default), the loopback
workload of ``ssejet bench``, and what the integration tests stream from: a route is a function
``route(request, writer)`` that writes the response piece by piece, each :meth:`Writer.write`
one HTTP chunk, so tests control every read boundary, delay and drop.

Standard library only; the server runs in a daemon thread, listens on an ephemeral port, and
its connection threads are daemons too, so nothing it runs outlives the process.
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import sys
import threading
import zlib
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler
from typing import Any, Callable


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
    """Serves ``route`` on 127.0.0.1 (an ephemeral port) from a daemon thread; without one, the
    demo endpoints of ``ssejet chat`` in its three dialects (:class:`.demo.DemoRoute`).

    Use as a context manager, or call :meth:`close`. ``url`` is ``http://127.0.0.1:PORT``;
    ``connections`` and ``requests`` count what was accepted so far.

    >>> with Server() as server:  # doctest: +SKIP
    ...     print(server.url)
    """

    def __init__(self, route: Route | None = None, *, host: str = "127.0.0.1") -> None:
        if route is None:
            from .demo import DemoRoute

            route = DemoRoute()
        self.route: Route = route
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
