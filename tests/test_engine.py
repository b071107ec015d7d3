"""The engine: order kept, memory bounded, failures returned in place, pools only when needed."""

from __future__ import annotations

import functools
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dedup.engine import Engine, Failed, default_jobs
from dedup.model import ConfigError


def test_in_process_keeps_order_and_keys() -> None:
    items = [(i, f"w{i}") for i in range(200)]
    with Engine(jobs=1, chunk_items=7) as engine:
        out = list(engine.map(str.upper, items))
    assert out == [(i, f"W{i}") for i in range(200)]


def test_pool_keeps_order() -> None:
    items = [(i, "x" * (i % 13)) for i in range(300)]
    with Engine(jobs=2, chunk_items=5) as engine:
        out = list(engine.map(len, items))
        assert engine.pooled  # several chunks: the pool ran them
    assert out == [(i, i % 13) for i in range(300)]


def test_one_chunk_runs_in_process() -> None:
    with Engine(jobs=2, chunk_items=10) as engine:
        assert list(engine.map(str.upper, [("k", "a")])) == [("k", "A")]
        assert not engine.pooled


def test_empty_input() -> None:
    with Engine(jobs=2) as engine:
        assert list(engine.map(str.upper, [])) == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_memory_is_bounded_by_the_window(jobs: int) -> None:
    drawn = 0

    def items() -> Iterator[tuple[int, str]]:
        nonlocal drawn
        for i in range(10_000):
            drawn += 1
            yield i, "abc"

    engine = Engine(jobs=jobs, chunk_items=4, window=2)
    with engine:
        results = engine.map(str.upper, items())
        first = next(results)
        assert first == (0, "ABC")
        # at most the window of chunks, plus the one being formed, has been read
        assert drawn <= (engine.window + 2) * engine.chunk_items
        results.close()


def test_chunks_close_at_size() -> None:
    engine = Engine(jobs=1, chunk_items=100, chunk_size=10)
    chunks = list(engine.chunks(((i, "x" * 4) for i in range(6)), len))
    assert [len(c) for c in chunks] == [3, 3]


@pytest.mark.parametrize("jobs", [1, 2])
def test_failures_come_back_in_place(jobs: int) -> None:
    items = [(i, "7" if i % 3 else "seven") for i in range(40)]
    with Engine(jobs=jobs, chunk_items=3) as engine:
        out = list(engine.map(int, items, catch=True))
    assert [k for k, _ in out] == list(range(40))
    failed = [r for _, r in out if isinstance(r, Failed)]
    assert len(failed) == 14
    assert failed[0].error == "ValueError"
    assert "seven" in str(failed[0])
    assert all(r == 7 for _, r in out if not isinstance(r, Failed))


def test_failures_propagate_without_catch() -> None:
    with Engine(jobs=1) as engine, pytest.raises(ValueError, match="invalid literal"):
        list(engine.map(int, [(0, "x")]))


@pytest.mark.parametrize(
    "kwargs", [{"jobs": 0}, {"jobs": True}, {"chunk_items": 0}, {"chunk_size": -1}, {"window": 0}]
)
def test_bad_settings_are_refused(kwargs: dict[str, int]) -> None:
    with pytest.raises(ConfigError, match="out of range"):
        Engine(**kwargs)


def test_default_jobs_is_positive() -> None:
    assert default_jobs() >= 1


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_every_start_method_keeps_order(method: str) -> None:
    items = [(i, str(i)) for i in range(100)]
    with Engine(jobs=2, chunk_items=6, start_method=method) as engine:
        assert list(engine.map(int, items)) == [(i, i) for i in range(100)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is the Linux default")
def test_fork_only_without_other_threads() -> None:
    engine = Engine(jobs=2)
    assert engine.pool_start_method() == ("fork" if threading.active_count() == 1 else "forkserver")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert engine.pool_start_method() == "forkserver"
    finally:
        stop.set()
        thread.join()


def _mark_prepared(folder: str) -> None:
    Path(folder, str(os.getpid())).touch()


def _prepared_in(folder: str, _: str) -> bool:
    return Path(folder, str(os.getpid())).exists()


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_warm_up_runs_once_in_the_parent_with_fork_else_in_each_worker(
    method: str, tmp_path: Path
) -> None:
    folder = str(tmp_path)
    items = [(i, str(i)) for i in range(60)]
    prepare = functools.partial(_mark_prepared, folder)
    check = functools.partial(_prepared_in, folder)
    with Engine(jobs=2, chunk_items=6, start_method=method, warm_up=prepare) as engine:
        results = [ok for _, ok in engine.map(check, items)]
    marks = {p.name for p in tmp_path.iterdir()}
    if method == "fork":
        # built here; the workers inherit it (they see no mark of their own)
        assert marks == {str(os.getpid())}
        assert not any(results)
    else:
        assert str(os.getpid()) not in marks
        assert 1 <= len(marks) <= 2
        assert all(results)


def _slow(seconds: str) -> int:
    time.sleep(float(seconds))
    return os.getpid()


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"  # a zombie has ended


def _stopped_mid_way(engine: Engine, items: list[tuple[int, str]], workers: set[int]) -> None:
    for i, pid in engine.map(_slow, items):
        workers.add(pid)
        if i == 2:
            raise KeyboardInterrupt


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_a_cancelled_run_stops_its_workers_at_once(method: str) -> None:
    items = [(i, "0.01" if i < 4 else "30") for i in range(40)]
    started = time.monotonic()
    workers: set[int] = set()
    with (
        pytest.raises(KeyboardInterrupt),
        Engine(jobs=2, chunk_items=1, start_method=method) as engine,
    ):
        _stopped_mid_way(engine, items, workers)
    assert time.monotonic() - started < 20  # not the 30 s of the chunks in flight
    assert workers
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


def test_unknown_start_method_is_refused() -> None:
    with pytest.raises(ConfigError, match="is not available here"):
        Engine(jobs=2, start_method="teleport")


_STOPPED_WHILE_SENDING = """
import sys
from dedup.engine import Engine

if __name__ == "__main__":
    try:
        with Engine(jobs=2, chunk_items=1, start_method=sys.argv[1]) as engine:
            for i, _ in engine.map(bytes, ((i, 16 << 20) for i in range(50))):
                if i == 1:
                    raise ValueError("stop")
    except ValueError:
        print("stopped", flush=True)
"""


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_a_run_stopped_while_a_worker_sends_a_result_exits(tmp_path: Path, method: str) -> None:
    """A run stopped (a bad record, Ctrl-C) while a worker is sending a result: the worker is
    stopped in the middle of the message, and the process must still exit. (The pool's thread
    waited for the rest of the message for ever, and the exit for that thread: every time with
    results of 16 MB.)"""
    import subprocess

    script = tmp_path / "stopped.py"
    script.write_text(_STOPPED_WHILE_SENDING, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), method], capture_output=True, text=True, timeout=300
    )
    assert (done.returncode, done.stdout) == (0, "stopped\n"), done.stderr[-2000:]
