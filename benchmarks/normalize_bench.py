"""Benchmark the normalisation stage against ``ftfy.fix_text`` on the repair-dev texts.

Prints two tables. Speed: characters per second of ``ftfy.fix_text``, ``dedup.normalize`` (with
and without its gate) and ``dedup.split_glued`` on the same texts in the same run, and each one's
ratio to ftfy (best of ``--repeat`` rounds, interleaved). Quality: the share of ftfy's own test
cases that come out as ftfy fixes them (quotes, ligatures and widths aside, which normalize keeps
on purpose), the share of negative cases left untouched, ``mojibake_only`` exact matches with
normalize alone, and how many ``clean`` pages normalize and split_glued change.

    python benchmarks/normalize_bench.py [--data ../shared/eval] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ftfy
import ftfy.fixes

from dedup.evaluation import canonical
from dedup.glued import split_glued
from dedup.normalize import normalize

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval"


def _ftfy_style(text: str) -> str:
    return ftfy.fixes.uncurl_quotes(
        ftfy.fixes.fix_latin_ligatures(ftfy.fixes.fix_character_width(text))
    )


def _time(function: Callable[[str], object], texts: list[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        function(text)
    return time.perf_counter() - start


def speed(texts: list[str], repeat: int) -> list[tuple[str, float]]:
    """Characters per second of each method, best of ``repeat`` interleaved rounds."""
    methods: dict[str, Callable[[str], object]] = {
        "ftfy.fix_text": ftfy.fix_text,
        "normalize": normalize,
        "normalize (gate=False)": lambda t: normalize(t, gate=False),
        "split_glued": split_glued,
    }
    best = dict.fromkeys(methods, float("inf"))
    for _ in range(repeat):
        for name, function in methods.items():
            best[name] = min(best[name], _time(function, texts))
    chars = sum(map(len, texts))
    return [(name, chars / seconds) for name, seconds in best.items()]


def ftfy_cases(folder: Path) -> list[tuple[str, int, int]]:
    """Per file of ftfy's cases: (name, cases passing, cases)."""
    rows = []
    for name in ("in-the-wild", "synthetic", "language-names", "negative", "known-failures"):
        cases: list[dict[str, Any]] = json.loads((folder / f"{name}.json").read_text("utf-8"))
        good = 0
        for case in cases:
            out = normalize(case["original"], collapse_spaces=False).text
            if name == "negative" and _ftfy_style(case["original"]) == case["fixed"]:
                good += out == case["original"]
            else:
                good += _ftfy_style(out) == case["fixed"]
        rows.append((name, good, len(cases)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT, help="the shared/eval folder")
    parser.add_argument("--repeat", type=int, default=3, help="timing rounds (best is kept)")
    args = parser.parse_args(argv)
    path = args.data / "repair-dev.jsonl"
    if not path.exists():
        print(f"{path} is absent: pass --data with the evaluation folder", file=sys.stderr)
        return 2
    with path.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    texts = [r["text"] for r in records]
    chars = sum(map(len, texts))

    print(f"Speed on {len(texts)} repair-dev texts, {chars:,} characters")
    print(f"{'method':<24} {'chars/s':>12} {'x ftfy':>8}")
    rows = speed(texts, args.repeat)
    base = rows[0][1]
    for name, rate in rows:
        print(f"{name:<24} {rate:>12,.0f} {rate / base:>8.2f}")

    print()
    print("ftfy's cases (mojibake/)")
    print(f"{'file':<24} {'as ftfy':>8} {'cases':>6} {'rate':>7}")
    for name, good, total in ftfy_cases(args.data / "mojibake"):
        label = {"negative": "untouched", "known-failures": "ftfy fails these too"}.get(
            name, "as ftfy"
        )
        print(f"{name:<24} {good:>8} {total:>6} {good / total:>7.1%}  ({label})")

    print()
    print("repair-dev with normalize alone")
    mojibake = [r for r in records if r["family"] == "mojibake_only"]
    exact = sum(canonical(normalize(r["text"]).text) == canonical(r["gold"]) for r in mojibake)
    print(f"mojibake_only exact: {exact}/{len(mojibake)} = {exact / len(mojibake):.3f}")
    clean = [r for r in records if r["family"] == "clean"]
    changed = [
        r["id"] for r in clean if canonical(normalize(r["text"]).text) != canonical(r["text"])
    ]
    print(f"clean pages normalize changes: {len(changed)}/{len(clean)} {changed}")
    split = [r["id"] for r in clean if split_glued(r["text"]).changed]
    print(f"clean pages split_glued changes: {len(split)}/{len(clean)} {split}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
