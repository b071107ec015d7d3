"""The progress bar: bytes of input done, on stderr, only when stderr is a terminal.

:func:`stderr_is_terminal` decides whether a bar is drawn; the commands look it up when they
start, so a test may replace it to see the bar.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Sequence
from typing import Any

from dedup.io import Reader, Record, Source

__all__ = ["Progress", "stderr_is_terminal"]


def stderr_is_terminal() -> bool:
    """Whether stderr is a terminal (the progress bar is drawn only then)."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """A bar of the bytes of ``sources`` read, drawn on stderr when it is a terminal (and not
    ``quiet``); otherwise every call does nothing. It is refreshed from :meth:`advance`, not
    from a thread, so that worker processes can fork while it runs."""

    def __init__(self, sources: Sequence[Source], stack: contextlib.ExitStack, *, quiet: bool):
        self._done_bytes = 0
        self._reader: Reader | None = None
        self._refreshed = 0.0
        self._bar: Any = None
        if quiet or not stderr_is_terminal():
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )
        from rich.progress import Progress as Bar

        sizes = [s.size for s in sources]
        total = None if any(s is None for s in sizes) else sum(s or 0 for s in sizes)
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
        stack.enter_context(bar)
        self._task = bar.add_task("dedup", total=total)
        self._bar = bar

    def reading(self, reader: Reader) -> None:
        """``reader`` is the source read from now on (the one before is done)."""
        if self._reader is not None and self._reader.source.size:
            self._done_bytes += self._reader.source.size or 0
        self._reader = reader

    def advance(self, record: Record) -> None:
        """Move the bar to the end of ``record`` (written or shown)."""
        if self._bar is None or self._reader is None:
            return
        if self._reader.source.compression is None:
            position = record.position
        else:  # the bar counts compressed bytes: where the reader is in the file
            position = self._reader.tell()
        self._bar.update(self._task, completed=self._done_bytes + position)
        now = time.monotonic()
        if now - self._refreshed >= 0.1:
            self._refreshed = now
            self._bar.refresh()
