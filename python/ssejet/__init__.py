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
from ._sdk import accelerate  # also installs the SDK models' model_dump bridge

if TYPE_CHECKING:  # imported on first use (see __getattr__)
    from ._transport.httpx import EventSource, aconnect_sse, connect_sse
    from ._transport.iterators import aiter_chunks, aiter_sse, iter_chunks, iter_sse
    from ._transport.reconnect import areconnecting_sse, reconnecting_sse

# Where each name that loads on first use lives.
_LAZY = {
    "EventSource": "._transport.httpx",
    "aconnect_sse": "._transport.httpx",
    "connect_sse": "._transport.httpx",
    "aiter_chunks": "._transport.iterators",
    "aiter_sse": "._transport.iterators",
    "iter_chunks": "._transport.iterators",
    "iter_sse": "._transport.iterators",
    "areconnecting_sse": "._transport.reconnect",
    "reconnecting_sse": "._transport.reconnect",
}


def __getattr__(name: str) -> Any:
    # The integrations load when first asked for, so `import ssejet` stays cheap and needs none
    # of the optional clients; so does the package metadata.
    module = _LAZY.get(name)
    if module is not None:
        from importlib import import_module

        return getattr(import_module(module, __name__), name)
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
    "areconnecting_sse",
    "backend",
    "connect_sse",
    "iter_chunks",
    "iter_sse",
    "parse_chunk",
    "reconnecting_sse",
]
