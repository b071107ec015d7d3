"""The :class:`Reader`: the records of one source, streamed. A JSONL file is read line by line,
a CSV file row by row and a Parquet file batch by batch, so memory stays bounded however large
the file; a record over the size cap is set aside before it is decoded whole.

>>> import io
>>> from pathlib import PurePath
>>> from dedup.io.sources import Source
>>> stdin = io.BytesIO(b'{"id": "a", "text": "Hello."}\\n\\n{"id": "b"}\\n')
>>> for item in Reader(Source(None, "jsonl", None, PurePath("-")), stdin=stdin):
...     print(item.line, getattr(item, "text", None) or item.error.reason)
1 Hello.
3 no-field
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterable, Iterator
from typing import IO, Any

from dedup.io.compression import decompressed, skip_rest
from dedup.io.formats import PARQUET_BATCH_ROWS, pyarrow_modules
from dedup.io.records import Line, LineParser, Record, Reject
from dedup.io.sources import Source
from dedup.io.tables import delimiter_of, read_rows
from dedup.model import InputError, check_int
from dedup.parquet import BadString, Errors, batch_rows, json_value

__all__ = ["MAX_RECORD_BYTES", "Reader"]

MAX_RECORD_BYTES = 64 << 20
"""The default cap on one record's bytes as read (a JSON line, a text file, a Parquet text):
64 MiB. A record over it is set aside before it is decoded whole (see :class:`Reader`)."""


class Reader:
    """Iterate the records of one :class:`Source`, yielding :class:`Record` or :class:`Reject`.

    A record that cannot be read (malformed JSON, a missing or non-text field, invalid UTF-8 with
    ``errors="strict"``) is yielded as a :class:`Reject` whose message names the file, line and
    field and says what to do; the caller decides whether it stops the run. A file that cannot
    be read at all (truncated gzip or zstd, not Parquet) raises :class:`InputError`.

    With ``lazy=True`` a JSONL source yields each line as a :class:`Line`, which ``parser``
    turns into a record later (in a worker process, say); other formats yield records as usual.

    ``max_record_bytes`` (``0``: no cap) bounds the memory one record takes: a JSON line, a text
    file or a Parquet text longer than that is a :class:`Reject` (reason ``"too-large"``),
    found while it is read (a line is skipped to its end, never held whole), so that a file
    holding one line of a gigabyte costs no more memory than the cap.

    A record whose text field is null is read as a record with ``no_text`` set.

    ``tell()`` is how many bytes of the file have been consumed, for a progress bar.
    """

    def __init__(
        self,
        source: Source,
        *,
        field: str = "text",
        id_field: str = "id",
        errors: Errors = "strict",
        stdin: IO[bytes] | None = None,
        lazy: bool = False,
        max_record_bytes: int = MAX_RECORD_BYTES,
    ) -> None:
        check_int("max_record_bytes", max_record_bytes, 0)
        self.source = source
        self.lazy = lazy
        self.max_record_bytes = max_record_bytes
        self.parser = LineParser(source.name, field, id_field, errors)
        """Reads one line of a JSONL source; it holds the options ``field``, ``id_field`` and
        ``errors``."""
        self._stdin = stdin
        self._raw: IO[bytes] | None = None
        self._position = 0
        self.schema: Any = None
        """The Arrow schema of a Parquet source, known once iteration has started."""
        self.columns: list[str] = []
        """The header of a CSV source, once read."""

    def tell(self) -> int:
        """Bytes of the input consumed so far."""
        if self._raw is not None and self.source.path is not None:
            with contextlib.suppress(OSError, ValueError):
                return self._raw.tell()
        return self._position

    def __iter__(self) -> Iterator[Record | Reject | Line]:
        if self.source.format == "parquet":
            yield from self._parquet()
        elif self.source.format == "csv":
            yield from self._csv()
        elif self.source.format == "jsonl":
            yield from self._jsonl()
        else:
            yield from self._text()

    @contextlib.contextmanager
    def _open(self) -> Iterator[IO[bytes]]:
        """The decompressed byte stream of the source."""
        name = self.source.name
        if self.source.path is None:
            raw: IO[bytes] = self._stdin if self._stdin is not None else sys.stdin.buffer
            close_raw = False
        else:
            try:
                raw = self.source.path.open("rb")
            except OSError as exc:
                raise InputError(
                    f"{name}: cannot open ({exc.strerror})", reason="cannot-open", path=name
                ) from exc
            close_raw = True
        self._raw = raw
        try:
            with decompressed(raw, self.source.compression, name) as stream:
                yield stream
        finally:
            if close_raw:
                raw.close()

    def _text(self) -> Iterator[Record | Reject]:
        cap = self.max_record_bytes
        with self._open() as stream:
            data = stream.read(cap + 1) if cap else stream.read()
            over = len(data) > cap > 0
            if over:
                size = len(data) + skip_rest(stream)
        name = self.source.name
        if over:
            self._position = size
            yield Reject(source=name, line=1, error=self._too_large(1, size, "file"))
            return
        self._position = len(data)
        text, error, replaced = self.parser.decode(data, 1, "the file")
        if error is not None:
            yield Reject(source=name, line=1, error=error, raw=data)
            return
        assert text is not None
        yield Record(
            source=name,
            line=1,
            id=name,
            text=text,
            nbytes=len(data),
            replaced=replaced,
            position=len(data),
        )

    def _too_large(self, line: int, size: int, what: str) -> InputError:
        return self.parser.too_large(line, size, what, self.max_record_bytes)

    def _jsonl(self) -> Iterator[Record | Reject | Line]:
        name = self.source.name
        cap = self.max_record_bytes
        with self._open() as stream:
            lines: Iterable[bytes] = (
                stream if not cap else iter(lambda: stream.readline(cap + 1), b"")
            )
            for number, raw_line in enumerate(lines, start=1):
                self._position += len(raw_line)
                if len(raw_line) > cap > 0 and not raw_line.endswith(b"\n"):
                    rest = skip_rest(stream, to_line_end=True)
                    self._position += rest
                    size = len(raw_line) + rest
                    yield Reject(
                        source=name, line=number, error=self._too_large(number, size, "line")
                    )
                    continue
                blank = raw_line.strip()
                if not blank or (number == 1 and blank == b"\xef\xbb\xbf"):
                    continue
                line = Line(source=name, number=number, data=raw_line, position=self._position)
                yield line if self.lazy else self.parser(line)

    def _csv(self) -> Iterator[Record | Reject]:
        with self._open() as stream:
            yield from read_rows(
                stream,
                parser=self.parser,
                delimiter=delimiter_of(self.source.relative.name),
                max_record_bytes=self.max_record_bytes,
                columns=self.columns,
            )

    def _parquet(self) -> Iterator[Record | Reject]:
        name, field = self.source.name, self.parser.field
        pa, pq = pyarrow_modules(f"{name}: reading Parquet")
        if self.source.path is None:
            stdin = self._stdin if self._stdin is not None else sys.stdin.buffer
            target: Any = pa.BufferReader(stdin.read())
            size = target.size()
        else:
            target = str(self.source.path)
            size = self.source.path.stat().st_size
        try:
            parquet = pq.ParquetFile(target)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(
                f"{name}: not a readable Parquet file ({exc})",
                hint="check that it is Parquet and complete, or name its format",
                reason="not-parquet",
                path=name,
            ) from exc
        schema = parquet.schema_arrow
        self.schema = schema
        if field not in schema.names:
            raise InputError(
                f"{name}: no column {field!r} (columns: {', '.join(schema.names)})",
                hint="choose the text column",
                reason="no-column",
                path=name,
                field=field,
            )
        kind = schema.field(field).type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            raise InputError(
                f"{name}: column {field!r} is {kind}, not a string column",
                hint="choose the text column",
                reason="column-not-text",
                path=name,
                field=field,
            )
        total = max(1, parquet.metadata.num_rows)
        row = 0
        try:
            for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
                rows, bad, replaced = batch_rows(batch, self.parser.errors)
                for i, fields in enumerate(rows):
                    row += 1
                    self._position = size * row // total
                    reject = self._parquet_reject(fields, row, bad.get(i))
                    if reject is not None:
                        yield reject
                        continue
                    value = fields.get(field)
                    yield Record(
                        source=name,
                        line=row,
                        id=self.parser.id_of(fields, row),
                        text=value if value is not None else "",
                        fields=fields,
                        nbytes=len(value.encode("utf-8", "surrogatepass")) if value else 0,
                        replaced=i in replaced,
                        position=self._position,
                        no_text=value is None,
                    )
        except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
            raise InputError(
                f"{name}: cannot read row {row + 1} of the Parquet file ({exc})",
                reason="unreadable-row",
                path=name,
                line=row + 1,
            ) from exc

    def _parquet_reject(
        self, fields: dict[str, Any], row: int, bad: BadString | None
    ) -> Reject | None:
        """A Parquet row that cannot be read: invalid UTF-8 in a string column, or a text over
        ``max_record_bytes``."""
        name = self.source.name
        raw = json.dumps(fields, default=json_value, ensure_ascii=False).encode("utf-8", "replace")
        if bad is not None:
            where = f"column {bad.column!r}"
            error = self.parser.invalid_utf8(
                row, where, data=bad.data, field=bad.column, kind="value"
            )
            return Reject(source=name, line=row, error=error, raw=raw)
        value = fields.get(self.parser.field)
        cap = self.max_record_bytes
        if cap and isinstance(value, str) and len(value) > cap // 4:
            size = len(value.encode("utf-8", "surrogatepass"))
            if size > cap:
                error = self._too_large(row, size, f"text of column {self.parser.field!r}")
                return Reject(source=name, line=row, error=error)
        return None
