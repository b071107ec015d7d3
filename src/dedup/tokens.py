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

Naive extractors keep a page's script data and markup, so a second copy of an article is often
a JSON string or HTML inside one. The skeleton sees through them (:mod:`dedup.markup`): JSON
escapes, HTML tags (raw, JSON-escaped or entity-escaped), entity references and the targets of
markdown links are left out, and an escape or a reference that stands for a letter
(``\\u00e9``, ``&eacute;``) gives that letter, at the escape's offset:

>>> skeleton(r'"body":"Caf\\u00e9 \\"open\\"\\nNext <b>day</b> [here](https://x.org/a)"').letters()
'bodycaféopennextdayhere'
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup.chars import SOLO, U32, UPPER, WORD, case_tables, code_points
from dedup.markup import marks, markup_at, markup_cut, markup_recut
from dedup.occurrences import Occurrences

__all__ = ["Skeleton", "after_cuts", "skeleton", "without"]

I64 = npt.NDArray[np.int64]


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
      the breaks inside any range are two binary searches;
    - ``size``: how many skeleton characters there are (``len(sk)``);
    - ``markup``: the spans of the text that :data:`~dedup.markup.MARKUP` matched (sorted,
      disjoint), ``markup_letters``: the code points of the word characters that escapes and
      references among them stand for, by offset (:func:`~dedup.markup.markup_at`), and
      ``marks``: where the text holds a character that may start markup
      (:func:`~dedup.markup.marks`);
    - ``decoded``: ``chars`` as a string, once :meth:`letters` has decoded them (a pass reads
      the letters of most of the text, as a whole and in parts, several times);
    - ``start_bytes``: :meth:`bounds` once built (:func:`skeleton` has them from its scan),
      and ``line_bytes``: :meth:`line_starts` once built;
    - ``windows``: the hashes and pairs of its windows once :mod:`dedup.anchors` found them,
      and ``whole``: the skeleton this one is one stretch of (:func:`without` of a text cut
      only at its start, its end or both) and the position there where the stretch starts,
      whose windows hold this one's; ``occurrences``: :meth:`find`'s index of the letters,
      once asked; ``top``: the highest code point, once :meth:`letters` decoded them, and
      ``hangul``: :meth:`mostly_hangul`, once asked.
    """

    chars: U32
    offsets: I64
    starts: I64
    newlines: I64
    newline_list: list[int]
    edges: I64
    edge_list: list[int]
    blank_upto: list[int]
    size: int
    markup: list[tuple[int, int]]
    markup_letters: dict[int, int]
    marks: list[int]
    decoded: list[str] = field(default_factory=list, repr=False)
    start_bytes: list[bytes] = field(default_factory=list, repr=False)
    line_bytes: list[bytes] = field(default_factory=list, repr=False)
    whole: list[tuple[Skeleton, int]] = field(default_factory=list, repr=False)
    windows: list[Any] = field(default_factory=list, repr=False)
    occurrences: list[Occurrences] = field(default_factory=list, repr=False)
    top: list[int] = field(default_factory=list, repr=False)
    hangul: list[bool] = field(default_factory=list, repr=False)

    def text_range(self, s0: int, s1: int) -> tuple[int, int]:
        """The characters of the text from skeleton character ``s0`` to ``s1 - 1``, as a
        start and an end offset (past the escape or reference the last one came from)."""
        return self.offsets.item(s0), self.char_end(s1 - 1)

    def char_end(self, s: int) -> int:
        """The offset just past skeleton character ``s`` in the text: past the whole escape or
        entity reference it came from (``\\u00e9``, ``&eacute;``), so that a cut there never
        leaves part of one behind.

        >>> sk = skeleton(r"caf\\u00e9 ok")
        >>> sk.char_end(3), sk.char_end(4)
        (9, 11)
        """
        at = self.offsets.item(s)  # (a Python int at once: no NumPy scalar between)
        if self.markup:
            k = bisect_left(self.markup, (at + 1,)) - 1
            if k >= 0 and self.markup[k][0] == at:
                return self.markup[k][1]
        return at + 1

    def line(self, s: int) -> int:
        """The line of the text that skeleton character ``s`` is on (the line breaks before
        it)."""
        return bisect_right(self.newline_list, self.offsets.item(s))

    def is_edge(self, s: int) -> bool:
        """Whether skeleton character ``s`` is on another line than character ``s - 1``."""
        lines = self.line_bytes[0] if self.line_bytes else self.line_starts()
        return 0 < s < self.size and lines[s] == 1

    def line_start(self, s: int) -> int:
        """The first skeleton position of the line of character ``s``."""
        k = bisect_right(self.edge_list, s)
        return self.edge_list[k - 1] if k else 0

    def line_end(self, s: int) -> int:
        """The skeleton position just past the line of character ``s``."""
        k = bisect_right(self.edge_list, s)
        return self.edge_list[k] if k < len(self.edge_list) else len(self)

    def line_bounds(self, s0: int, s1: int) -> list[int]:
        """``s0``, the skeleton positions in ``(s0, s1)`` where a line starts, and ``s1``: the
        bounds of the pieces of lines ``[s0, s1)`` spans (pairwise).

        >>> skeleton("Title\\nBy Ann\\nThe text.").line_bounds(0, 14)
        [0, 5, 10, 14]
        """
        edges = self.edge_list
        return [s0, *edges[bisect_right(edges, s0) : bisect_left(edges, s1)], s1]

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

    def letters(self, s0: int = 0, s1: int | None = None) -> str:
        """Skeleton characters ``[s0, s1)`` as a string.

        >>> skeleton("Vie privée.Buzzfeed").letters(3, 9)
        'privée'
        """
        if not self.decoded:
            text, top = _decoded(self.chars)
            self.decoded.append(text)
            self.top.append(top)
        return self.decoded[0][s0:s1]

    def mostly_hangul(self) -> bool:
        """Whether more than half its characters are Hangul syllable blocks (U+AC00 to U+D7A3):
        Korean, written with spaces, whose every character is a syllable of two or three
        letters. (Counted only where the highest code point reaches the blocks: most texts'
        is told by the decoding of the letters, which every analysis asks for.)

        >>> skeleton("\ud55c\uad6d\uc5b4 \ubb38\uc7a5 ok").mostly_hangul()
        True
        >>> skeleton("Vie priv\u00e9e").mostly_hangul()
        False
        """
        if not self.hangul:
            self.letters()
            top = self.top[0] if self.top else int(self.chars.max()) if self.size else 0
            blocks = self.chars - np.uint32(0xAC00) < np.uint32(11172) if top >= 0xAC00 else None
            self.hangul.append(blocks is not None and 2 * int(np.count_nonzero(blocks)) > self.size)
        return self.hangul[0]

    def find(self, key: str, lo: int = 0, hi: int | None = None) -> int:
        """Where the letters hold ``key`` first from ``lo`` (before ``hi``), or -1: as
        ``self.letters().find(key, lo, hi)``, without a scan of the letters each time on a long
        text asked about often (:class:`~dedup.occurrences.Occurrences`).

        >>> skeleton("Vie privée. Vie publique.").find("vie", 1)
        9
        """
        if not self.occurrences:
            # (``chars`` are the code points of the letters: the index hashes them as they are)
            self.occurrences.append(Occurrences(self.letters(), points=self.chars))
        return self.occurrences[0].find(key, lo, hi)

    def bounds(self) -> bytes:
        """One byte per skeleton position and one past the end: 1 where a word starts (and at
        the end), else 0.

        >>> [k for k, b in enumerate(skeleton("Vie privée.Buzzfeed").bounds()) if b]
        [0, 3, 9, 17]
        """
        if not self.start_bytes:
            marks = np.zeros(self.size + 1, dtype=np.uint8)
            marks[self.starts] = 1
            marks[self.size] = 1
            self.start_bytes.append(marks.tobytes())
        return self.start_bytes[0]

    def line_starts(self) -> bytes:
        """One byte per skeleton position and one past the end: 1 where a line starts (the
        edges, the start and the end), else 0.

        >>> [k for k, b in enumerate(skeleton("One line\\nand the next").line_starts()) if b]
        [0, 7, 17]
        """
        if not self.line_bytes:
            marks = np.zeros(self.size + 1, dtype=np.uint8)
            marks[0] = marks[self.size] = 1
            marks[self.edges] = 1
            self.line_bytes.append(marks.tobytes())
        return self.line_bytes[0]

    def __len__(self) -> int:
        return self.size


def _decoded(chars: U32) -> tuple[str, int]:
    """Skeleton characters as a string, and the highest of their code points."""
    top = int(chars.max()) if chars.shape[0] else 0
    if chars.shape[0] and top < 0x100:
        # (most skeletons are Latin-1: a copy of one byte a character is quicker to decode)
        return chars.astype(np.uint8).tobytes().decode("latin-1"), top
    return chars.tobytes().decode("utf-32-le", "surrogatepass"), top


@lru_cache(maxsize=1)
def _start_pairs() -> npt.NDArray[np.bool_]:
    """Whether a word starts at a character, by ``8 * (class of the character before it) +
    (class of the character)`` (classes as in :func:`dedup.chars.case_tables`; 0 before the text).

    A word starts at a word character after one that is not, at every character of a script
    without spaces, and at a capital glued to a lower-case letter (``européensA``).
    """
    table = np.zeros(64, dtype=bool)
    for prev in range(8):
        for cur in (WORD, WORD | UPPER, SOLO):
            table[8 * prev + cur] = (
                prev in (0, SOLO) or cur == SOLO or (cur == WORD | UPPER and prev == WORD)
            )
    table.setflags(write=False)
    return table


@lru_cache(maxsize=1)
def _start_bytes() -> bytes:
    """:func:`_start_pairs` as a table for ``bytes.translate`` (a byte of 1 where a word
    starts): a lookup that costs a fraction of ``take``'s, whose indices are cast to
    ``intp`` first."""
    return bytes(_start_pairs().tolist()) + bytes(256 - 64)


# A long text's skeleton is built this many characters at a time: the arrays a block needs are
# then reused from one block to the next, where a text of megabytes would take fresh memory for
# each, whose page faults cost as much as the work itself.
_SCAN_BLOCK = 1 << 18


def skeleton(
    text: str, scan: tuple[list[int], list[tuple[int, int]], dict[int, int]] | None = None
) -> Skeleton:
    """Build the :class:`Skeleton` of ``text`` (linear time, vectorised); ``scan``: its
    :func:`~dedup.markup.marks` and what :func:`~dedup.markup.markup_at` finds there, where
    they are known already."""
    lower, table = case_tables()
    rule = _start_bytes()
    if scan is None:
        at = marks(text)
        entities, letters = markup_at(text, at)
    else:
        at, entities, letters = scan
    parts = []
    firsts: list[bytes] = []  # whether a word starts at each skeleton character, a block at a time
    before = 0  # the class of the character before the block
    size = 0  # the skeleton characters before the block
    k = 0  # the first entity reference that does not end before the block
    for lo in range(0, max(len(text), 1), _SCAN_BLOCK):
        hi = min(lo + _SCAN_BLOCK, len(text))
        points = code_points(text[lo:hi])
        newlines = (points == 10).nonzero()[0]
        # (as indices once: ``take`` casts other indices to them at every call)
        cps = points.astype(np.intp)
        # (``take`` rather than indexing with an array: the same result, faster; and every index
        # here is in range, so that ``take`` clips them rather than checks each, faster still)
        flags = table.take(cps, mode="clip")
        while k < len(entities) and entities[k][1] <= lo:
            k += 1
        for start, end in itertools.islice(entities, k, None):
            if start >= hi:
                break
            flags[max(start, lo) - lo : end - lo] = 0
            cp = letters.get(start, 0) if start >= lo else 0
            if cp:
                # an escape or a reference that stands for a letter gives it, at its offset
                cps[start - lo] = cp
                flags[start - lo] = table[cp]
        local = (flags != 0).nonzero()[0]
        # each character's class and that of the one before it, as one index of _start_pairs
        pairs = np.empty_like(flags)
        pairs[:1] = before << 3
        np.multiply(flags[:-1], 8, out=pairs[1:])  # (a shift of bytes costs several times more)
        pairs |= flags
        first = pairs.take(local, mode="clip").tobytes().translate(rule)
        firsts.append(first)
        starts = np.frombuffer(first, dtype=np.bool_).nonzero()[0]
        parts.append(
            (
                lower.take(cps.take(local, mode="clip"), mode="clip"),
                local + lo if lo else local,
                starts + size if size else starts,
                newlines + lo if lo else newlines,
            )
        )
        if hi > lo:
            before = int(flags[-1])
        size += local.shape[0]
    sk = _joined(parts, entities, letters, at)
    sk.start_bytes.append(b"".join(firsts) + b"\x01")
    return sk


def _joined(
    parts: list[tuple[U32, I64, I64, I64]],
    markup: list[tuple[int, int]],
    letters: dict[int, int],
    at: list[int],
    kept: tuple[Skeleton, list[tuple[int, int]]] | None = None,
) -> Skeleton:
    """The :class:`Skeleton` of consecutive stretches of a text, each given as its characters,
    their offsets, its word starts and its line breaks (all in the whole text's positions),
    and the spans of its markup, the letters they give and its marks. Where the stretches are
    ranges of another skeleton's characters (``kept``: that skeleton and the ranges,
    :func:`without`), the edges inside each are taken over from it (:func:`_kept_edges`)."""
    if len(parts) == 1:
        chars, offsets, starts, newlines = parts[0]
    else:
        chars, offsets, starts, newlines = (
            np.concatenate(column) for column in zip(*parts, strict=True)
        )
    if kept is None:
        return _assembled(chars, offsets, starts, newlines, markup, letters, at)
    newline_list = newlines.tolist()
    edge_list, blank_upto = _kept_edges(*kept, offsets, newline_list)
    return Skeleton(
        chars=chars,
        offsets=offsets,
        starts=starts,
        newlines=newlines,
        newline_list=newline_list,
        edges=np.array(edge_list, dtype=np.int64),
        edge_list=edge_list,
        blank_upto=blank_upto,
        size=int(chars.shape[0]),
        markup=markup,
        markup_letters=letters,
        marks=at,
    )


def _kept_edges(
    sk: Skeleton, ranges: list[tuple[int, int]], offsets: I64, newline_list: list[int]
) -> tuple[list[int], list[int]]:
    """``Skeleton.edge_list`` and ``Skeleton.blank_upto`` of a text made of stretches of the
    text of ``sk`` whose skeleton characters are ``ranges`` of ``sk``'s, in order (``offsets``:
    where the new text has its skeleton characters; ``newline_list``: its line breaks).

    They are those that :func:`_assembled` finds from the line breaks, with fewer steps: an
    edge between two characters of one stretch is one of ``sk``, blank or not as it was there
    (the text between the two characters is the same text), and only where a stretch begins,
    after the last character before it, is the edge decided again, by the line breaks of the
    new text between the two characters (one or more: an edge; two or more: a blank line).
    """
    edges, upto = sk.edge_list, sk.blank_upto
    edge_list: list[int] = []
    blank_upto = [0]
    size = 0  # the skeleton characters before the stretch, in the new text
    for i0, i1 in ranges:
        if i1 <= i0:
            continue
        if size:
            breaks = bisect_left(newline_list, offsets.item(size)) - bisect_right(
                newline_list, offsets.item(size - 1)
            )
            if breaks:
                edge_list.append(size)
                blank_upto.append(blank_upto[-1] + (breaks > 1))
        # the edges of ``sk`` between two characters of the stretch, as they were
        m0, m1 = bisect_right(edges, i0), bisect_left(edges, i1)
        if m1 > m0:
            shift, base = size - i0, blank_upto[-1] - upto[m0]
            edge_list += [e + shift for e in edges[m0:m1]] if shift else edges[m0:m1]
            blank_upto += (
                [b + base for b in upto[m0 + 1 : m1 + 1]] if base else upto[m0 + 1 : m1 + 1]
            )
        size += i1 - i0
    return edge_list, blank_upto


def _assembled(
    chars: U32,
    offsets: I64,
    starts: I64,
    newlines: I64,
    markup: list[tuple[int, int]],
    letters: dict[int, int],
    at: list[int],
) -> Skeleton:
    """A :class:`Skeleton` from its characters, their offsets, its word starts, the offsets of
    the text's line breaks (the edges between lines follow from those), its markup and the
    letters that gives, and its marks."""
    # the skeleton position after each line break; those inside the skeleton are its edges,
    # and an edge that two line breaks or more land on jumps over a blank line
    after = offsets.searchsorted(newlines)
    inner = after[after.searchsorted(1) : after.searchsorted(offsets.shape[0])]
    # whether each break lands on another position than the one before it (a new edge), and
    # an entry past the last break, as if a new edge followed it
    m = inner.shape[0]
    new_edge = np.empty(m + 1, dtype=bool)
    new_edge[0] = new_edge[m] = True
    np.not_equal(inner[1:], inner[:-1], out=new_edge[1:m])
    firsts = new_edge[:m].nonzero()[0]
    edges = inner.take(firsts)
    # an edge jumps over a blank line when the break after its first one lands there too
    blank = (~new_edge.take(firsts + 1)).tolist()
    return Skeleton(
        chars=chars,
        offsets=offsets,
        starts=starts,
        newlines=newlines,
        newline_list=newlines.tolist(),
        edges=edges,
        edge_list=edges.tolist(),
        blank_upto=list(itertools.accumulate(blank, initial=0)),
        size=int(chars.shape[0]),
        markup=markup,
        markup_letters=letters,
        marks=at,
    )


def without(sk: Skeleton, text: str, cuts: Sequence[tuple[int, int]]) -> Skeleton | None:
    """The skeleton of ``text`` with the character ranges ``cuts`` (sorted, disjoint) taken
    out, from ``sk``, the skeleton of ``text``: what stays keeps its characters, its word
    starts and the edges between its lines, and only the word start and the edge right after
    each cut are decided again (:func:`_kept_edges`). ``None`` where markup crosses or touches
    a cut, or would be found across one in the text with the cuts taken out (which is then to
    be scanned afresh: :func:`~dedup.markup.markup_cut`).

    >>> text = "Intro.\\nTeaser line.\\nThe article."
    >>> sk = without(skeleton(text), text, [(7, 20)])
    >>> "".join(map(chr, sk.chars)), sk.offsets[sk.starts].tolist(), sk.newline_list
    ('introthearticle', [0, 7, 11], [6])
    """
    kept_markup = markup_cut(text, sk.markup, sk.markup_letters, sk.marks, cuts)
    if kept_markup is None:
        return None
    markup, letters, points = kept_markup
    table = case_tables()[1]
    rule = _start_pairs()
    kept: list[tuple[int, int]] = []
    at = 0
    for start, end in cuts:
        if start > at:
            kept.append((at, start))
        at = max(at, end)
    if at < len(text) or not kept:
        kept.append((at, len(text)))
    if len(kept) == 1 and kept[0][0] == 0:
        return _prefix(sk, kept[0][1], markup, letters, points)
    parts = []
    ranges = []  # the skeleton range of each stretch
    marks = sk.start_bytes[0] if sk.start_bytes else None
    bounds = []  # each stretch's part of the new text's Skeleton.bounds
    out = 0  # where the stretch begins in the new text
    size = 0  # skeleton characters before it
    before = 0  # the class of the character before it in the new text
    same_starts = True  # whether each stretch's word starts are those it had
    for begin, end in kept:
        i0, i1 = sk.offsets.searchsorted([begin, end]).tolist()
        ranges.append((i0, i1))
        k0, k1 = sk.starts.searchsorted([i0, i1]).tolist()
        shift = out - begin
        word_starts = sk.starts[k0:k1] - (i0 - size) if i0 != size else sk.starts[k0:k1]
        if marks is not None:
            bounds.append(marks[i0:i1])
        if begin and i1 > i0 and int(sk.offsets[i0]) == begin:
            # the stretch opens with a word character: whether a word starts there depends on
            # the character now before it (a stretch that opens the text keeps its starts; and
            # no markup touches a cut, so the character is the text's own)
            first = int(table[ord(text[begin])])
            started = k1 > k0 and int(sk.starts[k0]) == i0
            if started:
                word_starts = word_starts[1:]
            starts_here = bool(rule[8 * before + first])
            same_starts = same_starts and starts_here == started
            if starts_here:
                word_starts = np.concatenate(([size], word_starts))
            if marks is not None:
                bounds[-1] = (b"\x01" if starts_here else b"\x00") + bounds[-1][1:]
        n0, n1 = sk.newlines.searchsorted([begin, end]).tolist()
        # (views where nothing moves: a text cut only at its end costs no copies)
        parts.append(
            (
                sk.chars[i0:i1],
                sk.offsets[i0:i1] + shift if shift else sk.offsets[i0:i1],
                word_starts,
                sk.newlines[n0:n1] + shift if shift else sk.newlines[n0:n1],
            )
        )
        if end > begin:
            before = int(table[ord(text[end - 1])])
        out += end - begin
        size += i1 - i0
    cut = _joined(parts, markup, letters, points, (sk, ranges))
    if sk.decoded:
        # (the letters that stay, as the text's letters had them: no decoding again)
        cut.decoded.append("".join(sk.decoded[0][i0:i1] for i0, i1 in ranges))
    if marks is not None:
        cut.start_bytes.append(b"".join(bounds) + b"\x01")
    if len(ranges) == 1 and same_starts:
        # one stretch of the text, its windows those of the whole text there
        cut.whole.append((sk, ranges[0][0]))
    return cut


def after_cuts(sk: Skeleton, text: str, cuts: Sequence[tuple[int, int]], cut_text: str) -> Skeleton:
    """The skeleton of ``cut_text``, ``text`` (whose skeleton is ``sk``) with the character
    ranges ``cuts`` (sorted, disjoint) taken out: :func:`without`, or where markup near a cut
    changed, a skeleton built anew whose markup is carried over from ``sk`` but around those
    cuts (:func:`~dedup.markup.markup_recut`: the scan for markup costs more than the rest).

    >>> text = "Intro <b>x</b> end"
    >>> after_cuts(skeleton(text), text, [(10, 12)], "Intro <b>xb> end").markup
    [(6, 9)]
    """
    cut = without(sk, text, cuts)
    if cut is not None:
        return cut
    scan = markup_recut(text, cut_text, sk.markup, sk.markup_letters, sk.marks, cuts)
    return skeleton(cut_text, scan)


def _prefix(
    sk: Skeleton,
    end: int,
    markup: list[tuple[int, int]],
    letters: dict[int, int],
    at: list[int],
) -> Skeleton:
    """The skeleton of the text's first ``end`` characters, from ``sk``: views of its arrays
    and copies of the start of its lists. (A line break before ``end`` lands on the same
    skeleton position as in the whole text, so the edges before the cut stay as they are.)"""
    i1 = int(sk.offsets.searchsorted(end))
    n1 = bisect_left(sk.newline_list, end)
    m = bisect_left(sk.edge_list, i1)
    return Skeleton(
        chars=sk.chars[:i1],
        offsets=sk.offsets[:i1],
        starts=sk.starts[: int(sk.starts.searchsorted(i1))],
        newlines=sk.newlines[:n1],
        newline_list=sk.newline_list[:n1],
        edges=sk.edges[:m],
        edge_list=sk.edge_list[:m],
        blank_upto=sk.blank_upto[: m + 1],
        size=i1,
        markup=markup,
        markup_letters=letters,
        marks=at,
        decoded=[sk.decoded[0][:i1]] if sk.decoded else [],
        start_bytes=[sk.start_bytes[0][:i1] + b"\x01"] if sk.start_bytes else [],
        line_bytes=[sk.line_bytes[0][:i1] + b"\x01"] if sk.line_bytes else [],
        whole=[(sk, 0)],
    )
