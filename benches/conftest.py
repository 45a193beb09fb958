"""The benches use the test suite's `backend` fixture (one definition: tests/conftest.py), so a
missing extension fails them under SSEJET_REQUIRE_RUST=1 exactly as it fails the tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "ssejet_tests_conftest", Path(__file__).resolve().parent.parent / "tests" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_tests_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_tests_conftest)

backend = _tests_conftest.backend
