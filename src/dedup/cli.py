"""The ``dedup`` command line: a thin shell over :mod:`dedup.io`, :mod:`dedup.engine` and the
public API.

Commands share their input options (``--field``, ``--errors``, ``--skip-invalid``, ...) and
run options (``-j``, ``--quiet``) through the :func:`input_options` and :func:`run_options`
decorators (:func:`quiet_option` alone for a command without worker processes, such as
``corpus``), so a new command reads records the same way with two lines.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import signal
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, TypeVar, cast

import click

from dedup import __version__
from dedup.corpus.cluster import KEEP_POLICIES, CorpusOptions, Keep
from dedup.corpus.command import run_corpus
from dedup.corpus.decide import INDEX_BATCH
from dedup.corpus.index import IndexLockedError
from dedup.engine import Engine, Failed, default_jobs
from dedup.io import (
    FORMATS,
    Compression,
    Format,
    Line,
    LineParser,
    OutputError,
    Prepared,
    Reader,
    Record,
    Reject,
    Source,
    Writer,
    atomic_output,
    detect_format,
    discover,
    json_line,
    output_name,
    prepare,
    write_jsonl_line,
)
from dedup.model import (
    Cleaned,
    ConfigError,
    DedupError,
    DuplicatePair,
    Edit,
    InputError,
    RepairOptions,
    apply_edits,
)
from dedup.pipeline import clean, warm_up
from dedup.spans import find_duplicates

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_TERMINATED",
    "InputOptions",
    "Run",
    "format_option",
    "input_options",
    "main",
    "quiet_option",
    "run_options",
]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INPUT = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

EXIT_CODES = """\b
Exit status:
  0    done (records set aside with --skip-invalid are counted in the summary)
  1    an output could not be written (it exists: pass --force), or a document
       made a stage fail
  2    bad input or usage: invalid UTF-8, a malformed JSON line, a missing
       field, a truncated gzip/zstd file, a bad option
  130  interrupted (Ctrl-C); no partial output is left behind
  143  terminated (SIGTERM); no partial output is left behind"""

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


class DocumentFailed(DedupError):
    """A stage raised on one document (exit status 1)."""


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    raise click.exceptions.Exit(code)


class _Terminated(BaseException):
    """SIGTERM, raised where the command runs so that every output is cleaned up."""


class _Signals:
    """Whether SIGTERM arrived during the command: the exception the handler raises can be
    swallowed where Python ignores exceptions (fork callbacks, finalisers), so the run also
    checks this flag as it goes."""

    terminated = False


def _on_sigterm(signum: int, frame: Any) -> None:
    _Signals.terminated = True
    raise _Terminated


def check_signals() -> None:
    """Raise if SIGTERM arrived (see :class:`_Signals`)."""
    if _Signals.terminated:
        raise _Terminated


def handle_errors(func: F) -> F:
    """Turn dedup's errors into a message on stderr and the documented exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        previous: Any = None
        _Signals.terminated = False
        with contextlib.suppress(ValueError):  # signals can be set in the main thread only
            previous = signal.signal(signal.SIGTERM, _on_sigterm)
        try:
            return func(*args, **kwargs)
        except _Terminated:
            _fail("terminated: no partial output was left behind", EXIT_TERMINATED)
        except (OutputError, DocumentFailed) as exc:
            _fail(str(exc), EXIT_FAILURE)
        except (InputError, ConfigError) as exc:
            _fail(str(exc), EXIT_INPUT)
        except IndexLockedError as exc:
            where = str(exc).split(" (lock", 1)[0]
            _fail(f"{where}: wait for that run to finish, then run again", EXIT_FAILURE)
        except DedupError as exc:
            _fail(str(exc), EXIT_FAILURE)
        except sqlite3.Error as exc:
            _fail(
                f"the index could not be written ({exc}): check the disk's free space; "
                "the batches committed before are kept",
                EXIT_FAILURE,
            )
        except KeyboardInterrupt:
            _fail("interrupted: no partial output was left behind", EXIT_INTERRUPTED)
        except BrokenProcessPool as exc:
            _fail(f"a worker process died ({exc}): try -j 1", EXIT_FAILURE)
        except BrokenPipeError:
            with contextlib.suppress(Exception):
                sys.stdout = None
            raise click.exceptions.Exit(EXIT_FAILURE) from None
        except OSError as exc:
            _fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "), EXIT_FAILURE)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        return None

    return cast(F, wrapper)


@dataclass(frozen=True, slots=True)
class InputOptions:
    """The input options every command shares (see :func:`input_options`)."""

    field: str = "text"
    id_field: str = "id"
    input_format: Format | None = None
    glob: str = "*"
    errors: str = "strict"
    skip_invalid: bool = False
    rejects: str | None = None


def input_options(func: F) -> F:
    """Add the shared input options; the command receives them as ``inputs: InputOptions``."""

    @functools.wraps(func)
    def wrapper(
        *args: Any,
        field: str,
        id_field: str,
        input_format: str | None,
        glob: str,
        errors: str,
        skip_invalid: bool,
        rejects: str | None,
        **kwargs: Any,
    ) -> Any:
        if skip_invalid and rejects is None:
            raise click.UsageError(
                "--skip-invalid needs --rejects PATH, where the records set aside are kept"
            )
        inputs = InputOptions(
            field,
            id_field,
            cast("Format | None", input_format),
            glob,
            errors,
            skip_invalid,
            rejects,
        )
        return func(*args, inputs=inputs, **kwargs)

    options = [
        click.option(
            "--field",
            default="text",
            show_default=True,
            metavar="NAME",
            help="The text field of JSONL records and Parquet rows.",
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
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return cast(F, wrapper)


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
        help=f"Worker processes (default: all cores, here {default_jobs()}).",
    )(quiet_option(func))


def format_option(help: str, choices: tuple[str, ...] = FORMATS) -> Callable[[F], F]:
    """Add ``--format`` (the output format), received as ``fmt``."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=None, help=help)


def repair_options(func: F) -> F:
    """Add the repair options that the command maps onto :class:`RepairOptions`."""
    defaults = RepairOptions()
    func = click.option(
        "--max-doc-chars",
        type=int,
        default=defaults.max_doc_chars,
        show_default=True,
        metavar="N",
        help="Longer documents are left as they are (0: no limit).",
    )(func)
    func = click.option(
        "--min-similarity",
        type=float,
        default=defaults.min_similarity,
        show_default=True,
        metavar="X",
        help="Copies that align less than this (0..1) are not duplicates.",
    )(func)
    return click.option(
        "--min-chars",
        type=int,
        default=defaults.min_chars,
        show_default=True,
        metavar="N",
        help="Shorter copies are natural repetition unless they follow each other.",
    )(func)


def _repair_options(min_chars: int, min_similarity: float, max_doc_chars: int) -> RepairOptions:
    return RepairOptions(
        min_chars=min_chars, min_similarity=min_similarity, max_doc_chars=max_doc_chars
    )


# Stage functions: module level so that they pickle to the worker processes.


def clean_document(text: str, repair_options: RepairOptions | None = None) -> Cleaned:
    """``clean(text, explain=True)``: what ``dedup clean`` runs on every document."""
    return clean(text, explain=True, repair_options=repair_options)


def _changed(before: str, after: str, edits: tuple[Edit, ...]) -> bool:
    """Whether a document counts as changed: its text differs, or an edit was made (a removal
    and a move can leave the same text)."""
    return after != before or bool(edits)


@dataclass(frozen=True, slots=True)
class CleanedRecord:
    """One document ``dedup clean`` has cleaned, as it comes back from a worker.

    The record keeps where it came from but not its text, fields or raw line: its output
    (:func:`dedup.io.prepare`) and its report line are made in the worker, so that the calling
    process only writes them.
    """

    record: Record
    chars_in: int
    chars_out: int
    changed: bool
    actions: tuple[str, ...]
    output: Prepared
    report: bytes | None


@dataclass(frozen=True, slots=True)
class Cleaning:
    """What ``dedup clean`` does to one item of a source, in a worker: parse it (a JSONL
    :class:`~dedup.io.Line`, with the source's ``parser``), clean it, and make its output in
    ``fmt`` and, with ``report``, its report line. A line that does not parse comes back as its
    :class:`~dedup.io.Reject`."""

    parser: LineParser
    fmt: Format
    report: bool = False
    repair_options: RepairOptions | None = None

    def __call__(self, item: Record | Line) -> CleanedRecord | Reject:
        record = self.parser(item) if isinstance(item, Line) else item
        if isinstance(record, Reject):
            return record
        result = clean_document(record.text, self.repair_options)
        return CleanedRecord(
            dataclasses.replace(record, text="", fields=None, raw=None),
            len(record.text),
            len(result.text),
            _changed(record.text, result.text, result.edits),
            tuple(edit.action for edit in result.edits),
            prepare(record, result.text, self.fmt, self.parser.field),
            json_line(_report_line(record, result)) if self.report else None,
        )


def _item_size(item: Record | Line) -> int:
    return len(item.data) if isinstance(item, Line) else len(item.text)


def find_in_document(text: str, options: RepairOptions | None = None) -> list[DuplicatePair]:
    """``find_duplicates(text)``: what ``dedup find`` runs on every document."""
    return find_duplicates(text, options)


def _stderr_is_terminal() -> bool:
    """Whether stderr is a terminal (the progress bar is drawn only then)."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass(slots=True)
class Stats:
    """Counters for the summary."""

    read: int = 0
    changed: int = 0
    skipped: int = 0
    replaced: int = 0
    over_cap: int = 0
    chars_in: int = 0
    chars_out: int = 0
    nbytes: int = 0
    edits: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.perf_counter)

    def count_read(self, record: Record) -> None:
        """Count a good record read."""
        self.read += 1
        self.nbytes += record.nbytes
        self.replaced += record.replaced

    def count_over_cap(self, chars: int, options: RepairOptions) -> None:
        """Count a document of ``chars`` characters longer than ``max_doc_chars``: it is not
        searched for copies."""
        self.over_cap += options.over_cap(chars)

    def count_output(
        self, chars_in: int, chars_out: int, changed: bool, actions: Iterable[str]
    ) -> None:
        """Count what a stage made of one document."""
        self.chars_in += chars_in
        self.chars_out += chars_out
        self.changed += changed
        self.edits.update(actions)

    def add(self, record: Record, text: str, edits: tuple[Edit, ...]) -> None:
        self.count_output(
            len(record.text),
            len(text),
            _changed(record.text, text, edits),
            (edit.action for edit in edits),
        )

    def add_cleaned(self, done: CleanedRecord, options: RepairOptions) -> None:
        """Count a document ``dedup clean`` read and cleaned."""
        self.count_read(done.record)
        self.count_output(done.chars_in, done.chars_out, done.changed, done.actions)
        self.count_over_cap(done.chars_in, options)

    def lines(self, command: str, jobs: int) -> list[str]:
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        mb = self.nbytes / 1e6
        changed = "with duplicate spans" if command == "find" else "changed"
        out = [
            f"dedup {command}: {self.read:,} document{'' if self.read == 1 else 's'} read, "
            f"{self.changed:,} {changed}, "
            f"{self.skipped:,} skipped"
            + (f" ({self.replaced:,} with invalid UTF-8 replaced)" if self.replaced else ""),
        ]
        if self.over_cap:
            what = "normalised only, not repaired" if command == "clean" else "not searched"
            out.append(
                f"{self.over_cap:,} document{'' if self.over_cap == 1 else 's'} over "
                f"--max-doc-chars: {what}"
            )
        if command == "clean":
            removed = self.chars_in - self.chars_out
            out.append(
                f"characters: {self.chars_in:,} in, {self.chars_out:,} out, {removed:,} removed"
            )
            kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(self.edits.items())) or "none"
            out.append(f"edits: {kinds}")
        out.append(f"{mb:,.1f} MB in {elapsed:.2f} s: {mb / elapsed:,.2f} MB/s with -j {jobs}")
        return out


class Run:
    """What a command shares while it reads: inputs, the rejects file, progress and counters.

    ``records(source)`` yields the good records of one source; bad ones stop the run with an
    :class:`InputError` (exit status 2), or with ``--skip-invalid`` are counted and written to
    ``--rejects``.
    """

    def __init__(
        self,
        inputs: InputOptions,
        sources: list[Source],
        stack: contextlib.ExitStack,
        *,
        quiet: bool,
        force: bool = False,
    ) -> None:
        self.inputs = inputs
        self.sources = sources
        self.stats = Stats()
        self.quiet = quiet
        self._rejects: IO[bytes] | None = None
        if inputs.rejects is not None:
            rejects = Path(inputs.rejects)
            if rejects.exists() and not force:
                raise OutputError(f"{rejects} exists: remove it, or choose another --rejects path")
            self._rejects = stack.enter_context(atomic_output(rejects, force=True))
        self._stdin = sys.stdin.buffer
        self._done_bytes = 0
        self._reader: Reader | None = None
        self._refreshed = 0.0
        self._progress = self._start_progress(stack)

    def _start_progress(self, stack: contextlib.ExitStack) -> Any:
        if self.quiet or not _stderr_is_terminal():
            return None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        sizes = [s.size for s in self.sources]
        total = None if any(s is None for s in sizes) else sum(s or 0 for s in sizes)
        progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr, force_terminal=True),
            transient=True,
            auto_refresh=False,  # refreshed from advance(): no thread, so workers can fork
        )
        stack.enter_context(progress)
        self._task = progress.add_task("dedup", total=total)
        return progress

    def reader(self, source: Source, *, lazy: bool = False) -> Reader:
        """A reader of ``source`` with the shared input options (``lazy``: see
        :class:`~dedup.io.Reader`)."""
        if self._reader is not None and self._reader.source.size:
            self._done_bytes += self._reader.source.size or 0
        errors: Literal["strict", "replace"] = (
            "replace" if self.inputs.errors == "replace" else "strict"
        )
        self._reader = Reader(
            source,
            field=self.inputs.field,
            id_field=self.inputs.id_field,
            errors=errors,
            stdin=self._stdin,
            lazy=lazy,
        )
        return self._reader

    def _admitted(self, reader: Reader) -> Iterator[Record | Line]:
        """What ``reader`` yields, rejects raised or set aside."""
        for item in reader:
            check_signals()
            if isinstance(item, Reject):
                self.reject(item)
                continue
            yield item

    def records(self, reader: Reader) -> Iterator[Record]:
        """The good records of ``reader`` (a lazy reader's lines parsed here), counted in the
        summary; rejects are raised or set aside."""
        for item in self._admitted(reader):
            record = reader.parser(item) if isinstance(item, Line) else item
            if isinstance(record, Reject):
                self.reject(record)
                continue
            self.stats.count_read(record)
            yield record

    def reject(self, reject: Reject) -> None:
        """Stop on ``reject`` (exit status 2), or set it aside with ``--skip-invalid``."""
        if not self.inputs.skip_invalid or self._rejects is None:
            raise InputError(reject.error)
        self.stats.skipped += 1
        write_jsonl_line(self._rejects, reject.to_dict())

    def results(
        self, reader: Reader, engine: Engine, stage: Callable[[str], T], name: str
    ) -> Iterator[tuple[Record, T]]:
        """Each good record of ``reader`` with ``stage`` of its text, in order; a record the
        stage fails on is handled by :meth:`failed` and not yielded."""
        items = ((r, r.text) for r in self.records(reader))
        for record, result in engine.map(stage, items, size=len, catch=True):
            if isinstance(result, Failed):
                self.stats.read -= 1
                self.failed(record, result, name)
                continue
            yield record, result

    def cleaned(self, reader: Reader, engine: Engine, stage: Cleaning) -> Iterator[CleanedRecord]:
        """``stage`` over every item of ``reader``, in order, counted in the summary. A lazy
        reader's lines are parsed by ``stage``, in the workers; one that does not parse is
        handled as :meth:`records` handles a bad record, when its turn comes."""

        items = ((item, item) for item in self._admitted(reader))
        for item, result in engine.map(stage, items, size=_item_size, catch=True):
            if isinstance(result, Failed):
                self.failed(item, result, "clean")
            elif isinstance(result, Reject):
                self.reject(result)
            else:
                yield result

    def failed(self, item: Record | Line, failure: Failed, stage: str) -> None:
        """A stage raised on ``item``: stop (exit status 1), or set it aside."""
        message = (
            f"{item.location}: {stage} failed on this document ({failure}): pass "
            "--skip-invalid to set such documents aside, and please report it"
        )
        if not self.inputs.skip_invalid or self._rejects is None:
            raise DocumentFailed(message)
        if isinstance(item, Line):
            line, raw = item.number, item.data
        else:
            fields = item.fields if item.fields is not None else {"text": item.text}
            line = item.line
            raw = json.dumps(fields, ensure_ascii=False, default=str).encode("utf-8", "replace")
        self.stats.skipped += 1
        write_jsonl_line(self._rejects, Reject(item.source, line, message, raw).to_dict())

    def advance(self, record: Record) -> None:
        """Move the progress bar to the end of ``record`` (written or shown)."""
        check_signals()
        if self._progress is None or self._reader is None:
            return
        if self._reader.source.compression is None:
            position = record.position
        else:  # the bar counts compressed bytes: where the reader is in the file
            position = self._reader.tell()
        self._progress.update(self._task, completed=self._done_bytes + position)
        now = time.monotonic()
        if now - self._refreshed >= 0.1:
            self._refreshed = now
            self._progress.refresh()

    def summary(self, command: str, jobs: int) -> None:
        """Print the summary on stderr (unless ``--quiet``)."""
        if not self.quiet:
            for line in self.stats.lines(command, jobs):
                click.echo(line, err=True)


@dataclass(frozen=True, slots=True)
class _Target:
    source: Source
    path: Path | None  # None: stdout
    format: Format
    compression: Compression | None
    mode_from: Path | None = None


def _plan(
    sources: list[Source],
    output: str | None,
    fmt: Format | None,
    in_place: bool,
    force: bool,
    directory_input: bool,
) -> list[_Target]:
    """Where each source's output goes; every refusal happens here, before any work."""
    if not sources:
        raise InputError("no input files found: check the paths and --glob")
    if in_place:
        if output is not None:
            raise ConfigError("--in-place rewrites the inputs: drop -o/--output")
        if fmt is not None:
            raise ConfigError("--in-place keeps each file's format: drop --format")
        if any(s.path is None for s in sources):
            raise ConfigError("--in-place cannot rewrite stdin: write to stdout instead")
        return [
            _Target(s, s.path, s.format, s.compression, mode_from=s.path)
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
        return [_Target(s, None, out_fmt, None) for s in sources]
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
        targets = [_Target(source, out, out_fmt, compression)]
    else:
        if any(s.path is None for s in sources):
            raise ConfigError("stdin cannot be mixed with files: write it to one file with -o")
        targets = []
        for s in sources:
            out_fmt = fmt or s.format
            compression = s.compression if out_fmt != "parquet" else None
            targets.append(
                _Target(
                    s, out / output_name(s.relative, out_fmt, compression), out_fmt, compression
                )
            )
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
        if target.path.exists() and not force:
            raise OutputError(f"{target.path} exists: pass --force to replace it")
    return targets


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES)
@click.version_option(__version__, "-V", "--version", prog_name="dedup")
def main() -> None:
    """Repair scraped text and deduplicate corpora.

    \b
    Example:
      dedup clean page.txt                  # the repaired text on stdout
      dedup clean crawl.jsonl.zst -o clean.jsonl.zst --report edits.jsonl
    """


@main.command(name="clean", epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "-o",
    "--output",
    default=None,
    metavar="OUT",
    help="Output file or directory ('-': stdout, the default for one input).",
)
@format_option("Output format (default: the input's, or the output name's).")
@click.option("--force", is_flag=True, help="Replace outputs that exist.")
@click.option("--in-place", is_flag=True, help="Rewrite each input file (atomically).")
@click.option(
    "--report",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="PATH",
    help="JSONL sidecar: one line per document, its id and its edits.",
)
@repair_options
@input_options
@run_options
@handle_errors
def clean_command(
    paths: tuple[str, ...],
    output: str | None,
    fmt: str | None,
    force: bool,
    in_place: bool,
    report: str | None,
    min_chars: int,
    min_similarity: float,
    max_doc_chars: int,
    inputs: InputOptions,
    jobs: int | None,
    quiet: bool,
) -> None:
    """Repair documents: remove doubled bodies, teasers and repeated paragraphs, fix mojibake.

    PATH is a text file (one document), a directory (mirrored into -o DIR), a JSONL file
    (.jsonl, .jsonl.gz, .jsonl.zst: every field kept, in order, the text field replaced), a
    Parquet file (schema kept), or '-' for stdin. Records keep their input order.

    \b
    Example:
      dedup clean page.txt > page.clean.txt
      dedup clean crawl.jsonl.gz -o clean.jsonl.gz --report edits.jsonl -j 4
      dedup clean pages/ --glob '*.txt' -o clean/
      cat page.txt | dedup clean - > page.clean.txt
    """
    options = _repair_options(min_chars, min_similarity, max_doc_chars)
    exclude = Path(output) if output not in (None, "-") else None
    sources = discover(paths, glob=inputs.glob, input_format=inputs.input_format, exclude=exclude)
    directory_input = any(Path(p).is_dir() for p in paths if p != "-")
    targets = _plan(sources, output, cast("Format | None", fmt), in_place, force, directory_input)
    for name, path in (("--report", report), ("--rejects", inputs.rejects)):
        if path == "-":
            raise ConfigError(f"{name} needs a file path: '-' (stdout) carries the output")
    if report is not None and Path(report).exists() and not force:
        raise OutputError(f"{report} exists: pass --force to replace it")
    jobs = jobs or default_jobs()
    stdout = sys.stdout.buffer
    with contextlib.ExitStack() as stack:
        run = Run(inputs, sources, stack, quiet=quiet, force=force)
        report_file = (
            stack.enter_context(atomic_output(Path(report), force=force)) if report else None
        )
        engine = stack.enter_context(Engine(jobs, warm_up=warm_up))
        shared: Writer | None = None
        for target in targets:
            reader = run.reader(target.source, lazy=True)
            stage = Cleaning(reader.parser, target.format, report_file is not None, options)
            if target.path is None:
                if shared is None:
                    shared = Writer(None, target.format, None, field=inputs.field, stdout=stdout)
                    stack.enter_context(shared)
                writer = shared
                scope: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
            else:
                writer = Writer(
                    target.path,
                    target.format,
                    target.compression,
                    field=inputs.field,
                    force=force or in_place,
                    mode_from=target.mode_from,
                )
                scope = writer
            with scope:
                for done in run.cleaned(reader, engine, stage):
                    if writer.schema is None and reader.schema is not None:
                        writer.schema = reader.schema
                    writer.put(done.output)
                    run.stats.add_cleaned(done, options)
                    if done.report is not None and report_file is not None:
                        report_file.write(done.report)
                    run.advance(done.record)
                if writer.schema is None and reader.schema is not None:
                    writer.schema = reader.schema
                check_signals()
    run.summary("clean", jobs)


def _report_line(record: Record, result: Cleaned) -> dict[str, Any]:
    return {
        "id": record.id,
        "source": record.location,
        "changed": result.text != record.text,
        "edits": [
            {"stage": stage.name, **edit.to_dict()}
            for stage in result.stages
            for edit in stage.edits
        ],
    }


@main.command(name="find", epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, required=True, metavar="FILE...")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one duplicate pair a line.")
@repair_options
@input_options
@run_options
@handle_errors
def find_command(
    paths: tuple[str, ...],
    as_json: bool,
    min_chars: int,
    min_similarity: float,
    max_doc_chars: int,
    inputs: InputOptions,
    jobs: int | None,
    quiet: bool,
) -> None:
    """Show the near-duplicate spans inside each document: a table, or --json lines.

    Each pair gives the first and second copy as [start, end) character offsets, the share of
    characters that align, and the kind (flattened, adjacent, teaser, distant).

    \b
    Example:
      dedup find page.txt
      dedup find crawl.jsonl --json | jq 'select(.score > 0.9)'
    """
    options = _repair_options(min_chars, min_similarity, max_doc_chars)
    sources = discover(paths, glob=inputs.glob, input_format=inputs.input_format)
    if not sources:
        raise InputError("no input files found: check the paths and --glob")
    jobs = jobs or default_jobs()
    stage = functools.partial(find_in_document, options=options)
    pairs_total = 0
    with contextlib.ExitStack() as stack:
        run = Run(inputs, sources, stack, quiet=quiet)
        engine = stack.enter_context(Engine(jobs, warm_up=warm_up))
        for source in sources:
            for record, result in run.results(run.reader(source), engine, stage, "find"):
                pairs_total += len(result)
                run.stats.changed += bool(result)
                run.stats.count_over_cap(len(record.text), options)
                if as_json:
                    for pair in result:
                        click.echo(json.dumps(_pair_dict(record, pair), ensure_ascii=False))
                elif result:
                    _print_pairs(record, result)
                run.advance(record)
    if not as_json and not pairs_total:
        click.echo("No duplicate spans found.")
    if not quiet:
        click.echo(f"{pairs_total:,} duplicate pairs", err=True)
    run.summary("find", jobs)


def _pair_dict(record: Record, pair: DuplicatePair) -> dict[str, Any]:
    return {
        "id": record.id,
        "source": record.location,
        "first": [pair.first.start, pair.first.end],
        "second": [pair.second.start, pair.second.end],
        "score": round(pair.score, 4),
        "kind": pair.kind,
    }


def _title(record: Record) -> str:
    """A record's id, with its location when that says more (JSONL and Parquet)."""
    plain = record.fields is None or record.id == record.location
    return record.id if plain else f"{record.id} ({record.location})"


def _excerpt(text: str, width: int = 48) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "\N{HORIZONTAL ELLIPSIS}"


def _print_pairs(record: Record, pairs: list[DuplicatePair]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=_title(record), title_justify="left")
    for name, justify in (
        ("first", "right"),
        ("second", "right"),
        ("chars", "right"),
        ("score", "right"),
        ("kind", "left"),
        ("second copy begins", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for pair in pairs:
        table.add_row(
            f"{pair.first.start}-{pair.first.end}",
            f"{pair.second.start}-{pair.second.end}",
            f"{len(pair.second):,}",
            f"{pair.score:.3f}",
            pair.kind,
            _excerpt(record.text[pair.second.start : pair.second.end]),
        )
    stdout = sys.stdout
    Console(file=stdout, width=None if stdout.isatty() else 120).print(table)


_STYLE = {
    "remove": {"fg": "red", "strikethrough": True},
    "move": {"fg": "green"},
    "fix": {"fg": "yellow"},
    "split": {"fg": "cyan"},
}
_VISIBLE = str.maketrans(
    {
        "\n": "\N{DOWNWARDS ARROW WITH CORNER LEFTWARDS}\n",
        " ": "\N{MIDDLE DOT}",
        "\t": "\N{RIGHTWARDS ARROW}",
        "\u00a0": "\N{OPEN BOX}",
    }
)


def _visible(text: str) -> str:
    """White space made visible when a change is only white space."""
    return text.translate(_VISIBLE) if text and not text.strip() else text


def _to_word_end(text: str, at: int) -> str:
    """``text[:at]``, extended to the end of the word it cuts (within what ``text`` holds)."""
    for end in range(at, len(text)):
        if text[end].isspace():
            return text[:end]
    return text[:at]


def _to_word_start(text: str, at: int) -> str:
    """``text[at:]``, started at the next word if ``at`` cuts one (within what ``text`` holds)."""
    for start in range(at, 0, -1):
        if text[start - 1].isspace():
            return text[start:]
    return text[at:]


def _shorten(text: str, context: int, *, head: bool = True, tail: bool = True) -> str:
    """``text`` with its middle elided when longer than ``2 * context`` (``context < 0``: never)."""
    if context < 0 or len(text) <= 2 * context + 40:
        return text
    keep_head = _to_word_end(text[: context + 20], context) if head else ""
    keep_tail = _to_word_start(text[len(text) - context - 20 :], 20) if tail else ""
    hidden = len(text) - len(keep_head) - len(keep_tail)
    marker = click.style(
        f"[\N{HORIZONTAL ELLIPSIS} {hidden:,} characters \N{HORIZONTAL ELLIPSIS}]", dim=True
    )
    return f"{keep_head}{marker}{keep_tail}"


def render_edits(text: str, edits: tuple[Edit, ...], *, context: int = 200) -> str:
    """``text`` with ``edits`` marked: ``[-removed-]`` and ``{+inserted+}``, styled by action
    (remove red, move green, fix yellow, split cyan), each removal and move followed by its
    reason. Unchanged stretches longer than ``2 * context`` characters are elided
    (``context < 0`` shows everything). Styles are ANSI codes that ``click.echo`` strips when
    colour is off; the markers stay.
    """
    out: list[str] = []
    pos = 0
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for index, edit in enumerate(ordered):
        before = text[pos : edit.start]
        out.append(_shorten(before, context, head=index > 0))
        style = _STYLE.get(edit.action, {})
        removed = text[edit.start : edit.end]
        if removed:
            body = _shorten(_visible(removed), context)
            out.append(click.style(f"[-{body}-]", **style))  # type: ignore[arg-type]
        if edit.replacement:
            body = _shorten(_visible(edit.replacement), context)
            out.append(click.style(f"{{+{body}+}}", **style))  # type: ignore[arg-type]
        if edit.action in ("remove", "move"):
            kept = "" if edit.kept is None else f", kept {edit.kept.start}-{edit.kept.end}"
            note = (
                f"\N{LEFT-POINTING DOUBLE ANGLE QUOTATION MARK}{edit.action}: {edit.reason}, "
                f"score {edit.score:.2f}{kept}\N{RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK}"
            )
            out.append(click.style(note, dim=True))
        pos = max(pos, edit.end)
    out.append(_shorten(text[pos:], context, tail=False))
    return "".join(out)


@main.command(name="diff", epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "--color/--no-color",
    "color",
    default=None,
    help="Colour the changes (default: when stdout is a terminal).",
)
@click.option(
    "--context",
    type=int,
    default=200,
    show_default=True,
    metavar="N",
    help="Characters of unchanged text shown around each change (-1: all).",
)
@repair_options
@input_options
@run_options
@handle_errors
def diff_command(
    paths: tuple[str, ...],
    color: bool | None,
    context: int,
    min_chars: int,
    min_similarity: float,
    max_doc_chars: int,
    inputs: InputOptions,
    jobs: int | None,
    quiet: bool,
) -> None:
    """Show what clean would remove, move and fix in each document, stage by stage.

    Removed text is shown as [-...-] (red), inserted text as {+...+} (green for content moved
    from a removed copy, yellow for fixes, cyan for split sentences), each removal and move
    followed by its reason and score. Offsets and text are those of each stage's input.
    Nothing is written.

    \b
    Example:
      dedup diff page.txt | less -R
      dedup diff crawl.jsonl --no-color --context 80 > review.txt
    """
    options = _repair_options(min_chars, min_similarity, max_doc_chars)
    sources = discover(paths, glob=inputs.glob, input_format=inputs.input_format)
    if not sources:
        raise InputError("no input files found: check the paths and --glob")
    jobs = jobs or default_jobs()
    stage = functools.partial(clean_document, repair_options=options)
    with contextlib.ExitStack() as stack:
        run = Run(inputs, sources, stack, quiet=quiet)
        engine = stack.enter_context(Engine(jobs, warm_up=warm_up))
        for source in sources:
            for record, result in run.results(run.reader(source), engine, stage, "clean"):
                run.stats.add(record, result.text, result.edits)
                _print_diff(record, result, context, color)
                run.advance(record)
    run.summary("diff", jobs)


def _print_diff(record: Record, result: Cleaned, context: int, color: bool | None) -> None:
    click.echo(click.style(f"=== {_title(record)}", bold=True), color=color)
    if not result.edits:
        click.echo("no changes", color=color)
        return
    text = record.text
    for stage in result.stages:
        if stage.edits:
            count = len(stage.edits)
            header = f"--- {stage.name}: {count} edit{'s' if count != 1 else ''}"
            click.echo(click.style(header, bold=True), color=color)
            click.echo(render_edits(text, stage.edits, context=context), color=color)
        text = apply_edits(text, stage.edits)


@main.command(name="corpus", epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, required=True, metavar="IN...")
@click.option("-o", "--output", required=True, metavar="OUT", help="Output file ('-': stdout).")
@format_option(
    "Format of OUT and --dropped (default: from their names; JSONL for stdout).",
    choices=("jsonl", "parquet"),
)
@click.option(
    "--threshold",
    type=float,
    default=CorpusOptions().threshold,
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
    help="SQLite index of earlier runs: what it has seen is dropped, and this run is added.",
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
@click.option("--force", is_flag=True, help="Replace outputs that exist.")
@input_options
@quiet_option
@handle_errors
def corpus_command(
    paths: tuple[str, ...],
    output: str,
    fmt: str | None,
    threshold: float,
    keep: str,
    index_path: str | None,
    boilerplate: bool,
    mark: bool,
    dropped: str | None,
    url_field: str,
    index_batch: int,
    force: bool,
    inputs: InputOptions,
    quiet: bool,
) -> None:
    """Remove duplicate documents across a corpus: exact and near-duplicates.

    Reads every record of IN... (JSONL, JSONL.gz/.zst, Parquet, text files, directories, '-'
    for stdin), clusters them, and writes to OUT the record each cluster keeps, in input order
    (the others go to --dropped). Two records are duplicates when they have the same words, or
    when the smaller one's 5-word shingles lie inside the larger at least --threshold (the same
    article alone and inside the whole page around it).

    \b
    Example:
      dedup corpus crawl.jsonl -o unique.jsonl --dropped dups.jsonl
      dedup corpus day2.jsonl.zst -o new.jsonl --index seen.db --keep best
      dedup corpus pages.parquet -o marked.parquet --mark --boilerplate
      dedup corpus crawl/ --glob '*.jsonl.gz' -o unique.jsonl --skip-invalid --rejects bad.jsonl
    """
    run_corpus(
        paths,
        output,
        inputs=inputs,
        fmt=cast("Format | None", fmt),
        options=CorpusOptions(threshold=threshold, keep=cast("Keep", keep)),
        index_path=index_path,
        boilerplate=boilerplate,
        mark=mark,
        dropped=dropped,
        url_field=url_field,
        index_batch=index_batch,
        force=force,
        quiet=quiet,
    )


from dedup.ray import add_engine_option  # noqa: E402 - ``--engine ray`` (imports Ray only to run)

add_engine_option(clean_command, "clean")
add_engine_option(corpus_command, "corpus")
