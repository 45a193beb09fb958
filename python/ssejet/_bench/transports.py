"""How the HTTP peers get the current body: a mock httpx transport that replays its reads, or
the loopback server, which streams them over 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

from .workloads import Body

URL = "http://bench.invalid/v1/chat/completions"


class Loopback:
    """The embedded server (``ssejet._cli.server``) on 127.0.0.1, streaming the current body: one
    write, so one HTTP chunk, per read, flushed at once (TCP_NODELAY) as LLM servers do."""

    def __init__(self) -> None:
        from .._cli.server import Server

        self.body: Optional[Body] = None
        self.server = Server(self._route)
        self.url = self.server.url + "/v1/chat/completions"

    def _route(self, request: Any, writer: Any) -> None:
        assert self.body is not None
        for data in self.body.reads:
            writer.write(data)

    def close(self) -> None:
        self.server.close()


class ReplayTransport:
    """A mock HTTP transport answering every request with the current body's reads, as a
    server flushing them one by one would (for httpx or openai's httpx2 fork)."""

    def __init__(self, httpx: Any) -> None:
        self.body: Optional[Body] = None
        transport = self

        class BodyReads(httpx.SyncByteStream):
            def __iter__(self) -> Iterator[bytes]:
                assert transport.body is not None
                return iter(transport.body.reads)

        headers = {"content-type": "text/event-stream"}
        self.mock = httpx.MockTransport(
            lambda _: httpx.Response(200, headers=headers, stream=BodyReads())
        )


def serve_bodies(httpx: Any, loop: Optional[Loopback]) -> tuple[Any, Any, str]:
    """(what to set the current body on, an httpx client, the URL): a mock transport that
    replays the body, or the loopback server."""
    if loop is not None:
        return loop, httpx.Client(), loop.url
    transport = ReplayTransport(httpx)
    return transport, httpx.Client(transport=transport.mock), URL
