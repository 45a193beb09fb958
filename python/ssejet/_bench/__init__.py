"""``ssejet bench``: ssejet against what applications run today, side by side, in one process.

Per dialect and per client: chat.completions chunks, Anthropic Messages and OpenAI Responses
events, and Ark-shaped chunks over loopback HTTP through httpx, requests and aiohttp. Every
peer consumes the same bytes and reads them as an application would: each chunk's
``delta.content``, ``reasoning_content`` and tool-call arguments (``consumer.ChatApp``), or a
dialect's events up to the final message (``dialects``). Before it is timed, each peer's output
is checked against what the workload must give (the generator's expected text, or
``expected.jsonl`` for the real captures); a peer that gets it wrong is reported as such and
never timed, so no row measures less work than the others.

The streams come from ``streams`` (shared with ``benches/``), the real captures from
``shared/corpus/real`` and ``shared/corpus/dialects`` beside the repository
(``$SSEJET_SHARED``), skipped when absent. Importing ``ssejet`` never imports this package.

One concern per module: ``streams`` (the generated streams), ``workloads`` (bodies cut into
reads, and what reading them must give; ``dialects`` for the dialects'), ``consumer`` (the
simulated chat app every chat peer feeds), ``transports`` (mock HTTP and loopback), ``peers``
(what is timed: the chat peers; ``dialect_peers``, ``clients``), ``measure`` (checking and
timing; the method notes), ``report`` (tables, JSON, targets, chart) and ``cli`` (the command).
"""

from .cli import main

__all__ = ["main"]
