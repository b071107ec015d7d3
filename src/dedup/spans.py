"""Finding near-duplicate spans inside one text.

The method, in linear time:

1. **Anchors and runs** (:mod:`dedup.anchors`). Every word start of the
   :mod:`skeleton <dedup.tokens>` is hashed over the next ``anchor_chars`` skeleton characters;
   equal hashes pair with their previous occurrence only, and anchors on one diagonal chain into
   runs, each verified character by character.
2. **Chains** (:mod:`dedup.chains`). Runs on nearby diagonals join into one pair of copies when
   one side's gap is small: a typo leaves a small gap on both sides, a sentence dropped from one
   copy (or a heading missing from it) a gap on one side only.
3. **Classification** (:mod:`dedup.classify`, :mod:`dedup.measures`, :mod:`dedup.signs`). Each
   pair is measured — aligned share, line breaks in each copy, text between the copies, signs
   of script data, where it sits — and given a kind (:data:`KINDS`). Repair acts on pairs of
   all kinds but ``distant``, which it leaves alone; :func:`dedup.find_duplicates` says of
   each pair whether it removes a copy.

>>> from dedup import find_duplicates
>>> body = ("The first paragraph of the story is long enough to matter to anyone.\\n\\n"
...         "The second paragraph goes on with the story in a little more detail.")
>>> pairs = find_duplicates(body + "\\n\\n" + body.replace("\\n\\n", ""))
>>> [(p.kind, p.first.start, p.second.start) for p in pairs]
[('flattened', 0, 140)]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from dedup.anchors import CROSS, Run, runs
from dedup.chains import Candidate, chain
from dedup.chars import HANGUL_WEIGHT, NO_SPACE_WEIGHT
from dedup.classify import (
    classify,
    copy_in_data,
    drop_structure_edges,
    keep_entries,
    line_value,
    lines_as_values,
    realign_twice,
    trim_seam,
)
from dedup.groups import (
    blocks_left_out,
    copies_of_a_copy_in_data,
    head_repeat,
    lead_repeat,
    line_twice_alone,
    pieces_of_a_value,
    reply_quotes,
    scattered_flat,
    series,
)
from dedup.measures import ends_line, opens_piece
from dedup.model import KINDS, RepairOptions
from dedup.signs import has_quote_punctuation, holds_values, in_string, opens_value, whole_value
from dedup.tokens import Skeleton, skeleton

__all__ = ["KINDS", "analyse", "scaled"]


def scaled(opts: RepairOptions, sk: Skeleton) -> RepairOptions:
    """``opts`` for the text of skeleton ``sk``: in a text mostly of a script written without
    spaces (Chinese, Japanese: every character starts a word, where a word of English has five
    or six letters), a character says as much as ``NO_SPACE_WEIGHT`` letters do, so the
    lengths of content counted in letters (``min_chars``, ``long_chars``) are divided by it;
    the anchors' width is halved (a window of a third as many characters would be too short
    to be rare). A text mostly of Hangul is written with spaces, but each of its characters is
    a syllable block of two or three letters, a word of Korean three of them: its lengths are
    divided by ``HANGUL_WEIGHT`` and its anchors are halved too (a window of 24 blocks spans
    eight words, and a sentence of Korean would give one window or none: a copy's last
    sentence, after one its twin left out, would not be found).

    >>> from dedup.tokens import skeleton
    >>> opts = scaled(RepairOptions(), skeleton("\u65e5\u672c\u8a9e\u306e\u6587"))
    >>> opts.anchor_chars, opts.min_chars
    (12, 26)
    >>> opts = scaled(RepairOptions(), skeleton("\ud55c\uad6d\uc5b4 \ubb38\uc7a5"))
    >>> opts.anchor_chars, opts.min_chars
    (12, 40)
    """
    if sk.starts.shape[0] * 2 > sk.size:
        weight = NO_SPACE_WEIGHT
    elif sk.mostly_hangul():
        weight = HANGUL_WEIGHT
    else:
        return opts
    return dataclasses.replace(
        opts,
        anchor_chars=max(4, opts.anchor_chars // 2),
        min_chars=max(1, opts.min_chars // weight),
        long_chars=max(1, opts.long_chars // weight),
    )


def analyse(
    text: str, opts: RepairOptions, *, distant: bool = True, sk: Skeleton | None = None
) -> tuple[Skeleton, list[Candidate]]:
    """The skeleton of ``text`` and its classified candidate pairs, largest first.

    With ``distant=False`` a text whose runs together cover fewer than ``min_chars`` letters
    returns no pairs at once, unless it has signs of script data or markup or a text twice back
    to back: every pair it could give would be ``distant`` (repetition that repair leaves
    alone), as no kind that repair acts on is that short but a line of the page again as a
    string's whole value in script data (:mod:`dedup.classify`) and a line twice in a row
    (:func:`dedup.groups.line_twice_alone`; its copies may stand a few letters apart, where a
    typo or the line before's last letters cut the match short). ``sk`` is the skeleton
    of ``text`` where the caller has it already.
    """
    if sk is None:
        sk = skeleton(text)
    opts = scaled(opts, sk)
    if len(sk) < 2 * opts.anchor_chars:
        return sk, []
    # (whether the text has any sign of script data or markup, looked for once, if asked)
    found: list[bool] = []

    def signs() -> bool:
        if not found:
            found.append(bool(sk.markup) or has_quote_punctuation(text))
        return found[0]

    # short runs the text has three times or more, one copy of which opens a string's value
    # of script data: a line of the page again as a whole value may be among them
    labels: list[Run] = []
    found_runs = runs(sk, opts.anchor_chars, labels=labels, admit=_opens_value(sk, text, signs))
    head = head_repeat(sk)
    lead = lead_repeat(sk, opts, text)
    if lead is not None:
        # the lead and its twin are a pair of their own: no chain takes them into the copies
        # of the body that the twin begins
        found_runs = [r for r in found_runs if not _within(r, lead)]
    if not distant:
        # (counted only as far as min_chars: a text of many runs reaches it with its first)
        firsts = [first for first in (head, lead) if first is not None]
        pairs: list[Run | Candidate] = [*found_runs, *firsts]
        covered = sum(first.matched for first in firsts)
        for r in found_runs:
            if covered >= opts.min_chars:
                break
            covered += r.a1 - r.a0
        if (
            covered < opts.min_chars
            and not ((found_runs or labels) and signs())
            # (the head and the lead too: a short line twice in a row may be the head; and
            # two runs that a chain joins, the second copy of one right after the first copy of
            # the other: a copy with a stretch inserted in it, right after its twin)
            and not any(0 <= r.b0 - s.a1 < CROSS for r in pairs for s in pairs)
        ):
            return sk, []
    candidates = chain(found_runs)
    if head is not None:
        # a chain over the head that runs on into the first letters of the next lines (two
        # headings under it that begin alike) is the head's pair, its lines whole
        candidates = [c for c in candidates if not _head_run_on(c, head, sk)]
    for first in (head, lead):
        if first is not None and not any(c.a0 == 0 and c.b0 == first.b0 for c in candidates):
            candidates.append(first)

    for cand in candidates:
        if not cand.runs[0].tandem:
            drop_structure_edges(cand, sk, text, signs)
            cand.trim()
            trim_seam(sk, cand)
            realign_twice(cand, sk)
        classify(cand, sk, opts, text, signs)
    candidates.extend(lines_as_values(candidates, sk, text, signs))
    if labels:
        candidates.extend(_values_of_lines(labels, sk, text))
    blocks_left_out(candidates, sk, opts, text)
    series(candidates, sk, opts, text)
    scattered_flat(candidates, sk, opts, text)
    line_twice_alone(candidates, sk, opts, text)
    if found_runs and signs() and holds_values(text):
        pieces_of_a_value(candidates, found_runs + labels, sk, text)
    copies_of_a_copy_in_data(candidates, sk, text, signs)
    reply_quotes(candidates, sk, opts, text)
    keep_entries(candidates, sk, text)
    candidates.sort(key=lambda c: (-c.matched, c.a0))
    return sk, candidates


def _opens_value(
    sk: Skeleton, text: str, signs: Callable[[], bool]
) -> Callable[[list[int], list[int]], list[bool]]:
    """For pairs of copies, by the skeleton starts of their first copies and of their second,
    whether one copy opens a piece that stands alone in its line (a line, a sentence, a piece
    glued to the words before it: :func:`dedup.measures.opens_piece`) and the other opens a
    string's value of script data (:func:`dedup.signs.opens_value`) or lies inside one
    (:func:`dedup.signs.in_string`), or, where neither opens such a piece, one opens a string's
    value: a piece of the page again as a value, or as a piece of one
    (:func:`dedup.groups.pieces_of_a_value`), may be one. Nothing is taken where the text has no
    sign of script data or markup at all (``signs``)."""

    def admit(firsts: list[int], seconds: list[int]) -> list[bool]:
        if not signs():
            return [False] * len(firsts)
        chosen = []
        for a0, b0 in zip(firsts, seconds, strict=True):
            first, second = opens_piece(sk, a0, text), opens_piece(sk, b0, text)
            if first != second:
                # (the copy that opens no piece is the one that may be in a value)
                at = int(sk.offsets[b0 if first else a0])
                chosen.append(opens_value(text, at) or in_string(text, at))
            else:
                # (a piece of the page a third time: two strings of the data alike)
                chosen.append(
                    not first
                    and (
                        opens_value(text, int(sk.offsets[a0]))
                        or opens_value(text, int(sk.offsets[b0]))
                    )
                )
        return chosen

    return admit


def _values_of_lines(labels: list[Run], sk: Skeleton, text: str) -> list[Candidate]:
    """The pairs among ``labels`` (short runs the text has three times or more) whose one copy
    is the whole value of a string of script data and the other, letter for letter, a whole
    line of the page text (:func:`dedup.classify.value_of_a_line`): ``embedded``, the copy in
    the data to go. A label the page repeats in its text, or in its data alone, is none."""
    found: dict[int, Candidate] = {}  # by the start of the copy in the data
    lines: dict[str, int] = {}  # the letters of each line found, and where it starts
    for run in labels:
        cand = line_value(run, sk, text)
        if cand is not None:
            found[cand.a0 if cand.code_first > 0 else cand.b0] = cand
            t0, t1 = (cand.b0, cand.b1) if cand.code_first > 0 else (cand.a0, cand.a1)
            lines.setdefault(sk.letters(t0, t1), t0)
    # The anchors pair each copy with the one before it only: the line's other copies in the
    # data, further from it, are paired with it too, so that one pass removes them all.
    for line, t0 in lines.items():
        size = len(line)
        at = sk.find(line)
        while at >= 0:
            if (
                abs(at - t0) >= size
                and at not in found
                and whole_value(text, *sk.text_range(at, at + size))
            ):
                found[at] = copy_in_data(at, t0, size)
            at = sk.find(line, at + 1)
    return list(found.values())


def _head_run_on(cand: Candidate, head: Candidate, sk: Skeleton) -> bool:
    """Whether ``cand`` pairs the text's first line and its repeat (``head``,
    :func:`dedup.groups.head_repeat`) and runs on past them into part of the next line only:
    the same copies, but for the first letters of the lines after them, alike by chance."""
    return (
        cand.a0 == 0
        and cand.b0 == head.b0
        and cand.a1 > head.a1
        and sk.breaks(head.a1, cand.a1) == 0
        and not ends_line(sk, cand.a1)
    )


def _within(run: Run, pair: Candidate) -> bool:
    """Whether both copies of ``run`` lie within those of ``pair``."""
    return pair.a0 <= run.a0 and run.a1 <= pair.a1 and pair.b0 <= run.b0 and run.b1 <= pair.b1
