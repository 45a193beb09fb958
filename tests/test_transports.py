"""Every source the iterators take besides httpx: requests (sync), aiohttp (async) and plain
(async) iterables of bytes, against a real HTTP server on 127.0.0.1 where a client is involved.

Each test runs on both backends; the routes end by themselves (bounded loops, timed waits).
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
import pytest
from test_httpx_server import (
    DONE,
    SSE,
    STREAM,
    WAIT,
    WORDS,
    Endless,
    awkward_pieces,
    chunk,
    contents,
    gated,
    writes,
)

import ssejet
from ssejet import APIStatusError, SSEError, aiter_chunks, aiter_sse, iter_chunks, iter_sse
from ssejet._cli.server import Request, Server, Writer

requests = pytest.importorskip("requests", reason="pip install --group test")
aiohttp = pytest.importorskip("aiohttp", reason="pip install --group test")


def get(url: str, **options: Any) -> Any:
    return requests.get(url, stream=True, timeout=WAIT, **options)


async def aiohttp_chunks(url: str, backend: str, *, kind: str = "chunks") -> list:
    iterate = aiter_chunks if kind == "chunks" else aiter_sse
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        received = [c async for c in iterate(response, backend=backend)]
        assert response.closed or response.connection is None
        return received


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "close-delimited"])
def test_requests_streams_decode_at_any_read_boundary(backend, chunked):
    def route(request: Request, writer: Writer) -> None:
        writer.start(200, SSE, chunked=chunked)
        for piece in awkward_pieces(STREAM):
            writer.write(piece)
            time.sleep(0.001)

    with Server(route) as server:
        assert contents(list(iter_chunks(get(server.url), backend=backend))) == WORDS
        events = list(iter_sse(get(server.url), backend=backend))
        assert [e.data for e in events][-1] == "[DONE]"


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "close-delimited"])
def test_requests_yields_each_event_as_soon_as_its_bytes_arrive(backend, chunked):
    gate, opened, received = threading.Event(), [], []
    route = gated(chunk("first"), chunk("second") + DONE, gate, opened, chunked=chunked)
    with Server(route) as server:
        for item in iter_chunks(get(server.url), backend=backend):
            received.append(item)
            gate.set()
    assert opened == [True]  # the first chunk came out before the rest was written
    assert contents(received) == ["first", "second"]


def test_aiohttp_streams_decode_and_each_event_comes_as_it_arrives(backend):
    gate, opened = threading.Event(), []
    route = gated(chunk("first"), chunk("second") + DONE, gate, opened)

    async def main(url: str) -> list:
        received = []
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            async for item in aiter_chunks(response, backend=backend):
                received.append(item)
                gate.set()
        return received

    with Server(route) as server:
        assert contents(asyncio.run(main(server.url))) == ["first", "second"]
    assert opened == [True]
    with Server(writes(awkward_pieces(STREAM), delay=0.001)) as server:
        assert contents(asyncio.run(aiohttp_chunks(server.url, backend))) == WORDS


def error_route(status: int, body: bytes, content_type: str):
    def route(request: Request, writer: Writer) -> None:
        writer.start(status, [("Content-Type", content_type)])
        writer.write(body)

    return route


@pytest.mark.parametrize("client", ["requests", "aiohttp"])
def test_a_non_2xx_status_raises_api_status_error_with_the_json_body(backend, client):
    body = b'{"error": {"message": "rate limited", "code": 429}}'
    with (
        Server(error_route(429, body, "application/json")) as server,
        pytest.raises(APIStatusError) as caught,
    ):
        if client == "requests":
            list(iter_chunks(get(server.url), backend=backend))
        else:
            asyncio.run(aiohttp_chunks(server.url, backend))
    assert caught.value.status_code == 429
    assert caught.value.body == {"error": {"message": "rate limited", "code": 429}}


@pytest.mark.parametrize("client", ["requests", "aiohttp"])
def test_a_2xx_that_is_not_an_event_stream_is_an_sse_error(backend, client):
    route = error_route(200, b"<html>hi</html>", "text/html")
    with Server(route) as server, pytest.raises(SSEError, match=r"text/html.*<html>hi</html>"):
        if client == "requests":
            list(iter_chunks(get(server.url), backend=backend))
        else:
            asyncio.run(aiohttp_chunks(server.url, backend))


@pytest.mark.parametrize("client", ["requests", "aiohttp"])
def test_a_list_of_media_types_with_event_stream_is_accepted(backend, client):
    content_type = "application/json, text/event-stream; charset=utf-8"  # as NVIDIA Triton sends
    with Server(error_route(200, STREAM, content_type)) as server:
        if client == "requests":
            received = list(iter_chunks(get(server.url), backend=backend))
        else:
            received = asyncio.run(aiohttp_chunks(server.url, backend))
    assert contents(received) == WORDS


@pytest.mark.parametrize("client", ["requests", "aiohttp"])
def test_the_iterators_end_at_done_while_the_server_trickles(backend, client):
    route = Endless(first=STREAM, tick=b": keep-alive\n", interval=1.0)
    with Server(route) as server:
        start = time.monotonic()
        if client == "requests":
            received = list(iter_chunks(get(server.url), backend=backend))
        else:
            received = asyncio.run(aiohttp_chunks(server.url, backend))
        assert contents(received) == WORDS
        assert time.monotonic() - start < 0.25  # the first keep-alive comes after 1 s
        assert route.left.wait(WAIT)  # and the connection was closed


@pytest.mark.parametrize("client", ["requests", "aiohttp"])
def test_breaking_out_closes_the_connection(backend, client):
    route = Endless()
    with Server(route) as server:
        if client == "requests":
            for _ in iter_chunks(get(server.url), backend=backend):
                break
        else:

            async def main() -> None:
                async with aiohttp.ClientSession() as session, session.get(server.url) as r:
                    stream = aiter_chunks(r, backend=backend)
                    async for _ in stream:
                        break
                    await stream.aclose()  # type: ignore[attr-defined]

            asyncio.run(main())
        assert route.left.wait(WAIT)


def test_a_plain_iterable_of_bytes_is_a_source(backend):
    pieces = awkward_pieces(STREAM)
    assert contents(list(iter_chunks(pieces, backend=backend))) == WORDS
    mixed = [bytearray(p) if i % 2 else memoryview(p) for i, p in enumerate(pieces)]
    assert contents(list(iter_chunks(mixed, backend=backend))) == WORDS
    events = list(iter_sse(iter(pieces), backend=backend))
    assert events == list(ssejet.SSEDecoder(backend=backend).feed(STREAM))


def test_a_generator_source_is_closed_at_done_and_when_the_consumer_stops(backend):
    closed = []

    def source(tail: int):
        try:
            yield STREAM
            yield from [b"data: after\n\n"] * tail
        finally:
            closed.append(True)

    assert contents(list(iter_chunks(source(10**6), backend=backend))) == WORDS
    assert closed == [True]  # nothing after [DONE] was read
    for _ in iter_sse(source(0), backend=backend):
        break
    assert closed == [True, True]


def test_an_async_iterable_of_bytes_is_a_source(backend):
    async def source():
        for piece in awkward_pieces(STREAM):
            yield piece
            await asyncio.sleep(0)

    async def main() -> list:
        return [c async for c in aiter_chunks(source(), backend=backend)]

    assert contents(asyncio.run(main())) == WORDS


@pytest.mark.parametrize("wrong", [b"data: x\n\n", "data: x\n\n", 42])
def test_bytes_themselves_or_a_non_iterable_are_a_type_error(backend, wrong):
    with pytest.raises(TypeError, match="iterable of bytes"):
        iter_chunks(wrong, backend=backend)
    with pytest.raises(TypeError, match="async iterable of bytes"):
        aiter_chunks(wrong, backend=backend)


def truncating(head: bytes, partial: bytes):
    """A close-delimited body that stops inside an event: HTTP sees a clean end."""

    def route(request: Request, writer: Writer) -> None:
        writer.start(200, SSE, chunked=False)
        writer.write(head + partial)

    return route


@pytest.mark.parametrize("client", ["requests", "aiohttp", "iterable", "async iterable"])
def test_a_body_ending_mid_event_raises_after_the_complete_events_on_every_source(backend, client):
    head, partial = chunk("whole"), chunk("partial")[:50]
    received: list = []

    async def pieces():
        yield head
        yield partial

    async def drain_async(source: Any) -> None:
        async for item in aiter_chunks(source, backend=backend):
            received.append(item)

    async def drain_aiohttp(url: str) -> None:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            await drain_async(response)

    with (
        Server(truncating(head, partial)) as server,
        pytest.raises(SSEError, match="stream ended mid-event"),
    ):
        if client == "requests":
            received.extend(iter_chunks(get(server.url), backend=backend))
        elif client == "aiohttp":
            asyncio.run(drain_aiohttp(server.url))
        elif client == "iterable":
            received.extend(iter_chunks([head, partial], backend=backend))
        else:
            asyncio.run(drain_async(pieces()))
    assert contents(received) == ["whole"]


@pytest.mark.parametrize("client", ["httpx", "httpx async", "requests", "aiohttp"])
def test_a_non_2xx_body_that_never_ends_is_read_up_to_64_kib(backend, client):
    # An error page streamed forever must not be read without bound before APIStatusError.
    route = Endless(first=b"<html>overloaded", tick=b"<p>" * 1365)

    def status(route: Any) -> Any:
        def wrapped(request: Request, writer: Writer) -> None:
            writer.start(503, [("Content-Type", "application/json")])
            writer.write(route.first)
            deadline = time.monotonic() + WAIT
            while not writer.disconnected and time.monotonic() < deadline:
                writer.write(route.tick)
                time.sleep(0.001)
            if writer.disconnected:
                route.left.set()

        return wrapped

    async def with_httpx(url: str) -> None:
        async with httpx.AsyncClient() as http, http.stream("GET", url) as response:
            [c async for c in aiter_chunks(response, backend=backend)]

    with Server(status(route)) as server, pytest.raises(APIStatusError) as caught:
        if client == "httpx":
            with httpx.Client() as http, http.stream("GET", server.url) as response:
                list(iter_chunks(response, backend=backend))
        elif client == "httpx async":
            asyncio.run(with_httpx(server.url))
        elif client == "requests":
            list(iter_chunks(get(server.url), backend=backend))
        else:
            asyncio.run(aiohttp_chunks(server.url, backend))
    assert caught.value.status_code == 503
    body = caught.value.body
    assert isinstance(body, str) and body.startswith("<html>overloaded")
    assert len(body.encode()) <= 64 * 1024
    assert route.left.wait(WAIT)  # and the connection was closed
