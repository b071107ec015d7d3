"""``dedup corpus``: keep one record of each cluster of duplicates, or mark the clusters.

:func:`run_corpus` is what the ``dedup corpus`` command of :mod:`dedup.cli` runs: it reads the
records with :mod:`dedup.io` and the input options shared by every command, calls
:func:`dedup.corpus.decide.decide`, and writes the records it keeps (``--mark``: all of them,
with a ``cluster`` field).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dedup.corpus.boilerplate import BoilerplateOptions
from dedup.corpus.cluster import CorpusOptions
from dedup.corpus.decide import INDEX_BATCH, Plan, decide, remember
from dedup.corpus.index import Index
from dedup.io import Format, OutputError, Record, Source, discover, open_writer
from dedup.model import ConfigError, InputError

if TYPE_CHECKING:  # pragma: no cover - dedup.cli imports this module
    from dedup.cli import InputOptions, Stats

__all__ = ["run_corpus"]


def run_corpus(
    paths: Sequence[str],
    output: str,
    *,
    inputs: InputOptions,
    fmt: Format | None = None,
    options: CorpusOptions | None = None,
    index_path: str | None = None,
    boilerplate: bool = False,
    mark: bool = False,
    dropped: str | None = None,
    url_field: str = "url",
    index_batch: int = INDEX_BATCH,
    force: bool = False,
    quiet: bool = False,
) -> None:
    """``dedup corpus`` (see :func:`dedup.cli.corpus_command`): read the records of ``paths``
    with the shared input options, decide, and write ``output`` (and ``dropped``)."""
    started = time.perf_counter()
    options = options or CorpusOptions()
    if mark and dropped is not None:
        raise ConfigError("--mark writes every record: drop --dropped")
    if output == "-" and dropped == "-":
        raise ConfigError("the output goes to stdout: give --dropped a file path")
    if inputs.rejects == "-":
        raise ConfigError("--rejects needs a file path: '-' (stdout) carries the output")
    for target in (output, dropped):
        if target not in (None, "-") and Path(target).exists() and not force:
            raise OutputError(f"{target} exists: pass --force to replace it")
    exclude = Path(output) if output != "-" else None
    sources = discover(paths, glob=inputs.glob, input_format=inputs.input_format, exclude=exclude)
    if not sources:
        raise InputError("no input files found: check the paths and --glob")
    with contextlib.ExitStack() as outer:
        index = outer.enter_context(Index(index_path, options)) if index_path else None
        records, plan, stats = _write(
            sources,
            inputs,
            output,
            fmt,
            dropped,
            url_field,
            mark,
            boilerplate,
            force,
            quiet,
            options,
            index,
            index_batch,
        )
        if index is not None:
            # only now that the outputs are in place: a crash before this point leaves the
            # index as it was, and a rerun does the whole work again
            remember(index, [r.id for r in records], plan.texts, batch=index_batch)
    _summary(records, plan, stats, index_path, boilerplate, started, quiet)


def _write(
    sources: Sequence[Source],
    inputs: InputOptions,
    output: str,
    fmt: Format | None,
    dropped: str | None,
    url_field: str,
    mark: bool,
    boilerplate: bool,
    force: bool,
    quiet: bool,
    options: CorpusOptions,
    index: Index | None,
    index_batch: int,
) -> tuple[list[Record], Plan, Stats]:
    """Read the records, decide, and write the outputs (atomically, when the stack closes)."""
    from dedup.cli import Run

    field = inputs.field
    with contextlib.ExitStack() as stack:
        run = Run(inputs, list(sources), stack, quiet=quiet, force=force)
        records = []
        for source in sources:
            reader = run.reader(source)
            for record in run.records(reader):
                records.append(record)
                run.advance(record)
        urls = [(r.fields or {}).get(url_field) for r in records]
        plan = decide(
            [r.text for r in records],
            options,
            ids=[r.id for r in records],
            urls=urls,
            boilerplate=BoilerplateOptions() if boilerplate else None,
            index=index,
            batch=index_batch,
        )
        writer = stack.enter_context(
            open_writer(
                output, fmt or ("jsonl" if output == "-" else None), field=field, force=force
            )
        )
        side = (
            stack.enter_context(
                open_writer(
                    dropped, fmt or ("jsonl" if dropped == "-" else None), field=field, force=force
                )
            )
            if dropped is not None
            else None
        )
        for i, record in enumerate(records):
            base = dict(record.fields) if record.fields is not None else {"id": record.id}
            if mark:
                record.fields = {**base, "cluster": plan.cluster[i]}
                record.raw = None  # the fields changed: the line as read no longer applies
                writer.write(record, plan.texts[i])
            elif plan.kept[i]:
                writer.write(record, plan.texts[i])
            elif side is not None:
                record.fields = {**base, "duplicate_of": plan.cluster[i]}
                record.raw = None
                side.write(record, plan.texts[i])
    return records, plan, run.stats


def _summary(
    records: list[Record],
    plan: Plan,
    stats: Stats,
    index_path: str | None,
    boilerplate: bool,
    started: float,
    quiet: bool,
) -> None:
    if not quiet:
        kept = sum(plan.kept)
        elapsed = max(time.perf_counter() - started, 1e-9)
        clusters = len(set(plan.cluster))
        lines = [
            f"dedup corpus: {len(records):,} documents read, {kept:,} kept, "
            f"{len(records) - kept:,} duplicates ({plan.exact_duplicates:,} exact"
            + (f", {plan.seen_before:,} seen in {index_path}" if index_path else "")
            + f"), {clusters:,} clusters, {stats.skipped:,} skipped"
            + (f" ({stats.replaced:,} with invalid UTF-8 replaced)" if stats.replaced else ""),
        ]
        if boilerplate:
            lines.append(f"boilerplate: {sum(plan.boilerplate):,} lines removed")
        lines.append(f"{len(records) / elapsed:,.0f} documents/s")
        for line in lines:
            click.echo(line, err=True)
