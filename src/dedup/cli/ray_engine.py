"""``--engine ray``: ``dedup clean`` and ``dedup corpus`` on Ray Data (:mod:`dedup.ray`).

The same job record as the local engine, and the same records out
(:mod:`dedup.ray.records`): what the Ray engine does not do (``--glob``, ``--errors replace``,
``--skip-invalid``, ``--rejects``, ``--in-place``, ``--report``, ``--index``,
``--boilerplate``) is refused before Ray starts. Inputs are Parquet, JSON Lines or CSV/TSV
(local files, read as the local engine reads them; written as JSON Lines or Parquet), their
format named as for the local engine (:func:`dedup.io.path_format`). ``-o`` names a file
(written by this process, atomically, compressed by its name) or a directory (a name ending
in ``/``, or one that exists: part files written by the tasks), checked as the local engine
checks its outputs. Importing this module does not import Ray.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from dedup import ray as dedup_ray
from dedup.cli.jobs import CleanJob, CorpusJob
from dedup.cli.options import InputOptions
from dedup.cli.plan import Reads, check_directory_output, check_outputs
from dedup.cli.summary import plural
from dedup.io import Format, Source, detect_format, discover, path_format
from dedup.model import ConfigError
from dedup.ray import records as ray_records

__all__ = ["clean_on_ray", "corpus_on_ray"]


def _refuse(**options: object) -> None:
    for name, value in options.items():
        if value:
            raise ConfigError(
                f"--engine ray does not support {name}: drop it, or use --engine local"
            )


def _unsupported_inputs(inputs: InputOptions) -> dict[str, object]:
    """The shared input options that Ray's readers do not apply, as given on the command line."""
    return {
        "--skip-invalid": inputs.skip_invalid,
        "--rejects": inputs.rejects,
        "--errors replace": inputs.errors == "replace",
        "--glob": inputs.glob != "*",
    }


def _formats(
    paths: Sequence[str], inputs: InputOptions, fmt: Format | None, output: str
) -> tuple[Format, Format]:
    """The input and output formats: Parquet, JSON Lines or CSV in, Parquet or JSON Lines out
    (the output's by ``--format``, else by the name of an output file, else the input's)."""
    in_fmt = inputs.input_format or path_format(paths[0])
    if in_fmt == "text":
        raise ConfigError(
            f"--engine ray reads Parquet, JSONL and CSV, and {paths[0]} reads as text: name "
            "its format with --input-format jsonl, parquet or csv, or run it without "
            "--engine ray"
        )
    named = detect_format(Path(output).name)[0] if not _is_directory(output) else "text"
    out_fmt = fmt or (named if named != "text" else in_fmt)
    if out_fmt in ("text", "csv"):
        raise ConfigError("--engine ray writes Parquet and JSONL: pass --format jsonl or parquet")
    return in_fmt, out_fmt


def _is_directory(output: str) -> bool:
    """Whether ``-o`` names a directory: it ends with ``/`` or is one."""
    return output.endswith(("/", "\\")) or Path(output).is_dir()


def _check(job: CleanJob | CorpusJob, outputs: list[tuple[str, str | None]]) -> str:
    """``-o`` (a file or a directory) and the other outputs, checked as the local engine checks
    its own, before Ray starts."""
    output = job.output
    if output is None or output == "-":
        raise ConfigError("--engine ray writes a file or a directory: pass -o FILE or -o DIR/")
    local = [p for p in job.paths if "://" not in p]
    sources: list[Source] = discover(local) if local else []
    directory = _is_directory(output)
    if directory:
        check_directory_output(output, force=job.force)
        outputs = [o for o in outputs if o[0] != "-o"]
    check_outputs(
        outputs,
        Reads(sources=sources),
        output_directory=output if directory else None,
        force=job.force,
    )
    return output


def clean_on_ray(job: CleanJob) -> None:
    """``dedup clean --engine ray``: read, clean every record, write what ``-o`` names."""
    _refuse(
        **{"--in-place": job.in_place, "--report": job.report},
        **_unsupported_inputs(job.inputs),
    )
    output = _check(job, [("-o", job.output)])
    in_fmt, out_fmt = _formats(job.paths, job.inputs, job.fmt, output)
    ray_records.connect(job.address)
    with ray_records.unwrapped():
        ds = ray_records.read_records(
            job.paths,
            in_fmt,
            max_record_bytes=job.inputs.max_record_bytes,
            field=job.inputs.field,
        )
        cleaned = ray_records.clean_records(
            ds,
            ray_records.as_lines(in_fmt),
            out_fmt,
            field=job.inputs.field,
            id_field=job.inputs.id_field,
            repair_options=job.repair,
            normalize_options=job.normalize,
        )
        written = ray_records.write_records(
            cleaned,
            output,
            out_fmt,
            field=job.inputs.field,
            force=job.force,
            directory=_is_directory(output),
        )
    if not job.quiet:
        click.echo(f"dedup clean: {plural(written, 'record')} written to {output} (Ray)", err=True)


def _where(ds: Any, *, kept: bool) -> Any:
    """The rows of ``ds`` whose ``kept`` is ``kept`` (without Ray's advice, on stderr, to
    write the test as an expression, which not every Ray version has)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return ds.filter(lambda row: bool(row["kept"]) is kept)


def corpus_on_ray(job: CorpusJob) -> None:
    """``dedup corpus --engine ray``: cluster the records; write the kept ones (``--mark``:
    all, with ``cluster``, the position of the cluster's first record; ``--dropped``: the
    others, with ``duplicate_of``)."""
    options = job.options
    _refuse(
        **{"--index": job.index_path, "--boilerplate": job.boilerplate},
        **_unsupported_inputs(job.inputs),
    )
    output = _check(job, [("-o", job.output), ("--dropped", job.dropped)])
    read_fmt, out_fmt = _formats(job.paths, job.inputs, job.fmt, output)
    in_fmt = ray_records.as_lines(read_fmt)  # (the rows of a CSV file go on as JSON lines)
    field, id_field = job.inputs.field, job.inputs.id_field
    ray_records.connect(job.address)
    with ray_records.unwrapped():
        ds = ray_records.read_records(
            job.paths, read_fmt, max_record_bytes=job.inputs.max_record_bytes, field=field
        )
        ds = ray_records.texts(ds, in_fmt, field=field, id_field=id_field)
        found = dedup_ray.near_duplicates(ds, options, column=ray_records.TEXT)
        out = found.dataset.materialize()
        kept = _where(out, kept=True) if not job.mark else out
        rows = ray_records.corpus_records(
            kept,
            in_fmt,
            out_fmt,
            label="cluster" if job.mark else None,
            field=field,
            id_field=id_field,
        )
        written = ray_records.write_records(
            rows, output, out_fmt, field=field, force=job.force, directory=_is_directory(output)
        )
        if job.dropped is not None and not job.mark:
            rest = ray_records.corpus_records(
                _where(out, kept=False),
                in_fmt,
                out_fmt,
                label="duplicate_of",
                field=field,
                id_field=id_field,
            )
            ray_records.write_records(
                rest,
                job.dropped,
                out_fmt,
                field=field,
                force=job.force,
                directory=_is_directory(job.dropped),
            )
    if not job.quiet:
        click.echo(
            f"dedup corpus: {plural(written, 'record')} written to {output} (Ray): "
            f"{found.exact_duplicates:,} exact duplicates, {found.verified_pairs:,} "
            f"near-duplicate pairs, {found.rounds} component rounds",
            err=True,
        )
