"""The Ray engine gives exactly the local engine's records and clusters (on a local Ray)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import DATA, read_jsonl
from dedup import clean
from dedup.corpus import CorpusOptions, UnionFind, find_near_duplicates

ray = pytest.importorskip("ray", reason="ray is not installed: pip install 'dedup-text[ray]'")
ray_data = pytest.importorskip("ray.data", reason="Ray Data is not installed")
dedup_ray = pytest.importorskip("dedup.ray")


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ctx = ray_data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    yield
    ray.shutdown()


@pytest.mark.usefixtures("local_ray")
def test_clean_dataset_matches_clean() -> None:
    records = read_jsonl(DATA / "repair_sample.jsonl")
    ds = ray_data.from_items([{"id": r["id"], "text": r["text"]} for r in records])
    rows = dedup_ray.clean_dataset(ds, keep_edits=True, batch_size=8).take_all()
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    for row, record in zip(rows, records, strict=True):
        result = clean(record["text"], explain=True)
        assert row["text"] == result.text
        edits = json.loads(row["edits"])
        assert len(edits) == sum(len(stage.edits) for stage in result.stages)


def _corpus_texts() -> list[str]:
    texts = [r["text"] for r in read_jsonl(DATA / "corpus_neardup_sample.jsonl")]
    return texts + texts[:7]  # exact duplicates too


@pytest.mark.usefixtures("local_ray")
@pytest.mark.parametrize("keep", ["longest"])  # "first": the CLI test below
def test_near_duplicates_match_local(keep: str, recwarn: pytest.WarningsRecorder) -> None:
    texts = _corpus_texts()
    local = find_near_duplicates(texts, CorpusOptions(keep=keep))  # type: ignore[arg-type]
    items = [{"n": i, "text": t, "kept": "old"} for i, t in enumerate(texts)]
    ds = ray_data.from_items(items, override_num_blocks=5)  # positions run across blocks
    found = dedup_ray.near_duplicates(ds, keep=keep)
    rows = found.dataset.take_all()
    assert list(rows[0]) == ["n", "text", "cluster", "kept"]  # an old "kept" is replaced
    assert [r["n"] for r in rows] == list(range(len(texts)))
    assert [r["text"] for r in rows] == texts
    assert tuple(r["cluster"] for r in rows) == local.labels
    assert tuple(i for i, r in enumerate(rows) if r["kept"]) == local.kept
    assert found.exact_duplicates == local.exact_duplicates
    assert found.rounds >= 1
    assert not [w for w in recwarn if "zip" in str(w.message)]  # deprecated in Ray


def _components(n: int, edges: np.ndarray[Any, Any]) -> list[int]:
    uf = UnionFind(n)
    for a, b in edges.tolist():
        uf.union(a, b)
    return [int(x) for x in uf.labels()]


@pytest.mark.usefixtures("local_ray")
def test_connected_components_match_union_find() -> None:
    rng = np.random.default_rng(7)
    n = 400
    edges = rng.integers(0, n, size=(300, 2))
    ds = ray_data.from_numpy(edges).map_batches(
        lambda b: {"src": b["data"][:, 0], "dst": b["data"][:, 1]}, batch_format="numpy"
    )
    stars, rounds = dedup_ray.connected_components(ds, partitions=3)
    label = list(range(n))
    for row in stars.take_all():
        assert row["dst"] < row["src"]
        label[row["src"]] = row["dst"]
    assert label == _components(n, edges)
    assert rounds >= 2


def _cli(*args: str | Path) -> Any:
    from click.testing import CliRunner

    from dedup.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _typed_table() -> Any:
    """Every kind of column JSON has no type for, nulls in each (a null text too), nested."""
    import datetime
    import decimal

    import pyarrow as pa

    utc = datetime.timezone.utc
    doubled = "A paragraph long enough to count as one on its own, repeated here."
    return pa.table(
        {
            "id": ["a", "b", "c"],
            "text": [f"{doubled}\n\n{doubled}", None, "caf\u00c3\u00a9 and more words here"],
            "price": pa.array([decimal.Decimal("1.50"), None, decimal.Decimal("999.99")],
                              pa.decimal128(5, 2)),
            "seen": pa.array([datetime.datetime(2026, 12, 1, 10, 45, tzinfo=utc), None,
                              datetime.datetime(2027, 1, 2, tzinfo=utc)],
                             pa.timestamp("ms", tz="UTC")),
            "blob": pa.array([b"\x00\xff", None, b"x"], pa.binary()),
            "attrs": pa.array([[("lang", "fr")], None, []], pa.map_(pa.string(), pa.string())),
            "meta": pa.array([{"k": "v"}, None, {"k": None}], pa.struct([("k", pa.string())])),
        }
    )  # fmt: skip


_LINES = [
    {"id": "a", "url": "https://x.example/a", "when": "2026-12-01T10:45:00Z",
     "text": "Hello world.\n\nHello world.", "n": 1.50, "tags": ["x", "y"]},
    {"id": "b", "url": "https://x.example/b", "when": "2026-12-02T10:45:00+01:00",
     "text": None, "big": 1234567890123456789, "meta": {"y": None, "z": [1.5, None]}},
    {"id": "c", "url": "https://x.example/c", "text": "caf\u00c3\u00a9 \u2014 \ud83d\ude00"},
]  # fmt: skip


def _csv(path: Path) -> Path:
    """Three rows as a Scrapy feed export writes them: a doubled body (cleaned), a field with
    quotes, commas and a line break, and a row whose text is clean."""
    import csv

    doubled = _LINES[0]["text"]
    assert isinstance(doubled, str)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "url", "text"])
        out.writerow(["a", "https://x.example/a", doubled])
        out.writerow(["b", 'https://x.example/b?q="x,y"', "Line one,\nline two."])
        out.writerow(["c", "https://x.example/c", "A clean row."])
    return path


def _jsonl(path: Path) -> Path:
    # written as a crawler writes it: spaces after separators in some lines, escaped slashes
    lines = [json.dumps(r) for r in _LINES]
    lines[0] = lines[0].replace("https://", "https:\\/\\/")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.usefixtures("local_ray")
@pytest.mark.parametrize(
    ("src", "out"),
    [
        ("in.jsonl", "out.jsonl"),
        ("in.jsonl", "out.jsonl.gz"),
        ("in.jsonl", "out.parquet"),
        ("in.parquet", "out.parquet"),
        ("in.parquet", "out.jsonl"),
        ("in.csv", "out.jsonl"),
        ("in.csv", "out.parquet"),
    ],
)
def test_ray_clean_writes_what_the_local_engine_writes(tmp_path: Path, src: str, out: str) -> None:
    """JSONL <-> Parquet <-> Ray, and CSV in: the Ray engine writes the file ``-o`` names, byte
    for byte what the local engine writes (timestamps as written, slashes as written, decimals,
    binary, maps, nulls, a null text passed through; a CSV row's fields as strings)."""
    import pyarrow.parquet as pq

    source = tmp_path / src
    if src.endswith(".parquet"):
        pq.write_table(_typed_table(), source)
    elif src.endswith(".csv"):
        _csv(source)
    else:
        _jsonl(source)
    local, remote = tmp_path / "local" / out, tmp_path / "ray" / out
    assert _cli("clean", source, "-o", local, "-q", "-j", "1").exit_code == 0
    result = _cli("clean", source, "-o", remote, "--engine", "ray")
    assert result.exit_code == 0, result.output
    assert remote.is_file()
    assert sorted(p.name for p in remote.parent.iterdir()) == [out]
    assert result.stderr == f"dedup clean: 3 records written to {remote} (Ray)\n"
    if out.endswith(".parquet"):
        assert pq.read_table(remote).equals(pq.read_table(local))
        if src.endswith(".parquet"):
            assert pq.read_table(remote).schema == _typed_table().schema
    else:
        assert remote.read_bytes() == local.read_bytes()
    if src.endswith(".jsonl") and out.endswith(".jsonl"):  # an unchanged record: as read
        written = remote.read_text(encoding="utf-8").splitlines()
        assert written[1] == source.read_text(encoding="utf-8").splitlines()[1]


@pytest.mark.usefixtures("local_ray")
@pytest.mark.parametrize("src", ["in.jsonl", "in.parquet"])
def test_ray_corpus_writes_what_it_reads(tmp_path: Path, src: str) -> None:
    """``corpus --mark`` on Ray: every record as read, with its cluster; without ``--mark``
    the kept records as read, and ``--dropped`` the others; a directory when one is named."""
    import pyarrow.parquet as pq

    corpus = DATA / "corpus_neardup_sample.jsonl"
    rows = read_jsonl(corpus)
    source = tmp_path / src
    if src.endswith(".parquet"):
        import pyarrow as pa

        pq.write_table(pa.Table.from_pylist(rows), source)
    else:
        source.write_bytes(corpus.read_bytes())
    texts = [r["text"] for r in rows]
    local = find_near_duplicates(texts)
    suffix = Path(src).suffix
    marked = tmp_path / f"marked{suffix}"
    result = _cli("corpus", source, "-o", marked, "--mark", "--engine", "ray", "-q")
    assert result.exit_code == 0, result.output
    back = pq.read_table(marked).to_pylist() if suffix == ".parquet" else read_jsonl(marked)
    assert [r["cluster"] for r in back] == list(local.labels)

    def fields(row: dict[str, Any]) -> dict[str, Any]:  # its own "cluster" is replaced
        return {k: v for k, v in row.items() if k != "cluster"}

    assert [fields(r) for r in back] == [fields(r) for r in rows]
    if suffix == ".parquet":
        return  # the kept and dropped records of Parquet: as in the JSON Lines case, kept short
    parts = tmp_path / "kept"
    args = ("corpus", source, "-o", f"{parts}/", "--dropped", tmp_path / f"dups{suffix}")
    result = _cli(*args, "--engine", "ray", "-q")
    assert result.exit_code == 0, result.output
    files = sorted(parts.iterdir())
    assert files
    assert all(f.name.startswith("part-") for f in files)
    kept = [r for f in files for r in read_jsonl(f)]
    assert kept == [rows[i] for i in local.kept]
    dropped = read_jsonl(tmp_path / f"dups{suffix}")
    others = [i for i in range(len(rows)) if i not in set(local.kept)]
    assert [{k: v for k, v in r.items() if k != "duplicate_of"} for r in dropped] == [
        rows[i] for i in others
    ]
    assert [r["duplicate_of"] for r in dropped] == [local.labels[i] for i in others]


@pytest.mark.usefixtures("local_ray")
def test_ray_corpus_reads_csv(tmp_path: Path) -> None:
    """``corpus --mark`` of a CSV file on Ray: every row, as the JSON line of its fields, with
    the cluster the local clustering gives it (the rows' own ``cluster`` column replaced)."""
    import csv

    rows = read_jsonl(DATA / "corpus_neardup_sample.jsonl")
    source = tmp_path / "items.csv"
    with source.open("w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(rows)
    local = find_near_duplicates([r["text"] for r in rows])
    marked = tmp_path / "marked.jsonl"
    result = _cli("corpus", source, "-o", marked, "--mark", "--engine", "ray", "-q")
    assert result.exit_code == 0, result.output
    back = read_jsonl(marked)
    assert [r["cluster"] for r in back] == list(local.labels)
    assert [{k: v for k, v in r.items() if k != "cluster"} for r in back] == [
        {k: v for k, v in r.items() if k != "cluster"} for r in rows
    ]


def _clean_on_ray_in_a_process(source: Path, out: Path) -> Any:
    """``dedup clean SOURCE -o OUT --engine ray`` as a process of its own, which starts its own
    Ray: what reaches its real stderr (Ray's logs too) is in the result."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "dedup", "clean", str(source), "-o", str(out), "--engine", "ray"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_ray_engine_says_nothing_but_its_summary(tmp_path: Path) -> None:
    """A run that starts its own Ray prints its summary line and nothing else (it printed 18
    lines of Ray's logs), and writes the file named."""
    source = _jsonl(tmp_path / "in.jsonl")
    out = tmp_path / "out.jsonl"
    done = _clean_on_ray_in_a_process(source, out)
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"dedup clean: 3 records written to {out} (Ray)\n"
    assert done.stdout == ""
    assert out.is_file()


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("in.jsonl", b'{"text": "A line."}\n{"text": "cut\n', ":2: malformed JSON"),
        ("in.csv", b'id,text\n1,"A row."\n2,"caf\x81"\n', ":3: invalid UTF-8 in column 'text'"),
    ],
    ids=["jsonl", "csv"],
)
def test_ray_engine_names_a_bad_record_in_one_line(
    tmp_path: Path, name: str, data: bytes, says: str
) -> None:
    """A bad record stops a Ray run as it stops a local one: exit status 2, one line naming the
    file and line (a malformed JSON line came out as Ray's UserCodeException, exit status 1,
    after 70 lines of Ray's log), and no output; the hint says which flags need the local
    engine."""
    source = tmp_path / name
    source.write_bytes(data)
    out = tmp_path / "out.jsonl"
    done = _clean_on_ray_in_a_process(source, out)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"Error: {source}{says}"), done.stderr
    assert done.stderr.endswith("(--skip-invalid and --errors replace: without --engine ray)\n")
    assert done.stderr.count("\n") == 1, done.stderr
    assert not out.exists()


def test_ray_engine_on_an_unreachable_cluster_fails_at_once(tmp_path: Path) -> None:
    """``--address`` to nothing: one line naming the address within seconds (Ray retried for
    more than five minutes)."""
    import socket
    import subprocess

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = _jsonl(tmp_path / "in.jsonl")
    args = ["clean", str(source), "-o", str(tmp_path / "o.jsonl"), "--engine", "ray"]
    done = subprocess.run(
        [sys.executable, "-m", "dedup", *args, "--address", f"127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard, not a timing
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"Error: cannot reach the Ray cluster at 127.0.0.1:{port} (")
    assert done.stderr.count("\n") == 1
    assert not (tmp_path / "o.jsonl").exists()


def test_engine_option_needs_ray_only_to_run() -> None:
    from click.testing import CliRunner

    from dedup.cli import main

    result = CliRunner().invoke(main, ["clean", "x.jsonl", "--address", "auto"])
    assert result.exit_code == 2
    assert "--address goes with --engine ray" in result.output


@pytest.mark.parametrize("command", ["clean", "corpus"])
@pytest.mark.parametrize(
    ("args", "refused"),
    [
        (["--skip-invalid", "--rejects", "r.jsonl"], "--skip-invalid"),
        (["--rejects", "r.jsonl"], "--rejects"),
        (["--errors", "replace"], "--errors replace"),
        (["--glob", "*.jsonl"], "--glob"),
    ],
)
def test_engine_ray_refuses_input_options_its_readers_do_not_apply(
    tmp_path: Path, command: str, args: list[str], refused: str
) -> None:
    from click.testing import CliRunner

    from dedup.cli import main

    out = str(tmp_path / "out")
    result = CliRunner().invoke(main, [command, "x.jsonl", "-o", out, "--engine", "ray", *args])
    assert result.exit_code == 2, result.output
    assert f"--engine ray does not support {refused}: drop it" in result.output


def test_engine_ray_names_formats_by_the_rule_of_the_local_engine(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from dedup.cli import main
    from dedup.io import path_format

    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / ".hidden.parquet").write_bytes(b"")
    (tmp_path / "parts" / "a.jsonl").write_text("{}\n")
    assert path_format(str(tmp_path / "parts")) == "jsonl"
    assert path_format("s3://bucket/crawl/part-1.parquet") == "parquet"
    assert path_format("s3://bucket/crawl/") == "text"
    out = str(tmp_path / "out")
    result = CliRunner().invoke(main, ["clean", "s3://bucket/crawl/", "-o", out, "--engine", "ray"])
    assert result.exit_code == 2, result.output
    assert (
        "--engine ray reads Parquet, JSONL and CSV, and s3://bucket/crawl/ reads as text: name "
        "its format with --input-format jsonl, parquet or csv, or run it without --engine ray"
    ) in result.output
    (tmp_path / "items.csv").write_text("id,text\n1,A row.\n")
    result = CliRunner().invoke(
        main, ["clean", str(tmp_path / "items.csv"), "-o", out, "--engine", "ray"]
    )
    assert result.exit_code == 2, result.output  # (out names no format: CSV, as read)
    assert "--engine ray writes Parquet and JSONL: pass --format jsonl or parquet" in result.output
    args = ["corpus", str(tmp_path / "parts"), "-o", out, "--engine", "ray", "--format", "text"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--format'" in result.output
    args = ["clean", str(tmp_path / "parts"), "-o", out, "--engine", "ray", "--format", "text"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "--engine ray writes Parquet and JSONL: pass --format jsonl or parquet" in result.output


def test_ray_reads_csv_from_local_files_only() -> None:
    """A CSV URI is refused by name: Ray's own CSV reader would guess types and read quoted
    line breaks otherwise than the local engine does."""
    from dedup.model import ConfigError
    from dedup.ray import records as ray_records

    with pytest.raises(ConfigError, match=r"reads CSV from local files, and s3://b/items\.csv"):
        ray_records.read_records(["s3://b/items.csv"], "csv")
