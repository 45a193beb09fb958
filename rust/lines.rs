//! Bytes to lines: the first stage of the WHATWG "event stream interpretation".
//!
//! Python twin: `python/ssejet/_pure/lines.py`.
//!
//! The stream is split on bytes, before any text decoding: CR and LF never occur inside a UTF-8
//! sequence, so splitting first and decoding each line later gives the same text as decoding
//! the whole stream, and a multi-byte character split across two feeds needs no special care.
//!
//! State carried from one `feed` to the next is only what a boundary can cut in half:
//! - `bom`: how much of a leading byte order mark has been seen (a BOM split across feeds is
//!   held back, at most two bytes, until it is known to be one);
//! - `skip_lf`: the last feed ended in CR, which already ended a line; an LF starting the next
//!   feed is the second half of that CRLF and must not end a second, empty, line.
//!
//! Lines are handed on as pieces, `(bytes, ends_line)`: the bytes up to the next line end, or
//! the unterminated rest of the input. The caller owns the partial line, so that it can decide
//! to drop a comment's bytes as they arrive instead of buffering them.

use std::ops::ControlFlow;

use memchr::memchr2;

const BOM: &[u8; 3] = b"\xEF\xBB\xBF";

/// Splits a byte stream into lines ending in CRLF, LF or CR, and strips one leading BOM.
#[derive(Debug, Clone)]
pub struct LineSplitter {
    /// `Some(n)`: at stream start, `n` bytes of the BOM seen and held back. `None`: past it.
    bom: Option<usize>,
    /// The previous feed ended in CR: drop an LF at the start of the next one.
    skip_lf: bool,
}

impl Default for LineSplitter {
    fn default() -> Self {
        Self::new()
    }
}

impl LineSplitter {
    /// A splitter at the start of a stream.
    pub fn new() -> Self {
        Self {
            bom: Some(0),
            skip_lf: false,
        }
    }

    /// Back to the start of a stream: the BOM rule is armed again.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// Splits `input`, calling `piece(bytes, ends_line)` for each piece in order. Stops early,
    /// and returns `Break`, when `piece` does.
    pub fn feed(
        &mut self,
        mut input: &[u8],
        mut piece: impl FnMut(&[u8], bool) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        if input.is_empty() {
            // An empty feed must not disarm `skip_lf`: CR | "" | LF is still one line end.
            return ControlFlow::Continue(());
        }
        if let Some(seen) = self.bom {
            let want = &BOM[seen..];
            let n = want.len().min(input.len());
            if input[..n] == want[..n] {
                if n < want.len() {
                    // All of this feed is (so far) a BOM: hold it back.
                    self.bom = Some(seen + n);
                    return ControlFlow::Continue(());
                }
                input = &input[n..];
            } else if seen > 0 {
                // The bytes held back were not a BOM after all: they start the first line.
                // They hold no CR or LF, so they are an unterminated piece.
                piece(&BOM[..seen], false)?;
            }
            self.bom = None;
        }
        if self.skip_lf {
            self.skip_lf = false;
            if let Some(rest) = input.strip_prefix(b"\n") {
                input = rest;
            }
        }
        while let Some(i) = memchr2(b'\r', b'\n', input) {
            piece(&input[..i], true)?;
            input = match (input[i], input.get(i + 1)) {
                (b'\r', Some(b'\n')) => &input[i + 2..],
                (b'\r', None) => {
                    // A CR ends the line now; remember to drop the LF a CRLF split here brings.
                    self.skip_lf = true;
                    return ControlFlow::Continue(());
                }
                _ => &input[i + 1..],
            };
        }
        if !input.is_empty() {
            piece(input, false)?;
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `chunks` and returns the complete lines, and the unterminated rest.
    fn split(chunks: &[&[u8]]) -> (Vec<Vec<u8>>, Vec<u8>) {
        let mut splitter = LineSplitter::new();
        let (mut lines, mut partial) = (Vec::new(), Vec::new());
        for chunk in chunks {
            let _ = splitter.feed(chunk, |bytes, ends_line| {
                partial.extend_from_slice(bytes);
                if ends_line {
                    lines.push(std::mem::take(&mut partial));
                }
                ControlFlow::Continue(())
            });
        }
        (lines, partial)
    }

    #[test]
    fn cr_lf_and_crlf_each_end_one_line() {
        let (lines, rest) = split(&[b"a\rb\nc\r\nd"]);
        assert_eq!(lines, [b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
        assert_eq!(rest, b"d");
    }

    #[test]
    fn cr_ending_a_feed_and_lf_starting_the_next_are_one_line_end() {
        let (lines, _) = split(&[b"a\r", b"\nb\n"]);
        assert_eq!(lines, [b"a".to_vec(), b"b".to_vec()]);
        let (lines, _) = split(&[b"a\r", b"", b"\n\n"]);
        assert_eq!(lines, [b"a".to_vec(), b"".to_vec()]);
    }

    #[test]
    fn a_bom_split_across_feeds_is_stripped_once() {
        let (lines, _) = split(&[b"\xEF", b"\xBB", b"\xBFx\n\xEF\xBB\xBFy\n"]);
        assert_eq!(lines, [b"x".to_vec(), b"\xEF\xBB\xBFy".to_vec()]);
    }

    #[test]
    fn a_partial_bom_that_is_not_one_is_kept_as_data() {
        let (lines, _) = split(&[b"\xEF\xBB", b"x\n"]);
        assert_eq!(lines, [b"\xEF\xBBx".to_vec()]);
    }
}
