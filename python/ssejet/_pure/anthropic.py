"""The Anthropic Messages dialect (layer 2b), pure Python: twin of ``rust/anthropic.rs`` (the
rules and the canonical validation order, documented there) and of
``rust/python/anthropic.rs`` (the objects). The skeleton (``dialect.py``) does the framing,
JSON, errors and the event's type; ``build`` reads one payload of a known type.

``ping`` gives nothing; ``message_stop`` ends the stream. Messages read ``invalid event:
<path> must be <expected>, not <kind>``, checked in the order of the Rust module's table.
"""

from __future__ import annotations

from typing import Any

from .._records import Record
from ..anthropic import _models as M
from .dialect import EventDecoder, StreamRules, bad
from .sse import DEFAULT_MAX_EVENT_SIZE

RULES = StreamRules(skipped=frozenset({"ping"}), ends=frozenset({"message_stop"}))
DIALECT = "anthropic"

_DELTAS = {
    # delta type -> (class, its field, the field's path)
    "text_delta": (M.TextDelta, "text", "delta.text"),
    "input_json_delta": (M.InputJSONDelta, "partial_json", "delta.partial_json"),
    "thinking_delta": (M.ThinkingDelta, "thinking", "delta.thinking"),
    "signature_delta": (M.SignatureDelta, "signature", "delta.signature"),
}


_TextDelta = M.TextDelta._mutable
_DeltaEvent = M.ContentBlockDeltaEvent._mutable


def _index(root: dict[str, Any]) -> int:
    index = root.get("index")
    if type(index) is not int:
        raise bad("index", "an integer", index)
    return index


def _object(value: Any, path: str) -> dict[str, Any]:
    if type(value) is not dict:
        raise bad(path, "an object", value)
    return value


def _string_or_null(value: Any, path: str) -> None:
    if value is not None and type(value) is not str:
        raise bad(path, "a string or null", value)


def _make(cls: Any, payload: Any, *values: Any) -> Any:
    """An object of a public class, without its ``__init__`` (see ``ssejet._models``)."""
    obj = cls._mutable()
    for name, value in zip(cls._fields, values):
        setattr(obj, name, value)
    obj._payload = payload
    obj.__class__ = cls
    return obj


def _content_block_delta(root: dict[str, Any], payload: Any) -> Any:
    # The hot path, written out: a text delta costs ~40 % less than through the table alone.
    index = root.get("index")
    if type(index) is not int:
        raise bad("index", "an integer", index)
    delta = root.get("delta")
    if type(delta) is not dict:
        raise bad("delta", "an object", delta)
    delta_type = delta.get("type")
    if delta_type == "text_delta":
        text = delta.get("text")
        if type(text) is not str:
            raise bad("delta.text", "a string", text)
        obj = _TextDelta()
        obj.type = "text_delta"
        obj.text = text
        obj._payload = payload
        obj.__class__ = M.TextDelta
    else:
        obj = _other_delta(delta, delta_type, payload)
    event = _DeltaEvent()
    event.type = "content_block_delta"
    event.index = index
    event.delta = obj
    event._payload = payload
    event.__class__ = M.ContentBlockDeltaEvent
    return event


def _other_delta(delta: dict[str, Any], delta_type: Any, payload: Any) -> Any:
    if type(delta_type) is not str:
        raise bad("delta.type", "a string", delta_type)
    known = _DELTAS.get(delta_type)
    if known is not None:
        cls, field, path = known
        value = delta.get(field)
        if type(value) is not str:
            raise bad(path, "a string", value)
        return _make(cls, payload, delta_type, value)
    if delta_type == "citations_delta":
        citation = _object(delta.get("citation"), "delta.citation")
        return _make(M.CitationsDelta, payload, delta_type, Record(citation, DIALECT, "citation"))
    return Record(delta, DIALECT, "delta")


def _message_start(root: dict[str, Any], payload: Any) -> Any:
    message = _object(root.get("message"), "message")
    return _make(M.MessageStartEvent, payload, "message_start", Record(message, DIALECT, "message"))


def _content_block_start(root: dict[str, Any], payload: Any) -> Any:
    index = _index(root)
    block = _object(root.get("content_block"), "content_block")
    block_type = block.get("type")
    if type(block_type) is not str:
        raise bad("content_block.type", "a string", block_type)
    record = Record(block, DIALECT, "content_block")
    return _make(M.ContentBlockStartEvent, payload, "content_block_start", index, record)


def _content_block_stop(root: dict[str, Any], payload: Any) -> Any:
    return _make(M.ContentBlockStopEvent, payload, "content_block_stop", _index(root))


def _message_delta(root: dict[str, Any], payload: Any) -> Any:
    delta = _object(root.get("delta"), "delta")
    _string_or_null(delta.get("stop_reason"), "delta.stop_reason")
    _string_or_null(delta.get("stop_sequence"), "delta.stop_sequence")
    usage = root.get("usage")
    if usage is not None:
        if type(usage) is not dict:
            raise bad("usage", "an object or null", usage)
        usage = Record(usage, DIALECT, "usage")
    record = Record(delta, DIALECT, "delta")
    return _make(M.MessageDeltaEvent, payload, "message_delta", record, usage)


def _message_stop(root: dict[str, Any], payload: Any) -> Any:
    return _make(M.MessageStopEvent, payload, "message_stop")


_BUILDERS = {
    "content_block_delta": _content_block_delta,
    "message_start": _message_start,
    "content_block_start": _content_block_start,
    "content_block_stop": _content_block_stop,
    "message_delta": _message_delta,
    "message_stop": _message_stop,
}


def build(name: str, root: dict[str, Any], payload: Any) -> Any:
    """The event of type ``name`` whose parsed payload is ``root`` (``payload``: the bytes or
    repaired text its ``to_dict()`` parses again); ``InvalidEvent`` for a hot-path field of
    the wrong JSON type. Every other type is a record (with ``type``, given when the payload
    lacks a string one)."""
    builder = _BUILDERS.get(name)
    if builder is not None:
        return builder(root, payload)
    if type(root.get("type")) is not str:
        root["type"] = name
    return Record(root, DIALECT)


def decoder(max_event_size: int = DEFAULT_MAX_EVENT_SIZE) -> EventDecoder:
    """The pure Anthropic decoder (twin of ``ssejet._ssejet.AnthropicEventDecoder``)."""
    return EventDecoder(max_event_size, rules=RULES, build=build)
