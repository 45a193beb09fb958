"""Extension safety: hostile use and hostile JSON never crash ssejet or split the backends.

- A decoder shared between threads, or re-entered from Python code that runs inside its
  ``feed()`` (a finalizer, an exception's ``__init__``), fails cleanly in the Rust backend: the
  second call raises ``RuntimeError`` ("Already borrowed") and nothing it fed is taken in, so the
  decoder's state stays exactly what the first call makes it. The pure-Python backend is a plain
  Python object with no lock: it never crashes, but calls that really overlap interleave their
  lines (see the tests for what is observed); share a decoder only behind a lock.
- Events, chunks, their parts and the errors that carry them survive ``pickle`` (every
  protocol), ``copy``, ``deepcopy`` and the garbage collection of the decoder that made them.
- ``parse_chunk`` on malformed JSON (nesting at orjson's limit and one past it, huge numbers,
  lone surrogates as escapes and as raw ``str``, invalid UTF-8 inside strings, 10 MB strings,
  NaN and Infinity) and on seeded random mutations of real payloads: both backends raise the
  same exception (class, ``str()``, attributes) or return equal chunks (``repr`` and
  ``to_dict()``).
"""

from __future__ import annotations

import copy
import gc
import json
import os
import pickle
import re
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ssejet
from ssejet import (
    ChatCompletionChunk,
    ChunkDecodeError,
    ChunkDecoder,
    EventTooLargeError,
    ServerSentEvent,
    SSEDecoder,
    StreamAPIError,
    accumulate,
    parse_chunk,
)


def require_rust() -> None:
    """Skips a Rust-only test without the extension, or fails it when SSEJET_REQUIRE_RUST=1
    (as the `backend` fixture of conftest.py does)."""
    if ssejet._backend._rust_module is None:
        if os.environ.get("SSEJET_REQUIRE_RUST") == "1":
            pytest.fail("SSEJET_REQUIRE_RUST=1 but the extension is missing")
        pytest.skip("the Rust extension is not built (run `make build`)")


# --- Threads ------------------------------------------------------------------------------

# Four threads feed one decoder complete events, each "data: <thread>-<n>", with a tiny switch
# interval and a garbage collector that runs finalizers inside `feed()`; the finalizers sleep,
# which hands the GIL to another thread in the middle of a Rust `feed()`. Every call is sorted:
# "clean" (it returned its own event and nothing else), "refused" (RuntimeError: borrowed),
# "mixed" (it returned something else: lines of two calls interleaved) or another exception.
THREADS_CHILD = r"""
import collections, gc, json, sys, threading, time

import ssejet

backend, kind = sys.argv[1], sys.argv[2]
THREADS, FEEDS = 4, 1500
decoder = (ssejet.SSEDecoder if kind == "sse" else ssejet.ChunkDecoder)(backend=backend)
feed = decoder.feed
counts = collections.Counter()
samples = {}
lock = threading.Lock()
start = threading.Barrier(THREADS)


class Yield:
    # A cycle with a finalizer: collected inside some later allocation, maybe inside feed().
    def __init__(self):
        self.me = self

    def __del__(self):
        time.sleep(0)


def work(t):
    start.wait()
    seen = collections.Counter()
    for i in range(FEEDS):
        Yield()
        name = f"{t}-{i}"
        if kind == "sse":
            data = f"data: {name}\n\n".encode()
        else:
            data = b'data: {"id": "' + name.encode() + b'"}\n\n'
        try:
            got = [e.data if kind == "sse" else e.id for e in feed(data)]
            outcome = "clean" if got == [name] else "mixed"
        except RuntimeError as error:
            outcome = "refused" if "borrow" in str(error) else f"RuntimeError: {error}"
        except Exception as error:
            outcome = f"{type(error).__name__}: {error}"[:200]
            got = None
        seen[outcome] += 1
        if outcome != "clean" and outcome not in samples:
            samples[outcome] = (name, repr(got) if outcome == "mixed" else None)
    with lock:
        counts.update(seen)


sys.setswitchinterval(1e-6)
gc.set_threshold(1)
threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
gc.set_threshold(700)
decoder.close()
if kind == "sse":
    final = [e.data for e in decoder.feed(b"data: final\n\n")]
else:
    final = [c.id for c in decoder.feed(b'data: {"id": "final"}\n\n')]
print(json.dumps({"counts": counts, "samples": samples, "final": final}))
"""


def hammer(backend: str, kind: str) -> dict[str, Any]:
    """Runs the threads in a fresh interpreter: a crash there is a failure here, not a
    crash of the test run."""
    proc = subprocess.run(
        [sys.executable, "-c", THREADS_CHILD, backend, kind],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr[-3000:]}"
    report: dict[str, Any] = json.loads(proc.stdout)
    print(f"\n{backend} {kind}: {report}")  # shown with `pytest -s`
    return report


@pytest.mark.parametrize("kind", ["sse", "chunk"])
def test_a_decoder_shared_between_threads_refuses_overlapping_calls_cleanly(
    backend: str, kind: str
) -> None:
    """Overlapping calls raise RuntimeError("Already borrowed") on both backends (Rust's borrow
    check; a non-blocking lock in the pure decoders), so a shared decoder never silently mixes
    two calls' lines (the pure decoder once did: 58-94 mixed events in 6000 calls)."""
    report = hammer(backend, kind)
    counts = report["counts"]
    # Every call either decoded exactly its own event or was refused whole; nothing else.
    assert set(counts) <= {"clean", "refused"}, report
    assert counts["clean"] + counts.get("refused", 0) == 4 * 1500
    assert report["final"] == ["final"]


# --- Re-entrancy ----------------------------------------------------------------------------


def reenter_from_error_init(
    monkeypatch: pytest.MonkeyPatch, error_class: type[Exception], call: Any
) -> list[Any]:
    """Makes `error_class.__init__` call `call()` first (the decoder builds its errors while
    still inside `feed()`); returns what each such call gave or raised."""
    seen: list[Any] = []
    entered: list[bool] = []
    original = error_class.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        if not entered:  # once: the nested call may raise the same error again
            entered.append(True)
            try:
                seen.append(call())
            except Exception as error:
                seen.append(error)
        original(self, *args, **kwargs)

    monkeypatch.setattr(error_class, "__init__", init)
    return seen


def test_re_entering_an_sse_decoder_from_inside_feed_raises_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    decoder = SSEDecoder(max_event_size=16, backend=backend)
    seen = reenter_from_error_init(
        monkeypatch, EventTooLargeError, lambda: decoder.feed(b"data: nested\n\n")
    )
    with pytest.raises(EventTooLargeError) as raised:
        decoder.feed(b"data: a\n\ndata: 0123456789abcdef\n\nid: 7\ndata: b")
    assert [e.data for e in raised.value.events] == ["a"]
    [nested] = seen
    assert isinstance(nested, RuntimeError) and "borrow" in str(nested)
    # The refused call fed nothing: the partial event completes as if it never happened.
    assert [(e.data, e.id) for e in decoder.feed(b"\n\n")] == [("b", "7")]


def test_re_entering_a_chunk_decoder_from_inside_feed_raises_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    decoder = ChunkDecoder(backend=backend)
    seen = reenter_from_error_init(
        monkeypatch, ChunkDecodeError, lambda: decoder.feed(b'data: {"id": "nested"}\n\n')
    )
    with pytest.raises(ChunkDecodeError) as raised:
        decoder.feed(b'data: {"id": "a"}\n\ndata: {oops}\n\ndata: {"id": "b"}\n\n')
    assert [c.id for c in raised.value.chunks] == ["a"]
    [nested] = seen
    assert isinstance(nested, RuntimeError) and "borrow" in str(nested)
    assert decoder.feed(b'data: {"id": "c"}\n\n') == []  # the error ended the stream
    decoder.close()
    assert [c.id for c in decoder.feed(b'data: {"id": "d"}\n\n')] == ["d"]


# --- Pickle, copy, garbage collection ----------------------------------------------------------

RICH_STREAM = (
    b"retry: 1500\nid: \xe4\xbd\xa0-1\nevent: delta\n"
    b'data: {"id":"c1","object":"chat.completion.chunk","created":1742631211,"model":"m",'
    b'"service_tier":"default","system_fingerprint":"fp","seed":18446744073709551615,'
    b'"choices":[{"index":0,"delta":{"role":"assistant","content":"\xe4\xbd\xa0\\u597d",'
    b'"reasoning_content":"r","refusal":null,"tool_calls":[{"index":0,"id":"call_1",'
    b'"type":"function","function":{"name":"f","arguments":"{\\"a\\": 1}"}}]},'
    b'"finish_reason":null,"logprobs":{"content":[]}}],'
    b'"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"cost":0.5,'
    b'"prompt_tokens_details":{"cached_tokens":1},"completion_tokens_details":null}}\n\n'
    b'data: {"choices":[{"delta":{"content":[{"type":"thinking","thinking":[{"type":"text",'
    b'"text":"hm"}]},{"type":"text","text":"A"}],"tool_calls":[{"function":{"arguments":"}"}}]},'
    b'"finish_reason":"tool_calls"}],"x_groq":{"usage":{"total_tokens":9}}}\n\n'
)


def decode_everything(backend: str) -> list[Any]:
    """Events, chunks, their parts, a completion and the errors that carry them, made by
    decoders that are gone (collected) when this returns."""
    sse = SSEDecoder(max_event_size=1 << 20, backend=backend)
    events = sse.feed(RICH_STREAM)
    chunks = ChunkDecoder(backend=backend).feed(RICH_STREAM)
    parts: list[Any] = []
    for chunk in chunks:
        parts += [chunk.usage, *chunk.choices]
        for choice in chunk.choices:
            parts += [choice.delta, *(choice.delta.tool_calls or ())]
            parts += [call.function for call in choice.delta.tool_calls or ()]
    errors: list[Any] = []
    for feed, data in [
        (SSEDecoder(max_event_size=8, backend=backend).feed, b"data: 1\n\ndata: 123456\n\n"),
        (ChunkDecoder(backend=backend).feed, b'data: {"id":"x"}\n\ndata: {\n\n'),
        (ChunkDecoder(backend=backend).feed, b'data: {"error":{"message":"m","code":4}}\n\n'),
    ]:
        try:
            feed(data)
        except ssejet.SSEError as error:
            errors.append(error)
    one = parse_chunk(RICH_STREAM.split(b"data: ")[1].split(b"\n")[0], backend=backend)
    return [*events, *chunks, *parts, one, accumulate(chunks), *errors]


def snapshot(obj: Any) -> Any:
    """Everything a user can read of `obj`, as plain values."""
    if isinstance(obj, BaseException):
        return (type(obj), obj.args, repr(sorted(vars(obj).items())))
    to_dict = getattr(obj, "to_dict", None)
    return (repr(obj), repr(to_dict()) if to_dict is not None else None)


def test_objects_survive_the_collection_of_their_decoder_and_copy_and_pickle(
    backend: str,
) -> None:
    objects = decode_everything(backend)
    assert gc.collect() >= 0
    for obj in objects:
        before = snapshot(obj)
        copies = [copy.copy(obj), copy.deepcopy(obj)]
        copies += [
            pickle.loads(pickle.dumps(obj, protocol))
            for protocol in range(pickle.HIGHEST_PROTOCOL + 1)
        ]
        for other in copies:
            assert snapshot(other) == before
            if not isinstance(obj, BaseException):
                assert other == obj
        if isinstance(obj, ServerSentEvent):
            assert {hash(other) for other in copies} == {hash(obj)}
        gc.collect()
        assert snapshot(obj) == before


def test_a_part_outlives_its_chunk_and_decoder(backend: str) -> None:
    decoder = ChunkDecoder(backend=backend)
    [chunk, _] = decoder.feed(RICH_STREAM)
    usage, call = chunk.usage, chunk.choices[0].delta.tool_calls[0]
    del decoder, chunk
    gc.collect()
    assert (usage.total_tokens, usage.cost, usage.prompt_tokens_details) == (
        3,
        0.5,
        {"cached_tokens": 1},
    )
    assert (call.id, call.function.name, call.function.arguments) == ("call_1", "f", '{"a": 1}')
    assert isinstance(pickle.loads(pickle.dumps(usage)), ssejet.Usage)


def test_copies_are_instances_of_the_public_classes(backend: str) -> None:
    [chunk, _] = ChunkDecoder(backend=backend).feed(RICH_STREAM)
    [event] = SSEDecoder(backend=backend).feed(b"data: x\n\n")
    for obj, cls in [(chunk, ChatCompletionChunk), (event, ServerSentEvent)]:
        for other in [copy.copy(obj), copy.deepcopy(obj), pickle.loads(pickle.dumps(obj))]:
            assert isinstance(other, cls)


# --- parse_chunk on malformed JSON: both backends agree ---------------------------------------


_END_LIST, _END_DICT = object(), object()


def canonical(value: Any) -> str:
    """JSON-like text of a parsed value that tells 1 from 1.0 and 0.0 from -0.0, without
    recursion (`repr` of 1024 nested lists passes Python's recursion limit)."""
    out: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if item is _END_LIST or item is _END_DICT:
            out.append("]" if item is _END_LIST else "}")
        elif type(item) is list:
            out.append("[")
            stack += [_END_LIST, *reversed(item)]
        elif type(item) is dict:
            out.append("{")
            stack.append(_END_DICT)
            for key, inner in reversed(list(item.items())):
                stack += [inner, ("key", key)]
        elif type(item) is tuple:
            out.append(f"{item[1]!r}:")
        else:
            out.append(f"{type(item).__name__} {item!r}")
    return ",".join(out)


def outcome(data: Any, backend: str) -> tuple[Any, ...]:
    """What `parse_chunk(data)` does with one backend, as comparable values."""
    try:
        chunk = parse_chunk(data, backend=backend)
    except Exception as error:
        return ("raised", type(error), str(error), repr(sorted(vars(error).items())))
    return ("chunk", repr(chunk), canonical(chunk.to_dict()))


def assert_backends_agree(data: Any) -> tuple[Any, ...]:
    require_rust()
    rust, python = outcome(data, "rust"), outcome(data, "python")
    if rust != python:  # short messages: some inputs are 10 MB
        pytest.fail(f"rust {str(rust)[:600]}\n!= python {str(python)[:600]}\nfor {data[:200]!r}")
    assert rust[0] == "chunk" or rust[1] in (ChunkDecodeError, StreamAPIError), rust
    return rust


def nested(depth: int, inner: str = "") -> str:
    """`{"x": ...}` around `depth - 1` nested arrays: `depth` containers in all."""
    return '{"x":' + "[" * (depth - 1) + inner + "]" * (depth - 1) + "}"


TEN_MB = 10 * 1024 * 1024
MALFORMED: dict[str, Any] = {
    "nesting 1024": nested(1024),
    "nesting 1025": nested(1025),
    "nesting 1024 of objects": '{"a":' * 1023 + "{}" + "}" * 1023,
    "nesting 1025 of objects": '{"a":' * 1024 + "{}" + "}" * 1024,
    "nesting 1024 in a delta": (
        '{"choices":[{"delta":{"content":' + "[" * 1020 + "]" * 1020 + "}}]}"
    ),
    "nesting 100000": "[" * 100_000,
    "top-level array": "[" * 1024 + "]" * 1024,
    "created u64 max": '{"created": 18446744073709551615}',
    "created u64 max + 1": '{"created": 18446744073709551616}',
    "created i64 min - 1": '{"created": -9223372036854775809}',
    "integer of 400 digits": '{"x": ' + "9" * 400 + "}",
    "1e400": '{"x": 1e400}',
    "-1e400": '{"x": -1e400}',
    "1e-400": '{"x": 1e-400}',
    "-0": '{"created": -0}',
    "-0.0": '{"x": -0.0, "created": 0}',
    "float created": '{"created": 1.0}',
    "exponent without digits": '{"x": 1e}',
    "leading zero": '{"x": 01}',
    "NaN": '{"x": NaN}',
    "Infinity": '{"x": Infinity}',
    "-Infinity": '{"x": -Infinity}',
    "nan lower": '{"x": nan}',
    "lone high surrogate escape": '{"id": "\\ud800"}',
    "lone low surrogate escape": '{"id": "\\udc00"}',
    "high surrogate then letter": '{"id": "\\ud800\\u0041"}',
    "reversed pair": '{"id": "\\udc00\\ud800"}',
    "valid pair": '{"id": "\\ud83d\\ude00"}',
    "surrogate in a key": '{"\\ud800": 1}',
    "raw surrogate str": '{"id": "\ud800"}',
    "raw surrogate str in an unknown field": '{"x": "\udfff", "id": "a"}',
    "invalid utf-8 in a string": b'{"id": "\xff"}',
    "encoded surrogate in a string": b'{"id": "\xed\xa0\x80"}',
    "overlong slash": b'{"id": "\xc0\xaf"}',
    "truncated sequence": b'{"id": "\xe4\xbd"}',
    "invalid utf-8 in a key": b'{"i\xffd": "a"}',
    "invalid utf-8 outside strings": b'{"id": "a"}\xff',
    "invalid utf-8 in content": b'{"choices":[{"delta":{"content":"\xf0\x9f\x98"}}]}',
    "raw control character": '{"id": "a\x01b"}',
    "NUL escape": '{"id": "a\\u0000b"}',
    "bad escape": '{"id": "\\x41"}',
    "short unicode escape": '{"id": "\\u12"}',
    "BOM": '\ufeff{"id": "a"}',
    "empty": "",
    "whitespace": " \t\n",
    "null": "null",
    "trailing comma": '{"id": "a",}',
    "two documents": "{} {}",
    "single quotes": "{'id': 'a'}",
    "comment": '{"id": "a" /* c */}',
    "duplicate keys": '{"id": 1, "id": "a"}',
    "10 MB content": '{"choices":[{"delta":{"content":"' + "a" * TEN_MB + '"}}]}',
    "10 MB escaped content": '{"choices":[{"delta":{"content":"' + "\\n" * (TEN_MB // 2) + '"}}]}',
    "10 MB unterminated string": '{"id":"' + "a" * TEN_MB,
    "10 MB of non-ASCII in an unknown field": '{"x":"' + "é" * (TEN_MB // 2) + '", "id": 5}',
    "10 MB with invalid utf-8 at the end": b'{"id":"' + b"a" * TEN_MB + b'\xff"}',
    "error payload": '{"error": {"message": "m", "code": 4, "type": "t"}}',
    "error string": '{"error": "boom", "choices": 5}',
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_both_backends_read_malformed_json_alike(name: str) -> None:
    data = MALFORMED[name]
    assert_backends_agree(data)
    if isinstance(data, str):
        try:
            encoded = data.encode("utf-8")
        except UnicodeEncodeError:
            return
        assert_backends_agree(encoded)  # bytes in, the same outcome
        assert_backends_agree(bytearray(encoded))


def test_nesting_is_accepted_to_1024_containers_and_rejected_past_it() -> None:
    assert assert_backends_agree(nested(1024))[0] == "chunk"
    assert assert_backends_agree(nested(1025))[1] is ChunkDecodeError


# Seeded mutations of real payloads: tokens that break or bend JSON, spliced in at random.
BASES = [
    b'{"id":"0217","object":"chat.completion.chunk","created":1742631211,"model":"doubao",'
    b'"choices":[{"index":0,"delta":{"role":"assistant","content":"\xe4\xbd\xa0"},'
    b'"finish_reason":null,"logprobs":null}],"usage":null}',
    b'{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","type":"function",'
    b'"function":{"name":"get","arguments":"{\\"q\\": \\"\\u00e9\\"}"}}]}}]}',
    b'{"choices":[{"delta":{"content":[{"type":"thinking","thinking":[{"type":"text",'
    b'"text":"t"}]},{"type":"text","text":"A"}]}}],"x_groq":{"usage":{"total_tokens":3}}}',
    b'{"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"cost":0.5,'
    b'"prompt_tokens_details":{"cached_tokens":0}},"choices":[]}',
    b'{"error":{"message":"rate limited","code":"429","type":"rate_limit"}}',
]
TOKENS = [
    b"null", b"0", b"-0", b"1.5", b"1e400", b"-1e400", b"1e-400", b"18446744073709551616",
    b"9223372036854775808", b"-9223372036854775809", b"NaN", b"Infinity", b"true", b"false",
    b'"s"', b'""', b"[]", b"{}", b"[", b"]", b"{", b"}", b",", b":", b'"', b"\\", b"\\u",
    b"\\ud800", b"\\udc00", b"\\ud83d\\ude00", b"\\u0000", b"\xff", b"\xed\xa0\x80", b"\xe4\xbd",
    b"\xc0\xaf", b"\x00", b"\x01", b"\n", b" ", b"\t", b'"error":', b'"content":', b'"choices":',
    b'"delta":', b'"tool_calls":', b'"index":', b'"usage":', b'"reasoning":', b'"function":',
    b'[{"type":"text","text":"x"}]', b'{"message":"m"}',
]  # fmt: skip


VALUES = [
    b"null", b"0", b"-1", b"1.5", b"1e400", b"18446744073709551616", b"true", b'""', b'"s"',
    b"[]", b"{}", b'[{"type":"text","text":"x"}]', b'{"message":"m"}', b'"\\ud800"', b"NaN",
]  # fmt: skip
# A scalar value after a key: the place a type change lands.
SCALAR = re.compile(rb'(?<=:)\s*(?:"(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null)')


@st.composite
def mutated_payloads(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(BASES)))
    # Half the payloads stay JSON (values change type), half are bent out of shape too.
    kinds = ["retype"] if draw(st.booleans()) else ["retype", "token", "delete", "byte", "copy"]
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(kinds))
        scalars = list(SCALAR.finditer(data))
        if how == "retype" and scalars:
            found = draw(st.sampled_from(scalars))
            data[found.start() : found.end()] = draw(st.sampled_from(VALUES))
            continue
        at = draw(st.integers(0, len(data)))
        end = min(len(data), at + draw(st.integers(0, 8)))
        if how == "token":
            data[at:end] = draw(st.sampled_from(TOKENS))
        elif how == "delete":
            del data[at:end]
        elif how == "byte":
            data[at:end] = bytes([draw(st.integers(0, 255))])
        else:
            start = draw(st.integers(0, len(data)))
            data[at:at] = data[start : start + draw(st.integers(1, 40))]
    return bytes(data)


@settings(derandomize=True, deadline=None, max_examples=1500)
@given(mutated_payloads())
def test_both_backends_read_mutated_payloads_alike(data: bytes) -> None:
    assert_backends_agree(data)
    # As str too, with the lone surrogates the bytes encode, if any.
    try:
        text = data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        text = data.decode("utf-8", "replace")
    assert_backends_agree(text)
