//! The Python bindings: the only module that uses PyO3.
//!
//! - `events`: `ServerSentEvent` and the `SSEDecoder` implementation (layer 1);
//! - `chunks`: the chunk classes, `ChunkDecoder` and `parse_chunk` (layer 2);
//! - `dialect`: what the named-event dialects' bindings share (layer 2b): feed, sink, records;
//! - `errors`: the stream errors, built alike for every decoder.
//!
//! Classes keep the names of the public API (`#[pyclass(name = ...)]`), so reprs and error
//! messages read the same whichever backend made them. Exceptions are the classes of
//! `ssejet._errors`, imported, never defined here, so `except` clauses work for both backends.
//! Each compiled class is registered with the public Python class of its name (an ABC), so
//! `isinstance` holds for both backends; pickling goes through the public classes.
//!
//! Text is created with CPython's own UTF-8 decoder in "replace" mode, straight from the
//! core's raw bytes: one pass over each string, and exactly the text the pure backend's
//! `bytes.decode("utf-8", "replace")` gives.

use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyMemoryView, PyString, PyType};

mod anthropic;
mod chunks;
mod dialect;
mod errors;
mod events;
mod responses;

static ORJSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `orjson.loads`: the JSON semantics both backends share.
fn orjson_loads(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    let loads = ORJSON_LOADS.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("orjson")?.getattr("loads")?.unbind())
    })?;
    Ok(loads.bind(py))
}

/// A class of `ssejet._errors` or `ssejet._models`, imported once.
fn python_class<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyType>>,
    module: &str,
    name: &str,
) -> PyResult<&'py Bound<'py, PyType>> {
    cell.import(py, module, name)
}

static SDK_DUMP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `model_dump` / `model_dump_json` of a chunk or a typed event: `ssejet._hooks.sdk_dump(obj,
/// method, kwargs)`, the hook the SDK bridge installs (the object's `_sdk` says which SDK).
pub(crate) fn sdk_dump<'py>(
    event: &Bound<'py, PyAny>,
    method: &str,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = event.py();
    let dump = SDK_DUMP.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("ssejet._hooks")?.getattr("sdk_dump")?.unbind())
    })?;
    let kwargs = match kwargs {
        Some(kwargs) => kwargs.clone(),
        None => PyDict::new(py),
    };
    dump.bind(py).call1((event, method, kwargs))
}

/// Decodes UTF-8 with U+FFFD replacement into a Python `str`, in one pass.
pub(crate) fn decode<'py>(py: Python<'py>, bytes: &[u8]) -> PyResult<Bound<'py, PyString>> {
    // A slice never holds more than isize::MAX bytes, so the length cast cannot wrap.
    let len = bytes.len() as ffi::Py_ssize_t;
    // SAFETY: the pointer and length describe a live slice; the error handler name is a
    // NUL-terminated static string; the result is a new reference or NULL with an exception set.
    unsafe {
        let text = ffi::PyUnicode_DecodeUTF8(bytes.as_ptr().cast(), len, c"replace".as_ptr());
        Ok(Bound::from_owned_ptr_or_err(py, text)?.cast_into_unchecked())
    }
}

/// The last text made from some bytes, reused while the bytes repeat (ids, event types).
#[derive(Default)]
pub(crate) struct TextCache {
    bytes: Vec<u8>,
    text: Option<Py<PyString>>,
}

impl TextCache {
    pub(crate) fn text(&mut self, py: Python<'_>, bytes: &[u8]) -> PyResult<Py<PyString>> {
        if let Some(text) = &self.text {
            if self.bytes == bytes {
                return Ok(text.clone_ref(py));
            }
        }
        let text = decode(py, bytes)?.unbind();
        self.bytes.clear();
        self.bytes.extend_from_slice(bytes);
        self.text = Some(text.clone_ref(py));
        Ok(text)
    }
}

/// Runs `f` on the bytes of a `feed()` argument: bytes, bytearray or memoryview.
pub(crate) fn with_bytes<R>(data: &Bound<'_, PyAny>, f: impl FnOnce(&[u8]) -> R) -> PyResult<R> {
    if let Ok(bytes) = data.cast::<PyBytes>() {
        return Ok(f(bytes.as_bytes()));
    }
    if let Ok(array) = data.cast::<PyByteArray>() {
        // A copy: building events runs Python code (the allocator, the GC) that could resize
        // the bytearray under a borrowed view.
        return Ok(f(&array.to_vec()));
    }
    if data.is_instance_of::<PyMemoryView>() {
        let bytes = data.py().get_type::<PyBytes>().call1((data,))?;
        return Ok(f(bytes.cast::<PyBytes>()?.as_bytes()));
    }
    Err(PyTypeError::new_err(format!(
        "feed() argument must be bytes, bytearray or memoryview, not {}",
        data.get_type().name()?
    )))
}

#[pymodule]
fn _ssejet(m: &Bound<'_, PyModule>) -> PyResult<()> {
    events::register(m)?;
    chunks::register(m)?;
    anthropic::register(m)?;
    responses::register(m)?;
    Ok(())
}
