"""The per-client peers over loopback HTTP: the same Ark-shaped body streamed by the loopback
server (one event per write) and read through requests, aiohttp or httpx, each three ways:

- the client's bare read (no parsing at all): the reference, what any app pays for the HTTP;
- ssejet: ``iter_chunks(response)`` (requests) or ``aiter_chunks(response)`` (aiohttp);
- the seed's loop: requests' ``iter_lines()`` (the SiliconFlow seed), aiohttp's ``async for
  line in response.content``, httpx's ``iter_lines()``, each with ``data:`` stripped, a stop
  at ``[DONE]`` and ``json.loads``.

The sync clients keep one session (requests) or client (httpx) for all requests, so the time
is the reading, not the connection set-up; aiohttp runs on an event loop in the timed thread,
so the loop's own work is counted too, with one ``ClientSession`` per peer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any, Callable

import ssejet

from .consumer import ChatApp, Summary
from .peers import Peer, Run, import_or_skip, per_body, require_backend
from .transports import Loopback
from .workloads import CLIENTS, DONE, Body, Workload

REQUEST = {"model": "bench", "stream": True}
BARE = {client: reference for client, reference in CLIENTS.values()}


def _seed_lines(lines: Iterator[Any]) -> Iterator[Any]:
    """The seeds' loop over a client's lines (bytes or str)."""
    for line in lines:
        if line:
            text = line.decode("utf-8") if isinstance(line, bytes) else line
            if text.startswith("data:"):
                data = text[5:].strip()
                if data == DONE:
                    return
                yield json.loads(data)


def _bare(body: Body, size: int, n: int) -> Summary:
    """It reads no chunk: it is right when it read every byte of the body."""
    return body.expected if n == size else (0, f"{n} bytes", "", ())


def requests_peer(loop: Loopback, how: str, backend: str = "") -> Peer:
    """requests, one ``Session``, ``post(..., stream=True)``."""
    requests = import_or_skip("requests", "requests")
    if backend:
        require_backend(backend)
    session = requests.Session()

    def step(body: Body, app: ChatApp) -> None:
        loop.body = body
        with session.post(loop.url, json=REQUEST, stream=True) as response:
            if how == "seed":
                app.read_dicts(_seed_lines(response.iter_lines()))
                return
            try:
                app.read_objects(ssejet.iter_chunks(response, backend=backend))
            except ssejet.StreamAPIError:
                return  # the chunks before it were yielded: an app stops there

    def bare(workload: Workload) -> Run:
        sizes = [sum(map(len, body.reads)) for body in workload.bodies]

        def run() -> list[Summary]:
            out = []
            for body, size in zip(workload.bodies, sizes):
                loop.body = body
                with session.post(loop.url, json=REQUEST, stream=True) as response:
                    n = sum(map(len, response.iter_content(chunk_size=None)))
                out.append(_bare(body, size, n))
            return out

        return run

    if how == "bare":
        return Peer(BARE["requests"], bare, "floor", session.close)
    if how == "seed":
        return Peer("seed loop: iter_lines + json (requests)", per_body(step), close=session.close)
    name = f"ssejet-{backend} iter_chunks (requests)"
    return Peer(name, per_body(step), "ssejet", session.close)


def aiohttp_peer(loop: Loopback, how: str, backend: str = "") -> Peer:
    """aiohttp, one ``ClientSession`` on an event loop of its own, ``session.post``."""
    aiohttp = import_or_skip("aiohttp", "aiohttp")
    if backend:
        require_backend(backend)
    events = asyncio.new_event_loop()

    async def open_session() -> Any:
        return aiohttp.ClientSession()

    session = events.run_until_complete(open_session())

    async def seed(response: Any) -> AsyncIterator[Any]:
        async for line in response.content:
            text = line.decode("utf-8").strip()
            if text.startswith("data:"):
                data = text[5:].strip()
                if data == DONE:
                    return
                yield json.loads(data)

    async def read(body: Body, size: int) -> Summary:
        loop.body = body
        app, chunks = ChatApp(), []
        async with session.post(loop.url, json=REQUEST) as response:
            if how == "bare":
                n = 0
                async for data in response.content.iter_any():
                    n += len(data)
                return _bare(body, size, n)
            if how == "seed":
                chunks = [chunk async for chunk in seed(response)]
                app.read_dicts(chunks)
                return app.summary()
            try:
                async for chunk in ssejet.aiter_chunks(response, backend=backend):
                    chunks.append(chunk)
            except ssejet.StreamAPIError:
                pass  # the chunks before it were yielded: an app stops there
        app.read_objects(chunks)
        return app.summary()

    def make(workload: Workload) -> Run:
        sizes = [sum(map(len, body.reads)) for body in workload.bodies]

        async def all_bodies() -> list[Summary]:
            return [await read(body, size) for body, size in zip(workload.bodies, sizes)]

        return lambda: events.run_until_complete(all_bodies())

    def close() -> None:
        events.run_until_complete(session.close())
        events.close()

    if how == "bare":
        return Peer(BARE["aiohttp"], make, "floor", close)
    if how == "seed":
        return Peer("seed loop: async for line + json (aiohttp)", make, close=close)
    return Peer(f"ssejet-{backend} aiter_chunks (aiohttp)", make, "ssejet", close)


def httpx_seed(loop: Loopback) -> Peer:
    """httpx's ``iter_lines()`` with the seeds' loop, on one ``Client``."""
    httpx = import_or_skip("httpx", "httpx")
    client = httpx.Client()

    def step(body: Body, app: ChatApp) -> None:
        loop.body = body
        with client.stream("POST", loop.url, json=REQUEST) as response:
            app.read_dicts(_seed_lines(response.iter_lines()))

    return Peer("seed loop: iter_lines + json (httpx)", per_body(step), close=client.close)


def _three(make: Callable[..., Peer], bare: str, ssejet_name: str, seed: str) -> list[Any]:
    return [
        (bare, lambda loop: make(loop, "bare")),
        (ssejet_name.format("rust"), lambda loop: make(loop, "ssejet", "rust")),
        (ssejet_name.format("python"), lambda loop: make(loop, "ssejet", "python")),
        (seed, lambda loop: make(loop, "seed")),
    ]


# What the httpx suite adds to peers.LOOPBACK_FACTORIES, and the other clients' suites.
FACTORIES: dict[str, list[tuple[str, Callable[[Loopback], Peer]]]] = {
    "httpx": [("seed loop: iter_lines + json (httpx)", httpx_seed)],
    "requests": _three(
        requests_peer,
        BARE["requests"],
        "ssejet-{} iter_chunks (requests)",
        "seed loop: iter_lines + json (requests)",
    ),
    "aiohttp": _three(
        aiohttp_peer,
        BARE["aiohttp"],
        "ssejet-{} aiter_chunks (aiohttp)",
        "seed loop: async for line + json (aiohttp)",
    ),
}
