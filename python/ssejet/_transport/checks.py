"""What every HTTP client's response must pass before its body is decoded, and the errors when
it does not: a 2xx status (else ``APIStatusError``) and a ``text/event-stream`` content type
(else ``SSEError``, quoting the start of the body). Client-neutral: each body adapter reads
what these need its own way and hands over plain values.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, Optional

import orjson

from .._errors import APIStatusError, SSEError

STATUS_BODY_LIMIT = 64 * 1024
"""The most bytes of a non-2xx body read for ``APIStatusError.body``."""
SNIPPET = 200
"""Characters of a body quoted in an error message (and bytes read to quote them)."""


def is_event_stream(content_type: Optional[str]) -> bool:
    """Whether a Content-Type header names ``text/event-stream``: matched without case or
    parameters, in a list of types too (``application/json, text/event-stream``)."""
    if content_type is None:
        return False
    return any(
        media.partition(";")[0].strip().lower() == "text/event-stream"
        for media in content_type.split(",")
    )


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[:SNIPPET] + "..."


def status_error(status: int, reason: str, content: bytes, response: Any) -> APIStatusError:
    """The error for a non-2xx response whose body (its first bytes) is ``content``."""
    try:
        body: Any = orjson.loads(content)
    except orjson.JSONDecodeError:
        body = content.decode("utf-8", "replace")
    text = content.decode("utf-8", "replace")
    where = f"{status} {reason}".rstrip()
    detail = f": {_snippet(text)}" if text.strip() else " with an empty body"
    return APIStatusError(
        f"server answered HTTP {where}{detail}", status_code=status, body=body, response=response
    )


def content_type_error(content_type: Optional[str], head: bytes) -> SSEError:
    """The error for a 2xx response that is not ``text/event-stream``; ``head`` is the start
    of its body."""
    got = "no Content-Type" if content_type is None else f"Content-Type {content_type!r}"
    start = _snippet(head.decode("utf-8", "replace"))
    body = f"the body starts with {start!r}" if start else "the body is empty"
    return SSEError(f"expected a text/event-stream response, got {got}; {body}")


def check(status: int, reason: str, content_type: Optional[str], reads: Any, response: Any) -> None:
    """Raises ``APIStatusError`` unless ``status`` is 2xx (with the first 64 KiB of the body,
    from ``reads()``), then ``SSEError`` unless ``content_type`` names an event stream."""
    if not 200 <= status < 300:
        raise status_error(status, reason, head(reads(), STATUS_BODY_LIMIT), response)
    if not is_event_stream(content_type):
        raise content_type_error(content_type, head(reads(), SNIPPET))


async def acheck(
    status: int, reason: str, content_type: Optional[str], reads: Any, response: Any
) -> None:
    """The async twin of :func:`check` (``reads()`` gives an async iterator)."""
    if not 200 <= status < 300:
        raise status_error(status, reason, await ahead(reads(), STATUS_BODY_LIMIT), response)
    if not is_event_stream(content_type):
        raise content_type_error(content_type, await ahead(reads(), SNIPPET))


def head(reads: Iterator[bytes], limit: int) -> bytes:
    """The first ``limit`` bytes of a body at most (reading stops once past it)."""
    start = bytearray()
    for data in reads:
        start += data
        if len(start) >= limit:
            break
    return bytes(start[:limit])


async def ahead(reads: AsyncIterator[bytes], limit: int) -> bytes:
    """The async twin of :func:`head`; closes ``reads`` when it can."""
    start = bytearray()
    try:
        async for data in reads:
            start += data
            if len(start) >= limit:
                break
    finally:
        aclose = getattr(reads, "aclose", None)
        if aclose is not None:
            await aclose()
    return bytes(start[:limit])
