//! The OpenAI Responses dialect (layer 2b): which events end the stream, and how its hot-path
//! delta events are checked and handed to a builder.
//!
//! Python twin: `python/ssejet/_pure/responses.py`, the same rules in the same order with the
//! same messages. The skeleton ([`crate::dialect`]) does the framing, JSON, errors and the
//! event's type; this module only reads one payload of a known type.
//!
//! Stream rules: nothing is skipped; `response.completed`, `response.failed` and
//! `response.incomplete` end the stream (`done`); `[DONE]`, which OpenRouter sends, ends it
//! too (the skeleton's step 3).
//!
//! Validation of the four hot-path types, in this canonical order (a field that is absent
//! counts as null; `<kind>` is the JSON type found, as in the chat rules). Every message reads
//! `invalid event: <path> must be <expected>, not <kind>`:
//!
//! ```text
//! item_id          a string or null
//! output_index     an integer
//! content_index    an integer     (output_text.delta, reasoning_text.delta)
//! summary_index    an integer     (reasoning_summary_text.delta)
//! delta            a string
//! sequence_number  an integer or null    (absent in streams recorded before mid-2025)
//! ```
//!
//! Nothing else is checked (`logprobs`, `obfuscation` and whatever comes next stay in the
//! payload): every other event type, known or new, is a record, never an error.

use crate::dialect::{
    optional, required, EventError, StreamRules, INTEGER, INTEGER_OR_NULL, STRING, STRING_OR_NULL,
};
use crate::json::{Kind, Value};

/// The Responses stream's rules: nothing skipped; the three terminal lifecycle events end it.
pub static RULES: StreamRules = StreamRules {
    skipped: &[],
    ends: &[
        "response.completed",
        "response.failed",
        "response.incomplete",
    ],
};

/// The typed hot-path event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hot {
    /// `response.output_text.delta`: its index is `content_index`.
    TextDelta,
    /// `response.function_call_arguments.delta`: no second index.
    FunctionCallArgumentsDelta,
    /// `response.reasoning_summary_text.delta`: its index is `summary_index`.
    ReasoningSummaryTextDelta,
    /// `response.reasoning_text.delta`: its index is `content_index`.
    ReasoningTextDelta,
}

impl Hot {
    /// The hot-path type named `kind`, if it is one.
    pub fn of(kind: &str) -> Option<Hot> {
        match kind {
            "response.output_text.delta" => Some(Hot::TextDelta),
            "response.function_call_arguments.delta" => Some(Hot::FunctionCallArgumentsDelta),
            "response.reasoning_summary_text.delta" => Some(Hot::ReasoningSummaryTextDelta),
            "response.reasoning_text.delta" => Some(Hot::ReasoningTextDelta),
            _ => None,
        }
    }

    /// The name of the type's second index, if it has one.
    pub fn index_name(self) -> Option<&'static str> {
        match self {
            Hot::TextDelta | Hot::ReasoningTextDelta => Some("content_index"),
            Hot::ReasoningSummaryTextDelta => Some("summary_index"),
            Hot::FunctionCallArgumentsDelta => None,
        }
    }
}

/// A hot-path delta event's fields, checked. Indexes are JSON integers ([`Kind::Int`]).
#[derive(Debug, Clone, Copy)]
pub struct DeltaFields<'t> {
    /// Which of the four types.
    pub hot: Hot,
    /// `item_id`, or None when absent or null.
    pub item_id: Option<&'t str>,
    /// `output_index`.
    pub output_index: Value<'t>,
    /// `content_index` or `summary_index` (None for function-call arguments).
    pub index: Option<Value<'t>>,
    /// `delta`.
    pub delta: &'t str,
    /// `sequence_number`, or None when absent or null.
    pub sequence_number: Option<Value<'t>>,
}

/// Makes the event objects: the typed deltas from checked fields, every other event as a
/// record (`rust/python/responses.rs` makes Python objects; the tests here make text).
pub trait EventBuilder {
    /// What building can fail with.
    type Error;
    /// The event object.
    type Event;

    /// One of the four hot-path deltas; `kind` is its type.
    fn delta(&mut self, kind: &str, fields: DeltaFields<'_>) -> Result<Self::Event, Self::Error>;
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
    let Some(hot) = Hot::of(kind) else {
        return builder.record(kind, root).map_err(EventError::Build);
    };
    // One pass over the entries (a later duplicate key overwrites an earlier one, as orjson
    // keeps the last value); hot payloads are small, so this beats a lookup per field.
    let index_name = hot.index_name();
    let (mut item_id, mut output_index, mut index, mut delta, mut sequence_number) =
        (None, None, None, None, None);
    for (key, value) in root.entries() {
        match key {
            "item_id" => item_id = Some(value),
            "output_index" => output_index = Some(value),
            "delta" => delta = Some(value),
            "sequence_number" => sequence_number = Some(value),
            _ if Some(key) == index_name => index = Some(value),
            _ => {}
        }
    }
    let item_id = optional(item_id, Kind::String, "item_id", STRING_OR_NULL)?;
    let output_index = required(output_index, Kind::Int, "output_index", INTEGER)?;
    let index = match index_name {
        Some(name) => Some(required(index, Kind::Int, name, INTEGER)?),
        None => None,
    };
    let delta = required(delta, Kind::String, "delta", STRING)?;
    let sequence_number = optional(
        sequence_number,
        Kind::Int,
        "sequence_number",
        INTEGER_OR_NULL,
    )?;
    let fields = DeltaFields {
        hot,
        item_id: item_id.and_then(|v| v.as_str()),
        output_index,
        index,
        delta: delta.as_str().unwrap_or_default(), // a string: checked above
        sequence_number,
    };
    builder.delta(kind, fields).map_err(EventError::Build)
}

#[cfg(test)]
mod tests;
