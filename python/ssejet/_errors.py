"""The exceptions of ssejet, defined once and raised by both backends.

The Rust extension raises these same classes (it imports this module), so ``except`` clauses
and ``isinstance`` checks never depend on the backend.
"""

from __future__ import annotations

from typing import Any


class SSEError(Exception):
    """Base class of every error ssejet raises about a stream."""


class EventTooLargeError(SSEError):
    """An event passed ``max_event_size``; it was skipped, and the decoder goes on.

    Attributes:
        limit: the ``max_event_size`` in force.
        events: every good event the failing ``feed()`` decoded, in order (SSEDecoder).
        chunks: every good chunk the failing ``feed()`` decoded, in order (ChunkDecoder).
    """

    def __init__(self, message: str, *, limit: int, events: Any = (), chunks: Any = ()) -> None:
        super().__init__(message)
        self.limit = limit
        self.events = list(events)
        self.chunks = list(chunks)

    def __reduce__(self) -> Any:
        return rebuild, (type(self), self.args, self.__dict__)


class ChunkDecodeError(SSEError, ValueError):
    """An event's data is not a valid chat-completion chunk (bad JSON or wrong field types).

    Attributes:
        data: the offending event data.
        chunks: the chunks the failing call completed before the error, in order
            (ChunkDecoder).
        events: the events the failing call completed before the error, in order (the
            dialects' EventDecoders).
    """

    def __init__(self, message: str, *, data: str, chunks: Any = (), events: Any = ()) -> None:
        super().__init__(message)
        self.data = data
        self.chunks = list(chunks)
        self.events = list(events)

    def __reduce__(self) -> Any:
        return rebuild, (type(self), self.args, self.__dict__)


class StreamAPIError(SSEError):
    """The provider reported an error inside the stream (an ``error`` payload or event).

    Attributes:
        message: the provider's message.
        code: the provider's code, as sent (str, int or None).
        type: the provider's error type, or None.
        body: the parsed error payload (or the raw data when it is not JSON).
        chunks: the chunks the failing call completed before the error, in order
            (ChunkDecoder).
        events: the events the failing call completed before the error, in order (the
            dialects' EventDecoders).
    """

    def __init__(
        self,
        message: str,
        *,
        code: Any = None,
        type: str | None = None,  # the provider's field name
        body: Any = None,
        chunks: Any = (),
        events: Any = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.type = type
        self.body = body
        self.chunks = list(chunks)
        self.events = list(events)

    def __reduce__(self) -> Any:
        return rebuild, (type(self), self.args, self.__dict__)


class APIStatusError(SSEError):
    """The HTTP response had a non-2xx status.

    Attributes:
        status_code: the HTTP status.
        body: the response body, read in full (parsed JSON when it is JSON, else text).
        response: the ``httpx.Response``.
    """

    def __init__(
        self, message: str, *, status_code: int, body: Any = None, response: Any = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body
        self.response = response

    def __reduce__(self) -> Any:
        return rebuild, (type(self), self.args, self.__dict__)


def completed(error: SSEError) -> list[Any]:
    """What a decoder's failing ``feed()`` or ``close()`` completed before ``error``, in order:
    its ``.events`` (SSEDecoder, the dialects' EventDecoders) or ``.chunks`` (ChunkDecoder).

    The read loops yield these before raising, so nothing decoded is lost to an error.
    """
    return getattr(error, "events", None) or getattr(error, "chunks", None) or []


DECODER_ERRORS = (StreamAPIError, ChunkDecodeError, EventTooLargeError)
"""What the decoders' ``feed()`` and ``close()`` raise; each carries what its call completed."""


def rebuild(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """Unpickles an error whose ``__init__`` takes keyword-only attributes."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error
