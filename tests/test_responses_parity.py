"""Differential test of the Responses dialect: both backends on the same random event streams.

Streams are drawn from the shapes a Responses stream takes and the ways it breaks: the four
typed deltas with fields of every JSON type (absent included), lifecycle events, items and
parts by out-of-order indexes, ``.done``-only arguments, unknown event types anywhere (after
``response.completed`` too), error events (flat and nested), truthy ``error`` payloads, invalid
JSON, non-object payloads, ``[DONE]``, events with and without ``event:`` lines. Each stream is
split at random points and fed to both backends; after every ``feed()`` and ``close()`` both
must agree on everything a user can see (events by class, fields, repr and ``to_dict()``;
errors by class, message, attributes and ``.events``; ``done``; ``incomplete``), and the
accumulated responses must be equal and never raise. Seeded (derandomized): a failure
reproduces.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ssejet.responses as R
from ssejet import SSEError, _backend

if _backend._rust_module is None:  # pragma: no cover - depends on the build
    pytest.skip("the Rust extension is not built", allow_module_level=True)

ABSENT = object()
HOT = ["response.output_text.delta", "response.function_call_arguments.delta",
       "response.reasoning_summary_text.delta", "response.reasoning_text.delta"]  # fmt: skip
OTHER = ["response.created", "response.in_progress", "response.completed", "response.failed",
         "response.incomplete", "response.output_item.added", "response.output_item.done",
         "response.content_part.added", "response.content_part.done",
         "response.reasoning_summary_part.added", "response.output_text.done",
         "response.function_call_arguments.done", "response.refusal.delta",
         "response.future.thing", "error", "message"]  # fmt: skip

VALUES = [None, True, 0, 1, 2, 7, -1, 2**63, 1.5, "", "x", "ü🎉", [], {}, [1], {"a": 1}]
value = st.sampled_from(VALUES)  # any JSON type
anything = st.sampled_from([ABSENT, *VALUES])  # ... or the key left out (top level only)
index = st.one_of(st.integers(0, 3), st.integers(0, 3), anything)
text = st.one_of(st.text(max_size=6), st.text(max_size=6), anything)
nested_text = st.one_of(st.text(max_size=6), value)
item = st.fixed_dictionaries(
    {"type": st.sampled_from(["message", "function_call", "reasoning", "web_search_call", 5])},
    optional={
        "id": st.sampled_from(["msg_1", "fc_1", "rs_1"]),
        "content": st.sampled_from([[], [{"type": "output_text", "text": "t"}], None, "x"]),
        "summary": st.sampled_from([[], [{"type": "summary_text", "text": "s"}], 3]),
        "arguments": nested_text,
    },
)
response = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(["resp_1", "resp_2"]),
        "status": st.sampled_from(["in_progress", "completed", "failed", "incomplete"]),
        "output": st.one_of(st.lists(item, max_size=3), value),
        "usage": st.sampled_from([None, {"output_tokens": 3}, 5]),
        "error": st.sampled_from([None, {"code": "x", "message": "m"}]),
    },
)


@st.composite
def payload(draw: Any) -> Any:
    """One event's payload: a dict (or JSON text when malformed)."""
    if draw(st.integers(0, 29)) == 0:
        return draw(st.sampled_from(["{nope", "[1]", "5", '"s"', "null", "[DONE]", "", "{}"]))
    kind = draw(st.sampled_from(HOT + HOT + HOT + OTHER))
    valid = {
        "type": kind, "item_id": draw(st.sampled_from(["msg_1", "fc_1", "rs_1", None])),
        "output_index": draw(st.integers(0, 3)), "content_index": draw(st.integers(0, 2)),
        "summary_index": draw(st.integers(0, 2)), "delta": draw(st.text(max_size=6)),
        "sequence_number": draw(st.integers(0, 99)),
    }  # fmt: skip
    fields = {
        "response": draw(st.one_of(response, anything)), "item": draw(st.one_of(item, anything)),
        "part": draw(st.sampled_from([{"type": "output_text", "text": "p"}, None])),
        "arguments": draw(text), "text": draw(text), "logprobs": draw(anything),
        "code": draw(text), "message": draw(text), "error": draw(anything),
        "obfuscation": draw(text),
    }  # fmt: skip
    out = {**valid, **{k: fields[k] for k in draw(st.lists(st.sampled_from(sorted(fields))))}}
    if draw(st.integers(0, 7)) == 0:  # break one field: a wrong JSON type or left out
        broken = draw(st.sampled_from(sorted(valid)))
        out[broken] = draw(anything)
    if out.get("error") and draw(st.integers(0, 3)):
        del out["error"]  # a truthy error ends the stream: keep it rare
    return {k: v for k, v in out.items() if v is not ABSENT}


@st.composite
def stream(draw: Any) -> bytes:
    events = []
    for body in draw(st.lists(payload(), max_size=12)):
        data = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        name = body.get("type") if isinstance(body, dict) else None
        line = draw(st.sampled_from(["same", "none", "error", "other"]))
        header = {
            "same": f"event: {name}\n" if isinstance(name, str) else "", "none": "",
            "error": "event: error\n", "other": "event: response.output_text.delta\n",
        }  # fmt: skip
        if line == "error" and draw(st.integers(0, 3)):
            line = "none"  # error events end the stream: keep them rare
        events.append(header[line] + f"data: {data}\n\n")
    tail = draw(st.sampled_from(["", "data: [DONE]\n\n", "data: {", "event: x\n"]))
    return ("".join(events) + tail).encode()


def outcome(value: Any) -> Any:
    """What a user sees of a feed's result or error."""
    if isinstance(value, SSEError):
        attrs = {k: v for k, v in vars(value).items() if k != "events"}
        return ("raised", type(value).__name__, str(value), attrs, outcome(value.events))
    return [(type(e).__name__, repr(e), e.to_dict(), e.type) for e in value]


def run(backend: str, data: bytes, cuts: list[int]) -> tuple[list[Any], list[Any]]:
    decoder = R.EventDecoder(backend=backend)
    seen, events = [], []
    bounds = sorted({0, *[c % (len(data) + 1) for c in cuts], len(data)})
    for start, end in zip(bounds, bounds[1:]):
        try:
            got = decoder.feed(data[start:end])
        except SSEError as error:
            got = error
            events += error.events
        else:
            events += got
        seen.append((outcome(got), decoder.done, decoder.incomplete))
    seen.append((outcome(decoder.close()), decoder.done, decoder.incomplete))
    return seen, events


@settings(derandomize=True, database=None, deadline=None, max_examples=400)
@given(stream(), st.lists(st.integers(0, 10_000), max_size=8))
def test_both_backends_agree_on_random_responses_streams(data, cuts):
    compiled, compiled_events = run("rust", data, cuts)
    pure, pure_events = run("python", data, cuts)
    assert compiled == pure
    assert compiled_events == pure_events
    # accumulation never raises and does not depend on the backend that made the events
    assert R.accumulate(compiled_events).to_dict() == R.accumulate(pure_events).to_dict()
    # ... nor on whether it is given the events or their payloads (with the event's type)
    payloads = [{**e.to_dict(), "type": e.type} for e in pure_events]
    assert R.accumulate(payloads).to_dict() == R.accumulate(pure_events).to_dict()
