"""Layer 2: ChunkDecoder and parse_chunk. One test per stream rule, normalisation and error
case of API.md, plus object behaviour and the seeds' formats (Ark/Doubao, SiliconFlow/DeepSeek).
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

import orjson
import pytest
from conftest import splittings

import ssejet
from ssejet import (
    ChatCompletionChunk,
    Choice,
    ChunkDecodeError,
    ChunkDecoder,
    Delta,
    EventTooLargeError,
    FunctionDelta,
    StreamAPIError,
    ToolCallDelta,
    Usage,
    parse_chunk,
)


def sse(*payloads: Any) -> bytes:
    """An SSE body with one `data:` event per payload (dicts are dumped as JSON)."""
    out = []
    for payload in payloads:
        text = payload if isinstance(payload, (str, bytes)) else orjson.dumps(payload)
        text = text.encode() if isinstance(text, str) else text
        out.append(b"data: " + text + b"\n\n")
    return b"".join(out)


def run(pieces: list[bytes], backend: str) -> tuple[list[ChatCompletionChunk], Any, bool]:
    """Feeds `pieces`, then closes; returns (chunks, the first error raised or None, done).
    Chunks riding on an error are collected in order."""
    decoder = ChunkDecoder(backend=backend)
    chunks: list[ChatCompletionChunk] = []
    error = None
    for piece in pieces:
        try:
            chunks += decoder.feed(piece)
        except (StreamAPIError, ChunkDecodeError, EventTooLargeError) as exc:
            chunks += exc.chunks
            error = error or exc
    done = decoder.done
    chunks += decoder.close()
    return chunks, error, done


def decode(stream: bytes, backend: str) -> tuple[list[ChatCompletionChunk], Any, bool]:
    """`run` on the whole stream, after checking every splitting gives the same outcome."""
    whole = run([stream], backend)
    for pieces in splittings(stream, every_index=len(stream) < 2000):
        chunks, error, done = run(pieces, backend)
        assert chunks == whole[0]
        assert done == whole[2]
        assert type(error) is type(whole[1]) and str(error) == str(whole[1])
    return whole


def contents(chunks: list[ChatCompletionChunk]) -> list[Any]:
    return [c.choices[0].delta.content for c in chunks if c.choices]


def one(payload: Any, backend: str) -> ChatCompletionChunk:
    """The single chunk a stream with this one payload gives (and parse_chunk agrees)."""
    chunks, error, _ = decode(sse(payload), backend)
    assert error is None
    assert len(chunks) == 1
    text = payload if isinstance(payload, (str, bytes)) else orjson.dumps(payload)
    assert parse_chunk(text, backend=backend) == chunks[0]
    return chunks[0]


def decode_error(payload: Any, backend: str) -> ChunkDecodeError:
    chunks, error, _ = decode(sse(payload), backend)
    assert chunks == []
    assert isinstance(error, ChunkDecodeError)
    text = payload if isinstance(payload, (str, bytes)) else orjson.dumps(payload)
    with pytest.raises(ChunkDecodeError) as info:
        parse_chunk(text, backend=backend)
    assert str(info.value) == str(error)
    return error


HELLO = {
    "id": "c1",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "delta": {"content": "Hello"}, "finish_reason": None}],
}


# --- stream rules ------------------------------------------------------------------------


def test_a_chunk_event_becomes_a_typed_chunk_with_sdk_attribute_access(backend: str) -> None:
    chunk = one(HELLO, backend)
    assert isinstance(chunk, ChatCompletionChunk)
    assert (chunk.id, chunk.object, chunk.created, chunk.model) == (
        "c1",
        "chat.completion.chunk",
        1,
        "m",
    )
    assert chunk.service_tier is None and chunk.system_fingerprint is None
    assert chunk.usage is None
    assert chunk.choices[0].index == 0
    assert chunk.choices[0].delta.content == "Hello"
    assert chunk.choices[0].finish_reason is None


def test_chunks_do_not_depend_on_how_the_bytes_are_split(backend: str) -> None:
    stream = sse(HELLO, {"choices": [{"delta": {"content": "你好"}}]}, "[DONE]")
    chunks, error, done = decode(stream, backend)  # decode() compares every splitting
    assert contents(chunks) == ["Hello", "你好"]
    assert error is None and done


def test_comments_and_keep_alives_are_skipped(backend: str) -> None:
    stream = b": keep-alive\n\n:\n\n" + sse(HELLO) + b": OPENROUTER PROCESSING\n\n" + sse(HELLO)
    chunks, error, _ = decode(stream, backend)
    assert contents(chunks) == ["Hello", "Hello"]
    assert error is None


def test_events_with_empty_data_are_skipped(backend: str) -> None:
    stream = b"data:\n\ndata: \n\nevent: message\ndata:\n\n" + sse(HELLO)
    chunks, error, _ = decode(stream, backend)
    assert contents(chunks) == ["Hello"]
    assert error is None


def test_done_sets_done_and_ignores_the_rest_of_the_feed(backend: str) -> None:
    decoder = ChunkDecoder(backend=backend)
    assert decoder.done is False
    chunks = decoder.feed(sse(HELLO, "[DONE]", HELLO, "not json"))
    assert contents(chunks) == ["Hello"]
    assert decoder.done is True


@pytest.mark.parametrize(
    "data", [b"[DONE]", b" [DONE] ", b"\t[DONE]\x0c", b"[DONE]\n", b"\n[DONE]"]
)
def test_done_is_recognised_with_surrounding_ascii_whitespace(backend: str, data: bytes) -> None:
    stream = b"data:" + data.replace(b"\n", b"\ndata:") + b"\n\n"
    chunks, error, done = decode(stream, backend)
    assert (chunks, error, done) == ([], None, True)


def test_done_with_a_vertical_tab_is_not_done_but_invalid_json(backend: str) -> None:
    _chunks, error, done = decode(b"data: [DONE]\x0b\n\n", backend)
    assert isinstance(error, ChunkDecodeError)
    assert done is False


def test_done_in_any_other_spelling_is_invalid_json(backend: str) -> None:
    for data in (b"[done]", b"[DONE]x", b"DONE"):
        _chunks, error, done = decode(b"data: " + data + b"\n\n", backend)
        assert isinstance(error, ChunkDecodeError) and not done


def test_input_after_done_is_ignored_until_close(backend: str) -> None:
    decoder = ChunkDecoder(backend=backend)
    decoder.feed(sse("[DONE]"))
    assert decoder.feed(sse(HELLO)) == []
    assert decoder.feed(b"data: not json\n\n") == []
    assert decoder.feed(b"event: error\ndata: x\n\n") == []
    assert decoder.done is True


def test_close_keeps_done_and_a_later_feed_starts_a_new_stream(backend: str) -> None:
    decoder = ChunkDecoder(backend=backend)
    decoder.feed(sse(HELLO, "[DONE]"))
    assert decoder.close() == []
    assert decoder.done is True
    assert contents(decoder.feed(sse(HELLO))) == ["Hello"]
    assert decoder.done is False


def test_an_empty_feed_after_close_does_not_start_a_new_stream(backend: str) -> None:
    decoder = ChunkDecoder(backend=backend)
    decoder.feed(sse("[DONE]"))
    decoder.close()
    assert decoder.feed(b"") == []
    assert decoder.done is True


def test_close_discards_an_unterminated_event(backend: str) -> None:
    decoder = ChunkDecoder(backend=backend)
    assert decoder.feed(sse(HELLO)[:-1]) == []
    assert decoder.close() == []
    assert contents(decoder.feed(sse(HELLO))) == ["Hello"]


def test_a_stream_without_done_ends_with_done_false(backend: str) -> None:
    chunks, error, done = decode(sse(HELLO, HELLO), backend)
    assert len(chunks) == 2 and error is None and done is False


def test_events_of_any_type_other_than_error_carry_chunks(backend: str) -> None:
    # As openai-python reads a stream: every event type but `error` is parsed as a chunk.
    payload = orjson.dumps(HELLO)
    stream = b"event: message\ndata: " + payload + b"\n\nevent: chunk\ndata: " + payload + b"\n\n"
    chunks, error, _ = decode(stream, backend)
    assert contents(chunks) == ["Hello", "Hello"]
    assert error is None


def test_several_json_documents_in_one_event_are_one_invalid_payload(backend: str) -> None:
    stream = b"data: {}\ndata: {}\n\n"
    _chunks, error, _ = decode(stream, backend)
    assert isinstance(error, ChunkDecodeError)
    assert error.data == "{}\n{}"


def test_invalid_utf8_in_a_payload_is_replaced_not_an_error(backend: str) -> None:
    stream = b'data: {"choices":[{"delta":{"content":"a\xff\xe4\xbd"}}]}\n\n'
    chunks, error, _ = decode(stream, backend)
    assert error is None
    assert contents(chunks) == ["a\ufffd\ufffd"]
    assert chunks[0].to_dict()["choices"][0]["delta"]["content"] == "a\ufffd\ufffd"


def test_a_multibyte_character_split_across_feeds_decodes(backend: str) -> None:
    stream = sse({"choices": [{"delta": {"content": "你好"}}]})
    cut = stream.index("好".encode()) + 1
    chunks, _error, _ = run([stream[:cut], stream[cut:]], backend)
    assert contents(chunks) == ["你好"]


def test_feed_rejects_a_str_argument(backend: str) -> None:
    with pytest.raises(TypeError, match="bytes, bytearray or memoryview, not str"):
        ChunkDecoder(backend=backend).feed("data: {}\n\n")  # type: ignore[arg-type]


def test_feed_accepts_bytearray_and_memoryview(backend: str) -> None:
    decoder = ChunkDecoder(backend=backend)
    assert contents(decoder.feed(bytearray(sse(HELLO)))) == ["Hello"]
    assert contents(decoder.feed(memoryview(sse(HELLO)))) == ["Hello"]


# --- max_event_size ----------------------------------------------------------------------


def test_an_oversize_event_raises_with_the_good_chunks_of_the_call_and_the_decoder_goes_on(
    backend: str,
) -> None:
    small = sse(HELLO)
    big = sse({"choices": [{"delta": {"content": "x" * 500}}]})
    decoder = ChunkDecoder(max_event_size=len(small), backend=backend)
    with pytest.raises(EventTooLargeError) as info:
        decoder.feed(small + big + small)
    assert contents(info.value.chunks) == ["Hello", "Hello"]
    assert info.value.limit == len(small)
    assert contents(decoder.feed(small)) == ["Hello"]
    assert decoder.done is False


def test_a_terminal_error_wins_over_an_oversize_event_in_the_same_feed(backend: str) -> None:
    small = sse(HELLO)
    big = sse({"choices": [{"delta": {"content": "x" * 500}}]})
    decoder = ChunkDecoder(max_event_size=len(small), backend=backend)
    with pytest.raises(StreamAPIError) as info:
        decoder.feed(small + big + b"event: error\ndata: boom\n\n" + small)
    assert info.value.message == "boom"
    assert contents(info.value.chunks) == ["Hello"]
    assert decoder.feed(small) == []  # the stream ended


def test_done_after_an_oversize_event_still_raises_the_oversize_error(backend: str) -> None:
    small = sse(HELLO)
    big = sse({"choices": [{"delta": {"content": "x" * 500}}]})
    decoder = ChunkDecoder(max_event_size=len(small), backend=backend)
    with pytest.raises(EventTooLargeError) as info:
        decoder.feed(small + big + sse("[DONE]"))
    assert contents(info.value.chunks) == ["Hello"]
    assert decoder.done is True


def test_max_event_size_is_validated(backend: str) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ChunkDecoder(max_event_size=0, backend=backend)
    with pytest.raises(TypeError, match="must be an int"):
        ChunkDecoder(max_event_size=True, backend=backend)  # type: ignore[arg-type]
    decoder = ChunkDecoder(max_event_size=10, backend=backend)
    assert decoder.max_event_size == 10
    assert decoder.backend == backend
    assert repr(decoder) == f"ChunkDecoder(max_event_size=10, backend={backend!r}, done=False)"


# --- ChunkDecodeError ----------------------------------------------------------------------


def test_invalid_json_raises_chunk_decode_error_with_the_data_and_the_earlier_chunks(
    backend: str,
) -> None:
    decoder = ChunkDecoder(backend=backend)
    with pytest.raises(ChunkDecodeError) as info:
        decoder.feed(sse(HELLO, '{"choices": [}', HELLO))
    error = info.value
    assert str(error) == "invalid JSON in chunk payload"
    assert error.data == '{"choices": [}'
    assert contents(error.chunks) == ["Hello"]
    assert isinstance(error, ValueError) and isinstance(error, ssejet.SSEError)


def test_chunk_decode_error_ends_the_stream_until_close(backend: str) -> None:
    decoder = ChunkDecoder(backend=backend)
    with pytest.raises(ChunkDecodeError):
        decoder.feed(sse("nope"))
    assert decoder.feed(sse(HELLO)) == []
    assert decoder.done is False
    decoder.close()
    assert contents(decoder.feed(sse(HELLO))) == ["Hello"]


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ("[]", "array"),
        ('"text"', "string"),
        ("1", "integer"),
        ("1.5", "float"),
        ("true", "boolean"),
        ("null", "null"),
    ],
)
def test_a_payload_that_is_not_an_object_raises(backend: str, payload: str, kind: str) -> None:
    error = decode_error(payload, backend)
    assert str(error) == f"chunk payload must be a JSON object, not {kind}"
    assert error.data == payload


WRONG_TYPES = [
    ({"id": 5}, "id must be a string or null, not integer"),
    ({"object": []}, "object must be a string or null, not array"),
    ({"created": "1"}, "created must be an integer or null, not string"),
    ({"created": 1.0}, "created must be an integer or null, not float"),
    ({"created": True}, "created must be an integer or null, not boolean"),
    ({"model": {}}, "model must be a string or null, not object"),
    ({"service_tier": 1}, "service_tier must be a string or null, not integer"),
    ({"system_fingerprint": False}, "system_fingerprint must be a string or null, not boolean"),
    ({"choices": {}}, "choices must be an array or null, not object"),
    ({"choices": [None]}, "choices[0] must be an object, not null"),
    ({"choices": [{}, 3]}, "choices[1] must be an object, not integer"),
    ({"choices": [{"index": "0"}]}, "choices[0].index must be an integer or null, not string"),
    ({"choices": [{"delta": "hi"}]}, "choices[0].delta must be an object or null, not string"),
    (
        {"choices": [{"delta": {"role": 1}}]},
        "choices[0].delta.role must be a string or null, not integer",
    ),
    (
        {"choices": [{"delta": {"content": 5}}]},
        "choices[0].delta.content must be a string, a list of content parts or null, not integer",
    ),
    (
        {"choices": [{"delta": {"content": {"type": "text"}}}]},
        "choices[0].delta.content must be a string, a list of content parts or null, not object",
    ),
    (
        {"choices": [{"delta": {"reasoning_content": []}}]},
        "choices[0].delta.reasoning_content must be a string or null, not array",
    ),
    (
        {"choices": [{"delta": {"reasoning": 1.5}}]},
        "choices[0].delta.reasoning must be a string or null, not float",
    ),
    (
        {"choices": [{"delta": {"refusal": True}}]},
        "choices[0].delta.refusal must be a string or null, not boolean",
    ),
    (
        {"choices": [{"delta": {"tool_calls": {}}}]},
        "choices[0].delta.tool_calls must be an array or null, not object",
    ),
    (
        {"choices": [{"delta": {"tool_calls": [{}, None]}}]},
        "choices[0].delta.tool_calls[1] must be an object, not null",
    ),
    (
        {"choices": [{"delta": {"tool_calls": [{"index": 0.0}]}}]},
        "choices[0].delta.tool_calls[0].index must be an integer or null, not float",
    ),
    (
        {"choices": [{"delta": {"tool_calls": [{"id": 7}]}}]},
        "choices[0].delta.tool_calls[0].id must be a string or null, not integer",
    ),
    (
        {"choices": [{"delta": {"tool_calls": [{"type": {}}]}}]},
        "choices[0].delta.tool_calls[0].type must be a string or null, not object",
    ),
    (
        {"choices": [{"delta": {"tool_calls": [{"function": "f"}]}}]},
        "choices[0].delta.tool_calls[0].function must be an object or null, not string",
    ),
    (
        {"choices": [{"delta": {"tool_calls": [{"function": {"name": 1}}]}}]},
        "choices[0].delta.tool_calls[0].function.name must be a string or null, not integer",
    ),
    (
        {"choices": [{"delta": {"tool_calls": [{"function": {"arguments": {"a": 1}}}]}}]},
        "choices[0].delta.tool_calls[0].function.arguments must be a string or null, not object",
    ),
    (
        {"choices": [{"finish_reason": 1}]},
        "choices[0].finish_reason must be a string or null, not integer",
    ),
    ({"choices": [{"logprobs": []}]}, "choices[0].logprobs must be an object or null, not array"),
    ({"usage": 3}, "usage must be an object or null, not integer"),
    (
        {"usage": {"prompt_tokens": "3"}},
        "usage.prompt_tokens must be an integer or null, not string",
    ),
    (
        {"usage": {"completion_tokens": 1.0}},
        "usage.completion_tokens must be an integer or null, not float",
    ),
    ({"usage": {"total_tokens": []}}, "usage.total_tokens must be an integer or null, not array"),
    (
        {"usage": {"prompt_tokens_details": 0}},
        "usage.prompt_tokens_details must be an object or null, not integer",
    ),
    (
        {"usage": {"completion_tokens_details": "x"}},
        "usage.completion_tokens_details must be an object or null, not string",
    ),
    (
        {"x_groq": {"usage": {"total_tokens": "9"}}},
        "x_groq.usage.total_tokens must be an integer or null, not string",
    ),
]


@pytest.mark.parametrize(("payload", "message"), WRONG_TYPES)
def test_wrong_field_types_raise_with_the_path(backend: str, payload: Any, message: str) -> None:
    error = decode_error(payload, backend)
    assert str(error) == f"invalid chunk: {message}"
    assert error.data == orjson.dumps(payload).decode()


def test_true_where_an_integer_is_expected_is_a_boolean_error(backend: str) -> None:
    error = decode_error({"choices": [{"index": True}]}, backend)
    assert str(error) == "invalid chunk: choices[0].index must be an integer or null, not boolean"
    error = decode_error({"usage": {"total_tokens": False}}, backend)
    assert str(error) == "invalid chunk: usage.total_tokens must be an integer or null, not boolean"


def test_an_integer_beyond_64_bits_is_a_float_as_orjson_reads_it(backend: str) -> None:
    error = decode_error('{"created": 100000000000000000000}', backend)
    assert str(error) == "invalid chunk: created must be an integer or null, not float"
    assert one('{"created": 18446744073709551615}', backend).created == 2**64 - 1
    assert one('{"created": -9223372036854775808}', backend).created == -(2**63)


def test_the_first_error_follows_canonical_order_not_key_order(backend: str) -> None:
    # usage comes before created in the document; created is checked first.
    error = decode_error('{"usage": 1, "choices": 2, "created": "x", "id": 3}', backend)
    assert str(error) == "invalid chunk: id must be a string or null, not integer"
    error = decode_error(
        '{"usage": 1, "choices": [{"logprobs": 1, "delta": {"content": 1}}]}', backend
    )
    assert str(error).startswith("invalid chunk: choices[0].delta.content ")
    error = decode_error(
        '{"choices": [{"delta": {"tool_calls": 1, "refusal": 1, "role": 1}}]}', backend
    )
    assert str(error).startswith("invalid chunk: choices[0].delta.role ")
    error = decode_error(
        '{"choices": [{"delta": {"reasoning": 1, "reasoning_content": 1}}]}', backend
    )
    assert str(error).startswith("invalid chunk: choices[0].delta.reasoning_content ")


def test_a_duplicate_key_with_a_wrong_type_overridden_by_a_valid_value_is_accepted(
    backend: str,
) -> None:
    chunk = one(
        '{"created": "x", "choices": [{"delta": {"content": 5, "content": "ok"}}], "created": 7}',
        backend,
    )
    assert chunk.created == 7
    assert contents([chunk]) == ["ok"]
    assert chunk.to_dict()["created"] == 7


def test_a_duplicate_key_with_a_valid_value_overridden_by_a_wrong_type_is_rejected(
    backend: str,
) -> None:
    error = decode_error('{"model": "m", "choices": [], "model": 1}', backend)
    assert str(error) == "invalid chunk: model must be a string or null, not integer"


def test_unknown_fields_are_never_validated_and_stay_in_to_dict(backend: str) -> None:
    payload = {
        "obfuscation": 1,
        "x_groq": "junk",
        "prompt_filter_results": [1],
        "choices": [
            {
                "delta": {"channel": 5, "token_id": "t"},
                "seed": 2**63,
                "content_filter_results": None,
                "text": 3,
            }
        ],
    }
    chunk = one(payload, backend)
    assert chunk.to_dict() == payload
    assert chunk.usage is None


@pytest.mark.parametrize(
    "payload",
    [
        '{"created": NaN}',
        '{"created": Infinity}',
        '{"created": 1e400}',
        '{"id": "\\ud800"}',
        '{"id": "\\udc00x"}',
        "\ufeff{}",
        "{} {}",
        "",
        " ",
        "{",
        '{"a":1,}',
        "{'a': 1}",
    ],
)
def test_json_edge_payloads_that_orjson_rejects_are_invalid_json(
    backend: str, payload: str
) -> None:
    with pytest.raises(ChunkDecodeError, match=r"^invalid JSON in chunk payload$"):
        parse_chunk(payload, backend=backend)


def test_json_edge_payloads_that_orjson_accepts_are_chunks(backend: str) -> None:
    chunk = one(
        '{"id": "\\ud83d\\ude00", "choices": [], "extra": 1e308, "deep": '
        + "[" * 500
        + "]" * 500
        + "}",
        backend,
    )
    assert chunk.id == "😀"
    assert one('{"created": -0}', backend).created == 0
    assert one('  {"id": "\\u0000"}\t', backend).id == "\x00"


# --- StreamAPIError ------------------------------------------------------------------------

GROQ_ERROR = (
    b'event: error\ndata: {"error":{"message":"Tool call validation failed","type":'
    b'"invalid_request_error","code":"tool_use_failed","status_code":400}}\n\n'
)


def test_an_error_event_raises_stream_api_error_with_message_code_and_type(backend: str) -> None:
    chunks, error, done = decode(sse(HELLO) + GROQ_ERROR + sse(HELLO), backend)
    assert isinstance(error, StreamAPIError) and isinstance(error, ssejet.SSEError)
    assert error.message == str(error) == "Tool call validation failed"
    assert error.code == "tool_use_failed"
    assert error.type == "invalid_request_error"
    assert error.body == orjson.loads(GROQ_ERROR.split(b"data: ")[1])
    assert contents(chunks) == ["Hello"]
    assert done is False


def test_an_error_object_inside_a_chunk_raises_and_is_no_chunk(backend: str) -> None:
    payload = {
        "id": "gen-1",
        "error": {"code": 400, "message": "Token limit reached"},
        "choices": [{"index": 0, "delta": {"content": ""}}],
        "usage": {"total_tokens": 5},
    }
    chunks, error, done = decode(sse(HELLO, payload, "[DONE]"), backend)
    assert isinstance(error, StreamAPIError)
    assert (error.message, error.code, error.type) == ("Token limit reached", 400, None)
    assert type(error.code) is int
    assert error.body == payload
    assert contents(chunks) == ["Hello"]
    assert done is False
    with pytest.raises(StreamAPIError) as info:
        parse_chunk(orjson.dumps(payload), backend=backend)
    assert info.value.message == "Token limit reached" and info.value.chunks == []


def test_an_error_event_whose_data_is_not_json_gives_the_data_as_message(backend: str) -> None:
    _chunks, error, _ = decode(b"event: error\ndata: upstream\ndata: timed out\n\n", backend)
    assert isinstance(error, StreamAPIError)
    assert error.message == error.body == "upstream\ntimed out"
    assert error.code is None and error.type is None


def test_an_error_that_is_a_string_gives_that_string_as_message(backend: str) -> None:
    _, error, _ = decode(sse({"error": "rate limited"}), backend)
    assert (error.message, error.code, error.type) == ("rate limited", None, None)
    assert error.body == {"error": "rate limited"}
    _, error, _ = decode(b'event: error\ndata: "overloaded"\n\n', backend)
    assert (error.message, error.body) == ("overloaded", "overloaded")


def test_an_error_event_with_the_fields_at_top_level_reads_them(backend: str) -> None:
    _, error, _ = decode(
        b'event: error\ndata: {"message":"busy","code":529,"type":"t"}\n\n', backend
    )
    assert (error.message, error.code, error.type) == ("busy", 529, "t")
    # Anthropic's shape: {"type": "error", "error": {...}}
    data = b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'
    _, error, _ = decode(b"event: error\ndata: " + data + b"\n\n", backend)
    assert (error.message, error.code, error.type) == ("Overloaded", None, "overloaded_error")
    # A falsy `error` key is no error object: the top-level fields are read.
    for falsy in (b"null", b"false", b'""', b"{}", b"0"):
        data = b'{"error":' + falsy + b',"message":"busy","code":"c"}'
        _, error, _ = decode(b"event: error\ndata: " + data + b"\n\n", backend)
        assert (error.message, error.code) == ("busy", "c")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"error": {"code": 500}}', '{"error": {"code": 500}}'),
        (b'{"error": {"message": ""}}', '{"error": {"message": ""}}'),
        (b'{"error": {"message": 5}}', '{"error": {"message": 5}}'),
        (b'{"error": true}', '{"error": true}'),
        (b'{"error": [1]}', '{"error": [1]}'),
        (b'{"error": 1}', '{"error": 1}'),
    ],
)
def test_an_error_without_a_message_gives_the_data_as_message(
    backend: str, data: bytes, message: str
) -> None:
    _, error, _ = decode(b"data: " + data + b"\n\n", backend)
    assert isinstance(error, StreamAPIError)
    assert error.message == message


@pytest.mark.parametrize("data", [b"42", b"[1]", b"null", b"true", b"{}", b'""'])
def test_an_error_event_with_other_json_gives_the_data_as_message(
    backend: str, data: bytes
) -> None:
    _, error, _ = decode(b"event: error\ndata: " + data + b"\n\n", backend)
    assert isinstance(error, StreamAPIError)
    assert error.message == data.decode()
    assert error.body == orjson.loads(data)


def test_an_error_event_with_empty_data_still_raises(backend: str) -> None:
    _, error, _ = decode(b"event: error\ndata:\n\n", backend)
    assert isinstance(error, StreamAPIError)
    assert error.message == "" and error.body == ""


@pytest.mark.parametrize("value", ["null", "false", "0", "0.0", "-0.0", '""', "{}", "[]"])
def test_falsy_error_values_are_not_errors(backend: str, value: str) -> None:
    chunk = one('{"error": ' + value + ', "choices": [{"delta": {"content": "ok"}}]}', backend)
    assert contents([chunk]) == ["ok"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ('"c"', "c"),
        ("7", 7),
        ("-1", -1),
        ("true", None),
        ("1.0", None),
        ("null", None),
        ("[]", None),
        ("{}", None),
    ],
)
def test_an_error_code_is_kept_only_when_it_is_a_string_or_an_integer(
    backend: str, code: str, expected: Any
) -> None:
    _, error, _ = decode(
        b'data: {"error": {"message": "m", "code": ' + code.encode() + b"}}\n\n", backend
    )
    assert error.code == expected and type(error.code) is type(expected)


def test_an_error_type_is_kept_only_when_it_is_a_string(backend: str) -> None:
    _, error, _ = decode(b'data: {"error": {"message": "m", "type": 1}}\n\n', backend)
    assert error.type is None


def test_validation_errors_come_before_an_error_payload(backend: str) -> None:
    error = decode_error({"error": {"message": "m"}, "created": "x"}, backend)
    assert str(error) == "invalid chunk: created must be an integer or null, not string"


def test_stream_api_error_ends_the_stream_until_close(backend: str) -> None:
    decoder = ChunkDecoder(backend=backend)
    with pytest.raises(StreamAPIError) as info:
        decoder.feed(sse(HELLO) + GROQ_ERROR + sse(HELLO))
    assert contents(info.value.chunks) == ["Hello"]
    assert decoder.feed(sse(HELLO)) == []
    assert decoder.done is False
    decoder.close()
    assert contents(decoder.feed(sse(HELLO))) == ["Hello"]


def test_errors_raised_by_feed_pickle_with_their_chunks(backend: str) -> None:
    decoder = ChunkDecoder(backend=backend)
    with pytest.raises(StreamAPIError) as info:
        decoder.feed(sse(HELLO) + GROQ_ERROR)
    clone = pickle.loads(pickle.dumps(info.value))
    assert clone.message == info.value.message and clone.chunks == info.value.chunks


# --- normalisations ------------------------------------------------------------------------


def test_null_counts_as_absent_everywhere(backend: str) -> None:
    nulls = {
        "id": None,
        "object": None,
        "created": None,
        "model": None,
        "service_tier": None,
        "system_fingerprint": None,
        "usage": None,
        "choices": [
            {
                "index": None,
                "finish_reason": None,
                "logprobs": None,
                "delta": {
                    "role": None,
                    "content": None,
                    "reasoning_content": None,
                    "reasoning": None,
                    "refusal": None,
                    "tool_calls": [{"index": None, "id": None, "type": None, "function": None}],
                },
            }
        ],
    }
    chunk = one(nulls, backend)
    assert chunk == ChatCompletionChunk(
        choices=[Choice(delta=Delta(tool_calls=[ToolCallDelta(index=0)]))]
    )
    assert one({"choices": None}, backend).choices == []
    assert one({"choices": [{"delta": None}]}, backend).choices[0].delta == Delta()
    assert one({"choices": [{"delta": {"tool_calls": None}}]}, backend).choices[0].delta == Delta()


def test_missing_choices_gives_an_empty_list(backend: str) -> None:
    chunk = one({"id": "u", "usage": {"total_tokens": 3}}, backend)
    assert chunk.choices == []
    assert chunk.usage.total_tokens == 3


def test_a_choice_without_index_takes_its_position(backend: str) -> None:
    chunk = one({"choices": [{"delta": {}}, {"delta": {}}, {"index": 7}]}, backend)
    assert [c.index for c in chunk.choices] == [0, 1, 7]


def test_a_choice_without_delta_gets_an_empty_delta(backend: str) -> None:
    chunk = one({"choices": [{"finish_reason": "stop"}, {"delta": {}}]}, backend)
    for choice in chunk.choices:
        assert choice.delta == Delta()
        assert repr(choice.delta) == (
            "Delta(role=None, content=None, reasoning_content=None, refusal=None, tool_calls=None)"
        )
    assert chunk.choices[0].finish_reason == "stop"


def test_list_content_text_parts_become_content_and_thinking_parts_reasoning(backend: str) -> None:
    delta = {
        "content": [
            {
                "type": "thinking",
                "thinking": [
                    {"type": "text", "text": "Let me "},
                    {"type": "text", "text": "think"},
                ],
            },
            {"type": "text", "text": "Hello"},
            {"type": "text", "text": " world"},
        ]
    }
    chunk = one({"choices": [{"delta": delta}]}, backend)
    assert chunk.choices[0].delta.content == "Hello world"
    assert chunk.choices[0].delta.reasoning_content == "Let me think"
    assert chunk.to_dict()["choices"][0]["delta"] == delta


def test_a_content_list_without_text_parts_gives_empty_content(backend: str) -> None:
    delta = one({"choices": [{"delta": {"content": []}}]}, backend).choices[0].delta
    assert (delta.content, delta.reasoning_content) == ("", None)
    thinking = {"content": [{"type": "thinking", "thinking": [{"type": "text", "text": "hm"}]}]}
    delta = one({"choices": [{"delta": thinking}]}, backend).choices[0].delta
    assert (delta.content, delta.reasoning_content) == ("", "hm")


def test_unknown_or_malformed_content_parts_are_ignored(backend: str) -> None:
    parts = [
        1,
        None,
        "text",
        [],
        {"type": "image_url", "image_url": {"url": "u"}},
        {"type": "text"},
        {"type": "text", "text": 5},
        {"text": "no type"},
        {"type": "TEXT", "text": "case"},
        {"type": "thinking", "thinking": "not a list"},
        {
            "type": "thinking",
            "thinking": [
                1,
                {"type": "text", "text": 2},
                {"text": "x"},
                {"type": "text", "text": "ok"},
            ],
        },
        {"type": "text", "text": "kept"},
    ]
    delta = one({"choices": [{"delta": {"content": parts}}]}, backend).choices[0].delta
    assert (delta.content, delta.reasoning_content) == ("kept", "ok")


def test_reasoning_is_read_as_reasoning_content_when_that_is_absent(backend: str) -> None:
    delta = one({"choices": [{"delta": {"reasoning": "hmm"}}]}, backend).choices[0].delta
    assert delta.reasoning_content == "hmm"
    delta = (
        one({"choices": [{"delta": {"reasoning_content": None, "reasoning": "r"}}]}, backend)
        .choices[0]
        .delta
    )
    assert delta.reasoning_content == "r"


def test_reasoning_content_wins_over_reasoning(backend: str) -> None:
    delta = (
        one({"choices": [{"delta": {"reasoning": "b", "reasoning_content": "a"}}]}, backend)
        .choices[0]
        .delta
    )
    assert delta.reasoning_content == "a"
    delta = (
        one({"choices": [{"delta": {"reasoning": "b", "reasoning_content": ""}}]}, backend)
        .choices[0]
        .delta
    )
    assert delta.reasoning_content == ""


def test_the_text_of_several_thinking_parts_is_concatenated(backend: str) -> None:
    parts = [
        {"type": "thinking", "thinking": [{"type": "text", "text": "a"}]},
        {"type": "text", "text": "x"},
        {
            "type": "thinking",
            "thinking": [{"type": "text", "text": "b"}, {"type": "text", "text": "c"}],
        },
        {"type": "thinking", "thinking": []},
    ]
    delta = one({"choices": [{"delta": {"content": parts}}]}, backend).choices[0].delta
    assert (delta.content, delta.reasoning_content) == ("x", "abc")


def test_thinking_parts_are_appended_to_reasoning_content(backend: str) -> None:
    thinking = [{"type": "thinking", "thinking": [{"type": "text", "text": "+parts"}]}]
    delta = (
        one({"choices": [{"delta": {"reasoning": "field", "content": thinking}}]}, backend)
        .choices[0]
        .delta
    )
    assert delta.reasoning_content == "field+parts"


def test_a_tool_call_without_index_takes_its_position(backend: str) -> None:
    calls = [
        {"id": "a", "function": {"name": "f", "arguments": "{}"}},
        {"id": "b", "function": {"name": "g"}},
        {"index": 5, "id": "c"},
    ]
    delta = one({"choices": [{"delta": {"tool_calls": calls}}]}, backend).choices[0].delta
    assert delta.tool_calls == [
        ToolCallDelta(index=0, id="a", function=FunctionDelta(name="f", arguments="{}")),
        ToolCallDelta(index=1, id="b", function=FunctionDelta(name="g")),
        ToolCallDelta(index=5, id="c"),
    ]
    assert delta.tool_calls[0].type is None


def test_usage_falls_back_to_x_groq_usage(backend: str) -> None:
    raw = {"queue_time": 0.25, "prompt_tokens": 18, "completion_tokens": 73, "total_tokens": 91}
    chunk = one({"choices": [], "x_groq": {"id": "req", "usage": raw}}, backend)
    assert chunk.usage.total_tokens == 91
    assert chunk.usage.to_dict() == raw
    assert chunk.usage.queue_time == 0.25
    chunk = one({"usage": None, "x_groq": {"usage": raw}}, backend)
    assert chunk.usage.prompt_tokens == 18


def test_top_level_usage_wins_over_x_groq_usage(backend: str) -> None:
    chunk = one({"usage": {"total_tokens": 1}, "x_groq": {"usage": {"total_tokens": 2}}}, backend)
    assert chunk.usage.total_tokens == 1


@pytest.mark.parametrize(
    "x_groq", [None, 1, "s", [], {}, {"usage": None}, {"usage": 5}, {"usage": []}, {"id": "x"}]
)
def test_x_groq_of_other_shapes_is_ignored(backend: str, x_groq: Any) -> None:
    assert one({"x_groq": x_groq}, backend).usage is None


def test_empty_strings_are_kept(backend: str) -> None:
    chunk = one(
        {
            "id": "",
            "object": "",
            "model": "",
            "created": 0,
            "choices": [{"delta": {"role": "", "content": "", "refusal": ""}, "finish_reason": ""}],
        },
        backend,
    )
    assert (chunk.id, chunk.object, chunk.model, chunk.created) == ("", "", "", 0)
    delta = chunk.choices[0].delta
    assert (delta.role, delta.content, delta.refusal) == ("", "", "")
    assert chunk.choices[0].finish_reason == ""


def test_big_integers_round_trip_through_to_dict(backend: str) -> None:
    text = '{"choices": [{"seed": 1395002666759424000, "delta": {}}], "big": 18446744073709551615}'
    data = one(text, backend).to_dict()
    assert data["choices"][0]["seed"] == 1395002666759424000
    assert data["big"] == 2**64 - 1


def test_usage_exposes_extra_fields_as_attributes_and_to_dict(backend: str) -> None:
    raw = {
        "prompt_tokens": 6,
        "completion_tokens": 212,
        "total_tokens": 218,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 198},
        "prompt_cache_hit_tokens": 0,
        "prompt_cache_miss_tokens": 6,
    }
    usage = one({"usage": raw}, backend).usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (6, 212, 218)
    assert usage.prompt_tokens_details == {"cached_tokens": 0}
    assert usage.completion_tokens_details == {"reasoning_tokens": 198}
    assert usage.prompt_cache_miss_tokens == 6
    assert usage.to_dict() == raw
    with pytest.raises(AttributeError):
        _ = usage.not_a_field
    assert not hasattr(usage, "_private")


def test_to_dict_returns_a_fresh_dict_each_call(backend: str) -> None:
    chunk = one({"usage": {"prompt_tokens_details": {"a": 1}}, "choices": []}, backend)
    first = chunk.to_dict()
    first["choices"].append(1)
    first["usage"]["prompt_tokens_details"]["a"] = 2
    assert chunk.to_dict() == {"usage": {"prompt_tokens_details": {"a": 1}}, "choices": []}
    usage = chunk.usage.to_dict()
    usage["prompt_tokens_details"]["a"] = 3
    assert chunk.usage.to_dict() == {"prompt_tokens_details": {"a": 1}}
    assert chunk.usage.prompt_tokens_details == {"a": 1}


# --- parse_chunk -----------------------------------------------------------------------------


def test_parse_chunk_accepts_str_bytes_bytearray_and_memoryview_alike(backend: str) -> None:
    text = orjson.dumps(HELLO).decode()
    expected = one(HELLO, backend)
    for data in (text, text.encode(), bytearray(text.encode()), memoryview(text.encode())):
        chunk = parse_chunk(data, backend=backend)
        assert chunk == expected
        assert chunk.to_dict() == HELLO


def test_parse_chunk_decodes_invalid_utf8_with_replacement(backend: str) -> None:
    chunk = parse_chunk(b'{"id": "a\xffb"}', backend=backend)
    assert chunk.id == "a\ufffdb"
    with pytest.raises(ChunkDecodeError) as info:
        parse_chunk(b'{"id": 1, "x": "\xff"}', backend=backend)
    assert info.value.data == '{"id": 1, "x": "\ufffd"}'


def test_parse_chunk_of_a_str_with_a_lone_surrogate_is_invalid_json(backend: str) -> None:
    with pytest.raises(ChunkDecodeError, match=r"^invalid JSON in chunk payload$") as info:
        parse_chunk('{"id": "\ud800"}', backend=backend)
    assert info.value.data == '{"id": "\ud800"}'


def test_parse_chunk_rejects_other_types(backend: str) -> None:
    with pytest.raises(TypeError, match="must be str or bytes, not dict"):
        parse_chunk({"id": "x"}, backend=backend)  # type: ignore[arg-type]


def test_parse_chunk_does_not_know_done(backend: str) -> None:
    with pytest.raises(ChunkDecodeError):
        parse_chunk("[DONE]", backend=backend)


# --- object behaviour ------------------------------------------------------------------------

FULL = {
    "id": "c",
    "object": "chat.completion.chunk",
    "created": 5,
    "model": "m",
    "service_tier": "default",
    "system_fingerprint": "fp",
    "choices": [
        {
            "index": 0,
            "delta": {
                "role": "assistant",
                "content": "Hi",
                "reasoning_content": "r",
                "refusal": None,
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "t",
                        "type": "function",
                        "function": {"name": "f", "arguments": "{}"},
                    }
                ],
            },
            "finish_reason": "stop",
            "logprobs": {"content": []},
        }
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
}


def test_repr_shows_every_api_attribute_in_order(backend: str) -> None:
    assert repr(one(FULL, backend)) == (
        "ChatCompletionChunk(id='c', object='chat.completion.chunk', created=5, model='m', "
        "service_tier='default', system_fingerprint='fp', choices=[Choice(index=0, "
        "delta=Delta(role='assistant', content='Hi', reasoning_content='r', refusal=None, "
        "tool_calls=[ToolCallDelta(index=0, id='t', type='function', "
        "function=FunctionDelta(name='f', arguments='{}'))]), finish_reason='stop', "
        "logprobs={'content': []})], usage=Usage(prompt_tokens=1, completion_tokens=2, "
        "total_tokens=3, prompt_tokens_details=None, completion_tokens_details=None))"
    )


def test_keyword_constructors_build_objects_equal_to_parsed_ones(backend: str) -> None:
    built = ChatCompletionChunk(
        id="c",
        object="chat.completion.chunk",
        created=5,
        model="m",
        service_tier="default",
        system_fingerprint="fp",
        choices=[
            Choice(
                index=0,
                finish_reason="stop",
                logprobs={"content": []},
                delta=Delta(
                    role="assistant",
                    content="Hi",
                    reasoning_content="r",
                    tool_calls=[
                        ToolCallDelta(
                            index=0,
                            id="t",
                            type="function",
                            function=FunctionDelta(name="f", arguments="{}"),
                        )
                    ],
                ),
            )
        ],
        usage=Usage(prompt_tokens=1, completion_tokens=2, total_tokens=3),
    )
    parsed = one(FULL, backend)
    assert built == parsed and parsed == built
    assert not built != parsed  # noqa: SIM202 - __ne__ is what is tested
    assert built.to_dict()["choices"][0]["delta"]["content"] == "Hi"


def test_chunks_compare_by_value(backend: str) -> None:
    a, b = one(FULL, backend), parse_chunk(orjson.dumps(FULL), backend=backend)
    assert a == b and a is not b
    other = dict(FULL, model="n")
    assert a != parse_chunk(orjson.dumps(other), backend=backend)
    changed = orjson.loads(orjson.dumps(FULL))
    changed["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"] = "{ }"
    assert a != parse_chunk(orjson.dumps(changed), backend=backend)
    # Fields the API does not name take no part in equality.
    assert a == parse_chunk(orjson.dumps(dict(FULL, obfuscation="x")), backend=backend)


def test_comparing_with_another_type_is_not_equal(backend: str) -> None:
    chunk = one(FULL, backend)
    assert chunk != FULL
    assert chunk.choices[0] != chunk
    assert chunk.__eq__(1) is NotImplemented
    assert chunk.choices[0].delta.__eq__(chunk.choices[0]) is NotImplemented


def test_objects_are_read_only(backend: str) -> None:
    chunk = one(FULL, backend)
    objects = [
        chunk,
        chunk.choices[0],
        chunk.choices[0].delta,
        chunk.usage,
        chunk.choices[0].delta.tool_calls[0],
        chunk.choices[0].delta.tool_calls[0].function,
    ]
    for obj in objects:
        with pytest.raises(AttributeError):
            obj.id = "x"
        with pytest.raises(AttributeError):
            obj.new_attribute = 1
        name = type(obj).__name__
        with pytest.raises(AttributeError):
            delattr(
                obj,
                {
                    "ChatCompletionChunk": "id",
                    "Choice": "index",
                    "Delta": "content",
                    "Usage": "total_tokens",
                    "ToolCallDelta": "index",
                    "FunctionDelta": "name",
                }[name],
            )
    assert chunk.id == "c"


def test_pickle_and_copy_round_trip(backend: str) -> None:
    chunk = one(FULL, backend)
    for clone in (pickle.loads(pickle.dumps(chunk)), copy.copy(chunk), copy.deepcopy(chunk)):
        assert clone == chunk
        assert repr(clone) == repr(chunk)
        assert clone.to_dict() == chunk.to_dict() == FULL
        assert clone.usage.to_dict() == FULL["usage"]
    groq = one({"x_groq": {"usage": {"total_tokens": 2, "queue_time": 0.1}}}, backend)
    assert pickle.loads(pickle.dumps(groq)).usage.queue_time == 0.1


def test_isinstance_holds_for_the_public_classes(backend: str) -> None:
    chunk = one(FULL, backend)
    choice = chunk.choices[0]
    call = choice.delta.tool_calls[0]
    assert isinstance(chunk, ssejet.ChatCompletionChunk)
    assert isinstance(choice, ssejet.Choice)
    assert isinstance(choice.delta, ssejet.Delta)
    assert isinstance(call, ssejet.ToolCallDelta)
    assert isinstance(call.function, ssejet.FunctionDelta)
    assert isinstance(chunk.usage, ssejet.Usage)
    assert not isinstance(choice, ssejet.Delta)


def test_chunks_are_not_hashable_but_tool_call_deltas_are(backend: str) -> None:
    chunk = one(FULL, backend)
    for obj in (chunk, chunk.choices[0], chunk.choices[0].delta, chunk.usage):
        with pytest.raises(TypeError):
            hash(obj)
    call = chunk.choices[0].delta.tool_calls[0]
    assert hash(call) == hash(copy.deepcopy(call))
    assert {call, copy.deepcopy(call)} == {call}
    assert hash(call.function) == hash(FunctionDelta(name="f", arguments="{}"))


# --- the seeds' formats --------------------------------------------------------------------

ARK = (
    b'data:{"choices":[{"delta":{"content":"","reasoning_content":"\xe7\x94\xa8\xe6\x88\xb7",'
    b'"role":"assistant"},"index":0}],"created":1742631211,"id":"021742631211","model":'
    b'"doubao-1-5-thinking-pro-250415","service_tier":"default","object":"chat.completion.chunk",'
    b'"usage":null}\n\n'
    b'data:{"choices":[{"delta":{"content":"\xe4\xbd\xa0\xe5\xa5\xbd","role":"assistant"},'
    b'"index":0}],"created":1742631211,"id":"021742631211","model":"doubao-1-5-thinking-pro-250415",'
    b'"service_tier":"default","object":"chat.completion.chunk","usage":null}\n\n'
    b'data:{"choices":[{"delta":{"content":"","role":"assistant"},"finish_reason":"stop",'
    b'"index":0}],"created":1742631211,"id":"021742631211","model":"doubao-1-5-thinking-pro-250415",'
    b'"service_tier":"default","object":"chat.completion.chunk","usage":null}\n\n'
    b'data:{"choices":[],"created":1742631211,"id":"021742631211","model":'
    b'"doubao-1-5-thinking-pro-250415","service_tier":"default","object":"chat.completion.chunk",'
    b'"usage":{"completion_tokens":5,"prompt_tokens":9,"total_tokens":14,'
    b'"prompt_tokens_details":{"cached_tokens":0},'
    b'"completion_tokens_details":{"reasoning_tokens":2}}}\n\n'
    b"data:[DONE]\n\n"
)

SILICONFLOW = (
    b": keep-alive\n\n"
    b'data: {"id":"0195","object":"chat.completion.chunk","created":1741,"model":'
    b'"deepseek-ai/DeepSeek-R1","choices":[{"index":0,"delta":{"content":null,'
    b'"reasoning_content":"Hmm","role":"assistant"},"finish_reason":null}],"system_fingerprint":"",'
    b'"usage":{"prompt_tokens":4,"completion_tokens":1,"total_tokens":5}}\n\n'
    b": keep-alive\n\n"
    b'data: {"id":"0195","object":"chat.completion.chunk","created":1741,"model":'
    b'"deepseek-ai/DeepSeek-R1","choices":[{"index":0,"delta":{"content":null,'
    b'"reasoning_content":", ok.","role":"assistant"},"finish_reason":null}],'
    b'"system_fingerprint":"","usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}\n\n'
    b'data: {"id":"0195","object":"chat.completion.chunk","created":1741,"model":'
    b'"deepseek-ai/DeepSeek-R1","choices":[{"index":0,"delta":{"content":"Hi!",'
    b'"reasoning_content":null,"role":"assistant"},"finish_reason":"stop"}],'
    b'"system_fingerprint":"","usage":{"prompt_tokens":4,"completion_tokens":3,"total_tokens":7}}\n\n'
    b"data: [DONE]\n\n"
)


def test_an_ark_doubao_stream_decodes(backend: str) -> None:
    chunks, error, done = decode(ARK, backend)
    assert error is None and done
    assert len(chunks) == 4
    first = chunks[0]
    assert first.service_tier == "default"
    assert first.usage is None
    assert first.choices[0].delta.reasoning_content == "用户"
    assert contents(chunks) == ["", "你好", ""]
    assert chunks[2].choices[0].finish_reason == "stop"
    assert chunks[3].choices == []
    assert chunks[3].usage.total_tokens == 14
    assert chunks[3].usage.completion_tokens_details == {"reasoning_tokens": 2}


def test_a_siliconflow_deepseek_stream_decodes(backend: str) -> None:
    chunks, error, done = decode(SILICONFLOW, backend)
    assert error is None and done
    assert [c.choices[0].delta.reasoning_content for c in chunks] == ["Hmm", ", ok.", None]
    assert contents(chunks) == [None, None, "Hi!"]
    assert [c.usage.total_tokens for c in chunks] == [5, 6, 7]
    assert chunks[0].system_fingerprint == ""


@pytest.mark.parametrize("stream", [ARK, SILICONFLOW], ids=["ark", "siliconflow"])
def test_the_seed_loop_runs_unchanged(backend: str, stream: bytes) -> None:
    out = []
    decoder = ChunkDecoder(backend=backend)
    for chunk in decoder.feed(stream):
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        if getattr(delta, "reasoning_content", None):
            out.append(("reasoning", delta.reasoning_content))
        if delta.content:
            out.append(("content", delta.content))
    expected = {
        ARK: [("reasoning", "用户"), ("content", "你好")],
        SILICONFLOW: [("reasoning", "Hmm"), ("reasoning", ", ok."), ("content", "Hi!")],
    }[stream]
    assert out == expected
