"""Readers and writers: formats, every field kept, bad input reported with file:line, atomic
writes."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path, PurePath
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from dedup.io import (
    OutputError,
    Reader,
    Record,
    Reject,
    Source,
    WriteOptions,
    Writer,
    atomic_output,
    detect_format,
    discover,
    open_writer,
    output_name,
)
from dedup.model import ConfigError, InputError

RECORDS = [
    {"id": "a", "text": "First text.", "n": 1, "meta": {"url": "https://x/1"}},
    {"z": True, "text": "Second \N{EURO SIGN} text.", "id": "b"},
]


def _jsonl(records: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)


def _source(path: Path) -> Source:
    (found,) = discover([str(path)])
    return found


def _read(path: Path, **kwargs: Any) -> list[Record | Reject]:
    return list(Reader(_source(path), **kwargs))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.jsonl", ("jsonl", None)),
        ("a.JSONL.GZ", ("jsonl", "gzip")),
        ("a.ndjson.zst", ("jsonl", "zstd")),
        ("a.parquet", ("parquet", None)),
        ("a.txt", ("text", None)),
        ("a.txt.gz", ("text", "gzip")),
        ("README", ("text", None)),
    ],
)
def test_detect_format(name: str, expected: tuple[str, str | None]) -> None:
    assert detect_format(name) == expected


def test_output_name_follows_the_format() -> None:
    assert output_name(PurePath("d/a.jsonl.gz"), "jsonl", "gzip") == PurePath("d/a.jsonl.gz")
    assert output_name(PurePath("d/a.jsonl.gz"), "parquet", None) == PurePath("d/a.parquet")
    assert output_name(PurePath("a.txt"), "jsonl", None) == PurePath("a.jsonl")


@pytest.mark.parametrize("suffix", ["", ".gz", ".zst"])
def test_jsonl_keeps_every_field_in_order(tmp_path: Path, suffix: str) -> None:
    data = _jsonl(RECORDS)
    if suffix == ".gz":
        data = gzip.compress(data)
    elif suffix == ".zst":
        data = zstandard.ZstdCompressor().compress(data)
    path = tmp_path / f"in.jsonl{suffix}"
    path.write_bytes(data)
    records = _read(path)
    assert all(isinstance(r, Record) for r in records)
    assert [r.fields for r in records if isinstance(r, Record)] == RECORDS
    assert [list(r.fields or {}) for r in records if isinstance(r, Record)] == [
        list(r) for r in RECORDS
    ]
    assert [(r.id, r.line, r.text) for r in records if isinstance(r, Record)] == [
        ("a", 1, "First text."),
        ("b", 2, "Second \N{EURO SIGN} text."),
    ]


def test_jsonl_blank_lines_bom_and_ids(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "x"}\n\n  \n{"text": "y", "id": 7}\n')
    records = [r for r in _read(path) if isinstance(r, Record)]
    assert [(r.line, r.id) for r in records] == [(1, f"{path}:1"), (4, "7")]


def test_zstd_with_several_frames(tmp_path: Path) -> None:
    z = zstandard.ZstdCompressor()
    path = tmp_path / "in.jsonl.zst"
    path.write_bytes(z.compress(_jsonl(RECORDS[:1])) + z.compress(_jsonl(RECORDS[1:])))
    assert len(_read(path)) == 2


@pytest.mark.parametrize("suffix", ["", ".gz", ".zst"])
def test_empty_files(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"in.jsonl{suffix}"
    path.write_bytes(b"")
    assert _read(path) == []


def test_empty_text_file_is_one_empty_document(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(b"")
    (record,) = _read(path)
    assert isinstance(record, Record)
    assert record.text == ""


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b'{"id": "c", "text": "cut in ha', "malformed JSON"),
        (b'{"id": "c", "body": "no text"}', "has no field 'text' (its fields: id, body)"),
        (b'{"id": "c", "text": 3}', "field 'text' is int, not a string"),
        (b'["text"]', "is a JSON list, not an object"),
        (b'{"text": "nul \x00 raw"}', "malformed JSON"),
        (b'{"text": "caf\xe9"}', "invalid UTF-8 in the line (byte 0xe9"),
    ],
)
def test_bad_lines_are_rejects_with_file_and_line(
    tmp_path: Path, line: bytes, message: str
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(_jsonl(RECORDS[:1]) + line + b"\n" + _jsonl(RECORDS[1:]))
    first, bad, last = _read(path)
    assert isinstance(first, Record)
    assert isinstance(last, Record)
    assert isinstance(bad, Reject)
    assert bad.line == 2
    assert str(bad.error).startswith(f"{path}:2: ")
    assert message in str(bad.error)
    assert (bad.error.path, bad.error.line) == (str(path), 2)
    assert bad.error.reason
    assert bad.raw == line + b"\n"


def test_line_cut_at_end_of_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(_jsonl(RECORDS[:1]) + b'{"text": "cut')
    _, bad = _read(path)
    assert isinstance(bad, Reject)
    assert "the file ends in the middle of it" in str(bad.error)


def test_invalid_utf8_replaced_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"text": "caf\xe9"}\n')
    (record,) = _read(path, errors="replace")
    assert isinstance(record, Record)
    assert record.text == "caf\N{REPLACEMENT CHARACTER}"
    assert record.replaced


def test_escaped_nul_is_text(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"text": "a\\u0000b"}\n')
    (record,) = _read(path)
    assert isinstance(record, Record)
    assert record.text == "a\x00b"


def test_text_file_keeps_nul_and_reports_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(b"a\x00b")
    (record,) = _read(path)
    assert isinstance(record, Record)
    assert record.text == "a\x00b"
    path.write_bytes(b"ok \x81")  # (a byte no 8-bit text of Windows-1252 holds either)
    (bad,) = _read(path)
    assert isinstance(bad, Reject)
    assert "invalid UTF-8 in the file (byte 0x81 at offset 3)" in str(bad.error)
    assert bad.error.reason == "invalid-utf8"
    assert "errors='replace'" in bad.error.hint


@pytest.mark.parametrize(
    ("text", "encoding", "word"),
    [
        ("Un caf\u00e9 cr\u00e8me, s'il vous pla\u00eet.", "cp1252", "café"),
        ("\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440.", "cp1251", "Ïðèâåò"),
    ],
    ids=["western", "cyrillic"],
)
def test_a_text_file_in_an_8_bit_encoding_is_named(
    tmp_path: Path, text: str, encoding: str, word: str
) -> None:
    """Text saved in a legacy 8-bit encoding is no UTF-8: the error says it reads as such
    text, shows a word as Windows-1252 reads it (mojibake for Cyrillic, which says it is not
    Western), and says how to convert it, rather than only to replace its bytes."""
    path = tmp_path / "in.txt"
    path.write_bytes(text.encode(encoding))
    (bad,) = _read(path)
    assert isinstance(bad, Reject)
    assert bad.error.reason == "eight-bit"
    assert f"reads as text in an 8-bit encoding ({word!r} in Windows-1252)" in str(bad.error)
    assert "iconv -f WINDOWS-1252 -t UTF-8" in bad.error.hint


@pytest.mark.parametrize("name", ["in.csv", "in.parquet"])
def test_a_value_in_an_8_bit_encoding_is_named(tmp_path: Path, name: str) -> None:
    """A CSV row or a Parquet string in Windows-1252 (a spreadsheet's export) is named as such,
    with its first bad byte, as a text file is; converting the file with iconv is the way for
    a CSV file, but no converter of text files reads a Parquet file's values."""
    path = tmp_path / name
    value = "Un caf\u00e9 cr\u00e8me.".encode("cp1252")
    if name.endswith(".csv"):
        path.write_bytes(b"id,text\n1,fine\n2," + value + b"\n")
    else:
        raw = pa.array([b"fine", value], pa.binary()).view(pa.string())
        pq.write_table(pa.table({"id": ["1", "2"], "text": raw}), path)
    good, bad = _read(path)
    assert isinstance(good, Record)
    assert isinstance(bad, Reject)
    # (a CSV file's line, after its header; a Parquet file's row)
    assert bad.error.line == (3 if name.endswith(".csv") else 2)
    assert bad.error.field == "text"
    assert "invalid UTF-8 in column 'text' (byte 0xe9 at offset 6)" in str(bad.error)
    assert "reads as text in an 8-bit encoding ('café' in Windows-1252)" in str(bad.error)
    if name.endswith(".csv"):
        assert bad.error.reason == "eight-bit"
        assert "iconv -f WINDOWS-1252 -t UTF-8" in bad.error.hint
    else:
        assert bad.error.reason == "eight-bit-value"
        assert "iconv" not in bad.error.hint


def test_utf8_with_a_stray_byte_is_not_called_8_bit(tmp_path: Path) -> None:
    """UTF-8 text with one bad byte holds UTF-8 sequences: damaged UTF-8, not another
    encoding."""
    path = tmp_path / "in.txt"
    path.write_bytes("caf\u00e9 au lait ".encode() + b"\xe9")
    (bad,) = _read(path)
    assert isinstance(bad, Reject)
    assert bad.error.reason == "invalid-utf8"


def test_ten_megabyte_line(tmp_path: Path) -> None:
    text = "word " * 2_000_000
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"text": text}) + "\n", encoding="utf-8")
    (record,) = _read(path)
    assert isinstance(record, Record)
    assert record.text == text


@pytest.mark.parametrize(
    ("suffix", "damage", "message"),
    [
        (".gz", lambda d: gzip.compress(d)[:-30], "the gzip stream is truncated"),
        (".gz", lambda d: b"not gzip at all", "not a readable gzip file"),
        (".zst", lambda d: zstandard.ZstdCompressor().compress(d)[:-30], "zstd stream is trunc"),
        (".zst", lambda d: b"not zstd at all", "not a readable zstd file"),
    ],
)
def test_damaged_compressed_files_raise(
    tmp_path: Path, suffix: str, damage: Any, message: str
) -> None:
    path = tmp_path / f"in.jsonl{suffix}"
    path.write_bytes(damage(_jsonl(RECORDS * 2000)))
    with pytest.raises(InputError, match=message) as caught:
        _read(path)
    assert str(path) in str(caught.value)


def test_parquet_rows_and_null_text(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    table = pa.table({"id": ["a", "b", "c"], "text": ["x", None, "z"], "n": [1, 2, 3]})
    pq.write_table(table, path)
    records = _read(path)
    assert [type(r).__name__ for r in records] == ["Record", "Record", "Record"]
    assert isinstance(records[0], Record)
    assert records[0].fields == {"id": "a", "text": "x", "n": 1}
    assert isinstance(records[1], Record)
    assert records[1].line == 2
    assert records[1].no_text  # passed through as it is, not cleaned
    assert records[1].fields == {"id": "b", "text": None, "n": 2}


def test_not_parquet(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        _read(path)


def test_parquet_without_the_column(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"body": ["x"]}), path)
    with pytest.raises(InputError, match="no column 'text' \\(columns: body\\)"):
        _read(path)
    pq.write_table(pa.table({"text": [1]}), path)
    with pytest.raises(InputError, match="not a string column"):
        _read(path)


def test_parquet_round_trip_keeps_the_schema(tmp_path: Path) -> None:
    src = tmp_path / "in.parquet"
    schema = pa.schema(
        [("id", pa.string()), ("text", pa.large_string()), ("n", pa.int16())],
        metadata={b"origin": b"test"},
    )
    pq.write_table(pa.table({"id": ["a"], "text": ["x"], "n": [5]}, schema=schema), src)
    reader = Reader(_source(src))
    out = tmp_path / "out.parquet"
    with Writer(out, "parquet") as writer:
        for record in reader:
            assert isinstance(record, Record)
            writer.schema = reader.schema
            writer.write(record, "X")
    result = pq.read_table(out)
    assert result.schema.equals(schema, check_metadata=True)
    assert result.to_pylist() == [{"id": "a", "text": "X", "n": 5}]


def test_writer_jsonl_replaces_only_the_text(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl.gz"
    record = Record(source="in", line=1, id="a", text="old", fields=dict(RECORDS[0]))
    with open_writer(out) as writer:
        writer.write(record, "new")
        writer.write(Record(source="page.txt", line=1, id="page.txt", text="t"), "T")
    lines = gzip.decompress(out.read_bytes()).decode().splitlines()
    assert json.loads(lines[0]) == {**RECORDS[0], "text": "new"}
    assert list(json.loads(lines[0])) == list(RECORDS[0])
    assert json.loads(lines[1]) == {"id": "page.txt", "text": "T"}


def test_unchanged_records_are_written_byte_for_byte(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    lines = [b'{"text":"same",  "n":1.50, "u":"\\u00e9"}', b'{"text": "old"}']
    src.write_bytes(b"\n".join(lines))  # no newline at the end
    out = tmp_path / "out.jsonl"
    with open_writer(out) as writer:
        for record in _read(src):
            assert isinstance(record, Record)
            writer.write(record, record.text if record.text == "same" else "new")
    assert out.read_bytes() == lines[0] + b'\n{"text": "new"}\n'


def test_writer_keeps_lone_surrogates_escaped(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with open_writer(out) as writer:
        writer.write(
            Record(source="in", line=1, id="a", text="x", fields={"text": "x"}), "bad \udc80 half"
        )
    assert json.loads(out.read_text())["text"] == "bad \udc80 half"


def test_writer_refuses_an_existing_output(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("keep me")
    with pytest.raises(OutputError, match="exists: pass force=True"):
        open_writer(out)
    with open_writer(out, force=True) as writer:
        writer.write(Record(source="in", line=1, id="a", text="x", fields={"text": "x"}), "y")
    assert out.read_text() == '{"text": "y"}\n'


def test_text_writer_holds_one_document() -> None:
    buffer = io.BytesIO()
    with Writer(None, "text", stdout=buffer) as writer:
        writer.write(Record(source="a", line=1, id="a", text="x"), "x")
        with pytest.raises(ConfigError, match="one document"):
            writer.write(Record(source="b", line=1, id="b", text="y"), "y")
    assert buffer.getvalue() == b"x\n"  # a text file ends with a line break


def test_text_writer_final_newline() -> None:
    for text, final_newline, written in [
        ("x\n", True, b"x\n"),
        ("", True, b""),
        ("x\r\n", True, b"x\r\n"),
        ("x", False, b"x"),
    ]:
        buffer = io.BytesIO()
        with Writer(None, "text", stdout=buffer, final_newline=final_newline) as writer:
            writer.write(Record(source="a", line=1, id="a", text=text), text)
        assert buffer.getvalue() == written, (text, final_newline)


def test_writer_options_are_one_record_and_keywords_override_it(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    options = WriteOptions(field="body", final_newline=False)
    with Writer(out, "text", options=options, force=True) as writer:
        assert (writer.options.field, writer.options.force) == ("body", True)
        writer.write(Record(source="a", line=1, id="a", text="x"), "x")
    assert out.read_bytes() == b"x"
    with pytest.raises(ConfigError, match="unknown option schema for WriteOptions"):
        Writer(None, "parquet", schema=None)
    with pytest.raises(ConfigError, match="option field"):
        open_writer("-", field="")


def test_atomic_output_leaves_nothing_on_error(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("old")

    def interrupted() -> None:
        with atomic_output(out, force=True) as fh:
            fh.write(b"partial")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert out.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_atomic_output_keeps_permissions_when_asked(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("x")
    src.chmod(0o640)
    with atomic_output(src, force=True, mode_from=src) as fh:
        fh.write(b"y")
    assert src.read_text() == "y"
    assert src.stat().st_mode & 0o777 == 0o640


def test_discover_directories(tmp_path: Path) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / ".hidden").mkdir()
    for name in ["d/a.txt", "d/sub/b.txt", "d/sub/c.jsonl", "d/.hidden/x.txt", "d/.y.txt"]:
        (tmp_path / name).write_text("x")
    found = discover([str(tmp_path / "d")], glob="*.txt")
    assert [str(s.relative) for s in found] == ["a.txt", "sub/b.txt"]
    everything = discover([str(tmp_path / "d")], exclude=tmp_path / "d" / "sub")
    assert [str(s.relative) for s in everything] == ["a.txt"]
    with pytest.raises(InputError, match="no such file"):
        discover([str(tmp_path / "missing")])
    assert discover(["-"], input_format="jsonl")[0].format == "jsonl"


def test_reject_keeps_raw_bytes() -> None:
    error = InputError("e")
    assert Reject(source="f", line=1, error=error, raw=b"ok").to_dict()["raw"] == "ok"
    assert Reject(source="f", line=1, error=error, raw=b"\xff").to_dict()["raw_base64"] == "/w=="
