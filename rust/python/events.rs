//! `ServerSentEvent` and the `SSEDecoder` implementation (layer 1).

use std::ops::ControlFlow;

use pyo3::basic::CompareOp;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyTuple, PyType};

use super::{decode, orjson_loads, python_class, with_bytes, TextCache};
use crate::error::Error;
use crate::sse::{EventRef, EventSink, SseDecoder};

static EVENT_TOO_LARGE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static PUBLIC_EVENT: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// One dispatched Server-Sent Event (the compiled twin of `ssejet.ServerSentEvent`).
#[pyclass(name = "ServerSentEvent", module = "ssejet._ssejet", frozen)]
pub struct PyServerSentEvent {
    #[pyo3(get)]
    event: Py<PyString>,
    #[pyo3(get)]
    data: Py<PyString>,
    #[pyo3(get)]
    id: Py<PyString>,
    #[pyo3(get)]
    retry: Option<u64>,
}

impl PyServerSentEvent {
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(
            py,
            [
                self.event.bind(py).as_any().clone(),
                self.data.bind(py).as_any().clone(),
                self.id.bind(py).as_any().clone(),
                self.retry.into_pyobject(py)?,
            ],
        )
    }
}

#[pymethods]
impl PyServerSentEvent {
    /// Parses `data` as JSON (with orjson).
    fn json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        orjson_loads(py)?.call1((self.data.bind(py),))
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let py = other.py();
        let Ok(other) = other.cast::<Self>() else {
            // Let Python try the other side: `ssejet.ServerSentEvent.__eq__` compares by value
            // with events of either backend.
            return Ok(py.NotImplemented());
        };
        let equal = self.fields(py)?.eq(other.get().fields(py)?)?;
        let answer = match op {
            CompareOp::Eq => equal,
            CompareOp::Ne => !equal,
            _ => return Ok(py.NotImplemented()),
        };
        Ok(answer.into_pyobject(py)?.to_owned().into_any().unbind())
    }

    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        // The hash of the same tuple the Python class hashes, so equal events hash alike.
        self.fields(py)?.hash()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "ServerSentEvent(event={}, data={}, id={}, retry={})",
            self.event.bind(py).repr()?,
            self.data.bind(py).repr()?,
            self.id.bind(py).repr()?,
            self.retry
                .map_or_else(|| "None".to_owned(), |ms| ms.to_string()),
        ))
    }

    /// Pickles (and copies) as the public Python class, which compares equal.
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let cls = python_class(py, &PUBLIC_EVENT, "ssejet._models", "ServerSentEvent")?;
        Ok((cls.clone(), self.fields(py)?))
    }
}

/// Turns the core's borrowed events into Python objects.
struct EventBuilder<'py, 'c> {
    py: Python<'py>,
    events: Vec<Py<PyAny>>,
    ids: &'c mut TextCache,
    types: &'c mut TextCache,
    error: Option<PyErr>,
}

impl EventBuilder<'_, '_> {
    fn build(&mut self, event: EventRef<'_>) -> PyResult<Py<PyAny>> {
        let py = self.py;
        let event_type = if event.event.is_empty() {
            intern!(py, "message").clone().unbind()
        } else {
            self.types.text(py, event.event)?
        };
        let event = PyServerSentEvent {
            event: event_type,
            data: decode(py, event.data)?.unbind(),
            id: self.ids.text(py, event.id)?,
            retry: event.retry,
        };
        Ok(Py::new(py, event)?.into_any())
    }
}

impl EventSink for EventBuilder<'_, '_> {
    fn event(&mut self, event: EventRef<'_>) -> ControlFlow<()> {
        match self.build(event) {
            Ok(event) => {
                self.events.push(event);
                ControlFlow::Continue(())
            }
            Err(error) => {
                self.error = Some(error); // only MemoryError and the like
                ControlFlow::Break(())
            }
        }
    }
}

/// `EventTooLargeError(message, limit=..., events|chunks=[...])`, from `ssejet._errors`.
pub(super) fn too_large_error(
    py: Python<'_>,
    error: &Error,
    field: &str,
    items: Bound<'_, PyList>,
) -> PyErr {
    let Error::EventTooLarge { limit } = error;
    let build = || -> PyResult<PyErr> {
        let cls = python_class(py, &EVENT_TOO_LARGE, "ssejet._errors", "EventTooLargeError")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item(intern!(py, "limit"), limit)?;
        kwargs.set_item(field, items)?;
        Ok(PyErr::from_value(
            cls.call((error.to_string(),), Some(&kwargs))?,
        ))
    };
    build().unwrap_or_else(|failure| failure)
}

/// Incremental SSE decoder (the compiled implementation behind `ssejet.SSEDecoder`).
#[pyclass(name = "SSEDecoder", module = "ssejet._ssejet")]
pub struct PySseDecoder {
    decoder: SseDecoder,
    ids: TextCache,
    types: TextCache,
}

#[pymethods]
impl PySseDecoder {
    #[new]
    fn new(max_event_size: usize) -> Self {
        Self {
            decoder: SseDecoder::new(max_event_size),
            ids: TextCache::default(),
            types: TextCache::default(),
        }
    }

    fn feed<'py>(&mut self, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let py = data.py();
        let mut sink = EventBuilder {
            py,
            events: Vec::new(),
            ids: &mut self.ids,
            types: &mut self.types,
            error: None,
        };
        let decoder = &mut self.decoder;
        let result = with_bytes(data, |bytes| decoder.feed(bytes, &mut sink))?;
        if let Some(error) = sink.error {
            return Err(error);
        }
        let events = PyList::new(py, sink.events)?;
        match result {
            Ok(()) => Ok(events),
            Err(error) => Err(too_large_error(py, &error, "events", events)),
        }
    }

    fn close<'py>(&mut self, py: Python<'py>) -> Bound<'py, PyList> {
        self.decoder.close();
        PyList::empty(py)
    }

    #[getter]
    fn last_event_id<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyString>> {
        decode(py, self.decoder.last_event_id())
    }

    #[getter]
    fn retry(&self) -> Option<u64> {
        self.decoder.retry()
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
    m.add_class::<PyServerSentEvent>()?;
    m.add_class::<PySseDecoder>()
}
