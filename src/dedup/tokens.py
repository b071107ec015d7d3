"""The normalised character stream that duplicate detection compares.

A scraped text and its flattened copy differ in everything but their letters: paragraph breaks
vanish, sentences are glued (``privée.Buzzfeed``), quotes turn straight, ``&amp;`` appears. So
the comparison runs on the *skeleton* of the text: its letters, digits and combining marks,
lower-cased, with HTML entity references left out. Every skeleton character keeps its offset in
the original text, so whatever is found maps straight back.

Anchors start at *word starts*: the first letter of a word, each character of a script written
without spaces (Chinese, Japanese, Thai, …), and a capital glued to a lower-case letter
(``européensA``), so a glued copy has the same anchors as its paragraphed twin.

>>> sk = skeleton("Vie privée.Buzzfeed &amp; co")
>>> "".join(map(chr, sk.chars))
'vieprivéebuzzfeedco'
>>> sk.offsets[sk.starts].tolist()
[0, 4, 11, 26]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import regex

__all__ = ["Skeleton", "skeleton"]

_WORD_CLASS = r"[\p{L}\p{N}\p{M}]+"
_NO_SPACE_SCRIPTS = (
    r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}]+"
)
_ENTITY = regex.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

WORD = 1
SOLO = 2  # a character of a script written without spaces: every one starts a "word"

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]


@lru_cache(maxsize=1)
def _char_classes() -> npt.NDArray[np.uint8]:
    """A table over all code points: 0 other, 1 word character, 2 word character of its own.

    Built once from the regex module's Unicode properties; read-only afterwards.
    """
    table = np.zeros(0x110000, dtype=np.uint8)
    # every code point, surrogates included, as one string (decoding is 20x faster than chr())
    every = np.arange(0x110000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    for match in regex.finditer(_WORD_CLASS, every):
        table[match.start() : match.end()] = WORD
    for match in regex.finditer(_NO_SPACE_SCRIPTS, every):
        table[match.start() : match.end()] = SOLO
    table.setflags(write=False)
    return table


def _code_points(text: str) -> U32:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


@dataclass(frozen=True, slots=True, eq=False)
class Skeleton:
    """The skeleton of a text.

    - ``chars``: skeleton code points (lower-cased letters, digits, marks);
    - ``offsets``: for each skeleton character, its offset in the original text;
    - ``starts``: skeleton indices where a word starts (anchor positions);
    - ``newlines``: the offsets of the line breaks (``\n``), so line ``k`` of the text runs
      from ``newlines[k - 1] + 1`` to ``newlines[k]``;
    - ``row``: for each skeleton character, its line (the line breaks before it);
    - ``breaks_before`` and ``blank_before``: for each skeleton position ``i``, how many times
      the line changes (or jumps over a blank line) between skeleton characters before ``i``,
      so the breaks inside any range are a subtraction.
    """

    chars: U32
    offsets: I64
    starts: I64
    newlines: I64
    row: I64
    breaks_before: I64
    blank_before: I64

    def breaks(self, s0: int, s1: int) -> int:
        """Line boundaries between consecutive skeleton characters of ``[s0, s1)``."""
        return 0 if s1 <= s0 else int(self.breaks_before[s1 - 1] - self.breaks_before[s0])

    def blank_breaks(self, s0: int, s1: int) -> int:
        """Boundaries with a blank line or more between consecutive characters of ``[s0, s1)``."""
        return 0 if s1 <= s0 else int(self.blank_before[s1 - 1] - self.blank_before[s0])

    def __len__(self) -> int:
        return int(self.chars.shape[0])


def _lower_same_length(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # U+0130 (İ) is the one code point whose lower case is two: it stays as it is
    return "\u0130".join(part.lower() for part in text.split("\u0130"))


def skeleton(text: str) -> Skeleton:
    """Build the :class:`Skeleton` of ``text`` (linear time, vectorised)."""
    cps = _code_points(text)
    classes = _char_classes()[cps]
    if "&" in text:
        for match in _ENTITY.finditer(text):
            classes[match.start() : match.end()] = 0
    offsets = np.flatnonzero(classes).astype(np.int64)
    lowered = _code_points(_lower_same_length(text))
    chars = lowered[offsets]
    kept = classes[offsets]
    # A word starts where the previous original character is not a word character, at every
    # character of a script without spaces, and at a capital glued to a lower-case letter.
    prev_offset = offsets - 1
    prev_class = np.where(prev_offset >= 0, classes[np.maximum(prev_offset, 0)], 0)
    upper = lowered[offsets] != cps[offsets]
    prev_upper = np.where(prev_offset >= 0, (lowered != cps)[np.maximum(prev_offset, 0)], True)
    starts_mask = (prev_class == 0) | (kept == SOLO) | (prev_class == SOLO)
    starts_mask |= upper & ~prev_upper & (prev_class == WORD)
    starts = np.flatnonzero(starts_mask).astype(np.int64)
    breaks = cps == 10
    newlines = np.flatnonzero(breaks).astype(np.int64)
    row = np.cumsum(breaks, dtype=np.int32)[offsets].astype(np.int64)
    step = np.diff(row, prepend=row[:1]) if row.shape[0] else row
    return Skeleton(
        chars=chars,
        offsets=offsets,
        starts=starts,
        newlines=newlines,
        row=row,
        breaks_before=np.cumsum(step != 0, dtype=np.int64),
        blank_before=np.cumsum(step >= 2, dtype=np.int64),
    )
