"""What a reader yields: a :class:`Record` (one document, every field kept, where it came
from), a :class:`Reject` (what could not be read, and why), or a :class:`Line` not parsed yet,
which a :class:`LineParser` makes a record where it is processed."""

from __future__ import annotations

import base64
import json
import re
import sys
from dataclasses import dataclass
from typing import Any, Literal

from dedup.model import DedupError, InputError
from dedup.parquet import Errors

__all__ = ["Line", "LineParser", "Record", "Reject"]


# What the first bytes of a file that is no UTF-8 say it is (a decoding that fails at once), and
# what to do with it: text in another encoding or compressed is read once converted, a binary
# file (an image among the pages) not at all.
_SIGNATURES = (
    (b"\xff\xfe", "UTF-16 text", "convert it to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8"),
    (b"\xfe\xff", "UTF-16 text", "convert it to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8"),
    (b"\x1f\x8b", "a gzip file", "decompress it first, or give it a name ending in .gz"),
    (b"\x28\xb5\x2f\xfd", "a zstd file", "decompress it first, or give it a name ending in .zst"),
    (b"\x89PNG", "a PNG image", ""),
    (b"\xff\xd8\xff", "a JPEG image", ""),
    (b"%PDF", "a PDF document", ""),
    (b"PK\x03\x04", "a zip archive", ""),
)


# Two bytes that begin a well-formed UTF-8 sequence: text written in an 8-bit encoding
# (Windows-1252, Latin-1, Windows-1251) seldom holds one.
_UTF8_PAIR = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_NON_ASCII_WORD = re.compile(r"\w*[^\x00-\x7f]\w*")


def _bad_byte(data: bytes, start: int) -> str:
    """How an error names the first byte of ``data`` that is no UTF-8, at ``start``.

    >>> _bad_byte(b"caf\\xe9", 3)
    'byte 0xe9 at offset 3'
    """
    return f"byte 0x{data[start]:02x} at offset {start}"


def _eight_bit_word(data: bytes) -> str | None:
    """Where ``data`` (no valid UTF-8) reads as text in an 8-bit encoding, its first word with a
    letter past ASCII, as Windows-1252 reads it (at most 40 characters); else ``None``: it
    holds a UTF-8 sequence (text damaged in places), or a byte Windows-1252 leaves undefined.

    >>> _eight_bit_word(b"Un caf\\xe9 cr\\xe8me")
    'café'
    >>> _eight_bit_word(b"caf\\xc3\\xa9 \\xff") is None
    True
    """
    if _UTF8_PAIR.search(data) is not None:
        return None
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    word = _NON_ASCII_WORD.search(text)
    return word.group()[:40] if word else None


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
            if number == 1 and text.lstrip().startswith("["):
                array = self._json_array()
                return Reject(source=name, line=number, error=array, raw=raw_line)
            if number == 1 and raw_line.endswith(b"\n") and self._goes_on(text, exc):
                spread = self._json_over_lines()
                return Reject(source=name, line=number, error=spread, raw=raw_line)
            cut = "" if raw_line.endswith(b"\n") else " (the file ends in the middle of it)"
            malformed = self.error(
                number,
                f"malformed JSON{cut}: {exc.msg} (column {exc.colno})",
                hint="fix the line",
                reason="malformed-json",
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

    def _json_array(self) -> InputError:
        """The error of a file that is one JSON array (as ``scrapy crawl -o items.json`` and
        ``json.dump`` of a list write it), not one object a line."""
        return self.error(
            1,
            "the file is one JSON array, not JSON Lines (one JSON object a line)",
            hint=f"write one object a line first, e.g. jq -c '.[]' {self.source} > "
            f"{self._lines_name()}",
            reason="json-array",
        )

    def _lines_name(self) -> str:
        """The name a hint gives the JSON Lines file to write: the input's stem and
        ``.jsonl``, or ``-lines.jsonl`` where that is the input's own name (a shell truncates
        the file it redirects to before the command reads it).

        >>> LineParser("items.json")._lines_name(), LineParser("dir/items.jsonl")._lines_name()
        ('items.jsonl', 'items-lines.jsonl')
        """
        base = self.source.rsplit("/", 1)[-1]
        stem = base.split(".", 1)[0] or "records"
        return f"{stem}-lines.jsonl" if base == f"{stem}.jsonl" else f"{stem}.jsonl"

    @staticmethod
    def _goes_on(text: str, exc: json.JSONDecodeError) -> bool:
        """Whether a first line that does not parse is the start of one JSON object written
        over several lines (``json.dump(..., indent=2)``, ``jq .``): it opens an object and
        holds nothing wrong before its end, where the object goes on."""
        return text.lstrip().startswith("{") and exc.pos >= len(text.rstrip())

    def _json_over_lines(self) -> InputError:
        """The error of a file whose first line opens a JSON object that goes on over the
        lines after it (pretty-printed JSON), not one object a line."""
        return self.error(
            1,
            "the first line opens a JSON object that goes on over the next lines "
            "(pretty-printed JSON), not JSON Lines (one JSON object a line)",
            hint=f"write one object a line first, e.g. jq -c . {self.source} > "
            f"{self._lines_name()}",
            reason="json-over-lines",
        )

    def _unreadable(self, exc: ValueError | RecursionError, number: int) -> InputError:
        """What to say of valid JSON that Python's reader does not take: an integer of more
        digits than it converts, or nesting deeper than it recurses."""
        if isinstance(exc, RecursionError):
            return self.error(
                number,
                "the record is nested deeper than Python's JSON reader goes (about "
                f"{sys.getrecursionlimit():,} levels)",
                hint="flatten the record",
                reason="too-deep",
            )
        digits = re.search(r"value has (\d+) digits", str(exc))
        limit = re.search(r"limit \((\d+) digits\)", str(exc))
        if digits is None:
            return self.error(
                number, f"unreadable JSON ({exc})", hint="fix the line", reason="malformed-json"
            )
        most = f" (Python reads up to {int(limit.group(1)):,})" if limit else ""
        return self.error(
            number,
            f"a number of {int(digits.group(1)):,} digits{most}",
            hint="write the number as a string",
            reason="number-too-long",
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
            at = _bad_byte(data, exc.start)
            # (a file's first bytes only: a later line may begin with anything)
            kind = next((k for k in _SIGNATURES if data.startswith(k[0])), None)
            if kind is not None and line == 1:
                _, name, todo = kind
                error = self.error(
                    line,
                    f"invalid UTF-8 in {what} ({at}): its first bytes are those of {name}",
                    hint=todo or "leave it out of the inputs, or set it aside",
                    reason="other-encoding" if todo else "binary",
                )
                return None, error, False
            return None, self.invalid_utf8(line, what, data=data), False

    def text_of(self, record: Any, number: int) -> str:
        """The text field of ``record``; raises :class:`InputError` saying what is wrong."""
        if number == 1 and isinstance(record, list) and record and isinstance(record[0], dict):
            raise self._json_array()
        if not isinstance(record, dict):
            raise self.error(
                number,
                f"the line is a JSON {type(record).__name__}, not an object",
                hint="each line must be one JSON object; fix the line",
                reason="not-an-object",
            )
        if self.field not in record:
            fields = ", ".join(list(record)[:8]) or "none"
            raise self.error(
                number,
                f"the record has no field {self.field!r} (its fields: {fields})"
                + self._nested(record),
                hint="choose the text field",
                reason="no-field",
                field=self.field,
            )
        value = record[self.field]
        if not isinstance(value, str):
            kind = "null" if value is None else type(value).__name__
            raise self.error(
                number,
                f"field {self.field!r} is {kind}, not a string",
                hint="choose the text field",
                reason="field-not-text",
                field=self.field,
            )
        return value

    def _nested(self, record: dict[str, Any]) -> str:
        """What to add when the field named is a path into an object of the record
        (``content.text``): only top-level fields are read, and a jq line brings it up.

        >>> print(LineParser("a.jsonl", field="content.text")._nested({"content": {}})[-58:])
        e.g. jq -c '.text = .content.text' a.jsonl > a-lines.jsonl
        """
        head = self.field.split(".", 1)[0]
        if "." not in self.field or not isinstance(record.get(head), dict):
            return ""
        return (
            "; a field inside another is not read: bring it to the top level first, e.g. "
            f"jq -c '.text = .{self.field}' {self.source} > {self._lines_name()}"
        )

    def error(
        self, line: int, what: str, *, hint: str, reason: str, field: str | None = None
    ) -> InputError:
        """The error of record ``line`` of this source: its message starts with where it is
        (``source:line``), and says ``what``."""
        return InputError(
            f"{self.source}:{line}: {what}",
            hint=hint,
            reason=reason,
            path=self.source,
            line=line,
            field=field,
        )

    def invalid_utf8(
        self,
        line: int,
        where: str,
        *,
        data: bytes | None = None,
        field: str | None = None,
        kind: Literal["text", "value", "header"] = "text",
    ) -> InputError:
        """The error of a record ``line`` that holds invalid UTF-8 ``where`` (the line, the
        file, a column), with ``errors="strict"``. Given ``data``, the bytes that did not
        decode, it names the first bad byte and its offset in them, and says so where they read
        as text in an 8-bit encoding (:func:`_eight_bit_word`: a file saved as Windows-1252, a
        spreadsheet's export). ``kind`` says where the bytes sit, and so what to do: in a text
        file, a line or a CSV row (``"text"``: convert the file, or set the record aside); in
        a value of a Parquet file (``"value"``: no converter of text files reads one); in a
        CSV header (``"header"``: no record to set aside).

        >>> error = LineParser("in.csv").invalid_utf8(2, "column 'text'", data=b"Caf\\xe9")
        >>> error.reason, str(error).split(": ", 2)[1]
        ('eight-bit', "invalid UTF-8 in column 'text' (byte 0xe9 at offset 3)")
        """
        word = None
        if data is not None:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                where = f"{where} ({_bad_byte(data, exc.start)})"
            word = _eight_bit_word(data)
        replace = "read it with errors='replace' to replace bad bytes with U+FFFD"
        if word is None:
            message, hint, reason = f"invalid UTF-8 in {where}", replace, "invalid-utf8"
        else:
            message = (
                f"invalid UTF-8 in {where}: it reads as text in an 8-bit encoding "
                f"({word!r} in Windows-1252)"
            )
            if kind == "value":
                hint = f"write the column as UTF-8 text where the file is made, or {replace}"
                reason = "eight-bit-value"
            else:
                hint = (
                    "convert it to UTF-8 first, e.g. iconv -f WINDOWS-1252 -t UTF-8 "
                    f"(WINDOWS-1251 for Cyrillic), or {replace}"
                )
                reason = "eight-bit"
        if kind == "header":
            reason = "header-utf8"
        return self.error(line, message, hint=hint, reason=reason, field=field)

    def too_large(
        self, line: int, size: int, what: str, cap: int, field: str | None = None
    ) -> InputError:
        """The error of a record ``line`` whose ``what`` (the line, the file, the text of a
        column) is ``size`` bytes, over the ``cap`` a record may take."""
        return self.error(
            line,
            f"the {what} is {size:,} bytes, more than the {cap:,} a record may take",
            hint="raise max_record_bytes to read it",
            reason="too-large",
            field=field,
        )

    def id_of(self, record: dict[str, Any], number: int) -> str:
        """The record's id field when it is a string or an integer, else ``source:line``."""
        value = record.get(self.id_field)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return str(value)
        return f"{self.source}:{number}"
