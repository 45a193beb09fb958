"""``ssejet.responses.EventDecoder``: the facade over the Rust ``ResponsesEventDecoder`` and
its pure twin (``ssejet._pure.responses``), and the iterators over every layer 4 source."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from .._decoders import DEFAULT_MAX_EVENT_SIZE, StreamDecoder
from .._pure import responses as _pure


class EventDecoder(StreamDecoder):
    """Incremental OpenAI Responses decoder: SSE bytes in, typed events out.

    Framing as :class:`ssejet.SSEDecoder`, then each event's JSON payload becomes an event:
    ``response.output_text.delta``, ``response.function_call_arguments.delta``,
    ``response.reasoning_summary_text.delta`` and ``response.reasoning_text.delta`` are typed
    classes; every other event type, known or new, is a read-only record with attribute access
    at any depth (``event.response.usage.output_tokens``, ``event.item.call_id``). ``done`` is
    True after ``response.completed``, ``response.failed`` or ``response.incomplete`` (and
    after ``[DONE]``, which OpenRouter sends).

    Args:
        max_event_size: the most bytes an event's field lines may hold; a larger event raises
            :class:`ssejet.EventTooLargeError` and is skipped.
        backend: ``"rust"``, ``"python"``, or None for ``ssejet.backend``.

    >>> decoder = EventDecoder()
    >>> events = decoder.feed(
    ...     b'data: {"type":"response.completed","response":{"status":"completed"}}\\n\\n'
    ... )
    >>> events[0].response.status, decoder.done
    ('completed', True)
    """

    def __init__(
        self, *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE, backend: str | None = None
    ) -> None:
        self._delegate(
            "ResponsesEventDecoder", _pure.ResponsesEventDecoder, max_event_size, backend
        )

    def feed(self, data: bytes | bytearray | memoryview) -> list[Any]:
        """Decodes the next bytes of the stream; returns the events they complete.

        After the stream's end (``done`` becomes True) or a terminal error, input is ignored
        until :meth:`close`. ``response.failed`` and ``response.incomplete`` are events, not
        errors.

        Raises:
            StreamAPIError: an ``error`` event (OpenAI's flat ``{"type": "error", "code": ...,
                "message": ...}`` is its own error object) or a payload with a truthy
                ``error``. Ends the stream.
            ChunkDecodeError: a payload is not a JSON object, or a delta event's field has the
                wrong JSON type. Ends the stream.
            EventTooLargeError: an event passed ``max_event_size``; the decoder goes on.

            Each carries in ``.events`` the events this call completed before it.
        """
        return self._impl.feed(data)  # type: ignore[no-any-return]  # pragma: no cover

    def close(self) -> list[Any]:
        """Ends the stream (an unterminated event is discarded, a ``[DONE]`` cut off before
        its blank line counts); the next ``feed()`` starts a new one. ``done`` keeps its value
        until then."""
        return self._impl.close()  # type: ignore[no-any-return]  # pragma: no cover


def iter_events(
    source: Any, *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE, backend: str | None = None
) -> Iterator[Any]:
    """Yields the Responses events of a streaming response as its body arrives.

    After the stream's last event, at most 64 KiB more of the body is read and discarded, then
    the response is closed.

    Args:
        source: a streaming ``httpx.Response``, a ``requests.Response`` opened with
            ``stream=True``, or any iterable of bytes-like objects.
        max_event_size: passed to :class:`EventDecoder`.
        backend: ``"rust"``, ``"python"``, or None for ``ssejet.backend``.

    Raises:
        APIStatusError: the status is not 2xx (before any event).
        SSEError: the response is not ``text/event-stream``, or the body ended mid-event.
        StreamAPIError, ChunkDecodeError, EventTooLargeError: after the events the same read
            completed before the error have been yielded.
    """
    from .._transport.iterators import iter_decoded

    decoder = EventDecoder(max_event_size=max_event_size, backend=backend)
    return iter_decoded(source, decoder)


def aiter_events(
    source: Any, *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE, backend: str | None = None
) -> AsyncIterator[Any]:
    """The async version of :func:`iter_events`, over a streaming ``httpx.Response``, an
    ``aiohttp.ClientResponse`` or any async iterable of bytes; cancelling it closes the
    response."""
    from .._transport.iterators import aiter_decoded

    decoder = EventDecoder(max_event_size=max_event_size, backend=backend)
    return aiter_decoded(source, decoder)
