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

import statistics
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import regex
from rapidfuzz import fuzz

__all__ = ["FamilyScore", "canonical", "exact", "score_families", "similarity"]

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
