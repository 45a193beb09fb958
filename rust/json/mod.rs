//! A validating JSON parser with orjson 3.13's exact semantics, into a reusable tape.
//!
//! The pure-Python twin of ssejet parses the same payloads with `orjson.loads`, so this parser
//! accepts and rejects exactly the inputs orjson does and yields the same values:
//!
//! - the input must be valid UTF-8 everywhere (including inside strings; encoded surrogates are
//!   invalid UTF-8 and so rejected);
//! - whitespace between tokens is space, tab, LF and CR only; empty or whitespace-only input and
//!   anything after the document are errors (a leading BOM is an error too);
//! - `true`, `false`, `null` exactly; no `NaN` / `Infinity`;
//! - numbers follow RFC 8259 strictly. An integer literal that fits `i64` is an `i64`, else one
//!   that fits `u64` is a `u64` (`-0` is the integer 0); any other integer literal, and any
//!   literal with a fraction or exponent, is the correctly rounded `f64`. A number that rounds
//!   to infinity is an error; one that underflows is `0.0` (or `-0.0`);
//! - strings reject raw U+0000..U+001F, accept only the escapes `\" \\ \/ \b \f \n \r \t \uXXXX`,
//!   and require every `\uD800`-`\uDBFF` to be followed at once by a `\uDC00`-`\uDFFF` escape
//!   (they combine); a lone surrogate escape of either half is an error. `\u0000` is allowed;
//! - duplicate object keys are allowed: [`Value::get`] returns the last value, as orjson's dict
//!   keeps it (the Python dict keeps the *first* occurrence's position; [`Value::entries`] yields
//!   every entry in document order, so a converter inserting them in order gets both right);
//! - at most [`MAX_DEPTH`] (1024) nested arrays/objects.
//!
//! The parser is iterative (an explicit stack of open containers), so nesting never touches
//! the Rust stack, and it never panics on any input: every input-derived position is read
//! through bounds-checked accessors (`get`), and failures are returned as [`JsonError`].
//!
//! # Tape
//!
//! [`Tape::parse`] fills a flat `Vec` of 16-byte nodes in document order (a container's node
//! comes before its children, an object's children alternate key, value) and returns the root
//! [`Value`], a `Copy` handle into the tape. Each container node stores the index just past its
//! last descendant, so skipping a child is O(1). Strings without escapes are borrowed from the
//! input; strings with escapes are unescaped into one `String` buffer owned by the tape. The
//! node vector, the unescape buffer and the container stack keep their capacity across parses,
//! so parsing many small documents with one `Tape` does not allocate once warmed up.
//!
//! ```
//! use _ssejet::json::{Kind, Tape};
//!
//! let mut tape = Tape::new();
//! let root = tape.parse_bytes(br#"{"choices":[{"delta":{"content":"\u4f60\u597d"}}]}"#).unwrap();
//! let choice = root.get("choices").unwrap().items().next().unwrap();
//! assert_eq!(choice.get("delta").unwrap().get("content").unwrap().as_str(), Some("你好"));
//! assert_eq!(root.kind(), Kind::Object);
//! ```
//!
//! # Files
//!
//! Split by concern, as jiter splits its parser:
//!
//! - `tape.rs`: the nodes, [`Tape`] and the [`Value`] handles that read it;
//! - `parse.rs`: the iterative parser (the grammar between tokens), [`JsonError`], [`MAX_DEPTH`];
//! - `string.rs`: strings (scanning, unescaping) and the UTF-8 check;
//! - `number.rs`: numbers (integers, Clinger's fast path, correctly rounded floats).

mod number;
mod parse;
mod string;
mod tape;

pub use parse::{JsonError, MAX_DEPTH};
pub use tape::{Entries, Items, Kind, Tape, Value};

#[cfg(test)]
mod tests;
