"""Measurement: every peer's output is checked first, then the right ones are timed round-robin.

Method notes (the machines here have 2 shared cores, and wall-clock numbers wander by 20% from
one minute to the next):

- The clock is the CPU time of the thread running the peers (``--clock cpu``, the default):
  every workload runs in memory on one thread, so on an idle machine it equals wall time, and
  on a shared one it leaves out the time the OS gave to other processes. Measured here under
  load, the spread of 9 samples fell from about 40% (wall) to about 5-10% (CPU).
  ``--clock wall`` times elapsed time instead. The loopback workload is always CPU time: the
  server's thread is not the client's cost.
- Round-robin: each repetition runs every peer once, the starting peer rotated, so a slow spell
  of the machine hits all peers alike; the figure is the median over repetitions, and the ratio
  column divides by ssejet-rust's median from the same run, never from another run.
- A sample is one peer running the workload ``loops`` times, ``loops`` calibrated so a sample
  lasts about ``--sample-ms``; the garbage collector is off during a sample (as in ``timeit``).
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .consumer import Summary
from .peers import Peer, Run
from .workloads import Workload


@dataclass
class Result:
    """One peer on one workload: ``samples`` are seconds per pass, one per repetition."""

    peer: str
    kind: str
    status: str  # "ok", or "wrong" (its output was not the expected one: never timed)
    message: str = ""
    loops: int = 0
    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


def _first_difference(got: str, want: str) -> str:
    i = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
    return f"from character {i}: {got[i : i + 24]!r} instead of {want[i : i + 24]!r}"


def difference(got: Summary, want: Summary, unit: str = "chunk") -> Optional[str]:
    """What differs between a body's summary and the expected one (None: nothing); a
    dialect's summary (``unit`` "event") has the text and the thinking or reasoning text."""
    if got[0] != want[0]:
        return f"{got[0]} {unit}s instead of {want[0]}"
    labels = ("content", "reasoning_content") if unit == "chunk" else ("text", "reasoning")
    for label, g, w in zip(labels, got[1:3], want[1:3]):
        if g != w:
            return f"{label} differs {_first_difference(g, w)}"
    if got[3] != want[3]:
        return f"tool calls {str(got[3])[:160]} instead of {str(want[3])[:160]}"
    return None


def check(peer: Peer, run: Run, workload: Workload) -> Optional[str]:
    """None when one pass gives every body's expected summary, else what went wrong."""
    try:
        got = run()
    except Exception as error:  # a peer that cannot read a body reads it wrongly
        return _failing_body(peer, workload, error)
    for body, summary in zip(workload.bodies, got):
        problem = difference(summary, body.expected, workload.unit)
        if problem:
            return f"{body.name}: {problem}" if len(workload.bodies) > 1 else problem
    return None


def _failing_body(peer: Peer, workload: Workload, error: Exception) -> str:
    """Which body made a pass raise ``error``, and the first line of what it raised."""
    where = ""
    if len(workload.bodies) > 1:
        for body in workload.bodies:
            try:
                peer.make(Workload(workload.stream, workload.read, [body]))()
            except Exception as first:
                where, error = f"{body.name}: ", first
                break
    message = (str(error).strip().splitlines() or [""])[0]
    if type(error).__name__ == "ValidationError":  # pydantic and msgspec: the line that says why
        message = " ".join(str(error).split())
    return f"{where}raised {type(error).__name__}: {message[:200]}"


def sample(run: Run, loops: int, clock: Callable[[], float] = time.perf_counter) -> float:
    """Seconds per pass over ``loops`` passes, with the collector off (as ``timeit`` does)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = clock()
        for _ in range(loops):
            run()
        return (clock() - start) / loops
    finally:
        if enabled:
            gc.enable()


def calibrate(run: Run, sample_s: float, clock: Callable[[], float] = time.perf_counter) -> int:
    """How many passes make a sample of about ``sample_s`` (doubling, as timeit.autorange)."""
    loops = 1
    while True:
        took = sample(run, loops, clock) * loops
        if took >= sample_s / 4 or loops >= 1024:
            return max(1, min(4096, round(sample_s * loops / max(took, 1e-9))))
        loops *= 2


class Progress:
    """Progress on stderr: one line rewritten in place on a terminal, a line per step else."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.width = 0

    def say(self, text: str) -> None:
        self.status("")
        print(f"ssejet bench: {text}", file=self.stream, flush=True)

    def status(self, text: str, *, log: bool = False) -> None:
        if self.tty:
            self.stream.write("\r" + text.ljust(self.width) + ("\n" if log else ""))
            self.width = 0 if log else len(text)
            self.stream.flush()
        elif log:
            print(text, file=self.stream, flush=True)


def measure(
    workload: Workload,
    peers: list[Peer],
    *,
    repeat: int,
    sample_s: float,
    progress: Progress,
    label: str = "",
) -> list[Result]:
    """Checks every peer, then times the good ones round-robin, ``repeat`` repetitions."""
    clock = time.thread_time if workload.clock == "cpu" else time.perf_counter
    results, runs = [], []
    for peer in peers:
        if peer.kind == "floor" and workload.read == "1B":
            continue  # the floors' input is pre-split: read sizes do not apply to them
        progress.status(f"{label}{workload.title}: checking {peer.name}")
        run = peer.make(workload)
        problem = check(peer, run, workload)
        if problem:
            results.append(Result(peer.name, peer.kind, "wrong", problem))
            continue
        loops = calibrate(run, sample_s, clock)
        results.append(Result(peer.name, peer.kind, "ok", loops=loops))
        runs.append((results[-1], run))
    started = time.perf_counter()
    for rep in range(repeat):
        progress.status(f"{label}{workload.title}: repetition {rep + 1}/{repeat}")
        shift = rep % max(len(runs), 1)  # rotate the order: no peer always runs first
        for result, run in runs[shift:] + runs[:shift]:
            result.samples.append(sample(run, result.loops, clock))
    progress.status(f"{label}{workload.title}: {time.perf_counter() - started:.1f} s", log=True)
    return results
