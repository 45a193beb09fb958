"""``ssejet.accelerate(client)``: the SDKs' streamed responses, decoded by ssejet.

The seam: openai-python, Ark's SDK (an adapted copy of it) and anthropic's (made by the same
generator) send every request through ``client.request()``, which retries, raises the SDK's
own ``APIStatusError`` subclasses for 4xx/5xx, then hands the response to
``client._process_response(cast_to=, options=, response=, stream=, stream_cls=, ...)`` to
build the result. A streamed endpoint passes ``stream_cls=Stream[<its event model>]``
(``AsyncStream[...]``): ``chat.completions.create`` ``Stream[ChatCompletionChunk]``,
``responses.create`` ``Stream[ResponseStreamEvent]``, anthropic's ``messages.create``
``Stream[RawMessageStreamEvent]``; each SDK module lists the ones ssejet decodes.
``accelerate()`` switches ``client.__class__`` to a subclass of its own class (so copies made
by ``client.with_options()``, which calls ``self.__class__(...)``, are accelerated too) whose
``_process_response`` returns a ssejet stream (``streams``) for exactly that ``stream_cls`` and
defers to the SDK for everything else: non-streaming calls, other endpoints, and the paths
built on the SDK's own stream (each SDK module lists its headers that mark them).

What differs per SDK (its module names, versions, error classes, the headers to leave alone,
how its own stream maps transport errors, which streamed endpoints ssejet decodes and with
which decoder) is a subclass of :class:`SDK` in ``openai.py`` and ``ark.py``. Supported
versions are checked by ``accelerate()`` along with the seam itself (``TypeError`` if either
is off).
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Any, Callable, NamedTuple, Optional

from .. import _backend
from .._errors import StreamAPIError, rebuild

_SEAM = ("cast_to", "options", "response", "stream", "stream_cls")


class Endpoint(NamedTuple):
    """A streamed endpoint ssejet decodes: the SDK passes ``stream_cls=Stream[<model>]``."""

    models: str  # the module of the SDK's event model, below the SDK's root ("types.chat")
    model: str  # the model's name in it ("ChatCompletionChunk")
    decoder: Callable[[Optional[str]], Any]  # backend -> a fresh decoder for one response


class SDK:
    """What ``accelerate()`` needs of one SDK, looked up when its first client comes.

    Subclasses set the class attributes and the hooks below.
    """

    name: str  # as the model_dump bridge knows it ("openai", "ark")
    module: str  # the import name
    client_names: tuple[str, str]  # (sync, async) client classes in ``module``
    dists: tuple[str, ...]  # distributions that install ``module``, by preference
    low: tuple[int, ...]  # the oldest supported release; the next major is excluded

    def __init__(self) -> None:
        self.high = (self.low[0] + 1,)
        self.range = f"{self.dists[0]}>={'.'.join(map(str, self.low))},<{self.high[0]}"
        self.loaded = False

    # --- per SDK ----------------------------------------------------------------------------

    def endpoints(self) -> tuple[Endpoint, ...]:
        """The streamed endpoints ssejet decodes for this SDK."""
        from .._decoders import ChunkDecoder

        def chunks(backend: Optional[str]) -> Any:
            return ChunkDecoder(backend=backend, sdk=self.name)

        return (Endpoint("types.chat", "ChatCompletionChunk", chunks),)

    def skip_headers(self) -> tuple[str, ...]:
        """Request headers that mark a path built on the SDK's own stream."""
        raise NotImplementedError

    def api_error(self) -> type:
        """The SDK's base class of API errors (``StreamAPIError`` also subclasses it)."""
        raise NotImplementedError

    def error_details(self, error: Any, response: Any) -> None:
        """Sets on a stream ``error`` the attributes the SDK's own error would have."""
        detail = error.body.get("error") if isinstance(error.body, dict) else None
        error.request = response.request
        error.param = detail.get("param") if isinstance(detail, dict) else None

    def client_namespace(self, base: type) -> dict[str, Any]:
        """Attributes the accelerated client class adds or overrides (none by default)."""
        return {}

    def prepare(self, client: Any) -> None:
        """Adjusts an accelerated client's state made before it was accelerated."""

    def transport_error(self, error: BaseException, response: Any) -> Optional[BaseException]:
        """The SDK's error for an HTTP client error met while reading, as the SDK's own stream
        maps it; None to let it through."""
        return None

    # --- shared -----------------------------------------------------------------------------

    def clients(self) -> tuple[type, type]:
        root = sys.modules[self.module]
        return getattr(root, self.client_names[0]), getattr(root, self.client_names[1])

    def load(self) -> None:
        """Checks the installed version; imports what the streams need."""
        if self.loaded:
            return
        installed = _installed(self)
        release = _release(installed)
        if release is None or not self.low <= release < self.high:
            raise TypeError(
                f"ssejet.accelerate() supports {self.range}; this is {self.dists[0]} {installed}"
            )
        from .streams import AsyncSsejetStream, SsejetStream  # the read loop, loaded when used

        streaming = import_module(f"{self.module}._streaming")
        module = {"__module__": __name__}
        stream = type("SsejetStream", (SsejetStream, streaming.Stream), module)
        astream = type("AsyncSsejetStream", (AsyncSsejetStream, streaming.AsyncStream), module)
        # stream_cls -> (our stream class, the decoder factory), sync and async apart
        self.routes: tuple[dict[Any, Any], dict[Any, Any]] = ({}, {})
        for endpoint in self.endpoints():
            model = getattr(import_module(f"{self.module}.{endpoint.models}"), endpoint.model)
            self.routes[0][streaming.Stream[model]] = (stream, endpoint.decoder)
            self.routes[1][streaming.AsyncStream[model]] = (astream, endpoint.decoder)
        self.skip = self.skip_headers()
        namespace = {
            "__module__": __name__,
            "__doc__": StreamAPIError.__doc__,
            "__reduce__": _reduce_stream_error,
        }
        self.error_class = type("StreamAPIError", (StreamAPIError, self.api_error()), namespace)
        self.loaded = True

    def wants(self, kwargs: dict[str, Any]) -> bool:
        """Whether a streamed chat completion may get a ssejet stream (see the module doc)."""
        headers = kwargs["response"].request.headers
        if any(name in headers for name in self.skip):
            return False
        options = kwargs.get("options")  # openai's events-mode streams are not chunks
        return getattr(options, "stream_mode", "legacy") == "legacy" and not getattr(
            options, "synthesize_event_and_data", None
        )

    def stream_error(self, error: StreamAPIError, response: Any) -> StreamAPIError:
        """``error`` as an instance of both ``ssejet.StreamAPIError`` and the SDK's APIError."""
        new = self.error_class.__new__(self.error_class, *error.args)
        new.__dict__.update(error.__dict__)
        self.error_details(new, response)
        return new  # type: ignore[no-any-return]

    def translator(self, response: Any) -> Callable[[Exception], None]:
        """The read loop's ``translate``: raises the SDK's error for ``error``, if it has one."""

        def translate(error: Exception) -> None:
            if isinstance(error, StreamAPIError):
                raise self.stream_error(error, response) from None
            replacement = self.transport_error(error, response)
            if replacement is not None:
                raise replacement from error

        return translate


def _reduce_stream_error(error: StreamAPIError) -> Any:
    """Pickles the SDK-aware error as a plain StreamAPIError (its class is made at run time,
    and the SDK's ``request`` is no part of ssejet's error)."""
    state = {k: v for k, v in error.__dict__.items() if k not in ("request", "request_id")}
    return rebuild, (StreamAPIError, error.args, state)


def _installed(sdk: SDK) -> str:
    from importlib.metadata import PackageNotFoundError, version

    for dist in sdk.dists:
        try:
            return version(dist)
        except PackageNotFoundError:
            continue
    return str(getattr(sys.modules[sdk.module], "__version__", "unknown"))


def _release(text: str) -> Optional[tuple[int, ...]]:
    import re

    match = re.match(r"\d+(?:\.\d+)*", text)
    return tuple(int(part) for part in match.group().split(".")) if match else None


def accelerate(client: Any, *, backend: Optional[str] = None) -> Any:
    """Makes the client's streamed calls return ssejet objects parsed in Rust.

    In place, and idempotent: afterwards ``chat.completions.create(..., stream=True)`` returns
    a stream of :class:`ChatCompletionChunk`, openai's ``responses.create(..., stream=True)``
    one of ``ssejet.responses`` events, anthropic's ``messages.create(..., stream=True)`` one
    of ``ssejet.anthropic`` events, parsed by ssejet straight from the HTTP response, with the
    SDK stream's interface (iteration, async iteration, context manager, ``close()``,
    ``response``; breaking out of the loop closes the response). HTTP errors still raise the
    SDK's own exceptions; an error inside the stream raises :class:`StreamAPIError` (also an
    instance of the SDK's ``APIError``). Copies made by ``client.with_options()`` are
    accelerated too; every other call is the SDK's own (the stream helpers
    ``chat.completions.stream()``, ``responses.stream()`` and ``messages.stream()`` too). The
    objects' ``model_dump()`` gives what this SDK's model gives.

    Args:
        client: an ``openai.OpenAI`` / ``AsyncOpenAI`` (openai>=3.54,<4), a
            ``volcenginesdkarkruntime.Ark`` / ``AsyncArk`` (volcengine-ark-runtime>=5.0.51,<6),
            or an ``anthropic.Anthropic`` / ``AsyncAnthropic`` (anthropic>=2.17,<3).
        backend: ``"rust"``, ``"python"``, or None for ``ssejet.backend``.

    Returns:
        ``client`` itself.

    Raises:
        TypeError: not a client of those SDKs, or an unsupported version of one.
        ValueError, ImportError: as ``ChunkDecoder(backend=backend)`` would.

    >>> client = ssejet.accelerate(OpenAI())  # doctest: +SKIP
    """
    _backend.resolve(backend)  # an unknown name or a missing extension fails here
    base = getattr(type(client), "_ssejet_base", type(client))
    sdk = _sdk_of(client)
    sdk.load()
    key = (base, backend)
    if key not in _classes:
        _classes[key] = _accelerated(base, sdk, backend)
    client.__class__ = _classes[key]
    sdk.prepare(client)
    return client


def supported() -> tuple[SDK, ...]:
    """The SDKs ``accelerate()`` knows, one instance each."""
    if not _sdks:
        from .anthropic import Anthropic
        from .ark import Ark
        from .openai import OpenAI

        _sdks.extend((OpenAI(), Ark(), Anthropic()))
    return tuple(_sdks)


_sdks: list[SDK] = []
_classes: dict[tuple[type, Optional[str]], type] = {}


def _sdk_of(client: Any) -> SDK:
    for sdk in supported():
        if sdk.module in sys.modules and isinstance(client, sdk.clients()):
            return sdk
    accepted = " or ".join(
        f"{sdk.module}.{sdk.client_names[0]} / {sdk.client_names[1]} ({sdk.range})"
        for sdk in supported()
    )
    got = f"{type(client).__module__}.{type(client).__qualname__}"
    raise TypeError(f"ssejet.accelerate() takes an {accepted} client, not {got}")


def _accelerated(base: type, sdk: SDK, backend: Optional[str]) -> type:
    """The subclass of ``base`` whose ``_process_response`` builds ssejet streams."""
    import inspect

    original: Any = getattr(base, "_process_response", None)
    is_async = issubclass(base, sdk.clients()[1])
    try:
        params = set(inspect.signature(original).parameters)
    except (TypeError, ValueError):
        params = set()
    if not params.issuperset(_SEAM) or inspect.iscoroutinefunction(original) != is_async:
        raise TypeError(
            f"ssejet.accelerate(): {base.__qualname__}._process_response is not the method "
            f"ssejet hooks into; supported: {sdk.range}"
        )
    routes = sdk.routes[is_async]

    def ours(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """The route of a streamed response ssejet decodes, else None."""
        if args or not kwargs.get("stream"):
            return None
        route = routes.get(kwargs.get("stream_cls"))
        return route if route is not None and sdk.wants(kwargs) else None

    if is_async:

        async def _process_response(self: Any, *args: Any, **kwargs: Any) -> Any:
            route = ours(args, kwargs)
            if route is not None:
                stream, decoder = route
                return stream(kwargs["response"], sdk, decoder(backend), self)
            return await original(self, *args, **kwargs)

    else:

        def _process_response(self: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
            route = ours(args, kwargs)
            if route is not None:
                stream, decoder = route
                return stream(kwargs["response"], sdk, decoder(backend), self)
            return original(self, *args, **kwargs)

    namespace = {
        **sdk.client_namespace(base),
        "_process_response": _process_response,
        "_ssejet_base": base,
        "__module__": base.__module__,
        "__qualname__": base.__qualname__,
        "__doc__": base.__doc__,
    }
    return type(base.__name__, (base,), namespace)
