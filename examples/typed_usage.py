"""The whole public API of ssejet, used the way a typed program would: checked by
`mypy --strict examples/typed_usage.py` (scripts/check_wheel.sh runs it against the installed
wheel), and runnable: `python examples/typed_usage.py` checks its own results on both backends.

No network: the httpx part answers from an `httpx.MockTransport`.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Iterator, Sequence
from typing import Any

import httpx

import ssejet
import ssejet.anthropic
import ssejet.responses
from ssejet import (
    Accumulator,
    APIStatusError,
    ChatCompletion,
    ChatCompletionChunk,
    Choice,
    ChunkDecodeError,
    ChunkDecoder,
    CompletionChoice,
    Delta,
    EventSource,
    EventTooLargeError,
    Function,
    FunctionDelta,
    Message,
    ServerSentEvent,
    SSEDecoder,
    SSEError,
    StreamAPIError,
    ToolCall,
    ToolCallDelta,
    Usage,
    accelerate,
    accumulate,
    aconnect_sse,
    aiter_chunks,
    aiter_sse,
    connect_sse,
    iter_chunks,
    iter_sse,
    parse_chunk,
)

STREAM = (
    b": keep-alive\r\n\r\n"
    b'data: {"id":"c1","model":"m","created":1,"choices":[{"index":0,"delta":'
    b'{"role":"assistant","reasoning_content":"think"}}]}\r\n\r\n'
    b'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hel"}}]}\r\n\r\n'
    b'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"lo","tool_calls":'
    b'[{"index":0,"id":"t1","type":"function","function":{"name":"f","arguments":"{}"}}]},'
    b'"finish_reason":"stop"}]}\r\n\r\n'
    b'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,'
    b'"cost":0.5}}\r\n\r\n'
    b"data: [DONE]\r\n\r\n"
)


def reads(data: bytes, size: int = 7) -> Iterator[bytes]:
    """The stream as a network would deliver it: cut anywhere."""
    for i in range(0, len(data), size):
        yield data[i : i + size]


def decode_events(backend: str) -> list[ServerSentEvent]:
    decoder = SSEDecoder(max_event_size=1 << 20, backend=backend)
    events: list[ServerSentEvent] = []
    for read in reads(STREAM):
        events.extend(decoder.feed(read))
    events.extend(decoder.close())
    retry: int | None = decoder.retry
    last_id: str = decoder.last_event_id
    assert retry is None and last_id == ""
    first: ServerSentEvent = events[0]
    payload = first.json()  # Any: JSON of any shape
    assert isinstance(payload, dict) and payload["id"] == "c1"
    assert (first.event, first.id, first.retry) == ("message", "", None)
    return events


def decode_chunks(backend: str) -> list[ChatCompletionChunk]:
    decoder = ChunkDecoder(backend=backend)
    chunks = [chunk for read in reads(STREAM, 5) for chunk in decoder.feed(read)]
    chunks += decoder.close()
    done: bool = decoder.done
    assert done
    return chunks


def describe(chunk: ChatCompletionChunk) -> str:
    """Reads every attribute of a chunk, each with its declared type."""
    parts: list[str] = [chunk.id or "-", chunk.model or "-", str(chunk.created)]
    parts += [chunk.object or "", chunk.service_tier or "", chunk.system_fingerprint or ""]
    for choice in chunk.choices:
        c: Choice = choice
        delta: Delta = c.delta
        parts.append(f"{c.index}:{delta.role}:{delta.content}:{delta.reasoning_content}")
        parts.append(f"{delta.refusal}:{c.finish_reason}:{c.logprobs}")
        calls: list[ToolCallDelta] = delta.tool_calls or []
        for call in calls:
            function: FunctionDelta | None = call.function
            name = function.name if function is not None else None
            parts.append(f"{call.index}:{call.id}:{call.type}:{name}")
    usage: Usage | None = chunk.usage
    if usage is not None:
        total: int | None = usage.total_tokens
        parts.append(f"{usage.prompt_tokens}+{usage.completion_tokens}={total}")
        parts.append(f"{usage.prompt_tokens_details}/{usage.completion_tokens_details}")
        parts.append(str(usage.to_dict()))
    raw: dict[str, object] = chunk.to_dict()
    parts.append(",".join(sorted(raw)))
    return " ".join(parts)


def merge(chunks: Sequence[ChatCompletionChunk]) -> ChatCompletion:
    accumulator = Accumulator()
    for chunk in chunks:
        accumulator.add(chunk)
    completion: ChatCompletion = accumulator.result()
    assert completion == accumulate(chunks)
    choice: CompletionChoice = completion.choices[0]
    message: Message = choice.message
    assert (message.role, message.content, message.reasoning_content) == (
        "assistant",
        "Hello",
        "think",
    )
    calls: list[ToolCall] = message.tool_calls or []
    function: Function = calls[0].function
    assert (calls[0].id, calls[0].type, function.name, function.arguments) == (
        "t1",
        "function",
        "f",
        "{}",
    )
    assert choice.finish_reason == "stop" and choice.index == 0
    assert (completion.id, completion.model, completion.created) == ("c1", "m", 1)
    assert completion.usage is not None and completion.usage.total_tokens == 5
    return completion


def errors(backend: str) -> None:
    try:
        SSEDecoder(max_event_size=8, backend=backend).feed(b"data: 123456789\n\ndata: ok\n\n")
    except EventTooLargeError as error:
        limit: int = error.limit
        assert limit == 8 and [e.data for e in error.events] == ["ok"]
    else:
        raise AssertionError("EventTooLargeError not raised")
    try:
        ChunkDecoder(backend=backend).feed(b"data: {oops\n\n")
    except ChunkDecodeError as error:
        assert isinstance(error, ValueError) and error.data == "{oops" and error.chunks == []
    else:
        raise AssertionError("ChunkDecodeError not raised")
    try:
        parse_chunk(b'{"error": {"message": "overloaded", "code": 529}}', backend=backend)
    except StreamAPIError as error:
        assert (error.message, error.code, error.type) == ("overloaded", 529, None)
        assert isinstance(error.body, dict)
    else:
        raise AssertionError("StreamAPIError not raised")


def sdk_layer(chunk: ChatCompletionChunk) -> None:
    """`accelerate()` takes an openai or Ark client (and returns it); anything else is refused.
    Chunks dump like the SDK's own models when an SDK is installed."""
    try:
        accelerate(object())
    except TypeError as error:
        assert "openai" in str(error)
    else:
        raise AssertionError("TypeError not raised")
    if importlib.util.find_spec("openai") or importlib.util.find_spec("volcenginesdkarkruntime"):
        dumped: dict[str, Any] = chunk.model_dump(exclude_none=True)
        text: str = chunk.model_dump_json()
        assert dumped["id"] == "c1" and text.startswith("{")


def handler(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/fail":
        return httpx.Response(500, json={"error": "boom"})
    if request.url.path == "/html":
        return httpx.Response(200, headers={"content-type": "text/html"}, content=b"<p>")
    assert request.headers["accept"] == "text/event-stream"
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=STREAM)


def over_http() -> None:
    transport = httpx.MockTransport(handler)
    with httpx.Client(transport=transport, base_url="http://test") as client:
        with connect_sse(client, "GET", "/chat") as source:
            events_source: EventSource = source
            chunks: list[ChatCompletionChunk] = list(events_source.iter_chunks())
            assert merge(chunks).choices[0].message.content == "Hello"
        with client.stream("GET", "/chat", headers={"accept": "text/event-stream"}) as response:
            events: list[ServerSentEvent] = list(iter_sse(response))
            assert events[-1].data == "[DONE]"
        with client.stream("GET", "/chat", headers={"accept": "text/event-stream"}) as response:
            assert len(list(iter_chunks(response, backend="python"))) == len(chunks)
        try:
            with connect_sse(client, "POST", "/fail", json={}) as source:
                list(source.iter_sse())
        except APIStatusError as error:
            status: int = error.status_code
            assert status == 500 and error.body == {"error": "boom"}
        else:
            raise AssertionError("APIStatusError not raised")
        try:
            with connect_sse(client, "GET", "/html") as source:
                list(source.iter_sse())
        except SSEError as error:
            assert "text/html" in str(error)
        else:
            raise AssertionError("SSEError not raised")


async def over_http_async() -> None:
    transport = httpx.MockTransport(handler)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        async with aconnect_sse(client, "GET", "/chat") as source:
            contents = [
                c.choices[0].delta.content async for c in source.aiter_chunks() if c.choices
            ]
            assert "".join(filter(None, contents)) == "Hello"
        async with aconnect_sse(client, "GET", "/chat") as source:
            events = [event async for event in source.aiter_sse()]
            assert len(events) == 5
        headers = {"accept": "text/event-stream"}
        async with client.stream("GET", "/chat", headers=headers) as response:
            assert len([e async for e in aiter_sse(response)]) == 5
        async with client.stream("GET", "/chat", headers=headers) as response:
            assert len([c async for c in aiter_chunks(response)]) == 4


ANTHROPIC = (
    b'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message",'
    b'"role":"assistant","model":"claude","content":[],"stop_reason":null,"stop_sequence":null,'
    b'"usage":{"input_tokens":3,"output_tokens":1}}}\n\n'
    b'event: content_block_start\ndata: {"type":"content_block_start","index":0,'
    b'"content_block":{"type":"text","text":""}}\n\n'
    b'event: ping\ndata: {"type": "ping"}\n\n'
    b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
    b'"delta":{"type":"text_delta","text":"Hello"}}\n\n'
    b'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n'
    b'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn",'
    b'"stop_sequence":null},"usage":{"output_tokens":2}}\n\n'
    b'event: message_stop\ndata: {"type":"message_stop"}\n\n'
)
RESPONSES = (
    b'data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1",'
    b'"object":"response","status":"in_progress","model":"gpt","output":[]}}\n\n'
    b'data: {"type":"response.output_item.added","sequence_number":1,"output_index":0,'
    b'"item":{"id":"msg_1","type":"message","role":"assistant","content":[]}}\n\n'
    b'data: {"type":"response.content_part.added","sequence_number":2,"item_id":"msg_1",'
    b'"output_index":0,"content_index":0,"part":{"type":"output_text","text":""}}\n\n'
    b'data: {"type":"response.output_text.delta","sequence_number":3,"item_id":"msg_1",'
    b'"output_index":0,"content_index":0,"delta":"Hello"}\n\n'
    b'data: {"type":"response.completed","sequence_number":4,"response":{"id":"resp_1",'
    b'"object":"response","status":"completed","model":"gpt","output":[],'
    b'"usage":{"input_tokens":3,"output_tokens":1,"total_tokens":4}}}\n\n'
)


def dialects(backend: str) -> None:
    """The Anthropic and Responses dialects: typed hot-path events, records, accumulation."""
    decoder = ssejet.anthropic.EventDecoder(backend=backend)
    events: list[Any] = list(ssejet.anthropic.iter_events(reads(ANTHROPIC), backend=backend))
    first = decoder.feed(ANTHROPIC)[0]
    assert isinstance(first, ssejet.anthropic.MessageStartEvent)
    assert first.message.usage.input_tokens == 3  # a record, read at depth
    text = ""
    for event in events:
        if isinstance(event, ssejet.anthropic.ContentBlockDeltaEvent):
            delta = event.delta
            if isinstance(delta, ssejet.anthropic.TextDelta):
                text += delta.text
    message: ssejet.anthropic.Message = ssejet.anthropic.accumulate(events)
    assert text == "Hello" and message.stop_reason == "end_turn" and decoder.done
    assert message.usage is not None and message.usage.output_tokens == 2
    responses: list[Any] = list(ssejet.responses.iter_events([RESPONSES], backend=backend))
    deltas = [e.delta for e in responses if isinstance(e, ssejet.responses.ResponseTextDeltaEvent)]
    response: ssejet.responses.Response = ssejet.responses.accumulate(responses)
    assert deltas == ["Hello"] and response.output_text == "Hello"
    assert response.status == "completed" and responses[-1].response.usage.total_tokens == 4


def main() -> None:
    backends: list[str] = ["python", "rust"] if ssejet.backend == "rust" else ["python"]
    for backend in backends:
        events = decode_events(backend)
        chunks = decode_chunks(backend)
        assert len(events) == 5 and len(chunks) == 4
        assert isinstance(chunks[0], ChatCompletionChunk)  # either backend's class
        merge(chunks)
        errors(backend)
        sdk_layer(chunks[0])
        dialects(backend)
        print(f"{backend}: {describe(chunks[-2])[:60]}...")
    over_http()
    asyncio.run(over_http_async())
    print(f"ssejet {ssejet.__version__}: typed usage ok (default backend {ssejet.backend})")


if __name__ == "__main__":
    main()
