"""`ServerSentEvent` as users hold it, whichever backend made it, and what `feed()` accepts."""

from __future__ import annotations

import copy
import pickle

import orjson
import pytest

import ssejet
from ssejet import ServerSentEvent, SSEDecoder

FIELDS = ("event", "data", "id", "retry")


def decoded(backend: str, stream: bytes) -> list:
    return SSEDecoder(backend=backend).feed(stream)


def one(backend: str, stream: bytes):
    (event,) = decoded(backend, stream)
    return event


def fields(event) -> tuple:
    return (event.event, event.data, event.id, event.retry)


# A stream whose one event sets every field, with text that needs escaping in a repr.
FULL = (
    b"event: upd'ate\nid: 4\"2\nretry: 1500\n"
    b"data: line 1 \\ \xe2\x82\xac\ndata: line 2\t\xf0\x9f\x8e\x89\n\n"
)
FULL_FIELDS = ("upd'ate", "line 1 \\ \u20ac\nline 2\t\U0001f389", '4"2', 1500)


def test_a_decoded_event_carries_the_fields_of_its_stream(backend):
    assert fields(one(backend, FULL)) == FULL_FIELDS


def test_events_of_both_backends_are_instances_of_the_public_class(backend):
    for event in decoded(backend, FULL + b"data: x\n\n"):
        assert isinstance(event, ssejet.ServerSentEvent)
    assert isinstance(ServerSentEvent(), ssejet.ServerSentEvent)


@pytest.mark.parametrize("name", FIELDS)
def test_an_event_cannot_be_changed(backend, name):
    event = one(backend, FULL)
    with pytest.raises(AttributeError):
        setattr(event, name, "changed")
    with pytest.raises(AttributeError):
        delattr(event, name)
    assert fields(event) == FULL_FIELDS


def test_an_event_takes_no_new_attributes(backend):
    event = one(backend, FULL)
    with pytest.raises(AttributeError):
        event.extra = 1
    with pytest.raises(AttributeError):
        ServerSentEvent().extra = 1


def test_a_constructed_event_cannot_be_changed():
    event = ServerSentEvent(data="x")
    for name in FIELDS:
        with pytest.raises(AttributeError):
            setattr(event, name, "changed")
        with pytest.raises(AttributeError):
            delattr(event, name)
    assert fields(event) == ("message", "x", "", None)


def test_events_are_equal_by_value(backend):
    event = one(backend, FULL)
    same = one(backend, FULL)
    assert event == same
    assert (event != same) is False
    assert event == ServerSentEvent(*FULL_FIELDS)
    assert ServerSentEvent(*FULL_FIELDS) == event
    for i, name in enumerate(FIELDS):
        changed = list(FULL_FIELDS)
        changed[i] = 7 if name == "retry" else changed[i] + "!"
        other = ServerSentEvent(*changed)
        assert event != other, name
        assert other != event, name
        assert (event == other) is False, name


def test_an_event_is_not_equal_to_a_tuple_of_its_fields(backend):
    event = one(backend, FULL)
    assert event != FULL_FIELDS
    assert event != list(FULL_FIELDS)
    assert event is not None


def test_events_are_hashable_and_equal_events_hash_alike(backend):
    event = one(backend, FULL)
    assert hash(event) == hash(one(backend, FULL))
    assert hash(event) == hash(ServerSentEvent(*FULL_FIELDS))
    assert len({event, one(backend, FULL), ServerSentEvent(*FULL_FIELDS)}) == 1
    assert {event: 1}[ServerSentEvent(*FULL_FIELDS)] == 1


def test_an_event_equals_the_same_event_made_by_the_other_backend(backend):
    # Run with the rust param, this compares a Rust-made event with a Python-made one.
    stream = FULL + b"data: plain\n\nid: 9\nretry: 18446744073709551615\ndata: {}\n\n"
    mine = decoded(backend, stream)
    theirs = decoded("python", stream)
    assert len(mine) == len(theirs) == 3
    for a, b in zip(mine, theirs):
        assert a == b and b == a
        assert (a != b) is False and (b != a) is False
        assert hash(a) == hash(b)
    assert mine[0] != theirs[1] and theirs[1] != mine[0]
    assert len(set(mine) | set(theirs)) == 3


def test_json_parses_the_data_with_exact_integers(backend):
    payload = (
        '{"seed": 1395002666759424000, "max": 18446744073709551615, '
        '"min": -9223372036854775808, "f": 0.1, "s": "\\u00e9\U0001f389", "n": null}'
    )
    event = one(backend, b"data: " + payload.encode() + b"\n\n")
    value = event.json()
    assert value == {
        "seed": 1395002666759424000,
        "max": 2**64 - 1,
        "min": -(2**63),
        "f": 0.1,
        "s": "\u00e9\U0001f389",
        "n": None,
    }
    assert type(value["seed"]) is int and type(value["max"]) is int


@pytest.mark.parametrize(
    "data",
    [
        "[1, 2, 3]",
        '"text"',
        "18446744073709551616",  # beyond 64 bits
        '{"a": 1, "a": 2}',  # duplicate keys
        "[" * 200 + "]" * 200,
        "[" * 2000 + "]" * 2000,  # past orjson's nesting limit
        "NaN",
        "1e400",
        '"\\ud800"',  # lone surrogate
        "not json",
        "",
        "[DONE]",
        "{} {}",
    ],
)
def test_json_behaves_exactly_as_orjson_loads(backend, data):
    event = one(backend, b"data: " + data.encode() + b"\n\n")
    try:
        expected = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        with pytest.raises(orjson.JSONDecodeError) as info:
            event.json()
        assert str(info.value) == str(error)
    else:
        assert event.json() == expected


def test_the_repr_is_the_same_on_both_backends_and_evaluates_back(backend):
    stream = FULL + b"retry: 18446744073709551615\ndata: \x00\x1b\\'\"\n\n"
    mine, references = decoded(backend, stream), decoded("python", stream)
    assert len(mine) == len(references) == 2
    for event, reference in zip(mine, references):
        text = repr(event)
        assert text == repr(reference)
        assert text.startswith("ServerSentEvent(")
        assert eval(text, {"ServerSentEvent": ServerSentEvent}) == event
    assert repr(ServerSentEvent()) == repr(one(backend, b"data\n\n"))


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_an_event_survives_a_pickle_round_trip(backend, protocol):
    event = one(backend, FULL)
    back = pickle.loads(pickle.dumps(event, protocol=protocol))
    assert back == event
    assert fields(back) == FULL_FIELDS
    assert isinstance(back, ssejet.ServerSentEvent)
    assert hash(back) == hash(event)


def test_an_event_survives_copy_and_deepcopy(backend):
    event = one(backend, FULL)
    for copied in (copy.copy(event), copy.deepcopy(event), copy.deepcopy([event])[0]):
        assert copied == event
        assert fields(copied) == FULL_FIELDS
        assert isinstance(copied, ssejet.ServerSentEvent)


def test_the_constructor_defaults_are_a_message_with_empty_data_and_id():
    event = ServerSentEvent()
    assert fields(event) == ("message", "", "", None)
    assert event == ServerSentEvent("message", "", "", None)
    named = ServerSentEvent(event="e", data="d", id="i", retry=5)
    assert fields(named) == ("e", "d", "i", 5)
    assert fields(ServerSentEvent(data="x")) == ("message", "x", "", None)


# --- What feed() accepts ----------------------------------------------------------------------

STREAM = b"id: 1\ndata: \xe4\xbd\xa0\n\ndata: b"
EXPECTED = [("message", "\u4f60", "1", None)]


@pytest.mark.parametrize(
    "make",
    [
        bytes,
        bytearray,
        memoryview,
        lambda b: memoryview(bytearray(b)),
        lambda b: memoryview(b"xx" + b + b"yy")[2:-2],
        lambda b: memoryview(bytes(c for c in b for _ in (0, 1)))[::2],  # not contiguous
        lambda b: type("BytesSubclass", (bytes,), {})(b),
    ],
    ids=[
        "bytes",
        "bytearray",
        "memoryview",
        "memoryview-of-bytearray",
        "memoryview-slice",
        "strided-memoryview",
        "bytes-subclass",
    ],
)
def test_feed_accepts_bytes_bytearray_and_memoryview(backend, make):
    decoder = SSEDecoder(backend=backend)
    assert [fields(e) for e in decoder.feed(make(STREAM))] == EXPECTED
    assert [fields(e) for e in decoder.feed(make(b"\n\n"))] == [("message", "b", "1", None)]


def test_the_decoder_keeps_no_reference_to_a_fed_buffer(backend):
    decoder = SSEDecoder(backend=backend)
    buffer = bytearray(b"data: ab")
    decoder.feed(buffer)
    buffer[6:8] = b"XY"
    view_source = bytearray(b"data: cd")
    decoder.feed(memoryview(view_source)[4:])  # ": cd" continues the line: "data: ab: cd"
    view_source[:] = b"zzzzzzzz"
    assert [e.data for e in decoder.feed(b"\n\n")] == ["ab: cd"]


class _Outer:
    class Inner:  # a nested class: its __name__ and __qualname__ differ
        pass


@pytest.mark.parametrize(
    "value",
    ["data: x\n\n", None, 5, 1.5, [100, 97], _Outer.Inner()],
    ids=["str", "None", "int", "float", "list", "nested-class"],
)
def test_feed_rejects_other_types_with_the_same_message_on_both_backends(backend, value):
    decoder = SSEDecoder(backend=backend)
    with pytest.raises(TypeError) as info:
        decoder.feed(value)
    with pytest.raises(TypeError) as reference:
        SSEDecoder(backend="python").feed(value)
    assert str(info.value) == str(reference.value)
    assert type(value).__name__ in str(info.value)
    for name in ("bytes", "bytearray", "memoryview"):
        assert name in str(info.value)
    # The failed call changed nothing.
    assert [e.data for e in decoder.feed(b"data: ok\n\n")] == ["ok"]


def test_none_given_to_the_constructor_means_the_fields_default():
    # As httpx-sse takes it, and as the type hints say: event "message", data and id "".
    event = ServerSentEvent(event=None, data=None, id=None)
    assert fields(event) == ("message", "", "", None)
    assert event == ServerSentEvent()
    assert ServerSentEvent(None, "x", None, 5) == ServerSentEvent("message", "x", "", 5)
