"""ssejet.anthropic.accumulate: the accumulation rules of API.md (layer 3b), linear time, and
the iterators over every layer 4 source, on both backends."""

from __future__ import annotations

import asyncio
import pickle
import time
from typing import Any

import pytest
from test_anthropic import BLOCK, DELTA, START, STOP, STOP_BLOCK, TEXT, sse

import ssejet.anthropic as A
from ssejet import SSEError, StreamAPIError
from ssejet._records import Record


def accumulate(backend: str, *payloads: Any) -> A.Message:
    return A.accumulate(A.EventDecoder(backend=backend).feed(sse(*payloads)))


def block_start(index: int, block: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_start", "index": index, "content_block": block}


def delta(index: int, kind: str, **fields: Any) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": index, "delta": {"type": kind, **fields}}


def stop(index: int) -> dict[str, Any]:
    return {"type": "content_block_stop", "index": index}


def test_text_is_concatenated_and_the_message_has_its_fields(backend):
    message = accumulate(backend, START, BLOCK, TEXT, TEXT, STOP_BLOCK, DELTA, STOP)
    assert isinstance(message, A.Message)
    (block,) = message.content
    assert isinstance(block, A.TextBlock) and block.text == "HiHi"
    assert block.citations is None  # documented, absent
    assert (message.id, message.type, message.role, message.model) == (
        "msg_1", "message", "assistant", "claude",
    )  # fmt: skip
    assert (message.stop_reason, message.stop_sequence) == ("end_turn", None)
    assert message.usage.to_dict() == {"input_tokens": 3, "output_tokens": 7}
    assert message.container is None
    with pytest.raises(AttributeError):
        message.nope  # noqa: B018


def test_tool_input_fragments_are_parsed_once_at_the_blocks_stop(backend):
    tool = {"type": "tool_use", "id": "t1", "name": "get", "input": {}}
    fragments = ['{"a"', ": [1, ", '2], "b": "é"', "}"]
    message = accumulate(
        backend, START, block_start(1, tool),
        *(delta(1, "input_json_delta", partial_json=f) for f in fragments), stop(1),
    )  # fmt: skip
    (block,) = message.content
    assert isinstance(block, A.ToolUseBlock)
    assert block.input == {"a": [1, 2], "b": "é"} and type(block.input) is dict
    assert "partial_json" not in block.to_dict()


@pytest.mark.parametrize(
    ("fragments", "stopped", "want"),
    [
        ([], True, {"x": 1}),  # no fragments: the start block's input
        (["", ""], True, {}),  # fragments joining to "": {}
        (['{"a": 1'], False, None),  # the stream ended before the block's stop
        (['{"a": ', "}"], True, None),  # not JSON: kept raw, no error
    ],
)
def test_tool_input_edge_cases(backend, fragments, stopped, want):
    tool = {"type": "tool_use", "id": "t", "name": "f", "input": {"x": 1}}
    payloads = [block_start(0, tool)]
    payloads += [delta(0, "input_json_delta", partial_json=f) for f in fragments]
    payloads += [stop(0)] if stopped else []
    (block,) = accumulate(backend, *payloads).content
    assert block.input == want
    if want is None:
        assert block.partial_json == "".join(fragments)


def test_thinking_is_concatenated_and_the_last_signature_wins(backend):
    message = accumulate(
        backend, block_start(0, {"type": "thinking", "thinking": "", "signature": ""}),
        delta(0, "thinking_delta", thinking="a"), delta(0, "thinking_delta", thinking="b"),
        delta(0, "signature_delta", signature="s1"), delta(0, "signature_delta", signature="s2"),
        stop(0),
    )  # fmt: skip
    (block,) = message.content
    assert isinstance(block, A.ThinkingBlock)
    assert (block.thinking, block.signature) == ("ab", "s2")


def test_citations_are_appended_to_the_blocks_list(backend):
    one, two = {"type": "char_location", "cited_text": "x"}, {"type": "page_location"}
    message = accumulate(
        backend, block_start(0, {"type": "text", "text": ""}),
        delta(0, "citations_delta", citation=one), delta(0, "text_delta", text="t"),
        delta(0, "citations_delta", citation=two),
    )  # fmt: skip
    assert message.content[0].to_dict() == {"type": "text", "text": "t", "citations": [one, two]}
    assert message.content[0].citations[0].cited_text == "x"


def test_blocks_are_listed_by_index_and_other_blocks_are_records(backend):
    result = {"type": "web_search_tool_result", "tool_use_id": "s", "content": [{"url": "u"}]}
    message = accumulate(
        backend, block_start(2, {"type": "text", "text": "c"}), block_start(0, result),
        block_start(1, {"type": "server_tool_use", "id": "s", "name": "web", "input": {}}),
        delta(1, "input_json_delta", partial_json='{"q": "x"}'), stop(1),
    )  # fmt: skip
    first, second, third = message.content
    assert type(first) is Record and first.content[0].url == "u" and first.caller is None
    assert isinstance(second, A.ServerToolUseBlock) and second.input == {"q": "x"}
    assert not isinstance(second, A.ToolUseBlock)
    assert third.text == "c"


def test_usage_fields_are_replaced_by_each_non_null_message_delta_field(backend):
    start = dict(START, message=dict(START["message"], usage={
        "input_tokens": 5, "output_tokens": 1, "cache_read_input_tokens": 2}))  # fmt: skip
    deltas = [
        {"type": "message_delta", "delta": {"stop_reason": "tool_use"},
         "usage": {"output_tokens": 10, "input_tokens": None}},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": "X"},
         "usage": {"output_tokens": 12, "server_tool_use": {"web_search_requests": 1}}},
    ]  # fmt: skip
    message = accumulate(backend, start, *deltas)
    assert message.usage.to_dict() == {
        "input_tokens": 5, "output_tokens": 12, "cache_read_input_tokens": 2,
        "server_tool_use": {"web_search_requests": 1},
    }  # fmt: skip
    assert (message.stop_reason, message.stop_sequence) == ("end_turn", "X")


def test_a_stream_without_message_start_accumulates_what_arrives(backend):
    message = accumulate(backend, TEXT, delta(1, "thinking_delta", thinking="t"), DELTA)
    assert [b.type for b in message.content] == ["text", "thinking"]
    assert message.content[0].text == "Hi" and message.content[1].thinking == "t"
    assert message.id is None and message.usage.output_tokens == 7
    empty = A.accumulate([])
    assert empty.content == [] and empty.usage is None and empty.stop_reason is None


def test_result_can_be_taken_midway_and_messages_are_read_only_and_picklable(backend):
    acc = A.Accumulator()
    events = A.EventDecoder(backend=backend).feed(sse(START, BLOCK, TEXT, TEXT))
    for event in events[:3]:
        acc.add(event)
    assert acc.result().content[0].text == "Hi"
    acc.add(events[3])
    message = acc.result()
    assert message.content[0].text == "HiHi"
    with pytest.raises(AttributeError):
        message.id = "x"
    clone = pickle.loads(pickle.dumps(message))
    assert clone == message and type(clone) is A.Message
    assert isinstance(clone.content[0], A.TextBlock)
    assert repr(message).startswith("Message(id='msg_1'")
    assert repr(message.content[0]) == "TextBlock(type='text', text='HiHi')"


@pytest.mark.parametrize("fragments", [200, 2000])
def test_accumulating_tool_input_is_linear_in_the_number_of_fragments(backend, fragments):
    def timed(n: int) -> float:
        payloads = [block_start(0, {"type": "tool_use", "id": "t", "name": "f", "input": {}})]
        payloads += [delta(0, "input_json_delta", partial_json='{"k": "' if i == 0 else "ab")
                     for i in range(n)]  # fmt: skip
        payloads += [delta(0, "input_json_delta", partial_json='"}'), stop(0)]
        events = A.EventDecoder(backend=backend).feed(sse(*payloads))
        start = time.perf_counter()
        message = A.accumulate(events)
        elapsed = time.perf_counter() - start
        assert len(message.content[0].input["k"]) == 2 * (n - 1)
        return elapsed

    small = min(timed(fragments) for _ in range(3))
    large = min(timed(fragments * 8) for _ in range(3))
    assert large < small * 8 * 3  # quadratic would be ~64x


def test_iter_events_reads_any_iterable_of_bytes(backend):
    data = sse(START, {"type": "ping"}, BLOCK, TEXT, STOP_BLOCK, DELTA, STOP)
    chunks = [data[i : i + 5] for i in range(0, len(data), 5)] + [b"data: ignored\n\n"]
    events = list(A.iter_events(iter(chunks), backend=backend))
    assert [e.type for e in events][-1] == "message_stop" and len(events) == 6
    assert A.accumulate(events).content[0].text == "Hi"


def test_iter_events_raises_after_yielding_what_came_before_an_error(backend):
    error = b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error"}}\n\n'
    seen = []
    with pytest.raises(StreamAPIError):
        for event in A.iter_events([sse(START, BLOCK, TEXT) + error], backend=backend):
            seen.append(event)
    assert len(seen) == 3


def test_iter_events_raises_on_a_body_that_ends_mid_event(backend):
    with pytest.raises(SSEError, match="mid-event"):
        list(A.iter_events([sse(TEXT), b"data: {"], backend=backend))


def test_aiter_events_reads_an_async_iterable(backend):
    data = sse(START, BLOCK, TEXT, STOP)

    async def body() -> Any:
        for i in range(0, len(data), 9):
            yield data[i : i + 9]

    async def collect() -> list[Any]:
        return [event async for event in A.aiter_events(body(), backend=backend)]

    events = asyncio.run(collect())
    assert [e.type for e in events] == [
        "message_start", "content_block_start", "content_block_delta", "message_stop",
    ]  # fmt: skip


def test_iter_events_reads_a_streaming_httpx_response(backend):
    httpx = pytest.importorskip("httpx")
    data = sse(START, BLOCK, TEXT, STOP_BLOCK, STOP)

    def handler(request: Any) -> Any:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=data)

    url = "https://api.anthropic.test/v1/messages"
    transport = httpx.MockTransport(handler)
    with httpx.Client(transport=transport) as client, client.stream("POST", url) as response:
        message = A.accumulate(A.iter_events(response, backend=backend))
    assert message.content[0].text == "Hi"
