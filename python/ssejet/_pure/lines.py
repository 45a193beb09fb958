"""Bytes to lines: the first stage of the WHATWG "event stream interpretation".

Twin of ``rust/lines.rs``; see there for the reasoning. The Rust splitter hands out pieces one
at a time; this one returns them in a batch, which is the same sequence (every terminated line,
then the unterminated rest) at C speed: ``bytes.split`` does the scanning, and the work done
per feed is linear in the feed's size.
"""

from __future__ import annotations

_BOM = b"\xef\xbb\xbf"


class LineSplitter:
    """Splits a byte stream into lines ending in CRLF, LF or CR, and strips one leading BOM."""

    __slots__ = ("bom", "skip_lf")

    def __init__(self) -> None:
        # int: at stream start, that many bytes of the BOM seen and held back. None: past it.
        self.bom: int | None = 0
        # The previous feed ended in CR: drop an LF at the start of the next one.
        self.skip_lf = False

    def reset(self) -> None:
        """Back to the start of a stream: the BOM rule is armed again."""
        self.bom = 0
        self.skip_lf = False

    def feed(self, data: bytes) -> tuple[list[bytes], bytes]:
        """Splits ``data`` into the pieces that end a line, and the unterminated rest."""
        if not data:
            # An empty feed must not disarm skip_lf: CR | "" | LF is still one line end.
            return [], b""
        seen = self.bom
        if seen is not None:
            want = _BOM[seen:]
            n = min(len(want), len(data))
            if data[:n] == want[:n]:
                if n < len(want):
                    self.bom = seen + n  # all of this feed is (so far) a BOM: hold it back
                    return [], b""
                data = data[n:]
            elif seen:
                data = _BOM[:seen] + data  # what was held back was not a BOM after all
            self.bom = None
        if self.skip_lf:
            self.skip_lf = False
            if data[:1] == b"\n":
                data = data[1:]
        if b"\r" in data:
            # A CR ending this feed ends its line now; remember to drop the LF a CRLF split
            # here brings. Normalising CRLF first keeps it one line end.
            self.skip_lf = data[-1:] == b"\r"
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = data.split(b"\n")
        return lines, lines.pop()
