"""ssejet: Server-Sent Events for LLM streams, parsed into typed Python objects, fast.

>>> import ssejet
>>> ssejet.SSEDecoder().feed(b"data: hi\\n\\n")[0].data
'hi'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _backend
from ._accumulate import Accumulator, accumulate
from ._decoders import ChunkDecoder, SSEDecoder, parse_chunk
from ._errors import (
    APIStatusError,
    ChunkDecodeError,
    EventTooLargeError,
    SSEError,
    StreamAPIError,
)
from ._models import (
    ChatCompletion,
    ChatCompletionChunk,
    Choice,
    CompletionChoice,
    Delta,
    Function,
    FunctionDelta,
    Message,
    ServerSentEvent,
    ToolCall,
    ToolCallDelta,
    Usage,
)

if _backend._rust_module is not None:
    ServerSentEvent.register(_backend._rust_module.ServerSentEvent)
    # The Rust backend's chunk classes, as far as the extension has them.
    for _abc in (ChatCompletionChunk, Choice, Delta, FunctionDelta, ToolCallDelta, Usage):
        _rust_class = getattr(_backend._rust_module, _abc.__name__, None)
        if _rust_class is not None:
            _abc.register(_rust_class)
    del _abc, _rust_class

if TYPE_CHECKING:  # imported on first use (see __getattr__)
    from ._accelerate import accelerate
    from ._httpx import (
        EventSource,
        aconnect_sse,
        aiter_chunks,
        aiter_sse,
        connect_sse,
        iter_chunks,
        iter_sse,
    )

_HTTPX_NAMES = frozenset(
    {"EventSource", "aconnect_sse", "aiter_chunks", "aiter_sse", "connect_sse", "iter_chunks",
     "iter_sse"}
)  # fmt: skip


def __getattr__(name: str) -> Any:
    # What is optional or slow to import loads when first asked for, so `import ssejet` stays
    # cheap: httpx (pip install "ssejet[httpx]"), the SDK hooks, package metadata.
    if name in _HTTPX_NAMES:
        from . import _httpx  # raises an ImportError naming the extra when httpx is missing

        return getattr(_httpx, name)
    if name == "accelerate":
        from ._accelerate import accelerate

        return accelerate
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("ssejet")
        except PackageNotFoundError:  # pragma: no cover - a bare source tree
            return "0+unknown"
    raise AttributeError(f"module 'ssejet' has no attribute {name!r}")


backend: _backend.Backend = _backend.default
"""The backend decoders use by default: ``"rust"`` or ``"python"`` (see ``SSEJET_BACKEND``)."""

__all__ = [
    "APIStatusError",
    "Accumulator",
    "ChatCompletion",
    "ChatCompletionChunk",
    "Choice",
    "ChunkDecodeError",
    "ChunkDecoder",
    "CompletionChoice",
    "Delta",
    "EventSource",
    "EventTooLargeError",
    "Function",
    "FunctionDelta",
    "Message",
    "SSEDecoder",
    "SSEError",
    "ServerSentEvent",
    "StreamAPIError",
    "ToolCall",
    "ToolCallDelta",
    "Usage",
    "accelerate",
    "accumulate",
    "aconnect_sse",
    "aiter_chunks",
    "aiter_sse",
    "backend",
    "connect_sse",
    "iter_chunks",
    "iter_sse",
    "parse_chunk",
]
