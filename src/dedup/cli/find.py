"""``dedup find``: the near-duplicate spans inside each document, as tables or JSON lines."""

from __future__ import annotations

import functools
from collections import Counter

import click

import dedup.cli.stages as stages
from dedup.cli.jobs import FindJob
from dedup.cli.options import input_options, job, paths_argument, repair_options, run_options
from dedup.cli.records import Counts
from dedup.cli.render import pair_dict, print_pairs
from dedup.cli.session import REPORT_EXIT_CODES, handle_errors
from dedup.cli.show import shown_records
from dedup.cli.summary import echo, no_text_line, over_cap_line, plural, read_line, speed_line
from dedup.io import json_line
from dedup.model import KINDS

__all__ = ["find_command", "run"]


@click.command(name="find", epilog=REPORT_EXIT_CODES)
@paths_argument("FILE")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one duplicate pair a line.")
@handle_errors
@repair_options
@input_options
@run_options
@job(FindJob)
def find_command(job: FindJob) -> None:
    """Show the near-duplicate spans inside each document: a table, or --json lines.

    Each pair gives the first and second copy as [start, end) character offsets, the share of
    characters that align, the kind (flattened, adjacent, teaser, embedded, long, which clean
    repairs; quote, a reply's quote of a post, which it repairs when long or with --quotes
    remove; distant, which it leaves alone as a pair) and what repair does with its copies on
    this text: removes the first, the second or both (another copy staying), or leaves both (a
    short teaser on a page doubled nowhere else; a page's own repetition). A distant pair
    whose copy went with a larger one says so. clean normalises a text before it repairs it.

    \b
    Example:
      dedup find page.txt
      dedup find crawl.jsonl --json | jq 'select(.score > 0.9)'
    """
    run(job)


def run(job: FindJob) -> None:
    """``dedup find`` on this machine's processes."""
    stage = functools.partial(stages.find_in_document, options=job.repair)
    kinds: Counter[str] = Counter()
    removed = 0  # pairs repair removes a copy of
    with shown_records(job) as (sources, source, engine):
        for record, result in source.results(sources, engine, stage, "find"):
            kinds.update(pair.kind for pair in result)
            removed += sum(pair.removes is not None for pair in result)
            source.counts.changed += bool(result)
            source.counts.count_over_cap(len(record.text), job.repair)
            if job.as_json:
                for pair in result:
                    click.echo(json_line(pair_dict(record, pair)).rstrip(b"\n"))
            elif result:
                print_pairs(record, result)
            source.advance(record)
    if not job.as_json and not kinds:
        click.echo("No duplicate spans found.")
    echo(lines(source.counts, engine.started, kinds, removed), quiet=job.quiet)


def pairs_line(kinds: Counter[str], removed: int) -> str:
    """How many pairs were found, by kind in :data:`~dedup.model.KINDS`'s order, and of how
    many of them repair removes a copy (``removed``), leaving the others (``distant`` pairs, a
    page's own repetition, and others that :attr:`~dedup.DuplicatePair.removes` says it leaves).

    >>> pairs_line(Counter({"distant": 63, "teaser": 1}), 0)
    '64 duplicate pairs found: teaser 1, distant 63 (repair removes a copy of 0, leaves 64)'
    >>> pairs_line(Counter({"flattened": 1}), 1)
    '1 duplicate pair found: flattened 1 (repair removes a copy of 1, leaves 0)'
    >>> pairs_line(Counter(), 0)
    '0 duplicate pairs found'
    """
    found = sum(kinds.values())
    line = f"{plural(found, 'duplicate pair')} found"
    if not kinds:
        return line
    line += ": " + ", ".join(f"{kind} {kinds[kind]:,}" for kind in KINDS if kinds[kind])
    return line + f" (repair removes a copy of {removed:,}, leaves {found - removed:,})"


def lines(counts: Counts, started: int, kinds: Counter[str], removed: int) -> list[str]:
    """The summary of ``dedup find``: ``removed`` of the pairs counted in ``kinds`` are pairs
    repair removes a copy of."""
    return [
        read_line("dedup find", counts, "with duplicate spans"),
        pairs_line(kinds, removed),
        *no_text_line(counts, "not searched"),
        *over_cap_line(counts, "not searched"),
        speed_line(counts, started),
    ]
