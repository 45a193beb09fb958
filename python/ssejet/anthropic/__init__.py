"""The Anthropic Messages stream (layer 2b/3b): typed events, parsed in Rust, and the final
message the SDK's stream helper builds.

>>> import ssejet.anthropic
>>> body = [b'event: message_stop\\ndata: {"type":"message_stop"}\\n\\n']
>>> [event.type for event in ssejet.anthropic.iter_events(body)]
['message_stop']
"""

from __future__ import annotations

from ._accumulate import (
    Accumulator,
    Message,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    accumulate,
)
from ._decoder import EventDecoder, aiter_events, iter_events
from ._models import (
    CitationsDelta,
    ContentBlockDeltaEvent,
    ContentBlockStartEvent,
    ContentBlockStopEvent,
    InputJSONDelta,
    MessageDeltaEvent,
    MessageStartEvent,
    MessageStopEvent,
    SignatureDelta,
    TextDelta,
    ThinkingDelta,
)

__all__ = [
    "Accumulator",
    "CitationsDelta",
    "ContentBlockDeltaEvent",
    "ContentBlockStartEvent",
    "ContentBlockStopEvent",
    "EventDecoder",
    "InputJSONDelta",
    "Message",
    "MessageDeltaEvent",
    "MessageStartEvent",
    "MessageStopEvent",
    "ServerToolUseBlock",
    "SignatureDelta",
    "TextBlock",
    "TextDelta",
    "ThinkingBlock",
    "ThinkingDelta",
    "ToolUseBlock",
    "accumulate",
    "aiter_events",
    "iter_events",
]
