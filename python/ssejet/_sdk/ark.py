"""Volcano Engine Ark (``volcenginesdkarkruntime.Ark`` / ``AsyncArk``) for ``accelerate()``.

Ark's client is an adapted copy of openai-python's, with the same seam. Supported:
volcengine-ark-runtime>=5.0.51,<6 (5.0.54 is what the tests run on; 5.0.51.post2, the
distribution's first release, has the same ``_streaming.py`` and ``_process_response``).
Left to the SDK: the raw-response paths and end-to-end encryption (the ``x-is-encrypted``
header: the SDK decrypts its chunks in place). Its stream lets httpx errors through as they
are, and so does ours.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .seam import SDK


class Ark(SDK):
    name = "ark"
    module = "volcenginesdkarkruntime"
    client_names = ("Ark", "AsyncArk")
    dists = ("volcengine-ark-runtime", "volcengine-python-sdk")
    low = (5, 0, 51)

    def skip_headers(self) -> tuple[str, ...]:
        constants = import_module(f"{self.module}._constants")
        return (constants.RAW_RESPONSE_HEADER, constants.ARK_E2E_ENCRYPTION_HEADER)

    def api_error(self) -> type:
        return import_module(f"{self.module}._exceptions").ArkAPIError  # type: ignore[no-any-return]

    def error_details(self, error: Any, response: Any) -> None:
        super().error_details(error, response)
        error.request_id = response.headers.get("X-Client-Request-Id", "")
