"""Throughput and peak memory of ``dedup clean`` on a JSONL file, with ``-j 1`` and ``-j 2``,
against ``ftfy.fix_text`` over the same records; with ``--folder``, on the same records as a
folder of text files, a document a file (``dedup clean pages/ -o clean/``).

Every run is a fresh subprocess (``python -m dedup clean IN -o OUT -q -j N``), so start-up, JSON
reading and writing are all counted, as a user would see them. Measured per run:

- wall-clock time, documents/s and MB/s (input bytes / wall time);
- CPU time (user + system) of the whole process tree: ``os.wait4``'s figure, or the sum of what
  ``/proc`` showed for every process of the tree (sampled every 20 ms) when that is larger —
  worker processes started by a fork server are not waited for by the command itself;
- peak RSS of the largest single process (``ru_maxrss`` from ``os.wait4``, or sampled) and the
  peak of the summed RSS of the whole process tree (sampled), which counts the workers together.

The load average is printed too, and "cores used" (CPU time / wall time): on a shared machine
the ``-j 2`` speed-up is only meaningful when the run got two cores. Outputs of every ``-j``
are compared: they must be identical.

    python benchmarks/cli_bench.py                       # ../shared/eval/repair-dev.jsonl
    python benchmarks/cli_bench.py --data crawl.jsonl --jobs 1 2 4 --repeat 3
    python benchmarks/cli_bench.py --jobs 2 --no-ftfy --scale 4   # memory stays flat
    python benchmarks/cli_bench.py --folder --repeat 3   # a folder of text files
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "repair-dev.jsonl"
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

FTFY_SCRIPT = """
import json, sys, ftfy
with open(sys.argv[1], encoding="utf-8") as src, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in src:
        record = json.loads(line)
        record["text"] = ftfy.fix_text(record["text"])
        out.write(json.dumps(record, ensure_ascii=False) + "\\n")
"""

FTFY_FOLDER_SCRIPT = """
import pathlib, sys, ftfy
out = pathlib.Path(sys.argv[2])
out.mkdir()
for path in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    (out / path.name).write_text(ftfy.fix_text(path.read_text(encoding="utf-8")), encoding="utf-8")
"""


@dataclass(frozen=True)
class Measure:
    """One run: what it was, and what it cost."""

    method: str
    jobs: int
    wall: float
    cpu: float
    max_rss_mb: float
    tree_rss_mb: float
    digest: str
    per_process: tuple[float, ...] = ()
    """CPU seconds of each process of the tree seen by the sampler, largest first."""


def _children(pid: int) -> list[int]:
    """``pid`` and all its descendants, from ``/proc``."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def _tree_sample(pid: int, cpu: dict[int, float]) -> tuple[int, int]:
    """The summed and the largest RSS of ``pid``'s process tree, in bytes; records each
    process's CPU seconds so far in ``cpu``."""
    total = largest = 0
    for child in _children(pid):
        try:
            with open(f"/proc/{child}/statm", encoding="ascii") as fh:
                rss = int(fh.read().split()[1]) * PAGE
            with open(f"/proc/{child}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError, ValueError):
            continue
        total += rss
        largest = max(largest, rss)
        cpu[child] = (int(fields[11]) + int(fields[12])) / TICKS
    return total, largest


def _digest(output: Path) -> str:
    """A hash of the output file, or of a folder's files by name."""
    if not output.is_dir():
        return hashlib.sha256(output.read_bytes()).hexdigest()[:12]
    digest = hashlib.sha256()
    for path in sorted(output.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def measure(method: str, jobs: int, command: list[str], output: Path) -> Measure:
    """Run ``command`` once and measure it."""
    if output.is_dir():
        shutil.rmtree(output)
    elif output.exists():
        output.unlink()
    peak = largest = 0
    cpu: dict[int, float] = {}
    start = time.perf_counter()
    process = subprocess.Popen(command)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, largest
        while not done.is_set():
            if os.path.isdir("/proc"):
                total, one = _tree_sample(process.pid, cpu)
                peak, largest = max(peak, total), max(largest, one)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed with exit status {process.returncode}")
    digest = _digest(output)
    return Measure(
        method,
        jobs,
        wall,
        max(usage.ru_utime + usage.ru_stime, sum(cpu.values())),
        max(usage.ru_maxrss * 1024, largest) / 2**20,
        peak / 2**20,
        digest,
        tuple(sorted((round(v, 2) for v in cpu.values() if v >= 0.05), reverse=True)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="a JSONL file")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="-j values to run")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds of runs, each run once a round; the best is kept",
    )
    parser.add_argument("--no-ftfy", action="store_true", help="skip the ftfy baseline")
    parser.add_argument(
        "--folder",
        action="store_true",
        help="the records' texts as a folder of text files, a document a file",
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=1,
        help="repeat the input this many times (peak memory must not grow with it)",
    )
    args = parser.parse_args()
    data: Path = args.data
    if not data.exists():
        raise SystemExit(f"{data} is absent: pass --data PATH")

    results: list[Measure] = []
    with tempfile.TemporaryDirectory(prefix="dedup-bench-") as tmp:
        if args.scale > 1:
            scaled = Path(tmp) / f"scaled-{args.scale}x.jsonl"
            with scaled.open("wb") as fh:
                for _ in range(args.scale):
                    fh.write(data.read_bytes())
            data = scaled
        size = data.stat().st_size
        with data.open("rb") as fh:
            docs = sum(1 for line in fh if line.strip())
        out = Path(tmp) / "out.jsonl"
        baseline = FTFY_SCRIPT
        if args.folder:
            folder = Path(tmp) / "pages"
            folder.mkdir()
            with data.open(encoding="utf-8") as fh:
                texts = [json.loads(line)["text"] for line in fh if line.strip()]
            for i, text in enumerate(texts):
                (folder / f"{i:06d}.txt").write_text(text, encoding="utf-8")
            data, out, baseline = folder, Path(tmp) / "out", FTFY_FOLDER_SCRIPT
            size = sum(p.stat().st_size for p in folder.iterdir())
        print(f"input: {data} ({docs:,} documents, {size / 1e6:.1f} MB)")
        print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}")
        runs: list[tuple[str, int, list[str]]] = []
        if not args.no_ftfy:
            script = Path(tmp) / "ftfy_baseline.py"
            script.write_text(baseline, encoding="utf-8")
            runs.append(("ftfy.fix_text", 1, [sys.executable, str(script), str(data), str(out)]))
        for jobs in args.jobs:
            command = [sys.executable, "-m", "dedup", "clean", str(data), "-o", str(out)]
            runs.append(("dedup clean", jobs, [*command, "-q", "-j", str(jobs)]))
        # rounds of every run in turn, so that a slow spell of a shared machine falls on all
        # of them alike rather than on the runs of one setting; the best of each is kept
        measured: list[list[Measure]] = [[] for _ in runs]
        for _ in range(args.repeat):
            for kept, (method, jobs, command) in zip(measured, runs, strict=True):
                kept.append(measure(method, jobs, command, out))
        results.extend(min(kept, key=lambda m: m.wall) for kept in measured)

    base = next((m for m in results if m.method == "dedup clean" and m.jobs == 1), None)
    header = (
        f"| {'method':<14} | {'-j':>2} | {'wall s':>7} | {'docs/s':>7} | {'MB/s':>6} | "
        f"{'CPU s':>6} | {'cores used':>10} | {'max RSS MB':>10} | {'tree RSS MB':>11} | "
        f"{'speed-up':>8} | {'output':<12} |"
    )
    print()
    print(header)
    print("|" + "|".join("-" * len(c) for c in header.split("|")[1:-1]) + "|")
    for m in results:
        same = base is not None and m.method == base.method
        speedup = f"{base.wall / m.wall:.2f}x" if base is not None and same else ""
        print(
            f"| {m.method:<14} | {m.jobs:>2} | {m.wall:>7.2f} | {docs / m.wall:>7.1f} | "
            f"{size / 1e6 / m.wall:>6.2f} | {m.cpu:>6.2f} | {m.cpu / m.wall:>10.2f} | "
            f"{m.max_rss_mb:>10.0f} | "
            f"{m.tree_rss_mb:>11.0f} | {speedup:>8} | {m.digest:<12} |"
        )
    print("\nCPU seconds per process (sampled; the main process and its workers):")
    for m in results:
        print(f"  {m.method} -j {m.jobs}: {', '.join(f'{v:.2f}' for v in m.per_process)}")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    digests = {m.digest for m in results if m.method == "dedup clean"}
    print("dedup outputs identical across -j:", "yes" if len(digests) == 1 else "NO")


if __name__ == "__main__":
    main()
