"""Format names: what a file's name says it holds (text, JSON Lines, Parquet, CSV; gzip, zstd), what
a stream with no name holds (stdin), and the name a mirrored output gets.

>>> detect_format("crawl/2024.jsonl.zst")
('jsonl', 'zstd')
>>> detect_format("page.txt"), detect_format("items.tsv.gz")
(('text', None), ('csv', 'gzip'))
"""

from __future__ import annotations

import io
import json
from pathlib import Path, PurePath
from typing import IO, Any, Literal

from dedup.extras import require
from dedup.io.compression import COMPRESSION_SUFFIXES, READ_CHUNK, Compression
from dedup.model import InputError

__all__ = [
    "FORMATS",
    "PARQUET_BATCH_ROWS",
    "Format",
    "detect_format",
    "output_name",
    "path_format",
    "pyarrow_modules",
    "sniff_format",
    "split_compression",
]

Format = Literal["text", "jsonl", "parquet", "csv"]
FORMATS: tuple[str, ...] = ("text", "jsonl", "parquet", "csv")

_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
_PARQUET_SUFFIXES = (".parquet", ".pq")
_CSV_SUFFIXES = (".csv", ".tsv")
_FORMAT_SUFFIX: dict[str, str] = {
    "text": ".txt",
    "jsonl": ".jsonl",
    "parquet": ".parquet",
    "csv": ".csv",
}
PARQUET_BATCH_ROWS = 1024
"""Rows of a Parquet file read, or written, at a time."""


def pyarrow_modules(purpose: str) -> tuple[Any, Any]:
    """``pyarrow`` and ``pyarrow.parquet``, or a :class:`~dedup.extras.MissingExtraError`
    saying that ``purpose`` needs the ``parquet`` extra."""
    return require("pyarrow", "parquet", purpose), require("pyarrow.parquet", "parquet", purpose)


def split_compression(name: str) -> tuple[str, Compression | None]:
    """``name`` lower-cased without its compression suffix, and the compression it names.

    >>> split_compression("Items.CSV.gz"), split_compression("page.txt")
    (('items.csv', 'gzip'), ('page.txt', None))
    """
    lower = name.lower()
    for suffix, kind in COMPRESSION_SUFFIXES.items():
        if lower.endswith(suffix):
            return lower[: -len(suffix)], kind
    return lower, None


def detect_format(name: str) -> tuple[Format, Compression | None]:
    """The format and compression a file name implies; anything unknown is plain text."""
    lower, compression = split_compression(name)
    if lower.endswith(_JSONL_SUFFIXES):
        return "jsonl", compression
    if lower.endswith(_PARQUET_SUFFIXES) and compression is None:
        return "parquet", None
    if lower.endswith(_CSV_SUFFIXES):
        return "csv", compression
    return "text", compression


def path_format(path: str) -> Format:
    """The format of what ``path`` names, by :func:`detect_format`'s rule (the one rule for
    every engine): a file's, or a URI's, from its name; a local directory's from the first file
    in it (sorted, hidden files skipped) whose name says JSON Lines, Parquet or CSV, else text.

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
    again = io.BufferedReader(_Replay(head, stream), READ_CHUNK)
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
    for suffix in (
        *COMPRESSION_SUFFIXES,
        *_JSONL_SUFFIXES,
        *_PARQUET_SUFFIXES,
        *_CSV_SUFFIXES,
        ".txt",
    ):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    suffix = _FORMAT_SUFFIX[fmt]
    if compression == "gzip":
        suffix += ".gz"
    elif compression == "zstd":
        suffix += ".zst"
    return relative.with_name(stem + suffix)
