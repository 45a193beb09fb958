//! The Anthropic Messages dialect (layer 2b): which events the stream skips and ends with, and
//! how its hot-path events are checked and handed to a builder.
//!
//! Python twin: `python/ssejet/_pure/anthropic.py`, the same rules in the same order with the
//! same messages. The skeleton ([`crate::dialect`]) does the framing, JSON, errors and the
//! event's type; this module only reads one payload of a known type.
//!
//! Stream rules: `ping` gives nothing; `message_stop` ends the stream (`done`).
//!
//! Validation, in this canonical order per event type (a field that is absent counts as null;
//! `<kind>` is the JSON type found, as in the chat rules). Every message reads
//! `invalid event: <path> must be <expected>, not <kind>`:
//!
//! ```text
//! message_start        message                 an object
//! content_block_start  index                   an integer
//!                      content_block           an object
//!                      content_block.type      a string
//! content_block_delta  index                   an integer
//!                      delta                   an object
//!                      delta.type              a string
//!                      delta.text              a string      (text_delta)
//!                      delta.partial_json      a string      (input_json_delta)
//!                      delta.thinking          a string      (thinking_delta)
//!                      delta.signature         a string      (signature_delta)
//!                      delta.citation          an object     (citations_delta)
//! content_block_stop   index                   an integer
//! message_delta        delta                   an object
//!                      delta.stop_reason       a string or null
//!                      delta.stop_sequence     a string or null
//!                      usage                   an object or null
//! ```
//!
//! Nothing else is checked: a delta of another type, and every other event type (known or
//! new), is a record.

use crate::chat::Invalid;
use crate::dialect::{
    bad, required, EventError, StreamRules, INTEGER, OBJECT, OBJECT_OR_NULL, STRING, STRING_OR_NULL,
};
use crate::json::{Kind, Value};

/// The Messages stream's rules: `ping` is skipped, `message_stop` ends the stream.
pub static RULES: StreamRules = StreamRules {
    skipped: &["ping"],
    ends: &["message_stop"],
};

/// A field that must be a string.
fn string<'t>(found: Option<Value<'t>>, path: &str) -> Result<&'t str, Invalid> {
    match found.and_then(|v| v.as_str()) {
        Some(text) => Ok(text),
        None => Err(bad(path, STRING, found)),
    }
}

/// A field that must be a string or null (absent reads null).
fn string_or_null<'t>(found: Option<Value<'t>>, path: &str) -> Result<Option<&'t str>, Invalid> {
    match found.filter(|v| !v.is_null()) {
        None => Ok(None),
        Some(v) => v
            .as_str()
            .map(Some)
            .ok_or_else(|| bad(path, STRING_OR_NULL, Some(v))),
    }
}

/// A content-block delta's payload, checked.
#[derive(Debug, Clone, Copy)]
pub enum Delta<'t> {
    /// `text_delta`: its `text`.
    Text(&'t str),
    /// `input_json_delta`: its `partial_json`.
    InputJson(&'t str),
    /// `thinking_delta`: its `thinking`.
    Thinking(&'t str),
    /// `signature_delta`: its `signature`.
    Signature(&'t str),
    /// `citations_delta`: its `citation` (an object).
    Citations(Value<'t>),
    /// Any other delta type: the delta object itself, for a record.
    Other(Value<'t>),
}

/// Makes the objects of the hot-path events from checked pieces (`rust/python/anthropic.rs`
/// makes Python objects; the tests here make text). `index` values are JSON integers.
pub trait EventBuilder {
    /// What building can fail with.
    type Error;
    /// The event object.
    type Event;

    /// `message_start` with its `message` object.
    fn message_start(&mut self, kind: &str, message: Value<'_>)
        -> Result<Self::Event, Self::Error>;
    /// `content_block_start` with its `index` and `content_block` object.
    fn content_block_start(
        &mut self,
        kind: &str,
        index: Value<'_>,
        block: Value<'_>,
    ) -> Result<Self::Event, Self::Error>;
    /// `content_block_delta`: `delta_type` is the delta's `type`.
    fn content_block_delta(
        &mut self,
        kind: &str,
        index: Value<'_>,
        delta_type: &str,
        delta: Delta<'_>,
    ) -> Result<Self::Event, Self::Error>;
    /// `content_block_stop` with its `index`.
    fn content_block_stop(
        &mut self,
        kind: &str,
        index: Value<'_>,
    ) -> Result<Self::Event, Self::Error>;
    /// `message_delta`: the `delta` object (for a record), its checked stop fields, the
    /// `usage` object or None.
    fn message_delta(
        &mut self,
        kind: &str,
        delta: Value<'_>,
        stop_reason: Option<&str>,
        stop_sequence: Option<&str>,
        usage: Option<Value<'_>>,
    ) -> Result<Self::Event, Self::Error>;
    /// `message_stop`.
    fn message_stop(&mut self, kind: &str) -> Result<Self::Event, Self::Error>;
    /// Any other event type, known or new: a record of the whole payload.
    fn record(&mut self, kind: &str, root: Value<'_>) -> Result<Self::Event, Self::Error>;
}

/// Checks the payload `root` (an object) of an event of type `kind` in canonical order and
/// builds its event.
pub fn read_event<B: EventBuilder>(
    kind: &str,
    root: Value<'_>,
    builder: &mut B,
) -> Result<B::Event, EventError<B::Error>> {
    let built = match kind {
        "content_block_delta" => {
            let index = required(root.get("index"), Kind::Int, "index", INTEGER)?;
            let delta = required(root.get("delta"), Kind::Object, "delta", OBJECT)?;
            let delta_type = string(delta.get("type"), "delta.type")?;
            let fields = match delta_type {
                "text_delta" => Delta::Text(string(delta.get("text"), "delta.text")?),
                "input_json_delta" => {
                    Delta::InputJson(string(delta.get("partial_json"), "delta.partial_json")?)
                }
                "thinking_delta" => {
                    Delta::Thinking(string(delta.get("thinking"), "delta.thinking")?)
                }
                "signature_delta" => {
                    Delta::Signature(string(delta.get("signature"), "delta.signature")?)
                }
                "citations_delta" => Delta::Citations(required(
                    delta.get("citation"),
                    Kind::Object,
                    "delta.citation",
                    OBJECT,
                )?),
                _ => Delta::Other(delta),
            };
            builder.content_block_delta(kind, index, delta_type, fields)
        }
        "message_start" => {
            let message = required(root.get("message"), Kind::Object, "message", OBJECT)?;
            builder.message_start(kind, message)
        }
        "content_block_start" => {
            let index = required(root.get("index"), Kind::Int, "index", INTEGER)?;
            let block = required(
                root.get("content_block"),
                Kind::Object,
                "content_block",
                OBJECT,
            )?;
            string(block.get("type"), "content_block.type")?;
            builder.content_block_start(kind, index, block)
        }
        "content_block_stop" => {
            let index = required(root.get("index"), Kind::Int, "index", INTEGER)?;
            builder.content_block_stop(kind, index)
        }
        "message_delta" => {
            let delta = required(root.get("delta"), Kind::Object, "delta", OBJECT)?;
            let stop_reason = string_or_null(delta.get("stop_reason"), "delta.stop_reason")?;
            let stop_sequence = string_or_null(delta.get("stop_sequence"), "delta.stop_sequence")?;
            let usage = match root.get("usage").filter(|u| !u.is_null()) {
                None => None,
                Some(u) if u.kind() == Kind::Object => Some(u),
                other => return Err(bad("usage", OBJECT_OR_NULL, other).into()),
            };
            builder.message_delta(kind, delta, stop_reason, stop_sequence, usage)
        }
        "message_stop" => builder.message_stop(kind),
        _ => builder.record(kind, root),
    };
    built.map_err(EventError::Build)
}

#[cfg(test)]
mod tests;
