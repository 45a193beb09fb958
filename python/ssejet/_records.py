"""The read-only record: a JSON object with attribute access at every depth, for the events,
blocks and items of the named-event dialects that have no typed class of their own (the long
tail: about 60 Responses event types, Anthropic's server-tool blocks, whatever comes next).

Attribute access follows the JSON keys as the SDKs' models do (``event.message.usage
.input_tokens``, ``event.response.output[0].id``): nested objects are records, arrays are
lists. A field the dialect documents for that object but the payload lacks reads None; any
other missing name raises ``AttributeError``. Which fields are documented is the dialect's
table (``register_fields``), looked up by the object's ``type`` (``"tool_use"``,
``"response.completed"``...) or, for an object without one, by the key it sits under
(``"usage"``). The record's own names are ``to_dict``, ``model_dump`` and ``model_dump_json``
(an event's: what the SDK's model of that event gives) and the dunders, so no other JSON key is
hidden by a method; ``record["key"]`` reads any key as it is, for keys that are not
identifiers or that those names hide.

Written once for both backends: the Rust extension builds these from the same parsed dicts.
"""

from __future__ import annotations

from typing import Any, Optional

from ._hooks import sdk_dump

# dialect -> (object type or parent key) -> documented field names
_FIELDS: dict[str, dict[str, frozenset[str]]] = {}
_NONE: frozenset[str] = frozenset()


def register_fields(dialect: str, table: dict[str, frozenset[str]]) -> None:
    """Declares ``dialect``'s documented fields (see the module doc)."""
    _FIELDS[dialect] = table


class Record:
    """A read-only JSON object of a dialect's stream (see the module doc).

    >>> r = Record({"type": "web_search_tool_result", "content": [{"url": "u"}]}, "anthropic")
    >>> r.content[0].url
    'u'
    """

    __slots__ = ("_data", "_dialect", "_fields", "_key")
    _data: dict[str, Any]
    _dialect: str
    _fields: frozenset[str]
    _key: Optional[str]  # where the object sits in its parent; None for an event

    def __init__(self, data: dict[str, Any], dialect: str, key: Optional[str] = None) -> None:
        set_slot = object.__setattr__
        set_slot(self, "_data", data)
        set_slot(self, "_dialect", dialect)
        table = _FIELDS.get(dialect, {})
        kind = data.get("type")
        fields = table.get(kind, _NONE) if type(kind) is str else _NONE
        if not fields and key is not None:
            fields = table.get(key, _NONE)
        set_slot(self, "_fields", fields)
        set_slot(self, "_key", key)

    def __getattr__(self, name: str) -> Any:
        # Only reached when no slot or method has that name: the JSON keys.
        data = self._data
        if name in data:
            return _wrap(data[name], self._dialect, name)
        if name in self._fields:
            return None
        kind = data.get("type")
        what = f"{kind!r} record" if type(kind) is str else "record"
        raise AttributeError(f"{what} has no attribute {name!r}")

    def __getitem__(self, key: str) -> Any:
        return _wrap(self._data[key], self._dialect, key)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"records are read-only: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"records are read-only: cannot delete {name!r}")

    def __dir__(self) -> list[str]:
        return sorted({*self._data, *self._fields, "to_dict", "model_dump", "model_dump_json"})

    def to_dict(self) -> dict[str, Any]:
        """The object as parsed (a fresh copy)."""
        return _copy(self._data)  # type: ignore[no-any-return]

    @property
    def _sdk(self) -> str:
        return self._dialect

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What the SDK's model of this event gives for ``model_dump(**kwargs)`` (as the SDK's
        own stream would have built it), so code written for the SDK's events runs unchanged.
        Offered on events; a nested object's dump is its event's."""
        return self._dump("model_dump", kwargs)  # type: ignore[no-any-return]

    def model_dump_json(self, **kwargs: Any) -> str:
        """What the SDK's model of this event gives for ``model_dump_json(**kwargs)``."""
        return self._dump("model_dump_json", kwargs)  # type: ignore[no-any-return]

    def _dump(self, method: str, kwargs: dict[str, Any]) -> Any:
        if self._key is not None:
            raise TypeError(
                f"{method}() is offered on events; this is the {self._key!r} of one: "
                "use to_dict(), or dump the event"
            )
        return sdk_dump(self, method, kwargs)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Record):
            return self._data == other._data
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={_wrap(v, self._dialect, k)!r}" for k, v in self._data.items())
        return f"Record({fields})"

    def __reduce__(self) -> Any:
        return Record, (self._data, self._dialect, self._key)


def _wrap(value: Any, dialect: str, key: str) -> Any:
    if type(value) is dict:
        return Record(value, dialect, key)
    if type(value) is list:
        return [_wrap(item, dialect, key) for item in value]
    return value


def _copy(value: Any) -> Any:
    if type(value) is dict:
        return {k: _copy(v) for k, v in value.items()}
    if type(value) is list:
        return [_copy(v) for v in value]
    return value
