"""The ``ssejet`` command: ``ssejet chat`` streams a chat completion, ``ssejet parse`` decodes a
captured SSE body, ``ssejet bench`` compares ssejet with other parsers. Also ``python -m ssejet``.

Errors print one line on stderr (``ssejet: ...``) and exit 1 (2 for usage errors, as argparse
does); Ctrl-C exits with 130, without a traceback. Reasoning is printed apart from the answer
(see ``.output``).

Modules: ``chat`` and ``parse`` (the commands), ``output`` (what they print), ``server`` (the
HTTP server of the chat demo, the bench's loopback and the tests) and ``demo`` (its chat route).
"""

from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> int:
    """The ``ssejet`` console script; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:  # its own parser; the peers are imported only when it runs
        from .._bench import main as bench

        return bench(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except CLIError as error:
        sys.stdout.flush()
        print(f"ssejet: {error}", file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        if use_color(sys.stdout):
            sys.stdout.write(RESET)
        sys.stdout.write("\n")
        sys.stdout.flush()
        return 130
    except BrokenPipeError:
        # The reader went away (`ssejet parse --events big.sse | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
