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

import functools
import math
import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import regex

from dedup.chars import ENTITY, code_points, every_code_point
from dedup.normalize import damage_hits, gate_scan

__all__ = ["Quality", "better", "quality"]

# A sentence end glued to the next sentence: a lowercase letter, terminal punctuation (and a
# closing quote or bracket), then a capitalised word with no space. Abbreviations (U.S.), decimals
# (3.14) and domains (example.com) do not match: they lack the lowercase-to-uppercase shape.
_GLUE = regex.compile(r"\p{Ll}[.!?]+[\p{Pe}\p{Pf}\"']?\p{Lu}\p{Ll}")
# Where a glued sentence end can be: terminal punctuation followed by neither a space nor what
# cannot open a capitalised word (a digit, a lower-case ASCII letter: ``3.14``, ``example.com``).
# The full pattern is tried only there (most text has a space after every sentence end).
_ENDS = ".!?"
_NO_GLUE = re.compile(r"[\sa-z0-9.!?,;:/_\-]+")
# Bits of the table of :func:`_damage_table`.
_SCAN = 1  # a character the mojibake gate scans for
_END = 2  # a sentence's terminal punctuation
_NO_START = 4  # a character that cannot start a sentence glued on (``_NO_GLUE``)


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
        return _score(self, self.words)


def _score(q: Quality, words: int) -> float:
    """The score of ``q`` with ``words`` words."""
    return _points(q.chars, q.breaks, q.paragraphs, q.glued, q.bad, q.entities, words)


def _points(
    chars: int, breaks: int, paragraphs: int, glued: int, bad: int, entities: int, words: int
) -> float:
    """:attr:`Quality.score` from the features of a copy."""
    if chars == 0:
        return 0.0
    per_k = 1000.0 / chars
    structure = min(breaks * per_k, 20.0) + min(paragraphs * per_k, 20.0)
    damage = (3.0 * glued + 4.0 * bad + 4.0 * entities) * per_k
    return structure - damage + words / 1e6


def quality(text: str) -> Quality:
    """Measure ``text``: line and paragraph breaks, glued sentences, mojibake and entities."""
    measure = _Measure(text)
    measure.count_words()
    measure.measure_damage()
    return measure.quality()


def better(first: str, second: str) -> bool:
    """Whether ``second`` is better formed than ``first``:
    ``quality(second).score > quality(first).score``.

    A copy's features are measured only as far as the comparison needs: what is not measured
    yet bounds its score, and the comparison stops once the bounds of the two scores part. The
    damage (glued sentences, mojibake, entities) is what costs a scan; it can only lower a
    score, so the damage of the copy that cannot win is not measured. The word count (a
    tie-break, at most a millionth of a point per character) is counted only where the scores
    without it are that close. (A score is the same sum of the same products whatever is
    measured, and each of its operations is monotone, so a bound computed as a score is one.)

    >>> better("One sentence here.Another one.And a third.", "One here.\\n\\nAnother one.")
    True
    """
    if first == second:
        return False  # (one text, one score: a comparison in C, where copies alike are many)
    a, b = _Measure(first), _Measure(second)
    # the damage of the copy that may win first (of the first copy, if either may), then the
    # words (a scan that costs less), then the damage of the other
    lead, other = (a, b) if a.high() >= b.high() else (b, a)
    for step in (lead.measure_damage, a.count_words, b.count_words, other.measure_damage):
        if b.low() > a.high():
            return True
        if b.high() <= a.low():
            return False
        step()
    return b.low() > a.low()  # (both measured in full: low is the score)


class _Measure:
    """A copy's features as far as :func:`better` has measured them, and the bounds of its
    score: without the damage (until measured), the word count at its least (one word per
    line: its spaces not counted yet) or at its most (one per character). (Plain fields, one
    object per copy: a comparison builds no :class:`Quality` until one is asked for.)"""

    __slots__ = (
        "bad",
        "breaks",
        "chars",
        "damaged",
        "entities",
        "glued",
        "most",
        "paragraphs",
        "text",
        "words",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        self.chars = len(text)
        breaks = self.breaks = text.count("\n")
        self.paragraphs = text.count("\n\n") if breaks > 1 else 0
        self.words = breaks + 1 if text else 0  # the fewest it may have, until counted
        self.most = len(text) + 1 if text else 0  # the words, until counted
        self.glued = self.bad = self.entities = 0
        self.damaged = False

    def high(self) -> float:
        return _points(
            self.chars, self.breaks, self.paragraphs, self.glued, self.bad, self.entities, self.most
        )

    def low(self) -> float:
        if not self.damaged:
            return -math.inf
        return _points(
            self.chars,
            self.breaks,
            self.paragraphs,
            self.glued,
            self.bad,
            self.entities,
            self.words,
        )

    def measure_damage(self) -> None:
        self.glued, self.bad, self.entities = _damage(self.text)
        self.damaged = True

    def count_words(self) -> None:
        self.most = self.words = self.words + self.text.count(" ")

    def quality(self) -> Quality:
        return Quality(
            chars=self.chars,
            words=self.words,
            breaks=self.breaks,
            paragraphs=self.paragraphs,
            glued=self.glued,
            bad=self.bad,
            entities=self.entities,
        )


def _damage(text: str) -> tuple[int, int, int]:
    """The damage of ``text``: its glued sentence ends, its mojibake and its entities.

    One pass over a table of the text's characters finds where mojibake and glued sentence
    ends can be; the full patterns are tried only there.
    """
    # (``clip``: every code point is an index of the table, so that ``take`` need not check
    # them one by one)
    flags = _damage_table().take(code_points(text), mode="clip")
    # (nonzero() of a boolean array: of a uint8 one it costs several times as much)
    scan = ((flags & _SCAN) != 0).nonzero()[0]
    bad = damage_hits(text, scan.tolist())
    hints = ((flags[:-1] & _END) != 0) & ((flags[1:] & _NO_START) == 0)
    glued = _glued(text, hints.nonzero()[0].tolist())
    return glued, bad, len(ENTITY.findall(text)) if "&" in text else 0


@functools.lru_cache(maxsize=1)
def _damage_table() -> npt.NDArray[np.uint8]:
    """A table over all code points of the bits ``_SCAN``, ``_END`` and ``_NO_START``, built once
    and read-only afterwards. Every character of those classes is in the Basic Multilingual
    Plane (a test checks), so only its code points are scanned."""
    table = np.zeros(0x110000, dtype=np.uint8)
    plane = every_code_point(0x10000)
    for pattern, bit in ((gate_scan(), _SCAN), (_NO_GLUE, _NO_START)):
        for match in pattern.finditer(plane):
            table[match.start() : match.end()] |= bit
    for end in _ENDS:
        table[ord(end)] |= _END
    table.setflags(write=False)
    return table


def _glued(text: str, hints: list[int]) -> int:
    """How many sentence ends ``text`` glues to the next sentence, of those that may be glued
    at the offsets ``hints`` (terminal punctuation followed by what may open a word)."""
    count = 0
    for start in hints:
        while start > 0 and text[start - 1] in _ENDS:
            start -= 1
        if start > 0 and _GLUE.match(text, start - 1) is not None:
            count += 1
    return count
