"""The hooks the integrations install into the core, so the core imports none of them.

- The SDK bridge (``ssejet._sdk.dump``): what ``model_dump()`` / ``model_dump_json()`` of a
  chat chunk or a dialect's event call. ``ssejet._sdk`` installs it when it loads, which
  ``import ssejet`` does; the objects of both backends call :func:`sdk_dump`.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

SdkDump = Callable[[Any, Optional[str], str, dict[str, Any]], Any]
_sdk_dump: Optional[SdkDump] = None


def install_sdk_dump(hook: SdkDump) -> None:
    """Installs ``hook(obj, sdk, method, kwargs)``: ``sdk`` is the object's ``_sdk``
    (``"openai"``, ``"ark"`` or None for a chat chunk; ``"anthropic"`` or ``"responses"`` for
    a dialect's event)."""
    global _sdk_dump
    _sdk_dump = hook


def sdk_dump(obj: Any, method: str, kwargs: dict[str, Any]) -> Any:
    """An object's ``model_dump`` / ``model_dump_json`` (``method``), for both backends."""
    if _sdk_dump is None:  # only when the core is used without the ssejet package
        raise RuntimeError(f"{method}() needs ssejet's SDK bridge: import ssejet first")
    return _sdk_dump(obj, obj._sdk, method, kwargs)
