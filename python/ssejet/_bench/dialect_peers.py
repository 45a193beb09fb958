"""The dialects' peers: the Anthropic and OpenAI SDKs' own parsing of the same bytes, a plain
httpx-sse + ``json.loads`` loop, and ssejet on both backends. Each iterates the events and
builds the final message as its users do (``dialects`` says what is checked):

- ssejet: ``EventDecoder.feed`` per read, or ``iter_events`` over the reads, into
  ``Accumulator`` (what ``accumulate`` runs);
- the SDK end to end: ``messages.create(stream=True)`` / ``responses.create(stream=True)`` over
  an in-memory transport replaying the reads (request building included, as on the chat
  workloads), into ``accumulate_event`` / ``ResponseStreamState``, what the SDKs' stream
  helpers run;
- the SDK's SSE decoder and ``construct_type`` per event, into the same accumulation: the
  parsing alone, without the client;
- the SDK's client after ``ssejet.accelerate(client)``: the same request, ssejet's events and
  ``Accumulator``;
- httpx-sse's framing and ``json.loads``, accumulated by hand (Anthropic) or taken from the
  terminal event's ``response`` (Responses), as a hand-written app does.
"""

from __future__ import annotations

import importlib
import json
import warnings
from collections.abc import Iterator
from functools import partial
from typing import Any, Callable

import ssejet

from .dialects import REFERENCES, anthropic_summary, responses_summary
from .peers import Peer, Run, Skip, feed_all, httpx_sse_framing, import_or_skip, require_backend
from .transports import URL, ReplayTransport
from .workloads import Body, Workload

REQUEST: dict[str, Any] = {
    "model": "bench",
    "max_tokens": 64,
    "messages": [{"role": "user", "content": "hi"}],
}


class ErrorEvent(Exception):
    """An ``error`` event, where the SDK's ``Stream`` raises its ``APIError``."""


def each_body(read: Callable[[Body], Any]) -> Callable[[Workload], Run]:
    """A pass that summarises each body with ``read``."""

    def make(workload: Workload) -> Run:
        bodies = workload.bodies
        return lambda: [read(body) for body in bodies]

    return make


def _final(dialect: str, result: Any, n: int) -> Any:
    if dialect == "anthropic":
        return anthropic_summary(n, result.content if result is not None else ())
    return responses_summary(n, (result.output or ()) if result is not None else ())


def ssejet_name(dialect: str, backend: str, how: str) -> str:
    name = "EventDecoder" if how == "feed" else "iter_events"
    return f"ssejet-{backend} {dialect} {name} + accumulate"


SDK_NAMES = {
    ("anthropic", "decoder"): "anthropic SSEDecoder + construct_type + accumulate_event",
    ("anthropic", "client"): "anthropic SDK create(stream=True) + accumulate_event",
    ("responses", "decoder"): "openai SSEDecoder + construct_type + ResponseStreamState",
    ("responses", "client"): "openai SDK create(stream=True) + ResponseStreamState",
}
ACCELERATED_NAME = "ssejet-{backend} accelerate({sdk} SDK) + accumulate"
PLAIN_NAMES = {
    "anthropic": "httpx-sse + json, accumulated by hand",
    "responses": "httpx-sse + json, final response event",
}


def ssejet_peer(dialect: str, backend: str, how: str) -> Peer:
    """ssejet's ``EventDecoder`` fed read by read (``how="feed"``) or ``iter_events``."""
    require_backend(backend)
    module = importlib.import_module(f"ssejet.{dialect}")

    def read(body: Body) -> Any:
        acc = module.Accumulator()
        add, n = acc.add, 0
        try:
            if how == "feed":
                events = feed_all(module.EventDecoder(backend=backend), body.reads)
            else:
                events = module.iter_events(body.reads, backend=backend)
            for event in events:
                add(event)
                n += 1
        except ssejet.StreamAPIError as error:  # an app stops there
            if how == "feed":  # iter_events yielded these before raising
                for event in error.events:
                    add(event)
                    n += 1
        return _final(dialect, acc.result(), n)

    return Peer(ssejet_name(dialect, backend, how), each_body(read), "ssejet")


def _sdk_http(sdk: str) -> Any:
    """The SDK's own http library: httpx2 (anthropic 2.x, openai 3.x), or httpx before."""
    base = importlib.import_module(f"{sdk}._base_client")
    return getattr(base, "httpx2", None) or base.httpx


def _sdk_import(sdk: str, version: str, names: Callable[[], Any]) -> Any:
    """What a peer needs from an SDK; an older SDK without it is a Skip, not an error."""
    try:
        return names()
    except (ImportError, AttributeError) as error:
        raise Skip(f"{sdk} is too old ({error}): pip install '{sdk}>={version}'") from None


def anthropic_sdk(how: str) -> Peer:
    """The anthropic SDK: its client end to end (``how="client"``), or its ``SSEDecoder`` and
    ``construct_type(RawMessageStreamEvent)`` per event; ``accumulate_event`` either way."""
    anthropic = import_or_skip("anthropic", "anthropic")

    def names() -> Any:
        from anthropic._models import construct_type
        from anthropic._streaming import SSEDecoder
        from anthropic.lib.streaming._messages import accumulate_event
        from anthropic.types import RawMessageStreamEvent

        return construct_type, SSEDecoder, accumulate_event, RawMessageStreamEvent

    construct_type, SSEDecoder, accumulate_event, RawMessageStreamEvent = _sdk_import(
        "anthropic", "0.40", names
    )

    def parsed(reads: list[bytes]) -> Iterator[Any]:
        for sse in SSEDecoder().iter_bytes(iter(reads)):
            if sse.event == "ping":
                continue
            if sse.event == "error":  # the SDK's Stream raises here
                raise ErrorEvent(sse.data)
            yield construct_type(type_=RawMessageStreamEvent, value=sse.json())

    if how == "client":
        http = _sdk_http("anthropic")
        transport = ReplayTransport(http)
        client = anthropic.Anthropic(
            api_key="bench",
            base_url=URL.rsplit("/v1", 1)[0],
            max_retries=0,
            http_client=http.Client(transport=transport.mock),
        )

    def read(body: Body) -> Any:
        snapshot, buffers, n = None, {}, 0  # type: ignore[var-annotated]
        if how == "client":
            transport.body = body
            events: Any = client.messages.create(stream=True, **REQUEST)
        else:
            events = parsed(body.reads)
        try:
            for event in events:
                n += 1
                snapshot = accumulate_event(
                    event=event, current_snapshot=snapshot, json_bufs=buffers
                )
        except (anthropic.APIError, ErrorEvent):  # an app stops there
            pass
        return _final("anthropic", snapshot, n)

    return Peer(SDK_NAMES["anthropic", how], each_body(read))


def openai_responses(how: str) -> Peer:
    """The openai SDK: ``responses.create(stream=True)`` end to end (``how="client"``), or its
    ``SSEDecoder`` and ``construct_type(ResponseStreamEvent)``; ``ResponseStreamState`` (what
    ``responses.stream()`` runs) either way, the final response from the terminal event."""
    openai = import_or_skip("openai", "openai")

    def names() -> Any:
        from openai._models import construct_type
        from openai._streaming import SSEDecoder
        from openai.lib.streaming.responses import ResponseStreamState
        from openai.types.responses import ResponseStreamEvent

        return construct_type, SSEDecoder, ResponseStreamState, ResponseStreamEvent, openai.omit

    construct_type, SSEDecoder, ResponseStreamState, ResponseStreamEvent, omit = _sdk_import(
        "openai", "1.100", names
    )

    terminal = {"response.completed", "response.failed", "response.incomplete"}

    def parsed(reads: list[bytes]) -> Iterator[Any]:
        for sse in SSEDecoder().iter_bytes(iter(reads)):
            if sse.data.startswith("[DONE]"):
                return
            data = sse.json()
            if data.get("error"):  # the SDK's Stream raises here
                raise ErrorEvent(sse.data)
            yield construct_type(type_=ResponseStreamEvent, value=data)

    if how == "client":
        http = _sdk_http("openai")
        transport = ReplayTransport(http)
        client = openai.OpenAI(
            api_key="bench",
            base_url=URL.rsplit("/chat", 1)[0],
            max_retries=0,
            http_client=http.Client(transport=transport.mock),
        )

    def read(body: Body) -> Any:
        state = ResponseStreamState(input_tools=omit, text_format=omit)
        handle, final, n = state.handle_event, None, 0
        if how == "client":
            transport.body = body
            events: Any = client.responses.create(model="bench", input="hi", stream=True)
        else:
            events = parsed(body.reads)
        # The SDK's to_dict() of some output items warns about its own union types.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            try:
                for event in events:
                    n += 1
                    for out in handle(event):
                        if out.type in terminal:
                            final = out.response
            except (openai.APIError, ErrorEvent):  # an app stops there
                pass
        return _final("responses", final, n)

    return Peer(SDK_NAMES["responses", how], each_body(read))


def accelerated(dialect: str, backend: str) -> Peer:
    """The SDK's client end to end as above, after ``ssejet.accelerate(client)``: its
    ``create(stream=True)`` yields ssejet's events, accumulated by ssejet's ``Accumulator``."""
    require_backend(backend)
    sdk = "anthropic" if dialect == "anthropic" else "openai"
    package = import_or_skip(sdk, sdk)
    module = importlib.import_module(f"ssejet.{dialect}")
    http = _sdk_http(sdk)
    transport = ReplayTransport(http)
    options = {
        "api_key": "bench",
        "max_retries": 0,
        "http_client": http.Client(transport=transport.mock),
    }
    if dialect == "anthropic":
        client = package.Anthropic(base_url=URL.rsplit("/v1", 1)[0], **options)
        create: Callable[[], Any] = partial(client.messages.create, stream=True, **REQUEST)
    else:
        client = package.OpenAI(base_url=URL.rsplit("/chat", 1)[0], **options)
        create = partial(client.responses.create, model="bench", input="hi", stream=True)
    try:
        ssejet.accelerate(client, backend=backend)
    except TypeError as error:  # an SDK version accelerate does not support
        raise Skip(str(error)) from None

    def read(body: Body) -> Any:
        transport.body = body
        acc = module.Accumulator()
        add, n = acc.add, 0
        try:
            for event in create():
                add(event)
                n += 1
        except ssejet.StreamAPIError:  # an app stops there
            pass
        return _final(dialect, acc.result(), n)

    return Peer(ACCELERATED_NAME.format(backend=backend, sdk=sdk), each_body(read), "ssejet")


def anthropic_plain() -> Peer:
    """httpx-sse and ``json.loads``, the message accumulated by hand."""
    events = httpx_sse_framing()
    loads = json.loads

    def read(body: Body) -> Any:
        blocks: dict[int, dict[str, Any]] = {}
        parts: dict[int, list[str]] = {}
        n = 0
        for sse in events(body.reads):
            event = loads(sse.data)
            kind = event["type"]
            if kind == "ping":
                continue
            if kind == "error":
                break
            n += 1
            if kind == "content_block_delta":
                delta, index = event["delta"], event["index"]
                what = delta["type"]
                if what == "text_delta":
                    parts[index].append(delta["text"])
                elif what == "input_json_delta":
                    parts[index].append(delta["partial_json"])
                elif what == "thinking_delta":
                    parts[index].append(delta["thinking"])
                elif what == "signature_delta":
                    blocks[index]["signature"] = delta["signature"]
            elif kind == "content_block_start":
                blocks[event["index"]], parts[event["index"]] = dict(event["content_block"]), []
            elif kind == "content_block_stop":
                _finish(blocks[event["index"]], parts[event["index"]], loads)
            elif kind == "message_stop":
                break
        for index, block in blocks.items():  # a block cut off by an error
            if block["type"] in ("text", "thinking"):
                _finish(block, parts[index], loads)
        return anthropic_summary(n, [blocks[i] for i in sorted(blocks)])

    return Peer(PLAIN_NAMES["anthropic"], each_body(read))


def _finish(block: dict[str, Any], parts: list[str], loads: Any) -> None:
    kind = block["type"]
    if kind in ("text", "thinking"):
        block[kind] = block.get(kind, "") + "".join(parts)
    elif parts and "input" in block:
        block["input"] = loads("".join(parts)) if "".join(parts) else {}
    parts.clear()


def responses_plain() -> Peer:
    """httpx-sse and ``json.loads``: the text deltas as they come, the final response from the
    terminal event's ``response``."""
    events = httpx_sse_framing()
    loads = json.loads
    terminal = {"response.completed", "response.failed", "response.incomplete"}

    def read(body: Body) -> Any:
        final, shown, n = None, [], 0
        for sse in events(body.reads):
            if sse.data == "[DONE]":
                break
            event = loads(sse.data)
            kind = event.get("type")
            if kind == "error" or event.get("error"):
                break
            n += 1
            if kind == "response.output_text.delta":
                shown.append(event["delta"])  # what the app prints as it comes
            elif kind in terminal:
                final = event["response"]
                break
        return responses_summary(n, final.get("output") or () if final else ())

    return Peer(PLAIN_NAMES["responses"], each_body(read))


def _dialect(dialect: str) -> list[tuple[str, Callable[[], Peer]]]:
    sdk = anthropic_sdk if dialect == "anthropic" else openai_responses
    plain = anthropic_plain if dialect == "anthropic" else responses_plain
    out: list[tuple[str, Callable[[], Peer]]] = [
        (ssejet_name(dialect, b, h), partial(ssejet_peer, dialect, b, h))
        for b in ("rust", "python")
        for h in ("feed", "iter")
    ]
    out.append((PLAIN_NAMES[dialect], plain))
    out += [(SDK_NAMES[dialect, how], partial(sdk, how)) for how in ("decoder", "client")]
    name = "anthropic" if dialect == "anthropic" else "openai"
    out += [
        (ACCELERATED_NAME.format(backend=b, sdk=name), partial(accelerated, dialect, b))
        for b in ("rust", "python")
    ]
    assert out[0][0] == REFERENCES[dialect]
    return out


FACTORIES: dict[str, list[tuple[str, Callable[[], Peer]]]] = {
    "anthropic": _dialect("anthropic"),
    "responses": _dialect("responses"),
}
