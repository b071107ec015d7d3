"""The index on a real Redis server (dedup.corpus.index_redis): the same answers as the SQLite
index, many writers at once without a document lost or admitted twice, and clear errors."""

from __future__ import annotations

import multiprocessing
import random
import socket
import time
import uuid
from pathlib import Path

import pytest

from dedup.corpus.index import Index, IndexUnavailableError, Match
from dedup.model import ConfigError, InputError


def words(seed: int, n: int = 200) -> str:
    rng = random.Random(seed)
    return " ".join(f"w{rng.randrange(5000)}" for _ in range(n))


@pytest.fixture
def namespace() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def test_add_and_query(redis_url: str, namespace: str) -> None:
    with Index(redis_url, namespace=namespace) as index:
        assert index.add("a", words(1), now=100.0) == []
        assert index.add("b", words(2), now=101.0) == []
        found = index.add("c", "Menu Home Sport " + words(1) + " Footer", now=102.0)
        assert [m.id for m in found] == ["a"]
        assert found[0].kind == "near"
        assert index.query(words(2).upper()) == [Match("b", "exact", 1.0, 101.0)]
        assert index.query(words(3)) == []
        assert len(index) == 3
        assert "a" in index
        assert index.check() == []
    with Index(redis_url, namespace=namespace, readonly=True) as index:
        assert [m.id for m in index.query(words(1))] == ["a", "c"]
        with pytest.raises(InputError, match="read-only"):
            index.add("d", words(4))


def test_the_same_answers_as_sqlite(redis_url: str, namespace: str, tmp_path: Path) -> None:
    rng = random.Random(3)
    base = [words(seed, rng.randint(3, 250)) for seed in range(60)]
    texts = [*base, *(f"Menu {rng.choice(base)} footer" for _ in range(30)), *base[:5]]
    items = [(f"id{i % 70}", text) for i, text in enumerate(texts)]  # ids repeat
    answers = []
    for where, extra in ((str(tmp_path / "seen.db"), {}), (redis_url, {"namespace": namespace})):
        with Index(where, **extra) as index:  # type: ignore[arg-type]
            found = index.add_many(items[:40], now=1.0) + index.add_many(items[40:], now=2.0)
            found += index.query_many([t.upper() for t in texts[::5]])
            start = index.begin_run("again")
            found += index.query_many(texts[:10], before=start)
            answers.append((found, len(index), index.check()))
    assert answers[0] == answers[1]


def test_namespaces_are_separate_indexes(redis_url: str, namespace: str) -> None:
    with (
        Index(redis_url, namespace=namespace + "-a") as a,
        Index(redis_url, namespace=namespace + "-b") as b,
    ):
        a.add("x", words(1))
        assert b.query(words(1)) == []
        assert len(b) == 0


def test_lone_surrogates_and_runs(redis_url: str, namespace: str) -> None:
    with Index(redis_url, namespace=namespace) as index:
        start = index.begin_run("run\udcff")
        index.add("id\udcff", "caf\udce9 " + words(1), now=3.0)
        assert index.query("caf\udce9 " + words(1)) == [Match("id\udcff", "exact", 1.0, 3.0)]
        assert index.query(words(1), before=start) == []
        assert index.begin_run("run\udcff") == start


def test_another_scheme_is_refused(redis_url: str, namespace: str) -> None:
    Index(redis_url, namespace=namespace).close()
    with pytest.raises(ConfigError, match="num_perm"):
        Index(redis_url, namespace=namespace, num_perm=64)


def test_an_unreachable_server_is_said_within_seconds() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(IndexUnavailableError, match=r"cannot be reached.*start the server") as err:
        Index(f"redis://127.0.0.1:{port}/0")
    assert time.monotonic() - started < 10
    assert err.value.path == f"redis://127.0.0.1:{port}/0"
    assert err.value.reason == "unreachable"


def test_a_password_is_not_shown(redis_url: str) -> None:
    url = redis_url.replace("redis://", "redis://user:secret@")
    with pytest.raises((IndexUnavailableError, ConfigError)) as err:
        Index(url)
    assert "secret" not in str(err.value)


def test_bad_namespaces_are_refused(redis_url: str) -> None:
    with pytest.raises(ConfigError, match="namespace"):
        Index(redis_url, namespace="a{b}")


def _writer(url: str, namespace: str, me: int, rounds: int) -> list[str]:
    """Adds overlapping batches: each document id ``d{k}`` comes from every writer."""
    admitted = []
    with Index(url, namespace=namespace, timeout=10) as index:
        for r in range(rounds):
            items = [(f"d{k}", words(k)) for k in range(r * 10, r * 10 + 10)]
            if me % 2:
                items.reverse()
            for (doc_id, _), found in zip(items, index.add_many(items), strict=True):
                if not found:
                    admitted.append(doc_id)
    return admitted


@pytest.mark.parametrize("writers", [2, 4])
def test_concurrent_writers_lose_nothing_and_admit_each_document_once(
    redis_url: str, namespace: str, writers: int
) -> None:
    rounds = 6
    with multiprocessing.get_context("spawn").Pool(writers) as pool:
        results = pool.starmap(
            _writer, [(redis_url, namespace, me, rounds) for me in range(writers)]
        )
    admitted = [doc_id for result in results for doc_id in result]
    assert sorted(admitted) == sorted(f"d{k}" for k in range(rounds * 10))  # once each
    with Index(redis_url, namespace=namespace, readonly=True) as index:
        assert len(index) == rounds * 10  # the same id and text is stored once
        assert index.check() == []
        assert all(f"d{k}" in index for k in range(rounds * 10))


def test_stats_entries_and_forget(redis_url: str, namespace: str) -> None:
    with Index(redis_url, namespace=namespace) as index:
        index.add_many([("a", words(1)), ("b", words(2))], now=100.0)
        index.add_many([("c", words(3)), ("c", words(4))], now=200.0)
        stats = index.stats()
        assert (stats.documents, stats.first_seen, stats.last_seen) == (4, 100.0, 200.0)
        assert [e.id for e in index.entries(since=150.0)] == ["c", "c"]
        assert index.forget(["c"]) == 2  # every document the id names
        assert len(index) == 2
        assert index.query(words(3)) == []
        assert index.add("c", words(3)) == []
        assert index.ids() == ["a", "b", "c"]
        assert index.check() == []
