"""Layer 1 against the WHATWG "event stream interpretation" and the API.md decisions.

One test per rule. Every input is decoded whole, one byte at a time, split in two at every index
and in a few random chunkings (conftest `splittings`), on both backends; all of those must agree,
and the expectations are written from the spec, never from a run of the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pytest
from conftest import splittings

from ssejet import EventTooLargeError, SSEDecoder, SSEError

BOM = b"\xef\xbb\xbf"
U64_MAX = 2**64 - 1
DEFAULT_LIMIT = 16 * 1024 * 1024

Event = tuple  # (event, data, id, retry)


def ev(data: str, *, event: str = "message", id: str = "", retry: Optional[int] = None) -> Event:
    """The expected event, as the tuple `(event, data, id, retry)`."""
    return (event, data, id, retry)


@dataclass
class Outcome:
    events: list[Event]
    errors: int  # how many feed() calls raised EventTooLargeError
    last_event_id: str
    retry: Optional[int]


def run(backend: str, streams: list[list[bytes]], max_event_size: int) -> Outcome:
    """Feeds each stream's chunks in turn, calling close() between streams; collects every
    event, including those carried by an EventTooLargeError's `.events`."""
    decoder = SSEDecoder(max_event_size=max_event_size, backend=backend)
    events: list[Event] = []
    errors = 0
    for n, chunks in enumerate(streams):
        if n:
            assert decoder.close() == []
        for chunk in chunks:
            try:
                got = decoder.feed(chunk)
            except EventTooLargeError as error:
                errors += 1
                assert error.limit == max_event_size
                assert str(error) == f"event exceeds max_event_size={max_event_size} bytes"
                got = error.events
            events += [(e.event, e.data, e.id, e.retry) for e in got]
    return Outcome(events, errors, decoder.last_event_id, decoder.retry)


def decode(
    backend: str, *streams: bytes, max_event_size: int = DEFAULT_LIMIT, exact_errors: bool = True
) -> Outcome:
    """Decodes `streams` (separated by close()) under every splitting; all must agree.

    The number of errors is the same for every splitting when at most one event is too large;
    with `exact_errors=False` only whether there was an error must agree.
    """
    plans = [list(splittings(s)) for s in streams]
    whole = run(backend, [p[0] for p in plans], max_event_size)
    for k in range(1, max(len(p) for p in plans)):
        chunked = [p[min(k, len(p) - 1)] for p in plans]
        got = run(backend, chunked, max_event_size)
        if not exact_errors:
            got.errors = whole.errors if (got.errors > 0) == (whole.errors > 0) else got.errors
        assert got == whole, f"fed as {chunked!r}"
    return whole


def events(backend: str, *streams: bytes, **kwargs) -> list[Event]:
    out = decode(backend, *streams, **kwargs)
    assert out.errors == 0
    return out.events


# --- UTF-8 ------------------------------------------------------------------------------------


def test_invalid_utf8_bytes_are_replaced_with_u_fffd(backend):
    # 0xFF never occurs in UTF-8; 0xC3 must be followed by a continuation byte, "(" is not one;
    # a truncated 3-byte sequence at the end of a line is one maximal subpart: one U+FFFD.
    stream = b"data: a\xffb\xc3(\ndata: \xe4\xbd\n\n"
    assert events(backend, stream) == [ev("a\ufffdb\ufffd(\n\ufffd")]


def test_invalid_utf8_in_event_type_and_id_is_replaced_too(backend):
    stream = b"event: \xff\nid: x\xfe\ndata: y\n\n"
    assert events(backend, stream) == [ev("y", event="\ufffd", id="x\ufffd")]


def test_a_multibyte_character_split_across_feeds_decodes_whole(backend):
    text = "你好, ünïcödé 🎉"
    stream = f"data: {text}\n\n".encode()
    # splittings() cuts inside every character; this cut is the classic one, named explicitly.
    decoder = SSEDecoder(backend=backend)
    first, second = stream[:7], stream[7:]  # inside the 3 bytes of "你"
    assert decoder.feed(first) == []
    assert [e.data for e in decoder.feed(second)] == [text]
    assert events(backend, stream) == [ev(text)]


# --- BOM --------------------------------------------------------------------------------------


def test_one_leading_bom_is_stripped(backend):
    # Unstripped, the BOM would make the first field name "\ufeffdata", an unknown field.
    assert events(backend, BOM + b"data: x\n\n") == [ev("x")]


def test_a_bom_split_across_feeds_is_stripped(backend):
    decoder = SSEDecoder(backend=backend)
    assert decoder.feed(BOM[:1]) == []
    assert decoder.feed(b"") == []
    assert decoder.feed(BOM[1:2]) == []
    got = decoder.feed(BOM[2:] + b"data: x\n\n")
    assert [e.data for e in got] == ["x"]


def test_only_one_leading_bom_is_stripped(backend):
    # The second BOM belongs to the first line, whose field name becomes unknown.
    assert events(backend, BOM + BOM + b"data: x\n\ndata: y\n\n") == [ev("y")]


def test_a_bom_after_the_start_of_the_stream_is_not_stripped(backend):
    assert events(backend, b"data: a\n\n" + BOM + b"data: b\n\n") == [ev("a")]


def test_bytes_that_start_like_a_bom_but_are_not_one_are_kept(backend):
    # The held-back "\xef\xbb" must come back as the start of the first line: "\xef\xbbdata"
    # is an unknown field, so only the second event is dispatched.
    assert events(backend, b"\xef\xbbdata: x\n\ndata: y\n\n") == [ev("y")]


def test_the_bom_rule_is_armed_again_after_close(backend):
    got = events(backend, b"data: a\n\n", BOM + b"data: b\n\n", BOM + BOM + b"data: c\n\n")
    assert got == [ev("a"), ev("b")]


# --- Line ends --------------------------------------------------------------------------------


def test_lines_end_in_crlf_lf_or_cr(backend):
    stream = b"data: a\r\n\r\ndata: b\n\ndata: c\r\rdata: d\r\ndata: e\rdata: f\n\r\n"
    assert events(backend, stream) == [ev("a"), ev("b"), ev("c"), ev("d\ne\nf")]


def test_cr_ending_a_feed_and_lf_starting_the_next_are_one_line_end(backend):
    # Were the LF a second line end, it would be a blank line and split "a" from "b".
    decoder = SSEDecoder(backend=backend)
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\ndata: b\r") == []
    got = decoder.feed(b"\n\r\n")
    assert [e.data for e in got] == ["a\nb"]


def test_cr_and_lf_split_by_an_empty_feed_are_still_one_line_end(backend):
    decoder = SSEDecoder(backend=backend)
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"") == []
    assert decoder.feed(b"\ndata: b\n") == []
    assert [e.data for e in decoder.feed(b"\n")] == ["a\nb"]


def test_two_crs_are_two_line_ends_even_across_feeds(backend):
    decoder = SSEDecoder(backend=backend)
    assert decoder.feed(b"data: a\r") == []
    assert [e.data for e in decoder.feed(b"\r")] == ["a"]
    assert events(backend, b"data: a\r\rdata: b\r\r") == [ev("a"), ev("b")]


def test_only_cr_and_lf_end_lines_not_other_unicode_line_breaks(backend):
    # str.splitlines() would also split on VT, FF, FS, GS, RS, NEL, LS and PS.
    breaks = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
    stream = f"data: a{breaks}b\n\n".encode()
    assert events(backend, stream) == [ev(f"a{breaks}b")]


# --- Comments and fields ----------------------------------------------------------------------


def test_lines_starting_with_a_colon_are_comments(backend):
    stream = b": keep-alive\n:\n:data: x\ndata: y\n: between\n\n: c\n\n"
    assert events(backend, stream) == [ev("y")]


def test_exactly_one_leading_space_of_a_value_is_stripped(backend):
    stream = b"data:  two\n\ndata:none\n\ndata: \n\ndata:\tx\n\n"
    assert events(backend, stream) == [ev(" two"), ev("none"), ev(""), ev("\tx")]


def test_the_value_is_everything_after_the_first_colon(backend):
    assert events(backend, b"data: a:b: c\n\nevent: x:y\ndata: 1\n\n") == [
        ev("a:b: c"),
        ev("1", event="x:y"),
    ]


def test_a_line_without_colon_is_a_field_with_an_empty_value(backend):
    stream = b"data\n\ndata\ndata\n\nevent: x\nevent\ndata: z\n\n"
    assert events(backend, stream) == [ev(""), ev("\n"), ev("z")]


def test_unknown_fields_are_ignored(backend):
    stream = (
        b"foo: bar\nDATA: x\nData: y\n data: z\ndata : w\ndat: v\ndatas: u\n"
        b"ids: 9\nretry5\nfoo\ndata: ok\n\n"
    )
    assert events(backend, stream) == [ev("ok")]


def test_the_event_field_sets_the_type_and_an_empty_one_means_message(backend):
    stream = b"event: add\ndata: 1\n\nevent:\ndata: 2\n\ndata: 3\n\nevent: a\nevent: b\ndata: 4\n\n"
    assert events(backend, stream) == [
        ev("1", event="add"),
        ev("2"),
        ev("3"),
        ev("4", event="b"),
    ]


def test_data_lines_are_joined_with_lf_and_only_the_final_lf_removed(backend):
    stream = b"data: a\ndata: b\n\ndata: a\ndata:\n\ndata:\ndata:\ndata:\n\n"
    assert events(backend, stream) == [ev("a\nb"), ev("a\n"), ev("\n\n")]


def test_the_id_persists_across_events(backend):
    stream = b"id: 7\ndata: a\n\ndata: b\n\nid: 8\n\ndata: c\n\n"
    assert events(backend, stream) == [ev("a", id="7"), ev("b", id="7"), ev("c", id="8")]


def test_an_id_containing_nul_is_ignored(backend):
    stream = b"id: 1\ndata: a\n\nid: x\x00y\ndata: b\n\nid: \x00\ndata: c\n\n"
    assert events(backend, stream) == [ev("a", id="1"), ev("b", id="1"), ev("c", id="1")]


def test_an_id_with_no_value_resets_the_id_to_empty(backend):
    stream = b"id: 1\ndata: a\n\nid\ndata: b\n\nid: 2\n\nid:\ndata: c\n\nid: 3\n\nid: \ndata: d\n\n"
    assert events(backend, stream) == [ev("a", id="1"), ev("b"), ev("c"), ev("d")]


# --- retry ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [" 5", "+5", "1_0", "\u0663", "", "5 ", "-1", "1.5", "0x10", "5\x00", "\uff15", "1e3"],
)
def test_retry_is_ignored_unless_its_value_is_all_ascii_digits(backend, value):
    out = decode(backend, b"retry: " + value.encode() + b"\ndata: x\n\n")
    assert out.events == [ev("x")]
    assert out.retry is None


@pytest.mark.parametrize(
    ("value", "ms"), [("0", 0), ("007", 7), ("1500", 1500), (str(U64_MAX), U64_MAX)]
)
def test_retry_accepts_ascii_digits_up_to_u64_max(backend, value, ms):
    out = decode(backend, b"retry: " + value.encode() + b"\ndata: x\n\n")
    assert out.events == [ev("x", retry=ms)]
    assert out.retry == ms


def test_a_retry_line_without_colon_has_an_empty_and_so_invalid_value(backend):
    out = decode(backend, b"retry\ndata: x\n\n")
    assert (out.events, out.retry) == ([ev("x")], None)


@pytest.mark.parametrize("value", [str(U64_MAX + 1), "99999999999999999999999999"])
def test_a_retry_that_does_not_fit_in_u64_is_ignored(backend, value):
    out = decode(backend, b"retry: 42\n\nretry: " + value.encode() + b"\ndata: x\n\n")
    assert out.events == [ev("x")]
    assert out.retry == 42


def test_event_retry_is_per_event_and_decoder_retry_is_the_last_valid_value(backend):
    stream = (
        b"retry: 100\ndata: a\n\n"  # this event's own retry
        b"data: b\n\n"  # none of its own
        b"retry: 1\nretry: x\nretry: 2\ndata: c\n\n"  # the last valid one of the event
        b"retry: bad\ndata: d\n\n"  # invalid: None here, the decoder keeps 2
    )
    out = decode(backend, stream)
    assert out.events == [ev("a", retry=100), ev("b"), ev("c", retry=2), ev("d")]
    assert out.retry == 2


def test_decoder_retry_is_set_by_an_event_that_is_never_dispatched(backend):
    out = decode(backend, b"retry: 300\n\nretry: 400\n")
    assert (out.events, out.retry) == ([], 400)


# --- Dispatch ---------------------------------------------------------------------------------


def test_an_event_with_an_empty_data_buffer_is_not_dispatched(backend):
    stream = b"event: ping\n\n: c\n\nid: 1\n\nretry: 5\n\n\n\n\r\n\r"
    assert events(backend, stream) == []


def test_a_blank_line_without_data_still_resets_the_event_type_and_retry(backend):
    stream = b"event: ping\nretry: 5\n\ndata: x\n\n"
    assert events(backend, stream) == [ev("x")]


def test_a_data_field_with_an_empty_value_dispatches_empty_data(backend):
    assert events(backend, b"data:\n\ndata: \n\ndata\n\n") == [ev(""), ev(""), ev("")]


def test_an_event_without_its_blank_line_is_not_dispatched(backend):
    assert events(backend, b"data: a\n\ndata: b\n") == [ev("a")]
    assert events(backend, b"data: a\n\ndata: b") == [ev("a")]


def test_last_event_id_is_updated_at_the_blank_line_not_at_the_id_line(backend):
    assert decode(backend, b"id: 5\n").last_event_id == ""
    assert decode(backend, b"id: 5\ndata: x\n").last_event_id == ""
    assert decode(backend, b"id: 5\n\n").last_event_id == "5"
    decoder = SSEDecoder(backend=backend)
    decoder.feed(b"id: 1\n\nid: 2\n")
    assert decoder.last_event_id == "1"
    decoder.feed(b"\r")
    assert decoder.last_event_id == "2"


def test_last_event_id_is_updated_at_every_blank_line_even_with_no_dispatch(backend):
    out = decode(backend, b"id: a\ndata: 1\n\nid: b\n\n: comment\nid: c\nevent: x\n\n")
    assert out.events == [ev("1", id="a")]
    assert out.last_event_id == "c"


# --- max_event_size ---------------------------------------------------------------------------


def test_the_counted_size_is_the_known_field_lines_without_terminators(backend):
    # "event: e" 8 + "id: 1" 5 + "retry: 5" 8 + "data: ab" 8 = 29 bytes, whatever ends the lines.
    for end in (b"\n", b"\r\n", b"\r"):
        stream = end.join([b"event: e", b"id: 1", b"retry: 5", b"data: ab", b"", b""])
        at = decode(backend, stream, max_event_size=29)
        assert (at.events, at.errors) == ([ev("ab", event="e", id="1", retry=5)], 0)
        over = decode(backend, stream, max_event_size=28)
        assert (over.events, over.errors) == ([], 1)


def test_a_size_equal_to_the_limit_is_accepted_and_one_byte_more_is_not(backend):
    # "data: 12345" is 11 bytes.
    at = decode(backend, b"data: 12345\n\n", max_event_size=11)
    assert (at.events, at.errors) == ([ev("12345")], 0)
    over = decode(backend, b"data: 123456\n\n", max_event_size=11)
    assert (over.events, over.errors) == ([], 1)


def test_fields_without_colon_count_their_name(backend):
    # "data" 4 + "data" 4 = 8 bytes.
    assert decode(backend, b"data\ndata\n\n", max_event_size=8).events == [ev("\n")]
    assert decode(backend, b"data\ndata\n\n", max_event_size=7).errors == 1


def test_the_size_counts_every_line_of_the_event_since_the_last_blank_line(backend):
    # Two 11-byte data lines make 22 bytes; each event alone is 11.
    at = decode(backend, b"data: 12345\n\ndata: 12345\n\n", max_event_size=11)
    assert (at.events, at.errors) == ([ev("12345"), ev("12345")], 0)
    over = decode(backend, b"data: 12345\ndata: 12345\n\n", max_event_size=21)
    assert (over.events, over.errors) == ([], 1)


def test_a_blank_line_without_dispatch_also_resets_the_counted_size(backend):
    # "event: x" (8) is ended by a blank line that dispatches nothing; "data: 12345" is 11.
    out = decode(backend, b"event: x\n\ndata: 12345\n\n", max_event_size=11)
    assert (out.events, out.errors) == ([ev("12345")], 0)


def test_comments_and_unknown_fields_never_count_however_long(backend):
    long = b"x" * 1000
    stream = (
        b":" + long + b"\nfoo: " + long + b"\ndat: " + long + b"\ndatas: " + long
        + b"\ndata" + long + b"\nid " + long + b"\nretryx" + long + b"\ndata: ok\n\n"
    )  # fmt: skip
    assert events(backend, stream, max_event_size=8) == [ev("ok")]  # "data: ok" is 8 bytes


def test_a_leading_bom_does_not_count(backend):
    out = decode(backend, BOM + b"data: 12345\n\n", max_event_size=11)
    assert (out.events, out.errors) == ([ev("12345")], 0)


def test_an_oversize_event_is_skipped_up_to_its_blank_line(backend):
    stream = b"data: 123456789\ndata: more\nevent: x\nid: 5\nretry: 9\n\ndata: ok\n\n"
    out = decode(backend, stream, max_event_size=15)  # "data: 123456789" is 15
    assert out.events == [ev("ok")]
    assert out.errors == 1
    assert (out.last_event_id, out.retry) == ("", None)  # lines after the overflow were skipped


def test_lines_completed_before_the_overflow_are_parsed_as_usual(backend):
    # "retry: 5" 8 + "id: 9" 5 + "data: 123456789" 15 = 28 > 20: the data line overflows.
    stream = b"retry: 5\nid: 9\ndata: 123456789\n\n"
    out = decode(backend, stream, max_event_size=20)
    assert (out.events, out.errors) == ([], 1)
    assert out.retry == 5
    # The id line set the id buffer; the skipped event's blank line does not publish it, the
    # next blank line does.
    assert out.last_event_id == ""
    after = decode(backend, stream + b"data: ok\n\n", max_event_size=20)
    assert after.events == [ev("ok", id="9")]
    assert after.last_event_id == "9"


def test_the_oversize_events_blank_line_leaves_last_event_id_unchanged(backend):
    out = decode(backend, b"id: 1\n\nid: 2\ndata: 123456789\n\n", max_event_size=12)
    assert (out.events, out.errors, out.last_event_id) == ([], 1, "1")


def test_an_unterminated_line_counts_as_it_arrives(backend):
    # No line end at all: the limit is still passed (once) and the rest of the line skipped.
    out = decode(backend, b"data: " + b"x" * 100, max_event_size=50)
    assert (out.events, out.errors) == ([], 1)
    decoder = SSEDecoder(max_event_size=50, backend=backend)
    decoder.feed(b"data: " + b"x" * 44)  # 50 bytes: at the limit
    with pytest.raises(EventTooLargeError):
        decoder.feed(b"x")
    assert decoder.feed(b"x" * 1000) == []  # already skipped: no second error
    assert [e.data for e in decoder.feed(b"\n\ndata: ok\n\n")] == ["ok"]


def test_too_large_error_carries_every_good_event_of_the_feed_and_the_limit(backend):
    # "id: 1" 5 + "data: 123456789" 15 = 20 > 16; "event: e" 8 + "data: c" 7 = 15 fits.
    decoder = SSEDecoder(max_event_size=16, backend=backend)
    stream = b"data: a\n\nid: 1\ndata: 123456789\n\ndata: b\n\nevent: e\ndata: c\n"
    with pytest.raises(EventTooLargeError) as info:
        decoder.feed(stream)
    error = info.value
    assert isinstance(error, SSEError)
    assert [(e.event, e.data, e.id, e.retry) for e in error.events] == [ev("a"), ev("b", id="1")]
    assert error.limit == 16
    assert str(error) == "event exceeds max_event_size=16 bytes"
    # The decoder goes on: the pending event completes, and later events decode.
    got = decoder.feed(b"\ndata: d\n\n")
    assert [(e.event, e.data, e.id) for e in got] == [("e", "c", "1"), ("message", "d", "1")]
    out = decode(backend, stream + b"\n", max_event_size=16)
    assert out.events == [ev("a"), ev("b", id="1"), ev("c", event="e", id="1")]


def test_several_oversize_events_in_one_feed_raise_once_with_all_good_events(backend):
    decoder = SSEDecoder(max_event_size=8, backend=backend)
    with pytest.raises(EventTooLargeError) as info:
        decoder.feed(b"data: 123456789\n\ndata: a\n\ndata: 123456789\n\ndata: b\n\n")
    assert [e.data for e in info.value.events] == ["a", "b"]
    assert decoder.feed(b"data: c\n\n")[0].data == "c"
    out = decode(
        backend,
        b"data: 123456789\n\ndata: a\n\ndata: 123456789\n\ndata: b\n\n",
        max_event_size=8,
        exact_errors=False,
    )
    assert out.events == [ev("a"), ev("b")]


# --- feed(b"") and close() --------------------------------------------------------------------


@pytest.mark.parametrize("empty", [b"", bytearray(), memoryview(b"")])
def test_an_empty_feed_is_a_no_op(backend, empty):
    decoder = SSEDecoder(backend=backend)
    assert decoder.feed(empty) == []
    assert decoder.feed(BOM[:2]) == []
    assert decoder.feed(empty) == []
    assert decoder.feed(BOM[2:] + b"id: 1\n\nda") == []
    assert decoder.feed(empty) == []
    assert decoder.feed(b"ta: x\r") == []
    assert decoder.feed(empty) == []
    assert decoder.feed(b"\n") == []
    assert decoder.feed(empty) == []
    assert [(e.data, e.id) for e in decoder.feed(b"\n")] == [("x", "1")]
    assert (decoder.last_event_id, decoder.retry) == ("1", None)


def test_close_discards_the_unterminated_event_and_returns_nothing(backend):
    decoder = SSEDecoder(backend=backend)
    assert [e.data for e in decoder.feed(b"data: a\n\ndata: lost\n")] == ["a"]
    assert decoder.close() == []
    assert decoder.feed(b"\n") == []  # the discarded event does not come back
    assert events(backend, b"data: a\n\ndata: lost\n", b"\ndata: b\n\n") == [ev("a"), ev("b")]


def test_close_discards_a_partial_line(backend):
    # Kept, "dat" + "a: b" would be a data line.
    assert events(backend, b"data: a\n\ndat", b"a: b\n\n") == [ev("a")]


def test_close_on_a_fresh_decoder_returns_nothing(backend):
    decoder = SSEDecoder(backend=backend)
    assert decoder.close() == []
    assert decoder.close() == []
    assert (decoder.last_event_id, decoder.retry) == ("", None)


def test_close_keeps_last_event_id_and_retry(backend):
    out = decode(backend, b"id: 3\nretry: 70\n\nid: 4\nretry: 80\ndata: lost")
    assert (out.events, out.last_event_id, out.retry) == ([], "3", 80)
    decoder = SSEDecoder(backend=backend)
    decoder.feed(b"id: 3\nretry: 70\n\nid: 4\nretry: 80\ndata: lost")
    decoder.close()
    assert (decoder.last_event_id, decoder.retry) == ("3", 80)


def test_after_close_the_id_buffer_starts_from_last_event_id(backend):
    # "id: 4" never reached a blank line, so the new stream starts from "3".
    got = events(backend, b"id: 3\n\nid: 4\ndata: lost\n", b"data: new\n\n")
    assert got == [ev("new", id="3")]
    out = decode(backend, b"id: 3\n\n", b"data: x\n\nid\ndata: y\n\n")
    assert out.events == [ev("x", id="3"), ev("y")]
    assert out.last_event_id == ""


def test_close_ends_the_skipping_of_an_oversize_event(backend):
    out = decode(backend, b"data: 123456789", b"data: ok\n\n", max_event_size=8)
    assert (out.events, out.errors) == ([ev("ok")], 1)
