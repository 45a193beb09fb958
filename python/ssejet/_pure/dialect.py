"""The skeleton both named-event dialects share (layer 2b), pure Python: twin of
``rust/dialect.rs`` and the dialect bindings' feed, whose module doc lists the steps; they run
here in the same order, with the same messages.

A dialect gives the ``StreamRules`` (types skipped, types that end the stream) and a ``build``
function: ``build(kind, payload, data)`` makes the event object from the parsed payload dict
(``data``, the payload's bytes or repaired text, is what its ``to_dict()`` parses again), and
raises :class:`InvalidEvent` with the user's message when a hot-path field has the wrong JSON
type.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from orjson import JSONDecodeError, loads

from .._errors import ChunkDecodeError
from .chat import kind
from .sse import DEFAULT_MAX_EVENT_SIZE
from .stream import DONE, FAILED, NEXT, StreamDecoder, api_error

INVALID_JSON = "invalid JSON in event payload"

Build = Callable[[str, dict, Any], Any]


class StreamRules(NamedTuple):
    """What distinguishes one dialect's stream rules (steps 6 and 8 of ``rust/dialect.rs``)."""

    skipped: frozenset[str]
    ends: frozenset[str]


class InvalidEvent(Exception):
    """A hot-path field has the wrong JSON type; ``args[0]`` is the message users see."""


def bad(path: str, expected: str, value: Any) -> InvalidEvent:
    """A dialect's field-check failure (Rust: ``dialect::bad``): "invalid event: <path> must be
    <expected>, not <kind>" (an absent field is null)."""
    return InvalidEvent(f"invalid event: {path} must be {expected}, not {kind(value)}")


class EventDecoder(StreamDecoder):
    """Incremental decoder of a named-event dialect, pure Python (twin of Rust
    ``EventDecoder`` + its binding): the shared stream rules and state (``StreamDecoder``),
    then steps 4 to 8 per event (``payload``)."""

    __slots__ = ("rules", "build")

    def __init__(
        self, max_event_size: int = DEFAULT_MAX_EVENT_SIZE, *, rules: StreamRules, build: Build
    ) -> None:
        super().__init__(max_event_size)
        self.rules = rules
        self.build = build

    def payload(self, event_type: bytes, data: bytes) -> int:
        """Steps 4 to 8 for one event's data."""
        payload: bytes | str = data
        try:
            value = loads(data)
        except JSONDecodeError:
            # Invalid UTF-8 is no JSON error: layer 1 decodes it to U+FFFD first.
            payload = data.decode("utf-8", "replace")
            try:
                value = loads(payload)
            except JSONDecodeError:
                self.error = ChunkDecodeError(INVALID_JSON, data=payload)
                return FAILED
        if type(value) is not dict:
            message = f"event payload must be a JSON object, not {kind(value)}"
            self.error = ChunkDecodeError(message, data=_text(payload))
            return FAILED
        error = value.get("error")
        if error:
            self.error = api_error(error, value, _text(payload))
            return FAILED
        name = value.get("type")
        if type(name) is not str:
            name = event_type.decode("utf-8", "replace") if event_type else "message"
        if name == "error":  # an error sent without an `event: error` line: its own object
            self.error = api_error(value, value, _text(payload))
            return FAILED
        rules = self.rules
        if name in rules.skipped:
            return NEXT
        try:
            self.items.append(self.build(name, value, payload))
        except InvalidEvent as invalid:
            self.error = ChunkDecodeError(invalid.args[0], data=_text(payload))
            return FAILED
        return DONE if name in rules.ends else NEXT


def _text(payload: bytes | str) -> str:
    return payload if type(payload) is str else payload.decode("utf-8", "replace")
