"""What every decoder whose stream ends by its own rules shares, pure Python: twin of
``rust/stream.rs`` (whose module doc lists the steps) and of the bindings' feed. Chat chunks
(``chat.ChunkDecoder``) and the named-event dialects (``dialect.EventDecoder``) subclass
:class:`StreamDecoder`.

Per dispatched event, before the decoder's own rules: 1. an ``error`` event raises
``StreamAPIError``; 2. empty data is skipped; 3. ``[DONE]`` ends the stream (``done``). The
rest goes to ``payload``, which returns ``NEXT``, ``DONE`` or ``FAILED`` (having set
``self.error``). ``ChunkDecoder`` inlines these steps in its own ``_event`` (its hot path:
one call less per chunk); the state, ``feed``, ``close`` and ``incomplete`` are this class's.
"""

from __future__ import annotations

from typing import Any

from orjson import JSONDecodeError, loads

from .._errors import EventTooLargeError, StreamAPIError
from .calls import OverlapGuard, feed_bytes
from .sse import DEFAULT_MAX_EVENT_SIZE, SseDecoder, too_large_message

NEXT, DONE, FAILED = 0, 1, 2  # what ``payload`` made of an event (Rust: ``Flow``)
ASCII_WHITESPACE = b" \t\n\x0c\r"  # the WHATWG set, stripped around [DONE]: no vertical tab


def error_event(data: bytes) -> StreamAPIError:
    """The exception an event named ``error`` raises."""
    text = data.decode("utf-8", "replace")
    try:
        value = loads(text)
    except JSONDecodeError:
        return StreamAPIError(text, body=text)
    error = value
    if type(value) is dict:
        inner = value.get("error")
        if inner:
            error = inner
    return api_error(error, value, text)


def api_error(error: Any, body: Any, text: str) -> StreamAPIError:
    """A ``StreamAPIError`` from the provider's error value (see "Error payloads" above)."""
    message = code = type_ = None
    if type(error) is dict:
        value = error.get("message")
        if type(value) is str and value:
            message = value
        value = error.get("code")
        if type(value) is str or type(value) is int:
            code = value
        value = error.get("type")
        if type(value) is str:
            type_ = value
    elif type(error) is str and error:
        message = error
    return StreamAPIError(text if message is None else message, code=code, type=type_, body=body)


class StreamDecoder:
    """SSE framing plus the shared stream rules and state (twin of Rust ``StreamDecoder``).

    State: ``done`` (the stream's end was seen), ``ended`` (done or a terminal error: input
    ignored until ``close()``), ``new_stream`` (``close()`` was called: the next non-empty
    feed resets ``done``), ``items`` (what the current feed made), ``error`` (the terminal
    error the current feed met). ``carried`` names the attribute errors carry ``items`` in.
    """

    __slots__ = ("sse", "items", "error", "done", "ended", "new_stream", "guard")
    carried = "events"

    def __init__(self, max_event_size: int = DEFAULT_MAX_EVENT_SIZE) -> None:
        self.sse = SseDecoder(max_event_size, self._event)
        self.items: list[Any] = []
        self.error: Exception | None = None
        self.done = False
        self.ended = False
        self.new_stream = False
        self.guard = OverlapGuard()

    def _event(self, event_type: bytes, data: bytes, id: bytes, retry: int | None) -> bool:
        """The framing layer's sink: steps 1 to 3, then ``payload``. True ends the stream."""
        if event_type == b"error":
            self.error = error_event(data)
            flow = FAILED
        elif not data:
            return False
        elif data[0] != 0x7B and data.strip(ASCII_WHITESPACE) == b"[DONE]":  # 0x7B: "{"
            flow = DONE
        else:
            flow = self.payload(event_type, data)
            if flow == NEXT:
                return False
        if flow == DONE:
            self.done = True
        self.ended = True
        return True

    def payload(self, event_type: bytes, data: bytes) -> int:
        """The decoder's own rules for an event steps 1 to 3 leave: NEXT, DONE or FAILED."""
        raise NotImplementedError

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
        items, self.items = self.items, []
        error = self.error
        if error is not None:
            # A terminal error wins over an oversize event of the same feed.
            self.error = None
            setattr(error, self.carried, items)
            raise error
        if too_large:
            limit = self.sse.max_event_size
            raise EventTooLargeError(too_large_message(limit), limit=limit, **{self.carried: items})
        return items

    def close(self) -> list[Any]:
        """Ends the stream (an unterminated event is discarded); ``done`` keeps its value
        until the next non-empty ``feed()`` starts a new stream. A ``[DONE]`` cut off before
        its blank line counts."""
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
        """A stream ending now would be truncated: the framing layer holds an unfinished event
        and the stream has not ended."""
        return not self.ended and self.sse.incomplete()

    @property
    def max_event_size(self) -> int:
        return self.sse.max_event_size
