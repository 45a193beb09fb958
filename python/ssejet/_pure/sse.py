"""Lines to events: the field rules and dispatch of the WHATWG "event stream interpretation",
plus the decisions of ``API.md`` where the spec is silent.

Twin of ``rust/sse.rs`` (same names, same order of checks); see there for the reasoning on
``max_event_size``. The Rust ``EventSink`` is ``sink`` here: a callable taking the raw event
fields, returning True to stop the current feed.
"""

from __future__ import annotations

from typing import Callable, Optional

from .._errors import EventTooLargeError
from .._models import ServerSentEvent, make_event
from .calls import OverlapGuard, feed_bytes
from .lines import LineSplitter

DEFAULT_MAX_EVENT_SIZE = 16 * 1024 * 1024

# LineKind: what is known about the line being received, before its end arrives.
PENDING = 0  # too short to tell (a prefix of a known field name, no colon yet)
FIELD = 1  # a known field: its bytes are buffered and counted
IGNORED = 2  # a comment or an unknown field: its bytes are dropped as they arrive

_FIELDS = (b"data", b"event", b"id", b"retry")

# sink(event_type, data, id, retry) -> stop?
Sink = Callable[[bytes, bytes, bytes, Optional[int]], Optional[bool]]


def _may_start(prefix: bytes) -> bool:
    """Whether ``prefix``, not yet followed by a colon, may still become a known field's line."""
    return any(name.startswith(prefix) for name in _FIELDS)


def parse_retry(value: bytes) -> int | None:
    """A ``retry`` value: ASCII digits only (not empty), fitting an unsigned 64-bit integer."""
    # bytes.isdigit() is ASCII-only, unlike str.isdigit(); int() alone would take " 5" or "1_0".
    if not value.isdigit():
        return None
    ms = int(value)
    return ms if ms < 1 << 64 else None


class EventParser:
    """The line and event state of a decoder (twin of Rust ``EventParser``)."""

    __slots__ = (
        "max_event_size", "line", "line_kind", "data", "event_type", "event_retry",
        "event_size", "event_started", "skipping", "skipped_line_has_bytes", "too_large",
        "id_buffer", "last_event_id", "retry", "sink",
    )  # fmt: skip

    def __init__(self, max_event_size: int, sink: Sink) -> None:
        self.max_event_size = max_event_size
        self.line = bytearray()  # the current line while unterminated (never an ignored one)
        self.line_kind = PENDING
        self.data: list[bytes] = []  # data values of the event being built
        self.event_type = b""
        self.event_retry: int | None = None
        self.event_size = 0  # counted bytes of the event being built
        # A known field's complete line (valid or not) was processed since the last blank
        # line: the event being built has begun.
        self.event_started = False
        self.skipping = False  # inside an event that passed max_event_size
        self.skipped_line_has_bytes = False
        self.too_large = False  # some event of the current feed was too large
        self.id_buffer = b""  # the spec's "last event ID buffer"
        self.last_event_id = b""  # its value at the last blank line
        self.retry: int | None = None  # the last valid retry value of the stream
        self.sink = sink

    def pieces(self, lines: list[bytes], rest: bytes) -> bool:
        """Takes a feed's pieces: lines that end, then the unterminated rest. True: stopped."""
        pieces = iter(lines)
        if lines and (self.line or self.line_kind == IGNORED):
            # The first piece ends a line an earlier feed began.
            piece = next(pieces)
            if self.line_kind == IGNORED:
                self.line_kind = PENDING
            else:
                self.line_kind = PENDING
                self.line += piece
                piece = bytes(self.line)
                self.line.clear()
                if self.process_line(piece):
                    return True
        for piece in pieces:
            if self.skipping:
                self.skip_piece(piece, True)
            elif not piece:
                if self.dispatch():
                    return True
            elif piece[:5] == b"data:":
                # process_line's rules for a data line, inline: nearly every line of an LLM
                # stream is one, and a call per line is a third of the framing cost.
                size = self.event_size + len(piece)
                if size > self.max_event_size:
                    self.start_skipping(False)
                else:
                    self.event_size = size
                    self.event_started = True
                    self.data.append(piece[6:] if piece[5:6] == b" " else piece[5:])
            elif self.process_line(piece):
                return True
        if rest:
            if self.skipping:
                self.skip_piece(rest, False)
            elif self.line_kind != IGNORED:
                self.line += rest
                self.classify_partial_line()
        return False

    def classify_partial_line(self) -> None:
        """Learns what the unterminated line is, as soon as that can be told, and counts it
        against the limit once it is known to be a field's."""
        line = self.line
        if self.line_kind == PENDING:
            colon = line.find(b":")
            if line[:1] == b":":
                self.line_kind = IGNORED
            elif colon >= 0 and bytes(line[:colon]) in _FIELDS:
                self.line_kind = FIELD
            elif colon < 0 and _may_start(bytes(line)):
                self.line_kind = PENDING
            else:
                self.line_kind = IGNORED
        if self.line_kind == IGNORED:
            line.clear()
        elif self.line_kind == FIELD and self.event_size + len(line) > self.max_event_size:
            self.start_skipping(True)

    def process_line(self, line: bytes) -> bool:
        """Interprets one complete line (spec: "process the line"). True: the sink stopped."""
        if not line:
            return self.dispatch()
        if line[0] == 0x3A:  # ":" a comment
            return False
        colon = line.find(b":")
        if colon < 0:
            name, value = line, b""  # the whole line is the field name, the value is empty
        else:
            name, value = line[:colon], line[colon + 1 :]
            if value[:1] == b" ":
                value = value[1:]
        if name not in _FIELDS:
            return False  # unknown fields are ignored
        self.event_started = True
        self.event_size += len(line)
        if self.event_size > self.max_event_size:
            self.start_skipping(False)
            return False
        if name == b"data":
            self.data.append(value)
        elif name == b"event":
            self.event_type = value
        elif name == b"id":
            if b"\0" not in value:
                self.id_buffer = value
        else:
            ms = parse_retry(value)
            if ms is not None:
                self.event_retry = ms
                self.retry = ms
        return False

    def dispatch(self) -> bool:
        """A blank line (spec: "dispatch the event"). True: the sink stopped."""
        self.last_event_id = self.id_buffer
        data = self.data
        if not data:  # an empty data buffer dispatches nothing
            self.event_type = b""
            self.event_retry = None
            self.event_size = 0
            self.event_started = False
            return False
        # reset_event(), inline: this runs once per event.
        event_type, retry = self.event_type, self.event_retry
        self.data = []
        self.event_type = b""
        self.event_retry = None
        self.event_size = 0
        self.event_started = False
        payload = data[0] if len(data) == 1 else b"\n".join(data)
        return bool(self.sink(event_type, payload, self.last_event_id, retry))

    def reset_event(self) -> None:
        self.data = []
        self.event_type = b""
        self.event_retry = None
        self.event_size = 0
        self.event_started = False

    def start_skipping(self, mid_line: bool) -> None:
        """The event being built passed the limit: drop it, and skip up to its blank line."""
        self.reset_event()
        self.line.clear()
        self.line_kind = PENDING
        self.skipping = True
        self.skipped_line_has_bytes = mid_line
        self.too_large = True

    def skip_piece(self, piece: bytes, ends_line: bool) -> None:
        """While skipping, only blank lines matter: the first one ends the skipped event. It
        dispatches nothing and leaves last_event_id as it was."""
        if not ends_line:
            self.skipped_line_has_bytes = self.skipped_line_has_bytes or bool(piece)
        elif self.skipped_line_has_bytes or piece:
            self.skipped_line_has_bytes = False
        else:
            self.skipping = False

    def close(self) -> None:
        """Ends the stream; keeps last_event_id and retry, as a reconnection does."""
        self.line.clear()
        self.line_kind = PENDING
        self.reset_event()
        self.skipping = False
        self.skipped_line_has_bytes = False
        self.too_large = False
        self.id_buffer = self.last_event_id


def too_large_message(limit: int) -> str:
    return f"event exceeds max_event_size={limit} bytes"


class SseDecoder:
    """Incremental, sans-IO SSE decoder (twin of Rust ``SseDecoder``): ``feed`` bytes, ``sink``
    receives the events; ``close`` at the end of a stream."""

    __slots__ = ("lines", "parser")

    def __init__(self, max_event_size: int, sink: Sink) -> None:
        self.lines = LineSplitter()
        self.parser = EventParser(max_event_size, sink)

    def feed(self, data: bytes) -> bool:
        """Decodes ``data``, handing each event to the sink, and stops early if the sink says
        so. Returns whether an event was too large (Rust: ``Err(EventTooLarge)``): all of
        ``data`` is processed even then, and every good event has reached the sink."""
        parser = self.parser
        parser.pieces(*self.lines.feed(data))
        if parser.too_large:
            parser.too_large = False
            return True
        return False

    def close(self) -> None:
        """Ends the stream: an unterminated event is discarded (as the spec says); keeps
        ``last_event_id`` and ``retry``, as a reconnection does."""
        self.lines.reset()
        self.parser.close()

    def incomplete(self) -> bool:
        """Whether bytes of an unfinished event are buffered, so that a stream ending now would
        be truncated: the event being skipped as too large, or a known field's complete line
        since the last blank line, or an unterminated line that is (or, ended now, would be) a
        known field's (``data``, ``event``, ``id``, ``retry``; a bare field name counts).
        Comments, unknown fields, a held-back BOM and a lone CR ending the input never count."""
        p = self.parser
        if p.skipping or p.event_started:
            return True
        if p.line_kind == FIELD:
            return True
        if p.line_kind == PENDING:
            return bytes(p.line) in _FIELDS
        return False

    def pending_event(self) -> tuple[bytes, bytes] | None:
        """The event a blank line would dispatch now, the unterminated line ended first:
        ``(event type, data)``, or None when it would dispatch nothing (or the event is being
        skipped). ``close`` uses it to honour a ``[DONE]`` cut off before its blank line."""
        p = self.parser
        if p.skipping:
            return None
        event_type = p.event_type
        data = list(p.data)
        # The partial line is a known field's, a prefix of a name, or empty (never ignored
        # bytes): the line rules settle which.
        line = bytes(p.line)
        colon = line.find(b":")
        if colon < 0:
            name, value = line, b""
        else:
            name, value = line[:colon], line[colon + 1 :]
            if value[:1] == b" ":
                value = value[1:]
        if name == b"data":
            data.append(value)
        elif name == b"event":
            event_type = value
        if not data:  # an empty data buffer dispatches nothing
            return None
        return event_type, b"\n".join(data)

    @property
    def max_event_size(self) -> int:
        return self.parser.max_event_size


class SSEDecoder:
    """Incremental SSE decoder, pure Python (twin of the Rust binding's ``SSEDecoder``)."""

    __slots__ = ("sse", "events", "guard")

    def __init__(self, max_event_size: int = DEFAULT_MAX_EVENT_SIZE) -> None:
        self.sse = SseDecoder(max_event_size, self._event)
        self.events: list[ServerSentEvent] = []
        self.guard = OverlapGuard()

    def _event(self, event_type: bytes, data: bytes, id: bytes, retry: int | None) -> None:
        self.events.append(
            make_event(
                event_type.decode("utf-8", "replace") if event_type else "message",
                data.decode("utf-8", "replace"),
                id.decode("utf-8", "replace"),
                retry,
            )
        )

    def feed(self, data: bytes | bytearray | memoryview) -> list[ServerSentEvent]:
        with self.guard:
            too_large = self.sse.feed(feed_bytes(data))
            events, self.events = self.events, []
            if too_large:
                limit = self.sse.max_event_size
                raise EventTooLargeError(too_large_message(limit), limit=limit, events=events)
            return events

    def close(self) -> list[ServerSentEvent]:
        with self.guard:
            self.sse.close()
            return []

    @property
    def last_event_id(self) -> str:
        return self.sse.parser.last_event_id.decode("utf-8", "replace")

    @property
    def retry(self) -> int | None:
        return self.sse.parser.retry

    @property
    def incomplete(self) -> bool:
        return self.sse.incomplete()

    @property
    def max_event_size(self) -> int:
        return self.sse.max_event_size
