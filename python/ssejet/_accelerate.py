"""``ssejet.accelerate(client)``: the openai and Volcano Engine Ark SDKs' streamed chat
completions, decoded by ssejet.

The seam: both SDKs (Ark's client is an adapted copy of openai-python's) send every request
through ``client.request()``, which retries, raises the SDK's own ``APIStatusError`` subclasses
for 4xx/5xx, then hands the response to ``client._process_response(cast_to=, options=,
response=, stream=, stream_cls=, ...)`` to build the result. ``chat.completions.create`` passes
``stream_cls=Stream[ChatCompletionChunk]`` (``AsyncStream[...]``), and no other endpoint does.
``accelerate()`` switches ``client.__class__`` to a subclass of its own class (so copies made
by ``client.with_options()``, which calls ``self.__class__(...)``, are accelerated too) whose
``_process_response`` returns a ssejet stream for exactly that ``stream_cls`` and defers to the
SDK for everything else: non-streaming calls, other endpoints, and the paths built on the SDK's
own stream: ``.with_raw_response`` / ``.with_streaming_response`` (the raw-response header),
openai's ``chat.completions.stream()`` helper (its helper-method header), and Ark's end-to-end
encryption (the ``x-is-encrypted`` header: the SDK decrypts its chunks in place).

The streams subclass the SDK's ``Stream`` / ``AsyncStream`` (``isinstance`` checks in user code
hold) and read ``response.iter_raw()`` (``iter_bytes()`` under a content encoding) into a
:class:`ChunkDecoder`. After ``[DONE]`` they read at most 64 KiB more, then close the response,
as ssejet's httpx iterators do; an error while doing so is dropped (the output is complete).

Supported versions, checked by ``accelerate()`` along with the seam itself (``TypeError`` if
either is off): the lower bounds are what the tests run on (openai 3.54.0; volcengine-ark-
runtime 5.0.54, and 5.0.51.post2, the distribution's first release, has the same
``_streaming.py`` and ``_process_response``); the upper bounds, the next major version.
"""

from __future__ import annotations

import contextlib
import inspect
import re
import sys
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Optional

from . import _backend, _sdk_dump
from ._decoders import ChunkDecoder
from ._errors import ChunkDecodeError, EventTooLargeError, StreamAPIError, _rebuild

DRAIN_LIMIT = 64 * 1024
_DECODER_ERRORS = (StreamAPIError, ChunkDecodeError, EventTooLargeError)
_SEAM = ("cast_to", "options", "response", "stream", "stream_cls")
_IDENTITY = ("", "identity")


class _SDK:
    """What ``accelerate()`` needs of one SDK, looked up when its first client comes."""

    def __init__(
        self, name: str, module: str, clients: tuple[str, str], dists: tuple[str, ...], low: Any
    ) -> None:
        self.name, self.module, self.client_names, self.dists = name, module, clients, dists
        self.low, self.high = low, (low[0] + 1,)
        self.range = f"{dists[0]}>={'.'.join(map(str, low))},<{self.high[0]}"
        self.loaded = False

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
        streaming = import_module(f"{self.module}._streaming")
        chunk = import_module(f"{self.module}.types.chat").ChatCompletionChunk
        constants = import_module(f"{self.module}._constants")
        self.targets = (streaming.Stream[chunk], streaming.AsyncStream[chunk])
        module = {"__module__": __name__}
        self.streams = (
            type("ChunkStream", (ChunkStream, streaming.Stream), module),
            type("AsyncChunkStream", (AsyncChunkStream, streaming.AsyncStream), module),
        )
        if self.name == "openai":
            self.skip = (constants.RAW_RESPONSE_HEADER, "X-Stainless-Helper-Method")
            api_error = import_module("openai").APIError
        else:
            self.skip = (constants.RAW_RESPONSE_HEADER, constants.ARK_E2E_ENCRYPTION_HEADER)
            api_error = import_module(f"{self.module}._exceptions").ArkAPIError
        namespace = {
            "__module__": __name__,
            "__doc__": StreamAPIError.__doc__,
            "__reduce__": _reduce_stream_error,
        }
        self.error_class = type("StreamAPIError", (StreamAPIError, api_error), namespace)
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
        """``error`` as an instance of both ``ssejet.StreamAPIError`` and the SDK's APIError:
        ssejet's attributes, plus the SDK's ``request``, ``param`` (and Ark's ``request_id``)."""
        new = self.error_class.__new__(self.error_class, *error.args)
        new.__dict__.update(error.__dict__)
        detail = error.body.get("error") if isinstance(error.body, dict) else None
        new.request = response.request
        new.param = detail.get("param") if isinstance(detail, dict) else None
        if self.name == "ark":
            new.request_id = response.headers.get("X-Client-Request-Id", "")
        return new

    def transport_errors(self, response: Any) -> tuple[Any, Any]:
        """(httpx errors, SDK error for each) as the SDK's own stream maps them while reading:
        openai's maps timeouts and request errors, Ark's lets httpx's through."""
        if self.name != "openai":
            return (), None
        openai, errors = sys.modules["openai"], import_module("openai._httpx2")
        timeouts, failures = errors.timeout_exceptions(), errors.request_exceptions()

        def convert(error: BaseException) -> BaseException:
            kind = (
                openai.APITimeoutError if isinstance(error, timeouts) else openai.APIConnectionError
            )
            return kind(request=response.request)  # type: ignore[no-any-return]

        return timeouts + failures, convert


_SDKS = (
    _SDK("openai", "openai", ("OpenAI", "AsyncOpenAI"), ("openai",), (3, 54)),
    _SDK(
        "ark",
        "volcenginesdkarkruntime",
        ("Ark", "AsyncArk"),
        ("volcengine-ark-runtime", "volcengine-python-sdk"),
        (5, 0, 51),
    ),
)
_classes: dict[tuple[type, Optional[str]], type] = {}


def accelerate(client: Any, *, backend: Optional[str] = None) -> Any:
    """Makes ``client.chat.completions.create(..., stream=True)`` return ssejet chunks.

    In place, and idempotent: afterwards the call returns a stream of
    :class:`ChatCompletionChunk` parsed by ssejet straight from the HTTP response, with the
    SDK stream's interface (iteration, async iteration, context manager, ``close()``,
    ``response``; breaking out of the loop closes the response). HTTP errors still raise the
    SDK's own exceptions; an error inside the stream raises :class:`StreamAPIError` (also an
    instance of the SDK's ``APIError``). Copies made by ``client.with_options()`` are
    accelerated too; every other call is the SDK's own.

    Args:
        client: an ``openai.OpenAI`` / ``AsyncOpenAI`` (openai>=3.54,<4), or a
            ``volcenginesdkarkruntime.Ark`` / ``AsyncArk`` (volcengine-ark-runtime>=5.0.51,<6).
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
    _sdk_dump.use(sdk.name)
    return client


def _sdk_of(client: Any) -> _SDK:
    for sdk in _SDKS:
        if sdk.module in sys.modules and isinstance(client, sdk.clients()):
            return sdk
    accepted = " or ".join(
        f"{sdk.module}.{sdk.client_names[0]} / {sdk.client_names[1]} ({sdk.range})" for sdk in _SDKS
    )
    got = f"{type(client).__module__}.{type(client).__qualname__}"
    raise TypeError(f"ssejet.accelerate() takes an {accepted} client, not {got}")


def _accelerated(base: type, sdk: _SDK, backend: Optional[str]) -> type:
    """The subclass of ``base`` whose ``_process_response`` builds ssejet streams."""
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
    target, stream = sdk.targets[is_async], sdk.streams[is_async]

    def ours(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
        return (
            not args
            and bool(kwargs.get("stream"))
            and kwargs.get("stream_cls") == target
            and sdk.wants(kwargs)
        )

    if is_async:

        async def _process_response(self: Any, *args: Any, **kwargs: Any) -> Any:
            if ours(args, kwargs):
                return stream(kwargs["response"], sdk, ChunkDecoder(backend=backend))
            return await original(self, *args, **kwargs)

    else:

        def _process_response(self: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
            if ours(args, kwargs):
                return stream(kwargs["response"], sdk, ChunkDecoder(backend=backend))
            return original(self, *args, **kwargs)

    namespace = {
        "_process_response": _process_response,
        "_ssejet_base": base,
        "__module__": base.__module__,
        "__qualname__": base.__qualname__,
        "__doc__": base.__doc__,
    }
    return type(base.__name__, (base,), namespace)


def _installed(sdk: _SDK) -> str:
    for dist in sdk.dists:
        try:
            return version(dist)
        except PackageNotFoundError:
            continue
    return str(getattr(sys.modules[sdk.module], "__version__", "unknown"))


def _release(text: str) -> Optional[tuple[int, ...]]:
    match = re.match(r"\d+(?:\.\d+)*", text)
    return tuple(int(part) for part in match.group().split(".")) if match else None


# --- the streams --------------------------------------------------------------------------


class ChunkStream:
    """A streamed chat completion as ssejet chunks, in the SDK's ``Stream`` interface.

    Iterating reads the response (``for`` closes it when the loop ends or breaks); ``close()``
    and the context manager close it too. ``response`` is the ``httpx.Response``.
    """

    response: Any

    def __init__(self, response: Any, sdk: _SDK, decoder: ChunkDecoder) -> None:
        self.response = response
        self._iterator = _chunks(response, decoder, sdk)

    def __iter__(self) -> Iterator[Any]:
        # A generator of its own: when a `for` loop ends early, it is closed at once, and
        # `yield from` closes the reader, whose `finally` closes the response.
        yield from self._iterator

    def __next__(self) -> Any:
        return self._iterator.__next__()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes the response and releases the connection."""
        self.response.close()


class AsyncChunkStream:
    """The async twin of :class:`ChunkStream` (``async for``, ``async with``, ``await close()``)."""

    response: Any

    def __init__(self, response: Any, sdk: _SDK, decoder: ChunkDecoder) -> None:
        self.response = response
        self._iterator = _achunks(response, decoder, sdk)

    async def __aiter__(self) -> AsyncIterator[Any]:
        # Breaking out of `async for` leaves this generator to be closed by the event loop's
        # async-generator finalizer, which then closes the reader and the response.
        try:
            async for chunk in self._iterator:
                yield chunk
        finally:
            await self._iterator.aclose()

    async def __anext__(self) -> Any:
        return await self._iterator.__anext__()

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Closes the response and releases the connection."""
        await self.response.aclose()

    async def aclose(self) -> None:
        """Same as :meth:`close` (openai's name for it)."""
        await self.close()


def _raw(response: Any) -> bool:
    """Whether the body can be read with ``iter_raw()`` (faster by a generator and a decoder
    per read): unread, with no content encoding."""
    return (
        not response.is_stream_consumed
        and response.headers.get("content-encoding", "").strip().lower() in _IDENTITY
    )


def _chunks(response: Any, decoder: ChunkDecoder, sdk: _SDK) -> Iterator[Any]:
    """The reader behind :class:`ChunkStream`: every chunk of the response, then close it."""
    feed, state = decoder.feed, decoder._impl  # `done` read on the implementation: cheaper
    transport, convert = sdk.transport_errors(response)
    body = response.iter_raw() if _raw(response) else response.iter_bytes()
    try:
        try:
            for data in body:
                try:
                    chunks = feed(data)
                except _DECODER_ERRORS as error:
                    yield from error.chunks
                    _reraise(error, response, sdk)
                    raise
                yield from chunks
                if state.done:
                    _drain(body)
                    return
            try:
                chunks = decoder.close()
            except _DECODER_ERRORS as error:
                yield from error.chunks
                _reraise(error, response, sdk)
                raise
            yield from chunks
        except transport as error:
            raise convert(error) from error
    finally:
        response.close()


async def _achunks(response: Any, decoder: ChunkDecoder, sdk: _SDK) -> AsyncGenerator[Any, None]:
    """The reader behind :class:`AsyncChunkStream` (as ``_chunks``)."""
    feed, state = decoder.feed, decoder._impl
    transport, convert = sdk.transport_errors(response)
    body = response.aiter_raw() if _raw(response) else response.aiter_bytes()
    try:
        try:
            async for data in body:
                try:
                    chunks = feed(data)
                except _DECODER_ERRORS as error:
                    for chunk in error.chunks:
                        yield chunk
                    _reraise(error, response, sdk)
                    raise
                for chunk in chunks:
                    yield chunk
                if state.done:
                    await _adrain(body)
                    return
            try:
                chunks = decoder.close()
            except _DECODER_ERRORS as error:
                for chunk in error.chunks:
                    yield chunk
                _reraise(error, response, sdk)
                raise
            for chunk in chunks:
                yield chunk
        except transport as error:
            raise convert(error) from error
    finally:
        aclose = getattr(body, "aclose", None)
        if aclose is not None:
            await aclose()
        await response.aclose()


def _reduce_stream_error(error: StreamAPIError) -> Any:
    """Pickles the SDK-aware error as a plain StreamAPIError (its class is made at run time,
    and the SDK's ``request`` is no part of ssejet's error)."""
    state = {k: v for k, v in error.__dict__.items() if k not in ("request", "request_id")}
    return _rebuild, (StreamAPIError, error.args, state)


def _reraise(error: BaseException, response: Any, sdk: _SDK) -> None:
    """Raises a StreamAPIError as the SDK-aware one; the caller re-raises the others."""
    if isinstance(error, StreamAPIError):
        raise sdk.stream_error(error, response) from None


def _drain(body: Iterator[bytes]) -> None:
    """Reads and discards what follows ``[DONE]``, up to DRAIN_LIMIT bytes."""
    discarded = 0
    with contextlib.suppress(Exception):  # cleanup must not turn complete output into an error
        for data in body:
            discarded += len(data)
            if discarded >= DRAIN_LIMIT:
                break


async def _adrain(body: AsyncIterator[bytes]) -> None:
    discarded = 0
    with contextlib.suppress(Exception):  # as in _drain
        async for data in body:
            discarded += len(data)
            if discarded >= DRAIN_LIMIT:
                break
