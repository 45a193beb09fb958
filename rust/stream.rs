//! What every decoder whose stream ends by its own rules shares: chat chunks
//! ([`crate::chat`]) and the named-event dialects ([`crate::dialect`]).
//!
//! Python twin: `python/ssejet/_pure/stream.py`.
//!
//! Per dispatched event, before the decoder's own rules:
//!
//! 1. An event named `error` raises `StreamAPIError` (see [`error_event`]), whatever its data.
//! 2. An event whose data is empty is skipped.
//! 3. Data that, stripped of ASCII whitespace (the WHATWG set: tab, LF, FF, CR, space; not VT),
//!    equals `[DONE]` ends the stream: `done`.
//!
//! Any other event goes to the decoder's [`StreamSink::payload`], which says whether the stream
//! goes on, is over (`done`, a dialect's last event) or failed (a terminal error). An ended
//! stream ignores later input until `close()`; `close()` discards an unterminated event but
//! honours a `[DONE]` cut off before its blank line, and starts a new stream (`done` keeps its
//! value until the next non-empty feed); `incomplete` tells a transport that a body ending now
//! would be truncated.

use std::ops::ControlFlow;

use crate::error::Error;
use crate::json::{Kind, Tape, Value};
use crate::sse::{EventRef, EventSink, SseDecoder};

/// What a provider's error value says (`StreamAPIError`'s fields).
#[derive(Debug, Clone, Copy)]
pub struct ApiError<'t> {
    /// `err["message"]` or `err` itself when a non-empty string; else the event's data.
    pub message: &'t str,
    /// `err["code"]` when it is a string or an integer.
    pub code: Option<Value<'t>>,
    /// `err["type"]` when it is a string.
    pub kind: Option<&'t str>,
    /// The whole parsed payload, or `None` when the data is not JSON (the body is the data).
    pub body: Option<Value<'t>>,
}

/// The fields of `StreamAPIError` from the provider's error value `error`.
pub fn api_error<'t>(error: Value<'t>, body: Value<'t>, text: &'t str) -> ApiError<'t> {
    let mut found = ApiError {
        message: text,
        code: None,
        kind: None,
        body: Some(body),
    };
    if error.kind() == Kind::Object {
        if let Some(message) = error.get("message").and_then(|m| m.as_str()) {
            if !message.is_empty() {
                found.message = message;
            }
        }
        found.code = error
            .get("code")
            .filter(|c| matches!(c.kind(), Kind::String | Kind::Int));
        found.kind = error.get("type").and_then(|t| t.as_str());
    } else if let Some(message) = error.as_str().filter(|m| !m.is_empty()) {
        found.message = message;
    }
    found
}

/// The data of an `error` event, read as [`ApiError`].
pub fn error_event<'t>(tape: &'t mut Tape, text: &'t str) -> ApiError<'t> {
    let Ok(value) = tape.parse(text) else {
        return ApiError {
            message: text,
            code: None,
            kind: None,
            body: None,
        };
    };
    let mut error = value;
    if value.kind() == Kind::Object {
        if let Some(inner) = value.get("error").filter(|e| e.is_truthy()) {
            error = inner;
        }
    }
    api_error(error, value, text)
}

/// Whether an event's data is the `[DONE]` sentinel: stripped of ASCII whitespace (the WHATWG
/// set: tab, LF, FF, CR, space; not VT), it equals `[DONE]`.
pub fn is_done(data: &[u8]) -> bool {
    let space = |b: &u8| matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ');
    let start = data.iter().position(|b| !space(b)).unwrap_or(data.len());
    let end = data
        .iter()
        .rposition(|b| !space(b))
        .map_or(start, |e| e + 1);
    data.get(start..end) == Some(b"[DONE]")
}

/// What a decoder's own rules made of one event (after steps 1 to 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// The stream goes on.
    Next,
    /// The stream is over: `done`.
    Done,
    /// A terminal error was reported: the stream ended.
    Failed,
}

/// A decoder's own rules, called by [`StreamDecoder`] for the events steps 1 to 3 leave.
pub trait StreamSink {
    /// Step 1: an `error` event's `StreamAPIError`.
    fn error_event(&mut self, error: ApiError<'_>, data: &str);
    /// Every other event with non-empty data that is not `[DONE]`.
    fn payload(&mut self, tape: &mut Tape, event: EventRef<'_>) -> Flow;
}

/// SSE framing plus the shared stream rules and state; the decoder's rules come as a sink.
#[derive(Debug, Clone)]
pub struct StreamDecoder {
    sse: SseDecoder,
    tape: Tape,
    /// The stream's end was seen.
    done: bool,
    /// The stream ended (done or a terminal error): input is ignored until `close()`.
    ended: bool,
    /// `close()` was called: the next non-empty feed starts a new stream and resets `done`.
    new_stream: bool,
}

impl StreamDecoder {
    /// A decoder at the start of a stream.
    pub fn new(max_event_size: usize) -> Self {
        Self {
            sse: SseDecoder::new(max_event_size),
            tape: Tape::new(),
            done: false,
            ended: false,
            new_stream: false,
        }
    }

    /// Decodes `input`, handing each event to `sink` after the shared steps. Returns the
    /// framing layer's oversize error, which the caller reports only when `sink` saw no
    /// terminal error (that one wins, as it ends the stream).
    pub fn feed<S: StreamSink>(&mut self, input: &[u8], sink: &mut S) -> Result<(), Error> {
        if self.ended || input.is_empty() {
            return Ok(());
        }
        if self.new_stream {
            self.new_stream = false;
            self.done = false;
        }
        let mut steps = Steps {
            tape: &mut self.tape,
            sink,
            done: false,
            ended: false,
        };
        let result = self.sse.feed(input, &mut steps);
        self.done |= steps.done;
        self.ended = steps.ended;
        result
    }

    /// Ends the stream (see the module docs).
    pub fn close(&mut self) {
        if !self.ended {
            if let Some((event, data)) = self.sse.pending_event() {
                // The event a blank line would dispatch now: a `[DONE]` counts (steps 1, 3).
                self.done |= event != b"error" && is_done(&data);
            }
        }
        self.sse.close();
        self.ended = false;
        self.new_stream = true;
    }

    /// Whether the stream's end was seen.
    pub fn done(&self) -> bool {
        self.done
    }

    /// Whether a stream ending now would be truncated: the framing layer holds an unfinished
    /// event ([`SseDecoder::incomplete`]) and the stream has not ended.
    pub fn incomplete(&self) -> bool {
        !self.ended && self.sse.incomplete()
    }

    /// The limit this decoder was made with.
    pub fn max_event_size(&self) -> usize {
        self.sse.max_event_size()
    }
}

/// The framing layer's sink inside a [`StreamDecoder`]: steps 1 to 3, then the decoder's rules.
struct Steps<'a, S> {
    tape: &'a mut Tape,
    sink: &'a mut S,
    done: bool,
    ended: bool,
}

impl<S: StreamSink> EventSink for Steps<'_, S> {
    fn event(&mut self, event: EventRef<'_>) -> ControlFlow<()> {
        let flow = if event.event == b"error" {
            let text = String::from_utf8_lossy(event.data);
            let error = error_event(self.tape, &text);
            self.sink.error_event(error, &text);
            Flow::Failed
        } else if event.data.is_empty() {
            Flow::Next
        } else if !event.data.starts_with(b"{") && is_done(event.data) {
            Flow::Done
        } else {
            self.sink.payload(self.tape, event)
        };
        match flow {
            Flow::Next => ControlFlow::Continue(()),
            Flow::Done => {
                self.done = true;
                self.ended = true;
                ControlFlow::Break(())
            }
            Flow::Failed => {
                self.ended = true;
                ControlFlow::Break(())
            }
        }
    }
}
