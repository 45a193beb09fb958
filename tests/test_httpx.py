"""The httpx layer over `httpx.MockTransport`: bodies delivered in exact pieces, sync and async.

Every test runs on both backends (`backend`) and through both the sync and async iterators
(`mode`). `Body` is a response stream that hands out the given pieces one read at a time and
records how much was read and whether httpx closed it.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import sys
import zlib
from typing import Any

import httpx
import pytest
from conftest import splittings

import ssejet as sse_httpx
from ssejet import (
    APIStatusError,
    ChunkDecodeError,
    ChunkDecoder,
    EventSource,
    EventTooLargeError,
    SSEDecoder,
    SSEError,
    StreamAPIError,
    accumulate,
    aconnect_sse,
    connect_sse,
)

URL = "http://llm.test/v1/chat/completions"
SSE = {"Content-Type": "text/event-stream"}


class Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body read in exactly these pieces, then `error` raised if given; `hang`
    makes async iteration wait forever after the pieces (to be cancelled)."""

    def __init__(self, pieces: list[bytes], error: Exception | None = None, hang: bool = False):
        self.pieces = pieces
        self.error = error
        self.hang = hang
        self.bytes_read = 0
        self.closed = False

    def __iter__(self):
        for piece in self.pieces:
            self.bytes_read += len(piece)
            yield piece
        if self.error is not None:
            raise self.error

    async def __aiter__(self):
        for piece in self.pieces:
            self.bytes_read += len(piece)
            yield piece
        if self.hang:
            await asyncio.Event().wait()
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def transport(bodies, *, status=200, headers=SSE, seen=None) -> httpx.MockTransport:
    """Answers each request with the next body of `bodies` (a Body, or an iterable of them)."""
    queue = iter([bodies]) if isinstance(bodies, Body) else iter(bodies)

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, headers=headers, stream=next(queue))

    return httpx.MockTransport(handler)


class Run:
    """What one iteration gave: the items, the exception that ended it (or None), and whether
    the response was closed before the `client.stream()` block ended."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.error: BaseException | None = None
        self.closed_by_iterator = False


def run_many(mode: str, kind: str, bodies, backend: str, *, status=200, headers=SSE, **options):
    """Iterates `iter_<kind>` / `aiter_<kind>` over a response for each body."""
    bodies = [bodies] if isinstance(bodies, Body) else list(bodies)
    mock = transport(bodies, status=status, headers=headers)
    runs = []
    if mode == "sync":
        iterate = getattr(sse_httpx, f"iter_{kind}")
        with httpx.Client(transport=mock) as client:
            for _ in bodies:
                run = Run()
                with client.stream("GET", URL) as response:
                    try:
                        for item in iterate(response, backend=backend, **options):
                            run.items.append(item)
                    except Exception as error:
                        run.error = error
                    run.closed_by_iterator = response.is_closed
                runs.append(run)
        return runs

    aiterate = getattr(sse_httpx, f"aiter_{kind}")

    async def main() -> None:
        async with httpx.AsyncClient(transport=mock) as client:
            for _ in bodies:
                run = Run()
                async with client.stream("GET", URL) as response:
                    try:
                        async for item in aiterate(response, backend=backend, **options):
                            run.items.append(item)
                    except Exception as error:
                        run.error = error
                    run.closed_by_iterator = response.is_closed
                runs.append(run)

    asyncio.run(main())
    return runs


def run_one(mode, kind, body, backend, **kwargs) -> Run:
    (run,) = run_many(mode, kind, [body], backend, **kwargs)
    return run


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


def sse_of(backend: str, stream: bytes) -> list:
    decoder = SSEDecoder(backend=backend)
    return decoder.feed(stream) + decoder.close()


def chunks_of(backend: str, stream: bytes) -> list:
    decoder = ChunkDecoder(backend=backend)
    return decoder.feed(stream) + decoder.close()


def chunk(content: str | None = None, **delta: Any) -> bytes:
    """An Ark/Doubao-shaped chunk event."""
    if content is not None:
        delta["content"] = content
    payload = {
        "choices": [{"delta": dict(delta, role="assistant"), "index": 0}],
        "created": 1742631211,
        "id": "021742631211397a4b5c6d7e8f9",
        "model": "doubao-1-5-pro-32k-250115",
        "service_tier": "default",
        "object": "chat.completion.chunk",
        "usage": None,
    }
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"


# Framing hazards in a few events: BOM, CRLF, CR, a comment, id/retry, multi-byte text.
EVENTS = (
    b"\xef\xbb\xbf: keep-alive\r\n\r\n"
    b"id: 1\r\nretry: 1500\r\ndata: \xe4\xbd\xa0\xe5\xa5\xbd\r\n\r\n"
    b"event: update\rdata: a\rdata: b\r\rdata:\xf0\x9f\x8e\x89\n\n"
)
CHUNKS = (
    b": keep-alive\n\n"
    + chunk("", reasoning_content="想一想")
    + chunk("你好")
    + chunk("!").replace(b"data: ", b"data:")
    + b'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}\n\n'
    + b"data: [DONE]\n\n"
)


def test_events_are_the_same_whatever_the_read_boundaries(backend, mode):
    expected = sse_of(backend, EVENTS)
    assert len(expected) == 3
    bodies = [Body(pieces) for pieces in splittings(EVENTS)]
    for run in run_many(mode, "sse", bodies, backend):
        assert run.error is None
        assert run.items == expected
        assert run.closed_by_iterator


def test_chunks_are_the_same_whatever_the_read_boundaries(backend, mode):
    expected = chunks_of(backend, CHUNKS)
    assert [c.choices[0].delta.content for c in expected[:3]] == ["", "你好", "!"]
    assert expected[0].choices[0].delta.reasoning_content == "想一想"
    assert expected[-1].usage.total_tokens == 5
    bodies = [Body(pieces) for pieces in splittings(CHUNKS, every_index=False)]
    for run in run_many(mode, "chunks", bodies, backend):
        assert run.error is None
        assert run.items == expected
        assert run.closed_by_iterator


def test_the_backend_keyword_chooses_the_decoder(backend, mode):
    module = "ssejet._ssejet" if backend == "rust" else "ssejet._models"
    run = run_one(mode, "sse", Body([b"data: x\n\n"]), backend)
    assert [type(event).__module__ for event in run.items] == [module]


def test_the_event_iterators_go_on_after_done(backend, mode):
    body = b"data: [DONE]\n\ndata: after\n\n"
    assert [event.data for event in run_one(mode, "sse", Body([body]), backend).items] == [
        "[DONE]",
        "after",
    ]


@pytest.mark.parametrize(
    "tail", [b"data: b", b"data: b\n", b"event: x\n", b"id: 7\n", b"retry: 5", b"data"]
)
def test_a_body_ending_mid_event_raises_after_the_complete_events(backend, mode, tail):
    run = run_one(mode, "sse", Body([b"data: a\n\n" + tail]), backend)
    assert [event.data for event in run.items] == ["a"]
    assert isinstance(run.error, SSEError) and str(run.error) == "stream ended mid-event"
    assert run.closed_by_iterator
    run = run_one(mode, "chunks", Body([chunk("a") + chunk("b")[:-1]]), backend)
    assert [c.choices[0].delta.content for c in run.items] == ["a"]
    assert isinstance(run.error, SSEError) and str(run.error) == "stream ended mid-event"


@pytest.mark.parametrize("tail", [b"", b": comment", b"x-unknown: 1\n", b"dat", b"\n"])
def test_a_body_ending_between_events_or_in_a_comment_is_no_truncation(backend, mode, tail):
    run = run_one(mode, "sse", Body([b"data: a\n\n" + tail]), backend)
    assert [event.data for event in run.items] == ["a"] and run.error is None


@pytest.mark.parametrize("tail", [b"data: [DONE]", b"data: [DONE]\n", b"data: [DONE]\r"])
def test_a_done_cut_off_before_its_blank_line_still_ends_the_chunks(backend, mode, tail):
    run = run_one(mode, "chunks", Body([chunk("a") + tail]), backend)
    assert [c.choices[0].delta.content for c in run.items] == ["a"] and run.error is None


@pytest.mark.parametrize(
    "content_type",
    ["text/event-stream; charset=iso-8859-1", "text/event-stream;charset=windows-1252"],
)
def test_bytes_are_utf8_whatever_the_charset_says(backend, mode, content_type):
    run = run_one(mode, "sse", Body([b"data: caf\xc3\xa9 \xe4\xbd\xa0\n\n"]), backend,
                  headers={"Content-Type": content_type})  # fmt: skip
    assert [event.data for event in run.items] == ["café 你"]


@pytest.mark.parametrize(
    "content_type",
    [
        "TEXT/EVENT-STREAM",
        "Text/Event-Stream ; charset=utf-8",
        " text/event-stream",
        "application/json, text/event-stream; charset=utf-8",  # a list, as NVIDIA Triton sends
    ],
)
def test_the_media_type_is_matched_without_case_or_parameters(backend, mode, content_type):
    run = run_one(mode, "sse", Body([b"data: x\n\n"]), backend,
                  headers={"Content-Type": content_type})  # fmt: skip
    assert run.error is None
    assert [event.data for event in run.items] == ["x"]


@pytest.mark.parametrize("kind", ["sse", "chunks"])
def test_a_missing_content_type_is_an_error_quoting_the_body(backend, mode, kind):
    body = Body([b"<html><body>Gateway ", b"says hi</body></html>"])
    run = run_one(mode, kind, body, backend, headers={})
    assert type(run.error) is SSEError
    message = str(run.error)
    assert "no Content-Type" in message
    assert "<html><body>Gateway says hi</body></html>" in message
    assert run.items == []
    assert run.closed_by_iterator


@pytest.mark.parametrize(
    "content_type", ["text/html; charset=utf-8", "application/json", "text/event-streamer"]
)
def test_a_2xx_that_is_not_an_event_stream_is_an_sse_error(backend, mode, content_type):
    run = run_one(mode, "sse", Body([b'{"data": "x"}']), backend,
                  headers={"Content-Type": content_type})  # fmt: skip
    assert type(run.error) is SSEError
    assert repr(content_type) in str(run.error)
    assert '{"data": "x"}' in str(run.error)
    assert run.items == []
    assert run.closed_by_iterator


def test_an_empty_non_sse_body_is_said_so(backend, mode):
    run = run_one(mode, "sse", Body([]), backend, headers={})
    assert str(run.error).endswith("the body is empty")


@pytest.mark.parametrize("kind", ["sse", "chunks"])
def test_a_non_2xx_status_raises_api_status_error_with_the_json_body(backend, mode, kind):
    error = {"error": {"message": "The API key is invalid", "type": "Unauthorized", "code": 401}}
    text = json.dumps(error).encode()
    body = Body([text[:10], text[10:]])
    run = run_one(
        mode, kind, body, backend, status=401, headers={"Content-Type": "application/json"}
    )
    assert isinstance(run.error, APIStatusError)
    assert run.error.status_code == 401
    assert run.error.body == error
    assert run.error.response.status_code == 401
    assert "401 Unauthorized" in str(run.error)
    assert "The API key is invalid" in str(run.error)
    assert run.items == []
    assert body.bytes_read == len(text)  # read in full


@pytest.mark.parametrize(
    ("status", "content", "expected"),
    [
        (502, b"<html>bad gateway</html>", "<html>bad gateway</html>"),
        (500, b"", ""),
        (429, b"\xe8\xaf\xb7\xe6\xb1\x82\xe8\xbf\x87\xe5\xa4\x9a", "请求过多"),
    ],
)
def test_a_non_json_error_body_is_text(backend, mode, status, content, expected):
    # Even when the error response claims to be an event stream.
    run = run_one(mode, "sse", Body([content]), backend, status=status,
                  headers={"Content-Type": "text/event-stream; charset=utf-8"})  # fmt: skip
    assert isinstance(run.error, APIStatusError)
    assert (run.error.status_code, run.error.body) == (status, expected)
    if not content:
        assert str(run.error).endswith("with an empty body")


def test_event_too_large_yields_the_good_events_then_raises(backend, mode):
    stream = b"data: one\n\ndata: " + b"x" * 100 + b"\n\ndata: two\n\n"
    run = run_one(mode, "sse", Body([stream, b"data: never\n\n"]), backend, max_event_size=50)
    assert isinstance(run.error, EventTooLargeError)
    assert run.error.limit == 50
    assert [event.data for event in run.items] == ["one", "two"]
    assert run.closed_by_iterator


def test_event_too_large_yields_the_good_chunks_then_raises(backend, mode):
    big = b"data: " + b"x" * 500 + b"\n\n"
    run = run_one(
        mode, "chunks", Body([chunk("a") + big + chunk("b")]), backend, max_event_size=400
    )
    assert isinstance(run.error, EventTooLargeError)
    assert [c.choices[0].delta.content for c in run.items] == ["a", "b"]


def test_a_stream_error_yields_the_chunks_before_it_then_raises(backend, mode):
    error = b'data: {"error": {"message": "overloaded", "code": 503, "type": "server"}}\n\n'
    body = Body([chunk("a"), chunk("b") + error + chunk("never"), chunk("never")])
    run = run_one(mode, "chunks", body, backend)
    assert isinstance(run.error, StreamAPIError)
    assert (run.error.message, run.error.code, run.error.type) == ("overloaded", 503, "server")
    assert [c.choices[0].delta.content for c in run.items] == ["a", "b"]
    assert run.closed_by_iterator


def test_an_error_event_raises_stream_api_error(backend, mode):
    body = Body([chunk("a") + b"event: error\ndata: upstream went away\n\n"])
    run = run_one(mode, "chunks", body, backend)
    assert isinstance(run.error, StreamAPIError)
    assert run.error.message == "upstream went away"
    assert len(run.items) == 1


def test_a_bad_payload_yields_the_chunks_before_it_then_raises(backend, mode):
    run = run_one(mode, "chunks", Body([chunk("a") + b"data: {not json\n\n" + chunk("b")]), backend)
    assert isinstance(run.error, ChunkDecodeError)
    assert run.error.data == "{not json"
    assert [c.choices[0].delta.content for c in run.items] == ["a"]


def test_what_follows_done_is_read_to_the_end_when_short(backend, mode):
    tail = [b"data: after\n\n"] * 100 + [b": bye\n\n"]
    body = Body([CHUNKS, *tail])
    run = run_one(mode, "chunks", body, backend)
    assert run.items == chunks_of(backend, CHUNKS)
    assert body.bytes_read == len(CHUNKS) + sum(map(len, tail))
    assert run.closed_by_iterator


def test_at_most_64_kib_is_read_after_done(backend, mode):
    body = Body([CHUNKS] + [b"data: after\n\n" + b": " + b"p" * 1010 + b"\n\n"] * 1000)
    run = run_one(mode, "chunks", body, backend)
    assert run.error is None
    assert run.items == chunks_of(backend, CHUNKS)
    assert 64 * 1024 <= body.bytes_read - len(CHUNKS) < 64 * 1024 + 1100
    assert run.closed_by_iterator
    assert body.closed


@pytest.mark.parametrize("kind", ["sse", "chunks"])
def test_breaking_out_closes_the_response(backend, kind):
    body = Body([chunk(str(i)) for i in range(10)])
    with httpx.Client(transport=transport(body)) as client, client.stream("GET", URL) as response:
        for _ in getattr(sse_httpx, f"iter_{kind}")(response, backend=backend):
            break
        assert response.is_closed
        assert body.closed
    assert body.bytes_read < sum(map(len, body.pieces))


@pytest.mark.parametrize("kind", ["sse", "chunks"])
def test_breaking_out_of_an_async_iterator_closes_the_response(backend, kind):
    async def main() -> None:
        for explicit in (True, False):
            body = Body([chunk(str(i)) for i in range(10)])
            client = httpx.AsyncClient(transport=transport(body))
            async with client, client.stream("GET", URL) as response:
                events = getattr(sse_httpx, f"aiter_{kind}")(response, backend=backend)
                async for _ in events:
                    break
                if explicit:
                    await events.aclose()
                else:  # the event loop's async-generator finalizer closes it
                    del events
                    for _ in range(5):
                        await asyncio.sleep(0)
                assert response.is_closed
                assert body.closed

    asyncio.run(main())


@pytest.mark.parametrize("kind", ["sse", "chunks"])
def test_cancelling_an_async_iterator_closes_the_response(backend, kind):
    async def main() -> None:
        body = Body([chunk("a")], hang=True)
        received = []
        client = httpx.AsyncClient(transport=transport(body))
        async with client, client.stream("GET", URL) as response:
            items = getattr(sse_httpx, f"aiter_{kind}")(response, backend=backend)

            async def consume() -> None:
                async for item in items:
                    received.append(item)

            task = asyncio.ensure_future(consume())
            while not received:
                await asyncio.sleep(0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert response.is_closed
            assert body.closed

    asyncio.run(asyncio.wait_for(main(), 10))


@pytest.mark.parametrize("kind", ["sse", "chunks"])
def test_a_transport_error_mid_event_propagates_without_the_partial_event(backend, mode, kind):
    body = Body([chunk("a"), chunk("partial")[:40]], error=httpx.ReadError("connection reset"))
    run = run_one(mode, kind, body, backend)
    assert isinstance(run.error, httpx.ReadError)
    assert len(run.items) == 1
    assert run.closed_by_iterator


def test_a_gzip_body_is_decoded_at_any_read_boundary(backend, mode):
    compressed = gzip.compress(CHUNKS)
    headers = {**SSE, "Content-Encoding": "gzip"}
    for kind, expected in (
        ("sse", sse_of(backend, CHUNKS)),
        ("chunks", chunks_of(backend, CHUNKS)),
    ):
        bodies = [Body(pieces) for pieces in splittings(compressed, every_index=False)]
        for run in run_many(mode, kind, bodies, backend, headers=headers):
            assert run.error is None
            assert run.items == expected


def test_a_deflate_stream_flushed_per_event_decodes_as_it_arrives(backend, mode):
    compressor = zlib.compressobj()
    pieces = [
        compressor.compress(chunk(str(i))) + compressor.flush(zlib.Z_SYNC_FLUSH) for i in range(5)
    ]
    pieces.append(compressor.flush())
    run = run_one(
        mode, "chunks", Body(pieces), backend, headers={**SSE, "Content-Encoding": "deflate"}
    )
    assert [c.choices[0].delta.content for c in run.items] == ["0", "1", "2", "3", "4"]


def test_a_response_already_read_is_decoded_too(backend):
    with httpx.Client(transport=transport(Body([EVENTS[:7], EVENTS[7:]]))) as client:
        response = client.get(URL)
    assert list(sse_httpx.iter_sse(response, backend=backend)) == sse_of(backend, EVENTS)

    async def main() -> list:
        async with httpx.AsyncClient(transport=transport(Body([CHUNKS]))) as client:
            response = await client.get(URL)
        return [c async for c in sse_httpx.aiter_chunks(response, backend=backend)]

    assert asyncio.run(main()) == chunks_of(backend, CHUNKS)


def test_a_consumed_response_cannot_be_iterated_twice(backend):
    client = httpx.Client(transport=transport(Body([EVENTS])))
    with client, client.stream("GET", URL) as response:
        list(sse_httpx.iter_sse(response, backend=backend))
        with pytest.raises(httpx.StreamError):
            list(sse_httpx.iter_sse(response, backend=backend))


def test_connect_sse_asks_for_an_event_stream_without_touching_the_callers_headers(backend):
    seen: list[httpx.Request] = []
    headers = {"Authorization": "Bearer k", "Accept": "application/json"}
    before = dict(headers)
    bodies = [Body([CHUNKS]) for _ in range(3)]
    with httpx.Client(transport=transport(bodies, seen=seen), headers={"X-Client": "1"}) as client:
        with connect_sse(client, "POST", URL, headers=headers, json={"stream": True},
                         backend=backend) as source:  # fmt: skip
            assert isinstance(source, EventSource)
            assert list(source.iter_chunks()) == chunks_of(backend, CHUNKS)
        case_headers = httpx.Headers({"accept": "*/*"})
        with connect_sse(client, "GET", URL, headers=case_headers, params={"a": "1"}) as source:
            list(source.iter_sse())
        with connect_sse(client, "GET", URL) as source:
            list(source.iter_sse())
    assert headers == before
    assert case_headers == httpx.Headers({"accept": "*/*"})
    for request in seen:
        assert request.headers["Accept"] == "text/event-stream"
        assert request.headers["Cache-Control"] == "no-store"
        assert request.headers["X-Client"] == "1"
    assert seen[0].headers["Authorization"] == "Bearer k"
    assert json.loads(seen[0].content) == {"stream": True}
    assert seen[1].url.params["a"] == "1"


def test_aconnect_sse_does_the_same_asynchronously(backend):
    seen: list[httpx.Request] = []
    headers = {"Authorization": "Bearer k"}

    async def main() -> tuple:
        bodies = [Body([CHUNKS]), Body([CHUNKS])]
        async with httpx.AsyncClient(transport=transport(bodies, seen=seen)) as client:
            async with aconnect_sse(
                client, "POST", URL, headers=headers, backend=backend
            ) as source:
                chunks = [c async for c in source.aiter_chunks()]
            async with aconnect_sse(client, "GET", URL, backend=backend) as source:
                events = [e async for e in source.aiter_sse()]
            return chunks, events, source.response

    chunks, events, response = asyncio.run(main())
    assert chunks == chunks_of(backend, CHUNKS)
    assert events == sse_of(backend, CHUNKS)
    assert response.is_closed
    assert headers == {"Authorization": "Bearer k"}
    assert [r.headers["Accept"] for r in seen] == ["text/event-stream"] * 2
    assert [r.headers["Cache-Control"] for r in seen] == ["no-store"] * 2


def test_connect_sse_leaves_the_status_to_the_iterators(backend):
    # As httpx-sse since 0.3: the response can be inspected before iterating.
    body = Body([b'{"error": {"message": "nope"}}'])
    mock = transport(body, status=403, headers={"Content-Type": "application/json"})
    client = httpx.Client(transport=mock)
    with client, connect_sse(client, "GET", URL, backend=backend) as source:
        assert source.response.status_code == 403
        with pytest.raises(APIStatusError) as raised:
            next(source.iter_chunks())
    assert raised.value.body == {"error": {"message": "nope"}}
    assert isinstance(raised.value, SSEError)


def test_without_httpx_the_import_error_says_what_to_install():
    code = (
        "import sys; sys.modules['httpx'] = None\n"
        "import ssejet\n"
        "try:\n"
        "    with ssejet.connect_sse(object(), 'GET', 'http://llm.test/'):\n"
        "        pass\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert 'pip install "ssejet[httpx]"' in result.stdout


def test_every_real_capture_streams_to_its_expected_result(backend, mode, corpus):
    records = [json.loads(line) for line in (corpus / "expected.jsonl").read_text().splitlines()]
    bodies, names = [], []
    for record in records:
        data = (corpus / record["file"]).read_bytes()
        for pieces in list(splittings(data, every_index=False, seed=len(data)))[-2:]:
            bodies.append(Body(pieces))
            names.append(record["file"])
    by_name = {record["file"]: record for record in records}
    for name, run in zip(names, run_many(mode, "chunks", bodies, backend)):
        want = by_name[name]
        message = accumulate(run.items).choices[0].message if run.items else None
        assert len(run.items) == want["chunks"], name
        assert (message.content if message else None) == want["content"], name
        assert (message.reasoning_content if message else None) == want["reasoning_content"], name
        if want["error"] is None:
            assert run.error is None, name
        else:
            assert isinstance(run.error, StreamAPIError), name
            assert (run.error.message, run.error.code) == (
                want["error"]["message"],
                want["error"]["code"],
            ), name
        assert run.closed_by_iterator
