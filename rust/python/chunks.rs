//! The chunk classes, `ChunkDecoder` and `parse_chunk` (layer 2).
//!
//! Object strategy (chosen by measurement, see the README's performance notes): eager, frozen
//! `#[pyclass]` objects holding Python values, built in the same pass that validates the
//! payload (`crate::chunk::read_chunk` drives a `ChunkBuilder`). Strings that repeat from chunk
//! to chunk (`id`, `object`, `model`, `service_tier`, `system_fingerprint`, `role`,
//! `finish_reason`, a tool call's `type`) and `created` are cached per decoder and shared, so a
//! typical content chunk makes five objects: the chunk, its `choices` list, the choice, the
//! delta and the content `str`. Fields the API does not model are never converted: `to_dict()`
//! and `Usage`'s extra attributes parse the kept payload again with orjson, which also makes
//! them identical to the pure backend by construction.

use std::borrow::Cow;

use pyo3::basic::CompareOp;
use pyo3::exceptions::{PyAttributeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyMemoryView, PyString, PyTuple};

use super::errors::{decode_error, feed_outcome, stream_api_error};
use super::sdk_dump;
use super::{orjson_loads, with_bytes, TextCache};
use crate::chat::{
    decode_payload, ApiError, ChunkBuilder, ChunkDecoder, ChunkSink, DeltaFields, Header, Index,
    ToolCallFields, UsageFields, INVALID_JSON,
};
use crate::json::{Kind, Tape, Value};

static RESTORE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `ssejet._models._restore`, which unpickles a record as the public Python class.
fn restore(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    let restore = RESTORE.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("ssejet._models")?.getattr("_restore")?.unbind())
    })?;
    Ok(restore.bind(py))
}

/// Defines a frozen record class: getters, repr, equality by value, pickling through the
/// public class, and the extra `#[pymethods]` given.
macro_rules! record {
    (
        $rust:ident, $name:literal, [$($field:ident = $py_name:literal),+ $(,)?]
        $(, state: $($state:ident),+)?
        { $($extra:tt)* }
    ) => {
        #[doc = concat!("The compiled twin of `ssejet.", $name, "`.")]
        #[pyclass(name = $name, module = "ssejet._ssejet", frozen)]
        pub struct $rust {
            $(#[pyo3(get, name = $py_name)] $field: Py<PyAny>,)+
            $($($state: Py<PyAny>,)+)?
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
                let public = py.import("ssejet._models")?.getattr($name)?;
                #[allow(unused_mut)] // extended when the class has a private state slot
                let mut state: Vec<Bound<'py, PyAny>> = vec![$(self.$field.bind(py).clone()),+];
                $($(state.push(self.state_value(py, &self.$state)?);)+)?
                Ok((restore(py)?.clone(), PyTuple::new(py, [public, PyTuple::new(py, state)?.into_any()])?))
            }

            $($extra)*
        }
    };
}

record!(PyFunctionDelta, "FunctionDelta", [name = "name", arguments = "arguments"] {
    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        self.values(py)?.hash()
    }
});

record!(PyToolCallDelta, "ToolCallDelta", [index = "index", id = "id", kind = "type", function = "function"] {
    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        self.values(py)?.hash()
    }
});

record!(PyDelta, "Delta", [
    role = "role", content = "content", reasoning_content = "reasoning_content",
    refusal = "refusal", tool_calls = "tool_calls",
] {});

record!(PyChoice, "Choice", [
    index = "index", delta = "delta", finish_reason = "finish_reason", logprobs = "logprobs",
] {});

record!(PyUsage, "Usage", [
    prompt_tokens = "prompt_tokens", completion_tokens = "completion_tokens",
    total_tokens = "total_tokens", prompt_tokens_details = "prompt_tokens_details",
    completion_tokens_details = "completion_tokens_details",
], state: source {
    /// The provider's usage object as sent (a fresh dict), unknown fields included.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (payload, path) = self.source.bind(py).extract::<(Bound<'py, PyAny>, String)>()?;
        let mut value = orjson_loads(py)?.call1((payload,))?;
        for key in path.split('.') {
            value = value.get_item(key)?;
        }
        Ok(value)
    }

    fn __getattr__<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        // Only reached when no attribute has that name: the provider's extra usage fields.
        if !name.starts_with('_') {
            if let Ok(raw) = self.to_dict(py)?.cast_into::<PyDict>() {
                if let Some(value) = raw.get_item(name)? {
                    return Ok(value);
                }
            }
        }
        Err(PyAttributeError::new_err(format!("'Usage' object has no attribute '{name}'")))
    }
});

impl PyUsage {
    /// The pure class keeps the raw usage dict in its last slot.
    fn state_value<'py>(&self, py: Python<'py>, _: &Py<PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.to_dict(py)
    }
}

record!(PyChatCompletionChunk, "ChatCompletionChunk", [
    id = "id", object = "object", created = "created", model = "model",
    service_tier = "service_tier", system_fingerprint = "system_fingerprint",
    choices = "choices", usage = "usage",
], state: payload, sdk {
    /// The chunk's whole JSON payload as a fresh dict (`orjson.loads` of the original text).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        orjson_loads(py)?.call1((self.payload.bind(py),))
    }

    /// What the SDK's `ChatCompletionChunk.model_dump(**kwargs)` gives (the bridge the SDK
    /// integration installs into `ssejet._models`).
    #[pyo3(signature = (**kwargs))]
    fn model_dump<'py>(
        slf: &Bound<'py, Self>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        sdk_dump(slf.as_any(), "model_dump", kwargs)
    }

    /// What the SDK's `ChatCompletionChunk.model_dump_json(**kwargs)` gives.
    #[pyo3(signature = (**kwargs))]
    fn model_dump_json<'py>(
        slf: &Bound<'py, Self>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        sdk_dump(slf.as_any(), "model_dump_json", kwargs)
    }

    /// The SDK whose models `model_dump()` reproduces, or None (the pure class's slot).
    #[getter]
    fn _sdk(&self, py: Python<'_>) -> Py<PyAny> {
        self.sdk.clone_ref(py)
    }
});

impl PyChatCompletionChunk {
    /// The private slots (`_payload`, `_sdk`) are pickled as they are.
    fn state_value<'py>(&self, py: Python<'py>, slot: &Py<PyAny>) -> PyResult<Bound<'py, PyAny>> {
        Ok(slot.bind(py).clone())
    }
}

/// A JSON value as the Python value orjson would make of it.
pub(super) fn to_py<'py>(py: Python<'py>, value: Value<'_>) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value.kind() {
        Kind::Null => py.None().into_bound(py),
        Kind::Bool => value
            .as_bool()
            .unwrap_or_default()
            .into_pyobject(py)?
            .to_owned()
            .into_any(),
        Kind::Int => match value.as_i64() {
            Some(int) => int.into_pyobject(py)?.into_any(),
            None => value
                .as_u64()
                .unwrap_or_default()
                .into_pyobject(py)?
                .into_any(),
        },
        Kind::Float => value
            .as_f64()
            .unwrap_or_default()
            .into_pyobject(py)?
            .into_any(),
        Kind::String => PyString::new(py, value.as_str().unwrap_or_default()).into_any(),
        Kind::Array => {
            let items = value
                .items()
                .map(|item| to_py(py, item))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        Kind::Object => {
            // In document order: a duplicate key keeps its first position and its last value,
            // as in orjson's dict.
            let dict = PyDict::new(py);
            for (key, item) in value.entries() {
                dict.set_item(key, to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// Strings and numbers that repeat from chunk to chunk, shared instead of made again.
#[derive(Default)]
struct Caches {
    id: TextCache,
    object: TextCache,
    model: TextCache,
    service_tier: TextCache,
    system_fingerprint: TextCache,
    role: TextCache,
    finish_reason: TextCache,
    tool_type: TextCache,
    created: Option<(i64, Py<PyAny>)>,
    empty_delta: Option<Py<PyAny>>,
    /// The decoder's `sdk` (None when it has none), shared by its chunks.
    sdk: Option<Py<PyAny>>,
}

/// Builds Python objects from checked pieces, and collects the chunks and the terminal error.
struct Builder<'py, 'c> {
    py: Python<'py>,
    caches: &'c mut Caches,
    payload: Option<Py<PyAny>>,
    chunks: Vec<Py<PyAny>>,
    error: Option<PyErr>,
}

impl<'py, 'c> Builder<'py, 'c> {
    fn new(py: Python<'py>, caches: &'c mut Caches) -> Self {
        Self {
            py,
            caches,
            payload: None,
            chunks: Vec::new(),
            error: None,
        }
    }

    fn none(&self) -> Py<PyAny> {
        self.py.None()
    }

    fn cached(py: Python<'_>, cache: &mut TextCache, text: Option<&str>) -> PyResult<Py<PyAny>> {
        match text {
            Some(text) => Ok(cache.text(py, text.as_bytes())?.into_any()),
            None => Ok(py.None()),
        }
    }

    fn text(&self, text: Option<&str>) -> Py<PyAny> {
        text.map_or_else(
            || self.none(),
            |t| PyString::new(self.py, t).into_any().unbind(),
        )
    }

    fn value(&self, value: Option<Value<'_>>) -> PyResult<Py<PyAny>> {
        Ok(match value {
            Some(value) => to_py(self.py, value)?.unbind(),
            None => self.none(),
        })
    }

    fn index(&self, index: Index<'_>) -> PyResult<Py<PyAny>> {
        match index {
            Index::Sent(value) => self.value(Some(value)),
            Index::Position(i) => Ok(i.into_pyobject(self.py)?.into_any().unbind()),
        }
    }

    fn payload_object(&self) -> Py<PyAny> {
        self.payload
            .as_ref()
            .map_or_else(|| self.none(), |p| p.clone_ref(self.py))
    }
}

impl ChunkBuilder for Builder<'_, '_> {
    type Error = PyErr;
    type ToolCall = Py<PyAny>;
    type Delta = Py<PyAny>;
    type Choice = Py<PyAny>;
    type Usage = Py<PyAny>;
    type Chunk = Py<PyAny>;

    fn tool_call(&mut self, call: ToolCallFields<'_>) -> PyResult<Py<PyAny>> {
        let py = self.py;
        let function = match call.function {
            Some((name, arguments)) => {
                let function = PyFunctionDelta {
                    name: self.text(name),
                    arguments: self.text(arguments),
                };
                Py::new(py, function)?.into_any()
            }
            None => self.none(),
        };
        let call = PyToolCallDelta {
            index: self.index(call.index)?,
            id: self.text(call.id),
            kind: Self::cached(py, &mut self.caches.tool_type, call.kind)?,
            function,
        };
        Ok(Py::new(py, call)?.into_any())
    }

    fn delta(
        &mut self,
        delta: DeltaFields<'_>,
        calls: Option<Vec<Py<PyAny>>>,
    ) -> PyResult<Py<PyAny>> {
        let py = self.py;
        let tool_calls = match calls {
            Some(calls) => PyList::new(py, calls)?.into_any().unbind(),
            None => self.none(),
        };
        let delta = PyDelta {
            role: Self::cached(py, &mut self.caches.role, delta.role)?,
            content: self.text(delta.content.as_deref()),
            reasoning_content: self.text(delta.reasoning_content.as_deref()),
            refusal: self.text(delta.refusal),
            tool_calls,
        };
        Ok(Py::new(py, delta)?.into_any())
    }

    fn empty_delta(&mut self) -> PyResult<Py<PyAny>> {
        if let Some(delta) = &self.caches.empty_delta {
            return Ok(delta.clone_ref(self.py)); // read-only, so shareable
        }
        let none = || self.none();
        let delta = PyDelta {
            role: none(),
            content: none(),
            reasoning_content: none(),
            refusal: none(),
            tool_calls: none(),
        };
        let delta = Py::new(self.py, delta)?.into_any();
        self.caches.empty_delta = Some(delta.clone_ref(self.py));
        Ok(delta)
    }

    fn choice(
        &mut self,
        index: Index<'_>,
        delta: Py<PyAny>,
        finish_reason: Option<&str>,
        logprobs: Option<Value<'_>>,
    ) -> PyResult<Py<PyAny>> {
        let choice = PyChoice {
            index: self.index(index)?,
            delta,
            finish_reason: Self::cached(self.py, &mut self.caches.finish_reason, finish_reason)?,
            logprobs: self.value(logprobs)?,
        };
        Ok(Py::new(self.py, choice)?.into_any())
    }

    fn usage(&mut self, usage: UsageFields<'_>) -> PyResult<Py<PyAny>> {
        let py = self.py;
        let source = (self.payload_object(), usage.path)
            .into_pyobject(py)?
            .into_any()
            .unbind();
        let usage = PyUsage {
            prompt_tokens: self.value(usage.prompt_tokens)?,
            completion_tokens: self.value(usage.completion_tokens)?,
            total_tokens: self.value(usage.total_tokens)?,
            prompt_tokens_details: self.value(usage.prompt_tokens_details)?,
            completion_tokens_details: self.value(usage.completion_tokens_details)?,
            source,
        };
        Ok(Py::new(py, usage)?.into_any())
    }

    fn chunk(
        &mut self,
        header: Header<'_>,
        choices: Vec<Py<PyAny>>,
        usage: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let py = self.py;
        let caches = &mut *self.caches;
        let created = match header.created {
            None => py.None(),
            Some(value) => match (value.as_i64(), &caches.created) {
                (Some(int), Some((last, obj))) if int == *last => obj.clone_ref(py),
                (Some(int), _) => {
                    let obj = int.into_pyobject(py)?.into_any().unbind();
                    caches.created = Some((int, obj.clone_ref(py)));
                    obj
                }
                (None, _) => to_py(py, value)?.unbind(),
            },
        };
        let chunk = PyChatCompletionChunk {
            id: Self::cached(py, &mut caches.id, header.id)?,
            object: Self::cached(py, &mut caches.object, header.object)?,
            created,
            model: Self::cached(py, &mut caches.model, header.model)?,
            service_tier: Self::cached(py, &mut caches.service_tier, header.service_tier)?,
            system_fingerprint: Self::cached(
                py,
                &mut caches.system_fingerprint,
                header.system_fingerprint,
            )?,
            choices: PyList::new(py, choices)?.into_any().unbind(),
            usage: usage.unwrap_or_else(|| py.None()),
            sdk: caches
                .sdk
                .as_ref()
                .map_or_else(|| py.None(), |sdk| sdk.clone_ref(py)),
            payload: self.payload_object(),
        };
        Ok(Py::new(py, chunk)?.into_any())
    }
}

impl ChunkSink for Builder<'_, '_> {
    fn payload(&mut self, payload: &[u8]) {
        self.payload = Some(PyBytes::new(self.py, payload).into_any().unbind());
    }

    fn push(&mut self, chunk: Py<PyAny>) {
        self.chunks.push(chunk);
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

/// Incremental chunk decoder (the compiled implementation behind `ssejet.ChunkDecoder`).
#[pyclass(name = "ChunkDecoder", module = "ssejet._ssejet")]
pub struct PyChunkDecoder {
    decoder: ChunkDecoder,
    caches: Caches,
}

#[pymethods]
impl PyChunkDecoder {
    #[new]
    #[pyo3(signature = (max_event_size, sdk=None))]
    fn new(max_event_size: usize, sdk: Option<Py<PyAny>>) -> Self {
        Self {
            decoder: ChunkDecoder::new(max_event_size),
            caches: Caches {
                sdk,
                ..Caches::default()
            },
        }
    }

    fn feed<'py>(&mut self, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let py = data.py();
        let mut sink = Builder::new(py, &mut self.caches);
        let decoder = &mut self.decoder;
        let result = with_bytes(data, |bytes| decoder.feed(bytes, &mut sink))?;
        feed_outcome(py, sink.chunks, sink.error, result, "chunks")
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

/// One payload to its chunk: what `ChunkDecoder` gives for an event with this data.
#[pyfunction]
fn parse_chunk<'py>(data: &Bound<'py, PyAny>) -> PyResult<Py<PyAny>> {
    let py = data.py();
    let mut caches = Caches::default();
    let mut sink = Builder::new(py, &mut caches);
    let mut tape = Tape::new();
    let text;
    let bytes: Cow<'_, [u8]> = if data.is_exact_instance_of::<PyString>() {
        match data.cast::<PyString>()?.to_cow() {
            Ok(utf8) => {
                text = utf8;
                Cow::Borrowed(text.as_bytes())
            }
            Err(_) => {
                // A str orjson cannot encode as UTF-8 (lone surrogates): invalid JSON.
                return Err(decode_error(py, INVALID_JSON, data));
            }
        }
    } else if let Ok(bytes) = data.cast::<PyBytes>() {
        Cow::Borrowed(bytes.as_bytes())
    } else if let Ok(array) = data.cast::<PyByteArray>() {
        Cow::Owned(array.to_vec())
    } else if data.is_instance_of::<PyMemoryView>() {
        let bytes = py.get_type::<PyBytes>().call1((data,))?;
        Cow::Owned(bytes.cast::<PyBytes>()?.as_bytes().to_vec())
    } else {
        return Err(PyTypeError::new_err(format!(
            "parse_chunk() argument must be str or bytes, not {}",
            data.get_type().name()?
        )));
    };
    let _ = decode_payload(&mut tape, &bytes, &mut sink);
    if let Some(error) = sink.error {
        return Err(error);
    }
    sink.chunks
        .pop()
        .ok_or_else(|| PyTypeError::new_err("parse_chunk() produced no chunk"))
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyFunctionDelta>()?;
    m.add_class::<PyToolCallDelta>()?;
    m.add_class::<PyDelta>()?;
    m.add_class::<PyChoice>()?;
    m.add_class::<PyUsage>()?;
    m.add_class::<PyChatCompletionChunk>()?;
    m.add_class::<PyChunkDecoder>()?;
    m.add_function(wrap_pyfunction!(parse_chunk, m)?)
}
