"""The pieces of the summaries the commands print on stderr (each command writes its own).

>>> counts = Counts(read=3, changed=1, skipped=0)
>>> read_line("dedup clean", counts, "changed")
'dedup clean: 3 documents read, 1 changed, 0 skipped'
"""

from __future__ import annotations

from collections.abc import Iterable

import click

from dedup.cli.records import Counts

__all__ = ["Counts", "echo", "no_text_line", "over_cap_line", "plural", "read_line", "speed_line"]


def plural(n: int, word: str) -> str:
    """``n`` and ``word``, with an ``s`` unless ``n`` is 1: ``1 document``, ``2,000 documents``."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def read_line(name: str, counts: Counts, changed: str) -> str:
    """``NAME: N documents read, C CHANGED, S skipped``, and how many had invalid UTF-8
    replaced."""
    replaced = f" ({counts.replaced:,} with invalid UTF-8 replaced)" if counts.replaced else ""
    return (
        f"{name}: {plural(counts.read, 'document')} read, {counts.changed:,} {changed}, "
        f"{counts.skipped:,} skipped{replaced}"
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


def speed_line(counts: Counts, jobs: int) -> str:
    """``X MB in S s: Y MB/s with -j N``."""
    elapsed = counts.elapsed()
    mb = counts.nbytes / 1e6
    return f"{mb:,.1f} MB in {elapsed:.2f} s: {mb / elapsed:,.2f} MB/s with -j {jobs}"


def echo(lines: Iterable[str], *, quiet: bool) -> None:
    """Print the summary on stderr, unless ``quiet``."""
    if not quiet:
        for line in lines:
            click.echo(line, err=True)
