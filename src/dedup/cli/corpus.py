"""``dedup corpus``: keep one record of each cluster of duplicates, or mark the clusters.

It reads every record of the inputs with the shared input options, asks
:func:`dedup.corpus.decide.decide` which to keep, writes them, and only then adds them to the
index (:func:`dedup.corpus.decide.remember`), a batch at a time. The run names itself in the
index first (:func:`dedup.corpus.decide.run_key`), so that run again after a crash (even one
after some batches were stored) it takes none of its own records for seen before and writes
what one uninterrupted run writes.
"""

from __future__ import annotations

import contextlib
from typing import IO, TYPE_CHECKING

import click

from dedup.cli.jobs import CorpusJob
from dedup.cli.options import (
    engine_options,
    force_option,
    format_option,
    input_options,
    job,
    output_option,
    quiet_option,
)
from dedup.cli.plan import (
    Reads,
    check_corpus_outputs,
    check_outputs,
    check_streams,
    find_inputs,
    open_rejects,
)
from dedup.cli.progress import Progress
from dedup.cli.records import Counts, RecordSource
from dedup.cli.session import EXIT_CODES, handle_errors
from dedup.cli.summary import echo, human_size, no_text_line, plural
from dedup.corpus.defaults import INDEX_BATCH, KEEP_POLICIES, THRESHOLD
from dedup.io import Format, Record, Source, detect_format, open_writer

if TYPE_CHECKING:
    from dedup.corpus.cluster import CorpusOptions
    from dedup.corpus.decide import Plan
    from dedup.corpus.index import Index

__all__ = ["corpus_command", "run"]


@click.command(name="corpus", epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, required=True, metavar="IN...")
@output_option("Output file ('-': stdout).", required=True)
@format_option(
    "Format of OUT and --dropped (default: Parquet or CSV where the name says it, else JSONL).",
    choices=("jsonl", "parquet", "csv"),
)
@click.option(
    "--threshold",
    type=float,
    default=THRESHOLD,
    show_default=True,
    metavar="T",
    help="Share of the smaller document's shingles that must lie in the larger (0..1).",
)
@click.option(
    "--keep",
    type=click.Choice(KEEP_POLICIES),
    default="first",
    show_default=True,
    help="The record each cluster keeps: the first seen, the longest, or the best formed.",
)
@click.option(
    "--index",
    "index_path",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="PATH",
    help="Index of earlier runs (an SQLite file, or redis://host:port/db shared by many "
    "machines): what it has seen is dropped, and this run is added.",
)
@click.option(
    "--boilerplate",
    is_flag=True,
    help="First remove lines repeated across many pages of one site (site from --url-field).",
)
@click.option(
    "--mark",
    is_flag=True,
    help="Write every record with a 'cluster' field (equal within a cluster); drop nothing.",
)
@click.option(
    "--dropped",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="PATH",
    help="Write the records that are not kept here, each with a 'duplicate_of' field.",
)
@click.option("--url-field", default="url", show_default=True, metavar="NAME", help="URL field.")
@click.option(
    "--index-batch",
    type=click.IntRange(min=1),
    default=INDEX_BATCH,
    show_default=True,
    metavar="N",
    help="Records looked up in and added to --index at a time (one transaction each).",
)
@force_option
@handle_errors
@input_options
@quiet_option
@engine_options
@job(CorpusJob)
def corpus_command(job: CorpusJob) -> None:
    """Remove duplicate documents across a corpus: exact and near-duplicates.

    Reads every record of IN... (JSONL, JSONL.gz/.zst, CSV/TSV, Parquet, text files,
    directories, '-' for stdin), clusters them, and writes to OUT the record each cluster
    keeps, in input order (the others go to --dropped). Two records are duplicates when they
    have the same words, or when the smaller one's 5-word shingles lie inside the larger at
    least --threshold (the same article alone and inside the whole page around it).

    \b
    Example:
      dedup corpus crawl.jsonl -o unique.jsonl --dropped dups.jsonl
      dedup corpus day2.jsonl.zst -o new.jsonl --index seen.db --keep best
      dedup corpus pages.parquet -o marked.parquet --mark --boilerplate
      dedup corpus crawl/ --glob '*.jsonl.gz' -o unique.jsonl --skip-invalid --rejects bad.jsonl
    """
    if job.engine == "ray":
        from dedup.cli.ray_engine import corpus_on_ray  # Ray's own modules load only here

        corpus_on_ray(job)
    else:
        run(job)


def records_format(path: str) -> Format:
    """The format ``dedup corpus`` writes to ``path`` without ``--format``: Parquet or CSV when
    the name says it, else JSON Lines, its records' format, whatever the name (``kept.txt``,
    ``/dev/null``, stdout): a text file holds one document, and a corpus keeps many.

    >>> records_format("kept.parquet"), records_format("kept.csv"), records_format("kept.txt")
    ('parquet', 'csv', 'jsonl')
    """
    named, _ = detect_format(path)
    return named if path != "-" and named in ("parquet", "csv") else "jsonl"


def run(job: CorpusJob) -> None:
    """``dedup corpus`` on this machine: read the records of the inputs, decide, write the
    outputs and then add the records to the index. (The corpus stages, and NumPy, load here:
    ``dedup corpus --help`` loads none of them.)"""
    from dedup.corpus.decide import remember
    from dedup.corpus.index import Index

    options = job.options
    check_corpus_outputs(job.output, job.dropped, mark=job.mark, inputs=job.inputs)
    sources, stdin = find_inputs(job.paths, job.inputs, exclude=job.output)
    to_stdout = "-" in (job.output, job.dropped)
    check_streams(
        stdout="give the output a file with -o" if to_stdout else None,
        binary=job.fmt == "parquet",
    )
    check_outputs(
        [("-o", job.output), ("--dropped", job.dropped), ("--rejects", job.inputs.rejects)],
        Reads.of(job.paths, sources, job.inputs.glob, index=job.index_path),
        force=job.force,
    )
    with contextlib.ExitStack() as outer:
        index = outer.enter_context(Index(job.index_path, options)) if job.index_path else None
        records, decided, counts, repeated = _write(job, sources, options, index, stdin)
        if index is not None:
            # only now that the outputs are in place: a crash before this point leaves the
            # index as it was, and a rerun does the whole work again
            ids = [r.id for r in records]
            try:
                remember(index, ids, decided.texts, batch=job.index_batch)
            except KeyboardInterrupt:
                # (an error that stops it says so itself: the index's own message)
                click.echo(
                    f"stopped while adding this run's documents to {job.index_path}: the outputs "
                    "are written whole, and the index keeps the batches it took; the same "
                    "command again (with --force) writes the same outputs and adds the rest",
                    err=True,
                )
                raise
    echo(lines(job, records, decided, counts, repeated=repeated), quiet=job.quiet)


def _write(
    job: CorpusJob,
    sources: list[Source],
    options: CorpusOptions,
    index: Index | None,
    stdin: IO[bytes],
) -> tuple[list[Record], Plan, Counts, bool]:
    """Read the records, decide, and write the outputs (atomically, when the stack closes).
    The last value says whether the index already held documents added since this run first
    began (the same records and options run before): they are not seen before it."""
    from dedup.corpus.boilerplate import BoilerplateOptions
    from dedup.corpus.decide import Seen, decide, run_key

    field_name = job.inputs.field
    with contextlib.ExitStack() as stack:
        rejects = open_rejects(job.inputs, stack, force=job.force)
        progress = Progress(
            sources, stack, quiet=job.quiet, writes_stdout="-" in (job.output, job.dropped)
        )
        source = RecordSource(job.inputs, rejects=rejects, progress=progress, stdin=stdin)
        every: list[Record] = []
        schemas = []
        headers: list[list[str]] = []  # (of CSV inputs: written if no record is)
        for input_source in sources:
            reader = source.reader(input_source)
            for record in source.records(reader):
                every.append(record)
                source.advance(record)
            schemas.append(reader.schema)
            headers.append(reader.columns)
        # a record without text is kept as it is: nothing to compare, nothing to index
        records = [r for r in every if not r.no_text]
        texts = [r.text for r in records]
        ids = [r.id for r in records]
        before = None
        repeated = False
        if index is not None:
            extra = f"boilerplate={job.boilerplate} url_field={job.url_field}"
            before = index.begin_run(run_key(ids, texts, options, extra=extra))
            repeated = index.store.next_doc() > before
        decided = decide(
            texts,
            options,
            ids=ids,
            urls=[(r.fields or {}).get(job.url_field) for r in records],
            boilerplate=BoilerplateOptions() if job.boilerplate else None,
            seen=None if index is None else Seen(index, before, job.index_batch),
        )
        writer = stack.enter_context(
            open_writer(
                job.output,
                job.fmt or records_format(job.output),
                field=field_name,
                force=job.force,
            )
        )
        side = (
            stack.enter_context(
                open_writer(
                    job.dropped,
                    job.fmt or records_format(job.dropped),
                    field=field_name,
                    force=job.force,
                )
            )
            if job.dropped is not None
            else None
        )
        for schema, columns in zip(schemas, headers, strict=True):
            writer.declare(schema)
            writer.declare_columns(columns)
            if side is not None:
                side.declare(schema)
                side.declare_columns(columns)
        i = -1
        for record in every:
            base = dict(record.fields) if record.fields is not None else {"id": record.id}
            if record.no_text:
                if job.mark:
                    record.fields = {**base, "cluster": record.id}
                    record.raw = None
                writer.write(record, "")
                continue
            i += 1
            if job.mark:
                record.fields = {**base, "cluster": decided.cluster[i]}
                record.raw = None  # the fields changed: the line as read no longer applies
                writer.write(record, decided.texts[i])
            elif decided.kept[i]:
                writer.write(record, decided.texts[i])
            elif side is not None:
                record.fields = {**base, "duplicate_of": decided.cluster[i]}
                record.raw = None
                side.write(record, decided.texts[i])
    return records, decided, source.counts, repeated


def lines(
    job: CorpusJob, records: list[Record], decided: Plan, counts: Counts, *, repeated: bool = False
) -> list[str]:
    """The summary of ``dedup corpus``: read = kept + duplicates (+ skipped, which were not
    read as documents), the duplicates by what they duplicate, and, when the same records and
    options ran before on the index (``repeated``), that this run decides as that one did."""
    read = len(records) + counts.no_text
    kept = sum(decided.kept) + counts.no_text
    duplicates = read - kept
    replaced = f" ({counts.replaced:,} with invalid UTF-8 replaced)" if counts.replaced else ""
    where = f" (written to {job.dropped})" if job.dropped and duplicates else ""
    out = [
        f"dedup corpus: {plural(read, 'document')} read: {kept:,} kept, "
        f"{plural(duplicates, 'duplicate')}{where}; {counts.skipped:,} skipped{replaced}",
        *no_text_line(counts, "passed through unchanged"),
    ]
    if duplicates:
        in_run = duplicates - decided.seen_before
        parts = [f"{in_run:,} of a document kept in this run"]
        if job.index_path:
            parts.append(f"{decided.seen_before:,} of documents already in {job.index_path}")
        exact = decided.exact_duplicates
        # (of all the duplicates, wherever their document is: one in the index may have its
        # words twice in this run too)
        same = (
            f"; {exact:,} of the {duplicates:,} with the same words as another document of this run"
            if exact
            else ""
        )
        out.append(f"duplicates: {', '.join(parts)}{same}")
    if repeated:
        out.append(
            f"the same records with the same options ran before on {job.index_path}: its "
            "documents added since are not seen before, and the output is what that run wrote "
            "(to check new records against the index, give only the new ones)"
        )
    if job.mark:
        clusters = len(set(decided.cluster)) + counts.no_text
        out.append(
            f"{plural(clusters, 'cluster')} in the 'cluster' field: a document and its "
            "duplicates share one"
        )
    if job.boilerplate:
        out.append(f"boilerplate: {plural(sum(decided.boilerplate), 'line')} removed")
    elapsed = counts.elapsed()
    out.append(
        f"{human_size(counts.nbytes)} in {elapsed:.2f} s ({read / elapsed:,.0f} documents/s), "
        "in this process"
    )
    return out
