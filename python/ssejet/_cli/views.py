"""A *view* per dialect, as the commands print it: ``ChatView``, ``AnthropicView`` and
``ResponsesView`` take the decoder's objects one at a time (:meth:`View.add`): each accumulates
them and prints their text as it arrives through a :class:`.output.Printer` (reasoning and
thinking apart from the answer), each tool call on its own line once its input is complete,
then :meth:`View.finish` prints what never completed. Both ``ssejet parse`` and ``ssejet chat``
use them, so a dialect prints alike in both. Which dialect a stream speaks is ``detect``'s.
"""

from __future__ import annotations

from typing import Any, Optional

import orjson

from .. import Accumulator, ChunkDecoder
from .. import anthropic as _anthropic
from .. import responses as _responses
from .detect import ANTHROPIC, ANTHROPIC_TYPES, CHAT, RESPONSES
from .output import Printer


def _json(value: Any) -> str:
    """``value`` as compact JSON on one line (the text as is, not escaped)."""
    try:
        return orjson.dumps(value).decode()
    except (orjson.JSONEncodeError, TypeError):
        return repr(value)


def _text(value: Any) -> str:
    """``value`` when it is a string, else "" (a field a provider sent with another type)."""
    return value if type(value) is str else ""


class View:
    """What the views share: the printer, the count of objects, ``recognised`` (how many of
    them belong to the dialect: none means the stream is of another kind)."""

    dialect = ""
    noun = "events"  # what the decoder yields, in the notes ("12 events")

    def __init__(self, printer: Printer) -> None:
        self.printer = printer
        self.count = 0
        self.recognised = 0
        self.first_type: Optional[str] = None  # the first object's type, for messages

    def decoder(self, **options: Any) -> Any:
        """A new decoder of the dialect."""
        return DECODERS[self.dialect](**options)

    def add(self, item: Any) -> bool:
        """Takes the decoder's next object; True when it printed answer or reasoning text."""
        raise NotImplementedError

    def finish(self) -> None:
        """Ends the printed text and prints what never completed (tool calls cut off)."""
        self.printer.finish()

    def note(self, done: bool) -> list[str]:
        """The parts of ``ssejet parse``'s summary note; ``done``: the decoder saw the
        stream's end (``[DONE]``, ``message_stop``, ``response.completed``...)."""
        raise NotImplementedError

    def trailer(self) -> list[str]:
        """What ``ssejet chat`` adds to its summary line: how the reply ended, when unusual."""
        return []

    def failure(self) -> Optional[str]:
        """The error to report when the stream ended in a failure it did not raise
        (``response.failed``), else None."""
        return None

    def output_tokens(self) -> Optional[int]:
        return None


class ChatView(View):
    """OpenAI-compatible chat completion chunks."""

    dialect = CHAT
    noun = "chunks"

    def __init__(self, printer: Printer) -> None:
        super().__init__(printer)
        self.accumulator = Accumulator()

    def add(self, chunk: Any) -> bool:
        self.count += 1
        if chunk.choices or _counts_tokens(chunk.usage):
            self.recognised += 1
        elif self.first_type is None:
            kind = chunk.to_dict().get("type")
            self.first_type = kind if type(kind) is str else ""
        self.accumulator.add(chunk)
        return self.printer.chunk(chunk)

    def finish(self) -> None:
        self.printer.finish()
        for choice in self.accumulator.result().choices:
            for call in choice.message.tool_calls or ():
                self.printer.line(
                    f"tool call {call.function.name}({call.function.arguments}) id={call.id}"
                )

    def note(self, done: bool) -> list[str]:
        result = self.accumulator.result()
        parts = [f"{self.count} chunks"]
        finish = [c.finish_reason for c in result.choices if c.finish_reason]
        if finish:
            parts.append(f"finish_reason {', '.join(finish)}")
        if result.usage is not None:
            u = result.usage
            parts.append(
                f"usage {u.prompt_tokens} prompt + {u.completion_tokens} completion tokens"
            )
        if not done:
            parts.append("no [DONE]")
        return parts

    def output_tokens(self) -> Optional[int]:
        usage = self.accumulator.result().usage
        return usage.completion_tokens if usage is not None else None


def _counts_tokens(usage: Any) -> bool:
    """A chat ``usage`` (Anthropic's ``message_delta`` has a ``usage`` too, of other names)."""
    return usage is not None and (
        usage.prompt_tokens is not None
        or usage.completion_tokens is not None
        or usage.total_tokens is not None
    )


# Anthropic blocks whose input streams as input_json_delta fragments, and how a line names them.
_TOOL_BLOCKS = {"tool_use": "tool call", "server_tool_use": "server tool call",
                "mcp_tool_use": "mcp tool call"}  # fmt: skip
# Stop reasons that end a reply as asked; any other is named in chat's summary line.
_NORMAL_STOPS = frozenset({"end_turn", "tool_use", "stop_sequence"})


class AnthropicView(View):
    """Anthropic Messages events: text and thinking deltas print as they arrive, a tool call
    when its block stops (its input parsed), a server tool's result as one line."""

    dialect = ANTHROPIC

    def __init__(self, printer: Printer) -> None:
        super().__init__(printer)
        self.accumulator = _anthropic.Accumulator()
        # The tool blocks started and not yet printed: index -> (start block, input fragments).
        self.tools: dict[int, tuple[dict[str, Any], list[str]]] = {}

    def add(self, event: Any) -> bool:
        self.count += 1
        self.accumulator.add(event)
        kind = event.type
        if kind in ANTHROPIC_TYPES:
            self.recognised += 1
        elif self.first_type is None:
            self.first_type = kind if type(kind) is str else ""
        printer = self.printer
        if kind == "content_block_delta":
            delta = event.delta
            kind = delta.type
            if kind == "text_delta":
                if delta.text:
                    printer.content(delta.text)
                    printer.out.flush()
                    return True
            elif kind == "thinking_delta":
                if delta.thinking:
                    printer.reasoning(delta.thinking)
                    printer.out.flush()
                    return True
            elif kind == "input_json_delta":
                tool = self.tools.get(event.index)
                if tool is not None:
                    tool[1].append(delta.partial_json)
        elif kind == "content_block_start":
            return self._start(event.index, event.content_block.to_dict())
        elif kind == "content_block_stop" and event.index in self.tools:
            self._tool_line(event.index)
        return False

    def _start(self, index: int, block: dict[str, Any]) -> bool:
        kind = block.get("type")
        printer = self.printer
        if kind in _TOOL_BLOCKS:
            self.tools[index] = (block, [])
        elif kind == "text" and _text(block.get("text")):
            printer.content(block["text"])
            return True
        elif kind == "thinking" and _text(block.get("thinking")):
            printer.reasoning(block["thinking"])
            return True
        elif kind == "redacted_thinking":
            printer.line("[redacted thinking]")
        elif kind not in ("text", "thinking"):
            printer.line(_result_line(block))
        return False

    def _tool_line(self, index: int, stopped: bool = True) -> None:
        """Prints the line of the tool block at ``index``: its input parsed as the
        accumulator parses it (API.md, layer 3b), or, cut off, the text that arrived."""
        block, fragments = self.tools.pop(index)
        if fragments:
            text = "".join(fragments)
            if not stopped:
                block["input"], block["partial_json"] = None, text
            elif text:
                try:
                    block["input"] = orjson.loads(text)
                except orjson.JSONDecodeError:
                    block["input"], block["partial_json"] = None, text
            else:
                block["input"] = {}
        self.printer.line(_tool_line(block))

    def finish(self) -> None:
        self.printer.finish()
        for index in sorted(self.tools):  # blocks whose stop never came
            self._tool_line(index, stopped=False)

    def note(self, done: bool) -> list[str]:
        message = self.accumulator.result().to_dict()
        parts = [f"{self.count} events"]
        reason = message.get("stop_reason")
        if type(reason) is str:
            parts.append(f"stop_reason {reason}")
        usage = _usage(message.get("usage"), "input_tokens", "output_tokens")
        if usage:
            parts.append(usage + " tokens")
        if not done:
            parts.append("no message_stop")
        return parts

    def trailer(self) -> list[str]:
        reason = self.accumulator.result().to_dict().get("stop_reason")
        if type(reason) is str and reason not in _NORMAL_STOPS:
            return [f"stop_reason {reason}"]
        return []

    def output_tokens(self) -> Optional[int]:
        usage = self.accumulator.result().to_dict().get("usage")
        tokens = usage.get("output_tokens") if type(usage) is dict else None
        return tokens if type(tokens) is int else None


def _tool_line(block: dict[str, Any]) -> str:
    """``tool call NAME(INPUT) id=ID``; a cut-off input shows what arrived of it."""
    label = _TOOL_BLOCKS.get(block.get("type"), "tool call")  # type: ignore[arg-type]
    name, ident, given = block.get("name"), block.get("id"), block.get("input")
    if given is None and "partial_json" in block:
        return f"{label} {name}({block['partial_json']}) id={ident} (input incomplete)"
    return f"{label} {name}({'' if given is None else _json(given)}) id={ident}"


def _result_line(block: dict[str, Any]) -> str:
    """One line for a server tool's result block (``web_search_tool_result``...) or a block
    type this command does not know."""
    line = str(block.get("type"))
    if block.get("tool_use_id"):
        line += f" for {block['tool_use_id']}"
    content = block.get("content")
    if type(content) is list:
        line += f": {len(content)} item{'s' if len(content) != 1 else ''}"
    elif type(content) is dict:
        line += f": {content.get('type')}"
        if content.get("error_code"):
            line += f" {content['error_code']}"
    return line


# Responses output items printed as a tool call: their name and where their input is.
_CALL_ITEMS = {"function_call": "arguments", "custom_tool_call": "input", "mcp_call": "arguments"}
_REASONING_DELTAS = frozenset(
    {"response.reasoning_summary_text.delta", "response.reasoning_text.delta"}
)
# The record events the view prints something for.
_PRINTED = frozenset(
    {
        "response.refusal.delta", "response.reasoning_summary_part.added",
        "response.output_item.done", "response.output_text.done", "response.refusal.done",
    }
)  # fmt: skip


class ResponsesView(View):
    """OpenAI Responses events: output text and reasoning (summary or text) print as they
    arrive, each function call when its item is done, other items (web search, code
    interpreter) as one line.

    Only the typed delta events are read by attribute (the decoder checked their fields);
    the others are records whose fields a provider may omit, read through ``to_dict()``."""

    dialect = RESPONSES

    def __init__(self, printer: Printer) -> None:
        super().__init__(printer)
        self.accumulator = _responses.Accumulator()
        self.streamed: set[tuple[Any, Any]] = set()  # (output_index, content_index) with deltas
        self.lines: set[Any] = set()  # output indexes whose item line is out
        self._final: Optional[dict[str, Any]] = None  # the accumulated response, once asked

    def add(self, event: Any) -> bool:
        self.count += 1
        self._final = None
        self.accumulator.add(event)
        kind = event.type
        if type(kind) is str and (kind.startswith("response.") or kind == "error"):
            self.recognised += 1
        elif self.first_type is None:
            self.first_type = kind if type(kind) is str else ""
        printer = self.printer
        if kind == "response.output_text.delta":
            if event.delta:
                self.streamed.add((event.output_index, event.content_index))
                printer.content(event.delta)
                printer.out.flush()
                return True
            return False
        if kind in _REASONING_DELTAS:
            if event.delta:
                printer.reasoning(event.delta)
                printer.out.flush()
                return True
            return False
        if kind not in _PRINTED:
            return False
        data = event.to_dict()
        if kind == "response.refusal.delta":
            delta = data.get("delta")
            if type(delta) is str and delta:
                self.streamed.add(_where(data))
                printer.content(delta)
                return True
        elif kind == "response.reasoning_summary_part.added":
            if data.get("summary_index") and printer.state == "reasoning":
                printer.reasoning("\n\n")  # the parts of a summary are paragraphs
        elif kind == "response.output_item.done":
            item = data.get("item")
            if type(item) is dict:
                self._item_line(_where(data)[0], item)
        else:  # output_text.done, refusal.done: a provider that sends the text only there
            key = _where(data)
            text = data.get("text" if kind == "response.output_text.done" else "refusal")
            if key not in self.streamed and type(text) is str and text:
                self.streamed.add(key)
                printer.content(text)
                return True
        return False

    def _item_line(self, index: Any, item: dict[str, Any]) -> None:
        line = _item_line(item)
        if line is not None and (index is None or index not in self.lines):
            self.lines.add(index)
            self.printer.line(line)

    def final(self) -> dict[str, Any]:
        """The accumulated response, as plain JSON values."""
        if self._final is None:
            self._final = self.accumulator.result().to_dict()
        return self._final

    def finish(self) -> None:
        self.printer.finish()
        # Calls whose item never finished (the stream failed or stopped): what arrived.
        for index, item in enumerate(self.final()["output"]):
            if type(item) is dict and _text(item.get("type")) in _CALL_ITEMS:
                self._item_line(index, item)

    def note(self, done: bool) -> list[str]:
        response = self.final()
        parts = [f"{self.count} events"]
        status = response.get("status")
        if type(status) is str:
            reason = _incomplete_reason(response)
            parts.append(f"status {status} ({reason})" if reason else f"status {status}")
        usage = _usage(response.get("usage"), "input_tokens", "output_tokens")
        if usage:
            details = response["usage"].get("output_tokens_details")
            reasoning = details.get("reasoning_tokens") if type(details) is dict else None
            parts.append(usage + (f" ({reasoning} reasoning) tokens" if reasoning else " tokens"))
        if not done:
            parts.append("no response.completed")
        return parts

    def trailer(self) -> list[str]:
        response = self.final()
        if response.get("status") == "incomplete":
            reason = _incomplete_reason(response)
            return ["incomplete" + (f": {reason}" if reason else "")]
        return []

    def failure(self) -> Optional[str]:
        """A ``response.failed``: the response's own error, as one line."""
        response = self.final()
        if response.get("status") != "failed":
            return None
        error = response.get("error")
        message, code = (error, None) if type(error) is str else (None, None)
        if type(error) is dict:
            message, code = error.get("message"), error.get("code")
        line = f"the response failed: {message or 'no reason given'}"
        return line + (f" (code {code})" if code is not None else "")

    def output_tokens(self) -> Optional[int]:
        usage = self.final().get("usage")
        tokens = usage.get("output_tokens") if type(usage) is dict else None
        return tokens if type(tokens) is int else None


def _where(data: dict[str, Any]) -> tuple[Optional[int], Optional[int]]:
    """An event's ``(output_index, content_index)``, None for one that is not an integer."""
    output, content = data.get("output_index"), data.get("content_index")
    return (output if type(output) is int else None, content if type(content) is int else None)


def _incomplete_reason(response: dict[str, Any]) -> Optional[str]:
    details = response.get("incomplete_details")
    reason = details.get("reason") if type(details) is dict else None
    return reason if type(reason) is str else None


def _usage(usage: Any, input_key: str, output_key: str) -> str:
    """``usage N input + M output`` from a usage object (the counts it has), or ""."""
    if type(usage) is not dict:
        return ""
    counts = [
        f"{usage[key]} {name}"
        for key, name in ((input_key, "input"), (output_key, "output"))
        if type(usage.get(key)) is int
    ]
    return "usage " + " + ".join(counts) if counts else ""


def _item_line(item: dict[str, Any]) -> Optional[str]:
    """The line of a finished output item: a call with its input, a tool run (web search,
    code interpreter, file search...) with its id and status; None for messages and
    reasoning, whose text was printed."""
    kind = item.get("type")
    if kind in ("message", "reasoning") or type(kind) is not str:
        return None
    field = _CALL_ITEMS.get(kind)
    if field is not None:
        ident = item.get("call_id") or item.get("id")
        return f"tool call {item.get('name')}({item.get(field) or ''}) id={ident}"
    line = kind
    if item.get("id"):
        line += f" id={item['id']}"
    if item.get("status"):
        line += f" ({item['status']})"
    action = item.get("action")
    if type(action) is dict and type(action.get("query")) is str:
        line += f": {action['query']}"
    return line


VIEWS = {CHAT: ChatView, ANTHROPIC: AnthropicView, RESPONSES: ResponsesView}
DECODERS = {
    CHAT: ChunkDecoder,
    ANTHROPIC: _anthropic.EventDecoder,
    RESPONSES: _responses.EventDecoder,
}


def view(dialect: str, printer: Printer) -> View:
    return VIEWS[dialect](printer)  # type: ignore[abstract]
