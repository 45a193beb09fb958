"""``ssejet.responses.Accumulator``: the final ``Response`` a Responses stream describes, in
one pass, linear in the input (API.md, layer 3b).

- The last ``response`` object of a lifecycle event (``response.created``, ``.queued``,
  ``.in_progress``, ``.completed``, ``.failed``, ``.incomplete``) gives ``id``, ``model``,
  ``status``, ``usage``, ``error``, ``incomplete_details`` and every other key.
- ``output`` is built by ``output_index``: ``output_item.added`` opens an item; deltas append
  to it (text to ``content[content_index].text``, refusals to its ``refusal``, reasoning to
  ``summary[summary_index].text`` / ``content[content_index].text``, ``arguments``, ``input``
  and ``code`` of tool calls, kept strings); ``content_part.*`` / ``reasoning_summary_part.*``
  put the part they carry; ``output_text.annotation.added`` appends to the part's
  ``annotations``; each ``*.done`` puts the complete text it carries and
  ``output_item.done`` the complete item, so a provider that sends arguments only in
  ``.done`` loses nothing. Items and parts come out in index order.
- The final output (a decision where API.md and the corpus meet): a ``response.completed``
  whose ``response.output`` is non-empty gives that output, as the SDK's
  ``get_final_response()`` does. After ``response.failed`` / ``response.incomplete``, the
  items the events built stand (what was streamed before the stop) and the terminal output
  fills only the positions the events never reached (a resumed stream).
- Unknown event types, events out of order, an ``output_index`` never opened (a stream resumed
  with ``starting_after``: the delta opens a minimal item), fields of the wrong type: never an
  error; what cannot be placed is ignored.

Text fragments are kept in lists and joined once in :meth:`Accumulator.result`, so a long
stream costs linear time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple, Optional

from .._records import Record, _copy
from ._models import DIALECT

LIFECYCLE = frozenset(
    {
        "response.created", "response.queued", "response.in_progress",
        "response.completed", "response.failed", "response.incomplete",
    }
)  # fmt: skip
COMPLETED = "response.completed"
STOPPED = frozenset({"response.failed", "response.incomplete"})


class _Text(NamedTuple):
    """Where a text event writes: ``container`` (``content``/``summary``, None for a field of
    the item itself) at the payload's ``index_key``, into ``field``; the item and part types
    made when the event arrives before them; the ``.done`` payload's key."""

    container: Optional[str]
    index_key: Optional[str]
    field: str
    item_type: str
    part_type: Optional[str]
    done_key: str


_MESSAGE_TEXT = _Text("content", "content_index", "text", "message", "output_text", "text")
_REFUSAL = _Text("content", "content_index", "refusal", "message", "refusal", "refusal")
_SUMMARY = _Text("summary", "summary_index", "text", "reasoning", "summary_text", "text")
_REASONING = _Text("content", "content_index", "text", "reasoning", "reasoning_text", "text")
_ARGUMENTS = _Text(None, None, "arguments", "function_call", None, "arguments")
_INPUT = _Text(None, None, "input", "custom_tool_call", None, "input")
_CODE = _Text(None, None, "code", "code_interpreter_call", None, "code")
_MCP_ARGUMENTS = _Text(None, None, "arguments", "mcp_call", None, "arguments")

DELTAS = {
    "response.output_text.delta": _MESSAGE_TEXT,
    "response.refusal.delta": _REFUSAL,
    "response.reasoning_summary_text.delta": _SUMMARY,
    "response.reasoning_text.delta": _REASONING,
    "response.function_call_arguments.delta": _ARGUMENTS,
    "response.custom_tool_call_input.delta": _INPUT,
    "response.code_interpreter_call_code.delta": _CODE,
    "response.mcp_call_arguments.delta": _MCP_ARGUMENTS,
}
DONES = {
    "response.output_text.done": _MESSAGE_TEXT,
    "response.refusal.done": _REFUSAL,
    "response.reasoning_summary_text.done": _SUMMARY,
    "response.reasoning_text.done": _REASONING,
    "response.function_call_arguments.done": _ARGUMENTS,
    "response.custom_tool_call_input.done": _INPUT,
    "response.code_interpreter_call_code.done": _CODE,
    "response.mcp_call_arguments.done": _MCP_ARGUMENTS,
}
PARTS = {
    "response.content_part.added": ("content", "content_index"),
    "response.content_part.done": ("content", "content_index"),
    "response.reasoning_summary_part.added": ("summary", "summary_index"),
    "response.reasoning_summary_part.done": ("summary", "summary_index"),
}
ITEMS = frozenset({"response.output_item.added", "response.output_item.done"})
ANNOTATION = "response.output_text.annotation.added"


class Response(Record):
    """The accumulated response: a read-only record of the last lifecycle ``response`` object
    with the accumulated ``output`` (items as records), plus ``output_text``.

    ``id``, ``model``, ``status``, ``usage``, ``error``, ``incomplete_details`` and the other
    documented fields read None when no lifecycle event carried them; ``to_dict()`` gives the
    whole object.

    >>> from ssejet.responses import accumulate, EventDecoder
    >>> events = EventDecoder().feed(
    ...     b'data: {"type":"response.output_item.added","output_index":0,'
    ...     b'"item":{"type":"message","content":[{"type":"output_text","text":""}]}}\\n\\n'
    ...     b'data: {"type":"response.output_text.delta","output_index":0,'
    ...     b'"content_index":0,"delta":"Hi"}\\n\\n'
    ... )
    >>> accumulate(events).output_text
    'Hi'
    """

    __slots__ = ()

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data, DIALECT, "response")

    @property
    def output_text(self) -> str:
        """The text of every ``output_text`` part of every message item, joined (the SDK's
        ``Response.output_text``)."""
        texts = []
        output = self._data.get("output")
        for item in output if type(output) is list else ():
            if type(item) is not dict or item.get("type") != "message":
                continue
            content = item.get("content")
            for part in content if type(content) is list else ():
                if type(part) is dict and part.get("type") == "output_text":
                    text = part.get("text")
                    if type(text) is str:
                        texts.append(text)
        return "".join(texts)

    def __repr__(self) -> str:
        return "Response" + super().__repr__()[len("Record") :]

    def __reduce__(self) -> Any:
        return Response, (self._data,)


class _Item:
    """An output item being built: its own copy of the item, its parts by index per container
    (made from the item's lists when an event first addresses them), and the text fragments
    appended since each text's last complete value."""

    __slots__ = ("data", "parts", "texts")

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.parts: dict[str, dict[int, Any]] = {}
        self.texts: dict[tuple[Optional[str], int, str], list[str]] = {}

    def container(self, name: str) -> dict[int, Any]:
        parts = self.parts.get(name)
        if parts is None:
            raw = self.data.get(name)
            parts = dict(enumerate(raw)) if type(raw) is list else {}
            self.parts[name] = parts
        return parts

    def part(self, text: _Text, index: int) -> dict[str, Any]:
        """The part ``text`` writes to, made when it is missing or not an object."""
        parts = self.container(text.container)  # type: ignore[arg-type]
        part = parts.get(index)
        if type(part) is not dict:
            part = {"type": text.part_type, text.field: ""}
            if text.part_type == "output_text":
                part["annotations"] = []
            parts[index] = part
        return part

    def put_part(self, container: str, index: int, part: dict[str, Any]) -> None:
        self.container(container)[index] = _copy(part)
        self.texts.pop((container, index, "text"), None)
        self.texts.pop((container, index, "refusal"), None)

    def result(self) -> dict[str, Any]:
        data = dict(self.data)
        parts = {name: {i: p for i, p in by_index.items()} for name, by_index in self.parts.items()}
        for (container, index, field), fragments in self.texts.items():
            if container is None:
                data[field] = "".join(fragments)
            else:
                part = parts[container][index] = dict(parts[container][index])
                part[field] = "".join(fragments)
        for name, by_index in parts.items():
            data[name] = [by_index[i] for i in sorted(by_index)]
        return _copy(data)  # type: ignore[no-any-return]


class Accumulator:
    """Builds the final :class:`Response` from a Responses stream's events, one at a time.

    ``add`` takes the events of :class:`EventDecoder` (either backend), plain dicts of the
    same payloads, or the SDK's event models; it never raises on what a stream may contain.

    >>> acc = Accumulator()
    >>> acc.add({"type": "response.created", "response": {"id": "resp_1", "output": []}})
    >>> acc.result().id
    'resp_1'
    """

    __slots__ = ("_items", "_last", "_response")

    def __init__(self) -> None:
        self._response: Optional[dict[str, Any]] = None
        self._last: Optional[str] = None  # the last lifecycle event's type
        self._items: dict[int, _Item] = {}

    def add(self, event: Any) -> None:
        """Takes the next event into account."""
        if isinstance(event, Record):
            data = event._data
        elif type(event) is dict:
            data = event
        else:
            kind = getattr(event, "type", None)
            text = DELTAS.get(kind)  # type: ignore[arg-type]
            if text is not None:  # a typed delta (or an SDK model): its attributes
                index = getattr(event, text.index_key, None) if text.index_key else 0
                self._delta(
                    text,
                    getattr(event, "output_index", None),
                    index,
                    getattr(event, "delta", None),
                    getattr(event, "item_id", None),
                )
                return
            to_dict = getattr(event, "to_dict", None)
            payload = to_dict() if callable(to_dict) else None
            if type(payload) is not dict:
                return
            data = payload
        self._add(data)

    def _add(self, data: dict[str, Any]) -> None:
        kind = data.get("type")
        if type(kind) is not str:
            return
        text = DELTAS.get(kind)
        if text is not None:
            index = data.get(text.index_key) if text.index_key else 0
            self._delta(
                text, data.get("output_index"), index, data.get("delta"), data.get("item_id")
            )
        elif kind in LIFECYCLE:
            response = data.get("response")
            if type(response) is dict:
                self._response = response
                self._last = kind
        elif kind in ITEMS:
            index, item = data.get("output_index"), data.get("item")
            if type(index) is int and type(item) is dict:
                self._items[index] = _Item(_copy(item))
        elif kind in DONES:
            self._done(DONES[kind], data)
        elif kind == ANNOTATION:
            self._annotation(data)
        elif kind in PARTS:
            container, index_key = PARTS[kind]
            index, part = data.get(index_key), data.get("part")
            item = self._item(data, None)
            if item is not None and type(index) is int and type(part) is dict:
                item.put_part(container, index, part)

    def _item(self, data: dict[str, Any], text: Optional[_Text]) -> Optional[_Item]:
        """The item at the event's ``output_index``; when there is none yet and ``text`` says
        what it is, a minimal one (a resumed stream)."""
        output_index = data.get("output_index")
        if type(output_index) is not int:
            return None
        item = self._items.get(output_index)
        if item is None and text is not None:
            fields: dict[str, Any] = {"type": text.item_type}
            item_id = data.get("item_id")
            if type(item_id) is str:
                fields["id"] = item_id
            item = self._items[output_index] = _Item(fields)
        return item

    def _delta(self, text: _Text, output_index: Any, index: Any, delta: Any, item_id: Any) -> None:
        if type(output_index) is not int or type(index) is not int or type(delta) is not str:
            return
        item = self._item({"output_index": output_index, "item_id": item_id}, text)
        if item is None:  # pragma: no cover - output_index was checked
            return
        key = (text.container, index, text.field)
        fragments = item.texts.get(key)
        if fragments is None:
            if text.container is None:
                base = item.data.get(text.field)
            else:
                base = item.part(text, index).get(text.field)
            fragments = item.texts[key] = [base if type(base) is str else ""]
        fragments.append(delta)

    def _done(self, text: _Text, data: dict[str, Any]) -> None:
        value = data.get(text.done_key)
        index = data.get(text.index_key) if text.index_key else 0
        item = self._item(data, text)
        if item is None or type(value) is not str or type(index) is not int:
            return
        if text.container is None:
            item.data[text.field] = value
        else:
            item.part(text, index)[text.field] = value
        item.texts.pop((text.container, index, text.field), None)

    def _annotation(self, data: dict[str, Any]) -> None:
        index, annotation = data.get("content_index"), data.get("annotation")
        item = self._item(data, _MESSAGE_TEXT)
        if item is None or type(index) is not int or type(annotation) is not dict:
            return
        part = item.part(_MESSAGE_TEXT, index)
        annotations = part.get("annotations")
        if type(annotations) is not list:
            annotations = part["annotations"] = []
        annotations.append(_copy(annotation))

    def result(self) -> Response:
        """The response accumulated so far (a new object each call; the accumulator goes on)."""
        built = {index: item.result() for index, item in self._items.items()}
        response = self._response
        final = response.get("output") if response is not None else None
        if self._last == COMPLETED and type(final) is list and final:
            output = _copy(final)
        elif self._last in STOPPED and type(final) is list and final:
            merged = dict(enumerate(_copy(final)))
            merged.update(built)
            output = [merged[i] for i in sorted(merged)]
        else:
            output = [built[i] for i in sorted(built)]
        data = {k: (None if k == "output" else _copy(v)) for k, v in (response or {}).items()}
        data["output"] = output
        return Response(data)


def accumulate(events: Iterable[Any]) -> Response:
    """The final :class:`Response` of a stream's events (see :class:`Accumulator`).

    >>> accumulate([]).output
    []
    """
    accumulator = Accumulator()
    add = accumulator.add
    for event in events:
        add(event)
    return accumulator.result()
