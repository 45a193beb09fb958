//! The Anthropic Messages event classes and `AnthropicEventDecoder` (layer 2b).
//!
//! Python twin: `python/ssejet/_pure/anthropic.py` (the build function) with the classes of
//! `python/ssejet/anthropic/_models.py`, with which each class here is registered.
//!
//! Object strategy, as for chat chunks: eager, frozen `#[pyclass]` objects built in the pass
//! that checks the payload (`crate::anthropic::read_event` drives an `EventBuilder`). A text
//! delta makes three objects (the event, its `TextDelta`, the text); the type strings are
//! interned and the payload's bytes are shared by the event and its delta, whose `to_dict()`
//! and extra attributes parse them again with orjson (identical to the pure backend by
//! construction). Nested objects that are not on the hot path (`message`, `content_block`,
//! `usage`, `citation`, a `message_delta`'s `delta`, deltas of other types) and every other
//! event type are `ssejet._records.Record`s.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use super::chunks::to_py;
use super::dialect::{event_class, event_decoder, event_record, record, BuildEvent};
use crate::anthropic::{read_event, Delta, EventBuilder, RULES};
use crate::dialect::EventError;
use crate::json::Value;

const DIALECT: &str = "anthropic";

event_class!(PyTextDelta, "TextDelta", "anthropic", key: Some("delta"), [kind = "type", text = "text"]);
event_class!(PyInputJsonDelta, "InputJSONDelta", "anthropic", key: Some("delta"), [
    kind = "type", partial_json = "partial_json",
]);
event_class!(PyThinkingDelta, "ThinkingDelta", "anthropic", key: Some("delta"), [
    kind = "type", thinking = "thinking",
]);
event_class!(PySignatureDelta, "SignatureDelta", "anthropic", key: Some("delta"), [
    kind = "type", signature = "signature",
]);
event_class!(PyCitationsDelta, "CitationsDelta", "anthropic", key: Some("delta"), [
    kind = "type", citation = "citation",
]);
event_class!(PyContentBlockDeltaEvent, "ContentBlockDeltaEvent", "anthropic", key: None, [
    kind = "type", index = "index", delta = "delta",
]);
event_class!(PyMessageStartEvent, "MessageStartEvent", "anthropic", key: None, [
    kind = "type", message = "message",
], extra_keys);
event_class!(PyContentBlockStartEvent, "ContentBlockStartEvent", "anthropic", key: None, [
    kind = "type", index = "index", content_block = "content_block",
], extra_keys);
event_class!(PyContentBlockStopEvent, "ContentBlockStopEvent", "anthropic", key: None, [
    kind = "type", index = "index",
], extra_keys);
event_class!(PyMessageDeltaEvent, "MessageDeltaEvent", "anthropic", key: None, [
    kind = "type", delta = "delta", usage = "usage",
], extra_keys);
event_class!(PyMessageStopEvent, "MessageStopEvent", "anthropic", key: None, [kind = "type"], extra_keys);

/// Builds one event's objects (the core's [`EventBuilder`], for one payload).
struct Objects<'py, 'p> {
    py: Python<'py>,
    payload: &'p Bound<'py, PyBytes>,
}

impl Objects<'_, '_> {
    /// A known event or delta type, interned: one shared string per type.
    fn kind(&self, kind: &str) -> Py<PyAny> {
        PyString::intern(self.py, kind).into_any().unbind()
    }

    fn int(&self, value: Value<'_>) -> PyResult<Py<PyAny>> {
        Ok(to_py(self.py, value)?.unbind())
    }

    fn nested(&self, value: Value<'_>, key: &str) -> PyResult<Py<PyAny>> {
        record(self.py, value, DIALECT, Some(key))
    }

    fn payload(&self) -> Py<PyAny> {
        self.payload.clone().into_any().unbind()
    }

    fn object<T: pyo3::PyClass + Into<pyo3::PyClassInitializer<T>>>(
        &self,
        object: T,
    ) -> PyResult<Py<PyAny>> {
        Ok(Py::new(self.py, object)?.into_any())
    }
}

impl EventBuilder for Objects<'_, '_> {
    type Error = PyErr;
    type Event = Py<PyAny>;

    fn message_start(&mut self, kind: &str, message: Value<'_>) -> PyResult<Py<PyAny>> {
        self.object(PyMessageStartEvent {
            kind: self.kind(kind),
            message: self.nested(message, "message")?,
            payload: self.payload(),
        })
    }

    fn content_block_start(
        &mut self,
        kind: &str,
        index: Value<'_>,
        block: Value<'_>,
    ) -> PyResult<Py<PyAny>> {
        self.object(PyContentBlockStartEvent {
            kind: self.kind(kind),
            index: self.int(index)?,
            content_block: self.nested(block, "content_block")?,
            payload: self.payload(),
        })
    }

    fn content_block_delta(
        &mut self,
        _kind: &str,
        index: Value<'_>,
        delta_type: &str,
        delta: Delta<'_>,
    ) -> PyResult<Py<PyAny>> {
        let py = self.py;
        let text = |t: &str| PyString::new(py, t).into_any().unbind();
        let payload = self.payload();
        let delta = match delta {
            Delta::Text(t) => self.object(PyTextDelta {
                kind: intern!(py, "text_delta").clone().into_any().unbind(),
                text: text(t),
                payload: payload.clone_ref(py),
            })?,
            Delta::InputJson(t) => self.object(PyInputJsonDelta {
                kind: intern!(py, "input_json_delta").clone().into_any().unbind(),
                partial_json: text(t),
                payload: payload.clone_ref(py),
            })?,
            Delta::Thinking(t) => self.object(PyThinkingDelta {
                kind: intern!(py, "thinking_delta").clone().into_any().unbind(),
                thinking: text(t),
                payload: payload.clone_ref(py),
            })?,
            Delta::Signature(t) => self.object(PySignatureDelta {
                kind: intern!(py, "signature_delta").clone().into_any().unbind(),
                signature: text(t),
                payload: payload.clone_ref(py),
            })?,
            Delta::Citations(citation) => self.object(PyCitationsDelta {
                kind: self.kind(delta_type),
                citation: self.nested(citation, "citation")?,
                payload: payload.clone_ref(py),
            })?,
            Delta::Other(other) => self.nested(other, "delta")?,
        };
        self.object(PyContentBlockDeltaEvent {
            // Only reached for this type (the payload's, or the SSE event name).
            kind: intern!(py, "content_block_delta")
                .clone()
                .into_any()
                .unbind(),
            index: self.int(index)?,
            delta,
            payload,
        })
    }

    fn content_block_stop(&mut self, kind: &str, index: Value<'_>) -> PyResult<Py<PyAny>> {
        self.object(PyContentBlockStopEvent {
            kind: self.kind(kind),
            index: self.int(index)?,
            payload: self.payload(),
        })
    }

    fn message_delta(
        &mut self,
        kind: &str,
        delta: Value<'_>,
        _stop_reason: Option<&str>,
        _stop_sequence: Option<&str>,
        usage: Option<Value<'_>>,
    ) -> PyResult<Py<PyAny>> {
        let usage = match usage {
            Some(usage) => self.nested(usage, "usage")?,
            None => self.py.None(),
        };
        self.object(PyMessageDeltaEvent {
            kind: self.kind(kind),
            delta: self.nested(delta, "delta")?,
            usage,
            payload: self.payload(),
        })
    }

    fn message_stop(&mut self, kind: &str) -> PyResult<Py<PyAny>> {
        self.object(PyMessageStopEvent {
            kind: self.kind(kind),
            payload: self.payload(),
        })
    }

    fn record(&mut self, kind: &str, root: Value<'_>) -> PyResult<Py<PyAny>> {
        event_record(self.py, kind, root, DIALECT)
    }
}

/// Makes Anthropic events for [`feed`].
#[derive(Default)]
struct Builder;

impl BuildEvent for Builder {
    fn build(
        &mut self,
        py: Python<'_>,
        kind: &str,
        root: Value<'_>,
        payload: &Bound<'_, PyBytes>,
    ) -> Result<Py<PyAny>, EventError<PyErr>> {
        read_event(kind, root, &mut Objects { py, payload })
    }
}

event_decoder!(
    PyAnthropicEventDecoder,
    "AnthropicEventDecoder",
    "anthropic",
    Builder
);

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTextDelta>()?;
    m.add_class::<PyInputJsonDelta>()?;
    m.add_class::<PyThinkingDelta>()?;
    m.add_class::<PySignatureDelta>()?;
    m.add_class::<PyCitationsDelta>()?;
    m.add_class::<PyContentBlockDeltaEvent>()?;
    m.add_class::<PyMessageStartEvent>()?;
    m.add_class::<PyContentBlockStartEvent>()?;
    m.add_class::<PyContentBlockStopEvent>()?;
    m.add_class::<PyMessageDeltaEvent>()?;
    m.add_class::<PyMessageStopEvent>()?;
    m.add_class::<PyAnthropicEventDecoder>()
}
