"""CSV and TSV files (a spreadsheet's export, a Scrapy feed, ``pandas.DataFrame.to_csv``): a row a
record, the header naming its fields, read and written with Python's :mod:`csv`.

A name ending in ``.tsv`` (compressed or not) is tab-separated; any other CSV is comma-separated.
Every field is text, as CSV has no other type; a field written from JSON Lines or Parquet that is
no string is written as JSON (``null`` as an empty field).

>>> import io
>>> from dedup.io.records import LineParser
>>> data = b'id,text\\n1,"Hello, world."\\n2,"Two\\nlines."\\n'
>>> rows = read_rows(io.BytesIO(data), parser=LineParser("items.csv"), delimiter=",")
>>> [(r.line, r.id, r.text) for r in rows]
[(2, '1', 'Hello, world.'), (3, '2', 'Two\\nlines.')]
>>> sink = TableSink(",", "items.csv")
>>> sink.row({"id": "1", "text": "Hello, world."}) + sink.row({"id": "2", "text": "Bye."})
b'id,text\\r\\n1,"Hello, world."\\r\\n2,Bye.\\r\\n'
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterator
from typing import IO, Any

from dedup.io.formats import split_compression
from dedup.io.records import LineParser, Record, Reject
from dedup.model import ConfigError, InputError
from dedup.parquet import json_value

__all__ = ["TableSink", "delimiter_of", "read_rows"]

# The bytes that invalid UTF-8 becomes when read with "surrogateescape": U+DC80 to U+DCFF, which
# valid UTF-8 cannot hold (a surrogate is no character), so each one is a byte that was not UTF-8.
# (Looked for by a regular expression: a loop over a field's characters in Python cost 0.2 s for
# every million of them, most of the time a CSV file took to read.)
_ESCAPED = re.compile("[\udc80-\udcff]")
# The largest cap on a field :mod:`csv` takes everywhere (a C long, 32 bits on some systems).
_LARGEST_CAP = 2**31 - 1


def delimiter_of(name: str) -> str:
    """The delimiter a file's name says: a tab for ``.tsv``, else a comma.

    >>> delimiter_of("rows.TSV.gz"), delimiter_of("items.csv")
    ('\\t', ',')
    """
    return "\t" if split_compression(name)[0].endswith(".tsv") else ","


def _allow_fields_of(chars: int) -> None:
    """Raise :mod:`csv`'s cap on one field's characters to ``chars`` where it is lower (its
    default, 131,072, is shorter than many pages). The cap is the process's (the ``_csv``
    module has one), so it is only ever raised, never put back: a reader in another thread may
    be reading a long field under it."""
    chars = min(chars, _LARGEST_CAP)
    if csv.field_size_limit() < chars:
        csv.field_size_limit(chars)


def read_rows(
    stream: IO[bytes],
    *,
    parser: LineParser,
    delimiter: str,
    max_record_bytes: int = 0,
    columns: list[str] | None = None,
) -> Iterator[Record | Reject]:
    """The records of a CSV or TSV byte stream: one a row, its fields named by the header, the
    text in ``parser.field``, the id in ``parser.id_field`` (else ``source:line``). A record's
    ``line`` is the line of the file its row starts on (the header is line 1).

    A row whose count of values is not the header's, or that holds invalid UTF-8 (unless
    ``parser.errors`` is ``"replace"``, which puts U+FFFD in its place), or whose text is over
    ``max_record_bytes`` bytes, is a :class:`Reject` naming its line. A header without the
    text column, or with a column twice, refuses the file (:class:`~dedup.model.InputError`),
    and so does a field longer than :mod:`csv`'s cap on one field (raised to
    ``max_record_bytes`` characters, or without bound for ``0``), which it cannot step over.
    ``columns``, where given, gets the header's names once they are read (a file of a header
    alone has them and no record).
    """
    name, field = parser.source, parser.field
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    _allow_fields_of(max_record_bytes or sys.maxsize)
    rows = csv.reader(text, delimiter=delimiter)
    start = 1  # (the line the row being read starts on)
    try:
        header = next(rows, None)
        if header is None:
            return
        header = _decoded_header(header, parser)
        _check_header(header, name, field)
        if columns is not None:
            columns[:] = header
        start = rows.line_num + 1
        for values in rows:
            line, start = start, rows.line_num + 1
            if not values:
                continue  # a blank line
            yield _record(values, header, line, parser, delimiter, max_record_bytes)
    except csv.Error as exc:
        raise InputError(
            f"{name}: cannot read the CSV row that starts on line {start} ({exc})",
            hint="check the file's quotes, or raise max_record_bytes for a longer field",
            reason="unreadable-row",
            path=name,
            line=start,
        ) from exc
    finally:
        text.detach()


def _decoded_header(header: list[str], parser: LineParser) -> list[str]:
    """The header's column names, invalid UTF-8 in them replaced with U+FFFD with
    ``errors="replace"``, else refused (:class:`~dedup.model.InputError`): a column that
    cannot be named cannot be written back."""
    if not any(_ESCAPED.search(column) for column in header):
        return header
    if parser.errors != "replace":
        k, bad = next((k, c) for k, c in enumerate(header, 1) if _ESCAPED.search(c))
        data = bad.encode("utf-8", "surrogateescape")
        raise parser.invalid_utf8(1, f"the header's column {k}", data=data, kind="header")
    return [c.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for c in header]


def _check_header(header: list[str], name: str, field: str) -> None:
    """Refuse a header without the text column, or with a column named twice."""
    if field not in header:
        raise InputError(
            f"{name}: no column {field!r} (columns: {', '.join(header)})",
            hint="choose the text column",
            reason="no-column",
            path=name,
            line=1,
            field=field,
        )
    twice = sorted({column for column in header if header.count(column) > 1})
    if twice:
        raise InputError(
            f"{name}: the header names {', '.join(map(repr, twice))} twice",
            hint="give each column a name of its own",
            reason="duplicate-column",
            path=name,
            line=1,
        )


def _record(
    values: list[str],
    header: list[str],
    line: int,
    parser: LineParser,
    delimiter: str,
    max_record_bytes: int,
) -> Record | Reject:
    """The record of one row, or a :class:`Reject` saying what is wrong with it (its values
    against the header, invalid UTF-8, a text over ``max_record_bytes``)."""
    name = parser.source
    if len(values) != len(header):
        error = parser.error(
            line,
            f"the row has {len(values)} values, the header {len(header)} columns",
            hint="check its quotes and delimiters",
            reason="bad-row",
        )
        return Reject(source=name, line=line, error=error, raw=_joined(values, delimiter))
    fields = dict(zip(header, values, strict=True))
    replaced = False
    for column, value in fields.items():
        if not _ESCAPED.search(value):
            continue
        if parser.errors != "replace":
            data = value.encode("utf-8", "surrogateescape")
            error = parser.invalid_utf8(line, f"column {column!r}", data=data, field=column)
            return Reject(source=name, line=line, error=error, raw=_joined(values, delimiter))
        fields[column] = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        replaced = True
    text = fields[parser.field]
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_record_bytes > 0:
        what = f"text of column {parser.field!r}"
        error = parser.too_large(line, size, what, max_record_bytes, field=parser.field)
        return Reject(source=name, line=line, error=error, raw=_joined(values, delimiter))
    return Record(
        source=name,
        line=line,
        id=parser.id_of(fields, line),
        text=text,
        fields=fields,
        nbytes=size,
        replaced=replaced,
    )


def _joined(values: list[str], delimiter: str) -> bytes:
    """A row's values as a line of CSV again (the bytes a :class:`Reject` keeps: made for a
    row set aside only)."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerow(values)
    return out.getvalue().encode("utf-8", "surrogateescape")


class TableSink:
    """Makes the bytes of a CSV or TSV output, a row at a time: the header from the first row's
    fields, then each row's values in its order. Every row must have the first one's fields,
    in the same order (a CSV file has one header): a row with others raises
    :class:`~dedup.model.ConfigError` naming the output and saying what to write instead."""

    def __init__(self, delimiter: str, name: str) -> None:
        self.delimiter = delimiter
        self.name = name
        self.header: list[str] | None = None
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, delimiter=delimiter)

    def header_only(self, columns: list[str]) -> bytes:
        """The bytes of an output that has no row: the header ``columns`` alone (a file of a
        header alone read, so written), or nothing where a row was written already."""
        if self.header is not None or not columns:
            return b""
        self.header = list(columns)
        self._writer.writerow(columns)
        return self._taken()

    def _taken(self) -> bytes:
        data = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return data.encode("utf-8", errors="replace")

    def row(self, fields: dict[str, Any]) -> bytes:
        """The bytes of ``fields`` as a row (the header first, for the first row)."""
        columns = list(fields)
        if self.header is None:
            self.header = columns
            self._writer.writerow(columns)
        elif columns != self.header:
            raise ConfigError(
                f"{self.name}: a record has the fields {', '.join(columns)}, the CSV header "
                f"{', '.join(self.header)}: a CSV file holds one set of columns",
                hint="write JSON Lines or Parquet, or records of one shape to each CSV file",
                reason="csv-columns",
            )
        self._writer.writerow([_cell(value) for value in fields.values()])
        return self._taken()


def _cell(value: Any) -> str:
    """A field's value as CSV text: a string as it is, ``None`` empty, anything else as JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, default=json_value)
