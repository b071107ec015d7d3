"""Rules over the whole text or several pairs at once: a heading or a lead line again
(:func:`head_repeat`, :func:`lead_repeat`), pieces of one copied block taking one decision
(:func:`series`, a block in another order), and paragraphs far apart flattened into one line
(:func:`scattered_flat`). :mod:`dedup.classify` judges each pair alone; these run after it.

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

from dedup.anchors import Run
from dedup.chains import SMALL_GAP, Candidate, union
from dedup.chars import no_space
from dedup.classify import (
    CODE_IN_LABEL,
    copy_in_data,
    header_between,
    page_piece,
    quote_label,
    refrain,
    reply_quote,
)
from dedup.measures import (
    COLONS,
    LONG_FEW_LINES,
    LONG_LINES,
    WORDS,
    answers_a_quote,
    ends_line,
    ends_sentence,
    exact,
    introduced,
    long_text,
    prose,
    reads_as_text,
    sentence_ends_at,
    starts_line,
    swapped,
)
from dedup.model import RepairOptions
from dedup.signs import (
    bare_quote,
    closes_value,
    code_like,
    edges,
    in_script,
    opens_value,
    scripts,
)
from dedup.tokens import Skeleton

__all__ = [
    "blocks_left_out",
    "copies_of_a_copy_in_data",
    "head_repeat",
    "lead_repeat",
    "line_twice_alone",
    "pieces_of_a_value",
    "reply_quotes",
    "scattered_flat",
    "series",
]

# A lead line is looked for whole (``lead_repeat``) up to this many letters long: a paragraph.
_LEAD_LETTERS = 2048
# The pieces of one copied block lie at most this many letters apart in each copy (four times
# a chain's small gap: a series is what chains do not join, pieces with matter between them
# in both copies).
_SERIES_GAP = 4 * SMALL_GAP
# How many places holding a piece's letters are looked at for its twin in the page text
# (``pieces_of_a_value``).
_TWIN_TRIES = 16
# A colon that may end a quote's label (``reply_quotes``), and how far before a quote's paired
# letters its label is looked for past the quote's first words.
_COLON = regex.compile(f"[{COLONS}]", regex.V1)
_QUOTE_REACH = 256
_POST_REACH = 2048
# How many further places holding an embedded copy's letters are looked at for more copies in the
# script data (``copies_of_a_copy_in_data``).
_MORE_COPIES = 64


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


def lead_repeat(sk: Skeleton, opts: RepairOptions, text: str) -> Candidate | None:
    """The first line (half ``anchor_chars`` letters or more, up to ``_LEAD_LETTERS``) and the
    next line further on that repeats it whole, letter for letter, when the text has it a third
    time after that line, or when what stands between the two is a page's header
    (:func:`~dedup.classify.header_between`: a title, a byline).

    Anchors take a short line the text has three times for a label it repeats
    (:mod:`dedup.anchors`) and pair none of it, and see none shorter than ``anchor_chars``; a
    lead above an article that the page holds twice is such a line, so the first line is looked
    for whole: a sentence of a few words (``There are no reviews yet.``) too, not a word or two
    (``Sold out.``, a page's label). A lead above the header it comes again under is a pair of
    its own too: a chain would take it into what the header's lines pair with further on (a
    user's name and a date, which a post's header and a reply's share).

    >>> from dedup.tokens import skeleton
    >>> lead = "The lead of the story."
    >>> text = lead + "\\nA title\\n" + lead + "\\nThe body.\\n" + lead + " The body."
    >>> found = lead_repeat(skeleton(text), RepairOptions(anchor_chars=12), text)
    >>> (found.a0, found.a1, found.b0, found.b1)
    (0, 17, 23, 40)
    >>> text = lead + "\\nA title\\nBy Ana\\n" + lead + "\\nThe body."
    >>> found = lead_repeat(skeleton(text), RepairOptions(anchor_chars=12), text)
    >>> (found.a0, found.a1, found.b0, found.b1)
    (0, 17, 28, 45)
    """
    edges = sk.edge_list
    if not edges or not opts.anchor_chars // 2 <= edges[0] <= _LEAD_LETTERS:
        return None
    n = edges[0]
    letters = sk.letters()
    first = letters[:n]
    at = letters.find(first, n)
    while at >= 0 and not (sk.is_edge(at) and ends_line(sk, at + n)):
        at = letters.find(first, at + 1)
    if at < 0:
        return None
    if letters.find(first, at + n) < 0 and not (
        header_between(sk, n, at, opts, text) and not _sentence_between(sk, text, n, at)
    ):
        return None
    return Candidate([Run(0, n, at, at + n, n)], 0, n, at, at + n, n)


def _sentence_between(sk: Skeleton, text: str, s0: int, s1: int) -> bool:
    """Whether a line of ``[s0, s1)`` ends a sentence: a short paragraph between the first line
    and its repeat, not a title, a byline or a date (the text from its first line on again,
    a heading left out: no lead above a header)."""
    bounds = sk.line_bounds(s0, s1)
    return any(
        ends_sentence(text, sk.char_end(b - 1)) for a, b in itertools.pairwise(bounds) if b > a
    )


def blocks_left_out(
    candidates: list[Candidate], sk: Skeleton, opts: RepairOptions, text: str
) -> None:
    """A later copy that is an earlier text with whole blocks of it left out is a copy of it:
    each stretch of a chain's second copy made of pieces of its first copy, letter for letter
    and in order, with nothing of its own between them (a block), is judged alone, and a block
    that is long (:func:`dedup.measures.long_text`: ``long_chars`` letters over three lines or
    more, twice that in fewer; prose, not code; text, not script data) is a ``long`` copy
    whatever its twin holds between the pieces — a post quoted whole without the quotes it held
    itself (quotes do not nest), or before a paragraph was added to it. The block goes; its
    twin, which holds all of it, stays whole, with the blocks the later copy left out.

    A block ends where the second copy has text of its own between two pieces: a reply's words
    between the paragraphs of a post it quotes one at a time (each quote judged alone: one
    shorter than a long copy stays). A chain whose copies both hold whole lines of their own
    between two of its pieces (each copy a post's header, say, where the other has another
    name and date) pairs two places, not one copy: a chain that ran from the end of one post
    over the page's chrome into the next post, and from the end of that post into its quote.
    It is judged in its blocks too (a ``distant`` pair or an ``adjacent`` one, which would
    otherwise remove a whole post, the only copy of its text, with the chrome before it); what
    no long block takes stays ``distant``.
    """
    found: list[Candidate] = []
    for cand in candidates:
        if (
            cand.kind not in ("distant", "adjacent")
            or cand.runs[0].tandem
            or cand.a1 > cand.b0
            or cand.matched < opts.long_chars
        ):
            continue
        runs = sorted(cand.runs)
        if cand.kind == "adjacent":
            if not _two_places(runs, sk):
                continue
            # (chains that joined two places are judged in their blocks; none stays adjacent)
            cand.kind = "distant"
        taken: list[Run] = []
        for block in _blocks(runs, sk, text, opts.anchor_chars):
            piece = _long_block(block, sk, opts, text)
            if piece is not None:
                found.append(piece)
                taken.extend(block)
        if not taken:
            continue
        # the chain keeps the runs no long block took (the pair it is apart from them)
        _keep(cand, [r for r in runs if r not in taken])
    candidates.extend(found)


def _keep(cand: Candidate, rest: list[Run]) -> None:
    """``cand`` as the runs ``rest`` that no piece split off it took; a chain left with none
    has ``matched`` 0 (reported by no one, acted on by no one)."""
    if not rest:
        cand.matched = 0
        return
    cand.take(rest)
    cand.measure()


def _blocks(runs: list[Run], sk: Skeleton, text: str, gap: int) -> list[list[Run]]:
    """``runs`` (sorted) in groups whose second copies follow one another with no text of
    their own between them, in the order of their first copies, whatever lies between those.
    Text of its own is a whole line (a reply's words, a quote's label) or words that end in a
    colon right before the next piece (``... brob said: The i9``: a label on the quote's own
    line); words edited within a line are the copy's (a near copy whose lines differ here and
    there stays one block, judged as a whole).

    >>> from dedup.anchors import Run
    >>> from dedup.tokens import skeleton
    >>> page = "x" * 1300 + "\\n" + "x" * 700
    >>> sk = skeleton(page)
    >>> left_out = [Run(0, 300, 1000, 1300, 300), Run(500, 800, 1300, 1600, 300)]
    >>> edited = [Run(0, 300, 1000, 1250, 250), Run(340, 600, 1290, 1550, 260)]
    >>> [len(_blocks(runs, sk, page, 24)) for runs in (left_out, edited)]
    [1, 1]
    >>> page = "x" * 1300 + "\\nX said:\\n" + "x" * 700
    >>> sk = skeleton(page)
    >>> len(_blocks([Run(0, 300, 1000, 1300, 300), Run(300, 600, 1305, 1605, 300)], sk, page, 24))
    2
    """
    blocks: list[list[Run]] = []
    for run in runs:
        last = blocks[-1][-1] if blocks else None
        if last is not None and run.a0 >= last.a1 - gap:
            own = run.b0 > last.b1 and (
                sk.breaks(last.b1 - 1, run.b0 + 1) >= 2 or introduced(text, int(sk.offsets[run.b0]))
            )
            if not own:
                blocks[-1].append(run)
                continue
        blocks.append([run])
    return blocks


def _two_places(runs: list[Run], sk: Skeleton) -> bool:
    """Whether both copies hold a whole line of their own between two consecutive ``runs``
    (sorted): a line with letters between the pieces on each side."""
    for left, right in itertools.pairwise(runs):
        if sk.breaks(left.a1 - 1, right.a0 + 1) >= 2 and sk.breaks(left.b1 - 1, right.b0 + 1) >= 2:
            return True
    return False


def _block_pair(block: list[Run]) -> Candidate:
    """The pair of the runs of ``block`` (sorted by their first copies; :func:`_blocks`), with
    the letters its second copy aligns as ``matched``."""
    piece = Candidate(
        block, block[0].a0, max(r.a1 for r in block), block[0].b0, max(r.b1 for r in block)
    )
    piece.matched = union(block, first=False)
    return piece


def _second_goes(piece: Candidate, kind: str) -> Candidate:
    """``piece`` as a pair of ``kind`` whose second copy goes, scored by the share of it that
    aligns."""
    piece.kind, piece.second_goes = kind, True
    piece.score = min(1.0, piece.matched / max(1, piece.b1 - piece.b0))
    return piece


def _in_script(piece: Candidate, sk: Skeleton, text: str) -> bool:
    """Whether either copy of ``piece`` is script data (:func:`dedup.signs.in_script`)."""
    return any(
        in_script(text, *sk.text_range(s0, s1))
        for s0, s1 in ((piece.a0, piece.a1), (piece.b0, piece.b1))
    )


def _long_block(block: list[Run], sk: Skeleton, opts: RepairOptions, text: str) -> Candidate | None:
    """The pair of ``block`` as a ``long`` copy whose second copy goes, or ``None`` when it is
    no long copy of text: its second copy aligns almost whole (``long_similarity``), both are
    long text (:func:`dedup.measures.long_text`), and neither is script data."""
    piece = _block_pair(block)
    size = piece.b1 - piece.b0
    if piece.matched < opts.long_similarity * size or not long_text(piece, sk, opts, text):
        return None
    if _in_script(piece, sk, text):
        return None  # (script data's copies are the page's code: the ``embedded`` rules)
    if answers_a_quote(text, int(sk.offsets[piece.b0]), int(sk.offsets[piece.a0])):
        return None  # (a reply's own words after its quote: the text posted again on purpose)
    return _second_goes(piece, "long")


def reply_quotes(candidates: list[Candidate], sk: Skeleton, opts: RepairOptions, text: str) -> None:
    """A reply's quotes of a post go: with ``quotes="remove"`` every one, with ``quotes="keep"``
    (the default) those of ``long_chars`` letters or more (:func:`_quote_floor`). Each block of a
    ``distant`` chain's second copy (:func:`_blocks`: pieces of the first copy in order, nothing of
    its own between them) that a label introduces (:func:`dedup.classify.quote_label`: ``Alice
    said:`` on the line above or opening the quote's line, or over lines an extractor broke it into,
    a markdown blockquote's ``>`` after it) and that is that many letters or more, letter for letter
    (``long_similarity``) but for blocks of the post it left out, is a ``quote`` pair whose second
    copy goes: a whole post quoted, or its paragraphs quoted one at a time, each under its label,
    the reply's words between them staying. Where a quote's first words are too few to pair (fewer
    than an anchor's letters, which the post holds before its twin), the label stands before them;
    where a chain took in the last words of two labels alike (``said:`` after ``Alice`` and after
    ``Bob``), the quote starts past the colon. The label stays, and the post. A label right after
    the post (a summary under ``TL;DR:``, the post's own) introduces no quote, nor one over a copy
    whose twin stands under a label of its own, unless the two differ and end in the same word (a
    quote of a quote: :func:`_quotes_a_quote`); a quote that is code or script data is none; a text
    the page says again under no label (a pull quote) stays."""
    found: list[Candidate] = []
    for cand in candidates:
        if (
            cand.kind != "distant"
            or cand.runs[0].tandem
            or cand.a1 > cand.b0
            or cand.matched < _quote_floor(opts)
        ):
            continue
        runs = sorted(cand.runs)
        trimmed = [_past_label(run, sk, opts, text) for run in runs]
        taken: set[int] = set()
        for block in _blocks(trimmed, sk, text, opts.anchor_chars):
            piece = _quote_block(block, sk, opts, text)
            if piece is not None:
                found.append(piece)
                taken.update(id(run) for run in block)
        if not taken:
            continue
        # the chain keeps the runs no quote took
        _keep(cand, [run for run, cut in zip(runs, trimmed, strict=True) if id(cut) not in taken])
    candidates.extend(found)


def _quote_floor(opts: RepairOptions) -> int:
    """The letters a reply's quote needs to go (:func:`reply_quotes`): ``min_chars`` with
    ``quotes="remove"``; ``long_chars`` with ``quotes="keep"``. A quote that long is a long
    copy under a label: a post quoted whole, or a long paragraph of one. Forum pages' main
    contents keep shorter quotes as natural repetition (on some pages, not others), but not
    quotes that long; ``long`` takes such a copy only over three lines or more (twice the
    letters in fewer), where the label here is what says it is a copy.

    >>> _quote_floor(RepairOptions()), _quote_floor(RepairOptions(quotes="remove"))
    (500, 80)
    """
    return opts.min_chars if opts.quotes == "remove" else opts.long_chars


def _past_label(run: Run, sk: Skeleton, opts: RepairOptions, text: str) -> Run:
    """``run`` from the first letter after the label that its second copy starts inside, where
    it took in the last words of two labels alike (``said: The post`` after ``Alice said:`` and
    after ``Bob said:``); ``run`` itself where it starts no such way."""
    if run.a1 - run.a0 != run.b1 - run.b0:
        return run
    start = int(sk.offsets[run.b0])
    if quote_label(text, start, opts.min_chars) is not None:
        return run  # (under a label already: a colon in its first words is its own)
    reach = min(run.b1, run.b0 + opts.min_chars // 2)
    colon = _COLON.search(text, start, sk.char_end(reach - 1))
    if colon is None:
        return run
    s = int(sk.offsets.searchsorted(colon.end()))
    label = quote_label(text, int(sk.offsets[s]), opts.min_chars) if s < run.b1 else None
    if label is None or label[0] >= start:
        return run
    cut = s - run.b0
    return Run(run.a0 + cut, run.a1, s, run.b1, max(0, run.matched - cut))


def _quote_block(
    block: list[Run], sk: Skeleton, opts: RepairOptions, text: str
) -> Candidate | None:
    """The pair of ``block`` as a ``quote`` whose second copy goes (:func:`reply_quotes`), or
    ``None``."""
    piece = _block_pair(block)
    size = piece.b1 - piece.b0
    if piece.matched < max(_quote_floor(opts), opts.long_similarity * size):
        return None
    start = int(sk.offsets[piece.b0])
    twin, twin_end = sk.text_range(piece.a0, piece.a1)
    label = _label_before(text, start, twin, opts)
    if label is None or not text[twin_end : label[0]].strip():
        return None  # (no label, or one right after the post: its heading, not a quote's)
    heads = quote_label(text, twin, opts.min_chars)
    if heads is not None and not _quotes_a_quote(heads[1], label[1]):
        return None  # (a heading both copies carry, or two headings over an entry they share)
    quote = sk.text_range(piece.b0, piece.b1)
    words = text[slice(*quote)]
    if not (reads_as_text(words, size) or sum(map(no_space, words)) * 2 >= size):
        return None  # (a quote is words, spaced or not: not a link's target, keys and values)
    if code_like(text, *quote):
        return None  # (a style sheet's rules under ``font-display:`` are no quote)
    if _in_script(piece, sk, text):
        return None  # (script data's copies are the page's code: the ``embedded`` rules)
    return _second_goes(piece, "quote")


def _quotes_a_quote(heads: str, label: str) -> bool:
    """Whether a copy under the label ``label`` whose twin stands under the label ``heads`` quotes
    that twin, itself a quote: the labels differ but end in the same word (``Mr_E said:`` and
    ``filpo said:``). The same label over both (``Overview:``), or two others (``While en
    route:`` and ``At the terminal:``, two lists sharing an entry), head the page's own entries.

    >>> _quotes_a_quote("Mr_E said:", "filpo said:"), _quotes_a_quote("Overview:", "Overview:")
    (True, False)
    """
    # (a label's words, compared past its marks: ``@``, a colon alone on its line)
    first, second = WORDS.findall(heads.casefold()), WORDS.findall(label.casefold())
    return first != second and first[-1:] == second[-1:] != []


def _label_before(text: str, start: int, twin: int, opts: RepairOptions) -> tuple[int, str] | None:
    """The label that introduces the quote whose paired letters start at ``start`` (its twin
    at ``twin``): right before it, or before its first words where they are too few to pair
    (fewer than an anchor's letters, within ``_QUOTE_REACH`` characters after the label) and
    the post holds them before the twin (within ``_POST_REACH`` characters: ``Bob said: Link is
    private. They added...``, the post ``Link is private. Alice said: ... They added...``). A
    post again under a short quote it answers (``Bej said: Why close it?`` and the post) is no
    quote: the question stands after the post, not in it."""
    label = quote_label(text, start, opts.min_chars)
    if label is not None:
        return label
    colon = max(text.rfind(mark, max(0, start - _QUOTE_REACH), start) for mark in COLONS)
    if colon < 0:
        return None
    words = text[colon + 1 : start].strip()
    letters = sum(ch.isalnum() for ch in words)
    held = text.find(words, max(0, twin - _POST_REACH), twin) >= 0
    if not (0 < letters < opts.anchor_chars and held) or CODE_IN_LABEL.search(words):
        return None  # (words the post does not hold before the twin: the reply's own)
    return quote_label(text, text.index(words, colon + 1), opts.min_chars)


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
        and (c.kind != "distant" or exact(c) >= opts.long_similarity)
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


def line_twice_alone(
    candidates: list[Candidate], sk: Skeleton, opts: RepairOptions, text: str
) -> None:
    """A line twice in a row, the same characters, is a copy however short it is (an anchor's
    width of letters or more, not code), a title or a sentence (its first letter no lower-case
    one, as a table's cell may be), where it is the only line of the page that the next line
    repeats: a paragraph, a title or a notice captured twice. A page that holds lines twice
    in a row as its pattern (a listing's cards each with its name as a link and as a title,
    a grid's headings twice, an index of letters) keeps them all, as a line shorter than
    ``min_chars`` repeated anywhere else stays (:func:`dedup.classify.classify`). The text's
    first line twice in a row is such a line too, a short teaser of the second that goes only
    where the page is doubled elsewhere: where no other pair acts, it is judged so (where one
    does, the teaser goes, the first copy, whose twin the body's other copy may keep). So is a
    line again right under itself with two neighbouring letters swapped (a second rendering's
    typo, which cut the match short of the lines' starts or ends), where the page holds no line
    twice in a row letter for letter: the pair becomes the two whole lines."""
    lone: list[tuple[Candidate, tuple[int, int] | None]] = []
    for c in candidates:
        if (
            c.kind not in ("distant", "teaser")
            or c.runs[0].tandem
            or not opts.anchor_chars <= c.matched < opts.min_chars
            or sk.breaks(c.a0, c.b1) != 1
        ):
            continue
        if (
            c.a1 == c.b0
            and starts_line(sk, c.a0)
            and ends_line(sk, c.a1)
            and ends_line(sk, c.b1)
            and exact(c) >= 1.0
        ):
            lone.append((c, None))
        elif c.kind == "distant" and c.b0 > c.a1:
            start = _swapped_lines(c, sk)
            if start is not None:
                lone.append((c, start))
            if len(lone) > 1:
                return
    if len(lone) != 1:
        return
    cand, lines = lone[0]
    if cand.kind == "teaser" and any(c.kind not in ("distant", "teaser") for c in candidates):
        return
    first, second = _whole_line(sk, text, cand.a0), _whole_line(sk, text, cand.b0)
    if (
        (lines is None and text[slice(*first)].strip() != text[slice(*second)].strip())
        or _opens_lower(text, *first)
        or code_like(text, *first)
        or _lines_twice_in_a_row(sk, 2) != (1 if lines is None else 0)
    ):
        return
    if lines is not None:
        a0, b0 = lines
        n = b0 - a0
        cand.runs = [Run(a0, b0, b0, b0 + n, n - 2)]
        cand.a0, cand.a1, cand.b0, cand.b1, cand.matched = a0, b0, b0, b0 + n, n - 2
    cand.kind, cand.lead, cand.cut_second = "adjacent", False, False


def _swapped_lines(cand: Candidate, sk: Skeleton) -> tuple[int, int] | None:
    """The starts of the two lines in a row that hold the copies of ``cand``, where the second
    is the first with two neighbouring letters swapped (:func:`dedup.measures.swapped`)."""
    a0, b0 = sk.line_start(cand.a0), sk.line_start(cand.b0)
    if sk.line_end(cand.a0) != b0 or sk.line_end(b0) - b0 != b0 - a0 or cand.a1 > b0:
        return None
    return (a0, b0) if swapped(sk.letters(b0, 2 * b0 - a0), sk.letters(a0, b0)) else None


def _opens_lower(text: str, start: int, end: int) -> bool:
    """Whether the first letter of ``text[start:end]`` is a lower-case one: the line goes on
    from something (a table's cell, ``1, plus $11 monthly``), not a title or a sentence."""
    first = next((ch for ch in text[start:end] if ch.isalpha()), "")
    return first.islower()


def _whole_line(sk: Skeleton, text: str, s: int) -> tuple[int, int]:
    """The start and end offsets of the text's line that holds skeleton position ``s``."""
    at = int(sk.offsets[s])
    end = text.find("\n", at)
    return text.rfind("\n", 0, at) + 1, len(text) if end < 0 else end


def _lines_twice_in_a_row(sk: Skeleton, most: int) -> int:
    """How many lines with letters or digits the next such line repeats letter for letter,
    counted up to ``most``."""
    bounds = [0, *sk.edge_list, len(sk)]
    letters = sk.letters()
    count = 0
    for a, b, c in zip(bounds, bounds[1:], bounds[2:], strict=False):
        if b - a == c - b and letters[a:b] == letters[b:c]:
            count += 1
            if count >= most:
                break
    return count


def scattered_flat(
    candidates: list[Candidate], sk: Skeleton, opts: RepairOptions, text: str
) -> None:
    """A flattened copy of a body's paragraphs that lie far apart in the body (a page of
    headings, lists and prices with a few paragraphs of prose between, flattened without its
    headings) is one copy: pairs left apart whose flattened copies follow one another on one
    line, in the order of their paragraphed copies, each paragraphed copy whole lines, together
    most of that line, join into one ``flattened`` pair. The line may come after the body or
    before it (a page's description above its listing). (Chains do not bridge the headings
    between the paragraphs in one copy when the paragraphs are short.) A piece may be a long
    copy of its own (a long description among the line's pieces): the line is still one
    flattened copy, which goes whole, where the long pair alone would keep the line's copy
    and remove the paragraph. Each paragraphed copy ends a sentence: paragraphs, not
    headlines or menu items listed again in one line (a ticker) that stay. A line that is the
    text's first or last line, above or below the body, is a flattened copy too when it glues
    paragraphs with nothing between them (a page's first paragraphs again as its description,
    a small share of a long page): a line in the middle of the page that says two paragraphs
    again (a summary, a callout) and a copy of one paragraph, with no breaks to lose, stay."""
    for flat_first in (False, True):
        _scattered_flat(candidates, sk, opts, text, flat_first=flat_first)


def _scattered_flat(
    candidates: list[Candidate],
    sk: Skeleton,
    opts: RepairOptions,
    text: str,
    *,
    flat_first: bool,
) -> None:
    """:func:`scattered_flat` for one order: the flattened line after the paragraphs, or
    before them when ``flat_first``."""

    def flat(c: Candidate) -> tuple[int, int]:
        return (c.a0, c.a1) if flat_first else (c.b0, c.b1)

    def paragraphs(c: Candidate) -> tuple[int, int]:
        return (c.b0, c.b1) if flat_first else (c.a0, c.a1)

    pieces = sorted(
        (
            c
            for c in candidates
            if c.kind in ("distant", "long")
            and not c.runs[0].tandem
            and c.score >= opts.min_similarity
            and c.a1 <= c.b0
            and _opens_in_line(sk, text, paragraphs(c)[0])
            and _closes_in_line(sk, text, paragraphs(c)[1])
            and sk.breaks(*flat(c)) == 0
            and ends_sentence(text, sk.text_range(paragraphs(c)[1] - 1, paragraphs(c)[1])[1])
        ),
        key=lambda c: flat(c)[0],
    )
    group: list[Candidate] = []
    for cand in [*pieces, None]:
        if group and cand is not None:
            last = group[-1]
            if (
                sk.breaks(flat(last)[0], flat(cand)[1]) == 0
                and paragraphs(cand)[0] >= paragraphs(last)[1]
                and cand.a1 <= group[0].b0  # (every first copy before every second)
                and flat(cand)[0] - flat(last)[1] <= SMALL_GAP
            ):
                group.append(cand)
                continue
        line0 = sk.line_start(flat(group[0])[0]) if group else 0
        line1 = sk.line_end(flat(group[-1])[1] - 1) if group else 0
        # (the flattened line is the text's first line, above the body, or its last, below it)
        edge = line0 == 0 if flat_first else line1 == len(sk)
        # (sentences that a flattened line at the text's edge left out, at one place at most:
        # a paragraphed copy that starts or ends inside its line there)
        inside = sum(
            (not starts_line(sk, paragraphs(c)[0])) + (not ends_line(sk, paragraphs(c)[1]))
            for c in group
        )
        if inside <= edge and (
            len(group) > 1
            or (
                group
                and starts_line(sk, flat(group[0])[0])
                and _glued_paragraphs(group[0], sk, text, flat_first, edge=edge)
            )
        ):
            covered = sum(flat(c)[1] - flat(c)[0] for c in group)
            if covered >= opts.min_similarity * (line1 - line0) and covered >= opts.min_chars:
                runs = [r for c in group for r in c.runs]
                joined = Candidate(
                    runs,
                    min(c.a0 for c in group),
                    max(c.a1 for c in group),
                    min(c.b0 for c in group),
                    max(c.b1 for c in group),
                    sum(c.matched for c in group),
                    kind="flattened",
                    score=min(c.score for c in group),
                    flat=True,
                    flat_first=flat_first,
                )
                if not reply_quote(joined, sk, opts, text):
                    # (a post on one line and a reply's quote of it under ``Alice said:``)
                    candidates.append(joined)
        group = [cand] if cand is not None else []


def _glued_paragraphs(
    cand: Candidate, sk: Skeleton, text: str, flat_first: bool, *, edge: bool = False
) -> bool:
    """Whether the paragraphed copy of ``cand`` is paragraphs far apart that its flattened copy
    glued: lines the flattened copy left out (headings, bylines) lie between two of its shared
    parts, the part before ending its line with a sentence's end and the part after starting
    its line, wherever a line break lies between two parts; and every line break inside the
    text the copies share comes right after a sentence's end. Prose broken into short lines (a
    quote that breaks mid-sentence), a paragraph that quotes sentences from the middle of
    others (a summary), or a body with nothing between its paragraphs (a flattened pair judged
    on its share of the page) is not; with ``edge`` (the flattened copy is the text's first or
    last line), two paragraphs or more with nothing between them are."""
    spans = sorted((r.b0, r.b1) if flat_first else (r.a0, r.a1) for r in cand.runs)

    def ends_here(s: int) -> bool:
        return sentence_ends_at(text, sk.text_range(s - 1, s)[1])

    lines_between = False
    left_out = 0
    for (s0, s1), (t0, _) in zip(spans, [*spans[1:], (len(sk), len(sk))], strict=True):
        inside = sk.edge_list[bisect_right(sk.edge_list, s0) : bisect_left(sk.edge_list, s1)]
        if not all(ends_here(edge) for edge in inside):
            return False
        if t0 >= len(sk) or sk.breaks(s1 - 1, t0 + 1) == 0:
            continue
        if not (ends_here(s1) and _closes_in_line(sk, text, s1) and _opens_in_line(sk, text, t0)):
            return False
        # (sentences that a flattened copy at the text's edge left out, at one place at most)
        left_out += (not ends_line(sk, s1)) + (not starts_line(sk, t0))
        if left_out > edge:
            return False
        lines_between = lines_between or sk.breaks(s1 - 1, t0 + 1) > 1
    return lines_between or (edge and sk.breaks(spans[0][0], spans[-1][1]) > 0)


def _opens_in_line(sk: Skeleton, text: str, s: int) -> bool:
    """Whether skeleton position ``s`` starts its line, or opens a sentence inside it: where a
    paragraphed copy starts whose flattened twin left out the sentences before it in its line
    (a second rendering without a sentence)."""
    return starts_line(sk, s) or sentence_ends_at(text, sk.text_range(s - 1, s)[1])


def _closes_in_line(sk: Skeleton, text: str, s: int) -> bool:
    """Whether skeleton position ``s`` ends its line, or ends a sentence inside a line that ends
    one too: where a paragraphed copy ends whose flattened twin left out the sentences after it
    in its line."""
    if ends_line(sk, s):
        return True
    end = sk.line_end(s - 1)
    return sentence_ends_at(text, sk.text_range(s - 1, s)[1]) and sentence_ends_at(
        text, sk.text_range(end - 1, end)[1]
    )


def _entries_twice(candidates: list[Candidate], sk: Skeleton, opts: RepairOptions) -> None:
    """Entries of a listing each captured twice in a row (a card, then its copy, then the next
    card and its copy: the same series, its copies interleaved) take the decision of the
    entries among them that are judged alone: where one is an ``adjacent`` copy, the others
    — whole lines, letter for letter, each copy right after its entry (less text between them
    than the entry has), the next entry right after it — are adjacent copies too, however
    short their lines; the second copy of each goes (the lines between belong to the first).
    Entries that repeat with nothing removed among them (a tab shown twice, a card and its
    preview) stay, and so does a refrain (:func:`~dedup.classify.refrain`: a song's chorus
    again after a verse, then the song's last lines and a note captured twice)."""
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
            and exact(c) >= opts.long_similarity
            and not refrain(c, sk)
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
            exact(c) >= opts.long_similarity
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
    groups = _regions(pieces)
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
        if lines < LONG_LINES and total < LONG_FEW_LINES * opts.long_chars:
            continue
        if not all(
            prose(sk, s0, s1, opts, text) and not code_like(text, *sk.text_range(s0, s1))
            for c in g
            for s0, s1 in ((c.a0, c.a1), (c.b0, c.b1))
        ):
            continue
        if any(introduced(text, int(sk.offsets[c.b0])) for c in g):
            continue  # ``X said:`` introduces a copy: a post quoted on purpose
        if any("://" in text[slice(*sk.text_range(c.a0, c.a1))] for c in g):
            continue  # a link's address: the page's chrome between posts, not an item of text
        known = {id(c) for c in candidates}
        for c in g:
            c.kind, c.second_goes = "long", True
            if id(c) not in known:
                candidates.append(c)


def _joins(cand: Candidate, group: list[Candidate], bounds: list[int]) -> bool:
    """Whether a piece joins a group of pieces of a block copied in another order (the end of
    the group's first region, then the bounds of its second, in ``bounds``): it starts after
    that first region and ends before the second, its second copy lies within ``_SERIES_GAP``
    letters of the group's second copies, and it overlaps none of them."""
    a_end, b_lo, b_hi = bounds
    return (
        a_end <= cand.a0
        and cand.a1 <= b_lo
        and b_lo - _SERIES_GAP <= cand.b1
        and cand.b0 <= b_hi + _SERIES_GAP
        and not any(c.b0 < cand.b1 and cand.b0 < c.b1 for c in group)
    )


def _regions(pieces: list[Candidate]) -> list[tuple[list[Candidate], list[int]]]:
    """``pieces`` (in order of their first copies) in groups whose first copies lie together in
    one region and second copies in a later one (each within ``_SERIES_GAP`` letters of the
    others on its side, whatever the order, no two second copies overlapping): each group with
    the end of its first region and the bounds of its second, the groups in order of their
    first regions' ends (of two that end alike, the one formed first first)."""
    groups: list[tuple[list[Candidate], list[int]]] = []
    ends: list[int] = []
    for cand in pieces:
        joined = None
        for k in range(len(groups) - 1, -1, -1):
            g, bounds = groups[k]
            a_end, b_lo, b_hi = bounds
            if cand.a0 - a_end > _SERIES_GAP:
                break  # (none further back is near)
            if _joins(cand, g, bounds):
                g.append(cand)
                bounds[:] = [cand.a1, min(b_lo, cand.b0), max(b_hi, cand.b1)]
                joined = k
                break
        # (the group moves to its place in the order, a new one after those that end alike:
        # one insertion, where sorting the groups again for every piece grew with their square)
        if joined is None:
            item, at = ([cand], [cand.a1, cand.b0, cand.b1]), bisect_right(ends, cand.a1)
        else:
            item = groups.pop(joined)
            del ends[joined]
            at = bisect_left(ends, cand.a1)  # (it now ends after where it ended, before ties)
        groups.insert(at, item)
        ends.insert(at, cand.a1)
    return groups


def _lines_of(sk: Skeleton, spans: list[tuple[int, int]]) -> int:
    """How many lines the skeleton ranges ``spans`` touch together."""
    lines: set[int] = set()
    for s0, s1 in spans:
        lines.update(range(sk.line(s0), sk.line(s1 - 1) + 1))
    return len(lines)


def pieces_of_a_value(
    candidates: list[Candidate], found: list[Run], sk: Skeleton, text: str
) -> None:
    """A string value of minified script data made, end to end, of pieces each of which the
    page text holds is one copy in the data, however short each piece is: an article's
    paragraphs glued into one ``articleBody`` (``...lifecycle.GitHub provides...``), each a
    line of the page under its own heading or among its chrome. Each piece alone is shorter
    than a copy needs and pairs as ``distant``, or only with another string of the data (the
    ``headline`` that says the first paragraph again), and no chain joins pieces whose twins
    lie far apart or in another order.

    The pieces (two or more: a value of one piece is a line of the page again as a string's
    whole value, :func:`dedup.classify.value_of_a_line`) start where the copies of ``found``
    (the text's runs, letter for letter) start, and each ends where the next starts (a copy may
    run on a few letters into the next piece, where the page's next line begins as that piece
    does), with only what has no letters between them (punctuation, spaces, escapes; no line
    break, no quote that closes the string); the value opens right before the first and closes
    right after the last (:func:`dedup.signs.opens_value`, :func:`dedup.signs.closes_value`);
    and each piece has a twin, letter for letter, that stands alone in the page text with no
    sign of script data around it on its line (:func:`dedup.classify.page_piece`, as for a
    line again as a string's whole value). Each piece becomes an ``embedded`` pair with that
    twin, the piece in the data to go (its key and quotes stay). A value with anything the page
    text lacks (a description that shares a phrase or two with the page, a piece of prose of
    its own) is no such value, and stays whole."""
    ends: dict[int, int] = {}  # the copies of the runs: the furthest end of those at each start
    twins: dict[int, list[tuple[int, int]]] = {}  # at each start, the copies' ends and twins
    for run in found:
        if run.tandem:
            continue
        for c0, c1, t0 in ((run.a0, run.a1, run.b0), (run.b0, run.b1, run.a0)):
            ends[c0] = max(ends.get(c0, c1), c1)
            twins.setdefault(c0, []).append((c1, t0))
    if not ends:
        return
    starts = sorted(ends)
    offsets = sk.offsets
    letters = sk.letters()
    # the copies in the data that a pair already takes
    taken = {
        (c.a0, c.a1) if c.code_first > 0 else (c.b0, c.b1)
        for c in candidates
        if c.kind == "embedded"
    }

    def twin(c0: int, c1: int) -> int | None:
        # where the page text holds ``[c0, c1)`` as a piece of its own, if it does
        if "\n" in text[slice(*sk.text_range(c0, c1))]:
            return None  # (a string of minified data is one line)
        size = c1 - c0
        for end, t0 in twins[c0]:
            if end >= c1 and page_piece(sk, text, t0, t0 + size):
                return t0
        for at in places(letters[c0:c1]):
            if abs(at - c0) >= size and page_piece(sk, text, at, at + size):
                return at
        return None

    found_at: dict[str, list[int]] = {}  # the places of each piece's letters, once looked for

    def places(key: str) -> list[int]:
        # where the text's letters hold ``key``: its first ``_TWIN_TRIES`` places (a search
        # over the cuts asks for the same pieces many times; each search scans the text)
        if key not in found_at:
            where: list[int] = []
            at = sk.find(key)
            while at >= 0 and len(where) < _TWIN_TRIES:
                where.append(at)
                at = sk.find(key, at + 1)
            found_at[key] = where
        return found_at[key]

    def cuts(c0: int) -> list[int]:
        # where a piece from ``c0`` may end: where its copies end, or where another starts
        # within them; the furthest first
        inner = starts[bisect_right(starts, c0) : bisect_left(starts, ends[c0])]
        return sorted({ends[c0], *(end for end, _ in twins[c0]), *inner}, reverse=True)

    def separated(c: int) -> bool:
        # (what stands between two pieces that meet at ``c``: no line break, no bare quote)
        start, end = sk.char_end(c - 1), int(offsets[c])
        return "\n" not in text[start:end] and not bare_quote(text, start, end)

    failed: set[int] = set()  # starts from which no pieces reach the value's end

    def tiling(v0: int) -> list[tuple[int, int, int]]:
        # the pieces from ``v0`` to the value's end, each with its twin (none where there are
        # none): a search over the cuts, the furthest first
        path: list[tuple[int, int, int]] = []
        choices = [cuts(v0)]
        while choices:
            c0 = path[-1][1] if path else v0
            if not choices[-1]:
                failed.add(c0)
                choices.pop()
                if path:
                    path.pop()
                continue
            c1 = choices[-1].pop(0)
            # (where the piece would end is looked at before its twin is looked for: most cuts
            # neither close the value nor meet another piece, and the twin costs a search)
            closes = closes_value(text, sk.char_end(c1 - 1))
            if not (closes or (c1 in ends and c1 not in failed and separated(c1))):
                continue
            t0 = twin(c0, c1)
            if t0 is None:
                continue
            if closes:
                return [*path, (c0, c1, t0)]
            path.append((c0, c1, t0))
            choices.append(cuts(c1))
        return []

    for v0 in starts:
        if not opens_value(text, int(offsets[v0])):
            continue
        pieces = tiling(v0)
        if len(pieces) < 2:
            continue  # (a value of one piece: a line again as a string's whole value)
        for p0, p1, t0 in pieces:
            if (p0, p1) in taken:
                continue
            taken.add((p0, p1))
            candidates.append(copy_in_data(p0, t0, p1 - p0))


def copies_of_a_copy_in_data(
    candidates: list[Candidate], sk: Skeleton, text: str, signs: Callable[[], bool]
) -> None:
    """Every other copy, letter for letter, of an ``embedded`` pair's copy in script data that
    script data holds again is a copy of the same page text, and goes with it: a page's
    sentence in each of many nodes of app state (a service's description under each of 21
    services). Anchors pair each window with its previous occurrence only, so the page text
    pairs with one copy in the data, and each copy with the next; without this, each pass
    removes one copy more. Each further copy (``_MORE_COPIES`` looked at) is judged as the
    first was: the new pair of it and the page text must be an ``embedded`` pair
    (:func:`dedup.signs.scripts`, the further copy the one in the data); one that a pair
    already takes, or that overlaps either copy, is skipped.

    >>> from dedup.spans import analyse
    >>> line = "Our advisers guide founders through sales, mergers and capital raising."
    >>> data = ",".join(f'{{"id":{i},"description":"{line}"}}' for i in range(4))
    >>> sk, pairs = analyse(f"Services\\n{line}\\n<script>[{data}]</script>", RepairOptions())
    >>> sum(p.kind == "embedded" for p in pairs)
    4
    """
    firsts = [c for c in candidates if c.kind == "embedded" and c.code_first and len(c.runs) == 1]
    if not firsts:
        return
    letters = sk.letters()
    taken = {
        (c.a0, c.a1) if c.code_first > 0 else (c.b0, c.b1)
        for c in candidates
        if c.kind == "embedded" and c.code_first
    }
    found: list[Candidate] = []
    for cand in firsts:
        size = cand.a1 - cand.a0
        if size != cand.b1 - cand.b0 or exact(cand) < 1.0:
            continue
        c0, t0 = (cand.a0, cand.b0) if cand.code_first > 0 else (cand.b0, cand.a0)
        key = letters[c0 : c0 + size]
        at = sk.find(key)
        for _ in range(_MORE_COPIES):
            if at < 0:
                break
            if (at, at + size) not in taken and abs(at - c0) >= size and abs(at - t0) >= size:
                pair = copy_in_data(at, t0, size)
                pair.code_first = 0.0
                embedded, code_first = scripts(text, sk, pair, signs)
                if embedded and (code_first > 0) == (at < t0):
                    pair.code_first = code_first
                    found.append(pair)
                    taken.add((at, at + size))
            at = sk.find(key, at + 1)
    candidates.extend(found)
