"""Moving what only a removed copy has into the copy that is kept.

When :func:`dedup.repair` removes one copy of a pair, a paragraph that only the removed copy
holds (the kept copy lost it) would be lost with it. Each stretch of the removed copy that its
twin does not align with, and that the text has nowhere else (:func:`elsewhere`) or, for a
flattened copy, fewer times than the copy has it (:func:`fewer_outside`), goes into the kept
copy between the kept lines that hold its neighbours' twins, as a paragraph of its own
(:func:`moves`). This module also holds the line geometry (:class:`Lines`) and the
decisions (:class:`Decision`) that repair makes and that the moves fill in.

>>> import dedup
>>> paras = ["The first paragraph of the story is long enough to matter to anyone.",
...          "The second paragraph is the one that the page lost on its way here.",
...          "The third paragraph closes the story with a line or two of its own."]
>>> page = paras[0] + "\\n\\n" + paras[2] + "\\n\\n" + "".join(paras)
>>> result = dedup.repair(page)
>>> [(e.action, e.reason) for e in result.edits]
[('move', 'missing-from-kept-copy'), ('remove', 'flattened-copy')]
>>> result.text == "\\n\\n".join(paras)
True
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Container
from dataclasses import dataclass, field
from heapq import heappop, heappush
from itertools import pairwise
from typing import Any

import numpy as np
import regex

from dedup.chains import Candidate
from dedup.chars import no_space, word_characters
from dedup.classify import quote_label
from dedup.markup import marks
from dedup.measures import (
    COLONS,
    TERMINAL_MARK,
    ends_line,
    glued_edges,
    reads_as_text,
    starts_line,
    swapped,
)
from dedup.model import Span
from dedup.signs import in_script, whole_value
from dedup.tokens import Skeleton, skeleton

__all__ = [
    "CLOSING",
    "TERMINAL",
    "Decision",
    "Kept",
    "Letters",
    "Lines",
    "Outside",
    "elsewhere",
    "fewer_outside",
    "moves",
    "quote_opening",
    "word_breaks",
]

# The end of a sentence in Chinese or Japanese (ideographic or full-width terminal punctuation,
# and its closing quotes or brackets): no space follows it, so it is where sentences meet.
_CJK_ENDS = "\u3002\uff01\uff1f\uff61"
_CJK_END = rf"(?<=[{_CJK_ENDS}][\p{{Pe}}\p{{Pf}}\"']?)"
_CJK_ENDS_FOUND = regex.compile(f"[{_CJK_ENDS}]")
# Punctuation that closes the sentence before a glued copy, and the end of a copy's sentence:
# its terminal punctuation and closing quotes or brackets in either order (``flaws"?``).
CLOSING = regex.compile(r"[\s\p{Pe}\p{Pf}\"'\p{Terminal_Punctuation}\u2026]*")
TERMINAL = regex.compile(rf"(?:{TERMINAL_MARK}|[\u2026\p{{Pe}}\p{{Pf}}\"'])*")
# Fewer letters and digits than an anchor's width divided by this are not worth moving: a
# stray number or initial.
_MIN_MOVE = 3
# How many of the kept lines on each side of a moved piece's place it is told to have run
# into (:func:`_without_neighbour_runs`).
_NEIGHBOUR_RUN = 4
# A line of fewer letters and digits than this is no line a piece is told to be made of.
_WHOLE_LINE = 3
# The colon of a quote's label (``Quote:``, ``Alice said:``), with the quote after it on the
# same line: looked for in the first ``min_chars`` characters of a piece (a label is shorter).
_LABEL_COLON = regex.compile(rf"[{COLONS}][ \t]*(?=\S)")
# Where glued parts of a flattened copy meet: punctuation or a lower-case letter directly
# followed by a capitalised word or a list bullet; the end of a Chinese or Japanese sentence.
_GLUE_POINT = r"(?<=[\p{Ll}\p{N}.!?:;\u2026\p{Pe}\p{Pf}])(?=\p{Lu}\p{Ll}|[-\u2022*\u2013\u2014] )"
# Where a flattened copy may have joined two sentences that stood apart in the page (the lines
# between them lost): a sentence's end and the space after it, or a Chinese or Japanese one.
_SENTENCE_GAP = r"(?<=\p{L}[.!?\u2026][\p{Pe}\p{Pf}\"']?)\s+"
# Both, without and with the ends of Chinese and Japanese sentences (whose lookbehind at every
# character costs, in a text that has none of them, more than the rest of the pattern).
_SPLITS = (
    (regex.compile(_GLUE_POINT), regex.compile(_SENTENCE_GAP)),
    (
        regex.compile(_GLUE_POINT + rf"|{_CJK_END}(?=\S)"),
        regex.compile(_SENTENCE_GAP + rf"|{_CJK_END}\s*"),
    ),
)


def _splits(text: str) -> tuple[regex.Pattern[str], regex.Pattern[str]]:
    """The patterns of the glue points and the sentence gaps for ``text``."""
    return _SPLITS[_CJK_ENDS_FOUND.search(text) is not None]


# A space before a capital: where a flattened copy joined a heading to the text beside it with
# a space alone (``About this item Item description``).
_HEADING_GAP = regex.compile(r"\s+(?=\p{Lu})")
# What parts two words in a copy: white space, an escaped line break or tab. (Not a tag: an
# inline one joins a drop capital to the rest of its word.)
_PARTS = regex.compile(r"\s|\\+[nrt]")
_GLUED = regex.compile(r"(?<=\p{Ll}{2}[.!?\u2026][\p{Pe}\p{Pf}\"']?)(?=\p{Lu}\p{Ll})")


@dataclass(slots=True)
class Lines:
    """Line geometry of a text: start and end offset of each line (without its ``\\n``)."""

    starts: Any
    ends: Any

    @classmethod
    def of(cls, text: str, sk: Skeleton) -> Lines:
        nl = sk.newlines
        # (filled in place: ``np.concatenate`` of a list and an array would build each one
        # twice over, the list as an array and ``nl + 1`` on its own)
        starts = np.empty(len(nl) + 1, dtype=nl.dtype)
        starts[0] = 0
        np.add(nl, 1, out=starts[1:])
        ends = np.empty(len(nl) + 1, dtype=nl.dtype)
        ends[:-1] = nl
        ends[-1] = len(text)
        return cls(starts, ends)


@dataclass(slots=True)
class Decision:
    """What repair does with one pair of copies: which goes, the characters cut, the kept
    copy, and the pieces that move into it (offset, text), which :func:`moves` fills in."""

    cand: Candidate
    removed_first: bool  # the first copy (a) is the one removed
    kept: Span
    cut: tuple[int, int]  # the character range that goes
    gone: tuple[int, int]  # the removed copy, in skeleton positions
    keep: tuple[int, int]  # the kept copy, in skeleton positions
    reason: str
    moves: list[tuple[int, str]] = field(default_factory=list)


class Letters:
    """The letters of a pass's skeleton, asked whether a string occurs outside the removed copy
    (:meth:`outside`), through the skeleton's :meth:`~dedup.tokens.Skeleton.find` (an index of
    the letters once a long text has been asked about many times: a text whose paragraphs recur
    all over it asks thousands of times for numbers and names it has nowhere else).

    >>> from dedup.tokens import skeleton
    >>> letters = Letters(skeleton("A new line. The old line. A new line."))
    >>> rest = letters.outside(0, 8)  # the first "A new line" is the removed copy
    >>> "anewline" in rest, "theoldline" in rest, "newlinethe" in rest
    (True, True, False)
    """

    __slots__ = ("lines", "sk")

    def __init__(self, sk: Skeleton) -> None:
        self.sk = sk
        # the text's lines by key, for :class:`_WholeLines` (built on first use)
        self.lines: str | None = None

    def outside(self, lo: int, hi: int) -> Outside:
        """The letters but ``[lo, hi)``: ``part in letters.outside(lo, hi)`` is
        ``part in text[:lo] + "\\n" + text[hi:]``, ``text`` the skeleton's letters."""
        return Outside(self, self.sk.letters(), lo, hi)


class Outside:
    """The letters ``text`` of a :class:`Letters` but a window ``[lo, hi)`` (the removed copy),
    as a container of strings: ``part in outside``."""

    __slots__ = ("hi", "letters", "lo", "text")

    def __init__(self, letters: Letters, text: str, lo: int, hi: int) -> None:
        self.letters, self.text, self.lo, self.hi = letters, text, lo, hi

    def __contains__(self, part: object) -> bool:
        if not isinstance(part, str):
            return False
        text, lo, hi = self.text, self.lo, self.hi
        if "\n" in part:
            return part in text[:lo] + "\n" + text[hi:]
        sk = self.letters.sk
        return sk.find(part, 0, lo) >= 0 or sk.find(part, hi) >= 0


class Kept:
    """The letters of a :class:`Letters` outside every copy one pass removes (``gone``, sorted
    skeleton ranges), and those of the pieces it moves or leaves in place so far, as a
    container of strings: where a piece of one removed copy found in another removed copy
    still has its only copy (built on first use; most passes remove one copy)."""

    __slots__ = ("gone", "letters", "moved", "outside")

    def __init__(self, letters: Letters, gone: list[tuple[int, int]]) -> None:
        self.letters, self.gone = letters, gone
        self.outside: str | None = None
        self.moved = ""  # the pieces added so far, a line each

    def add(self, piece: str) -> None:
        """Count ``piece`` (letters) as in the text from now on: it moved, or it stays."""
        self.moved += "\n" + piece

    def __contains__(self, part: object) -> bool:
        if not isinstance(part, str):
            return False
        if self.outside is None:
            text, at, parts = self.letters.sk.letters(), 0, []
            for lo, hi in self.gone:
                parts.append(text[at:lo])
                at = max(at, hi)
            parts.append(text[at:])
            self.outside = "\n".join(parts)
        return part in self.outside or part in self.moved


def _separator(text: str, lines: Lines, line: int) -> str:
    """The paragraph separator the text uses after ``line`` (``\\n\\n`` or ``\\n``)."""
    end = int(lines.ends[line])
    if end < len(text):
        return "\n\n" if text.startswith("\n\n", end) else "\n"
    start = int(lines.starts[line])
    return "\n\n" if start >= 2 and text[start - 2 : start] == "\n\n" else "\n"


def moves(
    text: str,
    sk: Skeleton,
    lines: Lines,
    decision: Decision,
    matched: Any,
    width: int,
    letters: Letters,
    *,
    stays: int,
    min_chars: int,
    kept: Kept | None = None,
) -> list[tuple[int, int]]:
    """Find what only the removed copy has and where it goes in the kept copy (``width``: an
    anchor's, the windows that tell a piece found elsewhere from a new one; ``letters``: the
    skeleton's, where pieces are looked for). A piece of script data that does not read as
    words (keys, values and ids only the removed copy's data holds) is no paragraph the page
    lost, and does not move.

    Returns the pieces of ``stays`` letters or more that have no place in the kept copy
    (skeleton ranges): a variant of a kept paragraph is never that long, so such a piece is
    text only the removed copy holds, and it stays where it is. ``kept`` (where the pass removes
    more than one copy) holds the letters outside all of them: a piece the text has only in
    another copy the pass removes is this copy's own. A piece that opens with a quote's label
    (:func:`quote_opening`; labels of ``min_chars / 2`` letters at most) that the text does
    not hold with the quote's first words after it is a reply's quote the kept copy lost, and
    moves though the text has its words: in the post it quotes."""
    cand = decision.cand
    lo, hi = decision.gone
    if hi <= lo:
        return []
    own = ~matched[lo:hi]
    if not np.count_nonzero(own):
        return []
    padded = np.zeros(hi - lo + 2, dtype=bool)
    padded[1:-1] = own
    edges = (padded[1:] != padded[:-1]).nonzero()[0]  # where each piece of its own starts, ends
    # (a stray number or initial is not worth moving, nor looking for: a copy that has no
    # other piece of its own moves nothing, and its runs are not sorted)
    found = [
        (u0, u1)
        for u0, u1 in zip((edges[0::2] + lo).tolist(), (edges[1::2] + lo).tolist(), strict=True)
        if (u1 - u0) * _MIN_MOVE >= width
    ]
    if not found:
        return []
    # (removed start, removed end, kept start, kept end) of every run, in removed-copy order
    pieces = sorted(
        ((r.a0, r.a1, r.b0, r.b1) if decision.removed_first else (r.b0, r.b1, r.a0, r.a1))
        for r in cand.runs
    )
    rest = letters.outside(lo, hi)
    flattened = cand.kind == "flattened"
    whole: _WholeLines | None = None
    homeless = []
    for u0, u1 in found:
        if not flattened:
            u0, u1 = _whole_lines_of(sk, u0, u1)
            if u1 <= u0:
                continue
        place = _place(sk, pieces, (u0, u1), width)
        if place is None and u1 - u0 < stays:
            # (no place in the kept copy, and too short to stay: whatever the text has
            # elsewhere, the piece neither moves nor stays, and is not looked for)
            continue
        if _swapped_in_twin(sk, pieces, u0, u1):
            continue  # the kept copy's text at the same place, with a typo: no paragraph
        repeated = False
        if elsewhere(text, sk, u0, u1, rest, width) and (
            kept is None or elsewhere(text, sk, u0, u1, kept, width)
        ):
            # the text has it, elsewhere than the copies' alignment suggests (a piece that a
            # flattened copy has more often than the rest of the text, or a glued part of it,
            # is a repeated line the kept copy lost, however short, and moves: the lines the
            # text holds whole are then no sign of old text)
            repeated = flattened and _repeated_line(text, sk, lo, hi, u0, u1)
            if not repeated and not _quote_again(text, sk, (u0, u1), rest, min_chars, width):
                continue
        if flattened and not repeated:
            if whole is None:
                gone = [(lo, hi), *(kept.gone if kept else [])]
                whole = _WholeLines(text, sk, lines, gone, letters)
            if whole.cover(text, sk, u0, u1):
                continue  # lines the text holds whole, glued without the lines between them
        start, end = sk.text_range(u0, u1)
        # (a count of spaces first: most pieces read as words, and the signs of script data
        # around a piece, which may be looked for far from it, are then not read)
        if not reads_as_text(text[start:end], u1 - u0) and in_script(text, start, end):
            continue  # script data (keys and values) only the removed copy holds: no paragraph
        if place is not None:
            glued = None if repeated else whole
            _move_one(text, sk, lines, decision, place, (u0, u1), width, glued)
        elif u1 - u0 >= stays:
            homeless.append((u0, u1))
        if kept is not None and (place is not None or u1 - u0 >= stays):
            kept.add(sk.letters(u0, u1))
    return homeless


def _quote_again(
    text: str,
    sk: Skeleton,
    piece: tuple[int, int],
    rest: Container[str],
    min_chars: int,
    width: int,
) -> bool:
    """Whether the piece ``[u0, u1)``, whose words ``rest`` holds, is a reply's quote that the
    kept copy lost: it opens with a quote's label (:func:`quote_opening`), and ``rest`` does not
    hold the label's letters with the quote's first ``width`` after them (a sentence whose
    colon reads as a label, ``The vote is in: the motion passed``, or a spec line, ``SUPPORT:
    FAQ, Forum``, is the text's own again, whatever else differs further on)."""
    u0, u1 = piece
    at = quote_opening(text, *sk.text_range(u0, u1), min_chars)
    if at < 0:
        return False
    quoted = int(sk.offsets.searchsorted(at))
    return sk.letters(u0, min(u1, quoted + width)) not in rest


def quote_opening(text: str, start: int, end: int, min_chars: int) -> int:
    """Where the quote starts in ``text[start:end]`` when the piece opens with a quote's label
    (:func:`~dedup.classify.quote_label` with ``min_chars``: ``Quote:``, ``Alice said:``) whose
    colon lies within the piece's first ``min_chars`` characters, the quote after it on its
    line (``min_chars / 2`` letters or more, as long as the longest label): a reply that quotes
    a post. -1 where it does not. The text has the quote's words, in the post; the reply holds
    them again on purpose, so they are no sign that the piece is old text a flattened copy
    rearranged.

    >>> said = "The yeast has eaten through all of the flour you gave it."
    >>> page = f"Ann\\n{said}\\nQuote: {said}\\nSo true."
    >>> start = page.index("Quote")
    >>> quote_opening(page, start, page.index("\\nSo"), 80) == start + len("Quote: ")
    True
    >>> quote_opening(page, page.index("The"), page.index("\\nQuote"), 80)
    -1
    >>> page = "Colour: black, white or light blue\\nPrice: 129"
    >>> quote_opening(page, 0, len(page), 80)
    -1
    """
    colon = _LABEL_COLON.search(text, start, min(end, start + min_chars))
    if colon is None or text.find("\n", start, colon.start()) >= 0:
        return -1
    line_end = text.find("\n", colon.end(), end)
    quoted = text[colon.end() : end if line_end < 0 else line_end]
    if 2 * sum(map(str.isalnum, quoted)) < min_chars:
        return -1  # (a field's short value, ``Colour: black, white``: no quote)
    return colon.end() if quote_label(text, colon.end(), min_chars) is not None else -1


def _whole_lines_of(sk: Skeleton, u0: int, u1: int) -> tuple[int, int]:
    """A piece over several lines of a removed copy that keeps its lines (no flattened copy),
    without the ends of lines it begins or ends inside: the rest of such a line aligned with a
    line of the kept copy, and what the piece holds of it is that line's variant (another
    value in a row of a table: ``- - Yes Yes Yes`` under ``- - - Yes Yes``), no paragraph of
    its own to move.

    >>> from dedup.tokens import skeleton
    >>> sk = skeleton("Row one - Yes Yes Yes\\nA line of its own\\nRow two")
    >>> u0, u1 = _whole_lines_of(sk, sk.letters().index("yesyesyes") + 6, len(sk) - 3)
    >>> sk.letters(u0, u1)
    'alineofitsown'
    """
    if sk.line(u0) == sk.line(u1 - 1):
        return u0, u1
    if sk.line_start(u0) < u0:
        u0 = sk.line_end(u0)
    if u1 < sk.line_end(u1 - 1):
        u1 = sk.line_start(u1 - 1)
    return u0, u1


class _WholeLines:
    """The keys (:func:`_key`) of the text's lines outside the copies a pass removes, to tell
    whether a piece of a flattened copy is whole lines of the text glued one to the next.

    A flattened copy that left out the lines between two of the page's lines (its headings, or
    the lines of prose broken short that end no sentence) glues the lines it kept without a
    space where the page broke them mid-sentence (``prompt.bits, 1 stop bit``): no glue point
    parts them, yet the text holds every one of them as a line of its own, so the piece is no
    paragraph the kept copy lost.

    >>> from dedup.tokens import skeleton
    >>> text = "the BOOT\\nprompt.\\n8 data\\nbits, 1 stop bit.\\nBOOTprompt.bits, 1 stop bit."
    >>> sk = skeleton(text)
    >>> lo = len(sk.letters()) - len("bootpromptbits1stopbit")
    >>> whole = _WholeLines(text, sk, Lines.of(text, sk), [(lo, len(sk))])
    >>> start = lo + len("boot")
    >>> whole.cover(text, sk, start, len(sk)), whole.cover(text, sk, start, len(sk) - 3)
    (True, False)
    """

    __slots__ = ("cuts", "keys", "lines")

    def __init__(
        self, text: str, sk: Skeleton, lines: Lines, gone: list[tuple[int, int]],
        letters: Letters | None = None,
    ) -> None:  # fmt: skip
        keys = letters.lines if letters is not None else None
        if keys is None:
            keys = _line_keys(text)
            if letters is not None:
                letters.lines = keys
        self.keys, self.lines = keys, lines
        # the character ranges of the removed copies, sorted, as two lists
        cuts = sorted(sk.text_range(g0, g1) for g0, g1 in gone if g1 > g0)
        self.cuts = ([c0 for c0, _ in cuts], [c1 for _, c1 in cuts])

    def _lengths(self, head: str) -> set[int]:
        """The lengths of the keys of ``_WHOLE_LINE`` letters or more that start with ``head``
        (``_WHOLE_LINE`` letters)."""
        keys = self.keys
        found: set[int] = set()
        if len(head) < _WHOLE_LINE:
            return found  # (the piece's last letters: no key starts there)
        at = keys.find("\n" + head)
        while at >= 0:
            end = keys.find("\n", at + 1)
            found.add(end - at - 1)
            at = keys.find("\n" + head, end)
        return found

    def _outside(self, key: str) -> bool:
        """Whether a line whose key is ``key`` stands outside every removed copy."""
        starts, ends = self.cuts
        keys, wanted = self.keys, "\n" + key + "\n"
        at = keys.find(wanted)
        while at >= 0:
            line = keys.count("\n", 0, at)  # (the keys hold a break before each line)
            start, end = int(self.lines.starts[line]), int(self.lines.ends[line])
            k = bisect_right(starts, start) - 1  # the last cut that starts at or before it
            if (k < 0 or ends[k] <= start) and (k + 1 >= len(starts) or starts[k + 1] >= end):
                return True
            at = keys.find(wanted, at + 1)
        return False

    def cover(self, text: str, sk: Skeleton, u0: int, u1: int) -> bool:
        """Whether the piece ``[u0, u1)`` (skeleton range) is two lines of the text or more,
        each whole, one after the other."""
        start, end = sk.text_range(u0, u1)
        return self.covers(_key(text[start:end]))

    def without_glued_lines(self, piece: str) -> str:
        """``piece`` (text) without its glued parts that are each two lines of the text or
        more (:meth:`covers`): of a piece that also holds a paragraph the kept copy lost, only
        that paragraph moves."""
        glue, _ = _splits(piece)
        parts = glue.split(piece)
        if len(parts) < 2:
            return piece
        return "".join(part for part in parts if not self.covers(_key(part))).strip()

    def covers(self, piece: str) -> bool:
        """Whether ``piece`` (a key) is the keys of two lines or more, one after the other."""
        n = len(piece)
        if n < 2 * _WHOLE_LINE:
            return False
        # the lengths of the first lines the piece holds, each found from where the one before
        # it ends (a line's key followed by another's, up to the piece's end); the places are
        # taken in order from a heap, not by a walk over every letter: a line's key is never
        # empty, so that all the lines that end at a place are known before it is taken
        reach = {0: 0}  # where a line may start -> the most lines before it
        places = [0]
        while places:
            at = heappop(places)
            for length in self._lengths(piece[at : at + _WHOLE_LINE]):
                stop = at + length
                if stop <= n and reach.get(stop, 0) <= reach[at] and self._outside(piece[at:stop]):
                    if stop not in reach:
                        heappush(places, stop)
                    reach[stop] = reach[at] + 1
        return reach.get(n, 0) >= 2


def _line_keys(text: str) -> str:
    """The keys (:func:`_key`) of the text's lines, each after a line break and the last
    before one: ``"\\n" + key + "\\n"`` is found in it where a line's key is ``key``, and a
    line's number is the count of breaks before it. (Every line's key from one pass: the lines
    are the text's ``\\n``-parts, and lower-casing the keys joined by line breaks is
    lower-casing each: a break is no letter a case rule reads.)

    >>> _line_keys("The BOOT\\nprompt.")
    '\\ntheboot\\nprompt\\n'
    """
    return "\n" + word_characters(text, lines=True, lower=True) + "\n"


def fewer_outside(sk: Skeleton, lo: int, hi: int, u0: int, u1: int) -> bool:
    """Whether the text outside the removed copy ``[lo, hi)`` has the piece ``[u0, u1)`` whole,
    letter for letter, but fewer times than the removed copy has it: a line the page repeats
    (a price, a label under each product) that the kept copy lost one of, which the removed
    copy still holds every time.

    >>> from dedup.tokens import skeleton
    >>> sk = skeleton("Blue shirt\\nSize S.\\nRed shirt\\nBlue shirt Size S. Red shirt Size S.")
    >>> lo, end = len("blueshirtsizesredshirt"), len(sk)
    >>> fewer_outside(sk, lo, end, end - 5, end), fewer_outside(sk, lo, end, lo, lo + 9)
    (True, False)
    """
    letters = sk.letters()
    part = letters[u0:u1]
    inside = letters.count(part, lo, hi)
    if inside < 2:
        return False  # (most pieces: the copy has them once, and the rest is not read)
    outside = letters.count(part, 0, lo) + letters.count(part, hi)
    return 0 < outside < inside


def _repeated_line(text: str, sk: Skeleton, lo: int, hi: int, u0: int, u1: int) -> bool:
    """Whether the piece ``[u0, u1)`` of the flattened copy ``[lo, hi)``, or one of its glued
    parts, is held fewer times outside the copy than inside (:func:`fewer_outside`): a line
    the page repeats that the kept copy lost once, which the flattened copy may have glued to
    the line before or after it (``1 week agoWould you like a 4 day work week?``).

    >>> from dedup.tokens import skeleton
    >>> page = ("1 week ago\\n2 days ago\\nAsk about a four day week.\\n"
    ...         "1 week agoAsk about a four day week.2 days agoAsk about a four day week.")
    >>> sk = skeleton(page)
    >>> lo = len(skeleton("1 week ago\\n2 days ago\\nAsk about a four day week."))
    >>> u1 = lo + len(skeleton("1 week agoAsk about a four day week"))
    >>> fewer_outside(sk, lo, len(sk), lo, u1), _repeated_line(page, sk, lo, len(sk), lo, u1)
    (False, True)
    >>> page = page.replace("2 days agoAsk", "2 days ago")  # (as often as the rest: no)
    >>> sk = skeleton(page)
    >>> _repeated_line(page, sk, lo, len(sk), lo, u1)
    False
    """
    if fewer_outside(sk, lo, hi, u0, u1):
        return True
    start, end = sk.text_range(u0, u1)
    glue, _ = _splits(text[start:end])
    parts = glue.split(text[start:end])
    if len(parts) < 2:
        return False
    at = u0
    for part in parts:
        n = len(_key(part))
        if n and fewer_outside(sk, lo, hi, at, at + n):
            return True
        at += n
    return False


def elsewhere(text: str, sk: Skeleton, u0: int, u1: int, rest: Container[str], width: int) -> bool:
    """Whether the text has the piece ``[u0, u1)`` in ``rest``, the letters outside the removed
    copy (:meth:`Letters.outside`).

    It does when every glued part or sentence of it occurs there (all but one, which occurs
    there but for two neighbouring letters swapped: a second rendering's typo), or when most
    of its anchor-wide windows do: a missing paragraph is new text, while a list or code that
    the flattened copy ran together, or sentences it joined after losing the lines between
    them, are old text in a new arrangement.

    >>> from dedup.tokens import skeleton
    >>> page = ("Queues\\nEach queue is small.\\nOverflow\\nHalf of them are moved to the"
    ...         " global queue.\\nEach queue is small. Half of them are omved to the global queue.")
    >>> sk = skeleton(page)
    >>> lo = len(sk) - len(skeleton("Each queue is small. Half of them are omved to the global"
    ...                             " queue."))
    >>> elsewhere(page, sk, lo, len(sk), Letters(sk).outside(lo, len(sk)), 24)
    True
    >>> page = page.replace("are omved", "are sent")
    >>> sk = skeleton(page)
    >>> lo = len(sk) - len(skeleton("Each queue is small. Half of them are sent to the global"
    ...                             " queue."))
    >>> elsewhere(page, sk, lo, len(sk), Letters(sk).outside(lo, len(sk)), 24)
    False
    """
    start, end = sk.text_range(u0, u1)
    glue, gap = _splits(text[start:end])
    parts = (
        _key(part) for glued_part in glue.split(text[start:end]) for part in gap.split(glued_part)
    )
    missing = None
    for part in parts:
        if part and part not in rest:
            if missing is not None:
                break  # (two parts the text lacks: no typo of a part it has)
            missing = part
    else:
        # every part, or all but one that the text has but for two neighbouring letters
        # swapped (a second rendering's typo in sentences a flattened copy rearranged)
        if missing is None or _swapped_in(missing, rest):
            return True
    letters = sk.letters(u0, u1)
    if len(letters) < 2 * width:
        # too short for the windows: a piece the text has but for two neighbouring letters
        # swapped is the text's line with a second rendering's typo (a copy's last line,
        # past a heading the copy left out), not a paragraph of its own
        return _swapped_in(letters, rest)
    windows = range(0, len(letters) - width + 1, width // 2)
    # (the windows are looked for until the outcome is certain: a window the text lacks costs
    # a scan of the whole of it)
    need = (len(windows) + 1) // 2  # found * 2 >= len(windows)
    spare = len(windows) - need  # how many may be missing
    for k in windows:
        if letters[k : k + width] in rest:
            need -= 1
            if not need:
                return True
        else:
            spare -= 1
            if spare < 0:
                return False
    return need <= 0


def _swapped_in(letters: str, rest: Container[str]) -> bool:
    """Whether ``rest`` holds ``letters`` with two neighbouring letters swapped (:func:`swapped`).
    Such a twin, swapped at ``k``, holds ``letters[:k]`` and ``letters[k + 2:]`` unchanged: the
    longest beginning of ``letters`` that ``rest`` holds and the longest end (the one before the
    middle but one or the one after it first) bound the places a swap can lie, and only those
    are looked for (each look is a scan of the text).

    >>> _swapped_in("lastline", "thelsatline"), _swapped_in("lastline", "thelostline")
    (True, False)
    >>> _swapped_in("ab" * 9 + "cd", "ab" * 9 + "dc"), _swapped_in("dc" + "ab" * 9, "cd" + "ab" * 9)
    (True, True)
    """
    n = len(letters)
    half = n // 2
    if n < 4:
        return False
    if letters[: half - 1] in rest:
        held, beyond = half - 1, n - 1
    elif letters[half + 1 :] in rest:
        held, beyond = 0, half - 1
    else:
        return False
    # the longest beginning held that a swap can follow (``n - 2`` letters at most) is
    # ``letters[:k]`` for some ``k`` in ``[held, beyond)``
    while beyond - held > 1:
        mid = (held + beyond) // 2
        if letters[:mid] in rest:
            held = mid
        else:
            beyond = mid
    last = held  # no swap lies past it
    if last + 2 < n and letters[last + 2 :] not in rest:
        return False
    # the longest end held that a swap at ``last`` or before can precede is ``letters[k:]``
    # for some ``k`` in ``(beyond, held]`` (``letters[2:]`` at most)
    beyond, held = 1, last + 2
    while held - beyond > 1:
        mid = (held + beyond) // 2
        if letters[mid:] in rest:
            held = mid
        else:
            beyond = mid
    first = held - 2  # no swap lies before it, less the two letters swapped
    for k in range(first, last + 1):
        one, two = letters[k], letters[k + 1]
        if (
            one != two
            and one.isalpha()
            and two.isalpha()
            and letters[:k] + two + one + letters[k + 2 :] in rest
        ):
            return True
    return False


def _swapped_in_twin(sk: Skeleton, runs: list[tuple[int, int, int, int]], u0: int, u1: int) -> bool:
    """Whether the stretch ``[u0, u1)`` of a removed copy is what its twin has at the same place
    with two neighbouring letters swapped (:func:`swapped`): between the twins of the runs
    around it, or, where it opens or closes the copy, right before the twin of the run after
    it or right after the twin of the run before it. It is the twin's text with a typo, not a
    paragraph the twin lacks. (Only a swap: text that differs more, a line with other
    numbers, may be a paragraph of its own.)"""
    n = u1 - u0
    before = [r[3] for r in runs if r[1] == u0]
    after = [r[2] for r in runs if r[0] == u1]
    if before and after:
        t0, t1 = max(before), min(after)
    elif after:
        t1 = min(after)
        t0 = t1 - n
    elif before:
        t0 = max(before)
        t1 = t0 + n
    else:
        return False
    if t0 < 0 or t1 > len(sk) or t1 - t0 != n:
        return False
    return swapped(sk.letters(u0, u1), sk.letters(t0, t1))


def _key(text: str) -> str:
    """The letters and digits of ``text``, lower-cased: what two copies share whatever their
    spacing and punctuation, and, as the skeleton reads them, whatever their markup (tags,
    entity references, escapes: ``Creativity &amp;&nbsp;Innovation``, ``Press <ESCAPE> to``),
    so that a piece is looked for by the letters the text outside the copy is read as.

    >>> _key("Creativity &amp;&nbsp;Innovation"), _key("Creativity & Innovation")
    ('creativityinnovation', 'creativityinnovation')
    """
    if not marks(text):  # (no character that starts markup: the letters one by one)
        return word_characters(text, lower=True)
    return skeleton(text).letters()


def _content_end(text: str, lines: Lines, line: int) -> int:
    start, end = int(lines.starts[line]), int(lines.ends[line])
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _content_start(text: str, lines: Lines, line: int) -> int:
    start, end = int(lines.starts[line]), int(lines.ends[line])
    while start < end and text[start].isspace():
        start += 1
    return start


# More than any position: ``(at, _LAST)`` sorts after every tuple that starts with ``at``.
_LAST = float("inf")

Neighbours = tuple[tuple[int, int, int, int] | None, tuple[int, int, int, int] | None]


def _place(
    sk: Skeleton, pieces: list[tuple[int, int, int, int]], own: tuple[int, int], width: int
) -> tuple[Neighbours, int] | None:
    """Where in the kept copy the removed copy's own skeleton range ``own`` would go: the runs
    before and after it (``pieces``' entries, or ``None``), and the skeleton position of the
    kept line it goes before, between the kept lines that hold its neighbours' twins;
    ``None`` when it has no place there (:func:`_move_one`).

    Text of the removed copy that differs inside a kept paragraph (a typo, a changed phrase)
    is a variant, not a missing paragraph: between twins that no line start parts, nothing
    goes.

    >>> from dedup.tokens import skeleton
    >>> sk = skeleton("The cat sat on the mat.\\nIt was warm.\\n"
    ...               "The cat sat on the red mat.\\nA new line.\\nIt was warm.")
    >>> runs = [(26, 40, 0, 14), (43, 46, 14, 17), (54, 63, 17, 26)]  # (removed, kept) ranges
    >>> _place(sk, runs, (40, 43), 24) is None  # "red": inside the kept copy's first line
    True
    >>> _place(sk, runs, (46, 54), 24)[1]  # "A new line": before the kept "It was warm."
    17
    """
    u0, u1 = own
    # (the pieces are sorted by their start, and each ends at or after it: the last that ends
    # by ``u0`` starts by it, and the first that starts at ``u1`` or later is found by halving)
    prev = nxt = None
    k = bisect_right(pieces, (u0, _LAST))
    while k > 0:
        k -= 1
        if pieces[k][1] <= u0:
            prev = pieces[k]
            break
    k = bisect_left(pieces, (u1,))
    nxt = pieces[k] if k < len(pieces) else None
    if prev is not None and nxt is not None:
        low, high = sorted((prev[3], nxt[2]))
        if nxt[2] > prev[3] + width:
            # the kept copy has its own text here: only whole lines of it (a heading the
            # removed copy lacks) leave room for a missing paragraph, which goes after them
            if not (starts_line(sk, nxt[2]) and ends_line(sk, prev[3])):
                return None
            boundary = nxt[2]
        else:
            found = [k for k in range(low, high + 1) if k < len(sk) and starts_line(sk, k)]
            if not found:
                return None  # inside a paragraph of the kept copy
            boundary = found[-1]
    elif prev is not None:
        boundary = prev[3]
        if boundary < len(sk) and not starts_line(sk, boundary):
            return None
    elif nxt is not None:
        boundary = nxt[2]
        if not starts_line(sk, boundary):
            return None
    else:
        return None
    return (prev, nxt), boundary


def _move_one(
    text: str,
    sk: Skeleton,
    lines: Lines,
    decision: Decision,
    place: tuple[Neighbours, int],
    own: tuple[int, int],
    width: int,
    whole: _WholeLines | None = None,
) -> None:
    """Place the removed copy's own skeleton range ``own`` (``[u0, u1)``, ``width`` /
    ``_MIN_MOVE`` letters or more) into the kept copy, at its ``place`` there
    (:func:`_place`).

    It goes between the kept lines that hold its neighbours' twins, as a paragraph of its own.
    """
    u0, u1 = own
    (prev, nxt), boundary = place
    if prev is not None and nxt is not None:
        u0, u1, boundary = _without_kept_lines(sk, prev[3], nxt[2], u0, u1, boundary)
    # Runs that ran past the kept copy's boundary matched the piece's own first or last words
    # by chance (a paragraph that starts like its neighbour): those words belong to the piece.
    # (within the removed copy: runs of a text that repeats itself all over, tandem repeats
    # among them, may run past the boundary by more than the copy holds)
    lo, hi = decision.gone
    if prev is not None and prev[3] > boundary:
        u0 = max(lo, u0 - (prev[3] - boundary))
    if nxt is not None and nxt[2] < boundary:
        u1 = min(hi, u1 + boundary - nxt[2])
    offsets = sk.offsets
    # what the kept copy has around the twins of the piece's neighbours: in the removed copy,
    # that punctuation belongs to the neighbours
    head: str | None = None
    tail: str | None = None
    # (lines without letters or digits just before the next neighbour, an icon above a
    # title, are the next neighbour's too)
    if nxt is not None:
        k = max(nxt[2], boundary) if boundary < len(sk) else nxt[2]
        start = int(lines.starts[sk.line(k)])
        if k > 0 and sk.is_edge(k):
            start = int(lines.ends[sk.line(k - 1)])
        head = text[start : int(offsets[k])]
    if prev is not None:
        k = min(prev[3], boundary) - 1 if boundary > 0 else prev[3] - 1
        tail = text[sk.char_end(k) : int(lines.ends[sk.line(k)])]
    if boundary > 0:
        line = sk.line(boundary - 1)
        at, before_sep = _content_end(text, lines, line), True
    if boundary == 0 or decision.cut[0] < at <= decision.cut[1]:
        # first in the text, or after a line the removal takes (the removed copy comes right
        # before the kept one): the piece goes before the kept copy's first line
        line = sk.line(boundary)
        at, before_sep = _content_start(text, lines, line), False
    piece = _piece(text, sk, u0, u1, tail, head)
    above, below = _neighbour_lines(text, lines, line, before_sep, _NEIGHBOUR_RUN)
    # (the lines' keys, each once: both steps compare the piece's parts with them)
    before, after = _LineKeys(above), _LineKeys(below)
    piece = _without_neighbours(piece, before[0] if above else None, after[0] if below else None)
    piece = _without_neighbour_runs(piece, before, after)
    if whole is not None:
        piece = whole.without_glued_lines(piece)
    if not piece:
        return  # (the kept lines around its place hold it)
    if before_sep and not piece[0].isalnum():
        line, piece = _past_closing_lines(text, lines, line, piece, decision.kept.end)
        at = _content_end(text, lines, line)
    sep = _separator(text, lines, line)
    piece = _GLUED.sub(sep, piece)
    decision.moves.append((at, sep + piece if before_sep else piece + sep))


def _without_kept_lines(
    sk: Skeleton, k0: int, k1: int, u0: int, u1: int, boundary: int
) -> tuple[int, int, int]:
    """The piece ``[u0, u1)`` without the kept copy's lines between the twins of its
    neighbours' runs (``[k0, k1)``, whole lines: a heading too short to align) where it opens
    or ends with them, letter for letter, and where it goes: after them when it opened with
    them, before them when it ended with them. A flattened copy ran the heading into the
    paragraph it alone has (``Glossary Assembly PSD: ...`` for ``Glossary`` above the missing
    ``Assembly PSD: ...``); the kept copy has the heading, the piece is the paragraph.

    >>> from dedup.tokens import skeleton
    >>> sk = skeleton("Intro\\nGlossary\\nOutro\\nGlossary Term: a word\\nTerm: a word Glossary")
    >>> k0, k1, u0 = len("intro"), len("introglossary"), len("introglossaryoutro")
    >>> _without_kept_lines(sk, k0, k1, u0, u0 + len("glossarytermaword"), k1)
    (26, 35, 13)
    >>> _without_kept_lines(sk, k0, k1, 35, 52, k1)
    (35, 44, 5)
    """
    n = k1 - k0
    if not 0 < n < u1 - u0 or not (starts_line(sk, k0) and starts_line(sk, k1)):
        return u0, u1, boundary
    kept = sk.letters(k0, k1)
    if sk.letters(u0, u0 + n) == kept:
        return u0 + n, u1, k1
    if sk.letters(u1 - n, u1) == kept:
        return u0, u1 - n, k0
    return u0, u1, boundary


def _past_closing_lines(
    text: str, lines: Lines, line: int, piece: str, end: int
) -> tuple[int, str]:
    """The line a piece placed after ``line`` goes after, and the piece: past the lines
    without letters or digits that the kept copy has right after ``line`` (before ``end``,
    the kept copy's end) when the piece opens with them, in order, and without them. In the
    removed copy they come before the piece's words, so they close what stands before its
    place (a code block's ``}``), not open what follows it.

    >>> text = "int f() {\\n  return 1;\\n}\\nThe next part."
    >>> _past_closing_lines(text, Lines([0, 10, 22, 24], [9, 21, 23, 38]), 1, "} Why one.", 38)
    (2, 'Why one.')
    >>> _past_closing_lines(text, Lines([0, 10, 22, 24], [9, 21, 23, 38]), 1, "- Why one.", 38)
    (1, '- Why one.')
    """
    starts, ends = lines.starts, lines.ends
    k, found, rest = line + 1, line, piece
    while k < len(starts) and int(starts[k]) < end:
        closing = text[int(starts[k]) : int(ends[k])].strip()
        if closing:
            if _key(closing) or not rest.startswith(closing):
                break
            rest = rest[len(closing) :].lstrip()
            found, piece = k, rest
        k += 1
    return found, piece


def _neighbour_lines(
    text: str, lines: Lines, line: int, after: bool, many: int
) -> tuple[list[str], list[str]]:
    """Up to ``many`` lines with content before and after a piece placed after ``line``
    (``after``) or before it, on each side the nearest first."""

    def content(k: int, step: int) -> list[str]:
        found: list[str] = []
        while 0 <= k < len(lines.starts) and len(found) < many:
            line_text = text[int(lines.starts[k]) : int(lines.ends[k])].strip()
            if line_text:
                found.append(line_text)
            k += step
        return found

    if after:
        return content(line, -1), content(line + 1, 1)
    return content(line - 1, -1), content(line, 1)


class _LineKeys:
    """The keys (:func:`_key`) of lines (on one side of a piece's place, the nearest first),
    each taken when first asked for: a line of script data may be long, and a piece of one or
    two parts is compared with the nearest line alone."""

    __slots__ = ("keys", "lines")

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.keys: list[str] = []

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, k: int) -> str:
        keys = self.keys
        while len(keys) <= k:
            keys.append(_key(self.lines[len(keys)]))
        return keys[k]

    def nearest(self, k: int) -> list[str]:
        """The keys of the ``k`` nearest lines, the nearest first."""
        return [self[i] for i in range(k)]


def _without_neighbour_runs(piece: str, before: _LineKeys, after: _LineKeys) -> str:
    """``piece`` without the glued parts or sentences at its start that are, in order, the two
    or more kept lines right before its place, and those at its end that are the lines right
    after it: short lines (a product's name, a slogan, a signature) that no anchor aligned,
    which the flattened copy ran into the paragraph it alone has. ``before`` and ``after`` hold
    the keys of those lines."""
    glue, gap = _splits(piece)
    cuts = sorted({0, len(piece)} | {m.start() for m in glue.finditer(piece)} | {
        m.end() for m in gap.finditer(piece)
    })  # fmt: skip
    keyed = [(a, b, _key(piece[a:b])) for a, b in pairwise(cuts)]
    parts = [(a, b) for a, b, key in keyed if key]
    keys = [key for _, _, key in keyed if key]
    start, end = 0, len(parts)
    for k in range(min(len(before), len(parts) - 1), 1, -1):
        # (the k-th part is the nearest line's key, or k lines do not run into the piece)
        if keys[k - 1] == before[0] and keys[:k] == before.nearest(k)[::-1]:
            start = k
            break
    for k in range(min(len(after), end - start - 1), 1, -1):
        if keys[end - k] == after[0] and keys[end - k : end] == after.nearest(k):
            end -= k
            break
    if (start, end) == (0, len(parts)):
        return piece
    return piece[parts[start][0] : parts[end - 1][1]].strip()


def _without_neighbours(piece: str, before: str | None, after: str | None) -> str:
    """``piece`` without the glued parts or sentences at its ends that repeat the kept line it
    goes next to (``before``, ``after``: the keys (:func:`_key`) of the lines it goes after and
    before, ``None`` where there is none).

    A line shorter than an anchor (a short heading, a byline) cannot be aligned, so a flattened
    copy's piece can run into it: that part is already there.
    """
    glue, gap = _splits(piece)
    parts = [part for part in glue.split(piece) if part.strip()]
    while parts and after is not None and _key(parts[-1]) == after:
        parts.pop()
    while parts and before is not None and _key(parts[0]) == before:
        parts.pop(0)
    piece = "".join(parts).strip()
    # (the neighbour may also follow or precede the piece as a sentence after a space: a
    # paragraph the flattened copy joined to the piece as prose joins sentences)
    # (or as a heading the flattened copy joined to it with a space alone: a capital after the
    # space, and the rest of the piece the neighbour's words)
    if after and _key(piece).endswith(after):
        for m in itertools.chain(gap.finditer(piece), _HEADING_GAP.finditer(piece)):
            if _key(piece[m.end() :]) == after:
                piece = piece[: m.start()]
                break
    if before and _key(piece).startswith(before):
        for m in itertools.chain(gap.finditer(piece), _HEADING_GAP.finditer(piece)):
            if _key(piece[: m.start()]) == before:
                piece = piece[m.end() :]
                break
    return piece.strip()


def _piece(text: str, sk: Skeleton, u0: int, u1: int, tail: str | None, head: str | None) -> str:
    """The text of the removed copy's own skeleton range ``[u0, u1)``, with its punctuation.

    ``tail`` is what the kept copy has after its last letter before the piece (``None`` when
    the piece comes first), ``head`` what it has before its first letter after the piece: in
    the removed copy, those belong to the neighbours, the rest to the piece.
    """
    offsets = sk.offsets
    start, end = sk.text_range(u0, u1)
    lead = text[sk.char_end(u0 - 1) if u0 > 0 else 0 : start].lstrip()
    if tail is not None and lead.startswith(tail.strip()):
        lead = lead[len(tail.strip()) :]
    else:
        # what closes the text before the piece (a sentence end, when the piece opens the
        # removed copy) is not the piece's
        closing = CLOSING.match(lead)
        lead = lead[closing.end() :] if closing else lead
    trail = text[end : int(offsets[u1]) if u1 < len(sk) else len(text)].rstrip()
    if head is not None:
        head = head.strip()
        if head and (cut := _before_end(trail, head)) is not None:
            trail = trail[:cut]
        elif head:
            terminal = TERMINAL.match(trail)
            trail = terminal.group(0) if terminal else ""
    return (lead.lstrip() + text[start:end] + trail.rstrip()).strip()


def _before_end(text: str, end: str) -> int | None:
    """Where ``text`` ends with the last lines of ``end`` (one or more, as many as it has),
    but for white space: a flattened copy runs the lines without letters that open the kept
    line after a piece (``)`` and ``...``) together, and may lack the first of them (``=``,
    which closes the line before). ``None`` when it ends with none.

    >>> _before_end('"a")...', "=\\n)\\n..."), _before_end('"a")', "]"), _before_end("x...", "=")
    (3, None, None)
    """
    i, cut = len(text), None
    for line in reversed(end.split("\n")):
        for char in reversed(line.strip()):
            while i and text[i - 1].isspace():
                i -= 1
            if not i or text[i - 1] != char:
                return cut
            i -= 1
        if line.strip():
            cut = i
    return cut


def word_breaks(text: str, sk: Skeleton, decision: Decision) -> list[int]:
    """Where the kept copy glues two words that the removed copy parts (white space or an
    escaped line break between them), as offsets where a space goes: an extractor that joins
    block elements without a break (``0.2210.50`` for the cells ``0.22`` and ``10.50``) keeps
    the words apart only in the page's script data, whose copy goes. Not between characters
    of scripts written without spaces."""
    offsets, chars = sk.offsets, sk.chars
    found: list[int] = []
    for run in decision.cand.runs:
        r0, r1, k0 = (
            (run.a0, run.a1, run.b0) if decision.removed_first else (run.b0, run.b1, run.a0)
        )
        n = r1 - r0
        if n < 2:
            continue
        kept_at, gone_at = offsets[k0 : k0 + n], offsets[r0 : r0 + n]
        same = chars[k0 : k0 + n] == chars[r0 : r0 + n]
        glued = (np.diff(kept_at) == 1) & (np.diff(gone_at) > 1) & same[:-1] & same[1:]
        for i in np.flatnonzero(glued).tolist():
            at = int(kept_at[i]) + 1
            if no_space(text[at - 1]) or no_space(text[at]):
                continue
            if _PARTS.search(text, int(gone_at[i]) + 1, int(gone_at[i + 1])):
                found.append(at)
    gone, keep = sk.text_range(*decision.gone), sk.text_range(*decision.keep)
    if whole_value(text, *gone) and text[slice(*keep)] == text[slice(*gone)]:
        # the removed copy is a string's whole value: its edges part the kept copy from the
        # words the page glued to it
        found.extend(glued_edges(text, *keep))
    return found
