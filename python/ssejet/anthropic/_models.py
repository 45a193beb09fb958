"""The Anthropic Messages stream's objects, one definition for both backends.

The hot-path events and deltas are classes here; the Rust extension has compiled classes of
the same names, registered with these (ABCs), so ``isinstance`` holds and objects compare
equal whichever backend made them. Nested objects off the hot path (``message``,
``content_block``, ``usage``, ``citation``, a ``message_delta``'s ``delta``, deltas of other
types) and every other event type are read-only :class:`~ssejet._records.Record`\\ s; the
table at the end says which of their fields are documented (read None when absent).

``to_dict()`` parses the kept payload again with orjson: the same values on both backends by
construction. The classes off the per-token path also read the payload's other keys as
attributes (``_extra``); the per-token ones have only their fields (see ``_OpenEvent``).
"""

from __future__ import annotations

from abc import ABCMeta
from typing import Any, Optional

import orjson

from .._hooks import sdk_dump
from .._models import _restore, _seal
from .._records import Record, _wrap, register_fields

DIALECT = "anthropic"


def _extra(obj: Any, name: str) -> Any:
    """A typed object's attribute that is none of its API fields: the payload's key ``name``
    (a record for an object), else ``AttributeError``. Shared by both backends' classes."""
    if not name.startswith("_"):
        data = obj.to_dict()
        if type(data) is dict and name in data:
            return _wrap(data[name], DIALECT, name)
    raise AttributeError(f"{type(obj).__name__!r} object has no attribute {name!r}")


class _Event(metaclass=ABCMeta):
    """Shared behaviour: read-only, equal by value (API fields), repr, pickle, ``to_dict``."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()
    _key: Optional[str] = None  # None: ``to_dict`` is the payload; "delta": its delta
    _public: Any
    _mutable: Any
    _payload: Any

    def __init__(self, **fields: Any) -> None:
        set_slot = object.__setattr__
        for name in self._fields:
            set_slot(self, name, fields.pop(name, None))
        if fields:
            raise TypeError(f"unexpected fields: {', '.join(sorted(fields))}")
        set_slot(self, "_payload", None)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{self._public.__name__} is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{self._public.__name__} is immutable: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, self._public):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._fields)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{self._public.__name__}({fields})"

    def __reduce__(self) -> Any:
        cls = self._public
        return _restore, (cls, tuple(getattr(self, name) for name in cls.__slots__))

    def to_dict(self) -> dict[str, Any]:
        """The object as orjson parses it from the stream's payload (a fresh dict). An object
        built with the constructor gives its fields instead."""
        payload = self._payload
        if payload is None:
            return {name: _plain(getattr(self, name)) for name in self._fields}
        value = orjson.loads(payload)
        return value if self._key is None else value[self._key]  # type: ignore[no-any-return]

    _sdk = DIALECT  # whose models model_dump() reproduces (the SDK bridge's hook)

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What anthropic's model of this event gives for ``model_dump(**kwargs)``, so code
        written for the SDK's events runs unchanged. Offered on events; a delta's dump is its
        event's."""
        return self._dump("model_dump", kwargs)  # type: ignore[no-any-return]

    def model_dump_json(self, **kwargs: Any) -> str:
        """What anthropic's model of this event gives for ``model_dump_json(**kwargs)``."""
        return self._dump("model_dump_json", kwargs)  # type: ignore[no-any-return]

    def _dump(self, method: str, kwargs: dict[str, Any]) -> Any:
        if self._key is not None:
            raise TypeError(
                f"{method}() is offered on events; this is the {self._key!r} of one: "
                "use to_dict(), or dump the event"
            )
        return sdk_dump(self, method, kwargs)


class _OpenEvent(_Event):
    """An event class off the per-token path: the payload's other keys read as attributes too.

    The per-token classes (``ContentBlockDeltaEvent`` and its typed deltas) have only their
    fields (the rest is in ``to_dict()``): a ``__getattr__`` makes every attribute read of a
    class ~24 ns slower, in both backends, and a text delta is read four times."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        # Only reached when no slot has that name: the payload's other keys.
        return _extra(self, name)


def _plain(value: Any) -> Any:
    if isinstance(value, (Record, _Event)) or hasattr(value, "to_dict"):
        return value.to_dict()
    return value


@_seal
class TextDelta(_Event):
    """A piece of a text block's text."""

    _fields = ("type", "text")
    __slots__ = (*_fields, "_payload")
    _key = "delta"
    type: str
    text: str


@_seal
class InputJSONDelta(_Event):
    """A fragment of a tool call's input JSON (a block's fragments join to its JSON text)."""

    _fields = ("type", "partial_json")
    __slots__ = (*_fields, "_payload")
    _key = "delta"
    type: str
    partial_json: str


@_seal
class ThinkingDelta(_Event):
    """A piece of a thinking block's thinking."""

    _fields = ("type", "thinking")
    __slots__ = (*_fields, "_payload")
    _key = "delta"
    type: str
    thinking: str


@_seal
class SignatureDelta(_Event):
    """A thinking block's signature."""

    _fields = ("type", "signature")
    __slots__ = (*_fields, "_payload")
    _key = "delta"
    type: str
    signature: str


@_seal
class CitationsDelta(_Event):
    """A citation added to a text block (``citation`` is a record)."""

    _fields = ("type", "citation")
    __slots__ = (*_fields, "_payload")
    _key = "delta"
    type: str
    citation: Any


@_seal
class ContentBlockDeltaEvent(_Event):
    """``content_block_delta``: ``delta`` is a TextDelta, InputJSONDelta, ThinkingDelta,
    SignatureDelta or CitationsDelta, or a record for a delta type of another kind.

    >>> from ssejet.anthropic import EventDecoder
    >>> delta = b'{"type":"text_delta","text":"Hi"}'
    >>> data = b'data: {"type":"content_block_delta","index":0,"delta":' + delta + b'}\\n\\n'
    >>> EventDecoder().feed(data)[0].delta.text
    'Hi'
    """

    _fields = ("type", "index", "delta")
    __slots__ = (*_fields, "_payload")
    type: str
    index: int
    delta: Any


@_seal
class MessageStartEvent(_OpenEvent):
    """``message_start``: ``message`` is a record (``event.message.usage.input_tokens``)."""

    _fields = ("type", "message")
    __slots__ = (*_fields, "_payload")
    type: str
    message: Any


@_seal
class ContentBlockStartEvent(_OpenEvent):
    """``content_block_start``: ``content_block`` is a record of the block as it starts."""

    _fields = ("type", "index", "content_block")
    __slots__ = (*_fields, "_payload")
    type: str
    index: int
    content_block: Any


@_seal
class ContentBlockStopEvent(_OpenEvent):
    """``content_block_stop``: the block at ``index`` is complete."""

    _fields = ("type", "index")
    __slots__ = (*_fields, "_payload")
    type: str
    index: int


@_seal
class MessageDeltaEvent(_OpenEvent):
    """``message_delta``: ``delta`` is a record (``stop_reason``, ``stop_sequence``...),
    ``usage`` a record of the cumulative usage, or None.
    """

    _fields = ("type", "delta", "usage")
    __slots__ = (*_fields, "_payload")
    type: str
    delta: Any
    usage: Any


@_seal
class MessageStopEvent(_OpenEvent):
    """``message_stop``: the message is complete (the decoder is ``done``)."""

    _fields = ("type",)
    __slots__ = (*_fields, "_payload")
    type: str


EVENT_CLASSES = (
    TextDelta, InputJSONDelta, ThinkingDelta, SignatureDelta, CitationsDelta,
    ContentBlockDeltaEvent, MessageStartEvent, ContentBlockStartEvent, ContentBlockStopEvent,
    MessageDeltaEvent, MessageStopEvent,
)  # fmt: skip


def _register_compiled_classes() -> None:
    """Registers each compiled class with the public class of its name."""
    from .._backend import compiled

    module = compiled()
    if module is None:
        return
    for public in EVENT_CLASSES:
        compiled_class = getattr(module, public.__name__, None)
        if compiled_class is not None:
            public.register(compiled_class)


_register_compiled_classes()


# --- Documented fields: what a record reads as None when the payload lacks it ----------------
# From the anthropic SDK's models (2.17), by object type, or for an object without a type by
# the key it sits under (``usage``, a message_delta's ``delta``).

_USAGE = frozenset({
    "input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
    "cache_creation", "server_tool_use", "service_tier", "inference_geo",
    "output_tokens_details", "speed",
})  # fmt: skip
_CITED = ("cited_text", "document_index", "document_title", "file_id", "type")
_TOOL_RESULT = frozenset({"type", "tool_use_id", "content", "caller"})

FIELDS: dict[str, frozenset[str]] = {
    "message": frozenset({
        "id", "type", "role", "model", "content", "stop_reason", "stop_sequence", "usage",
        "container", "stop_details",
    }),
    "usage": _USAGE,
    "delta": frozenset({"stop_reason", "stop_sequence", "stop_details", "container"}),
    # blocks
    "text": frozenset({"type", "text", "citations"}),
    "thinking": frozenset({"type", "thinking", "signature"}),
    "redacted_thinking": frozenset({"type", "data"}),
    "tool_use": frozenset({"type", "id", "name", "input", "caller"}),
    "server_tool_use": frozenset({"type", "id", "name", "input", "caller"}),
    "web_search_tool_result": _TOOL_RESULT,
    "web_fetch_tool_result": _TOOL_RESULT,
    "code_execution_tool_result": _TOOL_RESULT,
    "bash_code_execution_tool_result": _TOOL_RESULT,
    "text_editor_code_execution_tool_result": _TOOL_RESULT,
    "tool_search_tool_result": _TOOL_RESULT,
    "container_upload": frozenset({"type", "file_id"}),
    "web_search_result": frozenset({"type", "url", "title", "encrypted_content", "page_age"}),
    # citations
    "char_location": frozenset({*_CITED, "start_char_index", "end_char_index"}),
    "page_location": frozenset({*_CITED, "start_page_number", "end_page_number"}),
    "content_block_location": frozenset({*_CITED, "start_block_index", "end_block_index"}),
    "web_search_result_location": frozenset(
        {"type", "cited_text", "url", "title", "encrypted_index"}
    ),
    "search_result_location": frozenset({
        "type", "cited_text", "source", "title", "search_result_index", "start_block_index",
        "end_block_index",
    }),
}  # fmt: skip

register_fields(DIALECT, FIELDS)
