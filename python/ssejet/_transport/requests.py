"""requests: a ``requests.Response`` opened with ``stream=True`` as the read loop's ``Body``.

requests is an optional dependency (``pip install "ssejet[requests]"``), never imported here:
the adapter uses the response it is given.

How the body is read, chosen by measurement (client CPU per event with ssejet's decoding, an
Ark-shaped 2,000-event body written one event per write by a server in another process; median
of 7, two runs, on this 2-core machine): a chunked body with ``iter_content(chunk_size=None)``,
which yields each HTTP chunk as it arrives (3.4-4.0 us/event; urllib3's ``read1`` costs
7.1-8.4 us there); any other body (delimited by its length or by the connection's close) with
``raw.read1(65536)``, "what has arrived, up to 64 KiB" (3.9 us/event), because there
``iter_content(chunk_size=None)`` reads to the end of the body before yielding anything (and
costs 5.1-5.2 us/event). Both decode gzip/deflate/br/zstd. ``iter_lines()`` is never used: it
splits on CR, LF and more by rules that are not SSE's and holds a line back until the next one
starts (the seed's ``iter_lines()`` + ``json.loads`` loop: 6.9-7.0 us/event, for less).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .checks import check

READ_SIZE = 64 * 1024


def is_response(source: Any) -> bool:
    """Whether ``source`` is a ``requests.Response``."""
    return any(
        cls.__name__ == "Response" and cls.__module__.partition(".")[0] == "requests"
        for cls in type(source).__mro__
    )


class RequestsBody:
    """A streaming ``requests.Response`` as the read loop's ``Body``."""

    __slots__ = ("response",)

    def __init__(self, response: Any) -> None:
        self.response = response

    def check(self) -> None:
        response = self.response
        content_type = response.headers.get("content-type")
        check(response.status_code, response.reason or "", content_type, self.reads, response)

    def reads(self) -> Iterator[bytes]:
        raw = self.response.raw
        if getattr(raw, "chunked", False) or not hasattr(raw, "read1"):  # read1: urllib3 >= 2.3
            return self.response.iter_content(chunk_size=None)  # type: ignore[no-any-return]
        return _read1(raw)

    def drain(self, reads: Iterator[bytes]) -> None:
        """Nothing: a blocking urllib3 read cannot be bounded in time from here, so the
        connection is closed rather than reused."""

    def close(self) -> None:
        self.response.close()


def _read1(raw: Any) -> Iterator[bytes]:
    read1 = raw.read1
    while True:
        data = read1(READ_SIZE, decode_content=True)
        if not data:
            return
        yield data
