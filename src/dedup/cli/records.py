"""Where a command's records come from: its inputs, read with the shared input options.

A :class:`RecordSource` reads each input, counts what it reads, and applies the failure
policy: a bad record (malformed JSON, a missing field, invalid UTF-8) or a document a stage
fails on stops the run (:class:`~dedup.model.InputError`, exit status 2, or
:class:`~dedup.cli.session.DocumentFailed`, exit status 1), or with ``--skip-invalid`` is
counted and written to ``--rejects``, nothing lost. A file rewritten in place keeps what was
set aside where it was, as it was read (:class:`PutBack`). It moves the progress bar as
records are done.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, TypeVar, cast

from dedup.cli.options import InputOptions
from dedup.cli.progress import Progress
from dedup.cli.session import DocumentFailed, check_signals, describe
from dedup.cli.stages import CleanedRecord, Cleaning, item_size
from dedup.io import Encoded, Line, Reader, Record, Reject, Source, encode, write_jsonl_line
from dedup.model import DedupError, InputError, RepairOptions

if TYPE_CHECKING:
    from dedup.engine import Engine, Failed

__all__ = ["Counts", "PutBack", "RecordSource"]

T = TypeVar("T")
# What a reader yields: a record, a JSON line to parse, or what could not be read.
Item = Record | Line | Reject


@dataclass(slots=True)
class Counts:
    """What a run read and made, for its summary."""

    read: int = 0
    changed: int = 0
    skipped: int = 0
    put_back: int = 0
    replaced: int = 0
    no_text: int = 0
    over_cap: int = 0
    html: int = 0
    html_first: str = ""
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
        self.no_text += record.no_text

    def count_over_cap(self, chars: int, options: RepairOptions) -> None:
        """Count a document of ``chars`` characters longer than ``max_doc_chars``: it is not
        searched for copies."""
        self.over_cap += options.over_cap(chars)

    def count_output(
        self, chars_in: int, chars_out: int, changed: bool, actions: Sequence[str]
    ) -> None:
        """Count what a stage made of one document."""
        self.chars_in += chars_in
        self.chars_out += chars_out
        self.changed += changed
        self.edits.update(actions)

    def count_cleaned(self, done: CleanedRecord, options: RepairOptions) -> None:
        """Count a document ``dedup clean`` read and cleaned."""
        self.count_read(done.record)
        self.count_output(done.chars_in, done.chars_out, done.changed, done.actions)
        self.count_over_cap(done.chars_in, options)
        if done.html:
            self.html += 1
            self.html_first = self.html_first or done.record.location

    def elapsed(self) -> float:
        """Seconds since the run started (never zero)."""
        return max(time.perf_counter() - self.started, 1e-9)


@dataclass(frozen=True, slots=True)
class PutBack:
    """An item set aside (``--skip-invalid``) that a file rewritten in place keeps at its place:
    ``output`` is what its writer writes, the line's bytes as read (a JSONL line), or the row as
    read (a Parquet row a stage failed on)."""

    output: Encoded


class RecordSource:
    """The records of a command's inputs, with the shared input options, its counts, its
    rejects file (``rejects``: open, or ``None``) and its progress bar.

    ``records(reader)`` yields the good records of one source; bad ones stop the run with an
    :class:`InputError` (exit status 2), or with ``--skip-invalid`` are counted and written to
    ``--rejects``.
    """

    def __init__(
        self,
        inputs: InputOptions,
        *,
        rejects: IO[bytes] | None,
        progress: Progress,
        stdin: IO[bytes] | None = None,
    ) -> None:
        self.inputs = inputs
        self.counts = Counts()
        self.progress = progress
        self._rejects = rejects
        self._stdin = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)

    def reader(self, source: Source, *, lazy: bool = False) -> Reader:
        """A reader of ``source`` with the shared input options (``lazy``: see
        :class:`~dedup.io.Reader`), the one the progress bar follows from now on."""
        reader = self._open(source, lazy=lazy)
        self.progress.reading(reader)
        return reader

    def _open(self, source: Source, *, lazy: bool) -> Reader:
        return Reader(
            source,
            field=self.inputs.field,
            id_field=self.inputs.id_field,
            errors=self.inputs.errors,
            stdin=self._stdin,
            lazy=lazy,
            max_record_bytes=self.inputs.max_record_bytes,
        )

    def _admitted(self, reader: Reader, *, put_back: bool = False) -> Iterator[Record | Line]:
        """What ``reader`` yields, rejects raised or set aside. With ``put_back`` a reject found
        as the file is read (a line over ``--max-record-bytes``, never held; a Parquet row that
        does not decode) cannot be written back as it was: it stops the run."""
        for item in reader:
            check_signals()
            if isinstance(item, Reject):
                if put_back and self.inputs.skip_invalid:
                    raise _not_put_back(item)
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
            self.counts.count_read(record)
            yield record

    def reject(self, reject: Reject) -> None:
        """Stop on ``reject`` (exit status 2), or set it aside with ``--skip-invalid``."""
        if not self.inputs.skip_invalid or self._rejects is None:
            raise reject.error
        self.counts.skipped += 1
        write_jsonl_line(self._rejects, reject.to_dict(describe(reject.error)))

    def results(
        self, sources: Sequence[Source], engine: Engine, stage: Callable[[str], T], name: str
    ) -> Iterator[tuple[Record, T]]:
        """Each good record of ``sources`` with ``stage`` of its text, in order, the sources
        read as one stream of the engine (a folder of text files holds a document a file: a
        file at a time, each would fit one of the engine's chunks and run in this process;
        together they fill the chunks of a pool). A record the stage fails on is handled by
        :meth:`failed` and not yielded; a bad record is raised or set aside, and a source that
        cannot be read stops the run, each at its turn, after the records before it."""
        from dedup.engine import Failed  # the process pool: loaded by the commands that use it

        readers: list[Reader] = []
        stopped: list[tuple[int, DedupError]] = []

        def items() -> Iterator[tuple[tuple[int, Record | Reject], str | None]]:
            for index, item in self._in_turn(sources, readers, stopped, lazy=False):
                assert not isinstance(item, Line)  # (not a lazy reader)
                text = item.text if isinstance(item, Record) and not item.no_text else None
                yield (index, item), text

        following = -1  # the source whose reader the progress bar follows
        work = functools.partial(_with_text, stage)
        for (index, item), result in engine.map(work, items(), size=_text_size, catch=True):
            if index != following:
                self.progress.reading(readers[index])
                following = index
            if isinstance(item, Reject):
                self.reject(item)
                continue
            self.counts.count_read(item)
            if item.no_text:
                continue
            if isinstance(result, Failed):
                self.counts.read -= 1
                self.failed(item, result, name)
                continue
            yield item, cast("T", result)  # (a record with text: the stage's result)
        if stopped:
            raise stopped[0][1]

    def cleaned(
        self, reader: Reader, engine: Engine, stage: Cleaning, *, put_back: bool = False
    ) -> Iterator[CleanedRecord | PutBack]:
        """``stage`` over every item of ``reader``, in order. A lazy reader's lines are parsed
        by ``stage``, in the workers; one that does not parse is handled as :meth:`records`
        handles a bad record, when its turn comes.

        With ``put_back`` (a file rewritten in place) an item set aside is also yielded, at its
        place, as a :class:`PutBack` of what it was: nothing the run did not change leaves the
        file. One that cannot be written back as it was stops the run (see :meth:`_admitted`).
        """
        from dedup.engine import Failed

        items = ((item, item) for item in self._admitted(reader, put_back=put_back))
        for item, result in engine.map(stage, items, size=item_size, catch=True):
            if isinstance(result, Failed):
                self.failed(item, result, "clean")
                if put_back:
                    self.counts.put_back += 1
                    yield PutBack(_as_read(item, stage))
            elif isinstance(result, Reject):
                self.reject(result)
                if put_back:
                    self.counts.put_back += 1
                    yield PutBack(result.raw)  # the line as read, its end of line and all
            else:
                yield result

    def cleaned_together(
        self, sources: Sequence[Source], engine: Engine, stage: Callable[[Reader], Cleaning]
    ) -> Iterator[Iterator[CleanedRecord]]:
        """The stage (made by ``stage`` from the first source's reader) over every item of
        ``sources``, as one stream of the engine: for each source in order, an iterator over its
        cleaned records, each to be read to its end before the next (what a caller leaves of
        one is skipped). A folder of text files holds a document a file: cleaned a file at a
        time, each file would fit one of the engine's chunks and run in this process; together
        they fill the chunks of a pool. An item set aside as it is read goes through the stream
        as well (the stage gives it back), so that it is handled at its place, after the files
        before it, as :meth:`cleaned` handles it. The sources share the stage: text files, whose
        readers give records, not lines to parse.
        """
        from dedup.engine import Failed

        readers = [self._open(sources[0], lazy=True)]  # (opens no file yet)
        stopped: list[tuple[int, DedupError]] = []
        items = (
            ((index, item), item)
            for index, item in self._in_turn(sources, readers, stopped, lazy=True)
        )
        results = engine.map(stage(readers[0]), items, size=item_size, catch=True)
        ahead: list[tuple[tuple[int, Item], CleanedRecord | Reject | Failed]] = []

        def group(index: int) -> Iterator[CleanedRecord]:
            followed = False  # whether the progress bar follows this source's reader yet
            while True:
                if not ahead:
                    following = next(results, None)
                    if following is None:
                        if stopped and stopped[0][0] == index:
                            raise stopped[0][1]
                        return
                    ahead.append(following)
                (at, item), result = ahead[0]
                if at > index:
                    return
                ahead.clear()
                if at < index:
                    continue
                if not followed:
                    self.progress.reading(readers[index])
                    followed = True
                if isinstance(item, Reject):
                    self.reject(item)  # (set aside as it was read: the stage gave it back)
                elif isinstance(result, Failed):
                    self.failed(item, result, "clean")
                elif isinstance(result, Reject):
                    self.reject(result)
                else:
                    yield result

        for index in range(len(sources)):
            yield group(index)

    def _in_turn(
        self,
        sources: Sequence[Source],
        readers: list[Reader],
        stopped: list[tuple[int, DedupError]],
        *,
        lazy: bool,
    ) -> Iterator[tuple[int, Item]]:
        """Every item of ``sources``, in order, with the index of its source, each source's
        reader opened in its turn and added to ``readers`` (unless it is there already). A
        source that cannot be read (not opened, a compressed stream cut short) ends the stream
        there: its error goes to ``stopped``, for the caller to raise at the source's turn,
        after the items before it, as when each file is read in its turn."""
        for index, source in enumerate(sources):
            if index == len(readers):
                readers.append(self._open(source, lazy=lazy))
            try:
                for item in readers[index]:
                    check_signals()
                    yield index, item
            except DedupError as error:
                stopped.append((index, error))
                return

    def failed(self, item: Record | Line, failure: Failed, stage: str) -> None:
        """A stage raised on ``item``: stop (exit status 1), or set it aside."""
        error = DocumentFailed(
            f"{item.location}: {stage} failed on this document ({failure})",
            hint="pass --skip-invalid to set such documents aside, and please report it",
            reason="stage-failed",
            path=item.source,
            line=item.number if isinstance(item, Line) else item.line,
        )
        if not self.inputs.skip_invalid or self._rejects is None:
            raise error
        if isinstance(item, Line):
            line, raw = item.number, item.data
        else:
            fields = item.fields if item.fields is not None else {"text": item.text}
            line = item.line
            raw = json.dumps(fields, ensure_ascii=False, default=str).encode("utf-8", "replace")
        self.counts.skipped += 1
        reject = Reject(source=item.source, line=line, error=error, raw=raw)
        write_jsonl_line(self._rejects, reject.to_dict())

    def advance(self, record: Record) -> None:
        """One record is done (written or shown): move the progress bar to its end."""
        check_signals()
        self.progress.advance(record)


def _with_text(stage: Callable[[str], T], text: str | None) -> T | None:
    """``stage`` of ``text``, or nothing for an item without one (a bad record, a record
    whose text is null): what :meth:`RecordSource.results` gives the engine."""
    return None if text is None else stage(text)


def _text_size(text: str | None) -> int:
    """The size of an item of :meth:`RecordSource.results` for the engine's chunks."""
    return 1 if text is None else len(text)


def _as_read(item: Record | Line, stage: Cleaning) -> Encoded:
    """What writes ``item`` back as it was read: a line's bytes, a record unchanged."""
    if isinstance(item, Line):
        return item.data
    return encode(item, item.text, stage.fmt, stage.parser.field)


def _not_put_back(reject: Reject) -> InputError:
    """The error that stops a file rewritten in place on a bad record it cannot write back."""
    error = reject.error
    too_large = error.reason == "too-large"
    return InputError(
        f"{error.message}; --in-place cannot write it back as it was read, so "
        f"{reject.source} is left as it was",
        hint=("raise --max-record-bytes to read it" if too_large else "fix it")
        + ", or write the cleaned records to another file with -o",
        reason="not-put-back",
        path=reject.source,
        line=reject.line,
    )
