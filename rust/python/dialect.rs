//! What the dialect bindings share: the sink around a dialect's event builder, `feed` with its
//! errors, and records (the long tail of events and blocks).
//!
//! Each dialect binding (`anthropic.rs`, `responses.rs`) is a `#[pyclass]` holding a core
//! [`EventDecoder`] and a [`BuildEvent`] that makes its typed hot-path objects and records;
//! its `feed` is [`feed`]. Errors carry the events of their call in `.events`, as the pure
//! twin's (`python/ssejet/_pure/dialect.py`) do.

use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

use super::chunks::to_py;
use super::errors::{decode_error, feed_outcome, stream_api_error};
use super::{orjson_loads, sdk_dump, with_bytes};
use crate::dialect::{DialectSink, EventDecoder, EventError};
use crate::json::Value;
use crate::stream::ApiError;

static RECORD: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Makes one dialect's event objects.
pub(super) trait BuildEvent {
    /// The event of type `kind` whose parsed payload is `root`; `payload` is the payload's
    /// bytes (what `to_dict()` parses again). A hot-path field of the wrong JSON type is
    /// `EventError::Invalid` with the message users see.
    fn build(
        &mut self,
        py: Python<'_>,
        kind: &str,
        root: Value<'_>,
        payload: &Bound<'_, PyBytes>,
    ) -> Result<Py<PyAny>, EventError<PyErr>>;
}

/// A record for an event of type `kind` (payload `root`): every event has `.type`, so a
/// payload without a string `type` gets the event's type.
pub(super) fn event_record(
    py: Python<'_>,
    kind: &str,
    root: Value<'_>,
    dialect: &str,
) -> PyResult<Py<PyAny>> {
    let data = to_py(py, root)?.cast_into::<PyDict>()?;
    let sent = data.get_item(intern!(py, "type"))?;
    if !sent.is_some_and(|t| t.is_exact_instance_of::<PyString>()) {
        data.set_item(intern!(py, "type"), kind)?;
    }
    Ok(record_class(py)?.call1((data, dialect))?.unbind())
}

static RESTORE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `ssejet._models._restore`, which unpickles a typed object as its public class.
pub(super) fn restore(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    imported(py, &RESTORE, "ssejet._models", "_restore")
}

/// `ssejet._records.Record`.
fn record_class(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    imported(py, &RECORD, "ssejet._records", "Record")
}

/// `ssejet._records.Record(value as a dict, dialect, key)`: a read-only record of a parsed
/// object (a dict, or any JSON value for `key`'s sake: non-objects are returned as they are).
pub(super) fn record(
    py: Python<'_>,
    value: Value<'_>,
    dialect: &str,
    key: Option<&str>,
) -> PyResult<Py<PyAny>> {
    let value = to_py(py, value)?;
    if !value.is_instance_of::<pyo3::types::PyDict>() {
        return Ok(value.unbind());
    }
    Ok(record_class(py)?.call1((value, dialect, key))?.unbind())
}

/// The core's sink: builds events through `B`, keeps the terminal error.
struct Sink<'py, 'b, B> {
    py: Python<'py>,
    builder: &'b mut B,
    payload: Option<Bound<'py, PyBytes>>,
    events: Vec<Py<PyAny>>,
    error: Option<PyErr>,
}

impl<B: BuildEvent> DialectSink for Sink<'_, '_, B> {
    type Error = PyErr;

    fn payload(&mut self, payload: &[u8]) {
        self.payload = Some(PyBytes::new(self.py, payload));
    }

    fn event(&mut self, kind: &str, root: Value<'_>) -> Result<(), EventError<PyErr>> {
        let payload = match &self.payload {
            Some(payload) => payload.clone(),
            None => PyBytes::new(self.py, b""),
        };
        let event = self.builder.build(self.py, kind, root, &payload)?;
        self.events.push(event);
        Ok(())
    }

    fn api_error(&mut self, error: ApiError<'_>, data: &str) {
        self.error = Some(stream_api_error(self.py, error, data));
    }

    fn invalid(&mut self, message: &str, data: &str) {
        self.error = Some(decode_error(self.py, message, data));
    }

    fn failed(&mut self, error: PyErr) {
        self.error = Some(error);
    }
}

/// A dialect binding's `feed`: decodes `data`, returns the events it completes, or raises the
/// terminal error (or the oversize one) carrying them in `.events`.
pub(super) fn feed<'py, B: BuildEvent>(
    decoder: &mut EventDecoder,
    builder: &mut B,
    data: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    let py = data.py();
    let mut sink = Sink {
        py,
        builder,
        payload: None,
        events: Vec::new(),
        error: None,
    };
    let result = with_bytes(data, |bytes| decoder.feed(bytes, &mut sink))?;
    feed_outcome(py, sink.events, sink.error, result, "events")
}

/// A Python callable imported once.
pub(super) fn imported<'py>(
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
pub(super) fn payload_dict<'py>(
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

/// Defines a frozen event class of a dialect (`"anthropic"`, `"responses"`): getters, repr,
/// equality by value (the API attributes), pickling through the public class of
/// `ssejet.<dialect>._models`, `to_dict()` (the payload, or its `key` member for a nested
/// class), `model_dump()` / `model_dump_json()` through the SDK bridge.
///
/// `extra_keys` adds `__getattr__`: the payload's other keys as attributes
/// (`ssejet.<dialect>._models._extra`, shared with the pure classes). Only the classes off the
/// per-token path have it: a class with a `__getattr__` pays ~24 ns more on every attribute
/// read (PyO3's `tp_getattro` wrapper), a sixth of a text delta's budget over its four reads.
macro_rules! event_class {
    ($rust:ident, $name:literal, $dialect:literal, key: $key:expr, [$($fields:tt)+], extra_keys) => {
        $crate::python::dialect::event_class!(@define $rust, $name, $dialect, key: $key, [$($fields)+] {
            fn __getattr__<'py>(slf: &Bound<'py, Self>, name: &str) -> PyResult<Bound<'py, PyAny>> {
                // Only reached when no attribute has that name.
                if name.starts_with('_') {
                    return Err(::pyo3::exceptions::PyAttributeError::new_err(format!(
                        concat!("'", $name, "' object has no attribute '{}'"),
                        name
                    )));
                }
                let models = concat!("ssejet.", $dialect, "._models");
                slf.py().import(models)?.getattr("_extra")?.call1((slf, name))
            }
        });
    };
    ($rust:ident, $name:literal, $dialect:literal, key: $key:expr, [$($fields:tt)+]) => {
        $crate::python::dialect::event_class!(@define $rust, $name, $dialect, key: $key, [$($fields)+] {});
    };
    (
        @define $rust:ident, $name:literal, $dialect:literal, key: $key:expr,
        [$($field:ident = $py_name:literal),+ $(,)?] { $($extra:tt)* }
    ) => {
        #[doc = concat!("The compiled twin of `ssejet.", $dialect, ".", $name, "`.")]
        #[pyclass(name = $name, module = "ssejet._ssejet", frozen)]
        pub struct $rust {
            $(#[pyo3(get, name = $py_name)] $field: Py<PyAny>,)+
            payload: Py<PyAny>,
        }

        impl $rust {
            /// The API attributes, in API.md order.
            fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, ::pyo3::types::PyTuple>> {
                ::pyo3::types::PyTuple::new(py, [$(self.$field.bind(py)),+])
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

            fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: ::pyo3::basic::CompareOp) -> PyResult<Py<PyAny>> {
                let py = other.py();
                let Ok(other) = other.cast::<Self>() else {
                    // The public Python class compares by value with either backend's objects.
                    return Ok(py.NotImplemented());
                };
                let equal = self.values(py)?.eq(other.get().values(py)?)?;
                let answer = match op {
                    ::pyo3::basic::CompareOp::Eq => equal,
                    ::pyo3::basic::CompareOp::Ne => !equal,
                    _ => return Ok(py.NotImplemented()),
                };
                Ok(answer.into_pyobject(py)?.to_owned().into_any().unbind())
            }

            fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, ::pyo3::types::PyTuple>)> {
                let public = py.import(concat!("ssejet.", $dialect, "._models"))?.getattr($name)?;
                let state = ::pyo3::types::PyTuple::new(py, [$(self.$field.bind(py)),+, self.payload.bind(py)])?;
                let restore = $crate::python::dialect::restore(py)?;
                Ok((restore.clone(), ::pyo3::types::PyTuple::new(py, [public, state.into_any()])?))
            }

            /// The object as orjson parses it from the payload (a fresh dict).
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                $crate::python::dialect::payload_dict(py, &self.payload, $key)
            }

            $($extra)*

            #[getter]
            fn _payload(&self, py: Python<'_>) -> Py<PyAny> {
                self.payload.clone_ref(py)
            }

            /// What the SDK's model of this event gives for `model_dump(**kwargs)`.
            #[pyo3(signature = (**kwargs))]
            fn model_dump<'py>(slf: &Bound<'py, Self>, kwargs: Option<&Bound<'py, ::pyo3::types::PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                $crate::python::dialect::event_dump(slf.as_any(), $key, "model_dump", kwargs)
            }

            /// What the SDK's model of this event gives for `model_dump_json(**kwargs)`.
            #[pyo3(signature = (**kwargs))]
            fn model_dump_json<'py>(slf: &Bound<'py, Self>, kwargs: Option<&Bound<'py, ::pyo3::types::PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                $crate::python::dialect::event_dump(slf.as_any(), $key, "model_dump_json", kwargs)
            }

            /// The dialect whose SDK models `model_dump()` reproduces.
            #[getter]
            fn _sdk(&self) -> &'static str {
                $dialect
            }
        }
    };
}
pub(crate) use event_class;

/// `model_dump` / `model_dump_json` of an event (`key` None); a nested object (a delta) says
/// to dump its event, as a nested record does.
pub(super) fn event_dump<'py>(
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

/// Defines a dialect's decoder class: the core [`EventDecoder`] with the dialect's `RULES` (in
/// scope where it is used) and a `$builder` (its `BuildEvent`, made with `Default`).
macro_rules! event_decoder {
    ($rust:ident, $name:literal, $dialect:literal, $builder:ty) => {
        #[doc = concat!(
            "Incremental ", $dialect, " decoder: the compiled implementation behind `ssejet.",
            $dialect, ".EventDecoder`."
        )]
        #[pyclass(name = $name, module = "ssejet._ssejet")]
        pub struct $rust {
            decoder: $crate::dialect::EventDecoder,
            builder: $builder,
        }

        #[pymethods]
        impl $rust {
            #[new]
            fn new(max_event_size: usize) -> Self {
                Self {
                    decoder: $crate::dialect::EventDecoder::new(max_event_size, &RULES),
                    builder: <$builder>::default(),
                }
            }

            fn feed<'py>(
                &mut self,
                data: &Bound<'py, PyAny>,
            ) -> PyResult<Bound<'py, ::pyo3::types::PyList>> {
                $crate::python::dialect::feed(&mut self.decoder, &mut self.builder, data)
            }

            fn close<'py>(&mut self, py: Python<'py>) -> Bound<'py, ::pyo3::types::PyList> {
                self.decoder.close();
                ::pyo3::types::PyList::empty(py)
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
    };
}
pub(crate) use event_decoder;
