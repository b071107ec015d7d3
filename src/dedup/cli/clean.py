"""``dedup clean``: repair documents, record by record, in worker processes or on Ray."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from dedup.cli.jobs import CleanJob
from dedup.cli.options import (
    engine_options,
    force_option,
    format_option,
    input_options,
    job,
    normalize_options,
    output_option,
    paths_argument,
    repair_options,
    run_options,
)
from dedup.cli.plan import (
    Reads,
    Target,
    check_input_directories,
    check_outputs,
    check_streams,
    find_inputs,
    open_rejects,
    plan_outputs,
    refuse_stdout,
)
from dedup.cli.progress import Progress
from dedup.cli.records import Counts, PutBack, RecordSource
from dedup.cli.session import EXIT_CODES, check_signals, handle_errors
from dedup.cli.stages import CleanedRecord, Cleaning, warm_up
from dedup.cli.summary import echo, no_text_line, over_cap_line, plural, read_line, speed_line
from dedup.engine import Engine, default_jobs
from dedup.io import Format, Reader, Writer, atomic_output

__all__ = ["clean_command", "run"]


@click.command(name="clean", epilog=EXIT_CODES)
@paths_argument("PATH")
@output_option("Output file or directory ('-': stdout, the default for one input).")
@format_option("Output format (default: the input's, or the output name's).")
@force_option
@click.option("--in-place", is_flag=True, help="Rewrite each input file (atomically).")
@click.option(
    "--report",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="PATH",
    help="JSONL sidecar: one line per document, its id and its edits.",
)
@handle_errors
@repair_options
@normalize_options
@input_options
@run_options
@engine_options
@job(CleanJob)
def clean_command(job: CleanJob) -> None:
    """Repair documents: remove doubled bodies, teasers and repeated paragraphs, fix mojibake.

    PATH is a text file (one document), a directory (mirrored into -o DIR), a JSONL file
    (.jsonl, .jsonl.gz, .jsonl.zst: every field kept, in order, the text field replaced), a
    CSV or TSV file (a row a record, its header naming the fields: a Scrapy -O items.csv), a
    Parquet file (schema kept), or '-' for stdin (no PATH: stdin, when text is piped in).
    Records keep their input order.

    \b
    Example:
      dedup clean page.txt > page.clean.txt
      dedup clean crawl.jsonl.gz -o clean.jsonl.gz --report edits.jsonl -j 4
      dedup clean pages/ --glob '*.txt' -o clean/
      cat page.txt | dedup clean > page.clean.txt
    """
    if job.engine == "ray":
        from dedup.cli.ray_engine import clean_on_ray  # Ray's own modules load only here

        clean_on_ray(job)
    else:
        run(job)


def run(job: CleanJob) -> None:
    """``dedup clean`` on this machine's processes."""
    inputs = job.inputs
    check_input_directories(job.paths, job.output)
    sources, stdin = find_inputs(job.paths, inputs, exclude=job.output)
    reads = Reads.of(job.paths, sources, inputs.glob)
    targets = plan_outputs(
        sources,
        job.output,
        job.fmt,
        in_place=job.in_place,
        directory_input=bool(reads.directories),
        errors=inputs.errors,
    )
    refuse_stdout(report=job.report, rejects=inputs.rejects)
    to_stdout = any(t.path is None for t in targets)
    directory = _directory_output(targets, job.output)
    check_streams(
        stdout="give the output a file with -o" if to_stdout else None,
        binary=any(t.path is None and t.format == "parquet" for t in targets),
    )
    check_outputs(
        [
            *(("-o", path) for path in dict.fromkeys(t.path for t in targets)),
            ("--report", job.report),
            ("--rejects", inputs.rejects),
        ],
        reads,
        in_place=job.in_place,
        rewrites=True,
        output_directory=directory,
        force=job.force,
    )
    jobs = job.jobs or default_jobs()
    stdout = getattr(sys.stdout, "buffer", None)
    with contextlib.ExitStack() as stack:
        rejects = open_rejects(inputs, stack, force=job.force)
        progress = Progress(sources, stack, quiet=job.quiet, writes_stdout=to_stdout)
        source = RecordSource(inputs, rejects=rejects, progress=progress, stdin=stdin)
        report_file = (
            stack.enter_context(atomic_output(Path(job.report), force=job.force))
            if job.report
            else None
        )
        engine = stack.enter_context(Engine(jobs, warm_up=warm_up))
        shared: dict[Path | None, Writer] = {}  # stdout, or one file for several inputs
        bundle = (
            len(targets) > 1 and targets[0].path is not None and len({t.path for t in targets}) == 1
        )
        written = 0
        try:
            for target, reader, results in _streams(
                targets, source, engine, job, report=report_file is not None
            ):
                if target.path is None or bundle:
                    if target.path not in shared:
                        shared[target.path] = Writer(
                            target.path,
                            target.format,
                            target.compression,
                            field=inputs.field,
                            force=job.force,
                            stdout=stdout if target.path is None else None,
                        )
                        stack.enter_context(shared[target.path])
                    writer = shared[target.path]
                    scope: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
                else:
                    writer = Writer(
                        target.path,
                        target.format,
                        target.compression,
                        field=inputs.field,
                        force=job.force or job.in_place,
                        mode_from=target.mode_from,
                        final_newline=not job.in_place,
                    )
                    scope = writer
                skipped = source.counts.skipped
                kept = False  # whether the file's output is to be written (not set aside)
                with contextlib.suppress(_SetAside), scope:
                    for done in results:
                        if writer.schema is None:
                            writer.schema = _schema(reader)
                        writer.put(done.output)
                        if isinstance(done, PutBack):
                            continue
                        source.counts.count_cleaned(done, job.repair)
                        if done.html and source.counts.html == 1:
                            progress.note(html_warning(done.record.location))
                        if done.report is not None and report_file is not None:
                            report_file.write(done.report)
                        source.advance(done.record)
                    if writer.schema is None:
                        writer.schema = _schema(reader)
                    if reader is not None:
                        writer.declare_columns(reader.columns)
                    check_signals()
                    if (
                        target.path is not None
                        and target.format == "text"
                        and writer.count == 0
                        and source.counts.skipped > skipped
                    ):
                        raise _SetAside  # the file's document is in --rejects: write nothing
                    kept = True
                # (counted once the block has written the file whole: a run stopped while it
                # was being synced and renamed did not write it)
                written += kept and target.path is not None and not bundle
            written += bundle  # (one file, written whole when the run ends)
        except BaseException:
            _stopped(written, targets, in_place=job.in_place)
            raise
    where = written_line(written, job.output, directory, job.in_place)
    echo([*lines(source.counts, engine.started), *where], quiet=job.quiet)


def _streams(
    targets: list[Target], source: RecordSource, engine: Engine, job: CleanJob, *, report: bool
) -> Iterator[tuple[Target, Reader | None, Iterator[CleanedRecord | PutBack]]]:
    """Each target with its reader and its cleaned records, in order. Text files in a row
    whose outputs have one format (a folder of pages) are cleaned together, one stream of the
    engine (:meth:`RecordSource.cleaned_together`: a file at a time, each would run in this
    process), and give no reader (one of text holds no schema)."""

    def stage(reader: Reader, fmt: Format) -> Cleaning:
        return Cleaning(
            parser=reader.parser,
            fmt=fmt,
            report=report,
            repair_options=job.repair,
            normalize_options=job.normalize,
        )

    k = 0
    while k < len(targets):
        target = targets[k]
        end = k + 1
        while end < len(targets) and _together(target, targets[end]):
            end += 1
        if end - k > 1:
            fmt = target.format
            run = targets[k:end]
            groups = source.cleaned_together(
                [t.source for t in run], engine, functools.partial(stage, fmt=fmt)
            )
            yield from ((t, None, group) for t, group in zip(run, groups, strict=True))
        else:
            reader = source.reader(target.source, lazy=True)
            # a file rewritten in place keeps its bad lines where they were (a text file set
            # aside is left as it was: see _SetAside)
            put_back = job.in_place and target.format != "text"
            yield (
                target,
                reader,
                source.cleaned(reader, engine, stage(reader, target.format), put_back=put_back),
            )
        k = end


def _schema(reader: Reader | None) -> Any:
    """The Arrow schema of a Parquet source's reader, once it has read a batch; else ``None``."""
    return None if reader is None else reader.schema


def _together(first: Target, other: Target) -> bool:
    """Whether ``other`` is cleaned in one stream with ``first``: both read text files, and
    their outputs have one format."""
    return (
        first.source.format == "text"
        and other.source.format == "text"
        and other.format == first.format
        and first.source.path is not None
        and other.source.path is not None
    )


def _stopped(written: int, targets: list[Target], *, in_place: bool) -> None:
    """Say on stderr, when a run over several files stops (an error, Ctrl-C) after writing some
    of them, how many it wrote: each whole, the rest not (with ``--in-place``: still as they
    were)."""
    files = sum(t.path is not None for t in targets)
    if not 0 < written < files:
        return
    what = "rewritten in place" if in_place else "written"
    rest = "the rest are as they were" if in_place else "the rest were not written"
    click.echo(
        f"{written:,} of {files:,} files were {what} before the run stopped, each whole; {rest}",
        err=True,
    )


class _SetAside(Exception):
    """A text file whose one document was set aside (``--skip-invalid``): its output is not
    written, so no empty file appears under ``-o`` and ``--in-place`` leaves the file as it
    was (the raw bytes are in ``--rejects`` either way)."""


def _directory_output(targets: list[Target], output: str | None) -> str | None:
    """``-o`` when it is a directory that the outputs mirror the inputs into."""
    if output is None or output == "-" or all(t.path == Path(output) for t in targets):
        return None
    return output


def written_line(
    written: int, output: str | None, directory: str | None, in_place: bool
) -> list[str]:
    """Where the outputs went (none for stdout): the file, the directory that ``-o`` named
    and the outputs mirror the inputs into (made if new), or the files rewritten in place."""
    if in_place:
        return [f"{plural(written, 'file')} rewritten in place"]
    if directory is not None:
        where = directory if directory.endswith(("/", "\\")) else f"{directory}/"
        return [f"written to the directory {where}: {plural(written, 'file')}, named as the inputs"]
    if output is None or output == "-" or not written:
        return []
    return [f"written to {output}"]


def html_warning(location: str) -> str:
    """What ``dedup clean`` says of the first document that looks like an HTML page."""
    return (
        f"Warning: {location} looks like HTML, which dedup edits as text (markup and all): "
        "extract its text first (trafilatura, see docs/recipes.md); the summary counts such "
        "documents"
    )


def lines(counts: Counts, started: int) -> list[str]:
    """The summary of ``dedup clean``."""
    removed = counts.chars_in - counts.chars_out
    kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(counts.edits.items())) or "none"
    return [
        read_line("dedup clean", counts, "changed"),
        *no_text_line(counts, "passed through unchanged"),
        *over_cap_line(counts, "normalised only, not repaired"),
        *(
            [f"{plural(counts.html, 'document')} looked like HTML (the first: {counts.html_first})"]
            if counts.html
            else []
        ),
        f"characters: {counts.chars_in:,} in, {counts.chars_out:,} out, {removed:,} removed",
        f"edits: {kinds}",
        speed_line(counts, started),
    ]
