"""Whole processes, as a user runs them: ``dedup corpus --mark`` against a datasketch pipeline and
a rensa pipeline, on the same JSONL, in turns, with each one's quality beside its CPU time.

Each tool is a fresh process that starts, reads the JSONL, clusters, and writes every record
with its cluster: ``dedup corpus IN -o OUT --mark -q``, ``benchmarks/peers/datasketch_corpus.py``
(MinHashLSH at 0.5, 128 permutations, ``MinHash.bulk``, union-find; with datasketch's default
SHA-1 and with the faster hash its documentation suggests) and
``benchmarks/peers/rensa_corpus.py`` (RMinHashLSH at 0.5, 128 permutations, 16 bands). Every
tool runs once untimed first, with Python's bytecode written as an installed package has it
(the machine's ``PYTHONDONTWRITEBYTECODE`` would make every run compile dedup's modules
again). The runs go round-robin (dedup, datasketch, rensa, dedup, ...) so that a load on the
machine falls on all of them alike; the table gives the median and the range of each tool's
CPU seconds
(user + system of the process and its children, from ``getrusage``), the ratio of the medians
to dedup's, and the pairwise precision, recall and F1 of its clusters against the input's
``cluster`` field. Clustering alone, without start-up, reading and writing, is what
``benchmarks/neardup_eval.py`` times.

    python benchmarks/corpus_process.py [PATH] [--repeat 5]

PATH defaults to ``../shared/eval/neardup-dev.jsonl`` beside the checkout.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from neardup_eval import pairwise

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "eval" / "neardup-dev.jsonl"
PEERS = Path(__file__).resolve().parent / "peers"


#: The children's environment: bytecode written and read, as for an installed package.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def cpu_of(args: list[str]) -> float:
    """Run ``args`` to the end; the CPU seconds (user + system) it and its children used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=ENV)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--repeat", type=int, default=5, help="runs of each tool, in turns")
    args = parser.parse_args(argv)
    path = Path(args.path)
    if not path.exists():
        print(f"{path} is absent", file=sys.stderr)
        return 2
    with path.open(encoding="utf-8") as fh:
        truth = [json.loads(line)["cluster"] for line in fh if line.strip()]
    work = Path(tempfile.mkdtemp(prefix="dedup-process-bench-"))
    python = sys.executable
    tools = {
        "dedup corpus --mark": lambda out: [
            python, "-m", "dedup", "corpus", str(path), "-o", str(out), "--mark", "-q", "--force"
        ],
        "datasketch MinHashLSH 0.5": lambda out: [
            python, str(PEERS / "datasketch_corpus.py"), str(path), str(out), "--threshold", "0.5"
        ],
        "datasketch MinHashLSH 0.5, xxh32": lambda out: [
            python, str(PEERS / "datasketch_corpus.py"), str(path), str(out), "--threshold", "0.5",
            "--hashfunc", "xxh32",
        ],
        "rensa RMinHashLSH 0.5": lambda out: [
            python, str(PEERS / "rensa_corpus.py"), str(path), str(out), "--threshold", "0.5"
        ],
    }  # fmt: skip
    seconds: dict[str, list[float]] = {name: [] for name in tools}
    for command in tools.values():  # untimed: bytecode written, the input in the page cache
        cpu_of(command(work / "out.jsonl"))
    for _ in range(args.repeat):
        for name, command in tools.items():
            seconds[name].append(cpu_of(command(work / "out.jsonl")))
    quality: dict[str, tuple[float, float, float]] = {}
    for name, command in tools.items():
        out = work / "out.jsonl"
        subprocess.run(command(out), check=True, stdout=subprocess.DEVNULL, env=ENV)
        with out.open(encoding="utf-8") as fh:
            labels = [json.loads(line)["cluster"] for line in fh if line.strip()]
        quality[name] = pairwise(labels, truth)
    ours = statistics.median(seconds["dedup corpus --mark"])
    print(f"{len(truth):,} records of {path.name}; {args.repeat} runs of each tool, in turns\n")
    print(
        "| process (start-up, read, cluster, write) | CPU s, median | range | "
        "x dedup's | precision | recall | F1 |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, values in seconds.items():
        median = statistics.median(values)
        p, r, f = quality[name]
        print(
            f"| {name} | {median:.2f} | {min(values):.2f}-{max(values):.2f} | "
            f"{median / ours:.1f} | {p:.4f} | {r:.4f} | {f:.4f} |"
        )
    for leftover in work.iterdir():
        leftover.unlink()
    work.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
