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

import itertools
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import regex

__all__ = ["Skeleton", "code_points", "every_code_point", "skeleton"]

_WORD_CLASS = r"[\p{L}\p{N}\p{M}]+"
_NO_SPACE_SCRIPTS = (
    r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}]+"
)
_ENTITY = regex.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

WORD = 1
SOLO = 2  # a character of a script written without spaces: every one starts a "word"
UPPER = 4  # added to WORD for a capital (in the table of :func:`_case_tables`)

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]


_UTF32 = np.dtype("<u4")  # (a dtype object: numpy converts np.uint32 into one at every call)

# Code points from here on have no lower case of their own (the last cased letters, Adlam's,
# end at U+1E94B); a test checks it.
_CASED_END = 0x20000


def every_code_point(end: int = 0x110000) -> str:
    """All code points below ``end``, surrogates included, as one string (decoding is 20x
    faster than chr())."""
    return np.arange(end, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")


@lru_cache(maxsize=1)
def _char_classes() -> npt.NDArray[np.uint8]:
    """A table over all code points: 0 other, 1 word character, 2 word character of its own.

    Built once from the regex module's Unicode properties; read-only afterwards.
    """
    table = np.zeros(0x110000, dtype=np.uint8)
    every = every_code_point()
    for match in regex.finditer(_WORD_CLASS, every):
        table[match.start() : match.end()] = WORD
    for match in regex.finditer(_NO_SPACE_SCRIPTS, every):
        table[match.start() : match.end()] = SOLO
    table.setflags(write=False)
    return table


@lru_cache(maxsize=1)
def _case_tables() -> tuple[U32, npt.NDArray[np.uint8]]:
    """Two tables over all code points, built once and read-only afterwards.

    - the lower case of each code point, one for one: U+0130 (İ), whose lower case is two
      characters, stays as it is, and final sigma (U+03C2) folds into sigma (U+03C3) as capital
      sigma does;
    - :func:`_char_classes`, with ``UPPER`` added to the word characters that lower-case to
      another character (capitals and title-case letters).
    """
    cased = every_code_point(_CASED_END)
    lowered = "\u0130".join(part.lower() for part in cased.split("\u0130"))
    if len(lowered) != len(cased):  # a Unicode version with another many-character lower case
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in cased)
    lower = np.arange(0x110000, dtype=np.uint32)
    cased_lower = code_points(lowered)
    changed = cased_lower != lower[:_CASED_END]
    lower[:_CASED_END] = cased_lower
    flags = _char_classes().copy()
    flags[:_CASED_END][changed & (flags[:_CASED_END] == WORD)] |= UPPER
    # capital and final sigma: sigma (str.lower picks final sigma by context)
    lower[0x3A3] = lower[0x3C2] = 0x3C3
    lower.setflags(write=False)
    flags.setflags(write=False)
    return lower, flags


def code_points(text: str) -> U32:
    """The code points of ``text`` as an array (lone surrogates included).

    >>> code_points("a\u00e9").tolist()
    [97, 233]
    """
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), _UTF32)


@dataclass(frozen=True, slots=True, eq=False)
class Skeleton:
    """The skeleton of a text.

    - ``chars``: skeleton code points (lower-cased letters, digits, marks);
    - ``offsets``: for each skeleton character, its offset in the original text;
    - ``starts``: skeleton indices where a word starts (anchor positions);
    - ``newlines``: the offsets of the line breaks (``\n``), so line ``k`` of the text runs
      from ``newlines[k - 1] + 1`` to ``newlines[k]``; also as a list (``newline_list``);
    - ``edges``: the skeleton positions where the line changes (a line break lies between
      character ``i - 1`` and character ``i``), as an array and as a list (``edge_list``), and
      ``blank_upto[k]``: how many of the first ``k`` edges jump over a blank line or more, so
      the breaks inside any range are two binary searches.
    """

    chars: U32
    offsets: I64
    starts: I64
    newlines: I64
    newline_list: list[int]
    edges: I64
    edge_list: list[int]
    blank_upto: list[int]

    def line(self, s: int) -> int:
        """The line of the text that skeleton character ``s`` is on (the line breaks before
        it)."""
        return bisect_right(self.newline_list, int(self.offsets[s]))

    def is_edge(self, s: int) -> bool:
        """Whether skeleton character ``s`` is on another line than character ``s - 1``."""
        k = bisect_left(self.edge_list, s)
        return k < len(self.edge_list) and self.edge_list[k] == s

    def line_start(self, s: int) -> int:
        """The first skeleton position of the line of character ``s``."""
        k = bisect_right(self.edge_list, s)
        return self.edge_list[k - 1] if k else 0

    def line_end(self, s: int) -> int:
        """The skeleton position just past the line of character ``s``."""
        k = bisect_right(self.edge_list, s)
        return self.edge_list[k] if k < len(self.edge_list) else len(self)

    def breaks(self, s0: int, s1: int) -> int:
        """Line boundaries between consecutive skeleton characters of ``[s0, s1)``."""
        if s1 <= s0:
            return 0
        return bisect_right(self.edge_list, s1 - 1) - bisect_right(self.edge_list, s0)

    def blank_breaks(self, s0: int, s1: int) -> int:
        """Boundaries with a blank line or more between consecutive characters of ``[s0, s1)``."""
        if s1 <= s0:
            return 0
        edges, upto = self.edge_list, self.blank_upto
        return upto[bisect_right(edges, s1 - 1)] - upto[bisect_right(edges, s0)]

    def __len__(self) -> int:
        return int(self.chars.shape[0])


def skeleton(text: str) -> Skeleton:
    """Build the :class:`Skeleton` of ``text`` (linear time, vectorised)."""
    lower, table = _case_tables()
    cps = code_points(text)
    # (``take`` rather than indexing with an array: the same result, faster)
    flags = table.take(cps)
    if "&" in text:
        for match in _ENTITY.finditer(text):
            flags[match.start() : match.end()] = 0
    offsets = (flags != 0).nonzero()[0]
    chars = lower.take(cps.take(offsets))
    # A word starts where the previous original character is not a word character, at every
    # character of a script without spaces, and at a capital glued to a lower-case letter.
    # (over the whole text, in bytes: cheaper than differences of the offsets)
    prev = np.empty_like(flags)
    prev[:1] = 0
    prev[1:] = flags[:-1]
    starts_mask = (prev == 0) | (prev == SOLO) | (flags == SOLO)
    starts_mask |= (flags == WORD | UPPER) & (prev == WORD)
    newlines = (cps == 10).nonzero()[0]
    # the skeleton position after each line break; those inside the skeleton are its edges,
    # and an edge that two line breaks or more land on jumps over a blank line
    after = offsets.searchsorted(newlines)
    inner = after[after.searchsorted(1) : after.searchsorted(offsets.shape[0])]
    new_edge = np.empty(inner.shape[0], dtype=bool)
    new_edge[:1] = True
    new_edge[1:] = inner[1:] != inner[:-1]
    firsts = new_edge.nonzero()[0]
    edges = inner.take(firsts)
    # an edge jumps over a blank line when the break after its first one lands there too
    repeated = np.zeros(inner.shape[0] + 1, dtype=bool)
    repeated[1:-1] = ~new_edge[1:]
    blank = repeated.take(firsts + 1).tolist()
    return Skeleton(
        chars=chars,
        offsets=offsets,
        starts=starts_mask.take(offsets).nonzero()[0],
        newlines=newlines,
        newline_list=newlines.tolist(),
        edges=edges,
        edge_list=edges.tolist(),
        blank_upto=list(itertools.accumulate(blank, initial=0)),
    )
