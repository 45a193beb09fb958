//! What the dialect bindings share: the sink around a dialect's event builder, `feed` with its
//! errors, and records (the long tail of events and blocks).
//!
//! Each dialect binding (`anthropic.rs`, `responses.rs`) is a `#[pyclass]` holding a core
//! [`EventDecoder`] and a [`BuildEvent`] that makes its typed hot-path objects and records;
//! its `feed` is [`feed`]. Errors carry the events of their call in `.events`, as the pure
//! twin's (`python/ssejet/_pure/dialect.py`) do.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList};

use super::chunks::to_py;
use super::errors::{decode_error, stream_api_error};
use super::with_bytes;
use crate::dialect::{DialectSink, EventDecoder, EventError};
use crate::json::Value;
use crate::stream::ApiError;

static RECORD: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static SDK_DUMP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `model_dump` / `model_dump_json` of a typed event: `ssejet._models.sdk_dump(event, method,
/// kwargs)`, the hook the SDK bridge installs (the event's `_sdk` names its dialect).
pub(super) fn sdk_dump<'py>(
    event: &Bound<'py, PyAny>,
    method: &str,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = event.py();
    let dump = SDK_DUMP.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("ssejet._models")?.getattr("sdk_dump")?.unbind())
    })?;
    let kwargs = match kwargs {
        Some(kwargs) => kwargs.clone(),
        None => PyDict::new(py),
    };
    dump.bind(py).call1((event, method, kwargs))
}

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

/// `ssejet._records.Record(value as a dict, dialect, key)`: a read-only record of a parsed
/// object (a dict, or any JSON value for `key`'s sake: non-objects are returned as they are).
pub(super) fn record(
    py: Python<'_>,
    value: Value<'_>,
    dialect: &str,
    key: Option<&str>,
) -> PyResult<Py<PyAny>> {
    let record = RECORD.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("ssejet._records")?.getattr("Record")?.unbind())
    })?;
    let value = to_py(py, value)?;
    if !value.is_instance_of::<pyo3::types::PyDict>() {
        return Ok(value.unbind());
    }
    Ok(record.bind(py).call1((value, dialect, key))?.unbind())
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
    let events = PyList::new(py, sink.events)?;
    if let Some(error) = sink.error {
        // A terminal error wins over an oversize event of the same feed.
        error.value(py).setattr("events", events)?;
        return Err(error);
    }
    match result {
        Ok(()) => Ok(events),
        Err(error) => Err(super::events::too_large_error(py, &error, "events", events)),
    }
}
