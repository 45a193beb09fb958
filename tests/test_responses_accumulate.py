"""ssejet.responses accumulation: every Responses capture of the shared corpus accumulates to
its expected.jsonl line on both backends under any splitting, and the rules of API.md layer 3b
hold on hand-made streams (``.done``-only arguments, out-of-order indexes, resumed streams,
unknown events anywhere, failed and incomplete responses)."""

from __future__ import annotations

import contextlib
import json
import pickle
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, SHARED, splittings
from test_responses import ADDED, COMPLETED, CREATED, PART, RESPONSE, TEXT, USAGE, decode, sse

import ssejet.responses as R
from ssejet import ChunkDecodeError, SSEDecoder, StreamAPIError

DIALECTS = SHARED / "corpus" / "dialects"
EXPECTED = {}
if (DIALECTS / "expected.jsonl").is_file():
    for line in (DIALECTS / "expected.jsonl").read_text().splitlines():
        entry = json.loads(line)
        if entry["dialect"] == "responses":
            EXPECTED[entry["file"]] = entry
CAPTURES = sorted(EXPECTED) or ["(the shared corpus is absent)"]
REAL = ["openai-responses-tool-call.sse", "openai-responses-o4-mini-reasoning-summary.sse",
        "openrouter-responses-comments-done.sse"]  # fmt: skip


def capture(directory: Path, name: str) -> bytes:
    path = directory / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: the captures live in the steering repo's shared/")
    return path.read_bytes()


def summarise(item: dict[str, Any]) -> dict[str, Any]:
    """An output item as expected.jsonl's `blocks` summarises it (see its README)."""
    kind = item.get("type")
    if kind == "message":
        parts = [{"type": p["type"], "text": p.get("text")} for p in item["content"]]
        return {**{k: v for k, v in item.items() if k != "content"}, "content": parts}
    if kind == "reasoning":
        return {
            "type": kind, "id": item["id"], "summary": [s["text"] for s in item["summary"]],
            "encrypted_content": item.get("encrypted_content") is not None,
        }  # fmt: skip
    return item


def summary(events: list[Any], error: Any) -> dict[str, Any]:
    """What expected.jsonl states about a capture, from ssejet's events and error."""
    response = R.accumulate(events)
    raised = None
    if error is not None:
        raised = {"raises": type(error).__name__, "type": error.type, "code": error.code,
                  "message": error.message}  # fmt: skip
    return {
        "blocks": [summarise(item) for item in response.to_dict()["output"]],
        "stop_reason": response.status,
        "usage": response.usage.to_dict() if response.usage is not None else None,
        "error": raised or (response.error.to_dict() if response.error is not None else None),
        "id": response.id,
        "model": response.model,
        "incomplete_details": (
            response.incomplete_details.to_dict() if response.incomplete_details else None
        ),
    }


def expected_summary(entry: dict[str, Any]) -> dict[str, Any]:
    meta = entry["meta"]
    return {
        "blocks": entry["blocks"], "stop_reason": entry["stop_reason"], "usage": entry["usage"],
        "error": entry["error"], "id": meta["id"], "model": meta["model"],
        "incomplete_details": meta["incomplete_details"],
    }  # fmt: skip


@pytest.mark.parametrize("name", CAPTURES)
def test_each_capture_accumulates_to_its_expected_line_under_every_splitting(backend, name):
    data = capture(DIALECTS, name)
    entry = EXPECTED[name]
    want = expected_summary(entry)
    for chunks in splittings(data, every_index=len(data) <= 6000, seed=len(data)):
        events, error, done = decode(backend, chunks)
        assert summary(events, error) == want, f"split {[len(c) for c in chunks][:20]}"
        assert done == (error is None)
    assert len(SSEDecoder(backend=backend).feed(data)) == entry["events"]


@pytest.mark.parametrize("name", CAPTURES)
def test_the_deltas_alone_rebuild_what_the_terminal_output_holds(backend, name):
    # Without the terminal event's output, the items built from the events themselves must
    # summarise the same (the corpus cross-check: delta-built items equal the final output).
    data = capture(DIALECTS, name)
    events, _error, _ = decode(backend, [data])
    kept = [e for e in events if e.type not in ("response.completed", "response.incomplete")]
    built = [summarise(item) for item in R.accumulate(kept).to_dict()["output"]]
    assert built == EXPECTED[name]["blocks"]


@pytest.mark.parametrize("name", CAPTURES)
def test_both_backends_give_equal_events_and_responses_for_each_capture(name):
    data = capture(DIALECTS, name)
    try:
        compiled = decode("rust", [data])
    except ImportError:  # pragma: no cover - depends on the build
        pytest.skip("the Rust extension is not built")
    pure = decode("python", [data])
    assert compiled[0] == pure[0]
    assert [e.to_dict() for e in compiled[0]] == [e.to_dict() for e in pure[0]]
    assert R.accumulate(compiled[0]).to_dict() == R.accumulate(pure[0]).to_dict()


def test_the_failed_capture_raises_at_its_error_event_with_what_came_before(backend):
    data = capture(DIALECTS, "responses-gpt-5-nano-failed-insufficient-quota.sse")
    decoder = R.EventDecoder(backend=backend)
    with pytest.raises(StreamAPIError) as raised:
        decoder.feed(data)
    error = raised.value
    assert [e.type for e in error.events] == ["response.created", "response.in_progress"]
    assert error.body["sequence_number"] == 2 and error.type == "insufficient_quota"
    assert R.accumulate(error.events).status == "in_progress"


@pytest.mark.parametrize("name", REAL)
def test_the_real_responses_captures_decode_and_accumulate(backend, name):
    data = capture(CORPUS, name)
    results = set()
    for chunks in splittings(data, every_index=False, seed=3):
        events, error, done = decode(backend, chunks)
        assert error is None and done
        response = R.accumulate(events)
        results.add(json.dumps(response.to_dict(), sort_keys=True))
        assert response.status == "completed" and response.output
        assert response.usage.output_tokens > 0
    assert len(results) == 1


# --- The rules, on hand-made streams ----------------------------------------------------------

FC_ADDED = {
    "type": "response.output_item.added", "output_index": 1,
    "item": {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "f",
             "arguments": "", "status": "in_progress"},
}  # fmt: skip


def args_done(arguments: str) -> dict[str, Any]:
    return {"type": "response.function_call_arguments.done", "item_id": "fc_1",
            "output_index": 1, "arguments": arguments}  # fmt: skip


def run(backend: str, *payloads: Any) -> R.Response:
    events, error, _ = decode(backend, [sse(*payloads)])
    assert error is None
    return R.accumulate(events)


def test_text_is_built_by_output_index_and_output_text_joins_the_message_parts(backend):
    more = {**TEXT, "delta": " there"}
    refusal = {"type": "response.refusal.delta", "output_index": 0, "content_index": 1,
               "delta": "no"}  # fmt: skip
    response = run(backend, CREATED, ADDED, PART, TEXT, more, refusal)
    assert response.output_text == "Hi there"
    item = response.output[0]
    assert item.content[0].text == "Hi there" and item.content[0].annotations == []
    assert item.content[1].to_dict() == {"type": "refusal", "refusal": "no"}
    assert (response.id, response.status, response.usage) == ("resp_1", "in_progress", None)
    assert repr(response).startswith("Response(id='resp_1'")


def test_annotations_are_appended_to_their_part(backend):
    citation = {"type": "url_citation", "url": "https://example.com", "start_index": 0,
                "end_index": 2, "title": "Example"}  # fmt: skip
    added = {"type": "response.output_text.annotation.added", "item_id": "msg_1",
             "output_index": 0, "content_index": 0, "annotation_index": 0,
             "annotation": citation}  # fmt: skip
    response = run(backend, CREATED, ADDED, PART, TEXT, added, {**TEXT, "delta": "!"})
    part = response.output[0].content[0]
    assert part.text == "Hi!" and [a.to_dict() for a in part.annotations] == [citation]


def test_arguments_sent_only_in_done_are_not_lost(backend):
    response = run(backend, CREATED, FC_ADDED, args_done('{"a":1}'))
    assert response.output[0].arguments == '{"a":1}'
    delta = {"type": "response.function_call_arguments.delta", "output_index": 1, "delta": "{"}
    response = run(backend, CREATED, FC_ADDED, delta, args_done("{}"), delta)
    assert response.output[0].arguments == "{}{"  # a delta after .done appends to it


def test_output_item_done_replaces_the_item_with_the_complete_one(backend):
    part = {"type": "output_text", "text": "Final", "annotations": []}
    item = {**ADDED["item"], "status": "completed", "content": [part]}
    done = {"type": "response.output_item.done", "output_index": 0, "item": item}
    response = run(backend, CREATED, ADDED, PART, TEXT, done)
    assert response.output[0].to_dict() == done["item"]
    assert response.output_text == "Final"


def test_out_of_order_output_indexes_come_out_in_index_order(backend):
    second = {**FC_ADDED, "output_index": 5}
    response = run(backend, second, ADDED, {**TEXT, "output_index": 0})
    assert [item.type for item in response.output] == ["message", "function_call"]
    assert response.output_text == "Hi"


def test_a_resumed_stream_accumulates_from_what_arrives(backend):
    # starting_after: no response.created, no output_item.added for the item being streamed
    deltas = [{**TEXT, "output_index": 2, "content_index": 1, "delta": d} for d in ("a", "b")]
    summary = {"type": "response.reasoning_summary_text.delta", "item_id": "rs_1",
               "output_index": 0, "summary_index": 0, "delta": "t"}  # fmt: skip
    response = run(backend, summary, *deltas)
    assert response.id is None and response.status is None
    assert [i.to_dict() for i in response.output] == [
        {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "t"}]},
        {"type": "message", "id": "msg_1",
         "content": [{"type": "output_text", "text": "ab", "annotations": []}]},
    ]  # fmt: skip
    assert response.output_text == "ab"


def test_unknown_events_anywhere_even_after_response_completed_never_crash():
    final = {**COMPLETED["response"], "output": [ADDED["item"]]}
    accumulator = R.Accumulator()
    for payload in (
        {"type": "response.future_thing", "output_index": "x"}, CREATED, ADDED,
        {"type": "response.output_text.delta", "output_index": None, "delta": 1},
        {**COMPLETED, "response": final}, TEXT, {"type": "response.later", "response": 5},
        {"type": "response.content_part.added", "output_index": 9, "part": {}},
        {"type": "response.output_item.added", "output_index": -1, "item": []},
    ):  # fmt: skip
        accumulator.add(payload)  # as a dict, and as the decoder's event when it is one
        with contextlib.suppress(ChunkDecodeError):
            accumulator.add(R.EventDecoder(backend="python").feed(sse(payload))[0])
    response = accumulator.result()
    assert response.status == "completed" and response.usage.total_tokens == 7
    assert response.output[0].to_dict() == ADDED["item"]


MESSAGE_9 = {"type": "message", "id": "msg_9", "content": []}
MESSAGE_X = {"type": "message", "id": "msg_x", "content": []}


@pytest.mark.parametrize("status", ["failed", "incomplete"])
def test_failed_and_incomplete_responses_are_results_not_errors(backend, status):
    details = {"reason": "max_output_tokens"} if status == "incomplete" else None
    error = {"code": "server_error", "message": "oops"} if status == "failed" else None
    terminal = {"type": f"response.{status}",
                "response": {**RESPONSE, "status": status, "error": error,
                             "incomplete_details": details, "usage": USAGE,
                             "output": [MESSAGE_9, MESSAGE_X]}}  # fmt: skip
    response = run(backend, CREATED, ADDED, PART, TEXT, terminal)
    assert response.status == status
    assert (response.error.to_dict() if response.error else None) == error
    assert (response.incomplete_details.to_dict() if details else None) == details
    # the streamed item stands; the terminal output fills the position never streamed
    assert [item.id for item in response.output] == ["msg_1", "msg_x"]
    assert response.output_text == "Hi"


def test_a_completed_response_with_output_gives_that_output(backend):
    final = [{"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
              "content": [{"type": "output_text", "text": "Done", "annotations": []}]}]  # fmt: skip
    completed = {**COMPLETED, "response": {**COMPLETED["response"], "output": final}}
    response = run(backend, CREATED, ADDED, PART, TEXT, completed)
    assert response.to_dict()["output"] == final and response.output_text == "Done"
    # an empty terminal output keeps what the events built
    response = run(backend, CREATED, ADDED, PART, TEXT, COMPLETED)
    assert response.output_text == "Hi" and response.usage.to_dict() == USAGE


def test_the_response_is_a_snapshot_and_the_accumulator_goes_on():
    accumulator = R.Accumulator()
    for payload in (CREATED, ADDED, PART, TEXT):
        accumulator.add(payload)
    first = accumulator.result()
    accumulator.add({**TEXT, "delta": "!"})
    assert first.output_text == "Hi" and accumulator.result().output_text == "Hi!"
    assert pickle.loads(pickle.dumps(first)) == first
    assert isinstance(pickle.loads(pickle.dumps(first)), R.Response)
    assert R.accumulate([]).to_dict() == {"output": []}


def test_accumulating_is_linear_in_the_number_of_deltas():
    def seconds(n: int) -> float:
        deltas = [{**TEXT, "delta": "x" * 10}] * n
        start = time.perf_counter()
        assert len(R.accumulate([CREATED, ADDED, PART, *deltas]).output_text) == 10 * n
        return time.perf_counter() - start

    seconds(1000)
    small, large = min(seconds(20_000) for _ in range(3)), min(seconds(80_000) for _ in range(3))
    assert large < small * 8  # quadratic would be ~16x
