"""The SQLite index (dedup.corpus.index)."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from dedup.corpus.index import Index, IndexLockedError, Match
from dedup.model import ConfigError, InputError


def words(seed: int, n: int = 200) -> str:
    rng = random.Random(seed)
    return " ".join(f"w{rng.randrange(5000)}" for _ in range(n))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "seen.db"


def test_add_and_query(path: Path) -> None:
    with Index(path) as index:
        assert index.add("a", words(1), now=100.0) == []
        assert index.add("b", words(2), now=101.0) == []
        found = index.add("c", "Menu Home Sport " + words(1) + " Footer", now=102.0)
        assert [m.id for m in found] == ["a"]
        assert found[0].kind == "near"
        assert found[0].score >= 0.8
        assert index.query(words(2).upper()) == [Match("b", "exact", 1.0, 101.0)]
        assert index.query(words(3)) == []
        assert len(index) == 3
        assert "a" in index


def test_it_survives_a_restart(path: Path) -> None:
    with Index(path) as index:
        index.add_many([("a", words(1)), ("b", words(2))])
    with Index(path) as index:
        assert len(index) == 2
        assert [m.id for m in index.query(words(2))] == ["b"]
        assert index.check() == []


def test_add_many_sees_earlier_items_of_its_batch(path: Path) -> None:
    with Index(path) as index:
        results = index.add_many([("a", words(1)), ("b", words(1)), ("c", words(5))])
    assert [[m.id for m in r] for r in results] == [[], ["a"], []]


def test_an_id_already_indexed_is_not_added_again(path: Path) -> None:
    with Index(path) as index:
        index.add("a", words(1))
        assert [m.id for m in index.add("a", words(1))] == ["a"]
        assert len(index) == 1


def test_a_batch_is_all_or_nothing(path: Path) -> None:
    with Index(path) as index:
        index.add("first", words(1))
    # Make the file refuse the band keys of one document, after the documents went in.
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TRIGGER boom BEFORE INSERT ON bands "
        "WHEN (SELECT id FROM docs WHERE doc = NEW.doc) = 'z' "
        "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
    )
    db.commit()
    db.close()
    with Index(path) as index:
        with pytest.raises(sqlite3.IntegrityError, match="disk on fire"):
            index.add_many([("x", words(2)), ("y", words(3)), ("z", words(4))])
        assert len(index) == 1
        assert index.check() == []
        assert index.add_many([("x", words(2)), ("y", words(3))]) == [[], []]
        assert len(index) == 3


def test_other_parameters_are_refused(path: Path) -> None:
    with Index(path) as index:
        index.add("a", words(1))
    with pytest.raises(ConfigError, match=r"num_perm=128 \(asked for 64\)"):
        Index(path, num_perm=64)
    with pytest.raises(ConfigError, match="seed"):
        Index(path, seed=99)
    with pytest.raises(ConfigError, match="bands="):
        Index(path, threshold=0.3)
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '999' WHERE key = 'format'")
    db.commit()
    db.close()
    with pytest.raises(ConfigError, match="format 999"):
        Index(path)


def test_an_index_of_older_canonical_tokens_is_refused_with_a_clear_message(path: Path) -> None:
    import json

    from dedup.corpus.shingle import CANON_VERSION

    with Index(path) as index:
        index.add("a", words(1))
    db = sqlite3.connect(path)
    (stored,) = db.execute("SELECT value FROM meta WHERE key = 'scheme'").fetchone()
    older = json.dumps({**json.loads(stored), "version": CANON_VERSION - 1}, sort_keys=True)
    db.execute("UPDATE meta SET value = ? WHERE key = 'scheme'", (older,))
    db.commit()
    db.close()
    expected = (
        f"canonical tokens are version {CANON_VERSION - 1}; this one makes version "
        f"{CANON_VERSION}: they cannot be compared; build a new one"
    )
    with pytest.raises(ConfigError, match=expected):
        Index(path)
    with pytest.raises(ConfigError, match=expected):
        Index(path, readonly=True)


def test_a_second_writer_gets_a_clear_error_while_readers_read(path: Path) -> None:
    with Index(path) as writer:
        writer.add("a", words(1))
        with pytest.raises(IndexLockedError, match="readonly=True") as locked:
            Index(path)
        assert (locked.value.path, locked.value.lock_path) == (str(path), f"{path}.lock")
        with Index(path, readonly=True) as reader:
            assert [m.id for m in reader.query(words(1))] == ["a"]
            with pytest.raises(InputError, match="read-only"):
                reader.add("b", words(2))
        writer.add("b", words(2))
    with Index(path) as again:  # the lock went with the first writer
        assert len(again) == 2


def test_a_second_writer_can_wait(path: Path) -> None:
    # The first writer is another process: it takes the lock, says so, and lets go a little later.
    code = (
        "import sys, time\n"
        "from dedup.corpus.index import Index\n"
        f"index = Index({str(path)!r})\n"
        "print('ready', flush=True)\n"
        "time.sleep(1.0)\n"
        "index.close()\n"
    )
    first = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout is not None
        assert first.stdout.readline().strip() == "ready"
        with pytest.raises(IndexLockedError):
            Index(path)
        with Index(path, timeout=60) as second:
            assert len(second) == 0
    finally:
        first.wait(timeout=60)
    assert first.returncode == 0


def test_integrity_check_finds_missing_band_keys(path: Path) -> None:
    with Index(path) as index:
        index.add_many([("a", words(1)), ("b", words(2))])
        assert index.check() == []
    db = sqlite3.connect(path)
    db.execute("DELETE FROM bands WHERE doc = (SELECT doc FROM docs WHERE id = 'a')")
    db.commit()
    db.close()
    with Index(path, readonly=True) as index:
        assert index.check() == ["1 documents have no band keys"]


def test_not_an_index(path: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        Index(tmp_path / "missing.db", readonly=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    with pytest.raises(InputError, match="not a dedup index"):
        Index(path)


def test_bad_items_are_refused_before_anything_is_written(path: Path) -> None:
    with Index(path) as index:
        with pytest.raises(InputError, match="item 1"):
            index.add_many([("a", words(1)), ("", words(2))])
        with pytest.raises(InputError, match="bytes"):
            index.add("b", b"text")  # type: ignore[arg-type]
        assert len(index) == 0
