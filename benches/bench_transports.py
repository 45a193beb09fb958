"""ssejet per HTTP client: httpx, requests and aiohttp over a loopback server, CPU per chunk.

The loopback server (``ssejet._bench.transports.Loopback``, another thread) streams an
Ark-shaped body of 300 events, one write (one HTTP chunk) per event, as LLM servers flush per
token. Per client, three ways of reading it, each feeding ``ssejet._bench.consumer.ChatApp``
(the app that reads every chunk's ``delta.content``):

- ssejet on each backend: ``iter_chunks(response)`` (httpx, requests) or
  ``aiter_chunks(response)`` (aiohttp);
- the seed's loop: ``iter_lines()`` (httpx, requests; requests' is the SiliconFlow seed's) or
  ``async for line in response.content`` (aiohttp), ``data:`` stripped, ``json.loads``.

Each case checks what it read against the stream (``extra_info["matched"]``) before timing.
The timer is ``time.thread_time``: the client thread's CPU, not the server's. ``benchmark.group``
is the client; ``extra_info`` has the backend ("rust", "python" or "seed") and µs of CPU per
chunk. Timed run: ``pytest benches/bench_transports.py --benchmark-only
--benchmark-columns=median,iqr,ops``; ``make test`` smoke-runs it with ``--benchmark-disable``.
A missing client is skipped with a message.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from ssejet._bench import clients, peers, streams
from ssejet._bench.measure import check
from ssejet._bench.transports import Loopback
from ssejet._bench.workloads import Workload, loopback

EVENTS = 300
CLIENTS = ("httpx", "requests", "aiohttp")

# A round is ~3-10 ms of CPU; each case stays well under a second, calibration included.
pytestmark = pytest.mark.benchmark(max_time=0.3, min_rounds=3, warmup=False, timer=time.thread_time)

MAKERS: dict[str, Callable[[Loopback, str], peers.Peer]] = {
    "httpx": lambda loop, how: (
        clients.httpx_seed(loop) if how == "seed" else peers.ssejet_iter_chunks(how, loop)
    ),
    "requests": lambda loop, how: (
        clients.requests_peer(loop, "seed")
        if how == "seed"
        else clients.requests_peer(loop, "ssejet", how)
    ),
    "aiohttp": lambda loop, how: (
        clients.aiohttp_peer(loop, "seed")
        if how == "seed"
        else clients.aiohttp_peer(loop, "ssejet", how)
    ),
}


@pytest.fixture(scope="module")
def server() -> Iterator[Loopback]:
    loop = Loopback()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def load() -> Workload:
    return loopback(streams, EVENTS)


def run(benchmark: Any, client: str, how: str, server: Loopback, load: Workload) -> None:
    """Checks one pass of the peer reads the expected chunks, then times it."""
    pytest.importorskip(client, reason=f"{client} is absent: pip install {client}")
    try:
        peer = MAKERS[client](server, how)
    except peers.Skip as skip:
        pytest.skip(str(skip))
    try:
        decode = peer.make(load)
        problem = check(peer, decode, load)
        benchmark.group = client
        benchmark.extra_info.update(backend=how, matched=problem is None, chunks=load.chunks)
        assert problem is None, f"{peer.name} read the stream wrongly: {problem}"
        benchmark(decode)
    finally:
        if peer.close is not None:
            peer.close()
    stats = getattr(benchmark, "stats", None)
    if stats is not None:  # None when timing is disabled
        benchmark.extra_info["us_cpu_per_chunk"] = round(stats.stats.median / load.chunks * 1e6, 2)


@pytest.mark.parametrize("client", CLIENTS)
def test_ssejet(
    benchmark: Any, backend: str, client: str, server: Loopback, load: Workload
) -> None:
    run(benchmark, client, backend, server, load)


@pytest.mark.parametrize("client", CLIENTS)
def test_seed_loop(benchmark: Any, client: str, server: Loopback, load: Workload) -> None:
    run(benchmark, client, "seed", server, load)
