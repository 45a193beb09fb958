"""Any iterable (or async iterable) of bytes-like objects as the read loop's body: bytes from a
queue, a websocket, a file. There is no response to check; after the end of a stream nothing
more is read, and the source is closed if it has ``close()`` (``aclose()``), as a generator
does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any


def _not_bytes(source: Any) -> None:
    if isinstance(source, (bytes, bytearray, memoryview, str)):
        raise TypeError(
            f"expected an iterable of bytes, not {type(source).__name__} itself: pass [data]"
        )


class IterableBody:
    """An iterable of bytes-like objects as the read loop's ``Body``."""

    __slots__ = ("source",)

    def __init__(self, source: Any) -> None:
        _not_bytes(source)
        self.source = source

    def check(self) -> None:
        pass

    def reads(self) -> Iterator[bytes]:
        return iter(self.source)

    def drain(self, reads: Iterator[bytes]) -> None:
        pass

    def close(self) -> None:
        close = getattr(self.source, "close", None)
        if close is not None:
            close()


class AsyncIterableBody:
    """An async iterable of bytes-like objects as the async read loop's ``AsyncBody``."""

    __slots__ = ("source",)

    def __init__(self, source: Any) -> None:
        self.source = source

    async def check(self) -> None:
        pass

    def reads(self) -> AsyncIterator[bytes]:
        return self.source.__aiter__()  # type: ignore[no-any-return]

    async def drain(self, reads: AsyncIterator[bytes]) -> None:
        pass

    async def close(self) -> None:
        aclose = getattr(self.source, "aclose", None)
        if aclose is not None:
            await aclose()
