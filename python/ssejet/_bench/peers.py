"""The peers: every way of reading a stream that the bench times, ssejet's own and what
applications run today (httpx-sse, the openai and Ark SDKs, hand-written loops), each feeding a
fresh :class:`.consumer.ChatApp` per body.

Floors get the framing for free: a pre-split list of payloads, so they time JSON alone. Peers
are imported lazily, each skipped with a message when its package is absent (``pip install
--group bench``).
"""

from __future__ import annotations

import codecs
import contextlib
import importlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from itertools import takewhile
from typing import Any, Callable, Optional

import ssejet

from .consumer import ChatApp, Summary
from .transports import Loopback, serve_bodies
from .workloads import DONE, LOOPBACK_REFERENCE, REFERENCE, Body, Workload


class Skip(Exception):
    """A peer that cannot run here (its package is missing); the message says why."""


Run = Callable[[], list[Summary]]
Step = Callable[[Body, ChatApp], None]


@dataclass
class Peer:
    """A way to decode a workload: ``make(workload)`` gives a function doing one whole pass."""

    name: str
    make: Callable[[Workload], Run]
    kind: str = "peer"  # "ssejet", "peer" or "floor"
    close: Optional[Callable[[], None]] = None  # what to release after the run (a session)


def per_body(step: Step) -> Callable[[Workload], Run]:
    """A pass that runs ``step`` on each body with a fresh ``ChatApp`` and returns the summaries."""

    def make(workload: Workload) -> Run:
        bodies = workload.bodies

        def run() -> list[Summary]:
            summaries = []
            for body in bodies:
                app = ChatApp()
                step(body, app)
                summaries.append(app.summary())
            return summaries

        return run

    return make


def import_or_skip(module: str, package: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise Skip(f"{package} is not installed ({error}): pip install {package}") from None


def require_backend(backend: str) -> None:
    if backend == "rust":
        from .. import _backend

        if _backend._rust_module is None:
            raise Skip(f"the Rust extension is not built ({_backend._rust_error})")


def feed_all(decoder: Any, reads: list[bytes]) -> Iterator[Any]:
    """What a sans-IO decoder gives for each read, then at the end of the stream.

    A generator, as an app's stream loop is; measured against calling the app's reader once
    per read, it spares ssejet about 0.15 µs per read (one event per read, Ark chunks)."""
    feed = decoder.feed
    for data in reads:
        yield from feed(data)
    yield from decoder.close()


def ssejet_chunk_decoder(backend: str) -> Peer:
    require_backend(backend)

    def step(body: Body, app: ChatApp) -> None:
        try:
            app.read_objects(feed_all(ssejet.ChunkDecoder(backend=backend), body.reads))
        except ssejet.StreamAPIError as error:  # an app stops there, with the chunks before it
            app.read_objects(error.chunks)

    return Peer(f"ssejet-{backend} ChunkDecoder", per_body(step), "ssejet")


def ssejet_sse_decoder(backend: str) -> Peer:
    require_backend(backend)
    import orjson

    loads = orjson.loads

    def step(body: Body, app: ChatApp) -> None:
        events = feed_all(ssejet.SSEDecoder(backend=backend), body.reads)
        app.read_dicts(map(loads, takewhile(_not_done, (event.data for event in events))))

    return Peer(f"ssejet-{backend} SSEDecoder + orjson", per_body(step), "ssejet")


def ssejet_iter_chunks(backend: str, loop: Optional[Loopback] = None) -> Peer:
    require_backend(backend)
    httpx = import_or_skip("httpx", "httpx")
    try:
        from .. import iter_chunks
    except ImportError as error:
        raise Skip(f"ssejet's httpx integration is not available yet ({error})") from None

    transport, client, url = serve_bodies(httpx, loop)

    def step(body: Body, app: ChatApp) -> None:
        transport.body = body
        with client.stream("POST", url, json={"stream": True}) as response:
            try:
                app.read_objects(iter_chunks(response, backend=backend))
            except ssejet.StreamAPIError:
                return  # the chunks before it were yielded: an app stops there

    return Peer(f"ssejet-{backend} iter_chunks (httpx)", per_body(step), "ssejet")


def _not_done(payload: str) -> bool:
    return payload != DONE


def seeds_pattern(loads_name: str) -> Peer:
    """What the seeds write by hand: split lines, strip ``data:``, stop at [DONE], loads."""
    loads = json.loads if loads_name == "json" else import_or_skip("orjson", "orjson").loads

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

    def step(body: Body, app: ChatApp) -> None:
        app.read_dicts(chunks(body.reads))

    return Peer(f"seeds' pattern + {loads_name}", per_body(step))


def httpx_sse_framing() -> Callable[[list[bytes]], Iterator[Any]]:
    """httpx-sse's ``EventSource.iter_sse`` without the HTTP: httpx's incremental UTF-8
    decoding, httpx-sse's line decoder and ``SSEDecoder``; gives the events of some reads."""
    import_or_skip("httpx_sse", "httpx-sse")
    from httpx_sse._decoders import SSEDecoder, SSELineDecoder

    def events(reads: list[bytes]) -> Iterator[Any]:
        text = codecs.getincrementaldecoder("utf-8")("replace").decode
        lines, decoder = SSELineDecoder(), SSEDecoder()
        for data in reads:
            piece = text(data)
            if piece:  # httpx's TextChunker drops empty text
                for line in lines.decode(piece):
                    sse = decoder.decode(line.rstrip("\n"))
                    if sse is not None:
                        yield sse
        for line in lines.flush():
            sse = decoder.decode(line.rstrip("\n"))
            if sse is not None:
                yield sse

    return events


def httpx_sse(loads_name: str) -> Peer:
    """httpx-sse's framing (:func:`httpx_sse_framing`), then ``loads`` per event."""
    events = httpx_sse_framing()
    loads = json.loads if loads_name == "json" else import_or_skip("orjson", "orjson").loads

    def step(body: Body, app: ChatApp) -> None:
        data = (sse.data for sse in events(body.reads))
        app.read_dicts(map(loads, takewhile(_not_done, data)))

    return Peer(f"httpx-sse + {loads_name}", per_body(step))


def httpx_sse_http(loop: Optional[Loopback] = None) -> Peer:
    """httpx-sse as documented: ``connect_sse`` on an httpx client, orjson per event."""
    httpx = import_or_skip("httpx", "httpx")
    connect_sse = import_or_skip("httpx_sse", "httpx-sse").connect_sse
    loads = import_or_skip("orjson", "orjson").loads
    transport, client, url = serve_bodies(httpx, loop)

    def step(body: Body, app: ChatApp) -> None:
        transport.body = body
        with connect_sse(client, "POST", url, json={"stream": True}) as source:
            data = (sse.data for sse in source.iter_sse())
            app.read_dicts(map(loads, takewhile(_not_done, data)))

    return Peer("httpx-sse connect_sse + orjson (httpx)", per_body(step))


def openai_decoder() -> Peer:
    """openai-python's own SSE decoder, then ``ChatCompletionChunk.model_validate``."""
    import_or_skip("openai", "openai")
    from openai._streaming import SSEDecoder
    from openai.types.chat import ChatCompletionChunk

    validate = ChatCompletionChunk.model_validate

    def step(body: Body, app: ChatApp) -> None:
        events = SSEDecoder().iter_bytes(iter(body.reads))
        live = takewhile(lambda sse: not sse.data.startswith(DONE), events)
        app.read_models(validate(sse.json()) for sse in live)

    return Peer("openai SSEDecoder + model_validate", per_body(step))


def _sdk_peer(name: str, client: Any, transport: Any, errors: Any) -> Peer:
    messages = [{"role": "user", "content": "hi"}]

    def step(body: Body, app: ChatApp) -> None:
        transport.body = body
        stream = client.chat.completions.create(model="bench", messages=messages, stream=True)
        # The SDK raises on an error payload, after the chunks before it: an app stops there.
        with contextlib.suppress(errors):
            app.read_models(stream)

    return Peer(name, per_body(step))


def openai_sdk(loop: Optional[Loopback] = None) -> Peer:
    """The openai client end to end over a mock transport (openai 3.x: its httpx2 fork)."""
    openai = import_or_skip("openai", "openai")
    try:
        httpx = importlib.import_module("httpx2")
    except ImportError:  # openai 1.x and 2.x use httpx itself
        httpx = import_or_skip("httpx", "httpx")
    transport, http_client, url = serve_bodies(httpx, loop)
    client = openai.OpenAI(
        api_key="bench", base_url=url.rsplit("/chat", 1)[0], http_client=http_client, max_retries=0
    )
    return _sdk_peer("openai SDK create(stream=True)", client, transport, openai.APIError)


def ark_sdk(loop: Optional[Loopback] = None) -> Peer:
    """Volcano Engine's Ark client end to end over an httpx mock transport."""
    ark = import_or_skip("volcenginesdkarkruntime", "volcengine-python-sdk[ark]")
    httpx = import_or_skip("httpx", "httpx")
    from volcenginesdkarkruntime._exceptions import ArkAPIError

    transport, http_client, url = serve_bodies(httpx, loop)
    client = ark.Ark(
        api_key="bench", base_url=url.rsplit("/chat", 1)[0], http_client=http_client, max_retries=0
    )
    return _sdk_peer("Ark SDK create(stream=True)", client, transport, ArkAPIError)


def httpx_bare_read(loop: Optional[Loopback] = None) -> Peer:
    """httpx reading the body with no parsing at all: what any HTTP client pays."""
    httpx = import_or_skip("httpx", "httpx")
    transport, client, url = serve_bodies(httpx, loop)

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
    loads = import_or_skip("orjson", "orjson").loads

    def step(body: Body, app: ChatApp) -> None:
        app.read_dicts(map(loads, body.payloads))

    return Peer("floor: orjson.loads, framing free", per_body(step), "floor")


def msgspec_floor() -> Peer:
    """msgspec's typed decode into Structs shaped like the chunk classes, framing free."""
    msgspec = import_or_skip("msgspec", "msgspec")
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

    def step(body: Body, app: ChatApp) -> None:
        app.read_objects(map(decode, body.payloads))

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


def factories(suite: str, loop: Optional[Loopback]) -> list[tuple[str, Callable[[], Peer]]]:
    """The peers of a suite (``Workload.suite``), as (name, factory)."""
    if suite == "chat":
        return FACTORIES
    from . import clients, dialect_peers

    if suite in dialect_peers.FACTORIES:
        return dialect_peers.FACTORIES[suite]
    assert loop is not None, f"the {suite} peers stream from the loopback server"
    loop_factories = clients.FACTORIES[suite]
    if suite == "httpx":
        loop_factories = LOOPBACK_FACTORIES + loop_factories
    return [(n, partial(f, loop)) for n, f in loop_factories]


def available_peers(
    selected: Optional[list[str]],
    say: Callable[[str], None],
    loop: Optional[Loopback] = None,
    suite: Optional[str] = None,
) -> list[Peer]:
    """The peers of ``suite`` (default: "chat", or "httpx" with ``loop``, the loopback server
    the client suites stream from) whose name contains one of ``selected`` (all when None),
    skipping absent ones with a message."""
    peers = []
    for name, factory in factories(suite or ("chat" if loop is None else "httpx"), loop):
        if selected and not any(s.lower() in name.lower() for s in selected):
            continue
        try:
            peers.append(factory())
        except Skip as skip:
            say(f"skipping {name}: {skip}")
    return peers
