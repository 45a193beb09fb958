"""The read loop: a response body's bytes into a decoder, out as events, chunks or dialect events.

Every integration runs this one loop, sync or async: the iterators over httpx responses (and
every other source ``body_of`` knows), ``connect_sse``'s ``EventSource`` and the SDK streams of
``ssejet.accelerate``. It is the only place that

- checks the response (``Body.check``: status, content type) before the first read;
- feeds each read to the decoder as it arrives (no re-chunking: that would only delay events);
- yields what a decoder error carries (``completed``) before raising it, so nothing decoded is
  lost;
- stops at the end of a stream (``engine.done``: ``[DONE]``, a dialect's last event), reading at
  most ``DRAIN_LIMIT`` more bytes so that a connection whose body ends there can be reused;
- closes the body however the loop ends: exhausted, failed, broken out of or cancelled.

A decoder is driven through ``ssejet._decoders.engine``: its ``done`` is read after every read,
on the implementation itself (half the cost of the facade's property).

``translate`` lets an integration replace an error (the SDK streams raise the SDK's own
exception types): it is called with every exception the loop meets and may raise another in
its place; when it returns, the original is re-raised.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any, Callable, Optional, Protocol

from .._decoders import engine
from .._errors import DECODER_ERRORS, completed

DRAIN_LIMIT = 64 * 1024
"""After the end of a stream, the loop reads at most this many more bytes, then closes."""

Translate = Optional[Callable[[Exception], None]]


class Body(Protocol):
    """One response body as the sync loop reads it (see ``_transport.httpx``)."""

    def check(self) -> None:
        """Raises ``APIStatusError`` or ``SSEError`` unless the response is a 2xx event stream."""

    def reads(self) -> Iterator[bytes]:
        """The body's bytes, read by read."""
        ...

    def close(self) -> None:
        """Releases the response (idempotent)."""


class AsyncBody(Protocol):
    """One response body as the async loop reads it."""

    async def check(self) -> None: ...

    def reads(self) -> AsyncIterator[bytes]: ...

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
                _drain(reads)
                return
        try:
            items = stream.close()
        except DECODER_ERRORS as error:
            yield from completed(error)
            raise
        yield from items
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
                await _adrain(reads)
                return
        try:
            items = stream.close()
        except DECODER_ERRORS as error:
            for item in completed(error):
                yield item
            raise
        for item in items:
            yield item
    except Exception as error:
        if translate is not None:
            translate(error)
        raise
    finally:
        aclose = getattr(reads, "aclose", None)
        if aclose is not None:
            await aclose()
        await body.close()


def _drain(reads: Iterator[bytes]) -> None:
    """Reads and discards what follows the end of the stream, up to DRAIN_LIMIT bytes. The
    output is complete by then: a failure here (a timeout, a reset) is no error of the stream."""
    discarded = 0
    with contextlib.suppress(Exception):
        for data in reads:
            discarded += len(data)
            if discarded >= DRAIN_LIMIT:
                break


async def _adrain(reads: AsyncIterator[bytes]) -> None:
    """The async twin of :func:`_drain`."""
    discarded = 0
    with contextlib.suppress(Exception):
        async for data in reads:
            discarded += len(data)
            if discarded >= DRAIN_LIMIT:
                break
