"""``dedup index stats|show|forget``, in-process, on an index ``dedup corpus`` wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dedup import cli
from dedup.corpus.index import Index


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def words(seed: int, n: int = 120) -> str:
    return " ".join(f"w{(seed * 7919 + i * 104729) % 5003}" for i in range(n))


@pytest.fixture
def index(tmp_path: Path) -> Path:
    path = tmp_path / "seen.db"
    with Index(path) as built:
        built.add_many([("a", words(1)), ("b", words(2))], now=1_764_583_200.0)  # 2025-12-01 10:00
        built.add_many([("c", words(3))], now=1_764_669_600.0)  # 2025-12-02 10:00
    return path


def test_stats(index: Path) -> None:
    result = run("index", "stats", str(index))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{index}: 3 documents, ")
    assert lines[1] == "added from 2025-12-01 10:00:00 UTC to 2025-12-02 10:00:00 UTC"
    assert lines[2] == "threshold 0.75, 16 bands of 1 row, format 3"  # as docs/cli.md shows it
    as_json = json.loads(run("index", "stats", str(index), "--json").stdout)
    assert as_json["documents"] == 3
    assert as_json["last_seen"] == "2025-12-02 10:00:00 UTC"
    assert not Path(f"{index}.lock").exists()


def test_the_threshold_is_the_one_it_is_opened_with(index: Path) -> None:
    """The index keeps no threshold (its bands serve every one): another is accepted and
    shown, as docs/cli.md says."""
    result = run("index", "stats", str(index), "--threshold", "0.9")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2] == "threshold 0.9, 16 bands of 1 row, format 3"


@pytest.mark.parametrize("command", [[], ["stats"], ["show"], ["forget"]])
def test_the_exit_status_in_help_is_the_index_commands_own(command: list[str]) -> None:
    """``dedup index`` reads no records and writes no outputs: its help does not speak of
    them."""
    shown = run("index", *command, "--help").stdout
    assert "Exit status:" in shown
    assert "not a dedup index" in shown
    assert "--skip-invalid" not in shown
    assert "--force" not in shown


def test_reading_an_index_leaves_nothing_beside_it(index: Path) -> None:
    for args in (("stats", str(index)), ("show", str(index), "a"), ("forget", str(index), "a")):
        assert run("index", *args).exit_code == 0
        assert sorted(p.name for p in index.parent.iterdir()) == ["seen.db"], args
    with Index(index, readonly=True) as reader:
        assert len(reader) == 2
    assert sorted(p.name for p in index.parent.iterdir()) == ["seen.db"]


def test_show(index: Path) -> None:
    result = run("index", "show", str(index), "b")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "id": "b",
        "first_seen": "2025-12-01 10:00:00 UTC",
        "shingles": 116,
    }
    missing = run("index", "show", str(index), "a", "nope")
    assert missing.exit_code == 2
    assert json.loads(missing.stdout)["id"] == "a"
    assert "no document 'nope'" in missing.stderr


def test_forget_a_run_with_a_dry_run_first(index: Path) -> None:
    dry = run("index", "forget", str(index), "--since", "2025-12-02", "--dry-run")
    assert dry.exit_code == 0
    assert [json.loads(line)["id"] for line in dry.stdout.splitlines()] == ["c"]
    assert "would forget 1 document of 3" in dry.stderr
    with Index(index, readonly=True) as reader:
        assert len(reader) == 3  # nothing changed
    done = run("index", "forget", str(index), "--since", "2025-12-02T00:00:00Z")
    assert done.exit_code == 0
    assert f"forgot 1 document; 2 left in {index}" in done.stderr
    with Index(index, readonly=True) as reader:
        assert "c" not in reader
        assert reader.query(words(3)) == []
    by_id = run("index", "forget", str(index), "a")
    assert "forgot 1 document; 1 left" in by_id.stderr
    assert not Path(f"{index}.lock").exists()


def test_forget_needs_since_or_ids(index: Path) -> None:
    neither = run("index", "forget", str(index))
    assert neither.exit_code == 2
    assert "give --since TIME or the IDs" in neither.stderr
    bad = run("index", "forget", str(index), "--since", "last tuesday")
    assert bad.exit_code == 2
    assert "--since 'last tuesday' is not a time" in bad.stderr


def test_no_such_index(tmp_path: Path) -> None:
    result = run("index", "stats", str(tmp_path / "nope.db"))
    assert result.exit_code == 2
    assert "no such index" in result.stderr
    assert not (tmp_path / "nope.db").exists()


def test_a_file_that_is_not_an_index_says_what_to_give(tmp_path: Path) -> None:
    """``dedup index stats page.txt``: the hint names what ``dedup index`` takes, the index
    ``dedup corpus --index`` wrote, not ``--index``, which it has not, or a new path, which it
    does not build."""
    notes = tmp_path / "notes.txt"
    notes.write_text("Not an index.\n", encoding="utf-8")
    for args in (["stats", str(notes)], ["show", str(notes), "a"], ["forget", str(notes), "a"]):
        result = run("index", *args)
        assert result.exit_code == 2, result.output
        assert f"Error: {notes} is not a dedup index" in result.stderr
        assert result.stderr.rstrip().endswith(
            ": give the path of an index that dedup corpus --index wrote"
        )
        assert "--index the path" not in result.stderr
    assert notes.read_text(encoding="utf-8") == "Not an index.\n"
