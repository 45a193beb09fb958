"""openai-python (``openai.OpenAI`` / ``AsyncOpenAI``) for ``accelerate()``.

Supported: openai>=3.54,<4 (3.54.0 is what the tests run on; the next major is excluded).
Streamed chat completions decode as ssejet chunks, ``responses.create(stream=True)`` as
``ssejet.responses`` events. Left to the SDK: ``.with_raw_response`` /
``.with_streaming_response`` (the raw-response header) and the ``chat.completions.stream()``
and ``responses.stream()`` helpers (their helper-method header), which build the SDK's own
models from each event; ``ssejet.responses.accumulate`` is the accelerated way to the final
response. ``responses.stream()`` calls ``responses.create(stream=True)`` without a header of
its own, so the accelerated client's ``responses`` resource adds the helper-method header to
it, as ``chat.completions.stream()`` does itself.
"""

from __future__ import annotations

import functools
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

    def client_namespace(self, base: type) -> dict[str, Any]:
        original = base.responses  # type: ignore[attr-defined]

        def responses(client: Any) -> Any:
            resource = original.func(client)
            resource.__class__ = _helper_marked(type(resource))
            return resource

        prop = functools.cached_property(responses)
        prop.__set_name__(base, "responses")
        return {"responses": prop}

    def prepare(self, client: Any) -> None:
        resource = vars(client).get("responses")  # made before accelerate(): mark it too
        if resource is not None:
            resource.__class__ = _helper_marked(type(resource))

    def skip_headers(self) -> tuple[str, ...]:
        constants = import_module("openai._constants")
        return (constants.RAW_RESPONSE_HEADER, HELPER_HEADER)

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


HELPER_HEADER = "X-Stainless-Helper-Method"


@functools.cache
def _helper_marked(resource: type) -> type:
    """``resource`` (openai's ``Responses`` / ``AsyncResponses``) whose ``stream()`` marks its
    request with the helper-method header, so the seam leaves it to the SDK."""
    if getattr(resource, "_ssejet_marked", False):
        return resource

    def stream(self: Any, *args: Any, extra_headers: Any = None, **kwargs: Any) -> Any:
        headers = {**(extra_headers or {}), HELPER_HEADER: "responses.stream"}
        return resource.stream(self, *args, extra_headers=headers, **kwargs)  # type: ignore[attr-defined]

    namespace = {
        "stream": stream,
        "_ssejet_marked": True,
        "__module__": resource.__module__,
        "__qualname__": resource.__qualname__,
        "__doc__": resource.__doc__,
    }
    return type(resource.__name__, (resource,), namespace)
