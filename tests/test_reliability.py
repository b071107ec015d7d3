"""Hostile and careless input, one case each: a traceback or a hang where one line and exit
status 2 are promised, or a resource without bound. Each test names the case it keeps fixed
(see docs/reliability.md)."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

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


def _kill_and_check_orphans(process: subprocess.Popen[bytes], workers: list[int], who: str) -> None:
    """SIGKILL ``process``, then check that its ``workers`` exit within five seconds."""
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 5
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in workers if _alive(p)], f"workers outlived their {who}"


def _kill_all(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


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
        _kill_and_check_orphans(process, workers, "parent")
    finally:
        _kill_all([*workers, process.pid])


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
        _kill_and_check_orphans(process, workers, "caller")
    finally:
        _kill_all([*workers, process.pid])


def _direct_children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


# --- what reaches a terminal -----------------------------------------------------------------

DOUBLED = (
    "A first paragraph of the article, long enough to count as a paragraph of its own.\n\n"
    "A second paragraph that follows it, long enough to count as a paragraph as well.\n\n"
    "A first paragraph of the article, long enough to count as a paragraph of its own."
    "A second paragraph that follows it, long enough to count as a paragraph as well."
)
HOSTILE_ID = "evil\x1b]0;TITLE\x07\x1b[2J[bold]id[/bold]\ud800"


def _cli(*args: str) -> Any:
    from click.testing import CliRunner

    from dedup import cli

    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def _hostile(tmp_path: Path) -> Path:
    text = "\x1b]0;TITLE\x07" + DOUBLED.replace("article", "art\x1b[31micle\ud800")
    path = tmp_path / "hostile.jsonl"
    path.write_text(json.dumps({"id": HOSTILE_ID, "text": text}) + "\n", encoding="utf-8")
    return path


_OWN_STYLES = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize(
    "args",
    [["diff", "--no-color"], ["diff", "--color"], ["find"], ["find", "--json"]],
    ids=["diff --no-color", "diff --color", "find", "find --json"],
)
def test_control_characters_never_reach_the_terminal(tmp_path: Path, args: list[str]) -> None:
    """ESC and OSC sequences (``\\x1b]0;TITLE\\x07`` retitles the window), rich markup and
    lone surrogates in ids and text are shown escaped; only dedup's own colours are codes."""
    result = _cli(*args, str(_hostile(tmp_path)), "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    shown = _OWN_STYLES.sub("", result.stdout)
    assert "\x1b" not in shown
    assert "\x07" not in shown
    assert "\ud800" not in shown
    if args[-1] != "--json":
        assert "\\x1b]0;TITLE\\x07" in shown
        assert "[bold]id[/bold]" in shown  # shown as it is, not taken as markup
        assert "\\ud800" in shown
    else:
        assert json.loads(shown.splitlines()[0])["id"] == HOSTILE_ID


# --- one line and exit status 2 ---------------------------------------------------------------


@pytest.mark.parametrize("glob", ["/etc/passwd", "../*.jsonl", "sub/../../x"])
def test_a_glob_that_is_a_path_is_refused(tmp_path: Path, glob: str) -> None:
    (tmp_path / "crawl").mkdir()
    (tmp_path / "crawl" / "a.txt").write_text("text")
    result = _cli("clean", str(tmp_path / "crawl"), "--glob", glob, "-o", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1
    assert f"glob {glob!r} is not a pattern of file names under a directory" in result.stderr
    assert "--glob" in result.stderr


def _closed(fd: int, *args: str) -> subprocess.CompletedProcess[str]:
    """``dedup ARGS`` started with file descriptor ``fd`` closed (``<&-``, ``>&-``)."""
    return subprocess.run(
        [sys.executable, "-m", "dedup", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.close(fd),
        check=False,
    )


@pytest.mark.parametrize(
    ("fd", "args", "message"),
    [
        (0, ["clean", "-"], "stdin is closed: give the input as a file"),
        (1, ["clean", "SEED"], "stdout is closed: give the output a file with -o"),
        (1, ["find", "SEED"], "stdout is closed: redirect it to a file"),
    ],
)
def test_a_closed_stdin_or_stdout_is_one_line(fd: int, args: list[str], message: str) -> None:
    seed = Path(__file__).resolve().parent.parent / "seeds" / "000_4f0cfa5be7925e77.txt"
    done = _closed(fd, *[str(seed) if a == "SEED" else a for a in args])
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"Error: {message}\n"


# --- resource bounds ----------------------------------------------------------------------------


def _limited(code: str, *, cpu: int = 0) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (under a CPU-time limit of ``cpu`` seconds, a guard
    against a blow-up, not a timing); its stdout is the last thing it prints."""

    def limit() -> None:
        import resource

        if cpu:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))

    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        check=False,
        timeout=600,
    )


def test_zstd_is_read_in_linear_time(tmp_path: Path) -> None:
    """60 MB of text in a few kilobytes of zstd (under the default cap on a record): read as
    fast as gzip, a second or two of CPU (each read copied what was left of the frame's
    output: 80 MB took 218 s)."""
    import zstandard

    line = b"the same line of a page, over and over again, in a file of one document\n"
    data = line * (60_000_000 // len(line))
    path = tmp_path / "page.txt.zst"
    path.write_bytes(zstandard.ZstdCompressor(level=19).compress(data))
    assert path.stat().st_size < 64_000
    code = (
        "from pathlib import Path, PurePath\n"
        "from dedup.io import Reader, Source\n"
        f"path = Path({str(path)!r})\n"
        "source = Source(path, 'text', 'zstd', PurePath(path.name))\n"
        "(record,) = Reader(source)\n"
        "print(len(record.text))\n"
    )
    done = _limited(code, cpu=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) == len(data)


def _one_huge_line(path: Path, megabytes: int) -> Path:
    """A ``.jsonl.gz`` of three records, the second a line of ``megabytes`` MB."""
    with gzip.open(path, "wb", compresslevel=1) as fh:
        fh.write(json.dumps({"id": "a", "text": "first record"}).encode() + b"\n")
        fh.write(b'{"id": "b", "text": "')
        block = b"x" * (1 << 20)
        for _ in range(megabytes):
            fh.write(block)
        fh.write(b'"}\n')
        fh.write(json.dumps({"id": "c", "text": "last record"}).encode() + b"\n")
    return path


@pytest.mark.parametrize("command", ["clean", "corpus"])
def test_a_record_over_the_cap_is_set_aside_before_it_is_read_whole(
    tmp_path: Path, command: str
) -> None:
    """A line of 200 MB in a small ``.jsonl.gz`` with ``--max-record-bytes 1M``: set aside and
    counted, the other records written, and the process never holds the line (it peaked at
    four times the line's size)."""
    src = _one_huge_line(tmp_path / "in.jsonl.gz", 200)
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    args = [command, str(src), "-o", str(out), "--max-record-bytes", "1M"]
    code = (
        "import sys\n"
        "from dedup.cli import main\n"
        f"sys.argv = ['dedup', *{args!r}, *sys.argv[1:]]\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    status = open('/proc/self/status').read()\n"  # VmHWM: this program's own peak
        "    peak = int(status.split('VmHWM:')[1].split()[0])\n"
        "    print(f'PEAK {peak}', file=sys.stderr)\n"
    )
    stopped = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert stopped.returncode == 2, stopped.stderr
    first = stopped.stderr.splitlines()[0]
    assert first == (
        f"Error: {src}:2: the line is 209,715,224 bytes, more than the 1,048,576 a record may "
        "take: raise --max-record-bytes to read it, or pass --skip-invalid to set such records "
        "aside"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "--skip-invalid", "--rejects", str(rejects)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["a", "c"]
    (reject,) = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert (reject["line"], reject["raw"]) == (2, "")
    assert "1 skipped" in done.stderr
    peak_kb = int(done.stderr.split("PEAK ")[-1].split()[0])
    assert peak_kb < 200 * 1024, f"peak {peak_kb:,} KB: the line was held"


# --- lone surrogates, on every path -------------------------------------------------------------


def test_find_near_duplicates_takes_lone_surrogates() -> None:
    from dedup.corpus import find_near_duplicates

    page = " ".join(f"word{i}" for i in range(60))
    clusters = find_near_duplicates([f"{page} \ud800", f"{page} \udfff", "other \ud800 text"])
    assert clusters.kept == (0, 2)


@pytest.mark.parametrize("extra", [[], ["--boilerplate"], ["--mark"]])
def test_corpus_takes_lone_surrogates(tmp_path: Path, extra: list[str]) -> None:
    page = " ".join(f"word{i}" for i in range(60))
    rows = [
        {"id": "a\ud800", "url": "https://x.example/1", "text": f"{page} \ud800"},
        {"id": "b", "url": "https://x.example/2", "text": f"{page} \udfff"},
        {"id": "c", "url": "https://x.example/3", "text": "another \udbff page entirely"},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = _cli("corpus", str(src), "-o", str(out), "-q", *extra)
    assert result.exit_code == 0, result.output
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    ids = [r["id"] for r in written]
    assert ids == (["a\ud800", "b", "c"] if extra == ["--mark"] else ["a\ud800", "c"])
