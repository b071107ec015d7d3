"""How well-formed a copy of a text is: the measure repair and the corpus keep policy share.

Higher is better. A copy gains for paragraph structure and completeness, and loses for glued
sentences (``privée.Buzzfeed``), mojibake and undecoded HTML entities.

>>> from dedup.quality import quality
>>> glued = "One sentence here.Another one follows.And a third."
>>> broken = "One sentence here.\\n\\nAnother one follows.\\n\\nAnd a third."
>>> quality(broken).score > quality(glued).score
True
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import regex

from dedup.normalize import mojibake_hits

__all__ = ["Quality", "better", "quality"]

# A sentence end glued to the next sentence: a lowercase letter, terminal punctuation (and a
# closing quote or bracket), then a capitalised word with no space. Abbreviations (U.S.), decimals
# (3.14) and domains (example.com) do not match: they lack the lowercase-to-uppercase shape.
_GLUE = regex.compile(r"\p{Ll}[.!?]+[\p{Pe}\p{Pf}\"']?\p{Lu}\p{Ll}")
# Where a glued sentence end can be: terminal punctuation followed by neither a space nor what
# cannot open a capitalised word (a digit, a lower-case ASCII letter: ``3.14``, ``example.com``).
# The full pattern is tried only there (most text has a space after every sentence end).
_GLUE_HINT = re.compile(r"[.!?][^\sa-z0-9.!?,;:/_\-]")
_ENTITY = regex.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


@dataclass(frozen=True, slots=True)
class Quality:
    """The features of a copy and its overall ``score`` (higher is better).

    ``words`` counts the spaces and line breaks, plus one: a word count that costs a scan, for
    breaking ties in favour of the more complete copy.
    """

    chars: int
    words: int
    breaks: int
    paragraphs: int
    glued: int
    bad: int
    entities: int

    @property
    def score(self) -> float:
        """Structure and completeness, minus damage, per thousand characters of text.

        Structure counts line breaks and, apart, paragraph breaks (blank lines): of two copies
        with a line for each item, the one that also keeps the paragraphs apart is better
        formed.
        """
        if self.chars == 0:
            return 0.0
        per_k = 1000.0 / self.chars
        structure = min(self.breaks * per_k, 20.0) + min(self.paragraphs * per_k, 20.0)
        damage = (3.0 * self.glued + 4.0 * self.bad + 4.0 * self.entities) * per_k
        return structure - damage + self.words / 1e6


def quality(text: str) -> Quality:
    """Measure ``text``: line and paragraph breaks, glued sentences, mojibake and entities."""
    return dataclasses.replace(
        _undamaged(text),
        glued=_glued(text),
        bad=mojibake_hits(text),
        entities=len(_ENTITY.findall(text)) if "&" in text else 0,
    )


def better(first: str, second: str) -> bool:
    """Whether ``second`` is better formed than ``first``:
    ``quality(second).score > quality(first).score``.

    The damage (glued sentences, mojibake, entities) is what costs a scan; it can only lower a
    score, so a copy's score without it is a bound, and the damage of the copy that cannot win
    is not measured.

    >>> better("One sentence here.Another one.And a third.", "One here.\\n\\nAnother one.")
    True
    """
    bound_first, bound_second = _undamaged(first).score, _undamaged(second).score
    if bound_first >= bound_second:
        score = quality(first).score
        return score < bound_second and quality(second).score > score
    score = quality(second).score
    return score > bound_first or score > quality(first).score


def _undamaged(text: str) -> Quality:
    """:func:`quality` without the damage: its score is at least that of ``quality(text)``."""
    breaks = text.count("\n")
    return Quality(
        chars=len(text),
        words=text.count(" ") + breaks + 1 if text else 0,
        breaks=breaks,
        paragraphs=text.count("\n\n"),
        glued=0,
        bad=0,
        entities=0,
    )


def _glued(text: str) -> int:
    """How many sentence ends ``text`` glues to the next sentence."""
    count = 0
    for hint in _GLUE_HINT.finditer(text):
        start = hint.start()
        while start > 0 and text[start - 1] in ".!?":
            start -= 1
        if start > 0 and _GLUE.match(text, start - 1) is not None:
            count += 1
    return count
