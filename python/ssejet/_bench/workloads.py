"""What the peers decode: generated streams and the real captures, cut into reads of a given
size, with what reading each body must give (the generator's text, or ``expected.jsonl``)."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import ssejet

from .consumer import Summary

DONE = "[DONE]"
REFERENCE = "ssejet-rust ChunkDecoder"
LOOPBACK_REFERENCE = "httpx bare read (no parsing)"
READ_SIZES: dict[str, Optional[int]] = {"event": None, "64KiB": 64 * 1024, "1B": 1}
STREAMS = ("ark_content", "siliconflow_reasoning", "tool_call_fragments", "large_cjk")
# The dialects' workloads: their captures ("anthropic", "responses") and generated streams.
DIALECT_STREAMS = ("anthropic_text", "responses_text")
DIALECT_WORKLOADS = ("anthropic", "anthropic_text", "responses", "responses_text")
# Over loopback HTTP, one workload per client: its name, and the peer the ratios divide by.
CLIENTS = {
    "loopback": ("httpx", LOOPBACK_REFERENCE),
    "loopback-requests": ("requests", "requests bare read (no parsing)"),
    "loopback-aiohttp": ("aiohttp", "aiohttp bare read (no parsing)"),
}
WORKLOADS = (*STREAMS, "corpus", "corpus-plain", *DIALECT_WORKLOADS, *CLIENTS)
# expected.jsonl notes that need the provider normalizations of API.md: a plain OpenAI-style
# reading loop cannot get these files right, so the "corpus-plain" workload leaves them out.
QUIRKS = {
    "content_list",
    "reasoning_alias",
    "tool_call_index_missing",
    "error_event",
    "error_in_chunk",
}
ROOT = Path(__file__).resolve().parents[3]  # the checkout: python/ssejet/_bench/ is 3 below


@dataclass
class Body:
    """One SSE body of a workload, cut into reads, and what reading it must give."""

    name: str
    reads: list[bytes]
    payloads: list[bytes]  # every event's data up to [DONE]: the floors' pre-split input
    expected: Summary


@dataclass
class Workload:
    """Bodies decoded in one timed pass; ``key`` is "stream/read". ``clock`` is "cpu" (the
    CPU time of the thread running the peers) or "wall" (elapsed time); ratios are to
    ``reference``'s median (ssejet-rust's decoder, or the client's bare read on loopback).
    ``suite`` says which peers read it: "chat", a dialect ("anthropic", "responses") or, over
    loopback HTTP, a client ("httpx", "requests", "aiohttp"); ``unit`` is what it counts."""

    stream: str
    read: str
    bodies: list[Body]
    chunks: int = field(init=False)
    bytes: int = field(init=False)
    clock: str = "cpu"
    reference: str = REFERENCE
    suite: str = "chat"
    unit: str = "chunk"

    def __post_init__(self) -> None:
        self.chunks = sum(b.expected[0] for b in self.bodies)
        self.bytes = sum(len(r) for b in self.bodies for r in b.reads)

    @property
    def key(self) -> str:
        return f"{self.stream}/{self.read}"

    @property
    def title(self) -> str:
        files = f", {len(self.bodies)} files" if len(self.bodies) > 1 else ""
        return f"{self.stream} ({self.read} reads{files})"


def load_streams(benches: Optional[Path] = None) -> Any:
    """The stream generators shared with the benches: ``ssejet._bench.streams``, or a
    ``streams.py`` in ``benches`` when given (to compare with modified generators)."""
    if benches is None:
        from . import streams

        return streams
    path = benches / "streams.py"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found")
    name = "_ssejet_bench_streams"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    return module


def default_corpus() -> Path:
    shared = Path(os.environ.get("SSEJET_SHARED", ROOT.parent / "shared"))
    return shared / "corpus" / "real"


def _payloads(body: bytes) -> list[bytes]:
    payloads = []
    for event in ssejet.SSEDecoder().feed(body):
        if event.data.strip() == DONE:
            break
        payloads.append(event.data.encode())
    return payloads


def generated(streams: Any, name: str, read: str, n_events: int) -> Workload:
    """A generated stream; 1-byte reads use its short version."""
    if read == "1B":
        return from_stream(streams, streams.stream(name, short=True), read)
    size = max(n_events // 5, 4) if name == "large_cjk" else n_events
    return from_stream(streams, streams.GENERATORS[name](n_events=size), read)


def loopback(streams: Any, n_events: int, name: str = "loopback") -> Workload:
    """Ark-shaped chunks streamed over loopback HTTP, one event per write, timed in CPU, read
    through the client ``CLIENTS[name]`` names."""
    workload = from_stream(streams, streams.GENERATORS["ark_content"](n_events=n_events), "event")
    workload.stream = name
    workload.suite, workload.reference = CLIENTS[name]
    return workload


def from_stream(streams: Any, stream: Any, read: str) -> Workload:
    """A workload of one ``ssejet._bench.streams`` stream, cut into reads of the named size."""
    calls = tuple((c["index"], c["id"], c["name"], c["arguments"]) for c in stream.tool_calls)
    expected = (stream.events - 1, stream.content, stream.reasoning_content, calls)
    reads = streams.reads(stream.body, READ_SIZES[read])
    payloads = [p.encode() for p in stream.payloads[:-1]]  # all but [DONE]
    return Workload(stream.name, read, [Body(stream.name, reads, payloads, expected)])


def corpus(streams: Any, folder: Path, read: str, *, plain: bool) -> Workload:
    """The chat.completions captures of ``expected.jsonl`` (``plain``: those without quirks)."""
    bodies = []
    for line in (folder / "expected.jsonl").read_text(encoding="utf-8").splitlines():
        want = json.loads(line)
        if plain and QUIRKS.intersection(n.split(":")[0] for n in want["notes"]):
            continue
        data = (folder / want["file"]).read_bytes()
        calls = tuple((c["index"], c["id"], c["name"], c["arguments"]) for c in want["tool_calls"])
        expected = (want["chunks"], want["content"] or "", want["reasoning_content"] or "", calls)
        reads = streams.reads(data, READ_SIZES[read])
        bodies.append(Body(want["file"], reads, _payloads(data), expected))
    return Workload("corpus-plain" if plain else "corpus", read, bodies)


def build_workloads(
    streams: Any,
    *,
    names: Iterable[str],
    reads: Iterable[str],
    n_events: int,
    corpus_dir: Optional[Path],
    say: Callable[[str], None],
    clock: str = "cpu",
) -> list[Workload]:
    """The workloads by name (generated streams, "corpus", "corpus-plain", the dialects') x
    read size, and the loopback ones (one event per read only). The dialects' captures are in
    ``dialects`` beside ``corpus_dir``."""
    from . import dialects

    names, reads = list(names), list(reads)
    out = []
    for name in names:
        if name in CLIENTS:
            out.append(loopback(streams, n_events, name))
            continue
        folder = corpus_dir
        if name in ("anthropic", "responses") and corpus_dir is not None:
            folder = corpus_dir.parent / "dialects"
        for read in reads:
            if name in STREAMS:
                out.append(generated(streams, name, read, n_events))
            elif read == "1B":
                continue  # 1-byte reads: the short generated chat streams only
            elif name in DIALECT_STREAMS:
                if not hasattr(streams, "DIALECT_GENERATORS"):  # an older --benches streams.py
                    say(f"skipping {name}: {streams.__file__} has no DIALECT_GENERATORS")
                    break
                out.append(dialects.generated(streams, name, read, n_events))
            elif folder is None or not (folder / "expected.jsonl").is_file():
                say(f"skipping {name}: no expected.jsonl in {folder} (set SSEJET_SHARED)")
                break
            elif name in DIALECT_WORKLOADS:
                out.append(dialects.corpus(streams, folder, name, read))
            else:
                out.append(corpus(streams, folder, read, plain=name == "corpus-plain"))
    for workload in out:
        if workload.suite not in ("httpx", "requests", "aiohttp"):
            workload.clock = clock
    return out
