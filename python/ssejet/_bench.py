"""``ssejet bench``: ssejet against what applications run today, side by side, in one process.

Every peer consumes the same bytes and reads every chunk's ``delta.content``,
``reasoning_content`` and tool-call arguments as an application would (``_App``). Before it is
timed, each peer's output is checked against what the workload must give (the generator's
expected text, or ``expected.jsonl`` for the real captures); a peer that gets it wrong is
reported as such and never timed, so no row measures less work than the others.

Method notes (the machines here have 2 shared cores, and wall-clock numbers wander by 20% from
one minute to the next):

- The clock is the CPU time of the thread running the peers (``--clock cpu``, the default):
  every workload runs in memory on one thread, so on an idle machine it equals wall time, and
  on a shared one it leaves out the time the OS gave to other processes. Measured here under
  load, the spread of 9 samples fell from about 40% (wall) to about 5-10% (CPU).
  ``--clock wall`` times elapsed time instead. The loopback workload is always CPU time: the
  server's thread is not the client's cost.
- Round-robin: each repetition runs every peer once, the starting peer rotated, so a slow spell
  of the machine hits all peers alike; the figure is the median over repetitions, and the ratio
  column divides by ssejet-rust's median from the same run, never from another run.
- A sample is one peer running the workload ``loops`` times, ``loops`` calibrated so a sample
  lasts about ``--sample-ms``; the garbage collector is off during a sample (as in ``timeit``).
- Floors get the framing for free: a pre-split list of payloads, so they time JSON alone.
- Peers are imported lazily, each skipped with a message when its package is absent
  (``pip install --group bench``); importing ``ssejet`` never imports this module.

The streams come from ``ssejet._streams`` (shared with ``benches/``), the real captures from
``shared/corpus/real`` beside it (``$SSEJET_SHARED``), skipped when absent.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import gc
import importlib.util
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import takewhile
from pathlib import Path
from typing import Any, Callable, Optional

import ssejet

DONE = "[DONE]"
REFERENCE = "ssejet-rust ChunkDecoder"
LOOPBACK_REFERENCE = "httpx bare read (no parsing)"
READ_SIZES: dict[str, Optional[int]] = {"event": None, "64KiB": 64 * 1024, "1B": 1}
STREAMS = ("ark_content", "siliconflow_reasoning", "tool_call_fragments", "large_cjk")
WORKLOADS = (*STREAMS, "corpus", "corpus-plain", "loopback")
# expected.jsonl notes that need the provider normalizations of API.md: a plain OpenAI-style
# reading loop cannot get these files right, so the "corpus-plain" workload leaves them out.
QUIRKS = {
    "content_list",
    "reasoning_alias",
    "tool_call_index_missing",
    "error_event",
    "error_in_chunk",
}
URL = "http://bench.invalid/v1/chat/completions"
ROOT = Path(__file__).resolve().parents[2]

# (chunks, content, reasoning_content, ((index, id, name, arguments), ...)) for one body.
Summary = tuple[int, str, str, tuple[tuple[Any, ...], ...]]


class Skip(Exception):
    """A peer that cannot run here (its package is missing); the message says why."""


# --- what an application does with each chunk ---------------------------------------------------


class _App:
    """Reads every chunk as an application would and keeps what it read, for the check."""

    __slots__ = ("calls", "chunks", "content", "reasoning")

    def __init__(self) -> None:
        self.chunks = 0
        self.content: list[str] = []
        self.reasoning: list[str] = []
        self.calls: dict[Any, list[Any]] = {}

    def objects(self, chunks: Iterable[Any]) -> None:
        """ssejet chunks and msgspec structs: the attributes of API.md."""
        content, reasoning, n = self.content.append, self.reasoning.append, 0
        try:
            for chunk in chunks:
                n += 1
                choices = chunk.choices
                if choices:
                    delta = choices[0].delta
                    text = delta.content
                    if text:
                        content(text)
                    text = delta.reasoning_content
                    if text:
                        reasoning(text)
                    if delta.tool_calls:
                        self._calls(delta.tool_calls)
        finally:
            self.chunks += n

    def models(self, chunks: Iterable[Any]) -> None:
        """The SDKs' pydantic models: ``reasoning_content`` is an extra field, when present."""
        content, reasoning, n = self.content.append, self.reasoning.append, 0
        try:
            for chunk in chunks:
                n += 1
                choices = chunk.choices
                if choices:
                    delta = choices[0].delta
                    text = delta.content
                    if text:
                        content(text)
                    text = getattr(delta, "reasoning_content", None)
                    if text:
                        reasoning(text)
                    if delta.tool_calls:
                        self._calls(delta.tool_calls)
        finally:
            self.chunks += n

    def dicts(self, chunks: Iterable[dict[str, Any]]) -> None:
        """Plain dicts from ``json.loads``: ``.get`` where a key may be absent."""
        content, reasoning, n = self.content.append, self.reasoning.append, 0
        try:
            for chunk in chunks:
                n += 1
                choices = chunk.get("choices")
                if choices:
                    delta = choices[0]["delta"]
                    text = delta.get("content")
                    if text:
                        content(text)
                    text = delta.get("reasoning_content")
                    if text:
                        reasoning(text)
                    calls = delta.get("tool_calls")
                    if calls:
                        for call in calls:
                            function = call.get("function") or {}
                            self._call(
                                call.get("index"),
                                call.get("id"),
                                function.get("name"),
                                function.get("arguments"),
                            )
        finally:
            self.chunks += n

    def _calls(self, calls: Iterable[Any]) -> None:
        for call in calls:
            function = call.function
            if function is None:
                self._call(call.index, call.id, None, None)
            else:
                self._call(call.index, call.id, function.name, function.arguments)

    def _call(self, index: Any, ident: Any, name: Any, arguments: Any) -> None:
        entry = self.calls.get(index)
        if entry is None:
            entry = self.calls[index] = [ident or None, name or None, []]
        else:  # first non-empty id and name, as API.md accumulates them
            entry[0] = entry[0] or ident or None
            entry[1] = entry[1] or name or None
        if arguments:
            entry[2].append(arguments)

    def summary(self) -> Summary:
        try:
            content = "".join(self.content)
        except TypeError:  # Mistral's content parts, which a plain reader passes on as a list
            raise TypeError("delta.content is not a string but a list of parts") from None
        calls = tuple((i, e[0], e[1], "".join(e[2])) for i, e in sorted(self.calls.items()))
        return (self.chunks, content, "".join(self.reasoning), calls)


# --- workloads ---------------------------------------------------------------------------------


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
    ``reference``'s median (ssejet-rust's ChunkDecoder, or httpx's bare read on loopback)."""

    stream: str
    read: str
    bodies: list[Body]
    chunks: int = field(init=False)
    bytes: int = field(init=False)
    clock: str = "cpu"
    reference: str = REFERENCE

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
    """The stream generators shared with the benches: ``ssejet._streams``, or a
    ``streams.py`` in ``benches`` when given (to compare with modified generators)."""
    if benches is None:
        from . import _streams

        return _streams
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


def loopback(streams: Any, n_events: int) -> Workload:
    """Ark-shaped chunks streamed over loopback HTTP, one event per write, timed in CPU."""
    workload = from_stream(streams, streams.GENERATORS["ark_content"](n_events=n_events), "event")
    workload.stream, workload.reference = "loopback", LOOPBACK_REFERENCE
    return workload


def from_stream(streams: Any, stream: Any, read: str) -> Workload:
    """A workload of one ``ssejet._streams`` stream, cut into reads of the named size."""
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
    """The workloads by name (generated streams, "corpus", "corpus-plain") x read size, and
    "loopback" (one event per read only)."""
    names, reads = list(names), list(reads)
    out = []
    for name in names:
        if name == "loopback":
            out.append(loopback(streams, n_events))
            continue
        for read in reads:
            if name in STREAMS:
                out.append(generated(streams, name, read, n_events))
            elif read == "1B":
                continue  # 1-byte reads: the short generated streams only
            elif corpus_dir is None or not (corpus_dir / "expected.jsonl").is_file():
                say(f"skipping {name}: no expected.jsonl in {corpus_dir} (set SSEJET_SHARED)")
                break
            else:
                out.append(corpus(streams, corpus_dir, read, plain=name == "corpus-plain"))
    for workload in out:
        if workload.reference == REFERENCE:
            workload.clock = clock
    return out


# --- peers -------------------------------------------------------------------------------------

Run = Callable[[], list[Summary]]
Step = Callable[[Body, _App], None]


@dataclass
class Peer:
    """A way to decode a workload: ``make(workload)`` gives a function doing one whole pass."""

    name: str
    make: Callable[[Workload], Run]
    kind: str = "peer"  # "ssejet", "peer" or "floor"


def per_body(step: Step) -> Callable[[Workload], Run]:
    """A pass that runs ``step`` on each body with a fresh ``_App`` and returns the summaries."""

    def make(workload: Workload) -> Run:
        bodies = workload.bodies

        def run() -> list[Summary]:
            summaries = []
            for body in bodies:
                app = _App()
                step(body, app)
                summaries.append(app.summary())
            return summaries

        return run

    return make


def _need(module: str, package: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise Skip(f"{package} is not installed ({error}): pip install {package}") from None


def _require_backend(backend: str) -> None:
    if backend == "rust":
        from . import _backend

        if _backend._rust_module is None:
            raise Skip(f"the Rust extension is not built ({_backend._rust_error})")


class Loopback:
    """The embedded server (``ssejet._cli.server``) on 127.0.0.1, streaming the current body: one
    write, so one HTTP chunk, per read, flushed at once (TCP_NODELAY) as LLM servers do."""

    def __init__(self) -> None:
        from ._cli.server import Server

        self.body: Optional[Body] = None
        self.server = Server(self._route)
        self.url = self.server.url + "/v1/chat/completions"

    def _route(self, request: Any, writer: Any) -> None:
        assert self.body is not None
        for data in self.body.reads:
            writer.write(data)

    def close(self) -> None:
        self.server.close()


class _Transport:
    """A mock HTTP transport answering every request with the current body's reads, as a
    server flushing them one by one would (for httpx or openai's httpx2 fork)."""

    def __init__(self, httpx: Any) -> None:
        self.body: Optional[Body] = None
        transport = self

        class Reads(httpx.SyncByteStream):
            def __iter__(self) -> Iterator[bytes]:
                assert transport.body is not None
                return iter(transport.body.reads)

        headers = {"content-type": "text/event-stream"}
        self.mock = httpx.MockTransport(
            lambda _: httpx.Response(200, headers=headers, stream=Reads())
        )


def _http(httpx: Any, loop: Optional[Loopback]) -> tuple[Any, Any, str]:
    """(what holds the current body, an httpx client, the URL): mock transport or loopback."""
    if loop is not None:
        return loop, httpx.Client(), loop.url
    transport = _Transport(httpx)
    return transport, httpx.Client(transport=transport.mock), URL


def _fed(decoder: Any, reads: list[bytes]) -> Iterator[Any]:
    """What a sans-IO decoder gives for each read, then at the end of the stream.

    A generator, as an app's stream loop is; measured against calling the app's reader once
    per read, it spares ssejet about 0.15 µs per read (one event per read, Ark chunks)."""
    feed = decoder.feed
    for data in reads:
        yield from feed(data)
    yield from decoder.close()


def ssejet_chunk_decoder(backend: str) -> Peer:
    _require_backend(backend)
    from ._errors import StreamAPIError

    def step(body: Body, app: _App) -> None:
        try:
            app.objects(_fed(ssejet.ChunkDecoder(backend=backend), body.reads))
        except StreamAPIError as error:  # an app stops there, with the chunks before it
            app.objects(error.chunks)

    return Peer(f"ssejet-{backend} ChunkDecoder", per_body(step), "ssejet")


def ssejet_sse_decoder(backend: str) -> Peer:
    _require_backend(backend)
    import orjson

    loads = orjson.loads

    def step(body: Body, app: _App) -> None:
        events = _fed(ssejet.SSEDecoder(backend=backend), body.reads)
        app.dicts(map(loads, takewhile(_not_done, (event.data for event in events))))

    return Peer(f"ssejet-{backend} SSEDecoder + orjson", per_body(step), "ssejet")


def ssejet_iter_chunks(backend: str, loop: Optional[Loopback] = None) -> Peer:
    _require_backend(backend)
    httpx = _need("httpx", "httpx")
    try:
        from ._httpx import iter_chunks
    except ImportError as error:
        raise Skip(f"ssejet's httpx integration is not available yet ({error})") from None
    from ._errors import StreamAPIError

    transport, client, url = _http(httpx, loop)

    def step(body: Body, app: _App) -> None:
        transport.body = body
        with client.stream("POST", url, json={"stream": True}) as response:
            try:
                app.objects(iter_chunks(response, backend=backend))
            except StreamAPIError:
                return  # the chunks before it were yielded: an app stops there

    return Peer(f"ssejet-{backend} iter_chunks (httpx)", per_body(step), "ssejet")


def _not_done(payload: str) -> bool:
    return payload != DONE


def seeds_pattern(loads_name: str) -> Peer:
    """What the seeds write by hand: split lines, strip ``data:``, stop at [DONE], loads."""
    loads = json.loads if loads_name == "json" else _need("orjson", "orjson").loads

    def chunks(reads: list[bytes]) -> Iterator[Any]:
        decode = codecs.getincrementaldecoder("utf-8")().decode
        buffer = ""
        for data in reads:
            buffer += decode(data)
            *lines, buffer = buffer.split("\n")
            for line in lines:
                line = line.strip()
                if line.startswith("data:"):
                    payload = line[5:].strip()
                    if payload == DONE:
                        return
                    yield loads(payload)

    def step(body: Body, app: _App) -> None:
        app.dicts(chunks(body.reads))

    return Peer(f"seeds' pattern + {loads_name}", per_body(step))


def httpx_sse(loads_name: str) -> Peer:
    """httpx-sse's ``EventSource.iter_sse`` without the HTTP: httpx's incremental UTF-8
    decoding, httpx-sse's line decoder and ``SSEDecoder``, then ``loads`` per event."""
    _need("httpx_sse", "httpx-sse")
    from httpx_sse._decoders import SSEDecoder, SSELineDecoder

    loads = json.loads if loads_name == "json" else _need("orjson", "orjson").loads

    def events(reads: list[bytes]) -> Iterator[str]:
        text = codecs.getincrementaldecoder("utf-8")("replace").decode
        lines, decoder = SSELineDecoder(), SSEDecoder()
        for data in reads:
            piece = text(data)
            if piece:  # httpx's TextChunker drops empty text
                for line in lines.decode(piece):
                    sse = decoder.decode(line.rstrip("\n"))
                    if sse is not None:
                        yield sse.data
        for line in lines.flush():
            sse = decoder.decode(line.rstrip("\n"))
            if sse is not None:
                yield sse.data

    def step(body: Body, app: _App) -> None:
        app.dicts(map(loads, takewhile(_not_done, events(body.reads))))

    return Peer(f"httpx-sse + {loads_name}", per_body(step))


def httpx_sse_http(loop: Optional[Loopback] = None) -> Peer:
    """httpx-sse as documented: ``connect_sse`` on an httpx client, orjson per event."""
    httpx = _need("httpx", "httpx")
    connect_sse = _need("httpx_sse", "httpx-sse").connect_sse
    loads = _need("orjson", "orjson").loads
    transport, client, url = _http(httpx, loop)

    def step(body: Body, app: _App) -> None:
        transport.body = body
        with connect_sse(client, "POST", url, json={"stream": True}) as source:
            data = (sse.data for sse in source.iter_sse())
            app.dicts(map(loads, takewhile(_not_done, data)))

    return Peer("httpx-sse connect_sse + orjson (httpx)", per_body(step))


def openai_decoder() -> Peer:
    """openai-python's own SSE decoder, then ``ChatCompletionChunk.model_validate``."""
    _need("openai", "openai")
    from openai._streaming import SSEDecoder
    from openai.types.chat import ChatCompletionChunk

    validate = ChatCompletionChunk.model_validate

    def step(body: Body, app: _App) -> None:
        events = SSEDecoder().iter_bytes(iter(body.reads))
        live = takewhile(lambda sse: not sse.data.startswith(DONE), events)
        app.models(validate(sse.json()) for sse in live)

    return Peer("openai SSEDecoder + model_validate", per_body(step))


def _sdk(name: str, client: Any, transport: Any, errors: Any) -> Peer:
    messages = [{"role": "user", "content": "hi"}]

    def step(body: Body, app: _App) -> None:
        transport.body = body
        stream = client.chat.completions.create(model="bench", messages=messages, stream=True)
        # The SDK raises on an error payload, after the chunks before it: an app stops there.
        with contextlib.suppress(errors):
            app.models(stream)

    return Peer(name, per_body(step))


def openai_sdk(loop: Optional[Loopback] = None) -> Peer:
    """The openai client end to end over a mock transport (openai 3.x: its httpx2 fork)."""
    openai = _need("openai", "openai")
    try:
        httpx = importlib.import_module("httpx2")
    except ImportError:  # openai 1.x and 2.x use httpx itself
        httpx = _need("httpx", "httpx")
    transport, http_client, url = _http(httpx, loop)
    client = openai.OpenAI(
        api_key="bench", base_url=url.rsplit("/chat", 1)[0], http_client=http_client, max_retries=0
    )
    return _sdk("openai SDK create(stream=True)", client, transport, openai.APIError)


def ark_sdk(loop: Optional[Loopback] = None) -> Peer:
    """Volcano Engine's Ark client end to end over an httpx mock transport."""
    ark = _need("volcenginesdkarkruntime", "volcengine-python-sdk[ark]")
    httpx = _need("httpx", "httpx")
    from volcenginesdkarkruntime._exceptions import ArkAPIError

    transport, http_client, url = _http(httpx, loop)
    client = ark.Ark(
        api_key="bench", base_url=url.rsplit("/chat", 1)[0], http_client=http_client, max_retries=0
    )
    return _sdk("Ark SDK create(stream=True)", client, transport, ArkAPIError)


def httpx_bare_read(loop: Optional[Loopback] = None) -> Peer:
    """httpx reading the body with no parsing at all: what any HTTP client pays."""
    httpx = _need("httpx", "httpx")
    transport, client, url = _http(httpx, loop)

    def make(workload: Workload) -> Run:
        bodies = workload.bodies
        sizes = [sum(map(len, body.reads)) for body in bodies]

        def run() -> list[Summary]:
            out = []
            for body, size in zip(bodies, sizes):
                transport.body = body
                n = 0
                with client.stream("POST", url, json={"stream": True}) as response:
                    for data in response.iter_raw():
                        n += len(data)
                # It reads no chunk: it is right when it read every byte of the body.
                out.append(body.expected if n == size else (0, f"{n} bytes", "", ()))
            return out

        return run

    return Peer(LOOPBACK_REFERENCE, make, "floor")


def orjson_floor() -> Peer:
    loads = _need("orjson", "orjson").loads

    def step(body: Body, app: _App) -> None:
        app.dicts(map(loads, body.payloads))

    return Peer("floor: orjson.loads, framing free", per_body(step), "floor")


def msgspec_floor() -> Peer:
    """msgspec's typed decode into Structs shaped like the chunk classes, framing free."""
    msgspec = _need("msgspec", "msgspec")
    # defstruct, not class statements: the annotations must be objects, and this module's are
    # strings (``from __future__ import annotations``) naming locals msgspec cannot see.
    text, number, obj = Optional[str], Optional[int], Optional[dict[str, Any]]

    def struct(name: str, *fields: tuple[str, Any]) -> Any:
        return msgspec.defstruct(name, [(f, t, None) for f, t in fields])

    function = struct("Function", ("name", text), ("arguments", text))
    call = struct(
        "ToolCall",
        ("index", number),
        ("id", text),
        ("type", text),
        ("function", Optional[function]),
    )
    delta = struct(
        "Delta",
        ("role", text),
        ("content", text),
        ("reasoning_content", text),
        ("refusal", text),
        ("tool_calls", Optional[list[call]]),
    )
    choice = struct(
        "Choice", ("index", number), ("delta", delta), ("finish_reason", text), ("logprobs", obj)
    )
    usage = struct(
        "Usage",
        ("prompt_tokens", number),
        ("completion_tokens", number),
        ("total_tokens", number),
        ("prompt_tokens_details", obj),
        ("completion_tokens_details", obj),
    )
    chunk = struct(
        "Chunk",
        ("id", text),
        ("object", text),
        ("created", number),
        ("model", text),
        ("service_tier", text),
        ("system_fingerprint", text),
        ("choices", Optional[list[choice]]),
        ("usage", Optional[usage]),
    )
    decode = msgspec.json.Decoder(chunk).decode

    def step(body: Body, app: _App) -> None:
        app.objects(map(decode, body.payloads))

    return Peer("floor: msgspec typed, framing free", per_body(step), "floor")


FACTORIES: list[tuple[str, Callable[[], Peer]]] = [
    (REFERENCE, lambda: ssejet_chunk_decoder("rust")),
    ("ssejet-python ChunkDecoder", lambda: ssejet_chunk_decoder("python")),
    ("ssejet-rust iter_chunks (httpx)", lambda: ssejet_iter_chunks("rust")),
    ("ssejet-python iter_chunks (httpx)", lambda: ssejet_iter_chunks("python")),
    ("ssejet-rust SSEDecoder + orjson", lambda: ssejet_sse_decoder("rust")),
    ("ssejet-python SSEDecoder + orjson", lambda: ssejet_sse_decoder("python")),
    ("floor: msgspec typed, framing free", msgspec_floor),
    ("floor: orjson.loads, framing free", orjson_floor),
    ("seeds' pattern + json", lambda: seeds_pattern("json")),
    ("seeds' pattern + orjson", lambda: seeds_pattern("orjson")),
    ("httpx-sse + json", lambda: httpx_sse("json")),
    ("httpx-sse + orjson", lambda: httpx_sse("orjson")),
    ("httpx-sse connect_sse + orjson (httpx)", httpx_sse_http),
    ("openai SSEDecoder + model_validate", openai_decoder),
    ("openai SDK create(stream=True)", openai_sdk),
    ("Ark SDK create(stream=True)", ark_sdk),
]


# Over loopback HTTP, what the client thread spends in CPU, next to httpx's bare read.
LOOPBACK_FACTORIES: list[tuple[str, Callable[[Loopback], Peer]]] = [
    (LOOPBACK_REFERENCE, httpx_bare_read),
    ("ssejet-rust iter_chunks (httpx)", lambda loop: ssejet_iter_chunks("rust", loop)),
    ("ssejet-python iter_chunks (httpx)", lambda loop: ssejet_iter_chunks("python", loop)),
    ("httpx-sse connect_sse + orjson (httpx)", httpx_sse_http),
    ("openai SDK create(stream=True)", openai_sdk),
    ("Ark SDK create(stream=True)", ark_sdk),
]


def available_peers(
    selected: Optional[list[str]], say: Callable[[str], None], loop: Optional[Loopback] = None
) -> list[Peer]:
    """The peers whose name contains one of ``selected`` (all when None), skipping absent ones;
    with ``loop``, the loopback peers, streaming from that server."""
    peers = []
    factories = (
        FACTORIES if loop is None else [(n, partial(f, loop)) for n, f in LOOPBACK_FACTORIES]
    )
    for name, factory in factories:
        if selected and not any(s.lower() in name.lower() for s in selected):
            continue
        try:
            peers.append(factory())
        except Skip as skip:
            say(f"skipping {name}: {skip}")
    return peers


# --- measurement -------------------------------------------------------------------------------


@dataclass
class Result:
    """One peer on one workload: ``samples`` are seconds per pass, one per repetition."""

    peer: str
    kind: str
    status: str  # "ok", or "wrong" (its output was not the expected one: never timed)
    message: str = ""
    loops: int = 0
    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


def _first_difference(got: str, want: str) -> str:
    i = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
    return f"from character {i}: {got[i : i + 24]!r} instead of {want[i : i + 24]!r}"


def difference(got: Summary, want: Summary) -> Optional[str]:
    """What differs between a body's summary and the expected one (None: nothing)."""
    if got[0] != want[0]:
        return f"{got[0]} chunks instead of {want[0]}"
    for label, g, w in (("content", got[1], want[1]), ("reasoning_content", got[2], want[2])):
        if g != w:
            return f"{label} differs {_first_difference(g, w)}"
    if got[3] != want[3]:
        return f"tool calls {str(got[3])[:160]} instead of {str(want[3])[:160]}"
    return None


def check(peer: Peer, run: Run, workload: Workload) -> Optional[str]:
    """None when one pass gives every body's expected summary, else what went wrong."""
    try:
        got = run()
    except Exception as error:  # a peer that cannot read a body reads it wrongly
        return _failing_body(peer, workload, error)
    for body, summary in zip(workload.bodies, got):
        problem = difference(summary, body.expected)
        if problem:
            return f"{body.name}: {problem}" if len(workload.bodies) > 1 else problem
    return None


def _failing_body(peer: Peer, workload: Workload, error: Exception) -> str:
    """Which body made a pass raise ``error``, and the first line of what it raised."""
    where = ""
    if len(workload.bodies) > 1:
        for body in workload.bodies:
            try:
                peer.make(Workload(workload.stream, workload.read, [body]))()
            except Exception as first:
                where, error = f"{body.name}: ", first
                break
    message = (str(error).strip().splitlines() or [""])[0]
    if type(error).__name__ == "ValidationError":  # pydantic and msgspec: the line that says why
        message = " ".join(str(error).split())
    return f"{where}raised {type(error).__name__}: {message[:200]}"


def sample(run: Run, loops: int, clock: Callable[[], float] = time.perf_counter) -> float:
    """Seconds per pass over ``loops`` passes, with the collector off (as ``timeit`` does)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = clock()
        for _ in range(loops):
            run()
        return (clock() - start) / loops
    finally:
        if enabled:
            gc.enable()


def calibrate(run: Run, sample_s: float, clock: Callable[[], float] = time.perf_counter) -> int:
    """How many passes make a sample of about ``sample_s`` (doubling, as timeit.autorange)."""
    loops = 1
    while True:
        took = sample(run, loops, clock) * loops
        if took >= sample_s / 4 or loops >= 1024:
            return max(1, min(4096, round(sample_s * loops / max(took, 1e-9))))
        loops *= 2


class Progress:
    """Progress on stderr: one line rewritten in place on a terminal, a line per step else."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.width = 0

    def say(self, text: str) -> None:
        self.status("")
        print(f"ssejet bench: {text}", file=self.stream, flush=True)

    def status(self, text: str, *, log: bool = False) -> None:
        if self.tty:
            self.stream.write("\r" + text.ljust(self.width) + ("\n" if log else ""))
            self.width = 0 if log else len(text)
            self.stream.flush()
        elif log:
            print(text, file=self.stream, flush=True)


def measure(
    workload: Workload,
    peers: list[Peer],
    *,
    repeat: int,
    sample_s: float,
    progress: Progress,
    label: str = "",
) -> list[Result]:
    """Checks every peer, then times the good ones round-robin, ``repeat`` repetitions."""
    clock = time.thread_time if workload.clock == "cpu" else time.perf_counter
    results, runs = [], []
    for peer in peers:
        if peer.kind == "floor" and workload.read == "1B":
            continue  # the floors' input is pre-split: read sizes do not apply to them
        progress.status(f"{label}{workload.title}: checking {peer.name}")
        run = peer.make(workload)
        problem = check(peer, run, workload)
        if problem:
            results.append(Result(peer.name, peer.kind, "wrong", problem))
            continue
        loops = calibrate(run, sample_s, clock)
        results.append(Result(peer.name, peer.kind, "ok", loops=loops))
        runs.append((results[-1], run))
    started = time.perf_counter()
    for rep in range(repeat):
        progress.status(f"{label}{workload.title}: repetition {rep + 1}/{repeat}")
        shift = rep % max(len(runs), 1)  # rotate the order: no peer always runs first
        for result, run in runs[shift:] + runs[:shift]:
            result.samples.append(sample(run, result.loops, clock))
    progress.status(f"{label}{workload.title}: {time.perf_counter() - started:.1f} s", log=True)
    return results


# --- reporting ---------------------------------------------------------------------------------


def report(
    workloads: list[Workload],
    results: list[list[Result]],
    settings: dict[str, Any],
    skipped: list[str],
) -> dict[str, Any]:
    """Everything the run measured, as the ``--json`` document."""
    out = []
    for workload, rows in zip(workloads, results):
        ref = next((r.median for r in rows if r.peer == workload.reference and r.samples), None)
        entries = []
        for r in rows:
            entry: dict[str, Any] = {"peer": r.peer, "kind": r.kind, "status": r.status}
            if r.status == "ok" and r.samples:
                entry.update(
                    us_per_chunk=r.median / workload.chunks * 1e6,
                    mb_per_s=workload.bytes / r.median / 1e6,
                    ratio=r.median / ref if ref else None,
                    loops=r.loops,
                    seconds_per_pass=r.samples,
                )
            else:
                entry["message"] = r.message
            entries.append(entry)
        out.append(
            {
                "workload": workload.key,
                "stream": workload.stream,
                "read": workload.read,
                "files": len(workload.bodies),
                "chunks": workload.chunks,
                "bytes": workload.bytes,
                "clock": workload.clock,
                "reference": workload.reference,
                "results": entries,
            }
        )
    data = {"machine": machine(), "settings": settings, "skipped": skipped, "workloads": out}
    data["targets"] = targets(data)
    return data


def machine() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for package in (
        "ssejet",
        "orjson",
        "msgspec",
        "httpx",
        "httpx-sse",
        "openai",
        "httpx2",
        "pydantic",
        "volcengine-ark-runtime",
    ):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "ssejet_backend": ssejet.backend,
        "versions": versions,
    }


def _us(data: dict[str, Any], key: str, peer: str) -> Optional[float]:
    for workload in data["workloads"]:
        if workload["workload"] == key:
            for entry in workload["results"]:
                if entry["peer"] == peer and entry["status"] == "ok":
                    return entry["us_per_chunk"]
    return None


def targets(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The targets of issues 3 and 5 that this run measured (Ark-shaped chunks)."""
    rust_64k = _us(data, "ark_content/64KiB", REFERENCE)
    rust_event = _us(data, "ark_content/event", REFERENCE)
    checks = [
        ("ssejet-rust ChunkDecoder, 64 KiB reads, µs per chunk", rust_64k, "<=", 1.2),
        ("ssejet-rust ChunkDecoder, one event per read, µs per chunk", rust_event, "<=", 1.7),
    ]

    def ratio(key: str, a: str, b: str) -> Optional[float]:
        x, y = _us(data, key, a), _us(data, key, b)
        return x / y if x is not None and y else None

    for key, reads in (("ark_content/64KiB", "64 KiB reads"), ("ark_content/event", "event reads")):
        checks.append(
            (
                f"ssejet-rust / msgspec floor, {reads}",
                ratio(key, REFERENCE, "floor: msgspec typed, framing free"),
                "<=",
                0.5,
            )
        )
        checks.append(
            (
                f"ssejet-python ChunkDecoder / httpx-sse + orjson, {reads}",
                ratio(key, "ssejet-python ChunkDecoder", "httpx-sse + orjson"),
                "<=",
                1.0,
            )
        )
        checks.append(
            (
                f"openai SDK / ssejet-rust, {reads}",
                ratio(key, "openai SDK create(stream=True)", REFERENCE),
                ">=",
                200.0,
            )
        )
    checks.append(
        (
            "ssejet-rust iter_chunks / httpx bare read, loopback, CPU per event",
            ratio("loopback/event", "ssejet-rust iter_chunks (httpx)", LOOPBACK_REFERENCE),
            "<=",
            1.15,
        )
    )
    out = []
    for what, value, op, bound in checks:
        met = None if value is None else (value <= bound if op == "<=" else value >= bound)
        out.append({"target": what, "value": value, "op": op, "bound": bound, "met": met})
    return out


def _num(x: float) -> str:
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def table(data: dict[str, Any]) -> str:
    """The human-readable report: a table per workload, then the targets."""
    lines = []
    width = max((len(e["peer"]) for w in data["workloads"] for e in w["results"]), default=10)
    for w in data["workloads"]:
        files = f", {w['files']} files" if w["files"] > 1 else ""
        lines.append(
            f"{w['stream']} ({w['read']} reads{files}): {w['chunks']} chunks, "
            f"{w['bytes'] / 1e3:.1f} kB"
        )
        us = "CPU µs/chunk" if w["clock"] == "cpu" else "µs/chunk"
        ratio = "× ssejet-rust" if w["reference"] == REFERENCE else "× bare read"
        lines.append(f"  {'peer':<{width}}  {us:>12}  {'MB/s':>7}  {ratio:>13}")
        ok = sorted(
            (e for e in w["results"] if e["status"] == "ok"), key=lambda e: e["us_per_chunk"]
        )
        for e in ok:
            r = e["ratio"]
            lines.append(
                f"  {e['peer']:<{width}}  {_num(e['us_per_chunk']):>12}  "
                f"{_num(e['mb_per_s']):>7}  {_num(r) if r else '-':>13}"
            )
        for e in w["results"]:
            if e["status"] != "ok":
                lines.append(f"  {e['peer']:<{width}}  wrong output, not timed: {e['message']}")
        lines.append("")
    lines.append("Targets (issues 3 and 5, Ark-shaped chunks):")
    for t in data["targets"]:
        value = "not measured" if t["value"] is None else _num(t["value"])
        verdict = {True: "met", False: "MISSED", None: ""}[t["met"]]
        lines.append(f"  {t['target']}: {value} ({t['op']} {t['bound']:g}) {verdict}".rstrip())
    settings = data["settings"]
    m = data["machine"]
    lines.append("")
    clock = "CPU time of the reading thread" if settings["clock"] == "cpu" else "wall time"
    lines.append(
        f"Medians of {settings['repeat']} round-robin repetitions ({clock}); Python "
        f"{m['python']} on {m['platform']}, {m['cpus']} CPUs."
    )
    lines.append("Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v))
    lines += [f"Not run: {message.removeprefix('skipping ')}" for message in data["skipped"]]
    return "\n".join(lines)


def plot(data: dict[str, Any], path: Path) -> None:
    """A bar chart of µs per chunk (log scale), one panel per workload."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workloads = [w for w in data["workloads"] if any(e["status"] == "ok" for e in w["results"])]
    cols = 2 if len(workloads) > 1 else 1
    rows = (len(workloads) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(8 * cols, 0.32 * 17 * rows + 1), squeeze=False)
    colors = {"ssejet": "#d95f02", "floor": "#999999", "peer": "#1b9e77"}
    for ax, w in zip(axes.flat, workloads):
        ok = sorted(
            (e for e in w["results"] if e["status"] == "ok"), key=lambda e: -e["us_per_chunk"]
        )
        ax.barh(
            [e["peer"] for e in ok],
            [e["us_per_chunk"] for e in ok],
            color=[colors.get(e["kind"], "#1b9e77") for e in ok],
        )
        ax.set_xscale("log")
        ax.set_title(f"{w['stream']}, {w['read']} reads", fontsize=10)
        cpu = "CPU " if w["clock"] == "cpu" else ""
        ax.set_xlabel(f"{cpu}µs per chunk (log scale, lower is better)", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(workloads) :]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --- the command -------------------------------------------------------------------------------


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ssejet bench",
        description="Compares ssejet with the SSE and JSON parsers applications use today, on "
        "generated and real LLM streams: every peer is checked for correct output, then all are "
        "timed round-robin. Prints a table per workload (µs per chunk, MB/s, ratio to "
        "ssejet-rust's ChunkDecoder measured in the same run). Peers: pip install --group bench.",
    )
    add = parser.add_argument
    add(
        "--workloads",
        type=_csv,
        default=list(WORKLOADS),
        metavar="LIST",
        help=f"comma-separated: {', '.join(STREAMS)}, corpus (the 21 captures), corpus-plain "
        "(those without provider quirks), loopback (Ark-shaped chunks over a 127.0.0.1 HTTP "
        "server, client CPU time) (default: all)",
    )
    add(
        "--reads",
        type=_csv,
        default=list(READ_SIZES),
        metavar="LIST",
        help="comma-separated read sizes: event, 64KiB, 1B (default: all; 1B on the short "
        "generated streams only)",
    )
    add(
        "--peers",
        type=_csv,
        default=None,
        metavar="LIST",
        help="only the peers whose name contains one of these words (the reference "
        f"{REFERENCE!r} is always included)",
    )
    add(
        "--events",
        type=int,
        default=500,
        metavar="N",
        help="events per generated stream (large_cjk: N/5) (default: %(default)s)",
    )
    add(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="cpu: the CPU time of the thread running the peers, steady on a shared machine; "
        "wall: elapsed time (default: %(default)s; the loopback workload is always cpu)",
    )
    add(
        "--repeat",
        type=int,
        default=9,
        metavar="N",
        help="round-robin repetitions; the figures are medians (default: %(default)s)",
    )
    add(
        "--sample-ms",
        type=float,
        default=20.0,
        metavar="MS",
        help="about how long one peer's sample lasts (default: %(default)s)",
    )
    add("--json", action="store_true", help="print the results as JSON instead of tables")
    add("--plot", type=Path, metavar="FILE.png", help="also draw a bar chart (needs matplotlib)")
    add(
        "--benches",
        type=Path,
        metavar="DIR",
        help="a folder with a streams.py to use instead of ssejet._streams",
    )
    add(
        "--corpus",
        type=Path,
        metavar="DIR",
        default=None,
        help="the real captures with expected.jsonl (default: $SSEJET_SHARED/corpus/real)",
    )
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    """``ssejet bench``; returns the exit status (1 when an ssejet peer decoded wrongly)."""
    args = build_parser().parse_args(argv)
    progress = Progress()
    unknown = [w for w in args.workloads if w not in WORKLOADS]
    bad_reads = [r for r in args.reads if r not in READ_SIZES]
    if unknown or bad_reads:
        progress.say(f"unknown workload or read size: {', '.join(unknown + bad_reads)}")
        return 2
    if args.plot:
        try:
            importlib.import_module("matplotlib")
        except ImportError:
            progress.say("--plot needs matplotlib: pip install matplotlib (or --group bench)")
            return 2
    try:
        streams = load_streams(args.benches)
    except FileNotFoundError as error:
        progress.say(str(error))
        return 2
    skipped: list[str] = []

    def say(message: str) -> None:
        skipped.append(message)
        progress.say(message)

    selected = [*args.peers, REFERENCE, LOOPBACK_REFERENCE] if args.peers else None
    peers = available_peers(selected, say)
    workloads = build_workloads(
        streams,
        names=args.workloads,
        reads=args.reads,
        n_events=args.events,
        corpus_dir=args.corpus or default_corpus(),
        say=say,
        clock=args.clock,
    )
    loop = Loopback() if any(w.reference == LOOPBACK_REFERENCE for w in workloads) else None
    loop_peers = available_peers(selected, say, loop) if loop else []
    results = []
    for i, workload in enumerate(workloads, 1):
        rows = measure(
            workload,
            loop_peers if workload.reference == LOOPBACK_REFERENCE else peers,
            repeat=args.repeat,
            sample_s=args.sample_ms / 1e3,
            progress=progress,
            label=f"[{i}/{len(workloads)}] ",
        )
        results.append(rows)
    if loop is not None:
        loop.close()
    settings = {
        "clock": args.clock,
        "repeat": args.repeat,
        "events": args.events,
        "sample_ms": args.sample_ms,
        "workloads": args.workloads,
        "reads": args.reads,
        "peers": args.peers,
    }
    data = report(workloads, results, settings, skipped)
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else table(data))
    if args.plot:
        plot(data, args.plot)
        progress.say(f"chart written to {args.plot}")
    # Exit 1 only when a typed ssejet path (ChunkDecoder, iter_chunks) decoded wrongly: the
    # "SSEDecoder + orjson" loop reads plain dicts as apps do, without the provider
    # normalisations, so it fails on the corpus like the other peers, by design.
    wrong = [
        r
        for rows in results
        for r in rows
        if r.kind == "ssejet" and "+" not in r.peer and r.status != "ok"
    ]
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
