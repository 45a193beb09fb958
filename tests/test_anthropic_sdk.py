"""ssejet.anthropic.accumulate equals the anthropic SDK's own accumulation on every capture,
served from a loopback server: ``client.messages.stream(...).get_final_message()`` and the
raw ``messages.create(stream=True)`` events fed to the SDK's ``accumulate_event``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from test_anthropic_corpus import CAPTURES, DIALECTS, needs_corpus

import ssejet.anthropic as A
from ssejet import StreamAPIError
from ssejet._cli.server import Request, Server, Writer

anthropic = pytest.importorskip("anthropic")
jiter = pytest.importorskip("jiter")
from anthropic.lib.streaming._messages import accumulate_event  # noqa: E402

# The SDK parses a tool's input on every fragment (jiter, partial mode); ssejet parses it once,
# at content_block_stop, and keeps the raw text of an input that never completed.
UNFINISHED_INPUT = "anthropic-3-7-sonnet-max-tokens-mid-tool-input.sse"
REQUEST: dict[str, Any] = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 64,
    "messages": [{"role": "user", "content": "hi"}],
}


def route_for(data: bytes, size: int) -> Any:
    def route(request: Request, writer: Writer) -> None:
        writer.start(200, [("Content-Type", "text/event-stream")])
        for i in range(0, len(data), size):
            writer.write(data[i : i + size])
        writer.end()

    return route


def ours(server: Server, backend: str) -> tuple[dict[str, Any], Exception | None]:
    acc = A.Accumulator()
    error = None
    with httpx.Client() as client, client.stream("POST", f"{server.url}/v1/messages") as response:
        try:
            for event in A.iter_events(response, backend=backend):
                acc.add(event)
        except StreamAPIError as raised:
            error = raised
    return acc.result().to_dict(), error


def sdk_helper(server: Server) -> tuple[dict[str, Any], Exception | None]:
    client = anthropic.Anthropic(base_url=server.url, api_key="test", max_retries=0)
    with client.messages.stream(**REQUEST) as stream:
        try:
            return stream.get_final_message().to_dict(mode="json"), None
        except anthropic.APIError as error:
            return stream.current_message_snapshot.to_dict(mode="json"), error


def sdk_raw(server: Server) -> tuple[dict[str, Any], Exception | None]:
    client = anthropic.Anthropic(base_url=server.url, api_key="test", max_retries=0)
    snapshot = None
    buffers: dict[int, bytes] = {}
    error = None
    try:
        for event in client.messages.create(stream=True, **REQUEST):
            snapshot = accumulate_event(event=event, current_snapshot=snapshot, json_bufs=buffers)
    except anthropic.APIError as raised:
        error = raised
    assert snapshot is not None
    return snapshot.to_dict(mode="json"), error


def reconcile(name: str, sdk: dict[str, Any], mine: dict[str, Any]) -> None:
    """Where the rules differ on purpose, check that ssejet's value says the same thing."""
    if name != UNFINISHED_INPUT:
        return
    for theirs, block in zip(sdk["content"], mine["content"]):
        if block.get("type") == "tool_use" and block.get("input") is None:
            raw = block.pop("partial_json")
            assert jiter.from_json(raw.encode(), partial_mode=True) == theirs["input"]
            block["input"] = theirs["input"]


@needs_corpus
@pytest.mark.parametrize("name", CAPTURES)
@pytest.mark.parametrize("path", ["helper", "raw"])
def test_accumulate_equals_the_sdks_final_message(backend, name, path):
    data = (DIALECTS / name).read_bytes()
    with Server(route_for(data, 997)) as server:
        sdk, sdk_error = (sdk_helper if path == "helper" else sdk_raw)(server)
        mine, error = ours(server, backend)
    reconcile(name, sdk, mine)
    assert mine == sdk
    assert (error is None) == (sdk_error is None)
    if error is not None:
        assert isinstance(error, StreamAPIError)
        assert error.body == sdk_error.body  # type: ignore[union-attr]
        assert error.message in str(sdk_error)


@needs_corpus
def test_the_sdk_and_ssejet_yield_the_same_events(backend):
    name = "anthropic-sonnet-4-web-search-citations.sse"
    data = (DIALECTS / name).read_bytes()
    with Server(route_for(data, 61)) as server:
        client = anthropic.Anthropic(base_url=server.url, api_key="test", max_retries=0)
        sdk_events = [
            e.to_dict(mode="json") for e in client.messages.create(stream=True, **REQUEST)
        ]
        with httpx.Client() as http, http.stream("POST", f"{server.url}/v1/messages") as response:
            mine = [e.to_dict() for e in A.iter_events(response, backend=backend)]
    assert mine == sdk_events


# --- iter_events / aiter_events over every layer 4 source, from the same loopback server ------

CAPTURE = "anthropic-sonnet-4-text-tool-use.sse"


def _served(size: int = 13) -> Any:
    path = DIALECTS / CAPTURE
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return Server(route_for(path.read_bytes(), size))


def _check(events: list[Any]) -> None:
    message = A.accumulate(events)
    assert events[-1].type == "message_stop"
    assert message.content[1].input == {"location": "Paris"}


def test_iter_events_reads_requests_and_httpx_responses(backend):
    requests = pytest.importorskip("requests")
    with _served() as server:
        url = f"{server.url}/v1/messages"
        with requests.post(url, stream=True, timeout=5) as response:
            _check(list(A.iter_events(response, backend=backend)))
        with httpx.Client() as client, client.stream("POST", url) as response:
            _check(list(A.iter_events(response, backend=backend)))


def test_aiter_events_reads_aiohttp_and_httpx_responses(backend):
    import asyncio

    aiohttp = pytest.importorskip("aiohttp")

    async def main(url: str) -> None:
        async with aiohttp.ClientSession() as session, session.post(url) as response:
            _check([event async for event in A.aiter_events(response, backend=backend)])
        async with httpx.AsyncClient() as client, client.stream("POST", url) as response:
            _check([event async for event in A.aiter_events(response, backend=backend)])

    with _served() as server:
        asyncio.run(main(f"{server.url}/v1/messages"))


def test_iter_events_raises_the_status_error_of_a_failed_request(backend):
    from ssejet import APIStatusError

    def route(request: Request, writer: Writer) -> None:
        body = b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'
        writer.start(529, [("Content-Type", "application/json")])
        writer.write(body)
        writer.end()

    with Server(route) as server, httpx.Client() as client:
        url = f"{server.url}/v1/messages"
        with client.stream("POST", url) as response, pytest.raises(APIStatusError) as info:
            list(A.iter_events(response, backend=backend))
    assert info.value.status_code == 529
    assert info.value.body["error"]["type"] == "overloaded_error"
