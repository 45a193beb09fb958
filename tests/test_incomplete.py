"""`incomplete`: whether a body ending now would be truncated (API.md, Transports), and a
`[DONE]` cut off before its blank line counting at `close()`; on both backends, every stream
fed whole, byte by byte, split at every index and in seeded random chunks."""

from __future__ import annotations

import contextlib

import pytest
from conftest import splittings

from ssejet import ChunkDecoder, EventTooLargeError, SSEDecoder, StreamAPIError


def feed_all(decoder, chunks: list[bytes]) -> None:
    for chunk in chunks:
        with contextlib.suppress(EventTooLargeError):
            decoder.feed(chunk)


def incomplete(backend: str, stream: bytes, max_event_size: int = 1 << 20) -> bool:
    """`incomplete` after `stream`, the same however it is split; False again after close."""
    seen = set()
    for chunks in splittings(stream):
        decoder = SSEDecoder(max_event_size=max_event_size, backend=backend)
        feed_all(decoder, chunks)
        seen.add(decoder.incomplete)
        decoder.close()
        assert decoder.incomplete is False
    assert len(seen) == 1, stream
    return seen.pop()


INCOMPLETE = [
    pytest.param(b"data: x", id="partial-data-line"),
    pytest.param(b"data:", id="partial-data-colon"),
    pytest.param(b"data: x\n", id="data-line-without-blank-line"),
    pytest.param(b"data: a\n\ndata: b", id="after-a-complete-event"),
    pytest.param(b"event: e\n", id="event-line"),
    pytest.param(b"event: e", id="partial-event-line"),
    pytest.param(b"id: 1\n", id="id-line"),
    pytest.param(b"id:\n", id="empty-id-line"),
    pytest.param(b"id: a\x00b\n", id="id-with-nul"),
    pytest.param(b"retry: 10\n", id="retry-line"),
    pytest.param(b"retry: x\n", id="invalid-retry-line"),
    pytest.param(b"data", id="data-without-colon"),
    pytest.param(b"data\n", id="data-without-colon-ended"),
    pytest.param(b"event", id="event-without-colon"),
    pytest.param(b"id", id="id-without-colon"),
    pytest.param(b"retry", id="retry-without-colon"),
    pytest.param(b"data: x\r", id="cr-ended-data-line"),
    pytest.param(b"data: x\r\n", id="crlf-ended-data-line"),
    pytest.param(b"data: x\n: comment\nfoo: bar\n", id="data-then-comment-and-unknown"),
    pytest.param(b"\xef\xbb\xbfdata", id="bom-then-data"),
]

COMPLETE = [
    pytest.param(b"", id="nothing"),
    pytest.param(b"data: x\n\n", id="one-event"),
    pytest.param(b"data: a\n\nevent: e\ndata: b\nid: 1\nretry: 5\n\n", id="events"),
    pytest.param(b"id: 1\n\n", id="id-then-blank"),
    pytest.param(b": comment", id="partial-comment"),
    pytest.param(b": comment\n", id="comment"),
    pytest.param(b"foo: bar", id="partial-unknown-field"),
    pytest.param(b"foo: bar\n", id="unknown-field"),
    pytest.param(b"foo", id="unknown-field-without-colon"),
    pytest.param(b"dat", id="prefix-of-data"),
    pytest.param(b"retr", id="prefix-of-retry"),
    pytest.param(b"datax", id="longer-than-data"),
    pytest.param(b"data: x\r\r", id="cr-endings"),
    pytest.param(b"data: x\r\n\r\n", id="crlf-endings"),
    pytest.param(b"data: x\n\r", id="cr-blank-line-at-the-end"),
    pytest.param(b"data: x\n\n: ping\n", id="event-then-comment"),
    pytest.param(b"\xef\xbb\xbf", id="bom-only"),
    pytest.param(b"\xef\xbb", id="part-of-a-bom"),
    pytest.param(b"\n\n\n", id="blank-lines"),
]


@pytest.mark.parametrize("stream", INCOMPLETE)
def test_a_known_fields_line_since_the_last_blank_line_is_incomplete(backend, stream):
    assert incomplete(backend, stream) is True


@pytest.mark.parametrize("stream", COMPLETE)
def test_complete_events_comments_and_unknown_fields_are_not(backend, stream):
    assert incomplete(backend, stream) is False


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        (b"data: 0123456789", True),
        (b"data: 0123456789\n", True),
        (b"data: 0123456789\ndata: more\n", True),
        (b"data: 0123456789\n\n", False),
        (b"data: 0123456789\n\n: ping\n", False),
    ],
)
def test_an_oversize_event_being_skipped_is_incomplete(backend, stream, expected):
    assert incomplete(backend, stream, max_event_size=8) is expected


def test_a_fresh_decoder_is_not_incomplete(backend):
    assert SSEDecoder(backend=backend).incomplete is False
    assert ChunkDecoder(backend=backend).incomplete is False


def test_a_cr_ending_a_feed_ends_its_line(backend):
    decoder = SSEDecoder(backend=backend)
    decoder.feed(b"data: x\n\r")
    assert decoder.incomplete is False
    assert decoder.feed(b"\ndata: y\r") == []  # the LF completes the CRLF, no second line
    assert decoder.incomplete is True
    assert [e.data for e in decoder.feed(b"\r")] == ["y"]
    assert decoder.incomplete is False


def test_incomplete_is_read_only(backend):
    for decoder in (SSEDecoder(backend=backend), ChunkDecoder(backend=backend)):
        with pytest.raises(AttributeError):
            decoder.incomplete = True
        with pytest.raises(AttributeError):
            decoder._impl.incomplete = True


def at_close(backend: str, stream: bytes) -> tuple[bool, bool, bool]:
    """(done, incomplete) after `stream`, then done after close(); the same however split."""
    seen = set()
    for chunks in splittings(stream):
        decoder = ChunkDecoder(backend=backend)
        for chunk in chunks:
            decoder.feed(chunk)
        before = (decoder.done, decoder.incomplete)
        assert decoder.close() == []
        assert decoder.incomplete is False
        seen.add((*before, decoder.done))
    assert len(seen) == 1, stream
    return seen.pop()


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        (b"data: [DONE]", (False, True, True)),
        (b"data: [DONE]\n", (False, True, True)),
        (b"data: [DONE]\r", (False, True, True)),
        (b"data:  [DONE] \n: ping", (False, True, True)),
        (b'data: {"id":"a"}\n\ndata: [DONE]', (False, True, True)),
        (b"data: [DONE]\n\n", (True, False, True)),
        (b"data: [DO\ndata: NE]", (False, True, False)),
        (b'data: {"id":"a"}', (False, True, False)),
        (b'data: {"id":"a"}\n', (False, True, False)),
        (b"event: error\ndata: [DONE]", (False, True, False)),
        (b"data: [DONE]\nevent: error", (False, True, False)),
        (b": ping\n", (False, False, False)),
        (b"", (False, False, False)),
    ],
)
def test_a_done_cut_off_before_its_blank_line_counts_at_close(backend, stream, expected):
    assert at_close(backend, stream) == expected


def test_after_done_or_a_terminal_error_nothing_is_pending(backend):
    decoder = ChunkDecoder(backend=backend)
    decoder.feed(b"data: [DONE]\n\ndata: {")
    assert (decoder.done, decoder.incomplete) == (True, False)
    decoder = ChunkDecoder(backend=backend)
    with pytest.raises(StreamAPIError):
        decoder.feed(b"event: error\ndata: x\n\ndata: [DONE]")
    assert decoder.incomplete is False
    decoder.close()
    assert decoder.done is False


def test_done_set_by_close_resets_with_the_next_stream(backend):
    decoder = ChunkDecoder(backend=backend)
    decoder.feed(b"data: [DONE]")
    decoder.close()
    assert decoder.done is True
    decoder.feed(b'data: {"id":"b"}')
    assert (decoder.done, decoder.incomplete) == (False, True)
    decoder.close()
    assert decoder.done is False
