"""The model_dump bridge: a chunk's ``model_dump()`` / ``model_dump_json()`` give what the SDK's
own ``ChatCompletionChunk`` model gives, and a dialect event's what the SDK's model of that
event gives (anthropic's ``RawMessageStreamEvent``, openai's ``ResponseStreamEvent``, built as
the SDK's stream builds them; the exact route only, no fast path yet). Installed into the core
by ``ssejet._sdk``.

The reference is exact by construction: build the SDK's ``ChatCompletionChunk`` from the
chunk's payload (``chunk.to_dict()``) the way the SDK's stream does (its ``construct_type``),
then call the model's method. That costs 100-350 µs a chunk (openai 3.54, pydantic 2.14:
nested ``Optional[...]`` fields are validated, the rest constructed field by field), as much as
the whole plain SDK path, so logging every chunk would give back what ``accelerate()`` saves.

The fast path (~7 µs) walks the payload with a plan compiled once per SDK from the model's
``model_fields``: declared fields in order (absent or null ones take their default), extras
after them, nested models and lists of models recursed, ``int`` values of ``float`` fields made
floats; the JSON text is ``orjson.dumps`` of that dict, which writes what pydantic-core writes
(compact separators, raw UTF-8, the same shortest float repr: checked on the corpus). The plan
only produces output where both routes must agree: every value has exactly its field's JSON
type (the SDK validates ``Optional[...]`` subtrees in lax mode, so ``"5"`` or ``5.0`` in an
``int`` field would be coerced), there are no aliases, no typed extras, no multi-type unions in
use (openai's ``moderation``); anything else, and every keyword but ``mode``, ``by_alias``,
``exclude_unset``, ``exclude_none`` and ``warnings`` (``indent=None`` for JSON), takes the
exact route. ``tests/test_accelerate.py`` checks both routes equal on every corpus chunk.

Which SDK: each chunk's own. A chunk streamed by an accelerated client dumps as that client's
SDK (its decoder was made with ``sdk=``; the models differ: Ark's delta declares
``reasoning_content``, openai's ``audio``); any other chunk as openai's model when openai is
installed, else Ark's.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
import typing
from typing import Any, Callable, Optional

import orjson

# The keywords the fast path serves (any other goes to the SDK's model).
_FAST_DUMP = frozenset({"mode", "by_alias", "exclude_unset", "exclude_none", "warnings"})
_FAST_JSON = frozenset({"indent", "by_alias", "exclude_unset", "exclude_none", "warnings"})
_MODELS = {  # SDK -> (module of its chunk model, module of its construct_type)
    "openai": ("openai.types.chat", "openai._models"),
    "ark": ("volcenginesdkarkruntime.types.chat", "volcenginesdkarkruntime._models"),
}


class _Slow(Exception):
    """The fast path cannot vouch for this payload: take the SDK's own route."""


class ChunkModel:
    """One SDK's chunk model, its construct function, and the compiled fast-path plan."""

    def __init__(self, sdk: str) -> None:
        models, construct = _MODELS[sdk]
        self.model: Any = importlib.import_module(models).ChatCompletionChunk
        self.construct: Callable[..., Any] = importlib.import_module(construct).construct_type
        self._plans: dict[type, Any] = {}
        self.plan = _compile_model(self.model, self._plans)

    def slow(self, chunk: Any) -> Any:
        return self.construct(type_=self.model, value=chunk.to_dict())

    def fast(self, chunk: Any, unset: bool, none: bool) -> dict[str, Any]:
        return self.plan(chunk.to_dict(), unset, none)  # type: ignore[no-any-return]


_dumpers: dict[str, ChunkModel] = {}


def dumper(sdk: Optional[str]) -> ChunkModel:
    """The dumper of ``sdk`` ("openai" or "ark"; None: openai when installed, else Ark)."""
    if sdk is None:
        sdk = next((name for name in _MODELS if _installed(name)), None)
        if sdk is None:
            raise ImportError(
                "model_dump() gives what the SDK's ChatCompletionChunk model gives: install "
                "openai or volcengine-python-sdk[ark]"
            )
    found = _dumpers.get(sdk)
    if found is None:
        found = _dumpers[sdk] = ChunkModel(sdk)
    return found


def _installed(sdk: str) -> bool:
    module = _MODELS[sdk][0].partition(".")[0]
    return module in sys.modules or importlib.util.find_spec(module) is not None


# dialect -> (module of the SDK's stream event union, its name, module of construct_type)
_EVENTS = {
    "anthropic": ("anthropic.types", "RawMessageStreamEvent", "anthropic._models"),
    "responses": ("openai.types.responses", "ResponseStreamEvent", "openai._models"),
}
_event_models: dict[str, Any] = {}


def _event_model(dialect: str, event: Any) -> Any:
    """The SDK's model of a dialect's event, built as the SDK's own stream builds it
    (``construct_type`` of the stream's event union: an unknown type becomes what the SDK
    makes of it too)."""
    found = _event_models.get(dialect)
    if found is None:
        models, name, construct = _EVENTS[dialect]
        union = getattr(importlib.import_module(models), name)
        found = union, importlib.import_module(construct).construct_type
        _event_models[dialect] = found
    union, construct_type = found
    return construct_type(type_=union, value=event.to_dict())


def dump_chunk(chunk: Any, sdk: Optional[str], method: str, kwargs: dict[str, Any]) -> Any:
    """The hook the core's objects call: ``model_dump`` or ``model_dump_json`` of a chat
    chunk as ``sdk``'s model gives it, or of a dialect's event (``sdk`` the dialect's name)
    as its SDK's event model gives it."""
    if sdk in _EVENTS:
        return getattr(_event_model(sdk, chunk), method)(**kwargs)
    if method == "model_dump":
        return model_dump(chunk, sdk, **kwargs)
    return model_dump_json(chunk, sdk, **kwargs)


def _fast_options(kwargs: dict[str, Any], allowed: frozenset[str]) -> Optional[tuple[bool, bool]]:
    """(exclude_unset, exclude_none) when the fast path can serve these keywords, else None."""
    if not allowed.issuperset(kwargs) or kwargs.get("mode", "python") not in ("python", "json"):
        return None
    return bool(kwargs.get("exclude_unset")), bool(kwargs.get("exclude_none"))


def model_dump(chunk: Any, sdk: Optional[str] = None, **kwargs: Any) -> dict[str, Any]:
    """``chunk`` as ``sdk``'s model's ``model_dump(**kwargs)`` gives it."""
    target = dumper(sdk)
    options = _fast_options(kwargs, _FAST_DUMP)
    if options is not None:
        try:
            return target.fast(chunk, *options)
        except _Slow:
            pass
    return target.slow(chunk).model_dump(**kwargs)  # type: ignore[no-any-return]


def model_dump_json(chunk: Any, sdk: Optional[str] = None, **kwargs: Any) -> str:
    """``chunk`` as ``sdk``'s model's ``model_dump_json(**kwargs)`` gives it."""
    target = dumper(sdk)
    options = _fast_options(kwargs, _FAST_JSON) if kwargs.get("indent") is None else None
    if options is not None:
        try:
            return orjson.dumps(target.fast(chunk, *options)).decode()
        except (_Slow, orjson.JSONEncodeError):  # the latter: an integer beyond 64 bits
            pass
    return target.slow(chunk).model_dump_json(**kwargs)  # type: ignore[no-any-return]


# --- the plan: one function per model and per field type --------------------------------------

Convert = Callable[[Any, bool, bool], Any]  # (value, exclude_unset, exclude_none) -> value
_NONE = type(None)


def _slow(value: Any, unset: bool, none: bool) -> Any:
    raise _Slow


def _same(value: Any, unset: bool, none: bool) -> Any:
    return value


def _exactly(cls: type) -> Convert:
    def convert(value: Any, unset: bool, none: bool) -> Any:
        if type(value) is not cls:
            raise _Slow
        return value

    return convert


def _float(value: Any, unset: bool, none: bool) -> Any:
    # construct_type turns an int into a float when that loses nothing; validation always does
    if type(value) is float:
        return value
    if type(value) is int and -(2**53) <= value <= 2**53:  # exact as a float
        return float(value)
    raise _Slow  # a bigger int: construct keeps it when inexact, validation may not


def _literal(values: tuple[Any, ...]) -> Convert:
    if all(type(v) is str for v in values):
        # Any string: one the Literal lacks ("text_completion", "") fails validation, and
        # construct_type keeps it as it is, which is what validation would give for one it has.
        return _exactly(str)
    allowed = {(type(v), v) for v in values}

    def convert(value: Any, unset: bool, none: bool) -> Any:
        if (type(value), value) not in allowed:
            raise _Slow
        return value

    return convert


def _optional(inner: Convert) -> Convert:
    def convert(value: Any, unset: bool, none: bool) -> Any:
        return None if value is None else inner(value, unset, none)

    return convert


def _list(inner: Convert) -> Convert:
    def convert(value: Any, unset: bool, none: bool) -> Any:
        if type(value) is not list:
            raise _Slow
        return [inner(item, unset, none) for item in value]

    return convert


def _dict(inner: Convert) -> Convert:
    def convert(value: Any, unset: bool, none: bool) -> Any:
        if type(value) is not dict:
            raise _Slow
        return {key: inner(item, unset, none) for key, item in value.items()}

    return convert


def _compile(tp: Any, plans: dict[type, Any]) -> Convert:
    """The converter of one field type (see the module doc for what counts as exact)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return _compile(args[0], plans)
    if origin is typing.Union or (sys.version_info >= (3, 10) and origin is types.UnionType):
        rest = [a for a in args if a is not _NONE]
        return _optional(_compile(rest[0], plans)) if len(rest) == 1 else _slow
    if origin is typing.Literal:
        return _literal(args)
    if origin is list:
        return _list(_compile(args[0], plans)) if args else _exactly(list)
    if origin is dict:
        return _dict(_compile(args[1], plans)) if args else _exactly(dict)
    if tp is typing.Any or tp is object:
        return _same
    if tp is float:
        return _float
    if tp in (str, int, bool):
        return _exactly(tp)
    if isinstance(tp, type) and hasattr(tp, "model_fields"):
        return _compile_model(tp, plans)
    return _slow  # datetime, enums, forward references...: not in chunk models, and not safe


def _compile_model(model: type, plans: dict[type, Any]) -> Any:
    """The dump function of a pydantic model: ``plan(payload, exclude_unset, exclude_none)``."""
    if model in plans:
        return lambda value, unset, none: plans[model](value, unset, none)  # recursive model
    plans[model] = _slow
    fields = []
    for name, field in model.model_fields.items():  # type: ignore[attr-defined]
        if field.alias not in (None, name) or field.default_factory is not None:
            return _slow
        fields.append((name, _default(field.get_default()), _compile(field.annotation, plans)))
    if _typed_extras(model):
        return _slow
    keep_extras = model.model_config.get("extra") == "allow"  # type: ignore[attr-defined]
    names = frozenset(name for name, _, _ in fields)

    def plan(value: Any, unset: bool, none: bool) -> dict[str, Any]:
        if type(value) is not dict:
            raise _Slow
        out = {}
        for name, default, convert in fields:
            if name in value:
                item = value[name]
                if item is not None:
                    item = convert(item, unset, none)
                elif default is not None:
                    raise _Slow  # constructed: the default; validated: None
            elif unset:
                continue
            else:
                item = default
            if item is not None or not none:
                out[name] = item
        if not names.issuperset(value):
            if not keep_extras:
                raise _Slow  # validated, extras are dropped; constructed, they may not be
            for key, item in value.items():
                if key not in names and (item is not None or not none):
                    out[key] = item
        return out

    plans[model] = plan
    return plan


def _default(value: Any) -> Any:
    """The SDKs' ``field_get_default``: a required field's default is None."""
    return None if type(value).__name__ == "PydanticUndefinedType" else value


def _typed_extras(model: type) -> bool:
    for cls in model.__mro__:
        if cls.__module__.startswith("pydantic."):
            return False
        if "__pydantic_extra__" in vars(cls).get("__annotations__", {}):
            return True
    return False
