"""Concurrency on one index: writers exclude each other, readers see whole batches.

What :class:`dedup.corpus.Index` documents: one writer at a time holds ``PATH.lock``; a second
writer waits up to ``timeout`` seconds and then gets :class:`IndexLockedError`; any number of
readers (``readonly=True``) read while the writer writes, and each ``add_many`` batch is one
transaction. These tests run the writers in other processes.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dedup.corpus import Index
from dedup.corpus.index import IndexLockedError

TIMEOUT = 120  # a helper process that takes longer has hung: fail loudly
BATCH = 50
BATCHES = 12

_WRITER = textwrap.dedent(
    """
    import sys, time
    from dedup.corpus import Index

    path, prefix, batches, size = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:5])
    hold = sys.argv[5] == "hold"
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()
    print("opening", flush=True)
    with Index(path, timeout=float(sys.argv[6])) as index:
        print("open", flush=True)
        for b in range(int(batches)):
            items = []
            for i in range(int(size)):
                n = b * int(size) + i
                text = " ".join(words[(n * 7 + k * k) % len(words)] + str(n % 97 + k)
                                for k in range(60))
                items.append((f"{prefix}-{b}-{i}", text))
            index.add_many(items)
            print("batch", b, flush=True)
        if hold:  # keep the index open until told to close it
            print("holding", flush=True)
            sys.stdin.readline()
    print("closed", flush=True)
    """
)


def _writer(
    path: Path, prefix: str, *, batches: int, hold: bool = False, timeout: float = 0.0
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), prefix, str(batches), str(BATCH),
         "hold" if hold else "go", str(timeout)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _wait_for(process: subprocess.Popen[str], line: str) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        got = process.stdout.readline()
        if got.strip() == line:
            return
        if not got and process.poll() is not None:
            assert process.stderr is not None
            pytest.fail(f"the writer ended before {line!r}: {process.stderr.read()}")
    process.kill()
    pytest.fail(f"the writer did not say {line!r} in {TIMEOUT} s")


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    """Tell a holding writer to close, and wait for it."""
    try:
        _, err = process.communicate("close\n", timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"a writer did not finish in {TIMEOUT} s")
    return process.returncode, err


def _ids(path: Path) -> list[str]:
    with Index(path, readonly=True) as index:
        assert index.check() == []
        return index.ids()


def _integrity(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return [r[0] for r in db.execute("PRAGMA integrity_check")]
    finally:
        db.close()


def test_a_second_writer_gets_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "seen.db"
    first = _writer(path, "a", batches=2, hold=True)
    _wait_for(first, "holding")
    with pytest.raises(IndexLockedError, match="open for writing elsewhere"):
        Index(path)
    second = _writer(path, "b", batches=1)
    code, err = _finish(second)
    assert code != 0
    assert "IndexLockedError" in err
    assert "open for writing elsewhere" in err
    assert _finish(first)[0] == 0
    assert _integrity(path) == ["ok"]
    assert _ids(path) == [f"a-{b}-{i}" for b in range(2) for i in range(BATCH)]


def test_a_second_writer_with_a_timeout_waits(tmp_path: Path) -> None:
    path = tmp_path / "seen.db"
    first = _writer(path, "a", batches=2, hold=True)
    _wait_for(first, "holding")
    second = _writer(path, "b", batches=2, timeout=TIMEOUT)
    _wait_for(second, "opening")
    time.sleep(0.5)
    assert second.poll() is None, "the second writer did not wait"
    assert _finish(first)[0] == 0
    code, err = _finish(second)
    assert code == 0, err
    ids = _ids(path)
    assert ids == [f"{p}-{b}-{i}" for p in "ab" for b in range(2) for i in range(BATCH)]
    assert _integrity(path) == ["ok"]


def test_readers_during_a_write_see_whole_batches(tmp_path: Path) -> None:
    """Readers open, count and query while a writer adds batches: they always see a whole
    number of batches, each complete with its band keys, and never an error."""
    path = tmp_path / "seen.db"
    with Index(path) as index:  # the file exists before the readers start
        index.add("seed", "the first document of the index, written before the others")
    writer = _writer(path, "w", batches=BATCHES, timeout=TIMEOUT)
    seen_counts = set()
    probe = " ".join(f"alpha{k}" for k in range(80))
    while writer.poll() is None:
        with Index(path, readonly=True) as index:
            ids = index.ids()
            count = len(ids) - 1
            assert count % BATCH == 0, f"a reader saw {count} documents: part of a batch"
            expected = [f"w-{b}-{i}" for b in range(count // BATCH) for i in range(BATCH)]
            assert ids == ["seed", *expected]
            # (check() counts the documents without their postings, among other faults)
            assert index.check() == [], "a reader saw documents without their postings"
            index.query(probe)
            seen_counts.add(count)
        time.sleep(0.005)
    code, err = _finish(writer)
    assert code == 0, err
    assert _ids(path)[-1] == f"w-{BATCHES - 1}-{BATCH - 1}"
    assert _integrity(path) == ["ok"]
    assert seen_counts, "no reader ran while the writer wrote"


def test_a_killed_writer_releases_the_lock(tmp_path: Path) -> None:
    """A writer killed in the middle of its batches leaves a sound index with its committed
    batches, and the next writer opens it at once."""
    path = tmp_path / "seen.db"
    writer = _writer(path, "k", batches=BATCHES)
    _wait_for(writer, "batch 2")
    writer.send_signal(signal.SIGKILL)
    writer.communicate(timeout=TIMEOUT)
    with Index(path) as index:  # no IndexLockedError: the lock died with the process
        assert index.check() == []
        count = len(index)
        assert count % BATCH == 0
        assert count >= 3 * BATCH
        index.add("after", "a document added after the kill")
    ids = _ids(path)
    assert ids[:count] == [f"k-{b}-{i}" for b in range(count // BATCH) for i in range(BATCH)]
    assert ids[-1] == "after"


def _corpus_input(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(count):
            text = " ".join(f"word{(i * 31 + k) % 500}" for k in range(40))
            fh.write(json.dumps({"id": f"r{i}", "text": text}) + "\n")


def _corpus(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dedup", "corpus", "in.jsonl", "-o", "out.jsonl",
         "--index", "seen.db", "-q"],
        cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip


def test_cli_second_writer_fails_and_leaves_the_index_alone(tmp_path: Path) -> None:
    _corpus_input(tmp_path / "in.jsonl", 100)
    path = tmp_path / "seen.db"
    with Index(path) as index:
        index.add("held", "a document of the writer that holds the index")
        done = _corpus(tmp_path)
    assert done.returncode != 0
    assert "open for writing elsewhere" in done.stderr
    assert not (tmp_path / "out.jsonl").exists()
    assert _ids(path) == ["held"]
    assert _integrity(path) == ["ok"]


def test_cli_second_writer_error_is_one_line(tmp_path: Path) -> None:
    _corpus_input(tmp_path / "in.jsonl", 10)
    with Index(tmp_path / "seen.db") as index:
        index.add("held", "a document of the writer that holds the index")
        done = _corpus(tmp_path)
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("Error: ")
