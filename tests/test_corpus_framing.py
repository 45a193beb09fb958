"""The real-capture corpus (../shared/corpus/real) framed by both backends.

Each capture must frame the same way whole, one byte at a time, in random chunkings and (for
files under 8 KB) split at every index, on both backends; its event count must be the `events`
column of SOURCES.md (read from the table, not copied here); and the events must be those of
`reference_events`, an independent, deliberately naive reading of the WHATWG rules.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Optional

import pytest
from conftest import splittings

from ssejet import EventTooLargeError, SSEDecoder

# Where conftest's `corpus` fixture looks; needed here at collection time to name the tests.
_CORPUS = Path(os.environ.get("SSEJET_SHARED", Path(__file__).resolve().parents[2] / "shared"))
_CORPUS = _CORPUS / "corpus" / "real"
FILES = sorted(p.name for p in _CORPUS.glob("*.sse"))
EVERY_INDEX_BELOW = 8 * 1024

_LINE_END = re.compile("\r\n|\r|\n")
_DIGITS = re.compile("[0-9]+")


def reference_events(
    stream: bytes, last_event_id: str = "", retry: Optional[int] = None
) -> tuple[list[tuple], str, Optional[int]]:
    """WHATWG "event stream interpretation" of a whole stream, written straight from the spec
    text: decode, strip one BOM, split on CRLF/CR/LF, process each line; the unterminated rest
    and the pending event are discarded at the end. Returns (events, last_event_id, retry)."""
    text = stream.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = _LINE_END.split(text)[:-1]
    events: list[tuple] = []
    data: list[str] = []
    event_type, event_retry, id_buffer = "", None, last_event_id
    for line in lines:
        if line == "":
            last_event_id = id_buffer
            if data:
                events.append((event_type or "message", "\n".join(data), id_buffer, event_retry))
            data, event_type, event_retry = [], "", None
            continue
        if line.startswith(":"):
            continue
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            data.append(value)
        elif name == "event":
            event_type = value
        elif name == "id":
            if "\0" not in value:
                id_buffer = value
        elif name == "retry" and _DIGITS.fullmatch(value) and int(value) < 2**64:
            event_retry = retry = int(value)
    return events, last_event_id, retry


def sources_table(corpus: Path) -> dict[str, dict[str, str]]:
    """The rows of the markdown table in SOURCES.md, by file name."""
    rows: dict[str, dict[str, str]] = {}
    header: Optional[list[str]] = None
    for line in (corpus / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            if rows:
                break  # the end of the table
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif set(cells[0]) <= {"-", " "}:
            continue
        else:
            assert len(cells) == len(header), line
            row = dict(zip(header, cells))
            rows[row["file"].strip("`")] = row
    return rows


def frame(backend: str, chunks: list[bytes]) -> tuple[list[tuple], str, Optional[int]]:
    decoder = SSEDecoder(backend=backend)
    events = []
    for chunk in chunks:
        try:
            got = decoder.feed(chunk)
        except EventTooLargeError as error:  # pragma: no cover - a failure, shown in full
            pytest.fail(f"EventTooLargeError on a real capture: {error}")
        events += [(e.event, e.data, e.id, e.retry) for e in got]
    assert decoder.close() == []
    return events, decoder.last_event_id, decoder.retry


def test_the_sources_table_lists_every_capture_with_its_size(corpus):
    table = sources_table(corpus)
    files = sorted(p.name for p in corpus.glob("*.sse"))
    assert len(files) >= 29
    assert sorted(table) == files
    for name, row in table.items():
        assert int(row["bytes"]) == (corpus / name).stat().st_size, name
        assert int(row["events"]) > 0


def test_the_reference_reading_gives_the_event_counts_of_the_sources_table(corpus):
    # Checks the oracle itself against the independent counts before the backends are
    # checked against it.
    for name, row in sources_table(corpus).items():
        events, _, _ = reference_events((corpus / name).read_bytes())
        assert len(events) == int(row["events"]), name


@pytest.mark.parametrize("name", FILES)
def test_a_capture_frames_the_same_under_every_splitting_on_both_backends(corpus, backend, name):
    stream = (corpus / name).read_bytes()
    expected_count = int(sources_table(corpus)[name]["events"])
    expected = reference_events(stream)
    assert len(expected[0]) == expected_count
    whole = frame(backend, [stream])
    assert len(whole[0]) == expected_count
    assert whole == expected
    assert whole == frame("python", [stream])  # the other backend, when this one is rust
    every_index = len(stream) < EVERY_INDEX_BELOW
    for chunks in splittings(stream, every_index=every_index, seed=len(name)):
        assert frame(backend, chunks) == whole, [len(c) for c in chunks]


def test_captures_fed_back_to_back_with_close_between_keep_the_last_event_id(corpus, backend):
    # One decoder for the whole corpus, as a client reconnecting to new streams would use it.
    decoder = SSEDecoder(backend=backend)
    last_event_id: str = ""
    retry: Optional[int] = None
    for name in sorted(p.name for p in corpus.glob("*.sse")):
        stream = (corpus / name).read_bytes()
        expected, last_event_id, retry = reference_events(stream, last_event_id, retry)
        got = [(e.event, e.data, e.id, e.retry) for e in decoder.feed(stream)]
        assert decoder.close() == []
        assert got == expected, name
        assert (decoder.last_event_id, decoder.retry) == (last_event_id, retry), name
