"""The index (dedup.corpus.index) in an SQLite file: what it finds, what it stores, what it
refuses, and how it fails."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedup.corpus.index_sqlite as index_sqlite
from dedup.corpus.index import (
    Entry,
    Index,
    IndexLockedError,
    Match,
    NotAnIndexError,
    index_banding,
)
from dedup.model import ConfigError, DedupError, InputError


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
        assert "zz" not in index


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


def test_the_same_id_and_text_is_stored_once(path: Path) -> None:
    with Index(path) as index:
        index.add("a", words(1))
        assert [m.id for m in index.add("a", words(1).upper())] == ["a"]  # same words
        assert len(index) == 1
        index.add_many([("b", words(2)), ("b", words(2))])
        assert len(index) == 2


def test_an_id_names_documents_it_does_not_key_them(path: Path) -> None:
    """The same file name every day (ids FILE:LINE): day 2's new documents are stored even
    though their ids were day 1's, and day 3 finds them."""
    a, b, c, d = (words(seed) for seed in (11, 12, 13, 14))
    with Index(path) as index:
        index.add_many([("crawl.jsonl:1", a), ("crawl.jsonl:2", b)])
        day2 = index.add_many([("crawl.jsonl:1", c), ("crawl.jsonl:2", d), ("crawl.jsonl:3", a)])
        assert [[m.id for m in found] for found in day2] == [[], [], ["crawl.jsonl:1"]]
        assert len(index) == 5
        day3 = index.query(c)
        assert [(m.id, m.kind) for m in day3] == [("crawl.jsonl:1", "exact")]
        assert index.check() == []


def test_a_run_does_not_see_what_it_stored_itself(path: Path) -> None:
    with Index(path) as index:
        index.add("old", words(1))
        start = index.begin_run("run-1")
        assert index.begin_run("run-1") == start  # recorded once
        index.add_many([("x", words(2)), ("y", words(3))])  # stored, then the run is killed
        index.add("other run", words(4))
        again = index.begin_run("run-1")
        assert again == start
        assert [m.id for m in index.query(words(1), before=again)] == ["old"]
        assert index.query(words(2), before=again) == []
        assert index.query(words(4), before=again) == []
        assert [m.id for m in index.query(words(2))] == ["x"]
        assert index.begin_run("run-2") == len(index) + 1


def test_a_batch_is_all_or_nothing(path: Path) -> None:
    with Index(path) as index:
        index.add("first", words(1))
    # Make the file refuse the postings of one document, after the documents went in.
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TRIGGER boom BEFORE INSERT ON fresh "
        "WHEN (SELECT count(*) FROM docs WHERE id = 'z') "
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


def _build(path: Path, texts: list[str], batch: int) -> list[list[Match]]:
    with Index(path) as index:
        found: list[list[Match]] = []
        for start in range(0, len(texts), batch):
            items = [(f"d{i}", texts[i]) for i in range(start, min(start + batch, len(texts)))]
            found += index.add_many(items, now=1.0)
        assert index.check() == []
        found += index.query_many([t.upper() for t in texts[::7]])
    return found


def test_merging_recent_postings_into_groups_changes_no_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(5)
    base = [words(seed, rng.randint(5, 300)) for seed in range(120)]
    texts = base + [f"Menu {rng.choice(base)} footer {k}" for k in range(60)] + base[:10]
    plain = _build(tmp_path / "plain.db", texts, 17)
    monkeypatch.setattr(index_sqlite, "fresh_limit", lambda blocked: 300)
    merged = _build(tmp_path / "merged.db", texts, 17)
    assert merged == plain
    with Index(tmp_path / "merged.db", readonly=True) as index:
        layout = dict(index.store.conn.execute("SELECT key, value FROM meta"))  # type: ignore[attr-defined]
    assert int(layout["blocked"]) > 0, "no merge happened"


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 60), min_size=1, max_size=25),
    limit=st.integers(1, 40),
    batch=st.integers(1, 9),
)
def test_answers_do_not_depend_on_merges_or_batches(
    tmp_path_factory: pytest.TempPathFactory, sizes: list[int], limit: int, batch: int
) -> None:
    texts = [words(n % 7, size) for n, size in enumerate(sizes)]
    root = tmp_path_factory.mktemp("merges")
    reference = _build(root / "one.db", texts, len(texts) + 1)
    saved = index_sqlite.fresh_limit
    index_sqlite.fresh_limit = lambda blocked: limit  # type: ignore[assignment]
    try:
        again = _build(root / "many.db", texts, batch)
    finally:
        index_sqlite.fresh_limit = saved  # type: ignore[assignment]
    # a batch sees its own earlier items as the index sees earlier batches
    assert [{m.id for m in found} for found in again] == [
        {m.id for m in found} for found in reference
    ]


def test_other_parameters_are_refused(path: Path) -> None:
    with Index(path) as index:
        index.add("a", words(1))
    with pytest.raises(ConfigError, match=r"num_perm=128 \(asked for 64\)"):
        Index(path, num_perm=64)
    with pytest.raises(ConfigError, match="seed"):
        Index(path, seed=99)
    with pytest.raises(ConfigError, match="bands="):
        Index(path, bands=8, rows=2)
    with Index(path, threshold=0.9) as index:  # the threshold is the caller's to choose
        assert len(index) == 1
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


def test_an_index_of_the_old_format_is_refused_with_what_to_do(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO meta VALUES ('format', '1')")
    db.commit()
    db.close()
    with pytest.raises(ConfigError, match=r"has format 1.*build a new index"):
        Index(path)


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


def test_integrity_check_finds_missing_postings(path: Path) -> None:
    with Index(path) as index:
        index.add("a", words(1))
        index.add("b", words(2))
        assert index.check() == []
    db = sqlite3.connect(path)
    # the rows of fresh that a batch wrote end in the number of its first document
    db.execute("DELETE FROM fresh WHERE slot % (1 << 40) = (SELECT doc FROM docs WHERE id = 'a')")
    db.commit()
    db.close()
    with Index(path, readonly=True) as index:
        assert index.check() == ["1 documents have no postings of their id or exact hash"]


def test_not_an_index(path: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        Index(tmp_path / "missing.db", readonly=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    with pytest.raises(NotAnIndexError, match="not a dedup index"):
        Index(path)


def test_a_file_that_is_not_sqlite_is_named_as_such(tmp_path: Path) -> None:
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"these are my notes, not a database\n" * 200)
    with pytest.raises(NotAnIndexError, match=r"it is not an SQLite database") as caught:
        Index(junk)
    assert "disk" not in str(caught.value)
    assert caught.value.path == str(junk)
    assert junk.read_bytes().startswith(b"these are my notes")  # left as it was


@pytest.mark.parametrize(
    ("statement", "what"),
    [
        ("DELETE FROM meta WHERE key = 'scheme'", "KeyError"),
        ("UPDATE meta SET value = '{not json' WHERE key = 'scheme'", "JSONDecodeError"),
        ("UPDATE meta SET value = '[1, 2, 3]' WHERE key = 'banding'", "ValueError"),
        ("UPDATE meta SET value = '{\"colour\": 1}' WHERE key = 'scheme'", "TypeError"),
        ("UPDATE meta SET value = 'x' WHERE key = 'fresh'", "'fresh'"),
        ("DROP TABLE fresh", "no table 'fresh'"),
    ],
)
def test_broken_metadata_is_named(path: Path, statement: str, what: str) -> None:
    with Index(path) as index:
        index.add("a", words(1))
    db = sqlite3.connect(path)
    db.execute(statement)
    db.commit()
    db.close()
    with pytest.raises(NotAnIndexError, match="rebuild it") as caught, Index(path) as index:
        index.add("b", words(2))
    assert what in str(caught.value)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: Index(None), "file path or a redis:// URL, not None"),  # type: ignore[arg-type]
        (lambda tmp: Index(42), "not 42"),  # type: ignore[arg-type]
        (lambda tmp: Index(""), "not ''"),
        (lambda tmp: Index(tmp), "is a directory"),
        (lambda tmp: Index(tmp / "new" / "seen.db"), r"cannot be made: .*new does not exist"),
        (lambda tmp: Index(tmp / "x.db" / "seen.db"), r"x\.db is not a directory"),
        (lambda tmp: Index(":memory:", readonly=True), "cannot be opened read-only"),
        (lambda tmp: Index(tmp / "x.db", timeout=-1), "timeout=-1"),
        (lambda tmp: Index(tmp / "x.db", namespace="n"), "namespace is for Redis"),
    ],
)
def test_bad_arguments_raise_dedup_errors(tmp_path: Path, make: object, message: str) -> None:
    (tmp_path / "x.db").write_bytes(b"")
    with pytest.raises(DedupError, match=message):
        make(tmp_path)  # type: ignore[operator]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]  # nothing made beside it


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda ix: ix.add_many([("a",)]), r"item 0: expected an \(id, text\) pair"),
        (lambda ix: ix.add_many([("a", "b", "c")]), "item 0"),
        (lambda ix: ix.add_many(["ab"]), "item 0"),
        (lambda ix: ix.add_many("ab"), "takes \\(id, text\\) pairs"),
        (lambda ix: ix.add_many(None), "takes \\(id, text\\) pairs"),
        (lambda ix: ix.add_many([("a", words(1)), ("", words(2))]), "item 1"),
        (lambda ix: ix.add("b", b"text"), "bytes"),
        (lambda ix: ix.add("b", "text", now=float("nan")), "finite number.*nan"),
        (lambda ix: ix.add("b", "text", now=float("inf")), "finite number"),
        (lambda ix: ix.add("b", "text", now="today"), "finite number"),
        (lambda ix: ix.query(None), "None"),
        (lambda ix: ix.query("x", before=0), "before"),
        (lambda ix: ix.begin_run(""), "non-empty str"),
    ],
)
def test_bad_items_are_refused_before_anything_is_written(
    path: Path, call: object, message: str
) -> None:
    with Index(path) as index:
        with pytest.raises(DedupError, match=message):
            call(index)  # type: ignore[operator]
        assert len(index) == 0


def test_lone_surrogates_in_ids_and_texts(path: Path) -> None:
    text = "caf\udce9 " + words(1) + " \ud800"
    with Index(path) as index:
        assert index.add("bad\udcffid", text, now=5.0) == []
        assert index.query(text) == [Match("bad\udcffid", "exact", 1.0, 5.0)]
        assert "bad\udcffid" in index
        assert [m.id for m in index.add("x", "\ud800" + words(1))] == ["bad\udcffid"]
        assert index.check() == []


def test_an_index_in_memory_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with Index(":memory:") as index:
        index.add("a", words(1))
        assert [m.id for m in index.query(words(1))] == ["a"]
    assert os.listdir(tmp_path) == []


def test_one_index_shared_by_threads(path: Path) -> None:
    errors: list[BaseException] = []
    with Index(path) as index:

        def work(n: int) -> None:
            try:
                for k in range(5):
                    index.add(f"t{n}-{k}", words(100 * n + k))
                    index.query(words(k))
                    assert f"t{n}-{k}" in index
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(index) == 20
        assert index.check() == []


def test_a_closed_index_says_so(path: Path) -> None:
    index = Index(path)
    index.close()
    index.close()  # idempotent
    with pytest.raises(InputError, match="is closed"):
        index.add("a", "text")


def test_stats_entries_and_forget(path: Path) -> None:
    with Index(path) as index:
        assert index.stats().documents == 0
        assert index.stats().first_seen is None
        index.add_many([("a", words(1)), ("b", words(2))], now=100.0)
        index.add_many([("c", words(3)), ("d", "too short")], now=200.0)
        stats = index.stats()
        assert (stats.documents, stats.first_seen, stats.last_seen) == (4, 100.0, 200.0)
        assert (stats.bands, stats.rows) == index_banding(index.options)
        assert index.entry("a") == Entry("a", 100.0, 196)
        assert index.entry("d") == Entry("d", 200.0, 1)  # shorter than a shingle: one, whole
        assert index.entry("zz") is None
        assert [e.id for e in index.entries()] == ["a", "b", "c", "d"]
        assert [e.id for e in index.entries(since=150.0)] == ["c", "d"]
        assert index.query(words(3)) != []
        assert index.forget(e.id for e in index.entries(since=150.0)) == 2
        assert index.forget(["c", "nope"]) == 0
        assert len(index) == 2
        assert index.query(words(3)) == []  # forgotten: no longer matched, exact or near
        assert index.query("Menu " + words(3)) == []
        assert [m.id for m in index.query(words(1))] == ["a"]
        assert index.check() == []
        assert index.add("c", words(3)) == []  # and can be added again


def test_no_lock_file_is_left_beside_the_index(path: Path) -> None:
    with Index(path) as index:
        index.add("a", words(1))
        assert Path(f"{path}.lock").exists()
    assert not Path(f"{path}.lock").exists()
    with Index(path, readonly=True) as reader:
        assert len(reader) == 1
    assert not Path(f"{path}.lock").exists()


def test_forgotten_postings_go_at_the_next_merge(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_sqlite, "fresh_limit", lambda blocked: 50)
    with Index(path) as index:
        index.add_many([(f"d{i}", words(i)) for i in range(8)])
        assert index.forget(["d3", "d5"]) == 2
        assert [m.id for m in index.query(words(4))] == ["d4"]
        assert index.query(words(3)) == []
        index.add_many([(f"e{i}", words(100 + i)) for i in range(8)])  # merges
        db = index.store.conn  # type: ignore[attr-defined]
        assert db.execute("SELECT count(*) FROM forgotten").fetchone()[0] == 0
        posted = {d for _, docs in index.store.all_postings() for d in docs.tolist()}  # type: ignore[attr-defined]
        assert posted.isdisjoint({4, 6})  # d3 and d5 were documents 4 and 6
        assert index.check() == []
        assert index.query(words(3)) == []
        assert len(index) == 14


def test_the_writer_finds_what_a_reader_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The writer keeps the recent postings in memory; a reader reads them from the file.
    monkeypatch.setattr(index_sqlite, "fresh_limit", lambda blocked: 400)
    rng = random.Random(9)
    base = [words(seed, rng.randint(5, 200)) for seed in range(90)]
    texts = base + [f"Menu {rng.choice(base)} footer {k}" for k in range(40)]
    probes = [t.upper() for t in texts[::3]] + [f"Home {t}" for t in texts[::5]]
    path = tmp_path / "seen.db"
    both = 0  # comparisons made with postings both merged and fresh
    with Index(path) as writer:
        for start in range(0, len(texts), 13):
            items = [(f"d{i}", texts[i]) for i in range(start, min(start + 13, len(texts)))]
            writer.add_many(items)
            with Index(path, readonly=True) as reader:
                assert writer.query_many(probes) == reader.query_many(probes)
                layout = dict(reader.store.conn.execute("SELECT key, value FROM meta"))  # type: ignore[attr-defined]
            both += int(layout["blocked"]) > 0 and int(layout["fresh"]) > 0
    assert both > 0, "no merge happened"
