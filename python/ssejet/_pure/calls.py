"""What every public call of a pure decoder does first, as the Rust binding does for its own:
refuse a call that overlaps another on the same decoder (``OverlapGuard``), and take the
``feed()`` argument as bytes with the same TypeError (``feed_bytes``).
"""

from __future__ import annotations

from threading import Lock


class OverlapGuard:
    """Refuses overlapping calls on one decoder, as the Rust backend's borrow check does: a
    decoder shared between threads, or fed again from inside its own feed, raises instead of
    silently mixing two calls' lines. ``with self.guard:`` around each public call."""

    __slots__ = ("lock",)

    def __init__(self) -> None:
        self.lock = Lock()

    def __enter__(self) -> None:
        if not self.lock.acquire(False):
            raise RuntimeError("Already borrowed")  # the Rust backend's words

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def feed_bytes(data: object) -> bytes:
    """The ``feed()`` argument as bytes; the same TypeError as the Rust backend otherwise."""
    if type(data) is bytes:
        return data
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(
        f"feed() argument must be bytes, bytearray or memoryview, not {type(data).__name__}"
    )
