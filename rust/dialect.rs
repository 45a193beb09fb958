//! The skeleton both named-event dialects share (layer 2b): Anthropic Messages
//! ([`crate::anthropic`]) and OpenAI Responses ([`crate::responses`]) stream JSON payloads
//! whose `type` names the event; each dialect only says which types it skips, which end the
//! stream, and how its hot-path events are checked and built.
//!
//! Python twin: `python/ssejet/_pure/dialect.py`, same steps in the same order:
//!
//! 1. to 3. The rules every self-ending stream shares ([`crate::stream`]): an `error` event
//!    raises `StreamAPIError`; empty data is skipped; `[DONE]` ends the stream.
//! 4. Otherwise the data is the payload, parsed with orjson's semantics (invalid UTF-8 is
//!    repaired to U+FFFD first, as layer 1 does): not JSON raises `ChunkDecodeError(
//!    "invalid JSON in event payload")`; a value that is not an object raises
//!    `ChunkDecodeError("event payload must be a JSON object, not <kind>")`.
//! 5. A truthy top-level `error` raises `StreamAPIError` from it.
//! 6. The event's type is the payload's `type` when it is a string, else the SSE event name.
//!    The type `error` raises `StreamAPIError` with the payload as its own error object (an
//!    error sent without an `event: error` line). A type the dialect skips (Anthropic's
//!    `ping`) gives nothing.
//! 7. The dialect reads the event ([`DialectSink::event`]): a hot-path field of the wrong
//!    JSON type raises `ChunkDecodeError` with the dialect's message; any other type, known or
//!    new, is a record, never an error.
//! 8. A type that ends the stream (`message_stop`; `response.completed` ...) sets `done`
//!    after its event is delivered.
//!
//! A raised error ends the stream as `done` does (later input is ignored until `close()`),
//! carrying the events its call completed, as in layer 2.

use std::borrow::Cow;

use crate::chat::Invalid;
use crate::error::Error;
use crate::json::{Kind, Tape, Value};
use crate::sse::EventRef;
use crate::stream::{api_error, ApiError, Flow, StreamDecoder, StreamSink};

/// `ChunkDecodeError`'s message for a payload that is not JSON.
pub const INVALID_JSON: &str = "invalid JSON in event payload";

/// The expected JSON kinds of hot-path fields, as messages name them.
pub const OBJECT: &str = "an object";
/// See [`OBJECT`].
pub const OBJECT_OR_NULL: &str = "an object or null";
/// See [`OBJECT`].
pub const STRING: &str = "a string";
/// See [`OBJECT`].
pub const STRING_OR_NULL: &str = "a string or null";
/// See [`OBJECT`].
pub const INTEGER: &str = "an integer";
/// See [`OBJECT`].
pub const INTEGER_OR_NULL: &str = "an integer or null";

/// A dialect's field-check failure: "invalid event: <path> must be <expected>, not <kind>"
/// (an absent field is `null`).
pub fn bad(path: &str, expected: &str, found: Option<Value<'_>>) -> Invalid {
    let kind = found.map_or("null", |v| v.kind().name());
    Invalid(format!(
        "invalid event: {path} must be {expected}, not {kind}"
    ))
}

/// `found` when it is of `kind`; absent or null is an error.
pub fn required<'t>(
    found: Option<Value<'t>>,
    kind: Kind,
    path: &str,
    expected: &str,
) -> Result<Value<'t>, Invalid> {
    match found {
        Some(v) if v.kind() == kind => Ok(v),
        other => Err(bad(path, expected, other)),
    }
}

/// `found` when it is of `kind`, None when absent or null.
pub fn optional<'t>(
    found: Option<Value<'t>>,
    kind: Kind,
    path: &str,
    expected: &str,
) -> Result<Option<Value<'t>>, Invalid> {
    match found.filter(|v| !v.is_null()) {
        None => Ok(None),
        Some(v) if v.kind() == kind => Ok(Some(v)),
        other => Err(bad(path, expected, other)),
    }
}

/// What distinguishes one dialect's stream rules (steps 6 and 8 above).
#[derive(Debug)]
pub struct StreamRules {
    /// Event types that give nothing.
    pub skipped: &'static [&'static str],
    /// Event types after which the stream is over.
    pub ends: &'static [&'static str],
}

/// Why an event gave nothing (step 7).
#[derive(Debug)]
pub enum EventError<E> {
    /// A hot-path field has the wrong JSON type; the message is the one users see.
    Invalid(Invalid),
    /// Building failed.
    Build(E),
}

impl<E> From<Invalid> for EventError<E> {
    fn from(invalid: Invalid) -> Self {
        EventError::Invalid(invalid)
    }
}

/// Receives what an [`EventDecoder`] makes of each event.
pub trait DialectSink {
    /// What building an object can fail with (in Python: a MemoryError and the like).
    type Error;
    /// The payload about to be read (the data, or its U+FFFD-repaired text).
    fn payload(&mut self, _payload: &[u8]) {}
    /// The event of type `kind` whose payload is `root`: checked, built and delivered, in
    /// stream order.
    fn event(&mut self, kind: &str, root: Value<'_>) -> Result<(), EventError<Self::Error>>;
    /// A `StreamAPIError`; the stream ends.
    fn api_error(&mut self, error: ApiError<'_>, data: &str);
    /// A `ChunkDecodeError` with this message; the stream ends.
    fn invalid(&mut self, message: &str, data: &str);
    /// Building failed; the stream ends.
    fn failed(&mut self, error: Self::Error);
}

/// Incremental decoder of a named-event dialect: the shared stream rules ([`StreamDecoder`]:
/// steps 1 to 3 and the stream's state), then steps 4 to 8 per event.
#[derive(Debug, Clone)]
pub struct EventDecoder {
    stream: StreamDecoder,
    rules: &'static StreamRules,
}

impl EventDecoder {
    /// A decoder at the start of a stream, for the dialect whose rules are `rules`.
    pub fn new(max_event_size: usize, rules: &'static StreamRules) -> Self {
        Self {
            stream: StreamDecoder::new(max_event_size),
            rules,
        }
    }

    /// Decodes `input`, handing events and the terminal error (if any) to `sink`. Returns the
    /// framing layer's oversize error, which the caller reports only when `sink` saw no
    /// terminal error (that one wins, as it ends the stream).
    pub fn feed<S: DialectSink>(&mut self, input: &[u8], sink: &mut S) -> Result<(), Error> {
        let rules = self.rules;
        self.stream.feed(input, &mut Steps { rules, sink })
    }

    /// Ends the stream (an unterminated event is discarded; a `[DONE]` cut off before its
    /// blank line counts); `done` keeps its value until the next non-empty `feed` starts a
    /// new stream.
    pub fn close(&mut self) {
        self.stream.close();
    }

    /// Whether the stream's end was seen.
    pub fn done(&self) -> bool {
        self.stream.done()
    }

    /// Whether a stream ending now would be truncated (see [`StreamDecoder::incomplete`]).
    pub fn incomplete(&self) -> bool {
        self.stream.incomplete()
    }

    /// The limit this decoder was made with.
    pub fn max_event_size(&self) -> usize {
        self.stream.max_event_size()
    }
}

/// Steps 4 to 8, after the shared ones.
struct Steps<'a, S> {
    rules: &'static StreamRules,
    sink: &'a mut S,
}

impl<S: DialectSink> StreamSink for Steps<'_, S> {
    fn error_event(&mut self, error: ApiError<'_>, data: &str) {
        self.sink.api_error(error, data);
    }

    fn payload(&mut self, tape: &mut Tape, event: EventRef<'_>) -> Flow {
        read_event(tape, self.rules, event, self.sink)
    }
}

/// Steps 4 to 8 for one event's data.
fn read_event<S: DialectSink>(
    tape: &mut Tape,
    rules: &StreamRules,
    event: EventRef<'_>,
    sink: &mut S,
) -> Flow {
    let data = event.data;
    let text = || String::from_utf8_lossy(data);
    let lossy;
    let root = match tape.parse_bytes(data) {
        Ok(root) => {
            sink.payload(data);
            root
        }
        Err(_) => {
            lossy = text();
            let reparsed = match lossy {
                Cow::Owned(ref fixed) => tape.parse(fixed).ok(),
                Cow::Borrowed(_) => None, // valid UTF-8, so the JSON itself is invalid
            };
            let Some(root) = reparsed else {
                sink.invalid(INVALID_JSON, &lossy);
                return Flow::Failed;
            };
            sink.payload(lossy.as_bytes());
            root
        }
    };
    if root.kind() != Kind::Object {
        let message = format!(
            "event payload must be a JSON object, not {}",
            root.kind().name()
        );
        sink.invalid(&message, &text());
        return Flow::Failed;
    }
    if let Some(error) = root.get("error").filter(|e| e.is_truthy()) {
        let text = text();
        sink.api_error(api_error(error, root, &text), &text);
        return Flow::Failed;
    }
    let name;
    let kind = match root.get("type").and_then(|t| t.as_str()) {
        Some(kind) => kind,
        None => {
            name = String::from_utf8_lossy(event.event);
            if name.is_empty() {
                "message"
            } else {
                &name
            }
        }
    };
    if kind == "error" {
        // An error event sent without an `event: error` line (OpenRouter's Responses streams):
        // a flat error object, such as OpenAI's `{"type":"error","code":...,"message":...}`, is
        // its own error object (a truthy `error` in it was step 5).
        let text = text();
        sink.api_error(api_error(root, root, &text), &text);
        return Flow::Failed;
    }
    if rules.skipped.contains(&kind) {
        return Flow::Next;
    }
    match sink.event(kind, root) {
        Ok(()) if rules.ends.contains(&kind) => Flow::Done,
        Ok(()) => Flow::Next,
        Err(EventError::Invalid(Invalid(message))) => {
            sink.invalid(&message, &text());
            Flow::Failed
        }
        Err(EventError::Build(error)) => {
            sink.failed(error);
            Flow::Failed
        }
    }
}

#[cfg(test)]
mod tests;
