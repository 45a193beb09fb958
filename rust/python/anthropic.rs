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

use pyo3::basic::CompareOp;
use pyo3::exceptions::{PyAttributeError, PyTypeError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use super::chunks::to_py;
use super::dialect::{feed, record, sdk_dump, BuildEvent};
use super::orjson_loads;
use crate::anthropic::{read_event, Delta, EventBuilder, RULES};
use crate::dialect::{EventDecoder, EventError};
use crate::json::Value;

const DIALECT: &str = "anthropic";
const MODELS: &str = "ssejet.anthropic._models";

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

/// The payload as orjson parses it, or its `key` member (a nested class's object).
fn payload_dict<'py>(
    py: Python<'py>,
    payload: &Py<PyAny>,
    key: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let value = orjson_loads(py)?.call1((payload.bind(py),))?;
    match key {
        Some(key) => value.get_item(key),
        None => Ok(value),
    }
}

/// Defines a frozen event class: getters, repr, equality by value (the API attributes),
/// pickling through the public class, `to_dict()`, and the extra methods given.
///
/// `extra_keys` adds `__getattr__`: the payload's other keys as attributes
/// (`ssejet.anthropic._models._extra`, shared with the pure classes). Only the classes off the
/// per-token path have it: a class with a `__getattr__` pays ~24 ns more on every attribute
/// read (PyO3's `tp_getattro` wrapper), a sixth of a text delta's budget over its four reads.
macro_rules! event_class {
    ($rust:ident, $name:literal, key: $key:expr, [$($fields:tt)+], extra_keys) => {
        event_class!(@define $rust, $name, key: $key, [$($fields)+] {
            fn __getattr__<'py>(slf: &Bound<'py, Self>, name: &str) -> PyResult<Bound<'py, PyAny>> {
                // Only reached when no attribute has that name.
                if name.starts_with('_') {
                    return Err(PyAttributeError::new_err(format!(
                        concat!("'", $name, "' object has no attribute '{}'"),
                        name
                    )));
                }
                imported(slf.py(), &EXTRA, MODELS, "_extra")?.call1((slf, name))
            }
        });
    };
    ($rust:ident, $name:literal, key: $key:expr, [$($fields:tt)+]) => {
        event_class!(@define $rust, $name, key: $key, [$($fields)+] {});
    };
    (
        @define $rust:ident, $name:literal, key: $key:expr,
        [$($field:ident = $py_name:literal),+ $(,)?] { $($extra:tt)* }
    ) => {
        #[doc = concat!("The compiled twin of `ssejet.anthropic.", $name, "`.")]
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

            /// The object as orjson parses it from the payload (a fresh dict).
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                payload_dict(py, &self.payload, $key)
            }

            $($extra)*

            #[getter]
            fn _payload(&self, py: Python<'_>) -> Py<PyAny> {
                self.payload.clone_ref(py)
            }

            /// What anthropic's model of this event gives for `model_dump(**kwargs)`.
            #[pyo3(signature = (**kwargs))]
            fn model_dump<'py>(slf: &Bound<'py, Self>, kwargs: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                event_dump(slf.as_any(), $key, "model_dump", kwargs)
            }

            /// What anthropic's model of this event gives for `model_dump_json(**kwargs)`.
            #[pyo3(signature = (**kwargs))]
            fn model_dump_json<'py>(slf: &Bound<'py, Self>, kwargs: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                event_dump(slf.as_any(), $key, "model_dump_json", kwargs)
            }

            /// The dialect whose SDK models `model_dump()` reproduces.
            #[getter]
            fn _sdk(&self) -> &'static str {
                DIALECT
            }
        }
    };
}

/// `model_dump` / `model_dump_json` of an event (`key` None); a nested object (a delta) says
/// to dump its event, as a nested record does.
fn event_dump<'py>(
    obj: &Bound<'py, PyAny>,
    key: Option<&str>,
    method: &str,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    if let Some(key) = key {
        return Err(PyTypeError::new_err(format!(
            "{method}() is offered on events; this is the '{key}' of one: use to_dict(), or \
             dump the event"
        )));
    }
    sdk_dump(obj, method, kwargs)
}

event_class!(PyTextDelta, "TextDelta", key: Some("delta"), [kind = "type", text = "text"]);
event_class!(PyInputJsonDelta, "InputJSONDelta", key: Some("delta"), [
    kind = "type", partial_json = "partial_json",
]);
event_class!(PyThinkingDelta, "ThinkingDelta", key: Some("delta"), [
    kind = "type", thinking = "thinking",
]);
event_class!(PySignatureDelta, "SignatureDelta", key: Some("delta"), [
    kind = "type", signature = "signature",
]);
event_class!(PyCitationsDelta, "CitationsDelta", key: Some("delta"), [
    kind = "type", citation = "citation",
]);
event_class!(PyContentBlockDeltaEvent, "ContentBlockDeltaEvent", key: None, [
    kind = "type", index = "index", delta = "delta",
]);
event_class!(PyMessageStartEvent, "MessageStartEvent", key: None, [
    kind = "type", message = "message",
], extra_keys);
event_class!(PyContentBlockStartEvent, "ContentBlockStartEvent", key: None, [
    kind = "type", index = "index", content_block = "content_block",
], extra_keys);
event_class!(PyContentBlockStopEvent, "ContentBlockStopEvent", key: None, [
    kind = "type", index = "index",
], extra_keys);
event_class!(PyMessageDeltaEvent, "MessageDeltaEvent", key: None, [
    kind = "type", delta = "delta", usage = "usage",
], extra_keys);
event_class!(PyMessageStopEvent, "MessageStopEvent", key: None, [kind = "type"], extra_keys);

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

/// Makes Anthropic events for [`feed`].
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

/// Incremental Anthropic Messages decoder (the compiled implementation behind
/// `ssejet.anthropic.EventDecoder`).
#[pyclass(name = "AnthropicEventDecoder", module = "ssejet._ssejet")]
pub struct PyAnthropicEventDecoder {
    decoder: EventDecoder,
}

#[pymethods]
impl PyAnthropicEventDecoder {
    #[new]
    fn new(max_event_size: usize) -> Self {
        Self {
            decoder: EventDecoder::new(max_event_size, &RULES),
        }
    }

    fn feed<'py>(&mut self, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        feed(&mut self.decoder, &mut Builder, data)
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
