"""The `ssejet` command in the Anthropic Messages and OpenAI Responses dialects, run for real
(`python -m ssejet` in a subprocess, as `test_cli.py` does).

`parse` detects each capture's dialect (`../shared/corpus/dialects`, whose `expected.jsonl`
says what each accumulates to, and the dialect captures of `../shared/corpus/real`) and
prints its accumulated message; `chat --dialect anthropic|responses` talks to the embedded
demo server and to loopback servers replaying the captures.
"""

from __future__ import annotations

import io
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED
from test_cli import environment as cli_environment
from test_cli import one_error_line, ssejet, streaming

from ssejet._cli.demo import DemoRoute, anthropic_stream, responses_stream
from ssejet._cli.server import Request, Server, Writer

DIALECTS = SHARED / "corpus" / "dialects"
REAL = SHARED / "corpus" / "real"
KEYS = ("ANTHROPIC_API_KEY", "OPENAI_API_KEY")
SUMMARY = re.compile(
    r"^\d+ (chunks|events) · first token \d+ ms · [\d.]+ tokens/s"
    r" · ssejet [\d.]+ µs/(chunk|event) \((rust|python)\)$",
    re.M,
)


def environment(backend: str, **extra: str) -> dict[str, str]:
    """As test_cli's, without the vendors' keys: with one set, `chat --dialect anthropic`
    would call the real API instead of the demo."""
    env = cli_environment(backend, **extra)
    for key in KEYS:
        if key not in extra:
            env.pop(key, None)
    return env


def run(backend: str, *args: str, stdin: bytes = b"", **env: str):
    return ssejet(backend, *args, stdin=stdin, env=environment(backend, **env))


def load_expected() -> dict[str, dict]:
    path = DIALECTS / "expected.jsonl"
    if not path.exists():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()
    return {record["file"]: record for record in map(json.loads, lines)}


EXPECTED = load_expected()
CAPTURES = sorted(EXPECTED)
needs_corpus = pytest.mark.skipif(not EXPECTED, reason=f"{DIALECTS} is absent")


def rows(out: str) -> dict[str, str]:
    return dict(line.split(None, 1) for line in out.splitlines())


def capture(name: str) -> Path:
    return DIALECTS / name


# --- parse: every capture, its dialect detected ------------------------------------------------


def texts(want: dict) -> list[str]:
    """The answer texts the capture accumulates to (anthropic text blocks, responses message
    parts)."""
    found = []
    for block in want["blocks"]:
        if block["type"] == "text":
            found.append(block["text"])
        elif block["type"] == "message":
            found += [part["text"] for part in block.get("content", []) if "text" in part]
    return [text for text in found if text]


def tool_lines(want: dict) -> list[str]:
    """The lines the capture's tool calls print."""
    lines = []
    for block in want["blocks"]:
        if block["type"] in ("tool_use", "server_tool_use"):
            label = "tool call" if block["type"] == "tool_use" else "server tool call"
            if block.get("input") is None:
                args = block["partial_json"]
                tail = " (input incomplete)"
            else:
                args = json.dumps(block["input"], separators=(",", ":"), ensure_ascii=False)
                tail = ""
            lines.append(f"{label} {block['name']}({args}) id={block['id']}{tail}")
        elif block["type"] == "function_call":
            lines.append(f"tool call {block['name']}({block['arguments']}) id={block['call_id']}")
    return lines


@needs_corpus
@pytest.mark.parametrize("name", CAPTURES)
def test_parse_detects_the_dialect_and_prints_the_accumulated_result(backend, name):
    want = EXPECTED[name]
    dialect = want["dialect"]
    assert name.startswith(dialect)
    status, out, err = run(backend, "parse", str(capture(name)))
    assert "Traceback" not in err
    for text in texts(want):
        assert text in out
    for line in tool_lines(want):
        assert line in out
    if want["error"] is not None:  # an error event mid-stream: what arrived, then one line
        assert status == 1
        error = want["error"]
        code = f"code {error['code']}" if error.get("code") else f"type {error['type']}"
        assert one_error_line(err) == (
            f"ssejet: the stream reported an error: {error['message']} ({code})"
        )
    else:
        assert status == 0, err
        (summary,) = err.splitlines()
        usage = want["usage"]
        if dialect == "anthropic":
            assert f" · stop_reason {want['stop_reason']} · " in summary
        else:
            assert f" · status {want['stop_reason']}" in summary
        assert f"usage {usage['input_tokens']} input + {usage['output_tokens']} output" in summary
    status, out, err = run(backend, "parse", "--stats", str(capture(name)))
    assert status == 0, err
    stats = rows(out)
    assert stats["dialect"] == f"{dialect} (detected)"
    assert int(stats["events"]) == want["events"]


def test_parse_prints_an_anthropic_capture(backend):
    # What a user sees, whole: the text, the tool call with its parsed input, the note.
    status, out, err = run(backend, "parse", str(capture("anthropic-sonnet-4-text-tool-use.sse")))
    assert status == 0, err
    assert out == (
        "I'll check the current weather in Paris for you.\n"
        'tool call get_weather({"location":"Paris"}) id=toolu_01NRLabsLyVHZPKxbKvkfSMn\n'
    )
    assert err == "14 events · stop_reason tool_use · usage 377 input + 65 output tokens\n"


def test_parse_prints_thinking_apart_and_dims_it_on_a_terminal(backend):
    name = "anthropic-sonnet-4-thinking-signature.sse"
    thinking = EXPECTED[name]["blocks"][0]["thinking"]
    status, out, _ = run(backend, "parse", str(capture(name)))
    assert status == 0
    assert out.startswith(f"<think>\n{thinking}\n</think>\n\nHere are the basic steps")
    status, out, _ = run(backend, "parse", str(capture(name)), FORCE_COLOR="1")
    assert out.startswith(f"\x1b[2m{thinking}\x1b[0m\n\nHere are the basic steps")


def test_parse_prints_a_responses_capture(backend):
    name = "responses-gpt-5.1-codex-max-reasoning-summary-function-call.sse"
    summary = EXPECTED[name]["blocks"][0]["summary"][0]
    status, out, err = run(backend, "parse", str(capture(name)))
    assert status == 0, err
    assert out == (
        f"<think>\n{summary}\n</think>\n\n"
        'tool call calculator({"a":12,"b":7,"op":"add"}) id=call_AB6AaRZ1FYZB2RwS6A5vbdqn\n'
    )
    assert err == "56 events · status completed · usage 134 input + 28 output tokens\n"


def test_parse_separates_the_parts_of_a_reasoning_summary(backend):
    name = "responses-o3-mini-multi-part-reasoning-summary.sse"
    want = EXPECTED[name]
    status, out, err = run(backend, "parse", str(capture(name)))
    assert status == 0, err
    reasoning, _, answer = out.partition("</think>\n\n")
    assert reasoning == "<think>\n" + "\n\n".join(want["blocks"][0]["summary"]) + "\n"
    assert answer == texts(want)[0] + "\n"
    assert "(1408 reasoning) tokens" in err


def test_parse_an_incomplete_response_is_not_an_error(backend):
    # response.incomplete (max_output_tokens) is how the reply ended, as chat's "length".
    name = "responses-gpt-4o-incomplete-max-output-tokens.sse"
    status, out, err = run(backend, "parse", str(capture(name)))
    assert (status, out) == (0, "Hello,\n"), err
    assert " · status incomplete (max_output_tokens) · " in err


def test_parse_a_tool_input_cut_off_shows_what_arrived(backend):
    name = "anthropic-3-7-sonnet-max-tokens-mid-tool-input.sse"
    status, out, err = run(backend, "parse", str(capture(name)))
    assert status == 0, err
    assert out.endswith(" id=toolu_01EKqbqmZrGRXy18eN7m9kvY (input incomplete)\n")
    assert " · stop_reason max_tokens · " in err


def failed_stream() -> bytes:
    """The insufficient_quota capture without its `error` event: it ends in response.failed."""
    body = capture("responses-gpt-5-nano-failed-insufficient-quota.sse").read_bytes()
    events = [e for e in body.split(b"\n\n") if e.strip() and not e.startswith(b"event: error")]
    return b"\n\n".join(events) + b"\n\n"


@needs_corpus
def test_parse_a_failed_response_is_one_error_line(backend):
    # response.failed is an event, not a stream error; still, the request failed: the user
    # gets what there is, then the response's error in one line, and status 1.
    status, out, err = run(backend, "parse", "-", stdin=failed_stream())
    assert (status, out) == (1, "")
    assert one_error_line(err) == (
        "ssejet: the response failed: You exceeded your current quota, please check your plan "
        "and billing details. For more information on this error, read the docs: "
        "https://platform.openai.com/docs/guides/error-codes/api-errors. "
        "(code insufficient_quota)"
    )


def test_parse_reports_the_anthropic_error_after_the_text(backend):
    name = "anthropic-haiku-3-overloaded-error-midstream.sse"
    status, out, err = run(backend, "parse", "-", stdin=capture(name).read_bytes())
    assert (status, out) == (1, "Hello\n")
    line = one_error_line(err)
    assert line == "ssejet: the stream reported an error: Overloaded (type overloaded_error)"


REAL_DIALECTS = {
    "anthropic-claude-thinking-signature.sse": "anthropic",
    "anthropic-claude35-sonnet-tools-padded.sse": "anthropic",
    "openai-responses-o4-mini-reasoning-summary.sse": "responses",
    "openai-responses-tool-call.sse": "responses",
    "openrouter-responses-comments-done.sse": "responses",  # no `event:` lines, [DONE]
}


def test_parse_every_real_capture_without_a_traceback(backend, corpus):
    for path in sorted(corpus.glob("*.sse")):
        status, out, err = run(backend, "parse", "--stats", str(path))
        assert status == 0, (path.name, err)
        dialect = REAL_DIALECTS.get(path.name, "chat")
        if path.name == "anthropic-claude21-complete-crlf.sse":
            dialect = "anthropic"  # legacy /v1/complete: its pings are Anthropic's
        assert rows(out)["dialect"] == f"{dialect} (detected)", path.name
        status, out, err = run(backend, "parse", str(path))
        if status != 0:  # not a stream of any dialect (Gemini's own API, Replicate's text)
            one_error_line(err)
        elif path.name in REAL_DIALECTS:
            assert re.match(r"^\d+ events · (stop_reason|status) ", err), (path.name, err)


def test_parse_a_legacy_completion_stream_says_what_it_holds(backend, corpus):
    # Anthropic's legacy /v1/complete streams `completion` events: none of the dialects.
    status, out, err = run(backend, "parse", str(corpus / "anthropic-claude21-complete-crlf.sse"))
    assert (status, out) == (1, "")
    assert one_error_line(err).endswith(
        "(7 JSON payloads of another kind, the first of type 'completion'; --events prints them)"
    )


def test_parse_real_dialect_captures(backend, corpus):
    status, out, err = run(backend, "parse", str(corpus / "openrouter-responses-comments-done.sse"))
    assert status == 0, err
    assert out.startswith("<think>\n")  # reasoning_text deltas
    assert " · status completed · " in err
    status, out, err = run(
        backend, "parse", str(corpus / "anthropic-claude35-sonnet-tools-padded.sse")
    )
    assert status == 0, err
    assert "\ntool call " in out and " · stop_reason tool_use · " in err


# --- parse: --dialect, --chunks, --events, --stats ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "forced", "holds"),
    [
        ("anthropic-sonnet-4-5-text.sse", "chat", "Anthropic Messages events"),
        ("anthropic-sonnet-4-5-text.sse", "responses", "Anthropic Messages events"),
        ("responses-gpt-4o-text.sse", "anthropic", "OpenAI Responses events"),
        ("responses-gpt-4o-text.sse", "chat", "OpenAI Responses events"),
    ],
)
def test_parse_forced_to_another_dialect_says_so(backend, name, forced, holds):
    path = str(capture(name))
    status, out, err = run(backend, "parse", "--dialect", forced, path)
    assert (status, out) == (1, "")
    noun = {"chat": "chat-completion chunks", "anthropic": "Anthropic Messages events",
            "responses": "OpenAI Responses events"}[forced]  # fmt: skip
    assert one_error_line(err) == f"ssejet: no {noun} in {path} (it holds {holds}: drop --dialect)"


def test_parse_dialect_forces_the_decoder(backend):
    # A stream that starts with an event type detection has never heard of, then a chat
    # chunk: detected as chat; --dialect anthropic reads it as Anthropic.
    body = (
        b'data: {"type":"brand_new_event"}\n\n'
        + b"".join(anthropic_stream("hi"))
        + b'data: {"choices":[{"index":0,"delta":{"content":"x"}}]}\n\n'
    )
    status, out, err = run(backend, "parse", "--dialect", "anthropic", "-", stdin=body)
    assert status == 0, err
    assert "Hello! This reply came from ssejet's embedded server" in out
    status, out, _ = run(backend, "parse", "--stats", "--dialect", "anthropic", "-", stdin=body)
    assert rows(out)["dialect"] == "anthropic (--dialect)"
    # Without --dialect, the unknown type decides nothing; message_start does.
    status, out, err = run(backend, "parse", "-", stdin=body)
    assert status == 0, err
    assert "Hello! This reply came from" in out


def test_parse_detects_after_a_long_run_of_comments(backend):
    body = (b": " + b"." * 100_000 + b"\n") * 30 + b"".join(responses_stream("hi"))
    status, out, err = run(backend, "parse", "-", stdin=body)
    assert status == 0, err
    assert "Hello! This reply came from ssejet's embedded server" in out
    assert " · status completed · " in err


@pytest.mark.parametrize(
    ("name", "types"),
    [
        ("anthropic-sonnet-4-5-text.sse", ["message_start", "content_block_start"]),
        ("responses-gpt-4o-text.sse", ["response.created", "response.in_progress"]),
    ],
)
def test_parse_chunks_events_and_stats_per_dialect(backend, name, types):
    want = EXPECTED[name]
    path = capture(name)
    status, out, err = run(backend, "parse", "--chunks", str(path))
    assert status == 0, err
    decoded = [json.loads(line) for line in out.splitlines()]
    assert [d["type"] for d in decoded[:2]] == types
    assert "ping" not in [d["type"] for d in decoded]  # the Anthropic decoder skips pings
    # Each line is the event's payload as sent.
    payloads = [
        json.loads(line[6:]) for line in path.read_text().splitlines() if line.startswith("data: ")
    ]
    assert decoded == [p for p in payloads if p.get("type") != "ping"]
    status, out, err = run(backend, "parse", "--events", str(path))
    assert status == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert len(events) == want["events"]
    assert events[0]["event"] == types[0]
    status, out, err = run(backend, "parse", "--stats", str(path))
    assert status == 0, err
    stats = rows(out)
    assert stats["backend"] == backend
    assert int(stats["bytes"]) == path.stat().st_size
    assert (int(stats["events"]), int(stats["decoded"])) == (want["events"], len(decoded))
    assert (stats["done"], stats["error"]) == ("yes", "none")
    assert "µs/event" in stats["EventDecoder"]


def test_parse_stats_of_a_stream_that_raises(backend):
    name = "anthropic-haiku-3-overloaded-error-midstream.sse"
    status, out, err = run(backend, "parse", "--stats", str(capture(name)))
    assert status == 0, err
    stats = rows(out)
    assert (stats["decoded"], stats["done"]) == ("3", "no")
    assert stats["error"] == "the stream reported an error: Overloaded (type overloaded_error)"


def test_parse_chunks_of_a_dialect_stops_at_the_error(backend):
    name = "responses-gpt-5-nano-failed-insufficient-quota.sse"
    status, out, err = run(backend, "parse", "--chunks", str(capture(name)))
    assert status == 1
    assert [json.loads(line)["type"] for line in out.splitlines()] == [
        "response.created",
        "response.in_progress",
    ]
    assert one_error_line(err).endswith("(code insufficient_quota)")


def test_parse_chunks_names_a_dialect_event_too_deep_to_print(backend):
    nested = "[" * 254 + "]" * 254
    body = b'data: {"type":"message_start","message":{"x":%s}}\n\n' % nested.encode()
    status, out, err = run(backend, "parse", "--chunks", "-", stdin=body)
    assert (status, out) == (1, "")
    assert one_error_line(err).startswith("ssejet: cannot print event 1 (message_start) as JSON")


# --- chat --dialect anthropic|responses --------------------------------------------------------


@pytest.mark.parametrize("dialect", ["anthropic", "responses"])
def test_chat_streams_the_demo_reply_in_each_dialect(backend, dialect):
    status, out, err = run(backend, "chat", "--dialect", dialect, "你好")
    assert status == 0, err
    reasoning, _, answer = out.partition("</think>\n\n")
    assert reasoning.startswith("<think>\n")
    assert "The user wrote: “你好”." in reasoning
    assert answer.startswith("Hello! This reply came from ssejet's embedded server")
    word = {"anthropic": "Anthropic Messages", "responses": "OpenAI Responses"}[dialect]
    assert f"streamed as {word} events" in answer
    key = {"anthropic": "ANTHROPIC_API_KEY", "responses": "OPENAI_API_KEY"}[dialect]
    assert "embedded demo server at http://127.0.0.1:" in err and f"set {key}" in err
    match = SUMMARY.search(err)
    assert match is not None, err
    assert match.groups() == ("events", "event", backend)


class Recording(DemoRoute):
    """The demo route, remembering the requests it served."""

    def __init__(self) -> None:
        super().__init__(delay=0)
        self.requests: list[Request] = []

    def __call__(self, request: Request, writer: Writer) -> None:
        self.requests.append(request)
        super().__call__(request, writer)


def test_chat_speaks_the_anthropic_messages_api(backend):
    route = Recording()
    with Server(route) as server:
        args = ["chat", "--dialect", "anthropic", "Hi there", "--base-url", server.url,
                "--system", "Be brief.", "--max-tokens", "100"]  # fmt: skip
        status, out, err = run(backend, *args, ANTHROPIC_API_KEY="sk-ant-test")
    assert status == 0, err
    (request,) = route.requests
    assert request.path == "/v1/messages"
    assert request.headers["x-api-key"] == "sk-ant-test"
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert "Authorization" not in request.headers
    assert request.json() == {
        "model": "claude-sonnet-4-5",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "Hi there"}],
        "stream": True,
        "system": "Be brief.",
    }
    assert "The user wrote: “Hi there”" in out
    assert SUMMARY.search(err)


def test_chat_speaks_the_openai_responses_api(backend):
    route = Recording()
    with Server(route) as server:
        args = ["chat", "--dialect", "responses", "Hi there", "--base-url", server.url + "/v1",
                "--model", "gpt-test", "--system", "Be brief."]  # fmt: skip
        status, out, err = run(backend, *args, OPENAI_API_KEY="sk-test")
    assert status == 0, err
    (request,) = route.requests
    assert request.path == "/v1/responses"
    assert request.headers["Authorization"] == "Bearer sk-test"
    assert request.json() == {
        "model": "gpt-test",
        "input": "Hi there",
        "stream": True,
        "instructions": "Be brief.",
    }
    assert "The user wrote: “Hi there”" in out
    assert SUMMARY.search(err)


@needs_corpus
@pytest.mark.parametrize(
    "name",
    [
        "anthropic-sonnet-4-thinking-signature.sse",
        "anthropic-sonnet-4-web-search-citations.sse",
        "responses-o3-mini-multi-part-reasoning-summary.sse",
        "responses-gpt-5.5-reasoning-text-then-function-call.sse",
    ],
)
def test_chat_prints_a_real_capture_as_parse_does(backend, name):
    # A loopback server replays the capture, one event per write: chat prints what parse
    # prints for the same bytes.
    body = capture(name).read_bytes()
    pieces = [event + b"\n\n" for event in body.split(b"\n\n") if event.strip()]
    dialect = EXPECTED[name]["dialect"]
    with Server(streaming(*pieces)) as server:
        args = ["chat", "--dialect", dialect, "hi", "--base-url", server.url]
        status, out, err = run(backend, *args)
    assert status == 0, err
    _, parsed, _ = run(backend, "parse", str(capture(name)))
    assert out == parsed
    assert re.match(r"^\d+ events · first token \d+ ms", err)


@pytest.mark.parametrize(
    ("dialect", "body", "message"),
    [
        (
            "anthropic",
            {"type": "error", "error": {"type": "authentication_error",
                                        "message": "invalid x-api-key"}},
            "invalid x-api-key",
        ),
        (
            "responses",
            {"error": {"message": "Incorrect API key provided: sk-bad.", "type":
                       "invalid_request_error", "code": "invalid_api_key", "param": None}},
            "Incorrect API key provided: sk-bad.",
        ),
    ],
)  # fmt: skip
def test_chat_reports_an_http_error_in_one_line_in_each_dialect(backend, dialect, body, message):
    def route(request: Request, writer: Writer) -> None:
        data = json.dumps(body).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        writer.start(401, headers, chunked=False)
        writer.write(data)

    with Server(route) as server:
        args = ["chat", "--dialect", dialect, "hi", "--base-url", server.url]
        status, out, err = run(backend, *args, ANTHROPIC_API_KEY="bad", OPENAI_API_KEY="bad")
    assert (status, out) == (1, "")
    path = "/v1/messages" if dialect == "anthropic" else "/responses"
    assert (
        one_error_line(err) == f"ssejet: HTTP 401 Unauthorized from {server.url}{path}: {message}"
    )


def test_chat_reports_an_anthropic_error_mid_stream(backend):
    body = capture("anthropic-haiku-3-overloaded-error-midstream.sse").read_bytes()
    with Server(streaming(body)) as server:
        args = ["chat", "--dialect", "anthropic", "hi", "--base-url", server.url]
        status, out, err = run(backend, *args)
    assert (status, out) == (1, "Hello\n")
    assert one_error_line(err) == (
        "ssejet: the server reported an error mid-stream: Overloaded (type overloaded_error)"
    )


def test_chat_reports_a_failed_response_in_one_line(backend):
    with Server(streaming(failed_stream())) as server:
        args = ["chat", "--dialect", "responses", "hi", "--base-url", server.url]
        status, out, err = run(backend, *args)
    assert (status, out) == (1, "")
    assert one_error_line(err).startswith("ssejet: the response failed: You exceeded your")


def test_chat_names_an_unusual_ending_in_the_summary(backend):
    body = capture("responses-gpt-4o-incomplete-max-output-tokens.sse").read_bytes()
    with Server(streaming(body)) as server:
        args = ["chat", "--dialect", "responses", "hi", "--base-url", server.url]
        status, out, err = run(backend, *args)
    assert (status, out) == (0, "Hello,\n"), err
    assert err.rstrip().endswith(" · incomplete: max_output_tokens")


def test_chat_with_a_named_key_variable_that_is_unset_is_a_usage_error(backend):
    status, _, err = run(backend, "chat", "--dialect", "anthropic", "--api-key-env", "NO_SUCH_KEY")
    assert status == 2
    assert one_error_line(err) == "ssejet: no API key: set the environment variable NO_SUCH_KEY"


def test_chat_remote_anthropic_without_a_key_is_a_usage_error(backend):
    args = ["chat", "--dialect", "anthropic", "hi", "--base-url", "https://proxy.example"]
    status, _, err = run(backend, *args)
    assert status == 2
    assert "ANTHROPIC_API_KEY" in one_error_line(err)


def test_the_demo_route_answers_each_dialect_by_path_with_its_errors():
    import httpx

    with Server(DemoRoute(delay=0)) as server, httpx.Client(base_url=server.url) as client:
        response = client.post("/v1/messages", json={"messages": []})
        assert response.status_code == 400
        assert response.json()["type"] == "error"  # Anthropic's error shape
        assert response.json()["error"]["type"] == "invalid_request_error"
        response = client.post("/responses", json={"input": "hi"})  # no stream: true
        assert response.status_code == 400
        assert "stream=true" in response.json()["error"]["message"]
        response = client.post("/v1/nothing", json={})
        assert response.status_code == 404
        response = client.post("/v1/responses", json={"input": "hi", "stream": True})
        assert response.headers["content-type"].startswith("text/event-stream")
        assert b'"type":"response.completed"' in response.content


def test_help_names_the_dialects():
    for command in ("chat", "parse"):
        status, out, _ = ssejet("python", command, "--help")
        assert status == 0
        assert "--dialect {chat,anthropic,responses}" in out


# --- the views never fail on what a stream may hold --------------------------------------------

ODD_PAYLOADS = [
    {"type": "response.output_item.done"},
    {"type": "response.output_text.done"},
    {"type": "response.reasoning_summary_part.added", "summary_index": 1},
    {"type": "response.refusal.done", "output_index": 0},
    {"type": "response.refusal.delta", "delta": 5},
    {"type": "response.output_item.done", "output_index": 0, "item": 5},
    {"type": "response.output_item.done", "output_index": 0, "item": {"type": "function_call"}},
    {"type": "response.output_item.done", "item": {"type": "web_search_call", "action": 5}},
    {"type": "response.completed", "response": {"status": "completed", "usage": 5}},
    {"type": "response.completed", "response": 5},
    {"type": "response.failed", "response": {"status": "failed", "error": ["x"]}},
    {"type": "response.incomplete", "response": {"incomplete_details": "x", "status": 3}},
    {"type": "message_start", "message": {"usage": 5, "stop_reason": 4}},
    {"type": "message_delta", "delta": {}, "usage": {"output_tokens": None}},
    {"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use"}},
    {"type": "content_block_start", "index": 1, "content_block": {"type": "new", "content": 5}},
    {"type": "content_block_delta", "index": 7, "delta": {"type": "input_json_delta",
                                                          "partial_json": "{"}},
    {"type": "content_block_stop", "index": 9},
    {"type": "brand_new_event", "x": {"y": None}},
    {"type": [1]},
    {"type": {"a": 1}},
]  # fmt: skip


def run_view(dialect: str, body: bytes, backend: str) -> str:
    """Decodes ``body`` and runs a view over it as ``ssejet parse`` does; returns what it
    printed. Only the decoder's own errors may escape."""

    from ssejet import SSEError
    from ssejet._cli.output import Printer
    from ssejet._cli.views import view

    out = io.StringIO()
    shown = view(dialect, Printer(out, color=False))
    decoder = shown.decoder(backend=backend)
    try:
        items = decoder.feed(body) + decoder.close()
    except SSEError as error:
        items = list(getattr(error, "events", None) or getattr(error, "chunks", None) or [])
    for item in items:
        shown.add(item)
    shown.finish()
    shown.note(decoder.done)
    shown.trailer()
    shown.failure()
    shown.output_tokens()
    return out.getvalue()


@pytest.mark.parametrize("dialect", ["anthropic", "responses"])
def test_views_take_odd_payloads_in_their_stride(backend, dialect):
    for payload in ODD_PAYLOADS:
        run_view(dialect, b"data: " + json.dumps(payload).encode() + b"\n\n", backend)


def mangle(value: Any, rng: random.Random) -> Any:
    """``value`` with keys dropped and values replaced at random, at any depth."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            roll = rng.random()
            if roll < 0.1 and key != "type":
                continue
            out[key] = rng.choice([None, 5, "x", [], {}]) if roll < 0.15 else mangle(item, rng)
        return out
    if isinstance(value, list):
        return [mangle(item, rng) for item in value if rng.random() > 0.1]
    return value


@needs_corpus
@pytest.mark.parametrize("name", CAPTURES)
def test_views_never_fail_on_mangled_captures(backend, name):
    # Seeded: events dropped, repeated and moved, keys dropped and values replaced at any
    # depth. The decoder may reject a payload (its own error, reported in one line); the
    # views must never raise.
    rng = random.Random(name)
    dialect = EXPECTED[name]["dialect"]
    events = [
        json.loads(line[6:])
        for line in capture(name).read_text().splitlines()
        if line.startswith("data: {")
    ]
    for _ in range(50):
        picked = [e for e in events if rng.random() > 0.2]
        if picked and rng.random() < 0.5:
            picked.insert(rng.randrange(len(picked)), rng.choice(picked))
        body = b"".join(b"data: %s\n\n" % json.dumps(mangle(e, rng)).encode() for e in picked)
        run_view(dialect, body, backend)


@pytest.mark.parametrize(
    ("dialect", "env", "url", "model", "headers"),
    [
        (
            "anthropic",
            {"ANTHROPIC_API_KEY": "sk-ant"},
            "https://api.anthropic.com/v1/messages",
            "claude-sonnet-4-5",
            {"x-api-key": "sk-ant", "anthropic-version": "2023-06-01"},
        ),
        (
            "responses",
            {"OPENAI_API_KEY": "sk-oai"},
            "https://api.openai.com/v1/responses",
            "gpt-5-mini",
            {"Authorization": "Bearer sk-oai"},
        ),
    ],
)
def test_chat_goes_to_the_vendor_api_when_its_key_is_set(
    monkeypatch, capsys, dialect, env, url, model, headers
):
    # In-process (no request is sent): where `ssejet chat --dialect X` goes with the key set
    # and no --base-url, and the note that says so.
    from ssejet._cli import build_parser
    from ssejet._cli.chat import _target

    for key in KEYS:
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    args = build_parser().parse_args(["chat", "--dialect", dialect, "hi"])
    assert _target(args) == (url, model, headers, None)
    variable = next(iter(env))
    assert (
        capsys.readouterr().err == f"ssejet chat: {url}, model {model} (the key from {variable})\n"
    )


@pytest.mark.parametrize(
    ("base", "dialect", "url"),
    [
        ("https://proxy.example", "anthropic", "https://proxy.example/v1/messages"),
        ("https://proxy.example/v1/", "anthropic", "https://proxy.example/v1/messages"),
        ("https://proxy.example/v1/messages", "anthropic", "https://proxy.example/v1/messages"),
        ("https://openrouter.ai/api/v1", "responses", "https://openrouter.ai/api/v1/responses"),
        ("https://x.example/v1/responses", "responses", "https://x.example/v1/responses"),
        ("https://x.example/v1", "chat", "https://x.example/v1/chat/completions"),
    ],
)
def test_chat_endpoint_of_a_base_url(base, dialect, url):
    from ssejet._cli.chat import DIALECT_TABLE

    assert DIALECT_TABLE[dialect].endpoint(base) == url


def test_chat_max_tokens_must_be_positive(backend):
    status, _, err = run(backend, "chat", "--dialect", "anthropic", "--max-tokens", "0", "hi")
    assert status == 2
    assert "--max-tokens: expected a positive integer, not '0'" in err
