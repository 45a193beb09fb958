"""The benchmark streams (ssejet._bench.streams) decode to exactly what they promise.

A bench that times wrong output measures nothing, so every generated stream is decoded here on
both backends, in the reads the benches use and in random ones, and must give its payloads;
the generators must be deterministic and have the shape their names claim.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

import pytest

import ssejet
from ssejet._bench import streams

NAMES = list(streams.GENERATORS)


def decode(backend: str, chunks: list[bytes]) -> list[str]:
    decoder = ssejet.SSEDecoder(backend=backend)
    out = [event.data for chunk in chunks for event in decoder.feed(chunk)]
    return out + [event.data for event in decoder.close()]


def random_reads(body: bytes, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, len(body)), min(200, len(body) - 1)))
    return [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)])]


def chunks_of(stream: Any) -> list[dict[str, Any]]:
    """The JSON payloads, [DONE] left out."""
    return [json.loads(p) for p in stream.payloads if p != streams.DONE]


def deltas(stream: Any) -> list[dict[str, Any]]:
    return [c["choices"][0]["delta"] for c in chunks_of(stream) if c["choices"]]


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("size", [None, streams.READ_64K, 4093, 301])
def test_each_stream_decodes_to_exactly_its_payloads(backend: str, name: str, size: Any) -> None:
    stream = streams.stream(name)
    assert decode(backend, streams.reads(stream.body, size)) == stream.payloads
    assert stream.events == len(stream.payloads)


@pytest.mark.parametrize("name", NAMES)
def test_each_short_stream_decodes_fed_one_byte_at_a_time(backend: str, name: str) -> None:
    stream = streams.stream(name, short=True)
    assert decode(backend, streams.reads(stream.body, 1)) == stream.payloads
    assert decode(backend, streams.reads(stream.body, None)) == stream.payloads


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", range(3))
def test_each_short_stream_decodes_in_random_reads(backend: str, name: str, seed: int) -> None:
    stream = streams.stream(name, short=True)
    assert decode(backend, random_reads(stream.body, seed)) == stream.payloads


@pytest.mark.parametrize("name", NAMES)
def test_generators_are_deterministic_and_seeded(name: str) -> None:
    generate = streams.GENERATORS[name]
    kwargs = streams.SHORT[name]
    first, again = generate(**kwargs), generate(**kwargs)
    assert first == again
    assert generate(**kwargs, seed=1).body != first.body


@pytest.mark.parametrize("name", [n for n in NAMES if n != "one_huge_line"])
def test_n_events_is_the_number_of_events_dispatched(name: str) -> None:
    kwargs = streams.SHORT[name]
    assert streams.GENERATORS[name](**kwargs).events == kwargs["n_events"]
    assert streams.stream(name).events >= 300


@pytest.mark.parametrize("name", NAMES)
def test_every_stream_ends_with_done_and_carries_valid_json(name: str) -> None:
    stream = streams.stream(name)
    assert stream.payloads[-1] == "[DONE]"
    assert len(chunks_of(stream)) == stream.events - 1
    content = "".join(d.get("content") or "" for d in deltas(stream))
    reasoning = "".join(d.get("reasoning_content") or "" for d in deltas(stream))
    assert (content, reasoning) == (stream.content, stream.reasoning_content)


def test_ark_content_events_are_about_270_bytes_with_30_percent_cjk_tokens() -> None:
    stream = streams.stream("ark_content")
    assert 255 <= len(stream.body) / stream.events <= 285
    tokens = [d["content"] for d in deltas(stream)[:-1]]
    assert 0.25 <= sum(any(map(is_cjk, t)) for t in tokens) / len(tokens) <= 0.35
    assert all(p.startswith('{"choices":[{"delta":{"content":') for p in stream.payloads[:-2])
    usage = json.loads(stream.payloads[-2])
    assert usage["choices"] == [] and usage["usage"]["completion_tokens_details"]
    assert stream.body.count(b"data: ") == stream.events


def test_crlf_is_the_ark_stream_with_crlf_line_ends() -> None:
    stream, ark = streams.stream("crlf"), streams.stream("ark_content")
    assert stream.payloads == ark.payloads
    assert stream.body == ark.body.replace(b"\n", b"\r\n")
    assert re.search(rb"[^\r]\n", stream.body) is None


def test_siliconflow_reasoning_has_usage_everywhere_and_reasoning_first() -> None:
    stream = streams.stream("siliconflow_reasoning")
    chunks = chunks_of(stream)
    assert all(c["usage"]["completion_tokens"] == i + 1 for i, c in enumerate(chunks))
    kinds = ["r" if d["reasoning_content"] is not None else "c" for d in deltas(stream)]
    assert "".join(kinds) == "r" * kinds.count("r") + "c" * kinds.count("c")
    assert kinds.count("r") and kinds.count("c")
    assert stream.body.startswith(b": keep-alive\n")
    assert stream.body.count(b": keep-alive\n") > 10


def test_tool_call_fragments_are_two_parallel_calls_in_1_to_8_character_pieces() -> None:
    stream = streams.stream("tool_call_fragments")
    calls: dict[int, dict[str, Any]] = {}
    sizes = []
    for delta in deltas(stream):
        for call in delta.get("tool_calls") or []:
            merged = calls.setdefault(call["index"], {"arguments": ""})
            if "id" in call:
                assert merged.get("id") is None and call["function"]["arguments"] == ""
                merged.update(id=call["id"], name=call["function"]["name"])
            else:
                sizes.append(len(call["function"]["arguments"]))
            merged["arguments"] += call["function"]["arguments"]
    assert sorted(calls) == [0, 1]
    assert [{"index": i, **calls[i]} for i in (0, 1)] == stream.tool_calls
    assert all(json.loads(call["arguments"]) for call in stream.tool_calls)
    assert min(sizes) == 1 and max(sizes) == 8
    finishes = [c["choices"][0]["finish_reason"] for c in chunks_of(stream) if c["choices"]]
    assert finishes[-1] == "tool_calls" and set(finishes[:-1]) == {None}


def test_large_cjk_chunks_hold_200_to_2000_mostly_cjk_characters() -> None:
    stream = streams.stream("large_cjk")
    texts = [d["content"] for d in deltas(stream)]
    assert all(200 <= len(t) <= 2100 for t in texts)  # a chunk ends on a whole token
    assert sum(map(is_cjk, stream.content)) / len(stream.content) > 0.6


def test_keepalive_comments_has_as_many_comment_lines_as_events() -> None:
    stream = streams.stream("keepalive_comments")
    lines = [line for line in stream.body.split(b"\n") if line]
    comments = sum(line.startswith(b":") for line in lines)
    assert comments >= 0.8 * stream.events
    assert comments + stream.events == len(lines)


def test_one_huge_line_is_a_single_data_line_of_about_4_mb() -> None:
    stream = streams.stream("one_huge_line")
    first_line = stream.body.split(b"\n", 1)[0]
    assert 4 * 1024 * 1024 - 256 <= len(first_line) <= 4 * 1024 * 1024 + 2048
    assert stream.events == 2


@pytest.mark.parametrize("size", [None, 1, 5, streams.READ_64K])
def test_reads_rejoin_to_the_body(size: Any) -> None:
    body = streams.stream("keepalive_comments", short=True).body + b"data: tail"
    pieces = streams.reads(body, size)
    assert b"".join(pieces) == body
    if size is not None:
        assert all(len(p) == size for p in pieces[:-1])


def test_reads_with_no_size_split_after_each_blank_line() -> None:
    body = b"data: a\n\n: c\n\ndata: b\r\n\r\ndata: c\r\rdata: tail"
    expected = [b"data: a\n\n", b": c\n\n", b"data: b\r\n\r\n", b"data: c\r\r", b"data: tail"]
    assert streams.reads(body, None) == expected
    assert streams.reads(streams.stream("crlf").body, None)[0].endswith(b"}\r\n\r\n")


DIALECT_NAMES = list(streams.DIALECT_GENERATORS)


def dialect_module(name: str) -> Any:
    import ssejet.anthropic
    import ssejet.responses

    return ssejet.anthropic if name.startswith("anthropic") else ssejet.responses


def final_text(name: str, result: Any) -> str:
    if name.startswith("anthropic"):
        return "".join(block.text for block in result.content)
    return "".join(part.text for item in result.output for part in item.content)


@pytest.mark.parametrize("name", DIALECT_NAMES)
@pytest.mark.parametrize("size", [None, streams.READ_64K, 4093, 301])
def test_each_dialect_stream_decodes_to_its_payloads(backend: str, name: str, size: Any) -> None:
    stream = streams.stream(name)
    assert decode(backend, streams.reads(stream.body, size)) == stream.payloads
    assert stream.events == len(stream.payloads) >= 300


@pytest.mark.parametrize("name", DIALECT_NAMES)
@pytest.mark.parametrize("size", [None, streams.READ_64K, 1])
def test_each_dialect_stream_accumulates_to_its_text(backend: str, name: str, size: Any) -> None:
    stream = streams.stream(name, short=size == 1)
    module = dialect_module(name)
    decoder = module.EventDecoder(backend=backend)
    events = [e for data in streams.reads(stream.body, size) for e in decoder.feed(data)]
    assert decoder.done
    assert len(events) == stream.events - (name == "anthropic_text")  # its ping is skipped
    assert final_text(name, module.accumulate(events)) == stream.content != ""


@pytest.mark.parametrize("name", DIALECT_NAMES)
@pytest.mark.parametrize("seed", range(3))
def test_each_short_dialect_stream_decodes_in_random_reads(
    backend: str, name: str, seed: int
) -> None:
    stream = streams.stream(name, short=True)
    assert decode(backend, random_reads(stream.body, seed)) == stream.payloads


@pytest.mark.parametrize("name", DIALECT_NAMES)
def test_dialect_generators_are_deterministic_seeded_and_sized(name: str) -> None:
    generate = streams.DIALECT_GENERATORS[name]
    first, again = generate(n_events=20), generate(n_events=20)
    assert first == again and first.events == 20
    assert generate(n_events=20, seed=1).body != first.body
    assert streams.stream(name).events == 2000


def test_anthropic_text_is_one_text_block_of_token_deltas_with_a_ping() -> None:
    stream = streams.stream("anthropic_text")
    events = [json.loads(p) for p in stream.payloads]
    kinds = [e["type"] for e in events]
    assert kinds[:3] == ["message_start", "content_block_start", "ping"]
    assert kinds[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert set(kinds[3:-3]) == {"content_block_delta"}
    assert all(e["delta"]["type"] == "text_delta" for e in events[3:-3])
    assert "".join(e["delta"]["text"] for e in events[3:-3]) == stream.content
    names = [line[7:] for line in stream.body.decode().splitlines() if line.startswith("event: ")]
    assert names == kinds  # each event is named for its type, as Anthropic sends
    assert 100 <= len(stream.body) / stream.events <= 140


def test_responses_text_is_one_message_of_token_deltas_then_the_whole_response() -> None:
    stream = streams.stream("responses_text")
    events = [json.loads(p) for p in stream.payloads]
    assert [e["sequence_number"] for e in events] == list(range(stream.events))
    deltas = [e for e in events if e["type"] == "response.output_text.delta"]
    assert len(deltas) == stream.events - 8
    assert "".join(e["delta"] for e in deltas) == stream.content
    last = events[-1]
    assert last["type"] == "response.completed" and b"[DONE]" not in stream.body
    assert last["response"]["output"][0]["content"][0]["text"] == stream.content
    assert last["response"]["usage"]["output_tokens"] == len(deltas)
