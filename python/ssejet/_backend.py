"""Which implementation decodes: the Rust extension or the pure-Python fallback.

Decided once at import from ``SSEJET_BACKEND`` (``auto``, the default: Rust when it imports,
else Python; ``rust``: Rust or an ImportError saying how to build it; ``python``: the
fallback), and per decoder by the ``backend=`` keyword.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Literal, Optional

Backend = Literal["rust", "python"]

BUILD_HINT = (
    "the ssejet Rust extension (ssejet._ssejet) is not available: install a wheel "
    "(pip install ssejet), or build it from a source checkout with `make build` "
    "(or `maturin develop --release`); set SSEJET_BACKEND=python to use the pure-Python backend"
)

_rust_module: Optional[ModuleType]
_rust_error: Optional[ImportError] = None
try:
    from . import _ssejet as _rust_module
except ImportError as error:  # pragma: no cover - depends on how ssejet was installed
    _rust_module = None
    _rust_error = error


def compiled() -> Optional[ModuleType]:
    """The compiled extension, or None when it did not import."""
    return _rust_module


def rust() -> ModuleType:
    """The compiled extension, or an ImportError that says how to build it."""
    if _rust_module is None:
        raise ImportError(f"{BUILD_HINT} (import failed: {_rust_error})")
    return _rust_module


def _default() -> Backend:
    choice = os.environ.get("SSEJET_BACKEND", "auto").strip().lower() or "auto"
    if choice == "auto":
        return "rust" if _rust_module is not None else "python"
    if choice == "rust":
        rust()
        return "rust"
    if choice == "python":
        return "python"
    raise ValueError(f"SSEJET_BACKEND must be 'auto', 'rust' or 'python', not {choice!r}")


default: Backend = _default()


def resolve(backend: str | None) -> Backend:
    """The backend a decoder made with ``backend=`` uses."""
    if backend is None:
        return default
    if backend == "rust":
        rust()
        return "rust"
    if backend == "python":
        return "python"
    raise ValueError(f"backend must be None, 'rust' or 'python', not {backend!r}")
