"""The httpx layer against a real HTTP server on 127.0.0.1: where framing bugs show.

Each test starts `ssejet._cli.server.Server` (port 0, daemon threads) with a route that writes the
body piece by piece, one HTTP chunk per write. Every route ends by itself: loops are bounded
and every wait has a timeout, so a failing client never leaves a server thread behind for long.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from ssejet import (
    APIStatusError,
    SSEError,
    accumulate,
    aconnect_sse,
    aiter_chunks,
    aiter_sse,
    connect_sse,
    iter_chunks,
    iter_sse,
)
from ssejet._cli.server import Request, Server, Writer

SSE = [("Content-Type", "text/event-stream")]
WAIT = 5.0  # the longest any route waits for the client
# One TLS context for all clients: httpx builds one per client by default, ~0.1 s each.
TLS = ssl.create_default_context()


@contextmanager
def serving(route: Any = None) -> Iterator[tuple[Server, httpx.Client]]:
    with Server(route) as server, httpx.Client(verify=TLS) as client:
        yield server, client


def aclient(**options: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(verify=TLS, **options)


def chunk(content: str) -> bytes:
    payload = {
        "choices": [{"delta": {"content": content, "role": "assistant"}, "index": 0}],
        "created": 1742631211,
        "id": "021742631211397a4b5c6d7e8f9",
        "model": "doubao-1-5-pro-32k-250115",
        "object": "chat.completion.chunk",
        "usage": None,
    }
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"


DONE = b"data: [DONE]\n\n"
WORDS = ["你好", "，", "world", "! ", "ñ", "🎉"]
STREAM = b": keep-alive\n\n" + b"".join(chunk(w) for w in WORDS) + DONE


def contents(chunks: list) -> list:
    return [c.choices[0].delta.content for c in chunks]


def awkward_pieces(data: bytes) -> list[bytes]:
    """Cuts inside field names, inside multi-byte characters and between the two LFs."""
    cuts = sorted({3, 7, data.find(b"\xe4") + 1, data.find(b"\n\n") + 1, data.find(b"\xf0") + 2})
    cuts += list(range(cuts[-1] + 1, len(data), 37))
    return [data[i:j] for i, j in zip([0, *cuts], [*cuts, len(data)]) if data[i:j]]


def writes(pieces: list[bytes], *, delay: float = 0.0, gzip: bool = False):
    def route(request: Request, writer: Writer) -> None:
        writer.start(200, SSE, gzip=gzip)
        for piece in pieces:
            writer.write(piece)
            if delay:
                time.sleep(delay)

    return route


def test_an_event_split_across_chunked_writes_decodes(backend):
    pieces = awkward_pieces(STREAM)
    assert len(pieces) > 10
    with serving(writes(pieces, delay=0.001)) as (server, client):
        with client.stream("GET", server.url) as response:
            assert response.headers["transfer-encoding"] == "chunked"
            assert contents(list(iter_chunks(response, backend=backend))) == WORDS
        with client.stream("GET", server.url) as response:
            events = list(iter_sse(response, backend=backend))
    assert [e.data for e in events][-1] == "[DONE]"
    assert len(events) == len(WORDS) + 1


def gated(first: bytes, rest: bytes, gate: threading.Event, opened: list, **start: Any):
    """Writes `first`, waits for the client to say it decoded it, then writes `rest`."""

    def route(request: Request, writer: Writer) -> None:
        writer.start(200, SSE, **start)
        writer.write(first)
        opened.append(gate.wait(WAIT))
        writer.write(rest)

    return route


@pytest.mark.parametrize("gzip", [False, True], ids=["identity", "gzip"])
def test_each_event_is_yielded_as_soon_as_its_bytes_arrive(backend, gzip):
    gate, opened, received = threading.Event(), [], []
    route = gated(chunk("first"), chunk("second") + DONE, gate, opened, gzip=gzip)
    with serving(route) as (server, client), client.stream("GET", server.url) as response:
        assert response.headers.get("content-encoding") == ("gzip" if gzip else None)
        for item in iter_chunks(response, backend=backend):
            received.append(item)
            gate.set()
    assert opened == [True]  # the first chunk came out before the rest was even written
    assert contents(received) == ["first", "second"]


def test_each_event_is_yielded_as_soon_as_its_bytes_arrive_async(backend):
    gate, opened = threading.Event(), []
    route = gated(b"data: first\n\n", b"data: second\n\n", gate, opened)

    async def main(url: str) -> list:
        received = []
        async with aclient() as client, client.stream("GET", url) as response:
            async for event in aiter_sse(response, backend=backend):
                received.append(event.data)
                gate.set()
        return received

    with Server(route) as server:
        assert asyncio.run(main(server.url)) == ["first", "second"]
    assert opened == [True]


def test_slow_writes_one_byte_at_a_time(backend):
    stream = chunk("慢") + chunk("slow") + DONE
    route = writes([stream[i : i + 1] for i in range(len(stream))], delay=0.0005)
    with serving(route) as (server, client), client.stream("GET", server.url) as response:
        assert contents(list(iter_chunks(response, backend=backend))) == ["慢", "slow"]


def test_a_gzip_stream_decodes(backend):
    route = writes(awkward_pieces(STREAM), gzip=True)
    with serving(route) as (server, client), client.stream("GET", server.url) as response:
        assert response.headers["content-encoding"] == "gzip"
        assert contents(list(iter_chunks(response, backend=backend))) == WORDS


def error_route(status: int, body: bytes, content_type: str, *, chunked: bool):
    def route(request: Request, writer: Writer) -> None:
        headers = [("Content-Type", content_type)]
        if not chunked:
            headers.append(("Content-Length", str(len(body))))
        writer.start(status, headers, chunked=chunked)
        writer.write(body)

    return route


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("status", [401, 429, 500])
def test_an_error_status_raises_api_status_error_with_the_json_body(backend, status, chunked):
    error = {
        "error": {"message": "请求过多 / too many requests", "type": "RateLimit", "code": status}
    }
    body = json.dumps(error, ensure_ascii=False).encode()
    route = error_route(status, body, "application/json; charset=utf-8", chunked=chunked)
    with serving(route) as (server, client):
        for _ in range(2):
            source = connect_sse(client, "POST", server.url, json={}, backend=backend)
            with source as events, pytest.raises(APIStatusError) as raised:
                next(events.iter_chunks())
            assert raised.value.status_code == status
            assert raised.value.body == error
        assert server.connections == 1  # the body was read in full: the connection was reused


def test_an_html_200_raises_sse_error(backend):
    page = b"<!doctype html><title>Login</title><p>Please sign in"
    route = error_route(200, page, "text/html; charset=utf-8", chunked=True)
    with serving(route) as (server, client), client.stream("GET", server.url) as response:  # noqa: SIM117
        with pytest.raises(SSEError) as raised:
            next(iter_sse(response, backend=backend))
    assert "'text/html; charset=utf-8'" in str(raised.value)
    assert "<title>Login</title>" in str(raised.value)


def dropping(head: bytes, partial: bytes, **start: Any):
    def route(request: Request, writer: Writer) -> None:
        writer.start(200, **start)
        writer.write(head)
        time.sleep(0.01)
        writer.write(partial)
        time.sleep(0.01)
        writer.drop()

    return route


DROPS = {
    "chunked": {},
    "content-length": {"headers": [*SSE, ("Content-Length", "4000")], "chunked": False},
}


@pytest.mark.parametrize("framing", DROPS)
@pytest.mark.parametrize("kind", ["sse", "chunks"])
def test_a_connection_dropped_mid_event_raises_httpx_error(backend, framing, kind):
    route = dropping(chunk("whole"), chunk("partial")[:50], **DROPS[framing])
    iterate = iter_sse if kind == "sse" else iter_chunks
    received = []
    with serving(route) as (server, client), client.stream("GET", server.url) as response:  # noqa: SIM117
        with pytest.raises(httpx.RemoteProtocolError):
            for item in iterate(response, backend=backend):
                received.append(item)
    assert len(received) == 1


def test_a_connection_dropped_mid_event_raises_httpx_error_async(backend):
    route = dropping(chunk("whole"), chunk("partial")[:50])

    async def main(url: str) -> list:
        received = []
        async with aclient() as client, client.stream("GET", url) as response:
            with pytest.raises(httpx.RemoteProtocolError):
                async for item in aiter_chunks(response, backend=backend):
                    received.append(item)
        return received

    with Server(route) as server:
        assert contents(asyncio.run(main(server.url))) == ["whole"]


def test_a_close_delimited_body_that_stops_mid_event_raises_after_the_whole_events(backend):
    # HTTP cannot tell this drop from the end of the body; the decoder can: the partial event
    # is never yielded, and the truncation is an SSEError, not a silent end.
    route = dropping(chunk("whole"), chunk("partial")[:50], headers=SSE, chunked=False)
    received = []
    with serving(route) as (server, client), client.stream("GET", server.url) as response:
        iterator = iter_chunks(response, backend=backend)
        with pytest.raises(SSEError, match="stream ended mid-event"):
            received.extend(iterator)
    assert contents(received) == ["whole"]


class Endless:
    """A route streaming `first`, then `tick` every `interval` s until the client leaves (or
    WAIT)."""

    def __init__(
        self, first: bytes = b"", tick: bytes = chunk("tick"), interval: float = 0.002
    ) -> None:
        self.first = first
        self.tick = tick
        self.interval = interval
        self.left = threading.Event()

    def __call__(self, request: Request, writer: Writer) -> None:
        writer.start(200, SSE)
        writer.write(self.first)
        deadline = time.monotonic() + WAIT
        while not writer.disconnected and time.monotonic() < deadline:
            writer.write(self.tick)
            time.sleep(self.interval)
        if writer.disconnected:
            self.left.set()


@pytest.mark.parametrize("kind", ["sse", "chunks"])
def test_breaking_out_closes_the_connection(backend, kind):
    route = Endless()
    iterate = iter_sse if kind == "sse" else iter_chunks
    with serving(route) as (server, client):
        with client.stream("GET", server.url) as response:
            for i, _ in enumerate(iterate(response, backend=backend)):
                if i == 3:
                    break
            assert response.is_closed
        assert route.left.wait(WAIT)  # the server saw the connection go


@pytest.mark.parametrize("kind", ["sse", "chunks"])
def test_cancelling_an_async_consumer_closes_the_connection(backend, kind):
    route = Endless()
    aiterate = aiter_sse if kind == "sse" else aiter_chunks

    async def main(url: str) -> bool:
        received = []
        async with aclient() as client, client.stream("GET", url) as response:

            async def consume() -> None:
                async for item in aiterate(response, backend=backend):
                    received.append(item)

            task = asyncio.ensure_future(consume())
            while len(received) < 3:
                await asyncio.sleep(0.001)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return response.is_closed

    with Server(route) as server:
        assert asyncio.run(asyncio.wait_for(main(server.url), WAIT))
        assert route.left.wait(WAIT)


def test_a_short_tail_after_done_is_drained_and_the_connection_reused(backend):
    tail = b"data: after\n\n" * 50 + b": " + b"x" * 8000 + b"\n\n"
    with serving(writes([STREAM, tail])) as (server, client):
        for _ in range(3):
            with client.stream("GET", server.url) as response:
                assert contents(list(iter_chunks(response, backend=backend))) == WORDS
                assert response.is_closed
        assert server.connections == 1


def test_a_server_that_goes_on_after_done_is_cut_off_after_64_kib(backend):
    route = Endless(first=STREAM, tick=chunk("after") + b": " + b"x" * 4000 + b"\n\n")
    limit = len(STREAM) + 64 * 1024 + 65536  # what follows [DONE] + one more read at most

    async def main(url: str) -> list:
        async with aclient() as client, client.stream("GET", url) as response:
            received = [c async for c in aiter_chunks(response, backend=backend)]
            assert response.is_closed
            assert response.num_bytes_downloaded < limit
            return received

    with serving(route) as (server, client):
        start = time.monotonic()
        with client.stream("GET", server.url) as response:
            assert contents(list(iter_chunks(response, backend=backend))) == WORDS
            assert response.is_closed
            assert response.num_bytes_downloaded < limit
        assert contents(asyncio.run(main(server.url))) == WORDS
        assert time.monotonic() - start < WAIT
        assert route.left.wait(WAIT)
        assert server.connections == 2  # neither connection went back to the pool


@pytest.mark.parametrize("after_done", ["keep-alive every second", "silence"])
def test_the_iterators_end_at_done_whatever_the_server_does_next(backend, after_done):
    # A server that trickles comments after [DONE], or goes quiet without ending the body,
    # must not keep the caller waiting (the drain is bounded in time), and a read timeout
    # met while draining never reaches the caller.
    tick = b": keep-alive\n" if after_done != "silence" else b""
    route = Endless(first=STREAM, tick=tick, interval=1.0)

    async def main(url: str) -> list:
        async with aclient(timeout=0.3) as client, client.stream("GET", url) as response:
            received = [c async for c in aiter_chunks(response, backend=backend)]
            assert response.is_closed
            return received

    with Server(route) as server, httpx.Client(verify=TLS, timeout=0.3) as client:
        for read in ("sync", "async"):
            start = time.monotonic()
            if read == "sync":
                with client.stream("GET", server.url) as response:
                    received = list(iter_chunks(response, backend=backend))
                    assert response.is_closed
            else:
                received = asyncio.run(main(server.url))
            assert contents(received) == WORDS
            assert time.monotonic() - start < 0.25  # the first keep-alive comes after 1 s


def test_200_concurrent_async_streams_decode_correctly(backend):
    def route(request: Request, writer: Writer) -> None:
        n = int(request.path.rsplit("/", 1)[1])
        writer.start(200, SSE)
        for i in range(20):
            data = chunk(f"{n}:{i} ")
            writer.write(data[: 30 + n % 7])  # every event split across two writes
            writer.write(data[30 + n % 7 :])
            if i % 5 == 0:
                time.sleep(0.001)
        writer.write(DONE)

    async def one(client: httpx.AsyncClient, url: str) -> str:
        async with aconnect_sse(client, "GET", url, backend=backend) as source:
            return accumulate([c async for c in source.aiter_chunks()]).choices[0].message.content

    async def main(url: str) -> list:
        # Ten clients of twenty streams: httpcore's pool is quadratic in the requests it holds
        # (~3 s of httpx CPU for 200 on one client), a cost of httpx, not of ssejet.
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
        clients = [aclient(limits=limits, timeout=20) for _ in range(10)]
        try:
            return await asyncio.gather(*(one(clients[n % 10], f"{url}/{n}") for n in range(200)))
        finally:
            for client in clients:
                await client.aclose()

    with Server(route) as server:
        results = asyncio.run(asyncio.wait_for(main(server.url), 30))
        assert server.connections == 200
    assert results == ["".join(f"{n}:{i} " for i in range(20)) for n in range(200)]


def test_the_demo_route_streams_a_reply_that_accumulates(backend):
    payload = {"model": "m", "messages": [{"role": "user", "content": "你好"}], "stream": True}
    with serving() as (server, client):
        server.route.delay = 0  # type: ignore[attr-defined]
        url = server.url + "/api/v3/chat/completions"
        with connect_sse(client, "POST", url, json=payload, backend=backend) as source:
            chunks = list(source.iter_chunks())
    message = accumulate(chunks).choices[0].message
    assert "你好" in message.reasoning_content
    assert message.content.startswith("你好！")
    assert chunks[-1].choices == []
    assert chunks[-1].usage.completion_tokens == len(chunks) - 1
    assert {c.model for c in chunks} == {"m"}
