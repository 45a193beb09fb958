"""Layers 2 and 3 on real captures: every line of shared/corpus/real/expected.jsonl, decoded by
ChunkDecoder under several splittings (every split index for small files), then accumulated.
The keys checked and their meaning are documented in shared/corpus/real/README.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import CORPUS, splittings

from ssejet import (
    ChunkDecodeError,
    ChunkDecoder,
    EventTooLargeError,
    SSEDecoder,
    StreamAPIError,
    accumulate,
)

EXPECTED = CORPUS / "expected.jsonl"
LINES = (
    [json.loads(line) for line in EXPECTED.read_text().splitlines()] if EXPECTED.is_file() else []
)
SMALL = 3000  # files up to this size are also split at every index


def decode(pieces: list[bytes], backend: str) -> tuple[list[Any], Any, bool]:
    """Feeds the pieces, then closes: (chunks, including those riding on an error; the error;
    done)."""
    decoder = ChunkDecoder(backend=backend)
    chunks: list[Any] = []
    error = None
    for piece in pieces:
        try:
            chunks += decoder.feed(piece)
        except (StreamAPIError, ChunkDecodeError, EventTooLargeError) as exc:
            assert error is None, "a stream raises at most once"
            chunks += exc.chunks
            error = exc
    done = decoder.done
    chunks += decoder.close()
    return chunks, error, done


def summary(chunks: list[Any], error: Any, done: bool) -> dict[str, Any]:
    """What expected.jsonl lists for a file, computed from ssejet's output."""
    result = accumulate(chunks)
    choice = next((c for c in result.choices if c.index == 0), None)
    message = choice.message if choice else None
    return {
        "chunks": len(chunks),
        "done": done,
        "error": None
        if error is None
        else {
            "raises": type(error).__name__,
            "message": error.message,
            "code": error.code,
            "type": error.type,
        },
        "content": message.content if message else None,
        "reasoning_content": message.reasoning_content if message else None,
        "finish_reason": choice.finish_reason if choice else None,
        "tool_calls": [
            {"index": i, "id": t.id, "name": t.function.name, "arguments": t.function.arguments}
            for i, t in enumerate(message.tool_calls or [] if message else [])
        ],
        "usage": result.usage.to_dict() if result.usage is not None else None,
    }


@pytest.mark.parametrize("expected", LINES, ids=[line["file"] for line in LINES])
def test_a_real_capture_decodes_to_its_expected_summary_however_it_is_split(
    backend: str, corpus: Path, expected: dict[str, Any]
) -> None:
    data = (corpus / expected["file"]).read_bytes()
    wanted = {key: expected[key] for key in summary([], None, False)}
    whole = decode([data], backend)
    assert summary(*whole) == wanted
    for pieces in splittings(data, every_index=len(data) <= SMALL, seed=len(data)):
        chunks, error, done = decode(pieces, backend)
        assert chunks == whole[0]
        assert (type(error), str(error), done) == (type(whole[1]), str(whole[1]), whole[2])


@pytest.mark.parametrize("expected", LINES, ids=[line["file"] for line in LINES])
def test_each_chunk_of_a_real_capture_keeps_its_whole_payload(
    backend: str, corpus: Path, expected: dict[str, Any]
) -> None:
    data = (corpus / expected["file"]).read_bytes()
    chunks, _, _ = decode([data], backend)
    events = SSEDecoder(backend=backend).feed(data)
    payloads = [e.data for e in events if e.event != "error" and e.data.strip() != "[DONE]"]
    # Chunks are the leading payloads (an error payload ends the stream and is no chunk).
    assert [c.to_dict() for c in chunks] == [orjson.loads(p) for p in payloads[: len(chunks)]]
    if expected["usage"] is not None:
        last = [c for c in chunks if c.usage is not None][-1]
        assert last.usage.to_dict() == expected["usage"]
