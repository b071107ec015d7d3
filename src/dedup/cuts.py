"""How much goes with a copy that repair removes.

A copy goes as its whole lines (:func:`extent`; repair takes the line break before them
along): a flattened copy with the lines right after it that repeat lines before it and the
heading it carries on a line of its own; a copy glued to the end of its kept twin from the end
of that twin; a preview with the mark where it was cut short; a copy in the page's script data
from its first letter to its sentence's end, the quotes and keys around it staying. A copy that
goes as it is, with nothing moved into its twin (an ``embedded`` or ``long`` pair), goes in the
parts between the stretches of text it has of its own (:func:`without_own_text`).

>>> from dedup.anchors import Run
>>> from dedup.chains import Candidate
>>> from dedup.model import RepairOptions
>>> text = "A short line.\\nThe same line again.\\nThe same line again.\\nThe end."
>>> page = Page.of(text, RepairOptions())
>>> cand = Candidate([Run(10, 26, 26, 42, 16)], 10, 26, 26, 42, 16, kind="adjacent")
>>> cut = extent(page, Removal(cand, (26, 42), (10, 26), removed_first=False, teaser=False))
>>> text[slice(*cut)]
'The same line again.'
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np
import regex
from rapidfuzz import fuzz

from dedup.chains import Candidate
from dedup.markup import image_text, link_around
from dedup.measures import (
    TERMINAL_MARK,
    ends_line,
    glued,
    past_cut_mark,
    reads_as_text,
    starts_line,
    swapped,
    swapped_edges,
)
from dedup.model import RepairOptions
from dedup.moves import CLOSING, TERMINAL, Letters, Lines, Outside, elsewhere
from dedup.signs import script_line
from dedup.tokens import Skeleton, skeleton

__all__ = ["Page", "Removal", "extent", "whole_links", "without_own_text"]

# A copy with more than _OWN_PIECES stretches that read as text (``measures.reads_as_text``)
# and that its twin lacks, together a _OWN_SHARE-th of its letters or more, holds text of its
# own.
_OWN_PIECES = 16
_OWN_SHARE = 10
# A line of words.
_WORDS = regex.compile(r"\w+\s+\w+")
# A mark that ends a sentence or stops one short: a terminal mark (``measures.TERMINAL_MARK``) or
# an ellipsis.
_STOP_MARK = rf"(?:{TERMINAL_MARK}|\u2026)"
# The end of a copy's sentence (``TERMINAL``) in a string of script data, whose bare quote
# closes the string.
# (an escaped quote: ``\"``, or the escape that stands for one, ``\u0022``)
_TERMINAL_IN_CODE = regex.compile(rf"{_STOP_MARK}*(?:[\p{{Pe}}\p{{Pf}}']|\\+\"|\\+u0022)*")
# What stays with the text before a copy in a string of script data: the punctuation and
# quotes of ``CLOSING``, and escaped quotes (``\":\"``, ``\u0022:\u0022``), so that the key,
# its colon and the value's opening quote stay.
_CLOSING_IN_CODE = regex.compile(
    r"(?:[\s\p{Pe}\p{Pf}\"'\p{Terminal_Punctuation}\u2026]|\\+\"|\\+u0022)*"
)
# How far from the start of a kept copy (in letters) the heading it has before the text the
# copies share may sit.
_NEAR = 256
# A copy's first word with a typo, which its twin has right: fewer letters than this, alike by
# this rapidfuzz ratio or more (one swap in a word of four letters scores 75).
_EDITED_WORD = 24
_EDITED_RATIO = 70
# A sentence's end, with its closing quotes or brackets.
_SENTENCE_END = regex.compile(rf"{_STOP_MARK}[\p{{Pe}}\p{{Pf}}\"']*$")
# A link's brackets, which a cut inside one link's text must not hold (``whole_links``).
_BRACKETS = regex.compile(r"[\[\]()]")
# A word before a copy on its line, set off by a space and ending no sentence and no label
# (``nullable string`` over ``string``), and one after it (``Verified Client 12.2023``); a
# copy glued to the words before it or after it, or after a sentence or a label, is none.
_WORD_BEFORE = regex.compile(r"[\w\p{Pe}\p{Pf}\"',;]\h+$")
# (the copy's part of that line holds a sentence's end: it is a sentence, the line's other
# words another, and the cut goes between them)
_STOP = regex.compile(_STOP_MARK)
_WORD_AFTER = regex.compile(r"[\p{Pe}\p{Pf}\"',;]?\h+[\w\p{Ps}\p{Pi}\p{So}]")
# The kinds of pairs whose removed copy keeps to whole lines where it begins or ends inside one
# (``_within_lines``).
_WHOLE_LINES = ("long", "adjacent")


@dataclass(frozen=True, slots=True)
class Page:
    """What one pass of repair reads: the ``text``, its skeleton ``sk``, its ``lines``, the
    options ``opts`` (scaled to the text), and the skeleton's ``letters``."""

    text: str
    sk: Skeleton
    lines: Lines
    opts: RepairOptions
    # its skeleton's letters, where what only a removed copy has is looked for
    letters: Letters

    @classmethod
    def of(cls, text: str, opts: RepairOptions, sk: Skeleton | None = None) -> Page:
        """The page of ``text`` (its skeleton ``sk`` when already built)."""
        sk = skeleton(text) if sk is None else sk
        return cls(text, sk, Lines.of(text, sk), opts, Letters(sk))


@dataclass(frozen=True, slots=True)
class Removal:
    """A copy, or part of one, that goes: ``gone`` (skeleton positions) of the pair ``cand``,
    its twin at ``kept`` staying; ``removed_first`` when it is the pair's first copy,
    ``teaser`` when the pair is a preview and its text."""

    cand: Candidate
    gone: tuple[int, int]
    kept: tuple[int, int]
    removed_first: bool
    teaser: bool


def extent(page: Page, removal: Removal) -> tuple[int, int]:
    """The characters that go with ``removal`` (a copy or part of it), its twin staying."""
    text, sk, lines = page.text, page.sk, page.lines
    cand, gone, kept = removal.cand, removal.gone, removal.kept
    removed_first = removal.removed_first
    junction = glued(sk, cand)
    if cand.kind == "flattened":
        gone = _whole_lines(text, sk, lines, cand, gone, removed_first, junction)
        if not removed_first:
            gone = (gone[0], _echoed_lines(sk, gone))
        gone = (_echoed_heading(sk, text, gone, kept[0]), gone[1])
        gone = (_set_off_first_line(sk, gone, page.opts.min_chars), gone[1])
    elif cand.kind == "long":
        gone = (_echoed_heading(sk, text, gone, kept[0]), gone[1])
    if cand.kind in _WHOLE_LINES:
        gone = _within_lines(
            text, sk, gone, (cand.a0, cand.a1) if removed_first else (cand.b0, cand.b1)
        )
    if not removed_first and junction and gone[0] == cand.b0:
        # the copy is glued to the end of the kept one: it goes from the kept copy's end
        gone = (cand.a1, gone[1])
    gone = swapped_edges(sk, gone, kept, page.opts.anchor_chars)
    # (a copy in a picture's description is in markdown, not in a string of script data)
    image = image_text(text, *sk.text_range(*gone)) if cand.kind == "embedded" else None
    cut = _cut(text, sk, lines, *gone, code=cand.kind == "embedded" and image is None)
    if image is not None:
        cut = _in_image(sk, cut, image)
    if removal.teaser:
        # the mark of the cut (the rest of the word, an ellipsis) goes with the preview it ends,
        # and the space before the preview stays where the line goes on right after the mark
        end = past_cut_mark(text, cut[1])
        start = cut[0]
        if cut[1] < end < len(text) and not text[end].isspace():
            while start < cut[1] and text[start].isspace():
                start += 1
        cut = (start, end)
    return cut


def _in_image(
    sk: Skeleton, cut: tuple[int, int], image: tuple[int, int, int, int]
) -> tuple[int, int]:
    """The cut of a copy in a markdown image's text (``image``: the image's start, its text's
    start and end, the image's end): the whole image where the copy is all its text (a
    picture described by a title the page shows as text), else the copy within the text.

    >>> from dedup.tokens import skeleton
    >>> page = "* [![A red kite](/kite.jpg)\\n\\n  A red kite](/shop)"
    >>> _in_image(skeleton(page), (0, 27), (3, 5, 15, 27))
    (3, 27)
    """
    opens, lo, hi, end = image
    if _markup_only(sk, lo, cut[0]) and _markup_only(sk, cut[1], hi):
        return opens, end
    return max(cut[0], lo), min(cut[1], hi)


def _within_lines(
    text: str, sk: Skeleton, gone: tuple[int, int], copy: tuple[int, int]
) -> tuple[int, int]:
    """A copy over several lines (skeleton range ``gone``, the whole ``copy`` or a part at its
    edges) that begins or ends inside a line whose other words are no sentence of their own:
    those lines stay whole. The twin began at a line's start where this copy's line holds a
    word more before it (``nullable string`` over ``string``), or ended where this one's line
    goes on (``Verified Client 12.2023`` beside ``Verified Client 20.03.2024``): the copies are
    alike from the next line on, and a cut inside the line would leave its other words alone on
    it. (A copy after a sentence's end or a label, or glued to the words before it or after
    it, still goes from there, and so does one whose part of the line ends a sentence: the line
    holds that sentence and others of its own.)

    >>> from dedup.tokens import skeleton
    >>> text = "nullable string\\nThe text of the field.\\nMore of it.\\nVerified Client 12.2023"
    >>> sk = skeleton(text)
    >>> copy = (sk.letters().index("string"), sk.letters().index("12"))
    >>> s0, s1 = _within_lines(text, sk, copy, copy)
    >>> sk.letters(s0, s1)
    'thetextofthefieldmoreofit'
    """
    start, end = gone
    if sk.line(start) == sk.line(end - 1):
        return gone
    if start == copy[0]:
        at, lo, hi = sk.offsets.item(start), sk.line_start(start), sk.line_end(start)
        if (
            lo < start
            and _WORD_BEFORE.search(text, max(sk.offsets.item(lo), at - _NEAR), at)
            and not _STOP.search(text, at, sk.char_end(hi - 1))
        ):
            start = hi
    if end == copy[1]:
        after, lo = sk.char_end(end - 1), sk.line_start(end - 1)
        if (
            end < sk.line_end(end - 1)
            and _WORD_AFTER.match(text, after)
            and not _STOP.search(text, sk.offsets.item(lo), after)
        ):
            end = lo
    return (start, end) if end > start else gone


def whole_links(text: str, sk: Skeleton, cut: tuple[int, int]) -> tuple[int, int] | None:
    """``cut`` (characters of ``text``, whose skeleton is ``sk``) with no markdown link or
    image left half behind (:func:`dedup.markup.link_around`): an end of the cut inside one
    moves to the link's far end where what lies between is markup alone (its brackets, its
    target: no letters), else to its near end, the link staying whole (what it holds is text
    the cut would leave without its twin's words, or a target without its text). ``None``
    where nothing with letters is left to go. A cut inside the text of one link that holds no
    bracket (part of a picture's description) leaves the link whole as it is.

    >>> from dedup.tokens import skeleton
    >>> page = "[ ![Site\\nName](/logo.png)\\n](/)\\n\\n[ ![Site\\nName](/logo.png)\\n](/)"
    >>> sk = skeleton(page)
    >>> whole_links(page, sk, (0, 9)) is None  # "Name" would stay, under a bare "](/logo.png)"
    True
    >>> whole_links(page, sk, (0, 26))  # the logo's text goes: its bare target "](/)" with it
    (0, 30)
    >>> whole_links(page, sk, (9, 13))  # "Name" goes from the logo's description
    (9, 13)
    """
    start, end = cut
    link = link_around(text, start)
    if link is not None and not _markup_only(sk, link[0], start):
        # (a cut that runs on from the text into the link's target, taking its closing
        # punctuation or the target itself, stops at the text's end)
        close = text.find("](", start, end)
        inner = close if close >= 0 and _markup_only(sk, close, end) else end
        if link == link_around(text, inner) and not _BRACKETS.search(text, start, inner):
            return (start, inner) if not _markup_only(sk, start, inner) else None
    if link is not None:
        start = link[0] if _markup_only(sk, link[0], start) else link[1]
    link = link_around(text, end)
    if link is not None:
        end = link[1] if _markup_only(sk, end, link[1]) else link[0]
    return (start, end) if not _markup_only(sk, start, end) else None


def _markup_only(sk: Skeleton, start: int, end: int) -> bool:
    """Whether the characters ``[start, end)`` hold no letter or digit of the skeleton ``sk``."""
    return start >= end or sk.offsets.searchsorted(start) == sk.offsets.searchsorted(end)


def _cut(
    text: str, sk: Skeleton, lines: Lines, s0: int, s1: int, *, code: bool = False
) -> tuple[int, int]:
    """The characters to remove for the copy at skeleton ``[s0, s1)``.

    A copy that starts a line goes from the line's start; one glued to the end of another
    paragraph goes from the end of that paragraph's sentence. A copy goes to the end of its last
    line unless the line goes on with another paragraph glued to it. A copy in the page's
    ``code`` goes from its first letter to its sentence end: the quotes, keys and brackets
    around it stay.
    """
    offsets = sk.offsets
    if starts_line(sk, s0) and not code:
        start = int(lines.starts[sk.line(s0)])
    else:
        prev = sk.char_end(s0 - 1)
        closing = (_CLOSING_IN_CODE if code else CLOSING).match(text, prev, int(offsets[s0]))
        start = closing.end() if closing else prev
        while start > prev and text[start - 1].isspace():
            start -= 1
    if ends_line(sk, s1) and not code:
        end = int(lines.ends[sk.line(s1 - 1)])
    else:
        after = sk.char_end(s1 - 1)
        stop = int(offsets[s1]) if s1 < len(sk) else len(text)
        terminal = (_TERMINAL_IN_CODE if code else TERMINAL).match(text, after, stop)
        end = terminal.end() if terminal else after
    return start, end


def _whole_lines(
    text: str,
    sk: Skeleton,
    lines: Lines,
    cand: Candidate,
    gone: tuple[int, int],
    removed_first: bool,
    junction: bool,
) -> tuple[int, int]:
    """A flattened copy's skeleton range, grown to its whole lines.

    The rest of its lines either matches elsewhere or moves. Its first and last line count only
    when the copy fills most of them; where it is glued to the kept copy, it stops there.
    """
    # the copy's runs, by where they start in it
    spans = sorted(
        [(r.a0, r.a1) for r in cand.runs] if removed_first else [(r.b0, r.b1) for r in cand.runs]
    )

    def bounds(line: int) -> tuple[int, int]:
        lo = int(sk.offsets.searchsorted(lines.starts[line]))
        hi = int(sk.offsets.searchsorted(lines.ends[line]))
        return lo, hi

    first = sk.line(gone[0])
    last = sk.line(gone[1] - 1)
    start, end = gone
    lo, hi = bounds(first)
    if _covered(spans, lo, hi) * 2 >= hi - lo:
        # what the line holds before the copy is the copy's own (its first paragraph glued on
        # with its sentence end, which moves if the kept copy lacks it; a heading that the
        # kept copy has just before the text the copies share; the copy's first word, which
        # the twin has right before the text they share but for a typo) or the line it was
        # glued to (a menu item, a byline, a button): that stays where it is
        own = sk.letters(lo, start)
        before = text[int(lines.starts[first]) : int(sk.offsets[start])].strip()
        twin = cand.b0 if removed_first else cand.a0
        if (
            not own
            or _SENTENCE_END.search(before)
            or own in sk.letters(max(0, twin - _NEAR), twin)
            or _edited_word(own, sk.letters(max(0, twin - len(own)), twin))
        ):
            start = lo
    elif first != last:
        start = int(sk.offsets.searchsorted(lines.starts[first + 1]))
    lo, hi = bounds(last)
    if _covered(spans, lo, hi) * 2 >= hi - lo:
        end = hi
    elif first != last:
        end = int(sk.offsets.searchsorted(lines.ends[last - 1]))
    if junction:
        start, end = (start, gone[1]) if removed_first else (gone[0], end)
    return (start, end) if end > start else gone


def _covered(spans: list[tuple[int, int]], lo: int, hi: int) -> int:
    """How many positions of ``[lo, hi)`` the ``spans`` (sorted by their starts) cover, those
    that several cover once. (A sweep over a chain's few runs: a mask over the whole skeleton
    cost a fresh array and calls into NumPy on every copy.)

    >>> _covered([(0, 4), (2, 6), (8, 12)], 3, 10)
    5
    """
    covered, end = 0, lo
    for s0, s1 in spans:
        if s0 >= hi:
            break
        s0, s1 = max(s0, end), min(s1, hi)
        if s1 > s0:
            covered += s1 - s0
            end = s1
    return covered


def _edited_word(own: str, before_twin: str) -> bool:
    """Whether ``own`` (the letters a flattened copy's line holds before the copy) is the
    text its twin has right before it, edited: fewer than ``_EDITED_WORD`` letters, alike but
    for a typo (two letters swapped, one changed)."""
    return 0 < len(own) < _EDITED_WORD and fuzz.ratio(own, before_twin) >= _EDITED_RATIO


def _echoed_lines(sk: Skeleton, gone: tuple[int, int]) -> int:
    """The end of a removed later copy, grown over the lines right after it that repeat a line
    before the copy, letter for letter or with two letters swapped (:func:`swapped`): the
    copy's lists, which it carries in another order (so they do not align), are its own, and
    so is its last line where a second rendering's typo left too few letters on either side
    of it to align (``Wärmepumpe oder eFrnwärme?``).

    >>> from dedup.tokens import skeleton
    >>> page = "Heat pumps\\nThe prices rise.\\nHeat pumps\\nThe prices rise.\\nHaet pumps"
    >>> sk = skeleton(page)
    >>> copy = (sk.letters().rindex("heatpumps"), sk.letters().rindex("haet"))
    >>> _echoed_lines(sk, copy) == len(sk)
    True
    """
    n = len(sk)
    start, end = gone
    if end >= n or end == 0 or start == 0 or not sk.is_edge(end):
        return end  # the copy ends inside a line
    bounds = [0, *sk.edge_list[: bisect_left(sk.edge_list, start)], start]
    # (lines as slices of the skeleton's letters, one character each: the same lines as the
    # bytes of its characters, and a slice of a string costs a fraction of an array's bytes)
    letters = sk.letters()
    earlier = {letters[a:b] for a, b in itertools.pairwise(bounds)}
    while end < n:
        stop = sk.line_end(end)
        line = letters[end:stop]
        if line not in earlier and not any(
            swapped(line, other) for other in earlier if len(other) == len(line)
        ):
            break
        end = stop
    return end


def _echoed_heading(sk: Skeleton, text: str, gone: tuple[int, int], twin: int) -> int:
    """The start of a removed copy, grown back over the lines right before it, with no blank
    line between, that repeat, letter for letter or with two letters swapped (:func:`swapped`),
    a line the kept copy has just before the text the copies share (which starts at ``twin``):
    a heading or a breadcrumb that the copy carries on a line of its own; or that are, sentence
    by sentence (:func:`_sentences`), such lines and sentences of them, the last perhaps the
    twin's first words: a copy's first line that glued the lead's first sentence to the heading
    under it, the lead's other sentences left out (``The AX-20. Features`` over ``The AX-20.
    Thirty hours of play.`` / ``Features``).

    A copy that starts inside a line grows back to the line's start where what the line holds
    before it is such a line, whole (a short title that a flattened copy glued to its body,
    the headings between them left out: ``Designed by Ana.Refresh every room...`` under
    ``Designed by Ana.`` / ``Deals`` / ``Refresh every room...``), or sentences of the heading
    and, last, but for two letters swapped, what the twin's line holds right before the twin
    (the copy left out that line's first sentences, and a typo right after them cut the
    alignment short), or that alone (a typo in the copy's first word).

    >>> from dedup.tokens import skeleton
    >>> page = "Designed by Ana.\\nDeals\\nRefresh every room.\\n"
    >>> page += "Designed by Ana.Refresh every room."
    >>> sk = skeleton(page)
    >>> twin, copy = sk.letters().index("refresh"), sk.letters().rindex("refresh")
    >>> sk.letters(_echoed_heading(sk, page, (copy, len(sk)), twin), len(sk))
    'designedbyanarefresheveryroom'
    """
    start, end = gone
    if start == 0:
        return start
    low = max(0, twin - _NEAR)
    if low < end <= twin:
        low = end  # (the kept copy comes after the removed one: only what lies between)
    bounds = sk.line_bounds(low, twin)
    letters = sk.letters()  # (the lines as strings, as in _echoed_lines)
    heading = {letters[a:b] for a, b in itertools.pairwise(bounds) if b > a}
    pieces: set[str] = set()  # the heading's lines and their sentences (built if asked)

    def of_heading(parts: list[str]) -> bool:
        if not pieces:
            pieces.update(heading)
            for a, b in itertools.pairwise(bounds):
                pieces.update(_sentences(sk, text, a, b))
        return all(part in pieces for part in parts)

    if not sk.is_edge(start):
        line = sk.line_start(start)
        if letters[line:start] not in heading:
            # (sentences of the heading, the last one perhaps the start of the sentence the
            # twin's line holds right before the twin, with two letters swapped: a typo where
            # the copy left a sentence out cut the alignment short; a head longer than the
            # heading and the twin's line before the twin together is none)
            if start - line > 2 * _NEAR:
                return start
            parts = _sentences(sk, text, line, start)
            last = parts[-1]
            before = letters[max(0, twin - len(last)) : twin]
            if len(parts) < 2:
                # (the twin's line's first letters alone, two of them swapped: a typo in the
                # copy's first word cut the alignment short)
                if twin - len(last) < sk.line_start(twin) or not swapped(last, before):
                    return start
            elif not (of_heading(parts[:-1]) and (last == before or swapped(last, before))):
                return start  # the copy starts inside a line, after words of its own
        start = line
    while start > 0:
        line = sk.line_start(start - 1)
        if sk.blank_breaks(start - 1, start + 1):
            break  # (a line set off by a blank line is a paragraph of its own)
        own = letters[line:start]
        if own not in heading and not any(
            swapped(own, letters[a:b])
            for a, b in itertools.pairwise(bounds)
            if b - a == start - line
        ):
            if start - line > 2 * _NEAR:
                break  # (longer than the heading and the twin's first line: none of them)
            parts = _sentences(sk, text, line, start)
            if len(parts) < 2:
                break
            # (its last sentence may be the twin's first words: the copy's own start, which
            # the copy glued to the sentences before it)
            last = parts[-1]
            if not of_heading(parts[:-1]) or (
                not of_heading([last]) and not letters.startswith(last, twin)
            ):
                break
        start = line
    return start


def _sentences(sk: Skeleton, text: str, s0: int, s1: int) -> list[str]:
    """The letters of each sentence of the skeleton range ``[s0, s1)``: split after each
    terminal mark, glued to the next sentence or not (``Which plants?Any easy ones?``).

    >>> from dedup.tokens import skeleton
    >>> page = "Which plants? Any easy ones?Pothos."
    >>> _sentences(skeleton(page), page, 0, len(skeleton(page)))
    ['whichplants', 'anyeasyones', 'pothos']
    """
    start, end = sk.text_range(s0, s1)
    cuts = [s0]
    for mark in _STOP.finditer(text, start, end):
        at = int(sk.offsets.searchsorted(mark.end()))
        if cuts[-1] < at < s1:
            cuts.append(at)
    cuts.append(s1)
    letters = sk.letters()
    return [letters[a:b] for a, b in itertools.pairwise(cuts) if b > a]


def _set_off_first_line(sk: Skeleton, gone: tuple[int, int], min_chars: int) -> int:
    """The start of a removed flattened copy, past its first line when that line is short
    (under ``min_chars`` letters) and set off by a blank line from the rest of the copy, which
    has no blank line: a flattened copy lost its breaks, so such a line is a paragraph of its
    own that the page has twice (a byline above and below the body), not part of the copy."""
    start, end = gone
    line_end = sk.line_end(start)
    if (
        line_end >= end
        or line_end - start >= min_chars
        or not sk.blank_breaks(line_end - 1, line_end + 1)
        or sk.blank_breaks(line_end, end)
    ):
        return start
    return line_end


def without_own_text(
    page: Page, cand: Candidate, gone: tuple[int, int], removed_first: bool
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The parts of the copy ``gone`` that may go, each with its twin: all of it, unless it
    holds text of its own — a stretch its twin does not align with, of an anchor's width or
    more, that reads as text (words, little script punctuation), or holding a whole line that
    does however short (a footer line), and that the text has nowhere else. (What
    a copy in script data has between the pieces of its twin is mostly its keys and markup; a
    paragraph only it has, or the page text a chain ran across, is text.) Such stretches split
    the copy, and the part between them that aligns most goes, if it is ``min_chars`` or more
    (the rest, in passes of their own); none goes when none is. A copy in the code with more
    than ``_OWN_PIECES`` of them, which one pass per part would not reach the end of, goes in
    all its parts that are not page text at once, however short (they belong to the copy that
    goes; a chain may run from page text into the code). It stays whole when it has more than
    ``_OWN_PIECES`` of them and they hold a ``_OWN_SHARE``-th of its letters or more (a copy of
    a long article in script data has a caption or a note of its own every few thousand
    letters: many short stretches in a long copy are still a small part of it, and each stays
    where it is)."""
    text, sk, opts = page.text, page.sk, page.opts
    lo, hi = gone
    # (a copy in the code does not take page text with it, wherever else the code has it)
    in_code = cand.kind == "embedded" or abs(cand.code_first) >= 1
    runs = sorted(
        ((r.a0, r.a1, r.b0, r.b1) if removed_first else (r.b0, r.b1, r.a0, r.a1)) for r in cand.runs
    )
    own = np.ones(hi - lo + 2, dtype=bool)
    own[0] = own[-1] = False
    for r0, r1, _, _ in runs:
        own[max(r0, lo) - lo + 1 : max(min(r1, hi), lo) - lo + 1] = False
    edges = (own[1:] != own[:-1]).nonzero()[0]
    rest: Outside | None = None
    splits: list[tuple[int, int]] = []  # the stretches of text of its own, as skeleton ranges
    own_letters = 0
    for u0, u1 in zip((edges[0::2] + lo).tolist(), (edges[1::2] + lo).tolist(), strict=True):
        piece = text[slice(*sk.text_range(u0, u1))]
        lines = piece.split("\n")
        whole = lines[(0 if starts_line(sk, u0) else 1) : (None if ends_line(sk, u1) else -1)]
        if not (u1 - u0 >= opts.anchor_chars and reads_as_text(piece, u1 - u0)) and not any(
            reads_as_text(line, sum(c.isalnum() for c in line)) for line in whole
        ):
            # keys and values without spaces, a link: script data, not text (unless a whole
            # line of it is text, however short: a page's footer a chain ran across)
            continue
        if _edited_in_twin(sk, runs, u0, u1):
            continue  # the twin's text, edited (a typo, a remnant of mojibake, another dash)
        if len(splits) >= _OWN_PIECES and _OWN_SHARE * (own_letters + u1 - u0) >= hi - lo:
            return []
        if rest is None:
            rest = page.letters.outside(lo, hi)
        if (in_code and _page_text(piece)) or not elsewhere(
            text, sk, u0, u1, rest, opts.anchor_chars
        ):
            splits.append((u0, u1))
            own_letters += u1 - u0
    if not splits:
        return [(gone, (cand.b0, cand.b1) if removed_first else (cand.a0, cand.a1))]
    # the runs between consecutive stretches of its own, as groups, those that align most first
    bounds = [lo, *(u for split in splits for u in split), hi]
    groups = []
    for start, end in zip(bounds[0::2], bounds[1::2], strict=True):
        group = [r for r in runs if r[0] >= start and r[1] <= end]
        if group:
            groups.append((-sum(r[1] - r[0] for r in group), start, group))
    groups.sort()
    if not groups or -groups[0][0] < opts.min_chars:
        return []
    many = len(splits) > _OWN_PIECES
    parts: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for _, _, group in groups:
        part = (min(r[0] for r in group), max(r[1] for r in group))
        if parts and not (many and in_code and not _page_text(_text_of(text, sk, *part))):
            continue  # (page text a chain ran across: it goes in a pass of its own, if at all)
        parts.append((part, (min(r[2] for r in group), max(r[3] for r in group))))
    return parts


def _page_text(piece: str) -> bool:
    """Whether a stretch that reads as text is the page's own, not a string of script data: it
    holds two lines of words or more without signs of script data (a JSON string holds no line
    break; the keys and braces of the script around it may stand on lines of their own).

    >>> _page_text("}}}\\n  Boost performance\\n\\n   Offload the tasks.\\n {\\"data\\":{")
    True
    >>> _page_text('Boost performance","itemLongLoc":"<p>Offload the tasks.</p>')
    False
    """
    lines = piece.split("\n")
    return sum(1 for line in lines if _WORDS.search(line) and not script_line(line)) >= 2


def _edited_in_twin(sk: Skeleton, runs: list[tuple[int, int, int, int]], u0: int, u1: int) -> bool:
    """Whether the stretch ``[u0, u1)`` of a copy, between two of its runs (``runs``: ranges of
    the copy, then of its twin, in the copy's order), stands for what its twin has between the
    same two runs, edited: as long, give or take a fifth, and alike by ``_EDITED_RATIO`` (a
    typo, a remnant of mojibake, ``e"`` for a dash: ``Turinge(tm)s`` for ``Turing's``). It is
    the twin's text, not the copy's own.

    >>> from dedup.tokens import skeleton
    >>> sk = skeleton("aaaa George Dyson Turinge(tm)s bbbb aaaa George Dyson Turing's bbbb")
    >>> _edited_in_twin(sk, [(0, 4, 29, 33), (25, 29, 51, 55)], 4, 25)
    True
    >>> _edited_in_twin(sk, [(0, 4, 29, 33), (25, 29, 33, 37)], 4, 25)
    False
    """
    before = [r[3] for r in runs if r[1] == u0]
    after = [r[2] for r in runs if r[0] == u1]
    if not before or not after:
        return False
    t0, t1 = max(before), min(after)
    if t1 <= t0 or abs((t1 - t0) - (u1 - u0)) * 5 > u1 - u0:
        return False
    return fuzz.ratio(sk.letters(u0, u1), sk.letters(t0, t1)) >= _EDITED_RATIO


def _text_of(text: str, sk: Skeleton, s0: int, s1: int) -> str:
    return text[slice(*sk.text_range(s0, s1))]
