"""Fixtures shared by the whole suite: the `backend` parameter and input splittings.

Every behavioural test takes `backend` and so runs on both implementations. The Rust half is
skipped when the extension is not built, unless SSEJET_REQUIRE_RUST=1 (CI and `make test` set
it), where a missing extension fails the run instead.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from ssejet import _backend

REQUIRE_RUST = os.environ.get("SSEJET_REQUIRE_RUST") == "1"
BACKENDS = ("rust", "python")

ROOT = Path(__file__).resolve().parent.parent
STREAMS = Path(__file__).resolve().parent / "streams"
# CI clones the repository with the steering repo's shared/ beside it.
SHARED = Path(os.environ.get("SSEJET_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus" / "real"
RUST_ERROR = _backend._rust_error


def pytest_sessionstart(session: pytest.Session) -> None:
    if REQUIRE_RUST and _backend._rust_module is None:
        raise pytest.UsageError(
            f"SSEJET_REQUIRE_RUST=1 but the extension does not import: {_backend._rust_error}"
        )


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend under test: "rust" or "python"."""
    if request.param == "rust" and _backend._rust_module is None:
        if REQUIRE_RUST:
            pytest.fail(f"SSEJET_REQUIRE_RUST=1 but the extension is missing: {RUST_ERROR}")
        pytest.skip("the Rust extension is not built (run `make build`)")
    return request.param


@pytest.fixture(scope="session")
def corpus() -> Path:
    """../shared/corpus/real: real captured SSE bodies; the tests that need it skip without it."""
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent: the real captures live in the steering repo's shared/")
    return CORPUS


def splittings(data: bytes, *, every_index: bool = True, seed: int = 0) -> Iterator[list[bytes]]:
    """The ways the suite feeds a stream: whole, one byte at a time, split in two at every
    index (when `every_index`), and a few seeded random chunkings."""
    yield [data]
    yield [data[i : i + 1] for i in range(len(data))]
    if every_index:
        for i in range(len(data) + 1):
            yield [data[:i], data[i:]]
    rng = random.Random(seed)
    for _ in range(5):
        chunks, i = [], 0
        while i < len(data):
            n = rng.randint(1, 64)
            chunks.append(data[i : i + n])
            i += n
        yield chunks
