//! Lines to events: the field rules and dispatch of the WHATWG "event stream interpretation",
//! plus the decisions of `API.md` where the spec is silent.
//!
//! Python twin: `python/ssejet/_pure/sse.py` (same names, same order of checks).
//!
//! Memory is bounded by `max_event_size`. The bytes counted are those of the lines of known
//! fields (`data`, `event`, `id`, `retry`: the raw line, terminator excluded) since the last
//! blank line, and they count as they arrive: an unterminated line is counted while it grows,
//! so a stream with no line end cannot grow memory. Comments and unknown fields never count:
//! their bytes are dropped as they arrive. Whether a partial line is a known field is settled
//! by its first six bytes at most (`retry:` is the longest prefix that can still be one).

use std::ops::ControlFlow;

use memchr::memchr;

use crate::error::Error;
use crate::lines::LineSplitter;

/// The most capacity the partial-line buffer keeps between lines (it grows as a long line
/// needs, up to `max_event_size`, then gives the memory back).
const KEPT_LINE_CAPACITY: usize = 64 * 1024;

/// The default `max_event_size`: 16 MiB.
pub const DEFAULT_MAX_EVENT_SIZE: usize = 16 * 1024 * 1024;

/// A dispatched event, borrowed from the decoder's buffers. The text fields are raw bytes, to
/// be decoded as UTF-8 with U+FFFD replacement (the Python layer does that in one pass while
/// creating the `str`; [`EventRef::to_owned`] does it in Rust).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRef<'a> {
    /// The event type; empty means `"message"`.
    pub event: &'a [u8],
    /// The data lines joined with LF.
    pub data: &'a [u8],
    /// The last event ID in effect at dispatch.
    pub id: &'a [u8],
    /// The reconnection time this event's `retry` field set, if any.
    pub retry: Option<u64>,
}

/// An owned, decoded event: what the Python `ServerSentEvent` holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Event {
    /// The event type, `"message"` when the stream gave none.
    pub event: String,
    /// The data lines joined with `"\n"`.
    pub data: String,
    /// The last event ID in effect at dispatch (`""` if never set).
    pub id: String,
    /// The reconnection time from this event's `retry` field.
    pub retry: Option<u64>,
}

impl EventRef<'_> {
    /// Decodes the fields (UTF-8 with replacement) into an owned [`Event`].
    pub fn to_owned(&self) -> Event {
        let event = if self.event.is_empty() {
            "message".to_owned()
        } else {
            String::from_utf8_lossy(self.event).into_owned()
        };
        Event {
            event,
            data: String::from_utf8_lossy(self.data).into_owned(),
            id: String::from_utf8_lossy(self.id).into_owned(),
            retry: self.retry,
        }
    }
}

/// Receives the events a decoder dispatches. Returning `Break` stops the current `feed`.
pub trait EventSink {
    /// Called once per dispatched event, in stream order.
    fn event(&mut self, event: EventRef<'_>) -> ControlFlow<()>;
}

impl EventSink for Vec<Event> {
    fn event(&mut self, event: EventRef<'_>) -> ControlFlow<()> {
        self.push(event.to_owned());
        ControlFlow::Continue(())
    }
}

/// What is known about the line being received, before its end arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    /// Too short to tell (a prefix of a known field name, no colon yet).
    Pending,
    /// A known field: its bytes are buffered and counted.
    Field,
    /// A comment or an unknown field: its bytes are dropped as they arrive.
    Ignored,
}

/// The field a complete line sets.
#[derive(Debug, Clone, Copy)]
enum Field {
    Data,
    Event,
    Id,
    Retry,
}

impl Field {
    fn from_name(name: &[u8]) -> Option<Self> {
        match name {
            b"data" => Some(Field::Data),
            b"event" => Some(Field::Event),
            b"id" => Some(Field::Id),
            b"retry" => Some(Field::Retry),
            _ => None,
        }
    }

    /// Whether `prefix`, not yet followed by a colon, may still become a known field's line.
    fn may_start(prefix: &[u8]) -> bool {
        [&b"data"[..], b"event", b"id", b"retry"]
            .iter()
            .any(|name| name.starts_with(prefix))
    }
}

/// Incremental, sans-IO SSE decoder: `feed` bytes, receive events; `close` at end of stream.
#[derive(Debug, Clone)]
pub struct SseDecoder {
    lines: LineSplitter,
    parser: EventParser,
}

/// The line and event state of [`SseDecoder`], apart from the line splitter so that the
/// splitter's callback can borrow it.
#[derive(Debug, Clone)]
struct EventParser {
    max_event_size: usize,
    /// The current line while it is unterminated (never holds an ignored line's bytes).
    line: Vec<u8>,
    line_kind: LineKind,
    /// The event being built.
    data: Vec<u8>,
    event_type: Vec<u8>,
    event_retry: Option<u64>,
    /// Counted bytes of the event being built (see the module docs).
    event_size: usize,
    /// A known field's complete line (`data`, `event`, `id`, `retry`, valid or not) was
    /// processed since the last blank line: the event being built has begun.
    event_started: bool,
    /// Inside an event that passed `max_event_size`: every line up to its blank line is skipped.
    skipping: bool,
    /// While skipping: the current line has bytes, so its end is not a blank line.
    skipped_line_has_bytes: bool,
    /// Some event of the current `feed` was too large.
    too_large: bool,
    /// The spec's "last event ID buffer", set by `id` lines.
    id_buffer: Vec<u8>,
    /// The buffer's value at the last blank line.
    last_event_id: Vec<u8>,
    /// The last valid `retry` value of the stream.
    retry: Option<u64>,
}

impl Default for SseDecoder {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_EVENT_SIZE)
    }
}

impl SseDecoder {
    /// A decoder at the start of a stream, skipping events larger than `max_event_size` bytes.
    pub fn new(max_event_size: usize) -> Self {
        Self {
            lines: LineSplitter::new(),
            parser: EventParser {
                max_event_size,
                line: Vec::new(),
                line_kind: LineKind::Pending,
                data: Vec::new(),
                event_type: Vec::new(),
                event_retry: None,
                event_size: 0,
                event_started: false,
                skipping: false,
                skipped_line_has_bytes: false,
                too_large: false,
                id_buffer: Vec::new(),
                last_event_id: Vec::new(),
                retry: None,
            },
        }
    }

    /// Decodes `input`, handing each event to `sink`, and stops early if `sink` says so.
    ///
    /// All of `input` is processed even when an event is too large; the error is returned
    /// afterwards, and every good event of the call has reached `sink` by then.
    pub fn feed<S: EventSink + ?Sized>(&mut self, input: &[u8], sink: &mut S) -> Result<(), Error> {
        let parser = &mut self.parser;
        let _ = self.lines.feed(input, |bytes, ends_line| {
            parser.piece(bytes, ends_line, sink)
        });
        if std::mem::take(&mut parser.too_large) {
            return Err(Error::EventTooLarge {
                limit: parser.max_event_size,
            });
        }
        Ok(())
    }

    /// Ends the stream: an unterminated event is discarded (as the spec says), and the decoder
    /// is ready for a new stream, keeping `last_event_id` and `retry` as a reconnection does.
    pub fn close(&mut self) {
        self.lines.reset();
        let p = &mut self.parser;
        p.line.clear();
        p.line_kind = LineKind::Pending;
        p.reset_event();
        p.skipping = false;
        p.skipped_line_has_bytes = false;
        p.too_large = false;
        p.id_buffer.clone_from(&p.last_event_id);
    }

    /// Whether bytes of an unfinished event are buffered, so that a stream ending now would
    /// be truncated: the event being skipped as too large, or a known field's complete line
    /// since the last blank line, or an unterminated line that is (or, ended now, would be) a
    /// known field's (`data`, `event`, `id`, `retry`; a bare field name counts). Comments,
    /// unknown fields, a held-back BOM and a lone CR ending the input never count.
    pub fn incomplete(&self) -> bool {
        let p = &self.parser;
        if p.skipping || p.event_started {
            return true;
        }
        match p.line_kind {
            LineKind::Field => true,
            LineKind::Pending => Field::from_name(&p.line).is_some(),
            LineKind::Ignored => false,
        }
    }

    /// The event a blank line would dispatch now, the unterminated line ended first:
    /// `(event type, data)`, or `None` when it would dispatch nothing (or the event is being
    /// skipped). `close` uses it to honour a `[DONE]` cut off before its blank line.
    pub fn pending_event(&self) -> Option<(Vec<u8>, Vec<u8>)> {
        let p = &self.parser;
        if p.skipping {
            return None;
        }
        let mut event_type = p.event_type.clone();
        let mut data = p.data.clone();
        // The partial line is a known field's, a prefix of a name, or empty (never ignored
        // bytes): the line rules settle which.
        let line = &p.line[..];
        let (name, value) = match memchr(b':', line) {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        match Field::from_name(name) {
            Some(Field::Data) => {
                data.extend_from_slice(value);
                data.push(b'\n');
            }
            Some(Field::Event) => {
                event_type.clear();
                event_type.extend_from_slice(value);
            }
            _ => {}
        }
        data.pop()?; // the data buffer's final LF; an empty buffer dispatches nothing
        Some((event_type, data))
    }

    /// The last event ID buffer's value at the last blank line.
    pub fn last_event_id(&self) -> &[u8] {
        &self.parser.last_event_id
    }

    /// The last valid `retry` value seen.
    pub fn retry(&self) -> Option<u64> {
        self.parser.retry
    }

    /// The limit this decoder was made with.
    pub fn max_event_size(&self) -> usize {
        self.parser.max_event_size
    }
}

impl EventParser {
    /// Takes one piece of a line from the splitter.
    fn piece<S: EventSink + ?Sized>(
        &mut self,
        bytes: &[u8],
        ends_line: bool,
        sink: &mut S,
    ) -> ControlFlow<()> {
        if self.skipping {
            self.skip_piece(bytes, ends_line);
            return ControlFlow::Continue(());
        }
        if self.line_kind == LineKind::Ignored {
            if ends_line {
                self.line_kind = LineKind::Pending;
            }
            return ControlFlow::Continue(());
        }
        if !ends_line {
            self.partial_piece(bytes);
            return ControlFlow::Continue(());
        }
        if self.line.is_empty() {
            self.line_kind = LineKind::Pending;
            // The common case: the whole line is in this feed, parse it where it lies.
            return self.line(bytes, sink);
        }
        // The line began in an earlier feed. Settle what it is, and count it, before joining
        // it: the rest of a line that is ignored or too large is never copied.
        let kind = self.kind_with(bytes, true);
        self.line_kind = LineKind::Pending;
        if kind == LineKind::Field && self.passes_limit(bytes) {
            self.start_skipping(false);
        }
        if kind == LineKind::Ignored || self.skipping {
            self.release_line();
            return ControlFlow::Continue(());
        }
        let mut line = std::mem::take(&mut self.line);
        line.extend_from_slice(bytes);
        let flow = self.line(&line, sink);
        self.line = line;
        self.release_line();
        flow
    }

    /// Takes a piece that does not end its line: buffered when the line is (or may still be)
    /// a known field's and stays within the limit, dropped otherwise, without copying it first.
    fn partial_piece(&mut self, bytes: &[u8]) {
        self.line_kind = self.kind_with(bytes, false);
        match self.line_kind {
            LineKind::Ignored => self.release_line(),
            LineKind::Field if self.passes_limit(bytes) => self.start_skipping(true),
            _ => self.line.extend_from_slice(bytes),
        }
    }

    /// Whether the line buffered so far plus `rest`, as a known field's line, takes the event
    /// past `max_event_size`.
    fn passes_limit(&self, rest: &[u8]) -> bool {
        let len = self.line.len().saturating_add(rest.len());
        self.event_size.saturating_add(len) > self.max_event_size
    }

    /// What the line made of `self.line` and `rest` is, judged from its head: `self.line` is a
    /// known field's start, or (pending) at most the five bytes of a field name's prefix, so
    /// six more bytes settle it.
    fn kind_with(&self, rest: &[u8], ends_line: bool) -> LineKind {
        if self.line_kind == LineKind::Field {
            return LineKind::Field;
        }
        // Pending means no colon yet and at most five bytes (the longest name), so the head
        // fits on the stack.
        let line = &self.line[..self.line.len().min(5)];
        let more = &rest[..rest.len().min(6)];
        let mut buf = [0u8; 11];
        buf[..line.len()].copy_from_slice(line);
        buf[line.len()..line.len() + more.len()].copy_from_slice(more);
        let head = &buf[..line.len() + more.len()];
        let whole = head.len() == self.line.len() + rest.len();
        match memchr(b':', head) {
            _ if head.first() == Some(&b':') => LineKind::Ignored,
            Some(colon) if Field::from_name(&head[..colon]).is_some() => LineKind::Field,
            // No colon: a complete line is all field name; a partial one may still become one.
            None if ends_line && whole && Field::from_name(head).is_some() => LineKind::Field,
            None if !ends_line && Field::may_start(head) => LineKind::Pending,
            _ => LineKind::Ignored,
        }
    }

    /// Empties the partial-line buffer, keeping at most a modest allocation.
    fn release_line(&mut self) {
        self.line.clear();
        self.line.shrink_to(KEPT_LINE_CAPACITY);
    }

    /// Interprets one complete line (spec: "process the line").
    fn line<S: EventSink + ?Sized>(&mut self, line: &[u8], sink: &mut S) -> ControlFlow<()> {
        if line.is_empty() {
            return self.dispatch(sink);
        }
        if line[0] == b':' {
            return ControlFlow::Continue(()); // a comment
        }
        let (name, value) = match memchr(b':', line) {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]), // the whole line is the field name, the value is empty
        };
        let Some(field) = Field::from_name(name) else {
            return ControlFlow::Continue(()); // unknown fields are ignored
        };
        self.event_started = true;
        self.event_size = self.event_size.saturating_add(line.len());
        if self.event_size > self.max_event_size {
            self.start_skipping(false);
            return ControlFlow::Continue(());
        }
        match field {
            Field::Data => {
                self.data.extend_from_slice(value);
                self.data.push(b'\n');
            }
            Field::Event => {
                self.event_type.clear();
                self.event_type.extend_from_slice(value);
            }
            Field::Id => {
                if memchr(0, value).is_none() {
                    self.id_buffer.clear();
                    self.id_buffer.extend_from_slice(value);
                }
            }
            Field::Retry => {
                if let Some(ms) = parse_retry(value) {
                    self.event_retry = Some(ms);
                    self.retry = Some(ms);
                }
            }
        }
        ControlFlow::Continue(())
    }

    /// A blank line (spec: "dispatch the event").
    fn dispatch<S: EventSink + ?Sized>(&mut self, sink: &mut S) -> ControlFlow<()> {
        self.last_event_id.clone_from(&self.id_buffer);
        let flow = match self.data.split_last() {
            None => ControlFlow::Continue(()), // an empty data buffer dispatches nothing
            Some((_, data)) => sink.event(EventRef {
                event: &self.event_type,
                data, // without the data buffer's final LF
                id: &self.last_event_id,
                retry: self.event_retry,
            }),
        };
        self.reset_event();
        flow
    }

    fn reset_event(&mut self) {
        self.data.clear();
        self.event_type.clear();
        self.event_retry = None;
        self.event_size = 0;
        self.event_started = false;
    }

    /// The event being built passed the limit: drop it, and skip up to its blank line.
    fn start_skipping(&mut self, mid_line: bool) {
        self.reset_event();
        self.line.clear();
        self.line_kind = LineKind::Pending;
        self.skipping = true;
        self.skipped_line_has_bytes = mid_line;
        self.too_large = true;
    }

    /// While skipping, only blank lines matter: the first one ends the skipped event. It
    /// dispatches nothing and leaves `last_event_id` as it was.
    fn skip_piece(&mut self, bytes: &[u8], ends_line: bool) {
        if !ends_line {
            self.skipped_line_has_bytes |= !bytes.is_empty();
        } else if self.skipped_line_has_bytes || !bytes.is_empty() {
            self.skipped_line_has_bytes = false;
        } else {
            self.skipping = false;
        }
    }
}

/// A `retry` value: ASCII digits only (not empty), fitting an unsigned 64-bit integer.
fn parse_retry(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    value.iter().try_fold(0u64, |acc, &digit| {
        acc.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
    })
}

#[cfg(test)]
mod tests;
