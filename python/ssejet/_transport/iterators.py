"""``iter_sse``, ``iter_chunks`` and their async twins: a source's events or chunks, through the
one read loop (``_read``). ``body_of`` picks the adapter for a source.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from .._decoders import DEFAULT_MAX_EVENT_SIZE, ChunkDecoder, SSEDecoder
from . import httpx as _httpx
from ._read import AsyncBody, Body, aread, read

if TYPE_CHECKING:
    from .._models import ChatCompletionChunk, ServerSentEvent


def body_of(source: Any) -> Body:
    """The read loop's adapter for a sync source."""
    if _httpx.is_response(source):
        return _httpx.HttpxBody(source)
    raise TypeError(f"expected a streaming httpx.Response, not {type(source).__name__}")


def abody_of(source: Any) -> AsyncBody:
    """The async read loop's adapter for an async source."""
    if _httpx.is_response(source):
        return _httpx.AsyncHttpxBody(source)
    raise TypeError(f"expected a streaming httpx.Response, not {type(source).__name__}")


def iter_sse(
    source: Any, *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE, backend: str | None = None
) -> Iterator[ServerSentEvent]:
    """Yields the Server-Sent Events of a response as its body arrives.

    The response is closed when the body ends, on an error, or when the consumer stops early.

    Args:
        source: an ``httpx.Response``, best opened with ``client.stream(...)``.
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
    """The async version of :func:`iter_sse`; cancelling it closes the response."""
    decoder = SSEDecoder(max_event_size=max_event_size, backend=backend)
    return aread(abody_of(source), decoder)


def iter_chunks(
    source: Any, *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE, backend: str | None = None
) -> Iterator[ChatCompletionChunk]:
    """Yields the chat-completion chunks of a streaming response as its body arrives.

    After ``[DONE]``, at most 64 KiB more of the body is read and discarded (so that a
    connection whose body ends there goes back to the pool), then the response is closed.

    Args:
        source: an ``httpx.Response``, best opened with ``client.stream(...)``.
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
    """The async version of :func:`iter_chunks`; cancelling it closes the response."""
    decoder = ChunkDecoder(max_event_size=max_event_size, backend=backend)
    return aread(abody_of(source), decoder)
