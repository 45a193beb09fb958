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

from .._errors import ChunkDecodeError, EventTooLargeError
from .calls import OverlapGuard, feed_bytes
from .chat import ASCII_WHITESPACE, api_error, error_event, kind
from .sse import DEFAULT_MAX_EVENT_SIZE, SseDecoder, too_large_message

INVALID_JSON = "invalid JSON in event payload"

Build = Callable[[str, dict, Any], Any]


class StreamRules(NamedTuple):
    """What distinguishes one dialect's stream rules (steps 6 and 8 of ``rust/dialect.rs``)."""

    skipped: frozenset[str]
    ends: frozenset[str]


class InvalidEvent(Exception):
    """A hot-path field has the wrong JSON type; ``args[0]`` is the message users see."""


class EventDecoder:
    """Incremental decoder of a named-event dialect, pure Python (twin of Rust
    ``EventDecoder`` + its binding): SSE framing (``SseDecoder``), then the steps per event.

    Stream state as in the chat decoder: ``done``, ``ended`` (input ignored until
    ``close()``), ``new_stream`` (the next non-empty feed resets ``done``).
    """

    __slots__ = ("sse", "rules", "build", "events", "error", "done", "ended", "new_stream",
                 "guard")  # fmt: skip

    def __init__(
        self, max_event_size: int = DEFAULT_MAX_EVENT_SIZE, *, rules: StreamRules, build: Build
    ) -> None:
        self.sse = SseDecoder(max_event_size, self._event)
        self.rules = rules
        self.build = build
        self.events: list[Any] = []
        self.error: Exception | None = None  # the terminal error met by the current feed
        self.done = False
        self.ended = False
        self.new_stream = False
        self.guard = OverlapGuard()

    def _event(self, event_type: bytes, data: bytes, id: bytes, retry: int | None) -> bool:
        """The framing layer's sink (the steps, in order): True ends the stream."""
        if event_type == b"error":
            self.error = error_event(data)
        elif not data:
            return False
        elif data[0] != 0x7B and data.strip(ASCII_WHITESPACE) == b"[DONE]":  # 0x7B: "{"
            self.done = True
        else:
            ended = self._payload(event_type, data)
            if not ended:
                return False
        self.ended = True
        return True

    def _payload(self, event_type: bytes, data: bytes) -> bool:
        """Steps 4 to 8 for one event's data: True ends the stream."""
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
                return True
        if type(value) is not dict:
            message = f"event payload must be a JSON object, not {kind(value)}"
            self.error = ChunkDecodeError(message, data=_text(payload))
            return True
        error = value.get("error")
        if error:
            self.error = api_error(error, value, _text(payload))
            return True
        name = value.get("type")
        if type(name) is not str:
            name = event_type.decode("utf-8", "replace") if event_type else "message"
        rules = self.rules
        if name in rules.skipped:
            return False
        try:
            self.events.append(self.build(name, value, payload))
        except InvalidEvent as invalid:
            self.error = ChunkDecodeError(invalid.args[0], data=_text(payload))
            return True
        if name in rules.ends:
            self.done = True
            return True
        return False

    def feed(self, data: bytes | bytearray | memoryview) -> list[Any]:
        with self.guard:
            return self._feed(feed_bytes(data))

    def _feed(self, data: bytes) -> list[Any]:
        if self.ended or not data:
            return []
        if self.new_stream:
            self.new_stream = False
            self.done = False
        too_large = self.sse.feed(data)
        events, self.events = self.events, []
        error = self.error
        if error is not None:
            # A terminal error wins over an oversize event of the same feed.
            self.error = None
            error.events = events  # type: ignore[attr-defined]
            raise error
        if too_large:
            limit = self.sse.max_event_size
            raise EventTooLargeError(too_large_message(limit), limit=limit, events=events)
        return events

    def close(self) -> list[Any]:
        """Ends the stream (an unterminated event is discarded; a ``[DONE]`` cut off before
        its blank line counts); ``done`` keeps its value until the next non-empty ``feed()``."""
        with self.guard:
            if not self.ended:
                pending = self.sse.pending_event()
                if pending is not None:
                    event_type, data = pending
                    if event_type != b"error" and data.strip(ASCII_WHITESPACE) == b"[DONE]":
                        self.done = True
            self.sse.close()
            self.ended = False
            self.new_stream = True
            return []

    @property
    def incomplete(self) -> bool:
        return not self.ended and self.sse.incomplete()

    @property
    def max_event_size(self) -> int:
        return self.sse.max_event_size


def _text(payload: bytes | str) -> str:
    return payload if type(payload) is str else payload.decode("utf-8", "replace")
