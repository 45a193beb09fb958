"""The SDKs end to end, plain and accelerated (issue 8): CPU per chunk.

Each case makes one streamed chat completion with the SDK's own client (openai 3.x over httpx2,
Ark over httpx: each SDK's own http library) through an in-memory ``MockTransport`` serving an
Ark-shaped stream of 500 events (``ssejet._bench.streams.ark_content``, one event per read, as
a server flushing per token), and runs the loop of the issue: skip chunks without choices, read
``choices[0].delta.content``. Request building, retries logic, response handling: everything
the SDK does per request is in the time, amortised over the chunks.

The timer is ``time.thread_time`` (this thread's CPU), so the numbers are CPU per chunk, not
wall time. ``benchmark.group`` is "<sdk> <sync|async>"; ``extra_info`` has µs of CPU per chunk
and, for the accelerated paths, ``less_cpu_than_plain``: the plain path's median over theirs
(the issue's target is 10). Timed run:
``pytest benches/bench_sdk.py --benchmark-only --benchmark-columns=median,iqr,ops``; ``make test``
smoke-runs it with ``--benchmark-disable``. An absent SDK is skipped with a message.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from typing import Any, Callable

import pytest

from ssejet import _backend, accelerate
from ssejet._bench import streams

EVENTS = 500
REQUIRE_RUST = os.environ.get("SSEJET_REQUIRE_RUST") == "1"
MESSAGES = [{"role": "user", "content": "hi"}]
STREAM = streams.ark_content(EVENTS, seed=8)
READS = streams.reads(STREAM.body, None)
CHUNKS = STREAM.events - 1  # [DONE] is no chunk

# A plain round costs ~0.1 s of CPU, an accelerated one ~2 ms; the whole file, a few seconds.
pytestmark = pytest.mark.benchmark(
    max_time=0.25, min_rounds=3, warmup=False, timer=time.thread_time
)

CASES = [
    pytest.param(sdk, mode, path, id=f"{sdk}-{mode}-{path}")
    for sdk in ("openai", "ark")
    for mode in ("sync", "async")
    for path in ("plain", "rust", "python")  # plain first: the ratios need its median
]
_medians: dict[tuple[str, str], float] = {}


def _http(sdk: str) -> Any:
    """The SDK's http library (openai 3.x: httpx2; Ark: httpx)."""
    if sdk == "openai":
        pytest.importorskip("openai", reason="the openai SDK is absent: pip install --group sdk")
        return sys.modules["httpx2"]
    pytest.importorskip("volcenginesdkarkruntime", reason="Ark is absent: pip install --group sdk")
    return sys.modules["httpx"]


def _client(sdk: str, mode: str) -> Any:
    http = _http(sdk)
    headers = {"content-type": "text/event-stream"}

    def handler(request: Any) -> Any:
        return http.Response(200, headers=headers, content=iter(READS))

    async def body() -> Any:
        for data in READS:
            yield data

    def ahandler(request: Any) -> Any:
        return http.Response(200, headers=headers, content=body())

    if mode == "sync":
        transport = http.Client(transport=http.MockTransport(handler))
    else:
        transport = http.AsyncClient(transport=http.MockTransport(ahandler))
    options = {"api_key": "bench", "base_url": "http://bench.invalid/v1", "http_client": transport}
    if sdk == "openai":
        import openai

        return (openai.OpenAI if mode == "sync" else openai.AsyncOpenAI)(**options)
    import volcenginesdkarkruntime as ark

    return (ark.Ark if mode == "sync" else ark.AsyncArk)(**options)


def _loop(client: Any) -> Callable[[], str]:
    """The issue's loop, sync: one request, every chunk's content."""

    def run() -> str:
        out = []
        stream = client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        for chunk in stream:
            if not chunk.choices:
                continue
            out.append(chunk.choices[0].delta.content)
        return "".join(out)

    return run


def _aloop(client: Any, loop: asyncio.AbstractEventLoop) -> Callable[[], str]:
    async def consume() -> str:
        out = []
        stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        async for chunk in stream:
            if not chunk.choices:
                continue
            out.append(chunk.choices[0].delta.content)
        return "".join(out)

    return lambda: loop.run_until_complete(consume())


@pytest.mark.parametrize(("sdk", "mode", "path"), CASES)
def test_sdk_stream(benchmark: Any, sdk: str, mode: str, path: str) -> None:
    if path == "rust" and _backend._rust_module is None:
        if REQUIRE_RUST:
            pytest.fail(f"SSEJET_REQUIRE_RUST=1 but the extension is missing: {_backend._rust_error}")  # fmt: skip  # noqa: E501
        pytest.skip("the Rust extension is not built (run `make build`)")
    client = _client(sdk, mode)
    if path != "plain":
        accelerate(client, backend=path)
    loop = asyncio.new_event_loop()
    try:
        run = _loop(client) if mode == "sync" else _aloop(client, loop)
        assert run() == STREAM.content  # checked (and warmed up) before any timing
        benchmark.group = f"{sdk} {mode}"
        benchmark.extra_info.update(path=path, chunks=CHUNKS)
        benchmark(run)
    finally:
        loop.close()
    stats = getattr(benchmark, "stats", None)
    if stats is None:  # timing disabled
        return
    median = stats.stats.median
    benchmark.extra_info["us_cpu_per_chunk"] = round(median / CHUNKS * 1e6, 2)
    if path == "plain":
        _medians[sdk, mode] = median
    elif (sdk, mode) in _medians:
        benchmark.extra_info["less_cpu_than_plain"] = round(_medians[sdk, mode] / median, 1)
