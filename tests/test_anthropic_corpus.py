"""Every Anthropic capture of ../shared/corpus accumulates to its expected.jsonl line on both
backends, however its bytes are split; the real captures decode."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import SHARED, splittings

import ssejet.anthropic as A
from ssejet import SSEDecoder, SSEError, StreamAPIError

DIALECTS = SHARED / "corpus" / "dialects"
REAL = SHARED / "corpus" / "real"


def _expected() -> dict[str, dict[str, Any]]:
    path = DIALECTS / "expected.jsonl"
    if not path.is_file():
        return {}
    lines = (orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip())
    return {line["file"]: line for line in lines if line["dialect"] == "anthropic"}


EXPECTED = _expected()
CAPTURES = sorted(EXPECTED)
needs_corpus = pytest.mark.skipif(not EXPECTED, reason=f"{DIALECTS} is absent")


def feeds(data: bytes) -> list[list[bytes]]:
    """Whole, byte by byte, seeded random chunkings, and splits in two: at every index for a
    small capture, at 300 seeded indices for a large one (every index of 250 KB is
    quadratic)."""
    ways = list(splittings(data, every_index=len(data) <= 20_000))
    if len(data) > 20_000:
        rng = random.Random(len(data))
        ways += [[data[:i], data[i:]] for i in rng.sample(range(len(data) + 1), 300)]
    return ways


def run(backend: str, chunks: list[bytes]) -> tuple[A.Message, Exception | None, bool, int]:
    decoder = A.EventDecoder(backend=backend)
    acc = A.Accumulator()
    error = None
    count = 0
    for chunk in chunks:
        try:
            events = decoder.feed(chunk)
        except SSEError as raised:
            events = raised.events
            error = error or raised
        for event in events:
            acc.add(event)
        count += len(events)
    decoder.close()
    return acc.result(), error, decoder.done, count


def summary(message: A.Message, error: Exception | None, done: bool) -> dict[str, Any]:
    """The keys of an expected.jsonl line that `message` determines."""
    data = message.to_dict()
    return {
        "blocks": data["content"],
        "stop_reason": data.get("stop_reason"),
        "usage": data.get("usage"),
        "error": None
        if error is None
        else {"raises": type(error).__name__, "type": error.type, "message": error.message},  # type: ignore[attr-defined]
        "meta": {
            "id": data.get("id"),
            "model": data.get("model"),
            "stop_sequence": data.get("stop_sequence"),
            "message_stop": done,
        },
    }


def expected_summary(line: dict[str, Any]) -> dict[str, Any]:
    # `complete: false` marks, for humans, a block whose content_block_stop never came.
    blocks = [{k: v for k, v in block.items() if k != "complete"} for block in line["blocks"]]
    return {
        "blocks": blocks,
        "stop_reason": line["stop_reason"],
        "usage": line["usage"],
        "error": line["error"],
        "meta": line["meta"],
    }


@needs_corpus
@pytest.mark.parametrize("name", CAPTURES)
def test_each_capture_accumulates_to_its_expected_line_under_every_splitting(backend, name):
    data = (DIALECTS / name).read_bytes()
    want = expected_summary(EXPECTED[name])
    first = None
    for chunks in feeds(data):
        message, error, done, count = run(backend, chunks)
        got = summary(message, error, done)
        assert got == want, f"{name}, split {[len(c) for c in chunks][:5]}"
        if first is None:
            first = count
        assert count == first


@needs_corpus
@pytest.mark.parametrize("name", CAPTURES)
def test_each_capture_has_the_expected_number_of_sse_events(name):
    data = (DIALECTS / name).read_bytes()
    assert len(SSEDecoder().feed(data)) == EXPECTED[name]["events"]


@needs_corpus
@pytest.mark.parametrize("name", CAPTURES)
def test_both_backends_give_equal_events_for_each_capture(name):
    data = (DIALECTS / name).read_bytes()
    rust, python = (run_events(backend, data) for backend in ("rust", "python"))
    assert rust == python


def run_events(backend: str, data: bytes) -> tuple[list[Any], str]:
    pytest.importorskip("ssejet._ssejet")
    decoder = A.EventDecoder(backend=backend)
    try:
        return decoder.feed(data), ""
    except SSEError as error:
        return error.events, f"{type(error).__name__}: {error}"


@needs_corpus
def test_the_overloaded_capture_raises_stream_api_error_with_the_events_before_it(backend):
    data = (DIALECTS / "anthropic-haiku-3-overloaded-error-midstream.sse").read_bytes()
    with pytest.raises(StreamAPIError) as info:
        A.EventDecoder(backend=backend).feed(data)
    assert [e.type for e in info.value.events] == [
        "message_start", "content_block_start", "content_block_delta",
    ]  # fmt: skip
    assert info.value.type == "overloaded_error"
    events = list(_iter_until_error(data, backend))
    assert A.accumulate(events).content[0].text == "Hello"


def _iter_until_error(data: bytes, backend: str) -> Any:
    chunks = [data[i : i + 7] for i in range(0, len(data), 7)]
    iterator = A.iter_events(chunks, backend=backend)
    try:
        yield from iterator
    except StreamAPIError:
        return
    raise AssertionError("no StreamAPIError")


@pytest.mark.parametrize(
    "name",
    [
        "anthropic-claude-thinking-signature.sse",
        "anthropic-claude35-sonnet-tools-padded.sse",
        "anthropic-claude21-complete-crlf.sse",
    ],
)
def test_the_real_anthropic_captures_decode(backend, name):
    path: Path = REAL / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    data = path.read_bytes()
    results = {repr(run(backend, chunks)[0]) for chunks in splittings(data, every_index=False)}
    assert len(results) == 1
    message, error, done, _ = run(backend, [data])
    assert error is None
    if "complete" in name:  # the legacy /v1/complete stream: records, no message_stop
        events = A.EventDecoder(backend=backend).feed(data)
        assert {e.type for e in events} == {"completion"}
        assert "".join(e.completion for e in events) == " Light scatters blue."
        assert not done
    else:
        assert done and message.content and message.usage.output_tokens > 0
        if "tools" in name:
            inputs = [b.input for b in message.content if b.type == "tool_use"]
            assert len(inputs) == 2 and all(isinstance(i, dict) and i for i in inputs)
        else:
            thinking, text = message.content
            assert isinstance(thinking, A.ThinkingBlock) and thinking.signature
            assert isinstance(text, A.TextBlock) and text.text
