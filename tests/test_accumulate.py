"""Layer 3: Accumulator and accumulate, one test per merge rule of API.md, on chunks decoded by
each backend (and on chunks built by hand, since accumulation only reads attributes)."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import orjson
import pytest

import ssejet
from ssejet import (
    Accumulator,
    ChatCompletion,
    ChatCompletionChunk,
    Choice,
    ChunkDecoder,
    CompletionChoice,
    Delta,
    Function,
    Message,
    ToolCall,
    Usage,
    accumulate,
)


def chunks_of(backend: str, *payloads: Any) -> list[ChatCompletionChunk]:
    """The chunks a stream of these payloads decodes to."""
    body = b"".join(b"data: " + orjson.dumps(p) + b"\n\n" for p in payloads)
    return ChunkDecoder(backend=backend).feed(body + b"data: [DONE]\n\n")


def deltas(*deltas: dict[str, Any], finish: list[Any] | None = None) -> list[dict[str, Any]]:
    """Payloads with one choice (index 0) each, carrying these deltas."""
    finish = finish or [None] * len(deltas)
    return [
        {"id": "c", "choices": [{"index": 0, "delta": d, "finish_reason": f}]}
        for d, f in zip(deltas, finish)
    ]


def message(backend: str, *payloads: Any) -> Message:
    result = accumulate(chunks_of(backend, *payloads))
    assert len(result.choices) == 1
    return result.choices[0].message


def test_content_fragments_are_concatenated(backend: str) -> None:
    msg = message(
        backend,
        *deltas(
            {"role": "assistant", "content": ""},
            {"content": "Hel"},
            {"content": "lo"},
            {},
            {"content": "!"},
        ),
    )
    assert msg.content == "Hello!"


def test_content_is_none_when_no_chunk_had_one(backend: str) -> None:
    msg = message(backend, *deltas({"role": "assistant"}, {"content": None}))
    assert msg.content is None
    assert msg.reasoning_content is None


def test_empty_content_is_kept_as_an_empty_string(backend: str) -> None:
    assert message(backend, *deltas({"content": ""})).content == ""


def test_reasoning_fragments_are_concatenated_including_the_reasoning_alias(backend: str) -> None:
    msg = message(
        backend,
        *deltas(
            {"reasoning_content": "Let "},
            {"reasoning": "me "},
            {"reasoning_content": "think"},
            {"content": "Hi"},
        ),
    )
    assert msg.reasoning_content == "Let me think"
    assert msg.content == "Hi"


def test_mistral_thinking_parts_accumulate_as_reasoning(backend: str) -> None:
    think = [{"type": "thinking", "thinking": [{"type": "text", "text": "hm"}]}]
    msg = message(
        backend,
        *deltas(
            {"content": think}, {"content": think}, {"content": [{"type": "text", "text": "ok"}]}
        ),
    )
    assert (msg.content, msg.reasoning_content) == ("ok", "hmhm")


def test_role_is_the_first_non_empty_value(backend: str) -> None:
    assert message(backend, *deltas({"role": "assistant"}, {"role": "assistant"})).role == (
        "assistant"
    )
    assert message(backend, *deltas({"role": ""}, {"role": "assistant"}, {"role": "x"})).role == (
        "assistant"
    )
    assert message(backend, *deltas({"role": ""}, {"role": None})).role == ""
    assert message(backend, *deltas({"content": "a"})).role is None


def test_tool_call_id_type_and_name_take_the_first_non_empty_value(backend: str) -> None:
    call = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "get"}}
    msg = message(
        backend,
        *deltas(
            {"tool_calls": [dict(call, function={"name": "get", "arguments": '{"a"'})]},
            {"tool_calls": [dict(call, function={"name": "get", "arguments": ":1}"})]},
            {
                "tool_calls": [
                    {"index": 0, "id": "", "type": "", "function": {"name": "", "arguments": ""}}
                ]
            },
            {
                "tool_calls": [
                    {"index": 0, "id": "call_2", "type": "x", "function": {"name": "other"}}
                ]
            },
        ),
    )
    assert msg.tool_calls == [
        ToolCall(id="call_1", type="function", function=Function(name="get", arguments='{"a":1}'))
    ]


def test_tool_call_arguments_are_concatenated(backend: str) -> None:
    fragments = ['{"', "a", '":', "12", "31", ',"b":', "2331", "}"]
    msg = message(
        backend,
        *deltas(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "multiply", "arguments": ""},
                    }
                ]
            },
            *({"tool_calls": [{"index": 0, "function": {"arguments": f}}]} for f in fragments),
        ),
    )
    assert msg.tool_calls[0].function.arguments == '{"a":1231,"b":2331}'
    assert msg.tool_calls[0].function.name == "multiply"


def test_tool_calls_are_merged_by_index_and_listed_in_index_order(backend: str) -> None:
    msg = message(
        backend,
        *deltas(
            {"tool_calls": [{"index": 1, "id": "b", "function": {"name": "g", "arguments": "{"}}]},
            {"tool_calls": [{"index": 0, "id": "a", "function": {"name": "f", "arguments": "["}}]},
            {
                "tool_calls": [
                    {"index": 1, "function": {"arguments": "}"}},
                    {"index": 0, "function": {"arguments": "]"}},
                ]
            },
        ),
    )
    assert [(c.id, c.function.name, c.function.arguments) for c in msg.tool_calls] == [
        ("a", "f", "[]"),
        ("b", "g", "{}"),
    ]


def test_a_whole_tool_call_in_one_delta_without_index_or_type(backend: str) -> None:
    # Mistral: no index (its position is used), no type.
    msg = message(
        backend,
        *deltas(
            {
                "tool_calls": [
                    {
                        "id": "q1",
                        "function": {"name": "get_weather", "arguments": '{"city": "SF"}'},
                    },
                    {"id": "q2", "function": {"name": "get_time", "arguments": "{}"}},
                ]
            }
        ),
    )
    assert msg.tool_calls == [
        ToolCall(id="q1", function=Function(name="get_weather", arguments='{"city": "SF"}')),
        ToolCall(id="q2", function=Function(name="get_time", arguments="{}")),
    ]
    assert msg.tool_calls[0].type is None


def test_a_tool_call_without_function_fields_gets_empty_name_and_arguments(backend: str) -> None:
    msg = message(backend, *deltas({"tool_calls": [{"index": 0, "function": None}]}))
    assert msg.tool_calls == [
        ToolCall(id=None, type=None, function=Function(name="", arguments=""))
    ]


def test_tool_calls_is_none_when_no_tool_call_was_seen(backend: str) -> None:
    assert message(backend, *deltas({"content": "a"}, {"tool_calls": None})).tool_calls is None
    assert message(backend, *deltas({"tool_calls": []})).tool_calls is None


def test_finish_reason_is_the_last_non_empty_value(backend: str) -> None:
    payloads = deltas({}, {}, {}, {}, finish=[None, "length", None, ""])
    assert accumulate(chunks_of(backend, *payloads)).choices[0].finish_reason == "length"
    payloads = deltas({}, {}, finish=["length", "stop"])
    assert accumulate(chunks_of(backend, *payloads)).choices[0].finish_reason == "stop"


def test_finish_reason_is_empty_only_when_every_value_was_empty(backend: str) -> None:
    payloads = deltas({}, {}, finish=["", None])
    assert accumulate(chunks_of(backend, *payloads)).choices[0].finish_reason == ""
    payloads = deltas({}, finish=[None])
    assert accumulate(chunks_of(backend, *payloads)).choices[0].finish_reason is None


def test_usage_is_the_last_one_seen(backend: str) -> None:
    payloads = [
        {"choices": [], "usage": {"total_tokens": 1}},
        {"choices": [], "usage": {"total_tokens": 2, "cost": 0.5}},
        {"choices": [], "usage": None},
        {"choices": []},
    ]
    usage = accumulate(chunks_of(backend, *payloads)).usage
    assert usage.total_tokens == 2
    assert usage.to_dict() == {"total_tokens": 2, "cost": 0.5}
    assert usage.cost == 0.5


def test_usage_from_x_groq_accumulates(backend: str) -> None:
    payloads = [{"choices": [], "x_groq": {"usage": {"total_tokens": 91, "queue_time": 0.2}}}]
    usage = accumulate(chunks_of(backend, *payloads)).usage
    assert usage.to_dict() == {"total_tokens": 91, "queue_time": 0.2}


def test_usage_is_none_when_no_chunk_had_one(backend: str) -> None:
    assert accumulate(chunks_of(backend, *deltas({"content": "a"}))).usage is None


def test_id_model_and_created_come_from_the_first_chunk_where_they_are_non_empty(
    backend: str,
) -> None:
    payloads = [
        {"id": "", "model": "", "created": 0, "object": "", "choices": []},  # Azure's filter chunk
        {"id": "chatcmpl-1", "model": "gpt", "created": 17, "choices": []},
        {"id": "chatcmpl-2", "model": "other", "created": 18, "choices": []},
    ]
    result = accumulate(chunks_of(backend, *payloads))
    assert (result.id, result.model, result.created) == ("chatcmpl-1", "gpt", 17)


def test_id_model_and_created_keep_an_empty_value_when_nothing_better_came(backend: str) -> None:
    payloads = [{"id": "", "model": "", "created": 0, "choices": []}, {"choices": []}]
    result = accumulate(chunks_of(backend, *payloads))
    assert (result.id, result.model, result.created) == ("", "", 0)
    result = accumulate(chunks_of(backend, {"choices": []}))
    assert (result.id, result.model, result.created) == (None, None, None)


def test_no_chunks_give_a_completion_without_choices(backend: str) -> None:
    result = accumulate([])
    assert result == ChatCompletion()
    assert result.choices == []
    assert (result.id, result.model, result.created, result.usage) == (None, None, None, None)
    assert Accumulator().result() == result


def test_chunks_without_choices_give_no_choices(backend: str) -> None:
    assert accumulate(chunks_of(backend, {"choices": []}, {"id": "x"})).choices == []


def test_choices_are_merged_by_index_and_listed_in_index_order(backend: str) -> None:
    payloads = [
        {
            "choices": [
                {"index": 1, "delta": {"content": "B"}},
                {"index": 0, "delta": {"content": "A"}},
            ]
        },
        {"choices": [{"index": 0, "delta": {"content": "a"}, "finish_reason": "stop"}]},
        {"choices": [{"index": 1, "delta": {"content": "b"}, "finish_reason": "length"}]},
    ]
    result = accumulate(chunks_of(backend, *payloads))
    assert [(c.index, c.message.content, c.finish_reason) for c in result.choices] == [
        (0, "Aa", "stop"),
        (1, "Bb", "length"),
    ]


def test_the_accumulator_adds_one_chunk_at_a_time_and_gives_snapshots(backend: str) -> None:
    chunks = chunks_of(backend, *deltas({"content": "a"}, {"content": "b"}))
    acc = Accumulator()
    acc.add(chunks[0])
    first = acc.result()
    acc.add(chunks[1])
    assert first.choices[0].message.content == "a"  # an earlier result does not change
    assert acc.result().choices[0].message.content == "ab"
    assert acc.result() == accumulate(chunks)
    assert acc.result() is not acc.result()


def test_chunks_built_by_hand_accumulate_alike(backend: str) -> None:
    built = [
        ChatCompletionChunk(id="c", choices=[Choice(delta=Delta(role="assistant", content="a"))]),
        ChatCompletionChunk(choices=[Choice(delta=Delta(content="b"), finish_reason="stop")]),
        ChatCompletionChunk(usage=Usage(total_tokens=3)),
    ]
    decoded = chunks_of(
        backend,
        {"id": "c", "choices": [{"delta": {"role": "assistant", "content": "a"}}]},
        {"choices": [{"delta": {"content": "b"}, "finish_reason": "stop"}]},
        {"usage": {"total_tokens": 3}},
    )
    assert accumulate(built) == accumulate(decoded)
    assert accumulate(iter(built)) == accumulate(decoded)  # any iterable


def test_the_accumulated_completion_has_the_documented_shape(backend: str) -> None:
    payloads = [
        *deltas(
            {"role": "assistant", "content": "Hi", "reasoning_content": "r"},
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "t",
                        "type": "function",
                        "function": {"name": "f", "arguments": "{}"},
                    }
                ]
            },
            finish=[None, "tool_calls"],
        ),
        {"choices": [], "model": "m", "created": 5, "usage": {"total_tokens": 3}},
    ]
    result = accumulate(chunks_of(backend, *payloads))
    expected = ChatCompletion(
        id="c",
        model="m",
        created=5,
        usage=Usage(total_tokens=3),
        choices=[
            CompletionChoice(
                index=0,
                finish_reason="tool_calls",
                message=Message(
                    role="assistant",
                    content="Hi",
                    reasoning_content="r",
                    tool_calls=[
                        ToolCall(
                            id="t", type="function", function=Function(name="f", arguments="{}")
                        )
                    ],
                ),
            )
        ],
    )
    assert result == expected
    assert repr(result) == (
        "ChatCompletion(id='c', model='m', created=5, usage=Usage(prompt_tokens=None, "
        "completion_tokens=None, total_tokens=3, prompt_tokens_details=None, "
        "completion_tokens_details=None), choices=[CompletionChoice(index=0, "
        "finish_reason='tool_calls', message=Message(role='assistant', content='Hi', "
        "reasoning_content='r', tool_calls=[ToolCall(id='t', type='function', "
        "function=Function(name='f', arguments='{}'))]))])"
    )


def test_completion_objects_are_read_only_comparable_and_picklable(backend: str) -> None:
    result = accumulate(
        chunks_of(
            backend,
            *deltas({"role": "assistant", "content": "x", "tool_calls": [{"index": 0, "id": "t"}]}),
        )
    )
    choice = result.choices[0]
    objects = [
        result,
        choice,
        choice.message,
        choice.message.tool_calls[0],
        choice.message.tool_calls[0].function,
    ]
    for obj in objects:
        with pytest.raises(AttributeError):
            obj.index = 1
        with pytest.raises(AttributeError):
            obj.other = 1
        for clone in (pickle.loads(pickle.dumps(obj)), copy.copy(obj), copy.deepcopy(obj)):
            assert clone == obj and repr(clone) == repr(obj)
    for obj in objects[:3]:
        with pytest.raises(TypeError):
            hash(obj)
    call = choice.message.tool_calls[0]
    assert hash(call) == hash(copy.deepcopy(call))
    assert isinstance(result, ssejet.ChatCompletion)
    assert isinstance(choice, ssejet.CompletionChoice)
    assert isinstance(choice.message, ssejet.Message)
    assert isinstance(call, ssejet.ToolCall) and isinstance(call.function, ssejet.Function)
    assert result != choice and result.__eq__(choice) is NotImplemented
