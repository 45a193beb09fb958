"""The dialects' workloads (Anthropic Messages, OpenAI Responses): the real captures of
``shared/corpus/dialects`` and the long generated streams, and what reading each must give.

Every dialect peer does what an application does with such a stream: it iterates the events
(pings skipped, up to the stream's last event or its error) and builds the final message the
SDKs' stream helpers give. What is checked is a :data:`~.consumer.Summary` of that final
message: (events iterated, the text, the thinking or reasoning-summary text, the tool calls as
``(index, id, name, arguments)``), the tool arguments of Anthropic as canonical JSON of the
parsed ``input``. The expected summary comes from ``expected.jsonl`` (never from ssejet), the
event count from a plain SSE framing of the capture.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Callable

import ssejet

from .consumer import Summary
from .workloads import READ_SIZES, Body, Workload

# The captures whose final message the SDK builds otherwise, on purpose (API.md, layer 3b): a
# peer cannot be right on both, so the bench leaves them out (the tests cover them).
LEFT_OUT = {
    # the SDK partial-parses an unfinished tool input; ssejet keeps its raw text
    "anthropic-3-7-sonnet-max-tokens-mid-tool-input.sse",
    # assembled by hand, its response id changes: the openai SDK's state raises on it
    "responses-gpt-4o-incomplete-max-output-tokens.sse",
}
TERMINAL = {"message_stop", "response.completed", "response.failed", "response.incomplete"}
REFERENCES = {
    "anthropic": "ssejet-rust anthropic EventDecoder + accumulate",
    "responses": "ssejet-rust responses EventDecoder + accumulate",
}


def canonical(value: Any) -> Any:
    """A tool's parsed input as one comparable string (None stays None)."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def field(obj: Any, name: str) -> Any:
    """``obj.name`` or ``obj[name]``: records, pydantic models and dicts alike."""
    return obj.get(name) if type(obj) is dict else getattr(obj, name, None)


def anthropic_summary(events: int, blocks: Iterable[Any]) -> Summary:
    """A final Anthropic message's content blocks, summarised."""
    text, thinking, tools = [], [], []
    for index, block in enumerate(blocks):
        kind = field(block, "type")
        if kind == "text":
            text.append(field(block, "text") or "")
        elif kind == "thinking":
            thinking.append(field(block, "thinking") or "")
        elif kind in ("tool_use", "server_tool_use"):
            ident, name = field(block, "id"), field(block, "name")
            tools.append((index, ident, name, canonical(field(block, "input"))))
    return (events, "".join(text), "".join(thinking), tuple(tools))


def responses_summary(events: int, output: Iterable[Any]) -> Summary:
    """A final response's output items, summarised (reasoning: the summary texts)."""
    text, reasoning, tools = [], [], []
    for index, item in enumerate(output):
        kind = field(item, "type")
        if kind == "message":
            for part in field(item, "content") or ():
                if field(part, "type") == "output_text":
                    text.append(field(part, "text") or "")
        elif kind == "reasoning":
            for part in field(item, "summary") or ():
                # expected.jsonl lists the summary texts themselves
                reasoning.append(part if type(part) is str else field(part, "text") or "")
        elif kind == "function_call":
            ident, name = field(item, "call_id"), field(item, "name")
            tools.append((index, ident, name, field(item, "arguments")))
    return (events, "".join(text), "".join(reasoning), tuple(tools))


def app_events(body: bytes) -> int:
    """How many events an application iterates: every event but pings and ``[DONE]``, up to
    the stream's last event (included) or its error (excluded)."""
    n = 0
    for sse in ssejet.SSEDecoder().feed(body):
        if sse.data == "[DONE]":
            break
        kind = json.loads(sse.data).get("type")
        if kind == "ping":
            continue
        if kind == "error":
            break
        n += 1
        if kind in TERMINAL:
            break
    return n


def _workload(dialect: str, stream: str, read: str, bodies: list[Body]) -> Workload:
    load = Workload(stream, read, bodies, reference=REFERENCES[dialect])
    load.suite, load.unit = dialect, "event"
    return load


def corpus(streams: Any, folder: Path, dialect: str, read: str) -> Workload:
    """The dialect's captures of ``expected.jsonl`` (but ``LEFT_OUT``)."""
    summarise: Callable[[int, Any], Summary] = (
        anthropic_summary if dialect == "anthropic" else responses_summary
    )
    bodies = []
    for line in (folder / "expected.jsonl").read_text(encoding="utf-8").splitlines():
        want = json.loads(line)
        if want["dialect"] != dialect or want["file"] in LEFT_OUT:
            continue
        data = (folder / want["file"]).read_bytes()
        expected = summarise(app_events(data), want["blocks"])
        bodies.append(Body(want["file"], streams.reads(data, READ_SIZES[read]), [], expected))
    return _workload(dialect, dialect, read, bodies)


def generated(streams: Any, name: str, read: str, n_events: int) -> Workload:
    """A long generated text stream of the dialect (``anthropic_text``, ``responses_text``)."""
    stream = streams.DIALECT_GENERATORS[name](n_events=n_events)
    expected = (app_events(stream.body), stream.content, stream.reasoning_content, ())
    body = Body(stream.name, streams.reads(stream.body, READ_SIZES[read]), [], expected)
    return _workload(name.split("_")[0], name, read, [body])
