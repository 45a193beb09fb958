"""ssejet.anthropic.EventDecoder: typed events, records, errors, on both backends and under
every splitting."""

from __future__ import annotations

import copy
import pickle
from functools import partial

import dialect_streams
import orjson
import pytest
from dialect_streams import Decoded, sse

import ssejet.anthropic as A
from ssejet import ChunkDecodeError, EventTooLargeError, StreamAPIError
from ssejet._records import Record


def decode(backend: str, chunks: list[bytes]) -> Decoded:
    return dialect_streams.decode(partial(A.EventDecoder, backend=backend), chunks)


def decode_everyhow(backend: str, data: bytes) -> Decoded:
    return dialect_streams.decode_everyhow(partial(A.EventDecoder, backend=backend), data)


TEXT = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}}
START = {
    "type": "message_start",
    "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude",
                "content": [], "stop_reason": None, "stop_sequence": None,
                "usage": {"input_tokens": 3, "output_tokens": 1}},
}  # fmt: skip
BLOCK = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
STOP_BLOCK = {"type": "content_block_stop", "index": 0}
DELTA = {
    "type": "message_delta",
    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
    "usage": {"output_tokens": 7},
}
STOP = {"type": "message_stop"}


def test_a_text_stream_gives_typed_events_and_message_stop_ends_it(backend):
    data = sse(START, {"type": "ping"}, BLOCK, TEXT, STOP_BLOCK, DELTA, STOP, START)
    events, error, done = decode_everyhow(backend, data)
    assert error is None and done
    assert [e.type for e in events] == [
        "message_start", "content_block_start", "content_block_delta", "content_block_stop",
        "message_delta", "message_stop",
    ]  # fmt: skip
    start, block, delta, stop_block, message_delta, stop = events
    assert isinstance(start, A.MessageStartEvent)
    assert isinstance(block, A.ContentBlockStartEvent)
    assert isinstance(delta, A.ContentBlockDeltaEvent)
    assert isinstance(delta.delta, A.TextDelta)
    assert isinstance(stop_block, A.ContentBlockStopEvent)
    assert isinstance(message_delta, A.MessageDeltaEvent)
    assert isinstance(stop, A.MessageStopEvent)
    assert (delta.index, delta.delta.type, delta.delta.text) == (0, "text_delta", "Hi")
    assert start.message.usage.input_tokens == 3
    assert start.message.id == "msg_1"
    assert block.content_block.type == "text" and block.index == 0
    assert message_delta.delta.stop_reason == "end_turn"
    assert message_delta.delta.stop_sequence is None
    assert message_delta.usage.output_tokens == 7
    assert stop_block.index == 0


def test_every_event_gives_its_payload_as_orjson_parses_it(backend):
    payloads = [START, BLOCK, TEXT, STOP_BLOCK, DELTA, STOP, {"type": "new_event", "n": 2**63}]
    events, _, _ = decode_everyhow(backend, sse(*payloads))
    assert [e.to_dict() for e in events] == payloads[:6]
    assert events[2].delta.to_dict() == TEXT["delta"]
    assert events[0].message.to_dict() == START["message"]


@pytest.mark.parametrize(
    ("delta", "cls", "field", "value"),
    [
        ({"type": "text_delta", "text": "é"}, A.TextDelta, "text", "é"),
        ({"type": "input_json_delta", "partial_json": '{"a'}, A.InputJSONDelta, "partial_json",
         '{"a'),
        ({"type": "thinking_delta", "thinking": "hmm"}, A.ThinkingDelta, "thinking", "hmm"),
        ({"type": "signature_delta", "signature": "sig"}, A.SignatureDelta, "signature", "sig"),
    ],
)  # fmt: skip
def test_each_delta_type_is_its_typed_class(backend, delta, cls, field, value):
    payload = {"type": "content_block_delta", "index": 3, "delta": delta}
    (event,), _, _ = decode_everyhow(backend, sse(payload))
    assert isinstance(event.delta, cls)
    assert event.index == 3
    assert getattr(event.delta, field) == value
    assert event.delta.type == delta["type"]
    assert event.delta.to_dict() == delta


def test_a_citations_delta_carries_its_citation_as_a_record(backend):
    citation = {"type": "web_search_result_location", "cited_text": "x", "url": "u"}
    payload = {"type": "content_block_delta", "index": 1,
               "delta": {"type": "citations_delta", "citation": citation}}  # fmt: skip
    (event,), _, _ = decode_everyhow(backend, sse(payload))
    assert isinstance(event.delta, A.CitationsDelta)
    assert isinstance(event.delta.citation, Record)
    assert event.delta.citation.url == "u"
    assert event.delta.citation.title is None  # documented for this citation type
    with pytest.raises(AttributeError):
        event.delta.citation.nope  # noqa: B018
    assert event.delta.citation.to_dict() == citation


def test_unknown_event_and_delta_and_block_types_are_records_never_errors(backend):
    new_delta = {"type": "content_block_delta", "index": 0,
                 "delta": {"type": "brand_new_delta", "stuff": [{"a": {"b": 1}}]}}  # fmt: skip
    mystery = {"type": "mystery_tool_result", "content": {"x": [1]}}
    new_block = {"type": "content_block_start", "index": 1, "content_block": mystery}
    new_event = {"type": "message_annotation", "note": {"deep": {"er": "yes"}}}
    events, error, _ = decode_everyhow(backend, sse(new_delta, new_block, new_event))
    assert error is None
    delta, block, event = events
    assert isinstance(delta.delta, Record) and delta.delta.stuff[0].a.b == 1
    assert isinstance(block.content_block, Record)
    assert block.content_block.content.x == [1]
    assert isinstance(event, Record)
    assert event.type == "message_annotation" and event.note.deep.er == "yes"
    assert event.to_dict() == new_event


def test_an_event_whose_payload_has_no_type_takes_the_sse_event_name(backend):
    data = b'event: content_block_stop\ndata: {"index": 2}\n\nevent: odd\ndata: {"a": 1}\n\n'
    data += b'data: {"b": 1}\n\n'
    (stop, odd, plain), _, _ = decode_everyhow(backend, data)
    assert isinstance(stop, A.ContentBlockStopEvent)
    assert (stop.type, stop.index, stop.to_dict()) == ("content_block_stop", 2, {"index": 2})
    assert isinstance(odd, Record) and odd.type == "odd" and odd.a == 1
    assert plain.type == "message"


def test_attribute_access_reads_the_payloads_other_keys_at_depth(backend):
    start = dict(START, extra={"nested": [{"k": "v"}]})
    stop = dict(STOP_BLOCK, future_field=5)
    started, stopped = decode_everyhow(backend, sse(start, stop))[0]
    assert started.extra.nested[0].k == "v"
    assert stopped.future_field == 5
    with pytest.raises(AttributeError, match="'MessageStartEvent' object has no attribute 'x'"):
        started.x  # noqa: B018
    with pytest.raises(AttributeError):
        started._private  # noqa: B018


def test_the_per_token_classes_have_only_their_fields_and_keep_the_rest_in_to_dict(backend):
    payload = dict(TEXT, extra={"nested": 1})
    payload["delta"] = dict(TEXT["delta"], future_field=5)
    (event,), _, _ = decode_everyhow(backend, sse(payload))
    assert event.to_dict()["extra"] == {"nested": 1}
    assert event.delta.to_dict()["future_field"] == 5
    with pytest.raises(AttributeError):
        event.extra  # noqa: B018
    with pytest.raises(AttributeError):
        event.delta.future_field  # noqa: B018


def test_documented_optional_fields_read_none_and_others_raise(backend):
    message = {"id": "m", "type": "message", "usage": {"input_tokens": 1}}
    block = {"type": "tool_use", "id": "t", "name": "f", "input": {}}
    events, _, _ = decode_everyhow(
        backend,
        sse({"type": "message_start", "message": message},
            {"type": "content_block_start", "index": 0, "content_block": block},
            {"type": "message_delta", "delta": {}}),
    )  # fmt: skip
    start, block_start, message_delta = events
    assert start.message.container is None
    assert start.message.stop_details is None
    assert start.message.usage.cache_read_input_tokens is None
    assert block_start.content_block.caller is None
    assert message_delta.delta.stop_reason is None
    assert message_delta.usage is None
    for record, name in [(start.message, "nope"), (start.message.usage, "nope"),
                         (block_start.content_block, "text")]:  # fmt: skip
        with pytest.raises(AttributeError):
            getattr(record, name)


def test_events_are_read_only_equal_across_backends_and_picklable(backend):
    data = sse(START, BLOCK, TEXT, STOP_BLOCK, DELTA, STOP)
    events, _, _ = decode_everyhow(backend, data)
    other, _, _ = decode_everyhow("python", data)
    assert events == other
    for event in events:
        with pytest.raises(AttributeError):
            event.type = "x"
        with pytest.raises(AttributeError):
            del event.type
        with pytest.raises(TypeError):
            hash(event)
        for clone in (pickle.loads(pickle.dumps(event)), copy.deepcopy(event)):
            assert clone == event
            assert type(clone) is type(other[events.index(event)])
            assert clone.to_dict() == event.to_dict()
    with pytest.raises(AttributeError):
        events[0].message.id = "x"
    assert events[2].delta != A.TextDelta(type="text_delta", text="other")
    assert events[2].delta == A.TextDelta(type="text_delta", text="Hi")


def test_reprs_name_the_class_and_its_fields(backend):
    (event,), _, _ = decode_everyhow(backend, sse(TEXT))
    assert repr(event) == (
        "ContentBlockDeltaEvent(type='content_block_delta', index=0, "
        "delta=TextDelta(type='text_delta', text='Hi'))"
    )


def test_a_mid_stream_overloaded_error_raises_with_the_events_before_it(backend):
    error = {"type": "error", "error": {"details": None, "type": "overloaded_error",
                                        "message": "Overloaded"}}  # fmt: skip
    data = sse(START, BLOCK, TEXT, error, STOP_BLOCK)
    events, raised, done = decode_everyhow(backend, data)
    assert isinstance(raised, StreamAPIError)
    assert (raised.message, raised.type, raised.code) == ("Overloaded", "overloaded_error", None)
    assert raised.body == error
    assert len(events) == 3 and not done
    decoder = A.EventDecoder(backend=backend)
    with pytest.raises(StreamAPIError) as info:
        decoder.feed(data)
    assert info.value.events == events
    assert decoder.feed(sse(STOP)) == []  # the stream ended


def test_an_error_payload_without_an_error_event_name_raises_too(backend):
    data = sse({"type": "error", "error": {"type": "api_error", "message": "boom"}}, name=False)
    _, raised, _ = decode_everyhow(backend, data)
    assert isinstance(raised, StreamAPIError) and raised.message == "boom"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"type": "content_block_delta", "index": 0,
          "delta": {"type": "text_delta", "text": 5}},
         "invalid event: delta.text must be a string, not integer"),
        ({"type": "content_block_delta", "index": "0", "delta": {}},
         "invalid event: index must be an integer, not string"),
        ({"type": "content_block_delta", "index": 0, "delta": {"type": None}},
         "invalid event: delta.type must be a string, not null"),
        ({"type": "content_block_delta", "index": 0,
          "delta": {"type": "input_json_delta", "partial_json": {}}},
         "invalid event: delta.partial_json must be a string, not object"),
        ({"type": "content_block_delta", "index": 0,
          "delta": {"type": "citations_delta", "citation": []}},
         "invalid event: delta.citation must be an object, not array"),
        ({"type": "message_start", "message": "m"},
         "invalid event: message must be an object, not string"),
        ({"type": "content_block_start", "index": 0, "content_block": {"type": 1}},
         "invalid event: content_block.type must be a string, not integer"),
        ({"type": "content_block_stop", "index": True},
         "invalid event: index must be an integer, not boolean"),
        ({"type": "message_delta", "delta": {"stop_reason": 1.5}},
         "invalid event: delta.stop_reason must be a string or null, not float"),
        ({"type": "message_delta", "delta": {}, "usage": "u"},
         "invalid event: usage must be an object or null, not string"),
    ],
)  # fmt: skip
def test_a_hot_path_field_of_the_wrong_type_raises_chunk_decode_error(backend, payload, message):
    data = sse(BLOCK, payload, STOP_BLOCK)
    events, raised, done = decode_everyhow(backend, data)
    assert isinstance(raised, ChunkDecodeError) and isinstance(raised, ValueError)
    assert str(raised) == message
    assert orjson.loads(raised.data) == payload
    assert len(events) == 1 and not done


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"data: {nope\n\n", "invalid JSON in event payload"),
        (b"data: [1]\n\n", "event payload must be a JSON object, not array"),
        (b'data: {"a": 1}\ndata: {"b": 2}\n\n', "invalid JSON in event payload"),
    ],
)
def test_bad_payloads_raise_chunk_decode_error(backend, data, message):
    _, raised, _ = decode_everyhow(backend, data)
    assert isinstance(raised, ChunkDecodeError) and str(raised) == message


def test_an_oversize_event_raises_and_the_decoder_goes_on(backend):
    decoder = A.EventDecoder(backend=backend, max_event_size=300)
    big = dict(TEXT, delta={"type": "text_delta", "text": "x" * 400})
    with pytest.raises(EventTooLargeError) as info:
        decoder.feed(sse(TEXT, big, TEXT))
    assert [e.delta.text for e in info.value.events] == ["Hi", "Hi"]
    assert decoder.feed(sse(STOP))[0].type == "message_stop" and decoder.done


def test_close_starts_a_new_stream_and_done_resets_on_the_next_feed(backend):
    decoder = A.EventDecoder(backend=backend)
    decoder.feed(sse(STOP))
    assert decoder.done and decoder.feed(sse(TEXT)) == []
    assert decoder.close() == [] and decoder.done
    assert len(decoder.feed(sse(TEXT))) == 1 and not decoder.done
    assert not decoder.incomplete
    decoder.feed(b"data: {")
    assert decoder.incomplete
    assert "backend=" in repr(decoder)


def test_feed_takes_bytes_like_objects_only(backend):
    decoder = A.EventDecoder(backend=backend)
    data = sse(TEXT)
    assert len(decoder.feed(bytearray(data))) == 1
    assert len(decoder.feed(memoryview(data))) == 1
    with pytest.raises(TypeError):
        decoder.feed("data: x\n\n")  # type: ignore[arg-type]


def test_invalid_utf8_is_repaired_before_parsing(backend):
    delta = b'{"type":"text_delta","text":"a\xffb"}'
    data = b'data: {"type":"content_block_delta","index":0,"delta":' + delta + b"}\n\n"
    (event,), error, _ = decode_everyhow(backend, data)
    assert error is None and event.delta.text == "a\ufffdb"
    assert event.to_dict()["delta"]["text"] == "a\ufffdb"
