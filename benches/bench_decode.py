"""SSEDecoder throughput: stream x backend x read size, with the peers on the same streams.

Each benchmark decodes a whole stream with a fresh decoder, reading ``.data`` of every event
as an application would, after checking once, untimed, that the output is exactly the
stream's expected events. ``benchmark.group`` is the stream and read size, so each group
compares the backends and peers on the same input; ``extra_info`` has events/s and MB/s
(10**6 bytes) from the median round.

Read sizes: one event per read (a server flushing per token), 64 KiB reads (a busy socket),
and one byte per read on the short streams only (the linear-time check, timed).

Timed run: ``pytest benches --benchmark-only --benchmark-columns=median,iqr,ops``.
``make test`` smoke-runs this file with ``--benchmark-disable`` (one round, no timing).
"""

from __future__ import annotations

import codecs
import json
from typing import Any, Callable

import pytest

import ssejet
from ssejet._bench import streams

READ_SIZES = {"event": None, "64KiB": streams.READ_64K, "1B": 1}

# Each bench stays under about a second on a 2-core machine, calibration included.
pytestmark = pytest.mark.benchmark(max_time=0.5, min_rounds=3, warmup=False)

Decode = Callable[[list[bytes]], list[str]]


def cases() -> list[Any]:
    """(stream name, read size label); 1-byte reads use the short streams (see ``load``)."""
    return [
        pytest.param(name, label, id=f"{name}-{label}")
        for name in streams.GENERATORS
        for label in READ_SIZES
    ]


def load(name: str, label: str) -> tuple[streams.Stream, list[bytes]]:
    stream = streams.stream(name, short=label == "1B")
    return stream, streams.reads(stream.body, READ_SIZES[label])


def run(benchmark: Any, who: str, stream: streams.Stream, label: str, decode: Decode,
        chunks: list[bytes], expected: list[Any]) -> None:  # fmt: skip
    """Checks ``decode(chunks)`` gives ``expected``, then times it and records the rates."""
    matched = decode(chunks) == expected
    benchmark.group = f"{stream.name} ({label} reads)"
    benchmark.extra_info.update(backend=who, matched=matched, events=stream.events)
    benchmark.extra_info["bytes"] = len(stream.body)
    assert matched, f"{who} decoded {stream.name} wrongly"
    benchmark(decode, chunks)
    stats = getattr(benchmark, "stats", None)
    if stats is not None:  # None when timing is disabled
        median = stats.stats.median
        benchmark.extra_info["events_per_s"] = round(stream.events / median)
        benchmark.extra_info["MB_per_s"] = round(len(stream.body) / median / 1e6, 1)
        benchmark.extra_info["ns_per_event"] = round(median / stream.events * 1e9, 1)


# ssejet ---------------------------------------------------------------------------------------


def ssejet_decoder(backend: str) -> Decode:
    def decode(chunks: list[bytes]) -> list[str]:
        decoder = ssejet.SSEDecoder(backend=backend)  # a fresh decoder per round
        feed = decoder.feed
        out = []
        for chunk in chunks:
            for event in feed(chunk):
                out.append(event.data)  # what an app does first: read the data
        for event in decoder.close():
            out.append(event.data)
        return out

    return decode


@pytest.mark.parametrize(("name", "label"), cases())
def test_ssejet(benchmark: Any, backend: str, name: str, label: str) -> None:
    stream, chunks = load(name, label)
    run(benchmark, backend, stream, label, ssejet_decoder(backend), chunks, stream.payloads)


# Peers ----------------------------------------------------------------------------------------


def seeds_pattern(chunks: list[bytes]) -> list[Any]:
    """What apps write by hand: split into lines, strip ``data: ``, stop at ``[DONE]``,
    ``json.loads`` each payload. (It parses JSON, which SSEDecoder does not: layer 2 does.)"""
    text = codecs.getincrementaldecoder("utf-8")("replace")
    buffer = ""
    out = []
    for chunk in chunks:
        buffer += text.decode(chunk)
        *lines, buffer = buffer.split("\n")
        for line in lines:
            if line.startswith("data: "):
                payload = line[6:]
                if payload == "[DONE]":
                    return out
                out.append(json.loads(payload))
    return out


def test_seeds_pattern(benchmark: Any) -> None:
    stream, chunks = load("ark_content", "64KiB")
    expected = [json.loads(p) for p in stream.payloads if p != streams.DONE]
    run(benchmark, "seeds' pattern", stream, "64KiB", seeds_pattern, chunks, expected)


def httpx_sse_decoder() -> Decode:
    """httpx-sse's ``EventSource.iter_sse`` without the HTTP: httpx's incremental UTF-8
    decoding (``iter_text``), its SSE line decoder, then its ``SSEDecoder`` per line."""
    httpx_sse = pytest.importorskip("httpx_sse")
    from httpx_sse._decoders import SSEDecoder

    try:
        from httpx_sse._decoders import SSELineDecoder as LineDecoder
    except ImportError:  # httpx-sse < 0.4.2 used httpx's own line decoder
        from httpx._decoders import LineDecoder
    del httpx_sse

    def decode(chunks: list[bytes]) -> list[str]:
        text = codecs.getincrementaldecoder("utf-8")("replace")
        lines, decoder, out = LineDecoder(), SSEDecoder(), []
        for chunk in chunks:
            piece = text.decode(chunk)
            if piece:  # httpx's TextChunker drops empty text
                for line in lines.decode(piece):
                    sse = decoder.decode(line.rstrip("\n"))
                    if sse is not None:
                        out.append(sse.data)
        for line in lines.flush():
            sse = decoder.decode(line.rstrip("\n"))
            if sse is not None:
                out.append(sse.data)
        return out

    return decode


@pytest.mark.parametrize(("name", "label"), cases())
def test_httpx_sse(benchmark: Any, name: str, label: str) -> None:
    decode = httpx_sse_decoder()
    stream, chunks = load(name, label)
    run(benchmark, "httpx-sse", stream, label, decode, chunks, stream.payloads)
