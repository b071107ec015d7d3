"""The CPU time of ``dedup.repair`` over every text of a JSONL file, round after round.

The paired measure of a change: run it in one tree and in the other, in turn, a few times, and
compare the fastest rounds (the machine's speed moves between runs; two runs made at different
times do not compare)::

    for i in 1 2 3; do
        (cd base && PYTHONPATH=src python benchmarks/repair_time.py)
        (cd branch && PYTHONPATH=src python benchmarks/repair_time.py)
    done

It prints each round's CPU seconds (the calls only: no start-up, no reading; the first 100
texts are repaired once before, to build the tables) and the fastest::

    python benchmarks/repair_time.py [--data ../shared/eval/repair-dev.jsonl] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import dedup

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "repair-dev.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"{args.data} not found: pass --data PATH to a JSONL file", file=sys.stderr)
        return 2
    with args.data.open(encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    for text in texts[:100]:
        dedup.repair(text)
    seconds = []
    for _ in range(args.rounds):
        start = time.process_time()
        for text in texts:
            dedup.repair(text)
        seconds.append(time.process_time() - start)
    print(" ".join(f"{s:.3f}" for s in seconds), f"min {min(seconds):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
