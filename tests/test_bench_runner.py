"""`ssejet bench` (ssejet._bench): it times only peers whose output is right, and reports.

A comparison that times a wrong decoder measures nothing, so the runner checks every peer's
output first; these tests prove a deliberately wrong peer is caught, that both backends pass
the check on every workload, and that a tiny run prints a table and valid JSON in seconds.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import ssejet
from ssejet._bench import dialects, main, workloads
from ssejet._bench.consumer import ChatApp
from ssejet._bench.measure import Progress, check, difference, measure
from ssejet._bench.peers import (
    Peer,
    Skip,
    available_peers,
    import_or_skip,
    orjson_floor,
    per_body,
    ssejet_chunk_decoder,
)
from ssejet._bench.transports import Loopback
from ssejet._bench.workloads import (
    CLIENTS,
    LOOPBACK_REFERENCE,
    REFERENCE,
    STREAMS,
    Body,
    Workload,
    generated,
    load_streams,
)

streams = load_streams()
QUICK = ["--events", "20", "--repeat", "2", "--sample-ms", "1"]


def tiny(read: str = "64KiB", name: str = "ark_content") -> Workload:
    return generated(streams, name, read, 20)


def dropping_last_chunk(backend: str) -> Peer:
    """A peer that loses the final chunk: right on every chunk but one."""

    def step(body: Body, app: ChatApp) -> None:
        decoder = ssejet.ChunkDecoder(backend=backend)
        chunks = [c for data in body.reads for c in decoder.feed(data)]
        app.read_objects(chunks[:-2] + chunks[-1:])  # the last content chunk is gone

    return Peer("wrong", per_body(step))


def test_a_peer_that_loses_a_chunk_is_reported_wrong_and_never_timed(backend: str) -> None:
    peers = [ssejet_chunk_decoder(backend), dropping_last_chunk(backend)]
    good, bad = measure(tiny(), peers, repeat=2, sample_s=0.001, progress=Progress())
    assert (good.status, len(good.samples)) == ("ok", 2)
    assert (bad.status, bad.samples) == ("wrong", [])
    assert bad.message == "18 chunks instead of 19"


def test_a_peer_that_reads_other_text_is_reported_with_where_it_differs() -> None:
    load = tiny()
    chunks, content, reasoning, calls = load.bodies[0].expected
    wrong = (chunks, content[:5] + "X" + content[6:], reasoning, calls)
    assert difference(wrong, load.bodies[0].expected) == (
        f"content differs from character 5: {wrong[1][5:29]!r} instead of {content[5:29]!r}"
    )


def test_a_peer_that_raises_is_reported_wrong_with_the_error() -> None:
    def step(body: Body, app: ChatApp) -> None:
        raise ValueError("cannot read this\nsecond line")

    peer = Peer("raises", per_body(step))
    (result,) = measure(tiny(), [peer], repeat=1, sample_s=0.001, progress=Progress())
    assert (result.status, result.message) == ("wrong", "raised ValueError: cannot read this")


@pytest.mark.parametrize("read", ["event", "64KiB", "1B"])
@pytest.mark.parametrize("name", STREAMS)
def test_chunk_decoder_reads_every_generated_workload_right(
    backend: str, name: str, read: str
) -> None:
    load = tiny(read, name)
    peer = ssejet_chunk_decoder(backend)
    assert check(peer, peer.make(load), load) is None


@pytest.mark.parametrize("plain", [False, True], ids=["corpus", "corpus-plain"])
def test_chunk_decoder_reads_the_real_corpus_as_expected_jsonl_says(
    backend: str, corpus: Path, plain: bool
) -> None:
    load = workloads.corpus(streams, corpus, "event", plain=plain)
    assert len(load.bodies) == (16 if plain else 21)
    peer = ssejet_chunk_decoder(backend)
    assert check(peer, peer.make(load), load) is None


def test_a_plain_dict_reader_is_wrong_on_mistral_content_parts(corpus: Path) -> None:
    load = workloads.corpus(streams, corpus, "64KiB", plain=False)
    peer = orjson_floor()
    problem = check(peer, peer.make(load), load)
    assert problem is not None
    assert problem.startswith("mistral-magistral-content-array.sse: ")


def test_a_missing_peer_package_is_skipped_with_a_message(monkeypatch: Any) -> None:
    def missing() -> Peer:
        import_or_skip("ssejet_no_such_module", "no-such-package")
        raise AssertionError("unreachable")

    monkeypatch.setattr("ssejet._bench.peers.FACTORIES", [("absent peer", missing)])
    said: list[str] = []
    assert available_peers(None, said.append) == []
    assert said[0].startswith("skipping absent peer: no-such-package is not installed")
    assert said[0].endswith("pip install no-such-package")


def run_main(capsys: Any, *args: str) -> tuple[int, str, str]:
    code = main([*args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_tiny_run_prints_valid_json_with_both_backends_quickly(capsys: Any) -> None:
    start = time.perf_counter()
    code, out, err = run_main(
        capsys, "--workloads", "ark_content,tool_call_fragments", "--reads", "event,64KiB",
        "--peers", "ssejet,seeds", "--json", *QUICK,
    )  # fmt: skip
    assert time.perf_counter() - start < 10
    assert code == 0
    data = json.loads(out)
    assert [w["workload"] for w in data["workloads"]] == [
        "ark_content/event", "ark_content/64KiB",
        "tool_call_fragments/event", "tool_call_fragments/64KiB",
    ]  # fmt: skip
    for workload in data["workloads"]:
        rows = {r["peer"]: r for r in workload["results"]}
        assert {r["status"] for r in rows.values()} == {"ok"}
        assert {"ssejet-rust ChunkDecoder", "ssejet-python ChunkDecoder"} <= set(rows)
        assert "seeds' pattern + json" in rows
        assert rows[REFERENCE]["ratio"] == 1.0
        for row in rows.values():
            assert row["us_per_chunk"] > 0 and row["mb_per_s"] > 0
            assert len(row["seconds_per_pass"]) == 2
    targets = {t["target"]: t for t in data["targets"]}
    assert targets["ssejet-rust ChunkDecoder, 64 KiB reads, µs per chunk"]["value"] > 0
    assert data["machine"]["versions"]["ssejet"] == ssejet.__version__
    assert "[4/4] tool_call_fragments (64KiB reads)" in err  # progress went to stderr


@pytest.mark.parametrize(("clock", "header"), [("cpu", "CPU µs/chunk"), ("wall", "µs/chunk")])
def test_a_tiny_run_prints_a_table_per_workload(capsys: Any, clock: str, header: str) -> None:
    code, out, _ = run_main(
        capsys, "--workloads", "ark_content", "--reads", "64KiB", "--peers",
        "python ChunkDecoder", "--clock", clock, *QUICK,
    )  # fmt: skip
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("== chat.completions (OpenAI-compatible chunks) ==")
    lines = lines[2:]
    assert lines[0].startswith("ark_content (64KiB reads): 19 chunks, ")
    assert re.split(r"\s{2,}", lines[1].strip()) == ["peer", header, "MB/s", "× ssejet-rust"]
    peers = {re.split(r"\s{2,}", line.strip())[0] for line in lines[2:4]}
    assert peers == {"ssejet-rust ChunkDecoder", "ssejet-python ChunkDecoder"}
    assert "Targets (issues 3 and 5, Ark-shaped chunks):" in lines


def test_loopback_times_the_reading_threads_cpu_against_httpx_bare_read(capsys: Any) -> None:
    code, out, _ = run_main(
        capsys, "--workloads", "loopback", "--peers", "rust iter_chunks", "--json", *QUICK
    )
    assert code == 0
    (workload,) = json.loads(out)["workloads"]
    assert (workload["clock"], workload["reference"]) == ("cpu", LOOPBACK_REFERENCE)
    rows = {r["peer"]: r for r in workload["results"]}
    assert set(rows) == {LOOPBACK_REFERENCE, "ssejet-rust iter_chunks (httpx)"}
    assert {r["status"] for r in rows.values()} == {"ok"}
    assert rows[LOOPBACK_REFERENCE]["ratio"] == 1.0


def test_a_plot_is_written_when_matplotlib_is_installed(capsys: Any, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="--plot needs matplotlib: pip install --group bench")
    chart = tmp_path / "bench.png"
    code, _, _ = run_main(
        capsys, "--workloads", "ark_content", "--reads", "64KiB", "--peers", "rust",
        "--plot", str(chart), *QUICK,
    )  # fmt: skip
    assert code == 0
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_workloads_are_refused(capsys: Any) -> None:
    code, _, err = run_main(capsys, "--workloads", "nope")
    assert code == 2
    assert "unknown workload or read size: nope" in err


def test_importing_ssejet_does_not_import_the_bench_module() -> None:
    code = "import sys, ssejet; print('ssejet._bench' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_corpus_run_succeeds_though_plain_dict_readers_fail_on_it(
    corpus: Path, capsys: Any
) -> None:
    """Exit 0: only a typed ssejet path reading wrongly fails the run; the SSEDecoder + orjson
    loop, like every peer, cannot read Mistral's list-valued content, by design."""
    argv = ["--workloads", "corpus", "--reads", "64KiB", "--repeat", "1", "--sample-ms", "1"]
    assert main([*argv, "--corpus", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "ssejet-rust ChunkDecoder" in out and "wrong output" in out


def peers_of(suite: str, loop: Any = None) -> list[Peer]:
    """Every peer of a suite that can run here (the skipped ones are said in the message)."""
    said: list[str] = []
    peers = available_peers(None, said.append, loop, suite)
    assert peers, said
    return peers


def dialect_corpus(corpus: Path, dialect: str) -> Workload:
    folder = corpus.parent / "dialects"
    if not (folder / "expected.jsonl").is_file():
        pytest.skip(f"{folder} is absent")
    return dialects.corpus(streams, folder, dialect, "64KiB")


@pytest.mark.parametrize("dialect", ["anthropic", "responses"])
def test_every_dialect_peer_reads_the_dialects_captures_as_expected_jsonl_says(
    corpus: Path, dialect: str
) -> None:
    load = dialect_corpus(corpus, dialect)
    assert len(load.bodies) == (9 if dialect == "anthropic" else 8)  # one each left out
    assert (load.suite, load.unit) == (dialect, "event")
    assert load.reference == dialects.REFERENCES[dialect]
    peers = peers_of(dialect)
    assert peers[0].name == load.reference
    for peer in peers:
        assert check(peer, peer.make(load), load) is None, peer.name


@pytest.mark.parametrize("read", ["event", "64KiB"])
@pytest.mark.parametrize("name", ["anthropic_text", "responses_text"])
def test_every_dialect_peer_reads_the_generated_text_streams(name: str, read: str) -> None:
    load = dialects.generated(streams, name, read, 40)
    assert load.bodies[0].expected[0] == 40 - (name == "anthropic_text")  # ping skipped
    assert len(load.bodies[0].expected[1]) > 40
    for peer in peers_of(load.suite):
        assert check(peer, peer.make(load), load) is None, peer.name


def test_a_dialect_peer_that_misses_a_tool_call_is_reported_wrong(corpus: Path) -> None:
    load = dialect_corpus(corpus, "anthropic")
    good = peers_of("anthropic")[0]

    def make(workload: Workload) -> Any:
        run = good.make(workload)
        return lambda: [(n, text, thinking, ()) for n, text, thinking, _ in run()]

    problem = check(Peer("no tools", make), make(load), load)
    assert problem is not None and ": tool calls " in problem

    def one_less(workload: Workload) -> Any:
        run = good.make(workload)
        return lambda: [(n - 1, *rest) for n, *rest in run()]

    problem = check(Peer("one less", one_less), one_less(load), load)
    assert problem is not None and re.search(r"^[^:]+\.sse: \d+ events instead of \d+$", problem)


@pytest.fixture(scope="module")
def loopback() -> Any:
    loop = Loopback()
    yield loop
    loop.close()


@pytest.mark.parametrize("name", list(CLIENTS))
def test_every_client_peer_reads_the_loopback_body_right(loopback: Any, name: str) -> None:
    load = workloads.loopback(streams, 30, name)
    client, reference = CLIENTS[name]
    assert (load.suite, load.reference, load.stream) == (client, reference, name)
    peers = peers_of(client, loopback)
    try:
        names = [peer.name for peer in peers]
        assert reference in names and any("seed loop" in n for n in names)
        assert any(n.startswith("ssejet-python") for n in names)
        for peer in peers:
            assert check(peer, peer.make(load), load) is None, peer.name
    finally:
        for peer in peers:
            if peer.close:
                peer.close()


def test_a_missing_client_is_skipped_with_a_message(monkeypatch: Any, loopback: Any) -> None:
    def missing(loop: Any, how: str, backend: str = "") -> Peer:
        raise Skip("aiohttp is not installed: pip install aiohttp")

    from ssejet._bench import clients

    factories = [(n, lambda loop, f=f: missing(loop, "")) for n, f in clients.FACTORIES["aiohttp"]]
    monkeypatch.setitem(clients.FACTORIES, "aiohttp", factories)
    said: list[str] = []
    assert available_peers(None, said.append, loopback, "aiohttp") == []
    assert len(said) == 4 and said[0].startswith("skipping aiohttp bare read (no parsing): ")


NEW = "anthropic,anthropic_text,responses,responses_text,loopback-requests,loopback-aiohttp"


def test_a_run_of_the_dialects_and_clients_prints_json_grouped_by_suite(
    corpus: Path, capsys: Any
) -> None:
    code, out, _ = run_main(
        capsys, "--workloads", NEW, "--reads", "event", "--corpus", str(corpus), "--json", *QUICK
    )
    assert code == 0
    data = json.loads(out)
    suites = {w["workload"]: (w["suite"], w["unit"]) for w in data["workloads"]}
    assert suites == {
        "anthropic/event": ("anthropic", "event"),
        "anthropic_text/event": ("anthropic", "event"),
        "responses/event": ("responses", "event"),
        "responses_text/event": ("responses", "event"),
        "loopback-requests/event": ("requests", "chunk"),
        "loopback-aiohttp/event": ("aiohttp", "chunk"),
    }
    for workload in data["workloads"]:
        rows = {r["peer"]: r for r in workload["results"]}
        assert {r["status"] for r in rows.values()} == {"ok"}, workload["workload"]
        assert rows[workload["reference"]]["ratio"] == 1.0
        assert len(rows) >= 4 and all(len(r["seconds_per_pass"]) == 2 for r in rows.values())
    assert data["machine"]["versions"]["requests"]


def test_the_table_has_a_section_per_dialect_and_per_client(capsys: Any) -> None:
    code, out, _ = run_main(
        capsys, "--workloads", "ark_content,anthropic_text,responses_text,loopback-aiohttp",
        "--reads", "64KiB", "--peers", "rust", *QUICK,
    )  # fmt: skip
    assert code == 0
    sections = [line.strip("= ") for line in out.splitlines() if line.startswith("== ")]
    assert sections == [
        "chat.completions (OpenAI-compatible chunks)", "Anthropic Messages", "OpenAI Responses",
        "Client: aiohttp, over loopback HTTP",
    ]  # fmt: skip
    assert "anthropic_text (64KiB reads): 19 events, " in out
    assert re.search(r"peer +CPU µs/event +MB/s +× ssejet-rust", out)
    assert re.search(r"peer +CPU µs/chunk +MB/s +× bare read", out)
    assert "Targets (issues 3 and 5, Ark-shaped chunks):" in out  # ark_content measures some

    code, out, _ = run_main(capsys, "--workloads", "responses_text", "--peers", "rust", *QUICK)
    assert code == 0 and "Targets" not in out  # none measured: no list of "not measured"
