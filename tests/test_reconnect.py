"""reconnecting_sse / areconnecting_sse against a real HTTP server on 127.0.0.1.

Each test scripts the server's answer to each request (`Script`); past the script every request
gets 204, which ends the client's iteration, so no test can loop for long. Every route sends
`retry:` first (10-60 ms instead of the default 3 s); timings are asserted as lower bounds (a
sleep never ends early) and orderings, never as tight windows. Each test runs sync and async.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from collections.abc import Iterator
from typing import Any, Callable

import httpx
import pytest

from ssejet import APIStatusError, EventTooLargeError, SSEError
from ssejet._cli.server import Request, Server, Writer
from ssejet._transport.reconnect import areconnecting_sse, reconnecting_sse

SSE = [("Content-Type", "text/event-stream")]
WAIT = 5.0  # the client's timeout, and the longest a whole run may take
# One TLS context for all clients: httpx builds one per client by default, ~0.03 s each.
TLS = ssl.create_default_context()
Step = Callable[[Writer], None]


class Script:
    """A route answering request n with `steps[n]`, then 204; records when each request came
    and its headers."""

    def __init__(self, *steps: Step) -> None:
        self.steps = steps
        self.times: list[float] = []
        self.headers: list[Any] = []

    def __call__(self, request: Request, writer: Writer) -> None:
        self.times.append(time.monotonic())
        self.headers.append(request.headers)
        n = len(self.headers) - 1
        if n < len(self.steps):
            self.steps[n](writer)
        else:
            writer.start(204, [], chunked=False)

    def header(self, name: str) -> list:
        """`name` as each request sent it (decoded as UTF-8), or None."""
        values = [h.get(name) for h in self.headers]
        return [v if v is None else v.encode("latin-1").decode() for v in values]

    def gaps(self) -> list[float]:
        return [b - a for a, b in zip(self.times, self.times[1:])]


def sends(body: bytes, *, then: str = "end") -> Step:
    """A 200 event stream with `body`, then a clean end of the body or a dropped connection."""

    def step(writer: Writer) -> None:
        writer.start(200, SSE)
        writer.write(body)
        if then == "drop":
            time.sleep(0.005)  # let the client read the body before the connection goes
            writer.drop()

    return step


def answers(status: int, content_type: str, body: bytes) -> Step:
    def step(writer: Writer) -> None:
        writer.start(status, [("Content-Type", content_type)])
        writer.write(body)

    return step


def run(mode: str, url: str, backend: str, *, on_event: Any = None, **kwargs: Any):
    """Every event `mode`'s iterator yields, and the error it ends with (or None)."""
    events: list = []

    def record(event: Any) -> None:
        events.append(event)
        if on_event is not None:
            on_event(event)
        assert len(events) < 50, "runaway stream"

    if mode == "sync":
        with httpx.Client(timeout=WAIT, verify=TLS) as client:
            try:
                for event in reconnecting_sse(client, "GET", url, backend=backend, **kwargs):
                    record(event)
            except Exception as error:
                return events, error
        return events, None

    async def main() -> Any:
        async with httpx.AsyncClient(timeout=WAIT, verify=TLS) as client:
            try:
                async for event in areconnecting_sse(client, "GET", url, backend=backend, **kwargs):
                    record(event)
            except Exception as error:
                return error
        return None

    error = asyncio.run(asyncio.wait_for(main(), WAIT))
    return events, error


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def shared() -> Iterator[Server]:
    """One server for the module (closing one takes up to 50 ms); each test sets its route."""
    with Server(Script()) as server:
        yield server


@pytest.fixture
def serve(shared: Server) -> Callable[[Script], str]:
    """Routes the shared server's requests to a test's script; gives the URL."""

    def serve(script: Script) -> str:
        shared.route = script
        return shared.url

    return serve


def test_a_connection_dropped_mid_event_resumes_from_the_last_complete_event(serve, backend, mode):
    script = Script(
        sends(b"retry: 10\nid: 1\ndata: one\n\nid: 2\ndata: two\n\nid: 3\ndata: thr", then="drop"),
        sends(b"id: 3\ndata: three\n\n", then="drop"),
    )
    caller = {"X-Caller": "kept", "Accept": "application/json"}
    events, error = run(mode, serve(script), backend, headers=caller)
    assert error is None
    assert [e.data for e in events] == ["one", "two", "three"]  # never the partial "thr"
    assert script.header("Last-Event-ID") == [None, "2", "3"]
    assert script.header("Accept") == ["text/event-stream"] * 3
    assert script.header("Cache-Control") == ["no-store"] * 3
    assert script.header("X-Caller") == ["kept"] * 3
    assert caller == {"X-Caller": "kept", "Accept": "application/json"}  # never mutated


def test_a_body_that_ends_cleanly_reconnects_with_the_last_event_id(serve, backend, mode):
    script = Script(
        sends("retry: 10\nid: é1\ndata: one\n\n".encode()),
        sends(b"data: two\n\n"),  # no id: the last event ID stays
        sends(b"id\ndata: three\n\n"),  # an empty id: no Last-Event-ID any more
    )
    events, error = run(mode, serve(script), backend)
    assert error is None
    assert [(e.data, e.id) for e in events] == [("one", "é1"), ("two", "é1"), ("three", "")]
    assert script.header("Last-Event-ID") == [None, "é1", "é1", None]


def test_a_caller_last_event_id_is_sent_until_the_stream_gives_one(serve, backend, mode):
    script = Script(sends(b"retry: 10\ndata: one\n\n"), sends(b"id: 7\ndata: two\n\n"))
    events, error = run(mode, serve(script), backend, headers={"Last-Event-ID": "5"})
    assert (error, [e.data for e in events]) == (None, ["one", "two"])
    assert script.header("Last-Event-ID") == ["5", "5", "7"]


def test_204_ends_the_stream_quietly(serve, backend, mode):
    script = Script()
    assert run(mode, serve(script), backend) == ([], None)
    assert len(script.times) == 1


@pytest.mark.parametrize(
    "answer, expected",
    [
        (answers(500, "application/json", b'{"error": "boom"}'), APIStatusError),
        (answers(200, "text/html", b"<p>sign in"), SSEError),
    ],
    ids=["500", "html"],
)
def test_an_error_status_or_a_wrong_content_type_fails_without_reconnecting(
    serve, backend, mode, answer, expected
):
    script = Script(sends(b"retry: 10\nid: 1\ndata: one\n\n"), answer)
    events, error = run(mode, serve(script), backend)
    assert [e.data for e in events] == ["one"]
    assert type(error) is expected
    if expected is APIStatusError:
        assert (error.status_code, error.body) == (500, {"error": "boom"})
    assert len(script.times) == 2


def test_an_event_too_large_raises_without_reconnecting(serve, backend, mode):
    script = Script(sends(b"retry: 10\ndata: ok\n\ndata: " + b"x" * 100 + b"\n\ndata: after\n\n"))
    events, error = run(mode, serve(script), backend, max_event_size=50)
    assert [e.data for e in events] == ["ok", "after"]  # the events of that read, then the error
    assert isinstance(error, EventTooLargeError)
    assert len(script.times) == 1


def test_the_wait_is_the_streams_retry_value(serve, backend, mode):
    script = Script(sends(b"retry: 120\ndata: one\n\n"), sends(b"retry: 10\ndata: two\n\n"))
    events, error = run(mode, serve(script), backend)
    assert (error, [e.data for e in events]) == (None, ["one", "two"])
    slow, fast = script.gaps()
    assert slow >= 0.12 and fast >= 0.01
    assert fast < slow / 2  # the second wait follows the new retry value
    assert slow < 0.12 * 1.25 + 1.0  # jitter adds at most 25% (+ slack for a busy machine)


def test_failures_in_a_row_back_off_and_an_event_resets_them(serve, backend, mode):
    script = Script(
        sends(b"retry: 40\n\ndata: par", then="drop"),
        sends(b"data: par", then="drop"),
        sends(b"data: one\n\ndata: par", then="drop"),
    )
    events, error = run(mode, serve(script), backend)
    assert (error, [e.data for e in events]) == (None, ["one"])
    first, second, after_event = script.gaps()
    assert first >= 0.04 and second >= 0.08 and after_event >= 0.04
    assert after_event < second  # the event reset the backoff to the plain retry


@pytest.mark.parametrize("max_retries", [0, 2])
def test_max_retries_failures_in_a_row_raise_the_last_error(serve, backend, mode, max_retries):
    drop = sends(b"retry: 10\n\ndata: partial", then="drop")
    script = Script(*[drop] * 10)
    events, error = run(mode, serve(script), backend, max_retries=max_retries)
    assert events == []
    assert isinstance(error, httpx.RemoteProtocolError)
    assert len(script.times) == max_retries + 1


def test_a_refused_reconnection_counts_as_a_failure(backend, mode):
    # A close-delimited body: the server closes that connection, and then its listening socket.
    script = Script(
        lambda w: (w.start(200, SSE, chunked=False), w.write(b"retry: 10\ndata: a\n\n"))
    )
    server = Server(script)
    try:
        events, error = run(
            mode, server.url, backend, max_retries=2, on_event=lambda e: server.close()
        )
    finally:
        server.close()
    assert [e.data for e in events] == ["a"]
    assert isinstance(error, httpx.ConnectError)


def test_a_clean_end_after_max_retries_ends_the_iteration(serve, backend, mode):
    script = Script(sends(b"retry: 10\ndata: one\n\n"), sends(b": nothing\n\n"))
    events, error = run(mode, serve(script), backend, max_retries=1)
    assert (error, [e.data for e in events]) == (None, ["one"])
    assert len(script.times) == 2


@pytest.mark.parametrize("max_retries", [-1, 1.5, True])
def test_a_bad_max_retries_raises_at_the_call(max_retries):
    client = httpx.Client(verify=TLS)
    with pytest.raises(ValueError, match="max_retries"):
        reconnecting_sse(client, "GET", "http://127.0.0.1:9", max_retries=max_retries)
    with pytest.raises(ValueError, match="max_retries"):
        areconnecting_sse(client, "GET", "http://127.0.0.1:9", max_retries=max_retries)
    client.close()


def test_stopping_early_closes_the_connection(serve, backend, mode):
    left = threading.Event()

    def endless(writer: Writer) -> None:
        writer.start(200, SSE)
        deadline = time.monotonic() + WAIT
        while not writer.disconnected and time.monotonic() < deadline:
            writer.write(b"retry: 10\ndata: tick\n\n")
            time.sleep(0.002)
        if writer.disconnected:
            left.set()

    url = serve(Script(endless))
    if mode == "sync":
        with httpx.Client(timeout=WAIT, verify=TLS) as client:
            stream = reconnecting_sse(client, "GET", url, backend=backend)
            assert next(stream).data == "tick"
            stream.close()
            assert left.wait(WAIT)  # before the client closes its pool
    else:

        async def main() -> bool:
            async with httpx.AsyncClient(timeout=WAIT, verify=TLS) as client:
                stream = areconnecting_sse(client, "GET", url, backend=backend)
                assert (await stream.__anext__()).data == "tick"
                await stream.aclose()  # type: ignore[attr-defined]
                return await asyncio.to_thread(left.wait, WAIT)

        assert asyncio.run(asyncio.wait_for(main(), WAIT * 2))
