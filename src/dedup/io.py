"""Readers and writers for the command line: text files, directories, JSON Lines (plain, gzip,
zstd), Parquet, and ``-`` for stdin and stdout.

Readers stream: a JSONL file is read line by line and a Parquet file batch by batch, so memory
stays bounded however large the file. Each record keeps every field, in order, and where it came
from (file and line), so an error can say exactly where to look.

Writers never leave a partial file: they write to a temporary file in the output's directory,
flush and ``fsync`` it, then rename it over the target with :func:`os.replace`. An output that
exists is refused unless ``force`` is set.

>>> detect_format("crawl/2024.jsonl.zst")
('jsonl', 'zstd')
>>> detect_format("page.txt")
('text', None)
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import io
import json
import os
import re
import stat
import sys
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import IO, Any, Literal

from dedup.extras import require
from dedup.model import ConfigError, DedupError, InputError, check_int
from dedup.parquet import BadString, ParquetSink, batch_rows, json_value

__all__ = [
    "FORMATS",
    "Compression",
    "Encoded",
    "Format",
    "Line",
    "LineParser",
    "OutputError",
    "Reader",
    "Record",
    "Reject",
    "Source",
    "Writer",
    "atomic_output",
    "detect_format",
    "discover",
    "encode",
    "is_stream",
    "json_line",
    "open_writer",
    "output_name",
    "path_format",
    "sniff_format",
    "write_jsonl_line",
]

Format = Literal["text", "jsonl", "parquet"]
Compression = Literal["gzip", "zstd"]
FORMATS: tuple[str, ...] = ("text", "jsonl", "parquet")
Errors = Literal["strict", "replace"]

_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
_COMPRESSION_SUFFIXES: dict[str, Compression] = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd"}
_PARQUET_SUFFIXES = (".parquet", ".pq")
_FORMAT_SUFFIX: dict[str, str] = {"text": ".txt", "jsonl": ".jsonl", "parquet": ".parquet"}
_READ_CHUNK = 1 << 20
_ZSTD_OUT = 1 << 22  # bytes of zstd output aimed at per piece of input fed
MAX_RECORD_BYTES = 64 << 20
"""The default cap on one record's bytes as read (a JSON line, a text file, a Parquet text):
64 MiB. A record over it is set aside before it is decoded whole (see :class:`Reader`)."""
_PARQUET_BATCH_ROWS = 1024


class OutputError(DedupError):
    """An output cannot be written: it exists (and ``force`` is off), or it is the input."""


def detect_format(name: str) -> tuple[Format, Compression | None]:
    """The format and compression a file name implies; anything unknown is plain text."""
    lower = name.lower()
    compression: Compression | None = None
    for suffix, kind in _COMPRESSION_SUFFIXES.items():
        if lower.endswith(suffix):
            compression = kind
            lower = lower[: -len(suffix)]
            break
    if lower.endswith(_JSONL_SUFFIXES):
        return "jsonl", compression
    if lower.endswith(_PARQUET_SUFFIXES) and compression is None:
        return "parquet", None
    return "text", compression


def path_format(path: str) -> Format:
    """The format of what ``path`` names, by :func:`detect_format`'s rule (the one rule for
    every engine): a file's, or a URI's, from its name; a local directory's from the first file
    in it (sorted, hidden files skipped) whose name says JSON Lines or Parquet, else text.

    >>> path_format("s3://bucket/crawl/part-0001.parquet"), path_format("day2.jsonl.zst")
    ('parquet', 'jsonl')
    """
    local = Path(path)
    if "://" not in path and local.is_dir():
        for candidate in sorted(local.rglob("*")):
            relative = candidate.relative_to(local)
            if candidate.is_file() and not any(p.startswith(".") for p in relative.parts):
                fmt, _ = detect_format(candidate.name)
                if fmt != "text":
                    return fmt
        return "text"
    return detect_format(PurePath(path.rstrip("/")).name)[0]


class _Replay(io.RawIOBase):
    """The bytes already read (``head``), then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            n = min(len(view), len(self._head))
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(view))
        view[: len(data)] = data
        return len(data)


_SNIFF_LINES = 64


def sniff_format(stream: IO[bytes], name: str = "<stdin>") -> tuple[Format, IO[bytes]]:
    """The format of a stream that has no name to tell it (stdin), and a stream that gives
    every byte of it again: Parquet when it starts with ``PAR1``; JSON Lines when its first
    line that is not blank is a JSON object; text otherwise. A first line that starts with
    ``{`` but is not one JSON object is neither, and is refused with
    :class:`~dedup.model.InputError` (``reason="ambiguous-format"``).

    >>> fmt, again = sniff_format(io.BytesIO(b'\\n{"id": 1, "text": "a"}\\n'))
    >>> fmt, again.read()
    ('jsonl', b'\\n{"id": 1, "text": "a"}\\n')
    >>> sniff_format(io.BytesIO(b"Plain text.\\n"))[0], sniff_format(io.BytesIO(b""))[0]
    ('text', 'text')
    """
    head = b""
    line = b""
    for _ in range(_SNIFF_LINES):
        line = stream.readline()
        head += line
        if not line or line.strip(b" \t\r\n\xef\xbb\xbf"):
            break
    again = io.BufferedReader(_Replay(head, stream), _READ_CHUNK)
    if head.startswith(b"PAR1"):
        return "parquet", again
    first = line.strip().removeprefix(b"\xef\xbb\xbf").lstrip()
    if not first.startswith(b"{"):
        return "text", again
    try:
        record = json.loads(first)
    except (ValueError, UnicodeDecodeError):
        record = None
    if isinstance(record, dict):
        return "jsonl", again
    raise InputError(
        f"{name} starts with '{{' but its first line is not one JSON object: it may be JSON "
        "Lines cut short, or JSON that is not one object a line",
        hint="name its format: read it as one text document, or as JSON Lines",
        reason="ambiguous-format",
        path=name,
        line=1,
    )


def output_name(relative: PurePath, fmt: Format, compression: Compression | None) -> PurePath:
    """The name a mirrored output gets: the input's, with its suffix changed if the format is."""
    in_fmt, in_comp = detect_format(relative.name)
    if in_fmt == fmt and in_comp == compression:
        return relative
    stem = relative.name
    for suffix in (*_COMPRESSION_SUFFIXES, *_JSONL_SUFFIXES, *_PARQUET_SUFFIXES, ".txt"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    suffix = _FORMAT_SUFFIX[fmt]
    if compression == "gzip":
        suffix += ".gz"
    elif compression == "zstd":
        suffix += ".zst"
    return relative.with_name(stem + suffix)


@dataclass(frozen=True, slots=True)
class Source:
    """One input: a file (or stdin when ``path`` is ``None``) and how to read it.

    ``relative`` is the path under the directory it was found in (its name for a file given
    directly), which is where a mirrored output goes.
    """

    path: Path | None
    format: Format
    compression: Compression | None
    relative: PurePath

    @property
    def name(self) -> str:
        """The name messages use: the path as given, or ``<stdin>``."""
        return "<stdin>" if self.path is None else str(self.path)

    @property
    def size(self) -> int | None:
        """The file's size in bytes (``None`` for stdin)."""
        return None if self.path is None else self.path.stat().st_size


def discover(
    paths: Sequence[str],
    *,
    glob: str = "*",
    input_format: Format | None = None,
    exclude: Path | None = None,
    links: list[Path] | None = None,
) -> list[Source]:
    """The inputs named by ``paths``: files, directories (searched recursively for ``glob``,
    hidden files skipped, sorted) and ``-`` for stdin.

    ``input_format`` overrides the format the file names imply. Paths under ``exclude`` (the
    output directory) are left out. Symbolic links found in a directory are not followed
    (a link named in ``paths`` is): each is appended to ``links``, so that the caller can say
    so. Raises :class:`InputError` for a path that does not exist, and :class:`ConfigError`
    for a ``glob`` that is not a pattern of names under a directory.
    """
    _check_glob(glob)
    sources: list[Source] = []
    excluded = exclude.resolve() if exclude is not None else None
    for raw in paths:
        if raw == "-":
            fmt = input_format or "text"
            sources.append(Source(None, fmt, None, PurePath("-")))
            continue
        path = Path(raw)
        if path.is_dir():
            found = []
            for candidate in sorted(path.rglob(glob)):
                relative = candidate.relative_to(path)
                if any(p.startswith(".") for p in relative.parts):
                    continue
                if candidate.is_symlink():
                    if links is not None:
                        links.append(candidate)
                    continue
                if not candidate.is_file():
                    continue
                if excluded is not None and candidate.resolve().is_relative_to(excluded):
                    continue
                found.append(_source(candidate, PurePath(relative), input_format))
            sources.extend(found)
        elif path.exists():
            sources.append(_source(path, PurePath(path.name), input_format))
        else:
            raise InputError(f"{raw}: no such file or directory", path=raw, reason="missing")
    return sources


def _check_glob(glob: str) -> None:
    """Refuse a pattern that is a path rather than names under a directory (``/etc/passwd``,
    ``../x``): a directory search would leave the directory."""
    parts = PurePath(glob).parts
    if not glob or PurePath(glob).is_absolute() or ".." in parts:
        raise ConfigError(
            f"glob {glob!r} is not a pattern of file names under a directory",
            hint="give a pattern such as '*.jsonl' or 'sub/*.txt', and name single files as inputs",
            reason="bad-glob",
            option="glob",
        )


def _source(path: Path, relative: PurePath, input_format: Format | None) -> Source:
    fmt, compression = detect_format(path.name)
    if input_format is not None:
        fmt = input_format
    return Source(path, fmt, compression, relative)


@dataclass(slots=True, kw_only=True)
class Record:
    """One document read from an input.

    - ``source``, ``line``: where it came from (the line for JSONL, the row for Parquet, counted
      from 1; 1 for a text file).
    - ``id``: its ``id`` field when it has one, else ``source:line``.
    - ``fields``: the whole record, every field in order (``None`` for a text file).
    - ``nbytes``: how many input bytes it took (decompressed).
    - ``position``: how far into the input it ends, in decompressed bytes (rows scaled to the
      file size for Parquet): a progress bar's measure.
    - ``raw``: the JSON line as read (valid UTF-8), so that a record whose text does not change
      is written back byte for byte.
    - ``replaced``: invalid UTF-8 was replaced with U+FFFD (``--errors replace``).
    - ``no_text``: its text field is null (``text`` is ``""``): it has nothing to clean or
      compare, and is written back as it was read.
    """

    source: str
    line: int
    id: str
    text: str
    fields: dict[str, Any] | None = None
    nbytes: int = 0
    replaced: bool = False
    position: int = 0
    raw: bytes | None = None
    no_text: bool = False

    @property
    def location(self) -> str:
        return f"{self.source}:{self.line}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Reject:
    """A record that cannot be processed: where it is, why (``error``, whose fields say it for
    a program), and its raw bytes (nothing is lost)."""

    source: str
    line: int
    error: DedupError
    raw: bytes = b""

    def to_dict(self, message: str | None = None) -> dict[str, Any]:
        """The JSON line a rejects file holds: ``source``, ``line``, ``error`` (``message``, or
        the error's own), and ``raw`` as text, or ``raw_base64`` when the bytes are not valid
        UTF-8."""
        error = str(self.error) if message is None else message
        out: dict[str, Any] = {"source": self.source, "line": self.line, "error": error}
        try:
            out["raw"] = self.raw.decode("utf-8")
        except UnicodeDecodeError:
            out["raw_base64"] = base64.b64encode(self.raw).decode("ascii")
        return out


@dataclass(frozen=True, slots=True)
class Line:
    """One JSON line as read, not parsed yet: a :class:`LineParser` makes it a record.

    A reader made with ``lazy=True`` yields these, so that the parsing can happen where the
    record is processed (a worker process) rather than where the file is read.
    """

    source: str
    number: int
    data: bytes
    position: int

    @property
    def location(self) -> str:
        return f"{self.source}:{self.number}"


@dataclass(frozen=True, slots=True)
class LineParser:
    """Turns a :class:`Line` of a JSONL source into a :class:`Record`, or a :class:`Reject`
    whose message names the file, line and field and says what to do.

    >>> parse = LineParser("crawl.jsonl")
    >>> parse(Line("crawl.jsonl", 1, b'{"id": 7, "text": "Hello."}\\n', 28)).text
    'Hello.'
    >>> error = parse(Line("crawl.jsonl", 2, b'{"id": 8}\\n', 38)).error
    >>> error.path, error.line, error.field, error.reason
    ('crawl.jsonl', 2, 'text', 'no-field')
    """

    source: str
    field: str = "text"
    id_field: str = "id"
    errors: Errors = "strict"

    def __call__(self, line: Line) -> Record | Reject:
        name, number, raw_line = self.source, line.number, line.data
        data = raw_line[3:] if number == 1 and raw_line.startswith(b"\xef\xbb\xbf") else raw_line
        text, error, replaced = self.decode(data, number, "the line")
        if error is not None:
            return Reject(source=name, line=number, error=error, raw=raw_line)
        assert text is not None
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            cut = "" if raw_line.endswith(b"\n") else " (the file ends in the middle of it)"
            malformed = InputError(
                f"{name}:{number}: malformed JSON{cut}: {exc.msg} (column {exc.colno})",
                hint="fix the line",
                reason="malformed-json",
                path=name,
                line=number,
            )
            return Reject(source=name, line=number, error=malformed, raw=raw_line)
        except (ValueError, RecursionError) as exc:  # valid JSON past what Python reads
            return Reject(
                source=name, line=number, error=self._unreadable(exc, number), raw=raw_line
            )
        null = isinstance(record, dict) and self.field in record and record[self.field] is None
        try:
            value = "" if null else self.text_of(record, number)
        except InputError as exc:
            return Reject(source=name, line=number, error=exc, raw=raw_line)
        return Record(
            source=name,
            line=number,
            id=self.id_of(record, number),
            text=value,
            fields=record,
            nbytes=len(raw_line),
            replaced=replaced,
            position=line.position,
            raw=None if replaced else data,
            no_text=null,
        )

    def _unreadable(self, exc: ValueError | RecursionError, number: int) -> InputError:
        """What to say of valid JSON that Python's reader does not take: an integer of more
        digits than it converts, or nesting deeper than it recurses."""
        where = f"{self.source}:{number}"
        if isinstance(exc, RecursionError):
            return InputError(
                f"{where}: the record is nested deeper than Python's JSON reader goes (about "
                f"{sys.getrecursionlimit():,} levels)",
                hint="flatten the record",
                reason="too-deep",
                path=self.source,
                line=number,
            )
        digits = re.search(r"value has (\d+) digits", str(exc))
        limit = re.search(r"limit \((\d+) digits\)", str(exc))
        if digits is None:
            return InputError(
                f"{where}: unreadable JSON ({exc})",
                hint="fix the line",
                reason="malformed-json",
                path=self.source,
                line=number,
            )
        most = f" (Python reads up to {int(limit.group(1)):,})" if limit else ""
        return InputError(
            f"{where}: a number of {int(digits.group(1)):,} digits{most}",
            hint="write the number as a string",
            reason="number-too-long",
            path=self.source,
            line=number,
        )

    def decode(
        self, data: bytes, line: int, what: str
    ) -> tuple[str | None, InputError | None, bool]:
        """Decode UTF-8: ``(text, error, replaced)``; ``text`` is ``None`` and ``error`` says
        why on a strict failure."""
        try:
            return data.decode("utf-8"), None, False
        except UnicodeDecodeError as exc:
            if self.errors == "replace":
                return data.decode("utf-8", errors="replace"), None, True
            error = InputError(
                f"{self.source}:{line}: invalid UTF-8 in {what} (byte 0x{data[exc.start]:02x}"
                f" at offset {exc.start})",
                hint="read it with errors='replace' to replace bad bytes with U+FFFD",
                reason="invalid-utf8",
                path=self.source,
                line=line,
            )
            return None, error, False

    def text_of(self, record: Any, number: int) -> str:
        """The text field of ``record``; raises :class:`InputError` saying what is wrong."""
        where = f"{self.source}:{number}"
        if not isinstance(record, dict):
            raise InputError(
                f"{where}: the line is a JSON {type(record).__name__}, not an object",
                hint="each line must be one JSON object; fix the line",
                reason="not-an-object",
                path=self.source,
                line=number,
            )
        if self.field not in record:
            fields = ", ".join(list(record)[:8]) or "none"
            raise InputError(
                f"{where}: the record has no field {self.field!r} (its fields: {fields})",
                hint="choose the text field",
                reason="no-field",
                path=self.source,
                line=number,
                field=self.field,
            )
        value = record[self.field]
        if not isinstance(value, str):
            kind = "null" if value is None else type(value).__name__
            raise InputError(
                f"{where}: field {self.field!r} is {kind}, not a string",
                hint="choose the text field",
                reason="field-not-text",
                path=self.source,
                line=number,
                field=self.field,
            )
        return value

    def id_of(self, record: dict[str, Any], number: int) -> str:
        """The record's id field when it is a string or an integer, else ``source:line``."""
        value = record.get(self.id_field)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return str(value)
        return f"{self.source}:{number}"


def _skip(stream: IO[bytes], *, to_line_end: bool = False) -> int:
    """Read and drop the rest of ``stream`` (``to_line_end``: of its line, line break
    included) a piece at a time; the number of bytes dropped."""
    total = 0
    while True:
        piece = stream.readline(_READ_CHUNK) if to_line_end else stream.read(_READ_CHUNK)
        total += len(piece)
        if not piece or (to_line_end and piece.endswith(b"\n")):
            return total


class _ZstdReader(io.RawIOBase):
    """A raw stream decompressing zstd frames, which raises on a truncated file.

    It runs in time linear in the output and in bounded memory however well the file is
    compressed (80 MB of text fit in 7 KB): compressed bytes are fed to the decompressor in
    pieces sized from the ratio seen so far, so that each yields about :data:`_ZSTD_OUT`
    bytes, and the output is handed out from an offset, never copied again.
    """

    def __init__(self, raw: IO[bytes], name: str) -> None:
        zstandard = require("zstandard", "zstd", f"{name}: reading zstd")

        self._raw = raw
        self._name = name
        self._dctx = zstandard.ZstdDecompressor()
        self._obj: Any = None  # the frame being decompressed; None between frames
        self._pending = memoryview(b"")  # compressed bytes read and not yet fed
        self._buffer = memoryview(b"")  # decompressed bytes not yet handed out
        self._feed = 1 << 14
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while not len(self._buffer) and not self._done:
            if not len(self._pending):
                chunk = self._raw.read(_READ_CHUNK)
                if not chunk:
                    self._done = True
                    if self._obj is not None:
                        raise InputError(
                            f"{self._name}: the zstd stream is truncated (the file ends in the "
                            "middle of a frame)",
                            hint="the file was cut short; fetch or compress it again",
                            reason="truncated",
                            path=self._name,
                        )
                    break
                self._pending = memoryview(chunk)
            piece = self._pending[: self._feed]
            self._pending = self._pending[self._feed :]
            out = self._decompress(piece)
            ratio = max(1.0, len(out) / len(piece))
            self._feed = min(_READ_CHUNK, max(1 << 10, int(_ZSTD_OUT / ratio)))
            self._buffer = memoryview(out)
        n = min(len(view), len(self._buffer))
        view[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n

    def _decompress(self, chunk: memoryview | bytes) -> bytes:
        zstandard = require("zstandard", "zstd", f"{self._name}: reading zstd")

        out = []
        while len(chunk):
            if self._obj is None:
                self._obj = self._dctx.decompressobj()
            try:
                out.append(self._obj.decompress(chunk))
            except zstandard.ZstdError as exc:
                raise InputError(
                    f"{self._name}: not a readable zstd file ({exc})",
                    hint="check that it is zstd-compressed, or rename it without the .zst suffix",
                    reason="not-zstd",
                    path=self._name,
                ) from exc
            if self._obj.eof:
                chunk = self._obj.unused_data
                self._obj = None
            else:
                chunk = b""
        return b"".join(out)


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

    def tell(self) -> int:
        """Bytes of the input consumed so far."""
        if self._raw is not None and self.source.path is not None:
            with contextlib.suppress(OSError, ValueError):
                return self._raw.tell()
        return self._position

    def __iter__(self) -> Iterator[Record | Reject | Line]:
        if self.source.format == "parquet":
            yield from self._parquet()
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
            if self.source.compression == "gzip":
                with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                    yield stream  # type: ignore[misc]
            elif self.source.compression == "zstd":
                with io.BufferedReader(_ZstdReader(raw, name), _READ_CHUNK) as buffered:
                    yield buffered
            else:
                yield raw
        except EOFError as exc:
            raise InputError(
                f"{name}: the gzip stream is truncated ({exc})",
                hint="the file was cut short; fetch or compress it again",
                reason="truncated",
                path=name,
            ) from exc
        except zlib.error as exc:
            raise InputError(
                f"{name}: the gzip stream is damaged ({exc})",
                hint="the file was corrupted; fetch or compress it again",
                reason="damaged",
                path=name,
            ) from exc
        except gzip.BadGzipFile as exc:
            raise InputError(
                f"{name}: not a readable gzip file ({exc})",
                hint="check that it is gzip-compressed, or rename it without the .gz suffix",
                reason="not-gzip",
                path=name,
            ) from exc
        finally:
            if close_raw:
                raw.close()

    def _text(self) -> Iterator[Record | Reject]:
        cap = self.max_record_bytes
        with self._open() as stream:
            data = stream.read(cap + 1) if cap else stream.read()
            over = len(data) > cap > 0
            if over:
                size = len(data) + _skip(stream)
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
        return InputError(
            f"{self.source.name}:{line}: the {what} is {size:,} bytes, more than the "
            f"{self.max_record_bytes:,} a record may take",
            hint="raise max_record_bytes to read it",
            reason="too-large",
            path=self.source.name,
            line=line,
        )

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
                    rest = _skip(stream, to_line_end=True)
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

    def _parquet(self) -> Iterator[Record | Reject]:
        name, field = self.source.name, self.parser.field
        pa, pq = _pyarrow(f"{name}: reading Parquet")
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
            for batch in parquet.iter_batches(batch_size=_PARQUET_BATCH_ROWS):
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
            error = InputError(
                f"{name}:{row}: invalid UTF-8 in column {bad.column!r} (byte 0x{bad.byte:02x} at "
                f"offset {bad.offset})",
                hint="read it with errors='replace' to replace bad bytes with U+FFFD",
                reason="invalid-utf8",
                path=name,
                line=row,
                field=bad.column,
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


def _pyarrow(purpose: str) -> tuple[Any, Any]:
    """``pyarrow`` and ``pyarrow.parquet``, or a :class:`~dedup.extras.MissingExtraError`
    saying that ``purpose`` needs the ``parquet`` extra."""
    return require("pyarrow", "parquet", purpose), require("pyarrow.parquet", "parquet", purpose)


def _exists(path: Path) -> OutputError:
    return OutputError(
        f"{path} exists", hint="pass force=True to replace it", reason="exists", path=path
    )


def is_stream(path: str | Path) -> bool:
    """Whether an output at ``path`` is written into rather than replaced: a FIFO, a character
    device (``/dev/null``, a terminal) or a link to an open file descriptor (``/dev/stdout``,
    ``/dev/fd/N``). Nothing there can be replaced, so nothing is lost by writing.

    >>> is_stream("/dev/null"), is_stream("out.jsonl")
    (True, False)
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or _descriptor(path)


def _descriptor(path: str | Path) -> bool:
    """Whether ``path`` leads, through symbolic links, to ``/dev/fd/N`` or ``/proc/*/fd/N``."""
    step = os.fspath(path)
    for _ in range(40):  # the kernel's own limit on links followed
        if _FD_PATH.match(step):
            return True
        if not os.path.islink(step):
            return False
        step = os.path.join(os.path.dirname(step), os.readlink(step))
    return False


_FD_PATH = re.compile(r"/(?:dev|proc/(?:self|\d+))/fd/\d+$")


def _refuse_to_replace(path: Path, *, force: bool) -> None:
    """Refuse ``path`` as an output that would be replaced: an existing regular file without
    ``force``, and anything that is neither a regular file nor a stream (:func:`is_stream`)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if stat.S_ISREG(mode):
        if not force and not _descriptor(path):
            raise _exists(path)
    elif not is_stream(path):
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        kind = "a socket" if stat.S_ISSOCK(mode) else kind
        kind = "a block device" if stat.S_ISBLK(mode) else kind
        raise OutputError(
            f"{path} is {kind}",
            hint="write to a regular file, a FIFO or a character device",
            reason="not-a-file",
            path=path,
        )


@contextlib.contextmanager
def atomic_output(
    path: Path, *, force: bool = False, mode_from: Path | None = None
) -> Iterator[IO[bytes]]:
    """A binary file that appears at ``path`` only when the block finishes without error.

    It is written as a temporary file in the same directory, flushed, synced and renamed over
    ``path``; on any error (or Ctrl-C) the temporary file is removed and ``path`` is untouched.
    ``mode_from`` copies that file's permissions (for ``--in-place``). A symbolic link is
    written through: the file it leads to is replaced, the link stays. A stream
    (:func:`is_stream`: a FIFO, ``/dev/null``, ``/dev/stdout``) is written into as it goes;
    anything else that is not a regular file (a directory, a socket) is refused.
    """
    _refuse_to_replace(path, force=force)
    if is_stream(path):
        with open(path, "wb") as stream:
            yield stream
        return
    real = Path(os.path.realpath(path)) if os.path.islink(path) else path
    directory = real.parent if str(real.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{real.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if mode_from is not None:
            os.chmod(tmp, mode_from.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class Writer:
    """Writes documents in one format to a file (atomically) or to stdout (``path`` ``None``).

    ``write(record, text)`` writes ``record`` with ``text`` as its new text: for JSONL and
    Parquet every other field is kept as it was, in order; a record read from a text file becomes
    ``{"id": ..., field: text}``. Text output holds exactly one document, and ends with a line
    break as a text file does (unless ``final_newline`` is off: ``--in-place`` keeps a file's
    last line as it was).
    Use as a context manager: the output is committed when the block ends without error.
    """

    def __init__(
        self,
        path: Path | None,
        fmt: Format,
        compression: Compression | None = None,
        *,
        field: str = "text",
        schema: Any = None,
        force: bool = False,
        mode_from: Path | None = None,
        stdout: IO[bytes] | None = None,
        final_newline: bool = True,
    ) -> None:
        self.path = path
        self.final_newline = final_newline
        self.format = fmt
        self.compression = compression
        self.field = field
        self.count = 0
        self._force = force
        self._mode_from = mode_from
        self._stdout = stdout
        self._stack = contextlib.ExitStack()
        self._stream: IO[bytes] | None = None
        self._rows: list[dict[str, Any]] = []
        self._sink: ParquetSink | None = None
        self._schemas: list[Any] = []
        self.declare(schema)
        if path is not None:
            _refuse_to_replace(path, force=force)

    @property
    def schema(self) -> Any:
        """The first Arrow schema declared (see :meth:`declare`), or ``None``."""
        return self._schemas[0] if self._schemas else None

    @schema.setter
    def schema(self, schema: Any) -> None:
        self.declare(schema)

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
            _pyarrow(f"{self._name()}: writing Parquet")
        if self.path is None:
            base: IO[bytes] = self._stdout if self._stdout is not None else sys.stdout.buffer
        else:
            base = self._stack.enter_context(
                atomic_output(self.path, force=self._force, mode_from=self._mode_from)
            )
        if self.compression == "gzip":
            base = self._stack.enter_context(
                gzip.GzipFile(fileobj=base, mode="wb", mtime=0)  # type: ignore[arg-type]
            )
        elif self.compression == "zstd":
            zstandard = require("zstandard", "zstd", f"{self._name()}: writing zstd")

            base = self._stack.enter_context(
                zstandard.ZstdCompressor().stream_writer(base, closefd=False)
            )
        self._stream = base
        if self.format == "parquet":
            spill = Path(os.path.realpath(self.path)).parent if self.path is not None else None
            self._sink = ParquetSink(base, name=self._name(), field=self.field, spill=spill)
            for schema in self._schemas:
                self._sink.declare(schema)
        return self

    def _name(self) -> str:
        return "<stdout>" if self.path is None else str(self.path)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            try:
                self._flush_parquet(final=True)
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
            if self.final_newline and output and not output.endswith(("\n", "\r")):
                output += "\n"
            self._stream.write(output.encode("utf-8", errors="replace"))
        elif self.format == "jsonl":
            assert isinstance(output, bytes)
            self._stream.write(output)
        else:
            assert isinstance(output, dict)
            self._rows.append(output)
            if len(self._rows) >= _PARQUET_BATCH_ROWS:
                self._flush_parquet(final=False)
        self.count += 1

    def _flush_parquet(self, *, final: bool) -> None:
        if self._sink is None:
            return
        if self._rows:
            self._sink.write(self._rows)
            self._rows = []
        if final:
            self._sink.close()


Encoded = bytes | str | dict[str, Any]
"""What a :class:`Writer` writes for one record: a JSON line, a text, or a Parquet row."""


def encode(record: Record, text: str, fmt: Format, field: str = "text") -> Encoded:
    """What a writer of ``fmt`` writes for ``record`` with ``text`` as its new text.

    For JSONL, the line (the line exactly as read when the text did not change); for Parquet,
    the row with every field kept; for text, the text. Made where it is cheapest: the workers
    of ``dedup clean`` make it beside the cleaning, and the writer only writes it.

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
    field: str = "text",
    schema: Any = None,
    force: bool = False,
    mode_from: Path | None = None,
    stdout: IO[bytes] | None = None,
) -> Writer:
    """A :class:`Writer` for ``target`` (``"-"`` is stdout); the format follows the file name
    unless ``fmt`` is given, and compression always follows the name."""
    if str(target) == "-":
        return Writer(None, fmt or "text", None, field=field, schema=schema, stdout=stdout)
    path = Path(target)
    name_fmt, compression = detect_format(path.name)
    return Writer(
        path,
        fmt or name_fmt,
        compression,
        field=field,
        schema=schema,
        force=force,
        mode_from=mode_from,
    )


def write_jsonl_line(stream: IO[bytes], fields: dict[str, Any]) -> None:
    """Write one JSON line (for reports and rejects)."""
    stream.write(json_line(fields))
