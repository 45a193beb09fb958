"""openai-python (``openai.OpenAI`` / ``AsyncOpenAI``) for ``accelerate()``.

Supported: openai>=3.54,<4 (3.54.0 is what the tests run on; the next major is excluded).
Streamed chat completions decode as ssejet chunks, ``responses.create(stream=True)`` as
``ssejet.responses`` events. Left to the SDK: ``.with_raw_response`` /
``.with_streaming_response`` (the raw-response header) and the ``chat.completions.stream()``
and ``responses.stream()`` helpers (their helper-method header), which build the SDK's own
models from each event; ``ssejet.responses.accumulate`` is the accelerated way to the final
response.
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Any, Optional

from .seam import SDK, Endpoint


class OpenAI(SDK):
    name = "openai"
    module = "openai"
    client_names = ("OpenAI", "AsyncOpenAI")
    dists = ("openai",)
    low = (3, 54)

    def endpoints(self) -> tuple[Endpoint, ...]:
        def events(backend: Optional[str]) -> Any:
            from ..responses import EventDecoder

            return EventDecoder(backend=backend)

        responses = Endpoint("types.responses", "ResponseStreamEvent", events)
        return (*super().endpoints(), responses)

    def skip_headers(self) -> tuple[str, ...]:
        constants = import_module("openai._constants")
        return (constants.RAW_RESPONSE_HEADER, "X-Stainless-Helper-Method")

    def api_error(self) -> type:
        return import_module("openai").APIError  # type: ignore[no-any-return]

    def transport_error(self, error: BaseException, response: Any) -> Optional[BaseException]:
        # openai's own stream turns the HTTP client's timeouts and request errors into
        # APITimeoutError and APIConnectionError while it reads.
        openai, errors = sys.modules["openai"], import_module("openai._httpx2")
        if isinstance(error, errors.timeout_exceptions()):
            return openai.APITimeoutError(request=response.request)  # type: ignore[no-any-return]
        if isinstance(error, errors.request_exceptions()):
            return openai.APIConnectionError(request=response.request)  # type: ignore[no-any-return]
        return None
