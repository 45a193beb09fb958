//! The core's errors. No PyO3 here: `rust/python/` maps each variant to the exception class
//! of the same name in `python/ssejet/_errors.py`, and the pure-Python twin raises those classes
//! with the same messages.

use std::fmt;

/// Everything the decoders can report about their input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// An event's counted bytes passed `max_event_size`. The event was skipped up to its blank
    /// line; every other event of the same `feed` was still decoded.
    EventTooLarge {
        /// The `max_event_size` in force.
        limit: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::EventTooLarge { limit } => {
                write!(f, "event exceeds max_event_size={limit} bytes")
            }
        }
    }
}

impl std::error::Error for Error {}
