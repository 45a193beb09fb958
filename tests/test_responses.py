"""ssejet.responses.EventDecoder: typed delta events, records at any depth, errors, on both
backends and under every splitting."""

from __future__ import annotations

import asyncio
import copy
import pickle
from functools import partial
from typing import Any

import dialect_streams
import orjson
import pytest
from dialect_streams import Decoded, sse

import ssejet.responses as R
from ssejet import ChunkDecodeError, EventTooLargeError, SSEError, StreamAPIError
from ssejet._records import Record


def decode(backend: str, chunks: list[bytes]) -> Decoded:
    return dialect_streams.decode(partial(R.EventDecoder, backend=backend), chunks)


def decode_everyhow(backend: str, data: bytes) -> Decoded:
    return dialect_streams.decode_everyhow(partial(R.EventDecoder, backend=backend), data)


RESPONSE = {
    "id": "resp_1", "object": "response", "created_at": 1, "status": "in_progress",
    "model": "gpt-5", "output": [], "usage": None, "error": None, "incomplete_details": None,
}  # fmt: skip
CREATED = {"type": "response.created", "sequence_number": 0, "response": RESPONSE}
ADDED = {
    "type": "response.output_item.added", "sequence_number": 1, "output_index": 0,
    "item": {"id": "msg_1", "type": "message", "status": "in_progress", "role": "assistant",
             "content": []},
}  # fmt: skip
PART = {
    "type": "response.content_part.added", "sequence_number": 2, "item_id": "msg_1",
    "output_index": 0, "content_index": 0,
    "part": {"type": "output_text", "text": "", "annotations": []},
}  # fmt: skip
TEXT = {
    "type": "response.output_text.delta", "sequence_number": 3, "item_id": "msg_1",
    "output_index": 0, "content_index": 0, "delta": "Hi", "logprobs": [], "obfuscation": "xyz",
}  # fmt: skip
ARGS = {
    "type": "response.function_call_arguments.delta", "sequence_number": 5, "item_id": "fc_1",
    "output_index": 1, "delta": '{"a":',
}  # fmt: skip
SUMMARY = {
    "type": "response.reasoning_summary_text.delta", "sequence_number": 6, "item_id": "rs_1",
    "output_index": 2, "summary_index": 1, "delta": "think",
}  # fmt: skip
REASONING = {
    "type": "response.reasoning_text.delta", "sequence_number": 7, "item_id": "rs_2",
    "output_index": 3, "content_index": 0, "delta": "raw",
}  # fmt: skip
USAGE = {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7,
         "input_tokens_details": {"cached_tokens": 0},
         "output_tokens_details": {"reasoning_tokens": 0}}  # fmt: skip
COMPLETED = {
    "type": "response.completed", "sequence_number": 9,
    "response": {**RESPONSE, "status": "completed", "usage": USAGE},
}  # fmt: skip


INVALID = "invalid event: "


def test_a_text_stream_gives_typed_deltas_and_response_completed_ends_it(backend):
    data = sse(CREATED, ADDED, PART, TEXT, COMPLETED, TEXT)
    events, error, done = decode_everyhow(backend, data)
    assert error is None and done
    assert [e.type for e in events] == [
        "response.created", "response.output_item.added", "response.content_part.added",
        "response.output_text.delta", "response.completed",
    ]  # fmt: skip
    delta = events[3]
    assert isinstance(delta, R.ResponseTextDeltaEvent)
    assert (delta.type, delta.item_id, delta.output_index, delta.content_index) == (
        "response.output_text.delta", "msg_1", 0, 0,
    )  # fmt: skip
    assert (delta.delta, delta.sequence_number) == ("Hi", 3)
    assert delta.to_dict() == TEXT
    assert (delta.logprobs, delta.obfuscation) == ([], "xyz")
    assert all(isinstance(e, Record) for i, e in enumerate(events) if i != 3)


@pytest.mark.parametrize(
    ("payload", "cls", "index"),
    [
        (TEXT, R.ResponseTextDeltaEvent, "content_index"),
        (ARGS, R.ResponseFunctionCallArgumentsDeltaEvent, None),
        (SUMMARY, R.ResponseReasoningSummaryTextDeltaEvent, "summary_index"),
        (REASONING, R.ResponseReasoningTextDeltaEvent, "content_index"),
    ],
)
def test_each_delta_type_is_its_typed_class_with_its_fields(backend, payload, cls, index):
    [event], error, done = decode_everyhow(backend, sse(payload))
    assert error is None and not done
    assert type(event).__name__ == cls.__name__ and isinstance(event, cls)
    names = ["type", "item_id", "output_index", *([index] if index else []), "delta",
             "sequence_number"]  # fmt: skip
    assert cls._fields == tuple(names)
    assert {n: getattr(event, n) for n in names} == {n: payload[n] for n in names}
    assert event.to_dict() == payload
    assert repr(event) == f"{cls.__name__}(" + ", ".join(
        f"{n}={payload[n]!r}" for n in names
    ) + ")"  # fmt: skip


def test_optional_delta_fields_read_none_and_old_streams_without_sequence_number_decode(backend):
    payload = {"type": "response.output_text.delta", "output_index": 0, "content_index": 0,
               "delta": "x"}  # fmt: skip
    [event], error, _ = decode_everyhow(backend, sse(payload))
    assert error is None
    assert (event.item_id, event.sequence_number) == (None, None)
    # documented optional fields the payload lacks read None; any other name is an error
    assert (event.logprobs, event.obfuscation) == (None, None)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        event.nope  # noqa: B018
    with pytest.raises(AttributeError):
        event._private  # noqa: B018


@pytest.mark.parametrize("end", ["response.completed", "response.failed", "response.incomplete"])
def test_each_terminal_lifecycle_event_ends_the_stream_and_is_an_event(backend, end):
    terminal = {"type": end, "response": {**RESPONSE, "status": end.split(".")[1]}}
    events, error, done = decode_everyhow(backend, sse(CREATED, terminal, TEXT))
    assert error is None and done
    assert [e.type for e in events] == ["response.created", end]


def test_done_ends_a_stream_without_event_lines(backend):
    data = b": OPENROUTER PROCESSING\n\n" + sse(CREATED, TEXT, name=False) + b"data: [DONE]\n\n"
    events, error, done = decode_everyhow(backend, data + sse(TEXT))
    assert error is None and done
    assert [e.type for e in events] == ["response.created", "response.output_text.delta"]


def test_the_type_comes_from_the_event_name_when_the_payload_has_none(backend):
    body = (
        b'event: response.output_text.delta\ndata: {"output_index":0,"content_index":1,'
        b'"delta":"a"}\n\nevent: response.in_progress\ndata: {"response":{"id":"r"}}\n\n'
        b'data: {"type":7}\n\n'
    )
    events, error, _ = decode_everyhow(backend, body)
    assert error is None
    assert isinstance(events[0], R.ResponseTextDeltaEvent)
    assert events[0].type == "response.output_text.delta"
    assert "type" not in events[0].to_dict()
    assert events[1].type == "response.in_progress" and events[1].response.id == "r"
    assert events[2].type == "message"


def test_unknown_event_types_are_records_with_attribute_access_at_any_depth(backend):
    done_item = {
        "type": "response.output_item.done", "output_index": 1, "sequence_number": 8,
        "item": {"type": "function_call", "id": "fc_1", "call_id": "call_9", "name": "f",
                 "arguments": "{}", "status": "completed"},
    }  # fmt: skip
    brand_new = {"type": "response.brand_new.delta", "delta": 5, "deep": {"a": [{"b": 1}]}}
    completed = {**COMPLETED, "response": {**COMPLETED["response"], "output": [done_item["item"]]}}
    events, error, _ = decode_everyhow(backend, sse(done_item, brand_new, completed))
    assert error is None
    item_done, new, end = events
    assert item_done.item.call_id == "call_9"
    assert new.type == "response.brand_new.delta" and new.delta == 5
    assert new.deep.a[0].b == 1
    assert end.response.usage.output_tokens == 2
    assert end.response.usage.input_tokens_details.cached_tokens == 0
    assert end.response.output[0].id == "fc_1"
    assert end.to_dict() == completed
    # documented optional fields read None; other names raise AttributeError
    assert end.response.previous_response_id is None
    assert item_done.item.namespace is None
    with pytest.raises(AttributeError):
        end.response.nope  # noqa: B018
    with pytest.raises(AttributeError):
        new.nope  # noqa: B018
    with pytest.raises(AttributeError):
        end.response = None  # type: ignore[misc]


def test_an_error_event_raises_stream_api_error_carrying_the_events_before_it(backend):
    flat = {"type": "error", "sequence_number": 2, "code": "rate_limit_exceeded",
            "message": "slow down", "param": None}  # fmt: skip
    events, error, done = decode_everyhow(backend, sse(CREATED, TEXT, flat, TEXT))
    assert isinstance(error, StreamAPIError) and not done
    # the flat payload is its own error object, so its `type` is the error type
    assert (error.message, error.code, error.type) == ("slow down", "rate_limit_exceeded", "error")
    assert error.body == flat
    assert [e.type for e in events] == ["response.created", "response.output_text.delta"]


def test_a_nested_error_event_and_a_truthy_error_payload_raise(backend):
    nested = {"type": "error", "error": {"type": "insufficient_quota", "code": "q",
                                         "message": "pay"}}  # fmt: skip
    _, error, _ = decode_everyhow(backend, sse(nested))
    assert (error.message, error.code, error.type) == ("pay", "q", "insufficient_quota")
    in_payload = {"type": "response.failed", "error": {"message": "boom", "code": 500}}
    events, error, done = decode_everyhow(backend, sse(TEXT, in_payload, name=False))
    assert isinstance(error, StreamAPIError) and (error.message, error.code) == ("boom", 500)
    assert len(events) == 1 and not done
    # response.failed carries its error inside `response`: an event, not an error
    failed = {
        "type": "response.failed",
        "response": {**RESPONSE, "status": "failed", "error": {"code": "x", "message": "m"}},
    }
    [event], error, done = decode_everyhow(backend, sse(failed))
    assert error is None and done and event.response.error.code == "x"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("{nope", "invalid JSON in event payload"),
        ("[1, 2]", "event payload must be a JSON object, not array"),
        ('"text"', "event payload must be a JSON object, not string"),
        ({**TEXT, "delta": 5}, "invalid event: delta must be a string, not integer"),
        ({**TEXT, "item_id": 1}, "invalid event: item_id must be a string or null, not integer"),
        ({**TEXT, "output_index": "0"}, INVALID + "output_index must be an integer, not string"),
        ({**TEXT, "content_index": None}, INVALID + "content_index must be an integer, not null"),
        ({**SUMMARY, "summary_index": 1.5},
         INVALID + "summary_index must be an integer, not float"),
        ({**ARGS, "delta": None}, "invalid event: delta must be a string, not null"),
        ({**REASONING, "sequence_number": True},
         "invalid event: sequence_number must be an integer or null, not boolean"),
        ({**TEXT, "output_index": True, "delta": 5},
         "invalid event: output_index must be an integer, not boolean"),
    ],
)  # fmt: skip
def test_malformed_payloads_raise_chunk_decode_error_with_the_events_before(
    backend, payload, message
):
    data = sse(CREATED, payload, TEXT)
    events, error, done = decode_everyhow(backend, data)
    assert isinstance(error, ChunkDecodeError) and isinstance(error, ValueError)
    assert str(error) == message
    text = payload if isinstance(payload, str) else orjson.dumps(payload).decode()
    assert error.data == text
    assert [e.type for e in events] == ["response.created"] and not done


def test_an_error_ends_the_stream_until_close(backend):
    decoder = R.EventDecoder(backend=backend)
    with pytest.raises(ChunkDecodeError):
        decoder.feed(sse({**TEXT, "delta": 1}))
    assert decoder.feed(sse(TEXT)) == []
    decoder.close()
    assert [e.delta for e in decoder.feed(sse(TEXT))] == ["Hi"]


def test_an_oversize_event_is_skipped_and_the_decoder_goes_on(backend):
    decoder = R.EventDecoder(max_event_size=200, backend=backend)
    big = {**TEXT, "delta": "x" * 300}
    with pytest.raises(EventTooLargeError) as raised:
        decoder.feed(sse(TEXT, big, TEXT))
    assert [e.delta for e in raised.value.events] == ["Hi", "Hi"]
    assert raised.value.limit == 200
    assert [e.delta for e in decoder.feed(sse(TEXT))] == ["Hi"]


def test_objects_compare_equal_across_backends_and_pickle_as_the_public_class():
    data = sse(CREATED, TEXT, ARGS, SUMMARY, REASONING, COMPLETED)
    pure = R.EventDecoder(backend="python").feed(data)
    try:
        compiled = R.EventDecoder(backend="rust").feed(data)
    except ImportError:  # pragma: no cover - depends on the build
        pytest.skip("the Rust extension is not built")
    assert pure == compiled and compiled == pure
    assert [repr(e) for e in pure] == [repr(e) for e in compiled]
    for event in [*pure, *compiled]:
        for clone in (pickle.loads(pickle.dumps(event)), copy.copy(event), copy.deepcopy(event)):
            assert clone == event and clone.to_dict() == event.to_dict()
    typed = compiled[1]
    with pytest.raises(AttributeError):
        typed.delta = "no"  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(typed)
    assert typed != pure[2] and typed == pure[1]


def test_a_typed_event_can_be_made_by_hand():
    event = R.ResponseTextDeltaEvent(item_id="m", output_index=0, content_index=0, delta="a")
    assert event.type == "response.output_text.delta" and event.sequence_number is None
    assert event.to_dict()["delta"] == "a"
    with pytest.raises(TypeError, match="unexpected fields: nope"):
        R.ResponseTextDeltaEvent(nope=1)


def test_feed_rejects_what_is_not_bytes(backend):
    decoder = R.EventDecoder(backend=backend)
    with pytest.raises(TypeError, match="bytes, bytearray or memoryview, not str"):
        decoder.feed("data: {}\n\n")  # type: ignore[arg-type]
    assert [e.delta for e in decoder.feed(memoryview(bytearray(sse(TEXT))))] == ["Hi"]
    assert "EventDecoder(max_event_size=" in repr(decoder)


def test_iter_events_and_aiter_events_over_byte_iterables(backend):
    data = sse(CREATED, TEXT, COMPLETED) + b"garbage after the end"
    pieces = [data[i : i + 7] for i in range(0, len(data), 7)]
    events = list(R.iter_events(pieces, backend=backend))
    assert [e.type for e in events] == [
        "response.created", "response.output_text.delta", "response.completed",
    ]  # fmt: skip

    async def chunks():
        for piece in pieces:
            yield piece

    async def collect() -> list[Any]:
        return [e async for e in R.aiter_events(chunks(), backend=backend)]

    assert asyncio.run(collect()) == events


def test_iter_events_yields_the_events_before_an_error_then_raises(backend):
    flat = {"type": "error", "code": "x", "message": "m"}
    got = []
    with pytest.raises(StreamAPIError, match="m"):
        for event in R.iter_events([sse(CREATED, TEXT), sse(flat)], backend=backend):
            got.append(event.type)
    assert got == ["response.created", "response.output_text.delta"]
    with pytest.raises(SSEError, match="mid-event"):
        list(R.iter_events([sse(CREATED) + b"data: {"], backend=backend))


def test_an_error_sent_without_an_event_line_raises_too(backend):
    # OpenRouter's Responses streams send no `event:` lines: the payload's type says error.
    flat = {"type": "error", "code": "rate_limit_exceeded", "message": "slow down"}
    events, error, done = decode_everyhow(backend, sse(CREATED, TEXT, flat, TEXT, name=False))
    assert isinstance(error, StreamAPIError) and not done
    assert (error.message, error.code, error.body) == ("slow down", "rate_limit_exceeded", flat)
    assert [e.type for e in events] == ["response.created", "response.output_text.delta"]
