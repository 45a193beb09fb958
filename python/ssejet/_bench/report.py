"""What a run reports: the ``--json`` document, the tables, the targets of issues 3 and 5, the
machine and versions, and an optional bar chart."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any, Optional

import ssejet

from .measure import Result
from .workloads import LOOPBACK_REFERENCE, REFERENCE, Workload


def report(
    workloads: list[Workload],
    results: list[list[Result]],
    settings: dict[str, Any],
    skipped: list[str],
) -> dict[str, Any]:
    """Everything the run measured, as the ``--json`` document."""
    out = []
    for workload, rows in zip(workloads, results):
        ref = next((r.median for r in rows if r.peer == workload.reference and r.samples), None)
        entries = []
        for r in rows:
            entry: dict[str, Any] = {"peer": r.peer, "kind": r.kind, "status": r.status}
            if r.status == "ok" and r.samples:
                # "us_per_chunk" is per workload unit: a chunk, or a dialect's event
                entry.update(
                    us_per_chunk=r.median / workload.chunks * 1e6,
                    mb_per_s=workload.bytes / r.median / 1e6,
                    ratio=r.median / ref if ref else None,
                    loops=r.loops,
                    seconds_per_pass=r.samples,
                )
            else:
                entry["message"] = r.message
            entries.append(entry)
        out.append(
            {
                "workload": workload.key,
                "stream": workload.stream,
                "read": workload.read,
                "files": len(workload.bodies),
                "chunks": workload.chunks,
                "bytes": workload.bytes,
                "clock": workload.clock,
                "reference": workload.reference,
                "suite": workload.suite,
                "unit": workload.unit,
                "results": entries,
            }
        )
    data = {"machine": machine(), "settings": settings, "skipped": skipped, "workloads": out}
    data["targets"] = targets(data)
    return data


def machine() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for package in (
        "ssejet",
        "orjson",
        "msgspec",
        "httpx",
        "httpx-sse",
        "requests",
        "aiohttp",
        "openai",
        "anthropic",
        "httpx2",
        "pydantic",
        "volcengine-ark-runtime",
    ):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "ssejet_backend": ssejet.backend,
        "versions": versions,
    }


def _us(data: dict[str, Any], key: str, peer: str) -> Optional[float]:
    for workload in data["workloads"]:
        if workload["workload"] == key:
            for entry in workload["results"]:
                if entry["peer"] == peer and entry["status"] == "ok":
                    return entry["us_per_chunk"]
    return None


def targets(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The targets of issues 3 and 5 that this run measured (Ark-shaped chunks)."""
    rust_64k = _us(data, "ark_content/64KiB", REFERENCE)
    rust_event = _us(data, "ark_content/event", REFERENCE)
    checks = [
        ("ssejet-rust ChunkDecoder, 64 KiB reads, µs per chunk", rust_64k, "<=", 1.2),
        ("ssejet-rust ChunkDecoder, one event per read, µs per chunk", rust_event, "<=", 1.7),
    ]

    def ratio(key: str, a: str, b: str) -> Optional[float]:
        x, y = _us(data, key, a), _us(data, key, b)
        return x / y if x is not None and y else None

    for key, reads in (("ark_content/64KiB", "64 KiB reads"), ("ark_content/event", "event reads")):
        checks.append(
            (
                f"ssejet-rust / msgspec floor, {reads}",
                ratio(key, REFERENCE, "floor: msgspec typed, framing free"),
                "<=",
                0.5,
            )
        )
        checks.append(
            (
                f"ssejet-python ChunkDecoder / httpx-sse + orjson, {reads}",
                ratio(key, "ssejet-python ChunkDecoder", "httpx-sse + orjson"),
                "<=",
                1.0,
            )
        )
        checks.append(
            (
                f"openai SDK / ssejet-rust, {reads}",
                ratio(key, "openai SDK create(stream=True)", REFERENCE),
                ">=",
                200.0,
            )
        )
    checks.append(
        (
            "ssejet-rust iter_chunks / httpx bare read, loopback, CPU per event",
            ratio("loopback/event", "ssejet-rust iter_chunks (httpx)", LOOPBACK_REFERENCE),
            "<=",
            1.15,
        )
    )
    out = []
    for what, value, op, bound in checks:
        met = None if value is None else (value <= bound if op == "<=" else value >= bound)
        out.append({"target": what, "value": value, "op": op, "bound": bound, "met": met})
    return out


# The table's sections: one per dialect, one per HTTP client (Workload.suite).
SECTIONS = {
    "chat": "chat.completions (OpenAI-compatible chunks)",
    "anthropic": "Anthropic Messages",
    "responses": "OpenAI Responses",
    "httpx": "Client: httpx, over loopback HTTP",
    "requests": "Client: requests, over loopback HTTP",
    "aiohttp": "Client: aiohttp, over loopback HTTP",
}


def _num(x: float) -> str:
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def table(data: dict[str, Any]) -> str:
    """The human-readable report: a table per workload, then the targets."""
    lines = []
    width = max((len(e["peer"]) for w in data["workloads"] for e in w["results"]), default=10)
    order = list(SECTIONS)
    suites = sorted({w.get("suite", "chat") for w in data["workloads"]}, key=order.index)
    for suite in suites:
        heading = SECTIONS[suite]
        lines += [f"== {heading} {'=' * max(0, width + 36 - len(heading))}", ""]
        lines += _tables([w for w in data["workloads"] if w.get("suite", "chat") == suite], width)
    if any(t["value"] is not None for t in data["targets"]):  # only chat workloads have them
        lines.append("Targets (issues 3 and 5, Ark-shaped chunks):")
        for t in data["targets"]:
            value = "not measured" if t["value"] is None else _num(t["value"])
            verdict = {True: "met", False: "MISSED", None: ""}[t["met"]]
            line = f"  {t['target']}: {value} ({t['op']} {t['bound']:g}) {verdict}"
            lines.append(line.rstrip())
        lines.append("")
    settings = data["settings"]
    m = data["machine"]
    clock = "CPU time of the reading thread" if settings["clock"] == "cpu" else "wall time"
    lines.append(
        f"Medians of {settings['repeat']} round-robin repetitions ({clock}); Python "
        f"{m['python']} on {m['platform']}, {m['cpus']} CPUs."
    )
    lines.append("Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v))
    lines += [f"Not run: {message.removeprefix('skipping ')}" for message in data["skipped"]]
    return "\n".join(lines)


def _tables(workloads: list[dict[str, Any]], width: int) -> list[str]:
    """A table per workload: its peers, fastest first, then those that read it wrongly."""
    lines = []
    for w in workloads:
        unit = w.get("unit", "chunk")
        files = f", {w['files']} files" if w["files"] > 1 else ""
        lines.append(
            f"{w['stream']} ({w['read']} reads{files}): {w['chunks']} {unit}s, "
            f"{w['bytes'] / 1e3:.1f} kB"
        )
        us = f"CPU µs/{unit}" if w["clock"] == "cpu" else f"µs/{unit}"
        ratio = "× bare read" if "bare read" in w["reference"] else "× ssejet-rust"
        lines.append(f"  {'peer':<{width}}  {us:>12}  {'MB/s':>7}  {ratio:>13}")
        ok = sorted(
            (e for e in w["results"] if e["status"] == "ok"), key=lambda e: e["us_per_chunk"]
        )
        for e in ok:
            r = e["ratio"]
            lines.append(
                f"  {e['peer']:<{width}}  {_num(e['us_per_chunk']):>12}  "
                f"{_num(e['mb_per_s']):>7}  {_num(r) if r else '-':>13}"
            )
        for e in w["results"]:
            if e["status"] != "ok":
                lines.append(f"  {e['peer']:<{width}}  wrong output, not timed: {e['message']}")
        lines.append("")
    return lines


def plot(data: dict[str, Any], path: Path) -> None:
    """A bar chart of µs per chunk (log scale), one panel per workload."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workloads = [w for w in data["workloads"] if any(e["status"] == "ok" for e in w["results"])]
    cols = 2 if len(workloads) > 1 else 1
    rows = (len(workloads) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(8 * cols, 0.32 * 17 * rows + 1), squeeze=False)
    colors = {"ssejet": "#d95f02", "floor": "#999999", "peer": "#1b9e77"}
    for ax, w in zip(axes.flat, workloads):
        ok = sorted(
            (e for e in w["results"] if e["status"] == "ok"), key=lambda e: -e["us_per_chunk"]
        )
        ax.barh(
            [e["peer"] for e in ok],
            [e["us_per_chunk"] for e in ok],
            color=[colors.get(e["kind"], "#1b9e77") for e in ok],
        )
        ax.set_xscale("log")
        ax.set_title(f"{w['stream']}, {w['read']} reads", fontsize=10)
        cpu = "CPU " if w["clock"] == "cpu" else ""
        unit = w.get("unit", "chunk")
        ax.set_xlabel(f"{cpu}µs per {unit} (log scale, lower is better)", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(workloads) :]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
