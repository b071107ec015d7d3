"""The same records out as in, in every format: JSONL and Parquet read and written by
``clean`` and ``corpus`` keep every field, its value and (for Parquet) its type.

Each case was a record changed or lost on the way: fields that first appear after the first
batch, columns null in their first rows, decimals, maps, timestamps, dates and binary columns,
a ``null`` text, invalid UTF-8 in a Parquet string, numbers and nesting past what Python's JSON
reader takes.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import gzip
import json
import zlib
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

import dedup
from dedup import cli
from dedup.io.records import LineParser
from dedup.io.tables import TableSink, read_rows

TEXT = "A paragraph of an article, long enough to count as one on its own here."


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli.main, [str(a) for a in args], catch_exceptions=False)


def jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def distinct(i: int) -> str:
    """A text that is no near-duplicate of another ``distinct(j)``."""
    return f"Row {i}: " + " ".join(f"w{i}x{j}" for j in range(12))


def typed_table(n: int = 3) -> pa.Table:
    """Every kind of column JSON has no type for, nulls in each, and nested ones."""
    utc = datetime.timezone.utc
    return pa.table(
        {
            "id": pa.array([f"r{i}" for i in range(n)]),
            "text": pa.array([distinct(i) for i in range(n)]),
            "price": pa.array(
                [decimal.Decimal("1.50"), None, *[decimal.Decimal("2.25")] * (n - 2)],
                pa.decimal128(5, 2),
            ),
            "seen": pa.array(
                [datetime.datetime(2026, 12, 1, 10, 45, tzinfo=utc), None]
                + [datetime.datetime(2027, 1, 2, 3, 4, 5, 600000, tzinfo=utc)] * (n - 2),
                pa.timestamp("ms", tz="UTC"),
            ),
            "day": pa.array(
                [datetime.date(2026, 12, 1), None, *[datetime.date(2000, 2, 29)] * (n - 2)],
                pa.date32(),
            ),
            "blob": pa.array([b"\x00\xff", None, *[b"bytes"] * (n - 2)], pa.binary()),
            "tags": pa.array([["a", "b"], None, *[[]] * (n - 2)], pa.list_(pa.string())),
            "meta": pa.array(
                [{"k": "v", "n": 1}, None, *[{"k": None, "n": 2}] * (n - 2)],
                pa.struct([("k", pa.string()), ("n", pa.int32())]),
            ),
            "attrs": pa.array(
                [[("lang", "fr")], None, *[[("a", "1"), ("b", "2")]] * (n - 2)],
                pa.map_(pa.string(), pa.string()),
            ),
            "score": pa.array([0.5, None, *[1e-300] * (n - 2)], pa.float64()),
        }
    )


# --- Parquet: types kept exactly ---------------------------------------------------------------


@pytest.mark.parametrize("command", ["clean", "corpus"])
def test_parquet_to_parquet_keeps_every_type_and_value(tmp_path: Path, command: str) -> None:
    table = typed_table()
    src = tmp_path / "in.parquet"
    pq.write_table(table, src)
    out = tmp_path / "out.parquet"
    result = run(command, src, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    back = pq.read_table(out)
    assert back.schema == table.schema
    assert back.to_pylist() == table.to_pylist()


def test_corpus_parquet_with_a_column_null_in_its_first_rows(tmp_path: Path) -> None:
    n = 1_100
    src = tmp_path / "in.parquet"
    table = pa.table(
        {
            "id": [str(i) for i in range(n + 100)],
            "text": [
                f"document {i} " + " ".join(f"w{i}x{j}" for j in range(8)) for i in range(n + 100)
            ],
            "late": pa.array([None] * n + ["here"] * 100, pa.string()),
        }
    )
    pq.write_table(table, src)
    out = tmp_path / "out.parquet"
    result = run("corpus", src, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    back = pq.read_table(out)
    assert back.schema == table.schema
    assert back.column("late").to_pylist() == table.column("late").to_pylist()


def test_corpus_mark_adds_its_column_to_the_parquet_schema(tmp_path: Path) -> None:
    src = tmp_path / "in.parquet"
    table = typed_table()
    pq.write_table(table, src)
    out = tmp_path / "out.parquet"
    result = run("corpus", src, "-o", out, "--mark", "-q")
    assert result.exit_code == 0, result.output
    back = pq.read_table(out)
    assert back.schema.names == [*table.schema.names, "cluster"]
    assert back.select(table.schema.names).schema == table.schema


# --- JSONL to Parquet: the schema of every record --------------------------------------------


@pytest.mark.parametrize("command", ["clean", "corpus"])
def test_jsonl_to_parquet_keeps_fields_that_appear_late(tmp_path: Path, command: str) -> None:
    n = 1_100
    rows: list[dict[str, Any]] = [{"id": str(i), "text": distinct(i)} for i in range(n)]
    rows[1_050]["late"] = "only here"
    rows[1_060]["n"] = None
    rows[1_061]["n"] = 7
    rows[5]["sometimes"] = None
    rows[1_099]["sometimes"] = [1, 2]
    src = jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.parquet"
    result = run(command, src, "-o", out, "-q", *(["-j", "1"] if command == "clean" else []))
    assert result.exit_code == 0, result.output
    back = pq.read_table(out)
    assert back.schema.names == ["id", "text", "sometimes", "late", "n"]
    got = back.to_pylist()
    assert got[1_050]["late"] == "only here"
    assert got[1_061]["n"] == 7
    assert got[1_099]["sometimes"] == [1, 2]
    assert got[0]["late"] is None


def test_jsonl_to_parquet_with_conflicting_types_says_where(tmp_path: Path) -> None:
    rows = [{"id": "a", "text": TEXT, "n": 1}] * 1_030 + [{"id": "b", "text": TEXT, "n": "x"}]
    src = jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.parquet"
    result = run("clean", src, "-o", out, "-q", "-j", "1")
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1
    assert "field 'n'" in result.stderr
    assert "write JSON Lines" in result.stderr
    assert not out.exists()


# --- Parquet to JSONL: what JSON has no type for ----------------------------------------------


@pytest.mark.parametrize("command", ["clean", "corpus"])
def test_parquet_to_jsonl_writes_every_type(tmp_path: Path, command: str) -> None:
    src = tmp_path / "in.parquet"
    pq.write_table(typed_table(), src)
    out = tmp_path / "out.jsonl"
    result = run(command, src, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    first, second, third = read_jsonl(out)
    assert first["price"] == "1.50"
    assert first["seen"] == "2026-12-01T10:45:00+00:00"
    assert third["seen"] == "2027-01-02T03:04:05.600000+00:00"
    assert first["day"] == "2026-12-01"
    assert base64.b64decode(first["blob"]) == b"\x00\xff"
    assert first["attrs"] == {"lang": "fr"}
    assert first["meta"] == {"k": "v", "n": 1}
    assert first["tags"] == ["a", "b"]
    assert all(second[k] is None for k in second if k not in ("id", "text"))
    assert third["score"] == 1e-300


# --- a null text: passed through, counted ------------------------------------------------------


def test_a_null_text_passes_through_unchanged(tmp_path: Path) -> None:
    doubled = f"{TEXT}\n\n{TEXT}"
    rows = [
        {"id": "a", "text": doubled},
        {"id": "b", "text": None, "x": 1},
        {"id": "c", "text": "ok"},
    ]
    src = jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    result = run("clean", src, "-o", out, "-j", "1")
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[1] == json.dumps(rows[1])  # byte for byte
    assert [r["text"] for r in read_jsonl(out)] == [dedup.clean(doubled), None, dedup.clean("ok")]
    assert "1 record without text passed through unchanged" in result.stderr


def test_a_null_text_in_parquet_passes_through(tmp_path: Path) -> None:
    table = typed_table()
    table = table.set_column(1, "text", pa.array([TEXT, None, TEXT]))
    src = tmp_path / "in.parquet"
    pq.write_table(table, src)
    for command in ("clean", "corpus"):
        out = tmp_path / f"{command}.parquet"
        result = run(command, src, "-o", out)
        assert result.exit_code == 0, result.output
        back = pq.read_table(out)
        assert back.schema == table.schema
        assert back.to_pylist()[1] == table.to_pylist()[1]
        assert "1 record without text passed through unchanged" in result.stderr


def test_corpus_keeps_records_without_text(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "text": TEXT},
        {"id": "b", "text": None},
        {"id": "c", "text": TEXT},
        {"id": "d", "text": None},
    ]
    src = jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    result = run("corpus", src, "-o", out, "--mark")
    assert result.exit_code == 0, result.output
    marked = read_jsonl(out)
    assert [r["id"] for r in marked] == ["a", "b", "c", "d"]
    assert [r["cluster"] for r in marked] == ["a", "b", "a", "d"]
    kept = tmp_path / "kept.jsonl"
    result = run("corpus", src, "-o", kept)
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in read_jsonl(kept)] == ["a", "b", "d"]


# --- invalid UTF-8 in a Parquet string ---------------------------------------------------------


def _bad_utf8(path: Path) -> Path:
    raw = pa.array([b"fine text", b"bad \xff byte", b"more text"], pa.binary())
    table = pa.table({"id": ["a", "b", "c"], "text": raw.view(pa.string()), "n": [1, 2, 3]})
    pq.write_table(table, path)
    return path


def test_invalid_utf8_in_parquet_stops_with_one_line(tmp_path: Path) -> None:
    src = _bad_utf8(tmp_path / "in.parquet")
    result = run("clean", src, "-o", tmp_path / "out.parquet")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: {src}:2: invalid UTF-8 in column 'text'")
    assert result.stderr.count("\n") == 1
    assert "--errors replace" in result.stderr


def test_invalid_utf8_in_parquet_replaced_when_asked(tmp_path: Path) -> None:
    src = _bad_utf8(tmp_path / "in.parquet")
    out = tmp_path / "out.parquet"
    result = run("clean", src, "-o", out, "--errors", "replace")
    assert result.exit_code == 0, result.output
    assert pq.read_table(out).column("text").to_pylist()[1] == "bad \ufffd byte"
    assert "1 with invalid UTF-8 replaced" in result.stderr


def test_invalid_utf8_in_parquet_set_aside(tmp_path: Path) -> None:
    src = _bad_utf8(tmp_path / "in.parquet")
    out = tmp_path / "out.parquet"
    rejects = tmp_path / "rejects.jsonl"
    result = run("clean", src, "-o", out, "--skip-invalid", "--rejects", rejects, "-q")
    assert result.exit_code == 0, result.output
    assert pq.read_table(out).column("id").to_pylist() == ["a", "c"]
    (reject,) = read_jsonl(rejects)
    assert reject["line"] == 2


def test_invalid_utf8_in_parquet_in_place_stops(tmp_path: Path) -> None:
    """A Parquet file rewritten in place cannot keep a row that does not decode as it was read:
    with --skip-invalid the run stops and the file is left as it was, rather than losing it."""
    src = _bad_utf8(tmp_path / "in.parquet")
    before = src.read_bytes()
    rejects = tmp_path / "rejects.jsonl"
    result = run("clean", src, "--in-place", "--skip-invalid", "--rejects", rejects, "-q")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: {src}:2: invalid UTF-8 in column 'text'")
    assert f"--in-place cannot write it back as it was read, so {src} is left as it was" in (
        result.stderr
    )
    assert src.read_bytes() == before


# --- JSON past what Python's reader takes -------------------------------------------------------


@pytest.mark.parametrize(
    ("tail", "what"),
    [
        ("9" * 5_000, "a number of 5,000 digits"),
        ("[" * 100_000 + "]" * 100_000, "nested deeper than"),
    ],
    ids=["5000-digit integer", "100000-deep nesting"],
)
@pytest.mark.parametrize("command", ["clean", "corpus"])
def test_json_past_the_reader_is_one_line(
    tmp_path: Path, command: str, tail: str, what: str
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(f'{{"id": 1, "text": "a"}}\n{{"id": 2, "text": "b", "n": {tail}}}\n')
    result = run(command, src, "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: {src}:2: ")
    assert what in result.stderr
    assert result.stderr.count("\n") == 1
    assert "--skip-invalid" in result.stderr


# --- damaged archives ----------------------------------------------------------------------------


def _damaged_gzip(path: Path) -> Path:
    data = "".join(json.dumps({"id": i, "text": f"{TEXT} {i}"}) + "\n" for i in range(3_000))
    packed = bytearray(gzip.compress(data.encode()))
    for offset in range(10, len(packed) - 8):  # the first byte that breaks the deflate stream
        trial = bytearray(packed)
        trial[offset] ^= 0x55
        try:
            zlib.decompress(bytes(trial), wbits=31)
        except zlib.error as exc:
            if "invalid" in str(exc):
                path.write_bytes(bytes(trial))
                return path
    raise AssertionError("no damaging byte found")


@pytest.mark.parametrize("command", ["clean", "corpus", "find"])
def test_a_corrupted_gzip_byte_is_one_line(tmp_path: Path, command: str) -> None:
    src = _damaged_gzip(tmp_path / "in.jsonl.gz")
    out = [] if command == "find" else ["-o", tmp_path / "out.jsonl"]
    result = run(command, src, *out, "-j", "1") if command != "corpus" else run(command, src, *out)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: {src}: the gzip stream is damaged")
    assert result.stderr.count("\n") == 1


# CSV and TSV: a row a record (``dedup.io.tables``)


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    data = out.getvalue().encode("utf-8")
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def read_csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    import csv
    import io

    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter))


DOUBLED = f"{TEXT}\n\nA second paragraph, long enough to count as a paragraph here too.\n\n" + (
    f"{TEXT}A second paragraph, long enough to count as a paragraph here too."
)


@pytest.mark.parametrize("name", ["items.csv", "items.tsv.gz"])
def test_csv_rows_are_records_and_keep_their_columns(tmp_path: Path, name: str) -> None:
    """``scrapy crawl -O items.csv``, then ``dedup clean items.csv -o clean.csv``: each row's
    text is repaired, every other column kept as it was, in order; quotes, commas, tabs and
    line breaks inside a field survive; a ``.tsv`` name means tabs."""
    tab = "\t" if ".tsv" in name else ","
    rows = [
        ["url", "text", "title"],
        ["https://example.org/1", DOUBLED, 'A "quoted", title'],
        ["https://example.org/2", "Nothing\tto repair,\nover two lines.", ""],
    ]
    source = write_csv(tmp_path / name, rows, tab)
    out = tmp_path / ("clean" + name[len("items") :])
    result = run("clean", source, "-o", out, "-q")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # (no warning: the rows are read as records)
    written = read_csv(out, tab)
    assert [list(r) for r in written] == [rows[0]] * 2
    assert written[0]["text"] == dedup.clean(DOUBLED) != DOUBLED
    assert written[1] == dict(zip(rows[0], rows[2], strict=True))
    assert written[0]["title"] == 'A "quoted", title'


def test_csv_to_jsonl_and_back(tmp_path: Path) -> None:
    """Fields of a CSV row are strings; JSON Lines written from them keep them so, and a CSV
    written from JSON Lines writes a value that is no string as JSON, ``null`` as nothing."""
    source = write_csv(tmp_path / "in.csv", [["id", "text", "n"], ["7", TEXT, "3"]])
    assert run("clean", source, "-o", tmp_path / "out.jsonl", "-q").exit_code == 0
    assert read_jsonl(tmp_path / "out.jsonl") == [{"id": "7", "text": TEXT, "n": "3"}]
    records = [{"id": 1, "text": TEXT, "tags": ["a", "b"], "score": None}]
    back = run("clean", jsonl(tmp_path / "in.jsonl", records), "-o", tmp_path / "b.csv", "-q")
    assert back.exit_code == 0, back.stderr
    assert read_csv(tmp_path / "b.csv") == [
        {"id": "1", "text": TEXT, "tags": '["a", "b"]', "score": ""}
    ]


def test_a_csv_row_that_cannot_be_read_names_its_line(tmp_path: Path) -> None:
    """A row with a value too many, and one with invalid UTF-8, stop the run with their line;
    ``--skip-invalid`` sets them aside (``--rejects`` keeps their bytes) and the rest are
    written; ``--errors replace`` reads the bad bytes as U+FFFD."""
    data = (
        b"id,text\n" + b"1,Fine.\n" + b'2,"Two\nlines",extra\n' + b"3,caf\xe9\n" + b"4,Also fine.\n"
    )
    source = tmp_path / "in.csv"
    source.write_bytes(data)
    stopped = run("clean", source, "-o", tmp_path / "out.csv")
    assert stopped.exit_code == 2
    assert f"{source}:3: the row has 3 values, the header 2 columns" in stopped.stderr
    assert not (tmp_path / "out.csv").exists()
    skipped = run(
        "clean", source, "-o", tmp_path / "out.csv", "--skip-invalid",
        "--rejects", tmp_path / "rejects.jsonl", "-q",
    )  # fmt: skip
    assert skipped.exit_code == 0, skipped.stderr
    assert [r["id"] for r in read_csv(tmp_path / "out.csv")] == ["1", "4"]
    rejects = read_jsonl(tmp_path / "rejects.jsonl")
    assert [(r["line"], "invalid UTF-8" in r["error"]) for r in rejects] == [(3, False), (5, True)]
    assert rejects[0]["raw"] == '2,"Two\nlines",extra\r\n'
    assert "(byte 0xe9 at offset 3): it reads as text in an 8-bit encoding" in rejects[1]["error"]
    replaced = run("clean", source, "-o", tmp_path / "r.csv", "--errors", "replace", "-q")
    assert replaced.exit_code == 2  # (the row of three values is still no record)
    good = tmp_path / "good.csv"
    good.write_bytes(b"id,text\n3,caf\xe9\n")
    assert run("clean", good, "-o", tmp_path / "g.csv", "--errors", "replace", "-q").exit_code == 0
    assert read_csv(tmp_path / "g.csv") == [{"id": "3", "text": "caf\ufffd"}]


def test_invalid_utf8_in_a_csv_header_refuses_the_file(tmp_path: Path) -> None:
    """A column whose name is no UTF-8 cannot be written back: the file is refused, naming its
    first line, unless ``--errors replace`` reads the bad bytes as U+FFFD."""
    source = tmp_path / "in.csv"
    source.write_bytes(b"id,text,caf\xe9\n1,Fine.,x\n")
    refused = run("clean", source, "-o", tmp_path / "out.csv")
    assert refused.exit_code == 2
    assert f"{source}:1: invalid UTF-8 in the header's column 3 (byte 0xe9 at offset 3)" in (
        refused.stderr
    )
    # (a header is no record: --skip-invalid would not set it aside)
    assert "iconv -f WINDOWS-1252" in refused.stderr
    assert "--skip-invalid" not in refused.stderr
    replaced = run("clean", source, "-o", tmp_path / "out.csv", "--errors", "replace", "-q")
    assert replaced.exit_code == 0, replaced.stderr
    assert read_csv(tmp_path / "out.csv") == [{"id": "1", "text": "Fine.", "caf\ufffd": "x"}]


def test_a_csv_of_a_header_alone_is_written_back_so(tmp_path: Path) -> None:
    """A crawl that found nothing exports a header alone: ``clean`` and ``corpus`` write the
    header back (an empty file is no CSV ``pandas.read_csv`` reads), to a file or stdout."""
    source = tmp_path / "items.csv"
    source.write_text("url,text,title\n")
    for command in ("clean", "corpus"):
        out = tmp_path / f"{command}.csv"
        result = run(command, source, "-o", out, "-q")
        assert result.exit_code == 0, result.stderr
        assert out.read_bytes() == b"url,text,title\r\n"
    assert run("clean", source, "-q").stdout_bytes == b"url,text,title\r\n"


def test_a_csv_without_its_text_column_is_refused(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", [["id", "body"], ["1", TEXT]])
    result = run("clean", source, "-o", tmp_path / "out.csv")
    assert result.exit_code == 2
    assert f"{source}: no column 'text' (columns: id, body)" in result.stderr
    chosen = run("clean", source, "-o", tmp_path / "out.csv", "--field", "body", "-q")
    assert chosen.exit_code == 0, chosen.stderr
    assert read_csv(tmp_path / "out.csv") == [{"id": "1", "body": TEXT}]


def test_a_csv_field_longer_than_the_csv_module_default(tmp_path: Path) -> None:
    """A page of 300,000 characters in one field: Python's csv reads 131,072 at most unless
    told; the reader raises the cap to the record cap (``max_record_bytes``)."""
    import csv

    long = " ".join(distinct(i) for i in range(3000))
    assert len(long) > 200_000
    source = write_csv(tmp_path / "in.csv", [["id", "text"], ["1", long]])
    result = run("clean", source, "-o", tmp_path / "out.csv", "-q")
    assert result.exit_code == 0, result.stderr
    assert csv.field_size_limit() >= len(long)
    with (tmp_path / "out.csv").open("rb") as fh:
        (row,) = read_rows(fh, parser=LineParser("out.csv"), delimiter=",")
    assert row.text == dedup.clean(long)


def test_a_csv_text_over_the_record_cap_is_a_bad_record(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", [["id", "text"], ["1", "x" * 5000], ["2", TEXT]])
    result = run("clean", source, "--max-record-bytes", "1000", "-o", tmp_path / "out.csv")
    assert result.exit_code == 2
    assert f"{source}:2: the text of column 'text' is 5,000 bytes, more than the 1,000" in (
        result.stderr
    )
    skipped = run(
        "clean", source, "--max-record-bytes", "1000", "--skip-invalid", "-q",
        "--rejects", tmp_path / "rejects.jsonl", "-o", tmp_path / "out.csv",
    )  # fmt: skip
    assert skipped.exit_code == 0, skipped.stderr
    assert read_csv(tmp_path / "out.csv") == [{"id": "2", "text": TEXT}]


def test_records_of_other_shapes_are_refused_in_one_csv(tmp_path: Path) -> None:
    """A CSV file has one header: JSON Lines records with other fields cannot go in one; the
    run stops, names the output, and leaves nothing behind."""
    rows = [{"id": 1, "text": TEXT}, {"id": 2, "text": TEXT, "url": "https://example.org"}]
    result = run("clean", jsonl(tmp_path / "in.jsonl", rows), "-o", tmp_path / "out.csv")
    assert result.exit_code != 0
    assert "a CSV file holds one set of columns" in result.stderr
    assert not (tmp_path / "out.csv").exists()


# (text with what CSV must quote: delimiters, quotes, every line end, NUL; no lone surrogate,
# which no UTF-8 file holds)
_CELL = st.text(
    st.sampled_from(["a", "\u00e9", ",", '"', "\n", "\r", "\t", " ", "\x00", "\U0001f600"])
    | st.characters(exclude_categories=("Cs",)),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.tuples(_CELL, _CELL, _CELL), min_size=1, max_size=4),
    delimiter=st.sampled_from([",", "\t"]),
)
def test_csv_rows_written_read_back_the_same(
    rows: list[tuple[str, str, str]], delimiter: str
) -> None:
    """Whatever a field holds, a row :class:`TableSink` writes reads back as it was."""
    import io

    sink = TableSink(delimiter, "t.csv")
    fields = [dict(zip(("id", "text", "x"), row, strict=True)) for row in rows]
    data = b"".join(sink.row(f) for f in fields)
    read = read_rows(io.BytesIO(data), parser=LineParser("t.csv"), delimiter=delimiter)
    assert [getattr(r, "fields", r) for r in read] == fields
