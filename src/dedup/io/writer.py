"""The :class:`Writer`: documents out in one format, to a file (atomically, compressed by its
name) or to stdout, every field of a record kept; :func:`encode`, what it writes for one record,
made wherever it is cheapest (a worker process, say).

>>> import io
>>> stdout = io.BytesIO()
>>> with open_writer("-", "jsonl", stdout=stdout) as writer:
...     writer.write(Record(source="<stdin>", line=1, id="a", text="x"), "Cleaned.")
>>> stdout.getvalue()
b'{"id": "a", "text": "Cleaned."}\\n'
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from dedup.io.compression import Compression, compressing
from dedup.io.formats import PARQUET_BATCH_ROWS, Format, detect_format, pyarrow_modules
from dedup.io.outputs import atomic_output, refuse_to_replace
from dedup.io.records import Record
from dedup.io.tables import TableSink, delimiter_of
from dedup.model import ConfigError, with_overrides
from dedup.parquet import ParquetSink, json_value

__all__ = [
    "Encoded",
    "WriteOptions",
    "Writer",
    "encode",
    "json_line",
    "open_writer",
    "write_jsonl_line",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteOptions:
    """How a :class:`Writer` writes, checked when built.

    - ``field``: the text field (the column of a Parquet output; the field a record read from a
      text file gets in JSON Lines or Parquet).
    - ``force``: replace an output that exists (else it is refused).
    - ``mode_from``: give the output this file's permissions (a file rewritten where it is).
    - ``final_newline``: end a text output with a line break, as a text file does; off, a file
      rewritten where it is keeps its last line as it was.

    >>> WriteOptions(field="body").field
    'body'
    >>> WriteOptions(field="")
    Traceback (most recent call last):
    ...
    dedup.model.ConfigError: option field must be a field name, not ''
    """

    field: str = "text"
    force: bool = False
    mode_from: Path | None = None
    final_newline: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.field, str) or not self.field:
            raise ConfigError(
                f"option field must be a field name, not {self.field!r}", option="field"
            )


class Writer:
    """Writes documents in one format to a file (atomically) or to stdout (``path`` ``None``).

    ``write(record, text)`` writes ``record`` with ``text`` as its new text: for JSONL, Parquet
    and CSV every other field is kept as it was, in order; a record read from a text file becomes
    ``{"id": ..., field: text}``. A CSV output (tab-separated when its name ends in ``.tsv``)
    takes its header from the first record, and every record must have those fields
    (:class:`~dedup.io.tables.TableSink`). Text output holds exactly one document, and ends
    with a line break as a text file does (unless ``final_newline`` is off). ``options``
    (:class:`WriteOptions`), or keywords that override its fields, say how.
    Use as a context manager: the output is committed when the block ends without error.
    """

    def __init__(
        self,
        path: Path | None,
        fmt: Format,
        compression: Compression | None = None,
        *,
        options: WriteOptions | None = None,
        stdout: IO[bytes] | None = None,
        **overrides: Any,
    ) -> None:
        self.options = with_overrides(options, WriteOptions, overrides)
        self.path = path
        self.format = fmt
        self.compression = compression
        self.field = self.options.field
        self.count = 0
        self._stdout = stdout
        self._stack = contextlib.ExitStack()
        self._stream: IO[bytes] | None = None
        self._rows: list[dict[str, Any]] = []
        self._sink: ParquetSink | None = None
        self._table: TableSink | None = None
        self._columns: list[str] = []  # a CSV input's header, written if no row is
        self._schemas: list[Any] = []
        if path is not None:
            refuse_to_replace(path, force=self.options.force)

    @property
    def schema(self) -> Any:
        """The first Arrow schema declared (see :meth:`declare`), or ``None``."""
        return self._schemas[0] if self._schemas else None

    @schema.setter
    def schema(self, schema: Any) -> None:
        self.declare(schema)

    def declare_columns(self, columns: list[str]) -> None:
        """Rows written from now on may come from a CSV file with the header ``columns``: a
        CSV output with no row at all holds the first header declared (the file of a header
        alone that an empty crawl exports, written back so)."""
        if not self._columns:
            self._columns = list(columns)

    def declare(self, schema: Any) -> None:
        """Rows written from now on may come from a Parquet file of ``schema`` (an Arrow
        schema; ``None`` does nothing): in Parquet output its columns keep their types."""
        if schema is None or any(schema is known for known in self._schemas):
            return
        self._schemas.append(schema)
        if self._sink is not None:
            self._sink.declare(schema)

    def __enter__(self) -> Writer:
        if self.format == "parquet":  # a missing extra is said before any work
            pyarrow_modules(f"{self._name()}: writing Parquet")
        if self.path is None:
            base: IO[bytes] = self._stdout if self._stdout is not None else sys.stdout.buffer
        else:
            base = self._stack.enter_context(
                atomic_output(self.path, force=self.options.force, mode_from=self.options.mode_from)
            )
        self._stream = compressing(self._stack, base, self.compression, self._name())
        if self.format == "parquet":
            spill = Path(os.path.realpath(self.path)).parent if self.path is not None else None
            self._sink = ParquetSink(self._stream, name=self._name(), field=self.field, spill=spill)
            for schema in self._schemas:
                self._sink.declare(schema)
        elif self.format == "csv":
            self._table = TableSink(delimiter_of(self._name()), self._name())
        return self

    def _name(self) -> str:
        return "<stdout>" if self.path is None else str(self.path)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            try:
                self._flush(final=True)
            except BaseException:
                self._stack.__exit__(*sys.exc_info())
                raise
            self._stack.__exit__(None, None, None)
            if self.path is None and self._stream is not None:
                with contextlib.suppress(ValueError, OSError):
                    (self._stdout or sys.stdout.buffer).flush()
        else:
            if self._sink is not None:
                self._sink.abort()
            self._stack.__exit__(exc_type, exc, tb)

    def write(self, record: Record, text: str) -> None:
        """Write ``record`` with ``text`` as its new text."""
        self.put(encode(record, text, self.format, self.field))

    def put(self, output: Encoded) -> None:
        """Write what :func:`encode` made for this writer's format (in a worker, say)."""
        assert self._stream is not None, "use the Writer as a context manager"
        if self.format == "text":
            if self.count:
                raise ConfigError(
                    "text output holds one document and there are several",
                    hint="write JSON Lines or Parquet, or each document to a file of its own",
                    reason="several-documents",
                )
            assert isinstance(output, str)
            if self.options.final_newline and output and not output.endswith(("\n", "\r")):
                output += "\n"
            self._stream.write(output.encode("utf-8", errors="replace"))
        elif self.format == "jsonl":
            assert isinstance(output, bytes)
            self._stream.write(output)
        elif self._table is not None:
            assert isinstance(output, dict)
            self._stream.write(self._table.row(output))
        else:
            assert isinstance(output, dict)
            self._rows.append(output)
            if len(self._rows) >= PARQUET_BATCH_ROWS:
                self._flush(final=False)
        self.count += 1

    def _flush(self, *, final: bool) -> None:
        if final and self._table is not None and self._stream is not None:
            self._stream.write(self._table.header_only(self._columns))
        if self._sink is None:
            return
        if self._rows:
            self._sink.write(self._rows)
            self._rows = []
        if final:
            self._sink.close()


Encoded = bytes | str | dict[str, Any]
"""What a :class:`Writer` writes for one record: a JSON line, a text, or a Parquet or CSV row."""


def encode(record: Record, text: str, fmt: Format, field: str = "text") -> Encoded:
    """What a writer of ``fmt`` writes for ``record`` with ``text`` as its new text.

    For JSONL, the line (the line exactly as read when the text did not change); for Parquet
    and CSV, the row with every field kept; for text, the text. Made where it is cheapest: the
    workers of ``dedup clean`` make it beside the cleaning, and the writer only writes it.

    >>> record = Record(source="in.jsonl", line=1, id="7", text="a", fields={"id": 7, "text": "a"})
    >>> encode(record, "b", "jsonl")
    b'{"id": 7, "text": "b"}\\n'
    """
    if fmt == "text":
        return text
    if fmt == "jsonl":
        if record.raw is not None and (record.no_text or text == record.text):
            return record.raw if record.raw.endswith(b"\n") else record.raw + b"\n"
        return json_line(_with_text(record, field, text))
    return _with_text(record, field, text)


def _with_text(record: Record, field: str, text: str) -> dict[str, Any]:
    if record.fields is None:
        return {"id": record.id, field: text}
    fields = dict(record.fields)
    if not record.no_text:  # a record without text is written as it was read
        fields[field] = text
    return fields


def json_line(fields: dict[str, Any]) -> bytes:
    """``fields`` as one JSON line, UTF-8 (lone surrogates kept, escaped; values JSON has no
    type for, read from Parquet, as :func:`dedup.parquet.json_value` writes them)."""
    try:
        line = json.dumps(fields, ensure_ascii=False, default=json_value)
        return (line + "\n").encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from "\udxxx" escapes: keep them escaped
        return (json.dumps(fields, ensure_ascii=True, default=json_value) + "\n").encode("ascii")


def open_writer(
    target: str | Path,
    fmt: Format | None = None,
    *,
    options: WriteOptions | None = None,
    stdout: IO[bytes] | None = None,
    **overrides: Any,
) -> Writer:
    """A :class:`Writer` for ``target`` (``"-"`` is stdout); the format follows the file name
    unless ``fmt`` is given, and compression always follows the name. ``options`` and keyword
    overrides as for :class:`Writer`."""
    chosen = with_overrides(options, WriteOptions, overrides)
    if str(target) == "-":
        return Writer(None, fmt or "text", None, options=chosen, stdout=stdout)
    path = Path(target)
    name_fmt, compression = detect_format(path.name)
    return Writer(path, fmt or name_fmt, compression, options=chosen)


def write_jsonl_line(stream: IO[bytes], fields: dict[str, Any]) -> None:
    """Write one JSON line (for reports and rejects)."""
    stream.write(json_line(fields))
