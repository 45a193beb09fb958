"""The Anthropic Messages dialect (issue 13): decoding, end to end, and accumulation.

Three groups of cases, both backends beside the anthropic SDK where it can be driven from
bytes:

- ``decode``: ``ssejet.anthropic.EventDecoder`` over a capture (and over a synthetic stream of
  text deltas shaped like the captures'), 64 KiB reads, reading ``event.delta.text`` of every
  text delta as an application would. ``extra_info["ns_per_event"]`` is the median per event
  (the issue's target for text deltas: 0.7 µs with the Rust backend). The SDK peer parses the
  same bytes with its own ``SSEDecoder`` and builds each event as ``messages.create(stream=True)``
  does (``construct_type`` of ``RawMessageStreamEvent``).
- ``end to end``: one ``messages.create(stream=True)`` of the SDK over an in-memory
  ``httpx.MockTransport`` (one event per read), against ``ssejet.anthropic.iter_events`` over a
  streaming ``httpx`` response from the same transport; CPU time (``time.thread_time``) per
  event, and ``less_cpu_than_sdk``.
- ``accumulate``: a tool call whose input arrives in N fragments (N = 100, 1,000, 10,000),
  events already decoded: ``ssejet.anthropic.accumulate`` (parses the input once) against the
  SDK's ``accumulate_event`` (re-parses the whole buffer on every fragment: quadratic).

Timed run: ``pytest benches/bench_anthropic.py --benchmark-only
--benchmark-columns=median,iqr,ops``; ``make test`` smoke-runs it with ``--benchmark-disable``.
"""

from __future__ import annotations

import random
import time
from typing import Any, Callable

import orjson
import pytest
from dialect_helpers import SHARED, finish, need, one_event_per_read, reads, sse

import ssejet.anthropic as A
from ssejet import StreamAPIError

CAPTURES = (
    "anthropic-sonnet-4-thinking-signature.sse",
    "anthropic-sonnet-4-5-code-execution-many-fragments.sse",
    "anthropic-sonnet-4-5-pause-turn-web-search.sse",
)
MESSAGES = [{"role": "user", "content": "hi"}]

pytestmark = pytest.mark.benchmark(max_time=0.5, min_rounds=3, warmup=False)


def text_stream(n: int = 2000, seed: int = 13) -> bytes:
    """A message of ``n`` text deltas of 1 to 4 words, as the captures' text blocks."""
    rng = random.Random(seed)
    words = ["the", " weather", " in", " Paris", " is", " sunny", ",", " with", " a", " high"]
    head = [
        {"type": "message_start", "message": {
            "id": "msg_01QC4g3HwBThD4BaNtBckFDJ", "type": "message", "role": "assistant",
            "model": "claude-sonnet-4-5-20250929", "content": [], "stop_reason": None,
            "stop_sequence": None, "usage": {"input_tokens": 12, "output_tokens": 1}}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    ]  # fmt: skip
    deltas = [
        {"type": "content_block_delta", "index": 0,
         "delta": {"type": "text_delta", "text": "".join(rng.choices(words, k=rng.randint(1, 4)))}}
        for _ in range(n)
    ]  # fmt: skip
    tail = [
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
         "usage": {"output_tokens": n}},
        {"type": "message_stop"},
    ]  # fmt: skip
    return b"".join(sse(p) for p in head + deltas + tail)


def tool_stream(fragments: int) -> list[dict[str, Any]]:
    """The payloads of a tool call whose input JSON arrives in ``fragments`` pieces."""
    text = orjson.dumps({"lines": [f"line {i:05}" for i in range(fragments)]}).decode()
    size = -(-len(text) // fragments)
    pieces = [text[i : i + size] for i in range(0, len(text), size)]
    return [
        {"type": "message_start", "message": {
            "id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": [],
            "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 1}}},
        {"type": "content_block_start", "index": 0,
         "content_block": {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}},
        *({"type": "content_block_delta", "index": 0,
           "delta": {"type": "input_json_delta", "partial_json": p}} for p in pieces),
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": None},
         "usage": {"output_tokens": 9}},
        {"type": "message_stop"},
    ]  # fmt: skip


_bodies: dict[str, bytes] = {}


def body(name: str) -> bytes:
    if name not in _bodies:
        if name == "text deltas":
            _bodies[name] = text_stream()
        else:
            path = SHARED / name
            if not path.is_file():
                pytest.skip(f"{path} is absent")
            _bodies[name] = path.read_bytes()
    return _bodies[name]


def ssejet_decode(backend: str, data: bytes) -> Callable[[], int]:
    chunks = reads(data)

    def run() -> int:
        decoder = A.EventDecoder(backend=backend)
        n = 0
        for chunk in chunks:
            try:
                events = decoder.feed(chunk)
            except StreamAPIError as error:  # pragma: no cover - no capture here raises
                events = error.events
            for event in events:
                n += 1
                if event.type == "content_block_delta" and event.delta.type == "text_delta":
                    event.delta.text  # noqa: B018 - the read the application does
        return n

    return run


def sdk_decode(data: bytes) -> Callable[[], int]:
    """The SDK's own parsing of the same bytes: its SSE decoder, then each event built as
    ``Stream.__stream__`` builds it (``construct_type``, no validation)."""
    from anthropic._models import construct_type
    from anthropic._streaming import SSEDecoder
    from anthropic.types import RawMessageStreamEvent

    chunks = reads(data)

    def run() -> int:
        n = 0
        for sse_event in SSEDecoder().iter_bytes(iter(chunks)):
            if sse_event.event == "ping":
                continue
            event = construct_type(type_=RawMessageStreamEvent, value=sse_event.json())
            n += 1
            if event.type == "content_block_delta" and event.delta.type == "text_delta":
                event.delta.text  # noqa: B018
        return n

    return run


DECODE = ("text deltas", *CAPTURES)
_decode_medians: dict[str, float] = {}


@pytest.mark.parametrize("name", DECODE)
@pytest.mark.parametrize("who", ["sdk", "rust", "python"])  # the SDK first: the ratios need it
def test_decode(benchmark: Any, name: str, who: str) -> None:
    data = body(name)
    if who == "sdk":
        pytest.importorskip("anthropic")
        run = sdk_decode(data)
    else:
        need(who)
        run = ssejet_decode(who, data)
    events = run()
    benchmark.group = f"decode {name} (64 KiB reads)"
    benchmark.extra_info.update(who=who, events=events)
    benchmark(run)
    median = finish(benchmark, events)
    if median is None:
        return
    if who == "sdk":
        _decode_medians[name] = median
    elif name in _decode_medians:
        benchmark.extra_info["faster_than_sdk"] = round(_decode_medians[name] / median, 1)


# --- end to end: the SDK's messages.create(stream=True) vs iter_events, CPU per event ---------

END_TO_END = text_stream(500, seed=14)
_e2e_medians: dict[str, float] = {}


@pytest.mark.benchmark(max_time=0.25, min_rounds=3, warmup=False, timer=time.thread_time)
@pytest.mark.parametrize("who", ["sdk", "rust", "python"])
def test_end_to_end(benchmark: Any, who: str) -> None:
    anthropic = pytest.importorskip("anthropic")
    httpx = pytest.importorskip("httpx2")  # the SDK's http library; ssejet reads it too
    need(who)
    http = httpx.Client(transport=one_event_per_read(httpx, END_TO_END))

    if who == "sdk":
        client = anthropic.Anthropic(api_key="bench", base_url="http://bench.invalid",
                                     http_client=http, max_retries=0)  # fmt: skip

        def run() -> str:
            out = []
            stream = client.messages.create(model="m", max_tokens=5, messages=MESSAGES, stream=True)
            for event in stream:
                if event.type == "content_block_delta" and event.delta.type == "text_delta":
                    out.append(event.delta.text)
            return "".join(out)
    else:

        def run() -> str:
            out = []
            url = "http://bench.invalid/v1/messages"
            with http.stream("POST", url, json={"messages": MESSAGES}) as response:
                for event in A.iter_events(response, backend=who):
                    if event.type == "content_block_delta" and event.delta.type == "text_delta":
                        out.append(event.delta.text)
            return "".join(out)

    expected = run()
    assert expected and len(expected) > 500
    events = END_TO_END.count(b"\n\n")
    benchmark.group = "end to end: one streamed message, 500 text deltas (CPU)"
    benchmark.extra_info.update(who=who, events=events)
    benchmark(run)
    median = finish(benchmark, events, "ns_cpu_per_event")
    if median is None:
        return
    if who == "sdk":
        _e2e_medians["sdk"] = median
    elif "sdk" in _e2e_medians:
        benchmark.extra_info["less_cpu_than_sdk"] = round(_e2e_medians["sdk"] / median, 1)


# --- accumulating a tool call of N fragments: linear (ssejet) vs quadratic (the SDK) ----------

_acc_events: dict[tuple[str, int], list[Any]] = {}


def decoded(who: str, fragments: int) -> list[Any]:
    if (who, fragments) not in _acc_events:
        payloads = tool_stream(fragments)
        if who == "sdk":
            from anthropic._models import construct_type
            from anthropic.types import RawMessageStreamEvent

            events = [construct_type(type_=RawMessageStreamEvent, value=p) for p in payloads]
        else:
            data = b"".join(sse(p) for p in payloads)
            events = A.EventDecoder(backend=who).feed(data)
        _acc_events[who, fragments] = events
    return _acc_events[who, fragments]


@pytest.mark.benchmark(max_time=0.5, min_rounds=1, warmup=False)
@pytest.mark.parametrize("fragments", [100, 1000, 10000])
@pytest.mark.parametrize("who", ["sdk", "rust", "python"])
def test_accumulate_tool_input(benchmark: Any, who: str, fragments: int) -> None:
    if who == "sdk":
        pytest.importorskip("anthropic")
        from anthropic.lib.streaming._messages import accumulate_event

        events = decoded("sdk", fragments)

        def run() -> Any:
            snapshot = None
            buffers: dict[int, bytes] = {}
            for event in events:
                snapshot = accumulate_event(
                    event=event, current_snapshot=snapshot, json_bufs=buffers
                )
            return snapshot.content[0].input  # type: ignore[union-attr]
    else:
        need(who)
        events = decoded(who, fragments)

        def run() -> Any:
            return A.accumulate(events).content[0].input

    assert len(run()["lines"]) == fragments
    benchmark.group = f"accumulate a tool call of {fragments} input fragments"
    benchmark.extra_info.update(who=who, fragments=fragments)
    benchmark(run)
    finish(benchmark, fragments, "ns_per_fragment")
