"""Evaluate repair on ``repair-dev.jsonl``: quality per damage family, dedup beside baselines.

Prints one table: for each method and family, the exact-match rate and mean similarity against
the gold text (compared as the evaluation README prescribes), and for ``clean`` the share of
pages left unchanged. Methods: doing nothing, keep-first exact line dedup, keep-first exact
sentence dedup, ``dedup.repair`` and ``dedup.clean``. Throughput is printed beside it, and how
many removals of ``dedup.repair`` lost text (``lost_twins``: must be 0). The Chinese pages of
``cjk-dev.jsonl`` have the same fields and families:

    python benchmarks/repair_eval.py [--data ../shared/eval/repair-dev.jsonl] [--family F]
    python benchmarks/repair_eval.py --data ../shared/eval/cjk-dev.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import regex

import dedup
from dedup.evaluation import exact, lost_twins, score_families, similarity

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "repair-dev.jsonl"
_SENTENCE = regex.compile(r"(?<=[.!?\u2026])\s+|\n+")


def nothing(text: str) -> str:
    return text


def line_dedup(text: str) -> str:
    """Keep the first occurrence of every exact line (blank lines kept)."""
    seen: set[str] = set()
    out = []
    for line in text.split("\n"):
        key = line.strip()
        if key and key in seen:
            continue
        seen.add(key)
        out.append(line)
    return "\n".join(out)


def sentence_dedup(text: str) -> str:
    """Keep the first occurrence of every exact sentence, paragraph by paragraph."""
    seen: set[str] = set()
    paragraphs = []
    for para in text.split("\n"):
        kept = []
        for sentence in _SENTENCE.split(para):
            key = sentence.strip()
            if not key:
                continue
            if key in seen:
                continue
            seen.add(key)
            kept.append(key)
        if kept:
            paragraphs.append(" ".join(kept))
    return "\n\n".join(paragraphs)


METHODS: dict[str, Callable[[str], str]] = {
    "nothing": nothing,
    "line-dedup": line_dedup,
    "sentence-dedup": sentence_dedup,
    "dedup.repair": lambda t: dedup.repair(t).text,
    "dedup.clean": dedup.clean,
}


def evaluate(records: list[dict[str, str]], methods: dict[str, Callable[[str], str]]) -> None:
    chars = sum(len(r["text"]) for r in records)
    rows = []
    speeds = {}
    for name, fn in methods.items():
        start = time.perf_counter()
        outputs = [fn(r["text"]) for r in records]
        speeds[name] = chars / (time.perf_counter() - start) / 1e6
        rows.append((name, score_families(records, outputs)))
    families = sorted(rows[0][1])
    print(f"{'family':22} {'n':>4} " + " ".join(f"{name:>22}" for name, _ in rows))
    print(f"{'':22} {'':>4} " + " ".join(f"{'exact   sim  unchgd':>22}" for _ in rows))
    for family in families:
        n = rows[0][1][family].records
        cells = []
        for _, scores in rows:
            sc = scores[family]
            cells.append(f"{sc.exact:6.3f} {sc.similarity:6.4f} {sc.unchanged:6.3f}  ")
        print(f"{family:22} {n:>4} " + " ".join(f"{c:>22}" for c in cells))
    print()
    print(f"{'throughput (M chars/s)':27} " + " ".join(f"{speeds[n]:>22.2f}" for n, _ in rows))
    if "dedup.repair" in methods:
        lost = sum(len(lost_twins(r["text"], dedup.repair(r["text"]).edits)) for r in records)
        print(f"removals of dedup.repair that lost text (its twin or its own): {lost}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--family", action="append", help="only these families")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated methods")
    parser.add_argument("--failures", action="store_true", help="list dedup.clean's misses")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"{args.data} not found: pass --data PATH to repair-dev.jsonl", file=sys.stderr)
        return 2
    with args.data.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    if args.family:
        records = [r for r in records if r["family"] in args.family]
    methods = {k: METHODS[k] for k in args.methods.split(",")}
    evaluate(records, methods)
    if args.failures:
        print_failures(records)
    return 0


def print_failures(records: list[dict[str, str]]) -> None:
    """The records ``dedup.clean`` does not repair exactly, with its similarity to the gold."""
    for record in records:
        out = dedup.clean(record["text"])
        if not exact(out, record["gold"]):
            print(record["id"], round(similarity(out, record["gold"]), 4))


if __name__ == "__main__":
    sys.exit(main())
