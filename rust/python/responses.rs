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

use pyo3::basic::CompareOp;
use pyo3::exceptions::PyAttributeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use super::chunks::to_py;
use super::dialect::{feed, sdk_dump, BuildEvent};
use super::{orjson_loads, TextCache};
use crate::dialect::{EventDecoder, EventError};
use crate::json::Value;
use crate::responses::{read_event, DeltaFields, EventBuilder, Hot, RULES};

const DIALECT: &str = "responses";
const MODELS: &str = "ssejet.responses._models";

static RESTORE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static EXTRA: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static RECORD: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A Python callable imported once.
fn imported<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyAny>>,
    module: &str,
    name: &str,
) -> PyResult<&'py Bound<'py, PyAny>> {
    let value = cell.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import(module)?.getattr(name)?.unbind())
    })?;
    Ok(value.bind(py))
}

/// Defines a frozen delta event class: getters, repr, equality by value (the API attributes),
/// pickling through the public class, `to_dict()`, and attribute access to the payload's other
/// keys (`ssejet.responses._models._extra`, shared with the pure classes).
macro_rules! delta_event {
    ($rust:ident, $name:literal, [$($field:ident = $py_name:literal),+ $(,)?]) => {
        #[doc = concat!("The compiled twin of `ssejet.responses.", $name, "`.")]
        #[pyclass(name = $name, module = "ssejet._ssejet", frozen)]
        pub struct $rust {
            $(#[pyo3(get, name = $py_name)] $field: Py<PyAny>,)+
            payload: Py<PyAny>,
        }

        impl $rust {
            /// The API attributes, in API.md order.
            fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
                PyTuple::new(py, [$(self.$field.bind(py)),+])
            }
        }

        #[pymethods]
        impl $rust {
            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                let mut text = String::from(concat!($name, "("));
                $(
                    text.push_str(concat!($py_name, "="));
                    text.push_str(&self.$field.bind(py).repr()?.to_cow()?);
                    text.push_str(", ");
                )+
                text.truncate(text.len() - 2);
                text.push(')');
                Ok(text)
            }

            fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
                let py = other.py();
                let Ok(other) = other.cast::<Self>() else {
                    // The public Python class compares by value with either backend's objects.
                    return Ok(py.NotImplemented());
                };
                let equal = self.values(py)?.eq(other.get().values(py)?)?;
                let answer = match op {
                    CompareOp::Eq => equal,
                    CompareOp::Ne => !equal,
                    _ => return Ok(py.NotImplemented()),
                };
                Ok(answer.into_pyobject(py)?.to_owned().into_any().unbind())
            }

            fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
                let public = py.import(MODELS)?.getattr($name)?;
                let state = PyTuple::new(py, [$(self.$field.bind(py)),+, self.payload.bind(py)])?;
                let restore = imported(py, &RESTORE, "ssejet._models", "_restore")?;
                Ok((restore.clone(), PyTuple::new(py, [public, state.into_any()])?))
            }

            /// The payload as orjson parses it (a fresh dict), unknown fields included.
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                orjson_loads(py)?.call1((self.payload.bind(py),))
            }

            fn __getattr__<'py>(slf: &Bound<'py, Self>, name: &str) -> PyResult<Bound<'py, PyAny>> {
                // Only reached when no attribute has that name: the payload's other keys.
                let py = slf.py();
                if name.starts_with('_') {
                    return Err(PyAttributeError::new_err(format!(
                        concat!("'", $name, "' object has no attribute '{}'"), name
                    )));
                }
                imported(py, &EXTRA, MODELS, "_extra")?.call1((slf, name))
            }

            #[getter]
            fn _payload(&self, py: Python<'_>) -> Py<PyAny> {
                self.payload.clone_ref(py)
            }

            /// What openai's model of this event gives for `model_dump(**kwargs)`.
            #[pyo3(signature = (**kwargs))]
            fn model_dump<'py>(slf: &Bound<'py, Self>, kwargs: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                sdk_dump(slf.as_any(), "model_dump", kwargs)
            }

            /// What openai's model of this event gives for `model_dump_json(**kwargs)`.
            #[pyo3(signature = (**kwargs))]
            fn model_dump_json<'py>(slf: &Bound<'py, Self>, kwargs: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                sdk_dump(slf.as_any(), "model_dump_json", kwargs)
            }

            /// The dialect whose SDK models `model_dump()` reproduces.
            #[getter]
            fn _sdk(&self) -> &'static str {
                DIALECT
            }
        }
    };
}

delta_event!(
    PyResponseTextDeltaEvent,
    "ResponseTextDeltaEvent",
    [
        kind = "type",
        item_id = "item_id",
        output_index = "output_index",
        content_index = "content_index",
        delta = "delta",
        sequence_number = "sequence_number",
    ]
);
delta_event!(
    PyResponseFunctionCallArgumentsDeltaEvent,
    "ResponseFunctionCallArgumentsDeltaEvent",
    [
        kind = "type",
        item_id = "item_id",
        output_index = "output_index",
        delta = "delta",
        sequence_number = "sequence_number",
    ]
);
delta_event!(
    PyResponseReasoningSummaryTextDeltaEvent,
    "ResponseReasoningSummaryTextDeltaEvent",
    [
        kind = "type",
        item_id = "item_id",
        output_index = "output_index",
        summary_index = "summary_index",
        delta = "delta",
        sequence_number = "sequence_number",
    ]
);
delta_event!(
    PyResponseReasoningTextDeltaEvent,
    "ResponseReasoningTextDeltaEvent",
    [
        kind = "type",
        item_id = "item_id",
        output_index = "output_index",
        content_index = "content_index",
        delta = "delta",
        sequence_number = "sequence_number",
    ]
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
        // Every event has `.type`: a payload without a string `type` gets the event's type.
        let py = self.py;
        let data = to_py(py, root)?.cast_into::<PyDict>()?;
        let sent = data.get_item(intern!(py, "type"))?;
        if !sent.is_some_and(|t| t.is_exact_instance_of::<PyString>()) {
            data.set_item(intern!(py, "type"), kind)?;
        }
        let record = imported(py, &RECORD, "ssejet._records", "Record")?;
        Ok(record.call1((data, DIALECT))?.unbind())
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

/// Incremental OpenAI Responses decoder (the compiled implementation behind
/// `ssejet.responses.EventDecoder`).
#[pyclass(name = "ResponsesEventDecoder", module = "ssejet._ssejet")]
pub struct PyResponsesEventDecoder {
    decoder: EventDecoder,
    builder: Builder,
}

#[pymethods]
impl PyResponsesEventDecoder {
    #[new]
    fn new(max_event_size: usize) -> Self {
        Self {
            decoder: EventDecoder::new(max_event_size, &RULES),
            builder: Builder::default(),
        }
    }

    fn feed<'py>(&mut self, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        feed(&mut self.decoder, &mut self.builder, data)
    }

    fn close<'py>(&mut self, py: Python<'py>) -> Bound<'py, PyList> {
        self.decoder.close();
        PyList::empty(py)
    }

    #[getter]
    fn done(&self) -> bool {
        self.decoder.done()
    }

    #[getter]
    fn incomplete(&self) -> bool {
        self.decoder.incomplete()
    }

    #[getter]
    fn max_event_size(&self) -> usize {
        self.decoder.max_event_size()
    }
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyResponseTextDeltaEvent>()?;
    m.add_class::<PyResponseFunctionCallArgumentsDeltaEvent>()?;
    m.add_class::<PyResponseReasoningSummaryTextDeltaEvent>()?;
    m.add_class::<PyResponseReasoningTextDeltaEvent>()?;
    m.add_class::<PyResponsesEventDecoder>()
}
