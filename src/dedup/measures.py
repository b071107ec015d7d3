"""What is measured of a copy: where it stands in its lines, where its sentences end, whether
it reads as prose, how much of it is equal letter for letter in its twin, whether it is long
text. Read by the judgement of each pair (:mod:`dedup.classify`), the rules over several pairs
(:mod:`dedup.groups`), and repair and its moves (:mod:`dedup.repair`, :mod:`dedup.moves`).

>>> from dedup.tokens import skeleton
>>> sk = skeleton("A title\\nThe body.")
>>> starts_line(sk, 0), ends_line(sk, 6), starts_line(sk, 3)
(True, True, False)
"""

from __future__ import annotations

import itertools

import numpy as np
import regex

from dedup.chains import SMALL_GAP, Candidate
from dedup.chars import no_space
from dedup.model import RepairOptions
from dedup.signs import code_like
from dedup.tokens import Skeleton

__all__ = [
    "COLONS",
    "INTRODUCES",
    "LONG_FEW_LINES",
    "LONG_LINES",
    "SENTENCE_END",
    "SENTENCE_ENDS",
    "TERMINAL_MARK",
    "WORDS",
    "answers_a_quote",
    "closes_piece",
    "differs_in_place",
    "ends_line",
    "ends_sentence",
    "exact",
    "glued",
    "glued_edges",
    "introduced",
    "label_end",
    "long_text",
    "moved_line",
    "opens_piece",
    "past_cut_mark",
    "prose",
    "reads_as_text",
    "sentence_ends_at",
    "sentence_lines",
    "starts_line",
    "swapped",
    "swapped_edges",
    "tail_twice",
    "twice_in_a_copy",
    "whole_lines",
]

# A long copy holds this many lines, or this many times ``long_chars`` letters (``long_text``).
LONG_LINES = 3
LONG_FEW_LINES = 2
# What marks words as an address, a path or a link's target (``differs_in_place``).
_ADDRESS = regex.compile(r"://|\]\(|[/\\]")
# The most letters a word or two only one copy has holds (``_word_added``).
_ADDED_LETTERS = 16
# The fewest letters of a line one copy holds at another place than its twin (``moved_line``).
_MOVED_LETTERS = 24
# A sentence's terminal mark: Unicode's (``.``, ``?``, ``!``, ``\u3002``, ``\u0964``...), and
# Greek's question mark, U+037E, which normalisation (NFC) makes ``;``: after a Greek letter a
# ``;`` ends a question (Greek's semicolon is the raised dot).
TERMINAL_MARK = r"(?:\p{Sentence_Terminal}|\u037e|(?<=\p{Greek});)"
# A sentence's end, anywhere in a line (``ends_sentence``).
SENTENCE_END = regex.compile(TERMINAL_MARK, regex.V1)
# A sentence's end right at a place (``sentence_ends_at``, ``closes_piece``): closing quotes or
# brackets, a terminal mark, closing quotes or brackets again, then white space or the text's
# end (none needed after a full-width mark: ``_ENDS_HERE`` only).
_CLOSERS = r"[\p{Pe}\p{Pf}\"']*"
_ENDS_THEN_SPACE = rf"{_CLOSERS}{TERMINAL_MARK}{_CLOSERS}(?:\s|$)"
_ENDS_HERE = regex.compile(rf"{_CLOSERS}[\u3002\uff01\uff1f]|{_ENDS_THEN_SPACE}", regex.V1)
# The mark of a text cut short, right where a preview stops, after the rest of the word it cut
# (``com...``, ``…``, ``[…]``): an ellipsis there ends no sentence.
_CUT_MARK = regex.compile(r"\w*\[?(?:\.{3,}|\u2026)\]?", regex.V1)
# A stretch reads as text with this many spaces and at least one for every _WORD_LETTERS
# letters (``reads_as_text``).
_TEXT_SPACES = 3
_WORD_LETTERS = 10
# A quote answered by a reply's own words holds this many lines at most (``answers_a_quote``).
_QUOTED_LINES = 4
# The colons that end a label (Latin, full-width or small), and a line that ends in one, which
# introduces what follows it (``X said:``).
COLONS = ":\uff1a\ufe55"
INTRODUCES = regex.compile(f"[{COLONS}]$", regex.V1)
# A sentence's end inside a copy (not the full stop of ``24.04`` or of a domain); what opens a
# line that goes on the sentence of the line before it; a copy's sentences are this many
# letters long at most on average when it reads as prose; a letter or digit.
SENTENCE_ENDS = regex.compile(
    rf"[\u3002\uff01\uff1f]|{TERMINAL_MARK}[\p{{Pe}}\p{{Pf}}\"']*(?=\s|$)", regex.V1
)
_CONTINUES = regex.compile(r"[\p{Ll},.;:)\]]", regex.V1)
_SENTENCE_LETTERS = 250
_WORDY = regex.compile(r"\w", regex.V1)
# Runs of them, words (their lengths sum to the letters and digits, found a run at a time).
WORDS = regex.compile(r"\w+", regex.V1)
# A piece of a line that stands alone in it (``opens_piece``, ``closes_piece``): its first
# letter a capital, with before it (an opening quote aside) a letter or digit touching it (an
# extractor that glued two elements: ``bagsWhat are``) or a sentence's end; after its last
# letter, a little punctuation and the next capital touching it (``at REI?The top``), or a
# sentence's end and a space. Where a space parts such a glued piece from its neighbours
# (``glued_edges``): after a letter, a digit or a closing mark, before a capital.
_PIECE_BEFORE = regex.compile(
    rf"(?:[\p{{L}}\p{{N}}]|{TERMINAL_MARK}[\p{{Pe}}\p{{Pf}}\"']*[ \t]*)[\p{{Ps}}\p{{Pi}}\"']?$",
    regex.V1,
)
# A piece opens too where script data closes right before it, whatever its first letter (a
# script's text glued to the page text after it: ``]} Page text``, ``} 【質問】``).
_SCRIPT_BEFORE = regex.compile(r"[}\]][ \t]*[\p{Ps}\p{Pi}]?$", regex.V1)
_GLUED_AFTER = regex.compile(r"[^\w\s]{0,3}(?=\p{Lu})", regex.V1)
_GLUED_BEFORE = regex.compile(r"[\w\p{Pe}\p{Pf}\p{Sentence_Terminal}:]", regex.V1)
_PIECE_AFTER = regex.compile(rf"{_GLUED_AFTER.pattern}|{_ENDS_THEN_SPACE}", regex.V1)
_PIECE_REACH = 8


def starts_line(sk: Skeleton, s: int) -> bool:
    """Whether skeleton position ``s`` is the first letter or digit of its line."""
    return s == 0 or sk.is_edge(s)


def ends_line(sk: Skeleton, s: int) -> bool:
    """Whether the skeleton range ending at ``s`` ends its line."""
    return s >= len(sk) or sk.is_edge(s)


def whole_lines(sk: Skeleton, s0: int, s1: int) -> bool:
    """Whether the skeleton range ``[s0, s1)`` is whole lines: it starts one and ends one."""
    return starts_line(sk, s0) and ends_line(sk, s1)


def opens_piece(sk: Skeleton, s: int, text: str) -> bool:
    """Whether skeleton position ``s`` opens a piece that stands alone in its line: the line's
    first letter, a sentence's first, a capital that a word before touches with no space (an
    extractor that glued two of the page's elements: ``bagsWhat``), or any letter right after
    script data closes (``]} Page text``: a script's text glued to the page text after it).

    >>> from dedup.tokens import skeleton
    >>> page = "Gear QuiltsWhat do they cost? The price varies with the fill."
    >>> sk = skeleton(page)
    >>> opens_piece(sk, 10, page), opens_piece(sk, 24, page), opens_piece(sk, 27, page)
    (True, True, False)
    >>> page = '{"@type":"Person","name":"Staff"}]} quilts and bags'
    >>> opens_piece(skeleton(page), 19, page)
    True
    """
    if starts_line(sk, s):
        return True
    at = int(sk.offsets[s])
    low = max(0, at - _PIECE_REACH)
    # (script data closes with a brace or a bracket, looked for first: most places have neither)
    closes = text.find("}", low, at) >= 0 or text.find("]", low, at) >= 0
    if closes and _SCRIPT_BEFORE.search(text, low, at) is not None:
        return True
    return text[at].isupper() and _PIECE_BEFORE.search(text, low, at) is not None


def closes_piece(sk: Skeleton, s: int, text: str) -> bool:
    """Whether the skeleton range ending at ``s`` closes a piece that stands alone in its line:
    the line's end, a sentence's end and a space, or a capital that touches its last letter but
    for a little punctuation (``at REI?The``).

    >>> from dedup.tokens import skeleton
    >>> page = "Gear QuiltsWhat do they cost? The price varies with the fill."
    >>> sk = skeleton(page)
    >>> closes_piece(sk, 10, page), closes_piece(sk, 24, page), closes_piece(sk, 20, page)
    (True, True, False)
    """
    if ends_line(sk, s):
        return True
    end = sk.char_end(s - 1)
    return _PIECE_AFTER.match(text, end, end + _PIECE_REACH) is not None


def glued_edges(text: str, start: int, end: int) -> list[int]:
    """Where the piece ``text[start:end]`` (its first letter to its last) touches the word before
    or after it with no space: its first letter a capital right after a letter, a digit or a
    closing mark, or the next capital right after its last letter but for a little punctuation
    (an extractor that glued two of the page's elements: ``bagsWhat``, ``at REI?The``). The
    offsets where a space parts them.

    >>> page = "Gear QuiltsWhat do they cost?The price varies."
    >>> glued_edges(page, 11, 28), glued_edges(page, 0, 4)
    ([11, 29], [])
    """
    found = []
    if (
        start > 0
        and text[start].isupper()
        and _GLUED_BEFORE.match(text[start - 1]) is not None
        and not no_space(text[start - 1])
    ):
        found.append(start)
    after = _GLUED_AFTER.match(text, end, end + _PIECE_REACH)
    if after is not None and not no_space(text[after.end()]):
        found.append(after.end())
    return found


def glued(sk: Skeleton, cand: Candidate) -> bool:
    """Whether the second copy starts on the line where the first, a paragraph or more of its
    own, ends (glued to it). Two sentences of one line are not copies glued together."""
    if cand.b0 - cand.a1 > SMALL_GAP:
        return False
    last_of_first = sk.line(cand.a1 - 1)
    return last_of_first == sk.line(cand.b0) and (
        sk.line(cand.a0) != last_of_first or sk.line(cand.b1 - 1) != last_of_first
    )


def tail_twice(cand: Candidate, sk: Skeleton) -> bool:
    """Whether the letters between a pair's copies repeat the first copy's last letters right
    after it: its tail captured twice (a card's date line twice), part of it, not a gap.

    >>> from dedup.anchors import Run
    >>> from dedup.tokens import skeleton
    >>> sk = skeleton("Title Blog 1d ago Blog 1d ago\\nTitle Blog 1d ago")
    >>> tail_twice(Candidate([Run(0, 14, 23, 37, 14)], 0, 14, 23, 37, 14), sk)
    True
    """
    gap = cand.b0 - cand.a1
    return 0 < gap <= cand.a1 - cand.a0 and (
        sk.chars[cand.a1 : cand.b0].tobytes() == sk.chars[cand.a1 - gap : cand.a1].tobytes()
    )


def twice_in_a_copy(cand: Candidate, sk: Skeleton, least: int) -> tuple[bool, bool]:
    """Whether the first (then the second) copy holds a stretch of ``least`` letters or more
    (an anchor's width: what the text could pair alone) twice in a row, letter for letter, where
    its twin holds it once: two of its parts, one right after the other, align with one part
    of the twin (a card's date line in two renderings, ``T A D D`` against ``T A D``), or, for
    the first copy, the letters between the copies repeat its last letters right after it (its
    tail captured twice: ``T A D`` then ``D``, then ``T A D``), the stretch standing in its line as
    its first showing does. (A heading between a lead and its twin that repeats the lead's last
    words, a line of its own after the end of a longer line, is no such stretch.)

    >>> from dedup.anchors import Run
    >>> from dedup.tokens import skeleton
    >>> sk = skeleton("Title Blog 1d ago Blog 1d ago\\nTitle Blog 1d ago")
    >>> twice_in_a_copy(Candidate([Run(0, 14, 23, 37, 14)], 0, 14, 23, 37, 14), sk, 8)
    (True, False)
    >>> twice_in_a_copy(Candidate([Run(0, 14, 23, 37, 14)], 0, 14, 23, 37, 14), sk, 24)
    (False, False)
    """

    def again(at: int, size: int) -> bool:
        # the stretch at ``at`` repeats the ``size`` letters right before it, and stands in its
        # line as they do (both open a line, or neither does)
        return (
            size >= least
            and sk.chars[at : at + size].tobytes() == sk.chars[at - size : at].tobytes()
            and starts_line(sk, at) == starts_line(sk, at - size)
        )

    gap = cand.b0 - cand.a1
    first = (
        gap >= least
        and tail_twice(cand, sk)
        and starts_line(sk, cand.a1) == starts_line(sk, cand.a1 - gap)
    )
    second = False
    for left, right in itertools.pairwise(sorted(cand.runs, key=lambda r: r.a0)):
        # the next part follows right on in one copy, and goes back over the last in the other
        if right.a0 == left.a1 and right.b0 < left.b1 <= right.b1:
            first = first or again(right.a0, left.b1 - right.b0)
        if right.b0 == left.b1 and right.a0 < left.a1 <= right.a1:
            second = second or again(right.b0, left.a1 - right.a0)
    return first, second


def introduced(text: str, start: int, *, label: bool = False, after: int = 0) -> bool:
    """Whether what stands before ``start`` (past white space and opening quotes) ends in a
    colon: a label that introduces what follows (``EPayne84 said:``, or a full-width colon).
    With ``label``, the colon must end a word (``X said:``), not a string of script data
    (``"articleBody":"``, a key); it must stand past ``after``.

    >>> introduced('Mr_Enigmatic said: "Hi guys', 20)
    True
    >>> introduced("The Daily Beast. Hi guys", 17)
    False
    >>> page = '{"articleBody":"Hi guys'
    >>> introduced(page, 16), introduced(page, 16, label=True)
    (True, False)
    """
    return label_end(text, start, label=label) > after


def label_end(text: str, start: int, *, label: bool = False) -> int:
    """Where the label that introduces the text at ``start`` ends, past its colon
    (:func:`introduced`), or 0 when nothing introduces it."""
    j = start
    while j > 0 and (text[j - 1].isspace() or text[j - 1] in "\"'\u201c\u00ab\u300c"):
        j -= 1
    if j == 0 or INTRODUCES.search(text, j - 1, j) is None:
        return 0
    if label and (j < 2 or _WORDY.match(text, j - 2) is None):
        return 0
    return j


def answers_a_quote(text: str, start: int, twin: int) -> bool:
    """Whether the copy at ``start`` answers a quote: right before it stand a label ending in a
    colon (``Bej said:``) and, under the label, at most ``_QUOTED_LINES`` lines the text holds
    earlier, whole, and not right before the copy's twin at ``twin`` (a line of another post):
    the reply's own words after its quote, a text its author posted again on purpose — not a
    page captured twice, nor a quote of the twin (which stands right under its label).

    >>> page = "Ann\\nWhy now?\\nBo\\nThe text.\\nBo\\nAnn said:\\nWhy now?\\nThe text."
    >>> answers_a_quote(page, page.rindex("The text."), page.index("The text."))
    True
    >>> page = "Bo\\nThe text.\\nAnn said:\\nThe text."
    >>> answers_a_quote(page, page.rindex("The text."), page.index("The text."))
    False
    """
    # the lines above the copy, nearest first, as far as a label may stand: without a label
    # among them (most copies) no line is searched for in the text before it (a scan each)
    above: list[tuple[int, str]] = []
    end = text.rfind("\n", 0, start)
    while end > 0 and len(above) <= _QUOTED_LINES:
        begin = text.rfind("\n", 0, end) + 1
        line = text[begin:end].strip()
        end = begin - 1
        if line:
            above.append((begin, line))
    if not any(INTRODUCES.search(line) for _, line in above[1:]):
        return False
    for quoted, (begin, line) in enumerate(above):
        if quoted and INTRODUCES.search(line):
            return True
        at = text.find(line, 0, begin)
        if at < 0 or twin - 2 <= at + len(line) <= twin:
            return False
    return False


def exact(cand: Candidate) -> float:
    """The share of the shorter copy equal letter for letter in its twin (a run may bridge a
    typo, or align the entries of a listing that have the same length)."""
    equal = sum(min(r.matched, r.a1 - r.a0) for r in cand.runs)
    return min(1.0, equal / max(1, min(cand.a1 - cand.a0, cand.b1 - cand.b0)))


def swapped(own: str, twin: str) -> bool:
    """Whether ``own`` is ``twin`` with two neighbouring letters swapped (a typo), and nothing
    else changed.

    >>> swapped("dressshoesoscks", "dressshoessocks"), swapped("part21", "part12")
    (True, False)
    >>> swapped("dressshoesboots", "dressshoessocks")
    False
    """
    return _swap_at(own, twin) >= 0


def _swap_at(own: str, twin: str) -> int:
    """Where ``own`` is ``twin`` with two neighbouring letters swapped and nothing else changed
    (:func:`swapped`): the first of the two letters, -1 where it is not."""
    if len(own) != len(twin) or own == twin:
        return -1
    diff = [k for k in range(len(own)) if own[k] != twin[k]]
    if (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and own[diff[0]] == twin[diff[1]]
        and own[diff[1]] == twin[diff[0]]
        and own[diff[0]].isalpha()
        and own[diff[1]].isalpha()
    ):
        return diff[0]
    return -1


def swapped_edges(
    sk: Skeleton, copy: tuple[int, int], twin: tuple[int, int], width: int
) -> tuple[int, int]:
    """``copy`` (a skeleton range) grown over what its line holds before it, and after it,
    where that is, but for two neighbouring letters swapped (:func:`swapped`), the letters
    ``twin`` has right before it (or right after it), and the letters beyond the swap are
    fewer than ``width`` (an anchor's: too few to align on): a second rendering's typo near
    the copy's edge, which cut its alignment short (``Lsat time I checked`` against ``Last
    time I checked``; in a script written without spaces, where a run stops at the swapped
    letter itself, the rest of the line after it). A word that differs more stays outside.

    >>> from dedup.tokens import skeleton
    >>> sk = skeleton("Last time I checked, it worked.\\nLsat time I checked, it worked.")
    >>> swapped_edges(sk, (28, 48), (4, 24), 24)
    (24, 48)
    >>> other = skeleton("Last time I checked.\\nLost time I checked.")
    >>> swapped_edges(other, (20, 32), (4, 16), 24)
    (20, 32)
    """
    g0, g1 = copy
    k0, k1 = twin
    start = sk.line_start(g0)
    n = g0 - start
    if (
        0 < n < 2 * width
        and k0 - n >= 0
        and not (g0 - n < k1 and k0 - n < g1)
        and _swap_within(sk.letters(start, g0)[::-1], sk.letters(k0 - n, k0)[::-1], width)
    ):
        g0 = start
    end = sk.line_end(g1 - 1)
    n = end - g1
    if (
        0 < n < 2 * width
        and k1 + n <= len(sk)
        and not (g1 < k1 + n and k0 < end)
        and _swap_within(sk.letters(g1, end), sk.letters(k1, k1 + n), width)
    ):
        g1 = end
    return g0, g1


def _swap_within(own: str, twin: str, width: int) -> bool:
    """Whether ``own`` is ``twin`` with two neighbouring letters swapped, fewer than ``width``
    letters after the swap (read from the copy's edge outwards)."""
    at = _swap_at(own, twin)
    return at >= 0 and len(own) - at - 2 < width


def differs_in_place(cand: Candidate, sk: Skeleton, text: str) -> bool:
    """Whether the copies differ at one place in both by more than a typo: another number or
    another word where the twin has its own (``15-inch`` and ``13-inch``, ``$40`` and ``$55
    CAD``, ``Ebonized`` and ``Sheesham``), inside a run (the entries of a listing that have the
    same length align letter for letter but there) or between two runs, in both copies. Two
    neighbouring letters swapped (:func:`swapped`) are a second rendering's typo, a stretch
    only one copy has is such a difference only where it is a word or two inside a line
    (``$40`` and ``£40 GBP``: :func:`_word_added`), not a sentence or a heading left out, and
    no place is one where either copy's words there are an address (a link's target, an
    image's address beside a title cut short: ``](https://...``, a path).

    >>> from dedup.anchors import Run
    >>> from dedup.tokens import skeleton
    >>> a, b = "Laptop 13 inch silver model", "Laptop 15 inch silver model"
    >>> sk = skeleton(a + "\\n" + b)
    >>> n = len(sk) // 2
    >>> pair = Candidate([Run(0, n, n, 2 * n, n - 1)], 0, n, n, 2 * n, n - 1)
    >>> differs_in_place(pair, sk, a + "\\n" + b)
    True
    >>> typo = a + "\\n" + a.replace("silver", "silevr")
    >>> pair = Candidate([Run(0, n, n, 2 * n, n - 2)], 0, n, n, 2 * n, n - 2)
    >>> differs_in_place(pair, skeleton(typo), typo)
    False
    """
    runs = sorted(cand.runs)
    places: list[tuple[int, int, int, int]] = []
    for run in runs:
        size = min(run.a1 - run.a0, run.b1 - run.b0)
        if run.matched >= size:
            continue
        unequal = np.flatnonzero(
            sk.chars[run.a0 : run.a0 + size] != sk.chars[run.b0 : run.b0 + size]
        ).tolist()
        # (neighbouring unequal letters are one place)
        for k0, k1 in _stretches(unequal):
            places.append((run.a0 + k0, run.a0 + k1, run.b0 + k0, run.b0 + k1))
    for before, after in itertools.pairwise(runs):
        if after.a0 >= before.a1 and after.b0 >= before.b1:
            # (runs end at whole words: what the gaps share at their ends is no difference)
            own, twin = sk.letters(before.a1, after.a0), sk.letters(before.b1, after.b0)
            head = _shared(own, twin)
            tail = _shared(own[head:][::-1], twin[head:][::-1])
            places.append((before.a1 + head, after.a0 - tail, before.b1 + head, after.b0 - tail))
    return any(
        (
            a1 > a0
            and b1 > b0
            and not swapped(sk.letters(a0, a1), sk.letters(b0, b1))
            and not _in_address(sk, text, a0, a1)
            and not _in_address(sk, text, b0, b1)
        )
        or (a1 == a0 and _word_added(sk, text, b0, b1))
        or (b1 == b0 and _word_added(sk, text, a0, a1))
        for a0, a1, b0, b1 in places
    )


def moved_line(cand: Candidate, sk: Skeleton) -> bool:
    """Whether a whole line (``_MOVED_LETTERS`` letters or more) that only one copy has
    between two of the pair's runs is, letter for letter, in what only the other copy has
    between two other runs: the copies hold the line at different places, their lines in
    another order (a table for wide screens and again for narrow ones, a row moved). A second
    rendering of one text (a typo, an entity, a sentence left out) keeps its lines in order.

    >>> from dedup.anchors import Run
    >>> from dedup.tokens import skeleton
    >>> rows = ["Daily backups Yes Yes Yes", "Free domain name for a year - Yes Yes",
    ...         "Priority phone and chat support - - Yes", "Storage 20 GB"]
    >>> narrow = [rows[0], "Priority phone and chat support - Yes Yes", rows[1], rows[3]]
    >>> sk = skeleton("\\n".join(rows + narrow))
    >>> n = len(skeleton("\\n".join(rows)))
    >>> phone, store = sk.letters().index("priority"), sk.letters().index("storage")
    >>> runs = [Run(0, 21, n, n + 21, 21), Run(phone, phone + 27, n + 21, n + 48, 27),
    ...         Run(store, n, len(sk) - 11, len(sk), 11)]
    >>> moved_line(Candidate(runs, 0, n, n, len(sk)), sk)
    True
    """
    runs = sorted(cand.runs)
    gaps = [
        ((before.a1, after.a0), (before.b1, after.b0))
        for before, after in itertools.pairwise(runs)
        if after.a0 >= before.a1 and after.b0 >= before.b1
    ]
    for side in (0, 1):
        for i, own in enumerate(gaps):
            s0, s1 = own[side]
            if s1 - s0 < _MOVED_LETTERS or not whole_lines(sk, s0, s1):
                continue
            line = sk.letters(s0, s1)
            if any(line in sk.letters(*other[1 - side]) for j, other in enumerate(gaps) if j != i):
                return True
    return False


def _word_added(sk: Skeleton, text: str, s0: int, s1: int) -> bool:
    """Whether the skeleton range ``[s0, s1)``, a stretch only one copy has, is a word or two
    inside a line (``GBP`` in ``£40 GBP`` where the twin says ``$40``): another word where the
    twin has none, not a sentence or a heading left out (those end a sentence or fill a line).

    >>> from dedup.tokens import skeleton
    >>> text = "Spend $40 or more\\nSpend £40 GBP or more"
    >>> sk = skeleton(text)
    >>> s0 = sk.letters().index("gbp")
    >>> _word_added(sk, text, s0, s0 + 3), _word_added(sk, text, s0 - 2, s0 + 3)
    (True, False)
    """
    if s1 <= s0 or s1 - s0 > _ADDED_LETTERS:
        return False
    start, end = sk.text_range(s0, s1)
    if not (start > 0 and end < len(text)) or "\n" in text[start - 1 : end + 1]:
        return False
    return (
        text[start - 1].isspace()
        and (text[end].isspace() or text[end] in ",;")
        and len(text[start:end].split()) <= 2
    )


def _shared(one: str, other: str) -> int:
    """How many letters ``one`` and ``other`` share at their starts.

    >>> _shared("of40or", "of55cador")
    2
    """
    pairs = zip(one, other, strict=False)
    return sum(1 for _ in itertools.takewhile(lambda pair: pair[0] == pair[1], pairs))


def _stretches(positions: list[int]) -> list[tuple[int, int]]:
    """The sorted ``positions`` as ``(start, end)`` stretches of neighbouring ones.

    >>> _stretches([3, 4, 9, 12, 13, 14])
    [(3, 5), (9, 10), (12, 15)]
    """
    out: list[tuple[int, int]] = []
    for k in positions:
        if out and k == out[-1][1]:
            out[-1] = (out[-1][0], k + 1)
        else:
            out.append((k, k + 1))
    return out


def _in_address(sk: Skeleton, text: str, s0: int, s1: int) -> bool:
    """Whether the skeleton range ``[s0, s1)`` lies in an address: the words of the text that
    hold it, from white space to white space, hold ``://``, a slash or a link's ``](``."""
    start, end = sk.text_range(s0, s1)
    low = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start)) + 1
    spaces = [i for i in (text.find(" ", end), text.find("\n", end)) if i >= 0]
    return _ADDRESS.search(text, low, min(spaces, default=len(text))) is not None


def long_text(cand: Candidate, sk: Skeleton, opts: RepairOptions, text: str) -> bool:
    """Whether both copies are long text: ``long_chars`` letters or more over three lines or
    more (a paragraph repeated whole is a quote; paragraphs in a row are a copy), or twice that
    in fewer lines; paragraphs rather than short lines, and not code (a list or code shown
    twice, as the tabs of one example, is natural)."""
    if cand.matched < opts.long_chars:
        return False
    lines = min(sk.breaks(cand.a0, cand.a1), sk.breaks(cand.b0, cand.b1)) + 1
    if lines < LONG_LINES and cand.matched < LONG_FEW_LINES * opts.long_chars:
        return False
    return all(
        prose(sk, s0, s1, opts, text) and not code_like(text, *sk.text_range(s0, s1))
        for s0, s1 in ((cand.a0, cand.a1), (cand.b0, cand.b1))
    )


def reads_as_text(piece: str, letters: int) -> bool:
    """Whether ``piece`` (of ``letters`` letters and digits) reads as words: ``_TEXT_SPACES``
    spaces or more, and at least one for every ``_WORD_LETTERS`` letters (script data's keys and
    values run without spaces).

    >>> reads_as_text("It rained all week here.", 19), reads_as_text('"id":"a1","name":"b2"', 8)
    (True, False)
    """
    spaces = piece.count(" ")
    return spaces >= _TEXT_SPACES and spaces * _WORD_LETTERS >= letters


def ends_sentence(text: str, end: int) -> bool:
    """Whether the rest of the line from ``end`` holds a sentence's end (an ellipsis right at
    ``end`` marks a text cut short: it ends none).

    >>> ends_sentence("you can com...", 11), ends_sentence("you can come.", 12)
    (False, True)

    A Greek question ends with ``;`` (Greek's question mark once normalised); code's does not:

    >>> question = "\u03c4\u03b9 \u03b3\u03af\u03bd\u03b5\u03c4\u03b1\u03b9;"  # (what is going on?)
    >>> ends_sentence(question, 0), ends_sentence("x = 1;", 0)
    (True, False)
    """
    line_end = text.find("\n", end)
    start = past_cut_mark(text, end)
    return SENTENCE_END.search(text, start, len(text) if line_end < 0 else line_end) is not None


def sentence_ends_at(text: str, end: int) -> bool:
    """Whether a sentence ends right at ``end`` (its terminal mark and closing quotes or
    brackets follow, then white space), not somewhere later in the line.

    >>> sentence_ends_at("It rained. Then", 9), sentence_ends_at("version 3.5 is out", 9)
    (True, False)
    """
    # (a letter, a digit or white space there opens no match: most places are one, and a
    # string method answers for them at a fraction of a pattern's cost; a test checks)
    mark = text[end : end + 1]
    if not mark or mark.isalnum() or mark.isspace():
        return False
    return _ENDS_HERE.match(text, end) is not None


def past_cut_mark(text: str, at: int) -> int:
    """Where the mark of a text cut short at ``at`` ends (``at`` when there is none there)."""
    mark = _CUT_MARK.match(text, at)
    return at if mark is None else mark.end()


def prose(sk: Skeleton, s0: int, s1: int, opts: RepairOptions, text: str) -> bool:
    """Whether a copy reads as paragraphs rather than a list of short items or labels: its
    lines hold ``min_chars / 2`` letters on average, counting a line that goes on the sentence
    of the line before it (:func:`sentence_lines`) as part of that line.

    >>> from dedup.tokens import skeleton
    >>> page = "The release is late this year. I\\nbelieve\\nthe final version comes out soon."
    >>> sk = skeleton(page)
    >>> prose(sk, 0, len(sk), RepairOptions(min_chars=60), page)
    True
    >>> menu = "home\\nnews\\nsports\\nweather\\nthe shop\\ncontact us"
    >>> prose(skeleton(menu), 0, len(skeleton(menu)), RepairOptions(min_chars=20), menu)
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
    letters = sum(map(len, WORDS.findall(text, start, end)))
    if len(SENTENCE_ENDS.findall(text, start, end)) * _SENTENCE_LETTERS < letters:
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
