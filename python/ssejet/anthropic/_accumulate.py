"""Anthropic events to one ``Message``: what the SDK's stream helper builds
(``get_final_message()``), in one pass, linear in the input.

Backend-independent: it reads the events' attributes only, so either backend's events (or
records) accumulate alike. The rules (API.md, layer 3b):

- Blocks by ``index``, listed in index order, started from ``content_block_start``'s
  ``content_block`` (a delta for an index that never started opens a block of its kind).
- ``text_delta`` and ``thinking_delta`` are concatenated (joined once, at ``result()``);
  ``signature_delta`` assigns ``signature`` (the last wins); ``citations_delta`` appends its
  citation to the block's ``citations``.
- ``input_json_delta`` fragments are kept and joined, then parsed once (orjson), at
  ``content_block_stop``, into ``input``: no fragments keep the start block's ``input``;
  fragments joining to ``""`` give ``{}``. A block whose stream ended before its stop, or
  whose joined fragments are not JSON, has ``input`` None and the joined text in
  ``partial_json`` (never an error: the SDK would raise ``ValueError`` for the latter).
- ``usage`` starts as ``message_start``'s; each non-null field of a ``message_delta``'s
  ``usage`` replaces its value (counts are cumulative: assigned, not added).
- ``stop_reason``, ``stop_sequence`` and ``stop_details`` come from the last
  ``message_delta`` (null included, as the SDK assigns them); its other non-null fields
  (``container``) are kept too.
- Other event types are ignored. A stream that does not begin with ``message_start`` is
  accumulated from what arrives: fields never seen read None.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from .._records import Record, _copy
from ._models import DIALECT

__all__ = [
    "Accumulator", "Message", "ServerToolUseBlock", "TextBlock", "ThinkingBlock", "ToolUseBlock",
    "accumulate",
]  # fmt: skip


class _Typed(Record):
    """A record whose class says what it is (repr and pickle keep the class)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}{Record.__repr__(self)[len('Record') :]}"

    def __reduce__(self) -> Any:
        return type(self), (self._data, self._dialect)


class TextBlock(_Typed):
    """An accumulated ``text`` block: ``text``, and ``citations`` (None when there are none)."""

    __slots__ = ()


class ThinkingBlock(_Typed):
    """An accumulated ``thinking`` block: ``thinking`` and ``signature``."""

    __slots__ = ()


class _InputBlock(_Typed):
    """A block with a tool's ``input``, given as plain JSON values."""

    __slots__ = ()

    @property
    def input(self) -> Any:
        """The tool's arguments as plain JSON values (a fresh ``dict``, as the SDK gives), or
        None when they never completed (the raw text is then in ``partial_json``)."""
        return _copy(self._data.get("input"))


class ToolUseBlock(_InputBlock):
    """An accumulated ``tool_use`` block: ``id``, ``name`` and the parsed ``input`` (None, with
    the raw ``partial_json``, when its input never completed)."""

    __slots__ = ()


class ServerToolUseBlock(_InputBlock):
    """An accumulated ``server_tool_use`` block (web search, code execution...): ``id``,
    ``name`` and ``input`` as in :class:`ToolUseBlock`, of which it is no subclass (a server
    tool is not the application's to call), as in the SDK."""

    __slots__ = ()


_BLOCKS: dict[Any, type[Record]] = {
    "text": TextBlock,
    "thinking": ThinkingBlock,
    "tool_use": ToolUseBlock,
    "server_tool_use": ServerToolUseBlock,
}


class Message(_Typed):
    """The accumulated message: ``id``, ``type``, ``role``, ``model``, ``content`` (the blocks,
    in index order), ``stop_reason``, ``stop_sequence``, ``usage``; the message's other keys
    read as attributes too, and ``to_dict()`` gives it all as plain JSON values."""

    __slots__ = ()

    @property
    def content(self) -> list[Record]:
        """The blocks: ``TextBlock``, ``ThinkingBlock``, ``ToolUseBlock``, or a record for any
        other block type (server tools and their results)."""
        blocks = self._data.get("content")
        if type(blocks) is not list:
            return []
        return [_block(block) for block in blocks]


def _block(block: Any) -> Any:
    if type(block) is not dict:
        return block
    kind = block.get("type")
    cls = _BLOCKS.get(kind, Record) if type(kind) is str else Record
    return cls(block, DIALECT, "content_block")


# Blocks a delta opens when its index never started.
_OPENED: dict[str, dict[str, Any]] = {
    "text_delta": {"type": "text", "text": ""},
    "citations_delta": {"type": "text", "text": ""},
    "thinking_delta": {"type": "thinking", "thinking": "", "signature": ""},
    "signature_delta": {"type": "thinking", "thinking": "", "signature": ""},
    "input_json_delta": {"type": "tool_use", "input": {}},
}


class _Block:
    """A block being accumulated: the start block, and what its deltas brought."""

    __slots__ = ("block", "text", "thinking", "json", "citations", "stopped")

    def __init__(self, block: dict[str, Any]) -> None:
        self.block = block
        self.text: list[str] | None = None
        self.thinking: list[str] | None = None
        self.json: list[str] | None = None
        self.citations: list[Any] | None = None
        self.stopped = False

    def stop(self) -> None:
        """``content_block_stop``: the input JSON, parsed once."""
        self.stopped = True
        if self.json is not None:
            text = "".join(self.json)
            self.json = None
            block = self.block
            if not text:
                block["input"] = {}
            else:
                try:
                    block["input"] = orjson.loads(text)
                except orjson.JSONDecodeError:
                    block["input"] = None
                    block["partial_json"] = text

    def result(self) -> dict[str, Any]:
        block = dict(self.block)
        if self.text is not None:
            block["text"] = "".join(self.text)
        if self.thinking is not None:
            block["thinking"] = "".join(self.thinking)
        if self.citations is not None:
            block["citations"] = list(self.citations)
        if self.json is not None:  # the stream ended before content_block_stop
            block["input"] = None
            block["partial_json"] = "".join(self.json)
        return block


# What every message_delta assigns, null or not (the SDK's helper does the same).
_ASSIGNED = ("stop_reason", "stop_sequence", "stop_details")


def _pieces(start: Any) -> list[str]:
    return [start] if type(start) is str and start else []


class Accumulator:
    """Builds the final :class:`Message` from a stream's events, one :meth:`add` at a time.

    >>> from ssejet.anthropic import EventDecoder
    >>> body = (
    ...     b'data: {"type":"content_block_start","index":0,"content_block":{"type":"text"}}\\n\\n'
    ...     b'data: {"type":"content_block_delta","index":0,'
    ...     b'"delta":{"type":"text_delta","text":"Hi"}}\\n\\n'
    ... )
    >>> acc = Accumulator()
    >>> for event in EventDecoder().feed(body):
    ...     acc.add(event)
    >>> acc.result().content[0].text
    'Hi'
    """

    __slots__ = ("_message", "_blocks", "_usage", "_stop")

    def __init__(self) -> None:
        self._message: dict[str, Any] = {}
        self._blocks: dict[int, _Block] = {}
        self._usage: dict[str, Any] | None = None
        self._stop: dict[str, Any] = {}

    def add(self, event: Any) -> None:
        """Adds one event (of either backend) to the message."""
        kind = event.type
        if kind == "content_block_delta":
            self._delta(event.index, event.delta)
        elif kind == "content_block_start":
            self._blocks[event.index] = _Block(event.content_block.to_dict())
        elif kind == "content_block_stop":
            state = self._blocks.get(event.index)
            if state is not None:
                state.stop()
        elif kind == "message_delta":
            self._message_delta(event)
        elif kind == "message_start":
            message = event.message.to_dict()
            usage = message.get("usage")
            if type(usage) is dict:
                self._usage = usage
            content = message.get("content")
            if type(content) is list:
                for i, block in enumerate(content):
                    if type(block) is dict and i not in self._blocks:
                        self._blocks[i] = _Block(block)
            self._message = message

    def _delta(self, index: int, delta: Any) -> None:
        kind = delta.type
        state = self._blocks.get(index)
        if state is None:
            opened = _OPENED.get(kind)
            if opened is None:
                return
            state = self._blocks[index] = _Block(dict(opened))
        if kind == "text_delta":
            if state.text is None:
                state.text = _pieces(state.block.get("text"))
            state.text.append(delta.text)
        elif kind == "input_json_delta":
            if state.json is None:
                state.json = []
            state.json.append(delta.partial_json)
        elif kind == "thinking_delta":
            if state.thinking is None:
                state.thinking = _pieces(state.block.get("thinking"))
            state.thinking.append(delta.thinking)
        elif kind == "signature_delta":
            state.block["signature"] = delta.signature
        elif kind == "citations_delta":
            if state.citations is None:
                held = state.block.get("citations")
                state.citations = list(held) if type(held) is list else []
            state.citations.append(delta.citation.to_dict())

    def _message_delta(self, event: Any) -> None:
        delta = event.delta.to_dict()
        stop = self._stop
        for key in _ASSIGNED:
            stop[key] = delta.get(key)
        for key, value in delta.items():
            if value is not None and key not in _ASSIGNED and key != "type":
                stop[key] = value
        if event.usage is not None:
            usage = self._usage = dict(self._usage or {})
            for key, value in event.usage.to_dict().items():
                if value is not None:
                    usage[key] = value

    def result(self) -> Message:
        """The message so far (the accumulator can go on after this)."""
        data = dict(self._message)
        data.update(self._stop)
        data["content"] = [self._blocks[i].result() for i in sorted(self._blocks)]
        if self._usage is not None:
            data["usage"] = dict(self._usage)
        return Message(data, DIALECT, "message")


def accumulate(events: Iterable[Any]) -> Message:
    """The final :class:`Message` of a stream's events (see :class:`Accumulator`)."""
    acc = Accumulator()
    for event in events:
        acc.add(event)
    return acc.result()
