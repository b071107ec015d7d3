"""What the annotators' main contents keep of a text the page repeats under a label (``X said:``).

Repair leaves a forum reply's quote of a post as natural repetition, and removes a long text
copied letter for letter wherever it sits (``long``). Whether an annotator's main content keeps
a quote is the measure of that policy, so this counts, over the WCXB gold main contents we
have (``neardup-hard-dev.jsonl``'s ``gold`` texts, repair-dev's WCXB ``gold`` texts and
dumps-dev's references, one text a page), every stretch of 15 words or more that the text
holds twice, and classes those whose second copy follows a line ending in a colon (a quote
under its label) by size and by whether the first copy is a whole block (it starts right after
a short header line and ends right before one, or at the end: a whole post) or part of one.
Then, over dumps-dev's extractor outputs of forum pages, the same quotes by whether the page's
reference holds them twice (kept) or once (dropped)::

    python benchmarks/quote_repeats.py [--eval ../shared/eval] [--list]
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import regex

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
_WORD = regex.compile(r"\w+")
_GRAM = 8
_MIN_WORDS = 15
# a line that introduces what follows it (as ``dedup.measures.INTRODUCES``)
_INTRODUCES = regex.compile(r"[:\uff1a\ufe55]\s*$")
_SENTENCE_END = regex.compile(r"[.!?)\"\u201d]\s*$")
# a header line (a user's name, a date) is shorter than this and ends no sentence
_HEADER = 40
_SIZES = ((0, 300), (300, 500), (500, 1000), (1000, 10**9))


def gold_texts(eval_dir: Path) -> Iterator[tuple[str, str]]:
    """``(page id, main content)`` for every WCXB page we have, once each."""
    seen: set[str] = set()
    with (eval_dir / "neardup-hard-dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if record["kind"] == "gold" and record["cluster"] not in seen:
                seen.add(record["cluster"])
                yield record["cluster"], record["text"]
    with (eval_dir / "repair-dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            page = record["id"].split(":")[0]
            if record["source"] == "wcxb" and page not in seen:
                seen.add(page)
                yield page, record["gold"]
    with (eval_dir / "dumps-dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            page = "/".join(record["id"].split("/")[:3])
            if page not in seen:
                seen.add(page)
                yield page, record["reference"]


def repeats(text: str, min_words: int = _MIN_WORDS) -> list[tuple[int, int, int, int]]:
    """Stretches of ``min_words`` words or more that ``text`` holds twice, as character
    ranges ``(a0, a1, b0, b1)`` of the first and the second copy: runs of word 8-grams, each
    against the first place that has it."""
    words = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
    first: dict[tuple[str, ...], int] = {}
    open_runs: dict[int, int] = {}  # diagonal -> start of its run, for runs that go on
    runs = []
    for j in range(len(words) - _GRAM + 1):
        key = tuple(w[2] for w in words[j : j + _GRAM])
        i = first.setdefault(key, j)
        still = {}
        if i != j:
            still[j - i] = open_runs.get(j - i, j)
        for diagonal, start in open_runs.items():
            if diagonal not in still:
                runs.append((start - diagonal, start, j - 1 - start + _GRAM))
        open_runs = still
    end = len(words) - _GRAM
    runs.extend((start - d, start, end - start + _GRAM) for d, start in open_runs.items())
    return [
        (words[i][0], words[i + n - 1][1], words[j][0], words[j + n - 1][1])
        for i, j, n in runs
        if n >= min_words
    ]


def _line_before(text: str, at: int) -> str:
    """What stands before ``at`` on its line, or else the last line with text before it."""
    start = text.rfind("\n", 0, at) + 1
    if text[start:at].strip():
        return text[start:at].strip()
    before = [line.strip() for line in text[:start].split("\n") if line.strip()]
    return before[-1] if before else ""


def _header(line: str) -> bool:
    return len(line) < _HEADER and not _SENTENCE_END.search(line)


def whole_block(text: str, a0: int, a1: int) -> bool:
    """Whether ``text[a0:a1]`` is a whole block: it starts a line after a header line and
    ends a line before a header line, or at the end of the text."""
    start = text.rfind("\n", 0, a0) + 1
    end = text.find("\n", a1)
    end = len(text) if end < 0 else end
    if text[start:a0].strip() or text[a1:end].strip(" .!?\"')"):
        return False
    after = [line.strip() for line in text[end:].split("\n") if line.strip()]
    return _header(_line_before(text, start)) and (not after or _header(after[0]))


def size_of(letters: int) -> str:
    lo, hi = next((lo, hi) for lo, hi in _SIZES if lo <= letters < hi)
    return f"{lo}-{hi - 1}" if hi < 10**9 else f"{lo}+"


def letters(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


def grams(text: str) -> collections.Counter[tuple[str, ...]]:
    words = [w.lower() for w in _WORD.findall(text)]
    return collections.Counter(tuple(words[i : i + _GRAM]) for i in range(len(words) - _GRAM + 1))


def print_sizes(
    counts: collections.Counter[tuple[str, str]], columns: tuple[tuple[str, str, int], ...]
) -> None:
    """A table of ``counts`` by size, a line per size: a column per (key, heading, width)."""
    print(f"  {'letters':>10}" + "".join(f" {heading:>{width}}" for _, heading, width in columns))
    for lo, _hi in _SIZES:
        size = size_of(lo)
        cells = "".join(f" {counts[key, size]:>{width}}" for key, _, width in columns)
        print(f"  {size:>10}{cells}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=EVAL)
    parser.add_argument("--list", action="store_true", help="list every quote counted")
    args = parser.parse_args(argv)
    if not (args.eval / "dumps-dev.jsonl").exists():
        print(f"{args.eval} lacks the evaluation data: pass --eval DIR", file=sys.stderr)
        return 2
    pages = 0
    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    in_pages: dict[str, set[str]] = collections.defaultdict(set)
    repeated = 0
    for page, text in gold_texts(args.eval):
        pages += 1
        found = repeats(text)
        repeated += bool(found)
        for a0, a1, b0, _b1 in found:
            if not _INTRODUCES.search(_line_before(text, b0)):
                continue
            shape = "whole" if whole_block(text, a0, a1) else "part"
            counts[shape, size_of(letters(text[a0:a1]))] += 1
            in_pages[shape].add(page)
            if args.list:
                label = _line_before(text, b0)[-40:]
                print(f"  gold {page} {shape} {letters(text[a0:a1])} letters under {label!r}")
    print(f"WCXB main contents: {pages} pages, {repeated} holding a stretch of 15 words twice")
    print("quotes under a label in them (second copy after a line ending in a colon):")
    print_sizes(counts, (("whole", "whole block", 12), ("part", "part", 6)))
    for shape in ("whole", "part"):
        print(f"  pages with a {shape} quote: {len(in_pages[shape])}")
    print()
    kept: collections.Counter[tuple[str, str]] = collections.Counter()
    kept_pages: dict[str, set[str]] = collections.defaultdict(set)
    with (args.eval / "dumps-dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if record.get("page_type") != "forum":
                continue  # (elsewhere a line ending in a colon is mostly script data's key)
            text = record["text"]
            reference = grams(record["reference"])
            for _a0, _a1, b0, b1 in repeats(text):
                if not _INTRODUCES.search(_line_before(text, b0)):
                    continue
                quote = grams(text[b0:b1])
                held = collections.Counter(min(reference[g], 2) for g in quote)
                verdict = {2: "kept", 1: "dropped", 0: "absent"}[held.most_common(1)[0][0]]
                if verdict == "absent":
                    continue  # not the article's text (script data, a menu)
                kept[verdict, size_of(letters(text[b0:b1]))] += 1
                kept_pages[verdict].add(record["id"].rsplit("/", 1)[0])
                if args.list:
                    print(f"  dumps {record['id']} {verdict} {letters(text[b0:b1])} letters")
    print("dumps-dev forum pages: quotes under a label of the article's text (each extractor's")
    print("output counted), by whether the page's reference holds them twice or once")
    print_sizes(kept, (("kept", "twice (kept)", 13), ("dropped", "once (dropped)", 15)))
    for verdict in ("kept", "dropped"):
        names = " ".join(sorted(page.rsplit("/", 1)[1] for page in kept_pages[verdict]))
        print(f"  pages with a quote {verdict}: {len(kept_pages[verdict])} ({names})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
