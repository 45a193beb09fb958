"""`ssejet.accelerate` for the named-event dialects: anthropic's `messages.create(stream=True)`
and openai's `responses.create(stream=True)` against a real loopback server replaying every
capture of `shared/corpus/dialects/`, compared with the same SDK unaccelerated.

Every test runs on both backends, sync and async: the same events (type, payload, the SDK
model's `model_dump()`), the same accumulated result as `expected.jsonl` says, the SDK's own
exception types for HTTP errors, and `StreamAPIError` (also the SDK's `APIError`) for an error
event.
"""

from __future__ import annotations

import asyncio
import gc
import json
import ssl
from pathlib import Path
from typing import Any, Callable

import pytest

import ssejet
from ssejet._cli.server import Request, Server, Writer

anthropic = pytest.importorskip("anthropic", reason="pip install --group sdk")
openai = pytest.importorskip("openai", reason="pip install --group sdk")
import ssejet.anthropic  # noqa: E402
import ssejet.responses  # noqa: E402

TLS = ssl.create_default_context()
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dialects"
EXPECTED = {
    line["file"]: line
    for line in map(json.loads, (CORPUS / "expected.jsonl").read_text().splitlines())
}
MESSAGES = [{"role": "user", "content": "hi"}]


def captures(dialect: str) -> list[str]:
    return sorted(name for name, line in EXPECTED.items() if line["dialect"] == dialect)


@pytest.fixture(scope="module")
def server() -> Any:
    routes: dict[str, Callable[[Request, Writer], None]] = {}

    def dispatch(request: Request, writer: Writer) -> None:
        routes[request.path.strip("/").split("/")[0]](request, writer)

    with Server(dispatch) as running:
        running.routes = routes  # type: ignore[attr-defined]
        yield running


def serve(server: Any, name: str, status: int = 200, body: bytes | None = None) -> str:
    """The base URL under which `server` answers with the capture `name` (or `body`)."""
    data = (CORPUS / name).read_bytes() if body is None else body
    content_type = "text/event-stream" if status == 200 else "application/json"

    def route(request: Request, writer: Writer) -> None:
        writer.start(status, [("Content-Type", content_type)])
        for start in range(0, len(data), 61):  # pieces cut anywhere
            writer.write(data[start : start + 61])

    key = f"r{len(server.routes)}"
    server.routes[key] = route
    return f"{server.url}/{key}"


def client(dialect: str, url: str, *, sync: bool, accelerated: str | None) -> Any:
    """An SDK client on `url`; accelerated with that backend unless `accelerated` is None."""
    if dialect == "anthropic":
        kind = anthropic.Anthropic if sync else anthropic.AsyncAnthropic
    else:
        kind = openai.OpenAI if sync else openai.AsyncOpenAI
        url += "/v1"
    made = kind(api_key="test", base_url=url, max_retries=0)
    return made if accelerated is None else ssejet.accelerate(made, backend=accelerated)


def create(dialect: str, made: Any) -> Any:
    if dialect == "anthropic":
        return made.messages.create(model="m", max_tokens=64, messages=MESSAGES, stream=True)
    return made.responses.create(model="m", input="hi", stream=True)


def run(dialect: str, url: str, mode: str, accelerated: str | None) -> tuple[list, Any, Any]:
    """(events, the exception that ended the stream or None, the stream)."""
    if mode == "sync":
        events: list[Any] = []
        stream = None
        try:
            stream = create(dialect, client(dialect, url, sync=True, accelerated=accelerated))
            events.extend(stream)
        except Exception as error:
            return events, error, stream
        return events, None, stream

    async def main() -> tuple[list, Any, Any]:
        made = client(dialect, url, sync=False, accelerated=accelerated)
        events: list[Any] = []
        stream = None
        try:
            stream = await create(dialect, made)
            async for event in stream:
                events.append(event)
        except Exception as error:
            return events, error, stream
        finally:
            await made.close()
        return events, None, stream

    return asyncio.run(main())


PAIRS = [(dialect, name) for dialect in ("anthropic", "responses") for name in captures(dialect)]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("dialect", "name"), PAIRS)
def test_every_capture_streams_the_sdks_events_and_accumulates(
    server: Any, dialect: str, name: str, mode: str, backend: str
) -> None:
    url = serve(server, name)
    plain, plain_error, _ = run(dialect, url, mode, None)
    events, error, stream = run(dialect, url, mode, backend)
    assert stream.response.is_closed
    module = ssejet.anthropic if dialect == "anthropic" else ssejet.responses
    assert all(isinstance(event, object) and hasattr(event, "type") for event in events)
    # The SDK skips Anthropic's pings; so does ssejet.
    assert [e.type for e in events] == [e.type for e in plain]
    assert [e.model_dump() for e in events] == [e.model_dump() for e in plain]
    assert [e.model_dump_json() for e in events] == [e.model_dump_json() for e in plain]
    expected = EXPECTED[name]
    if error is not None:
        assert isinstance(error, ssejet.StreamAPIError) and isinstance(plain_error, Exception)
        sdk_error = anthropic.APIError if dialect == "anthropic" else openai.APIError
        assert isinstance(error, sdk_error)
        assert error.type == expected["error"]["type"]
        return
    assert plain_error is None
    result = module.accumulate(events)
    if dialect == "anthropic":
        assert result.stop_reason == expected["stop_reason"]
    else:
        assert result.status == expected["stop_reason"]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("dialect", ["anthropic", "responses"])
def test_http_errors_raise_the_sdks_own_exceptions(
    server: Any, dialect: str, mode: str, backend: str
) -> None:
    body = b'{"type":"error","error":{"type":"authentication_error","message":"bad key"}}'
    url = serve(server, "", status=401, body=body)
    events, error, _ = run(dialect, url, mode, backend)
    sdk = anthropic if dialect == "anthropic" else openai
    assert events == [] and isinstance(error, sdk.AuthenticationError)


@pytest.mark.parametrize("dialect", ["anthropic", "responses"])
def test_the_stream_helpers_are_left_to_the_sdk(server: Any, dialect: str, backend: str) -> None:
    name = captures(dialect)[0]
    url = serve(server, name)
    made = client(dialect, url, sync=True, accelerated=backend)
    if dialect == "anthropic":
        with made.messages.stream(model="m", max_tokens=64, messages=MESSAGES) as stream:
            final = stream.get_final_message()
        assert type(final).__module__.startswith("anthropic.")
    else:
        with made.responses.stream(model="m", input="hi") as stream:
            final = stream.get_final_response()
        assert type(final).__module__.startswith("openai.")
        # A resource made before accelerate(), and a with_options() copy's, are left too.
        early = client(dialect, url, sync=True, accelerated=None)
        assert early.responses is not None
        ssejet.accelerate(early, backend=backend)
        for one in (early, early.with_options(timeout=5)):
            with one.responses.stream(model="m", input="hi") as stream:
                assert stream.get_final_response().status == EXPECTED[name]["stop_reason"]
            # while responses.create(stream=True) itself is still ssejet's
            events = list(one.responses.create(model="m", input="hi", stream=True))
            assert events and not type(events[0]).__module__.startswith("openai")


@pytest.mark.parametrize("dialect", ["anthropic", "responses"])
def test_a_stream_keeps_its_client_alive(server: Any, dialect: str, backend: str) -> None:
    # `for event in accelerate(Client()).create(stream=True)`: the client is referenced by
    # nothing but the stream; were it collected, its pool would close the socket being read.
    name = captures(dialect)[0]
    stream = create(dialect, client(dialect, serve(server, name), sync=True, accelerated=backend))
    iterator = iter(stream)
    first = next(iterator)
    gc.collect()
    rest = list(iterator)
    assert 1 + len(rest) == EXPECTED[name]["events"] - (dialect == "anthropic") * sum(
        1 for line in (CORPUS / name).read_text().splitlines() if line == "event: ping"
    )
    assert first.type == rest[0].type or first.type
