"""Classification: what kind of duplicate a pair of copies is.

Each chain is measured — the share of the shorter copy that aligns, the share equal letter for
letter (:mod:`dedup.measures`), the line breaks in each copy, the text between them, where it
sits, signs of script data (:mod:`dedup.signs`) — and given a kind
(:data:`dedup.spans.KINDS`): ``flattened``, ``adjacent``, ``teaser``, ``embedded``, ``long``,
or ``distant`` (repetition that repair leaves alone).

The rules over several pairs at once (a series, a block in another order, a lead or a
heading again) are in :mod:`dedup.groups`.

>>> from dedup.anchors import Run
>>> from dedup.tokens import skeleton
>>> post = "The release is late this year. The final version comes out in the spring."
>>> sk = skeleton(post + "\\n" + post)
>>> n = len(sk) // 2
>>> cand = Candidate([Run(0, n, n, 2 * n, n)], 0, n, n, 2 * n, n)
>>> classify(cand, sk, RepairOptions(min_chars=40), post + "\\n" + post, lambda: False)
>>> cand.kind
'adjacent'
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Callable

import regex
from rapidfuzz import fuzz, process

from dedup.anchors import CROSS, Run
from dedup.chains import Candidate
from dedup.chars import word_characters
from dedup.markup import image_before, image_text
from dedup.measures import (
    INTRODUCES,
    SENTENCE_END,
    SENTENCE_ENDS,
    WORDS,
    answers_a_quote,
    closes_piece,
    differs_in_place,
    ends_line,
    ends_sentence,
    exact,
    glued,
    label_end,
    long_text,
    moved_line,
    opens_piece,
    past_cut_mark,
    prose,
    sentence_ends_at,
    starts_line,
    swapped,
    swapped_edges,
    tail_twice,
    whole_lines,
)
from dedup.model import RepairOptions
from dedup.signs import (
    code_like,
    edges,
    in_script,
    in_string,
    mark_count,
    script_line,
    scripts,
    structure_only,
    text_beside_script,
    whole_value,
    words_only,
)
from dedup.tokens import Skeleton

__all__ = [
    "CODE_IN_LABEL",
    "classify",
    "copy_in_data",
    "drop_structure_edges",
    "header_between",
    "keep_entries",
    "line_value",
    "lines_as_values",
    "page_piece",
    "quote_label",
    "realign_twice",
    "refrain",
    "reply_quote",
    "trim_seam",
    "value_of_a_line",
]

# What marks a copy as data rather than text, and the share of its characters they make up in
# data (``_data_shown_twice``): ``{ city : "Porto" , visitors : 1900 }`` reaches 0.19, prose
# a few hundredths.
_DATA_MARKS = '{}[]":,'
_DATA_SHARE = 0.125
# What may stand between two copies of a text back to back in a line (besides the last letter
# of the first and the first of the second).
_BACK_TO_BACK = regex.compile(r"\w[\s\p{Po}\p{Pe}\p{Pf}\p{Pi}\p{Ps}]*\w", regex.V1)
# What may stand between two copies of a text over lines, one right after the other: white
# space and punctuation (a list marker), no symbols (a table's rules, a quote's ``>``).
_ROWS_BETWEEN = regex.compile(r"\w[\s\p{P}]*\w", regex.V1)
# The aligned share a long copy in code needs (``classify``), below ``min_similarity``.
_EMBEDDED_SIMILARITY = 0.5
# A copy cut short and its twin have at most this many lines between them ("Continue Reading").
_PREVIEW_LINES = 2
# A page's header (title, byline, date) between a lead line and its twin: this many lines at
# most, each short, besides lines the text has again elsewhere (``header_between``).
_HEADER_LINES = 4
# How many lines a header holding a table of contents may have in all (``header_between``).
_CONTENTS_LINES = 16
# How far around a piece of page text its line is read for signs of script data (``page_piece``):
# as far as :func:`dedup.signs.edges` reads.
_AROUND = 4096
# How many places holding a line's letters are looked at for it as a whole line (``_elsewhere``).
_ELSEWHERE_TRIES = 16


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
    if len(cand.runs) > 1 and not cand.runs[0].tandem and signs():
        _end_at_its_string(cand, sk, text)
    _classify_shape(cand, sk, opts, text)
    # (a picture's target is markup: a text without any has no picture)
    in_image = _image_text(cand, sk, text) if sk.markup and not cand.runs[0].tandem else 0.0
    if in_image and exact(cand) >= opts.long_similarity:
        # a title again as a picture's description: the copy in the markup goes
        cand.kind, cand.code_first = "embedded", in_image
        return
    if cand.kind == "teaser" or cand.runs[0].tandem:
        return
    if cand.score < opts.min_similarity:
        # a long text in the page's code, most of which aligns with the page text around other
        # matter (a form, a table of contents, ads between its paragraphs) is still its copy
        if cand.matched >= opts.long_chars and cand.score >= _EMBEDDED_SIMILARITY:
            embedded, cand.code_first = scripts(text, sk, cand, signs)
            if embedded:
                cand.kind = "embedded"
        elif len(cand.runs) > 1:
            _embedded_run(cand, sk, opts, text, signs)
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
        elif cand.kind == "distant" and signs():
            code_first = value_of_a_line(cand, sk, text)
            if code_first:
                cand.kind, cand.code_first = "embedded", code_first
        return
    embedded, cand.code_first = scripts(text, sk, cand, signs)
    if embedded and cand.kind == "distant" and _data_shown_twice(cand, sk, text):
        return  # (data an article shows twice: neither copy is the page's text in its code)
    if embedded:
        # one copy is in the page's code (script data, markup) and the other is not: the one in
        # the code is the worse-formed, wherever it sits and whatever its shape
        cand.kind = "embedded"
    elif cand.kind != "distant" or exact(cand) < opts.long_similarity:
        return
    elif (
        long_text(cand, sk, opts, text)
        and not _seams(cand, sk, text)[1]
        and not answers_a_quote(text, int(sk.offsets[cand.b0]), int(sk.offsets[cand.a0]))
    ) or _twice_in_a_line(cand, sk, opts, text):
        # a long text copied letter for letter is a duplicate wherever it sits (a reply that
        # quotes a post's paragraphs one at a time, its words between them, is judged quote by
        # quote: :func:`dedup.groups.blocks_left_out`)
        cand.kind = "long"


def _data_shown_twice(cand: Candidate, sk: Skeleton, text: str) -> bool:
    """Whether both copies are data themselves, not text (``_DATA_MARKS``: braces, brackets,
    quotes, colons and commas, ``_DATA_SHARE`` of their characters or more) and one of them
    stands on lines of its own: JSON an article shows twice (on one line, then one object a
    line), whose signs of script data around each copy say nothing of which is the page's.
    (A text of the page in a string of script data reads as text; data glued inside a line of
    a script is the page's code, judged by its signs.)

    >>> from dedup.anchors import Run
    >>> from dedup.tokens import skeleton
    >>> rows = ['{ city : "Porto" , visitors : 1900 }', '{ city : "Faro" , visitors : 700 }']
    >>> page = "[ " + " , ".join(rows) + " ]\\n" + " ,\\n".join(rows)
    >>> sk = skeleton(page)
    >>> n = len(sk) // 2
    >>> _data_shown_twice(Candidate([Run(0, n, n, 2 * n, n)], 0, n, n, 2 * n, n), sk, page)
    True
    """
    copies = ((cand.a0, cand.a1), (cand.b0, cand.b1))
    if not any(whole_lines(sk, s0, s1) for s0, s1 in copies):
        return False
    for s0, s1 in copies:
        start, end = sk.text_range(s0, s1)
        if mark_count(text, start, end, _DATA_MARKS) < _DATA_SHARE * (end - start):
            return False
    return True


def _image_text(cand: Candidate, sk: Skeleton, text: str) -> float:
    """``1.0`` where the first copy lies in a markdown image's text (``![...](picture)``, a
    picture's description) and the second does not, ``-1.0`` for the reverse, else ``0.0``:
    a product's or an article's title again as its picture's description (html2text writes
    ``[![Title](picture)](page)`` above ``[Title](page)``), which the page shows as a picture,
    not as text. The copy in the image's markup goes, its link whole
    (:func:`dedup.cuts.whole_links`).

    >>> from dedup.anchors import Run
    >>> from dedup.tokens import skeleton
    >>> title = "Apple AirTag, a tracker for keys and bags"
    >>> page = f"[![{title}](/a.jpg)](/p)\\n\\n[{title}](/p)"
    >>> sk = skeleton(page)
    >>> n = len(skeleton(title))
    >>> _image_text(Candidate([Run(0, n, n, 2 * n, n)], 0, n, n, 2 * n, n), sk, page)
    1.0
    """
    if not (
        image_before(text, sk.offsets.item(cand.a0)) or image_before(text, sk.offsets.item(cand.b0))
    ):
        return 0.0
    first = image_text(text, *sk.text_range(cand.a0, cand.a1)) is not None
    second = image_text(text, *sk.text_range(cand.b0, cand.b1)) is not None
    return 0.0 if first == second else (1.0 if first else -1.0)


def _end_at_its_string(cand: Candidate, sk: Skeleton, text: str) -> None:
    """End a chain whose copy begins inside a string value of script data (:func:`in_string`:
    an ``articleBody``) where its last runs lie outside any such value on a later line: the page
    text after the script, whose line (a title, a product's name) the page holds again after
    the twin's end. Those runs pair the page's text with the page's text; joined to the copy in
    the data they would carry its removal across the string's closing quote, keys and brackets
    into the page. (Runs from one string value into the next, nodes of app state on one line,
    stay: the copy lies in the data all along.)"""
    for first in (True, False):
        starts = [r.a0 if first else r.b0 for r in cand.runs]
        at = int(sk.offsets[min(starts)])
        if not in_string(text, at):
            continue
        starts.sort()
        line_end = text.find("\n", at)
        if line_end < 0:
            continue
        limit = next(
            (s for s in starts[1:] if int(sk.offsets[s]) > line_end),
            None,
        )
        if limit is None:
            continue
        at = int(sk.offsets[limit])
        low = text.rfind("\n", 0, at) + 1
        high = text.find("\n", at)
        if in_string(text, at) or script_line(text[low : len(text) if high < 0 else high]):
            continue  # (the copy goes on in the data: another string, a line of script)
        cand.cut_back(limit, first=first)
        return


def keep_entries(candidates: list[Candidate], sk: Skeleton, text: str) -> None:
    """Make ``distant`` (both stay) the ``adjacent`` pairs whose copies are alike
    but for another number or another word at one place in both
    (:func:`dedup.measures.differs_in_place`: ``13-inch`` and ``15-inch``, ``$40`` and ``$55
    CAD``, ``$40`` and ``£40 GBP``): two entries of a listing, or a text and its version for
    another region, each the only copy of what it says, not one text captured twice, whichever
    rule judged them; and those whose copies hold a line at different places
    (:func:`dedup.measures.moved_line`: a table for wide screens and again for narrow ones).
    (A second rendering's typo, two neighbouring letters swapped, and a sentence one copy left
    out are no such difference; a flattened copy, a teaser and a copy in script data are judged
    by their shape.) Copies alike letter for letter stay too where they are the bodies of two
    entries, each under a head of its own (:func:`_under_own_heads`: a listing's variants that
    share a description)."""
    for cand in candidates:
        if cand.kind != "adjacent":
            continue
        if (
            (exact(cand) < 1.0 or cand.a1 - cand.a0 != cand.b1 - cand.b0)
            and (differs_in_place(cand, sk, text) or moved_line(cand, sk))
        ) or (
            whole_lines(sk, cand.a0, cand.a1)
            and whole_lines(sk, cand.b0, cand.b1)
            and _under_own_heads(cand, sk, text)
        ):
            cand.kind, cand.second_goes = "distant", False


def _under_own_heads(cand: Candidate, sk: Skeleton, text: str) -> bool:
    """Whether the copies (whole lines) are the bodies of two entries, each under a head of its
    own: the lines between them (one to ``_HEADER_LINES``, blank ones aside) and as many lines
    right before the first, line for line alike, some the same and at least one with another
    word or number at one place (``T-shirt - Red`` and ``T-shirt - Blue``, ``Price: 20 EUR``
    and ``Price: 22 EUR``): a listing's variants that share a description, each the only copy
    of its own. (A paragraph captured twice has no lines between its copies, or lines that say
    nothing of the ones above the first.)

    >>> from dedup.anchors import Run
    >>> from dedup.tokens import skeleton
    >>> desc = "Soft cotton with a ribbed collar that keeps its shape."
    >>> page = f"Shirt - Red\\nPrice: 20 EUR\\n{desc}\\nShirt - Blue\\nPrice: 22 EUR\\n{desc}"
    >>> sk = skeleton(page)
    >>> n, b0 = len(skeleton(desc)), len(sk) - len(skeleton(desc))
    >>> a0 = len(skeleton("Shirt - Red Price: 20 EUR"))
    >>> pair = Candidate([Run(a0, a0 + n, b0, b0 + n, n)], a0, a0 + n, b0, b0 + n, n)
    >>> _under_own_heads(pair, sk, page)
    True
    """
    first, end, second = (
        sk.offsets.item(cand.a0),
        sk.char_end(cand.a1 - 1),
        sk.offsets.item(cand.b0),
    )
    # (the copies are whole lines: what their own lines hold besides them is no head)
    heads = [line for line in text[end:second].split("\n")[1:-1] if line.strip()]
    if not 0 < len(heads) <= _HEADER_LINES:
        return False
    above: list[str] = []  # the lines right above the first copy, blank ones aside, last first
    end = text.rfind("\n", 0, first)
    while end >= 0 and len(above) < len(heads):
        start = text.rfind("\n", 0, end) + 1
        if text[start:end].strip():
            above.append(text[start:end])
        end = start - 1
    if len(above) != len(heads):
        return False
    above.reverse()
    changed = 0
    for own, twin in zip(above, heads, strict=True):
        one, other = WORDS.findall(own.lower()), WORDS.findall(twin.lower())
        places = sum(x != y for x, y in zip(one, other, strict=False))
        if len(one) != len(other) or places > 1 or not one:
            return False
        changed += places
    return changed > 0


def _embedded_run(
    cand: Candidate, sk: Skeleton, opts: RepairOptions, text: str, signs: Callable[[], bool]
) -> None:
    """A chain whose copies align too little to be judged whole is judged by its longest run
    too: where that run, ``min_chars`` letters or more and letter for letter, is an embedded
    pair alone (a paragraph of the page again in script data), the pair becomes that run, and
    the rest of the chain (a heading or a name a few lines away that another run joined to it,
    with other matter between them on both sides) is left to a later pass."""
    run = max(cand.runs, key=lambda r: r.matched)
    if run.matched < opts.min_chars or run.matched < opts.long_similarity * (run.a1 - run.a0):
        return
    alone = Candidate([run], run.a0, run.a1, run.b0, run.b1, run.matched, score=1.0)
    embedded, code_first = scripts(text, sk, alone, signs)
    if embedded:
        cand.runs, cand.a0, cand.a1, cand.b0, cand.b1 = [run], run.a0, run.a1, run.b0, run.b1
        cand.matched, cand.score = run.matched, 1.0
        cand.kind, cand.code_first = "embedded", code_first


def value_of_a_line(cand: Candidate, sk: Skeleton, text: str) -> float:
    """Whether one copy, however short, is the whole value of a string of script data
    (:func:`dedup.signs.whole_value`) and the other, letter for letter, a piece of the page text
    that stands alone in its line (a whole line, a sentence, a piece glued to its neighbours:
    :func:`dedup.measures.opens_piece`, :func:`dedup.measures.closes_piece`) with no sign of
    script data around it: the page's text again in its data (a headline's ``"title"``, a
    card's ``"linkSubtext"``, a question of a FAQ), whose copy in the data goes. 1.0 when the
    first copy is the one in the data, -1.0 when the second is, 0.0 when neither. (A part of a
    longer value, a piece inside a sentence, a line that holds more than the value, JSON shown
    pretty-printed on a page, and two strings of the data stay.)"""
    if cand.a1 - cand.a0 != cand.b1 - cand.b0 or exact(cand) < 1.0:
        return 0.0
    for code_first, (c0, c1), (t0, t1) in (
        (1.0, (cand.a0, cand.a1), (cand.b0, cand.b1)),
        (-1.0, (cand.b0, cand.b1), (cand.a0, cand.a1)),
    ):
        if page_piece(sk, text, t0, t1) and whole_value(text, *sk.text_range(c0, c1)):
            return code_first
    return 0.0


def lines_as_values(
    chains: list[Candidate], sk: Skeleton, text: str, signs: Callable[[], bool]
) -> list[Candidate]:
    """The runs of chains left ``distant`` that are each a line of the page again as the whole
    value of a string of script data (:func:`value_of_a_line`), as ``embedded`` pairs of their
    own. The nodes of app state lie close together, a few keys between them, so a chain joins
    the page's short lines (list items, headings, short paragraphs, each under ``min_chars``)
    to their values in the data, in order; the keys leave the chain too little aligned to be
    judged whole, and no run alone is long enough to be judged by (:func:`_embedded_run`). Each
    run is judged as a line alone is. A chain of one run, or none in a text with no sign of
    script data, gives none."""
    found: list[Candidate] = []
    for cand in chains:
        if cand.kind != "distant" or len(cand.runs) < 2 or not signs():
            continue
        pairs = (line_value(run, sk, text) for run in cand.runs)
        found.extend(pair for pair in pairs if pair is not None)
    return found


def line_value(run: Run, sk: Skeleton, text: str) -> Candidate | None:
    """``run`` as an ``embedded`` pair of its own where one copy is the whole value of a string
    of script data and the other the page's line (:func:`value_of_a_line`); ``None`` where it
    is not."""
    cand = Candidate([run], run.a0, run.a1, run.b0, run.b1, run.matched)
    code_first = value_of_a_line(cand, sk, text)
    if not code_first:
        return None
    cand.measure()
    cand.kind, cand.code_first = "embedded", code_first
    return cand


def copy_in_data(at: int, twin: int, size: int) -> Candidate:
    """The ``embedded`` pair, letter for letter, of the ``size`` letters at ``at`` in script
    data and their twin at ``twin`` in the page text: the copy at ``at`` goes."""
    a0, b0 = min(at, twin), max(at, twin)
    run = Run(a0, a0 + size, b0, b0 + size, size)
    pair = Candidate([run], a0, a0 + size, b0, b0 + size, size, "embedded", 1.0)
    pair.code_first = 1.0 if at < twin else -1.0
    return pair


def page_piece(sk: Skeleton, text: str, t0: int, t1: int) -> bool:
    """Whether the skeleton range ``[t0, t1)`` is a piece of the page text that stands alone in
    its line (a whole line, a sentence, a piece glued to its neighbours:
    :func:`dedup.measures.opens_piece`, :func:`dedup.measures.closes_piece`) with no sign of
    script data around it on its line: the twin that a string's value of script data may say again
    (:func:`value_of_a_line`, :func:`dedup.groups.pieces_of_a_value`)."""
    if not (opens_piece(sk, t0, text) and closes_piece(sk, t1, text)):
        return False
    start, end = sk.text_range(t0, t1)
    # (its line only: script data on the next line, an extractor's script text printed after
    # the page's last line, is not around it)
    low = max(text.rfind("\n", 0, start) + 1, start - _AROUND)
    high = text.find("\n", end, end + _AROUND)
    high = min(len(text), end + _AROUND) if high < 0 else high
    return not edges(text[low:high], start - low, end - low)


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
        and exact(cand) >= 1.0
        and _BACK_TO_BACK.fullmatch(text, *sk.text_range(cand.a1 - 1, cand.b0 + 1)) is not None
        and not code_like(text, *sk.text_range(cand.a0, cand.a1))
    )


def _classify_shape(cand: Candidate, sk: Skeleton, opts: RepairOptions, text: str) -> None:
    # how much of the shorter copy the longer one holds: a copy with a paragraph more than its
    # twin, or a flattened copy without the headings and lists, still scores high
    total = cand.matched
    cand.measure()
    if total > 1.5 * cand.matched:
        # parts of one copy align more than once: a repeating pattern, not two copies
        cand.score = min(cand.score, 0.5)
    cand.kind = "distant"
    tandem = cand.runs[0].tandem
    if cand.matched < opts.min_chars and cand.a0 and cand.b0 > cand.a1 and not tandem:
        return  # short, not first, not back to back: no kind but distant applies
    if not tandem:
        _last_line_with_a_typo(cand, sk)
    complete = _complete(sk, cand)
    if tandem:
        # a text two or more times back to back: whole lines of prose, or most of the page
        # whatever its lines (slides of short lines three times over), as a text twice is
        long_enough = cand.a1 - cand.a0 >= opts.min_chars
        most = cand.matched >= opts.min_share * len(sk)
        if complete and long_enough and (most or prose(sk, cand.a0, cand.a1, opts, text)):
            cand.kind = "adjacent"
        return
    if cand.score < opts.min_similarity:
        return
    (breaks_a, breaks_b, blank_a, blank_b), quoted, parted = _seams(cand, sk, text)
    if quoted:
        return  # a reply quoting a post's paragraphs one at a time: both stay
    gap = max(0, cand.b0 - cand.a1)
    between = _lines_between(sk, cand.a1, cand.b0)
    many, few = max(breaks_a, breaks_b), min(breaks_a, breaks_b)
    # a doubled body is most of its page, or a long text whatever the page holds besides
    # (hundreds of kilobytes of script around it)
    large = cand.matched >= max(opts.min_chars, opts.min_share * len(sk)) or long_text(
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
    if many >= 1 and few * 2 <= many and not parted:
        cand.flat, cand.flat_first = True, breaks_a < breaks_b
        # (the paragraphed copy's edges reach over a typo its twin has near them)
        if breaks_a >= breaks_b:  # the paragraphs come first; the other copy may be glued on
            s0, s1 = swapped_edges(sk, (cand.a0, cand.a1), (cand.b0, cand.b1), opts.anchor_chars)
            edges = _near_line_edges(sk, text, s0, min(s1, cand.b0), 0, cand.b0, (cand.b0, cand.b1))
        else:
            s0, s1 = swapped_edges(sk, (cand.b0, cand.b1), (cand.a0, cand.a1), opts.anchor_chars)
            edges = _near_line_edges(
                sk, text, max(s0, cand.a1), s1, cand.a1, len(sk), (cand.a0, cand.a1)
            )
        if large and gap <= 4 * cand.matched and edges and not reply_quote(cand, sk, opts, text):
            if _ends_in_script(cand, sk, text, breaks_a >= breaks_b):
                _classify_shape(cand, sk, opts, text)  # (the text's pair, judged again)
                return
            cand.kind = "flattened"
            # (a long post quoted whole under a label that names its author: the quote goes)
            cand.second_goes = _quotes_its_author(cand, sk, opts, text)
        return
    if not complete:
        short = _cut_short(cand, sk, opts, text, between)
        if short is not None:
            cand.kind, cand.cut_second = "teaser", short
        elif (
            starts_line(sk, cand.a0)
            and ends_line(sk, cand.a1)
            and ends_line(sk, cand.b1)
            and _labels_between(cand, sk, opts, text)
        ) or _twice_in_a_row(cand, sk, opts, text):
            # a post, and the post again after a label on its own line (``- @JonB``), or right
            # after it where the extractor glued it to the lines around it
            cand.kind = "adjacent"
        return
    if cand.a0 == 0 and breaks_a == 0 and (cand.matched < opts.min_chars or gap > 0):
        if between == 0 or (between == 1 and not _paragraph_between(sk, cand, opts, text)):
            cand.kind = "teaser"
            return
        if header_between(sk, cand.a1, cand.b0, opts, text) or _lead_thrice(
            sk, cand, text, opts.min_chars
        ):
            # (acted on only where the page is doubled elsewhere too: ``Candidate.lead``, or
            # where its twin is the page's only paragraph, a body of one paragraph flattened
            # above the page)
            cand.kind, cand.lead = "teaser", not _only_paragraph(cand, sk, text)
            return
    if cand.matched < opts.min_chars:
        return
    if not large and not (
        prose(sk, cand.a0, cand.a1, opts, text) and prose(sk, cand.b0, cand.b1, opts, text)
    ):
        return  # list items or labels repeated: natural, unless it is most of the text
    if not large and exact(cand) < 1.0 and code_like(text, *sk.text_range(cand.a0, cand.a1)):
        return  # code alike but for a number or a name, side by side: steps of an example
    if (
        between == 0
        or (
            large
            and gap <= opts.max_gap_ratio * cand.matched
            and not answers_a_quote(text, int(sk.offsets[cand.b0]), int(sk.offsets[cand.a0]))
        )
    ) and not refrain(cand, sk):
        cand.kind = "adjacent"
    elif _labels_between(cand, sk, opts, text):
        # a post, a few labels (a reply counter, a name), and the post again as its preview
        cand.kind = "adjacent"
    elif _last_line_again(cand, sk, text) and not reply_quote(cand, sk, opts, text):
        # a body of one paragraph, flattened below the page: no break to lose, but its place
        cand.kind, cand.flat, cand.second_goes = "flattened", True, True


def refrain(cand: Candidate, sk: Skeleton) -> bool:
    """Whether the first copy of a pair is two whole lines or more that the text has a third
    time apart from both copies, letter for letter and broken into lines alike: a song's chorus
    sung twice in a row and again after a verse, a refrain, which the text repeats by design. A
    paragraph captured twice is there twice (a flattened copy holds it glued inside a line, not
    as lines of its own), and goes; so does a line the text has three times (a lead as a
    teaser above the page, in the body, and alone as the body flattened).

    >>> from dedup.anchors import Run
    >>> from dedup.tokens import skeleton
    >>> chorus = "Carry me home across the fields\\nCarry me home before the night"
    >>> def pair(page):  # (the first two copies of the chorus)
    ...     sk, n = skeleton(page), len(skeleton(chorus))
    ...     a0 = sk.letters().find(skeleton(chorus).letters())
    ...     return Candidate([Run(a0, a0 + n, a0 + n, a0 + 2 * n, n)], a0, a0 + n, a0 + n,
    ...                      a0 + 2 * n, n), sk
    >>> song = f"Verse one\\n\\n{chorus}\\n\\n{chorus}\\n\\nVerse two\\n\\n{chorus}"
    >>> refrain(*pair(song))
    True
    >>> refrain(*pair(song.replace("Verse two\\n\\n" + chorus, "Verse two")))
    False
    >>> refrain(*pair(song.replace("two\\n\\n" + chorus, "two " + chorus.replace("\\n", " "))))
    False
    """
    a0, a1, b1 = cand.a0, cand.a1, cand.b1
    if not (starts_line(sk, a0) and ends_line(sk, a1)):
        return False
    size, key, breaks = a1 - a0, sk.letters(a0, a1), sk.breaks(a0, a1)
    if not breaks:
        return False  # (one line three times: a lead as a teaser, in the body and flattened)
    at = sk.find(key)
    while at >= 0:
        if (
            (at + size <= a0 or at >= b1)
            and starts_line(sk, at)
            and ends_line(sk, at + size)
            and sk.breaks(at, at + size) == breaks
        ):
            return True
        at = sk.find(key, at + 1)
    return False


def _last_line_again(cand: Candidate, sk: Skeleton, text: str) -> bool:
    """Whether the later copy is the text's last line whole and, letter for letter, a whole
    line before it that ends a sentence, and that line the text's only paragraph: no other
    line holds a sentence's end. A flattened copy of a body holds all its
    paragraphs; a body of one paragraph (a product's description among its name, prices and
    options) flattened below the page, its description again as the page's data gives it, has
    no line break to lose, but stands where such a copy does. A paragraph of an article said
    again at its end (a summary, an FAQ's answer) has other paragraphs beside it, and a line the
    page repeats under each entry (a coupon's terms) is there three times or more: both stay.

    >>> from dedup.anchors import Run
    >>> from dedup.tokens import skeleton
    >>> line = "The shirt is cut from a light cotton that dries fast after a long run."
    >>> def pair(page):  # (the first copy of the line and the last)
    ...     sk, n = skeleton(page), len(skeleton(line))
    ...     a0, b0 = sk.letters().find(skeleton(line).letters()), len(sk) - n
    ...     return Candidate([Run(a0, a0 + n, b0, b0 + n, n)], a0, a0 + n, b0, b0 + n, n), sk
    >>> page = "Running shirt\\n" + line + "\\nSize guide\\nFree returns\\n" + line
    >>> _last_line_again(*pair(page), page)
    True
    >>> page = "Running shirt\\n" + line + "\\nIt comes in four colours.\\n" + line
    >>> _last_line_again(*pair(page), page)
    False
    >>> page = "Running shirt\\n" + line + "\\nSize guide\\n" + line + "\\nReturns\\n" + line
    >>> _last_line_again(*pair(page), page)
    False
    """
    a0, a1, b0, b1 = cand.a0, cand.a1, cand.b0, cand.b1
    if b1 != len(sk) or a1 - a0 != b1 - b0:
        return False  # (copies alike: :func:`_only_paragraph`, last, tests it)
    if not (starts_line(sk, a0) and ends_line(sk, a1) and starts_line(sk, b0)):
        return False
    if sk.breaks(a0, a1) or sk.breaks(b0, b1):
        return False
    return _only_paragraph(cand, sk, text)


def _last_line_with_a_typo(cand: Candidate, sk: Skeleton) -> None:
    """Widen to whole lines a pair whose later copy is in the text's last line, each copy on
    one line, where the two lines are alike but for two neighbouring letters swapped: a
    second rendering's typo near a line's edge leaves fewer letters than an anchor on its
    side, and the copies' alignment stops at it.

    >>> from dedup.anchors import Run
    >>> from dedup.tokens import skeleton
    >>> line = "The shirt is cut from a light cotton that dries fast after a long run."
    >>> page = "Shirt\\n" + line + "\\nSize guide\\n" + line.replace("long", "lnog")
    >>> sk, n = skeleton(page), len(skeleton(line))
    >>> a0, b0, m = len("shirt"), len(sk) - n, n - 8  # (the run stops before the typo)
    >>> cand = Candidate([Run(a0, a0 + m, b0, b0 + m, m)], a0, a0 + m, b0, b0 + m)
    >>> _last_line_with_a_typo(cand, sk)
    >>> (cand.a1, cand.b1) == (a0 + n, len(sk))
    True
    """
    a0, a1, b0, b1 = cand.a0, cand.a1, cand.b0, cand.b1
    if sk.line_end(b0) != len(sk) or sk.breaks(a0, a1):
        return
    lines = sk.line_start(a0), sk.line_end(a0), sk.line_start(b0), len(sk)
    if lines == (a0, a1, b0, b1) or lines[1] > lines[2]:
        return
    if lines[3] - lines[2] != lines[1] - lines[0]:
        return  # (a swap keeps the length: two lines of other lengths are not copied strings)
    if swapped(sk.letters(lines[2], lines[3]), sk.letters(lines[0], lines[1])):
        cand.a0, cand.a1, cand.b0, cand.b1 = lines


def _alike(cand: Candidate, sk: Skeleton) -> bool:
    """Whether the two copies of ``cand`` are equal letter for letter, or but for two
    neighbouring letters swapped (a second rendering's typo)."""
    if exact(cand) >= 1.0:
        return True
    if cand.a1 - cand.a0 != cand.b1 - cand.b0:
        return False  # (a swap keeps the length: copies of other lengths are not cut out)
    return swapped(sk.letters(cand.b0, cand.b1), sk.letters(cand.a0, cand.a1))


def _only_paragraph(cand: Candidate, sk: Skeleton, text: str) -> bool:
    """Whether the two copies of ``cand``, whole lines letter for letter, are a line that ends
    a sentence (not code) and the text's only paragraph: no other line holds a sentence's end
    (a third copy would hold one too), but where the copies are the text's first line and a
    line below it, the same line once more as the text's last line, and where they are its last
    line and a line above it, the same line once more as its first: a product's description as
    the page's summary above it and again as its data below it. A line the page repeats under
    each of its entries is not the text's first line (the first entry's name is).

    >>> from dedup.anchors import Run
    >>> from dedup.tokens import skeleton
    >>> line = "The shirt is cut from a light cotton that dries fast after a long run."
    >>> def pair(page, k):  # (the k-th copy of the line and the next)
    ...     sk, key = skeleton(page), skeleton(line).letters()
    ...     at = [m for m in range(len(sk)) if sk.letters().startswith(key, m)]
    ...     a0, b0, n = at[k], at[k + 1], len(key)
    ...     return Candidate([Run(a0, a0 + n, b0, b0 + n, n)], a0, a0 + n, b0, b0 + n, n), sk
    >>> page = line + "\\nShirt\\nFree returns\\n" + line + "\\nSize guide\\n" + line
    >>> _only_paragraph(*pair(page, 0), page), _only_paragraph(*pair(page, 1), page)
    (True, True)
    >>> coupons = "Shirt\\n" + line + "\\nSocks\\n" + line + "\\nHat\\n" + line
    >>> _only_paragraph(*pair(coupons, 0), coupons), _only_paragraph(*pair(coupons, 1), coupons)
    (False, False)
    """
    start, end = sk.text_range(cand.a0, cand.a1)
    if not _alike(cand, sk) or not ends_sentence(text, end) or code_like(text, start, end):
        return False
    line_end = text.find("\n", end)
    if line_end < 0:
        return False
    b_start, b_end = sk.text_range(cand.b0, cand.b1)
    later = text.rfind("\n", 0, b_start)
    first = text.rfind("\n", 0, start) + 1
    after = text.find("\n", b_end)
    # (three copies: the text's first line, one between and its last line; the third is not
    # searched for a sentence's end)
    head = _edge_line_again(cand, sk, text, last=False) if cand.b1 == len(sk) else None
    tail = _edge_line_again(cand, sk, text, last=True) if cand.a0 == 0 else None
    lo = head[1] if head is not None and head[1] <= first else 0
    hi = tail[0] if tail is not None and after >= 0 and tail[0] > after else len(text)
    if SENTENCE_ENDS.search(text, lo, first) is not None:
        return False
    return SENTENCE_ENDS.search(text, line_end, max(line_end, later)) is None and (
        after < 0 or SENTENCE_ENDS.search(text, after, hi) is None
    )


def _edge_line_again(
    cand: Candidate, sk: Skeleton, text: str, *, last: bool
) -> tuple[int, int] | None:
    """Where the text's first line (its last, with ``last``) is, the text range of that line,
    when it is neither copy of ``cand`` and holds the first copy's letters, letter for letter
    and nothing else; else ``None``."""
    e0, e1 = (sk.line_start(len(sk) - 1), len(sk)) if last else (0, sk.line_end(0))
    if e0 in (cand.a0, cand.b0) or e1 - e0 != cand.a1 - cand.a0:
        return None
    if sk.letters(e0, e1) != sk.letters(cand.a0, cand.a1):
        return None
    start, end = sk.text_range(e0, e1)
    stop = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, len(text) if stop < 0 else stop


def _ends_in_script(cand: Candidate, sk: Skeleton, text: str, first: bool) -> bool:
    """Cut a flattened pair whose paragraphed copy (the first when ``first``) ends in lines of
    script data after lines of text back to its last line of text, in both copies, and say
    whether it did: a flattened copy is text, and a chain that ran on from the page text into
    script data of repeated structure (the same keys and image paths in each item) pairs
    data, whose ids and keys only the other copy has are no paragraphs to move into the page.
    """
    s0, s1 = (cand.a0, cand.a1) if first else (cand.b0, cand.b1)
    cut = s1
    while cut > s0:
        line = max(s0, sk.line_start(cut - 1))
        start, end = sk.text_range(line, cut)
        if line == s0 or not in_script(text, text.rfind("\n", 0, start) + 1, end):
            break
        cut = line
    if cut == s1 or in_script(text, *sk.text_range(s0, sk.line_end(s0))):
        return False  # (no script at its end, or script data from its first line: no text)
    cand.runs = sorted(cand.runs)
    cand.cut_back(cut, first=first)
    return True


def reply_quote(cand: Candidate, sk: Skeleton, opts: RepairOptions, text: str) -> bool:
    """Whether the later copy of a pair whose line breaks differ is introduced by a label
    ending in a colon (``Alice said:``, a short line of its own or opening the copy's line:
    under ``min_chars / 2`` letters), apart from its twin (lines between them: the reply's
    header) and not its heading too (:func:`_heads`), and is shorter than a long text: a
    reply's quote of a post, which a forum renders on one line or on lines of its own whatever
    the post has, not a copy that lost its breaks; both stay. (A long text quoted whole is a
    long copy; a string of script data after its key is no label; a sentence that opens a
    list, ``... is divided into three types:``, is no label; a heading both copies carry,
    ``Overview:``, a breadcrumb's ``You are here:``, or one right after the twin, ``TL;DR:``,
    that a flattened twin lacks, is the copy's own.)

    >>> from dedup.anchors import Run
    >>> from dedup.tokens import skeleton
    >>> post = "It rained all week. The roads were closed.\\nThe school stayed shut."
    >>> page = post + "\\nBob, 2 June\\nAnn said: " + post.replace("\\n", " ")
    >>> sk, n = skeleton(page), len(skeleton(post))
    >>> cand = Candidate([Run(0, n, len(sk) - n, len(sk), n)], 0, n, len(sk) - n, len(sk), n)
    >>> reply_quote(cand, sk, RepairOptions(), page)
    True
    """
    name = _label(cand, sk, opts, text)
    # (the costliest test last: a long text quoted whole is a long copy)
    return name is not None and not long_text(cand, sk, opts, text)


def _label(cand: Candidate, sk: Skeleton, opts: RepairOptions, text: str) -> str | None:
    """The label that introduces the later copy of a pair as a quote (:func:`reply_quote`, but
    for its length), or ``None``."""
    twin, twin_end = sk.text_range(cand.a0, cand.a1)
    end = label_end(text, sk.text_range(cand.b0, cand.b1)[0], label=True)
    line = text.rfind("\n", 0, end) + 1
    if not text[max(twin_end, text.find("\n", twin_end)) : line].strip():
        return None  # (a heading right after the twin: the copy's own, which its twin lacks)
    name = text[line:end].strip()
    if sum(ch.isalnum() for ch in name) * 2 >= opts.min_chars:
        return None  # (a sentence that opens a list, not a label)
    return None if _heads(text, name, twin) else name


def _quotes_its_author(cand: Candidate, sk: Skeleton, opts: RepairOptions, text: str) -> bool:
    """Whether the later copy of a flattened pair is a long post quoted whole under a label
    that names the post's author: the label's first word is a whole line among the last
    ``_AUTHOR_LINES`` lines before the twin (``Alice``, a date, then Alice's post; later
    ``Alice said:`` and the post again). The quote goes then, whichever copy kept its breaks,
    and the post stays where it was posted; a heading ending in a colon above a paragraphed
    copy that its flattened twin lacks (``Key takeaways:``) names no line before the twin.

    >>> from dedup.anchors import Run
    >>> from dedup.tokens import skeleton
    >>> post = " ".join(["It rained all week and the roads were closed again."] * 25)
    >>> quote = post.replace(". ", ".\\n")
    >>> page = "Alice\\n2 June\\n" + post + "\\nBob\\n3 June\\nAlice said:\\n" + quote
    >>> sk, n, h = skeleton(page), len(skeleton(post)), len(skeleton("Alice 2 June"))
    >>> b0 = len(sk) - n
    >>> cand = Candidate([Run(h, h + n, b0, len(sk), n)], h, h + n, b0, len(sk), n)
    >>> _quotes_its_author(cand, sk, RepairOptions(), page)
    True
    >>> _quotes_its_author(cand, sk, RepairOptions(), page.replace("Alice\\n2", "Ann\\n2"))
    False
    """
    name = _label(cand, sk, opts, text)
    words = WORDS.findall(name or "")
    if not words or not long_text(cand, sk, opts, text):
        return False
    twin = sk.text_range(cand.a0, cand.a1)[0]
    start = twin
    for _ in range(_AUTHOR_LINES + 1):
        start = text.rfind("\n", 0, max(0, start - 1)) + 1 if start else 0
    lines = text[start:twin].split("\n")
    return any(line.strip() == words[0] for line in lines)


# How many lines before a post its author's name may stand (:func:`_quotes_its_author`): the
# name, a date, a rank, a post count.
_AUTHOR_LINES = 4
# What ends the clause before a quote's label on its line (:func:`quote_label`): a sentence's
# end, a comma, a semicolon.
_CLAUSE_END = regex.compile(r"[\p{Sentence_Terminal},;\uff0c\u3001\uff1b]", regex.V1)
# What may stand between a quote's label and the quote: white space, an opening quotation mark,
# a markdown blockquote's marks.
_BEFORE_QUOTE = frozenset(" \t\r\n>\"'\u201c\u00ab\u300c")
# How far before its colon a quote's label is read; how many lines above its last one a label
# an extractor broke over lines reaches (:func:`_label_over_lines`).
_LABEL_REACH = 256
_LABEL_LINES = 5
# What no quote's label holds, nor the first words of a quote before its paired letters: the
# marks of code and script data (``{ transUrl:``).
CODE_IN_LABEL = regex.compile(r"[{}\[\]=<>;|\\\"]")


def quote_label(text: str, start: int, min_chars: int) -> tuple[int, str] | None:
    """The label that introduces the text at ``start`` as a quote, where it starts and its
    words, or ``None``: words ending in a colon (``Alice said:``, ``Quote:``, a full-width
    colon) right before it, past white space (after a colon but a full-width one, some: not
    ``https://``) and a markdown blockquote's ``>``, on the line
    above or opening the quote's line, back to the line's start or to the end of the clause
    before them on that line (a sentence's end, a comma: a post's header, ``Posted 2 June,
    1 hour ago, filpo said:``), fewer than ``min_chars / 2`` letters (a sentence that opens a
    list, ``... is divided into three core types:``, is none) and without the marks of code
    (``{ transUrl:``). A label an extractor broke over lines, each element on a line of its
    own, is read whole (:func:`_label_over_lines`): the colon alone on its line, with two lines
    or more above it that make one label (``@`` / ``JonB`` / ``said in`` / a thread's title /
    ``:``; one line is a table's key, its colon a cell of its own), or a colon ending a line
    that starts with a small letter (``said:``), with the lines above that it goes on; the
    letters of all its lines count. The rule of ``quotes="remove"``
    (:func:`dedup.groups.reply_quotes`).

    >>> page = "Bob\\nAlice said:\\n> It rained all week."
    >>> quote_label(page, page.index("It"), 80)
    (4, 'Alice said:')
    >>> page = "Posted 2 June, 1 hour ago, filpo said: It rained all week."
    >>> quote_label(page, page.index("It"), 80)
    (27, 'filpo said:')
    >>> page = "Machine learning is divided into three core types of model:\\nIt rained."
    >>> quote_label(page, page.index("It"), 80) is None
    True
    >>> page = "#2\\n@\\nJonB\\nsaid in\\nWhich Qt6 version\\n:\\nHas anybody tried it?"
    >>> quote_label(page, page.index("Has"), 80)
    (3, '@\\nJonB\\nsaid in\\nWhich Qt6 version\\n:')
    >>> page = "Model\\nT-6\\nDescription\\n:\\nA sturdy oak table."
    >>> quote_label(page, page.index("A sturdy"), 80) is None
    True
    >>> page = "The photo: https://example.org/photo.png"
    >>> quote_label(page, page.index("//") + 2, 80) is None
    True
    """
    j = start
    while j > 0 and text[j - 1] in _BEFORE_QUOTE:
        j -= 1
    end = label_end(text, j, label=True)
    line = text.rfind("\n", 0, j) + 1
    if not end and label_end(text, j) and not text[line : j - 1].strip():
        # the colon alone on its line: the label's words are on the lines above it
        begin = _label_over_lines(text, line)
        if text.count("\n", begin, line) < 2:
            return None  # (one line above: a table's key and its colon, each a cell)
    elif not end or (text[end - 1] == ":" and end == start):
        return None  # (a colon with no space after it: ``https:``, ``10:30``)
    else:
        # (the label is short: its clause is looked for within ``_LABEL_REACH`` characters)
        reach = max(0, end - _LABEL_REACH)
        line = text.rfind("\n", reach, end) + 1
        begin = line or reach
        for clause in _CLAUSE_END.finditer(text, begin, end - 1):
            begin = clause.end()
        if begin == reach > 0:
            return None  # (no clause starts within reach: a long sentence)
        if begin == line > 0:
            begin = _label_over_lines(text, line)
    end = end or j
    name = text[begin:end].strip()
    letters = sum(ch.isalnum() for ch in name)
    if not letters or letters * 2 >= min_chars or CODE_IN_LABEL.search(name):
        return None
    return text.index(name, begin, end), name


def _label_over_lines(text: str, begin: int) -> int:
    """Where the label whose last line starts at ``begin`` starts, where an extractor put its
    elements on lines of their own (``@`` / ``JonB`` / ``said in`` / a thread's title / ``:``):
    back over the lines above that it goes on, at most ``_LABEL_LINES``, while the line below
    goes on the one above (it starts with a small letter, ``said in``, or is the colon alone),
    the one above opens it (a mark without letters: ``@``) or is itself the middle of a clause
    (a small letter first and last: ``said in`` before the title); a blank line, a line ending
    a clause (a sentence's end, a comma) or a line standing alone (a list's entry, a table's
    cell: a capital first, before another) ends it. ``begin`` itself where no line goes on.

    >>> page = "#2\\n@\\nJonB\\nsaid in\\nWhich Qt6 version\\n:\\nThe post."
    >>> page[_label_over_lines(page, page.index(":")) :]
    '@\\nJonB\\nsaid in\\nWhich Qt6 version\\n:\\nThe post.'
    >>> page = "Fruit\\nApples\\nPears\\nWhat we grow:\\nThe post."
    >>> _label_over_lines(page, page.index("What")) == page.index("What")
    True
    """
    stop = text.find("\n", begin)
    below = text[begin : stop if stop >= 0 else len(text)].strip()
    for _ in range(_LABEL_LINES if below else 0):
        top = text.rfind("\n", 0, max(0, begin - 1)) + 1
        above = text[top : begin - 1].strip() if begin else ""
        if not above or _CLAUSE_END.match(above[-1]):
            break  # (the text's start, a blank line, a clause's end)
        goes_on = below[0].islower() or INTRODUCES.fullmatch(below) is not None
        opens = not any(ch.isalnum() for ch in above)
        middle = above[0].islower() and above[-1].isalnum()
        if not (goes_on or opens or middle):
            break  # (a line of its own above: a list's entry, a table's cell)
        begin, below = top, above
    return begin


def _heads(text: str, name: str, twin: int) -> bool:
    """Whether the label ``name`` stands before the twin at ``twin`` as its heading too: its
    last place before the twin has no sentence's end between it and the twin (a page's
    header: a breadcrumb, a title, a date). One that has (``Alice said:`` above another quote
    and its reply, the same name quoting twice in a thread) introduced that text, not the
    twin.

    >>> page = "Alice said:\\nIs it closing?\\nNo.\\nAlice\\nThe post."
    >>> _heads(page, "Alice said:", page.index("The post")), _heads(page, "Alice:", 0)
    (False, False)
    >>> page = "You are here:\\nHome > News\\nTitle\\nThe post."
    >>> _heads(page, "You are here:", page.index("The post"))
    True
    """
    at = text.rfind(name, 0, twin)
    return at >= 0 and SENTENCE_ENDS.search(text, at + len(name), twin) is None


def _seams(cand: Candidate, sk: Skeleton, text: str) -> tuple[list[int], bool, bool]:
    """The line breaks (all, then those with a blank line, first copy then second) of each
    copy that its twin may lack, whether one copy quotes the other piece by piece, and whether
    the two are parted: between two aligned parts, each copy holds lines of its own, and the
    one with fewer a line its twin lacks there (:func:`_lines_of_its_own`: entries of a
    listing under other dates, not a text and its flattened copy).

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
    quoted = parted = False
    if len(cand.runs) < 2 or not (counts[0] and counts[1]):
        return counts, quoted, parted  # one part, or a copy without breaks: nothing to compare
    for left, right in itertools.pairwise(sorted(cand.runs)):
        if right.a0 < left.a1 or right.b0 < left.b1:
            continue  # overlapping parts: no seam between them
        # the boundaries from the last letter of one part to the first of the next, each side
        seams = ((left.a1 - 1, right.a0 + 1), (left.b1 - 1, right.b0 + 1))
        in_a, in_b = sk.breaks(*seams[0]), sk.breaks(*seams[1])
        if min(in_a, in_b) > 1 and in_a != in_b and not parted:
            fewer, more = (seams[0], seams[1]) if in_a < in_b else (seams[1], seams[0])
            parted = _lines_of_its_own(text, sk.text_range(*fewer), sk.text_range(*more))
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
            quoted = INTRODUCES.search(_last_line_between(text, start, end)) is not None
    return counts, quoted, parted


_SAME_LINE = 90  # fuzz.ratio of two lines one copy and its twin hold, alike but for a typo


def _lines_of_its_own(text: str, fewer: tuple[int, int], more: tuple[int, int]) -> bool:
    """Whether the stretch ``fewer`` of the text (between two aligned parts of a copy, with the
    fewer line breaks) holds a whole line that the stretch ``more`` (between the same parts of
    its twin) does not: an entry of its own (a date, a city), where a flattened copy holds at
    most lines its twin has there too, its headings and list items glued or left out. (Lines
    alike but for a typo or mojibake, :data:`_SAME_LINE` or more by ``fuzz.ratio``, are one.)

    >>> a = "x.\\nMarch 18\\nSecureWorld\\nA"
    >>> b = "x.\\nApril 7\\nNutanix\\nApril 8\\nSecureWorld\\nA"
    >>> _lines_of_its_own(a + b, (0, len(a)), (len(a), len(a + b)))
    True
    >>> a = a.replace("March 18", "April 8")
    >>> _lines_of_its_own(a + b, (0, len(a)), (len(a), len(a + b)))
    False
    """
    theirs = _inner_lines(text, *more)
    return any(
        line not in theirs
        and process.extractOne(line, theirs, scorer=fuzz.ratio, score_cutoff=_SAME_LINE) is None
        for line in _inner_lines(text, *fewer)
    )


def _inner_lines(text: str, start: int, end: int) -> set[str]:
    """The word characters, lower-cased, of each line with any that starts and ends inside
    ``text[start:end]``."""
    first, last = text.find("\n", start, end), text.rfind("\n", start, end)
    if not 0 <= first < last:
        return set()
    return set(word_characters(text[first + 1 : last], lines=True, lower=True).split("\n")) - {""}


def _last_line_between(text: str, start: int, end: int) -> str:
    """The last line with content (stripped) of those that start and end inside
    ``text[start:end]`` (its first and last ``\\n``-parts aside), or ``""``: found from the
    end, where splitting the stretch would cut every line of a reply that stands between two
    quoted parts.

    >>> _last_line_between("post.\\nBob said:\\n \\nNext", 0, 20), _last_line_between("a\\nb", 0, 3)
    ('Bob said:', '')
    """
    first, stop = text.find("\n", start, end), text.rfind("\n", start, end)
    while stop > first:
        begin = text.rfind("\n", first, stop)
        line = text[begin + 1 : stop].strip()
        if line:
            return line
        stop = begin
    return ""


def _labels_between(cand: Candidate, sk: Skeleton, opts: RepairOptions, text: str) -> bool:
    """Whether only labels stand between two copies, letter for letter, of a text of two
    sentences or more: short lines that end no sentence (a name, a reply counter:
    ``1 Reply`` / ``Last reply`` / ``JoeCFD``), as between a post and its preview under it, or
    on the second copy's line before it (``- @JonB``, a list marker and a name), at most
    ``max_gap_ratio`` of the copy; and lines the page holds elsewhere too, which are its
    furniture, not text of the thread's own (an author's signature under each of their posts),
    fewer letters together than the copy.
    (A quoted sentence is one sentence; a reply's own text between a post and its quote ends
    sentences; a label ending in a colon, ``X said:``, introduces a quote.)"""
    gap = max(0, cand.b0 - cand.a1)
    if exact(cand) < opts.long_similarity or gap > (1 + opts.max_gap_ratio) * cand.matched:
        return False  # (more between than the furniture and the labels together may be)
    start, end = sk.text_range(cand.a1 - 1, cand.b0 + 1)
    # the lines between, without the rest of the first copy's last line (its full stop)
    at = text.find("\n", start + 1, end - 1) + 1
    furniture = 0
    for line in text[at : end - 1].split("\n") if at else ():
        stripped = line.strip()
        if INTRODUCES.search(stripped):
            return False  # ``X said:`` introduces the copy: a quote, however long
        if len(stripped) * 2 > opts.min_chars or SENTENCE_END.search(stripped):
            repeated = _elsewhere(sk, cand, at, at + len(line))
            if not repeated:
                return False
            furniture += repeated
        at += len(line) + 1
    # (furniture, less than the copy: a signature, not a block of posts between)
    if furniture > cand.matched or gap - furniture > opts.max_gap_ratio * cand.matched:
        return False
    return len(SENTENCE_ENDS.findall(text, *sk.text_range(cand.a0, cand.a1))) >= 2


def _elsewhere(sk: Skeleton, cand: Candidate, start: int, end: int) -> int:
    """The letters of the line ``[start, end)`` between a pair's copies when the text holds it
    outside the pair too, a whole line letter for letter (0 when it does not, or it has none).
    (Whole lines: a short line, ``Thanks.``, is not found inside another word.)"""
    s0 = int(sk.offsets.searchsorted(start))
    s1 = int(sk.offsets.searchsorted(end))
    if s1 <= s0:
        return 0
    key, size = sk.letters(s0, s1), s1 - s0
    for lo, hi in ((0, cand.a0), (cand.b1, len(sk))):
        at = sk.find(key, lo, hi)
        for _ in range(_ELSEWHERE_TRIES):
            if at < 0:
                break
            if starts_line(sk, at) and ends_line(sk, at + size):
                return size
            at = sk.find(key, at + 1, hi)
    return 0


def _twice_in_a_row(cand: Candidate, sk: Skeleton, opts: RepairOptions, text: str) -> bool:
    """Whether a text of two sentences or more over lines (each copy holds a line break: a
    post of paragraphs) stands twice in a row, letter for letter, nothing between its copies
    but white space and punctuation (a list marker): one post captured twice, whole lines or
    not (an extractor that glues a post to the end of the line before it and the next post's
    name to its end). A line's last sentences and then the same sentences as the next line
    are a list's item said again by the item under it, or a pull quote. (Whole lines twice in
    a row are adjacent anyway; a line that holds a text twice is :func:`_twice_in_a_line`; a
    long text twice is a long copy, :func:`long_text`.)"""
    if cand.b0 > cand.a1 or exact(cand) < 1.0:
        return False
    if not (sk.breaks(cand.a0, cand.a1) and sk.breaks(cand.b0, cand.b1)):
        return False  # a line's last sentences, then the same as a line: a list's item again
    start, end = sk.text_range(cand.a0, cand.a1)
    return (
        _ROWS_BETWEEN.fullmatch(text, *sk.text_range(cand.a1 - 1, cand.b0 + 1)) is not None
        and len(SENTENCE_ENDS.findall(text, start, end)) >= 2
        and prose(sk, cand.a0, cand.a1, opts, text)
        and not code_like(text, start, end)
        and not long_text(cand, sk, opts, text)
    )


def header_between(sk: Skeleton, s0: int, s1: int, opts: RepairOptions, text: str) -> bool:
    """Whether the lines of ``[s0, s1)`` are a page's header: each shorter than ``min_chars``
    letters (a title, a byline, a date, a user's name), or than twice that where it ends no
    sentence (a long title: thirty characters of Japanese weigh as ninety letters), and at most
    ``_HEADER_LINES`` of them but for lines the text has again, whole, elsewhere (a table of
    contents' entries and the headings they name; up to ``_CONTENTS_LINES`` lines in all), so a
    first line repeated right after them is the lead above the article, not a quote.

    >>> from dedup.tokens import skeleton
    >>> opts = RepairOptions(min_chars=20)
    >>> page = "A title of thirty letters or so\\nBy Ana, 2 May\\n"
    >>> sk = skeleton(page)
    >>> header_between(sk, 0, len(sk), opts, page)
    True
    >>> page = page.replace("or so", "or so.")  # (a sentence that long: a paragraph)
    >>> header_between(skeleton(page), 0, len(sk), opts, page)
    False
    >>> toc = "Contents\\nDay one\\nDay two\\nDay three\\nSummary\\n"
    >>> page = "A trip\\n" + toc + "Day one\\nWe left.\\nDay two\\nDay three\\nSummary"
    >>> sk = skeleton(page)
    >>> header_between(sk, 0, sk.letters().index("weleft"), opts, page)
    True
    >>> page = page.replace("\\nDay two\\nDay three\\nSummary", "\\nTwo\\nThree\\nEnd", 1)
    >>> sk = skeleton(page)  # (six lines of its own before the first heading: no header)
    >>> header_between(sk, 0, sk.letters().index("weleft"), opts, page)
    False
    """
    bounds = sk.line_bounds(s0, s1)
    if len(bounds) - 1 > _CONTENTS_LINES or not all(
        b - a < opts.min_chars
        or (b - a < 2 * opts.min_chars and not ends_sentence(text, sk.char_end(b - 1)))
        for a, b in itertools.pairwise(bounds)
    ):
        return False
    if len(bounds) - 1 <= _HEADER_LINES:
        return True
    own = 0
    for a, b in itertools.pairwise(bounds):
        if not _line_elsewhere(sk, a, b):
            own += 1
            if own > _HEADER_LINES:
                return False
    return True


def _line_elsewhere(sk: Skeleton, a: int, b: int) -> bool:
    """Whether the text has the line ``[a, b)`` (skeleton positions) again, whole, elsewhere
    (looked for as :func:`_elsewhere` looks: :meth:`~dedup.tokens.Skeleton.find`)."""
    key = sk.letters(a, b)
    at = sk.find(key)
    while at >= 0:
        if at != a and whole_lines(sk, at, at + len(key)):
            return True
        at = sk.find(key, at + 1)
    return False


def _paragraph_between(sk: Skeleton, cand: Candidate, opts: RepairOptions, text: str) -> bool:
    """Whether the one line between the copies of ``cand`` is a paragraph: ``min_chars`` letters
    or more, ending a sentence. The text's first line again after such a line is the page's
    title over its intro and a heading of its own under it (``Automatic Watches`` / what they
    are / ``Automatic Watches`` / their history), not a teaser; a title, a byline or a date
    between them is a header."""
    return cand.b0 - cand.a1 >= opts.min_chars and ends_sentence(
        text, sk.text_range(cand.b0 - 1, cand.b0)[1]
    )


def _lead_thrice(sk: Skeleton, cand: Candidate, text: str, min_chars: int) -> bool:
    """Whether the first copy is the text's first line, whole, a sentence, and the text has it a
    third time after its twin: the lead above an article that the page holds twice (its twin
    in the body, and again in the body's other copy), however much stands between the lead
    and its twin. (A sentence the page shows three times is no quote it means once more; but
    where its twin stands under a quote's label, :func:`quote_label` with ``min_chars``, a
    reply quotes the question the page's first line asks, and the page's other copy holds the
    question and the quote again.)"""
    if not (cand.a0 == 0 and ends_line(sk, cand.a1)) or not ends_sentence(
        text, sk.text_range(cand.a1 - 1, cand.a1)[1]
    ):
        return False
    if quote_label(text, int(sk.offsets[cand.b0]), min_chars) is not None:
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
        and exact(cand) >= opts.long_similarity
    ):
        return None
    if not (starts_line(sk, cand.a0) and starts_line(sk, cand.b0)):
        return False if _cut_in_a_line(cand, sk, opts, text) else None
    for second, short, twin in ((False, cand.a1, cand.b1), (True, cand.b1, cand.a1)):
        if (
            ends_line(sk, short)
            and not ends_line(sk, twin)
            and SENTENCE_END.search(text, *sk.text_range(twin - 1, twin + 1)) is None
            and not ends_sentence(text, sk.text_range(short - 1, short)[1])
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
    return 0 if tail_twice(cand, sk) else max(0, cand.b0 - cand.a1)


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
    if exact(cand) < 1.0:
        return False
    if cand.b1 >= len(sk) or ends_line(sk, cand.b1):
        return False
    between = sk.text_range(cand.a1 - 1, cand.b0 + 1)
    after_twin = sk.text_range(cand.b1 - 1, cand.b1 + 1)
    return (
        SENTENCE_ENDS.search(text, *sk.text_range(cand.a0, cand.a1)) is not None
        and SENTENCE_END.search(text, past_cut_mark(text, between[0] + 1), between[1]) is None
        and words_only(text, *between)
        and SENTENCE_END.search(text, *after_twin) is None
        and words_only(text, *after_twin)
    )


def _near_line_edges(
    sk: Skeleton, text: str, s0: int, s1: int, low: int, high: int, twin: tuple[int, int]
) -> bool:
    """Whether ``[s0, s1)`` starts and ends at most half a line away from a line's edge.

    The paragraphed copy of a doubled body is whole paragraphs, but for an edit at its edge;
    its lines count only within ``[low, high)`` (the other copy may be glued to them). It may
    start fewer than ``CROSS`` letters before its first line's end: the match grew back over
    the end of two sentences alike (``...した。``), as a match grows across a line start only
    that far. It may end at a sentence's end inside its last line where its twin (``twin``,
    a skeleton range) left out the line's last sentences: what the twin's line holds after it
    is, letter for letter, the whole line or lines after that line, too short to align (a
    byline); or the twin left out sentences inside the line and goes on with its last ones. And
    it may start at a sentence's start inside its first line where the twin left out the line's
    first sentences, what its line holds before it being the whole line or lines before that
    line (a short title), or the line's first sentences.
    """
    twin_start, twin_end = twin
    line_start = max(low, sk.line_start(s0))
    line_end = min(high, sk.line_end(s1 - 1))
    first_end = min(high, sk.line_end(s0))
    first_len = first_end - line_start
    last_len = line_end - max(low, sk.line_start(s1 - 1))
    starts = (
        (s0 - line_start) * 2 <= first_len
        or (first_end - s0 < CROSS and s1 > first_end)
        or _left_out_first_sentences(sk, text, s0, line_start, twin_start)
    )
    ends = (
        (line_end - s1) * 2 <= last_len
        or _left_out_last_sentences(sk, text, s1, line_end, twin_end)
        or _left_out_inner_sentences(sk, text, s1, line_end, twin_end)
    )
    return starts and ends


def _left_out_last_sentences(
    sk: Skeleton, text: str, s1: int, line_end: int, twin_end: int
) -> bool:
    """Whether a copy ending at ``s1`` inside its line (which ends at ``line_end``) ends a
    sentence there, and its twin's line goes on past ``twin_end`` with, letter for letter,
    the whole lines right after ``line_end``: the twin left out the line's last sentences and
    goes on with what follows them."""
    if not sentence_ends_at(text, sk.char_end(s1 - 1)):
        return False
    rest_end = sk.line_end(twin_end - 1)
    size = rest_end - twin_end
    return (
        size > 0
        and line_end + size <= len(sk)
        and ends_line(sk, line_end + size)
        and sk.letters(twin_end, rest_end) == sk.letters(line_end, line_end + size)
    )


def _left_out_first_sentences(
    sk: Skeleton, text: str, s0: int, line_start: int, twin_start: int
) -> bool:
    """Whether a copy starting at ``s0`` inside its line (which starts at ``line_start``)
    starts a sentence there, a few letters on at most (the match may have grown back over
    the end of the sentence before it and of what comes before its twin, ``...した。``), and
    what its twin's line holds before the twin's start is, letter for letter, the whole line or
    lines before the copy's line (a title too short to align) or that line's first sentences:
    the twin left out the sentences between. The copy may also start a few letters into the
    sentence, where the twin has the sentence's first letters with two of them swapped (a typo
    right where the left-out sentences end cut the match short: ``Whcih ones...``).

    >>> from dedup.tokens import skeleton
    >>> text = "Which plants?\\n\\nI moved in. Any easy ones?\\n\\nWhich plants?Any easy ones?"
    >>> sk = skeleton(text)
    >>> _left_out_first_sentences(sk, text, 19, 11, 41)  # (its letters: whichplants | ...)
    True
    >>> text = text.replace("plants?Any", "plants?Nay")  # (its letters: ...nay | easyones)
    >>> _left_out_first_sentences(skeleton(text), text, 22, 11, 44)
    True
    """
    head_start = sk.line_start(twin_start)
    if twin_start <= head_start or s0 <= line_start:
        return False
    ahead_most = min(sk.line_end(s0) - s0, CROSS)
    for ahead in (*range(ahead_most + 1), *range(-1, -CROSS - 1, -1)):
        at = s0 + ahead
        if at <= line_start or not sentence_ends_at(text, sk.char_end(at - 1)):
            continue
        if ahead < 0 and (
            twin_start + ahead <= head_start
            or not swapped(sk.letters(twin_start + ahead, twin_start), sk.letters(at, s0))
        ):
            continue
        head = sk.letters(head_start, twin_start + ahead)
        size = len(head)
        before = line_start - size
        if before >= 0 and starts_line(sk, before) and sk.letters(before, line_start) == head:
            return True
        if (
            line_start + size < at
            and sk.letters(line_start, line_start + size) == head
            and sentence_ends_at(text, sk.char_end(line_start + size - 1))
        ):
            return True
    return False


def _left_out_inner_sentences(
    sk: Skeleton, text: str, s1: int, line_end: int, twin_end: int
) -> bool:
    """Whether a copy ending at ``s1`` inside its line (which ends at ``line_end``) holds
    sentences there that its twin left out, the twin going on with the line's last sentences:
    what the twin's line holds past ``twin_end`` is, letter for letter, the end of the copy's
    line, that end and the copy's stretch at ``s1`` start a sentence alike. The match may have
    run on past the sentence end before ``s1`` over a few letters the left-out sentence and
    the next one begin with (``I will move...`` and ``I will report...``): ``s1`` is then that
    many letters past it, and the line's kept end as many before its own sentence start.

    >>> from dedup.tokens import skeleton
    >>> text = "Thanks. I will move it. I will report back.\\n\\nThanks. I will report back."
    >>> sk = skeleton(text)
    >>> _left_out_inner_sentences(sk, text, 11, 32, 43)  # (its letters: thanksiwill | ...)
    True
    """
    rest_end = sk.line_end(twin_end - 1)
    size = rest_end - twin_end
    start = line_end - size  # where the copy's line ends with what the twin's holds past it
    if size <= 0 or start <= s1 or sk.letters(twin_end, rest_end) != sk.letters(start, line_end):
        return False
    # (back to the letter after the line's first at most: a sentence ends inside the line)
    limit = min(s1 - sk.line_start(s1 - 1) - 1, CROSS)
    ran_on, kept_on = sk.letters(s1 - limit, s1), sk.letters(start - limit, start)
    for back in range(limit + 1):
        if back and ran_on[-back] != kept_on[-back]:
            return False
        if sentence_ends_at(text, sk.char_end(s1 - back - 1)) and sentence_ends_at(
            text, sk.char_end(start - back - 1)
        ):
            return True
    return False


def drop_structure_edges(
    cand: Candidate, sk: Skeleton, text: str, signs: Callable[[], bool]
) -> None:
    """Drop the runs at a chain's ends that pair only the structure of script data with the
    same structure (:func:`dedup.signs.structure_only`: keys and short identifier values on
    both sides, no prose), when the runs between them pair page text with script data
    (:func:`dedup.signs.text_beside_script`) and the whole chain is not one copy in the code
    and one out of it (:func:`dedup.signs.scripts`). Two nodes of the same shape (the keys
    ``"type":"heading","children":[{"text":"`` of a heading and of the next) match by their
    keys alone, whatever text they hold: such a run is no evidence of the copy, and where it
    opens (or closes) a chain of the page text's copy in app state, it begins the page text's
    copy inside the data too, and both copies look like script. A copy of page text has no
    such run at its ends: a chain that is one copy in the code and one out of it with them is
    two renderings in script data (JSON-LD pretty-printed and minified), and keeps them, as
    does one whose copies are both in the data without them.

    >>> from dedup.anchors import Run
    >>> from dedup.tokens import skeleton
    >>> line = "The night market returns to the station street after three years away."
    >>> node = '{"type":"heading","children":[{"text":"%s"}]}'
    >>> page = node % "Night market" + node % line + node % "Local desk" + "\\n" + line
    >>> sk = skeleton(page)
    >>> n, keys = len(skeleton(line)), len(skeleton("typeheadingchildrentext"))
    >>> k0 = len(skeleton(node % "Night market")) + keys  # (the line in the data)
    >>> b0 = len(sk) - n  # (the line in the page)
    >>> runs = [Run(k0 - keys, k0, k0 + n, k0 + n + keys, keys), Run(k0, k0 + n, b0, b0 + n, n)]
    >>> cand = Candidate(runs, k0 - keys, k0 + n, k0 + n, b0 + n, keys + n)
    >>> drop_structure_edges(cand, sk, page, lambda: True)
    >>> (cand.a0, cand.b0) == (k0, b0)
    True
    """
    if len(cand.runs) < 2 or not signs():
        return
    runs = sorted(cand.runs)
    lo, hi = 0, len(runs)
    while lo < hi - 1 and _structure(runs[lo], sk, text):
        lo += 1
    while hi - 1 > lo and _structure(runs[hi - 1], sk, text):
        hi -= 1
    if (lo == 0 and hi == len(runs)) or scripts(text, sk, cand, signs)[0]:
        return  # (nothing to drop, or one copy in the code already: the ends are not in doubt)
    rest = Candidate(runs[lo:hi], 0, 0, 0, 0)
    rest.take(runs[lo:hi])
    if text_beside_script(text, sk, rest, signs):
        cand.take(rest.runs)


def _structure(run: Run, sk: Skeleton, text: str) -> bool:
    """Whether both copies of ``run`` are only the structure of script data."""
    return structure_only(text, *sk.text_range(run.a0, run.a1)) and structure_only(
        text, *sk.text_range(run.b0, run.b1)
    )


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
    two halves. So are two lines, the same line twice in a row, matched from the line before's
    last letters and then begun at their line starts: their ends stop that many letters short
    of the lines' ends, and the pair becomes the two whole lines."""
    if len(cand.runs) != 1:
        return
    if cand.b0 != cand.a1:
        _lines_twice(cand, sk)
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


def _lines_twice(cand: Candidate, sk: Skeleton) -> None:
    """Make the pair of one run the two whole lines it lies in, where they are one line twice in
    a row and each copy stops as many letters short of its line's end as lie between them."""
    a0, b0 = cand.a0, cand.b0
    gap, period = b0 - cand.a1, b0 - a0
    if not (0 < gap < CROSS and starts_line(sk, a0) and sk.line_end(a0) == b0):
        return
    if sk.line_end(b0) != b0 + period or sk.letters(a0, b0) != sk.letters(b0, b0 + period):
        return
    cand.runs = [Run(a0, b0, b0, b0 + period, period)]
    cand.a1, cand.b1, cand.matched = b0, b0 + period, period
