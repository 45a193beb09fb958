"""ssejet.accelerate on the SDKs' real clients (openai, Volcano Engine Ark), over real HTTP.

Every test sends requests with the SDK's own client to `ssejet._cli.server.Server` (127.0.0.1, port
0, chunked responses, one HTTP chunk per write, awkward cuts included) and compares a plain
client with an accelerated one on the same bytes: the same chunks (content, reasoning, tool
calls, finish reasons, usage, and `model_dump()` equal to the SDK model's), the same exception
types, sync and async, on both ssejet backends. Each SDK is skipped with a message if absent.
Routes are bounded: every loop ends, every wait has a timeout.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import itertools
import json
import pickle
import ssl
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

import ssejet
from ssejet import accelerate
from ssejet._bench import streams
from ssejet._cli.demo import chat_stream
from ssejet._cli.server import Request, Server, Writer
from ssejet._sdk import dump, seam
from ssejet._sdk.streams import SsejetStream

TLS = ssl.create_default_context()  # one for all http clients: building one costs ~50 ms
WAIT = 5.0
MESSAGES = [{"role": "user", "content": "hi"}]
SKIP = "the {} SDK is not installed (pip install --group sdk): its acceleration is untested"


@dataclass
class SDK:
    """One SDK as the tests drive it."""

    name: str
    client: type
    aclient: type
    http: Any  # the http library the SDK's clients use (httpx2 for openai 3.x, httpx for Ark)
    api_error: type
    stream: type
    astream: type
    status_errors: dict[int, type]
    shared: Any = None  # a sync http client shared by the sync SDK clients of a test module

    def make(self, url: str, http: Any = None, *, backend: Optional[str] = "plain") -> Any:
        """An SDK client; accelerated unless ``backend`` is "plain"."""
        kind = self.client if http is None or not _is_async(http) else self.aclient
        client = kind(api_key="test", base_url=url, http_client=http or self.shared, max_retries=0)
        return client if backend == "plain" else accelerate(client, backend=backend)


def _is_async(http: Any) -> bool:
    return type(http).__name__ == "AsyncClient"


def _load(name: str) -> SDK:
    if name == "openai":
        openai = pytest.importorskip("openai", reason=SKIP.format("openai"))
        errors = {
            400: openai.BadRequestError, 401: openai.AuthenticationError,
            404: openai.NotFoundError, 429: openai.RateLimitError,
            500: openai.InternalServerError, 503: openai.InternalServerError,
        }  # fmt: skip
        return SDK(
            "openai", openai.OpenAI, openai.AsyncOpenAI, sys.modules["httpx2"], openai.APIError,
            openai.Stream, openai.AsyncStream, errors,
        )  # fmt: skip
    ark = pytest.importorskip("volcenginesdkarkruntime", reason=SKIP.format("Ark"))
    from volcenginesdkarkruntime import _exceptions as e
    from volcenginesdkarkruntime._streaming import AsyncStream, Stream

    errors = {
        400: e.ArkBadRequestError, 401: e.ArkAuthenticationError, 404: e.ArkNotFoundError,
        429: e.ArkRateLimitError, 500: e.ArkInternalServerError, 503: e.ArkInternalServerError,
    }  # fmt: skip
    http = sys.modules["httpx"]
    return SDK("ark", ark.Ark, ark.AsyncArk, http, e.ArkAPIError, Stream, AsyncStream, errors)


@pytest.fixture(scope="module", params=["openai", "ark"])
def sdk(request: pytest.FixtureRequest) -> Any:
    loaded = _load(request.param)
    loaded.shared = loaded.http.Client(verify=TLS)
    yield loaded
    loaded.shared.close()


# --- the server: one per module, a route per test under its own path prefix -----------------

ROUTES: dict[str, Callable[[Request, Writer], None]] = {}
_keys = itertools.count()


def _dispatch(request: Request, writer: Writer) -> None:
    ROUTES[request.path.strip("/").split("/")[0]](request, writer)


@pytest.fixture(scope="module")
def server() -> Any:
    with Server(_dispatch) as running:
        yield running


def serve(server: Server, route: Callable[[Request, Writer], None]) -> str:
    """Registers ``route``; returns the base URL whose requests it answers."""
    key = f"r{next(_keys)}"
    ROUTES[key] = route
    return f"{server.url}/{key}/v1"


def pieces(body: bytes, size: int = 61) -> list[bytes]:
    """Cuts every ``size`` bytes: inside field names, JSON, multi-byte characters, CRLFs."""
    return [body[i : i + size] for i in range(0, len(body), size)]


def streaming(body: bytes, *, size: int = 61) -> Callable[[Request, Writer], None]:
    def route(request: Request, writer: Writer) -> None:
        writer.start(200, [("Content-Type", "text/event-stream")])
        for piece in pieces(body, size):
            writer.write(piece)

    return route


def json_response(status: int, payload: Any) -> Callable[[Request, Writer], None]:
    def route(request: Request, writer: Writer) -> None:
        body = json.dumps(payload).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        writer.start(status, headers, chunked=False)
        writer.write(body)

    return route


# --- running a stream: sync or async, plain or accelerated -----------------------------------


def run(sdk: SDK, url: str, mode: str, backend: str = "plain", stop: int = -1) -> Any:
    """(chunks, exception or None, stream) of one streamed chat completion."""
    if mode == "sync":
        return _collect(sdk.make(url, backend=backend), stop)
    return asyncio.run(_acollect(sdk, url, backend, stop))


def _collect(client: Any, stop: int) -> Any:
    stream = client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
    chunks: list[Any] = []
    try:
        for chunk in stream:
            chunks.append(chunk)
            if len(chunks) == stop:
                break
    except Exception as error:
        return chunks, _untraced(error), stream
    return chunks, None, stream


def _untraced(error: Exception) -> Exception:
    # Through its traceback, an error keeps the plain SDK's stream generators alive until the
    # cyclic GC ends them, at any point: openai's then evaluates `except timeout_exceptions()`,
    # which fails if that point is inside `import httpx`. Dropped here, they end at once.
    return error.with_traceback(None)


async def _acollect(sdk: SDK, url: str, backend: str, stop: int) -> Any:
    async with sdk.http.AsyncClient(verify=TLS) as http:
        client = sdk.make(url, http, backend=backend)
        stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        chunks: list[Any] = []
        try:
            async for chunk in stream:
                chunks.append(chunk)
                if len(chunks) == stop:
                    break
        except Exception as error:
            return chunks, _untraced(error), stream
        return chunks, None, stream


def summary(chunks: list[Any]) -> dict[str, Any]:
    """What `choices[0]` adds up to, read from SDK models or ssejet chunks alike, with the
    normalizations API.md makes (a plain SDK leaves them to the reader): list content (text
    parts; thinking parts are reasoning), `delta.reasoning`, tool calls without `index`, and
    Groq's `x_groq.usage`."""
    content = reasoning = finish = usage = None
    calls: dict[int, dict[str, Any]] = {}
    for chunk in chunks:
        usage = _usage(chunk) or usage
        for choice in chunk.choices or []:
            if choice.index != 0:
                continue
            text, think = _texts(choice.delta)
            if text is not None:
                content = (content or "") + text
            if think is not None:
                reasoning = (reasoning or "") + think
            finish = choice.finish_reason or finish
            for position, call in enumerate(choice.delta.tool_calls or []):
                index = position if call.index is None else call.index
                merged = calls.setdefault(index, {"id": None, "name": None, "arguments": ""})
                merged["id"] = merged["id"] or call.id
                if call.function is not None:
                    merged["name"] = merged["name"] or call.function.name
                    merged["arguments"] += call.function.arguments or ""
    tool_calls = [{"index": i, **calls[i]} for i in sorted(calls)]
    return {"content": content, "reasoning_content": reasoning, "finish_reason": finish,
            "tool_calls": tool_calls, "usage": usage}  # fmt: skip


def _texts(delta: Any) -> tuple[Optional[str], Optional[str]]:
    content = delta.content
    reasoning = getattr(delta, "reasoning_content", None)
    if reasoning is None:
        reasoning = getattr(delta, "reasoning", None)
    if isinstance(content, list):  # only a plain SDK's delta: Mistral's content parts
        text = "".join(p.get("text", "") for p in content if p.get("type") == "text")
        for part in content:
            if part.get("type") == "thinking":
                think = "".join(t.get("text", "") for t in part.get("thinking", []))
                reasoning = (reasoning or "") + think
        content = text
    return content, reasoning


def _usage(chunk: Any) -> Optional[tuple[Any, ...]]:
    usage = chunk.usage
    if usage is None:
        groq = getattr(chunk, "x_groq", None)  # an extra field of the SDK model
        usage = groq.get("usage") if isinstance(groq, dict) else None
        if usage is None:
            return None
        return usage["prompt_tokens"], usage["completion_tokens"], usage["total_tokens"]
    return usage.prompt_tokens, usage.completion_tokens, usage.total_tokens


# --- the real captures ---------------------------------------------------------------------

_plain_runs: dict[tuple[str, str, str], Any] = {}


def _expected(corpus: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (corpus / "expected.jsonl").read_text().splitlines()]


@pytest.mark.filterwarnings("ignore")  # the SDK models warn when dumping Mistral's list content
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_every_capture_gives_what_the_plain_sdk_gives(
    sdk: SDK, server: Server, corpus: Path, mode: str, backend: str
) -> None:
    for expected in _expected(corpus):
        url = serve(server, streaming((corpus / expected["file"]).read_bytes(), size=97))
        key = (sdk.name, mode, expected["file"])
        if key not in _plain_runs:  # the plain SDK's result does not depend on the backend
            plain, plain_error, _ = run(sdk, url, mode)
            _plain_runs[key] = plain, plain_error, [c.model_dump() for c in plain]
        plain, plain_error, plain_dumps = _plain_runs[key]
        chunks, error, stream = run(sdk, url, mode, backend)
        where = expected["file"]

        assert isinstance(stream, sdk.stream if mode == "sync" else sdk.astream), where
        assert all(isinstance(c, ssejet.ChatCompletionChunk) for c in chunks), where
        assert len(chunks) == len(plain) == expected["chunks"], where
        assert summary(chunks) == summary(plain), where
        got = summary(chunks)
        for field in ("content", "reasoning_content", "finish_reason"):
            assert got[field] == expected[field], (where, field)
        assert got["tool_calls"] == expected["tool_calls"], where
        last_usage = [c.usage for c in chunks if c.usage is not None][-1:]
        assert (last_usage[0].to_dict() if last_usage else None) == expected["usage"], where
        assert [c.model_dump() for c in chunks] == plain_dumps, where
        if expected["error"] is None:
            assert error is None and plain_error is None, (where, error, plain_error)
        else:
            assert type(plain_error) is sdk.api_error, where
            assert isinstance(error, ssejet.StreamAPIError) and isinstance(error, sdk.api_error)
            assert error.message == expected["error"]["message"] == plain_error.message, where
            assert error.code == expected["error"]["code"], where
            assert error.request is stream.response.request, where


# --- provider shapes: Ark/Doubao, SiliconFlow/DeepSeek reasoning, tool calls ----------------


def _shapes() -> dict[str, tuple[bytes, dict[str, Any]]]:
    shapes = {}
    for name in ("ark_content", "siliconflow_reasoning", "tool_call_fragments", "crlf"):
        s = getattr(streams, name)(60, seed=3)
        calls = [{"index": c["index"], "id": c["id"], "name": c["name"],
                  "arguments": c["arguments"]} for c in s.tool_calls]  # fmt: skip
        shapes[name] = s.body, {"content": s.content, "reasoning": s.reasoning_content,
                                "tool_calls": calls}  # fmt: skip
    demo = b"".join(chat_stream("你好, ssejet"))  # Ark's shape with `data:` and no space
    shapes["ark_demo"] = demo, {}
    return shapes


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("shape", ["ark_content", "siliconflow_reasoning", "tool_call_fragments",
                                   "crlf", "ark_demo"])  # fmt: skip
def test_provider_shaped_streams_match_the_plain_sdk(
    sdk: SDK, server: Server, shape: str, mode: str, backend: str
) -> None:
    body, promised = _shapes()[shape]
    url = serve(server, streaming(body, size=37))
    plain, plain_error, _ = run(sdk, url, mode)
    chunks, error, _ = run(sdk, url, mode, backend)
    assert error is None and plain_error is None
    assert len(chunks) == len(plain) > 0
    got = summary(chunks)
    assert got == summary(plain)
    assert [c.model_dump() for c in chunks] == [c.model_dump() for c in plain]
    assert [c.model_dump_json() for c in chunks] == [c.model_dump_json() for c in plain]
    if promised:
        assert (got["content"] or "") == promised["content"]
        assert (got["reasoning_content"] or "") == promised["reasoning"]
        assert got["tool_calls"] == promised["tool_calls"]


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("status", [400, 401, 404, 429, 500, 503])
def test_http_errors_raise_the_sdks_own_exception_types(
    sdk: SDK, server: Server, status: int, mode: str
) -> None:
    body = {"error": {"message": f"no ({status})", "type": "invalid_request", "code": "x"}}
    url = serve(server, json_response(status, body))
    with pytest.raises(sdk.status_errors[status]) as plain:
        run(sdk, url, mode)
    with pytest.raises(sdk.status_errors[status]) as accelerated:
        run(sdk, url, mode, None)
    assert type(accelerated.value) is type(plain.value)
    assert accelerated.value.status_code == plain.value.status_code == status
    assert accelerated.value.body == plain.value.body


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    "tail",
    [
        b'data: {"error": {"message": "overloaded", "code": 503, "param": "model"}}\n\n',
        b'event: error\ndata: {"error": {"message": "overloaded", "code": 503}}\n\n',
    ],
    ids=["error-payload", "error-event"],
)
def test_errors_inside_the_stream_raise_stream_api_error_and_the_sdks_api_error(
    sdk: SDK, server: Server, tail: bytes, mode: str, backend: str
) -> None:
    head = b"".join(chat_stream("hi"))[:2000]
    head = head[: head.rfind(b"\n\n") + 2]
    url = serve(server, streaming(head + tail))
    plain, plain_error, _ = run(sdk, url, mode)
    chunks, error, stream = run(sdk, url, mode, backend)
    assert len(chunks) == len(plain) > 0
    assert type(plain_error) is sdk.api_error
    assert isinstance(error, ssejet.StreamAPIError) and isinstance(error, sdk.api_error)
    assert error.message == plain_error.message == "overloaded"
    assert error.code == 503 and error.request is stream.response.request
    if b"param" in tail:
        assert error.param == plain_error.param == "model"
    assert stream.response.is_closed
    copy = pickle.loads(pickle.dumps(error))  # a plain StreamAPIError on the other side
    assert type(copy) is ssejet.StreamAPIError
    assert (copy.message, copy.code, copy.body) == (error.message, error.code, error.body)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_dropped_connection_raises_what_the_plain_sdk_raises(
    sdk: SDK, server: Server, mode: str
) -> None:
    body = b"".join(chat_stream("hi"))

    def route(request: Request, writer: Writer) -> None:
        writer.start(200, [("Content-Type", "text/event-stream")])
        writer.write(body[:3000])
        writer.drop()

    url = serve(server, route)
    plain, plain_error, _ = run(sdk, url, mode)
    chunks, error, _ = run(sdk, url, mode, None)
    assert plain_error is not None and type(error) is type(plain_error)
    assert len(chunks) == len(plain) > 0


def _events(prompt: str = "hi") -> list[bytes]:
    """The demo server's events (Ark's shape), each with its blank line."""
    return [e + b"\n\n" for e in b"".join(chat_stream(prompt)).split(b"\n\n") if e]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_keep_alive_after_an_id_is_skipped_where_the_plain_sdk_fails(
    sdk: SDK, server: Server, mode: str, backend: str
) -> None:
    # The SDKs' decoders dispatch an event at every blank line once an id was seen (they never
    # reset it), so a keep-alive comment becomes an event with empty data: json.loads("").
    events = _events()
    body = b"id: 1\n" + events[1] + b": keep-alive\n\n" + b"".join(events[2:])
    url = serve(server, streaming(body))
    plain, plain_error, _ = run(sdk, url, mode)
    chunks, error, _ = run(sdk, url, mode, backend)
    assert isinstance(plain_error, ValueError) and len(plain) == 1
    assert error is None and len(chunks) == len(events) - 2  # no comment, no [DONE]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_error_event_without_an_error_key_raises_where_the_plain_sdk_yields_it(
    sdk: SDK, server: Server, mode: str
) -> None:
    # The SDKs only look at an `error` key (their `event: error` branches are dead code), so
    # this event reaches user code as a chunk with no choices.
    events = _events()
    body = events[1] + b'event: error\ndata: {"message": "boom", "code": "busy"}\n\n'
    url = serve(server, streaming(body + events[-1]))
    plain, plain_error, _ = run(sdk, url, mode)
    chunks, error, _ = run(sdk, url, mode, None)
    assert plain_error is None and len(plain) == 2
    assert isinstance(error, ssejet.StreamAPIError) and isinstance(error, sdk.api_error)
    assert (error.message, error.code, len(chunks)) == ("boom", "busy", 1)


# --- closing ---------------------------------------------------------------------------------


def _slow_stream(gone: threading.Event, written: list[int]) -> Callable[[Request, Writer], None]:
    body = _events()

    def route(request: Request, writer: Writer) -> None:
        writer.start(200, [("Content-Type", "text/event-stream")])
        for event in itertools.islice(itertools.cycle(body[1:-2]), 400):  # at most ~2 s
            writer.write(event)
            if writer.disconnected:
                gone.set()
                return
            written[0] += 1
            gone.wait(0.005)

    return route


@pytest.mark.parametrize("how", ["break", "close", "context"])
def test_stopping_early_closes_the_connection(sdk: SDK, server: Server, how: str) -> None:
    gone, written = threading.Event(), [0]
    client = sdk.make(serve(server, _slow_stream(gone, written)), backend=None)
    stream = client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
    if how == "context":
        with stream:
            next(stream)
    else:
        for _ in stream:
            break
        if how == "close":
            stream.close()
    assert stream.response.is_closed
    assert gone.wait(WAIT), "the server never saw the client go"
    assert written[0] < 400


@pytest.mark.parametrize("how", ["break", "close", "context"])
def test_stopping_an_async_stream_early_closes_the_connection(
    sdk: SDK, server: Server, how: str
) -> None:
    gone, written = threading.Event(), [0]
    url = serve(server, _slow_stream(gone, written))

    async def main() -> Any:
        async with sdk.http.AsyncClient(verify=TLS) as http:
            client = sdk.make(url, http, backend=None)
            create = client.chat.completions.create
            stream = await create(model="m", messages=MESSAGES, stream=True)
            if how == "context":
                async with stream:
                    await stream.__anext__()
            else:
                async for _ in stream:
                    break
                if how == "close":
                    await stream.close()
            for _ in range(100):  # the loop's async-generator finalizer runs soon, not at once
                if stream.response.is_closed:
                    break
                await asyncio.sleep(0.01)
            return stream

    stream = asyncio.run(main())
    assert stream.response.is_closed
    assert gone.wait(WAIT), "the server never saw the client go"


# --- what stays the SDK's own ---------------------------------------------------------------

COMPLETION = {
    "id": "021", "object": "chat.completion", "created": 1742631211, "model": "m",
    "choices": [{"index": 0, "finish_reason": "stop",
                 "message": {"role": "assistant", "content": "你好"}}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
}  # fmt: skip


def test_non_streaming_calls_still_return_sdk_objects(sdk: SDK, server: Server) -> None:
    client = sdk.make(serve(server, json_response(200, COMPLETION)), backend=None)
    completion = client.chat.completions.create(model="m", messages=MESSAGES)
    assert type(completion).__module__.startswith(sdk.client.__module__.split(".")[0])
    assert completion.choices[0].message.content == "你好"


def test_raw_responses_keep_the_sdks_own_stream(sdk: SDK, server: Server) -> None:
    client = sdk.make(serve(server, streaming(b"".join(chat_stream("hi")))), backend=None)
    raw = client.chat.completions.with_raw_response.create(
        model="m", messages=MESSAGES, stream=True
    )
    stream = raw.parse()
    assert isinstance(stream, sdk.stream) and not isinstance(stream, SsejetStream)
    assert not isinstance(next(iter(stream)), ssejet.ChatCompletionChunk)
    stream.close()


def test_openais_stream_helper_keeps_the_sdks_own_stream(sdk: SDK, server: Server) -> None:
    if sdk.name != "openai":
        pytest.skip("chat.completions.stream() is openai's helper")
    client = sdk.make(serve(server, streaming(b"".join(chat_stream("hi")))), backend=None)
    with client.chat.completions.stream(model="m", messages=MESSAGES) as stream:
        completion = stream.get_final_completion()
    assert completion.choices[0].message.content.startswith("你好")


def test_arks_encrypted_requests_keep_the_sdks_own_stream(sdk: SDK, server: Server) -> None:
    if sdk.name != "ark":
        pytest.skip("end-to-end encryption is Ark's")
    client = sdk.make(serve(server, streaming(b"".join(chat_stream("hi")))), backend=None)
    headers = {"x-is-encrypted": "false"}  # the header, without the key exchange "true" starts
    stream = client.chat.completions.create(
        model="m", messages=MESSAGES, stream=True, extra_headers=headers
    )
    assert isinstance(stream, sdk.stream) and not isinstance(stream, SsejetStream)
    stream.close()


# --- accelerate() itself --------------------------------------------------------------------


def test_accelerate_is_in_place_and_idempotent(sdk: SDK) -> None:
    client = sdk.make("http://127.0.0.1:9/v1")
    base = type(client)
    assert accelerate(client) is client
    first = type(client)
    assert accelerate(client) is client and type(client) is first
    assert isinstance(client, base) and first.__name__ == base.__name__
    accelerate(client, backend="python")
    assert type(client)._ssejet_base is base and type(client) is not first


def test_the_backend_keyword_chooses_the_chunk_classes(
    sdk: SDK, server: Server, backend: str
) -> None:
    url = serve(server, streaming(b"".join(chat_stream("hi"))))
    chunks, error, _ = run(sdk, url, "sync", backend)
    module = "ssejet._ssejet" if backend == "rust" else "ssejet._models"
    assert error is None and {type(c).__module__ for c in chunks} == {module}


def test_copies_made_with_with_options_are_accelerated(sdk: SDK, server: Server) -> None:
    client = sdk.make(serve(server, streaming(b"".join(chat_stream("hi")))), backend=None)
    if not hasattr(client, "with_options"):
        pytest.skip(f"{sdk.name} clients have no with_options()")
    copy = client.with_options(timeout=5.0)
    stream = copy.chat.completions.create(model="m", messages=MESSAGES, stream=True)
    assert isinstance(stream, SsejetStream)
    stream.close()


@pytest.mark.parametrize("thing", [object(), "OpenAI", None])
def test_anything_but_a_supported_client_is_a_type_error(thing: Any) -> None:
    with pytest.raises(TypeError, match=r"openai>=3\.54,<4.*volcengine-ark-runtime>=5\.0\.51,<6"):
        accelerate(thing)


@pytest.mark.parametrize("installed", ["3.53.9", "4.0.0", "5.0.50", "6.0.0", "unknown"])
def test_an_unsupported_version_is_a_type_error_naming_the_range(
    sdk: SDK, monkeypatch: pytest.MonkeyPatch, installed: str
) -> None:
    fresh = [type(s)() for s in seam.supported()]  # not yet loaded
    monkeypatch.setattr(seam, "_sdks", fresh)
    monkeypatch.setattr(importlib.metadata, "version", lambda dist: installed)
    supported = {"openai": r"openai>=3\.54,<4", "ark": r"volcengine-ark-runtime>=5\.0\.51,<6"}
    with pytest.raises(TypeError, match=rf"{supported[sdk.name]}; this is .* {installed}"):
        accelerate(sdk.make("http://127.0.0.1:9/v1"))


def test_a_client_whose_seam_moved_is_a_type_error(sdk: SDK) -> None:
    class Moved(sdk.client):  # type: ignore[name-defined,misc]
        def _process_response(self, response: Any) -> Any:  # an SDK that changed the method
            return response

    with pytest.raises(TypeError, match="_process_response is not the method"):
        accelerate(Moved(api_key="test", base_url="http://127.0.0.1:9/v1", http_client=sdk.shared))


def test_an_unknown_backend_is_a_value_error(sdk: SDK) -> None:
    with pytest.raises(ValueError, match="backend"):
        accelerate(sdk.make("http://127.0.0.1:9/v1"), backend="fortran")


# --- model_dump: the fast path and the SDK's route agree ------------------------------------

DUMP_KWARGS = [
    {}, {"mode": "json"}, {"exclude_none": True}, {"exclude_unset": True},
    {"exclude_unset": True, "exclude_none": True}, {"by_alias": True}, {"include": {"id"}},
    {"exclude": {"choices"}},
]  # fmt: skip
JSON_KWARGS = [{"indent": None}, {"indent": 2}] + [k for k in DUMP_KWARGS if "mode" not in k]


@pytest.mark.filterwarnings("ignore")
def test_model_dump_takes_the_sdks_keywords(sdk: SDK, corpus: Path, backend: str) -> None:
    model_of = dump.dumper(sdk.name)
    for expected in _expected(corpus)[:8]:
        decoder = ssejet.ChunkDecoder(sdk=sdk.name, backend=backend)
        try:
            chunks = decoder.feed((corpus / expected["file"]).read_bytes()) + decoder.close()
        except ssejet.SSEError as error:
            chunks = error.chunks  # type: ignore[attr-defined]
        for chunk in chunks[:12]:
            model = model_of.slow(chunk)
            for kwargs in DUMP_KWARGS:
                assert chunk.model_dump(**kwargs) == model.model_dump(**kwargs)
            for kwargs in JSON_KWARGS:
                assert chunk.model_dump_json(**kwargs) == model.model_dump_json(**kwargs)


def test_model_dump_coerces_as_the_sdk_does(sdk: SDK) -> None:
    payload = {
        "id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": {"content": "a"}, "logprobs": {"content": [
            {"token": "a", "logprob": 0, "bytes": [97], "top_logprobs": []}]}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3, "extra": 1},
    }  # fmt: skip
    chunk = ssejet.parse_chunk(json.dumps(payload))
    model = dump.dumper(sdk.name).slow(chunk)
    dumped = dump.model_dump(chunk, sdk.name)
    assert dumped == model.model_dump()
    assert dumped["choices"][0]["logprobs"]["content"][0]["logprob"] == 0.0  # int -> float
    assert dump.model_dump_json(chunk, sdk.name) == model.model_dump_json()


def test_each_chunk_dumps_as_the_sdk_that_streamed_it(server: Server, backend: str) -> None:
    # Accelerating one SDK's client must not change how another's chunks dump: openai's
    # delta model declares `audio`, Ark's does not.
    url = serve(server, streaming(b"".join(chat_stream("你好, ssejet"))))
    openai_sdk, ark_sdk = _load("openai"), _load("ark")
    openai_client = openai_sdk.make(url, openai_sdk.http.Client(verify=TLS), backend=backend)
    ark_client = ark_sdk.make(url, ark_sdk.http.Client(verify=TLS), backend=backend)
    create = {"model": "m", "messages": MESSAGES, "stream": True}
    openai_chunks = list(openai_client.chat.completions.create(**create))
    ark_chunks = list(ark_client.chat.completions.create(**create))
    assert openai_chunks and ark_chunks
    for sdk, chunks in (("openai", openai_chunks), ("ark", ark_chunks)):
        model_of = dump.dumper(sdk)
        assert [c.model_dump() for c in chunks] == [model_of.slow(c).model_dump() for c in chunks]
    assert "audio" in openai_chunks[0].model_dump()["choices"][0]["delta"]
    assert "audio" not in ark_chunks[0].model_dump()["choices"][0]["delta"]
    # A chunk no accelerated client streamed dumps as openai's model (installed here).
    plain = ssejet.parse_chunk('{"choices":[{"delta":{"content":"a"}}]}', backend=backend)
    assert "audio" in plain.model_dump()["choices"][0]["delta"]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_stream_cut_mid_event_raises_after_the_whole_chunks(
    sdk: SDK, server: Server, mode: str, backend: str
) -> None:
    # The plain SDKs end such a stream silently; an accelerated one says it was truncated.
    whole = b'data: {"choices":[{"index":0,"delta":{"content":"whole"}}]}\n\n'

    def route(request: Request, writer: Writer) -> None:
        writer.start(200, [("Content-Type", "text/event-stream")], chunked=False)
        writer.write(whole + b'data: {"choices":[{"index":0,"del')

    chunks, error, _ = run(sdk, serve(server, route), mode, backend)
    assert [c.choices[0].delta.content for c in chunks] == ["whole"]
    assert isinstance(error, ssejet.SSEError) and str(error) == "stream ended mid-event"
