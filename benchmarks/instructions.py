"""Instructions, not seconds: ``dedup.repair`` and ``dedup.clean`` beside ``ftfy.fix_text``.

CPU time on a shared virtual machine moves by half from one round to the next, so a change of a
few per cent cannot be told from the load by timing (``repair_scale.py`` gives the timed
figures, with their spread). Valgrind's callgrind counts the instructions a method executes,
which do not move with the load: each method runs in a process of its own under callgrind over
every ``--every``-th repair-dev text (after one warm-up call), counted only inside the
``functools.reduce`` that makes the calls (start-up, imports and reading are left out), and the
table gives each method's instructions, per input character, and ftfy's count over the
method's: the speed-up the method would have at equal instructions per cycle. Time is not
instructions: a method whose instructions wait more on memory runs fewer of them a cycle, so
the timed ratio is the figure a user sees; this one says how much work each does.

    python benchmarks/instructions.py [--data ../shared/eval/repair-dev.jsonl] [--every 7]
        [--methods ftfy.fix_text dedup.repair dedup.clean]

Needs ``valgrind`` on the PATH (Debian: ``apt-get install valgrind``); a run of the three
methods over every 7th text takes about three minutes.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "repair-dev.jsonl"
METHODS = ("ftfy.fix_text", "dedup.repair", "dedup.clean")
_COLLECTED = re.compile(r"Collected : (\d+)")


def _method(name: str) -> Callable[[str], object]:
    if name == "ftfy.fix_text":
        import ftfy

        return ftfy.fix_text
    import dedup

    return {"dedup.repair": dedup.repair, "dedup.clean": dedup.clean}[name]


def texts_of(data: Path, every: int) -> list[str]:
    """Every ``every``-th text of the JSON Lines file ``data``, from the first."""
    with data.open(encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh][::every]


def child(name: str, data: Path, every: int) -> None:
    """Run ``name`` over the texts inside one ``functools.reduce`` (what callgrind counts)."""
    fn = _method(name)
    texts = texts_of(data, every)
    fn(texts[0])  # warm up: tables built on first use are start-up, not work
    functools.reduce(lambda count, text: (fn(text), count + 1)[1], texts, 0)


def count(name: str, data: Path, every: int) -> int:
    """The instructions ``name`` executed over the texts, from a callgrind run of ``child``."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            "valgrind",
            "--tool=callgrind",
            "--collect-atstart=no",
            "--toggle-collect=functools_reduce",
            f"--callgrind-out-file={os.path.join(tmp, 'out')}",
            sys.executable,
            __file__,
            "--child",
            name,
            "--data",
            str(data),
            "--every",
            str(every),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"callgrind run of {name} failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--every", type=int, default=7, help="count every Nth text (default 7)")
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--child", choices=METHODS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"{args.data} not found: pass --data PATH to repair-dev.jsonl", file=sys.stderr)
        return 2
    if args.child:
        child(args.child, args.data, args.every)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: apt-get install valgrind", file=sys.stderr)
        return 2
    texts = texts_of(args.data, args.every)
    chars = sum(map(len, texts))
    counts = {name: count(name, args.data, args.every) for name in args.methods}
    base = counts.get("ftfy.fix_text")
    print(f"{len(texts)} texts (every {args.every}th), {chars:,} characters; callgrind")
    print(f"{'method':16} {'M instructions':>15} {'per char':>9} {'x ftfy':>7}")
    for name, n in counts.items():
        ratio = f"{base / n:7.2f}" if base else f"{'':>7}"
        print(f"{name:16} {n / 1e6:15,.0f} {n / chars:9.0f} {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
