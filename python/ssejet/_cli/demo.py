"""The embedded demo of ``ssejet chat``: an OpenAI-compatible ``/chat/completions`` route that
streams a canned reply in the shapes real providers use (Ark's chunks, SiliconFlow's and
DeepSeek's ``reasoning_content``), one token per event, for :class:`.server.Server`.

The tests stream from it too: :func:`chat_stream` gives the reply's SSE bytes by themselves.
"""

from __future__ import annotations

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


def _error(writer: Writer, status: int, message: str, type_: str) -> None:
    """An OpenAI-style JSON error response."""
    body = json.dumps({"error": {"message": message, "type": type_, "code": None}}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    writer.start(status, headers, chunked=False)
    writer.write(body)


class ChatRoute:
    """The demo endpoint: ``POST .../chat/completions`` with ``"stream": true``."""

    def __init__(self, delay: float | None = None) -> None:
        if delay is None:
            delay = float(os.environ.get("SSEJET_DEMO_TOKEN_DELAY", TOKEN_DELAY))
        self.delay = delay

    def __call__(self, request: Request, writer: Writer) -> None:
        if request.method != "POST" or not request.path.rstrip("/").endswith("/chat/completions"):
            _error(writer, 404, f"no route for {request.method} {request.path}", "not_found")
            return
        try:
            body = request.json()
            messages = body["messages"]
            prompt = str(messages[-1]["content"])
        except (ValueError, KeyError, IndexError, TypeError):
            _error(writer, 400, "the body must be JSON with a messages list", "invalid_request")
            return
        if not body.get("stream"):
            _error(writer, 400, "the demo server only streams: send stream=true", "invalid_request")
            return
        prompt_tokens = sum(len(tokens(str(m.get("content", "")))) + 4 for m in messages)
        stream = chat_stream(
            prompt, model=str(body.get("model") or DEMO_MODEL), prompt_tokens=prompt_tokens
        )
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
