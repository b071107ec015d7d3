"""The options commands share, as click decorators that hand the command records, not flags.

- :func:`input_options`: how inputs are read (``--field``, ``--errors``, ``--skip-invalid``,
  ...), received as ``inputs: InputOptions``;
- :func:`repair_options`: ``--min-chars``, ``--min-similarity``, ``--max-doc-chars``,
  ``--quotes``, received as ``repair: RepairOptions``; :func:`normalize_options`:
  ``--keep-spaces``, received as ``normalize: NormalizeOptions``;
- :func:`run_options` (``-j``, ``-q``) and :func:`quiet_option` (``-q`` alone);
- :func:`engine_options`: ``--engine local|ray`` and ``--address``;
- :func:`format_option`: ``--format``, received as ``fmt``.

:func:`job` gathers everything a command receives into its job record (``CleanJob``, ...): the
one mapping from the command line to what a run does, whichever engine runs it. A new command
reads records the same way as the others with two decorators.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast

import click

from dedup.io import FORMATS, MAX_RECORD_BYTES, Format
from dedup.model import QUOTES, Quotes, RepairOptions

__all__ = [
    "ByteSize",
    "EngineName",
    "InputOptions",
    "engine_options",
    "force_option",
    "format_option",
    "input_options",
    "job",
    "normalize_options",
    "output_option",
    "paths_argument",
    "quiet_option",
    "repair_options",
    "run_options",
]

F = TypeVar("F", bound=Callable[..., Any])
J = TypeVar("J")
EngineName = Literal["local", "ray"]


@dataclass(frozen=True, slots=True, kw_only=True)
class InputOptions:
    """The input options every command shares (see :func:`input_options`)."""

    field: str = "text"
    id_field: str = "id"
    input_format: Format | None = None
    glob: str = "*"
    errors: Literal["strict", "replace"] = "strict"
    skip_invalid: bool = False
    rejects: str | None = None
    max_record_bytes: int = MAX_RECORD_BYTES


_INPUT_NAMES = (
    "field",
    "id_field",
    "input_format",
    "glob",
    "errors",
    "skip_invalid",
    "rejects",
    "max_record_bytes",
)


def _with_options(func: Any, *options: Callable[[Any], Any]) -> Any:
    """``func`` with the click ``options`` added, listed in ``--help`` in the order given."""
    for option in reversed(options):
        func = option(func)
    return func


def paths_argument(metavar: str) -> Callable[[F], F]:
    """Add the inputs (``metavar``, one or more), received as ``paths``. None given reads stdin
    when it is a pipe or a file (``cat page.txt | dedup clean``), as ``-`` does; on a terminal
    they are missing (a command waiting for typed text looks hung)."""
    return click.argument(
        "paths", nargs=-1, metavar=f"[{metavar}]...", callback=_stdin_unless_terminal
    )


def _stdin_unless_terminal(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    if value:
        return value
    if sys.stdin is None or sys.stdin.isatty():
        raise click.MissingParameter(
            ctx=ctx,
            param=param,
            message=f"Give a file, or pipe text in: cat page.txt | dedup {ctx.info_name}",
        )
    return ("-",)


def force_option(func: F) -> F:
    """Add ``--force`` (replace outputs that exist), received as ``force``."""
    return click.option("--force", is_flag=True, help="Replace outputs that exist.")(func)


def output_option(help: str, *, required: bool = False) -> Callable[[F], F]:
    """Add ``-o/--output``, received as ``output`` (``None`` when not given). No default is
    passed: click 8.3 and later take an explicit ``default=None`` as a value given, and a
    required ``-o`` would then never be missing."""
    return click.option("-o", "--output", required=required, metavar="OUT", help=help)


def input_options(func: F) -> F:
    """Add the shared input options; the command receives them as ``inputs: InputOptions``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = {name: kwargs.pop(name) for name in _INPUT_NAMES}
        if given["skip_invalid"] and given["rejects"] is None:
            raise click.UsageError(
                "--skip-invalid needs --rejects PATH, where the records set aside are kept"
            )
        inputs = InputOptions(
            field=given["field"],
            id_field=given["id_field"],
            input_format=cast("Format | None", given["input_format"]),
            glob=given["glob"],
            errors="replace" if given["errors"] == "replace" else "strict",
            skip_invalid=given["skip_invalid"],
            rejects=given["rejects"],
            max_record_bytes=given["max_record_bytes"],
        )
        return func(*args, inputs=inputs, **kwargs)

    wrapper = _with_options(
        wrapper,
        click.option(
            "--field",
            default="text",
            show_default=True,
            metavar="NAME",
            help="The text field of JSONL records, CSV/TSV rows (a column) and Parquet rows.",
        ),
        click.option(
            "--id-field",
            default="id",
            show_default=True,
            metavar="NAME",
            help="The field that names a record in reports (else FILE:LINE).",
        ),
        click.option(
            "--input-format",
            type=click.Choice(FORMATS),
            default=None,
            help="Read inputs as this format (default: from the file name; text for stdin).",
        ),
        click.option(
            "--glob",
            default="*",
            show_default=True,
            metavar="PATTERN",
            help="Files to read in directories (searched recursively).",
        ),
        click.option(
            "--errors",
            type=click.Choice(["strict", "replace"]),
            default="strict",
            show_default=True,
            help="Invalid UTF-8: stop with an error, or replace bad bytes with U+FFFD.",
        ),
        click.option(
            "--skip-invalid",
            is_flag=True,
            help="Set bad records aside (counted, and written to --rejects) instead of stopping.",
        ),
        click.option(
            "--rejects",
            type=click.Path(dir_okay=False),
            default=None,
            metavar="PATH",
            help="JSONL file for records set aside: source, line, error and the raw line.",
        ),
        click.option(
            "--max-record-bytes",
            type=ByteSize(),
            default=MAX_RECORD_BYTES,
            show_default="64M",
            metavar="SIZE",
            help="A longer record (JSON line, CSV row, text file, Parquet text) is not read: it "
            "is bad input, set aside with --skip-invalid (e.g. 500K, 256M, 2G; 0: no limit).",
        ),
    )
    return cast(F, wrapper)


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


class ByteSize(click.ParamType):  # type: ignore[type-arg]
    """A size in bytes: a number, with ``K``, ``M`` or ``G`` (powers of 1,024) after it."""

    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        match = re.fullmatch(r"\s*(\d+)\s*([KMG]?)i?B?\s*", str(value), flags=re.IGNORECASE)
        if match is None:
            self.fail(
                f"{value!r} is not a size: give bytes, or a number with K, M or G", param, ctx
            )
        return int(match.group(1)) * _UNITS[match.group(2).upper()]


def quiet_option(func: F) -> F:
    """Add ``-q/--quiet``."""
    return click.option(
        "-q",
        "--quiet",
        is_flag=True,
        help="No progress bar and no summary (errors are still shown).",
    )(func)


def run_options(func: F) -> F:
    """Add ``-j/--jobs`` and ``-q/--quiet``."""
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        metavar="N",
        help=f"Worker processes (default: all cores, here {_default_jobs()}).",
    )(quiet_option(func))


def format_option(help: str, choices: tuple[str, ...] = FORMATS) -> Callable[[F], F]:
    """Add ``--format`` (the output format), received as ``fmt``."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=None, help=help)


def repair_options(func: F) -> F:
    """Add the repair options; the command receives them as ``repair: RepairOptions`` (a
    value out of range is a :class:`~dedup.model.ConfigError`, exit status 2)."""

    @functools.wraps(func)
    def wrapper(
        *args: Any,
        min_chars: int,
        min_similarity: float,
        max_doc_chars: int,
        quotes: Quotes,
        **kwargs: Any,
    ) -> Any:
        repair = RepairOptions(
            min_chars=min_chars,
            min_similarity=min_similarity,
            max_doc_chars=max_doc_chars,
            quotes=quotes,
        )
        return func(*args, repair=repair, **kwargs)

    defaults = RepairOptions()
    wrapper = _with_options(
        wrapper,
        click.option(
            "--min-chars",
            type=int,
            default=defaults.min_chars,
            show_default=True,
            metavar="N",
            help="Shorter copies are natural repetition unless they follow each other.",
        ),
        click.option(
            "--min-similarity",
            type=float,
            default=defaults.min_similarity,
            show_default=True,
            metavar="X",
            help="Copies that align less than this (0..1) are not duplicates.",
        ),
        click.option(
            "--max-doc-chars",
            type=int,
            default=defaults.max_doc_chars,
            show_default=True,
            metavar="N",
            help="Longer documents are not searched for copies (dedup clean still normalises "
            "them; 0: no limit).",
        ),
        click.option(
            "--quotes",
            type=click.Choice(QUOTES),
            default=defaults.quotes,
            show_default=True,
            help="A reply's quote of a post under its label (Alice said:): keep it as natural "
            "repetition (unless it quotes 500 letters or more), or remove it (the post and the "
            "label stay).",
        ),
    )
    return cast(F, wrapper)


def _default_jobs() -> int:
    from dedup.engine import default_jobs  # the process pool: loaded by the commands that use it

    return default_jobs()


def normalize_options(func: F) -> F:
    """Add ``--keep-spaces``; the command receives ``normalize: NormalizeOptions``."""

    @functools.wraps(func)
    def wrapper(*args: Any, keep_spaces: bool, **kwargs: Any) -> Any:
        from dedup.normalize import NormalizeOptions  # the repair stage: loaded when it runs

        normalize = NormalizeOptions(collapse_spaces=not keep_spaces)
        return func(*args, normalize=normalize, **kwargs)

    return cast(
        F,
        click.option(
            "--keep-spaces",
            is_flag=True,
            help="Leave runs of spaces and spaces at line ends as they are (by default they "
            "become one space, or go; indented lines, such as code, keep theirs).",
        )(wrapper),
    )


def engine_options(func: F) -> F:
    """Add ``--engine local|ray`` and ``--address``, received as ``engine`` and ``address``
    (``--address`` only with ``--engine ray``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, engine: EngineName, address: str | None, **kwargs: Any) -> Any:
        if engine == "local" and address is not None:
            raise click.UsageError("--address goes with --engine ray")
        return func(*args, engine=engine, address=address, **kwargs)

    wrapper = _with_options(
        wrapper,
        click.option(
            "--engine",
            type=click.Choice(["local", "ray"]),
            default="local",
            show_default=True,
            help="Run on this machine's processes, or on Ray (Parquet/JSONL/CSV in, "
            "Parquet/JSONL out; -o a file or DIR/).",
        ),
        click.option(
            "--address",
            default=None,
            metavar="ADDR",
            help="With --engine ray: the cluster to join ('auto': the running one; default: "
            "start a local Ray).",
        ),
    )
    return cast(F, wrapper)


def job(kind: type[J]) -> Callable[[Callable[[J], None]], Callable[..., None]]:
    """Gather every argument the command receives into one ``kind`` record (keyword-only, its
    fields named as the arguments are) and call the command with it."""

    def decorate(func: Callable[[J], None]) -> Callable[..., None]:
        @functools.wraps(func)
        def wrapper(**kwargs: Any) -> None:
            func(kind(**kwargs))

        return wrapper

    return decorate
