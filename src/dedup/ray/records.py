"""Records on Ray as the local engine reads and writes them: the same record in, the same
record out (``dedup-text[ray]``).

Ray's own JSON reader guesses types (a string that looks like a time becomes a timestamp, then
a number) and its writer escapes slashes; here JSON Lines are read by :class:`dedup.io.Reader`
(compression, the cap on a record, blank lines and byte-order marks as on this machine), one
Ray task per file, and each line is parsed by :class:`dedup.io.LineParser` where it is cleaned.
A record's output is made by :func:`dedup.io.encode`: the line as read when the text did not
change. CSV and TSV files are read by the same reader, a row a record (the header naming its
fields), each row then going on as the JSON line of its fields: written as JSON Lines or
Parquet, never as CSV. Parquet is read by Ray (every column's type kept) and written as Arrow.

Outputs are written where they are named (:func:`write_records`): a file through
:class:`dedup.io.Writer` in the calling process (atomic, compressed by its name), or a
directory of part files, each written by a Ray task with the same writer.

Errors raised in a task (an :class:`~dedup.model.InputError` naming the file and line) reach
the caller as themselves, not wrapped in Ray's (:func:`unwrapped`).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePath
from typing import Any

from dedup.extras import require
from dedup.io import (
    MAX_RECORD_BYTES,
    Format,
    Line,
    LineParser,
    Reader,
    Record,
    Reject,
    Source,
    Writer,
    detect_format,
    discover,
    encode,
    json_line,
)
from dedup.model import ConfigError, DedupError, RepairOptions
from dedup.normalize import NormalizeOptions
from dedup.parquet import batch_rows
from dedup.pipeline import clean

__all__ = [
    "LINE",
    "OUT",
    "TEXT",
    "as_lines",
    "clean_records",
    "connect",
    "corpus_records",
    "read_records",
    "texts",
    "unwrapped",
    "write_records",
]

LINE = "_dedup_line"
"""The column of a JSON line as read (bytes), with ``_dedup_source`` and ``_dedup_number``."""
OUT = "_dedup_out"
"""The column of a record's output, a JSON line (bytes)."""
TEXT = "_dedup_text"
"""The column of the text a record is clustered by (:func:`texts`)."""
_OWN = {"cluster": "_dedup_own_cluster", "kept": "_dedup_own_kept"}
"""A record's own fields of the names clustering adds, kept aside under these."""
_SOURCE, _NUMBER = "_dedup_source", "_dedup_number"


def _ray() -> Any:
    return require("ray", "ray", "the Ray engine")


def _ray_data() -> Any:
    return require("ray.data", "ray", "the Ray engine")


# --------------------------------------------------------------------------------------------
# joining a cluster


def connect(address: str | None = None, *, timeout: float = 5.0) -> None:
    """Join the Ray cluster at ``address`` (``"auto"``: the one running here; ``None``: start a
    local Ray) unless this process has joined one; keep the rows of datasets in order, and
    Ray's own logs and progress bars off the terminal (warnings and errors still show).

    A ``host:port`` (or ``ray://host:port``) that does not answer within ``timeout`` seconds
    raises :class:`~dedup.model.ConfigError` naming it (Ray itself retries for minutes).
    """
    import logging

    ray = _ray()
    rd = _ray_data()
    if not ray.is_initialized():
        joining = address not in (None, "local")
        if address is not None and address not in ("auto", "local"):
            _reachable(address, timeout)
        try:
            with _quiet_ray(), _stderr_aside() if joining else contextlib.nullcontext():
                if joining:  # Ray retries a server that is not its own for 20 s, then fails
                    os.environ.setdefault("RAY_gcs_server_port_wait_time_s", str(int(timeout)))
                ray.init(
                    address=address,
                    include_dashboard=False,
                    log_to_driver=False,
                    logging_level=logging.ERROR,
                )
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise ConfigError(
                f"cannot join the Ray cluster at {address} ({_first_line(exc)})",
                hint="check the address, or start a cluster with 'ray start --head'",
                reason="ray-unreachable",
                option="address",
            ) from exc
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # it warns that the progress bars it is told to leave out are left out
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)
    ctx = rd.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    # an error of dedup's raised in a function mapped over a dataset (a malformed JSON line)
    # reaches the caller as itself (unwrapped()), not as a UserCodeException that holds it as
    # text in its message
    ctx.raise_original_map_exception = True
    with contextlib.suppress(AttributeError):  # Ray versions without it
        ctx.print_on_execution_start = False


@contextlib.contextmanager
def _quiet_ray() -> Iterator[None]:
    """Ray's start-up notices at ERROR only, while it starts."""
    import logging

    logger = logging.getLogger("ray")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(max(level, logging.WARNING))


@contextlib.contextmanager
def _stderr_aside() -> Iterator[None]:
    """File descriptor 2 into a scratch file while Ray joins a cluster: its C++ client writes
    a warning a second while it retries, straight to the descriptor. (Joining starts no
    process that would inherit it.)"""
    import sys
    import tempfile

    with contextlib.suppress(AttributeError, ValueError, OSError):
        sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    with tempfile.TemporaryFile() as scratch:
        os.dup2(scratch.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _reachable(address: str, timeout: float) -> None:
    """Refuse an address whose host does not accept a connection within ``timeout``."""
    where = address.split("://", 1)[-1].rstrip("/")
    host, _, port = where.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(
            f"the Ray address {address!r} is not HOST:PORT",
            hint="give the head node's address, e.g. 10.0.0.5:6379 or ray://10.0.0.5:10001",
            reason="bad-address",
            option="address",
        )
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        reason = "no answer" if isinstance(exc, TimeoutError) else exc.strerror or str(exc)
        raise ConfigError(
            f"cannot reach the Ray cluster at {address} ({reason} within {timeout:g} s)",
            hint="check the address, or start a cluster with 'ray start --head'",
            reason="ray-unreachable",
            option="address",
        ) from exc


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


@contextlib.contextmanager
def unwrapped() -> Iterator[None]:
    """Re-raise an error of dedup's raised inside a Ray task as itself (Ray wraps it, with the
    task's traceback in its message), without Ray Data's log of a task's error on stderr,
    traceback and all: the caller reports the error (and any other goes on up, traceback and
    all). Ray's warnings still show."""
    import logging

    loggers = [logging.getLogger(name) for name in _TASK_ERROR_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    except Exception as exc:
        error = _dedup_error(exc)
        if error is not None:
            raise error from None
        raise
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


# Where Ray Data logs a task's error as it stops a dataset's execution.
_TASK_ERROR_LOGGERS = (
    "ray.data.exceptions",
    "ray.data._internal.execution.streaming_executor_state",
)


def _dedup_error(exc: BaseException) -> DedupError | None:
    """The error of dedup's that ``exc`` wraps (Ray's ``cause``, or Python's ``__cause__``,
    however deep), or ``None``."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        cause = getattr(current, "cause", None)
        if isinstance(cause, DedupError):
            return cause
        if cause is None and isinstance(current, DedupError):
            return current
        current = cause if isinstance(cause, BaseException) else current.__cause__
    return None


# --------------------------------------------------------------------------------------------
# reading


def read_records(
    paths: Sequence[str],
    fmt: Format,
    *,
    glob: str = "*",
    max_record_bytes: int = MAX_RECORD_BYTES,
    field: str = "text",
) -> Any:
    """The records of ``paths`` as a dataset: Parquet rows as Ray reads them (types kept), or
    for JSON Lines one row per line as read (:data:`LINE`): local files found and read as the
    local engine finds and reads them (:func:`dedup.io.discover`, :class:`dedup.io.Reader`),
    URIs read by Ray (their lines not numbered: a record's default id is its file's). Local CSV
    and TSV files give a row per CSV row, its fields as a JSON line in :data:`LINE` (their text
    column ``field``), so that what follows takes them as JSON Lines (:func:`as_lines`)."""
    rd = _ray_data()
    if fmt == "parquet":
        return rd.read_parquet(list(paths))
    if fmt not in ("jsonl", "csv"):
        raise ConfigError(f"the Ray engine reads Parquet, JSON Lines and CSV, not {fmt}")
    remote = [p for p in paths if "://" in p]
    local = [p for p in paths if "://" not in p]
    if remote and fmt == "csv":
        raise ConfigError(
            f"the Ray engine reads CSV from local files, and {remote[0]} is not one: copy it "
            "here first, or write it as JSON Lines or Parquet"
        )
    parts = []
    if local:
        files = [str(s.path) for s in discover(local, glob=glob, input_format=fmt)]
        items = [
            {"path": path, "format": fmt, "field": field, "max_record_bytes": max_record_bytes}
            for path in files
        ]
        parts.append(rd.from_items(items, override_num_blocks=max(1, len(items))).flat_map(_lines))
    if remote:  # Ray reads these (whole files; lines are not numbered)
        text = rd.read_text(remote, include_paths=True, drop_empty_lines=True)
        parts.append(text.map_batches(_remote_lines, batch_format="pyarrow"))
    return parts[0] if len(parts) == 1 else parts[0].union(*parts[1:])


def _remote_lines(batch: Any) -> Any:
    pa = require("pyarrow", "parquet", "the Ray engine")
    lines = [(t.encode("utf-8", "surrogatepass") + b"\n") for t in batch.column("text").to_pylist()]
    return pa.table(
        {
            _SOURCE: batch.column("path"),
            _NUMBER: pa.array([0] * len(lines), pa.int64()),
            LINE: pa.array(lines, pa.binary()),
        }
    )


def _lines(item: dict[str, Any]) -> Iterator[dict[str, Any]]:
    path = Path(item["path"])
    _, compression = detect_format(path.name)
    source = Source(path, item["format"], compression, PurePath(path.name))
    reader = Reader(
        source, field=item["field"], lazy=True, max_record_bytes=item["max_record_bytes"]
    )
    for line in reader:
        if isinstance(line, Reject):
            raise line.error
        if isinstance(line, Record):  # a CSV row: the JSON line of its fields
            assert line.fields is not None
            yield {_SOURCE: line.source, _NUMBER: line.line, LINE: json_line(line.fields)}
            continue
        assert isinstance(line, Line)
        yield {_SOURCE: line.source, _NUMBER: line.number, LINE: line.data}


def as_lines(fmt: Format) -> Format:
    """The format the rows of :func:`read_records` of ``fmt`` are in: JSON Lines for CSV (a
    row a JSON line), else ``fmt`` itself.

    >>> as_lines("csv"), as_lines("parquet")
    ('jsonl', 'parquet')
    """
    return "jsonl" if fmt == "csv" else fmt


# --------------------------------------------------------------------------------------------
# cleaning


def clean_records(
    ds: Any,
    in_fmt: Format,
    out_fmt: Format,
    *,
    field: str = "text",
    id_field: str = "id",
    repair_options: RepairOptions | None = None,
    normalize_options: NormalizeOptions | None = None,
) -> Any:
    """Every record of :func:`read_records` cleaned as :func:`dedup.clean` cleans it. JSON
    Lines in, or JSON Lines out: one column :data:`OUT`, each record's output line
    (:func:`dedup.io.encode`). Parquet in and out: the rows, their text column cleaned, every
    column's type kept. A null text is left as it is."""
    kwargs = {
        "field": field,
        "id_field": id_field,
        "fmt": out_fmt,
        "repair_options": repair_options,
        "normalize_options": normalize_options,
    }
    if in_fmt == "jsonl":
        return ds.map_batches(_clean_lines, batch_format="pyarrow", fn_kwargs=kwargs)
    if out_fmt == "parquet":
        return ds.map_batches(_clean_column, batch_format="pyarrow", fn_kwargs=kwargs)
    return ds.map_batches(_clean_rows, batch_format="pyarrow", fn_kwargs=kwargs)


def _text(text: str, **options: Any) -> str:
    cleaned: str = clean(text, **options)
    return cleaned


def _clean_lines(batch: Any, *, field: str, id_field: str, fmt: Format, **options: Any) -> Any:
    pa = require("pyarrow", "parquet", "the Ray engine")
    out: list[bytes] = []
    for record in _parsed(batch, field=field, id_field=id_field):
        text = "" if record.no_text else _text(record.text, **options)
        out.append(encode(record, text, "jsonl", field))  # type: ignore[arg-type]
    return pa.table({OUT: pa.array(out, pa.binary())})


def _clean_column(batch: Any, *, field: str, id_field: str, fmt: Format, **options: Any) -> Any:
    pa = require("pyarrow", "parquet", "the Ray engine")
    index = batch.schema.get_field_index(field)
    texts = batch.column(field).to_pylist()
    cleaned = [None if t is None else _text(t, **options) for t in texts]
    kind = batch.schema.field(index).type
    return batch.set_column(index, batch.schema.field(index), pa.array(cleaned, kind))


def _clean_rows(batch: Any, *, field: str, id_field: str, fmt: Format, **options: Any) -> Any:
    pa = require("pyarrow", "parquet", "the Ray engine")
    rows, _, _ = batch_rows(batch)
    out = []
    for row in rows:
        text = row.get(field)
        if text is not None:
            row[field] = _text(text, **options)
        out.append(json_line(row))
    return pa.table({OUT: pa.array(out, pa.binary())})


# --------------------------------------------------------------------------------------------
# corpus


def texts(ds: Any, in_fmt: Format, *, field: str = "text", id_field: str = "id") -> Any:
    """``ds`` with a column :data:`TEXT`, the text each record is clustered by. A record
    without text gets a text of its own that nothing else has, so that it is kept, alone."""
    kwargs = {"field": field, "id_field": id_field, "jsonl": in_fmt == "jsonl"}
    own = {k: v for k, v in _OWN.items() if k in ds.columns()}
    if own:
        ds = ds.rename_columns(own)
    return ds.map_batches(_texts, batch_format="pyarrow", fn_kwargs=kwargs)


def _texts(batch: Any, *, field: str, id_field: str, jsonl: bool) -> Any:
    import uuid

    pa = require("pyarrow", "parquet", "the Ray engine")
    if jsonl:
        values = [
            None if r.no_text else r.text for r in _parsed(batch, field=field, id_field=id_field)
        ]
    else:
        values = batch.column(field).to_pylist()
    own = [f"\x00{uuid.uuid4().hex}" if v is None else v for v in values]
    return batch.append_column(TEXT, pa.array(own, pa.string()))


def _parsed(batch: Any, *, field: str, id_field: str) -> list[Record]:
    """The records of a batch of lines (:data:`LINE`, with their source and number); the first
    that cannot be read raises its error, naming the file and line."""
    parsers: dict[str, LineParser] = {}
    out = []
    for source, number, data in zip(
        batch.column(_SOURCE).to_pylist(),
        batch.column(_NUMBER).to_pylist(),
        batch.column(LINE).to_pylist(),
        strict=True,
    ):
        parser = parsers.get(source) or parsers.setdefault(
            source, LineParser(source, field, id_field)
        )
        record = parser(Line(source=source, number=number, data=data, position=0))
        if isinstance(record, Reject):
            raise record.error
        out.append(record)
    return out


def corpus_records(
    ds: Any,
    in_fmt: Format,
    out_fmt: Format,
    *,
    label: str | None,
    field: str = "text",
    id_field: str = "id",
) -> Any:
    """The rows of a clustered dataset (:func:`texts`, then :func:`dedup.ray.near_duplicates`
    on :data:`TEXT`) as they are written: with ``label`` (``"cluster"``, ``"duplicate_of"``)
    the cluster in a field of that name, else as they were read."""
    kwargs = {"field": field, "id_field": id_field, "label": label, "out_fmt": out_fmt}
    if in_fmt == "jsonl":
        return ds.map_batches(_corpus_lines, batch_format="pyarrow", fn_kwargs=kwargs)
    columns = ds.columns()
    keep = [c for c in columns if c not in (TEXT, "kept", "cluster")]
    rows = ds.select_columns([*keep, "cluster"] if label else keep)
    names = {v: k for k, v in _OWN.items() if v in columns and k != label}
    if label and label != "cluster":
        names["cluster"] = label
    if label in _OWN and _OWN[label] in columns:  # the cluster replaces a field of its name
        rows = rows.drop_columns([_OWN[label]])
    return rows.rename_columns(names) if names else rows


def _corpus_lines(
    batch: Any, *, field: str, id_field: str, label: str | None, out_fmt: Format
) -> Any:
    pa = require("pyarrow", "parquet", "the Ray engine")
    clusters = batch.column("cluster").to_pylist()
    out: list[bytes] = []
    for record, cluster in zip(
        _parsed(batch, field=field, id_field=id_field), clusters, strict=True
    ):
        if label is None and record.raw is not None:
            line = record.raw if record.raw.endswith(b"\n") else record.raw + b"\n"
        else:
            fields = dict(record.fields or {})
            if label is not None:
                fields[label] = cluster
            line = json_line(fields)
        out.append(line)
    return pa.table({OUT: pa.array(out, pa.binary())})


# --------------------------------------------------------------------------------------------
# writing


def write_records(
    ds: Any,
    output: str,
    fmt: Format,
    *,
    field: str = "text",
    force: bool = False,
    directory: bool = False,
) -> int:
    """Write ``ds`` (rows, or the lines of :data:`OUT`) where ``output`` names: a file, in the
    calling process, or with ``directory`` part files ``part-00000.jsonl``, ... written by
    the tasks. Returns the records written."""
    if directory:
        return _write_parts(ds, output, fmt, field=field)
    _, compression = detect_format(PurePath(output.rstrip("/")).name)
    written = 0
    with contextlib.ExitStack() as stack:
        if "://" in output:  # an object store: one object, whole once it is closed
            stream = stack.enter_context(_open_uri(output))
            writer = Writer(None, fmt, compression, field=field, stdout=stream)
        else:
            writer = Writer(Path(output), fmt, compression, field=field, force=force)
        stack.enter_context(unwrapped())
        stack.enter_context(writer)
        writer.declare(_schema(ds))
        for batch in ds.iter_batches(batch_format="pyarrow", batch_size=1024):
            written += _put(writer, batch, fmt)
    return written


def _open_uri(uri: str) -> Any:
    """An output stream to the object ``uri`` names (``s3://``, ``gs://``: what
    ``pyarrow.fs`` reaches)."""
    fs = require("pyarrow.fs", "parquet", "writing to " + uri)
    filesystem, path = fs.FileSystem.from_uri(uri)
    return filesystem.open_output_stream(path)


def _schema(ds: Any) -> Any:
    schema = ds.schema(fetch_if_missing=True)
    arrow = getattr(schema, "base_schema", schema)
    return None if arrow is None or OUT in getattr(arrow, "names", ()) else arrow


def _put(writer: Writer, batch: Any, fmt: Format) -> int:
    if OUT in batch.column_names:
        lines = batch.column(OUT).to_pylist()
        for line in lines:
            writer.put(line if fmt == "jsonl" else json.loads(line))
        return len(lines)
    rows, _, _ = batch_rows(batch)
    for row in rows:
        writer.put(json_line(row) if fmt == "jsonl" else row)
    return len(rows)


def _write_parts(ds: Any, output: str, fmt: Format, *, field: str) -> int:
    rd = _ray_data()
    if "://" not in output:
        os.makedirs(output, exist_ok=True)
    sink = _parts_sink(rd)(output.rstrip("/"), fmt, field, _schema(ds))
    with unwrapped():
        ds.write_datasink(sink)
    return int(sink.written)


def _parts_sink(rd: Any) -> Any:
    """A Ray datasink writing each task's rows to one part file with :class:`Writer`."""
    from ray.data.block import BlockAccessor

    class PartsSink(rd.Datasink):  # type: ignore[misc]
        def __init__(self, directory: str, fmt: Format, field: str, schema: Any) -> None:
            self.directory = directory
            self.fmt = fmt
            self.field = field
            self.schema = schema
            self.written = 0

        def write(self, blocks: Any, ctx: Any) -> int:
            suffix = ".parquet" if self.fmt == "parquet" else ".jsonl"
            name = f"{self.directory}/part-{ctx.task_idx:05d}{suffix}"
            written = 0
            with contextlib.ExitStack() as stack:
                if "://" in name:
                    stream = stack.enter_context(_open_uri(name))
                    writer = Writer(None, self.fmt, None, field=self.field, stdout=stream)
                else:
                    writer = Writer(Path(name), self.fmt, None, field=self.field, force=True)
                stack.enter_context(writer)
                writer.declare(self.schema)
                for block in blocks:
                    written += _put(writer, BlockAccessor.for_block(block).to_arrow(), self.fmt)
            return written

        def on_write_complete(self, result: Any) -> None:
            self.written = sum(getattr(result, "write_returns", None) or [])

    return PartsSink
