"""The public decoders: thin facades that pick an implementation and delegate to it.

``feed`` is bound straight to the implementation's method in ``__init__``, so a call costs one
attribute lookup more than calling the implementation itself.

The integrations (``ssejet._transport``, ``ssejet._sdk``) drive decoders through
:func:`engine`, the one internal interface they use: it gives the object that does the work,
whose ``feed``, ``close`` and ``done`` are the facade's without the facade's property call on
``done`` (read after every network read).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Protocol

from . import _backend
from ._pure import chat as _pure_chat
from ._pure import sse as _pure_sse

if TYPE_CHECKING:
    from ._models import ChatCompletionChunk, ServerSentEvent

DEFAULT_MAX_EVENT_SIZE = _pure_sse.DEFAULT_MAX_EVENT_SIZE


def _check_max_event_size(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"max_event_size must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError(f"max_event_size must be at least 1, not {value}")
    return min(value, sys.maxsize)  # beyond that, no event can reach it anyway


def _implementation(
    name: str, pure: Any, max_event_size: Any, backend: str | None, *options: Any
) -> tuple[_backend.Backend, Any]:
    """What a facade delegates to: the extension's class ``name``, or the pure class, made
    with the checked ``max_event_size`` and ``options``."""
    limit = _check_max_event_size(max_event_size)
    chosen = _backend.resolve(backend)
    cls = getattr(_backend.rust(), name) if chosen == "rust" else pure
    return chosen, cls(limit, *options)


class Engine(Protocol):
    """What the read loops drive: a decoder's ``feed`` and ``close``; ``done`` is True once the
    stream has ended by its own rules (``[DONE]``, a dialect's last event), and always False
    for SSEDecoder, whose streams end only with their body."""

    done: bool
    incomplete: bool  # bytes of an unfinished event are buffered (read before close())

    def feed(self, data: bytes) -> list[Any]: ...

    def close(self) -> list[Any]: ...


def engine(decoder: Any) -> Engine:
    """The object doing ``decoder``'s work: a public decoder's backend implementation, or
    ``decoder`` itself for any other object with ``feed``, ``close`` and ``done`` (``ssejet
    chat`` passes one that times ``feed``). SSEDecoder's implementation gets a ``done`` of
    False here, so every engine answers the same three names."""
    if isinstance(decoder, SSEDecoder):
        return _NeverDone(decoder._impl)
    if isinstance(decoder, StreamDecoder):
        return decoder._impl  # type: ignore[no-any-return]
    return decoder  # type: ignore[no-any-return]


class _NeverDone:
    """An SSEDecoder implementation as an :class:`Engine`: event streams end with the body."""

    __slots__ = ("feed", "close", "impl")
    done = False

    def __init__(self, impl: Any) -> None:
        self.feed, self.close, self.impl = impl.feed, impl.close, impl

    @property
    def incomplete(self) -> bool:
        return self.impl.incomplete  # type: ignore[no-any-return]


class SSEDecoder:
    """Incremental, spec-compliant Server-Sent Events decoder: bytes in, events out.

    Args:
        max_event_size: the most bytes an event's field lines may hold (see the README); a
            larger event raises :class:`EventTooLargeError` and is skipped.
        backend: ``"rust"``, ``"python"``, or None for ``ssejet.backend``.

    >>> decoder = SSEDecoder()
    >>> decoder.feed(b"data: hel")
    []
    >>> decoder.feed(b"lo\\n\\n")
    [ServerSentEvent(event='message', data='hello', id='', retry=None)]
    """

    def __init__(
        self, *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE, backend: str | None = None
    ) -> None:
        self.backend, self._impl = _implementation(
            "SSEDecoder", _pure_sse.SSEDecoder, max_event_size, backend
        )
        self.feed = self._impl.feed  # type: ignore[method-assign]
        self.close = self._impl.close  # type: ignore[method-assign]

    def feed(self, data: bytes | bytearray | memoryview) -> list[ServerSentEvent]:
        """Decodes the next bytes of the stream; returns the events they complete.

        Raises:
            EventTooLargeError: an event passed ``max_event_size``. Its ``.events`` holds every
                good event of this call; the decoder stays usable.
        """
        return self._impl.feed(data)  # pragma: no cover - replaced per instance

    def close(self) -> list[ServerSentEvent]:
        """Ends the stream: an unterminated event is discarded (as the spec says).

        The decoder is then ready for a new stream (the BOM rule armed again), keeping
        ``last_event_id`` and ``retry`` as a reconnection does.
        """
        return self._impl.close()  # pragma: no cover - replaced per instance

    @property
    def incomplete(self) -> bool:
        """True when bytes of an unfinished event are buffered: a body ending now would be
        truncated (a known field's line since the last blank line; comments and unknown
        fields never count)."""
        return self._impl.incomplete  # type: ignore[no-any-return]

    @property
    def last_event_id(self) -> str:
        """The last event ID buffer's value at the last blank line."""
        return self._impl.last_event_id  # type: ignore[no-any-return]

    @property
    def retry(self) -> int | None:
        """The last valid ``retry`` value of the stream, in milliseconds."""
        return self._impl.retry  # type: ignore[no-any-return]

    @property
    def max_event_size(self) -> int:
        return self._impl.max_event_size  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"SSEDecoder(max_event_size={self.max_event_size}, backend={self.backend!r})"


class StreamDecoder:
    """The facades whose streams end by their own rules (``done``): :class:`ChunkDecoder` and
    the dialects' ``EventDecoder`` (``ssejet.anthropic``, ``ssejet.responses``).

    A subclass's ``__init__`` calls ``_delegate`` with the extension's class name and the pure
    class; ``feed`` and ``close`` are then the implementation's own bound methods.
    """

    backend: _backend.Backend
    _impl: Any

    def _delegate(
        self, name: str, pure: Any, max_event_size: Any, backend: str | None, *options: Any
    ) -> None:
        self.backend, self._impl = _implementation(name, pure, max_event_size, backend, *options)
        self.feed = self._impl.feed
        self.close = self._impl.close

    @property
    def done(self) -> bool:
        """True once the current stream has ended by its own rules."""
        return self._impl.done  # type: ignore[no-any-return]

    @property
    def incomplete(self) -> bool:
        """True when bytes of an unfinished event are buffered: a body ending now would be
        truncated (always False once the stream has ended)."""
        return self._impl.incomplete  # type: ignore[no-any-return]

    @property
    def max_event_size(self) -> int:
        return self._impl.max_event_size  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(max_event_size={self.max_event_size}, "
            f"backend={self.backend!r}, done={self.done!r})"
        )


class ChunkDecoder(StreamDecoder):
    """Incremental chat-completion chunk decoder: SSE bytes in, typed chunks out.

    Framing as :class:`SSEDecoder`, then each event's data becomes a
    :class:`ChatCompletionChunk` (see the README for the stream rules and normalisations).

    Args:
        max_event_size: the most bytes an event's field lines may hold; a larger event raises
            :class:`EventTooLargeError` and is skipped.
        backend: ``"rust"``, ``"python"``, or None for ``ssejet.backend``.
        sdk: whose ``ChatCompletionChunk`` model the chunks' ``model_dump()`` reproduces:
            ``"openai"``, ``"ark"``, or None for openai's when it is installed, else Ark's
            (``ssejet.accelerate`` sets its client's).

    >>> decoder = ChunkDecoder()
    >>> chunks = decoder.feed(b'data: {"choices":[{"delta":{"content":"Hi"}}]}\\n\\n')
    >>> chunks[0].choices[0].delta.content
    'Hi'
    >>> decoder.feed(b"data: [DONE]\\n\\n"), decoder.done
    ([], True)
    """

    def __init__(
        self,
        *,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
        backend: str | None = None,
        sdk: str | None = None,
    ) -> None:
        if sdk not in (None, "openai", "ark"):
            raise ValueError(f"sdk must be None, 'openai' or 'ark', not {sdk!r}")
        self._delegate("ChunkDecoder", _pure_chat.ChunkDecoder, max_event_size, backend, sdk)

    def feed(self, data: bytes | bytearray | memoryview) -> list[ChatCompletionChunk]:
        """Decodes the next bytes of the stream; returns the chunks they complete.

        After ``[DONE]`` (``done`` becomes True) or a terminal error, input is ignored until
        :meth:`close`.

        Raises:
            StreamAPIError: the provider reported an error (an ``error`` event, or a payload
                with a truthy ``error``). Ends the stream.
            ChunkDecodeError: a payload is not valid JSON, or a known field has a wrong type.
                Ends the stream.
            EventTooLargeError: an event passed ``max_event_size``; the decoder goes on.

            Each carries in ``.chunks`` the chunks this call completed before it.
        """
        return self._impl.feed(data)  # pragma: no cover - replaced per instance

    def close(self) -> list[ChatCompletionChunk]:
        """Ends the stream (an unterminated event is discarded); the next ``feed()`` starts a
        new one. ``done`` keeps its value until then. A ``[DONE]`` cut off before its blank
        line (``data: [DONE]`` pending at the end of the body) sets ``done``."""
        return self._impl.close()  # pragma: no cover - replaced per instance

    @property
    def done(self) -> bool:
        """True once ``[DONE]`` was seen in the current stream."""
        return self._impl.done  # type: ignore[no-any-return]

    @property
    def incomplete(self) -> bool:
        """True when bytes of an unfinished event are buffered: a body ending now would be
        truncated (always False once the stream has ended: after ``[DONE]`` or a terminal
        error nothing is pending)."""
        return self._impl.incomplete  # type: ignore[no-any-return]


def parse_chunk(
    data: str | bytes | bytearray | memoryview, *, backend: str | None = None
) -> ChatCompletionChunk:
    """Parses one chunk payload: the chunk a :class:`ChunkDecoder` gives for an event with
    this data (bytes are decoded as UTF-8 with U+FFFD replacement).

    Raises:
        ChunkDecodeError: not valid JSON, or a known field has a wrong type.
        StreamAPIError: the payload has a truthy top-level ``error``.

    >>> parse_chunk('{"choices": [{"delta": {"content": "Hi"}}]}').choices[0].delta.content
    'Hi'
    """
    if _backend.resolve(backend) == "rust":
        return _backend.rust().parse_chunk(data)  # type: ignore[no-any-return]
    return _pure_chat.parse_chunk(data)
