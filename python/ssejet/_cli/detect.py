"""Which dialect a stream speaks, for ``ssejet parse`` without ``--dialect``: the stream's first
events are looked at, up to the first that shows a dialect. An Anthropic Messages type
(``message_start``, ``content_block_*``, ``message_delta``, ``message_stop``, ``ping``) is
``anthropic``; a ``type`` starting ``response.`` is ``responses``; a payload with ``choices``,
one without a ``type``, or data that is not a JSON object (``[DONE]``, text) is ``chat``, whose
decoder then says what is wrong with it. An event of type ``error`` goes by its shape
(Anthropic nests an ``error`` with no ``code``; OpenAI's Responses errors carry a
``sequence_number`` or a ``code``). A payload whose ``type`` no dialect knows shows nothing:
the next event decides.
"""

from __future__ import annotations

from typing import Any, Optional

import orjson

from .. import SSEDecoder, SSEError

CHAT, ANTHROPIC, RESPONSES = "chat", "anthropic", "responses"
DIALECTS = (CHAT, ANTHROPIC, RESPONSES)

# What a stream of each dialect is made of, for messages ("no ... in FILE").
NAMES = {
    CHAT: "chat-completion chunks",
    ANTHROPIC: "Anthropic Messages events",
    RESPONSES: "OpenAI Responses events",
}

ANTHROPIC_TYPES = frozenset(
    {
        "message_start", "content_block_start", "content_block_delta", "content_block_stop",
        "message_delta", "message_stop", "ping",
    }
)  # fmt: skip

# Detection buffers the input until an event shows the dialect; past this many bytes (a body of
# comments) or events of unknown types, it gives up and takes the chat dialect.
SNIFF_LIMIT = 16 * 1024 * 1024
SNIFF_EVENTS = 64


def classify(event: Any) -> Optional[str]:
    """The dialect one Server-Sent Event shows, or None when it shows none: a payload with a
    ``type`` no dialect knows (a new event type, a legacy API's ``completion``)."""
    try:
        payload = orjson.loads(event.data)
    except orjson.JSONDecodeError:
        return CHAT  # [DONE], text: the chat decoder says what is wrong with it
    if type(payload) is not dict or "choices" in payload:
        return CHAT
    kind = payload.get("type")
    if type(kind) is not str:
        return CHAT if event.event == "message" or "error" in payload else _named(event.event)
    if kind in ANTHROPIC_TYPES:
        return ANTHROPIC
    if kind.startswith("response."):
        return RESPONSES
    if kind == "error":
        error = payload.get("error")
        if "sequence_number" in payload or "code" in payload:
            return RESPONSES
        return ANTHROPIC if type(error) is dict and "code" not in error else RESPONSES
    return None


def _named(name: str) -> str:
    """The dialect an event's name shows, for a payload without a ``type``."""
    if name in ANTHROPIC_TYPES:
        return ANTHROPIC
    if name.startswith("response."):
        return RESPONSES
    return CHAT


def sniff(blocks: Any) -> tuple[str, list[bytes]]:
    """Reads ``blocks`` (an iterator of bytes) up to the first event that shows a dialect;
    returns that dialect (chat when none did within SNIFF_EVENTS events or SNIFF_LIMIT bytes,
    or before the end) and the blocks read, which the caller feeds to the dialect's decoder
    before the rest."""
    decoder = SSEDecoder()
    seen: list[bytes] = []
    size = looked = 0
    for block in blocks:
        seen.append(block)
        size += len(block)
        try:
            events = decoder.feed(block)
        except SSEError as error:  # an oversize event: the chosen decoder will report it
            events = getattr(error, "events", None) or []
        for event in events:
            dialect = classify(event)
            looked += 1
            if dialect is not None:
                return dialect, seen
        if size >= SNIFF_LIMIT or looked >= SNIFF_EVENTS:
            return CHAT, seen
    for event in decoder.close():
        dialect = classify(event)
        if dialect is not None:
            return dialect, seen
    return CHAT, seen
