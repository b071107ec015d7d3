"""Parquet rows in and out of Python, every column's type kept (pyarrow, the ``parquet``
extra; :mod:`dedup.io` reads and writes files with it).

- :func:`batch_rows` turns a record batch into rows (dicts, every column in order), maps as
  dicts, strings decoded with an error policy: invalid UTF-8 in a string column stops the row
  or is replaced, row by row, where pyarrow would fail the whole batch.
- :class:`ParquetSink` writes rows as Parquet. A column's type is the one a Parquet input
  declared (a ``decimal128(5, 2)`` stays one, a ``map`` stays a map, a column null in its
  first thousand rows keeps its type); other columns are inferred from their values, batch by
  batch, and unified: a field that first appears in record 1,025 is a column like the others.
- :func:`json_value`: what JSON writes for the values JSON has no type for.

>>> import datetime, decimal
>>> json_value(decimal.Decimal("1.50")), json_value(datetime.date(2026, 12, 1))
('1.50', '2026-12-01')
>>> json_value(bytes([0, 255]))
'AP8='
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import decimal
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any, Literal

from dedup.extras import require
from dedup.model import InputError

__all__ = ["BadString", "ParquetSink", "batch_rows", "json_value"]

Errors = Literal["strict", "replace"]


def _arrow(purpose: str) -> tuple[Any, Any, Any]:
    return (
        require("pyarrow", "parquet", purpose),
        require("pyarrow.parquet", "parquet", purpose),
        require("pyarrow.ipc", "parquet", purpose),
    )


def json_value(value: Any) -> Any:
    """The JSON of a value read from Parquet that JSON has no type for: a timestamp, date or
    time as ISO 8601, a decimal as a string of its exact digits (a JSON number would be read
    as a binary float), bytes in base64, a duration in seconds. A ``default`` for
    :func:`json.dumps`."""
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    raise TypeError(f"a value of type {type(value).__name__} has no JSON form")


class BadString:
    """Where a row of a batch holds invalid UTF-8: the column, and its value's bytes."""

    __slots__ = ("column", "data")

    def __init__(self, column: str, data: bytes) -> None:
        self.column = column
        self.data = data


def batch_rows(
    batch: Any, errors: Errors = "strict"
) -> tuple[list[dict[str, Any]], dict[int, BadString], set[int]]:
    """The rows of an Arrow record batch: ``(rows, bad, replaced)``.

    A string column with invalid UTF-8 is decoded value by value: with ``errors="replace"``
    the bad bytes become U+FFFD and the row is in ``replaced``; else the row is in ``bad``
    (its value ``None``), for the caller to stop on or set aside. Maps become dicts (lists of
    pairs when a key repeats).
    """
    pa, _, _ = _arrow("reading Parquet")
    names = batch.schema.names
    columns: list[list[Any]] = []
    bad: dict[int, BadString] = {}
    replaced: set[int] = set()
    for name, column in zip(names, batch.columns, strict=True):
        try:
            values = _pylist(column)
        except UnicodeDecodeError:
            kind = column.type
            if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
                raise
            binary = pa.large_binary() if pa.types.is_large_string(kind) else pa.binary()
            values = []
            for i, data in enumerate(column.view(binary).to_pylist()):
                if data is None:
                    values.append(None)
                    continue
                try:
                    values.append(data.decode("utf-8"))
                except UnicodeDecodeError:
                    if errors == "replace":
                        values.append(data.decode("utf-8", errors="replace"))
                        replaced.add(i)
                    else:
                        values.append(None)
                        bad.setdefault(i, BadString(name, data))
        columns.append(values)
    rows = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
    if not names:
        rows = [{} for _ in range(batch.num_rows)]
    return rows, bad, replaced


def _pylist(column: Any) -> list[Any]:
    try:
        return list(column.to_pylist(maps_as_pydicts="strict"))
    except KeyError:  # a map with a repeated key: its pairs, as pyarrow gives them
        return list(column.to_pylist())


class ParquetSink:
    """Writes rows (dicts) to ``stream`` as one Parquet file, every column typed.

    :meth:`declare` a schema (a Parquet input's) before the rows that come from it: its columns
    keep their types exactly. Columns no schema declares are inferred from their values.
    While every batch has the declared schema (and whatever columns the rows add to it, the
    same in every batch) the rows go straight to the file; otherwise each batch is kept in
    a temporary Arrow file in ``spill`` (a directory; the system's temporary directory by
    default, removed at once so that nothing is left behind) and, at :meth:`close`, written
    out with the union of every batch's columns, those a batch lacks as nulls. Records whose
    values do not fit one schema (a field that is a number in one record and a string in
    another) raise :class:`~dedup.model.InputError`.
    """

    def __init__(
        self, stream: IO[bytes], *, name: str, field: str = "text", spill: Path | None = None
    ) -> None:
        self._pa, self._pq, self._ipc = _arrow(f"{name}: writing Parquet")
        self._stream = stream
        self._name = name
        self._field = field
        self._spill_dir = spill
        self._declared: Any = None
        self._fields: dict[str, Any] = {}
        self._direct: Any = None
        self._direct_schema: Any = None
        self._spill: IO[bytes] | None = None
        self._spilled: list[tuple[int, int]] = []
        self._schema: Any = None
        self.closed = False

    @property
    def schema(self) -> Any:
        """The schema declared first (``None`` before any)."""
        return self._declared

    def declare(self, schema: Any) -> None:
        """The rows that follow come from a file of ``schema``: its columns keep their types."""
        if schema is None:
            return
        if self._declared is None:
            self._declared = schema
        for field in schema:
            self._fields.setdefault(field.name, field)

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        """Write a batch of rows."""
        if not rows:
            return
        table = self._table(rows)
        if self._direct is None and self._spill is None:
            if self._fits_declared(table):
                self._direct_schema = table.schema
                sink = self._pa.PythonFile(self._stream, mode="w")
                self._direct = self._pq.ParquetWriter(sink, table.schema)
            else:
                self._spill = tempfile.TemporaryFile(  # noqa: SIM115 - closed by close()
                    dir=self._spill_dir, prefix=".dedup-"
                )
        if self._direct is not None:
            if not table.schema.equals(self._direct_schema):
                raise InputError(
                    f"{self._name}: records do not fit one Parquet schema (the columns "
                    f"{', '.join(self._direct_schema.names)} and then "
                    f"{', '.join(table.schema.names)})",
                    hint="write JSON Lines, or each input to a file of its own",
                    reason="schema",
                    path=self._name,
                )
            self._direct.write_table(table)
            return
        self._unify(table.schema)
        assert self._spill is not None
        start = self._spill.tell()
        with self._ipc.new_stream(self._spill, table.schema) as stream:
            stream.write_table(table)
        self._spilled.append((start, self._spill.tell() - start))

    def close(self) -> None:
        """Finish the file (an empty one has the declared schema, or ``id`` and the text)."""
        if self.closed:
            return
        self.closed = True
        if self._direct is not None:
            self._direct.close()
            return
        pa = self._pa
        schema = self._schema
        if schema is None:
            schema = self._declared or pa.schema([("id", pa.string()), (self._field, pa.string())])
        writer = self._pq.ParquetWriter(pa.PythonFile(self._stream, mode="w"), schema)
        try:
            if self._spill is not None:
                for start, length in self._spilled:
                    self._spill.seek(start)
                    data = self._spill.read(length)
                    table = self._ipc.open_stream(pa.py_buffer(data)).read_all()
                    writer.write_table(self._conform(table, schema))
        finally:
            writer.close()
            self.abort()

    def abort(self) -> None:
        """Drop what was kept for :meth:`close` (the output is not wanted)."""
        self.closed = True
        if self._spill is not None:
            self._spill.close()
            self._spill = None
        if self._direct is not None:
            with contextlib.suppress(Exception):  # the output is being abandoned
                self._direct.close()
            self._direct = None

    def _fits_declared(self, table: Any) -> bool:
        declared = self._declared
        if declared is None or table.num_columns < len(declared):
            return False
        head = self._pa.schema(list(table.schema)[: len(declared)])
        extra = list(table.schema)[len(declared) :]
        return head.equals(declared) and not any(self._pa.types.is_null(f.type) for f in extra)

    def _table(self, rows: Sequence[dict[str, Any]]) -> Any:
        pa = self._pa
        names = _names(rows, self._declared.names if self._declared is not None else ())
        arrays = []
        fields = []
        for name in names:
            values = [row.get(name) for row in rows]
            declared = self._fields.get(name)
            try:
                array = pa.array(
                    values, type=None if declared is None else declared.type, from_pandas=False
                )
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
                raise self._misfit(name, exc) from exc
            arrays.append(array)
            fields.append(declared if declared is not None else pa.field(name, array.type))
        metadata = self._declared.metadata if self._declared is not None else None
        return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=metadata))

    def _unify(self, schema: Any) -> None:
        pa = self._pa
        if self._schema is None:
            self._schema = schema
            return
        try:
            merged = pa.unify_schemas([self._schema, schema], promote_options="permissive")
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            field = next(
                (
                    f.name
                    for f in schema
                    if f.name in self._schema.names
                    and not self._schema.field(f.name).type.equals(f.type)
                ),
                None,
            )
            raise self._misfit(field, exc) from exc
        # a declared column keeps its declared type
        self._schema = pa.schema(
            [self._fields.get(f.name, f) for f in merged], metadata=merged.metadata
        )

    def _conform(self, table: Any, schema: Any) -> Any:
        pa = self._pa
        columns = []
        for field in schema:
            if field.name in table.column_names:
                column = table.column(field.name)
                if not column.type.equals(field.type):
                    try:
                        column = column.cast(field.type)
                    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as e:
                        raise self._misfit(field.name, e) from e
            else:
                column = pa.nulls(table.num_rows, field.type)
            columns.append(column)
        return pa.Table.from_arrays(columns, schema=schema)

    def _misfit(self, field: str | None, exc: BaseException) -> InputError:
        what = f"field {field!r} " if field is not None else ""
        return InputError(
            f"{self._name}: records do not fit one Parquet schema: {what}has values of "
            f"different types ({exc})",
            hint="write JSON Lines, or give the field one type in every record",
            reason="schema",
            path=self._name,
            field=field,
        )


def _names(rows: Iterable[dict[str, Any]], first: Sequence[str]) -> list[str]:
    """The fields of ``rows`` in the order they first appear, after ``first``."""
    seen = dict.fromkeys(first)
    for row in rows:
        if not row.keys() <= seen.keys():
            for key in row:
                seen.setdefault(key, None)
    return list(seen)
