"""``--engine ray``: ``dedup clean`` and ``dedup corpus`` on Ray Data (:mod:`dedup.ray`).

The same job record as the local engine; what Ray's readers cannot do (``--glob``,
``--errors replace``, ``--skip-invalid``, ``--rejects``) and what only the local engine does
(``--in-place``, ``--report``, ``--index``, ``--boilerplate``) is refused before Ray starts.
Inputs are Parquet or JSON Lines, their format named as for the local engine
(:func:`dedup.io.path_format`), and the output is a directory. Importing this module does not
import Ray.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from dedup import ray as dedup_ray
from dedup.cli.jobs import CleanJob, CorpusJob
from dedup.cli.options import InputOptions
from dedup.cli.plan import check_directory_output
from dedup.io import Format, path_format
from dedup.model import ConfigError

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
    paths: Sequence[str], inputs: InputOptions, fmt: Format | None
) -> tuple[Format, Format]:
    """The input and output formats: Parquet or JSON Lines."""
    in_fmt = inputs.input_format or path_format(paths[0])
    if in_fmt == "text":
        raise ConfigError(
            f"--engine ray reads Parquet and JSONL, and {paths[0]} reads as text: name its "
            "format with --input-format jsonl or parquet"
        )
    out_fmt = fmt or in_fmt
    if out_fmt == "text":
        raise ConfigError("--engine ray writes Parquet and JSONL: pass --format jsonl or parquet")
    return in_fmt, out_fmt


def clean_on_ray(job: CleanJob) -> None:
    """``dedup clean --engine ray``: read, clean every row, write a directory."""
    _refuse(
        **{"--in-place": job.in_place, "--report": job.report},
        **_unsupported_inputs(job.inputs),
    )
    check_directory_output(job.output, force=job.force)
    assert job.output is not None
    in_fmt, out_fmt = _formats(job.paths, job.inputs, job.fmt)
    dedup_ray.connect(job.address)
    ds = dedup_ray.read_dataset(job.paths, in_fmt)
    cleaned = dedup_ray.clean_dataset(
        ds, column=job.inputs.field, repair_options=job.repair, normalize_options=job.normalize
    )
    dedup_ray.write_dataset(cleaned, job.output, out_fmt)
    if not job.quiet:
        click.echo(f"dedup clean: written to {job.output} (Ray)", err=True)


def corpus_on_ray(job: CorpusJob) -> None:
    """``dedup corpus --engine ray``: cluster the rows; write the kept rows (``--mark``: all,
    with ``cluster``, the position of the cluster's first row; ``--dropped``: the others)."""
    options = job.options
    _refuse(
        **{"--index": job.index_path, "--boilerplate": job.boilerplate},
        **_unsupported_inputs(job.inputs),
    )
    check_directory_output(job.output, force=job.force, empty=False)
    in_fmt, out_fmt = _formats(job.paths, job.inputs, job.fmt)
    dedup_ray.connect(job.address)
    found = dedup_ray.near_duplicates(
        dedup_ray.read_dataset(job.paths, in_fmt), options, column=job.inputs.field
    )
    out = found.dataset
    if job.mark:
        dedup_ray.write_dataset(out.drop_columns(["kept"]), job.output, out_fmt)
    else:
        kept = out.filter(lambda r: r["kept"]).drop_columns(["kept", "cluster"])
        dedup_ray.write_dataset(kept, job.output, out_fmt)
        if job.dropped is not None:
            rest = out.filter(lambda r: not r["kept"]).drop_columns(["kept"])
            renamed = rest.rename_columns({"cluster": "duplicate_of"})
            dedup_ray.write_dataset(renamed, job.dropped, out_fmt)
    if not job.quiet:
        click.echo(
            f"dedup corpus: {found.exact_duplicates:,} exact duplicates, "
            f"{found.verified_pairs:,} near-duplicate pairs, {found.rounds} component rounds "
            f"(Ray); written to {job.output}",
            err=True,
        )
