"""The read loop: a response body's bytes into a decoder, out as events, chunks or dialect events.

Every integration runs this one loop, sync or async: the iterators over httpx responses (and
every other source ``body_of`` knows), ``connect_sse``'s ``EventSource`` and the SDK streams of
``ssejet.accelerate``. It is the only place that

- checks the response (``Body.check``: status, content type) before the first read;
- feeds each read to the decoder as it arrives (no re-chunking: that would only delay events);
- yields what a decoder error carries (``completed``) before raising it, so nothing decoded is
  lost;
- stops at the end of a stream (``engine.done``: ``[DONE]``, a dialect's last event) at once:
  the body may read and discard what it still holds, at most ``DRAIN_LIMIT`` bytes and
  ``DRAIN_SECONDS`` (``Body.drain``), so that a connection whose body ends there can be
  reused; nothing that happens then (a timeout, a reset) reaches the caller;
- raises ``SSEError("stream ended mid-event")`` when the body ends while an event is
  incomplete (after yielding the complete ones): truncation is never silent. A pending
  ``data: [DONE]`` counts as ``[DONE]`` (the decoder's ``close()`` decides), and after the
  end of a stream nothing is checked;
- closes the body however the loop ends: exhausted, failed, broken out of or cancelled.

A decoder is driven through ``ssejet._decoders.engine``: its ``done`` is read after every read,
on the implementation itself (half the cost of the facade's property).

``translate`` lets an integration replace an error (the SDK streams raise the SDK's own
exception types): it is called with every exception the loop meets and may raise another in
its place; when it returns, the original is re-raised.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any, Callable, Optional, Protocol

from .._decoders import engine
from .._errors import DECODER_ERRORS, SSEError, completed

DRAIN_LIMIT = 64 * 1024
"""After the end of a stream, a body reads at most this many more bytes, then closes."""
DRAIN_SECONDS = 0.05
"""... and for at most this long."""

TRUNCATED = "stream ended mid-event"
"""The message of the SSEError a body that ends inside an event raises."""

Translate = Optional[Callable[[Exception], None]]


class Body(Protocol):
    """One response body as the sync loop reads it (see ``_transport.httpx``)."""

    def check(self) -> None:
        """Raises ``APIStatusError`` or ``SSEError`` unless the response is a 2xx event stream."""

    def reads(self) -> Iterator[bytes]:
        """The body's bytes, read by read."""
        ...

    def drain(self, reads: Iterator[bytes]) -> None:
        """After the end of the stream: reads and discards what the body still holds, within
        DRAIN_LIMIT and DRAIN_SECONDS, never raising (or does nothing)."""

    def close(self) -> None:
        """Releases the response (idempotent)."""


class AsyncBody(Protocol):
    """One response body as the async loop reads it."""

    async def check(self) -> None: ...

    def reads(self) -> AsyncIterator[bytes]: ...

    async def drain(self, reads: AsyncIterator[bytes]) -> None: ...

    async def close(self) -> None: ...


def read(body: Body, decoder: Any, translate: Translate = None) -> Iterator[Any]:
    """Yields what ``decoder`` makes of ``body``, then closes it (see the module doc)."""
    stream = engine(decoder)
    feed = stream.feed
    try:
        body.check()
        reads = body.reads()
        for data in reads:
            try:
                items = feed(data)
            except DECODER_ERRORS as error:
                yield from completed(error)
                raise
            yield from items
            if stream.done:
                body.drain(reads)
                return
        incomplete = stream.incomplete
        try:
            items = stream.close()
        except DECODER_ERRORS as error:
            yield from completed(error)
            raise
        yield from items
        if incomplete and not stream.done:
            raise SSEError(TRUNCATED)
    except Exception as error:
        if translate is not None:
            translate(error)
        raise
    finally:
        body.close()


async def aread(body: AsyncBody, decoder: Any, translate: Translate = None) -> AsyncIterator[Any]:
    """The async twin of :func:`read`."""
    stream = engine(decoder)
    feed = stream.feed
    reads: Any = None
    try:
        await body.check()
        reads = body.reads()
        async for data in reads:
            try:
                items = feed(data)
            except DECODER_ERRORS as error:
                for item in completed(error):
                    yield item
                raise
            for item in items:
                yield item
            if stream.done:
                await body.drain(reads)
                return
        incomplete = stream.incomplete
        try:
            items = stream.close()
        except DECODER_ERRORS as error:
            for item in completed(error):
                yield item
            raise
        for item in items:
            yield item
        if incomplete and not stream.done:
            raise SSEError(TRUNCATED)
    except Exception as error:
        if translate is not None:
            translate(error)
        raise
    finally:
        aclose = getattr(reads, "aclose", None)
        if aclose is not None:
            await aclose()
        await body.close()


async def drain_within_limits(reads: AsyncIterator[bytes]) -> None:
    """``AsyncBody.drain`` for async bodies: reads within DRAIN_LIMIT and DRAIN_SECONDS (a
    read still waiting at the deadline is cancelled), never raising."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DRAIN_SECONDS
    discarded = 0
    with contextlib.suppress(Exception, asyncio.TimeoutError):
        while discarded < DRAIN_LIMIT:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            data = await asyncio.wait_for(reads.__anext__(), remaining)
            discarded += len(data)
