"""The pieces of the summaries the commands print on stderr (each command writes its own).

>>> counts = Counts(read=3, changed=1, skipped=0)
>>> read_line("dedup clean", counts, "changed")
'dedup clean: 3 documents read, 1 changed, 0 skipped'
>>> human_size(4_600), human_size(1), human_size(15_700_000)
('4.6 kB', '1 byte', '15.7 MB')
>>> workers(0), workers(1), workers(2)
('in this process', 'in this process', 'with 2 worker processes')
"""

from __future__ import annotations

from collections.abc import Iterable

import click

from dedup.cli.records import Counts

__all__ = [
    "Counts",
    "echo",
    "human_size",
    "no_text_line",
    "over_cap_line",
    "plural",
    "read_line",
    "speed_line",
    "workers",
]


def plural(n: int, word: str) -> str:
    """``n`` and ``word``, with an ``s`` unless ``n`` is 1: ``1 document``, ``2,000 documents``."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def read_line(name: str, counts: Counts, changed: str) -> str:
    """``NAME: N documents read, C CHANGED, S skipped``, how many of those skipped stay in a
    file rewritten in place, and how many had invalid UTF-8 replaced."""
    kept = f" ({counts.put_back:,} kept in place as read)" if counts.put_back else ""
    replaced = f" ({counts.replaced:,} with invalid UTF-8 replaced)" if counts.replaced else ""
    return (
        f"{name}: {plural(counts.read, 'document')} read, {counts.changed:,} {changed}, "
        f"{counts.skipped:,} skipped{kept}{replaced}"
    )


def no_text_line(counts: Counts, what: str) -> list[str]:
    """The line about records whose text is null (none when there are none)."""
    if not counts.no_text:
        return []
    return [f"{plural(counts.no_text, 'record')} without text {what}"]


def over_cap_line(counts: Counts, what: str) -> list[str]:
    """The line about documents over ``--max-doc-chars`` (none when there are none)."""
    if not counts.over_cap:
        return []
    return [f"{plural(counts.over_cap, 'document')} over --max-doc-chars: {what}"]


def human_size(nbytes: float) -> str:
    """A size in bytes, in decimal units as ``ls -h --si`` and the progress bar show them."""
    if nbytes < 1000:
        return plural(round(nbytes), "byte")
    for unit in ("kB", "MB", "GB", "TB"):
        nbytes /= 1000
        if nbytes < 999.95 or unit == "TB":
            break
    return f"{nbytes:,.1f} {unit}"


def workers(started: int) -> str:
    """Where the work ran: ``in this process``, or ``with N worker processes``."""
    return "in this process" if started <= 1 else f"with {started:,} worker processes"


def speed_line(counts: Counts, started: int) -> str:
    """``4.6 kB in 0.08 s (57.5 kB/s), in this process``: the input's size (decompressed),
    the time, and where it ran (``started``: the worker processes the engine started)."""
    elapsed = counts.elapsed()
    rate = human_size(counts.nbytes / elapsed)
    return f"{human_size(counts.nbytes)} in {elapsed:.2f} s ({rate}/s), {workers(started)}"


def echo(lines: Iterable[str], *, quiet: bool) -> None:
    """Print the summary on stderr, unless ``quiet``."""
    if not quiet:
        for line in lines:
            click.echo(line, err=True)
