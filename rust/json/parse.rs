//! The parser: one iterative pass over the input, from the first token to the end of the
//! document, pushing nodes onto the tape.
//!
//! This file holds the grammar between tokens (whitespace, containers, keys, literals, what
//! may follow a value) and the errors; `string.rs` and `number.rs` add the token parsers for
//! strings and numbers to the same [`Parser`]. Accepts and rejects exactly what `orjson.loads`,
//! the pure-Python twin, does. Containers are tracked on an explicit stack ([`Frame`]s), so
//! nesting never touches the Rust stack, and every input position is read through
//! bounds-checked accessors, so no input panics.

use std::fmt;

use super::tape::{Node, Tape, T_ARRAY, T_FALSE, T_NULL, T_OBJECT, T_TRUE};

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
    /// An error at byte `offset`.
    #[cold]
    pub(super) fn new(offset: usize, message: &'static str) -> Self {
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

/// What the parser's steps return.
pub(super) type JsonResult<T> = Result<T, JsonError>;

/// The input ended inside a value.
pub(super) const ERR_EOF: &str = "unexpected end of data";
const ERR_VALUE: &str = "unexpected character, expected a value";
/// The input is not UTF-8.
pub(super) const ERR_UTF8: &str = "invalid utf-8";

/// The error `message` at `offset`, out of line (errors are rare).
#[cold]
#[inline(never)]
pub(super) fn fail<T>(offset: usize, message: &'static str) -> JsonResult<T> {
    Err(JsonError::new(offset, message))
}

/// One parse: the input, and the tape's buffers it fills.
pub(super) struct Parser<'a> {
    /// The input's bytes.
    pub(super) b: &'a [u8],
    /// The input as text.
    s: &'a str,
    /// The tape's nodes.
    pub(super) nodes: &'a mut Vec<Node>,
    /// The tape's unescape buffer.
    pub(super) buf: &'a mut String,
    /// The open containers around the innermost one.
    stack: &'a mut Vec<Frame>,
}

/// A container being parsed. The innermost one lives in a local of the parse loop; its
/// ancestors wait on `Tape::stack`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
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

/// Parses `input` into `tape`, replacing what it held (but keeping its capacity): the body
/// of [`Tape::parse`].
pub(super) fn run(tape: &mut Tape, input: &str) -> JsonResult<()> {
    tape.nodes.clear();
    tape.buf.clear();
    tape.stack.clear();
    let mut p = Parser {
        b: input.as_bytes(),
        s: input,
        nodes: &mut tape.nodes,
        buf: &mut tape.buf,
        stack: &mut tape.stack,
    };
    p.document()
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

impl<'a> Parser<'a> {
    /// An error at `pos`: "unexpected end of data" if `pos` is the end, else `message`.
    #[cold]
    #[inline(never)]
    pub(super) fn unexpected<T>(&self, pos: usize, message: &'static str) -> JsonResult<T> {
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
    pub(super) fn text(&self, start: usize, end: usize) -> JsonResult<&'a str> {
        match self.s.get(start..end) {
            Some(t) => Ok(t),
            // Unreachable: callers cut at ASCII bytes, which are char boundaries.
            None => fail(start, ERR_UTF8),
        }
    }

    /// The whole document: one value, then only whitespace.
    fn document(&mut self) -> JsonResult<()> {
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
    fn values(&mut self) -> JsonResult<usize> {
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
    fn key(&mut self, pos: usize, c: u8) -> JsonResult<usize> {
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
    fn literal(&mut self, pos: usize, word: &'static [u8], tag: u64) -> JsonResult<usize> {
        let end = pos + word.len();
        if self.b.get(pos..end) != Some(word) {
            return self.unexpected(pos, ERR_VALUE);
        }
        self.nodes.push(Node::new(tag, 0, 0));
        Ok(end)
    }
}
