"""``reconnecting_sse`` / ``areconnecting_sse``: one event stream over as many httpx requests as
it takes, by the WHATWG EventSource rules ("reestablish the connection").

Each request runs through the one read loop (``_read``) with the same :class:`SSEDecoder`, so
``last_event_id`` and ``retry`` carry over: ``close()`` between requests discards a partial event
and keeps both, as the spec's reconnection does. Only what the loop cannot know lives here: which
failures reconnect, how long to wait, and the ``Last-Event-ID`` header.

The spec waits the reconnection time and nothing more; a client that retries a failing server
forever needs backoff and jitter too, so the wait before the n-th reconnection in a row that
yields no event is ``retry * 2**(n-1)`` (doubling from at least 10 ms, so that ``retry: 0``
never spins), at most ``max(retry, 30 s)``, plus 0-25% random jitter. The first wait after a
stream that yielded events is the server's ``retry`` itself (+ jitter).
"""

from __future__ import annotations

import random
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Optional

from .._decoders import DEFAULT_MAX_EVENT_SIZE, SSEDecoder
from .._errors import DECODER_ERRORS, SSEError
from ._read import aread, read
from .httpx import AsyncHttpxBody, HttpxBody, import_httpx, sse_headers

if TYPE_CHECKING:
    from .._models import ServerSentEvent

DEFAULT_RETRY = 3000
"""The reconnection time (ms) until the stream sends a valid ``retry`` field, as browsers use."""
MIN_BACKOFF = 10
"""Consecutive failures double the wait from at least this many ms (``retry: 0`` included)."""
MAX_BACKOFF = 30_000
"""The backoff stops growing here (ms), unless the server's own ``retry`` is longer."""
JITTER = 0.25
"""Each wait is lengthened by up to this fraction, so that clients cut off together spread out."""

# Where a request stands when it fails: only a stream that never started, or that started and
# broke, is reconnected; a response that fails its check "fails the connection" (the spec).
_CONNECTING, _CHECKING, _STREAMING = range(3)


def reconnecting_sse(
    client: Any,
    method: str,
    url: Any,
    *,
    max_retries: Optional[int] = None,
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    backend: Optional[str] = None,
    **kwargs: Any,
) -> Iterator[ServerSentEvent]:
    """Yields a resource's Server-Sent Events, reconnecting as a browser's EventSource does.

    After a network error (``httpx.TransportError``: a refused connection, a timeout, a
    connection dropped mid-event, whose partial event is never yielded) or the end of the body,
    waits the stream's ``retry`` (default 3000 ms) with backoff and jitter (see the module doc),
    then sends the request again with ``Last-Event-ID`` (when the last event ID is non-empty; a
    ``Last-Event-ID`` in ``headers`` is sent until the stream gives an ID of its own). Every
    request sends ``Accept: text/event-stream`` and ``Cache-Control: no-store`` on a copy of the
    caller's headers. The request body must be re-sendable (``json=``, ``data=``, bytes).

    Args:
        client: an ``httpx.Client``.
        method, url: the request, sent with ``client.stream(method, url, **kwargs)``.
        max_retries: how many reconnections in a row may yield no event; the next failure
            raises its error (or, when the body just ended, ends the iteration). None: forever.
        max_event_size, backend: passed to the :class:`SSEDecoder` shared by all requests.

    Raises:
        APIStatusError: a status other than 2xx (HTTP 204 ends the iteration quietly).
        SSEError: a response that is not ``text/event-stream``.
        EventTooLargeError: after the good events of the same read (no reconnection).
        httpx.TransportError: the last of more than ``max_retries`` failures in a row;
            ``UnsupportedProtocol`` and ``LocalProtocolError`` at once (retrying cannot help).
    """
    decoder = _setup(max_retries, max_event_size, backend)
    return _reconnect(client, method, url, decoder, max_retries, kwargs)


def areconnecting_sse(
    client: Any,
    method: str,
    url: Any,
    *,
    max_retries: Optional[int] = None,
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    backend: Optional[str] = None,
    **kwargs: Any,
) -> AsyncIterator[ServerSentEvent]:
    """The async version of :func:`reconnecting_sse`, for an ``httpx.AsyncClient``."""
    decoder = _setup(max_retries, max_event_size, backend)
    return _areconnect(client, method, url, decoder, max_retries, kwargs)


def _setup(max_retries: Any, max_event_size: int, backend: Optional[str]) -> SSEDecoder:
    """Checks the arguments at the call, not at the first ``next()``; the shared decoder."""
    if max_retries is not None and (
        not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0
    ):
        raise ValueError(f"max_retries must be None or an int >= 0, not {max_retries!r}")
    return SSEDecoder(max_event_size=max_event_size, backend=backend)


def _reconnect(
    client: Any, method: str, url: Any, decoder: SSEDecoder, max_retries: Any, kwargs: Any
) -> Iterator[ServerSentEvent]:
    headers, network = kwargs.pop("headers", None), _network_errors(client)
    failures = 0
    while True:
        stage, error = _CONNECTING, None
        try:
            request_headers = _headers(headers, decoder)
            with client.stream(method, url, headers=request_headers, **kwargs) as response:
                if response.status_code == 204:  # the spec: fail the connection, quietly
                    return
                stage = _CHECKING
                body = HttpxBody(response)
                body.check()  # read() checks again: free for a 2xx event stream
                stage = _STREAMING
                events = read(body, decoder)
                try:
                    for event in events:
                        failures = 0
                        yield event
                finally:
                    events.close()  # type: ignore[attr-defined]  # at once, not when collected
        except Exception as caught:
            if not _reconnects(caught, stage, network):
                raise
            error = caught
        failures += 1
        if _exhausted(failures, max_retries, error):
            return
        decoder.close()  # a partial event is discarded; last_event_id and retry are kept
        time.sleep(_delay(decoder.retry, failures))


async def _areconnect(
    client: Any, method: str, url: Any, decoder: SSEDecoder, max_retries: Any, kwargs: Any
) -> AsyncIterator[ServerSentEvent]:
    headers, network = kwargs.pop("headers", None), _network_errors(client)
    failures = 0
    while True:
        stage, error = _CONNECTING, None
        try:
            request_headers = _headers(headers, decoder)
            async with client.stream(method, url, headers=request_headers, **kwargs) as response:
                if response.status_code == 204:
                    return
                stage = _CHECKING
                body = AsyncHttpxBody(response)
                await body.check()
                stage = _STREAMING
                events = aread(body, decoder)
                try:
                    async for event in events:
                        failures = 0
                        yield event
                finally:
                    await events.aclose()  # type: ignore[attr-defined]
        except Exception as caught:
            if not _reconnects(caught, stage, network):
                raise
            error = caught
        failures += 1
        if _exhausted(failures, max_retries, error):
            return
        decoder.close()
        await _async_sleep(_delay(decoder.retry, failures))


def _headers(headers: Any, decoder: SSEDecoder) -> Any:
    """The headers of the next request: the caller's (copied), the SSE ones, Last-Event-ID."""
    merged = sse_headers(headers)
    if decoder.last_event_id:  # the spec: only when the last event ID string is not empty
        merged["Last-Event-ID"] = decoder.last_event_id  # httpx encodes it as UTF-8
    return merged


def _network_errors(client: Any) -> tuple[type, tuple[type, ...]]:
    """The transport errors of the client's package (httpx, or the httpx2 fork), and those of
    them that no reconnection can cure."""
    module = None
    for cls in type(client).__mro__:
        package = cls.__module__.partition(".")[0]
        if package in ("httpx", "httpx2"):
            module = sys.modules[package]
            break
    module = module or import_httpx()
    return module.TransportError, (module.UnsupportedProtocol, module.LocalProtocolError)


def _reconnects(error: Exception, stage: int, network: tuple[type, tuple[type, ...]]) -> bool:
    """Whether a request that failed with ``error`` at ``stage`` is to be sent again."""
    transport, permanent = network
    if isinstance(error, transport):
        return stage != _CHECKING and not isinstance(error, permanent)
    # Once streaming, an SSEError that is not a decoder's is the body ending mid-event: the spec
    # discards that event and reconnects. Before, it is a wrong content type: no reconnection.
    return (
        stage == _STREAMING
        and isinstance(error, SSEError)
        and not isinstance(error, DECODER_ERRORS)
    )


def _exhausted(failures: int, max_retries: Optional[int], error: Optional[Exception]) -> bool:
    """True (or ``error`` raised) once ``failures`` in a row pass ``max_retries``."""
    if max_retries is None or failures <= max_retries:
        return False
    if error is not None:
        raise error
    return True  # the body ended as bodies do: no error to report


def _delay(retry: Optional[int], failures: int) -> float:
    """Seconds to wait before the next request after ``failures`` in a row (module doc)."""
    retry = DEFAULT_RETRY if retry is None else retry
    base = retry if failures == 1 else max(retry, MIN_BACKOFF)
    wait = min(base << min(failures - 1, 32), max(retry, MAX_BACKOFF))
    return min(wait / 1000 * (1 + JITTER * random.random()), threading.TIMEOUT_MAX)


async def _async_sleep(seconds: float) -> None:
    try:  # httpx's own dependency: sleeps under asyncio and trio alike
        import anyio
    except ImportError:  # pragma: no cover - httpx2 without anyio
        import asyncio

        await asyncio.sleep(seconds)
    else:
        await anyio.sleep(seconds)
