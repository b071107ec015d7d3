"""Shared fixtures: where the evaluation data lives, and skipping when it is absent."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EVAL = ROOT.parent / "shared" / "eval"
SEED = ROOT / "seeds" / "000_4f0cfa5be7925e77.txt"

# Property tests check results, never timings: a first example that builds tables, or any
# example on a busy machine, may take longer than hypothesis' default 200 ms deadline.
settings.register_profile("dedup", deadline=None)
settings.load_profile("dedup")


def eval_path(name: str) -> Path:
    """A file of ``../shared/eval``; the test skips with the reason when it is absent."""
    path = EVAL / name
    if not path.exists():
        pytest.skip(
            f"evaluation data {path} is absent (it sits beside the checkout in CI); "
            "this test needs it"
        )
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def read_pinned(name: str, floors: dict[str, Any]) -> list[dict[str, Any]]:
    """The records of evaluation file ``name`` (skipped when absent), failing when it is not the
    data ``floors`` were measured on (their ``sha256``)."""
    path = eval_path(name)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != floors["sha256"]:
        how = floors.get("measured_with", "the benchmark that measured them")
        pytest.fail(
            f"{path} has sha256 {digest}, the floors were measured on {floors['sha256']}: "
            f"measure again ({how}) and update tests/data"
        )
    return read_jsonl(path)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``redis-server`` of this session on a free loopback port (skipped, saying why,
    when the binary is absent; ``.ci/run`` installs it)."""
    import shutil
    import socket
    import subprocess
    import time

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    pytest.importorskip("redis", reason="no redis client: pip install -e '.[redis]'")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    workdir = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)
