"""Feed boundaries and complexity: any split gives the same events, and time stays linear.

Timings are only ever compared with each other (n bytes against 2n bytes, best of a few runs),
never with an absolute budget, so a slow or busy machine cannot fail them.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Iterator

import pytest
from conftest import splittings

from ssejet import EventTooLargeError, SSEDecoder


def collect(backend: str, chunks: list[bytes], **kwargs) -> tuple[list[tuple], int]:
    """Feeds every chunk; returns the events as tuples and the number of errors."""
    decoder = SSEDecoder(backend=backend, **kwargs)
    events, errors = [], 0
    for chunk in chunks:
        try:
            got = decoder.feed(chunk)
        except EventTooLargeError as error:
            errors += 1
            got = error.events
        events += [(e.event, e.data, e.id, e.retry) for e in got]
    return events, errors


def realistic_stream() -> tuple[bytes, list[tuple]]:
    """An LLM-style stream written from the events it must decode to: a retry hint, ids,
    comments and keep-alives, named events, multi-line data, CRLF, LF and lone CR line ends,
    multi-byte text, and a final [DONE]."""
    out = [b": connected\r\n\r\n", b"retry: 3000\n"]
    expected = []
    ends = [b"\n", b"\r\n", b"\r"]
    tokens = ["Hel", "lo", ", 世界", " 🎉", "\u00e9\u0301", " done"]
    for i, token in enumerate(tokens):
        end = ends[i % 3]
        payload = json.dumps(
            {"id": "chatcmpl-1", "choices": [{"index": 0, "delta": {"content": token}}]},
            ensure_ascii=False,
        )
        out.append(b"id: %d%s" % (i, end))
        out.append(b"data: " + payload.encode() + end + end)
        expected.append(("message", payload, str(i), 3000 if i == 0 else None))
        if i % 2:
            out.append(b": keep-alive" + end)
    out.append(b'event: tool\r\ndata: {"name":\r\ndata:  "get"}\r\n: mid-event\r\n\r\n')
    expected.append(("tool", '{"name":\n "get"}', "5", None))
    out.append(b"data: [DONE]\n\n")
    expected.append(("message", "[DONE]", "5", None))
    return b"".join(out), expected


def test_the_realistic_stream_decodes_to_what_it_was_written_from(backend):
    stream, expected = realistic_stream()
    assert collect(backend, [stream]) == (expected, 0)


def test_one_byte_feeds_give_the_same_events(backend):
    stream, expected = realistic_stream()
    assert collect(backend, [stream[i : i + 1] for i in range(len(stream))]) == (expected, 0)


def test_a_realistic_stream_split_at_every_index_gives_the_same_events(backend):
    stream, expected = realistic_stream()
    for chunks in splittings(stream):
        assert collect(backend, chunks) == (expected, 0), chunks


def test_a_realistic_stream_split_in_three_anywhere_gives_the_same_events(backend):
    stream, expected = realistic_stream()
    n = len(stream)
    for i in range(0, n + 1, 7):
        for j in range(i, n + 1, 23):
            chunks = [stream[:i], stream[i:j], stream[j:]]
            assert collect(backend, chunks) == (expected, 0), (i, j)


# --- Linear time ------------------------------------------------------------------------------


def _feeds_time(backend: str, data: bytes, limit: int, size: int) -> float:
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    decoder = SSEDecoder(backend=backend, max_event_size=limit)
    feed = decoder.feed
    start = time.perf_counter()
    for chunk in chunks:
        feed(chunk)
    return time.perf_counter() - start


def _best_times(
    backend: str, small: bytes, large: bytes, limit: int, size: int
) -> tuple[float, float]:
    """Best of a few interleaved runs of each input, fed `size` bytes at a time."""
    best_small = best_large = float("inf")
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(4):
            best_small = min(best_small, _feeds_time(backend, small, limit, size))
            best_large = min(best_large, _feeds_time(backend, large, limit, size))
    finally:
        if enabled:
            gc.enable()
    return best_small, best_large


N = 20_000

SHAPES = {
    # name: (stream of about n bytes, max_event_size)
    "one-long-data-line": (lambda n: b"data: " + b"x" * n + b"\n\n", 16 * 1024 * 1024),
    "many-small-events": (lambda n: b"data: x\n\n" * (n // 9), 16 * 1024 * 1024),
    "long-comment-line": (lambda n: b":" + b"x" * n + b"\ndata: ok\n\n", 8),
    "long-unknown-field-line": (lambda n: b"foo: " + b"x" * n + b"\ndata: ok\n\n", 8),
    "long-field-name-without-colon": (lambda n: b"data" + b"x" * n + b"\ndata: ok\n\n", 8),
}


def assert_linear(backend: str, shape: str, n: int, size: int) -> None:
    make, limit = SHAPES[shape]
    small, large = make(n), make(2 * n)
    # Linear time makes the ratio about 2, quadratic about 4. A busy machine can spoil one
    # measurement, so measure again before failing; a quadratic decoder fails every time.
    ratios = []
    for _ in range(3):
        t_small, t_large = _best_times(backend, small, large, limit, size)
        ratios.append(t_large / t_small)
        if ratios[-1] < 3:
            break
    assert min(ratios) < 3, f"time(2n) / time(n) = {', '.join(f'{r:.2f}' for r in ratios)}"


@pytest.mark.parametrize("shape", list(SHAPES))
def test_one_byte_feeds_take_linear_time(backend, shape):
    assert_linear(backend, shape, N, 1)


@pytest.mark.parametrize("shape", [shape for shape in SHAPES if shape != "many-small-events"])
def test_small_feeds_of_a_megabyte_long_line_take_linear_time(backend, shape):
    # With 64-byte feeds the per-call cost is spread over more bytes, so n can be large enough
    # for a rescan of the whole buffered line per feed (even at memchr speed) to show.
    assert_linear(backend, shape, 1024 * 1024, 64)


@pytest.mark.parametrize("shape", ["long-comment-line", "long-unknown-field-line"])
def test_long_ignored_lines_fed_byte_by_byte_never_count_towards_the_limit(backend, shape):
    make, limit = SHAPES[shape]
    stream = make(N)
    assert collect(
        backend, [stream[i : i + 1] for i in range(len(stream))], max_event_size=limit
    ) == (
        [("message", "ok", "", None)],
        0,
    )


# --- Large events -----------------------------------------------------------------------------

EIGHT_MB = 8 * 1024 * 1024


def _eight_mb_text() -> str:
    # Multi-byte characters of 2, 3 and 4 bytes, so that 64 KiB pieces cut some of them.
    unit = "0123456789 abc \u00e9\u20ac\U0001f389 "
    return unit * (EIGHT_MB // len(unit.encode()) + 1)


def _pieces(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


@pytest.mark.parametrize("end", [b"\n\n", b"\r\n\r\n", b"\r\r"], ids=["lf", "crlf", "cr"])
def test_an_8_mb_data_line_decodes_exactly_whole_and_in_64_kib_pieces(backend, end):
    text = _eight_mb_text()
    stream = b"data: " + text.encode() + end
    assert len(stream) > EIGHT_MB
    for chunks in ([stream], _pieces(stream, 64 * 1024)):
        decoder = SSEDecoder(backend=backend)
        events = [e for chunk in chunks for e in decoder.feed(chunk)]
        assert len(events) == 1
        assert events[0].data == text


def test_an_8_mb_event_passes_a_limit_of_its_size_and_fails_one_byte_less(backend):
    line = b"data: " + b"y" * (EIGHT_MB - 6)
    stream = line + b"\n\ndata: next\n\n"
    for chunks in ([stream], list(_pieces(stream, 64 * 1024))):
        assert len(collect(backend, chunks, max_event_size=EIGHT_MB)[0]) == 2
        events, errors = collect(backend, chunks, max_event_size=EIGHT_MB - 1)
        assert (events, errors) == ([("message", "next", "", None)], 1)
