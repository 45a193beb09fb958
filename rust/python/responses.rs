//! The OpenAI Responses delta event classes and `ResponsesEventDecoder` (layer 2b).
//!
//! Python twin: `python/ssejet/_pure/responses.py` (the build function) with the classes of
//! `python/ssejet/responses/_models.py`, with which each class here is registered.
//!
//! Object strategy, as for chat chunks: eager, frozen `#[pyclass]` objects built in the pass
//! that checks the payload (`crate::responses::read_event` drives an `EventBuilder`). A text
//! delta makes three new objects: the event, its `delta` string and the payload's bytes
//! (shared by `to_dict()` and the extra attributes such as `logprobs`, which parse them again
//! with orjson: identical to the pure backend by construction). The type strings are interned,
//! the `item_id` is shared while it repeats, and the indexes are small cached ints. Every other
//! event type (about 60, new ones monthly) is an `ssejet._records.Record`.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use super::chunks::to_py;
use super::dialect::{event_class, event_decoder, event_record, BuildEvent};
use super::TextCache;
use crate::dialect::EventError;
use crate::json::Value;
use crate::responses::{read_event, DeltaFields, EventBuilder, Hot, RULES};

const DIALECT: &str = "responses";

event_class!(
    PyResponseTextDeltaEvent,
    "ResponseTextDeltaEvent",
    "responses",
    key: None,
    [
        kind = "type",
        item_id = "item_id",
        output_index = "output_index",
        content_index = "content_index",
        delta = "delta",
        sequence_number = "sequence_number",
    ],
    extra_keys
);
event_class!(
    PyResponseFunctionCallArgumentsDeltaEvent,
    "ResponseFunctionCallArgumentsDeltaEvent",
    "responses",
    key: None,
    [
        kind = "type",
        item_id = "item_id",
        output_index = "output_index",
        delta = "delta",
        sequence_number = "sequence_number",
    ],
    extra_keys
);
event_class!(
    PyResponseReasoningSummaryTextDeltaEvent,
    "ResponseReasoningSummaryTextDeltaEvent",
    "responses",
    key: None,
    [
        kind = "type",
        item_id = "item_id",
        output_index = "output_index",
        summary_index = "summary_index",
        delta = "delta",
        sequence_number = "sequence_number",
    ],
    extra_keys
);
event_class!(
    PyResponseReasoningTextDeltaEvent,
    "ResponseReasoningTextDeltaEvent",
    "responses",
    key: None,
    [
        kind = "type",
        item_id = "item_id",
        output_index = "output_index",
        content_index = "content_index",
        delta = "delta",
        sequence_number = "sequence_number",
    ],
    extra_keys
);

/// Builds one event's objects (the core's [`EventBuilder`], for one payload).
struct Objects<'py, 'p, 'c> {
    py: Python<'py>,
    payload: &'p Bound<'py, PyBytes>,
    item_ids: &'c mut TextCache,
}

impl Objects<'_, '_, '_> {
    fn int(&self, value: Value<'_>) -> PyResult<Py<PyAny>> {
        Ok(to_py(self.py, value)?.unbind())
    }

    fn optional_int(&self, value: Option<Value<'_>>) -> PyResult<Py<PyAny>> {
        match value {
            Some(value) => self.int(value),
            None => Ok(self.py.None()),
        }
    }
}

impl EventBuilder for Objects<'_, '_, '_> {
    type Error = PyErr;
    type Event = Py<PyAny>;

    fn delta(&mut self, kind: &str, f: DeltaFields<'_>) -> PyResult<Py<PyAny>> {
        let py = self.py;
        let kind = PyString::intern(py, kind).into_any().unbind();
        let item_id = match f.item_id {
            Some(id) => self.item_ids.text(py, id.as_bytes())?.into_any(),
            None => py.None(),
        };
        let output_index = self.int(f.output_index)?;
        let index = self.optional_int(f.index)?;
        let delta = PyString::new(py, f.delta).into_any().unbind();
        let sequence_number = self.optional_int(f.sequence_number)?;
        let payload = self.payload.clone().into_any().unbind();
        let event = match f.hot {
            Hot::TextDelta => Py::new(
                py,
                PyResponseTextDeltaEvent {
                    kind,
                    item_id,
                    output_index,
                    content_index: index,
                    delta,
                    sequence_number,
                    payload,
                },
            )?
            .into_any(),
            Hot::FunctionCallArgumentsDelta => Py::new(
                py,
                PyResponseFunctionCallArgumentsDeltaEvent {
                    kind,
                    item_id,
                    output_index,
                    delta,
                    sequence_number,
                    payload,
                },
            )?
            .into_any(),
            Hot::ReasoningSummaryTextDelta => Py::new(
                py,
                PyResponseReasoningSummaryTextDeltaEvent {
                    kind,
                    item_id,
                    output_index,
                    summary_index: index,
                    delta,
                    sequence_number,
                    payload,
                },
            )?
            .into_any(),
            Hot::ReasoningTextDelta => Py::new(
                py,
                PyResponseReasoningTextDeltaEvent {
                    kind,
                    item_id,
                    output_index,
                    content_index: index,
                    delta,
                    sequence_number,
                    payload,
                },
            )?
            .into_any(),
        };
        Ok(event)
    }

    fn record(&mut self, kind: &str, root: Value<'_>) -> PyResult<Py<PyAny>> {
        event_record(self.py, kind, root, DIALECT)
    }
}

/// Makes Responses events for [`feed`]; keeps the `item_id` text while it repeats.
#[derive(Default)]
struct Builder {
    item_ids: TextCache,
}

impl BuildEvent for Builder {
    fn build(
        &mut self,
        py: Python<'_>,
        kind: &str,
        root: Value<'_>,
        payload: &Bound<'_, PyBytes>,
    ) -> Result<Py<PyAny>, EventError<PyErr>> {
        let mut objects = Objects {
            py,
            payload,
            item_ids: &mut self.item_ids,
        };
        read_event(kind, root, &mut objects)
    }
}

event_decoder!(
    PyResponsesEventDecoder,
    "ResponsesEventDecoder",
    "responses",
    Builder
);

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyResponseTextDeltaEvent>()?;
    m.add_class::<PyResponseFunctionCallArgumentsDeltaEvent>()?;
    m.add_class::<PyResponseReasoningSummaryTextDeltaEvent>()?;
    m.add_class::<PyResponseReasoningTextDeltaEvent>()?;
    m.add_class::<PyResponsesEventDecoder>()
}
