"""The `ssejet` command, run for real: `python -m ssejet` in a subprocess.

`chat` runs against its embedded demo server and against servers these tests start on
127.0.0.1 (errors, dropped connections, Ctrl-C); `parse` against the real captures of
`../shared/corpus/real` (the `corpus` fixture) and generated input. SSEJET_BACKEND picks the
backend of each run, and SSEJET_DEMO_TOKEN_DELAY=0 makes the demo server stream at full speed.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ssejet._cli.demo import ChatRoute
from ssejet._cli.server import Request, Server, Writer

TIMEOUT = 60
SUMMARY = re.compile(
    r"^\d+ chunks · first token \d+ ms · [\d.]+ tokens/s"
    r" · ssejet [\d.]+ µs/chunk \((rust|python)\)$",
    re.M,
)


def environment(backend: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update({"SSEJET_BACKEND": backend, "SSEJET_DEMO_TOKEN_DELAY": "0", **extra})
    return env


def ssejet(backend: str, *args: str, stdin: bytes = b"", env: dict | None = None):
    """Runs the command; returns (exit status, stdout, stderr) as text."""
    result = subprocess.run(
        [sys.executable, "-m", "ssejet", *args],
        input=stdin,
        capture_output=True,
        timeout=TIMEOUT,
        env=env or environment(backend),
    )
    return result.returncode, result.stdout.decode(), result.stderr.decode()


def one_error_line(stderr: str) -> str:
    """The error output is one line starting with "ssejet: ", and no traceback."""
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("ssejet: ")
    return lines[0]


@pytest.mark.parametrize("command", [[], ["chat"], ["parse"]])
def test_every_command_has_help(command):
    status, out, err = ssejet("python", *command, "--help")
    assert status == 0, err
    assert out.startswith(f"usage: ssejet {' '.join(command)}".rstrip())
    if command == ["chat"]:
        for option in ("PROMPT", "--base-url", "--model", "--api-key-env", "--system"):
            assert option in out
    if command == ["parse"]:
        for option in ("FILE", "--events", "--chunks", "--stats"):
            assert option in out


def test_no_command_is_a_usage_error():
    status, _, err = ssejet("python")
    assert status == 2
    assert "usage: ssejet" in err


# --- chat --------------------------------------------------------------------------------------


def test_chat_streams_the_demo_reply_from_the_embedded_server(backend):
    status, out, err = ssejet(backend, "chat")
    assert status == 0, err
    reasoning, _, answer = out.partition("</think>\n\n")
    assert reasoning.startswith("<think>\nThe user wrote: “Hello!")
    assert "reasoning_content" in reasoning
    assert answer.startswith("你好！This reply came from ssejet's embedded server")
    assert answer.endswith("a local vLLM…\n")
    assert "embedded demo server at http://127.0.0.1:" in err
    match = SUMMARY.search(err)
    assert match is not None, err
    assert match.group(1) == backend


def test_chat_dims_the_reasoning_on_a_terminal(backend):
    status, out, err = ssejet(backend, "chat", "你好", env=environment(backend, FORCE_COLOR="1"))
    assert status == 0, err
    assert out.startswith("\x1b[2mThe user wrote: “你好”.")
    _, reset, answer = out.partition("\x1b[0m")
    assert reset and "<think>" not in out
    assert answer.lstrip("\n").startswith("你好！")


class Recording(ChatRoute):
    """The demo route, remembering the requests it served."""

    def __init__(self) -> None:
        super().__init__(delay=0)
        self.requests: list[Request] = []

    def __call__(self, request: Request, writer: Writer) -> None:
        self.requests.append(request)
        super().__call__(request, writer)


def test_chat_talks_to_any_openai_compatible_endpoint(backend):
    route = Recording()
    env = environment(backend, MY_KEY="sk-secret")
    with Server(route) as server:
        args = ["chat", "Hi there", "--base-url", server.url + "/api/v3", "--model", "ep-123",
                "--api-key-env", "MY_KEY", "--system", "Be brief."]  # fmt: skip
        status, out, err = ssejet(backend, *args, env=env)
    assert status == 0, err
    (request,) = route.requests
    assert request.path == "/api/v3/chat/completions"
    assert request.headers["Authorization"] == "Bearer sk-secret"
    assert request.headers["Accept"] == "text/event-stream"
    body = request.json()
    assert body["model"] == "ep-123"
    assert body["stream"] is True
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi there"},
    ]
    assert "The user wrote: “Hi there”" in out
    assert SUMMARY.search(err)


def test_chat_reports_an_http_error_in_one_line(backend):
    def route(request: Request, writer: Writer) -> None:
        body = json.dumps({"error": {"message": "The API key is invalid", "code": "401"}}).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        writer.start(401, headers, chunked=False)
        writer.write(body)

    with Server(route) as server:
        args = ["chat", "hi", "--base-url", server.url, "--model", "m"]
        status, _, err = ssejet(backend, *args)
    assert status == 1
    line = one_error_line(err)
    url = f"{server.url}/chat/completions"
    assert line == f"ssejet: HTTP 401 Unauthorized from {url}: The API key is invalid"


def test_chat_without_the_api_key_says_which_variable_to_set(backend):
    env = environment(backend)
    env.pop("DEEPSEEK_API_KEY", None)
    args = ["chat", "hi", "--base-url", "https://api.deepseek.com", "--model", "deepseek-chat"]
    status, _, err = ssejet(backend, *args, env=env)
    assert status == 2
    assert "DEEPSEEK_API_KEY" in one_error_line(err)
    status, _, err = ssejet(backend, "chat", "--base-url", "https://x.test/v1")
    assert status == 2
    assert "--model" in one_error_line(err)


def test_chat_reports_a_refused_connection(backend):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args = ["chat", "hi", "--base-url", f"http://127.0.0.1:{port}/v1", "--model", "m"]
    status, _, err = ssejet(backend, *args)
    assert status == 1
    assert one_error_line(err).startswith(f"ssejet: cannot connect to http://127.0.0.1:{port}/v1")


def streaming(*pieces: bytes, drop: bool = False):
    def route(request: Request, writer: Writer) -> None:
        writer.start(200, [("Content-Type", "text/event-stream")])
        for piece in pieces:
            writer.write(piece)
        if drop:
            time.sleep(0.05)
            writer.drop()

    return route


def content_chunk(text: str) -> bytes:
    return b'data: {"choices":[{"index":0,"delta":{"content":"%s"}}]}\n\n' % text.encode()


def test_chat_reports_a_connection_broken_mid_stream(backend):
    route = streaming(content_chunk("partial answer"), b'data: {"choices":[{"ind', drop=True)
    with Server(route) as server:
        status, out, err = ssejet(backend, "chat", "hi", "--base-url", server.url, "--model", "m")
    assert status == 1
    assert out == "partial answer\n"
    assert "broke" in one_error_line(err)


def test_chat_accepts_a_stream_that_ends_without_done(backend):
    # Cerebras and others end the body without [DONE]: the answer, the summary, status 0.
    with Server(streaming(content_chunk("no done"))) as server:
        status, out, err = ssejet(backend, "chat", "hi", "--base-url", server.url, "--model", "m")
    assert (status, out) == (0, "no done\n"), err
    assert "1 chunks · first token" in err and "Traceback" not in err


def test_chat_reports_an_error_inside_the_stream(backend):
    error = b'data: {"error":{"message":"model overloaded","code":503}}\n\n'
    with Server(streaming(content_chunk("so far"), error)) as server:
        status, out, err = ssejet(backend, "chat", "hi", "--base-url", server.url, "--model", "m")
    assert status == 1
    assert out == "so far\n"
    assert (
        one_error_line(err)
        == "ssejet: the server reported an error mid-stream: model overloaded (code 503)"
    )


def test_ctrl_c_exits_cleanly_without_a_traceback(backend):
    env = environment(backend, SSEJET_DEMO_TOKEN_DELAY="0.05")
    proc = subprocess.Popen([sys.executable, "-m", "ssejet", "chat"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        ready, _, _ = select.select([proc.stdout], [], [], TIMEOUT)
        assert ready, "no output"
        assert proc.stdout.read1(100)  # type: ignore[union-attr]
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=TIMEOUT)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert b"Traceback" not in err
    assert b"KeyboardInterrupt" not in err


# --- parse -------------------------------------------------------------------------------------


def expected(corpus: Path) -> dict[str, dict]:
    lines = (corpus / "expected.jsonl").read_text(encoding="utf-8").splitlines()
    return {record["file"]: record for record in map(json.loads, lines)}


PARSED = [
    "deepseek-reasoner-reasoning-content.sse",  # reasoning then content, emoji
    "openai-gpt4o-parallel-tool-calls.sse",  # two tool calls
    "mistral-magistral-content-array.sse",  # content as a list of parts
    "cerebras-llama33-no-done.sse",  # no [DONE]
]


@pytest.mark.parametrize("name", PARSED)
def test_parse_prints_the_accumulated_message(backend, corpus, name):
    want = expected(corpus)[name]
    status, out, err = ssejet(backend, "parse", str(corpus / name))
    assert status == 0, err
    if want["reasoning_content"]:
        assert out.startswith("<think>\n" + want["reasoning_content"])
    if want["content"]:
        assert want["content"] in out
    for call in want["tool_calls"]:
        assert f"tool call {call['name']}({call['arguments']}) id={call['id']}" in out
    summary = err.strip().splitlines()[-1]
    assert summary.startswith(f"{want['chunks']} chunks")
    assert ("no [DONE]" in summary) == (not want["done"])


def test_parse_reports_an_error_inside_the_stream(backend, corpus):
    want = expected(corpus)["groq-gpt-oss-event-error.sse"]
    status, out, err = ssejet(backend, "parse", str(corpus / "groq-gpt-oss-event-error.sse"))
    assert status == 1
    assert want["reasoning_content"] in out
    assert one_error_line(err) == (
        f"ssejet: the stream reported an error: {want['error']['message']} (code tool_use_failed)"
    )


@pytest.mark.parametrize("name", ["azure-gpt35-turbo-prompt-filter.sse", "hf-tgi-data-nospace.sse"])
def test_parse_events_and_chunks_print_json_lines(backend, corpus, name):
    want = expected(corpus)[name]
    status, out, err = ssejet(backend, "parse", "--events", str(corpus / name))
    assert status == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert len(events) == want["events"]
    assert set(events[0]) == {"event", "data", "id", "retry"}
    status, out, err = ssejet(backend, "parse", "--chunks", "-", stdin=(corpus / name).read_bytes())
    assert status == 0, err
    chunks = [json.loads(line) for line in out.splitlines()]
    assert len(chunks) == want["chunks"]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == want["content"]


def test_parse_stats_counts_both_layers(backend, corpus):
    name = "xai-grok3-mini-reasoning-tool-call.sse"
    want = expected(corpus)[name]
    status, out, err = ssejet(backend, "parse", "--stats", str(corpus / name))
    assert status == 0, err
    rows = dict(line.split(None, 1) for line in out.splitlines())
    assert rows["backend"] == backend
    assert int(rows["bytes"]) == (corpus / name).stat().st_size
    assert (int(rows["events"]), int(rows["chunks"])) == (want["events"], want["chunks"])
    assert rows["done"] == "yes"
    assert "MB/s" in rows["SSEDecoder"] and "µs/chunk" in rows["ChunkDecoder"]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["/nonexistent/body.sse"], b"", "ssejet: cannot read /nonexistent/body.sse: No such file"),
        ([], b"data: {not json\n\n", "ssejet: bad chunk: invalid JSON in chunk payload"),
        (["-"], b"<html>not an event stream</html>", "ssejet: no chat-completion chunks in"),
        (
            ["--events"],
            b"data: " + b"x" * (17 << 20) + b"\n\n",
            "ssejet: event exceeds max_event_size",
        ),
    ],
    # Named ids: pytest would otherwise put the 17 MiB input in PYTEST_CURRENT_TEST, too large
    # for a child's environment on some versions.
    ids=["missing-file", "bad-json", "not-sse", "oversized-event"],
)
def test_parse_reports_bad_input_in_one_line(backend, args, stdin, message):
    status, _, err = ssejet(backend, "parse", *args, stdin=stdin)
    assert status == 1
    assert one_error_line(err).startswith(message)


# Runs `python -m ssejet ARGS` and prints the process's peak RSS on exit (Linux's VmHWM, which
# starts afresh at exec, unlike ru_maxrss, which a forked child inherits from its parent).
PEAK_RSS = """
import atexit, runpy, sys
def peak():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    sys.stderr.write("peak " + line.split()[1] + "\\n")
atexit.register(peak)
sys.argv[0] = "ssejet"
runpy.run_module("ssejet", run_name="__main__", alter_sys=True)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_parse_streams_a_large_file(backend, tmp_path):
    # 96 MiB, mostly keep-alive comments: if it were read whole, the process would hold it all.
    body = tmp_path / "large.sse"
    padding = b": " + b"." * (1 << 20) + b"\n"
    with body.open("wb") as file:
        for i in range(96):
            file.write(padding + content_chunk(f"{i} "))
        file.write(b"data: [DONE]\n\n")
    command = [sys.executable, "-c", PEAK_RSS, "parse", str(body)]
    result = subprocess.run(command, capture_output=True, timeout=TIMEOUT, env=environment(backend))
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert result.stdout.decode() == "".join(f"{i} " for i in range(96)) + "\n"
    peak_kib = int(re.search(r"^peak (\d+)$", err, re.M).group(1))  # type: ignore[union-attr]
    assert peak_kib < 64 * 1024  # far below the 96 MiB of input


# --- errors of the process's own streams (API.md, Decisions: one `ssejet:` line, never a
# traceback) --------------------------------------------------------------------------------

DEV_FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(not DEV_FULL.exists(), reason="needs /dev/full")
PARSE_MODES = [[], ["--chunks"], ["--events"], ["--stats"]]
MODE_IDS = ["message", "chunks", "events", "stats"]


def run_in_shell(backend: str, args: list[str], redirect: str, stdin: bytes = b""):
    """Runs `python -m ssejet ARGS REDIRECT` through sh, for redirections subprocess cannot make
    (`<&-`: a closed standard input, not an empty one)."""
    command = " ".join(["exec", sys.executable, "-m", "ssejet", *args, redirect])
    result = subprocess.run(["sh", "-c", command], input=stdin, capture_output=True,
                            timeout=TIMEOUT, env=environment(backend))  # fmt: skip
    return result.returncode, result.stdout.decode(), result.stderr.decode()


@pytest.mark.parametrize(
    "args", [["parse", "-"], ["parse", "--chunks", "-"], ["parse", "--stats"], ["chat", "-"]]
)
def test_a_closed_standard_input_is_one_line(backend, args):
    status, out, err = run_in_shell(backend, args, "<&-")
    assert (status, out) == (1, "")
    assert one_error_line(err) == "ssejet: cannot read standard input: it is closed"


def test_a_closed_standard_output_is_one_line(backend, tmp_path):
    body = tmp_path / "body.sse"
    body.write_bytes(content_chunk("hello"))
    status, _, err = run_in_shell(backend, ["parse", str(body)], ">&-")
    assert status == 1
    assert one_error_line(err) == "ssejet: cannot write standard output: it is closed"


@needs_dev_full
@pytest.mark.parametrize("mode", PARSE_MODES, ids=MODE_IDS)
def test_parse_to_a_full_disk_is_one_line(backend, tmp_path, mode):
    body = tmp_path / "body.sse"
    body.write_bytes(content_chunk("hello") * 3 + b"data: [DONE]\n\n")
    with DEV_FULL.open("wb") as full:
        result = subprocess.run([sys.executable, "-m", "ssejet", "parse", *mode, str(body)],
                                stdout=full, stderr=subprocess.PIPE, timeout=TIMEOUT,
                                env=environment(backend))  # fmt: skip
    assert result.returncode == 1
    line = one_error_line(result.stderr.decode())
    assert line == "ssejet: cannot write standard output: No space left on device"


@needs_dev_full
def test_chat_to_a_full_disk_is_one_line(backend):
    route = streaming(content_chunk("hello"), b"data: [DONE]\n\n")
    with Server(route) as server, DEV_FULL.open("wb") as full:
        command = [sys.executable, "-m", "ssejet", "chat", "hi", "--base-url", server.url,
                   "--model", "m"]  # fmt: skip
        result = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, timeout=TIMEOUT,
                                env=environment(backend))  # fmt: skip
    assert result.returncode == 1
    line = one_error_line(result.stderr.decode())
    assert line == "ssejet: cannot write standard output: No space left on device"


def test_chat_reports_a_prompt_that_is_not_text(backend):
    status, out, err = ssejet(backend, "chat", "-", stdin=b"caf\xe9\xff\n")
    assert (status, out) == (1, "")
    assert one_error_line(err).startswith("ssejet: cannot read the prompt from standard input: ")


def test_parse_to_an_ascii_terminal_is_one_line(backend):
    env = environment(backend, PYTHONIOENCODING="ascii")
    status, _, err = ssejet(backend, "parse", stdin=content_chunk("caf\u00e9"), env=env)
    assert status == 1
    assert one_error_line(err).startswith("ssejet: cannot write standard output: 'ascii' codec")


def deep_chunk(depth: int) -> bytes:
    nested = "[" * depth + "]" * depth
    return b'data: {"id":"deep","choices":[{"index":0,"delta":{"content":"x"}}],"x":%s}\n\n' % (
        nested.encode()
    )


def test_parse_chunks_names_a_chunk_too_deep_to_print(backend):
    # orjson prints at most 254 levels of nesting (the chunk's object and 253 arrays here); the
    # decoders accept more.
    body = content_chunk("first") + deep_chunk(254) + content_chunk("never printed")
    status, out, err = ssejet(backend, "parse", "--chunks", stdin=body)
    assert status == 1
    assert [json.loads(line)["choices"][0]["delta"]["content"] for line in out.splitlines()] == [
        "first"
    ]
    assert one_error_line(err).startswith("ssejet: cannot print chunk 2 (id deep) as JSON: ")
    # The other modes print no chunk as JSON: the same input is fine there.
    for mode in (["--events"], [], ["--stats"]):
        status, out, err = ssejet(backend, "parse", *mode, stdin=body)
        assert status == 0, err
    # 254 levels still print.
    status, out, err = ssejet(backend, "parse", "--chunks", stdin=deep_chunk(253))
    assert status == 0, err
    assert out.count("[") == 253 + 1  # and "choices"


def run_into_a_closed_pipe(backend: str, args: list[str]):
    """Runs the command with its stdout a pipe whose reader has gone (`ssejet ... | head`)."""
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run([sys.executable, "-m", "ssejet", *args], stdout=write,
                                stderr=subprocess.PIPE, timeout=TIMEOUT,
                                env=environment(backend))  # fmt: skip
    finally:
        os.close(write)
    return result.returncode, result.stderr.decode()


@pytest.mark.parametrize("mode", PARSE_MODES, ids=MODE_IDS)
def test_parse_into_a_closed_pipe_exits_quietly(backend, tmp_path, mode):
    # Quiet, with the status a shell shows for a tool that SIGPIPE ended (128 + 13), as `cat` or
    # `grep` give in a pipeline.
    body = tmp_path / "body.sse"
    body.write_bytes(content_chunk("hello ") * 2000 + b"data: [DONE]\n\n")
    status, err = run_into_a_closed_pipe(backend, ["parse", *mode, str(body)])
    assert (status, err) == (141, "")


def test_chat_and_bench_into_a_closed_pipe_exit_quietly(backend):
    status, err = run_into_a_closed_pipe(backend, ["chat", "hi"])
    assert status == 141
    assert "Traceback" not in err and "Exception" not in err
    quick = ["--workloads", "ark_content", "--reads", "64KiB", "--events", "20", "--repeat", "1",
             "--sample-ms", "1", "--peers", "ssejet"]  # fmt: skip
    status, err = run_into_a_closed_pipe(backend, ["bench", *quick])
    assert status == 141
    assert "Traceback" not in err and "Exception" not in err


def test_parse_ctrl_c_while_reading_stdin_exits_130_in_one_line(backend):
    proc = subprocess.Popen([sys.executable, "-m", "ssejet", "parse", "-"],
                            env=environment(backend), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        proc.stdin.write(content_chunk("so far"))  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]
        # Its text printed: it is past its imports, blocked reading the rest of stdin.
        ready, _, _ = select.select([proc.stdout], [], [], TIMEOUT)
        assert ready, "no output"
        assert proc.stdout.read1(100) == b"so far"  # type: ignore[union-attr]
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert out == b"\n"
    assert one_error_line(err.decode()) == "ssejet: interrupted"


def test_chat_ends_at_done_while_the_server_trickles_keep_alives(backend):
    # A server that goes on after [DONE] (a keep-alive every second, never ending the body)
    # must not hold the command: it prints the answer and exits 0 at once.
    def route(request: Request, writer: Writer) -> None:
        writer.start(200, [("Content-Type", "text/event-stream")])
        writer.write(content_chunk("done already") + b"data: [DONE]\n\n")
        for _ in range(20):
            if writer.disconnected:
                return
            time.sleep(1.0)
            writer.write(b": keep-alive\n\n")

    with Server(route) as server:
        start = time.monotonic()
        status, out, err = ssejet(backend, "chat", "hi", "--base-url", server.url, "--model", "m")
        elapsed = time.monotonic() - start
    assert (status, out) == (0, "done already\n"), err
    assert elapsed < 5.0  # the process's start-up; the first keep-alive alone would take 1 s
