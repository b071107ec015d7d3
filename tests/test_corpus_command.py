"""``dedup corpus`` in-process with click's CliRunner (dedup.corpus.command)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from dedup import cli
from dedup.corpus.boilerplate import BoilerplateOptions
from dedup.corpus.command import decide


def words(seed: int, n: int = 200) -> str:
    rng = random.Random(seed)
    return " ".join(f"w{rng.randrange(5000)}" for _ in range(n))


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, ["corpus", *args], catch_exceptions=False)


def rows() -> list[dict[str, Any]]:
    article = words(1)
    return [
        {"id": "a", "url": "https://x.example/1", "text": article, "n": 0},
        {"id": "b", "url": "https://x.example/2", "text": "Home Menu\n" + article, "n": 1},
        {"id": "c", "url": "https://y.example/1", "text": words(2), "n": 2},
        {"id": "d", "url": "https://y.example/2", "text": article.upper(), "n": 3},
    ]


def write(path: Path, items: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in items), encoding="utf-8")
    return str(path)


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_keeps_one_record_per_cluster_and_sets_the_others_aside(tmp_path: Path) -> None:
    src = write(tmp_path / "in.jsonl", rows())
    out, dropped = tmp_path / "out.jsonl", tmp_path / "dropped.jsonl"
    result = run(src, "-o", str(out), "--dropped", str(dropped))
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in read(out)] == ["a", "c"]
    assert read(out)[0] == rows()[0]  # every field kept, in order
    assert [(r["id"], r["duplicate_of"]) for r in read(dropped)] == [("b", "a"), ("d", "a")]
    assert "4 documents read, 2 kept, 2 duplicates (1 exact), 2 clusters" in result.stderr


def test_keep_longest(tmp_path: Path) -> None:
    src = write(tmp_path / "in.jsonl", rows())
    out = tmp_path / "out.jsonl"
    assert run(src, "-o", str(out), "--keep", "longest", "-q").exit_code == 0
    assert [r["id"] for r in read(out)] == ["b", "c"]


def test_mark_writes_every_record_with_its_cluster(tmp_path: Path) -> None:
    src = write(tmp_path / "in.jsonl", rows())
    out = tmp_path / "out.jsonl"
    result = run(src, "-o", str(out), "--mark", "-q")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert [(r["id"], r["cluster"]) for r in read(out)] == [
        ("a", "a"),
        ("b", "a"),
        ("c", "c"),
        ("d", "a"),
    ]


def test_the_index_remembers_earlier_runs(tmp_path: Path) -> None:
    index = str(tmp_path / "seen.db")
    first = write(tmp_path / "day1.jsonl", rows()[:1])
    later = [{"id": "e", "text": "Menu " + words(1)}, {"id": "f", "text": words(7)}]
    second = write(tmp_path / "day2.jsonl", later)
    assert run(first, "-o", str(tmp_path / "o1.jsonl"), "--index", index, "-q").exit_code == 0
    result = run(second, "-o", str(tmp_path / "o2.jsonl"), "--index", index)
    assert result.exit_code == 0
    assert [r["id"] for r in read(tmp_path / "o2.jsonl")] == ["f"]
    assert f"1 seen in {index}" in result.stderr
    # Running the same input again finds all of it in the index.
    again = run(second, "-o", str(tmp_path / "o3.jsonl"), "--index", index, "-q")
    assert again.exit_code == 0
    assert read(tmp_path / "o3.jsonl") == []


def test_boilerplate_is_removed_before_clustering(tmp_path: Path) -> None:
    menu = "Home | World | Sport | Contact us"
    items = [
        {"id": str(i), "url": f"https://x.example/{i}", "text": f"{menu}\n{words(i, 30)}"}
        for i in range(6)
    ]
    src = write(tmp_path / "in.jsonl", items)
    out = tmp_path / "out.jsonl"
    result = run(src, "-o", str(out), "--boilerplate")
    assert result.exit_code == 0
    assert all(menu not in r["text"] for r in read(out))
    assert "boilerplate: 6 lines removed" in result.stderr


def test_an_existing_output_is_refused(tmp_path: Path) -> None:
    src = write(tmp_path / "in.jsonl", rows())
    out = tmp_path / "out.jsonl"
    out.write_text("keep me", encoding="utf-8")
    result = run(src, "-o", str(out))
    assert result.exit_code == 1
    assert "exists: pass --force" in result.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    assert run(src, "-o", str(out), "--force", "-q").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--threshold", "2"], "threshold"),
        (["--mark", "--dropped", "x.jsonl"], "--mark"),
    ],
)
def test_bad_options_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    src = write(tmp_path / "in.jsonl", rows())
    result = run(src, "-o", str(tmp_path / "out.jsonl"), *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_malformed_line_exits_2(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "fine"}\n{not json\n', encoding="utf-8")
    result = run(str(src), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 2
    assert "in.jsonl" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_help_names_every_option() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for option in ("--threshold", "--keep", "--index", "--boilerplate", "--mark", "--dropped"):
        assert option in result.stdout
    assert "Example:" in result.stdout


def test_decide_is_pure() -> None:
    texts = [r["text"] for r in rows()]
    first = decide(texts, ids=["a", "b", "c", "d"])
    assert first == decide(texts, ids=["a", "b", "c", "d"])
    assert first.kept == (True, False, True, False)
    with_bp = decide(texts, urls=[r["url"] for r in rows()], boilerplate=BoilerplateOptions())
    assert with_bp.boilerplate == (0, 0, 0, 0)  # two pages a site: too few to learn from


def test_parquet_in_parquet_out_with_marks(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(rows()), src)
    out = tmp_path / "out.parquet"
    result = run(str(src), "-o", str(out), "--mark", "-q")
    assert result.exit_code == 0, result.output
    table = pq.read_table(out).to_pylist()
    assert [(r["id"], r["cluster"], r["n"]) for r in table] == [
        ("a", "a", 0),
        ("b", "a", 1),
        ("c", "c", 2),
        ("d", "a", 3),
    ]
