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

use std::fmt;

/// The deepest nesting of arrays and objects accepted (orjson's limit): 1024 nested
/// containers parse, 1025 are an error.
pub const MAX_DEPTH: usize = 1024;

/// Why and where a document was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonError {
    offset: usize,
    message: &'static str,
}

impl JsonError {
    #[cold]
    fn new(offset: usize, message: &'static str) -> Self {
        JsonError { offset, message }
    }

    /// The byte offset in the input where the problem was found.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// A short lower-case description, such as `"unexpected character"`.
    pub fn message(&self) -> &'static str {
        self.message
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid json at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for JsonError {}

/// The type of a JSON value, as orjson maps it to Python.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `null` (Python `None`).
    Null,
    /// `true` / `false`.
    Bool,
    /// An exact integer: an integer literal that fits `i64` or `u64` (Python `int`).
    Int,
    /// An `f64`: a literal with a fraction or exponent, or an integer literal outside the
    /// `i64`/`u64` ranges (Python `float`).
    Float,
    /// A string.
    String,
    /// An array (Python `list`).
    Array,
    /// An object (Python `dict`).
    Object,
}

impl Kind {
    /// The kind's name: `"null"`, `"boolean"`, `"integer"`, `"float"`, `"string"`, `"array"`
    /// or `"object"`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "boolean",
            Kind::Int => "integer",
            Kind::Float => "float",
            Kind::String => "string",
            Kind::Array => "array",
            Kind::Object => "object",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Nodes
// ---------------------------------------------------------------------------------------------

// A node's tag lives in the low `TAG_BITS` bits of `Node::b`; the rest of `b` is a payload.
const TAG_BITS: u32 = 4;
const TAG_MASK: u64 = (1 << TAG_BITS) - 1;

const T_NULL: u64 = 0;
const T_FALSE: u64 = 1;
const T_TRUE: u64 = 2;
/// `a` is the `i64`'s bits.
const T_I64: u64 = 3;
/// `a` is a `u64` greater than `i64::MAX`.
const T_U64: u64 = 4;
/// `a` is the `f64`'s bits.
const T_F64: u64 = 5;
/// `a` is the byte offset in the input, payload the byte length.
const T_STR_IN: u64 = 6;
/// `a` is the byte offset in the tape's unescape buffer, payload the byte length.
const T_STR_BUF: u64 = 7;
/// `a` is the index just past the last descendant, payload the number of items.
const T_ARRAY: u64 = 8;
/// `a` is the index just past the last descendant, payload the number of entries.
const T_OBJECT: u64 = 9;

/// One tape slot: 16 bytes, `a` a 64-bit datum and `b` = payload << `TAG_BITS` | tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Node {
    a: u64,
    b: u64,
}

impl Node {
    const NULL: Node = Node { a: 0, b: T_NULL };

    #[inline(always)]
    fn new(tag: u64, a: u64, payload: usize) -> Node {
        Node {
            a,
            b: ((payload as u64) << TAG_BITS) | tag,
        }
    }

    #[inline(always)]
    fn tag(self) -> u64 {
        self.b & TAG_MASK
    }

    #[inline(always)]
    fn payload(self) -> usize {
        (self.b >> TAG_BITS) as usize
    }
}

/// A container being parsed. The innermost one lives in a local of the parse loop; its
/// ancestors wait on `Tape::stack`.
#[derive(Debug, Clone, Copy)]
struct Frame {
    /// The container's node index, or `usize::MAX` for the top level (no container).
    idx: usize,
    /// Items (or entries) completed so far.
    count: usize,
    /// An object (else an array).
    object: bool,
}

impl Frame {
    const TOP: Frame = Frame {
        idx: usize::MAX,
        count: 0,
        object: false,
    };
}

// ---------------------------------------------------------------------------------------------
// Tape
// ---------------------------------------------------------------------------------------------

/// A reusable parse buffer. Parse a document with [`Tape::parse`] or [`Tape::parse_bytes`] and
/// read it through the returned [`Value`]; the next parse reuses every buffer's capacity, so a
/// warmed-up tape parses without allocating.
#[derive(Debug, Default, Clone)]
pub struct Tape {
    nodes: Vec<Node>,
    /// The unescaped contents of every string that had escapes, one after the other.
    buf: String,
    /// The open containers around the innermost one.
    stack: Vec<Frame>,
}

impl Tape {
    /// An empty tape. Buffers grow on first use and are then kept.
    pub fn new() -> Self {
        Tape::default()
    }

    /// Parses `input` (already known to be UTF-8, so not validated again) and returns the root
    /// value. The value borrows both the tape and the input.
    pub fn parse<'t>(&'t mut self, input: &'t str) -> Result<Value<'t>, JsonError> {
        self.nodes.clear();
        self.buf.clear();
        self.stack.clear();
        let mut p = Parser {
            b: input.as_bytes(),
            s: input,
            nodes: &mut self.nodes,
            buf: &mut self.buf,
            stack: &mut self.stack,
        };
        p.document()?;
        Ok(Value {
            tape: self,
            input,
            idx: 0,
        })
    }

    /// Parses `input`, which must be valid UTF-8 everywhere, strings included (as in orjson;
    /// invalid UTF-8 is an error at the offset of the first invalid sequence), and returns the
    /// root value like [`Tape::parse`].
    ///
    /// Like orjson, it checks the whole input first (with `simdutf8`), then parses the text.
    /// That measured faster than checking only the strings that contain non-ASCII bytes during
    /// the parse: the SIMD check of a whole 270-byte chunk costs less than a scalar check of
    /// its short strings, and the parse then tracks no ASCII-ness at all.
    pub fn parse_bytes<'t>(&'t mut self, input: &'t [u8]) -> Result<Value<'t>, JsonError> {
        match utf8(input) {
            Ok(text) => self.parse(text),
            Err(offset) => fail(offset, ERR_UTF8),
        }
    }
}

/// `bytes` as text if they are UTF-8, else the offset of their first invalid sequence (as
/// `std::str::from_utf8` reports it).
#[inline]
fn utf8(bytes: &[u8]) -> Result<&str, usize> {
    // SIMD (AVX2 or SSE4.2, picked at run time; std below 64 bytes). std only places an error.
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(_) => Err(utf8_error(bytes)),
    }
}

#[cold]
#[inline(never)]
fn utf8_error(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) => e.valid_up_to(),
    }
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

type Res<T> = Result<T, JsonError>;

const ERR_EOF: &str = "unexpected end of data";
const ERR_VALUE: &str = "unexpected character, expected a value";
const ERR_UTF8: &str = "invalid utf-8";

#[cold]
#[inline(never)]
fn fail<T>(offset: usize, message: &'static str) -> Res<T> {
    Err(JsonError::new(offset, message))
}

/// One parse: the input (as text and as its bytes) and the tape's buffers it fills.
struct Parser<'a> {
    b: &'a [u8],
    /// The input as text; `b` is its bytes.
    s: &'a str,
    nodes: &'a mut Vec<Node>,
    buf: &'a mut String,
    stack: &'a mut Vec<Frame>,
}

/// Skips whitespace from `pos`; returns the position of the next byte and that byte, or
/// `(b.len(), 0)` at the end of the input (a NUL byte is never valid there either; errors
/// tell the two apart by the position).
#[inline(always)]
fn next_token(b: &[u8], pos: usize) -> (usize, u8) {
    match b.get(pos) {
        Some(&c) if c > b' ' => (pos, c),
        _ => next_token_ws(b, pos),
    }
}

#[inline(never)]
fn next_token_ws(b: &[u8], mut pos: usize) -> (usize, u8) {
    loop {
        match b.get(pos) {
            Some(b' ' | b'\t' | b'\n' | b'\r') => pos += 1,
            Some(&c) => return (pos, c),
            None => return (pos, 0),
        }
    }
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// For 8 input bytes (little-endian), a mask whose lowest set bit (if any) is the high bit of
/// the first byte that is `"`, `\` or below 0x20. (Higher set bits may be false positives from
/// borrows, which is why only the lowest one is used.) Bytes >= 0x80 never match.
#[inline(always)]
fn special_mask(w: u64) -> u64 {
    let q = w ^ (LO * b'"' as u64);
    let s = w ^ (LO * b'\\' as u64);
    let quote = q.wrapping_sub(LO) & !q;
    let backslash = s.wrapping_sub(LO) & !s;
    let control = w.wrapping_sub(LO * 0x20) & !w;
    (quote | backslash | control) & HI
}

/// For 16 bytes, a mask whose bit k is set if byte k is `"`, `\` or below 0x20 (only the
/// lowest set bit is guaranteed exact).
#[inline(always)]
fn special16(chunk: &[u8; 16]) -> u32 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        // SAFETY: `special16_sse2` needs only SSE2, which this build enables for every
        // function (the `cfg` above). It reads nothing but its argument.
        unsafe { special16_sse2(chunk) }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        let (lo, hi) = chunk.split_at(8);
        let lo = special_mask(u64::from_le_bytes(lo.try_into().unwrap_or([0; 8])));
        let hi = special_mask(u64::from_le_bytes(hi.try_into().unwrap_or([0; 8])));
        if lo != 0 {
            1 << (lo.trailing_zeros() / 8)
        } else if hi != 0 {
            1 << (8 + hi.trailing_zeros() / 8)
        } else {
            0
        }
    }
}

/// [`special16`] in SSE2: 16 compares at once and a movemask, where the portable version
/// needs two SWAR rounds and a bit scan (18% more instructions on a 270-byte chunk).
///
/// # Safety
///
/// The CPU must have SSE2. (An `unsafe fn`, not a safe `#[target_feature]` one, so that the
/// crate still builds with Rust 1.80, its `rust-version`.)
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
unsafe fn special16_sse2(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::*;
    let (lo, hi) = chunk.split_at(8);
    let lo = u64::from_le_bytes(lo.try_into().unwrap_or([0; 8]));
    let hi = u64::from_le_bytes(hi.try_into().unwrap_or([0; 8]));
    let v = _mm_set_epi64x(hi as i64, lo as i64);
    let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
    let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
    // Unsigned v <= 0x1f exactly when min(v, 0x1f) == v.
    let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
    let special = _mm_or_si128(_mm_or_si128(quote, backslash), control);
    _mm_movemask_epi8(special) as u32
}

/// From `i` (inside a string), the index of the first `"`, `\` or control byte, or `b.len()`.
#[inline(always)]
fn scan_string(b: &[u8], mut i: usize) -> usize {
    // 16 bytes a round: most keys and short values end in the first round, so the loop exit
    // is well predicted.
    while let Some(chunk) = b.get(i..).and_then(|t| t.first_chunk::<16>()) {
        let special = special16(chunk);
        if special != 0 {
            return i + special.trailing_zeros() as usize;
        }
        i += 16;
    }
    if let Some(chunk) = b.get(i..).and_then(|t| t.first_chunk::<8>()) {
        let m = special_mask(u64::from_le_bytes(*chunk));
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

/// The value of 4 hex digits at `b[i..i + 4]`, if they are there and all hex.
#[inline]
fn hex4(b: &[u8], i: usize) -> Option<u32> {
    let h = b.get(i..i.checked_add(4)?)?;
    let mut v = 0u32;
    for &c in h {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => return None,
        };
        v = (v << 4) | d as u32;
    }
    Some(v)
}

/// Powers of ten exactly representable as `f64` (Clinger's fast path).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

impl<'a> Parser<'a> {
    /// An error at `pos`: "unexpected end of data" if `pos` is the end, else `message`.
    #[cold]
    #[inline(never)]
    fn unexpected<T>(&self, pos: usize, message: &'static str) -> Res<T> {
        fail(
            pos,
            if pos >= self.b.len() {
                ERR_EOF
            } else {
                message
            },
        )
    }

    /// `b[start..end]` as text.
    #[inline]
    fn text(&self, start: usize, end: usize) -> Res<&'a str> {
        match self.s.get(start..end) {
            Some(t) => Ok(t),
            // Unreachable: callers cut at ASCII bytes, which are char boundaries.
            None => fail(start, ERR_UTF8),
        }
    }

    /// The whole document: one value, then only whitespace.
    fn document(&mut self) -> Res<()> {
        let b = self.b;
        if b.is_empty() {
            return fail(0, "empty document");
        }
        let mut pos = self.values()?;
        while let Some(&c) = b.get(pos) {
            if !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                return fail(pos, "unexpected content after document");
            }
            pos += 1;
        }
        Ok(())
    }

    /// Parses one value, containers included, iteratively; returns the position after it.
    #[inline(always)]
    fn values(&mut self) -> Res<usize> {
        let b = self.b;
        let mut pos = 0;
        let mut cur = Frame::TOP;
        'value: loop {
            let (p, c) = next_token(b, pos);
            pos = p;
            match c {
                b'"' => pos = self.string(pos + 1)?,
                b'{' | b'[' => {
                    if self.stack.len() >= MAX_DEPTH {
                        return fail(pos, "depth limit exceeded");
                    }
                    let object = c == b'{';
                    self.stack.push(cur);
                    cur = Frame {
                        idx: self.nodes.len(),
                        count: 0,
                        object,
                    };
                    let tag = if object { T_OBJECT } else { T_ARRAY };
                    self.nodes.push(Node::new(tag, 0, 0));
                    let (p, c) = next_token(b, pos + 1);
                    pos = p;
                    if c == if object { b'}' } else { b']' } {
                        pos += 1;
                        self.close(&mut cur);
                    } else if object {
                        pos = self.key(pos, c)?;
                        continue 'value;
                    } else {
                        continue 'value;
                    }
                }
                b'-' | b'0'..=b'9' => pos = self.number(pos)?,
                b't' => pos = self.literal(pos, b"true", T_TRUE)?,
                b'f' => pos = self.literal(pos, b"false", T_FALSE)?,
                b'n' => pos = self.literal(pos, b"null", T_NULL)?,
                _ => return self.unexpected(pos, ERR_VALUE),
            }
            // A value is complete: continue its container, closing containers as they end.
            loop {
                if cur.idx == usize::MAX {
                    return Ok(pos);
                }
                cur.count += 1;
                let (p, c) = next_token(b, pos);
                pos = p + 1;
                match c {
                    b',' => {
                        if cur.object {
                            let (p, c) = next_token(b, pos);
                            pos = self.key(p, c)?;
                        }
                        continue 'value;
                    }
                    b'}' if cur.object => self.close(&mut cur),
                    b']' if !cur.object => self.close(&mut cur),
                    _ if cur.object => return self.unexpected(p, "expected ',' or '}'"),
                    _ => return self.unexpected(p, "expected ',' or ']'"),
                }
            }
        }
    }

    /// Closes the innermost container (records its end index and count) and makes its parent
    /// the innermost.
    #[inline(always)]
    fn close(&mut self, cur: &mut Frame) {
        let end = self.nodes.len() as u64;
        // `cur.idx` was `nodes.len()` when the container opened, and nodes only grow.
        if let Some(n) = self.nodes.get_mut(cur.idx) {
            *n = Node::new(n.tag(), end, cur.count);
        }
        *cur = self.stack.pop().unwrap_or(Frame::TOP);
    }

    /// An object key starting at `pos` (whose byte is `c`) and its colon; returns the
    /// position after the colon.
    #[inline(always)]
    fn key(&mut self, pos: usize, c: u8) -> Res<usize> {
        if c != b'"' {
            return self.unexpected(pos, "expected a string key");
        }
        let pos = self.string(pos + 1)?;
        let (p, c) = next_token(self.b, pos);
        if c != b':' {
            return self.unexpected(p, "expected ':' after key");
        }
        Ok(p + 1)
    }

    #[inline(always)]
    fn literal(&mut self, pos: usize, word: &'static [u8], tag: u64) -> Res<usize> {
        let end = pos + word.len();
        if self.b.get(pos..end) != Some(word) {
            return self.unexpected(pos, ERR_VALUE);
        }
        self.nodes.push(Node::new(tag, 0, 0));
        Ok(end)
    }

    /// A string whose contents start at `start` (after the opening quote); returns the
    /// position after the closing quote.
    #[inline(always)]
    fn string(&mut self, start: usize) -> Res<usize> {
        let b = self.b;
        let i = scan_string(b, start);
        match b.get(i) {
            Some(b'"') => {
                self.nodes
                    .push(Node::new(T_STR_IN, start as u64, i - start));
                Ok(i + 1)
            }
            Some(b'\\') => self.string_escaped(start, i),
            Some(_) => fail(i, "control character in string"),
            None => fail(i, ERR_EOF),
        }
    }

    /// The rest of a string from its first backslash at `i`, unescaped into the buffer.
    #[inline(never)]
    fn string_escaped(&mut self, start: usize, mut i: usize) -> Res<usize> {
        let b = self.b;
        let out = self.buf.len();
        let mut run = start;
        loop {
            // `run..i` is plain text; `i` is at a quote, a backslash, a control byte or the end.
            let t = self.text(run, i)?;
            self.buf.push_str(t);
            match b.get(i) {
                Some(b'"') => break,
                Some(b'\\') => {}
                Some(_) => return fail(i, "control character in string"),
                None => return fail(i, ERR_EOF),
            }
            let esc = i;
            let c = match b.get(i + 1) {
                Some(b'"') => '"',
                Some(b'\\') => '\\',
                Some(b'/') => '/',
                Some(b'b') => '\u{8}',
                Some(b'f') => '\u{c}',
                Some(b'n') => '\n',
                Some(b'r') => '\r',
                Some(b't') => '\t',
                Some(b'u') => {
                    let Some(cp) = hex4(b, i + 2) else {
                        if i + 6 > b.len() {
                            return fail(b.len(), ERR_EOF);
                        }
                        return fail(esc, "invalid escape in string");
                    };
                    i += 4;
                    if (0xD800..0xDC00).contains(&cp) {
                        let lo = match (b.get(i + 2), b.get(i + 3)) {
                            (Some(b'\\'), Some(b'u')) => hex4(b, i + 4),
                            _ => None,
                        };
                        match lo {
                            Some(lo @ 0xDC00..=0xDFFF) => {
                                i += 6;
                                let c = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                match char::from_u32(c) {
                                    Some(c) => c,
                                    None => return fail(esc, "invalid surrogate in string"),
                                }
                            }
                            _ => return fail(esc, "lone high surrogate in string"),
                        }
                    } else {
                        match char::from_u32(cp) {
                            Some(c) => c,
                            None => return fail(esc, "lone low surrogate in string"),
                        }
                    }
                }
                Some(_) => return fail(esc, "invalid escape in string"),
                None => return fail(i + 1, ERR_EOF),
            };
            self.buf.push(c);
            i += 2;
            run = i;
            i = scan_string(b, i);
        }
        let len = self.buf.len() - out;
        self.nodes.push(Node::new(T_STR_BUF, out as u64, len));
        Ok(i + 1)
    }

    /// A number starting at `start` (a `-` or a digit); returns the position after it.
    #[inline(always)]
    fn number(&mut self, start: usize) -> Res<usize> {
        let b = self.b;
        let mut i = start;
        let neg = b.get(i) == Some(&b'-');
        if neg {
            i += 1;
        }
        let int_start = i;
        let mut m: u64 = 0;
        match b.get(i) {
            Some(b'0') => {
                i += 1;
                if let Some(b'0'..=b'9') = b.get(i) {
                    return fail(int_start, "leading zero in number");
                }
            }
            Some(&c @ b'1'..=b'9') => {
                m = (c - b'0') as u64;
                i += 1;
                while let Some(&c) = b.get(i) {
                    let d = c.wrapping_sub(b'0');
                    if d > 9 {
                        break;
                    }
                    // Wraps past 19 digits; `m` is then unused (see `digits` below).
                    m = m.wrapping_mul(10).wrapping_add(d as u64);
                    i += 1;
                }
            }
            _ => return self.unexpected(i, "no digit in number"),
        }
        let int_digits = i - int_start;
        match b.get(i) {
            Some(b'.' | b'e' | b'E') => {}
            _ => return self.integer(start, i, neg, m, int_digits),
        }
        // A float: fraction and exponent.
        let mut digits = int_digits;
        let mut exp: i64 = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let frac_start = i;
            while let Some(&c) = b.get(i) {
                let d = c.wrapping_sub(b'0');
                if d > 9 {
                    break;
                }
                m = m.wrapping_mul(10).wrapping_add(d as u64);
                i += 1;
            }
            let frac_digits = i - frac_start;
            if frac_digits == 0 {
                return self.unexpected(i, "no digit after decimal point");
            }
            digits += frac_digits;
            exp = -(frac_digits.min(1 << 20) as i64);
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            let eneg = match b.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let exp_start = i;
            let mut e: i64 = 0;
            while let Some(&c) = b.get(i) {
                let d = c.wrapping_sub(b'0');
                if d > 9 {
                    break;
                }
                e = (e * 10 + d as i64).min(1 << 40);
                i += 1;
            }
            if i == exp_start {
                return self.unexpected(i, "no digit in exponent");
            }
            exp += if eneg { -e } else { e };
        }
        // Clinger's fast path: the mantissa (at most 19 digits, so `m` did not wrap, and at
        // most 2^53) and the power of ten are both exact doubles, so one IEEE operation
        // rounds correctly.
        if digits <= 19 && m <= 1 << 53 && (-22..=22).contains(&exp) {
            let x = m as f64;
            let x = if exp >= 0 {
                x * POW10[exp as usize]
            } else {
                x / POW10[(-exp) as usize]
            };
            let x = if neg { -x } else { x };
            self.nodes.push(Node::new(T_F64, x.to_bits(), 0));
            return Ok(i);
        }
        self.float_slow(start, i)
    }

    /// An integer literal `b[start..end]`, with `digits` digits, `m` their value (if at most
    /// 19 digits) and `neg` its sign; returns `end`.
    #[inline(always)]
    fn integer(
        &mut self,
        start: usize,
        end: usize,
        neg: bool,
        m: u64,
        digits: usize,
    ) -> Res<usize> {
        if digits <= 19 {
            // At most 19 digits: below 10^19 < 2^64, so `m` is exact.
            if !neg {
                let tag = if m <= i64::MAX as u64 { T_I64 } else { T_U64 };
                self.nodes.push(Node::new(tag, m, 0));
                return Ok(end);
            }
            if m <= 1 << 63 {
                // -m as i64; for m = 2^63 this is i64::MIN.
                let v = (m as i64).wrapping_neg();
                self.nodes.push(Node::new(T_I64, v as u64, 0));
                return Ok(end);
            }
        } else if digits == 20 && !neg {
            // Possibly a u64 (up to 18446744073709551615).
            if let Ok(v) = self.text(start, end)?.parse::<u64>() {
                self.nodes.push(Node::new(T_U64, v, 0));
                return Ok(end);
            }
        }
        self.float_slow(start, end)
    }

    /// The correctly rounded `f64` of the literal `b[start..end]`, already checked against the
    /// JSON grammar (of which `str::parse::<f64>` accepts a superset); returns `end`.
    #[inline(never)]
    fn float_slow(&mut self, start: usize, end: usize) -> Res<usize> {
        let x = match self.text(start, end)?.parse::<f64>() {
            Ok(x) => x,
            Err(_) => return fail(start, "invalid number"),
        };
        if x.is_infinite() {
            return fail(start, "number is infinite as a double");
        }
        self.nodes.push(Node::new(T_F64, x.to_bits(), 0));
        Ok(end)
    }
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/// A cheap `Copy` handle to one value of a parsed document. Everything it returns borrows the
/// tape and the input for `'t`.
#[derive(Clone, Copy)]
pub struct Value<'t> {
    tape: &'t Tape,
    input: &'t str,
    idx: usize,
}

impl<'t> Value<'t> {
    #[inline(always)]
    fn node(&self) -> Node {
        // `idx` always comes from a finished parse of this tape; the fallback is unreachable.
        self.tape.nodes.get(self.idx).copied().unwrap_or(Node::NULL)
    }

    #[inline(always)]
    fn at_index(&self, idx: usize) -> Value<'t> {
        Value {
            tape: self.tape,
            input: self.input,
            idx,
        }
    }

    /// The index of the node after this value and all its descendants.
    #[inline(always)]
    fn skip(nodes: &[Node], idx: usize) -> usize {
        match nodes.get(idx) {
            Some(n) if n.tag() >= T_ARRAY => n.a as usize,
            _ => idx + 1,
        }
    }

    /// The UTF-8 bytes of a string node.
    #[inline(always)]
    fn str_bytes(&self, n: Node) -> Option<&'t [u8]> {
        let start = n.a as usize;
        let end = start + n.payload();
        match n.tag() {
            T_STR_IN => self.input.as_bytes().get(start..end),
            T_STR_BUF => self.tape.buf.as_bytes().get(start..end),
            _ => None,
        }
    }

    /// The string of a string node.
    #[inline(always)]
    fn str_of(&self, n: Node) -> Option<&'t str> {
        let start = n.a as usize;
        let end = start + n.payload();
        match n.tag() {
            T_STR_IN => self.input.get(start..end),
            T_STR_BUF => self.tape.buf.get(start..end),
            _ => None,
        }
    }

    /// The value's type.
    pub fn kind(&self) -> Kind {
        match self.node().tag() {
            T_NULL => Kind::Null,
            T_FALSE | T_TRUE => Kind::Bool,
            T_I64 | T_U64 => Kind::Int,
            T_F64 => Kind::Float,
            T_STR_IN | T_STR_BUF => Kind::String,
            T_ARRAY => Kind::Array,
            _ => Kind::Object,
        }
    }

    /// Whether the value is `null`.
    pub fn is_null(&self) -> bool {
        self.node().tag() == T_NULL
    }

    /// The boolean, if the value is `true` or `false`.
    pub fn as_bool(&self) -> Option<bool> {
        match self.node().tag() {
            T_TRUE => Some(true),
            T_FALSE => Some(false),
            _ => None,
        }
    }

    /// The integer, if the value is an exact integer ([`Kind::Int`]) that fits `i64`. Never
    /// converts a float.
    pub fn as_i64(&self) -> Option<i64> {
        let n = self.node();
        match n.tag() {
            T_I64 => Some(n.a as i64),
            _ => None,
        }
    }

    /// The integer, if the value is an exact integer ([`Kind::Int`]) that fits `u64` (that is,
    /// is not negative). Never converts a float.
    pub fn as_u64(&self) -> Option<u64> {
        let n = self.node();
        match n.tag() {
            T_I64 if (n.a as i64) >= 0 => Some(n.a),
            T_U64 => Some(n.a),
            _ => None,
        }
    }

    /// The number as an `f64`: a [`Kind::Float`] as is, a [`Kind::Int`] rounded to nearest
    /// (as Python's `float(int)`). `None` for non-numbers. Use [`Value::kind`] to tell an
    /// integer from a float.
    pub fn as_f64(&self) -> Option<f64> {
        let n = self.node();
        match n.tag() {
            T_F64 => Some(f64::from_bits(n.a)),
            T_I64 => Some(n.a as i64 as f64),
            T_U64 => Some(n.a as f64),
            _ => None,
        }
    }

    /// The string, if the value is one: borrowed from the input when the string had no
    /// escapes, else from the tape's unescape buffer.
    pub fn as_str(&self) -> Option<&'t str> {
        self.str_of(self.node())
    }

    /// Whether [`Value::as_str`] borrows from the input (the string had no escapes). `false`
    /// for non-strings.
    pub fn is_borrowed_str(&self) -> bool {
        self.node().tag() == T_STR_IN
    }

    /// For an object, the value of the LAST entry whose key is `key` (orjson's duplicate-key
    /// rule); `None` if there is none or the value is not an object. O(entries).
    pub fn get(&self, key: &str) -> Option<Value<'t>> {
        let n = self.node();
        if n.tag() != T_OBJECT {
            return None;
        }
        let nodes = &self.tape.nodes;
        let end = n.a as usize;
        let mut i = self.idx + 1;
        let mut found = None;
        while i < end {
            // Entries alternate key, value; `skip` steps over the value's descendants.
            let k = nodes.get(i).copied().unwrap_or(Node::NULL);
            if k.payload() == key.len() && self.str_bytes(k) == Some(key.as_bytes()) {
                found = Some(i + 1);
            }
            i = Value::skip(nodes, i + 1);
        }
        found.map(|i| self.at_index(i))
    }

    /// For an array, its items in order; for anything else, nothing. O(1) per item.
    pub fn items(&self) -> Items<'t> {
        let n = self.node();
        let (next, left) = if n.tag() == T_ARRAY {
            (self.idx + 1, n.payload())
        } else {
            (0, 0)
        };
        Items {
            value: *self,
            next,
            left,
        }
    }

    /// For an object, its `(key, value)` entries in document order, duplicate keys included;
    /// for anything else, nothing. O(1) per entry.
    pub fn entries(&self) -> Entries<'t> {
        let n = self.node();
        let (next, left) = if n.tag() == T_OBJECT {
            (self.idx + 1, n.payload())
        } else {
            (0, 0)
        };
        Entries {
            value: *self,
            next,
            left,
        }
    }

    /// For an array, the item at `index` (O(index)).
    pub fn at(&self, index: usize) -> Option<Value<'t>> {
        self.items().nth(index)
    }

    /// The number of items of an array or entries of an object (duplicates counted); 0 for
    /// any other value.
    pub fn len(&self) -> usize {
        let n = self.node();
        match n.tag() {
            T_ARRAY | T_OBJECT => n.payload(),
            _ => 0,
        }
    }

    /// Whether the value is an empty string, array or object; `false` for every other value.
    pub fn is_empty(&self) -> bool {
        let n = self.node();
        match n.tag() {
            T_ARRAY | T_OBJECT | T_STR_IN | T_STR_BUF => n.payload() == 0,
            _ => false,
        }
    }

    /// Python's truthiness of the value orjson would return: `false` for `null`, `false`,
    /// `0`, `0.0`, `-0.0`, `""`, `[]` and `{}`, `true` otherwise (an object with entries is
    /// truthy even if duplicate keys collapse them to one).
    pub fn is_truthy(&self) -> bool {
        let n = self.node();
        match n.tag() {
            T_NULL | T_FALSE => false,
            T_TRUE => true,
            T_I64 | T_U64 => n.a != 0,
            T_F64 => f64::from_bits(n.a) != 0.0,
            _ => n.payload() != 0,
        }
    }
}

impl fmt::Debug for Value<'_> {
    /// Compact JSON-like text (strings through Rust's `{:?}` escaping), for tests and logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.node();
        match n.tag() {
            T_NULL => f.write_str("null"),
            T_FALSE => f.write_str("false"),
            T_TRUE => f.write_str("true"),
            T_I64 => write!(f, "{}", n.a as i64),
            T_U64 => write!(f, "{}", n.a),
            T_F64 => write!(f, "{:?}", f64::from_bits(n.a)),
            T_STR_IN | T_STR_BUF => write!(f, "{:?}", self.as_str().unwrap_or("")),
            T_ARRAY => f.debug_list().entries(self.items()).finish(),
            _ => f.debug_map().entries(self.entries()).finish(),
        }
    }
}

/// The items of an array, in order: see [`Value::items`]. Knows its exact length.
#[derive(Clone)]
pub struct Items<'t> {
    value: Value<'t>,
    /// The node of the next item.
    next: usize,
    /// Items not yet returned.
    left: usize,
}

impl<'t> Iterator for Items<'t> {
    type Item = Value<'t>;

    #[inline]
    fn next(&mut self) -> Option<Value<'t>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let v = self.value.at_index(self.next);
        self.next = Value::skip(&self.value.tape.nodes, self.next);
        Some(v)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Items<'_> {}

impl std::iter::FusedIterator for Items<'_> {}

/// The `(key, value)` entries of an object, in document order with duplicates: see
/// [`Value::entries`]. Knows its exact length.
#[derive(Clone)]
pub struct Entries<'t> {
    value: Value<'t>,
    /// The node of the next key.
    next: usize,
    /// Entries not yet returned.
    left: usize,
}

impl<'t> Iterator for Entries<'t> {
    type Item = (&'t str, Value<'t>);

    #[inline]
    fn next(&mut self) -> Option<(&'t str, Value<'t>)> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let nodes = &self.value.tape.nodes;
        let key = nodes.get(self.next).copied().unwrap_or(Node::NULL);
        let key = self.value.str_of(key).unwrap_or("");
        let v = self.value.at_index(self.next + 1);
        self.next = Value::skip(nodes, self.next + 1);
        Some((key, v))
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Entries<'_> {}

impl std::iter::FusedIterator for Entries<'_> {}

#[cfg(test)]
mod tests;
