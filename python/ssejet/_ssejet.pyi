"""Stub for the compiled extension ``ssejet._ssejet`` (the Rust backend; ``rust/python/``).

Private: users import the public classes from ``ssejet``, where each compiled class below is
registered with the public class of its name (an ABC), so ``isinstance`` holds for both
backends. Checked against the built module by ``python -m mypy.stubtest ssejet._ssejet
--allowlist stubtest-allowlist.txt`` (scripts/check_wheel.sh, on the installed wheel).

The record classes (``ServerSentEvent`` ... ``ChatCompletionChunk``) are frozen and have no
constructor: their instances come only from the decoders and ``parse_chunk``. They compare by
value, and pickle (and copy) as the public Python class of the same name.
"""

from typing import Any, ClassVar, final

__all__ = [
    "ServerSentEvent",
    "SSEDecoder",
    "FunctionDelta",
    "ToolCallDelta",
    "Delta",
    "Choice",
    "Usage",
    "ChatCompletionChunk",
    "ChunkDecoder",
    "parse_chunk",
]

# --- Layer 1: SSE framing (rust/python/events.rs) ---------------------------------------------

@final
class ServerSentEvent:
    """One dispatched Server-Sent Event. Immutable, hashable, equal by value."""

    @property
    def event(self) -> str:
        """The event type, ``"message"`` when the stream gave none."""
    @property
    def data(self) -> str:
        """The data lines joined with ``"\\n"``."""
    @property
    def id(self) -> str:
        """The last event ID in effect at dispatch (``""`` if never set)."""
    @property
    def retry(self) -> int | None:
        """The reconnection time (ms) from this event's ``retry`` field, else None."""
    def json(self) -> Any:
        """Parses ``data`` as JSON (with orjson).

        Raises:
            orjson.JSONDecodeError: ``data`` is not valid JSON.
        """
    def __hash__(self) -> int: ...

@final
class SSEDecoder:
    """Incremental SSE decoder: the compiled implementation behind ``ssejet.SSEDecoder``.

    Args:
        max_event_size: the most bytes an event's field lines may hold (at least 1; the
            public facade checks it).
    """

    def __new__(cls, max_event_size: int) -> SSEDecoder: ...
    def feed(self, data: bytes | bytearray | memoryview) -> list[ServerSentEvent]:
        """Decodes the next bytes of the stream; returns the events they complete.

        Raises:
            EventTooLargeError: an event passed ``max_event_size``; ``.events`` holds every
                good event of this call, and the decoder stays usable.
            TypeError: ``data`` is not bytes, bytearray or memoryview.
        """
    def close(self) -> list[ServerSentEvent]:
        """Ends the stream (an unterminated event is discarded); always returns ``[]``."""
    @property
    def incomplete(self) -> bool:
        """True when bytes of an unfinished event are buffered: a body ending now would be
        truncated."""
    @property
    def last_event_id(self) -> str:
        """The last event ID buffer's value at the last blank line."""
    @property
    def retry(self) -> int | None:
        """The last valid ``retry`` value of the stream, in milliseconds."""
    @property
    def max_event_size(self) -> int:
        """The limit this decoder was made with."""

# --- Layer 2: chat-completion chunks (rust/python/chunks.rs) ----------------------------------

@final
class FunctionDelta:
    """A fragment of a tool call's function. Hashable."""

    @property
    def name(self) -> str | None: ...
    @property
    def arguments(self) -> str | None: ...
    def __hash__(self) -> int: ...

@final
class ToolCallDelta:
    """A fragment of one tool call; fragments with the same ``index`` belong together."""

    @property
    def index(self) -> int: ...
    @property
    def id(self) -> str | None: ...
    @property
    def type(self) -> str | None: ...
    @property
    def function(self) -> FunctionDelta | None: ...
    def __hash__(self) -> int: ...

@final
class Delta:
    """What one chunk adds to a choice's message. Not hashable (it holds a list)."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def role(self) -> str | None: ...
    @property
    def content(self) -> str | None: ...
    @property
    def reasoning_content(self) -> str | None: ...
    @property
    def refusal(self) -> str | None: ...
    @property
    def tool_calls(self) -> list[ToolCallDelta] | None: ...

@final
class Choice:
    """One choice of a chunk. Not hashable."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def index(self) -> int: ...
    @property
    def delta(self) -> Delta: ...
    @property
    def finish_reason(self) -> str | None: ...
    @property
    def logprobs(self) -> dict[str, Any] | None: ...

@final
class Usage:
    """Token counts; the provider's other usage fields are readable as attributes too."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def prompt_tokens(self) -> int | None: ...
    @property
    def completion_tokens(self) -> int | None: ...
    @property
    def total_tokens(self) -> int | None: ...
    @property
    def prompt_tokens_details(self) -> dict[str, Any] | None: ...
    @property
    def completion_tokens_details(self) -> dict[str, Any] | None: ...
    def to_dict(self) -> dict[str, Any]:
        """The provider's usage object as sent (a fresh dict), unknown fields included."""
    def __getattr__(self, name: str) -> Any:
        """A usage field the API does not name (DeepSeek's ``prompt_cache_hit_tokens``...).

        Raises:
            AttributeError: the provider sent no such field.
        """

@final
class ChatCompletionChunk:
    """One ``chat.completion.chunk``; attribute access mirrors the OpenAI SDK. Not hashable."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def id(self) -> str | None: ...
    @property
    def object(self) -> str | None: ...
    @property
    def created(self) -> int | None: ...
    @property
    def model(self) -> str | None: ...
    @property
    def service_tier(self) -> str | None: ...
    @property
    def system_fingerprint(self) -> str | None: ...
    @property
    def choices(self) -> list[Choice]: ...
    @property
    def usage(self) -> Usage | None: ...
    def to_dict(self) -> dict[str, Any]:
        """The chunk's whole JSON payload as a fresh dict (unknown fields included)."""
    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What the SDK's ``ChatCompletionChunk.model_dump(**kwargs)`` gives (the SDK of the
        decoder that made the chunk; without one, openai's if installed, else Ark's)."""
    def model_dump_json(self, **kwargs: Any) -> str:
        """What the SDK's ``ChatCompletionChunk.model_dump_json(**kwargs)`` gives."""
    @property
    def _sdk(self) -> str | None:
        """The SDK of the decoder that made the chunk (``"openai"``, ``"ark"``) or None."""

@final
class ChunkDecoder:
    """Incremental chunk decoder: the compiled implementation behind ``ssejet.ChunkDecoder``.

    Args:
        max_event_size: the most bytes an event's field lines may hold (at least 1; the
            public facade checks it).
        sdk: the SDK whose models the chunks' ``model_dump()`` reproduces, or None.
    """

    def __new__(cls, max_event_size: int, sdk: str | None = None) -> ChunkDecoder: ...
    def feed(self, data: bytes | bytearray | memoryview) -> list[ChatCompletionChunk]:
        """Decodes the next bytes of the stream; returns the chunks they complete.

        Raises:
            StreamAPIError: the provider reported an error; ends the stream.
            ChunkDecodeError: a payload is not valid JSON or a known field has a wrong type;
                ends the stream.
            EventTooLargeError: an event passed ``max_event_size``; the decoder goes on.
            TypeError: ``data`` is not bytes, bytearray or memoryview.

            The ssejet errors carry in ``.chunks`` the chunks this call completed before them.
        """
    def close(self) -> list[ChatCompletionChunk]:
        """Ends the stream (an unterminated event is discarded, but a pending ``[DONE]`` sets
        ``done``); always returns ``[]``."""
    @property
    def done(self) -> bool:
        """True once ``[DONE]`` was seen in the current stream."""
    @property
    def incomplete(self) -> bool:
        """True when bytes of an unfinished event are buffered: a body ending now would be
        truncated (False once the stream has ended)."""
    @property
    def max_event_size(self) -> int:
        """The limit this decoder was made with."""

def parse_chunk(data: str | bytes | bytearray | memoryview) -> ChatCompletionChunk:
    """Parses one chunk payload: the chunk a ``ChunkDecoder`` gives for an event with this data.

    Raises:
        ChunkDecodeError: not valid JSON, or a known field has a wrong type.
        StreamAPIError: the payload has a truthy top-level ``error``.
        TypeError: ``data`` is not str, bytes, bytearray or memoryview.
    """

# --- Layer 2b: the Anthropic Messages dialect (rust/python/anthropic.rs) -----------------------
# Frozen, no constructor (instances come from AnthropicEventDecoder); equal by value across
# backends; pickled as the public class of ``ssejet.anthropic``. The payload's other keys read
# as attributes too (``__getattr__``, not stubbed: see ``ssejet.anthropic``'s classes).

@final
class TextDelta:
    """A piece of a text block's text (``text_delta``)."""

    @property
    def type(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def _payload(self) -> bytes: ...
    def to_dict(self) -> dict[str, Any]:
        """The object as orjson parses it from the event's payload (a fresh dict)."""
    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What anthropic's model of this event gives (events only; a nested delta raises
        TypeError)."""
    def model_dump_json(self, **kwargs: Any) -> str:
        """What anthropic's model of this event gives for ``model_dump_json``."""
    @property
    def _sdk(self) -> str: ...

@final
class InputJSONDelta:
    """A fragment of a tool call's input JSON (``input_json_delta``)."""

    @property
    def type(self) -> str: ...
    @property
    def partial_json(self) -> str: ...
    @property
    def _payload(self) -> bytes: ...
    def to_dict(self) -> dict[str, Any]:
        """The object as orjson parses it from the event's payload (a fresh dict)."""
    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What anthropic's model of this event gives (events only; a nested delta raises
        TypeError)."""
    def model_dump_json(self, **kwargs: Any) -> str:
        """What anthropic's model of this event gives for ``model_dump_json``."""
    @property
    def _sdk(self) -> str: ...

@final
class ThinkingDelta:
    """A piece of thinking (``thinking_delta``)."""

    @property
    def type(self) -> str: ...
    @property
    def thinking(self) -> str: ...
    @property
    def _payload(self) -> bytes: ...
    def to_dict(self) -> dict[str, Any]:
        """The object as orjson parses it from the event's payload (a fresh dict)."""
    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What anthropic's model of this event gives (events only; a nested delta raises
        TypeError)."""
    def model_dump_json(self, **kwargs: Any) -> str:
        """What anthropic's model of this event gives for ``model_dump_json``."""
    @property
    def _sdk(self) -> str: ...

@final
class SignatureDelta:
    """A thinking block's signature (``signature_delta``)."""

    @property
    def type(self) -> str: ...
    @property
    def signature(self) -> str: ...
    @property
    def _payload(self) -> bytes: ...
    def to_dict(self) -> dict[str, Any]:
        """The object as orjson parses it from the event's payload (a fresh dict)."""
    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What anthropic's model of this event gives (events only; a nested delta raises
        TypeError)."""
    def model_dump_json(self, **kwargs: Any) -> str:
        """What anthropic's model of this event gives for ``model_dump_json``."""
    @property
    def _sdk(self) -> str: ...

@final
class CitationsDelta:
    """A citation for a text block (``citations_delta``); ``citation`` is a record."""

    @property
    def type(self) -> str: ...
    @property
    def citation(self) -> Any: ...
    @property
    def _payload(self) -> bytes: ...
    def to_dict(self) -> dict[str, Any]:
        """The object as orjson parses it from the event's payload (a fresh dict)."""
    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What anthropic's model of this event gives (events only; a nested delta raises
        TypeError)."""
    def model_dump_json(self, **kwargs: Any) -> str:
        """What anthropic's model of this event gives for ``model_dump_json``."""
    @property
    def _sdk(self) -> str: ...

@final
class ContentBlockDeltaEvent:
    """``content_block_delta``: ``delta`` is one of the delta classes above, or a record."""

    @property
    def type(self) -> str: ...
    @property
    def index(self) -> int: ...
    @property
    def delta(self) -> Any: ...
    @property
    def _payload(self) -> bytes: ...
    def to_dict(self) -> dict[str, Any]:
        """The object as orjson parses it from the event's payload (a fresh dict)."""
    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What anthropic's model of this event gives (events only; a nested delta raises
        TypeError)."""
    def model_dump_json(self, **kwargs: Any) -> str:
        """What anthropic's model of this event gives for ``model_dump_json``."""
    @property
    def _sdk(self) -> str: ...

@final
class MessageStartEvent:
    """``message_start``: ``message`` is a record."""

    @property
    def type(self) -> str: ...
    @property
    def message(self) -> Any: ...
    @property
    def _payload(self) -> bytes: ...
    def to_dict(self) -> dict[str, Any]:
        """The object as orjson parses it from the event's payload (a fresh dict)."""
    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What anthropic's model of this event gives (events only; a nested delta raises
        TypeError)."""
    def model_dump_json(self, **kwargs: Any) -> str:
        """What anthropic's model of this event gives for ``model_dump_json``."""
    @property
    def _sdk(self) -> str: ...

@final
class ContentBlockStartEvent:
    """``content_block_start``: ``content_block`` is a record."""

    @property
    def type(self) -> str: ...
    @property
    def index(self) -> int: ...
    @property
    def content_block(self) -> Any: ...
    @property
    def _payload(self) -> bytes: ...
    def to_dict(self) -> dict[str, Any]:
        """The object as orjson parses it from the event's payload (a fresh dict)."""
    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What anthropic's model of this event gives (events only; a nested delta raises
        TypeError)."""
    def model_dump_json(self, **kwargs: Any) -> str:
        """What anthropic's model of this event gives for ``model_dump_json``."""
    @property
    def _sdk(self) -> str: ...

@final
class ContentBlockStopEvent:
    """``content_block_stop``."""

    @property
    def type(self) -> str: ...
    @property
    def index(self) -> int: ...
    @property
    def _payload(self) -> bytes: ...
    def to_dict(self) -> dict[str, Any]:
        """The object as orjson parses it from the event's payload (a fresh dict)."""
    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What anthropic's model of this event gives (events only; a nested delta raises
        TypeError)."""
    def model_dump_json(self, **kwargs: Any) -> str:
        """What anthropic's model of this event gives for ``model_dump_json``."""
    @property
    def _sdk(self) -> str: ...

@final
class MessageDeltaEvent:
    """``message_delta``: ``delta`` a record, ``usage`` a record or None."""

    @property
    def type(self) -> str: ...
    @property
    def delta(self) -> Any: ...
    @property
    def usage(self) -> Any: ...
    @property
    def _payload(self) -> bytes: ...
    def to_dict(self) -> dict[str, Any]:
        """The object as orjson parses it from the event's payload (a fresh dict)."""
    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What anthropic's model of this event gives (events only; a nested delta raises
        TypeError)."""
    def model_dump_json(self, **kwargs: Any) -> str:
        """What anthropic's model of this event gives for ``model_dump_json``."""
    @property
    def _sdk(self) -> str: ...

@final
class MessageStopEvent:
    """``message_stop``."""

    @property
    def type(self) -> str: ...
    @property
    def _payload(self) -> bytes: ...
    def to_dict(self) -> dict[str, Any]:
        """The object as orjson parses it from the event's payload (a fresh dict)."""
    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What anthropic's model of this event gives (events only; a nested delta raises
        TypeError)."""
    def model_dump_json(self, **kwargs: Any) -> str:
        """What anthropic's model of this event gives for ``model_dump_json``."""
    @property
    def _sdk(self) -> str: ...

@final
class AnthropicEventDecoder:
    """Incremental Anthropic Messages decoder: the compiled implementation behind
    ``ssejet.anthropic.EventDecoder``.

    Args:
        max_event_size: the most bytes an event's field lines may hold (at least 1; the
            public facade checks it).
    """

    def __new__(cls, max_event_size: int) -> AnthropicEventDecoder: ...
    def feed(self, data: bytes | bytearray | memoryview) -> list[Any]:
        """Decodes the next bytes of the stream; returns the events they complete.

        Raises:
            StreamAPIError: an ``error`` event or a truthy ``error`` payload; ends the stream.
            ChunkDecodeError: a payload is not a JSON object or a hot-path field has the wrong
                JSON type; ends the stream.
            EventTooLargeError: an event passed ``max_event_size``; the decoder goes on.
            TypeError: ``data`` is not bytes, bytearray or memoryview.

            The ssejet errors carry in ``.events`` the events this call completed before them.
        """
    def close(self) -> list[Any]:
        """Ends the stream (an unterminated event is discarded); always returns ``[]``."""
    @property
    def done(self) -> bool:
        """True once ``message_stop`` was seen in the current stream."""
    @property
    def incomplete(self) -> bool:
        """True when bytes of an unfinished event are buffered (False once the stream ended)."""
    @property
    def max_event_size(self) -> int:
        """The limit this decoder was made with."""

__all__ += [
    "TextDelta",
    "InputJSONDelta",
    "ThinkingDelta",
    "SignatureDelta",
    "CitationsDelta",
    "ContentBlockDeltaEvent",
    "MessageStartEvent",
    "ContentBlockStartEvent",
    "ContentBlockStopEvent",
    "MessageDeltaEvent",
    "MessageStopEvent",
    "AnthropicEventDecoder",
]

# --- Layer 2b: the OpenAI Responses dialect (rust/python/responses.rs) -------------------------
# Frozen, no constructor (instances come from ResponsesEventDecoder); equal by value across
# backends; pickled as the public class of ``ssejet.responses``. The payload's other keys
# (``logprobs``, ``obfuscation``...) read as attributes too (``__getattr__``, not stubbed: see
# ``ssejet.responses``'s classes). Every other event type is an ``ssejet._records.Record``.

@final
class ResponseTextDeltaEvent:
    """``response.output_text.delta``: a piece of a message part's text."""

    @property
    def type(self) -> str: ...
    @property
    def item_id(self) -> str | None: ...
    @property
    def output_index(self) -> int: ...
    @property
    def content_index(self) -> int: ...
    @property
    def delta(self) -> str: ...
    @property
    def sequence_number(self) -> int | None: ...
    @property
    def _payload(self) -> bytes: ...
    def to_dict(self) -> dict[str, Any]:
        """The payload as orjson parses it (a fresh dict), unknown fields included."""
    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What openai's model of this event gives (events only; a nested delta raises
        TypeError)."""
    def model_dump_json(self, **kwargs: Any) -> str:
        """What openai's model of this event gives for ``model_dump_json``."""
    @property
    def _sdk(self) -> str: ...

@final
class ResponseFunctionCallArgumentsDeltaEvent:
    """``response.function_call_arguments.delta``: a piece of a function call's arguments."""

    @property
    def type(self) -> str: ...
    @property
    def item_id(self) -> str | None: ...
    @property
    def output_index(self) -> int: ...
    @property
    def delta(self) -> str: ...
    @property
    def sequence_number(self) -> int | None: ...
    @property
    def _payload(self) -> bytes: ...
    def to_dict(self) -> dict[str, Any]:
        """The payload as orjson parses it (a fresh dict), unknown fields included."""
    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What openai's model of this event gives (events only; a nested delta raises
        TypeError)."""
    def model_dump_json(self, **kwargs: Any) -> str:
        """What openai's model of this event gives for ``model_dump_json``."""
    @property
    def _sdk(self) -> str: ...

@final
class ResponseReasoningSummaryTextDeltaEvent:
    """``response.reasoning_summary_text.delta``: a piece of a reasoning summary's text."""

    @property
    def type(self) -> str: ...
    @property
    def item_id(self) -> str | None: ...
    @property
    def output_index(self) -> int: ...
    @property
    def summary_index(self) -> int: ...
    @property
    def delta(self) -> str: ...
    @property
    def sequence_number(self) -> int | None: ...
    @property
    def _payload(self) -> bytes: ...
    def to_dict(self) -> dict[str, Any]:
        """The payload as orjson parses it (a fresh dict), unknown fields included."""
    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What openai's model of this event gives (events only; a nested delta raises
        TypeError)."""
    def model_dump_json(self, **kwargs: Any) -> str:
        """What openai's model of this event gives for ``model_dump_json``."""
    @property
    def _sdk(self) -> str: ...

@final
class ResponseReasoningTextDeltaEvent:
    """``response.reasoning_text.delta``: a piece of a reasoning item's raw text."""

    @property
    def type(self) -> str: ...
    @property
    def item_id(self) -> str | None: ...
    @property
    def output_index(self) -> int: ...
    @property
    def content_index(self) -> int: ...
    @property
    def delta(self) -> str: ...
    @property
    def sequence_number(self) -> int | None: ...
    @property
    def _payload(self) -> bytes: ...
    def to_dict(self) -> dict[str, Any]:
        """The payload as orjson parses it (a fresh dict), unknown fields included."""
    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What openai's model of this event gives (events only; a nested delta raises
        TypeError)."""
    def model_dump_json(self, **kwargs: Any) -> str:
        """What openai's model of this event gives for ``model_dump_json``."""
    @property
    def _sdk(self) -> str: ...

@final
class ResponsesEventDecoder:
    """Incremental OpenAI Responses decoder: the compiled implementation behind
    ``ssejet.responses.EventDecoder``.

    Args:
        max_event_size: the most bytes an event's field lines may hold (at least 1; the
            public facade checks it).
    """

    def __new__(cls, max_event_size: int) -> ResponsesEventDecoder: ...
    def feed(self, data: bytes | bytearray | memoryview) -> list[Any]:
        """Decodes the next bytes of the stream; returns the events they complete.

        Raises:
            StreamAPIError: an ``error`` event or a truthy ``error`` payload; ends the stream.
            ChunkDecodeError: a payload is not a JSON object or a delta event's field has the
                wrong JSON type; ends the stream.
            EventTooLargeError: an event passed ``max_event_size``; the decoder goes on.
            TypeError: ``data`` is not bytes, bytearray or memoryview.

            The ssejet errors carry in ``.events`` the events this call completed before them.
        """
    def close(self) -> list[Any]:
        """Ends the stream (an unterminated event is discarded); always returns ``[]``."""
    @property
    def done(self) -> bool:
        """True once ``response.completed``, ``.failed``, ``.incomplete`` or ``[DONE]`` was
        seen in the current stream."""
    @property
    def incomplete(self) -> bool:
        """True when bytes of an unfinished event are buffered (False once the stream ended)."""
    @property
    def max_event_size(self) -> int:
        """The limit this decoder was made with."""

__all__ += [
    "ResponseTextDeltaEvent",
    "ResponseFunctionCallArgumentsDeltaEvent",
    "ResponseReasoningSummaryTextDeltaEvent",
    "ResponseReasoningTextDeltaEvent",
    "ResponsesEventDecoder",
]
