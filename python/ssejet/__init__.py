"""ssejet: Server-Sent Events for LLM streams, parsed into typed Python objects, fast.

>>> import ssejet
>>> ssejet.SSEDecoder().feed(b"data: hi\\n\\n")[0].data
'hi'
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

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

backend: _backend.Backend = _backend.default
"""The backend decoders use by default: ``"rust"`` or ``"python"`` (see ``SSEJET_BACKEND``)."""

try:
    __version__ = version("ssejet")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0+unknown"

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
    "accumulate",
    "backend",
    "parse_chunk",
]
