"""Code written for httpx-sse runs unchanged with ssejet in its place.

Each `program_*` below is user code in the style httpx-sse's documentation teaches (quickstart,
calling an ASGI app, reconnecting with Last-Event-ID and retry, checking the status through
`event_source.response`, the content-type error), written against a module `sse` that offers
httpx-sse's names. The `sse` fixture hands them ssejet (on each backend, made the default so the
programs stay unchanged); `test_httpx_sse_itself_passes_the_same_tests` runs them on httpx-sse,
when it is installed, which proves they describe httpx-sse's real behaviour. The last tests
cover where ssejet deliberately differs: where httpx-sse breaks the spec.
"""

from __future__ import annotations

import asyncio
import json
import time
import types
from typing import ClassVar

import httpx
import pytest

import ssejet
from ssejet import _backend

URL = "http://sse.test/sse"


@pytest.fixture
def sse(backend: str, monkeypatch: pytest.MonkeyPatch):
    """ssejet under httpx-sse's public names, with `backend` made the default so that the
    programs run unchanged."""
    monkeypatch.setattr(_backend, "default", backend)
    return types.SimpleNamespace(
        connect_sse=ssejet.connect_sse,
        aconnect_sse=ssejet.aconnect_sse,
        EventSource=ssejet.EventSource,
        ServerSentEvent=ssejet.ServerSentEvent,
        SSEError=ssejet.SSEError,
    )


class Pieces(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body in these pieces, optionally ending in a transport error."""

    def __init__(self, pieces: list[bytes], error: Exception | None = None) -> None:
        self.pieces, self.error = pieces, error

    def __iter__(self):
        yield from self.pieces
        if self.error is not None:
            raise self.error

    async def __aiter__(self):
        for piece in self.pieces:
            yield piece
        if self.error is not None:
            raise self.error


def mock(body: bytes | list[bytes], status: int = 200, content_type: str = "text/event-stream"):
    pieces = body if isinstance(body, list) else [body]
    return httpx.MockTransport(
        lambda request: httpx.Response(
            status, headers={"Content-Type": content_type}, stream=Pieces(pieces)
        )
    )


NUMBERS = b"".join(b"data: %d\r\n\r\n" % i for i in range(1, 6))


def program_quickstart(sse, client):
    seen = []
    with sse.connect_sse(client, "GET", URL) as event_source:
        for event in event_source.iter_sse():
            seen.append((event.event, event.data, event.id, event.retry))
    return seen


def test_the_quickstart_loop(sse):
    body = [NUMBERS[:13], NUMBERS[13:20], NUMBERS[20:]]
    with httpx.Client(transport=mock(body)) as client:
        seen = program_quickstart(sse, client)
    assert seen == [("message", str(i), "", None) for i in range(1, 6)]


async def login_app(scope, receive, send):
    """A bare ASGI app streaming one named event, like the one httpx-sse's docs call into."""
    assert scope["path"] == "/sse/auth/"
    headers = [(b"content-type", b"text/event-stream; charset=utf-8")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    for part in (b"event: login\r\n", b'data: {"user_id": "4135"}\r\n', b"\r\n"):
        await send({"type": "http.response.body", "body": part, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def program_call_an_asgi_app(sse):
    transport = httpx.ASGITransport(app=login_app)
    client = httpx.AsyncClient(transport=transport)
    async with client, sse.aconnect_sse(client, "GET", "http://localhost:8000/sse/auth/") as source:
        events = [event async for event in source.aiter_sse()]
    (event,) = events
    return event.event, event.json()


def test_calling_into_an_asgi_app(sse):
    assert asyncio.run(program_call_an_asgi_app(sse)) == ("login", {"user_id": "4135"})


class Resumable:
    """A server that drops the connection mid-stream once, then resumes after Last-Event-ID."""

    EVENTS: ClassVar[list[bytes]] = [
        b"retry: 5\nid: %d\ndata: tick %d\n\n" % (i, i) for i in range(6)
    ]

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        last = request.headers.get("Last-Event-ID")
        start = int(last) + 1 if last else 0
        pieces = self.EVENTS[start:]
        error = None
        if len(self.requests) == 1:  # the first connection breaks in the fourth event
            pieces = [*pieces[:3], pieces[3][:9]]
            error = httpx.ReadError("connection reset by peer")
        return httpx.Response(200, headers={"Content-Type": "text/event-stream"},
                              stream=Pieces(pieces, error))  # fmt: skip


def program_reconnect(sse, client, method, url):
    """httpx-sse's reconnection recipe, with a plain loop where the docs use `stamina`."""
    last_event_id = ""
    reconnection_delay = 0.0
    for _attempt in range(3):
        time.sleep(reconnection_delay)
        headers = {"Accept": "text/event-stream"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        try:
            with sse.connect_sse(client, method, url, headers=headers) as event_source:
                for event in event_source.iter_sse():
                    last_event_id = event.id
                    if event.retry is not None:
                        reconnection_delay = event.retry / 1000
                    yield event
            return
        except httpx.ReadError:
            continue


def test_reconnecting_with_last_event_id_and_retry(sse):
    server = Resumable()
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        events = list(program_reconnect(sse, client, "GET", URL))
    assert [(e.id, e.data, e.retry) for e in events] == [(str(i), f"tick {i}", 5) for i in range(6)]
    assert [r.headers.get("Last-Event-ID") for r in server.requests] == [None, "2"]
    assert all(r.headers["Accept"] == "text/event-stream" for r in server.requests)
    assert all(r.headers["Cache-Control"] == "no-store" for r in server.requests)


def program_check_status_first(sse, client):
    with sse.connect_sse(client, "GET", URL) as event_source:
        event_source.response.raise_for_status()
        return [event.data for event in event_source.iter_sse()]


def test_checking_the_status_through_the_response_before_iterating(sse):
    unavailable = mock(b'{"error": "busy"}', status=503, content_type="application/json")
    with httpx.Client(transport=unavailable) as client, pytest.raises(httpx.HTTPStatusError):
        program_check_status_first(sse, client)
    with httpx.Client(transport=mock(NUMBERS)) as client:
        assert program_check_status_first(sse, client) == ["1", "2", "3", "4", "5"]


def program_guarded(sse, client):
    with sse.connect_sse(client, "GET", URL) as event_source:
        opened = True  # connecting does not check the content type; iterating does
        try:
            return opened, [event.data for event in event_source.iter_sse()]
        except sse.SSEError as error:
            return opened, str(error)


@pytest.mark.parametrize("content_type", ["text/html", "application/json"])
def test_a_response_that_is_not_an_event_stream_raises_sse_error_on_iteration(sse, content_type):
    with httpx.Client(transport=mock(b"<p>hello</p>", content_type=content_type)) as client:
        opened, outcome = program_guarded(sse, client)
    assert opened
    assert isinstance(outcome, str)
    assert content_type in outcome


def program_openai_style(sse, client):
    """The loop many LLM clients built on httpx-sse: POST, parse each event, stop at [DONE]."""
    text = []
    payload = {"model": "doubao-1-5-pro-32k-250115", "stream": True, "messages": []}
    headers = {"Authorization": "Bearer sk-test"}
    with sse.connect_sse(client, "POST", URL, json=payload, headers=headers) as event_source:
        for event in event_source.iter_sse():
            if event.data == "[DONE]":
                break
            chunk = event.json()
            if chunk["choices"]:
                text.append(chunk["choices"][0]["delta"].get("content") or "")
    return "".join(text)


def test_an_openai_style_streaming_loop(sse):
    def chunk(content: str) -> bytes:
        choice = {"delta": {"content": content}, "index": 0, "finish_reason": None}
        return b"data: " + json.dumps({"choices": [choice]}).encode() + b"\n\n"

    body = chunk("你") + chunk("好") + b'data: {"choices": [], "usage": {}}\n\ndata: [DONE]\n\n'
    requests = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, headers={"Content-Type": "text/event-stream"},
                              stream=Pieces([body[:7], body[7:50], body[50:]]))  # fmt: skip

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        assert program_openai_style(sse, client) == "你好"
    assert requests[0].headers["Authorization"] == "Bearer sk-test"
    assert json.loads(requests[0].content)["stream"] is True


async def program_event_source_on_a_response(sse, client):
    async with client.stream("GET", URL) as response:
        source = sse.EventSource(response)
        assert source.response is response
        return [(event.event, event.data, event.id) async for event in source.aiter_sse()]


def test_an_event_source_made_from_a_response(sse):
    body = b"event: a\nid: 7\ndata: x\ndata: y\n\ndata: z\n\n"

    async def main() -> list:
        async with httpx.AsyncClient(transport=mock([body[:5], body[5:]])) as client:
            return await program_event_source_on_a_response(sse, client)

    assert asyncio.run(main()) == [("a", "x\ny", "7"), ("message", "z", "7")]
    with httpx.Client(transport=mock(body)) as client, client.stream("GET", URL) as response:
        assert [e.data for e in sse.EventSource(response).iter_sse()] == ["x\ny", "z"]


def test_events_are_the_documented_server_sent_event_type(sse):
    client = httpx.Client(transport=mock(b'data: {"a": [1, 2]}\n\n'))
    with client, sse.connect_sse(client, "GET", URL) as source:
        (event,) = list(source.iter_sse())
    assert isinstance(event, sse.ServerSentEvent)
    assert (event.event, event.id, event.retry) == ("message", "", None)
    assert event.json() == {"a": [1, 2]}


def test_httpx_sse_itself_passes_the_same_tests():
    httpx_sse = pytest.importorskip("httpx_sse", reason="httpx-sse is not installed (bench group)")
    test_the_quickstart_loop(httpx_sse)
    test_calling_into_an_asgi_app(httpx_sse)
    test_reconnecting_with_last_event_id_and_retry(httpx_sse)
    test_checking_the_status_through_the_response_before_iterating(httpx_sse)
    for content_type in ("text/html", "application/json"):
        test_a_response_that_is_not_an_event_stream_raises_sse_error_on_iteration(
            httpx_sse, content_type
        )
    test_an_openai_style_streaming_loop(httpx_sse)
    test_an_event_source_made_from_a_response(httpx_sse)
    test_events_are_the_documented_server_sent_event_type(httpx_sse)


# Where httpx-sse breaks the spec, ssejet follows the spec (these run on ssejet only).
SPEC_FIXES = {
    # httpx-sse dispatches a blank line once an id was set: a phantom event with empty data
    # after every keep-alive comment.
    "no phantom events": (b"id: 1\ndata: a\n\n: keep-alive\n\nid: 2\n\n", "text/event-stream",
                          [("a", "1", None)]),
    # httpx-sse takes retry with int(), which accepts " 5", "+5" and "1_0".
    "retry is ASCII digits only": (b"retry: +5\ndata: a\n\nretry:1_0\ndata: b\n\n",
                                   "text/event-stream", [("a", "", None), ("b", "", None)]),
    # httpx-sse decodes with the charset parameter; the spec says UTF-8, always.
    "utf-8 whatever the charset": ("data: café\n\n".encode(), "text/event-stream; charset=latin-1",
                                   [("café", "", None)]),
}  # fmt: skip


@pytest.mark.parametrize("case", SPEC_FIXES)
def test_where_httpx_sse_breaks_the_spec_ssejet_follows_it(backend, case):
    body, content_type, expected = SPEC_FIXES[case]
    client = httpx.Client(transport=mock(body, content_type=content_type))
    with client, ssejet.connect_sse(client, "GET", URL, backend=backend) as source:
        assert [(e.data, e.id, e.retry) for e in source.iter_sse()] == expected


def test_the_callers_headers_are_left_alone(backend):
    # httpx-sse adds Accept and Cache-Control to the very dict it is given.
    headers = {"Authorization": "Bearer sk-test"}
    client = httpx.Client(transport=mock(b"data: x\n\n"))
    with client, ssejet.connect_sse(client, "GET", URL, headers=headers) as source:
        assert [e.data for e in source.iter_sse()] == ["x"]
    assert headers == {"Authorization": "Bearer sk-test"}
