"""One very long line: what ``dedup clean`` (the command line, on a file) and ``dedup.clean()``
do with a single line of hundreds of megabytes.

Two lines are built, each written to a file without a newline:

- ``words``: random words (the vocabulary of ``seeds/``), one space between them;
- ``prose``: the seed page with its line breaks turned into spaces, repeated, every tenth copy
  as UTF-8 read as Windows-1252 (mojibake for ``normalize`` to fix).

Each line goes through ``dedup.clean(text, explain=True)`` in a fresh interpreter and through
``python -m dedup clean FILE -o OUT -j 1``. Every run has an address-space limit
(``--mem-gib``, default 8), so a blow-up ends in a ``MemoryError`` rather than in the machine's
swap. The table gives wall and CPU seconds, the peak resident memory of the process (from
``wait4``), and the outcome: the stages that made edits, whether the text came back
unchanged, the exit status and the command's summary.

    nice -n 19 python benchmarks/limits_bench.py                  # 200 MB, the default cap
    nice -n 19 python benchmarks/limits_bench.py --mb 20 --max-doc-chars 0
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import dedup

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

_API = textwrap.dedent(
    """
    import json, resource, sys, time
    import dedup

    path, cap = sys.argv[1], int(sys.argv[2])
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        result = dedup.clean(
            text, explain=True, repair_options=dedup.RepairOptions(max_doc_chars=cap)
        )
    except BaseException as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:300]}))
        raise SystemExit(3)
    edits = {}
    for stage in result.stages:
        edits[stage.name] = edits.get(stage.name, 0) + len(stage.edits)
    print(json.dumps({
        "chars": len(text),
        "out_chars": len(result.text),
        "unchanged": result.text == text,
        "edits": edits,
        "rounds": len(result.stages) // 3,
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "rss_after_read_mb": before / 1024,
    }))
    """
)


def _vocabulary() -> list[str]:
    words = set()
    for path in sorted(SEEDS.glob("*.txt")):
        words.update(re.findall(r"\w+", path.read_text(encoding="utf-8")))
    return sorted(words)


def _prose_unit() -> tuple[str, str]:
    page = " ".join(SEEDS.joinpath(sorted(p.name for p in SEEDS.glob("*.txt"))[0]).read_text(
        encoding="utf-8").split())  # fmt: skip
    return page + " ", (page + " ").encode("utf-8").decode("cp1252", "replace")


def build(kind: str, path: Path, size: int, seed: int = 0) -> int:
    """Write ``size`` bytes (about) of one line of ``kind`` to ``path``; return the bytes."""
    rng = random.Random(seed)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        if kind == "words":
            vocabulary = _vocabulary()
            while written < size:
                chunk = " ".join(rng.choices(vocabulary, k=100_000)) + " "
                chunk = chunk[: size - written] if written + len(chunk) >= size else chunk
                written += len(chunk.encode("utf-8"))
                fh.write(chunk)
        else:
            good, bad = _prose_unit()
            n = 0
            while written < size:
                piece = bad if n % 10 == 9 else good
                written += len(piece.encode("utf-8"))
                fh.write(piece)
                n += 1
    return path.stat().st_size


def _limit(mem_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))


def _run(argv: list[str], mem_bytes: int) -> dict[str, Any]:
    """Run ``argv``; its exit status, output, wall time and peak RSS (``wait4``)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, preexec_fn=lambda: _limit(mem_bytes))
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return {
            "code": proc.returncode,
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": err.read().decode("utf-8", "replace"),
            "wall_s": wall,
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": usage.ru_maxrss / 1024,
        }


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def run_api(path: Path, cap: int, mem_bytes: int) -> dict[str, Any]:
    done = _run([sys.executable, "-c", _API, str(path), str(cap)], mem_bytes)
    row: dict[str, Any] = {"how": "dedup.clean()", **done}
    try:
        report = json.loads(done["stdout"].strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        report = {}
    if "error" in report or done["code"] != 0:
        tail = done["stderr"].strip().splitlines()[-1:] or ["?"]
        row["outcome"] = report.get("error") or f"exit {done['code']}: {tail[0]}"
        return row
    edited = ", ".join(f"{k} {v:,}" for k, v in report["edits"].items() if v) or "no edits"
    row["outcome"] = (
        "unchanged" if report["unchanged"] else f"{report['out_chars']:,} chars out"
    ) + f" ({edited}; {report['rounds']} round)"
    row["chars"] = report["chars"]
    row["rss_after_read_mb"] = report["rss_after_read_mb"]
    return row


def run_cli(path: Path, cap: int, mem_bytes: int) -> dict[str, Any]:
    out = path.with_name(path.stem + ".out.txt")
    # the line is longer than the default cap on a record (64M): read it all the same
    argv = [sys.executable, "-m", "dedup", "clean", str(path), "-o", str(out), "-j", "1",
            "--force", "--max-doc-chars", str(cap), "--max-record-bytes", "0"]  # fmt: skip
    done = _run(argv, mem_bytes)
    row: dict[str, Any] = {"how": "dedup clean FILE", **done}
    lines = [line for line in done["stderr"].strip().splitlines() if line.strip()]
    if done["code"] != 0:
        row["outcome"] = f"exit {done['code']}: " + (lines[-1] if lines else "(no message)")
    elif not out.exists():
        row["outcome"] = "exit 0, no output file"
    else:
        same = out.stat().st_size == path.stat().st_size and _digest(out) == _digest(path)
        row["outcome"] = "exit 0, output " + (
            "byte-equal to the input" if same else f"{out.stat().st_size:,} B"
        )
    row["summary"] = " / ".join(lines[:3])
    if out.exists():
        out.unlink()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=200, help="size of the line (MB of UTF-8)")
    parser.add_argument("--kinds", default="words,prose", help="which lines: words,prose")
    parser.add_argument("--how", default="api,cli", help="api (dedup.clean), cli, or both")
    parser.add_argument(
        "--max-doc-chars",
        type=int,
        default=dedup.RepairOptions().max_doc_chars,
        help="the repair cap (default: the library's; 0: none)",
    )
    parser.add_argument("--mem-gib", type=float, default=8, help="address-space limit per run")
    parser.add_argument("--dir", type=Path, default=None, help="where to write the lines")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    args = parser.parse_args()
    mem = int(args.mem_gib * 2**30)
    size = int(args.mb * 1_000_000)
    rows = []
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for kind in args.kinds.split(","):
            path = Path(tmp) / f"{kind}.txt"
            nbytes = build(kind, path, size)
            print(f"# {kind}: {nbytes:,} bytes in one line", file=sys.stderr, flush=True)
            for how in args.how.split(","):
                row = (run_api if how == "api" else run_cli)(path, args.max_doc_chars, mem)
                row.update(kind=kind, bytes=nbytes)
                rows.append(row)
                print(f"# {how}: {row['outcome']} in {row['wall_s']:.0f} s", file=sys.stderr,
                      flush=True)  # fmt: skip
            path.unlink()
    print(f"max_doc_chars={args.max_doc_chars:,}, address-space limit {args.mem_gib:g} GiB\n")
    print("| line | bytes | run | wall s | CPU s | peak RSS MB | outcome |")
    print("| --- | ---: | --- | ---: | ---: | ---: | --- |")
    for r in rows:
        print(f"| {r['kind']} | {r['bytes']:,} | `{r['how']}` | {r['wall_s']:.0f} | "
              f"{r['cpu_s']:.0f} | {r['peak_rss_mb']:,.0f} | {r['outcome']} |")  # fmt: skip
    for r in rows:
        if r.get("summary"):
            print(f"\n{r['kind']}, `{r['how']}` said: {r['summary']}")
    if args.json:
        for r in rows:
            r.pop("stdout", None)
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
