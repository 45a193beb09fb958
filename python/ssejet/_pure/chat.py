"""Event data to chat-completion chunks: ``[DONE]``, error payloads, validation, provider
normalisations (layer 2). Twin of ``rust/chat.rs``: same rules, same order of checks, same
messages, so the two backends raise the same first error for every input.

Stream rules (``ChunkDecoder``), checked per dispatched event in this order:

1. An event named ``error`` raises ``StreamAPIError`` (see "Error payloads"), whatever its data.
2. An event whose data is empty is skipped.
3. Data that, stripped of ASCII whitespace (tab, LF, FF, CR, space; not VT), equals ``[DONE]``
   sets ``done`` and ends the stream.
4. Any other event, whatever its type (``message`` or not: openai-python parses every event
   type as a chunk too), is a chunk payload: parsed with ``orjson.loads`` (the data bytes when
   they are valid UTF-8, else the data decoded with U+FFFD replacement: the same value), then
   validated and built below. A top-level ``error`` that is truthy as Python reads it (not
   null, false, 0, 0.0, "", [] or {}) raises ``StreamAPIError``; that payload is no chunk.

A raised ``StreamAPIError`` or ``ChunkDecodeError`` ends the stream as ``[DONE]`` does (but
``done`` stays False): the rest of that feed and later feeds give ``[]`` until ``close()``;
the error's ``.chunks`` holds the chunks the call completed before it. An oversize event in
the same feed as such an error is forgotten: the terminal error is raised.

At the end of a body (``close()``, and ``incomplete`` before it):

5. ``close()``, when the stream has not ended, looks at the event a blank line would dispatch
   now (the complete lines since the last blank line, plus an unterminated ``data``/``event``
   line as if it ended): when rules 1 and 3 say it sets ``done`` (its type is not ``error``,
   its data is ``[DONE]``), ``close()`` sets ``done``: a ``[DONE]`` cut off before its blank
   line counts. ``close()`` still returns ``[]``; any other unterminated event is discarded.
6. ``incomplete`` is True when bytes of an unfinished event are buffered and the stream has
   not ended (after ``[DONE]`` or a terminal error nothing is pending): a line of a known
   field (``data``, ``event``, ``id``, ``retry``, valid or not) since the last blank line, an
   unterminated line that is (or, ended now, would be) one (a bare field name counts), or an
   oversize event being skipped. Comments, unknown fields, a held-back BOM and a CR ending the
   input (a complete line end) never count. It is False after ``close()``.

Validation, in this canonical order (independent of key order in the document; with duplicate
keys orjson keeps the last value, and only that value is checked). A field that is absent
counts as null. ``<kind>`` is the JSON type of the value found: null, boolean, integer, float,
string, array or object (an integer literal beyond 64 bits is a float, as orjson reads it)::

    chunk payload must be a JSON object, not <kind>          (the top-level value)
    invalid chunk: <path> must be <expected>, not <kind>     (a field below)

    path                                           expected
    id, object                                     a string or null
    created                                        an integer or null
    model, service_tier, system_fingerprint        a string or null
    choices                                        an array or null
      choices[i]                                   an object
      choices[i].index                             an integer or null
      choices[i].delta                             an object or null
        choices[i].delta.role                      a string or null
        choices[i].delta.content                   a string, a list of content parts or null
        choices[i].delta.reasoning_content         a string or null
        choices[i].delta.reasoning                 a string or null
        choices[i].delta.refusal                   a string or null
        choices[i].delta.tool_calls                an array or null
          choices[i].delta.tool_calls[j]           an object
          choices[i].delta.tool_calls[j].index     an integer or null
          choices[i].delta.tool_calls[j].id        a string or null
          choices[i].delta.tool_calls[j].type      a string or null
          choices[i].delta.tool_calls[j].function  an object or null
          ....function.name, ....function.arguments  a string or null
      choices[i].finish_reason                     a string or null
      choices[i].logprobs                          an object or null
    usage                                          an object or null
      usage.prompt_tokens, .completion_tokens, .total_tokens       an integer or null
      usage.prompt_tokens_details, .completion_tokens_details      an object or null

``i`` and ``j`` are list positions. When ``usage`` is null, ``x_groq.usage`` is the usage if
``x_groq`` is an object and its ``usage`` an object (else there is none; nothing else of
``x_groq`` is checked); its fields are then checked as above under the path ``x_groq.usage``.
Content parts are never errors: a part counts only in the shapes below. No other field is
checked; every field stays available through ``to_dict()``. Invalid JSON (orjson's verdict)
raises ``ChunkDecodeError("invalid JSON in chunk payload")``.

Normalisations: ``choices`` null gives ``[]``; a choice's ``index`` null gives its position,
its ``delta`` null an empty ``Delta``. ``content`` as a list of parts: ``content`` is the
concatenated ``text`` of the parts ``{"type": "text", "text": <string>}`` (``""`` when there
are none); when at least one part is ``{"type": "thinking", ...}``, the reasoning text is the
concatenated ``text`` of the items ``{"type": "text", "text": <string>}`` of its ``thinking``
list (``""`` if none). ``reasoning_content`` is ``reasoning_content``, else ``reasoning``;
then the parts' reasoning text, if any, is appended to it (or is it, when both are null). A
tool call's ``index`` null gives its position in the list.

Error payloads (``StreamAPIError``): ``err`` is the value of the truthy top-level ``error`` of
a chunk payload; for an ``error`` event, it is the payload's ``error`` when the payload is an
object whose ``error`` is truthy, else the whole payload. ``message`` is ``err["message"]``
when ``err`` is an object and that is a non-empty string, or ``err`` itself when it is a
non-empty string; otherwise the event's data. ``code`` is ``err["code"]`` when that is a
string or an integer (not a boolean), ``type`` is ``err["type"]`` when that is a string; else
None. ``body`` is the whole parsed payload; an ``error`` event whose data is not JSON gives
``message`` = ``body`` = the data, ``code`` = ``type`` = None.

Performance notes (CPython 3.11, counted with cachegrind on a 228-byte Ark chunk): orjson.loads
takes ~10.7k instructions, building the chunk ~17.7k, the layer-1 framing ~11.4k. The build is
dominated by dict lookups (~330 instructions a ``value.get``) and by object creation (~1.6k per
object: ``twin()``, slot stores, the ``__class__`` switch; see ``_models``). Measured and
rejected: inlining choices and deltas into one function (more, not fewer, instructions: 3.11
inlines Python calls cheaply), one pass over ``delta.items()`` instead of six lookups (the
same), ``map(value.get, KEYS)`` (slower), ``object.__new__(twin)`` (~300 more than ``twin()``).
"""

from __future__ import annotations

from typing import Any, NoReturn

from orjson import JSONDecodeError, loads

from .._errors import ChunkDecodeError, StreamAPIError
from .._models import (
    ChatCompletionChunk,
    Choice,
    Delta,
    FunctionDelta,
    ToolCallDelta,
    Usage,
    _restore,
)
from .sse import DEFAULT_MAX_EVENT_SIZE
from .stream import ASCII_WHITESPACE, StreamDecoder, api_error, error_event

INVALID_JSON = "invalid JSON in chunk payload"
STRING = "a string or null"
INTEGER = "an integer or null"
OBJECT = "an object or null"
ARRAY = "an array or null"
CONTENT = "a string, a list of content parts or null"
ITEM = "an object"

_KINDS = {
    type(None): "null", bool: "boolean", int: "integer", float: "float", str: "string",
    list: "array", dict: "object",
}  # fmt: skip
_Chunk, _MChunk = ChatCompletionChunk, ChatCompletionChunk._mutable
_set_sdk = ChatCompletionChunk._sdk.__set__  # type: ignore[attr-defined]
_MChoice, _MDelta = Choice._mutable, Delta._mutable
_MToolCall, _MFunction, _MUsage = ToolCallDelta._mutable, FunctionDelta._mutable, Usage._mutable
_EMPTY_DELTA = _restore(Delta, (None, None, None, None, None))  # read-only, so shareable


class _Invalid(Exception):
    """The payload broke a validation rule (message ready); internal to this module."""


class _ErrorPayload(Exception):
    """The payload is a valid object with a truthy ``error``; internal to this module."""


def kind(value: Any) -> str:
    """The JSON type name of a value orjson produced."""
    return _KINDS[type(value)]


def _bad(path: str, expected: str, value: Any) -> NoReturn:
    raise _Invalid(f"invalid chunk: {path} must be {expected}, not {kind(value)}")


def build_chunk(value: Any, payload: bytes | str) -> ChatCompletionChunk:
    """Validates a parsed payload in canonical order and builds its chunk.

    The hot path (see "Performance notes" above): one ``dict.get`` per known field, one
    ``type(x) is T`` test per value, objects built as their mutable twins.
    """
    if type(value) is not dict:
        raise _Invalid(f"chunk payload must be a JSON object, not {kind(value)}")
    id_ = value.get("id")
    if id_ is not None and type(id_) is not str:
        _bad("id", STRING, id_)
    object_ = value.get("object")
    if object_ is not None and type(object_) is not str:
        _bad("object", STRING, object_)
    created = value.get("created")
    if created is not None and type(created) is not int:
        _bad("created", INTEGER, created)
    model = value.get("model")
    if model is not None and type(model) is not str:
        _bad("model", STRING, model)
    tier = value.get("service_tier")
    if tier is not None and type(tier) is not str:
        _bad("service_tier", STRING, tier)
    fingerprint = value.get("system_fingerprint")
    if fingerprint is not None and type(fingerprint) is not str:
        _bad("system_fingerprint", STRING, fingerprint)
    raw = value.get("choices")
    if type(raw) is list:
        if len(raw) == 1:  # the usual case: no comprehension frame, no enumerate
            choices = [_choice(raw[0], 0)]
        else:
            choices = [_choice(c, i) for i, c in enumerate(raw)]
    elif raw is None:
        choices = []
    else:
        _bad("choices", ARRAY, raw)
    raw = value.get("usage")
    if raw is None:
        usage = None
        groq = value.get("x_groq")
        if type(groq) is dict:
            raw = groq.get("usage")
            if type(raw) is dict:
                usage = _usage(raw, "x_groq.usage")
    elif type(raw) is dict:
        usage = _usage(raw, "usage")
    else:
        _bad("usage", OBJECT, raw)
    if value.get("error"):
        raise _ErrorPayload
    chunk = _MChunk()
    chunk.id = id_
    chunk.object = object_
    chunk.created = created
    chunk.model = model
    chunk.service_tier = tier
    chunk.system_fingerprint = fingerprint
    chunk.choices = choices
    chunk.usage = usage
    chunk._payload = payload
    chunk._sdk = None
    chunk.__class__ = _Chunk
    return chunk


def _choice(raw: Any, i: int) -> Choice:
    if type(raw) is not dict:
        _bad(f"choices[{i}]", ITEM, raw)
    index = raw.get("index")
    if index is None:
        index = i
    elif type(index) is not int:
        _bad(f"choices[{i}].index", INTEGER, index)
    delta = raw.get("delta")
    if type(delta) is dict:
        delta = _delta(delta, i) if delta else _EMPTY_DELTA
    elif delta is None:
        delta = _EMPTY_DELTA
    else:
        _bad(f"choices[{i}].delta", OBJECT, delta)
    finish = raw.get("finish_reason")
    if finish is not None and type(finish) is not str:
        _bad(f"choices[{i}].finish_reason", STRING, finish)
    logprobs = raw.get("logprobs")
    if logprobs is not None and type(logprobs) is not dict:
        _bad(f"choices[{i}].logprobs", OBJECT, logprobs)
    choice = _MChoice()
    choice.index = index
    choice.delta = delta
    choice.finish_reason = finish
    choice.logprobs = logprobs
    choice.__class__ = Choice
    return choice


def _delta(raw: dict[str, Any], i: int) -> Delta:
    role = raw.get("role")
    content = raw.get("content")
    reasoning = raw.get("reasoning_content")
    alias = raw.get("reasoning")
    refusal = raw.get("refusal")
    calls = raw.get("tool_calls")
    if role is not None and type(role) is not str:
        _bad(f"choices[{i}].delta.role", STRING, role)
    thinking = None
    if content is not None and type(content) is not str:
        if type(content) is not list:
            _bad(f"choices[{i}].delta.content", CONTENT, content)
        content, thinking = _content_parts(content)
    if reasoning is not None and type(reasoning) is not str:
        _bad(f"choices[{i}].delta.reasoning_content", STRING, reasoning)
    if alias is not None and type(alias) is not str:
        _bad(f"choices[{i}].delta.reasoning", STRING, alias)
    if refusal is not None and type(refusal) is not str:
        _bad(f"choices[{i}].delta.refusal", STRING, refusal)
    if calls is not None:
        if type(calls) is not list:
            _bad(f"choices[{i}].delta.tool_calls", ARRAY, calls)
        calls = [_tool_call(call, i, j) for j, call in enumerate(calls)]
    if reasoning is None:
        reasoning = alias
    if thinking is not None:
        reasoning = thinking if reasoning is None else reasoning + thinking
    delta = _MDelta()
    delta.role = role
    delta.content = content
    delta.reasoning_content = reasoning
    delta.refusal = refusal
    delta.tool_calls = calls
    delta.__class__ = Delta
    return delta


def _content_parts(parts: list[Any]) -> tuple[str, str | None]:
    """Mistral's list-valued ``content``: (the text parts' text, the thinking parts' text or
    None when there is no thinking part). Parts of any other shape are ignored."""
    text: list[str] = []
    thinking: list[str] | None = None
    for part in parts:
        if type(part) is not dict:
            continue
        part_type = part.get("type")
        if part_type == "text":
            value = part.get("text")
            if type(value) is str:
                text.append(value)
        elif part_type == "thinking":
            if thinking is None:
                thinking = []
            items = part.get("thinking")
            if type(items) is list:
                for item in items:
                    if type(item) is dict and item.get("type") == "text":
                        value = item.get("text")
                        if type(value) is str:
                            thinking.append(value)
    return "".join(text), None if thinking is None else "".join(thinking)


def _tool_call(raw: Any, i: int, j: int) -> ToolCallDelta:
    if type(raw) is not dict:
        _bad(f"choices[{i}].delta.tool_calls[{j}]", ITEM, raw)
    get = raw.get
    index = get("index")
    if index is None:
        index = j
    elif type(index) is not int:
        _bad(f"choices[{i}].delta.tool_calls[{j}].index", INTEGER, index)
    id_ = get("id")
    if id_ is not None and type(id_) is not str:
        _bad(f"choices[{i}].delta.tool_calls[{j}].id", STRING, id_)
    type_ = get("type")
    if type_ is not None and type(type_) is not str:
        _bad(f"choices[{i}].delta.tool_calls[{j}].type", STRING, type_)
    function = get("function")
    if type(function) is dict:
        name = function.get("name")
        if name is not None and type(name) is not str:
            _bad(f"choices[{i}].delta.tool_calls[{j}].function.name", STRING, name)
        arguments = function.get("arguments")
        if arguments is not None and type(arguments) is not str:
            _bad(f"choices[{i}].delta.tool_calls[{j}].function.arguments", STRING, arguments)
        function = _MFunction()
        function.name = name
        function.arguments = arguments
        function.__class__ = FunctionDelta
    elif function is not None:
        _bad(f"choices[{i}].delta.tool_calls[{j}].function", OBJECT, function)
    call = _MToolCall()
    call.index = index
    call.id = id_
    call.type = type_
    call.function = function
    call.__class__ = ToolCallDelta
    return call


def _usage(raw: dict[str, Any], path: str) -> Usage:
    get = raw.get
    usage = _MUsage()
    for name in ("prompt_tokens", "completion_tokens", "total_tokens"):
        value = get(name)
        if value is not None and type(value) is not int:
            _bad(f"{path}.{name}", INTEGER, value)
        setattr(usage, name, value)
    for name in ("prompt_tokens_details", "completion_tokens_details"):
        value = get(name)
        if value is not None and type(value) is not dict:
            _bad(f"{path}.{name}", OBJECT, value)
        setattr(usage, name, value)
    usage._raw = raw
    usage.__class__ = Usage
    return usage


def decode_payload(data: bytes) -> ChatCompletionChunk:
    """One event's data (not ``[DONE]``) to its chunk.

    Raises:
        ChunkDecodeError: invalid JSON, or a rule of the table above broken.
        StreamAPIError: a truthy top-level ``error``.
    """
    try:
        value = loads(data)
        payload: bytes | str = data
    except JSONDecodeError:
        # Invalid UTF-8 bytes are no JSON error: Layer 1 decodes them to U+FFFD first.
        payload = data.decode("utf-8", "replace")
        try:
            value = loads(payload)
        except JSONDecodeError:
            raise ChunkDecodeError(INVALID_JSON, data=payload) from None
    try:
        return build_chunk(value, payload)
    except _Invalid as error:
        text = payload if type(payload) is str else payload.decode("utf-8", "replace")
        raise ChunkDecodeError(error.args[0], data=text) from None
    except _ErrorPayload:
        text = payload if type(payload) is str else payload.decode("utf-8", "replace")
        raise api_error(value["error"], value, text) from None


def parse_chunk(data: str | bytes | bytearray | memoryview) -> ChatCompletionChunk:
    """One payload to its chunk: what ``ChunkDecoder`` gives for an event with this data."""
    if type(data) is str:
        try:
            # orjson rejects a str it cannot encode as UTF-8 (lone surrogates): invalid JSON.
            encoded = data.encode("utf-8")
        except UnicodeEncodeError:
            raise ChunkDecodeError(INVALID_JSON, data=data) from None
        return decode_payload(encoded)
    if isinstance(data, (bytes, bytearray, memoryview)):
        return decode_payload(bytes(data))
    raise TypeError(f"parse_chunk() argument must be str or bytes, not {type(data).__name__}")


class ChunkDecoder(StreamDecoder):
    """Incremental chunk decoder, pure Python (twin of Rust ``ChunkDecoder`` + its binding):
    the shared stream rules and state (``StreamDecoder``), then ``decode_payload`` per event.
    ``sdk`` is the SDK whose models the chunks' ``model_dump()`` reproduces (None: the
    default)."""

    __slots__ = ("sdk",)
    carried = "chunks"

    def __init__(
        self, max_event_size: int = DEFAULT_MAX_EVENT_SIZE, sdk: str | None = None
    ) -> None:
        super().__init__(max_event_size)
        self.sdk = sdk

    def _event(self, event_type: bytes, data: bytes, id: bytes, retry: int | None) -> bool:
        """The framing layer's sink: the shared steps 1 to 3 (``StreamDecoder._event``), inlined
        on this hot path, then stream rule 4. True ends the stream."""
        if event_type == b"error":
            self.error = error_event(data)
            self.ended = True
            return True
        if not data:
            return False
        if data[0] != 0x7B and data.strip(ASCII_WHITESPACE) == b"[DONE]":  # 0x7B: "{"
            self.done = self.ended = True
            return True
        try:
            chunk = build_chunk(loads(data), data)  # the common case, without a call more
        except (JSONDecodeError, _Invalid, _ErrorPayload):
            try:
                # The slow path: repairs invalid UTF-8, or raises the right error.
                chunk = decode_payload(data)
            except (ChunkDecodeError, StreamAPIError) as error:
                self.error = error
                self.ended = True
                return True
        if self.sdk is not None:
            _set_sdk(chunk, self.sdk)
        self.items.append(chunk)
        return False
