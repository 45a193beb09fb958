"""``ssejet bench``: its options, and the run they ask for."""

from __future__ import annotations

import argparse
import importlib
import json
from pathlib import Path
from typing import Optional

from .measure import Progress, measure
from .peers import Peer, available_peers
from .report import plot, report, table
from .transports import Loopback
from .workloads import (
    CLIENTS,
    READ_SIZES,
    REFERENCE,
    STREAMS,
    WORKLOADS,
    build_workloads,
    default_corpus,
    load_streams,
)


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ssejet bench",
        description="Compares ssejet with the SSE and JSON parsers applications use today, on "
        "generated and real LLM streams, per dialect (chat.completions, Anthropic Messages, "
        "OpenAI Responses) and per HTTP client (httpx, requests, aiohttp over loopback): every "
        "peer is checked for correct output, then all are timed round-robin. Prints a table per "
        "workload (µs per chunk or event, MB/s, ratio to ssejet-rust or to the client's bare "
        "read, measured in the same run). Peers: pip install --group bench.",
    )
    add = parser.add_argument
    add(
        "--workloads",
        type=_csv,
        default=list(WORKLOADS),
        metavar="LIST",
        help=f"comma-separated: {', '.join(STREAMS)}, corpus (the 21 captures), corpus-plain "
        "(those without provider quirks); anthropic, responses (the dialects' captures), "
        "anthropic_text, responses_text (long generated text streams); loopback, "
        "loopback-requests, loopback-aiohttp (Ark-shaped chunks over a 127.0.0.1 HTTP server "
        "through httpx, requests, aiohttp; client CPU time) (default: all)",
    )
    add(
        "--reads",
        type=_csv,
        default=list(READ_SIZES),
        metavar="LIST",
        help="comma-separated read sizes: event, 64KiB, 1B (default: all; 1B on the short "
        "generated chat streams only)",
    )
    add(
        "--peers",
        type=_csv,
        default=None,
        metavar="LIST",
        help="only the peers whose name contains one of these words (each workload's "
        f"reference, such as {REFERENCE!r}, is always included)",
    )
    add(
        "--events",
        type=int,
        default=500,
        metavar="N",
        help="events per generated stream (large_cjk: N/5) (default: %(default)s)",
    )
    add(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="cpu: the CPU time of the thread running the peers, steady on a shared machine; "
        "wall: elapsed time (default: %(default)s; the loopback workloads are always cpu)",
    )
    add(
        "--repeat",
        type=int,
        default=9,
        metavar="N",
        help="round-robin repetitions; the figures are medians (default: %(default)s)",
    )
    add(
        "--sample-ms",
        type=float,
        default=20.0,
        metavar="MS",
        help="about how long one peer's sample lasts (default: %(default)s)",
    )
    add("--json", action="store_true", help="print the results as JSON instead of tables")
    add("--plot", type=Path, metavar="FILE.png", help="also draw a bar chart (needs matplotlib)")
    add(
        "--benches",
        type=Path,
        metavar="DIR",
        help="a folder with a streams.py to use instead of ssejet._bench.streams",
    )
    add(
        "--corpus",
        type=Path,
        metavar="DIR",
        default=None,
        help="the real chat captures with expected.jsonl; the dialects' are in the sibling "
        "folder dialects/ (default: $SSEJET_SHARED/corpus/real)",
    )
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    """``ssejet bench``; returns the exit status (1 when an ssejet peer decoded wrongly)."""
    args = build_parser().parse_args(argv)
    progress = Progress()
    unknown = [w for w in args.workloads if w not in WORKLOADS]
    bad_reads = [r for r in args.reads if r not in READ_SIZES]
    if unknown or bad_reads:
        progress.say(f"unknown workload or read size: {', '.join(unknown + bad_reads)}")
        return 2
    if args.plot:
        try:
            importlib.import_module("matplotlib")
        except ImportError:
            progress.say("--plot needs matplotlib: pip install matplotlib (or --group bench)")
            return 2
    try:
        streams = load_streams(args.benches)
    except FileNotFoundError as error:
        progress.say(str(error))
        return 2
    skipped: list[str] = []

    def say(message: str) -> None:
        skipped.append(message)
        progress.say(message)

    workloads = build_workloads(
        streams,
        names=args.workloads,
        reads=args.reads,
        n_events=args.events,
        corpus_dir=args.corpus or default_corpus(),
        say=say,
        clock=args.clock,
    )
    loop = Loopback() if any(w.stream in CLIENTS for w in workloads) else None
    suites: dict[str, list[Peer]] = {}  # each suite's peers, made once, when first needed
    results = []
    try:
        for i, workload in enumerate(workloads, 1):
            if workload.suite not in suites:
                selected = [*args.peers, workload.reference] if args.peers else None
                suites[workload.suite] = available_peers(selected, say, loop, workload.suite)
            rows = measure(
                workload,
                suites[workload.suite],
                repeat=args.repeat,
                sample_s=args.sample_ms / 1e3,
                progress=progress,
                label=f"[{i}/{len(workloads)}] ",
            )
            results.append(rows)
    finally:
        for peer in (p for peers in suites.values() for p in peers if p.close):
            peer.close()  # type: ignore[misc]
        if loop is not None:
            loop.close()
    settings = {
        "clock": args.clock,
        "repeat": args.repeat,
        "events": args.events,
        "sample_ms": args.sample_ms,
        "workloads": args.workloads,
        "reads": args.reads,
        "peers": args.peers,
    }
    data = report(workloads, results, settings, skipped)
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else table(data))
    if args.plot:
        plot(data, args.plot)
        progress.say(f"chart written to {args.plot}")
    # Exit 1 only when a typed ssejet path (a decoder, an iterator) decoded wrongly: the
    # "SSEDecoder + orjson" loop reads plain dicts as apps do, without the provider
    # normalisations, so it fails on the corpus like the other peers, by design.
    wrong = [
        r
        for rows in results
        for r in rows
        if r.kind == "ssejet" and "SSEDecoder + orjson" not in r.peer and r.status != "ok"
    ]
    return 1 if wrong else 0
