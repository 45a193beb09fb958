"""``iter_sse``, ``iter_chunks`` and their async twins: a source's events or chunks, through the
one read loop (``_read``). ``body_of`` picks the adapter for a source.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from .._decoders import DEFAULT_MAX_EVENT_SIZE, ChunkDecoder, SSEDecoder
from . import aiohttp as _aiohttp
from . import httpx as _httpx
from . import requests as _requests
from ._read import AsyncBody, Body, aread, read
from .iterables import AsyncIterableBody, IterableBody

if TYPE_CHECKING:
    from .._models import ChatCompletionChunk, ServerSentEvent


SYNC_SOURCES = (
    "a streaming httpx.Response, a requests.Response (stream=True) or an iterable of bytes"
)
ASYNC_SOURCES = (
    "a streaming httpx.Response, an aiohttp.ClientResponse or an async iterable of bytes"
)


def body_of(source: Any) -> Body:
    """The read loop's adapter for a sync source."""
    if _httpx.is_response(source):
        return _httpx.HttpxBody(source)
    if _requests.is_response(source):
        return _requests.RequestsBody(source)
    if hasattr(source, "__iter__"):
        return IterableBody(source)
    raise TypeError(f"expected {SYNC_SOURCES}, not {type(source).__name__}")


def abody_of(source: Any) -> AsyncBody:
    """The async read loop's adapter for an async source."""
    if _httpx.is_response(source):
        return _httpx.AsyncHttpxBody(source)
    if _aiohttp.is_response(source):
        return _aiohttp.AiohttpBody(source)
    if hasattr(source, "__aiter__"):
        return AsyncIterableBody(source)
    raise TypeError(f"expected {ASYNC_SOURCES}, not {type(source).__name__}")


def iter_decoded(source: Any, decoder: Any) -> Iterator[Any]:
    """What ``decoder`` (any public decoder: SSEDecoder, ChunkDecoder, a dialect's
    EventDecoder) makes of a sync source, through the read loop: the iterator family every
    ``iter_*`` of ssejet is."""
    return read(body_of(source), decoder)


def aiter_decoded(source: Any, decoder: Any) -> AsyncIterator[Any]:
    """The async twin of :func:`iter_decoded`."""
    return aread(abody_of(source), decoder)


def iter_sse(
    source: Any, *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE, backend: str | None = None
) -> Iterator[ServerSentEvent]:
    """Yields the Server-Sent Events of a response as its body arrives.

    The response is closed when the body ends, on an error, or when the consumer stops early.

    Args:
        source: a streaming ``httpx.Response`` (``client.stream(...)``), a
            ``requests.Response`` opened with ``stream=True``, or any iterable of bytes-like
            objects (no status or content-type checks then).
        max_event_size: passed to :class:`SSEDecoder`.
        backend: ``"rust"``, ``"python"``, or None for ``ssejet.backend``.

    Raises:
        APIStatusError: the status is not 2xx (raised before any event).
        SSEError: the response is not ``text/event-stream``.
        EventTooLargeError: after the good events of the same read have been yielded.
        httpx.HTTPError: the transport failed (a partial event is never yielded).
    """
    decoder = SSEDecoder(max_event_size=max_event_size, backend=backend)
    return read(body_of(source), decoder)


def aiter_sse(
    source: Any, *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE, backend: str | None = None
) -> AsyncIterator[ServerSentEvent]:
    """The async version of :func:`iter_sse`, over a streaming ``httpx.Response``, an
    ``aiohttp.ClientResponse`` or any async iterable of bytes; cancelling it closes the
    response."""
    decoder = SSEDecoder(max_event_size=max_event_size, backend=backend)
    return aread(abody_of(source), decoder)


def iter_chunks(
    source: Any, *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE, backend: str | None = None
) -> Iterator[ChatCompletionChunk]:
    """Yields the chat-completion chunks of a streaming response as its body arrives.

    After ``[DONE]``, at most 64 KiB more of the body is read and discarded (so that a
    connection whose body ends there goes back to the pool), then the response is closed.

    Args:
        source: a streaming ``httpx.Response`` (``client.stream(...)``), a
            ``requests.Response`` opened with ``stream=True``, or any iterable of bytes-like
            objects (no status or content-type checks then).
        max_event_size: passed to :class:`ChunkDecoder`.
        backend: ``"rust"``, ``"python"``, or None for ``ssejet.backend``.

    Raises:
        APIStatusError: the status is not 2xx (raised before any chunk).
        SSEError: the response is not ``text/event-stream``.
        StreamAPIError, ChunkDecodeError, EventTooLargeError: after the chunks the same read
            completed before the error have been yielded.
        httpx.HTTPError: the transport failed (a partial event is never yielded).
    """
    decoder = ChunkDecoder(max_event_size=max_event_size, backend=backend)
    return read(body_of(source), decoder)


def aiter_chunks(
    source: Any, *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE, backend: str | None = None
) -> AsyncIterator[ChatCompletionChunk]:
    """The async version of :func:`iter_chunks`, over a streaming ``httpx.Response``, an
    ``aiohttp.ClientResponse`` or any async iterable of bytes; cancelling it closes the
    response."""
    decoder = ChunkDecoder(max_event_size=max_event_size, backend=backend)
    return aread(abody_of(source), decoder)
