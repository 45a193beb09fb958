"""What the ``ssejet`` commands print: reasoning set apart from the answer, notes on stderr, and
errors as one line.

Reasoning is dimmed on a terminal, else written between ``<think>`` and ``</think>`` lines. Set
``NO_COLOR`` to turn colour off, ``FORCE_COLOR`` to turn it on when stdout is not a terminal.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from typing import IO, Any

DIM, RESET = "\x1b[2m", "\x1b[0m"


class CLIError(Exception):
    """A failure to report as one line on stderr; ``code`` is the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def standard_input() -> IO[str]:
    """``sys.stdin``; a CLIError when the process was started with it closed (``<&-``), which
    Python shows as ``None``."""
    if sys.stdin is None:
        raise CLIError("cannot read standard input: it is closed")
    return sys.stdin


def use_color(stream: IO[str]) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty() and os.environ.get("TERM") != "dumb"


class Printer:
    """Writes reasoning and answer text as it streams, the reasoning set apart."""

    def __init__(self, out: IO[str], color: bool) -> None:
        self.out = out
        self.color = color
        self.state = ""  # "", "reasoning" or "content"
        self.last = "\n"  # the last character written

    def _write(self, text: str) -> None:
        if text:
            self.out.write(text)
            self.last = text[-1]

    def _newline(self) -> None:
        if self.last != "\n":
            self._write("\n")

    def reasoning(self, text: str) -> None:
        if self.state != "reasoning":
            if self.state == "content":
                self._newline()
            self._write(DIM if self.color else "<think>\n")
            self.state = "reasoning"
        self._write(text)

    def content(self, text: str) -> None:
        if self.state == "reasoning":
            self._end_reasoning()
        self.state = "content"
        self._write(text)

    def _end_reasoning(self) -> None:
        if self.color:
            self.out.write(RESET)
            self._newline()
        else:
            self._newline()
            self._write("</think>\n")
        self._write("\n")

    def line(self, text: str) -> None:
        """A line of its own (a tool call, a server tool's result): the text being streamed
        ends first; what streams after it starts on the next line."""
        if self.state == "reasoning":
            self._end_reasoning()
        else:
            self._newline()
        self.state = ""
        self._write(text + "\n")
        self.out.flush()

    def chunk(self, chunk: Any) -> bool:
        """Prints a chunk's text; True when it had some."""
        shown = False
        for choice in chunk.choices:
            delta = choice.delta
            if delta.reasoning_content:
                self.reasoning(delta.reasoning_content)
                shown = True
            if delta.content:
                self.content(delta.content)
                shown = True
        if shown:
            self.out.flush()
        return shown

    def finish(self) -> None:
        if self.state == "reasoning":
            self._end_reasoning()
        self._newline()
        self.state = ""
        self.out.flush()


def error_code(error: Any) -> str:
    """What follows a stream error's message: `` (code X)``, or `` (type X)`` for an error
    with a type and no code (Anthropic's ``overloaded_error``), or nothing."""
    if error.code is not None:
        return f" (code {error.code})"
    return f" (type {error.type})" if error.type else ""


def wrap(text: str) -> str:
    """A help description, wrapped as argparse would (its formatter for examples does not)."""
    return textwrap.fill(text, width=min(shutil.get_terminal_size().columns, 100) - 2)


def note(text: str) -> None:
    """A line of metadata on stderr (dimmed on a terminal)."""
    sys.stderr.write(f"{DIM}{text}{RESET}\n" if use_color(sys.stderr) else f"{text}\n")
    sys.stderr.flush()
