"""The progress bar: bytes of input done, on stderr, where it cannot be drawn over anything.

It is drawn only when

- stderr is a terminal (:func:`stderr_is_terminal`), and
- the command's output does not reach a terminal: the command writes nothing on stdout
  (``-o FILE``), or stdout is a file or ``/dev/null`` (:func:`stdout_is_private`). A terminal
  shows stdout between the bar's redraws, and a pipe may lead to one (``| less -R``), so
  either means no bar;
- the work has taken :data:`DELAY` seconds: a short run shows its result and nothing else.

It is transient: cleared before the summary, an error, or any line :meth:`Progress.note`
prints. The commands look :func:`stderr_is_terminal` and :func:`stdout_is_private` up when they
start, so a test may replace them (and :data:`DELAY`) to see the bar.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import time
from collections.abc import Sequence
from typing import IO, Any

import click

from dedup.io import Reader, Record, Source

__all__ = [
    "DELAY",
    "Progress",
    "is_terminal",
    "stderr_is_terminal",
    "stdout_is_private",
    "stdout_is_terminal",
]

DELAY = 1.0
"""Seconds of work before the bar appears."""


def stderr_is_terminal() -> bool:
    """Whether stderr is a terminal."""
    return is_terminal(sys.stderr)


def stdout_is_terminal() -> bool:
    """Whether stdout is a terminal."""
    return is_terminal(sys.stdout)


def is_terminal(stream: IO[Any]) -> bool:
    """Whether ``stream`` is a terminal (a closed stream, one that cannot say, or none at all,
    is not)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def stdout_is_private() -> bool:
    """Whether what is written on stdout stays off every terminal: stdout is a regular file or
    a device other than a terminal (``/dev/null``), not a terminal, a pipe or a socket. A
    stdout without a file descriptor (captured in-process) counts as private."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):
        return True
    try:
        if os.isatty(fd):
            return False
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) or stat.S_ISCHR(mode)


class Progress:
    """A bar of the bytes of ``sources`` done, on stderr (see the module's rules); otherwise
    every call does nothing. ``writes_stdout``: the command's output goes to stdout.

    It is refreshed from :meth:`advance`, not from a thread, so that worker processes can
    fork while it runs; it starts there too, once :data:`DELAY` seconds have passed.
    """

    def __init__(
        self,
        sources: Sequence[Source],
        stack: contextlib.ExitStack,
        *,
        quiet: bool,
        writes_stdout: bool = True,
    ) -> None:
        self._done_bytes = 0
        self._reader: Reader | None = None
        self._refreshed = 0.0
        self._bar: Any = None
        self._stack = stack
        self._started = time.monotonic()
        sizes = [s.size for s in sources]
        self._total = None if any(s is None for s in sizes) else sum(s or 0 for s in sizes)
        self._wanted = (
            not quiet and stderr_is_terminal() and (not writes_stdout or stdout_is_private())
        )

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )
        from rich.progress import Progress as Bar

        bar = Bar(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr, force_terminal=True),
            transient=True,
            auto_refresh=False,  # refreshed from advance(): no thread, so workers can fork
        )
        self._stack.enter_context(bar)
        self._task = bar.add_task("dedup", total=self._total)
        self._bar = bar

    def reading(self, reader: Reader) -> None:
        """``reader`` is the source read from now on (the one before is done)."""
        if self._reader is not None and self._reader.source.size:
            self._done_bytes += self._reader.source.size or 0
        self._reader = reader

    def advance(self, record: Record) -> None:
        """Move the bar to the end of ``record`` (written or shown)."""
        if not self._wanted or self._reader is None:
            return
        now = time.monotonic()
        if self._bar is None:
            if now - self._started < DELAY:
                return
            self._start()
        if self._reader.source.compression is None:
            position = record.position
        else:  # the bar counts compressed bytes: where the reader is in the file
            position = self._reader.tell()
        self._bar.update(self._task, completed=self._done_bytes + position)
        if now - self._refreshed >= 0.1:
            self._refreshed = now
            self._bar.refresh()

    def note(self, message: str) -> None:
        """Print ``message`` on stderr, above the bar when there is one."""
        if self._bar is not None:
            self._bar.console.print(message, markup=False, highlight=False, soft_wrap=True)
        else:
            click.echo(message, err=True)
