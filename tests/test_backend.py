"""Backend selection: SSEJET_BACKEND at import, `backend=` per decoder, and the build hint.

The environment variable is read once, at import, so each case runs `python -c` in a fresh
interpreter. A missing extension is simulated there with `sys.modules["ssejet._ssejet"] = None`,
which makes `import ssejet._ssejet` raise ImportError.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest

import ssejet
from ssejet import SSEDecoder, _backend

REQUIRE_RUST = os.environ.get("SSEJET_REQUIRE_RUST") == "1"
# The directory that holds the `ssejet` package under test, for the child interpreters.
PACKAGE_ROOT = str(Path(ssejet.__file__).resolve().parent.parent)
HIDE_EXTENSION = 'import sys; sys.modules["ssejet._ssejet"] = None\n'


def requires_rust() -> None:
    """Skips (fails under SSEJET_REQUIRE_RUST=1) when the extension is not built."""
    if _backend._rust_module is None:
        if REQUIRE_RUST:
            pytest.fail(
                f"SSEJET_REQUIRE_RUST=1 but the extension is missing: {_backend._rust_error}"
            )
        pytest.skip("the Rust extension is not built (run `make build`)")


def python_c(
    code: str, *, env_backend: Optional[str] = None, hide_extension: bool = False
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SSEJET_BACKEND"}
    if env_backend is not None:
        env["SSEJET_BACKEND"] = env_backend
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_ROOT, env.get("PYTHONPATH")]))
    prelude = HIDE_EXTENSION if hide_extension else ""
    return subprocess.run(
        [sys.executable, "-c", prelude + code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# Prints the default backend, a default decoder's backend, and the class of its events.
REPORT = (
    "import ssejet\n"
    "d = ssejet.SSEDecoder()\n"
    "e = d.feed(b'data: x\\n\\n')[0]\n"
    "print(ssejet.backend, d.backend, type(e) is ssejet.ServerSentEvent, e.data)\n"
)


def report(**kwargs) -> list[str]:
    result = python_c(REPORT, **kwargs)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def assert_names_the_build(message: str) -> None:
    assert "make build" in message
    assert "maturin develop" in message
    assert "SSEJET_BACKEND=python" in message


# --- SSEJET_BACKEND ---------------------------------------------------------------------------


def test_the_default_backend_is_rust_when_the_extension_imports():
    requires_rust()
    # Rust-made events are compiled objects, not instances of the Python class itself.
    assert report() == ["rust", "rust", "False", "x"]
    if not os.environ.get("SSEJET_BACKEND"):
        assert ssejet.backend == "rust"


def test_auto_is_the_default():
    assert report(env_backend="auto") == report()


def test_the_default_backend_falls_back_to_python_without_the_extension():
    assert report(hide_extension=True) == ["python", "python", "True", "x"]
    assert report(env_backend="auto", hide_extension=True) == ["python", "python", "True", "x"]


def test_ssejet_backend_python_forces_the_fallback():
    assert report(env_backend="python") == ["python", "python", "True", "x"]
    assert report(env_backend="python", hide_extension=True) == ["python", "python", "True", "x"]


def test_ssejet_backend_rust_selects_the_extension():
    requires_rust()
    assert report(env_backend="rust") == ["rust", "rust", "False", "x"]


def test_ssejet_backend_rust_without_the_extension_raises_an_import_error_naming_the_build():
    result = python_c("import ssejet", env_backend="rust", hide_extension=True)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError"), result.stderr
    assert_names_the_build(last)


@pytest.mark.parametrize("value", ["fast", "pure", "rust,python"])
def test_an_invalid_ssejet_backend_value_is_refused_at_import(value):
    result = python_c("import ssejet", env_backend=value)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ValueError"), result.stderr
    assert "SSEJET_BACKEND" in last
    assert repr(value) in last


# --- backend= ---------------------------------------------------------------------------------


def test_the_backend_keyword_chooses_the_implementation_per_decoder(backend):
    decoder = SSEDecoder(backend=backend)
    assert decoder.backend == backend
    assert [e.data for e in decoder.feed(b"data: x\n\n")] == ["x"]
    other = "python" if backend == "rust" else backend
    assert SSEDecoder(backend=other).backend == other


def test_without_the_keyword_a_decoder_uses_the_default_backend():
    assert SSEDecoder().backend == ssejet.backend
    assert SSEDecoder(backend=None).backend == ssejet.backend
    assert ssejet.backend in ("rust", "python")


def test_the_keyword_overrides_ssejet_backend():
    requires_rust()
    code = (
        "import ssejet\n"
        "print(ssejet.backend, ssejet.SSEDecoder(backend='rust').backend,"
        " ssejet.SSEDecoder().backend)\n"
    )
    result = python_c(code, env_backend="python")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["python", "rust", "python"]


@pytest.mark.parametrize("value", ["Rust", "PYTHON", "", "auto", "pure", "c"])
def test_an_invalid_backend_keyword_raises_value_error(value):
    with pytest.raises(ValueError, match="backend"):
        SSEDecoder(backend=value)


def test_the_rust_keyword_without_the_extension_raises_an_import_error_naming_the_build():
    code = (
        "import ssejet\n"
        "assert ssejet.backend == 'python'\n"
        "try:\n"
        "    ssejet.SSEDecoder(backend='rust')\n"
        "except ImportError as error:\n"
        "    print(error)\n"
        "else:\n"
        "    raise SystemExit('no ImportError')\n"
    )
    result = python_c(code, hide_extension=True)
    assert result.returncode == 0, result.stderr + result.stdout
    assert_names_the_build(result.stdout)


# --- max_event_size ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1.5, 10.0, "10", b"10", None, True, False, [10]])
def test_max_event_size_must_be_an_int(backend, value):
    with pytest.raises(TypeError, match="max_event_size"):
        SSEDecoder(max_event_size=value, backend=backend)


@pytest.mark.parametrize("value", [0, -1, -(2**70)])
def test_max_event_size_must_be_at_least_one(backend, value):
    with pytest.raises(ValueError, match="max_event_size"):
        SSEDecoder(max_event_size=value, backend=backend)


@pytest.mark.parametrize("value", [1, 2**31, 2**64, 2**70])
def test_any_positive_max_event_size_is_accepted(backend, value):
    decoder = SSEDecoder(max_event_size=value, backend=backend)
    if value == 1:
        with pytest.raises(ssejet.EventTooLargeError) as info:
            decoder.feed(b"data: x\n\n")
        assert info.value.limit == 1
    else:
        assert [e.data for e in decoder.feed(b"data: x\n\n")] == ["x"]


def test_max_event_size_is_keyword_only():
    with pytest.raises(TypeError):
        SSEDecoder(100)  # type: ignore[misc]
