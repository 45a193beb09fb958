//! The tape: what a parse produces, and the `Copy` handles that read it.
//!
//! A [`Tape`] is a flat `Vec` of 16-byte nodes in document order (see the module docs of
//! [`crate::json`]); a [`Value`] is an index into it, with accessors that give what
//! `orjson.loads` (the pure-Python twin) would give: the [`Kind`], numbers, strings, object
//! lookup with orjson's last-duplicate-wins rule, and Python truthiness.

use std::fmt;

use super::parse::{self, fail, Frame, JsonError, ERR_UTF8};
use super::string::utf8;

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

/// `null`.
pub(super) const T_NULL: u64 = 0;
/// `false`.
pub(super) const T_FALSE: u64 = 1;
/// `true`.
pub(super) const T_TRUE: u64 = 2;
/// `a` is the `i64`'s bits.
pub(super) const T_I64: u64 = 3;
/// `a` is a `u64` greater than `i64::MAX`.
pub(super) const T_U64: u64 = 4;
/// `a` is the `f64`'s bits.
pub(super) const T_F64: u64 = 5;
/// `a` is the byte offset in the input, payload the byte length.
pub(super) const T_STR_IN: u64 = 6;
/// `a` is the byte offset in the tape's unescape buffer, payload the byte length.
pub(super) const T_STR_BUF: u64 = 7;
/// `a` is the index just past the last descendant, payload the number of items.
pub(super) const T_ARRAY: u64 = 8;
/// `a` is the index just past the last descendant, payload the number of entries.
pub(super) const T_OBJECT: u64 = 9;

/// One tape slot: 16 bytes, `a` a 64-bit datum and `b` = payload << `TAG_BITS` | tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Node {
    /// The datum (see the tags).
    pub(super) a: u64,
    /// The payload and the tag.
    pub(super) b: u64,
}

impl Node {
    /// A `null` node.
    pub(super) const NULL: Node = Node { a: 0, b: T_NULL };

    /// A node of tag `tag` (a `T_*` constant), datum `a` and payload `payload`.
    #[inline(always)]
    pub(super) fn new(tag: u64, a: u64, payload: usize) -> Node {
        Node {
            a,
            b: ((payload as u64) << TAG_BITS) | tag,
        }
    }

    /// The node's tag, a `T_*` constant.
    #[inline(always)]
    pub(super) fn tag(self) -> u64 {
        self.b & TAG_MASK
    }

    /// The node's payload (a length or a count).
    #[inline(always)]
    pub(super) fn payload(self) -> usize {
        (self.b >> TAG_BITS) as usize
    }
}

// ---------------------------------------------------------------------------------------------
// Tape
// ---------------------------------------------------------------------------------------------

/// A reusable parse buffer. Parse a document with [`Tape::parse`] or [`Tape::parse_bytes`] and
/// read it through the returned [`Value`]; the next parse reuses every buffer's capacity, so a
/// warmed-up tape parses without allocating.
#[derive(Debug, Default, Clone)]
pub struct Tape {
    /// The document's values in document order (see the module docs).
    pub(super) nodes: Vec<Node>,
    /// The unescaped contents of every string that had escapes, one after the other.
    pub(super) buf: String,
    /// The open containers around the innermost one.
    pub(super) stack: Vec<Frame>,
}

impl Tape {
    /// An empty tape. Buffers grow on first use and are then kept.
    pub fn new() -> Self {
        Tape::default()
    }

    /// Parses `input` (already known to be UTF-8, so not validated again) and returns the root
    /// value. The value borrows both the tape and the input.
    pub fn parse<'t>(&'t mut self, input: &'t str) -> Result<Value<'t>, JsonError> {
        parse::run(self, input)?;
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
