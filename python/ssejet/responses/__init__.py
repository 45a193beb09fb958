"""The OpenAI Responses stream (layer 2b/3b): typed delta events, parsed in Rust, every other
event a read-only record, and the final response the SDK's stream helper builds.

>>> import ssejet.responses
>>> body = [
...     b'event: response.output_text.delta\\ndata: {"type":"response.output_text.delta",'
...     b'"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi"}\\n\\n'
... ]
>>> [event.delta for event in ssejet.responses.iter_events(body)]
['Hi']
"""

from __future__ import annotations

from ._accumulate import Accumulator, Response, accumulate
from ._decoder import EventDecoder, aiter_events, iter_events
from ._models import (
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseReasoningSummaryTextDeltaEvent,
    ResponseReasoningTextDeltaEvent,
    ResponseTextDeltaEvent,
)

__all__ = [
    "Accumulator",
    "EventDecoder",
    "Response",
    "ResponseFunctionCallArgumentsDeltaEvent",
    "ResponseReasoningSummaryTextDeltaEvent",
    "ResponseReasoningTextDeltaEvent",
    "ResponseTextDeltaEvent",
    "accumulate",
    "aiter_events",
    "iter_events",
]
