"""The typed hot-path events of the OpenAI Responses dialect, one definition for both backends,
and the table of documented optional fields its records read as None.

The Rust extension has compiled classes of the same names (``rust/python/responses.rs``),
registered here with these ABCs, so ``isinstance`` holds whichever backend made an event and
the two compare equal when their API attributes do. Both backends' events keep the payload's
bytes: ``to_dict()`` and the attributes that are none of the API fields (``logprobs``,
``obfuscation``, whatever OpenAI adds) parse them again with orjson (:func:`_extra`).

``_DOCUMENTED`` lists, per object ``type`` (or, for an object without one, the key it sits
under: ``response``, ``usage``...), the fields openai-python's models
(``openai/types/responses/``, 3.63) declare optional; a record lacking one reads None.
"""

from __future__ import annotations

from typing import Any, Optional

import orjson

from .._hooks import sdk_dump
from .._models import _Record, _seal
from .._records import _wrap, register_fields

DIALECT = "responses"


def _extra(obj: Any, name: str) -> Any:
    """A typed event's attribute that is none of its API fields: the payload's key ``name``
    (records for objects), None for a documented optional field it lacks, else
    ``AttributeError``. Shared by both backends' classes."""
    if not name.startswith("_"):
        data = obj.to_dict()
        if name in data:
            return _wrap(data[name], DIALECT, name)
        if name in _FIELDS.get(obj.type, ()):
            return None
    raise AttributeError(f"{type(obj).__name__!r} object has no attribute {name!r}")


class _DeltaEvent(_Record):
    """Shared behaviour of the four delta events: read-only, equal by value (API attributes),
    repr, pickle (``ssejet._models``), ``to_dict()``, the payload's other keys as attributes."""

    __slots__ = ()
    TYPE: str = ""
    _payload: Optional[bytes]

    def __init__(self, **fields: Any) -> None:
        fields.setdefault("type", self.TYPE)
        set_slot = object.__setattr__
        for name in self._fields:
            set_slot(self, name, fields.pop(name, None))
        set_slot(self, "_payload", None)
        if fields:
            raise TypeError(f"unexpected fields: {', '.join(sorted(fields))}")

    def to_dict(self) -> dict[str, Any]:
        """The payload as orjson parses it (a fresh dict), unknown fields such as ``logprobs``
        and ``obfuscation`` included. An event built with the constructor gives its API
        attributes."""
        payload = self._payload
        if payload is None:
            return {name: getattr(self, name) for name in self._fields}
        return orjson.loads(payload)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        # Only reached when no slot or method has that name: the payload's other keys.
        return _extra(self, name)

    _sdk = "responses"  # whose models model_dump() reproduces (the SDK bridge's hook)

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """What openai's model of this event gives for ``model_dump(**kwargs)``, so code
        written for the SDK's events runs unchanged."""
        return sdk_dump(self, "model_dump", kwargs)  # type: ignore[no-any-return]

    def model_dump_json(self, **kwargs: Any) -> str:
        """What openai's model of this event gives for ``model_dump_json(**kwargs)``."""
        return sdk_dump(self, "model_dump_json", kwargs)  # type: ignore[no-any-return]


@_seal
class ResponseTextDeltaEvent(_DeltaEvent):
    """``response.output_text.delta``: a piece of the text of ``content[content_index]`` of the
    message item at ``output_index``.

    >>> from ssejet.responses import EventDecoder
    >>> [event] = EventDecoder().feed(
    ...     b'data: {"type":"response.output_text.delta","item_id":"msg_1","output_index":0,'
    ...     b'"content_index":0,"delta":"Hi","sequence_number":4}\\n\\n'
    ... )
    >>> event.delta, event.output_index
    ('Hi', 0)
    """

    TYPE = "response.output_text.delta"
    _fields = ("type", "item_id", "output_index", "content_index", "delta", "sequence_number")
    __slots__ = (*_fields, "_payload")
    type: str
    item_id: Optional[str]
    output_index: int
    content_index: int
    delta: str
    sequence_number: Optional[int]


@_seal
class ResponseFunctionCallArgumentsDeltaEvent(_DeltaEvent):
    """``response.function_call_arguments.delta``: a piece of the JSON text of the function
    call item at ``output_index``."""

    TYPE = "response.function_call_arguments.delta"
    _fields = ("type", "item_id", "output_index", "delta", "sequence_number")
    __slots__ = (*_fields, "_payload")
    type: str
    item_id: Optional[str]
    output_index: int
    delta: str
    sequence_number: Optional[int]


@_seal
class ResponseReasoningSummaryTextDeltaEvent(_DeltaEvent):
    """``response.reasoning_summary_text.delta``: a piece of the text of
    ``summary[summary_index]`` of the reasoning item at ``output_index``."""

    TYPE = "response.reasoning_summary_text.delta"
    _fields = ("type", "item_id", "output_index", "summary_index", "delta", "sequence_number")
    __slots__ = (*_fields, "_payload")
    type: str
    item_id: Optional[str]
    output_index: int
    summary_index: int
    delta: str
    sequence_number: Optional[int]


@_seal
class ResponseReasoningTextDeltaEvent(_DeltaEvent):
    """``response.reasoning_text.delta``: a piece of the text of ``content[content_index]`` of
    the reasoning item at ``output_index`` (raw chain of thought, as gpt-oss models send it)."""

    TYPE = "response.reasoning_text.delta"
    _fields = ("type", "item_id", "output_index", "content_index", "delta", "sequence_number")
    __slots__ = (*_fields, "_payload")
    type: str
    item_id: Optional[str]
    output_index: int
    content_index: int
    delta: str
    sequence_number: Optional[int]


DELTA_EVENTS = (
    ResponseTextDeltaEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseReasoningSummaryTextDeltaEvent,
    ResponseReasoningTextDeltaEvent,
)

# Generated from openai-python 3.63's models (every field that is not required, by its JSON
# name), plus the delta events' ``logprobs`` / ``obfuscation``, which older or newer streams
# lack or add, and the ``response`` object's own keys (a resumed stream may never send one).
_DOCUMENTED = {
    "acknowledged_safety_checks": "code message",
    "action": "max_output_length timeout_ms",
    "additional_tools": "id",
    "allowed_tools": "read_only tool_names",
    "allowlist": "domain_secrets",
    "always": "read_only tool_names",
    "apply_patch": "allowed_callers",
    "apply_patch_call": "caller created_by id",
    "apply_patch_call_output": "caller created_by id output",
    "approximate": "city country region timezone",
    "auto": "file_ids memory_limit network_policy",
    "cache_miss": "comparison_reusable_tokens",
    "click": "keys",
    "code_interpreter": "allowed_callers",
    "code_interpreter_call": "code outputs",
    "compaction": "created_by id",
    "compaction_trigger": "id",
    "computer_call": "action actions",
    "computer_call_output": "acknowledged_safety_checks created_by id status",
    "computer_screenshot": "file_id image_url",
    "configuration_update": "id reasoning text",
    "container_auto": "file_ids memory_limit network_policy skills",
    "custom": "allowed_callers async defer_loading description format",
    "custom_tool_call": "async caller id namespace",
    "custom_tool_call_output": "caller created_by id",
    "delta": "stderr stdout",
    "double_click": "keys",
    "drag": "keys",
    "error": "code misalignment moderation_details param type",
    "exec": "timeout_ms user working_directory",
    "file_search": "filters max_num_results ranking_options",
    "file_search_call": "results",
    "filters": "allowed_domains",
    "function": "allowed_callers async defer_loading description output_schema parameters strict",
    "function_call": "async caller id namespace status",
    "function_call_output": "call_id caller created_by id name namespace status",
    "image_gen": "cached_tokens cached_tokens_details output_tokens_details",
    "image_generation": (
        "action background complexity frame_count frame_duration_ms input_fidelity "
        "input_image_mask model moderation output_compression output_format partial_images quality "
        "size svg"
    ),
    "image_generation_call": (
        "action background error output_format quality result revised_prompt size svg_usage"
    ),
    "incomplete_details": "reason",
    "input_file": "detail file_data file_id file_url filename prompt_cache_breakpoint",
    "input_image": "detail file_id image_url prompt_cache_breakpoint",
    "input_image_mask": "file_id image_url",
    "input_text": "prompt_cache_breakpoint",
    "input_tokens_details": "cache_write_tokens_details",
    "instructions": "phase status type",
    "json_schema": "description strict",
    "local": "skills",
    "local_shell_call_output": "status",
    "logprobs": "top_logprobs",
    "mcp": (
        "allowed_callers allowed_tools authorization connector_id defer_loading headers name "
        "require_approval server_description server_url tunnel_id"
    ),
    "mcp_approval_response": "id reason",
    "mcp_call": "approval_request_id error output status",
    "mcp_list_tools": "error",
    "message": "phase",
    "misalignment": "detailed_explanation error_type review_target steer",
    "move": "keys",
    "never": "read_only tool_names",
    "open_page": "url",
    "output": "created_by",
    "output_text": "logprobs",
    "pending_safety_checks": "code message",
    "prompt": "variables version",
    "prompt_cache_breakpoint": "ttl",
    "prompt_cache_options": "comparison_response_id",
    "ranking_options": "hybrid_search ranker score_threshold",
    "reasoning": "content context effort encrypted_content generate_summary mode status summary",
    "require_approval": "always never",
    "response": (
        "access_programs background completed_at conversation created_at error id image "
        "incomplete_details input_transformations instructions max_output_tokens max_tool_calls "
        "metadata model moderation object output previous_response_id prompt "
        "prompt_cache_diagnostics prompt_cache_key prompt_cache_options prompt_cache_retention "
        "reasoning safety_identifier service_tier status temperature text tool_usage top_logprobs "
        "top_p truncation usage user"
    ),
    "response.function_call_arguments.delta": "obfuscation",
    "response.image_generation_call.partial_image": "background output_format quality size",
    "response.output_text.annotation.added": "annotation",
    "response.output_text.delta": "logprobs obfuscation",
    "response.reasoning_summary_part.done": "status",
    "response.reasoning_summary_text.delta": "obfuscation",
    "response.reasoning_text.delta": "obfuscation",
    "response.shell_call_command.delta": "obfuscation",
    "results": "attributes file_id filename score text",
    "scroll": "keys",
    "search": "queries query sources",
    "shell": "allowed_callers environment",
    "shell_call": "caller created_by environment id status",
    "shell_call_output": "caller created_by id max_output_length status",
    "skill_reference": "version",
    "svg": "model reasoning",
    "text": "format verbosity",
    "tool_search": "description execution parameters",
    "tool_search_call": "call_id created_by execution id status",
    "tool_search_output": "call_id created_by execution id status",
    "tools": "annotations description",
    "top_logprobs": "logprob token",
    "user_location": "city country region timezone type",
    "web_search": "external_web_access filters search_context_size user_location",
    "web_search_preview": "search_content_types search_context_size user_location",
}
_FIELDS: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in _DOCUMENTED.items()}
register_fields(DIALECT, _FIELDS)


def _register_compiled_classes() -> None:
    """Registers each compiled class with the public class of its name."""
    from .._backend import compiled

    module = compiled()
    if module is None:
        return
    for public in DELTA_EVENTS:
        compiled_class = getattr(module, public.__name__, None)
        if compiled_class is not None:
            public.register(compiled_class)


_register_compiled_classes()
