"""Helpers the dialect test modules share: SSE bodies from payloads, and decoding them with a
dialect's EventDecoder under every splitting (all splittings must agree)."""

from __future__ import annotations

from typing import Any, Callable

import orjson
from conftest import splittings

from ssejet import SSEError

Decoded = tuple[list[Any], Any, bool]  # (every event, the first error or None, done)


def sse(*payloads: Any, name: bool = True) -> bytes:
    """An SSE body of these payloads (dicts are JSON-encoded), each named by its type unless
    `name` is False (OpenRouter sends no event lines)."""
    out = []
    for payload in payloads:
        data = payload if isinstance(payload, (str, bytes)) else orjson.dumps(payload).decode()
        if isinstance(data, bytes):
            data = data.decode()
        kind = payload.get("type") if isinstance(payload, dict) and name else None
        out.append((f"event: {kind}\n" if kind else "") + f"data: {data}\n\n")
    return "".join(out).encode()


def decode(make: Callable[[], Any], chunks: list[bytes]) -> Decoded:
    """Feeds `chunks` to a fresh decoder from `make`, then closes: every event (returned or
    riding on the error), the first error, and `done`."""
    decoder = make()
    events: list[Any] = []
    error = None
    for chunk in chunks:
        try:
            events += decoder.feed(chunk)
        except SSEError as raised:
            events += raised.events
            error = error or raised
    events += decoder.close()
    return events, error, decoder.done


def decode_everyhow(make: Callable[[], Any], data: bytes) -> Decoded:
    """`decode` under every splitting (every index up to 4,000 bytes, then seeded ones); all
    must agree: events (and their `to_dict()`), the error's class and message, `done`."""
    first: Any = None
    for chunks in splittings(data, every_index=len(data) <= 4000):
        events, error, done = decode(make, chunks)
        key = ([e.to_dict() for e in events], events, type(error), str(error), done)
        if first is None:
            first, result = key, (events, error, done)
        assert key == first, f"split {[len(c) for c in chunks]}"
    return result
