"""What the dialect benchmarks (bench_anthropic.py, bench_responses.py) share: the captures'
folder, SSE framing of payloads, read sizes, the Rust-or-skip rule, a mock transport that
serves one event per read, and the per-event median in ``extra_info``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import pytest

from ssejet import _backend

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "dialects"
READ = 64 * 1024


def sse(payload: dict[str, Any]) -> bytes:
    """One event, named by its payload's type."""
    return b"event: " + payload["type"].encode() + b"\ndata: " + orjson.dumps(payload) + b"\n\n"


def reads(data: bytes, size: int = READ) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def need(who: str) -> None:
    """Skips a Rust case without the extension (fails it under SSEJET_REQUIRE_RUST=1)."""
    if who == "rust" and _backend._rust_module is None:
        if os.environ.get("SSEJET_REQUIRE_RUST") == "1":
            pytest.fail(
                f"SSEJET_REQUIRE_RUST=1 but the extension is missing: {_backend._rust_error}"
            )
        pytest.skip("the Rust extension is not built (run `make build`)")


def one_event_per_read(httpx: Any, body: bytes) -> Any:
    """A mock transport (of ``httpx`` or ``httpx2``) serving ``body`` one event per read."""
    parts = [part + b"\n\n" for part in body.split(b"\n\n") if part]

    def handler(request: Any) -> Any:
        headers = {"content-type": "text/event-stream"}
        return httpx.Response(200, headers=headers, content=iter(parts))

    return httpx.MockTransport(handler)


def finish(benchmark: Any, events: int, key: str = "ns_per_event") -> float | None:
    """Records the median per event in ``extra_info[key]``; returns the median (None when the
    run was not timed)."""
    stats = getattr(benchmark, "stats", None)
    if stats is None:
        return None
    median = stats.stats.median
    benchmark.extra_info[key] = round(median / events * 1e9, 1)
    return median  # type: ignore[no-any-return]
