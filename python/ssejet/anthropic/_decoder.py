"""``ssejet.anthropic.EventDecoder``: the facade over the Rust ``AnthropicEventDecoder`` and
its pure twin (``ssejet._pure.anthropic``), and the iterators over every layer 4 source."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from .._decoders import DEFAULT_MAX_EVENT_SIZE, StreamDecoder
from .._pure import anthropic as _pure


class EventDecoder(StreamDecoder):
    """Incremental Anthropic Messages decoder: SSE bytes in, typed events out.

    Framing as :class:`ssejet.SSEDecoder`, then each event's JSON payload becomes an event:
    ``content_block_delta`` (with its typed delta), ``message_start``, ``content_block_start``,
    ``content_block_stop``, ``message_delta`` and ``message_stop`` are typed classes; every
    other event type, known or new, is a read-only record. ``ping`` is skipped; ``done`` is
    True after ``message_stop``.

    Args:
        max_event_size: the most bytes an event's field lines may hold; a larger event raises
            :class:`ssejet.EventTooLargeError` and is skipped.
        backend: ``"rust"``, ``"python"``, or None for ``ssejet.backend``.

    >>> decoder = EventDecoder()
    >>> events = decoder.feed(b'event: message_stop\\ndata: {"type":"message_stop"}\\n\\n')
    >>> events[0].type, decoder.done
    ('message_stop', True)
    """

    def __init__(
        self, *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE, backend: str | None = None
    ) -> None:
        self._delegate("AnthropicEventDecoder", _pure.decoder, max_event_size, backend)

    def feed(self, data: bytes | bytearray | memoryview) -> list[Any]:
        """Decodes the next bytes of the stream; returns the events they complete.

        After ``message_stop`` (``done`` becomes True) or a terminal error, input is ignored
        until :meth:`close`.

        Raises:
            StreamAPIError: an ``error`` event (``overloaded_error``...) or a payload with a
                truthy ``error``. Ends the stream.
            ChunkDecodeError: a payload is not a JSON object, or a hot-path field has the
                wrong JSON type. Ends the stream.
            EventTooLargeError: an event passed ``max_event_size``; the decoder goes on.

            Each carries in ``.events`` the events this call completed before it.
        """
        return self._impl.feed(data)  # type: ignore[no-any-return]  # pragma: no cover

    def close(self) -> list[Any]:
        """Ends the stream (an unterminated event is discarded); the next ``feed()`` starts a
        new one. ``done`` keeps its value until then."""
        return self._impl.close()  # type: ignore[no-any-return]  # pragma: no cover


def iter_events(
    source: Any, *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE, backend: str | None = None
) -> Iterator[Any]:
    """Yields the Anthropic events of a streaming response as its body arrives.

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
    ``aiohttp.ClientResponse`` or any async iterable of bytes."""
    from .._transport.iterators import aiter_decoded

    decoder = EventDecoder(max_event_size=max_event_size, backend=backend)
    return aiter_decoded(source, decoder)
