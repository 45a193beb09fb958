"""Bounded memory: a gigabyte of hostile or endless input never grows the process.

Each case runs in a fresh interpreter (a subprocess) that measures its own peak RSS. The input
is made on the fly: one 64 KiB ``bytes`` object fed again and again, so the test holds nothing.

- one ``data:`` line of 1 GB that never ends: ``EventTooLargeError`` comes with the feed that
  passes ``max_event_size`` (16 MiB, the default), exactly once; the rest of the line is
  skipped as it arrives, and the decoder decodes the next event;
- 1 GB of comment lines, and one comment line of 1 GB: comments never count, never buffer;
- 1 GB of tiny (64-byte) events, consumed as they come (each feed's list is dropped);
- a control: with a limit of 1 GiB, 256 MB of one unterminated line are buffered, and the
  measurement shows it, so the bounds above are not an artefact of how RSS is read;
- one feed of 100 MB completing a line under a 16-byte limit leaves no 100 MB buffer behind.

Peak RSS must stay under 100 MB. It is read inside the child as ``VmHWM`` (the peak RSS of the
process image since its exec), not ``resource.getrusage(RUSAGE_SELF).ru_maxrss``: Linux carries
the parent's peak into a child's ``ru_maxrss`` across fork and exec, so a pytest process that had
grown to 300 MB would fail every case. ``ru_maxrss`` is the fallback where ``/proc`` is missing.

Both backends run the full gigabyte: on this 2-core machine the slowest case, the pure-Python
backend making 16.8 million events, takes about 25 s; the whole file about 35 s.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

GB = 1 << 30
PIECE = 64 * 1024
LIMIT = 16 * 1024 * 1024  # the default max_event_size
RSS_LIMIT_MB = 100

# Runs one case in the child: prints what happened as JSON.
CHILD = r"""
import json, resource, sys, time

import ssejet
from ssejet import EventTooLargeError

backend, case, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
PIECE, LIMIT, GB = 64 * 1024, 16 * 1024 * 1024, 1 << 30


def peak_mb():
    # VmHWM: the peak RSS of this process image, since its exec. ru_maxrss is reported too, but
    # Linux carries the parent's peak into it across fork and exec (a pytest that grew to
    # 300 MB would fail every case), so it only counts where /proc is missing.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return maxrss_mb()


def maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


if case == "no_line_end":
    head, piece, tail = b"data: ", b"x" * PIECE, b"\n\ndata: ok\n\n"
elif case == "comment_lines":
    head, piece, tail = b"", (b":" + b"k" * 1022 + b"\n") * 64, b"data: ok\n\n"
elif case == "one_comment_line":
    head, piece, tail = b":", b"k" * PIECE, b"\n\ndata: ok\n\n"
elif case == "tiny_events":
    head, piece, tail = b"", (b"data: " + b"t" * 56 + b"\n\n") * 1024, b"data: ok\n\n"
elif case == "control":  # a limit of 1 GiB: the unterminated line is buffered, as it may be
    head, piece, tail = b"data: ", b"x" * PIECE, b"\n\ndata: ok\n\n"
assert len(piece) == PIECE

decoder = ssejet.SSEDecoder(backend=backend, max_event_size=GB if case == "control" else LIMIT)
before = peak_mb()
start = time.perf_counter()
fed, events, errors, first_error_at = 0, 0, 0, None
decoder.feed(head)
fed += len(head)
while fed < total:
    try:
        events += len(decoder.feed(piece))
    except EventTooLargeError as error:
        errors += 1
        events += len(error.events)
        if first_error_at is None:
            first_error_at = fed + len(piece)
    fed += len(piece)
seconds = time.perf_counter() - start
peak = peak_mb()  # the control's tail makes one 256 MB event: its peak is taken before that
after = [e.data if len(e.data) < 100 else f"<{len(e.data)} chars>" for e in decoder.feed(tail)]
print(json.dumps({
    "fed": fed, "events": events, "errors": errors, "first_error_at": first_error_at,
    "after": after, "seconds": round(seconds, 2),
    "rss_before_mb": round(before, 1), "peak_rss_mb": round(peak, 1),
    "peak_rss_at_exit_mb": round(peak_mb(), 1), "ru_maxrss_mb": round(maxrss_mb(), 1),
}))
"""


def run_case(backend: str, case: str, total: int, *, bounded: bool = True) -> dict:
    """Runs one case in a fresh interpreter and returns its report."""
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, backend, case, str(total)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    # Shown with `pytest -s`, and in the report of a failing test.
    print(f"\n{backend} {case}: {report}")
    if bounded:
        assert report["peak_rss_at_exit_mb"] < RSS_LIMIT_MB, report
    return report


def test_a_gigabyte_without_a_line_end_raises_once_at_the_limit_in_bounded_memory(
    backend: str,
) -> None:
    report = run_case(backend, "no_line_end", GB)
    # The line counts as it arrives: the feed that takes it past the limit raises, and only
    # that one; the skipped rest of the line is dropped as it comes.
    assert report["errors"] == 1
    assert LIMIT < report["first_error_at"] <= LIMIT + PIECE + len(b"data: ")
    assert report["events"] == 0
    assert report["after"] == ["ok"]  # the blank line ended the skipped event; the next decodes


@pytest.mark.parametrize("case", ["comment_lines", "one_comment_line"])
def test_a_gigabyte_of_comments_is_dropped_as_it_arrives(backend: str, case: str) -> None:
    report = run_case(backend, case, GB)
    assert (report["errors"], report["events"]) == (0, 0)
    assert report["after"] == ["ok"]


def test_a_gigabyte_of_tiny_events_consumed_as_they_come_stays_in_bounded_memory(
    backend: str,
) -> None:
    report = run_case(backend, "tiny_events", GB)
    assert report["errors"] == 0
    assert report["events"] == GB // 64
    assert report["after"] == ["ok"]


def test_the_measurement_sees_a_decoder_that_buffers(backend: str) -> None:
    """The control: with max_event_size=1 GiB, 256 MB of one unterminated line are buffered
    (as they may be), and the peak RSS shows it; so the bounds above are real."""
    report = run_case(backend, "control", 256 << 20, bounded=False)
    assert report["errors"] == 0
    assert report["peak_rss_mb"] > report["rss_before_mb"] + 200, report
    assert report["after"] == [f"<{256 << 20} chars>", "ok"]  # the buffered line, whole


# One feed of 100 MB that completes a line the previous feed began, under a 16-byte limit.
HUGE_FEED_CHILD = r"""
import gc, json, sys

import ssejet


def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024


decoder = ssejet.SSEDecoder(max_event_size=16, backend=sys.argv[1])
decoder.feed(b"data: ")
before = rss_mb()
data = b"x" * 100_000_000 + b"\n\n"
try:
    decoder.feed(data)
except ssejet.EventTooLargeError:
    pass
del data
gc.collect()
after = [e.data for e in decoder.feed(b"data: ok\n\n")]
print(json.dumps({"kept_mb": round(rss_mb() - before, 1), "after": after}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_a_huge_feed_leaves_no_buffer_of_its_size_behind(backend: str) -> None:
    """max_event_size bounds what a decoder keeps, whatever the size of one feed: a line that
    began in an earlier feed is classified and counted before its rest is copied, and the
    partial-line buffer gives back what a long line made it grow (the Rust core once kept a
    buffer the size of the largest feed)."""
    proc = subprocess.run(
        [sys.executable, "-c", HUGE_FEED_CHILD, backend],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["after"] == ["ok"]
    assert report["kept_mb"] < 20, report
