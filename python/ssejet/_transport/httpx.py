"""httpx (and httpx2, the fork the openai and anthropic SDKs run on): the body adapters the
read loop reads, ``EventSource`` and ``connect_sse`` / ``aconnect_sse``.

The adapters are duck-typed over the ``Response`` API both packages share, so neither is
imported here; ``connect_sse`` imports httpx when called (an optional dependency:
``pip install "ssejet[httpx]"``).

Performance notes (measured on 2 shared cores, Ark-shaped ~270-byte events, one per read, over
``httpx.MockTransport``; medians): the body is read with ``Response.iter_raw()`` when it has no
``Content-Encoding``, else with ``iter_bytes()``, which decodes gzip, deflate, br and zstd.
``iter_bytes()`` is a generator around ``iter_raw()`` that passes each read through an identity
decoder and a chunker: 0.35-0.5 us more per read, sync or async. With the Rust backend, the
loop adds 0.2-0.35 us per event to ``iter_raw()`` + ``feed()`` written by hand (a generator
frame and one ``done`` check per read). For gzip, ``iter_raw()`` + httpx's private content
decoder would save ~0.4 us per read over ``iter_bytes()``; not worth a private API for a rare
case. Bytes are never decoded by httpx: the SSE spec says UTF-8 whatever ``charset=`` says, and
the decoder does it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from .._decoders import DEFAULT_MAX_EVENT_SIZE
from ._read import DRAIN_LIMIT, DRAIN_SECONDS, drain_within_limits
from .checks import acheck, check

_IDENTITY = ("", "identity")


def is_response(source: Any) -> bool:
    """Whether ``source`` is an ``httpx.Response`` (or an httpx2 one)."""
    return any(
        cls.__name__ == "Response" and cls.__module__.partition(".")[0] in ("httpx", "httpx2")
        for cls in type(source).__mro__
    )


def _raw_readable(response: Any) -> bool:
    """Whether the body can be read with ``iter_raw()`` (a generator and a decoder per read
    cheaper than ``iter_bytes()``): unread, with no content encoding."""
    return (
        not response.is_stream_consumed
        and response.headers.get("content-encoding", "").strip().lower() in _IDENTITY
    )


class HttpxBody:
    """A streaming ``httpx.Response`` as the read loop's ``Body``."""

    __slots__ = ("response",)

    def __init__(self, response: Any) -> None:
        self.response = response

    def check(self) -> None:
        response = self.response
        content_type = response.headers.get("content-type")
        reason = response.reason_phrase
        check(response.status_code, reason, content_type, response.iter_bytes, response)

    def reads(self) -> Iterator[bytes]:
        response = self.response
        return response.iter_raw() if _raw_readable(response) else response.iter_bytes()

    def drain(self, reads: Iterator[bytes]) -> None:
        """Reads what arrives within the time left. A blocking read cannot be cut short from
        outside, so for the drain each socket read of the connection (httpx's
        ``network_stream`` extension) is given the time left as its timeout; bytes the HTTP
        parser already holds (often the chunked terminator) are read without waiting, and the
        connection goes back to the pool. Other transports (in memory, mocked) are read as
        they are."""
        deadline = time.monotonic() + DRAIN_SECONDS
        stream = self.response.extensions.get("network_stream")
        bounded = _bound_socket_reads(stream, deadline)
        discarded = 0
        try:
            with contextlib.suppress(Exception):
                while discarded < DRAIN_LIMIT and time.monotonic() < deadline:
                    discarded += len(next(reads))
        finally:
            if bounded:
                del stream.read

    def close(self) -> None:
        self.response.close()


def _bound_socket_reads(stream: Any, deadline: float) -> bool:
    """Makes each read of ``stream`` (an httpcore network stream) wait at most until
    ``deadline``; False when there is no such stream to bound."""
    read = getattr(stream, "read", None)
    if read is None:
        return False

    def bounded_read(max_bytes: int, timeout: float | None = None) -> bytes:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the drain's time is up")
        return read(max_bytes, remaining if timeout is None else min(timeout, remaining))  # type: ignore[no-any-return]

    try:
        stream.read = bounded_read
    except AttributeError:  # a stream with slots: read as it is
        return False
    return True


class AsyncHttpxBody:
    """A streaming ``httpx.Response`` as the async read loop's ``AsyncBody``."""

    __slots__ = ("response",)

    def __init__(self, response: Any) -> None:
        self.response = response

    async def check(self) -> None:
        response = self.response
        content_type = response.headers.get("content-type")
        reason = response.reason_phrase
        await acheck(response.status_code, reason, content_type, response.aiter_bytes, response)

    def reads(self) -> AsyncIterator[bytes]:
        response = self.response
        return response.aiter_raw() if _raw_readable(response) else response.aiter_bytes()

    async def drain(self, reads: AsyncIterator[bytes]) -> None:
        await drain_within_limits(reads)

    async def close(self) -> None:
        await self.response.aclose()


def import_httpx() -> Any:
    try:
        import httpx
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            'ssejet\'s httpx integration needs httpx: pip install "ssejet[httpx]"'
        ) from error
    return httpx


def sse_headers(headers: Any) -> Any:
    """A copy of the caller's headers (never mutated) asking for an uncached event stream."""
    merged = import_httpx().Headers(headers)
    merged["Accept"] = "text/event-stream"
    merged["Cache-Control"] = "no-store"
    return merged


class EventSource:
    """An SSE response and its iterators; what :func:`connect_sse` yields (as in httpx-sse).

    Args:
        response: the ``httpx.Response``.
        max_event_size: passed to the decoders.
        backend: ``"rust"``, ``"python"``, or None for ``ssejet.backend``.

    The status and content type are checked when iteration starts, so ``response`` can be
    inspected first (``event_source.response.raise_for_status()``).
    """

    def __init__(
        self,
        response: Any,
        *,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
        backend: str | None = None,
    ) -> None:
        self._response = response
        self._options: dict[str, Any] = {"max_event_size": max_event_size, "backend": backend}
        self._decoder: Any = None  # the SSEDecoder of iter_sse()/aiter_sse(), once started

    @property
    def response(self) -> Any:
        """The underlying ``httpx.Response``."""
        return self._response

    def iter_sse(self) -> Iterator[Any]:
        """The response's events: see :func:`ssejet.iter_sse`."""
        from .._decoders import SSEDecoder
        from ._read import read

        self._decoder = SSEDecoder(**self._options)
        return read(HttpxBody(self._response), self._decoder)

    def aiter_sse(self) -> AsyncIterator[Any]:
        """The response's events, asynchronously: see :func:`ssejet.aiter_sse`."""
        from .._decoders import SSEDecoder
        from ._read import aread

        self._decoder = SSEDecoder(**self._options)
        return aread(AsyncHttpxBody(self._response), self._decoder)

    @property
    def last_event_id(self) -> str:
        """The last event ID of ``iter_sse()`` / ``aiter_sse()`` so far (``""`` before they
        start): what a reconnection sends as ``Last-Event-ID``."""
        return "" if self._decoder is None else self._decoder.last_event_id  # type: ignore[no-any-return]

    @property
    def retry(self) -> int | None:
        """The stream's last valid ``retry`` (ms) so far, or None."""
        return None if self._decoder is None else self._decoder.retry  # type: ignore[no-any-return]

    def iter_chunks(self) -> Iterator[Any]:
        """The response's chat-completion chunks: see :func:`ssejet.iter_chunks`."""
        from .iterators import iter_chunks

        return iter_chunks(self._response, **self._options)

    def aiter_chunks(self) -> AsyncIterator[Any]:
        """The response's chat-completion chunks, asynchronously: see
        :func:`ssejet.aiter_chunks`."""
        from .iterators import aiter_chunks

        return aiter_chunks(self._response, **self._options)

    def __repr__(self) -> str:
        return f"EventSource({self._response!r})"


@contextmanager
def connect_sse(
    client: Any,
    method: str,
    url: Any,
    *,
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    backend: str | None = None,
    **kwargs: Any,
) -> Iterator[EventSource]:
    """Sends a streaming request and yields its :class:`EventSource`; closes it on exit.

    Sends ``Accept: text/event-stream`` and ``Cache-Control: no-store`` on top of the caller's
    headers (which are copied, never modified). ``max_event_size`` and ``backend`` go to the
    decoders, other keyword arguments to ``client.stream()``. A non-2xx status raises
    :class:`APIStatusError` when iteration starts.

    >>> with connect_sse(client, "POST", url, json=payload) as source:  # doctest: +SKIP
    ...     for chunk in source.iter_chunks():
    ...         print(chunk.choices[0].delta.content or "", end="")
    """
    kwargs["headers"] = sse_headers(kwargs.get("headers"))
    with client.stream(method, url, **kwargs) as response:
        yield EventSource(response, max_event_size=max_event_size, backend=backend)


@asynccontextmanager
async def aconnect_sse(
    client: Any,
    method: str,
    url: Any,
    *,
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    backend: str | None = None,
    **kwargs: Any,
) -> AsyncIterator[EventSource]:
    """The async version of :func:`connect_sse`."""
    kwargs["headers"] = sse_headers(kwargs.get("headers"))
    async with client.stream(method, url, **kwargs) as response:
        yield EventSource(response, max_event_size=max_event_size, backend=backend)
