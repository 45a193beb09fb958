"""The embedded demo of ``ssejet chat``: a route (:class:`DemoRoute`, for
:class:`.server.Server`) that streams a canned reply, one token per event, in each dialect, in
the shapes the real APIs use: ``/chat/completions`` as OpenAI-compatible chunks (Ark's chunks,
SiliconFlow's and DeepSeek's ``reasoning_content``), ``/v1/messages`` as Anthropic Messages
events (thinking, then text), ``/responses`` as OpenAI Responses events (a reasoning summary,
then a message).

The tests stream from it too: :func:`chat_stream`, :func:`anthropic_stream` and
:func:`responses_stream` give a reply's SSE bytes by themselves.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import Request, Writer

DEMO_MODEL = "doubao-1-5-pro-32k-250115"
# The models ssejet chat asks for by default in the other dialects (of the real APIs too).
ANTHROPIC_MODEL = "claude-sonnet-4-5"
RESPONSES_MODEL = "gpt-5-mini"
TOKEN_DELAY = 0.015  # seconds between the demo reply's chunks; SSEJET_DEMO_TOKEN_DELAY overrides

_TOKEN = re.compile(r"[\u3000-\u9fff\uff00-\uffef]{1,2}|\s?[A-Za-z]{1,7}|\s?\d{1,3}|\s?\S|\s+")


def tokens(text: str) -> list[str]:
    """Splits text into token-sized pieces, roughly as an LLM tokenizer would."""
    return _TOKEN.findall(text)


def demo_reply(prompt: str) -> tuple[str, str]:
    """The canned (reasoning, answer) of the demo server for ``prompt``."""
    reasoning = (
        f"The user wrote: “{prompt}”. I am ssejet's embedded demo server, not a real model, "
        "so the honest answer is to describe the stream they are watching: this reasoning "
        "first, sent in `reasoning_content` as SiliconFlow and DeepSeek do, then the answer in "
        "`content`, in Volcano Engine Ark's chunk shape, with the token usage in a last chunk."
    )
    answer = (
        "你好！This reply came from ssejet's embedded server on 127.0.0.1, streamed as "
        "Server-Sent Events over chunked HTTP, one small JSON chunk per token. ssejet turned "
        "each network read into typed ChatCompletionChunk objects in a single call, and "
        "printed the reasoning apart from the answer.\n\nTo talk to a real model, give an "
        "OpenAI-compatible endpoint: ssejet chat --base-url "
        "https://ark.cn-beijing.volces.com/api/v3 --model <your endpoint or model> "
        "(with ARK_API_KEY set), or SiliconFlow, DeepSeek, OpenAI, a local vLLM…"
    )
    return reasoning, answer


def chat_stream(
    prompt: str, *, model: str = DEMO_MODEL, prompt_tokens: int | None = None
) -> Iterator[bytes]:
    """The SSE events of the demo reply: a keep-alive comment, reasoning chunks, answer
    chunks, a finish chunk, a usage chunk (``choices: []``), then ``[DONE]``.

    Chunks have Ark/Doubao's shape (``service_tier``, ``"usage": null``, and both ``data: `` and
    ``data:`` with no space, which Ark sends); reasoning comes first in ``reasoning_content``
    with an empty ``content``, as SiliconFlow and DeepSeek send it.
    """
    reasoning, answer = demo_reply(prompt)
    created = int(time.time())
    base = {
        "choices": None,
        "created": created,
        "id": "02" + str(created * 1000) + secrets.token_hex(12),
        "model": model,
        "service_tier": "default",
        "object": "chat.completion.chunk",
        "usage": None,
    }

    def event(choices: list[Any], usage: Any = None, space: bool = True) -> bytes:
        payload = dict(base, choices=choices, usage=usage)
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return (b"data: " if space else b"data:") + text.encode() + b"\n\n"

    def delta(**fields: Any) -> list[Any]:
        return [{"delta": dict(role="assistant", **fields), "index": 0}]

    yield b": keep-alive\n\n"
    reasoning_tokens, answer_tokens = tokens(reasoning), tokens(answer)
    for i, token in enumerate(reasoning_tokens):
        yield event(delta(content="", reasoning_content=token), space=i % 3 != 2)
    for i, token in enumerate(answer_tokens):
        yield event(delta(content=token), space=i % 3 != 2)
    yield event(
        [{"delta": {"content": "", "role": "assistant"}, "finish_reason": "stop", "index": 0}]
    )
    completion = len(reasoning_tokens) + len(answer_tokens) + 1
    prompt_count = prompt_tokens if prompt_tokens is not None else len(tokens(prompt)) + 8
    usage = {
        "completion_tokens": completion,
        "prompt_tokens": prompt_count,
        "total_tokens": prompt_count + completion,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": len(reasoning_tokens)},
    }
    yield event([], usage)
    yield b"data: [DONE]\n\n"


def _sse(name: str | None, payload: Any) -> bytes:
    """One event: ``event: NAME`` (when given) and its JSON payload, compact as the APIs send."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    head = b"event: %s\n" % name.encode() if name else b""
    return head + b"data: " + data + b"\n\n"


def _token_id(prefix: str, size: int = 24) -> str:
    return prefix + secrets.token_hex(size // 2)


def anthropic_reply(prompt: str) -> tuple[str, str]:
    """The canned (thinking, answer) of the demo's Anthropic Messages route."""
    thinking = (
        f"The user wrote: “{prompt}”. I am ssejet's embedded demo server, not Claude, so I "
        "describe the stream they are watching: this thinking first, in a thinking block "
        "closed by its signature_delta, as Claude's extended thinking streams it, then the "
        "answer in a text block, then message_delta with the stop reason and the usage."
    )
    answer = (
        "Hello! This reply came from ssejet's embedded server on 127.0.0.1, streamed as "
        "Anthropic Messages events: message_start, content_block_start, ping, text_delta after "
        "text_delta, content_block_stop, message_delta, message_stop. ssejet turned each "
        "network read into typed events in a single call (ssejet.anthropic.iter_events) and "
        "printed the thinking apart from the answer.\n\nTo talk to Claude, set "
        "ANTHROPIC_API_KEY and run: ssejet chat --dialect anthropic 'Hello' (--model to "
        "choose the model, --base-url for a proxy)."
    )
    return thinking, answer


def anthropic_stream(
    prompt: str, *, model: str = ANTHROPIC_MODEL, input_tokens: int | None = None
) -> Iterator[bytes]:
    """The SSE events of the demo reply in the Anthropic Messages shape (as the captures of
    claude-sonnet-4 with thinking): ``message_start``, a thinking block (``thinking_delta``s,
    then its ``signature_delta``), a ``ping``, a text block (``text_delta``s),
    ``message_delta`` (``stop_reason`` ``end_turn``, the usage), ``message_stop``."""
    thinking, answer = anthropic_reply(prompt)
    thinking_tokens, answer_tokens = tokens(thinking), tokens(answer)
    prompt_count = input_tokens if input_tokens is not None else len(tokens(prompt)) + 8
    usage = {
        "input_tokens": prompt_count,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": 1,
        "service_tier": "standard",
    }
    message = {
        "model": model,
        "id": "msg_01" + secrets.token_urlsafe(16).replace("-", "A").replace("_", "b")[:22],
        "type": "message",
        "role": "assistant",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage,
    }
    yield _sse("message_start", {"type": "message_start", "message": message})
    start = {"type": "thinking", "thinking": "", "signature": ""}
    yield _sse(
        "content_block_start", {"type": "content_block_start", "index": 0, "content_block": start}
    )
    yield _sse("ping", {"type": "ping"})

    def delta(index: int, body: dict[str, Any]) -> bytes:
        return _sse(
            "content_block_delta", {"type": "content_block_delta", "index": index, "delta": body}
        )

    for token in thinking_tokens:
        yield delta(0, {"type": "thinking_delta", "thinking": token})
    signature = base64.b64encode(secrets.token_bytes(96)).decode()
    yield delta(0, {"type": "signature_delta", "signature": signature})
    yield _sse("content_block_stop", {"type": "content_block_stop", "index": 0})
    text = {"type": "text", "text": ""}
    yield _sse(
        "content_block_start", {"type": "content_block_start", "index": 1, "content_block": text}
    )
    for token in answer_tokens:
        yield delta(1, {"type": "text_delta", "text": token})
    yield _sse("content_block_stop", {"type": "content_block_stop", "index": 1})
    final = dict(usage, output_tokens=len(thinking_tokens) + len(answer_tokens) + 1)
    del final["service_tier"]
    yield _sse(
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": final,
        },
    )
    yield _sse("message_stop", {"type": "message_stop"})


def responses_reply(prompt: str) -> tuple[str, str]:
    """The canned (reasoning summary, answer) of the demo's Responses route."""
    summary = (
        f"**Describing the stream**\n\nThe user wrote: “{prompt}”. I am ssejet's embedded "
        "demo server, not an OpenAI model, so I describe the stream they are watching: this "
        "reasoning summary first, in a reasoning item, then the answer in a message item, "
        "then response.completed with the usage."
    )
    answer = (
        "Hello! This reply came from ssejet's embedded server on 127.0.0.1, streamed as OpenAI "
        "Responses events, each with its sequence_number: response.created, "
        "response.output_item.added, response.output_text.delta after delta, "
        "response.completed. ssejet turned each network read into typed events in a single "
        "call (ssejet.responses.iter_events) and printed the reasoning apart from the "
        "answer.\n\nTo talk to OpenAI, set OPENAI_API_KEY and run: ssejet chat --dialect "
        "responses 'Hello' (--model to choose the model, --base-url for another endpoint)."
    )
    return summary, answer


def responses_stream(
    prompt: str, *, model: str = RESPONSES_MODEL, input_tokens: int | None = None
) -> Iterator[bytes]:
    """The SSE events of the demo reply in the OpenAI Responses shape (as the captures of
    gpt-5 with a reasoning summary): ``response.created``, ``response.in_progress``, a
    reasoning item (``reasoning_summary_part.added``, ``reasoning_summary_text.delta``s,
    ``.done``s), a message item (``output_item.added``, ``content_part.added``,
    ``output_text.delta``s, ``output_text.done``, ``content_part.done``,
    ``output_item.done``), then ``response.completed`` with the output and the usage; every
    event with its ``sequence_number``."""
    summary, answer = responses_reply(prompt)
    summary_tokens, answer_tokens = tokens(summary), tokens(answer)
    prompt_count = input_tokens if input_tokens is not None else len(tokens(prompt)) + 8
    sequence = iter(range(1 << 30))
    response: dict[str, Any] = {
        "id": _token_id("resp_", 50),
        "object": "response",
        "created_at": int(time.time()),
        "status": "in_progress",
        "background": False,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "model": model,
        "output": [],
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": "medium", "summary": "auto"},
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": None,
        "user": None,
        "metadata": {},
    }

    def event(kind: str, **fields: Any) -> bytes:
        return _sse(kind, {"type": kind, "sequence_number": next(sequence), **fields})

    yield event("response.created", response=response)
    yield event("response.in_progress", response=response)

    reasoning_id = _token_id("rs_", 50)
    reasoning: dict[str, Any] = {"id": reasoning_id, "type": "reasoning", "summary": []}
    yield event("response.output_item.added", output_index=0, item=reasoning)
    where = {"item_id": reasoning_id, "output_index": 0, "summary_index": 0}
    yield event(
        "response.reasoning_summary_part.added", **where, part={"type": "summary_text", "text": ""}
    )
    for token in summary_tokens:
        yield event("response.reasoning_summary_text.delta", **where, delta=token)
    part = {"type": "summary_text", "text": summary}
    yield event("response.reasoning_summary_text.done", **where, text=summary)
    yield event("response.reasoning_summary_part.done", **where, part=part)
    reasoning = dict(reasoning, summary=[part])
    yield event("response.output_item.done", output_index=0, item=reasoning)

    message_id = _token_id("msg_", 50)
    message: dict[str, Any] = {
        "id": message_id, "type": "message", "status": "in_progress", "content": [],
        "role": "assistant",
    }  # fmt: skip
    yield event("response.output_item.added", output_index=1, item=message)
    where = {"item_id": message_id, "output_index": 1, "content_index": 0}
    empty = {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}
    yield event("response.content_part.added", **where, part=empty)
    for token in answer_tokens:
        yield event("response.output_text.delta", **where, delta=token, logprobs=[])
    yield event("response.output_text.done", **where, text=answer, logprobs=[])
    text = dict(empty, text=answer)
    yield event("response.content_part.done", **where, part=text)
    message = dict(message, status="completed", content=[text])
    yield event("response.output_item.done", output_index=1, item=message)

    output_count = len(summary_tokens) + len(answer_tokens)
    usage = {
        "input_tokens": prompt_count,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": output_count,
        "output_tokens_details": {"reasoning_tokens": len(summary_tokens)},
        "total_tokens": prompt_count + output_count,
    }
    completed = dict(response, status="completed", output=[reasoning, message], usage=usage)
    yield event("response.completed", response=completed)


def _error(writer: Writer, status: int, message: str, type_: str, dialect: str = "chat") -> None:
    """A JSON error response in the dialect's shape (Anthropic's ``{"type": "error", "error":
    {...}}``, else OpenAI's ``{"error": {...}}``)."""
    if dialect == "anthropic":
        payload: Any = {"type": "error", "error": {"type": type_, "message": message}}
    else:
        payload = {"error": {"message": message, "type": type_, "code": None}}
    body = json.dumps(payload).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    writer.start(status, headers, chunked=False)
    writer.write(body)


def _text(content: Any) -> str:
    """The text of a message's content: a string, or a list of parts with ``text``."""
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content)


def _dialect(path: str) -> str | None:
    """The dialect a request path asks for: ``.../chat/completions``, ``.../messages``
    (Anthropic's ``/v1/messages``) or ``.../responses``."""
    path = path.split("?", 1)[0].rstrip("/")
    if path.endswith("/chat/completions"):
        return "chat"
    if path.endswith("/messages"):
        return "anthropic"
    if path.endswith("/responses"):
        return "responses"
    return None


class DemoRoute:
    """The demo endpoints, one per dialect, each streaming the canned reply in its shape:
    ``POST .../chat/completions`` (chat chunks), ``POST .../v1/messages`` (Anthropic
    Messages), ``POST .../responses`` (OpenAI Responses), each with ``"stream": true``."""

    def __init__(self, delay: float | None = None) -> None:
        if delay is None:
            delay = float(os.environ.get("SSEJET_DEMO_TOKEN_DELAY", TOKEN_DELAY))
        self.delay = delay

    def __call__(self, request: Request, writer: Writer) -> None:
        dialect = _dialect(request.path)
        if request.method != "POST" or dialect is None:
            _error(writer, 404, f"no route for {request.method} {request.path}", "not_found")
            return
        stream = self._stream(dialect, request, writer)
        if stream is None:
            return
        writer.start(
            200,
            [("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-cache")],
        )
        for data in stream:
            writer.write(data)
            if writer.disconnected:
                return
            if self.delay:
                time.sleep(self.delay)

    def _stream(self, dialect: str, request: Request, writer: Writer) -> Iterator[bytes] | None:
        """The reply's events, or None when the request was refused (a 400 written)."""
        invalid = "invalid_request_error" if dialect == "anthropic" else "invalid_request"
        try:
            body = request.json()
            if dialect == "responses":
                given = body["input"]
                messages = given if isinstance(given, list) else [{"content": given}]
            else:
                messages = body["messages"]
            prompt = _text(messages[-1]["content"])
        except (ValueError, KeyError, IndexError, TypeError):
            want = "an input" if dialect == "responses" else "a messages list"
            _error(writer, 400, f"the body must be JSON with {want}", invalid, dialect)
            return None
        if not body.get("stream"):
            message = "the demo server only streams: send stream=true"
            _error(writer, 400, message, invalid, dialect)
            return None
        prompt_tokens = sum(
            len(tokens(_text(m.get("content", "")))) + 4 for m in messages if isinstance(m, dict)
        )
        if dialect == "anthropic":
            model = str(body.get("model") or ANTHROPIC_MODEL)
            return anthropic_stream(prompt, model=model, input_tokens=prompt_tokens)
        if dialect == "responses":
            model = str(body.get("model") or RESPONSES_MODEL)
            return responses_stream(prompt, model=model, input_tokens=prompt_tokens)
        model = str(body.get("model") or DEMO_MODEL)
        return chat_stream(prompt, model=model, prompt_tokens=prompt_tokens)


ChatRoute = DemoRoute  # its name before the demo spoke the other dialects
