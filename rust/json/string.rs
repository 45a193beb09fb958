//! Strings: finding where a string ends, unescaping it, and checking UTF-8.
//!
//! orjson's rules (the pure-Python twin is `orjson.loads`): raw U+0000..U+001F are errors, only
//! the escapes `\" \\ \/ \b \f \n \r \t \uXXXX` exist, and a `\uD800`-`\uDBFF` escape must be
//! followed at once by a `\uDC00`-`\uDFFF` one. A string without escapes is borrowed from the
//! input; one with escapes is unescaped into the tape's buffer. Byte input is checked for UTF-8
//! as a whole, before the parse ([`utf8`]), as orjson does.

use super::parse::{fail, JsonResult, Parser, ERR_EOF};
use super::tape::{Node, T_STR_BUF, T_STR_IN};

/// `bytes` as text if they are UTF-8, else the offset of their first invalid sequence (as
/// `std::str::from_utf8` reports it).
#[inline]
pub(super) fn utf8(bytes: &[u8]) -> Result<&str, usize> {
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

/// [`special16`] in SSE2: 16 compares at once and a movemask. With the portable version
/// instead, a parse of a 270-byte chat chunk runs 18% more instructions.
///
/// # Safety
///
/// The CPU must have SSE2. (An `unsafe fn`: a safe `#[target_feature]` one needs Rust 1.86,
/// and the crate's `rust-version` is 1.85.)
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

impl Parser<'_> {
    /// A string whose contents start at `start` (after the opening quote); returns the
    /// position after the closing quote.
    #[inline(always)]
    pub(super) fn string(&mut self, start: usize) -> JsonResult<usize> {
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
    fn string_escaped(&mut self, start: usize, mut i: usize) -> JsonResult<usize> {
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
}
