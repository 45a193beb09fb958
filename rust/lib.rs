//! ssejet's core: Server-Sent Events framing for LLM streams, sans-IO and incremental.
//!
//! - [`lines`]: bytes to lines (CR, LF, CRLF, a leading BOM, lines split across feeds);
//! - [`sse`]: lines to events (the WHATWG field rules, `max_event_size`);
//! - [`stream`]: the rules every self-ending stream shares (`error` events, `[DONE]`, `done`);
//! - [`chat`]: event data to chat-completion chunks (validation, provider normalisations);
//! - [`dialect`]: the skeleton of the named-event dialects (payload `type`, records);
//! - [`anthropic`]: the Anthropic Messages dialect's rules (on the [`dialect`] skeleton);
//! - [`responses`]: the OpenAI Responses dialect's rules (on the [`dialect`] skeleton);
//! - [`json`]: a validating JSON parser with orjson's semantics, into a reusable tape;
//! - [`error`]: the errors the decoders report.
//!
//! Nothing here does I/O or touches Python; `rust/python/`, behind the `python` feature, is
//! the only code that uses PyO3. Each decoder module has a pure-Python twin under
//! `python/ssejet/_pure/` that behaves identically (the twin of [`json`] is `orjson.loads`), and
//! the Python test suite proves it on random input.

pub mod anthropic;
pub mod chat;
pub mod dialect;
pub mod error;
pub mod json;
pub mod lines;
pub mod responses;
pub mod sse;
pub mod stream;

#[cfg(test)]
mod testing;

pub use error::Error;
pub use sse::{Event, EventRef, EventSink, SseDecoder, DEFAULT_MAX_EVENT_SIZE};

#[cfg(feature = "python")]
mod python;
