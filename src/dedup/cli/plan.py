"""Where a command's outputs go, and every refusal, made here before any work is done.

A command finds its inputs (:func:`find_inputs`), plans its outputs (:func:`plan_outputs`
for ``dedup clean``, :func:`check_corpus_outputs`, :func:`check_directory_output` for the Ray
engine), checks every path it will write against each other, the inputs and the index
(:func:`check_outputs`), and opens its ``--rejects`` file (:func:`open_rejects`). Each rule is
written once, here:

- a regular file that exists is replaced only with ``--force`` (atomically, by a rename);
  a FIFO or a character device (``/dev/null``, a terminal, ``/dev/stdout``) is written into,
  never replaced; anything else (a directory, a socket, a block device) is refused;
- two outputs never name one file, and no output is an input or the index, whatever
  ``--force`` says: paths are compared as files (device and inode), so a symbolic or hard link
  to an input is that input;
- a run never writes outside ``-o DIR`` (through a symbolic link inside it), never rewrites a
  file ``--in-place`` that has other hard links, and never writes a side output
  (``--report``, ``--rejects``, ``--dropped``) where the next run would read it as input;
- stdout carries one stream.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import stat
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import IO

import click

from dedup.cli.options import InputOptions
from dedup.cli.progress import is_terminal, stdout_is_terminal
from dedup.io import (
    Compression,
    Format,
    OutputError,
    Source,
    atomic_output,
    detect_format,
    discover,
    is_stream,
    output_name,
    sniff_format,
)
from dedup.model import ConfigError, InputError

__all__ = [
    "Reads",
    "Target",
    "check_corpus_outputs",
    "check_directory_output",
    "check_input_directories",
    "check_outputs",
    "check_streams",
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
    of the directories searched (none at all is refused), and the stream stdin is read from
    (a closed one is refused when ``-`` is an input). Symbolic links found in the directories
    are not followed, and a line on stderr says which.

    Stdin (``-``) without ``--input-format`` is read as the format its first line shows
    (:func:`dedup.io.sniff_format`): JSON Lines piped in are records, not one text."""
    skip = Path(exclude) if exclude not in (None, "-") else None
    links: list[Path] = []
    sources = discover(
        paths, glob=inputs.glob, input_format=inputs.input_format, exclude=skip, links=links
    )
    _say_links(paths, links)
    expanded = _expanded_glob(inputs.glob)
    if expanded and sources:
        click.echo(f"dedup: {expanded}", err=True)
    if not sources:
        raise InputError(
            "no input files found: check the paths and --glob"
            + (f"; {expanded}" if expanded else "")
        )
    reads_stdin = any(s.path is None for s in sources)
    if reads_stdin and stdin is None and not _open_stream(sys.stdin):
        raise InputError("stdin is closed: give the input as a file", reason="no-stdin")
    stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
    if stream is None:  # closed, and not read: any stream will do
        stream = io.BytesIO()
    if reads_stdin and is_terminal(stream):
        context = click.get_current_context(silent=True)
        command = context.command_path if context is not None else "dedup"
        click.echo(
            "dedup: reading the input from the terminal: type or paste it, then press Ctrl-D "
            f"on a line of its own (or name a file, or pipe one: cat page.txt | {command} -)",
            err=True,
        )
    if inputs.input_format is None and reads_stdin:
        fmt, stream = sniff_format(stream)
        sources = [dataclasses.replace(s, format=fmt) if s.path is None else s for s in sources]
    return sources, stream


def check_streams(*, stdout: str | None = None, binary: bool = False) -> None:
    """Refuse to write a closed stdout (``>&-``; ``stdout``: what to do instead) before any
    work, and binary output (Parquet, ``binary``) to a stdout that is a terminal, where it
    shows as garbage. (A closed stdin is refused by :func:`find_inputs`.)"""
    if stdout is not None and not _open_stream(sys.stdout):
        raise ConfigError(f"stdout is closed: {stdout}", reason="no-stdout")
    if stdout is not None and binary and stdout_is_terminal():
        raise ConfigError(
            "the output is Parquet, which is binary, and stdout is a terminal",
            hint="give -o a .parquet file, or redirect stdout to one (> out.parquet)",
            reason="binary-to-terminal",
        )


def _open_stream(stream: IO[str] | None) -> bool:
    if stream is None:
        return False
    try:
        os.fstat(stream.fileno())
    except (AttributeError, ValueError, io.UnsupportedOperation):
        return True  # not a file descriptor (a test's buffer): open as far as we can tell
    except OSError:
        return False
    return True


_WILDCARDS = frozenset("*?[")


def _expanded_glob(glob: str) -> str:
    """What to say when ``--glob`` looks expanded by the shell: a pattern written without
    quotes (``--glob *.txt``) reaches the command as the first file name it matched in the
    working directory, the other names as inputs. A value with no wildcard that names a file
    here is most likely that; the run goes on (a name can be meant), with this said on stderr.

    >>> _expanded_glob("*.txt")
    ''
    """
    if _WILDCARDS.intersection(glob) or not Path(glob).is_file():
        return ""
    suffix = PurePath(glob).suffix
    pattern = f"'*{suffix}'" if suffix else "'*'"
    return (
        f"--glob {glob!r} has no wildcard and names a file in the working directory: if the "
        f"shell expanded an unquoted pattern, quote it (--glob {pattern})"
    )


def _say_links(paths: Sequence[str], links: list[Path]) -> None:
    """One line on stderr per input directory in which symbolic links were skipped."""
    for raw in paths:
        if raw == "-":
            continue
        mine = [link for link in links if link.is_relative_to(raw)]
        if mine:
            shown = ", ".join(str(link) for link in mine[:3]) + (", ..." if len(mine) > 3 else "")
            word = "link" if len(mine) == 1 else "links"
            click.echo(
                f"dedup: skipped {len(mine):,} symbolic {word} in {raw}: {shown}; name a link on "
                "the command line to read what it points to",
                err=True,
            )


def refuse_existing(*paths: str | Path | None, force: bool) -> None:
    """Refuse an output that exists, unless ``force`` (``None`` and ``-``, stdout, are never
    refused; nor are streams, :func:`dedup.io.is_stream`, which are written into)."""
    for path in paths:
        if path is None or str(path) == "-" or force or is_stream(path):
            continue
        if os.path.exists(path):
            raise OutputError(f"{path} exists: pass --force to replace it")


Output = tuple[str, "str | Path | None"]
"""An output of a run: the flag that names it (``-o``, ``--report``, ...) and its path
(``None`` or ``-`` for none, or stdout)."""


def _identity(path: str | Path) -> tuple[object, ...]:
    """What a path names, for comparing paths: the file's device and inode when it exists (a
    symbolic or hard link to it is the same file), else its real path."""
    try:
        info = os.stat(path)
    except OSError:
        return ("path", os.path.realpath(path))
    return ("file", info.st_dev, info.st_ino)


def _kind(path: Path) -> str | None:
    """What an output path names, when writing there is refused: ``None`` for a new path, a
    regular file, a FIFO and a character device."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def _is_null(path: str | Path) -> bool:
    """Whether ``path`` is a character device that discards what it is given (``/dev/null``):
    any number of outputs may go there."""
    try:
        info, null = os.stat(path), os.stat(os.devnull)
    except OSError:
        return False
    return stat.S_ISCHR(info.st_mode) and info.st_rdev == null.st_rdev


@dataclass(frozen=True, slots=True, kw_only=True)
class Reads:
    """What a run reads, which no output may replace: its inputs (``sources``), the input
    directories searched for ``glob`` (where an output would be found, now or next time), and
    the ``index``. :meth:`of` makes it from the paths a command was given."""

    sources: Sequence[Source] = ()
    directories: Sequence[str | Path] = ()
    glob: str = "*"
    index: str | Path | None = None

    @classmethod
    def of(
        cls, paths: Sequence[str], sources: Sequence[Source], glob: str, index: str | None = None
    ) -> Reads:
        """The inputs ``paths`` named (found as ``sources``), those of them that are
        directories searched for ``glob``, and the ``index``."""
        directories = [p for p in paths if p != "-" and Path(p).is_dir()]
        return cls(sources=sources, directories=directories, glob=glob, index=index)


def check_outputs(
    outputs: Iterable[Output],
    reads: Reads,
    *,
    in_place: bool = False,
    rewrites: bool = False,
    output_directory: str | Path | None = None,
    force: bool = False,
) -> None:
    """Refuse, before any work and whatever ``--force`` says, outputs that would destroy
    something: one that is not a file to write (a directory, a socket, a block device), two
    that name one file, one that is an input (``reads.sources``; with ``in_place`` the ``-o``
    outputs are the inputs, by design) or the index, and one inside an input directory where
    the search for the inputs finds it, now or next time (but in ``output_directory``, the
    ``-o DIR`` that searches leave out). Then, unless ``force``, a regular file that exists
    (``--rejects`` says so itself, when it is opened). ``rewrites`` says the command has
    ``--in-place`` (which the message for an input named as ``-o`` suggests)."""
    sources, index = reads.sources, reads.index
    directories, glob = reads.directories, reads.glob
    named = [(flag, Path(path)) for flag, path in outputs if path is not None and str(path) != "-"]
    inputs = {_identity(s.path): s.path for s in sources if s.path is not None}
    index_id = _identity(index) if index is not None else None
    if index is not None and index_id in inputs:
        raise OutputError(f"--index {index} is also an input: give the index another path")
    seen: dict[tuple[object, ...], tuple[str, Path]] = {}
    if output_directory is not None:  # no file output may be the directory -o fills
        seen[_identity(output_directory)] = ("-o", Path(output_directory))
    for flag, path in named:
        kind = _kind(path)
        if kind is not None:
            raise OutputError(
                f"{path} is {kind}: give {flag} a regular file, a FIFO or a character device"
            )
        key = _identity(path)
        if key in seen and not _is_null(path):
            first_flag, first = seen[key]
            if first_flag == flag:
                raise OutputError(f"{flag} {first} is named twice: give each output its own path")
            raise OutputError(f"{first_flag} and {flag} both name {first}: give each its own path")
        seen.setdefault(key, (flag, path))
        if key == index_id:
            raise OutputError(f"{flag} {path} is the index: give {flag} another path")
        if key in inputs and not (in_place and flag == "-o"):
            hint = (
                "use --in-place to rewrite it, or another -o"
                if flag == "-o" and rewrites
                else f"give {flag} another path"
            )
            raise OutputError(f"{flag} {path} is also an input: {hint}")
        rewritten = in_place and flag == "-o"  # an input rewritten where it is
        if not rewritten and (output_directory is None or not _under(path, output_directory)):
            _refuse_inside(flag, path, directories, glob)
    for flag, path in named:
        if flag != "--rejects" and not (in_place and flag == "-o"):
            refuse_existing(path, force=force)


def _under(path: Path, directory: str | Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(directory))


def _refuse_inside(flag: str, path: Path, directories: Sequence[str | Path], glob: str) -> None:
    """Refuse a side output that a search of an input directory would find: the next run over
    that directory would read it as input."""
    real = Path(os.path.realpath(path))
    for directory in directories:
        root = Path(os.path.realpath(directory))
        if not real.is_relative_to(root):
            continue
        relative = PurePath(real.relative_to(root))
        if any(part.startswith(".") for part in relative.parts) or not relative.match(glob):
            continue
        raise OutputError(
            f"{flag} {path} is inside the input directory {directory}: a run over that "
            "directory reads it as input; write it elsewhere"
        )


def check_input_directories(paths: Sequence[str], output: str | None) -> None:
    """Refuse ``-o DIR`` that is an input directory (every file in it would be an output, and
    none an input)."""
    if output is None or output == "-" or not Path(output).is_dir():
        return
    out = _identity(output)
    for raw in paths:
        if raw != "-" and Path(raw).is_dir() and _identity(raw) == out:
            raise ConfigError(
                f"-o {output} is the input directory: write to another directory, or rewrite "
                "the files with --in-place"
            )


def _inside(target: Path, root: Path) -> None:
    """Refuse a target of ``-o DIR`` that a symbolic link inside ``root`` sends elsewhere."""
    real_root = Path(os.path.realpath(root))
    if Path(os.path.realpath(target)).is_relative_to(real_root):
        return
    step = root
    for part in target.relative_to(root).parts:
        step = step / part
        if step.is_symlink():
            raise OutputError(
                f"{step} leads outside -o {root} (a symbolic link to {os.readlink(step)}): "
                "remove it, or write to another directory"
            )
    raise OutputError(f"{target} lies outside -o {root}: write to another directory")


def _hard_links(path: Path) -> None:
    """Refuse to rewrite in place a file that has other names: a rename would leave them
    holding the old text."""
    links = os.stat(path).st_nlink
    if links > 1:
        raise OutputError(
            f"{path} has {links} hard links: --in-place would leave the others unchanged; "
            "write the cleaned file with -o instead"
        )


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
    directory_input: bool,
    errors: str = "strict",
) -> list[Target]:
    """Where each source's output goes (``dedup clean``); the paths are checked by
    :func:`check_outputs`. ``errors`` is ``--errors``: ``replace`` cannot rewrite inputs in
    place (the bytes replaced would be lost)."""
    if in_place:
        if output is not None:
            raise ConfigError("--in-place rewrites the inputs: drop -o/--output")
        if errors == "replace":
            raise ConfigError(
                "--errors replace with --in-place would write U+FFFD over the bytes it replaced, "
                "in the input files themselves (an image among the pages, a Latin-1 file): write "
                "the outputs elsewhere with -o, or pass --skip-invalid to leave such files as "
                "they are"
            )
        if fmt is not None:
            raise ConfigError("--in-place keeps each file's format: drop --format")
        if any(s.path is None for s in sources):
            raise ConfigError("--in-place cannot rewrite stdin: write to stdout instead")
        for s in sources:
            if s.path is not None:
                _hard_links(s.path)
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
    elif bundles(output, fmt):
        # several inputs into one JSON Lines file that -o names: their records, in input order
        compression = detect_format(out.name)[1]
        return [
            Target(source=s, path=out, format="jsonl", compression=compression) for s in sources
        ]
    else:
        if any(s.path is None for s in sources):
            raise ConfigError("stdin cannot be mixed with files: write it to one file with -o")
        targets = []
        for s in sources:
            out_fmt = fmt or s.format
            compression = s.compression if out_fmt != "parquet" else None
            path = out / output_name(s.relative, out_fmt, compression)
            _inside(path, out)
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
    return targets


def bundles(output: str | None, fmt: Format | None) -> bool:
    """Whether ``-o`` (``output``) names one JSON Lines file for the records of several inputs:
    a name that says JSON Lines (``.jsonl``, ``.ndjson``, compressed or not), not a directory
    that exists or a name that ends with a slash, and no ``--format`` other than ``jsonl``.

    >>> bundles("all.jsonl.gz", None), bundles("out/", None), bundles("all.jsonl", "parquet")
    (True, False, False)
    """
    if output is None or output == "-" or output.endswith(("/", "\\")) or Path(output).is_dir():
        return False
    return fmt in (None, "jsonl") and detect_format(Path(output).name)[0] == "jsonl"


def check_corpus_outputs(
    output: str, dropped: str | None, *, mark: bool, inputs: InputOptions
) -> None:
    """``dedup corpus``: ``--mark`` writes every record (no ``--dropped``), and stdout carries
    one stream (the paths themselves: :func:`check_outputs`)."""
    if mark and dropped is not None:
        raise ConfigError("--mark writes every record: drop --dropped")
    if output == "-" and dropped == "-":
        raise ConfigError("the output goes to stdout: give --dropped a file path")
    refuse_stdout(rejects=inputs.rejects)


def check_directory_output(output: str | None, *, force: bool, empty: bool = True) -> None:
    """The Ray engine writes a directory: ``-o DIR``, which (with ``empty``) must be new or
    empty unless ``force``."""
    if output is None or output == "-":
        raise ConfigError("--engine ray writes a directory: pass -o DIR")
    if empty and Path(output).exists() and any(Path(output).iterdir()) and not force:
        raise ConfigError(f"{output} exists: pass --force to write into it")
