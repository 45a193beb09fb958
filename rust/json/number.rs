//! Numbers: RFC 8259's grammar, decoded as orjson decodes them (the pure-Python twin is
//! `orjson.loads`).
//!
//! An integer literal that fits `i64` is an `i64`, else one that fits `u64` is a `u64` (`-0` is
//! the integer 0); any other integer literal, and any literal with a fraction or exponent, is
//! the correctly rounded `f64`: Clinger's fast path when the digits and the power of ten are
//! exact doubles, else std's parser. A number that rounds to infinity is an error.

use super::parse::{fail, JsonResult, Parser};
use super::tape::{Node, T_F64, T_I64, T_U64};

/// Powers of ten exactly representable as `f64` (Clinger's fast path).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

impl Parser<'_> {
    /// A number starting at `start` (a `-` or a digit); returns the position after it.
    #[inline(always)]
    pub(super) fn number(&mut self, start: usize) -> JsonResult<usize> {
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
    ) -> JsonResult<usize> {
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
    fn float_slow(&mut self, start: usize, end: usize) -> JsonResult<usize> {
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
