"""Differential tests: the Rust extension and the pure-Python fallback on the same random input.

Streams are drawn from a grammar-ish alphabet (field names, colons, spaces, line ends, BOM
bytes, NUL, invalid and split UTF-8, `[DONE]`, digits) and as fully random bytes, split at
random points and fed to both backends with a random, often tiny, `max_event_size`. After every
`feed()` and `close()` both must agree on everything a user can see. A naive reading of the
spec (`reference_events`) also checks the events whenever no event passed the limit.

This is the only test module that touches `ssejet._ssejet` and `ssejet._pure` directly.
"""

from __future__ import annotations

import os
from typing import Any, Optional

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_corpus_framing import reference_events

from ssejet import EventTooLargeError, SSEDecoder, _models
from ssejet._pure import sse as pure_sse

try:
    from ssejet import _ssejet
except ImportError as error:  # pragma: no cover - depends on the build
    if os.environ.get("SSEJET_REQUIRE_RUST") == "1":
        raise ImportError(f"SSEJET_REQUIRE_RUST=1 but the extension is missing: {error}") from error
    pytest.skip(
        f"the Rust extension is not built (run `make build`): {error}", allow_module_level=True
    )

DEFAULT_LIMIT = 16 * 1024 * 1024
CLOSE = None  # in a feed plan: call close() here

TOKENS = [
    b"data", b"event", b"id", b"retry", b"dat", b"ids", b"retr", b"foo", b"DATA",
    b":", b": ", b" ", b"  ", b"\t", b"\n", b"\r", b"\r\n", b"\n\n", b"\r\n\r\n",
    b"\xef\xbb\xbf", b"\xef", b"\xbb", b"\xbf", b"\xef\xbb", b"\x00", b"\xff", b"\xc3", b"\xe4\xbd",
    b"\xa0", b"\xf0\x9f", b"\x8e\x89", b"\xed\xa0\x80", b"\xc0\xaf", b"\xc2\x85", b"\xe2\x80\xa8",
    b"\x0b", b"\x0c", b"[DONE]", b"{}", b'{"a": 1}', b"0", b"7", b"42", b"-", b"+", b"_", b".",
    "\u0663".encode(), b"18446744073709551615", b"18446744073709551616", b"x", b"xxxxxxxxxxxx",
]  # fmt: skip
# Weighted towards `data`, so that most streams dispatch events.
NAMES = [b"data"] * 4 + [b"event", b"id", b"id", b"retry", b"retry", b"", b"foo", b"dat", b"data "]
NAMES += [b"\xef\xbb\xbfdata", b":"]
SEPARATORS = [b": ", b": ", b":", b"", b":  ", b"::"]
ENDS = [b"\n", b"\r", b"\r\n"]

token_soup = st.lists(st.sampled_from(TOKENS), max_size=60).map(b"".join)
SPECIAL_VALUES = [
    b"0", b"7", b"42", b"007", b" 5", b"+5", b"1_0", "\u0663".encode(), b"", b"5 ", b"-1",
    b"18446744073709551615", b"18446744073709551616", b"x\x00y", b"\x00", b"\xff", b"ab",
    b"[DONE]", b'{"a": 1}', b"\xe4\xbd\xa0", b"\xe4\xbd", b"ping", b"message",
]  # fmt: skip
value = st.one_of(
    st.sampled_from(SPECIAL_VALUES),
    st.sampled_from(SPECIAL_VALUES),
    st.lists(
        st.sampled_from([t for t in TOKENS if b"\n" not in t and b"\r" not in t]), max_size=6
    ).map(b"".join),
)
field_line = st.tuples(
    st.sampled_from(NAMES), st.sampled_from(SEPARATORS), value, st.sampled_from(ENDS)
).map(b"".join)
blank_line = st.sampled_from(ENDS)
event_block = st.tuples(st.lists(field_line, min_size=1, max_size=5).map(b"".join), blank_line)
clean_line = st.tuples(
    st.sampled_from([b"data", b"data", b"event", b"id", b"retry"]),
    st.just(b": "),
    value,
    blank_line,
).map(b"".join)
clean_event = st.tuples(
    st.lists(clean_line, max_size=3).map(b"".join),
    st.just(b"data: "),
    value,
    blank_line,
    blank_line,
)
events_soup = st.lists(
    st.one_of(
        clean_event.map(b"".join),
        event_block.map(b"".join),
        field_line,
        blank_line,
        st.just(b": c\n"),
    ),
    min_size=1,
    max_size=10,
).map(b"".join)
bom_start = st.tuples(
    st.sampled_from([b"\xef\xbb\xbf", b"\xef", b"\xef\xbb", b"\xbb"]), events_soup
)
noise = st.one_of(
    token_soup,
    st.binary(max_size=120),  # fully random bytes
    st.lists(st.sampled_from([b"\r", b"\n", b"a", b":", b"\xef\xbb\xbf"]), max_size=40).map(
        b"".join
    ),
)
streams = st.one_of(events_soup, bom_start.map(b"".join), noise)
limits = st.one_of(st.just(DEFAULT_LIMIT), st.integers(1, 40), st.integers(40, 200))


@st.composite
def split(draw: Any, stream: bytes) -> list[bytes]:
    """`stream` cut at random points, sometimes one byte at a time; empty chunks included."""
    if draw(st.integers(0, 9)) == 0:
        return [stream[i : i + 1] for i in range(len(stream))]
    cuts = sorted(draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    bounds = [0, *cuts, len(stream)]
    return [stream[a:b] for a, b in zip(bounds, bounds[1:])]


@st.composite
def plans(draw: Any) -> tuple[list[bytes], list[Optional[bytes]]]:
    """Up to three streams, each split at random points, with close() between them."""
    texts = draw(st.lists(streams, min_size=1, max_size=3))
    plan: list[Optional[bytes]] = []
    for n, text in enumerate(texts):
        if n:
            plan.append(CLOSE)
        plan += draw(split(text))
    return texts, plan


def as_tuples(events: list) -> list[tuple]:
    return [(e.event, e.data, e.id, e.retry) for e in events]


def step(decoder: SSEDecoder, chunk: Optional[bytes]) -> tuple:
    """Everything a user sees of one feed() or close() call."""
    if chunk is CLOSE:
        closed = as_tuples(decoder.close())
        return ("close", closed, decoder.last_event_id, decoder.retry, decoder.incomplete)
    try:
        events = decoder.feed(chunk)
    except EventTooLargeError as error:
        outcome: tuple = (type(error), str(error), error.limit, as_tuples(error.events))
    except Exception as error:  # pragma: no cover - reported as a mismatch
        outcome = (type(error), str(error))
    else:
        outcome = ("ok", as_tuples(events))
    return (outcome, decoder.last_event_id, decoder.retry, decoder.incomplete)


SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=500,
    suppress_health_check=[HealthCheck.too_slow],
)


@SETTINGS
@given(plan=plans(), limit=limits)
@example(plan=([b""], [b"\xef\xbb", b"\xbfdata: x\r", b"", b"\n\n"]), limit=DEFAULT_LIMIT)
@example(plan=([b""], [b"retry: 5\nid: 1\ndata: 123456789\n\ndata: ok\n\n"]), limit=12)
@example(plan=([b""], [b"data: 1234", b"5678", CLOSE, b"\xef\xbb\xbfdata: x\n\n"]), limit=8)
def test_both_backends_agree_after_every_feed_and_close(plan, limit):
    _, chunks = plan
    rust = SSEDecoder(max_event_size=limit, backend="rust")
    python = SSEDecoder(max_event_size=limit, backend="python")
    for n, chunk in enumerate(chunks):
        assert step(rust, chunk) == step(python, chunk), f"call {n} of {chunks!r}"


@SETTINGS
@given(plan=plans())
def test_both_backends_give_the_events_of_a_plain_reading_of_the_spec(plan):
    texts, chunks = plan
    expected: list[tuple] = []
    last_event_id, retry = "", None
    for text in texts:
        events, last_event_id, retry = reference_events(text, last_event_id, retry)
        expected += events
    for backend in ("rust", "python"):
        decoder = SSEDecoder(backend=backend)
        got = []
        for chunk in chunks:
            got += as_tuples(decoder.close() if chunk is CLOSE else decoder.feed(chunk))
        assert decoder.close() == []  # the end of the last stream
        assert got == expected, backend
        assert (decoder.last_event_id, decoder.retry) == (last_event_id, retry), backend


@settings(derandomize=True, database=None, deadline=None, max_examples=300)
@given(stream=streams, limit=limits, data=st.data())
def test_a_split_stream_gives_what_the_whole_stream_gives(stream, limit, data):
    chunks = data.draw(split(stream))
    for backend in ("rust", "python"):
        outcomes = []
        for feeds in ([stream], chunks):
            decoder = SSEDecoder(max_event_size=limit, backend=backend)
            events, errors = [], 0
            for chunk in feeds:
                try:
                    events += as_tuples(decoder.feed(chunk))
                except EventTooLargeError as error:
                    errors += 1
                    events += as_tuples(error.events)
            end = (decoder.last_event_id, decoder.retry, decoder.incomplete)
            outcomes.append((events, errors > 0, *end))
        assert outcomes[0] == outcomes[1], backend


def test_the_backend_keyword_reaches_two_distinct_implementations():
    # Otherwise every test above could compare one backend with itself.
    rust = SSEDecoder(backend="rust").feed(b"data: x\n\n")[0]
    python = SSEDecoder(backend="python").feed(b"data: x\n\n")[0]
    assert type(rust) is _ssejet.ServerSentEvent
    assert type(python) is _models.ServerSentEvent
    assert isinstance(pure_sse.SSEDecoder(8).feed(b"data: y\n\n")[0], _models.ServerSentEvent)
    assert isinstance(_ssejet.SSEDecoder(8).feed(b"data: y\n\n")[0], _ssejet.ServerSentEvent)
