"""Realistic LLM SSE streams for the benchmarks, each named for the path it stresses.

Every generator is deterministic (a seeded ``random.Random``) and returns a :class:`Stream`:
the body as bytes plus what decoding it must give, so a bench can check its output before it
times anything, and ``tests/test_bench_streams.py`` can prove each stream decodes exactly.

The shapes follow real captures (``shared/corpus/real``, Volcano Engine Ark, SiliconFlow):
compact JSON (``separators=(",", ":")``, ``ensure_ascii=False``), one ``data: `` line per event.

>>> s = ark_content(n_events=5)
>>> s.events, s.payloads[-1]
(5, '[DONE]')
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

DONE = "[DONE]"
READ_64K = 64 * 1024

# Token pools. A token is what one chunk's delta carries: English words with their leading
# space, punctuation, newlines, and 1-3 CJK characters (about 30% of tokens in ark_content).
_WORD_TEXT = (
    "the of and to in is that for it as with was on be by this are or from at an which "
    "model stream token server event data response request latency throughput buffer "
    "decoder parser chunk byte line field value message content reasoning function call "
    "arguments result error retry client connection network Python Rust memory speed "
    "example simple however therefore because while first second finally also only more"
)
_WORDS = _WORD_TEXT.split()
_PUNCT = (".", ",", ":", ";", "!", "?", " (", ")", " -", '"', "\n", "\n\n", "**", " `", "`")
_CJK = (
    "在流式输出中服务器会把模型生成的每一个词元作为一个独立的事件发送给客户端客户端需要"
    "尽快解析这些事件并把内容展示给用户为了降低延迟解析器必须在任意字节边界上正确地处理"
    "多字节字符以及回车换行同时保持线性时间复杂度我们因此先按字节切分行再逐行解码文本"
    "火山引擎方舟平台豆包大模型硅基流动深度求索推理内容工具调用函数参数用量统计缓存命中"
)
_EMOJI = ("🙂", "🚀", "✅", "👍")


@dataclass(frozen=True)
class Stream:
    """A generated SSE body and what decoding it must give.

    Attributes:
        name: what the stream stresses (also the benchmark group).
        body: the bytes as a server would send them.
        events: the number of events ``SSEDecoder`` dispatches (``len(payloads)``).
        payloads: each dispatched event's ``data``, in order (``"[DONE]"`` included).
        content: the concatenated ``delta.content`` of the chat chunks.
        reasoning_content: the concatenated ``delta.reasoning_content``.
        tool_calls: ``{"index", "id", "name", "arguments"}`` per tool call, by index.
    """

    name: str
    body: bytes
    events: int
    payloads: list[str]
    content: str = ""
    reasoning_content: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)


def reads(body: bytes, size: Optional[int]) -> list[bytes]:
    """Splits ``body`` into the reads a socket might return.

    ``size`` bytes per read, or with ``size=None`` one read per event: a split after each
    blank line (``\\n\\n``, ``\\r\\n\\r\\n`` or ``\\r\\r``), as a server flushing per event gives.
    """
    if size is None:
        cuts = [m.end() for m in re.finditer(rb"\r\n\r\n|\n\n|\r\r", body)]
        starts = [0, *cuts]
        pieces = [body[a:b] for a, b in zip(starts, cuts)]
        if starts[-1] < len(body):
            pieces.append(body[starts[-1] :])
        return pieces
    if size < 1:
        raise ValueError(f"size must be at least 1, not {size}")
    return [body[i : i + size] for i in range(0, len(body), size)]


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _frame(payloads: list[str], newline: str = "\n") -> bytes:
    return "".join(f"data: {p}{newline}{newline}" for p in payloads).encode()


def _token(rng: random.Random, cjk_share: float) -> str:
    """One chat token: CJK with probability ``cjk_share``, else a word or punctuation."""
    roll = rng.random()
    if roll < cjk_share:
        i = rng.randrange(len(_CJK) - 3)
        return _CJK[i : i + rng.choice((1, 1, 2, 2, 3))]
    if roll < cjk_share + 0.12:
        return rng.choice(_PUNCT)
    if roll > 0.997:
        return rng.choice(_EMOJI)
    word = rng.choice(_WORDS)
    return " " + word if rng.random() < 0.85 else word


def _text(rng: random.Random, n_chars: int, cjk_share: float) -> str:
    parts: list[str] = []
    size = 0
    while size < n_chars:
        token = _token(rng, cjk_share)
        parts.append(token)
        size += len(token)
    return "".join(parts)


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _usage(rng: random.Random, completion_tokens: int) -> dict[str, Any]:
    prompt = rng.randrange(20, 2000)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }


def _ark_payloads(rng: random.Random, n_events: int) -> tuple[list[str], str]:
    """Ark/Doubao chunks (keys in Ark's order), a usage chunk, then [DONE]: ``n_events`` in all."""
    created = 1742631211 + rng.randrange(10**6)
    ident = f"021{created}{rng.randrange(10**9):09d}{_hex(rng, 32)}"
    model = "doubao-1-5-pro-32k-250115"
    n_chunks = max(n_events - 2, 1)
    payloads, content = [], []
    for i in range(n_chunks):
        token = _token(rng, 0.30)
        choice: dict[str, Any] = {"delta": {"content": token, "role": "assistant"}, "index": 0}
        if i == n_chunks - 1:
            token = ""
            choice = {
                "delta": {"content": "", "role": "assistant"},
                "finish_reason": "stop",
                "index": 0,
                "logprobs": None,
            }
        content.append(token)
        payloads.append(
            _dumps(
                {
                    "choices": [choice],
                    "created": created,
                    "id": ident,
                    "model": model,
                    "service_tier": "default",
                    "object": "chat.completion.chunk",
                    "usage": None,
                }
            )
        )
    usage_chunk = {
        "choices": [],
        "created": created,
        "id": ident,
        "model": model,
        "service_tier": "default",
        "object": "chat.completion.chunk",
        "usage": _usage(rng, n_chunks),
    }
    payloads += [_dumps(usage_chunk), DONE]
    return payloads, "".join(content)


def ark_content(n_events: int = 2000, seed: int = 0) -> Stream:
    """Token-sized chunks: Volcano Engine Ark/Doubao chat.completion.chunk events of about
    270 bytes, about 30% of tokens CJK, ending with a usage chunk and ``[DONE]``."""
    payloads, content = _ark_payloads(random.Random(seed), n_events)
    return Stream("ark_content", _frame(payloads), len(payloads), payloads, content)


def crlf(n_events: int = 2000, seed: int = 0) -> Stream:
    """The ``ark_content`` stream with CRLF line ends (as some proxies and Gemini send)."""
    payloads, content = _ark_payloads(random.Random(seed), n_events)
    return Stream("crlf", _frame(payloads, "\r\n"), len(payloads), payloads, content)


def siliconflow_reasoning(n_events: int = 2000, seed: int = 0) -> Stream:
    """SiliconFlow-served DeepSeek-R1: ``reasoning_content`` tokens, then ``content`` tokens,
    a running ``usage`` object on every chunk, ``: keep-alive`` comments now and then."""
    rng = random.Random(seed)
    created = 1738000000 + rng.randrange(10**6)
    ident = f"0195{_hex(rng, 28)}"
    prompt = rng.randrange(10, 500)
    n_chunks = max(n_events - 1, 2)
    n_reasoning = n_chunks * 3 // 5
    body, payloads, reasoning, content = [], [], [], []
    body.append(": keep-alive\n\n" * rng.randrange(1, 4))  # the model is still thinking
    for i in range(n_chunks):
        last = i == n_chunks - 1
        token = "" if last else _token(rng, 0.5)
        if i < n_reasoning:
            delta = {"content": None, "reasoning_content": token, "role": "assistant"}
            reasoning.append(token)
        else:
            delta = {"content": token, "reasoning_content": None, "role": "assistant"}
            content.append(token)
        payload = _dumps(
            {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": created,
                "model": "deepseek-ai/DeepSeek-R1",
                "choices": [
                    {"index": 0, "delta": delta, "finish_reason": "stop" if last else None}
                ],
                "system_fingerprint": "",
                "usage": {
                    "prompt_tokens": prompt,
                    "completion_tokens": i + 1,
                    "total_tokens": prompt + i + 1,
                    "completion_tokens_details": {"reasoning_tokens": min(i + 1, n_reasoning)},
                },
            }
        )
        payloads.append(payload)
        body.append(f"data: {payload}\n\n")
        if rng.random() < 0.02:
            body.append(": keep-alive\n\n")
    payloads.append(DONE)
    body.append(f"data: {DONE}\n\n")
    data = "".join(body).encode()
    return Stream(
        "siliconflow_reasoning", data, len(payloads), payloads, "".join(content), "".join(reasoning)
    )


def _fragment_sizes(rng: random.Random, total: int, count: int) -> list[int]:
    """``count`` sizes of 1-8 summing to ``total`` (which must lie in [count, 8 * count])."""
    sizes = [rng.randint(1, 8) for _ in range(count)]
    diff = total - sum(sizes)
    while diff:
        i = rng.randrange(count)
        if diff > 0 and sizes[i] < 8:
            sizes[i] += 1
            diff -= 1
        elif diff < 0 and sizes[i] > 1:
            sizes[i] -= 1
            diff += 1
    return sizes


def _tool_arguments(rng: random.Random, name: str, length: int) -> str:
    """A JSON arguments string of at least ``length`` characters."""
    if name == "write_file":
        code: list[str] = []
        while len(_dumps({"path": "src/app.py", "content": "".join(code)})) < length:
            code.append(f"def {rng.choice(_WORDS)}_{len(code)}(x):\n    return x + {len(code)}\n")
        return _dumps({"path": "src/app.py", "content": "".join(code)})
    queries: list[str] = []
    while len(_dumps({"queries": queries, "top_k": 5})) < length:
        queries.append(_text(rng, rng.randrange(10, 40), 0.3).strip())
    return _dumps({"queries": queries, "top_k": 5})


def tool_call_fragments(n_events: int = 2000, seed: int = 0) -> Stream:
    """OpenAI-shaped parallel tool calls (index 0 and 1): id and name in the first fragment,
    ``arguments`` in many 1-8 character fragments, ``finish_reason: "tool_calls"``."""
    rng = random.Random(seed)
    created = 1754693439 + rng.randrange(10**6)
    base = {
        "id": f"chatcmpl-{_hex(rng, 29)}",
        "object": "chat.completion.chunk",
        "created": created,
        "model": "gpt-4o-2024-08-06",
        "service_tier": "default",
        "system_fingerprint": "fp_07871e2ad8",
        "usage": None,
    }

    def chunk(delta: dict[str, Any], finish: Optional[str] = None) -> str:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return _dumps({**base, "choices": [choice]})

    # role chunk, per tool: a header and its argument fragments; finish, usage, [DONE].
    n_fragments = max(n_events - 6, 2)
    payloads = [chunk({"role": "assistant", "content": None, "refusal": None})]
    tool_calls = []
    for index, name in enumerate(("search_docs", "write_file")):
        count = n_fragments // 2 if index == 0 else n_fragments - n_fragments // 2
        arguments = _tool_arguments(rng, name, count * 9 // 2)
        call_id = f"call_{_hex(rng, 24)}"
        tool_calls.append({"index": index, "id": call_id, "name": name, "arguments": arguments})
        header = {"index": index, "id": call_id, "type": "function"}
        header["function"] = {"name": name, "arguments": ""}
        payloads.append(chunk({"tool_calls": [header]}))
        start = 0
        for size in _fragment_sizes(rng, len(arguments), count):
            fragment = {"index": index, "function": {"arguments": arguments[start : start + size]}}
            payloads.append(chunk({"tool_calls": [fragment]}))
            start += size
    payloads.append(chunk({}, "tool_calls"))
    payloads.append(_dumps({**base, "choices": [], "usage": _usage(rng, n_fragments)}))
    payloads.append(DONE)
    return Stream(
        "tool_call_fragments", _frame(payloads), len(payloads), payloads, tool_calls=tool_calls
    )


def large_cjk(n_events: int = 300, seed: int = 0) -> Stream:
    """Multi-byte text in bulk: chunks of 200-2000 mostly-CJK characters each."""
    rng = random.Random(seed)
    created = 1752169304 + rng.randrange(10**6)
    ident = _hex(rng, 32)
    payloads, content = [], []
    for i in range(max(n_events - 1, 1)):
        text = _text(rng, rng.randrange(200, 2001), 0.9)
        content.append(text)
        choice = {"index": 0, "delta": {"content": text}, "logprobs": None, "finish_reason": None}
        if i == n_events - 2:
            choice["finish_reason"] = "stop"
        payloads.append(
            _dumps(
                {
                    "id": ident,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": "deepseek-chat",
                    "choices": [choice],
                }
            )
        )
    payloads.append(DONE)
    return Stream("large_cjk", _frame(payloads), len(payloads), payloads, "".join(content))


def keepalive_comments(n_events: int = 2000, seed: int = 0) -> Stream:
    """Comment lines between small token events (OpenRouter's ``: OPENROUTER PROCESSING``,
    ``: keep-alive``, ``:ping``): as many comment lines as data lines, all to be skipped."""
    rng = random.Random(seed)
    comments = (": OPENROUTER PROCESSING", ": keep-alive", ":ping", ":")
    ident = f"gen-{1754693439 + rng.randrange(10**6)}-{_hex(rng, 20)}"
    body, payloads, content = [], [], []
    for _ in range(max(n_events - 1, 1)):
        for _ in range(rng.choice((0, 1, 1, 2))):
            body.append(f"{rng.choice(comments)}\n\n")
        token = _token(rng, 0.3)
        content.append(token)
        payload = _dumps({"id": ident, "choices": [{"index": 0, "delta": {"content": token}}]})
        payloads.append(payload)
        body.append(f"data: {payload}\n\n")
    payloads.append(DONE)
    body.append(f"data: {DONE}\n\n")
    data = "".join(body).encode()
    return Stream("keepalive_comments", data, len(payloads), payloads, "".join(content))


def one_huge_line(size: int = 4 * 1024 * 1024, seed: int = 0) -> Stream:
    """One data line of about ``size`` bytes (a whole answer in one chunk), then ``[DONE]``."""
    rng = random.Random(seed)
    # Drawn from 64 generated blocks: as good as fresh text for the decoder, and quick to make.
    blocks = [_text(rng, 1000, 0.3) for _ in range(64)]
    sizes = [len(_dumps(b).encode()) - 2 for b in blocks]  # in the JSON, escapes included
    parts, n_bytes = [], 0
    while n_bytes < size - 200:  # 200: about the JSON and framing around the text
        i = rng.randrange(64)
        parts.append(blocks[i])
        n_bytes += sizes[i]
    text = "".join(parts)
    payload = _dumps(
        {"id": _hex(rng, 32), "object": "chat.completion.chunk", "choices": [
            {"index": 0, "delta": {"content": text}, "finish_reason": "stop"}
        ]}
    )  # fmt: skip
    payloads = [payload, DONE]
    return Stream("one_huge_line", _frame(payloads), 2, payloads, text)


def _events(events: list[tuple[str, dict[str, Any]]]) -> tuple[bytes, list[str]]:
    """Named events (``event: <type>`` then ``data: <JSON>``), as Anthropic and OpenAI send."""
    payloads = [_dumps(data) for _, data in events]
    body = "".join(f"event: {name}\ndata: {p}\n\n" for (name, _), p in zip(events, payloads))
    return body.encode(), payloads


def anthropic_text(n_events: int = 2000, seed: int = 0) -> Stream:
    """A long Anthropic Messages answer: ``message_start``, one text block of token-sized
    ``text_delta`` events (about 30% CJK), a ``ping`` after the block start as the API sends,
    ``message_delta`` with the usage, ``message_stop``: ``n_events`` SSE events in all."""
    rng = random.Random(seed)
    ident = f"msg_01{_hex(rng, 22)}"
    model = "claude-sonnet-4-5-20250929"
    usage = {
        "input_tokens": rng.randrange(10, 2000),
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": 1,
        "service_tier": "standard",
    }
    message: dict[str, Any] = {
        "model": model,
        "id": ident,
        "type": "message",
        "role": "assistant",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage,
    }
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": message}),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        ),
        ("ping", {"type": "ping"}),
    ]
    text = []
    for _ in range(max(n_events - 6, 1)):
        token = _token(rng, 0.30)
        text.append(token)
        delta = {"type": "text_delta", "text": token}
        events.append(
            ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta})
        )
    end = {"stop_reason": "end_turn", "stop_sequence": None}
    events += [
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {"type": "message_delta", "delta": end, "usage": {"output_tokens": len(text)}},
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    body, payloads = _events(events)
    return Stream("anthropic_text", body, len(payloads), payloads, "".join(text))


def responses_text(n_events: int = 2000, seed: int = 0) -> Stream:
    """A long OpenAI Responses answer: ``response.created``/``in_progress``, one message item
    with one ``output_text`` part of token-sized ``response.output_text.delta`` events
    (``sequence_number``, ``logprobs: []`` as gpt-4o sends), their ``.done`` events and
    ``response.completed`` with the whole response: ``n_events`` SSE events, no ``[DONE]``."""
    rng = random.Random(seed)
    ident, item_id = f"resp_{_hex(rng, 48)}", f"msg_{_hex(rng, 48)}"
    response = {
        "id": ident,
        "object": "response",
        "created_at": 1743082658 + rng.randrange(10**6),
        "status": "in_progress",
        "error": None,
        "incomplete_details": None,
        "model": "gpt-4o-2024-08-06",
        "output": [],
        "parallel_tool_calls": True,
        "text": {"format": {"type": "text"}},
        "tool_choice": "auto",
        "tools": [],
        "usage": None,
        "metadata": {},
    }
    where = {"item_id": item_id, "output_index": 0, "content_index": 0}
    item: dict[str, Any] = {
        "id": item_id,
        "type": "message",
        "status": "in_progress",
        "role": "assistant",
        "content": [],
    }
    events: list[tuple[str, dict[str, Any]]] = []

    def event(kind: str, **fields: Any) -> None:
        events.append((kind, {"type": kind, "sequence_number": len(events), **fields}))

    event("response.created", response=response)
    event("response.in_progress", response=response)
    event("response.output_item.added", output_index=0, item=item)
    part: dict[str, Any] = {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}
    event("response.content_part.added", **where, part=part)
    text = []
    for _ in range(max(n_events - 8, 1)):
        token = _token(rng, 0.30)
        text.append(token)
        event("response.output_text.delta", **where, delta=token, logprobs=[])
    content = "".join(text)
    part = {**part, "text": content}
    event("response.output_text.done", **where, text=content, logprobs=[])
    event("response.content_part.done", **where, part=part)
    item = {**item, "status": "completed", "content": [part]}
    event("response.output_item.done", output_index=0, item=item)
    prompt = rng.randrange(10, 2000)
    usage = {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": len(text),
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": prompt + len(text),
    }
    done = {**response, "status": "completed", "output": [item], "usage": usage}
    event("response.completed", response=done)
    body, payloads = _events(events)
    return Stream("responses_text", body, len(payloads), payloads, content)


GENERATORS: dict[str, Callable[..., Stream]] = {
    "ark_content": ark_content,
    "siliconflow_reasoning": siliconflow_reasoning,
    "tool_call_fragments": tool_call_fragments,
    "large_cjk": large_cjk,
    "keepalive_comments": keepalive_comments,
    "crlf": crlf,
    "one_huge_line": one_huge_line,
}

# The short versions, for 1-byte reads (one feed() call per byte must stay quick).
SHORT: dict[str, dict[str, int]] = {name: {"n_events": 20} for name in GENERATORS}
SHORT["large_cjk"] = {"n_events": 4}
SHORT["one_huge_line"] = {"size": 16 * 1024}

# The dialects' streams: named events, no [DONE] (the chat generators above end with it).
DIALECT_GENERATORS: dict[str, Callable[..., Stream]] = {
    "anthropic_text": anthropic_text,
    "responses_text": responses_text,
}
SHORT.update({name: {"n_events": 20} for name in DIALECT_GENERATORS})

_cache: dict[tuple[str, bool], Stream] = {}


def stream(name: str, *, short: bool = False) -> Stream:
    """The named stream with its default size (or its short version), built once per process."""
    key = (name, short)
    if key not in _cache:
        generate = GENERATORS.get(name) or DIALECT_GENERATORS[name]
        _cache[key] = generate(**(SHORT[name] if short else {}))
    return _cache[key]


def all_streams(*, short: bool = False) -> Iterator[Stream]:
    for name in GENERATORS:
        yield stream(name, short=short)
