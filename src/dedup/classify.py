"""Classification: what kind of duplicate a pair of copies is.

Each chain is measured — the share of the shorter copy that aligns, the share equal letter for
letter, the line breaks in each copy, the text between them, where it sits, signs of script
data (:mod:`dedup.signs`) — and given a kind (:data:`dedup.spans.KINDS`): ``flattened``,
``adjacent``, ``teaser``, ``embedded``, ``long``, or ``distant`` (repetition that repair leaves
alone).

>>> from dedup.tokens import skeleton
>>> sk = skeleton("A title\\nA title\\nThe body.")
>>> head = head_repeat(sk)
>>> (head.a0, head.a1, head.b0, head.b1)
(0, 6, 6, 12)
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Callable

import regex

from dedup.anchors import CROSS, Run
from dedup.chains import SMALL_GAP, Candidate, union
from dedup.model import RepairOptions
from dedup.signs import code_like, edges, scripts
from dedup.tokens import Skeleton

__all__ = [
    "classify",
    "ends_line",
    "glued",
    "head_repeat",
    "lead_repeat",
    "past_cut_mark",
    "realign_twice",
    "scattered_flat",
    "series",
    "starts_line",
    "trim_seam",
]

# What may stand between two copies of a text back to back in a line (besides the last letter
# of the first and the first of the second).
_BACK_TO_BACK = regex.compile(r"\w[\s\p{Po}\p{Pe}\p{Pf}\p{Pi}\p{Ps}]*\w", regex.V1)
# A long copy holds this many lines, or this many times ``long_chars`` letters (``_long``).
_LONG_LINES = 3
_LONG_FEW_LINES = 2
# The aligned share a long copy in code needs (``classify``), below ``min_similarity``.
_EMBEDDED_SIMILARITY = 0.5
# A copy cut short and its twin have at most this many lines between them ("Continue Reading").
_PREVIEW_LINES = 2
_SENTENCE_END = regex.compile(r"\p{Sentence_Terminal}", regex.V1)
# The mark of a text cut short, right where a preview stops, after the rest of the word it cut
# (``com...``, ``…``, ``[…]``): an ellipsis there ends no sentence.
_CUT_MARK = regex.compile(r"\w*\[?(?:\.{3,}|\u2026)\]?", regex.V1)
# A line that ends in a colon (Latin, full-width or small) introduces what follows it (``X said:``).
_INTRODUCES = regex.compile(r"[:\uff1a\ufe55]$", regex.V1)
# A page's header (title, byline, date) between a lead line and its twin: this many lines at
# most, each shorter than ``min_chars``.
_HEADER_LINES = 4
# A lead line is looked for whole (``lead_repeat``) up to this many letters long: a paragraph.
_LEAD_LETTERS = 2048
# The pieces of one copied block lie at most this many letters apart in each copy (four times
# a chain's small gap: a series is what chains do not join, pieces with matter between them
# in both copies).
_SERIES_GAP = 4 * SMALL_GAP
# A sentence's end inside a copy (not the full stop of ``24.04`` or of a domain); what opens a
# line that goes on the sentence of the line before it; a copy's sentences are this many
# letters long at most on average when it reads as prose; a letter or digit.
_SENTENCE_ENDS = regex.compile(
    r"[\u3002\uff01\uff1f]|\p{Sentence_Terminal}[\p{Pe}\p{Pf}\"']*(?=\s|$)", regex.V1
)
_CONTINUES = regex.compile(r"[\p{Ll},.;:)\]]", regex.V1)
_SENTENCE_LETTERS = 250
_WORDY = regex.compile(r"\w", regex.V1)
# What stands between a copy cut short and its twin on one line: words, not script data.
_WORDS_ONLY = regex.compile(r"[^\"\\{}<>\[\]=%|]*", regex.V1)


def starts_line(sk: Skeleton, s: int) -> bool:
    """Whether skeleton position ``s`` is the first letter or digit of its line."""
    return s == 0 or sk.is_edge(s)


def ends_line(sk: Skeleton, s: int) -> bool:
    """Whether the skeleton range ending at ``s`` ends its line."""
    return s >= len(sk) or sk.is_edge(s)


def glued(sk: Skeleton, cand: Candidate) -> bool:
    """Whether the second copy starts on the line where the first, a paragraph or more of its
    own, ends (glued to it). Two sentences of one line are not copies glued together."""
    if cand.b0 - cand.a1 > SMALL_GAP:
        return False
    last_of_first = sk.line(cand.a1 - 1)
    return last_of_first == sk.line(cand.b0) and (
        sk.line(cand.a0) != last_of_first or sk.line(cand.b1 - 1) != last_of_first
    )


def _complete(sk: Skeleton, cand: Candidate) -> bool:
    """Whether the copies are whole lines, or whole lines but for being glued to each other."""
    if not (starts_line(sk, cand.a0) and ends_line(sk, cand.b1)):
        return False
    return (ends_line(sk, cand.a1) and starts_line(sk, cand.b0)) or glued(sk, cand)


def _lines_between(sk: Skeleton, s0: int, s1: int) -> int:
    """How many lines with letters or digits lie in the skeleton range ``[s0, s1)``."""
    return 0 if s1 <= s0 else sk.breaks(s0, s1) + 1


def classify(
    cand: Candidate, sk: Skeleton, opts: RepairOptions, text: str, signs: Callable[[], bool]
) -> None:
    _classify_shape(cand, sk, opts, text)
    if cand.kind == "teaser" or cand.runs[0].tandem:
        return
    if cand.score < opts.min_similarity:
        # a long text in the page's code, most of which aligns with the page text around other
        # matter (a form, a table of contents, ads between its paragraphs) is still its copy
        if cand.matched >= opts.long_chars and cand.score >= _EMBEDDED_SIMILARITY:
            embedded, cand.code_first = scripts(text, sk, cand, signs)
            if embedded:
                cand.kind = "embedded"
        return
    if cand.matched < opts.min_chars:
        # a short text twice in a line is a captured-twice line only when it is the line
        if (
            cand.kind == "distant"
            and cand.b0 <= cand.a1
            and starts_line(sk, cand.a0)
            and ends_line(sk, cand.b1)
            and _twice_in_a_line(cand, sk, opts, text)
        ):
            cand.kind = "adjacent"
        return
    embedded, cand.code_first = scripts(text, sk, cand, signs)
    if embedded:
        # one copy is in the page's code (script data, markup) and the other is not: the one in
        # the code is the worse-formed, wherever it sits and whatever its shape
        cand.kind = "embedded"
    elif cand.kind != "distant" or _exact(cand) < opts.long_similarity:
        return
    elif _long(cand, sk, opts, text) or _twice_in_a_line(cand, sk, opts, text):
        # a long text copied letter for letter is a duplicate wherever it sits
        cand.kind = "long"


def _twice_in_a_line(cand: Candidate, sk: Skeleton, opts: RepairOptions, text: str) -> bool:
    """Whether a line holds a text twice, back to back (nothing but spaces and punctuation
    between: not the cells of a table), letter for letter (an anchor's width or more, not
    code): captured twice, as an image's caption beside its title. Two texts alike but for a
    word or a number side by side are two entries (a catalogue's editions of one title), not one
    captured twice. (Copies of whole lines in a row are ``adjacent`` pairs of their own.)"""
    return (
        cand.b0 <= cand.a1
        and sk.breaks(cand.a0, cand.b1) == 0
        and not cand.flat
        and _exact(cand) >= 1.0
        and _BACK_TO_BACK.fullmatch(text, *sk.text_range(cand.a1 - 1, cand.b0 + 1)) is not None
        and not code_like(text, *sk.text_range(cand.a0, cand.a1))
    )


def _exact(cand: Candidate) -> float:
    """The share of the shorter copy equal letter for letter in its twin (a run may bridge a
    typo, or align the entries of a listing that have the same length)."""
    equal = sum(min(r.matched, r.a1 - r.a0) for r in cand.runs)
    return min(1.0, equal / max(1, min(cand.a1 - cand.a0, cand.b1 - cand.b0)))


def _long(cand: Candidate, sk: Skeleton, opts: RepairOptions, text: str) -> bool:
    """Whether both copies are long text: ``long_chars`` letters or more over three lines or
    more (a paragraph repeated whole is a quote; paragraphs in a row are a copy), or twice that
    in fewer lines; paragraphs rather than short lines, and not code (a list or code shown
    twice, as the tabs of one example, is natural)."""
    if cand.matched < opts.long_chars:
        return False
    lines = min(sk.breaks(cand.a0, cand.a1), sk.breaks(cand.b0, cand.b1)) + 1
    if lines < _LONG_LINES and cand.matched < _LONG_FEW_LINES * opts.long_chars:
        return False
    return all(
        _prose(sk, s0, s1, opts, text) and not code_like(text, *sk.text_range(s0, s1))
        for s0, s1 in ((cand.a0, cand.a1), (cand.b0, cand.b1))
    )


def _classify_shape(cand: Candidate, sk: Skeleton, opts: RepairOptions, text: str) -> None:
    len_a = cand.a1 - cand.a0
    len_b = cand.b1 - cand.b0
    # how much of the shorter copy the longer one holds: a copy with a paragraph more than its
    # twin, or a flattened copy without the headings and lists, still scores high
    shorter = max(1, min(len_a, len_b))
    total = cand.matched
    cand.matched = min(union(cand.runs, first=True), union(cand.runs, first=False))
    cand.score = min(1.0, cand.matched / shorter)
    if total > 1.5 * cand.matched:
        # parts of one copy align more than once: a repeating pattern, not two copies
        cand.score = min(cand.score, 0.5)
    cand.kind = "distant"
    tandem = cand.runs[0].tandem
    if cand.matched < opts.min_chars and cand.a0 and cand.b0 > cand.a1 and not tandem:
        return  # short, not first, not back to back: no kind but distant applies
    complete = _complete(sk, cand)
    if tandem:
        if complete and len_a >= opts.min_chars and _prose(sk, cand.a0, cand.a1, opts, text):
            cand.kind = "adjacent"
        return
    if cand.score < opts.min_similarity:
        return
    (breaks_a, breaks_b, blank_a, blank_b), quoted = _seams(cand, sk, text)
    if quoted:
        return  # a reply quoting a post's paragraphs one at a time: both stay
    gap = max(0, cand.b0 - cand.a1)
    between = _lines_between(sk, cand.a1, cand.b0)
    many, few = max(breaks_a, breaks_b), min(breaks_a, breaks_b)
    # a doubled body is most of its page, or a long text whatever the page holds besides
    # (hundreds of kilobytes of script around it)
    large = cand.matched >= max(opts.min_chars, opts.min_share * len(sk)) or _long(
        cand, sk, opts, text
    )
    if (
        few * 2 > many
        and max(blank_a, blank_b) >= 1
        and min(blank_a, blank_b) * 2 <= max(blank_a, blank_b)
    ):
        # the same lines, but one copy lost the blank lines between its paragraphs
        breaks_a, breaks_b = blank_a, blank_b
        many, few = max(breaks_a, breaks_b), min(breaks_a, breaks_b)
    if many >= 1 and few * 2 <= many:
        cand.flat = True
        if breaks_a >= breaks_b:  # the paragraphs come first; the other copy may be glued on
            edges = _near_line_edges(sk, cand.a0, cand.a1, 0, cand.b0)
        else:
            edges = _near_line_edges(sk, cand.b0, cand.b1, cand.a1, len(sk))
        if large and gap <= 4 * cand.matched and edges:
            cand.kind = "flattened"
        return
    if not complete:
        short = _cut_short(cand, sk, opts, text, between)
        if short is not None:
            cand.kind, cand.cut_second = "teaser", short
        elif (
            starts_line(sk, cand.a0)
            and ends_line(sk, cand.a1)
            and ends_line(sk, cand.b1)
            and gap <= opts.max_gap_ratio * cand.matched
            and _labels_between(cand, sk, opts, text)
        ):
            # a post, and the post again after a label on its own line (``- @JonB``)
            cand.kind = "adjacent"
        return
    if cand.a0 == 0 and breaks_a == 0 and (cand.matched < opts.min_chars or gap > 0):
        if between <= 1:
            cand.kind = "teaser"
            return
        if _header_between(sk, cand.a1, cand.b0, opts) or _lead_thrice(sk, cand, text):
            # (acted on only where the page is doubled elsewhere too: ``Candidate.lead``)
            cand.kind, cand.lead = "teaser", True
            return
    if cand.matched < opts.min_chars:
        return
    if not large and not (
        _prose(sk, cand.a0, cand.a1, opts, text) and _prose(sk, cand.b0, cand.b1, opts, text)
    ):
        return  # list items or labels repeated: natural, unless it is most of the text
    if between == 0 or (large and gap <= opts.max_gap_ratio * cand.matched):
        cand.kind = "adjacent"
    elif gap <= opts.max_gap_ratio * cand.matched and _labels_between(cand, sk, opts, text):
        # a post, a few labels (a reply counter, a name), and the post again as its preview
        cand.kind = "adjacent"


def _seams(cand: Candidate, sk: Skeleton, text: str) -> tuple[list[int], bool]:
    """The line breaks (all, then those with a blank line, first copy then second) of each
    copy that its twin may lack, and whether one copy quotes the other piece by piece.

    Where one copy goes from one aligned part to the next across one line break and its twin
    has lines of its own between them (two paragraphs of a post, and the same paragraphs
    quoted with the reply between them), the twin's breaks there count as one, as that copy
    kept its break: a copy is flattened only where it glues what its twin parts. Where those
    lines of its own end with one that ends in a colon (``X said:``), introducing the next
    part, the copy is a reply quoting the other's paragraphs one at a time."""
    counts = [
        sk.breaks(cand.a0, cand.a1),
        sk.breaks(cand.b0, cand.b1),
        sk.blank_breaks(cand.a0, cand.a1),
        sk.blank_breaks(cand.b0, cand.b1),
    ]
    quoted = False
    if len(cand.runs) < 2 or not (counts[0] and counts[1]):
        return counts, quoted  # one part, or a copy without breaks: nothing to compare
    for left, right in itertools.pairwise(sorted(cand.runs)):
        if right.a0 < left.a1 or right.b0 < left.b1:
            continue  # overlapping parts: no seam between them
        # the boundaries from the last letter of one part to the first of the next, each side
        seams = ((left.a1 - 1, right.a0 + 1), (left.b1 - 1, right.b0 + 1))
        in_a, in_b = sk.breaks(*seams[0]), sk.breaks(*seams[1])
        if min(in_a, in_b) != 1 or in_a == in_b:
            continue
        counts[0] -= in_a - 1
        counts[1] -= in_b - 1
        blank_a, blank_b = sk.blank_breaks(*seams[0]), sk.blank_breaks(*seams[1])
        if min(blank_a, blank_b) == 1:
            counts[2] -= blank_a - 1
            counts[3] -= blank_b - 1
        if not quoted:
            start, end = sk.text_range(*seams[in_b > in_a])
            lines = [line.strip() for line in text[start:end].split("\n")[1:-1]]
            last = next((line for line in reversed(lines) if line), "")
            quoted = _INTRODUCES.search(last) is not None
    return counts, quoted


def _labels_between(cand: Candidate, sk: Skeleton, opts: RepairOptions, text: str) -> bool:
    """Whether only labels stand between two copies, letter for letter, of a text of two
    sentences or more: short lines that end no sentence (a name, a reply counter:
    ``1 Reply`` / ``Last reply`` / ``JoeCFD``), as between a post and its preview under it, or
    on the second copy's line before it (``- @JonB``, a list marker and a name). (A
    quoted sentence is one sentence; a reply's own text between a post and its quote ends
    sentences; a label ending in a colon, ``X said:``, introduces a quote.)"""
    if _exact(cand) < opts.long_similarity:
        return False
    start, end = sk.text_range(cand.a1 - 1, cand.b0 + 1)
    # the lines between, without the rest of the first copy's last line (its full stop)
    between = text[start + 1 : end - 1].partition("\n")[2]
    if _SENTENCE_END.search(between):
        return False
    lines = [line.strip() for line in between.split("\n")]
    if any(len(line) * 2 > opts.min_chars for line in lines):
        return False
    if any(_INTRODUCES.search(line) for line in lines):
        return False  # ``X said:`` introduces the copy: a quote, however long
    return len(_SENTENCE_ENDS.findall(text, *sk.text_range(cand.a0, cand.a1))) >= 2


def _header_between(sk: Skeleton, s0: int, s1: int, opts: RepairOptions) -> bool:
    """Whether the lines of ``[s0, s1)`` are a page's header: at most ``_HEADER_LINES`` lines,
    each shorter than ``min_chars`` letters (a title, a byline, a date, a user's name), so a
    first line repeated right after them is the lead above the article, not a quote."""
    edges = sk.edge_list
    bounds = [s0, *edges[bisect_right(edges, s0) : bisect_left(edges, s1)], s1]
    return len(bounds) - 1 <= _HEADER_LINES and all(
        b - a < opts.min_chars for a, b in itertools.pairwise(bounds)
    )


def _lead_thrice(sk: Skeleton, cand: Candidate, text: str) -> bool:
    """Whether the first copy is the text's first line, whole, a sentence, and the text has it a
    third time after its twin: the lead above an article that the page holds twice (its twin
    in the body, and again in the body's other copy), however much stands between the lead
    and its twin. (A sentence the page shows three times is no quote it means once more.)"""
    if not (cand.a0 == 0 and ends_line(sk, cand.a1)) or not _ends_sentence(
        text, sk.text_range(cand.a1 - 1, cand.a1)[1]
    ):
        return False
    letters = sk.letters()
    return letters.find(letters[cand.a0 : cand.a1], cand.b1) >= 0


def _cut_short(
    cand: Candidate, sk: Skeleton, opts: RepairOptions, text: str, between: int
) -> bool | None:
    """Whether one copy is its twin cut short: whole lines, letter for letter the start of its
    twin, cut off inside a sentence of the twin's line, close to it — a preview before the text
    (a feed's excerpt, an answer's first lines, "Continue Reading", the whole answer), or a
    card's title and byline again without the rest of its line. ``True`` when the second copy
    is the one cut short, ``False`` when the first is, ``None`` when neither. (A line that is a
    whole sentence of the next paragraph is a lead or a pull quote.)"""
    if not (
        cand.matched >= opts.min_chars
        and between <= _PREVIEW_LINES
        and _gap(cand, sk) <= opts.max_gap_ratio * cand.matched
        and _exact(cand) >= opts.long_similarity
    ):
        return None
    if not (starts_line(sk, cand.a0) and starts_line(sk, cand.b0)):
        return False if _cut_in_a_line(cand, sk, opts, text) else None
    for second, short, twin in ((False, cand.a1, cand.b1), (True, cand.b1, cand.a1)):
        if (
            ends_line(sk, short)
            and not ends_line(sk, twin)
            and _SENTENCE_END.search(text, *sk.text_range(twin - 1, twin + 1)) is None
            and not _ends_sentence(text, sk.text_range(short - 1, short)[1])
        ):
            return second
    return None


def _gap(cand: Candidate, sk: Skeleton) -> int:
    """The letters between a pair's copies, none where they repeat the first copy's last letters
    right after it: its tail captured twice (a card's date line twice) is part of it.

    >>> from dedup.anchors import Run
    >>> from dedup.tokens import skeleton
    >>> sk = skeleton("Title Blog 1d ago Blog 1d ago\\nTitle Blog 1d ago")
    >>> _gap(Candidate([Run(0, 14, 23, 37, 14)], 0, 14, 23, 37, 14), sk)
    0
    """
    gap = cand.b0 - cand.a1
    if 0 < gap <= cand.a1 - cand.a0 and (
        sk.chars[cand.a1 : cand.b0].tobytes() == sk.chars[cand.a1 - gap : cand.a1].tobytes()
    ):
        return 0
    return max(0, gap)


def _cut_in_a_line(cand: Candidate, sk: Skeleton, opts: RepairOptions, text: str) -> bool:
    """Whether the first copy is its twin cut short in a text without line breaks (an extractor
    that drops them all: ``...It wasContinue ReadingWW2 is ... It was a three step process``):
    the twin starts on the same line a few words later (an anchor's width of letters at most),
    what stands between them is words that end no sentence (no quotes, brackets, escapes or
    tags: not two fields of script data), the twin's sentence goes on (in words) where the
    first copy stops, and the copy holds a sentence's end: it is text, not the rows of a table or a
    calendar. A preview is its twin's start letter for letter: two texts alike but for a word or
    a number, one after the other, are two entries (a catalogue's editions of one title), not a
    preview and its text. (A whole sentence before the paragraph it opens is a lead, and
    stays.)"""
    if cand.b0 - cand.a1 > opts.anchor_chars or sk.breaks(cand.a1 - 1, cand.b0 + 1):
        return False
    if _exact(cand) < 1.0:
        return False
    if cand.b1 >= len(sk) or ends_line(sk, cand.b1):
        return False
    between = sk.text_range(cand.a1 - 1, cand.b0 + 1)
    after_twin = sk.text_range(cand.b1 - 1, cand.b1 + 1)
    return (
        _SENTENCE_ENDS.search(text, *sk.text_range(cand.a0, cand.a1)) is not None
        and _SENTENCE_END.search(text, past_cut_mark(text, between[0] + 1), between[1]) is None
        and _WORDS_ONLY.fullmatch(text, *between) is not None
        and _SENTENCE_END.search(text, *after_twin) is None
        and _WORDS_ONLY.fullmatch(text, *after_twin) is not None
    )


def _ends_sentence(text: str, end: int) -> bool:
    """Whether the rest of the line from ``end`` holds a sentence's end (an ellipsis right at
    ``end`` marks a text cut short: it ends none).

    >>> _ends_sentence("you can com...", 11), _ends_sentence("you can come.", 12)
    (False, True)
    """
    line_end = text.find("\n", end)
    start = past_cut_mark(text, end)
    return _SENTENCE_END.search(text, start, len(text) if line_end < 0 else line_end) is not None


def past_cut_mark(text: str, at: int) -> int:
    """Where the mark of a text cut short at ``at`` ends (``at`` when there is none there)."""
    mark = _CUT_MARK.match(text, at)
    return at if mark is None else mark.end()


def _near_line_edges(sk: Skeleton, s0: int, s1: int, low: int, high: int) -> bool:
    """Whether ``[s0, s1)`` starts and ends at most half a line away from a line's edge.

    The paragraphed copy of a doubled body is whole paragraphs, but for an edit at its edge;
    its lines count only within ``[low, high)`` (the other copy may be glued to them).
    """
    line_start = max(low, sk.line_start(s0))
    line_end = min(high, sk.line_end(s1 - 1))
    first_len = min(high, sk.line_end(s0)) - line_start
    last_len = line_end - max(low, sk.line_start(s1 - 1))
    return (s0 - line_start) * 2 <= first_len and (line_end - s1) * 2 <= last_len


def _prose(sk: Skeleton, s0: int, s1: int, opts: RepairOptions, text: str) -> bool:
    """Whether a copy reads as paragraphs rather than a list of short items or labels: its
    lines hold ``min_chars / 2`` letters on average, counting a line that goes on the sentence
    of the line before it (:func:`sentence_lines`) as part of that line.

    >>> from dedup.tokens import skeleton
    >>> page = "The release is late this year. I\\nbelieve\\nthe final version comes out soon."
    >>> sk = skeleton(page)
    >>> _prose(sk, 0, len(sk), RepairOptions(min_chars=60), page)
    True
    >>> menu = "home\\nnews\\nsports\\nweather\\nthe shop\\ncontact us"
    >>> _prose(skeleton(menu), 0, len(skeleton(menu)), RepairOptions(min_chars=20), menu)
    False
    """
    need = (sk.breaks(s0, s1) + 1) * opts.min_chars / 2
    if s1 - s0 >= need:
        return True
    return s1 - s0 >= sentence_lines(text, *sk.text_range(s0, s1)) * opts.min_chars / 2


def sentence_lines(text: str, start: int, end: int) -> int:
    """How many lines with letters ``text[start:end]`` holds when a line that goes on the
    sentence of the line before it counts as part of that line: it opens in lower case or with
    punctuation that continues a sentence, after a line that ends with a letter or digit, between
    two words (an extractor that puts an inline element on a line of its own:
    ``I\\nbelieve\\nthe final version``; not code, whose lines end with brackets), in text that
    ends a sentence every ``_SENTENCE_LETTERS`` letters or more often (a list of lower-case
    items ends none, and each of its lines counts).

    >>> text = "It was late. I\\nbelieve\\nit.\\nWe left."
    >>> sentence_lines(text, 0, len(text))
    2
    >>> sentence_lines("apples\\npears\\nplums", 0, 18)
    3
    """
    lines = text[start:end].split("\n")
    worded = [line for line in lines if _WORDY.search(line)]
    letters = sum(len(_WORDY.findall(line)) for line in worded)
    if len(_SENTENCE_ENDS.findall(text, start, end)) * _SENTENCE_LETTERS < letters:
        return len(worded)
    count, open_sentence = 0, False
    for line in lines:
        stripped = line.strip()
        if not stripped:
            open_sentence = False  # a blank line parts paragraphs
            continue
        if _WORDY.search(stripped) and not (open_sentence and _CONTINUES.match(stripped)):
            count += 1
        # a sentence goes on past the line's end when the line ends between two words
        open_sentence = _WORDY.match(stripped[-1]) is not None
    return count


def trim_seam(sk: Skeleton, cand: Candidate) -> None:
    """Cut a chain's end back to the line both copies end on, when the letters past it match
    only because the next lines of both begin alike."""
    last = max(cand.runs, key=lambda r: r.a1)
    d = last.b0 - last.a0
    if ends_line(sk, last.a1) and ends_line(sk, last.b1):
        return  # both copies end with their lines: a whole line matched, not a seam
    if _preview_tail(sk, last):
        return
    edges = sk.edge_list
    low = max(last.a0 + 1, last.a1 - CROSS + 1)
    for p in edges[bisect_left(edges, low) : bisect_left(edges, last.a1)]:
        if sk.is_edge(p + d):
            cut = last.a1 - p
            trimmed = Run(last.a0, p, last.b0, last.b1 - cut, max(0, last.matched - cut))
            cand.runs[cand.runs.index(last)] = trimmed
            cand.a1 = max(r.a1 for r in cand.runs)
            cand.b1 = max(r.b1 for r in cand.runs)
            cand.matched -= cut
            return


def _preview_tail(sk: Skeleton, last: Run) -> bool:
    """Whether the first copy ends with its line, a whole line, where its twin's line goes on,
    the twin at most ``_PREVIEW_LINES`` lines later: a preview cut short (``Even more`` then
    ``Continue Reading`` then the text, whose line reads ``Even more astonishing was...``),
    whose last line is its own and no seam."""
    return (
        ends_line(sk, last.a1)
        and last.a1 < last.b0
        and _lines_between(sk, last.a1, last.b0) <= _PREVIEW_LINES
    )


def realign_twice(cand: Candidate, sk: Skeleton) -> None:
    """A line that holds a text twice, back to back, matched from a few letters too early: the
    line before ends as the text does (``...3.35oz`` then ``X - 3.35oz X - 3.35oz``), so the
    exact match starts there and stops short of the line's end. Such a pair becomes the line's
    two halves."""
    if len(cand.runs) != 1 or cand.b0 != cand.a1:
        return
    edges = sk.edge_list
    k = bisect_right(edges, cand.a0)
    if k >= len(edges):
        return
    p = edges[k]
    period = cand.b0 - cand.a0
    if not cand.a0 < p < cand.a0 + CROSS or sk.line_end(p) != p + 2 * period:
        return
    if sk.letters(p, p + period) != sk.letters(p + period, p + 2 * period):
        return
    cand.runs = [Run(p, p + period, p + period, p + 2 * period, period)]
    cand.a0, cand.a1, cand.b0, cand.b1 = p, p + period, p + period, p + 2 * period
    cand.matched = period


def head_repeat(sk: Skeleton) -> Candidate | None:
    """The first line, when one of the next two lines repeats it letter for letter.

    Anchors cannot see a line shorter than their width (a title, ``TL;DR:``); a teaser can be
    that short, so the text's first lines are compared whole.
    """
    window = min(len(sk), 4096)
    bounds = [0, *(edge for edge in sk.edge_list[:3] if edge < window)]
    if len(bounds) < 2:
        return None
    bounds.append(window if len(bounds) < 4 else bounds[-1])
    first = sk.chars[bounds[0] : bounds[1]]
    for k in (1, 2):
        if k + 1 >= len(bounds):
            break
        start, end = bounds[k], bounds[k + 1]
        if end - start == first.shape[0] and sk.chars[start:end].tobytes() == first.tobytes():
            n = int(first.shape[0])
            return Candidate([Run(0, n, start, end, n)], 0, n, start, end, n)
    return None


def lead_repeat(sk: Skeleton, width: int) -> Candidate | None:
    """The first line (``width`` letters or more, up to ``_LEAD_LETTERS``) and the next line
    further on that repeats it whole, letter for letter, when the text has it a third time
    after that line.

    Anchors take a short line the text has three times for a label it repeats
    (:mod:`dedup.anchors`) and pair none of it; a lead above an article that the page holds
    twice is such a line, so the first line is looked for whole.

    >>> from dedup.tokens import skeleton
    >>> lead = "The lead of the story."
    >>> sk = skeleton(lead + "\\nA title\\n" + lead + "\\nThe body.\\n" + lead + " The body.")
    >>> found = lead_repeat(sk, 12)
    >>> (found.a0, found.a1, found.b0, found.b1)
    (0, 17, 23, 40)
    """
    edges = sk.edge_list
    if not edges or not width <= edges[0] <= _LEAD_LETTERS:
        return None
    n = edges[0]
    letters = sk.letters()
    first = letters[:n]
    at = letters.find(first, n)
    while at >= 0 and not (sk.is_edge(at) and ends_line(sk, at + n)):
        at = letters.find(first, at + 1)
    if at < 0 or letters.find(first, at + n) < 0:
        return None
    return Candidate([Run(0, n, at, at + n, n)], 0, n, at, at + n, n)


def series(candidates: list[Candidate], sk: Skeleton, opts: RepairOptions, text: str) -> None:
    """A piece too short to be judged alone takes the decision of the copy it belongs to.

    Pairs whose first copies follow one another in one region and whose second copies follow
    one another, in the same order, in a later region (each within ``_SERIES_GAP`` letters of
    the last) are one block copied with other matter put between its pieces — script data's
    keys and ids between the headlines and paragraphs of a page, the summaries and dates of its
    page text between them there. Where a piece of such a series is an ``embedded`` copy, its
    other pieces (exact, but each too short to be a duplicate alone: a headline, a caption, a
    line of a paragraph split by a link) are embedded copies on the same side, where the signs
    of script data stand at that copy's edges more than at its twin's (a JSON string's quotes
    and key). A series of pieces of text alone (a menu at the top and the bottom of a page,
    headlines listed twice) stays as it is, even next to a copy in the page's code.
    """
    _reordered(candidates, sk, opts, text)
    if any(c.kind == "adjacent" for c in candidates):
        _entries_twice(candidates, sk, opts)
    if not any(c.kind == "embedded" for c in candidates):
        return  # (most texts: nothing in the code, no series to decide)
    pieces = [
        c
        for c in candidates
        if c.kind in ("distant", "embedded")
        and not c.runs[0].tandem
        and c.score >= opts.min_similarity
        and (c.kind != "distant" or _exact(c) >= opts.long_similarity)
    ]
    pieces.sort(key=lambda c: (c.a0, c.b0))
    groups: list[list[Candidate]] = []
    # the series a piece may still continue (its last piece within reach of it)
    active: list[list[Candidate]] = []
    for cand in pieces:
        active = [g for g in active if cand.a0 - g[-1].a1 <= _SERIES_GAP]
        best, best_cost = None, 0
        for g in active:
            gap_a, gap_b = cand.a0 - g[-1].a1, cand.b0 - g[-1].b1
            fits = gap_a >= 0 and 0 <= gap_b <= _SERIES_GAP and cand.a1 <= g[0].b0
            if fits and (best is None or gap_a + gap_b < best_cost):
                best, best_cost = g, gap_a + gap_b
        if best is None:
            best = [cand]
            groups.append(best)
            active.append(best)
        else:
            best.append(cand)
    for g in groups:
        embedded = [c for c in g if c.kind == "embedded"]
        if not embedded or len({c.code_first > 0 for c in embedded}) != 1:
            continue  # no piece judged in the code, or pieces in the code on both sides
        code_first = max(embedded, key=lambda c: c.matched).code_first
        for c in g:
            if c.kind != "distant":
                continue
            in_code = edges(text, *sk.text_range(c.a0, c.a1))
            in_text = edges(text, *sk.text_range(c.b0, c.b1))
            if code_first < 0:
                in_code, in_text = in_text, in_code
            if in_code > in_text:
                c.kind, c.code_first = "embedded", code_first


def scattered_flat(
    candidates: list[Candidate], sk: Skeleton, opts: RepairOptions, text: str
) -> None:
    """A flattened copy of a body's paragraphs that lie far apart in the body (a page of
    headings, lists and prices with a few paragraphs of prose between, flattened without its
    headings) is one copy: pairs left apart whose second copies follow one another on one line,
    in the order of their first copies, each first copy whole lines, together most of that line,
    join into one ``flattened`` pair. (Chains do not bridge the headings between the paragraphs
    in one copy when the paragraphs are short.) Each first copy ends a sentence: paragraphs,
    not headlines or menu items listed again in one line (a ticker) that stay."""
    pieces = sorted(
        (
            c
            for c in candidates
            if c.kind == "distant"
            and not c.runs[0].tandem
            and c.score >= opts.min_similarity
            and c.a1 <= c.b0
            and starts_line(sk, c.a0)
            and ends_line(sk, c.a1)
            and sk.breaks(c.b0, c.b1) == 0
            and _ends_sentence(text, sk.text_range(c.a1 - 1, c.a1)[1])
        ),
        key=lambda c: c.b0,
    )
    group: list[Candidate] = []
    for cand in [*pieces, None]:
        if group and cand is not None:
            last = group[-1]
            if (
                sk.breaks(last.b0, cand.b1) == 0
                and cand.a0 >= last.a1
                and cand.a1 <= group[0].b0
                and cand.b0 - last.b1 <= SMALL_GAP
            ):
                group.append(cand)
                continue
        if len(group) > 1:
            line0, line1 = sk.line_start(group[0].b0), sk.line_end(group[-1].b1 - 1)
            covered = sum(c.b1 - c.b0 for c in group)
            if covered >= opts.min_similarity * (line1 - line0) and covered >= opts.min_chars:
                runs = [r for c in group for r in c.runs]
                joined = Candidate(
                    runs,
                    group[0].a0,
                    max(c.a1 for c in group),
                    group[0].b0,
                    group[-1].b1,
                    sum(c.matched for c in group),
                    kind="flattened",
                    score=min(c.score for c in group),
                    flat=True,
                )
                candidates.append(joined)
        group = [cand] if cand is not None else []


def _entries_twice(candidates: list[Candidate], sk: Skeleton, opts: RepairOptions) -> None:
    """Entries of a listing each captured twice in a row (a card, then its copy, then the next
    card and its copy: the same series, its copies interleaved) take the decision of the
    entries among them that are judged alone: where one is an ``adjacent`` copy, the others
    — whole lines, letter for letter, each copy right after its entry (less text between them
    than the entry has), the next entry right after it — are adjacent copies too, however
    short their lines; the second copy of each goes (the lines between belong to the first).
    Entries that repeat with nothing removed among them (a tab shown twice, a card and its
    preview) stay."""
    pieces = sorted(
        (
            c
            for c in candidates
            if c.kind in ("distant", "adjacent")
            and not c.runs[0].tandem
            and c.a1 <= c.b0
            and c.b0 - c.a1 <= c.matched
            and c.score >= opts.min_similarity
            and starts_line(sk, c.a0)
            and ends_line(sk, c.a1)
            and starts_line(sk, c.b0)
            and ends_line(sk, c.b1)
            and _exact(c) >= opts.long_similarity
        ),
        key=lambda c: c.a0,
    )
    group: list[Candidate] = []
    for cand in [*pieces, None]:
        if group and cand is not None:
            last = group[-1]
            if last.b1 <= cand.a0 and cand.a0 - last.b1 <= min(last.matched, cand.matched):
                group.append(cand)
                continue
        if len(group) > 1 and any(c.kind == "adjacent" for c in group):
            for c in group:
                c.kind, c.second_goes = "adjacent", True
        group = [cand] if cand is not None else []


def _reordered(candidates: list[Candidate], sk: Skeleton, opts: RepairOptions, text: str) -> None:
    """A block copied elsewhere in another order is judged as one copy: pieces of text, each
    letter for letter and ``min_chars`` or more, whose first copies lie together in one region
    and whose second copies together in a later one (each within ``_SERIES_GAP`` letters of the
    others on its side, whatever the order, the pieces at least half of each region), are
    ``long`` copies when together they are long (``long_chars`` letters over three lines or
    more, twice that in fewer), as the block would be were it copied in the same order (a
    page's reviews listed again, sorted another way); the later copy of each goes. Short items
    (a menu at the top and the bottom, a table of contents and its headings), a block shorter
    than that (a quote, a box of blurbs shown twice) and pieces far apart (pull quotes) stay."""
    pieces: list[Candidate] = []
    for c in candidates:
        if c.kind != "distant" or c.runs[0].tandem or c.a1 > c.b0:
            continue
        if (
            _exact(c) >= opts.long_similarity
            and min(c.cover(first=True), c.cover(first=False)) >= opts.long_similarity
        ):
            pieces.extend([c] if c.matched >= opts.min_chars else [])
        elif len(c.runs) > 1:
            # a chain that joined pieces of the block on two diagonals (one side's gap small)
            # does not align the whole of both its copies: its runs are the pieces
            pieces.extend(
                Candidate([r], r.a0, r.a1, r.b0, r.b1, r.matched, score=1.0)
                for r in c.runs
                if r.matched >= opts.min_chars
                and r.a1 <= r.b0
                and r.matched >= opts.long_similarity * max(r.a1 - r.a0, r.b1 - r.b0)
            )
    pieces.sort(key=lambda c: c.a0)
    if len(pieces) < 2:
        return
    # each group: its pieces, and the end of its first region and the bounds of its second
    groups: list[tuple[list[Candidate], list[int]]] = []
    for cand in pieces:
        for g, bounds in reversed(groups):
            a_end, b_lo, b_hi = bounds
            if cand.a0 - a_end > _SERIES_GAP:
                # (groups in order of their first regions' ends: none further is near)
                groups.append(([cand], [cand.a1, cand.b0, cand.b1]))
                break
            if (
                a_end <= cand.a0
                and cand.a1 <= b_lo
                and b_lo - _SERIES_GAP <= cand.b1
                and cand.b0 <= b_hi + _SERIES_GAP
                and not any(c.b0 < cand.b1 and cand.b0 < c.b1 for c in g)
            ):
                g.append(cand)
                bounds[:] = [cand.a1, min(b_lo, cand.b0), max(b_hi, cand.b1)]
                break
        else:
            groups.append(([cand], [cand.a1, cand.b0, cand.b1]))
        groups.sort(key=lambda item: item[1][0])
    for g, _ in groups:
        if len(g) < 2 or sorted(g, key=lambda c: c.b0) == g:
            continue  # (in the same order, a block with matter between its pieces: a quote)
        total = sum(c.matched for c in g)
        spread = max(
            max(c.a1 for c in g) - min(c.a0 for c in g), max(c.b1 for c in g) - min(c.b0 for c in g)
        )
        if total < opts.long_chars or spread > 2 * total:
            continue
        lines = min(
            _lines_of(sk, [(c.a0, c.a1) for c in g]), _lines_of(sk, [(c.b0, c.b1) for c in g])
        )
        if lines < _LONG_LINES and total < _LONG_FEW_LINES * opts.long_chars:
            continue
        if not all(
            _prose(sk, s0, s1, opts, text) and not code_like(text, *sk.text_range(s0, s1))
            for c in g
            for s0, s1 in ((c.a0, c.a1), (c.b0, c.b1))
        ):
            continue
        if any(_introduced(text, int(sk.offsets[c.b0])) for c in g):
            continue  # ``X said:`` introduces a copy: a post quoted on purpose
        if any("://" in text[slice(*sk.text_range(c.a0, c.a1))] for c in g):
            continue  # a link's address: the page's chrome between posts, not an item of text
        known = {id(c) for c in candidates}
        for c in g:
            c.kind, c.second_goes = "long", True
            if id(c) not in known:
                candidates.append(c)


def _introduced(text: str, start: int) -> bool:
    """Whether what stands before ``start`` (past white space and opening quotes) ends in a
    colon: a label that introduces what follows (``EPayne84 said:``, or a full-width colon).

    >>> _introduced('Mr_Enigmatic said: "Hi guys', 20)
    True
    >>> _introduced("The Daily Beast. Hi guys", 17)
    False
    """
    j = start
    while j > 0 and (text[j - 1].isspace() or text[j - 1] in "\"'\u201c\u00ab\u300c"):
        j -= 1
    return j > 0 and _INTRODUCES.search(text, j - 1, j) is not None


def _lines_of(sk: Skeleton, spans: list[tuple[int, int]]) -> int:
    """How many lines the skeleton ranges ``spans`` touch together."""
    lines: set[int] = set()
    for s0, s1 in spans:
        lines.update(range(sk.line(s0), sk.line(s1 - 1) + 1))
    return len(lines)
