"""A held-out-like measure: repair-dev's damage families built from texts repair-dev lacks.

The gold texts are (1) the main contents (``gold`` kind) of ``neardup-hard-dev.jsonl``, WCXB
pages of other sites than repair-dev's (a page whose id or any long paragraph repair-dev also
has is skipped), and (2) the project's own articles, written for these tests: Japanese and
Chinese (``tests/data/cjk_articles.jsonl``), and two each in Thai, Korean, Vietnamese, Hindi,
Arabic, Hebrew, Russian and Greek (``tests/data/world_articles.jsonl``, the group ``world``).
Every page is damaged as the evaluation README describes each family
(:func:`dedup.evaluation.damaged`), seeded, so a run gives the same texts; WCXB pages take the
families in turn (one family a page), the project's own articles every family. One table per
group (wcxb, ja, zh, world), scored with
:func:`dedup.evaluation.score_families` beside doing nothing, line and sentence dedup::

    python benchmarks/heldout_synth.py [--seed 20] [--group ja] [--failures] [--quotes]
        [--every-family] [--family clean]

``--group wcxb --every-family --family clean --failures`` lists the WCXB gold texts that
``dedup.clean`` changes as they are: a page among them misses whatever family it is given.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import regex

import dedup
from dedup.evaluation import FAMILIES, damaged, lost_twins, score_families
from repair_eval import line_dedup, nothing, print_failures, sentence_dedup

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
ARTICLES = ROOT / "tests" / "data" / "cjk_articles.jsonl"
WORLD = ROOT / "tests" / "data" / "world_articles.jsonl"
# The groups of the project's own articles: Japanese, Chinese, and eight other languages as one
OWN_GROUPS = ("ja", "zh", "world")
_BREAKS = regex.compile(r"\n\s*\n|\n")
# a paragraph this long shared with repair-dev means the page is one of repair-dev's
_SHARED_PARAGRAPH = 80

METHODS: dict[str, Callable[[str], str]] = {
    "nothing": nothing,
    "line-dedup": line_dedup,
    "sentence-dedup": sentence_dedup,
    "dedup.clean": dedup.clean,
}


def paragraphs_of(text: str) -> list[str]:
    """The non-blank lines of ``text``, stripped: its paragraphs."""
    return [p.strip() for p in _BREAKS.split(text) if p.strip()]


def wcxb_pages(eval_dir: Path, *, min_paragraphs: int = 3, max_chars: int = 30000) -> list[Any]:
    """The gold main contents of neardup-hard-dev that repair-dev does not hold, as
    ``(id, paragraphs)``, in file order."""
    known_ids = set()
    known_paragraphs = set()
    with (eval_dir / "repair-dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            known_ids.add(record["id"].split(":")[0])
            known_paragraphs.update(
                p for p in paragraphs_of(record["gold"]) if len(p) >= _SHARED_PARAGRAPH
            )
    pages = []
    with (eval_dir / "neardup-hard-dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if record["kind"] != "gold" or record["cluster"] in known_ids:
                continue
            paras = paragraphs_of(record["text"])
            if len(paras) < min_paragraphs or len("".join(paras)) > max_chars:
                continue
            if any(p in known_paragraphs for p in paras):
                continue
            pages.append((record["cluster"], paras))
    return pages


def read_articles(path: Path = ARTICLES) -> list[dict[str, Any]]:
    """The project's own articles in ``path`` (the Japanese and Chinese ones by default): ``id``,
    ``lang``, ``register``, ``paragraphs``."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def own_articles(group: str) -> list[dict[str, Any]]:
    """The project's own articles of ``group`` (:data:`OWN_GROUPS`): the Japanese or Chinese
    ones of ``cjk_articles.jsonl``, or all of ``world_articles.jsonl`` (Thai, Korean,
    Vietnamese, Hindi, Arabic, Hebrew, Russian, Greek, and longer pages in Korean, Russian,
    German, French and Spanish)."""
    if group == "world":
        return read_articles(WORLD)
    return [a for a in read_articles() if a["lang"] == group]


def build(
    pages: list[tuple[str, list[str]]],
    group: str,
    seed: int,
    *,
    every_family: bool,
) -> list[dict[str, str]]:
    """Records (``id``, ``group``, ``family``, ``text``, ``gold``) of ``pages``: every family
    of each page, or the families in turn over the pages (in an order drawn from ``seed``)."""
    rng = random.Random(f"{seed}:{group}")
    order = list(pages)
    rng.shuffle(order)
    records = []
    for index, (page_id, paras) in enumerate(order):
        families = FAMILIES if every_family else (FAMILIES[index % len(FAMILIES)],)
        for family in families:
            text, gold = damaged(paras, family, random.Random(f"{seed}:{page_id}:{family}"))
            records.append(
                {"id": f"{page_id}:{family}", "group": group, "family": family,
                 "text": text, "gold": gold}
            )  # fmt: skip
    return records


def all_records(
    seed: int, eval_dir: Path = EVAL, *, every_family: bool = False
) -> list[dict[str, str]]:
    """Every group's records: wcxb (when the evaluation data is there), ja, zh, world. With
    ``every_family`` each WCXB page takes every family, as the project's own articles do."""
    records = []
    if (eval_dir / "neardup-hard-dev.jsonl").exists():
        records += build(wcxb_pages(eval_dir), "wcxb", seed, every_family=every_family)
    for group in OWN_GROUPS:
        pages = [(a["id"], paragraphs_of("\n".join(a["paragraphs"]))) for a in own_articles(group)]
        records += build(pages, group, seed, every_family=True)
    return records


def table(records: list[dict[str, str]], methods: dict[str, Callable[[str], str]]) -> None:
    """Print exact / similarity / unchanged per family for each method, and the mean exact
    rate over the damaged families (``clean`` aside)."""
    rows = [(name, score_families(records, [fn(r["text"]) for r in records]))
            for name, fn in methods.items()]  # fmt: skip
    print(f"{'family':22} {'n':>4} " + " ".join(f"{name:>22}" for name, _ in rows))
    print(f"{'':22} {'':>4} " + " ".join(f"{'exact   sim  unchgd':>22}" for _ in rows))
    for family in rows[0][1]:
        n = rows[0][1][family].records
        cells = [f"{s[family].exact:6.3f} {s[family].similarity:6.4f} {s[family].unchanged:6.3f}  "
                 for _, s in rows]  # fmt: skip
        print(f"{family:22} {n:>4} " + " ".join(f"{c:>22}" for c in cells))
    damaged_families = [f for f in rows[0][1] if f != "clean"]
    means = [
        sum(s[f].exact * s[f].records for f in damaged_families)
        / max(1, sum(s[f].records for f in damaged_families))
        for _, s in rows
    ]
    print(f"{'damaged (exact)':22} {'':>4} " + " ".join(f"{m:>20.3f}  " for m in means))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--eval", type=Path, default=EVAL, help="the evaluation data's folder")
    parser.add_argument("--group", action="append", help="only these groups (wcxb, ja, zh, world)")
    parser.add_argument("--family", action="append", help="only these families")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated methods")
    parser.add_argument("--failures", action="store_true", help="list dedup.clean's misses")
    parser.add_argument(
        "--every-family",
        action="store_true",
        help="every family of each WCXB page (with --family clean: every gold text as it is)",
    )
    parser.add_argument(
        "--quotes", action="store_true", help='also dedup.clean with quotes="remove", a column'
    )
    args = parser.parse_args(argv)
    records = all_records(args.seed, args.eval, every_family=args.every_family)
    if not (args.eval / "neardup-hard-dev.jsonl").exists():
        print(f"{args.eval}/neardup-hard-dev.jsonl not found: the wcxb group is left out")
    if args.group:
        records = [r for r in records if r["group"] in args.group]
    if args.family:
        records = [r for r in records if r["family"] in args.family]
    methods = {k: METHODS[k] for k in args.methods.split(",")}
    if args.quotes:
        methods["clean quotes=remove"] = functools.partial(dedup.clean, quotes="remove")
    for group in dict.fromkeys(r["group"] for r in records):
        mine = [r for r in records if r["group"] == group]
        pages = len({r["id"].rsplit(":", 1)[0] for r in mine})
        print(f"== {group}: {pages} pages, {len(mine)} records, seed {args.seed}")
        table(mine, methods)
        lost = sum(len(lost_twins(r["text"], dedup.repair(r["text"]).edits)) for r in mine)
        print(f"removals of dedup.repair that lost text (its twin or its own): {lost}")
        print()
    if args.failures:
        print_failures(records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
