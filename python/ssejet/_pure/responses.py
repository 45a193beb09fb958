"""The OpenAI Responses dialect (layer 2b), pure Python: twin of ``rust/responses.rs`` (the
rules and the canonical validation order, documented there) and of
``rust/python/responses.rs`` (the objects). The skeleton (``dialect.py``) does the framing,
JSON, errors and the event's type; ``build`` reads one payload of a known type.

Nothing is skipped; ``response.completed``, ``response.failed`` and ``response.incomplete``
end the stream. The four delta types are typed objects; every other type is a record. Messages
read ``invalid event: <path> must be <expected>, not <kind>``.
"""

from __future__ import annotations

from typing import Any

from .._records import Record
from ..responses import _models as M
from .dialect import EventDecoder, StreamRules, bad
from .sse import DEFAULT_MAX_EVENT_SIZE

RULES = StreamRules(
    skipped=frozenset(),
    ends=frozenset({"response.completed", "response.failed", "response.incomplete"}),
)
DIALECT = "responses"

# type -> (class, the name of its second index or None)
_HOT = {
    "response.output_text.delta": (M.ResponseTextDeltaEvent, "content_index"),
    "response.function_call_arguments.delta": (M.ResponseFunctionCallArgumentsDeltaEvent, None),
    "response.reasoning_summary_text.delta": (
        M.ResponseReasoningSummaryTextDeltaEvent,
        "summary_index",
    ),
    "response.reasoning_text.delta": (M.ResponseReasoningTextDeltaEvent, "content_index"),
}


def build(name: str, payload: dict[str, Any], data: Any) -> Any:
    """The event of type ``name`` whose parsed payload is ``payload`` (``data``: its bytes or
    repaired text, what ``to_dict()`` parses again)."""
    hot = _HOT.get(name)
    if hot is None:
        # Every event has ``.type``: a payload without a string ``type`` gets the event's.
        if type(payload.get("type")) is not str:
            payload["type"] = name
        return Record(payload, DIALECT)
    cls, index_name = hot
    item_id = payload.get("item_id")
    if item_id is not None and type(item_id) is not str:
        raise bad("item_id", "a string or null", item_id)
    output_index = payload.get("output_index")
    if type(output_index) is not int:
        raise bad("output_index", "an integer", output_index)
    if index_name is not None:
        index = payload.get(index_name)
        if type(index) is not int:
            raise bad(index_name, "an integer", index)
    delta = payload.get("delta")
    if type(delta) is not str:
        raise bad("delta", "a string", delta)
    sequence_number = payload.get("sequence_number")
    if sequence_number is not None and type(sequence_number) is not int:
        raise bad("sequence_number", "an integer or null", sequence_number)
    obj = cls._mutable()
    obj.type = name
    obj.item_id = item_id
    obj.output_index = output_index
    if index_name is not None:
        setattr(obj, index_name, index)
    obj.delta = delta
    obj.sequence_number = sequence_number
    obj._payload = data
    obj.__class__ = cls
    return obj


class ResponsesEventDecoder(EventDecoder):
    """Incremental Responses decoder, pure Python (twin of ``ResponsesEventDecoder``)."""

    __slots__ = ()

    def __init__(self, max_event_size: int = DEFAULT_MAX_EVENT_SIZE) -> None:
        super().__init__(max_event_size, rules=RULES, build=build)
