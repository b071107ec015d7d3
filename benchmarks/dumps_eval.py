"""Evaluate repair on what real extractors hand over: ``dumps-dev.jsonl``.

Each record is a real extractor's output for a real page whose article body appears two or more
times in it (page text, script data, markup inside strings, the page twice), beside the page's
reference main content. There is no exact gold, so the scores are those of the evaluation
README, over word 8-grams (lower-cased ``\\w+`` words):

- *residue*: of the reference's 8-grams that occur once in it, the share that occur twice or
  more in the output (0 is perfect: no doubled article left);
- *kept*: of those 8-grams present in the input, the share still present in the output (1 is
  perfect: nothing of the article lost).

Prints, per extractor and over all records, the mean and worst of each for doing nothing,
keep-first exact line dedup, keep-first exact sentence dedup, ``dedup.repair`` and
``dedup.clean`` (one run), then the records ``dedup.clean`` leaves above a residue of 0.02 with
the kind of the pair that holds their doubled 8-grams (what ``find_duplicates`` says of the
output), the records it keeps less than 0.98 of, and how many removals of ``dedup.repair``
lost text, their twin or their own (``lost_twins``: must be 0). With ``--quotes``, a column
more, ``dedup.clean`` with ``quotes="remove"`` (a reply's quotes of posts go), whose records
are listed and whose removals are checked the same way.

    python benchmarks/dumps_eval.py [--data ../shared/eval/dumps-dev.jsonl] [--methods M,...]
        [--quotes]
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import re
import statistics
import sys
import time
from pathlib import Path

import dedup
from dedup.evaluation import dump_score, lost_twins, word_grams

sys.path.insert(0, str(Path(__file__).resolve().parent))
from repair_eval import METHODS

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dumps-dev.jsonl"
_WORD = re.compile(r"\w+")
_GRAM = 8  # (as dedup.evaluation.word_grams)
_LEFT = 0.02  # residue above this is listed with its cause
_KEPT = 0.98  # kept below this is listed
# The column of ``dedup.clean`` with ``quotes="remove"`` (``--quotes``).
QUOTES = "clean quotes=remove"


def reference_grams(record: dict[str, str]) -> set[str]:
    return {g for g, n in word_grams(record["reference"]).items() if n == 1}


def why(record: dict[str, str], out: str, **options: str) -> str:
    """The pairs ``find_duplicates`` reports in ``out`` (with repair ``options``) that hold its
    doubled reference 8-grams: kind, score and size of each, the largest first; ``no pair``
    when none holds them."""
    once = reference_grams(record)
    after = word_grams(out)
    doubled = {g for g in once if after[g] >= 2}
    words = list(_WORD.finditer(out.lower()))
    at = [
        words[i].start()
        for i in range(len(words) - 7)
        if " ".join(w.group() for w in words[i : i + _GRAM]) in doubled
    ]
    pairs = dedup.find_duplicates(out, **options)
    found: collections.Counter[str] = collections.Counter()
    for pair in pairs:
        hits = sum(
            1
            for a in at
            if pair.first.start <= a < pair.first.end or pair.second.start <= a < pair.second.end
        )
        if hits:
            label = f"{pair.kind} {pair.score:.2f} {len(pair.first)}/{len(pair.second)}ch"
            found[label] += hits
    if not found:
        return "no pair"
    return "; ".join(label for label, _ in found.most_common(3))


def print_scores(
    column: tuple[str, int, int],
    rows: list[tuple[str, list[int]]],
    scores: dict[str, list[tuple[float, float]]],
) -> None:
    """Print residue and kept (mean/worst) of every method in ``scores`` (per record: residue,
    kept) for each row (a label and its records' indices; a rule above the row ``all``).
    ``column`` is the label column's title and the widths of it and of the count."""
    title, width, count = column
    head = f"{title:{width}} {'n':>{count}} " + " ".join(f"{n:>23}" for n in scores)
    print(head)
    print(f"{'':{width}} {'':>{count}} " + " ".join(f"{'residue      kept':>23}" for _ in scores))
    for label, idx in rows:
        if label == "all":
            print("-" * len(head))
        cells = []
        for name in scores:
            res = [scores[name][i][0] for i in idx]
            kept = [scores[name][i][1] for i in idx]
            cells.append(
                f"{statistics.fmean(res):.3f}/{max(res):.2f} {statistics.fmean(kept):.3f}/"
                f"{min(kept):.2f}"
            )
        print(f"{label:{width}} {len(idx):>{count}} " + " ".join(f"{c:>23}" for c in cells))


def listing(
    name: str,
    records: list[dict[str, str]],
    scores: list[tuple[float, float]],
    outputs: list[str],
    options: dict[str, str],
) -> None:
    """Print the records method ``name`` keeps less than ``_KEPT`` of, and those it leaves
    residue above ``_LEFT`` in, with the pairs that hold it (seen with repair ``options``)."""
    lost = [(kept, i) for i, (_, kept) in enumerate(scores) if kept < _KEPT]
    print()
    print(f"{name} keeps less than {_KEPT} of the article in {len(lost)} records:")
    for kept, i in sorted(lost):
        print(f"  {records[i]['id']:44} kept {kept:.3f} {len(records[i]['text']):>7}ch")
    left = [(scores[i], i) for i in range(len(records)) if scores[i][0] > _LEFT]
    print()
    print(f"{name} leaves residue above {_LEFT} in {len(left)} records:")
    for (res, kept), i in sorted(left, reverse=True):
        record = records[i]
        print(
            f"  {record['id']:44} {res:.3f} kept {kept:.3f} {len(record['text']):>7}ch "
            f"-> {why(record, outputs[i], **options)}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated methods")
    parser.add_argument("--extractor", action="append", help="only these extractors")
    parser.add_argument("--quiet", action="store_true", help="no list of the records left")
    parser.add_argument(
        "--quotes", action="store_true", help='also dedup.clean with quotes="remove", a column'
    )
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"{args.data} not found: pass --data PATH to dumps-dev.jsonl", file=sys.stderr)
        return 2
    with args.data.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    if args.extractor:
        records = [r for r in records if r["extractor"] in args.extractor]
    methods = {k: METHODS[k] for k in args.methods.split(",")}
    if args.quotes:
        methods[QUOTES] = functools.partial(dedup.clean, quotes="remove")
    scores: dict[str, list[tuple[float, float]]] = {}
    outputs: dict[str, list[str]] = {}
    seconds: dict[str, float] = {}
    for name, fn in methods.items():
        start = time.process_time()
        outs = [fn(r["text"]) for r in records]
        seconds[name] = time.process_time() - start
        outputs[name] = outs
        for record, out in zip(records, outs, strict=True):
            got = dump_score(record["text"], record["reference"], out)
            scores.setdefault(name, []).append((got.residue, got.kept))
    groups: dict[str, list[int]] = collections.defaultdict(list)
    for i, record in enumerate(records):
        groups[record["extractor"]].append(i)
    names = list(methods)
    chars = sum(len(r["text"]) for r in records)
    print(f"{len(records)} records, {chars / 1e6:.1f} M characters; residue: mean/worst (lower")
    print("is better), kept: mean/worst (higher is better)")
    print()
    rows = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    print_scores(("extractor", 22, 3), [*rows, ("all", list(range(len(records))))], scores)
    print()
    # the means to five places: the table's three round a mean just over a bound down to it
    print(
        f"{'mean residue, 5 places':26} "
        + " ".join(f"{statistics.fmean(r for r, _ in scores[n]):>23.5f}" for n in names)
    )
    print(f"{'CPU seconds':26} " + " ".join(f"{seconds[n]:>23.1f}" for n in names))
    if "dedup.repair" in methods:
        for quotes in ("keep", "remove") if args.quotes else ("keep",):
            lost = 0
            for record in records:
                result = dedup.repair(record["text"], quotes=quotes)
                lost += len(lost_twins(record["text"], result.edits))
            said = "" if quotes == "keep" else ' with quotes="remove"'
            print(f"removals of dedup.repair{said} that lost text (its twin or its own): {lost}")
    for name, options in (("dedup.clean", {}), (QUOTES, {"quotes": "remove"})):
        if not args.quiet and name in methods:
            listing(name, records, scores[name], outputs[name], options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
