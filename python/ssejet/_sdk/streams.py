"""The streams ``accelerate()`` hands out: the SDK's ``Stream`` / ``AsyncStream`` interface over
ssejet's read loop (``ssejet._transport._read``), whatever the decoder makes (chat chunks, a
dialect's events).

The SDK has already checked the response (its ``request()`` raises the SDK's own
``APIStatusError`` subclasses for 4xx/5xx), so the body adapters skip that; everything else
(feeding, yielding what an error carries, stopping at ``[DONE]`` with the bounded drain,
closing) is the read loop's. Errors become the SDK's through the SDK's ``translate``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from .._transport._read import aread, read
from .._transport.httpx import AsyncHttpxBody, HttpxBody

if TYPE_CHECKING:
    from .seam import SDK


class _CheckedBody(HttpxBody):
    """A body the SDK has already checked."""

    __slots__ = ()

    def check(self) -> None:
        pass


class _AsyncCheckedBody(AsyncHttpxBody):
    __slots__ = ()

    async def check(self) -> None:
        pass


class SsejetStream:
    """A streamed response as ssejet objects (chunks or a dialect's events), in the SDK's
    ``Stream`` interface.

    Iterating reads the response (``for`` closes it when the loop ends or breaks); ``close()``
    and the context manager close it too. ``response`` is the HTTP response.
    """

    response: Any

    def __init__(self, response: Any, sdk: SDK, decoder: Any, client: Any) -> None:
        self.response = response
        # The client owns the connection pool: it must live as long as the stream (a client
        # collected mid-stream closes the socket being read), as the SDK's own Stream keeps it.
        self._client = client
        self._iterator = read(_CheckedBody(response), decoder, sdk.translator(response))

    def __iter__(self) -> Iterator[Any]:
        # A generator of its own: when a `for` loop ends early, it is closed at once, and
        # `yield from` closes the reader, whose `finally` closes the response.
        yield from self._iterator

    def __next__(self) -> Any:
        return self._iterator.__next__()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes the response and releases the connection."""
        self.response.close()


class AsyncSsejetStream:
    """The async twin of :class:`SsejetStream`: ``async for``, ``async with``, ``await close()``."""

    response: Any

    def __init__(self, response: Any, sdk: SDK, decoder: Any, client: Any) -> None:
        self.response = response
        self._client = client  # as in SsejetStream
        self._iterator = aread(_AsyncCheckedBody(response), decoder, sdk.translator(response))

    async def __aiter__(self) -> AsyncIterator[Any]:
        # Breaking out of `async for` leaves this generator to be closed by the event loop's
        # async-generator finalizer, which then closes the reader and the response.
        try:
            async for chunk in self._iterator:
                yield chunk
        finally:
            await self._iterator.aclose()  # type: ignore[attr-defined]

    async def __anext__(self) -> Any:
        return await self._iterator.__anext__()

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Closes the response and releases the connection."""
        await self.response.aclose()

    async def aclose(self) -> None:
        """Same as :meth:`close` (openai's name for it)."""
        await self.close()
