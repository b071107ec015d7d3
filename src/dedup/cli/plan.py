"""Where a command's outputs go, and every refusal, made here before any work is done.

A command finds its inputs (:func:`find_inputs`), checks its outputs (:func:`plan_outputs`
for ``dedup clean``, :func:`check_corpus_outputs`, :func:`check_directory_output` for the Ray
engine) and opens its ``--rejects`` file (:func:`open_rejects`). An output that exists is
refused unless ``--force`` is given, an input is never an output, and stdout carries one
stream: each rule is written once, here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from dedup.cli.options import InputOptions
from dedup.io import (
    Compression,
    Format,
    OutputError,
    Source,
    atomic_output,
    detect_format,
    discover,
    output_name,
    sniff_format,
)
from dedup.model import ConfigError, InputError

__all__ = [
    "Target",
    "check_corpus_outputs",
    "check_directory_output",
    "find_inputs",
    "open_rejects",
    "plan_outputs",
    "refuse_existing",
    "refuse_stdout",
]


def find_inputs(
    paths: Sequence[str],
    inputs: InputOptions,
    *,
    exclude: str | None = None,
    stdin: IO[bytes] | None = None,
) -> tuple[list[Source], IO[bytes]]:
    """The inputs ``paths`` name (see :func:`dedup.io.discover`), output ``exclude`` left out
    of the directories searched (none at all is refused), and the stream stdin is read from.

    Stdin (``-``) without ``--input-format`` is read as the format its first line shows
    (:func:`dedup.io.sniff_format`): JSON Lines piped in are records, not one text."""
    skip = Path(exclude) if exclude not in (None, "-") else None
    sources = discover(paths, glob=inputs.glob, input_format=inputs.input_format, exclude=skip)
    if not sources:
        raise InputError("no input files found: check the paths and --glob")
    stream = stdin if stdin is not None else sys.stdin.buffer
    if inputs.input_format is None and any(s.path is None for s in sources):
        fmt, stream = sniff_format(stream)
        sources = [dataclasses.replace(s, format=fmt) if s.path is None else s for s in sources]
    return sources, stream


def refuse_existing(*paths: str | Path | None, force: bool) -> None:
    """Refuse an output that exists (``None`` and ``-``, stdout, are never refused), unless
    ``force``."""
    for path in paths:
        if path is not None and str(path) != "-" and Path(path).exists() and not force:
            raise OutputError(f"{path} exists: pass --force to replace it")


def refuse_stdout(**paths: str | None) -> None:
    """Refuse ``-`` as a side output (``report=``, ``rejects=``): stdout carries the output."""
    for name, path in paths.items():
        if path == "-":
            raise ConfigError(f"--{name} needs a file path: '-' (stdout) carries the output")


def open_rejects(
    inputs: InputOptions, stack: contextlib.ExitStack, *, force: bool = False
) -> IO[bytes] | None:
    """The ``--rejects`` file, written atomically when ``stack`` closes (``None`` without
    ``--rejects``)."""
    if inputs.rejects is None:
        return None
    rejects = Path(inputs.rejects)
    if rejects.exists() and not force:
        raise OutputError(f"{rejects} exists: remove it, or choose another --rejects path")
    return stack.enter_context(atomic_output(rejects, force=True))


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """Where the output of one source goes: a file (``path``; ``None`` is stdout), in
    ``format`` and ``compression``, with the permissions of ``mode_from`` (``--in-place``)."""

    source: Source
    path: Path | None
    format: Format
    compression: Compression | None
    mode_from: Path | None = None


def plan_outputs(
    sources: list[Source],
    output: str | None,
    fmt: Format | None,
    *,
    in_place: bool,
    force: bool,
    directory_input: bool,
) -> list[Target]:
    """Where each source's output goes (``dedup clean``)."""
    if in_place:
        if output is not None:
            raise ConfigError("--in-place rewrites the inputs: drop -o/--output")
        if fmt is not None:
            raise ConfigError("--in-place keeps each file's format: drop --format")
        if any(s.path is None for s in sources):
            raise ConfigError("--in-place cannot rewrite stdin: write to stdout instead")
        return [
            Target(
                source=s, path=s.path, format=s.format, compression=s.compression, mode_from=s.path
            )
            for s in sources
            if s.path is not None
        ]
    if output is None or output == "-":
        out_fmt = fmt or sources[0].format
        if out_fmt == "text" and (len(sources) > 1 or sources[0].format != "text"):
            raise ConfigError(
                "several documents cannot go to stdout as plain text: pass --format jsonl, "
                "or write them to a directory with -o DIR"
            )
        return [Target(source=s, path=None, format=out_fmt, compression=None) for s in sources]
    out = Path(output)
    if (
        len(sources) == 1
        and not directory_input
        and not out.is_dir()
        and not output.endswith(("/", "\\"))
    ):
        source = sources[0]
        name_fmt, compression = detect_format(out.name)
        out_fmt = fmt or (name_fmt if name_fmt != "text" else source.format)
        targets = [Target(source=source, path=out, format=out_fmt, compression=compression)]
    else:
        if any(s.path is None for s in sources):
            raise ConfigError("stdin cannot be mixed with files: write it to one file with -o")
        targets = []
        for s in sources:
            out_fmt = fmt or s.format
            compression = s.compression if out_fmt != "parquet" else None
            path = out / output_name(s.relative, out_fmt, compression)
            targets.append(Target(source=s, path=path, format=out_fmt, compression=compression))
    seen: dict[Path, Source] = {}
    for target in targets:
        assert target.path is not None
        key = target.path.resolve()
        if key in seen:
            raise ConfigError(
                f"{seen[key].name} and {target.source.name} would both be written to "
                f"{target.path}: give them separately"
            )
        seen[key] = target.source
        if target.source.path is not None and target.source.path.resolve() == key:
            raise OutputError(
                f"{target.path} is also an input: use --in-place to rewrite it, or another -o"
            )
        refuse_existing(target.path, force=force)
    return targets


def check_corpus_outputs(
    output: str, dropped: str | None, *, mark: bool, inputs: InputOptions, force: bool
) -> None:
    """``dedup corpus``: ``--mark`` writes every record (no ``--dropped``), stdout carries
    one stream, and outputs that exist need ``--force``."""
    if mark and dropped is not None:
        raise ConfigError("--mark writes every record: drop --dropped")
    if output == "-" and dropped == "-":
        raise ConfigError("the output goes to stdout: give --dropped a file path")
    refuse_stdout(rejects=inputs.rejects)
    refuse_existing(output, dropped, force=force)


def check_directory_output(output: str | None, *, force: bool, empty: bool = True) -> None:
    """The Ray engine writes a directory: ``-o DIR``, which (with ``empty``) must be new or
    empty unless ``force``."""
    if output is None or output == "-":
        raise ConfigError("--engine ray writes a directory: pass -o DIR")
    if empty and Path(output).exists() and any(Path(output).iterdir()) and not force:
        raise ConfigError(f"{output} exists: pass --force to write into it")
