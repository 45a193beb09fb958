"""ChunkDecoder throughput (issue 3): bytes to typed chunks, stream x read size x backend,
with the peers in the same groups.

Every case decodes a whole stream and reads each chunk's ``.choices[0].delta.content``,
``reasoning_content`` and tool-call arguments as an application would
(``ssejet._bench.consumer.ChatApp``, the reader ``ssejet bench`` uses too, so both suites time
the same work). Before timing, each case checks what it read against the stream's expected
text and tool calls; the ssejet cases also check that ``ssejet.accumulate`` of their chunks
gives the expected message.

Peers, side by side in each group: the msgspec floor (a typed ``msgspec.Struct`` decode of each
payload, framing done for free: the pre-split payload list), httpx-sse + ``json.loads`` and
+ ``orjson.loads`` producing plain dicts, and the seeds' hand-written pattern (split lines,
strip ``data:``, ``json.loads``). An absent peer is skipped with a message.

``benchmark.group`` is "<stream> chunks (<read> reads)"; ``extra_info`` has µs per chunk and
MB/s (10**6 bytes) from the median round. Timed run:
``pytest benches/bench_chunks.py --benchmark-only --benchmark-columns=median,iqr,ops``.
``make test`` smoke-runs it with ``--benchmark-disable`` (one round each, no timing).
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

import ssejet
from ssejet._bench import peers, streams
from ssejet._bench.measure import check
from ssejet._bench.workloads import Workload, from_stream

STREAMS = ("ark_content", "siliconflow_reasoning", "tool_call_fragments", "large_cjk")
READS = ("event", "64KiB")

# Each bench stays under about a second on a 2-core machine, calibration included.
pytestmark = pytest.mark.benchmark(max_time=0.5, min_rounds=3, warmup=False)

# peer name -> (factory, module to import, package to install)
PEERS: dict[str, tuple[Callable[[], peers.Peer], str, str]] = {
    "msgspec floor": (peers.msgspec_floor, "msgspec", "msgspec"),
    "httpx-sse + json": (lambda: peers.httpx_sse("json"), "httpx_sse", "httpx-sse"),
    "httpx-sse + orjson": (lambda: peers.httpx_sse("orjson"), "httpx_sse", "httpx-sse"),
    "seeds' pattern + json": (lambda: peers.seeds_pattern("json"), "json", "-"),
}

_workloads: dict[tuple[str, str], Workload] = {}


def workload(name: str, read: str) -> Workload:
    """The stream at its default size (``streams.stream``), cut into reads, built once."""
    if (name, read) not in _workloads:
        _workloads[name, read] = from_stream(streams, streams.stream(name), read)
    return _workloads[name, read]


def cases() -> list[Any]:
    return [pytest.param(n, r, id=f"{n}-{r}") for n in STREAMS for r in READS]


def run(benchmark: Any, who: str, load: Workload, peer: peers.Peer) -> None:
    """Checks one pass of ``peer`` reads exactly the expected output, then times it."""
    decode = peer.make(load)
    problem = check(peer, decode, load)
    benchmark.group = f"{load.stream} chunks ({load.read} reads)"
    benchmark.extra_info.update(peer=who, matched=problem is None, chunks=load.chunks)
    benchmark.extra_info["bytes"] = load.bytes
    assert problem is None, f"{who} read {load.stream} wrongly: {problem}"
    benchmark(decode)
    stats = getattr(benchmark, "stats", None)
    if stats is not None:  # None when timing is disabled
        median = stats.stats.median
        benchmark.extra_info["us_per_chunk"] = round(median / load.chunks * 1e6, 3)
        benchmark.extra_info["MB_per_s"] = round(load.bytes / median / 1e6, 1)


def accumulated(backend: str, load: Workload) -> tuple[Any, ...]:
    """What ``ssejet.accumulate`` makes of the chunks, as (content, reasoning, tool calls)."""
    decoder = ssejet.ChunkDecoder(backend=backend)
    chunks = [c for data in load.bodies[0].reads for c in decoder.feed(data)]
    chunks += decoder.close()
    message = ssejet.accumulate(chunks).choices[0].message
    calls = tuple(
        (i, call.id, call.function.name, call.function.arguments)
        for i, call in enumerate(message.tool_calls or ())
    )
    return (message.content or "", message.reasoning_content or "", calls)


@pytest.mark.parametrize(("name", "read"), cases())
def test_chunk_decoder(benchmark: Any, backend: str, name: str, read: str) -> None:
    load = workload(name, read)
    assert accumulated(backend, load) == load.bodies[0].expected[1:]
    run(benchmark, f"ssejet-{backend}", load, peers.ssejet_chunk_decoder(backend))


@pytest.mark.parametrize("peer", PEERS)
@pytest.mark.parametrize(("name", "read"), cases())
def test_peer(benchmark: Any, peer: str, name: str, read: str) -> None:
    factory, module, package = PEERS[peer]
    pytest.importorskip(module, reason=f"{peer} needs {package}: pip install --group bench")
    run(benchmark, peer, workload(name, read), factory())
