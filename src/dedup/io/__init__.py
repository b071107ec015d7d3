"""Readers and writers for the command line: text files, directories, JSON Lines and CSV/TSV
(plain, gzip, zstd), Parquet, and ``-`` for stdin and stdout.

Readers stream: a JSONL file is read line by line, a CSV file row by row and a Parquet file
batch by batch, so memory
stays bounded however large the file. Each record keeps every field, in order, and where it came
from (file and line), so an error can say exactly where to look.

Writers never leave a partial file: they write to a temporary file in the output's directory,
flush and ``fsync`` it, then rename it over the target with :func:`os.replace`. An output that
exists is refused unless ``force`` is set.

One module a responsibility, each name importable from here:

- :mod:`dedup.io.formats`: what a name or a stream says the format is, and output names;
- :mod:`dedup.io.compression`: gzip and zstd, both ways;
- :mod:`dedup.io.sources`: the inputs a run names (:func:`discover`);
- :mod:`dedup.io.records`: what a reader yields (:class:`Record`, :class:`Reject`, :class:`Line`);
- :mod:`dedup.io.tables`: CSV and TSV rows in and out (:func:`read_rows`, :class:`TableSink`);
- :mod:`dedup.io.reader`: :class:`Reader`, one source's records, streamed;
- :mod:`dedup.io.outputs`: :func:`atomic_output`, and what may be replaced;
- :mod:`dedup.io.writer`: :class:`Writer` and :func:`encode`.

>>> detect_format("crawl/2024.jsonl.zst")
('jsonl', 'zstd')
>>> detect_format("page.txt")
('text', None)
"""

from __future__ import annotations

from dedup.io.compression import Compression
from dedup.io.formats import (
    FORMATS,
    Format,
    detect_format,
    output_name,
    path_format,
    sniff_format,
    split_compression,
)
from dedup.io.outputs import OutputError, atomic_output, is_stream
from dedup.io.reader import MAX_RECORD_BYTES, Reader
from dedup.io.records import Line, LineParser, Record, Reject
from dedup.io.sources import Source, discover
from dedup.io.tables import TableSink, delimiter_of, read_rows
from dedup.io.writer import (
    Encoded,
    WriteOptions,
    Writer,
    encode,
    json_line,
    open_writer,
    write_jsonl_line,
)

__all__ = [
    "FORMATS",
    "MAX_RECORD_BYTES",
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
    "TableSink",
    "WriteOptions",
    "Writer",
    "atomic_output",
    "delimiter_of",
    "detect_format",
    "discover",
    "encode",
    "is_stream",
    "json_line",
    "open_writer",
    "output_name",
    "path_format",
    "read_rows",
    "sniff_format",
    "split_compression",
    "write_jsonl_line",
]
