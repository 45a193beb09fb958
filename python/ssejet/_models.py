"""The objects ssejet hands out, one definition for both backends.

The Rust extension has its own compiled classes of the same names (built without calling
Python code, which is what makes it fast); each of them is registered with the class here,
so ``isinstance(x, ssejet.ServerSentEvent)`` holds whichever backend made ``x``, and the two
compare equal when their fields do.
"""

from __future__ import annotations

from abc import ABCMeta
from collections.abc import Iterable
from typing import Any

import orjson

from ._hooks import sdk_dump


class ServerSentEvent(metaclass=ABCMeta):
    """One dispatched Server-Sent Event. Immutable, hashable, equal by value.

    Attributes:
        event: the event type, ``"message"`` when the stream gave none.
        data: the data lines joined with ``"\\n"``.
        id: the last event ID in effect at dispatch (``""`` if never set).
        retry: the reconnection time (ms) from this event's ``retry`` field, else None.

    >>> ServerSentEvent(data='{"a": 1}').json()
    {'a': 1}
    """

    __slots__ = ("event", "data", "id", "retry")
    event: str
    data: str
    id: str
    retry: int | None

    def __init__(
        self,
        event: str | None = "message",
        data: str | None = "",
        id: str | None = "",
        retry: int | None = None,
    ) -> None:
        # None means "not given", as httpx-sse takes it: the fields' defaults.
        _set_event(self, "message" if event is None else event)
        _set_data(self, "" if data is None else data)
        _set_id(self, "" if id is None else id)
        _set_retry(self, retry)

    def json(self) -> Any:
        """Parses ``data`` as JSON (with orjson)."""
        return orjson.loads(self.data)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"ServerSentEvent is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"ServerSentEvent is immutable: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ServerSentEvent):
            return NotImplemented
        return (
            self.event == other.event
            and self.data == other.data
            and self.id == other.id
            and self.retry == other.retry
        )

    def __hash__(self) -> int:
        return hash((self.event, self.data, self.id, self.retry))

    def __repr__(self) -> str:
        return (
            f"ServerSentEvent(event={self.event!r}, data={self.data!r}, "
            f"id={self.id!r}, retry={self.retry!r})"
        )

    def __reduce__(self) -> Any:
        return ServerSentEvent, (self.event, self.data, self.id, self.retry)


# The slots' own setters: they bypass the immutability guard, for __init__ and make_event.
_set_event = ServerSentEvent.event.__set__  # type: ignore[attr-defined]
_set_data = ServerSentEvent.data.__set__  # type: ignore[attr-defined]
_set_id = ServerSentEvent.id.__set__  # type: ignore[attr-defined]
_set_retry = ServerSentEvent.retry.__set__  # type: ignore[attr-defined]
_new = object.__new__


def make_event(event: str, data: str, id: str, retry: int | None) -> ServerSentEvent:
    """Builds an event without the ``__init__`` call: the pure backend's hot path."""
    ev = _new(ServerSentEvent)
    _set_event(ev, event)
    _set_data(ev, data)
    _set_id(ev, id)
    _set_retry(ev, retry)
    return ev


# --- Layers 2 and 3: chat-completion chunks and the accumulated completion -------------------
#
# Performance note (the pure backend's hot path, CPython 3.11, counted with cachegrind): the
# classes are read-only through a ``__setattr__`` that raises, so filling a slot directly costs
# a call of the slot's own ``__set__`` (~860 instructions a field). Instead each class has a
# private mutable twin (``cls._mutable``: same slots, object's own ``__init__`` and
# ``__setattr__``): the decoders call ``twin()`` (~830), store the fields (~55 each), then switch
# ``__class__`` to the public, read-only class (~500). For a Delta that is ~1.6k instructions
# instead of ~4.3k. Users only ever see the public classes.


def _copy_json(value: Any) -> Any:
    """A fresh copy of a JSON-like value (dicts and lists copied, scalars shared)."""
    if type(value) is dict:
        return {k: _copy_json(v) for k, v in value.items()}
    if type(value) is list:
        return [_copy_json(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    """A value as ``to_dict`` gives it: records (of either backend) become dicts."""
    if type(value) is list:
        return [_plain(v) for v in value]
    for cls in _RECORDS:
        if isinstance(value, cls):
            return cls._dict_of(value)
    return _copy_json(value)


class _Record(metaclass=ABCMeta):
    """Shared behaviour: read-only, equal by value (API attributes only), repr, pickle."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()  # the API attributes, in API.md order
    _public: type[_Record]
    _mutable: type[_Record]

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{self._public.__name__} is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{self._public.__name__} is immutable: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        # Any instance of the same ABC, so a Rust-built object compares by value too.
        if not isinstance(other, self._public):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._fields)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{self._public.__name__}({fields})"

    def __reduce__(self) -> Any:
        cls = self._public
        return _restore, (cls, tuple(getattr(self, name) for name in cls.__slots__))

    @classmethod
    def _dict_of(cls, obj: Any) -> dict[str, Any]:
        """``obj``'s API attributes as a dict (``obj`` may come from either backend)."""
        return {name: _plain(getattr(obj, name)) for name in cls._fields}


def _seal(cls: Any) -> Any:
    """Gives a public record class its mutable twin (see the performance note above)."""
    cls._public = cls
    cls._mutable = type(
        cls.__name__,
        (cls,),
        {
            "__slots__": (),
            "__module__": cls.__module__,
            "__qualname__": f"_Mutable{cls.__name__}",
            # object's own slots, so ``twin()`` and attribute stores stay in C
            "__init__": object.__init__,
            "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__,
        },
    )
    return cls


def _restore(cls: Any, state: tuple[Any, ...]) -> Any:
    """Builds a record from the values of all its slots (pickle, copy, accumulate)."""
    obj = cls._mutable()
    for name, value in zip(cls.__slots__, state):
        setattr(obj, name, value)
    obj.__class__ = cls
    return obj


def _init(self: _Record, *values: Any) -> None:
    for name, value in zip(self._public.__slots__, values):
        object.__setattr__(self, name, value)


@_seal
class FunctionDelta(_Record):
    """A fragment of a tool call's function: ``name`` and a piece of ``arguments`` (JSON text)."""

    __slots__ = _fields = ("name", "arguments")
    name: str | None
    arguments: str | None

    def __init__(self, *, name: str | None = None, arguments: str | None = None) -> None:
        _init(self, name, arguments)

    def __hash__(self) -> int:
        return hash((self.name, self.arguments))


@_seal
class ToolCallDelta(_Record):
    """A fragment of one tool call; fragments with the same ``index`` belong together."""

    __slots__ = _fields = ("index", "id", "type", "function")
    index: int
    id: str | None
    type: str | None
    function: FunctionDelta | None

    def __init__(
        self,
        *,
        index: int = 0,
        id: str | None = None,
        type: str | None = None,
        function: FunctionDelta | None = None,
    ) -> None:
        _init(self, index, id, type, function)

    def __hash__(self) -> int:
        return hash((self.index, self.id, self.type, self.function))


@_seal
class Delta(_Record):
    """What one chunk adds to a choice's message. Every field is None when absent (or null).

    ``reasoning_content`` also carries ``delta.reasoning`` (OpenRouter, Groq) and the text of
    Mistral ``thinking`` content parts; ``content`` sent as a list of parts becomes its text.
    """

    __slots__ = _fields = ("role", "content", "reasoning_content", "refusal", "tool_calls")
    __hash__ = None  # type: ignore[assignment]
    role: str | None
    content: str | None
    reasoning_content: str | None
    refusal: str | None
    tool_calls: list[ToolCallDelta] | None

    def __init__(
        self,
        *,
        role: str | None = None,
        content: str | None = None,
        reasoning_content: str | None = None,
        refusal: str | None = None,
        tool_calls: Iterable[ToolCallDelta] | None = None,
    ) -> None:
        calls = None if tool_calls is None else list(tool_calls)
        _init(self, role, content, reasoning_content, refusal, calls)


@_seal
class Choice(_Record):
    """One choice of a chunk: its ``index``, the ``delta`` it brings, and how it finished."""

    __slots__ = _fields = ("index", "delta", "finish_reason", "logprobs")
    __hash__ = None  # type: ignore[assignment]
    index: int
    delta: Delta
    finish_reason: str | None
    logprobs: dict[str, Any] | None

    def __init__(
        self,
        *,
        index: int = 0,
        delta: Delta | None = None,
        finish_reason: str | None = None,
        logprobs: dict[str, Any] | None = None,
    ) -> None:
        _init(self, index, Delta() if delta is None else delta, finish_reason, logprobs)


@_seal
class Usage(_Record):
    """Token counts. Fields the API does not name (DeepSeek's ``prompt_cache_hit_tokens``,
    OpenRouter's ``cost``...) are readable as attributes too, and ``to_dict()`` gives the
    provider's whole usage object (for Groq, ``x_groq.usage``).

    >>> from ssejet import parse_chunk
    >>> usage = parse_chunk('{"usage": {"total_tokens": 3, "cost": 0.5}}').usage
    >>> usage.total_tokens, usage.cost
    (3, 0.5)
    """

    _fields = (
        "prompt_tokens", "completion_tokens", "total_tokens",
        "prompt_tokens_details", "completion_tokens_details",
    )  # fmt: skip
    __slots__ = (*_fields, "_raw")
    __hash__ = None  # type: ignore[assignment]
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    prompt_tokens_details: dict[str, Any] | None
    completion_tokens_details: dict[str, Any] | None

    def __init__(
        self,
        *,
        prompt_tokens: int | None = None,
        completion_tokens: int | None = None,
        total_tokens: int | None = None,
        prompt_tokens_details: dict[str, Any] | None = None,
        completion_tokens_details: dict[str, Any] | None = None,
    ) -> None:
        _init(
            self, prompt_tokens, completion_tokens, total_tokens, prompt_tokens_details,
            completion_tokens_details, None,
        )  # fmt: skip

    def __getattr__(self, name: str) -> Any:
        # Only reached when no slot has that name: the provider's extra usage fields.
        if not name.startswith("_"):
            raw = self._raw
            if raw is not None and name in raw:
                return raw[name]
        raise AttributeError(f"'Usage' object has no attribute {name!r}")

    def to_dict(self) -> dict[str, Any]:
        """The provider's usage object as sent (a fresh copy), unknown fields included."""
        raw = self._raw
        return super()._dict_of(self) if raw is None else _copy_json(raw)

    @classmethod
    def _dict_of(cls, obj: Any) -> dict[str, Any]:
        return obj.to_dict()  # type: ignore[no-any-return]


@_seal
class ChatCompletionChunk(_Record):
    """One ``chat.completion.chunk`` of a streamed chat completion.

    Attribute access mirrors the OpenAI SDK's ``ChatCompletionChunk``; ``to_dict()`` gives the
    whole payload, fields ssejet does not model included.

    >>> from ssejet import parse_chunk
    >>> chunk = parse_chunk('{"id": "c1", "choices": [{"delta": {"content": "Hi"}}]}')
    >>> chunk.choices[0].delta.content
    'Hi'
    """

    _fields = (
        "id", "object", "created", "model", "service_tier", "system_fingerprint", "choices",
        "usage",
    )  # fmt: skip
    __slots__ = (*_fields, "_payload", "_sdk")
    __hash__ = None  # type: ignore[assignment]
    id: str | None
    object: str | None
    created: int | None
    model: str | None
    service_tier: str | None
    system_fingerprint: str | None
    choices: list[Choice]
    usage: Usage | None

    def __init__(
        self,
        *,
        id: str | None = None,
        object: str | None = None,
        created: int | None = None,
        model: str | None = None,
        service_tier: str | None = None,
        system_fingerprint: str | None = None,
        choices: Iterable[Choice] = (),
        usage: Usage | None = None,
    ) -> None:
        _init(
            self, id, object, created, model, service_tier, system_fingerprint, list(choices),
            usage, None, None,
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """The chunk's whole JSON payload as a fresh dict (``orjson.loads`` of the original
        text: unknown fields and exact big integers included). A chunk built with the
        constructor gives its API attributes instead."""
        payload = self._payload
        if payload is None:
            return super()._dict_of(self)
        return orjson.loads(payload)  # type: ignore[no-any-return]

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What the SDK's ``ChatCompletionChunk.model_dump(**kwargs)`` gives for this payload,
        so logging code written for SDK chunks keeps working. The SDK is the one of the
        accelerated client that streamed this chunk; for other chunks, the decoder's ``sdk=``
        (default: openai's model when openai is installed, else Ark's)."""
        return sdk_dump(self, "model_dump", kwargs)  # type: ignore[no-any-return]

    def model_dump_json(self, **kwargs: Any) -> str:
        """What the SDK's ``ChatCompletionChunk.model_dump_json(**kwargs)`` gives (see
        ``model_dump``)."""
        return sdk_dump(self, "model_dump_json", kwargs)  # type: ignore[no-any-return]

    @classmethod
    def _dict_of(cls, obj: Any) -> dict[str, Any]:
        return obj.to_dict()  # type: ignore[no-any-return]


@_seal
class Function(_Record):
    """An accumulated tool call's function: its name and the joined ``arguments`` JSON text."""

    __slots__ = _fields = ("name", "arguments")
    name: str
    arguments: str

    def __init__(self, *, name: str = "", arguments: str = "") -> None:
        _init(self, name, arguments)

    def __hash__(self) -> int:
        return hash((self.name, self.arguments))


@_seal
class ToolCall(_Record):
    """An accumulated tool call: every fragment of one ``index`` merged."""

    __slots__ = _fields = ("id", "type", "function")
    id: str | None
    type: str | None
    function: Function

    def __init__(
        self,
        *,
        id: str | None = None,
        type: str | None = None,
        function: Function | None = None,
    ) -> None:
        _init(self, id, type, Function() if function is None else function)

    def __hash__(self) -> int:
        return hash((self.id, self.type, self.function))


@_seal
class Message(_Record):
    """An accumulated message. ``content`` and ``reasoning_content`` are None when no chunk
    had one; ``tool_calls`` is None when no tool call was seen."""

    __slots__ = _fields = ("role", "content", "reasoning_content", "tool_calls")
    __hash__ = None  # type: ignore[assignment]
    role: str | None
    content: str | None
    reasoning_content: str | None
    tool_calls: list[ToolCall] | None

    def __init__(
        self,
        *,
        role: str | None = None,
        content: str | None = None,
        reasoning_content: str | None = None,
        tool_calls: Iterable[ToolCall] | None = None,
    ) -> None:
        calls = None if tool_calls is None else list(tool_calls)
        _init(self, role, content, reasoning_content, calls)


@_seal
class CompletionChoice(_Record):
    """One accumulated choice: its ``index``, last ``finish_reason`` and merged ``message``."""

    __slots__ = _fields = ("index", "finish_reason", "message")
    __hash__ = None  # type: ignore[assignment]
    index: int
    finish_reason: str | None
    message: Message

    def __init__(
        self, *, index: int = 0, finish_reason: str | None = None, message: Message | None = None
    ) -> None:
        _init(self, index, finish_reason, Message() if message is None else message)


@_seal
class ChatCompletion(_Record):
    """The result of accumulating a stream's chunks (see :func:`ssejet.accumulate`)."""

    __slots__ = _fields = ("id", "model", "created", "usage", "choices")
    __hash__ = None  # type: ignore[assignment]
    id: str | None
    model: str | None
    created: int | None
    usage: Usage | None
    choices: list[CompletionChoice]

    def __init__(
        self,
        *,
        id: str | None = None,
        model: str | None = None,
        created: int | None = None,
        usage: Usage | None = None,
        choices: Iterable[CompletionChoice] = (),
    ) -> None:
        _init(self, id, model, created, usage, list(choices))


_RECORDS = (
    ChatCompletionChunk, Choice, Delta, ToolCallDelta, FunctionDelta, Usage,
    ChatCompletion, CompletionChoice, Message, ToolCall, Function,
)  # fmt: skip


# --- The Rust backend's classes count as these ------------------------------------------------


def _register_compiled_classes() -> None:
    """Registers each compiled class with the public class of its name (an ABC), so
    ``isinstance`` holds whichever backend made an object."""
    from ._backend import compiled

    module = compiled()
    if module is None:
        return
    for public in (ServerSentEvent, ChatCompletionChunk, Choice, Delta, FunctionDelta,
                   ToolCallDelta, Usage):  # fmt: skip
        compiled_class = getattr(module, public.__name__, None)
        if compiled_class is not None:
            public.register(compiled_class)


_register_compiled_classes()
