"""The Ray engine gives exactly the local engine's records and clusters (on a local Ray)."""

from __future__ import annotations

import json
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


@pytest.mark.usefixtures("local_ray")
def test_cli_engine_ray_clean_and_corpus(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from dedup.cli import main

    runner = CliRunner()
    source = DATA / "repair_sample.jsonl"
    result = runner.invoke(
        main, ["clean", str(source), "-o", str(tmp_path / "c"), "--engine", "ray"]
    )
    assert result.exit_code == 0, result.output
    rows = [r for f in sorted((tmp_path / "c").glob("*.json")) for r in read_jsonl(f)]
    records = read_jsonl(source)
    assert [r["text"] for r in rows] == [clean(r["text"]) for r in records]

    corpus = DATA / "corpus_neardup_sample.jsonl"
    args = ["corpus", str(corpus), "-o", str(tmp_path / "m"), "--mark", "--engine", "ray"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    rows = [r for f in sorted((tmp_path / "m").glob("*.json")) for r in read_jsonl(f)]
    texts = [r["text"] for r in read_jsonl(corpus)]
    assert [r["cluster"] for r in rows] == list(find_near_duplicates(texts).labels)


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
        "--engine ray reads Parquet and JSONL, and s3://bucket/crawl/ reads as text: name its "
        "format with --input-format jsonl or parquet"
    ) in result.output
    args = ["corpus", str(tmp_path / "parts"), "-o", out, "--engine", "ray", "--format", "text"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--format'" in result.output
    args = ["clean", str(tmp_path / "parts"), "-o", out, "--engine", "ray", "--format", "text"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "--engine ray writes Parquet and JSONL: pass --format jsonl or parquet" in result.output
