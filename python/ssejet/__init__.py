"""ssejet: Server-Sent Events for LLM streams, parsed into typed Python objects, fast.

>>> import ssejet
>>> ssejet.SSEDecoder().feed(b"data: hi\\n\\n")[0].data
'hi'
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from . import _backend
from ._decoders import SSEDecoder
from ._errors import (
    APIStatusError,
    ChunkDecodeError,
    EventTooLargeError,
    SSEError,
    StreamAPIError,
)
from ._models import ServerSentEvent

if _backend._rust_module is not None:
    ServerSentEvent.register(_backend._rust_module.ServerSentEvent)

backend: _backend.Backend = _backend.default
"""The backend decoders use by default: ``"rust"`` or ``"python"`` (see ``SSEJET_BACKEND``)."""

try:
    __version__ = version("ssejet")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0+unknown"

__all__ = [
    "APIStatusError",
    "ChunkDecodeError",
    "EventTooLargeError",
    "SSEDecoder",
    "SSEError",
    "ServerSentEvent",
    "StreamAPIError",
    "backend",
]
