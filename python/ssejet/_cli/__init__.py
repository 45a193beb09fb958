"""The ``ssejet`` command: ``ssejet chat`` streams a chat completion, ``ssejet parse`` decodes a
captured SSE body, ``ssejet bench`` compares ssejet with other parsers. Also ``python -m ssejet``.

Errors print one line on stderr (``ssejet: ...``) and exit 1 (2 for usage errors, as argparse
does), never a traceback; Ctrl-C exits with 130, a closed pipe quietly with 141. Reasoning is
printed apart from the answer (see ``.output``).

Modules: ``chat`` and ``parse`` (the commands), ``output`` (what they print), ``server`` (the
HTTP server of the chat demo, the bench's loopback and the tests) and ``demo`` (its chat route).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import sys

from . import chat, parse
from .output import RESET, CLIError, use_color


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ssejet",
        description="Server-Sent Events for LLM streams, parsed into typed objects, fast.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    chat.register(commands)
    parse.register(commands)
    # Listed for `ssejet --help` only: main() hands `ssejet bench ...` to ssejet._bench first.
    commands.add_parser(
        "bench",
        add_help=False,
        help="compare ssejet with the SSE/JSON parsers apps use today (ssejet bench --help)",
    )
    return parser


# Errors only a write meets (the reads are reported where they happen, naming their file).
WRITE_ERRNOS = {getattr(errno, name, None) for name in ("ENOSPC", "EFBIG", "EDQUOT")} - {None}


def main(argv: list[str] | None = None) -> int:
    """The ``ssejet`` console script; returns the exit status.

    Every failure ends here as one ``ssejet: ...`` line on stderr, never a traceback: the
    commands' own (CLIError), and those of the process's streams, which any write can meet: a
    closed or full standard output, one that cannot encode the text, Ctrl-C (130). A reader that
    went away (``ssejet parse --events big.sse | head``) ends it quietly with 141, the status a
    shell shows for a tool that SIGPIPE ended (``cat`` or ``grep`` in the same pipeline).
    """
    argv = sys.argv[1:] if argv is None else argv
    try:
        if sys.stdout is None:  # started with it closed (`>&-`)
            raise CLIError("cannot write standard output: it is closed")
        try:
            status = _run(argv)
        except SystemExit as exit:  # argparse's --help and usage errors
            if exit.code is not None and not isinstance(exit.code, int):
                raise
            status = exit.code or 0
        sys.stdout.flush()  # a full disk fails here, not in the interpreter's exit
        return status
    except CLIError as error:
        return _fail(str(error), error.code)
    except KeyboardInterrupt:
        # End the line (and the dimmed reasoning) that was being printed.
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.write((RESET if use_color(sys.stdout) else "") + "\n")
        return _fail("interrupted", 130)
    except BrokenPipeError:
        _flush_stdout()  # drops what the reader will never read
        return 141
    except OSError as error:
        reason = error.strerror or str(error)
        if error.filename is not None:
            return _fail(f"{error.filename}: {reason}")
        if not _flush_stdout() or error.errno in WRITE_ERRNOS:
            return _fail(f"cannot write standard output: {reason}")
        return _fail(reason)
    except UnicodeEncodeError as error:  # PYTHONIOENCODING=ascii, a latin-1 terminal
        return _fail(f"cannot write standard output: {error}")


def _run(argv: list[str]) -> int:
    if argv[:1] == ["bench"]:  # its own parser; the peers are imported only when it runs
        from .._bench import main as bench

        return bench(argv[1:])
    args = build_parser().parse_args(argv)
    return int(args.run(args))


def _flush_stdout() -> bool:
    """Flushes stdout; when that fails, points it at /dev/null (what it held is dropped), so the
    interpreter's own flush at exit cannot fail again, and returns False."""
    if sys.stdout is None:
        return True
    try:
        sys.stdout.flush()
        return True
    except (OSError, ValueError):
        pass
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # not a file descriptor (a test's StringIO)
        pass
    return False


def _fail(message: str, code: int = 1) -> int:
    """Writes the error line on stderr, after the output that came before it; returns ``code``."""
    _flush_stdout()
    if sys.stderr is not None:
        try:
            sys.stderr.write(f"ssejet: {message}\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
    return code
