"""Differential test of the Anthropic decoder: the Rust extension and the pure twin on random
event streams (valid events, unknown types, wrong field types, malformed JSON, error events),
split at random points; after every feed and close both give equal events, the same error
class and message (and ``.events``), and the same ``done``/``incomplete``; and the
accumulated messages agree.

Like ``test_parity.py``, this module drives ``ssejet._ssejet`` and ``ssejet._pure`` directly.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ssejet.anthropic as A
from ssejet import SSEError
from ssejet._pure import anthropic as pure

try:
    from ssejet import _ssejet
except ImportError as error:  # pragma: no cover - depends on the build
    if os.environ.get("SSEJET_REQUIRE_RUST") == "1":
        raise ImportError(f"SSEJET_REQUIRE_RUST=1 but the extension is missing: {error}") from error
    pytest.skip(f"the Rust extension is not built: {error}", allow_module_level=True)

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**64), 2**64), st.floats(allow_nan=False),
    st.text(max_size=8), st.sampled_from(["", "text_delta", "end_turn", "é\u2028"]),
)  # fmt: skip
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
# Mostly the right type, sometimes any JSON value, sometimes absent.
ABSENT = object()


@st.composite
def field(draw: Any, good: st.SearchStrategy[Any], level: int) -> Any:
    """Mostly a value of the right type; at `level` 1 or 2, sometimes any JSON value or
    nothing."""
    roll = draw(st.integers(0, (0, 40, 8)[level]))
    if roll == 1:
        return draw(json_values)
    if roll == 2:
        return ABSENT
    return draw(good)


DELTA_TYPES = ["text_delta", "input_json_delta", "thinking_delta", "signature_delta",
               "citations_delta", "brand_new_delta"]  # fmt: skip
DELTA_FIELDS = {"text_delta": "text", "input_json_delta": "partial_json",
                "thinking_delta": "thinking", "signature_delta": "signature",
                "citations_delta": "citation", "brand_new_delta": "x"}  # fmt: skip


def obj(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not ABSENT}


@st.composite
def deltas(draw: Any, level: int) -> Any:
    kind = draw(st.sampled_from(DELTA_TYPES))
    good = (
        st.dictionaries(st.text(max_size=4), scalars, max_size=2)
        if kind == "citations_delta"
        else st.text(max_size=6)
    )
    return obj(
        type=draw(field(st.just(kind), level)), **{DELTA_FIELDS[kind]: draw(field(good, level))}
    )


KINDS = [
    "content_block_delta", "content_block_delta", "content_block_delta", "content_block_delta",
    "message_start", "content_block_start", "content_block_stop", "message_delta", "ping",
    "mystery_event", "message_stop", "error",
]  # fmt: skip


@st.composite
def payloads(draw: Any, level: int) -> Any:
    index = field(st.integers(0, 3), level)
    # A clean stream has no error event, and its message_stop only at the end (`streams`).
    kinds = KINDS if level else KINDS[:-2]
    kind = draw(st.sampled_from(kinds))
    if kind == "content_block_delta":
        return obj(type=kind, index=draw(index), delta=draw(field(deltas(level), level)))
    if kind == "message_start":
        message = obj(
            id="m",
            type="message",
            content=[],
            usage=draw(field(st.fixed_dictionaries({"input_tokens": st.integers(0, 9)}), level)),
        )
        return obj(type=kind, message=draw(field(st.just(message), level)))
    if kind == "content_block_start":
        block = obj(
            type=draw(field(st.sampled_from(["text", "tool_use", "thinking", "x_result"]), level)),
            text="",
            input={},
        )
        return obj(type=kind, index=draw(index), content_block=draw(field(st.just(block), level)))
    if kind == "content_block_stop":
        return obj(type=kind, index=draw(index))
    if kind == "message_delta":
        reason = field(st.sampled_from([None, "end_turn", "tool_use"]), level)
        delta = obj(stop_reason=draw(reason), stop_sequence=draw(field(st.none(), level)))
        usage = field(
            st.fixed_dictionaries({"output_tokens": st.integers(0, 99)}) | st.none(), level
        )
        return obj(type=kind, delta=draw(field(st.just(delta), level)), usage=draw(usage))
    if kind == "error":
        return {
            "type": "error",
            "error": {"type": "overloaded_error", "message": draw(st.text(max_size=5))},
        }
    return obj(type=draw(field(st.just(kind), level)), payload=draw(json_values))


@st.composite
def events(draw: Any, level: int) -> bytes:
    choice = draw(st.integers(2 if level == 0 else 0, 19))  # a clean stream: no bad event
    if choice == 0:  # malformed JSON or a non-object
        data = draw(st.sampled_from([b"{", b"[1]", b"nope", b'{"a":1} x', b"1e400", b'"s"']))
        return b"data: " + data + b"\n\n"
    if choice == 1:
        return (
            b"event: error\ndata: "
            + draw(st.sampled_from([b"oops", b'{"error":"e"}', b"{}"]))
            + b"\n\n"
        )
    if choice == 2:
        return b": keep-alive\n\n"
    payload = draw(payloads(level))
    data = dumps(payload)
    name = (
        payload.get("type")
        if isinstance(payload.get("type"), str) and draw(st.booleans())
        else None
    )
    if name is not None and draw(st.booleans()):
        data = dumps({k: v for k, v in payload.items() if k != "type"})
    head = f"event: {name}\n".encode() if name else b""
    return head + b"data: " + data + b"\n\n"


def dumps(value: Any) -> bytes:
    # json, not orjson: integers beyond 64 bits (which orjson reads as floats) are drawn too.
    return json.dumps(value, ensure_ascii=False).encode()


STOP = b'event: message_stop\ndata: {"type":"message_stop"}\n\n'
streams = st.sampled_from([0, 0, 1, 2]).flatmap(
    lambda level: st.tuples(
        st.lists(events(level), min_size=2, max_size=16).map(b"".join),
        st.sampled_from([b"", STOP, STOP + b'data: {"type":"ping"}\n\n']),
    ).map(b"".join)
)


def outcome(decoder: Any, feed: Any) -> tuple[Any, ...]:
    try:
        got = decoder.feed(feed)
        return ("ok", got, decoder.done, decoder.incomplete)
    except SSEError as error:
        return (type(error).__name__, str(error), error.events, decoder.done)


def accumulate_all(batches: list[Any]) -> Any:
    acc = A.Accumulator()
    for batch in batches:
        items = batch[1] if batch[0] == "ok" else batch[2]
        for event in items:
            acc.add(event)
    return acc.result().to_dict()


@settings(
    derandomize=True, database=None, deadline=None, max_examples=400,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip
@given(data=streams, cuts=st.lists(st.integers(0, 4000), max_size=6))
def test_both_backends_agree_on_random_event_streams(data, cuts):
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces = [data[a:b] for a, b in zip([0, *points], [*points, len(data)])]
    rust = _ssejet.AnthropicEventDecoder(1 << 20)
    python = pure.decoder(1 << 20)
    got_rust, got_python = [], []
    for piece in pieces:
        got_rust.append(outcome(rust, piece))
        got_python.append(outcome(python, piece))
        assert got_rust[-1] == got_python[-1]
    assert rust.close() == python.close() == []
    assert (rust.done, rust.incomplete) == (python.done, python.incomplete)
    assert accumulate_all(got_rust) == accumulate_all(got_python)
