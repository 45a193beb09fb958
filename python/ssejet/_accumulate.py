"""Chunks to one completion (layer 3): the merge rules of ``API.md``.

Backend-independent: it only reads the chunks' attributes, so chunks of either backend (or
built by hand) accumulate alike. The rules, per choice (matched by ``Choice.index``):

- ``content`` and ``reasoning_content``: every non-null fragment concatenated; None when no
  chunk had one.
- ``role``, and a tool call's ``id`` and ``type``: the first non-empty value; when every value
  seen was ``""``, ``""``; None when none was seen. ``function.name``: the first non-empty
  value, else ``""``; ``function.arguments``: every fragment concatenated (``""`` if none).
- Tool calls are merged by ``index`` and listed in index order; ``Message.tool_calls`` is None
  when no tool call was seen.
- ``finish_reason``: the last non-empty value; ``""`` when every value seen was ``""``; None
  when none was seen.

For the completion: ``usage`` is the last non-null one; ``id``, ``model`` and ``created`` are
the first non-empty value (``""``/``0`` are empty: Azure's prompt-filter chunk sends them),
else the first value seen, else None. Choices are listed in index order; no chunks (or none
with choices) gives ``choices == []``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._models import (
    ChatCompletion,
    ChatCompletionChunk,
    CompletionChoice,
    Function,
    Message,
    ToolCall,
    _restore,
)

__all__ = ["Accumulator", "accumulate"]


def _first(held: Any, value: Any) -> Any:
    """The first non-empty value, else the first one seen (``""`` or ``0``), else None."""
    if value and not held:
        return value
    return value if held is None else held


class _Call:
    """A tool call being merged."""

    __slots__ = ("id", "type", "name", "arguments")

    def __init__(self) -> None:
        self.id: str | None = None
        self.type: str | None = None
        self.name = ""
        self.arguments: list[str] = []

    def result(self) -> ToolCall:
        function = _restore(Function, (self.name, "".join(self.arguments)))
        return _restore(ToolCall, (self.id, self.type, function))  # type: ignore[no-any-return]


class _Choice:
    """A choice being merged."""

    __slots__ = ("role", "content", "reasoning", "finish_reason", "calls")

    def __init__(self) -> None:
        self.role: str | None = None
        self.content: list[str] | None = None
        self.reasoning: list[str] | None = None
        self.finish_reason: str | None = None
        self.calls: dict[int, _Call] | None = None

    def add(self, choice: Any) -> None:
        delta = choice.delta
        value = delta.content
        if value is not None:
            if self.content is None:
                self.content = [value]
            else:
                self.content.append(value)
        value = delta.reasoning_content
        if value is not None:
            if self.reasoning is None:
                self.reasoning = [value]
            else:
                self.reasoning.append(value)
        value = delta.role
        if value is not None and not self.role:
            self.role = _first(self.role, value)
        calls = delta.tool_calls
        if calls:
            self.add_calls(calls)
        value = choice.finish_reason
        # The last non-empty value; "" only while nothing better was seen.
        if value or (value is not None and self.finish_reason is None):
            self.finish_reason = value

    def add_calls(self, deltas: Any) -> None:
        calls = self.calls
        if calls is None:
            calls = self.calls = {}
        for delta in deltas:
            call = calls.get(delta.index)
            if call is None:
                call = calls[delta.index] = _Call()
            if not call.id:
                call.id = _first(call.id, delta.id)
            if not call.type:
                call.type = _first(call.type, delta.type)
            function = delta.function
            if function is not None:
                if not call.name and function.name:
                    call.name = function.name
                if function.arguments is not None:
                    call.arguments.append(function.arguments)

    def result(self, index: int) -> CompletionChoice:
        calls = self.calls
        message = _restore(
            Message,
            (
                self.role,
                None if self.content is None else "".join(self.content),
                None if self.reasoning is None else "".join(self.reasoning),
                None if calls is None else [calls[i].result() for i in sorted(calls)],
            ),
        )
        return _restore(CompletionChoice, (index, self.finish_reason, message))  # type: ignore[no-any-return]


class Accumulator:
    """Merges a stream's chunks, one at a time, into a :class:`ChatCompletion`.

    >>> from ssejet import ChunkDecoder
    >>> acc = Accumulator()
    >>> for chunk in ChunkDecoder().feed(
    ...     b'data: {"choices":[{"delta":{"role":"assistant","content":"Hel"}}]}\\n\\n'
    ...     b'data: {"choices":[{"delta":{"content":"lo"},"finish_reason":"stop"}]}\\n\\n'
    ... ):
    ...     acc.add(chunk)
    >>> acc.result().choices[0].message.content
    'Hello'
    """

    __slots__ = ("_id", "_model", "_created", "_usage", "_choices")

    def __init__(self) -> None:
        self._id: str | None = None
        self._model: str | None = None
        self._created: int | None = None
        self._usage: Any = None
        self._choices: dict[int, _Choice] = {}

    def add(self, chunk: ChatCompletionChunk) -> None:
        """Merges one chunk (of either backend) into the result."""
        if not self._id:
            self._id = _first(self._id, chunk.id)
        if not self._model:
            self._model = _first(self._model, chunk.model)
        if not self._created:
            self._created = _first(self._created, chunk.created)
        usage = chunk.usage
        if usage is not None:
            self._usage = usage
        choices = self._choices
        for choice in chunk.choices:
            state = choices.get(choice.index)
            if state is None:
                state = choices[choice.index] = _Choice()
            state.add(choice)

    def result(self) -> ChatCompletion:
        """The merged completion so far (a new object each call; adding may go on)."""
        choices = self._choices
        return _restore(  # type: ignore[no-any-return]
            ChatCompletion,
            (
                self._id,
                self._model,
                self._created,
                self._usage,
                [choices[index].result(index) for index in sorted(choices)],
            ),
        )


def accumulate(chunks: Iterable[ChatCompletionChunk]) -> ChatCompletion:
    """Merges a stream's chunks into one :class:`ChatCompletion` (see :class:`Accumulator`).

    >>> from ssejet import parse_chunk
    >>> accumulate([parse_chunk('{"choices":[{"delta":{"content":"Hi"}}]}')]).choices[0].message
    Message(role=None, content='Hi', reasoning_content=None, tool_calls=None)
    """
    accumulator = Accumulator()
    add = accumulator.add
    for chunk in chunks:
        add(chunk)
    return accumulator.result()
