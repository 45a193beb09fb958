"""The objects ssejet hands out, one definition for both backends.

The Rust extension has its own compiled classes of the same names (built without calling
Python code, which is what makes it fast); each of them is registered with the class here,
so ``isinstance(x, ssejet.ServerSentEvent)`` holds whichever backend made ``x``, and the two
compare equal when their fields do.
"""

from __future__ import annotations

from abc import ABCMeta
from typing import Any

import orjson


class ServerSentEvent(metaclass=ABCMeta):
    """One dispatched Server-Sent Event. Immutable, hashable, equal by value.

    Attributes:
        event: the event type, ``"message"`` when the stream gave none.
        data: the data lines joined with ``"\\n"``.
        id: the last event ID in effect at dispatch (``""`` if never set).
        retry: the reconnection time (ms) from this event's ``retry`` field, else None.

    >>> ServerSentEvent(data='{"a": 1}').json()
    {'a': 1}
    """

    __slots__ = ("event", "data", "id", "retry")
    event: str
    data: str
    id: str
    retry: int | None

    def __init__(
        self, event: str = "message", data: str = "", id: str = "", retry: int | None = None
    ) -> None:
        _set_event(self, event)
        _set_data(self, data)
        _set_id(self, id)
        _set_retry(self, retry)

    def json(self) -> Any:
        """Parses ``data`` as JSON (with orjson)."""
        return orjson.loads(self.data)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"ServerSentEvent is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"ServerSentEvent is immutable: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ServerSentEvent):
            return NotImplemented
        return (
            self.event == other.event
            and self.data == other.data
            and self.id == other.id
            and self.retry == other.retry
        )

    def __hash__(self) -> int:
        return hash((self.event, self.data, self.id, self.retry))

    def __repr__(self) -> str:
        return (
            f"ServerSentEvent(event={self.event!r}, data={self.data!r}, "
            f"id={self.id!r}, retry={self.retry!r})"
        )

    def __reduce__(self) -> Any:
        return ServerSentEvent, (self.event, self.data, self.id, self.retry)


# The slots' own setters: they bypass the immutability guard, for __init__ and make_event.
_set_event = ServerSentEvent.event.__set__  # type: ignore[attr-defined]
_set_data = ServerSentEvent.data.__set__  # type: ignore[attr-defined]
_set_id = ServerSentEvent.id.__set__  # type: ignore[attr-defined]
_set_retry = ServerSentEvent.retry.__set__  # type: ignore[attr-defined]
_new = object.__new__


def make_event(event: str, data: str, id: str, retry: int | None) -> ServerSentEvent:
    """Builds an event without the ``__init__`` call: the pure backend's hot path."""
    ev = _new(ServerSentEvent)
    _set_event(ev, event)
    _set_data(ev, data)
    _set_id(ev, id)
    _set_retry(ev, retry)
    return ev
