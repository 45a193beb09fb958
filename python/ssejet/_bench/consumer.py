"""The simulated consumer of every peer: a chat app that reads each chunk's ``delta.content``,
``reasoning_content`` and tool-call arguments, as an application would, and keeps what it read
so the bench can check a peer's output before timing it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# (chunks, content, reasoning_content, ((index, id, name, arguments), ...)) for one body.
Summary = tuple[int, str, str, tuple[tuple[Any, ...], ...]]


class ChatApp:
    """Reads every chunk as an application would and keeps what it read, for the check."""

    __slots__ = ("calls", "chunks", "content", "reasoning")

    def __init__(self) -> None:
        self.chunks = 0
        self.content: list[str] = []
        self.reasoning: list[str] = []
        self.calls: dict[Any, list[Any]] = {}

    def read_objects(self, chunks: Iterable[Any]) -> None:
        """ssejet chunks and msgspec structs: the attributes of API.md."""
        content, reasoning, n = self.content.append, self.reasoning.append, 0
        try:
            for chunk in chunks:
                n += 1
                choices = chunk.choices
                if choices:
                    delta = choices[0].delta
                    text = delta.content
                    if text:
                        content(text)
                    text = delta.reasoning_content
                    if text:
                        reasoning(text)
                    if delta.tool_calls:
                        self._add_tool_calls(delta.tool_calls)
        finally:
            self.chunks += n

    def read_models(self, chunks: Iterable[Any]) -> None:
        """The SDKs' pydantic models: ``reasoning_content`` is an extra field, when present."""
        content, reasoning, n = self.content.append, self.reasoning.append, 0
        try:
            for chunk in chunks:
                n += 1
                choices = chunk.choices
                if choices:
                    delta = choices[0].delta
                    text = delta.content
                    if text:
                        content(text)
                    text = getattr(delta, "reasoning_content", None)
                    if text:
                        reasoning(text)
                    if delta.tool_calls:
                        self._add_tool_calls(delta.tool_calls)
        finally:
            self.chunks += n

    def read_dicts(self, chunks: Iterable[dict[str, Any]]) -> None:
        """Plain dicts from ``json.loads``: ``.get`` where a key may be absent."""
        content, reasoning, n = self.content.append, self.reasoning.append, 0
        try:
            for chunk in chunks:
                n += 1
                choices = chunk.get("choices")
                if choices:
                    delta = choices[0]["delta"]
                    text = delta.get("content")
                    if text:
                        content(text)
                    text = delta.get("reasoning_content")
                    if text:
                        reasoning(text)
                    calls = delta.get("tool_calls")
                    if calls:
                        for call in calls:
                            function = call.get("function") or {}
                            self._add_tool_call(
                                call.get("index"),
                                call.get("id"),
                                function.get("name"),
                                function.get("arguments"),
                            )
        finally:
            self.chunks += n

    def _add_tool_calls(self, calls: Iterable[Any]) -> None:
        for call in calls:
            function = call.function
            if function is None:
                self._add_tool_call(call.index, call.id, None, None)
            else:
                self._add_tool_call(call.index, call.id, function.name, function.arguments)

    def _add_tool_call(self, index: Any, ident: Any, name: Any, arguments: Any) -> None:
        entry = self.calls.get(index)
        if entry is None:
            entry = self.calls[index] = [ident or None, name or None, []]
        else:  # first non-empty id and name, as API.md accumulates them
            entry[0] = entry[0] or ident or None
            entry[1] = entry[1] or name or None
        if arguments:
            entry[2].append(arguments)

    def summary(self) -> Summary:
        try:
            content = "".join(self.content)
        except TypeError:  # Mistral's content parts, which a plain reader passes on as a list
            raise TypeError("delta.content is not a string but a list of parts") from None
        calls = tuple((i, e[0], e[1], "".join(e[2])) for i, e in sorted(self.calls.items()))
        return (self.chunks, content, "".join(self.reasoning), calls)
