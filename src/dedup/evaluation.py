"""Scoring repairs against gold texts, as the evaluation data's README prescribes.

Before comparing: Unicode NFC, no-break spaces as spaces, white space inside a line collapsed,
blank lines dropped, each line a paragraph. So ``\\n`` versus ``\\n\\n`` between paragraphs never
counts; a lost paragraph break does.

>>> canonical("One\\u00a0 two\\n\\n\\nthree  ")
'One two\\nthree'
>>> round(similarity("abc", "abd"), 3)
0.667
"""

from __future__ import annotations

import collections
import re
import statistics
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import regex
from rapidfuzz import fuzz

from dedup.model import Edit, apply_edits
from dedup.tokens import skeleton

__all__ = [
    "DumpScore",
    "FamilyScore",
    "canonical",
    "dump_score",
    "exact",
    "lost_twins",
    "score_families",
    "similarity",
    "word_grams",
]

_SPACES = regex.compile(r"[^\S\n]+")


def canonical(text: str) -> str:
    """The comparable form of ``text`` (see the module docstring)."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def exact(output: str, gold: str) -> bool:
    """Whether ``output`` equals ``gold`` once both are in canonical form."""
    return canonical(output) == canonical(gold)


def similarity(output: str, gold: str) -> float:
    """Character similarity of the canonical forms, 0..1 (``rapidfuzz.fuzz.ratio`` / 100)."""
    return fuzz.ratio(canonical(output), canonical(gold)) / 100.0


@dataclass(frozen=True, slots=True)
class FamilyScore:
    """The scores of one damage family: how many records, the exact-match rate, the mean
    similarity and the share of records whose text was left as it was."""

    family: str
    records: int
    exact: float
    similarity: float
    unchanged: float


def score_families(
    records: Sequence[Mapping[str, str]], outputs: Sequence[str]
) -> dict[str, FamilyScore]:
    """Score ``outputs`` (one per record, in order) against evaluation records (``family``,
    ``text``, ``gold``), family by family.

    >>> rows = [{"family": "clean", "text": "A.", "gold": "A."}]
    >>> score_families(rows, ["A."])["clean"].exact
    1.0
    """
    if len(records) != len(outputs):
        raise ValueError(f"{len(outputs)} outputs for {len(records)} records")
    per: dict[str, list[tuple[bool, float, bool]]] = {}
    for record, out in zip(records, outputs, strict=True):
        per.setdefault(record["family"], []).append(
            (
                exact(out, record["gold"]),
                similarity(out, record["gold"]),
                canonical(out) == canonical(record["text"]),
            )
        )
    return {
        family: FamilyScore(
            family,
            len(rows),
            sum(r[0] for r in rows) / len(rows),
            statistics.fmean(r[1] for r in rows),
            sum(r[2] for r in rows) / len(rows),
        )
        for family, rows in sorted(per.items())
    }


_WORD = re.compile(r"\w+")
# The width of the windows by which a removed stretch is looked for in the output (an anchor's).
_TWIN_WINDOW = 24
_GRAM = 8


def word_grams(text: str, n: int = _GRAM) -> collections.Counter[str]:
    """How often each run of ``n`` words (lower-cased ``\\w+`` words) occurs in ``text``.

    >>> word_grams("A b, a B!", 2)
    Counter({'a b': 2, 'b a': 1})
    """
    words = _WORD.findall(text.lower())
    return collections.Counter(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))


@dataclass(frozen=True, slots=True)
class DumpScore:
    """How an output scores against a page's reference main content (word 8-grams).

    - ``residue``: of the reference's 8-grams that occur once in it, the share that occur twice
      or more in the output (0 is perfect: no doubled article left);
    - ``kept``: of those 8-grams present in the input, the share still present in the output
      (1 is perfect: nothing of the article lost).
    """

    residue: float
    kept: float


def dump_score(text: str, reference: str, output: str) -> DumpScore:
    """Score ``output``, made of ``text``, against ``reference`` (see :class:`DumpScore`).

    >>> ref = "one two three four five six seven eight nine"
    >>> dump_score(ref + " " + ref, ref, ref)
    DumpScore(residue=0.0, kept=1.0)
    """
    once = [g for g, count in word_grams(reference).items() if count == 1]
    before, after = word_grams(text), word_grams(output)
    residue = sum(1 for g in once if after[g] >= 2) / len(once) if once else 0.0
    present = [g for g in once if before[g]]
    kept = sum(1 for g in present if after[g]) / len(present) if present else 1.0
    return DumpScore(residue, kept)


def lost_twins(text: str, edits: Iterable[Edit]) -> list[Edit]:
    """The removals among ``edits`` (on ``text``) whose twin the output does not hold: with no
    ``kept`` span (or one outside the text), with nothing in common with it, or whose content
    in common with it is not in the output. Content is compared by windows of
    ``_TWIN_WINDOW`` letters (lower-cased letters and digits, markup seen through:
    :func:`dedup.tokens.skeleton`): of the removed stretch's windows that its kept twin has,
    at least half must be somewhere in the output (a window that spans a small edit between
    near copies is in neither; a later pass may remove the copy an earlier one kept, keeping
    that copy's own twin). A stretch shorter than a window is looked for whole. Repair
    promises none.

    >>> gone = Edit(start=0, end=2, action="remove", reason="x", score=1.0, kept=None)
    >>> lost_twins("abab", [gone]) == [gone]
    True
    """
    edits = list(edits)
    removals = [e for e in edits if e.action == "remove" and e.end > e.start]
    if not removals:
        return []
    output = skeleton(apply_edits(text, edits)).letters()
    out = _windows(output, 1)
    lost = []
    for edit in removals:
        span = edit.kept
        if span is None or not span.start < span.end <= len(text):
            lost.append(edit)
            continue
        gone = skeleton(text[edit.start : edit.end]).letters()
        twin = skeleton(text[span.start : span.end]).letters()
        if len(gone) < _TWIN_WINDOW:  # (a short stretch is looked for whole)
            if gone not in twin or gone not in output:
                lost.append(edit)
            continue
        shared = _windows(gone, 1) & _windows(twin, 1)
        if not shared or len(shared - out) * 2 > len(shared):
            lost.append(edit)
    return lost


def _windows(letters: str, step: int) -> set[int]:
    """The hashes of the windows of ``_TWIN_WINDOW`` characters of ``letters``."""
    width = _TWIN_WINDOW
    return {hash(letters[k : k + width]) for k in range(0, len(letters) - width + 1, step)}
