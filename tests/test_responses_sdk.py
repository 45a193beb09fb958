"""ssejet.responses against openai-python's own stream state, and over every layer 4 source,
through a real HTTP server on 127.0.0.1 (``ssejet._cli.server``).

For every capture the SDK accepts, the SDK's ``client.responses.stream(...)`` is served the
capture and its ``get_final_response()`` is compared with ``ssejet.responses.accumulate`` at
the ``model_dump()`` / ``to_dict()`` level; the raw events of ``responses.create(stream=True)``
are compared with ssejet's events the same way. Differences by design, and only these:

- the SDK adds ``parsed`` to each ``output_text`` part and ``parsed_arguments`` to each
  function call (its structured-output parsing; None here): ssejet gives the payload;
- the SDK's models declare ``created_at``, ``completed_at``, ``temperature``, ``top_p`` as
  floats, so ``model_dump()`` gives ``1.0`` where the payload has ``1``; ssejet keeps the JSON
  number as sent (equal in Python, so the comparisons below hold with ``==``).
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from conftest import CORPUS
from test_responses_accumulate import CAPTURES, DIALECTS, REAL, capture

import ssejet.responses as R
from ssejet import StreamAPIError
from ssejet._cli.server import Request, Server, Writer

openai = pytest.importorskip("openai")
# pydantic warns about the union members it tried before the right one while dumping
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

SDK_REJECTS = {
    # spliced by hand: its item ids change between events (RuntimeError: "Completed output
    # item identity changed."); ssejet accumulates it (test_responses_accumulate)
    "responses-gpt-4o-incomplete-max-output-tokens.sse": RuntimeError,
    # the error event: the SDK raises its APIError, ssejet its StreamAPIError
    "responses-gpt-5-nano-failed-insufficient-quota.sse": openai.APIError,
}
SSE = (("Content-Type", "text/event-stream"),)


def serves(data: bytes, pieces: int = 7):
    """A route that streams `data` in `pieces` HTTP chunks."""

    def route(request: Request, writer: Writer) -> None:
        writer.start(200, SSE)
        step = max(1, len(data) // pieces)
        for start in range(0, len(data), step):
            writer.write(data[start : start + step])
        writer.end()

    return route


@contextmanager
def sdk_client(data: bytes) -> Iterator[Any]:
    with Server(serves(data)) as server:
        client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="test", max_retries=0)
        try:
            yield client
        finally:
            client.close()


def without_parsed(value: Any) -> Any:
    """The SDK's dump without the keys its structured-output parsing adds."""
    if isinstance(value, dict):
        return {k: without_parsed(v) for k, v in value.items()
                if k not in ("parsed", "parsed_arguments")}  # fmt: skip
    if isinstance(value, list):
        return [without_parsed(v) for v in value]
    return value


def keys(value: Any) -> set[str]:
    """Every key name at any depth."""
    if isinstance(value, dict):
        return set(value).union(*map(keys, value.values()))
    if isinstance(value, list):
        return set().union(*map(keys, value))
    return set()


def dump(model: Any) -> Any:
    with warnings.catch_warnings():  # pydantic warns about union members it tried first
        warnings.simplefilter("ignore")
        return model.model_dump(mode="json", exclude_unset=True)


ALL = [(DIALECTS, name) for name in CAPTURES] + [(CORPUS, name) for name in REAL]
IDS = [name for _, name in ALL]


@pytest.mark.parametrize(("directory", "name"), ALL, ids=IDS)
def test_accumulate_equals_the_sdks_final_response(backend, directory, name):
    data = capture(directory, name)
    ours = None
    try:
        ours = R.accumulate(R.iter_events([data], backend=backend)).to_dict()
    except StreamAPIError:
        assert SDK_REJECTS.get(name) is openai.APIError
    with sdk_client(data) as client:
        if name in SDK_REJECTS:
            with (
                pytest.raises(SDK_REJECTS[name]),
                client.responses.stream(model="m", input="x") as s,
            ):
                s.get_final_response()
            return
        with client.responses.stream(model="m", input="hi") as stream:
            final = stream.get_final_response()
    sdk = dump(final)
    assert without_parsed(sdk) == ours
    # the keys only the SDK has are exactly the documented ones
    assert keys(sdk) - keys(ours) <= {"parsed", "parsed_arguments"}


@pytest.mark.parametrize(("directory", "name"), ALL, ids=IDS)
def test_each_event_equals_the_sdks_raw_event(backend, directory, name):
    data = capture(directory, name)
    ours: list[Any] = []
    try:
        for event in R.iter_events([data], backend=backend):
            ours.append(event)
    except StreamAPIError as error:
        ours_error = error
    else:
        ours_error = None
    theirs: list[Any] = []
    with sdk_client(data) as client:
        try:
            for event in client.responses.create(model="m", input="hi", stream=True):
                theirs.append(event)
        except openai.APIError as error:
            assert ours_error is not None and error.message == ours_error.message
        else:
            assert ours_error is None
    assert [e.to_dict() for e in ours] == [dump(e) for e in theirs]
    assert [e.type for e in ours] == [e.type for e in theirs]


def test_the_async_sdk_agrees_too(backend):
    data = capture(DIALECTS, "responses-gpt-5.1-codex-max-reasoning-summary-function-call.sse")

    async def main() -> tuple[Any, Any]:
        with Server(serves(data)) as server:
            client = openai.AsyncOpenAI(base_url=f"{server.url}/v1", api_key="t", max_retries=0)
            async with client.responses.stream(model="m", input="hi") as stream:
                final = await stream.get_final_response()
            await client.close()
        return final, None

    final, _ = asyncio.run(main())
    ours = R.accumulate(R.iter_events([data], backend=backend))
    assert without_parsed(dump(final)) == ours.to_dict()
    assert final.output_text == ours.output_text


# --- every layer 4 source ---------------------------------------------------------------------


def test_iter_events_over_httpx_requests_and_aiohttp_responses(backend):
    httpx = pytest.importorskip("httpx")
    requests = pytest.importorskip("requests")
    aiohttp = pytest.importorskip("aiohttp")
    data = capture(DIALECTS, "responses-gpt-4o-function-call.sse")
    want = [e.to_dict() for e in R.EventDecoder(backend=backend).feed(data)]
    with Server(serves(data, pieces=13)) as server:
        with httpx.Client() as client, client.stream("POST", server.url) as response:
            assert [e.to_dict() for e in R.iter_events(response, backend=backend)] == want
        with requests.post(server.url, stream=True, timeout=5) as response:
            assert [e.to_dict() for e in R.iter_events(response, backend=backend)] == want

        async def both() -> tuple[list[Any], list[Any]]:
            async with httpx.AsyncClient() as client, client.stream("POST", server.url) as r:
                first = [e.to_dict() async for e in R.aiter_events(r, backend=backend)]
            async with aiohttp.ClientSession() as session, session.post(server.url) as r:
                second = [e.to_dict() async for e in R.aiter_events(r, backend=backend)]
            return first, second

        assert asyncio.run(both()) == (want, want)


def test_a_status_error_is_raised_before_any_event(backend):
    httpx = pytest.importorskip("httpx")
    from ssejet import APIStatusError

    def route(request: Request, writer: Writer) -> None:
        writer.start(429, (("Content-Type", "application/json"),))
        writer.write(b'{"error": {"message": "slow down"}}')
        writer.end()

    with Server(route) as server, httpx.Client() as client:  # noqa: SIM117
        with client.stream("POST", server.url) as response:
            with pytest.raises(APIStatusError) as raised:
                list(R.iter_events(response, backend=backend))
    assert raised.value.status_code == 429
