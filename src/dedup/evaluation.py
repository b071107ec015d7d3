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

import unicodedata

import regex
from rapidfuzz import fuzz

__all__ = ["canonical", "exact", "similarity"]

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
