"""``dedup diff``: what ``clean`` would change in each document, stage by stage."""

from __future__ import annotations

import functools

import click

import dedup.cli.stages as stages
from dedup.cli.jobs import DiffJob
from dedup.cli.options import (
    input_options,
    job,
    normalize_options,
    paths_argument,
    repair_options,
    run_options,
)
from dedup.cli.records import Counts
from dedup.cli.render import print_diff
from dedup.cli.session import REPORT_EXIT_CODES, handle_errors
from dedup.cli.show import shown_records
from dedup.cli.summary import echo, no_text_line, read_line, speed_line

__all__ = ["STAGES", "diff_command", "run"]

STAGES = ("normalize", "repair", "split")
"""The stages of :func:`dedup.clean`, in order, as ``--stage`` names them."""


@click.command(name="diff", epilog=REPORT_EXIT_CODES)
@paths_argument("FILE")
@click.option(
    "--color/--no-color",
    "color",
    default=None,
    help="Colour the changes (default: when stdout is a terminal; --color for less -R).",
)
@click.option(
    "--stage",
    "stages",
    type=click.Choice(STAGES),
    multiple=True,
    help="Show only this stage's edits (repeatable; default: every stage).",
)
@click.option(
    "--context",
    type=int,
    default=200,
    show_default=True,
    metavar="N",
    help="Characters of unchanged text shown around each change (-1: all).",
)
@handle_errors
@repair_options
@normalize_options
@input_options
@run_options
@job(DiffJob)
def diff_command(job: DiffJob) -> None:
    """Show what clean would remove, move and fix in each document, stage by stage.

    Removed text is shown as [-...-] (red), inserted text as {+...+} (green for content moved
    from a removed copy, yellow for fixes, cyan for split sentences), each removal and move
    followed by its reason and score. Offsets and text are those of each stage's input.
    Nothing is written.

    \b
    Example:
      dedup diff page.txt
      dedup diff page.txt --stage repair          # the copies only, not white-space fixes
      dedup diff crawl.jsonl --color | less -R    # colour through a pager
      dedup diff crawl.jsonl --context 80 > review.txt
    """
    run(job)


def run(job: DiffJob) -> None:
    """``dedup diff`` on this machine's processes."""
    stage = functools.partial(
        stages.clean_document, repair_options=job.repair, normalize_options=job.normalize
    )
    with shown_records(job) as (sources, source, engine):
        for record, result in source.results(sources, engine, stage, "clean"):
            # with --stage, a document counts as changed when a stage shown changed it
            changed = (
                any(s.edits for s in result.stages if s.name in job.stages)
                if job.stages
                else stages.changed(record.text, result.text, result.edits)
            )
            source.counts.count_output(
                len(record.text),
                len(result.text),
                changed,
                [edit.action for edit in result.edits],
            )
            print_diff(record, result, job.context, job.color, job.stages)
            source.advance(record)
    echo(lines(source.counts, engine.started, job.stages), quiet=job.quiet)


def lines(counts: Counts, started: int, shown: tuple[str, ...] = ()) -> list[str]:
    """The summary of ``dedup diff``: with ``shown`` (``--stage``), the documents those
    stages changed."""
    by = f" in {' and '.join(s for s in STAGES if s in shown)}" if shown else ""
    return [
        read_line("dedup diff", counts, f"changed{by}"),
        *no_text_line(counts, "not shown"),
        speed_line(counts, started),
    ]
