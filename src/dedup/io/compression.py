"""gzip and zstd, both ways: the decompressed stream of an input, the compressing stream of an
output, and the errors of a damaged or truncated file said as one :class:`InputError`.

>>> import gzip, io
>>> with decompressed(io.BytesIO(gzip.compress(b"a line\\n")), "gzip", "in.gz") as stream:
...     stream.read()
b'a line\\n'
"""

from __future__ import annotations

import contextlib
import gzip
import io
import zlib
from collections.abc import Iterator
from typing import IO, Any, Literal

from dedup.extras import require
from dedup.model import InputError

__all__ = [
    "COMPRESSION_SUFFIXES",
    "READ_CHUNK",
    "Compression",
    "compressing",
    "decompressed",
    "skip_rest",
]

Compression = Literal["gzip", "zstd"]
COMPRESSION_SUFFIXES: dict[str, Compression] = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd"}
"""The file name endings that say a file is compressed, and how."""
READ_CHUNK = 1 << 20
"""Bytes read from an input at a time."""
_ZSTD_OUT = 1 << 22  # bytes of zstd output aimed at per piece of input fed


_GZIP_FAULTS: tuple[tuple[type[Exception], str, str, str], ...] = (
    (
        EOFError,
        "the gzip stream is truncated",
        "the file was cut short; fetch or compress it again",
        "truncated",
    ),
    (
        zlib.error,
        "the gzip stream is damaged",
        "the file was corrupted; fetch or compress it again",
        "damaged",
    ),
    (
        gzip.BadGzipFile,
        "not a readable gzip file",
        "check that it is gzip-compressed, or rename it without the .gz suffix",
        "not-gzip",
    ),
)
"""What a gzip file that cannot be read is said to be, by what the reader raised: what it is,
what to do, the error's ``reason``."""


def skip_rest(stream: IO[bytes], *, to_line_end: bool = False) -> int:
    """Read and drop the rest of ``stream`` (``to_line_end``: of its line, line break
    included) a piece at a time; the number of bytes dropped.

    >>> stream = io.BytesIO(b"rest of a line\\nnext\\n")
    >>> skip_rest(stream, to_line_end=True), stream.read()
    (15, b'next\\n')
    """
    total = 0
    while True:
        piece = stream.readline(READ_CHUNK) if to_line_end else stream.read(READ_CHUNK)
        total += len(piece)
        if not piece or (to_line_end and piece.endswith(b"\n")):
            return total


@contextlib.contextmanager
def decompressed(raw: IO[bytes], compression: Compression | None, name: str) -> Iterator[IO[bytes]]:
    """The decompressed byte stream of ``raw`` (``raw`` itself when ``compression`` is
    ``None``). A truncated, damaged or foreign file, found while the block reads it, raises
    :class:`InputError` naming ``name``."""
    try:
        if compression == "gzip":
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                yield stream  # type: ignore[misc]
        elif compression == "zstd":
            with io.BufferedReader(_ZstdReader(raw, name), READ_CHUNK) as buffered:
                yield buffered
        else:
            yield raw
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        what, hint, reason = next(f[1:] for f in _GZIP_FAULTS if isinstance(exc, f[0]))
        raise InputError(f"{name}: {what} ({exc})", hint=hint, reason=reason, path=name) from exc


def compressing(
    stack: contextlib.ExitStack, base: IO[bytes], compression: Compression | None, name: str
) -> IO[bytes]:
    """A stream that writes ``base`` compressed (``base`` itself when ``compression`` is
    ``None``), entered on ``stack``: it is finished, its last frame written, when the stack
    closes. gzip output holds no time stamp, so the same input gives the same bytes."""
    if compression == "gzip":
        return stack.enter_context(
            gzip.GzipFile(fileobj=base, mode="wb", mtime=0)  # type: ignore[arg-type]
        )
    if compression == "zstd":
        zstandard = require("zstandard", "zstd", f"{name}: writing zstd")

        return stack.enter_context(zstandard.ZstdCompressor().stream_writer(base, closefd=False))
    return base


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
                chunk = self._raw.read(READ_CHUNK)
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
            self._feed = min(READ_CHUNK, max(1 << 10, int(_ZSTD_OUT / ratio)))
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
