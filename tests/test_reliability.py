"""Hostile and careless input, one case each: a traceback or a hang where one line and exit
status 2 are promised, or a resource without bound. Each test names the case it keeps fixed
(see docs/reliability.md)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads processes from /proc"
)


def _children(pid: int) -> list[int]:
    out: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            found = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        out.extend(int(c) for c in found)
        todo.extend(int(c) for c in found)
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def test_workers_exit_when_their_parent_is_killed(tmp_path: Path) -> None:
    """``-j 2`` workers notice a SIGKILLed parent and exit (they were re-parented and lived
    on)."""
    text = "A paragraph of an article, long enough to be repaired on its own. " * 400
    rows = (json.dumps({"id": i, "text": text}) for i in range(400))
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(rows) + "\n")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dedup",
            "clean",
            str(source),
            "-o",
            str(tmp_path / "out.jsonl"),
            "-j",
            "2",
            "-q",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            workers = [p for p in _children(process.pid) if _alive(p)]
            if len(workers) >= 2:
                break
            time.sleep(0.05)
        assert len(workers) >= 2, "the run did not start its workers"
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 5
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [p for p in workers if _alive(p)], "workers outlived their parent"
    finally:
        for pid in [*workers, process.pid]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


_ENGINE_SCRIPT = """
import os, sys, time
from dedup.engine import Engine

def work(seconds):
    time.sleep(float(seconds))
    return os.getpid()

if __name__ == "__main__":
    items = [(i, "30") for i in range(8)]
    with Engine(jobs=2, chunk_items=1, start_method=sys.argv[1]) as engine:
        for _ in engine.map(work, items):
            pass
"""


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_engine_workers_exit_when_the_caller_is_killed(tmp_path: Path, method: str) -> None:
    """The same for a library caller, whichever way its workers were started."""
    script = tmp_path / "caller.py"
    script.write_text(_ENGINE_SCRIPT)
    process = subprocess.Popen(
        [sys.executable, str(script), method], cwd=tmp_path, start_new_session=True
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.1)
            workers = [p for p in _children(process.pid) if _alive(p)]
            if method == "forkserver":  # the server's children
                workers = [p for p in workers if p not in _direct_children(process.pid)]
        assert len(workers) >= 2, "the workers did not start"
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 5
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [p for p in workers if _alive(p)], "workers outlived their caller"
    finally:
        for pid in [*workers, process.pid]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _direct_children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
