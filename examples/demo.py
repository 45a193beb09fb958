"""Decodes a sample LLM stream the way it arrives from the network: in arbitrary pieces.

`make demo` runs this. The stream is shaped like Volcano Engine Ark/Doubao chat completion
chunks, with a keep-alive comment, CRLF line ends and a read boundary inside a CRLF pair and
inside a multi-byte character, which is where hand-written SSE parsers usually break.
"""

from __future__ import annotations

import json
import random
import time

import ssejet

TOKENS = ["你好", "！", "我是", "豆包", "，", "很高兴", "为你", "服务", "。", " Hello", " there"]


def sample_stream() -> bytes:
    """An Ark-shaped stream: content deltas, a keep-alive, a usage chunk, then [DONE]."""
    events = [b": keep-alive\r\n\r\n"]
    for i, token in enumerate(TOKENS):
        delta = {"content": token, "role": "assistant"}
        chunk = {
            "choices": [{"delta": delta, "index": 0, "finish_reason": None}],
            "created": 1742631211,
            "id": "021742631211397a4b5c6d7e8f9",
            "model": "doubao-1-5-pro-32k-250115",
            "service_tier": "default",
            "object": "chat.completion.chunk",
            "usage": None,
        }
        sep = b"data:" if i % 2 else b"data: "  # Ark sends both
        events.append(sep + json.dumps(chunk, ensure_ascii=False).encode() + b"\r\n\r\n")
    usage = {"prompt_tokens": 12, "completion_tokens": len(TOKENS), "total_tokens": 23}
    events.append(b"data: " + json.dumps({"choices": [], "usage": usage}).encode() + b"\r\n\r\n")
    events.append(b"data: [DONE]\r\n\r\n")
    return b"".join(events)


def main() -> None:
    body = sample_stream()
    rng = random.Random(7)
    reads, i = [], 0
    while i < len(body):  # network reads of random sizes, cut anywhere
        n = rng.randint(1, 97)
        reads.append(body[i : i + n])
        i += n

    print(f"ssejet backend: {ssejet.backend}; {len(body)} bytes in {len(reads)} reads\n")
    decoder = ssejet.SSEDecoder()
    start = time.perf_counter()
    events = [event for read in reads for event in decoder.feed(read)]
    elapsed = time.perf_counter() - start

    text = []
    for event in events:
        if event.data.strip() == "[DONE]":
            print("[DONE]")
            break
        chunk = event.json()
        if chunk["choices"]:
            text.append(chunk["choices"][0]["delta"]["content"])
            print(f"event {event.event!r:10} content={text[-1]!r}")
        else:
            print(f"event {event.event!r:10} usage={chunk['usage']}")
    print(f"\nmessage: {''.join(text)}")
    print(f"{len(events)} events decoded in {elapsed * 1e6:.0f} µs ({len(reads)} feed() calls)")


if __name__ == "__main__":
    main()
