//! The stream errors a decoder's feed raises, built the same way for every decoder: the
//! classes of `ssejet._errors`, imported once (never defined here, so `except` clauses work
//! for both backends).

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyType};

use super::chunks::to_py;
use super::{orjson_loads, python_class};
use crate::error::Error;
use crate::stream::ApiError;

static CHUNK_DECODE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static STREAM_API_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// `cls(message, **kwargs)` as the exception to raise (or the error that building it met).
fn raise(
    py: Python<'_>,
    cell: &'static PyOnceLock<Py<PyType>>,
    name: &str,
    message: &str,
    kwargs: &Bound<'_, PyDict>,
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let cls = python_class(py, cell, "ssejet._errors", name)?;
        Ok(PyErr::from_value(cls.call((message,), Some(kwargs))?))
    };
    build().unwrap_or_else(|failure| failure)
}

/// `StreamAPIError` for what a provider's error says; `data` is the event's data.
pub(super) fn stream_api_error(py: Python<'_>, error: ApiError<'_>, data: &str) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let kwargs = PyDict::new(py);
        let code = match error.code {
            Some(code) => to_py(py, code)?,
            None => py.None().into_bound(py),
        };
        kwargs.set_item("code", code)?;
        kwargs.set_item("type", error.kind)?;
        let body = match error.body {
            // The parsed payload, as orjson makes it (same values as the pure backend).
            Some(_) => orjson_loads(py)?.call1((data,))?,
            None => PyString::new(py, data).into_any(),
        };
        kwargs.set_item("body", body)?;
        Ok(raise(
            py,
            &STREAM_API_ERROR,
            "StreamAPIError",
            error.message,
            &kwargs,
        ))
    };
    build().unwrap_or_else(|failure| failure)
}

/// `ChunkDecodeError(message, data=data)`: `data` a `str` (or what `parse_chunk` was given).
pub(super) fn decode_error<'py>(
    py: Python<'py>,
    message: &str,
    data: impl IntoPyObject<'py>,
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("data", data)?;
        Ok(raise(
            py,
            &CHUNK_DECODE_ERROR,
            "ChunkDecodeError",
            message,
            &kwargs,
        ))
    };
    build().unwrap_or_else(|failure| failure)
}

/// What a self-ending decoder's `feed` returns or raises: the `items` it completed, or the
/// terminal error carrying them in `field` (it wins over an oversize event of the same feed),
/// or the oversize error carrying them.
pub(super) fn feed_outcome<'py>(
    py: Python<'py>,
    items: Vec<Py<PyAny>>,
    terminal: Option<PyErr>,
    framing: Result<(), Error>,
    field: &str,
) -> PyResult<Bound<'py, PyList>> {
    let items = PyList::new(py, items)?;
    if let Some(error) = terminal {
        error.value(py).setattr(field, items)?;
        return Err(error);
    }
    match framing {
        Ok(()) => Ok(items),
        Err(error) => Err(super::events::too_large_error(py, &error, field, items)),
    }
}
