"""Repairing one text: one copy of each duplicated region survives.

For every pair of copies that :mod:`dedup.spans` calls ``flattened``, ``adjacent`` or
``teaser``, repair

1. keeps the best-formed copy (:mod:`dedup.quality`: paragraph breaks, no glued sentences, no
   mojibake or entities) — for a teaser, the copy inside the article;
2. removes the other copy's lines, with the line break before them (:mod:`dedup.cuts`);
3. moves what only the removed copy had (a paragraph missing from the kept copy) into the kept
   copy at its place, as a paragraph of its own (:mod:`dedup.moves`).

``distant`` repetition — a quote repeated on purpose, a list item, a forum reply quoting a post —
is left alone, and so are short teasers unless the page is doubled elsewhere too. A reply's
quote of a post under its label is a ``quote`` pair, and the quote goes, when it is
``long_chars`` letters or more (a long post quoted whole), or of any length with
``quotes="remove"`` (:func:`dedup.groups.reply_quotes`).

>>> import dedup
>>> paragraphs = ["Le site donne davantage de détails sur le logiciel en question.",
...               "Il serait question de cent à cinq cents recherches durant la période."]
>>> page = "\\n\\n".join(paragraphs) + "\\n\\n" + "".join(paragraphs)
>>> result = dedup.repair(page)
>>> result.text == "\\n\\n".join(paragraphs)
True
>>> [(e.action, e.reason) for e in result.edits]
[('remove', 'flattened-copy')]
>>> dedup.apply_edits(page, result.edits) == result.text
True
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left, bisect_right
from typing import Any

import numpy as np

from dedup.chains import Candidate
from dedup.cuts import Page, Removal, extent, whole_links, without_own_text
from dedup.measures import twice_in_a_copy, whole_lines
from dedup.model import (
    Action,
    DuplicatePair,
    Edit,
    Removes,
    Repair,
    RepairOptions,
    Side,
    Span,
    apply_edits,
    check_text,
    compose,
    with_overrides,
)
from dedup.moves import TERMINAL, Decision, Kept, moves, word_breaks
from dedup.quality import better
from dedup.spans import analyse, scaled
from dedup.tokens import Skeleton, after_cuts, skeleton

__all__ = ["find_duplicates", "repair"]

_REASONS = {
    "flattened": "flattened-copy",
    "adjacent": "repeated-copy",
    "teaser": "teaser",
    "embedded": "embedded-copy",
    "long": "long-copy",
    "quote": "reply-quote",
}
# Kinds of pairs whose removed copy goes as it is, with nothing moved into its twin: the
# copy must align with its twin almost whole.
_WHOLE = ("embedded", "long", "quote")
# Kinds of pairs whose copies are the same lines, so that either may stay: of these, a copy
# that holds a stretch twice in a row where its twin holds it once goes
# (:func:`dedup.measures.twice_in_a_copy`).
_ALIKE = ("adjacent", "teaser")
# Two copies whose aligned shares differ by at most this are alike in what they hold.
_SAME = 0.02
# A piece only a removed copy has, this many letters or more, that has no place in the kept
# copy stays where it is: no variant of a kept paragraph (a typo, a changed phrase) is as long.
_OWN_PARAGRAPH = 200
# Repair runs on its own output until nothing changes, this many times at most.
_PASSES = 8


def _decide(page: Page, candidates: list[Candidate]) -> list[Decision]:
    # what the pass removes, and the copies it keeps as the twins of what it removes: a kept
    # twin is not removed in the same pass (a later pass may, when it has a twin of its own)
    n = len(page.sk)
    marks = _Marks(bytearray(n), bytearray(n))
    decisions: list[Decision] = []
    teasers: list[Candidate] = []
    for cand in candidates:
        if cand.kind == "teaser":
            teasers.append(cand)
        elif cand.kind in _REASONS:
            decisions.extend(_take(page, cand, marks, teaser=False))
    for cand in teasers:
        if (cand.matched >= page.opts.min_chars and not cand.lead) or decisions:
            decisions.extend(_take(page, cand, marks, teaser=True))
    return decisions


@dataclasses.dataclass(frozen=True)
class _Marks:
    """What one pass has decided so far, a byte per skeleton position (1 where marked):
    ``removed``, and ``twins`` (kept as the twin of something removed).

    (Bytes rather than a boolean array: whether a range holds a mark is ``find`` in C, a
    fraction of the cost of a call into NumPy, and a pass asks it several times a copy.)"""

    removed: bytearray
    twins: bytearray

    def removed_in(self, lo: int, hi: int) -> bool:
        """Whether a position of ``[lo, hi)`` is marked removed."""
        return self.removed.find(1, lo, hi) >= 0

    def twins_in(self, lo: int, hi: int) -> bool:
        """Whether a position of ``[lo, hi)`` is marked as a kept twin."""
        return self.twins.find(1, lo, hi) >= 0

    def mark(self, removed: tuple[int, int], twin: tuple[int, int]) -> None:
        """Mark ``removed`` (a range) removed and ``twin`` kept as its twin."""
        np.frombuffer(self.removed, dtype=np.bool_)[removed[0] : removed[1]] = True
        np.frombuffer(self.twins, dtype=np.bool_)[twin[0] : twin[1]] = True


def _take(page: Page, cand: Candidate, marks: _Marks, *, teaser: bool) -> list[Decision]:
    """The decisions on ``cand`` (marked in ``marks``): none to leave it, one per part of the
    removed copy that goes (a copy that goes without moves goes in the parts between the
    stretches of text of its own, :func:`dedup.cuts.without_own_text`)."""
    text, sk = page.text, page.sk
    if marks.removed_in(cand.a0, cand.a1) or marks.removed_in(cand.b0, cand.b1):
        return []
    twice = (
        twice_in_a_copy(cand, sk, page.opts.anchor_chars) if cand.kind in _ALIKE else (False, False)
    )
    if twice[0] != twice[1]:
        # the copy that holds a stretch twice in a row where its twin holds it once goes, with
        # that stretch (what stands between the copies, when it repeats the first's tail)
        removed_first = twice[0]
    elif teaser:
        removed_first = not cand.cut_second
    elif cand.runs[0].tandem or cand.second_goes:
        removed_first = False  # one copy, then its repeats: the repeats go
    elif cand.kind == "embedded" or (cand.kind == "long" and abs(cand.code_first) >= 1):
        # the copy inside the page's code goes (of two long copies, the one more inside it)
        removed_first = cand.code_first > 0
    elif cand.kind == "long" and abs(cand.cover(first=True) - cand.cover(first=False)) > _SAME:
        # of two long copies, the one with text of its own stays (no move brings it over)
        removed_first = cand.cover(first=True) > cand.cover(first=False)
    elif cand.kind == "flattened":
        # the flattened copy goes, whatever mojibake its paragraphed twin holds (normalisation
        # fixes that): a kept flattened copy has no line where the other's headings could go
        removed_first = cand.flat_first
    else:
        first, second = sk.text_range(cand.a0, cand.a1), sk.text_range(cand.b0, cand.b1)
        one, other = text[slice(*first)], text[slice(*second)]
        if one == other:
            # one text twice: the copy glued into a line with other words (``McGee.Refresh``)
            # is the flattened one, the copy on lines of its own the page's
            removed_first = whole_lines(sk, cand.b0, cand.b1) and not whole_lines(
                sk, cand.a0, cand.a1
            )
        else:
            removed_first = better(one, other)
    gone = (cand.a0, cand.b0 if twice[0] else cand.a1) if removed_first else (cand.b0, cand.b1)
    kept = (cand.b0, cand.b1) if removed_first else (cand.a0, cand.a1)
    # never the only copy: what goes without moves must be its twin's
    parts = (
        without_own_text(page, cand, gone, removed_first) if cand.kind in _WHOLE else [(gone, kept)]
    )
    decisions = []
    for gone, kept in parts:
        decided = _take_part(page, Removal(cand, gone, kept, removed_first, teaser), marks)
        decisions.extend([decided] if decided else [])
    return decisions


def _take_part(page: Page, removal: Removal, marks: _Marks) -> Decision | None:
    """The decision that ``removal`` (a copy or part of it) goes, its twin staying (marked in
    ``marks``), or ``None`` to leave it."""
    sk, kept = page.sk, removal.kept
    # (a cut never leaves half of a markdown link behind)
    cut = whole_links(page.text, sk, extent(page, removal))
    if cut is None:
        return None
    # the whole of the removed copy's lines goes: everything in them is either matched or moves
    lo = int(sk.offsets.searchsorted(cut[0]))
    hi = int(sk.offsets.searchsorted(cut[1]))
    if marks.removed_in(lo, hi) or (kept[0] < hi and lo < kept[1]):
        return None
    if marks.twins_in(lo, hi) or marks.removed_in(*kept):
        return None  # never the only copy: the twin of what goes stays
    marks.mark((lo, hi), kept)
    kept_span = Span(*sk.text_range(kept[0], kept[1]))
    cand = removal.cand
    return Decision(
        cand, removal.removed_first, kept_span, cut, (lo, hi), kept, _REASONS[cand.kind]
    )


def _removal_edits(text: str, decisions: list[Decision]) -> list[Edit]:
    """One edit per removed copy; a copy of whole lines takes the line break before it along."""
    edits: list[Edit] = []
    cuts = sorted(decisions, key=lambda d: d.cut)
    taken = 0
    for decision in cuts:
        start, end = decision.cut
        start = max(start, taken)
        if end <= start:
            continue
        line_start = start == 0 or text[start - 1] == "\n"
        line_end = end == len(text) or text[end] == "\n"
        if line_start and line_end:
            back = start
            while back > taken and text[back - 1].isspace():
                back -= 1
            if back > 0:
                start = back
            else:
                while end < len(text) and text[end].isspace():
                    end += 1
        elif line_start:
            while end < len(text) and text[end] in " \t":
                end += 1
        cand = decision.cand
        edits.append(
            Edit(
                start=start,
                end=end,
                action="remove",
                reason=decision.reason,
                score=round(cand.score, 4),
                kept=decision.kept,
            )
        )
        taken = end
    return edits


def _without_overlaps(edits: list[Edit]) -> list[Edit]:
    """Edits in replay order; a move that would land inside a removal is dropped."""
    edits.sort(key=lambda e: (e.start, e.end, e.action != "move"))
    out: list[Edit] = []
    pos = 0
    for edit in edits:
        if edit.start < pos or (out and edit.start == edit.end and edit.start < out[-1].end):
            continue
        out.append(edit)
        pos = max(pos, edit.end)
    return out


def repair(text: str, options: RepairOptions | None = None, **overrides: Any) -> Repair:
    """Remove duplicate copies from ``text``, keeping the best-formed one, and say why.

    Options are those of :class:`~dedup.model.RepairOptions`, given as an object or as keyword
    overrides (``repair(text, min_chars=200)``). The returned edits replay:
    ``apply_edits(text, result.edits) == result.text``. Repair runs again on its own output
    until nothing changes (one or two passes in practice, eight at most), so repairing a
    repaired text changes nothing.
    """
    check_text(text)
    opts = with_overrides(options, RepairOptions, overrides)
    if opts.over_cap(len(text)):
        return Repair(text, ())
    return _passes(text, skeleton(text), opts)


def _passes(text: str, sk: Skeleton, opts: RepairOptions) -> Repair:
    """:func:`repair` of ``text`` (skeleton ``sk``): passes until one finds nothing."""
    current = text
    edits: tuple[Edit, ...] = ()
    for _ in range(_PASSES):
        found = _repair_once(current, sk, opts)
        if not found:
            break
        edits = compose(edits, _kept_in(edits, found), text) if edits else found
        following = apply_edits(current, found)
        sk = _following_skeleton(sk, current, found, following)
        current = following
    return Repair(current, edits)


def find_duplicates(
    text: str, options: RepairOptions | None = None, **overrides: Any
) -> list[DuplicatePair]:
    """Pairs of near-duplicate spans of ``text``, in order of their first copy, each saying
    which copies :func:`repair` removes (``removes``: ``"first"``, ``"second"``, ``"both"``, or
    ``None`` where it leaves both).

    Offsets refer to ``text``; each span runs from the first to the last letter or digit of the
    copy. Pairs of every kind are returned: the ones repair acts on, and the others of a kind it
    acts on, or ``distant`` ones whose score reaches ``min_similarity``, that it leaves as pairs.
    The pairs are those of repair's first pass on ``text``; ``removes`` says which of their
    copies the whole repair removes (:attr:`~dedup.model.DuplicatePair.removes`), later passes
    included.

    >>> title = "Roomba j7+ Self-Emptying Robot Vacuum"
    >>> page = f"{title}\\n\\nAvailable only at select retailers\\n\\n{title}\\n\\nIt avoids cords."
    >>> [(p.kind, p.removes) for p in find_duplicates(page)], repair(page).edits
    ([('teaser', None)], ())
    """
    check_text(text)
    opts = with_overrides(options, RepairOptions, overrides)
    if opts.over_cap(len(text)):
        return []
    sk, candidates = analyse(text, opts)
    decided: dict[int, Side] = {}
    if any(c.kind != "distant" for c in candidates):
        # (what repair's first pass decides on the same pairs)
        for decision in _decide(Page.of(text, scaled(opts, sk), sk), candidates):
            decided[id(decision.cand)] = "first" if decision.removed_first else "second"
    shown = [
        c
        for c in candidates
        if id(c) in decided
        or (
            c.matched >= opts.anchor_chars
            and (c.kind != "distant" or c.score >= opts.min_similarity)
        )
    ]
    # (a first pass that decides nothing makes no edit, and repair stops there)
    gone = _removed_upto(sk, _passes(text, sk, opts).edits) if decided else None
    pairs = [
        DuplicatePair(
            Span(*sk.text_range(c.a0, c.a1)),
            Span(*sk.text_range(c.b0, c.b1)),
            round(c.score, 4),
            c.kind,
            _removes(c, decided.get(id(c)), gone),
        )
        for c in shown
    ]
    pairs.sort(key=lambda p: (p.first.start, p.second.start))
    return pairs


def _removed_upto(sk: Skeleton, edits: tuple[Edit, ...]) -> np.ndarray:
    """How many of the first ``k`` skeleton characters of the text the removals among ``edits``
    (on that text) take, for ``k`` from 0 to ``len(sk)``."""
    removed = np.zeros(len(sk) + 1, dtype=np.int64)
    for edit in edits:
        if edit.action == "remove":
            i0, i1 = sk.offsets.searchsorted([edit.start, edit.end]).tolist()
            removed[i0 + 1 : i1 + 1] = 1
    return np.cumsum(removed)


def _removes(cand: Candidate, decided: Side | None, gone: np.ndarray | None) -> Removes | None:
    """Which copies of ``cand`` repair removes: the one its first pass ``decided`` goes, and
    either of them the repaired text lost half the letters of or more (``gone``:
    :func:`_removed_upto` of repair's edits; ``None`` where it made none)."""
    first, second = decided == "first", decided == "second"
    if gone is not None:
        first = first or 2 * int(gone[cand.a1] - gone[cand.a0]) >= cand.a1 - cand.a0 > 0
        second = second or 2 * int(gone[cand.b1] - gone[cand.b0]) >= cand.b1 - cand.b0 > 0
    if first and second:
        return "both"
    return "first" if first else "second" if second else None


def _kept_in(earlier: tuple[Edit, ...], found: tuple[Edit, ...]) -> tuple[Edit, ...]:
    """``found`` (edits on the text that ``earlier`` made) with their ``kept`` spans in offsets
    of the text ``earlier`` were made on. A kept span's ends that fall in what an edit of
    ``earlier`` wrote map to that edit's ends."""
    placed = []  # where each edit of ``earlier`` wrote its replacement in the made text
    shift = 0
    for edit in sorted(earlier, key=lambda e: (e.start, e.end)):
        placed.append((edit.start + shift, edit))
        shift += len(edit.replacement) - (edit.end - edit.start)
    made = [at for at, _ in placed]

    def back(pos: int, index: int, *, end: bool) -> int:
        if index == 0:
            return pos
        at, edit = placed[index - 1]
        written = at + len(edit.replacement)
        if pos < written:  # inside what the edit wrote
            return edit.end if end else edit.start
        return edit.end + pos - written

    out = []
    for edit in found:
        kept = edit.kept
        if kept is not None:
            start = back(kept.start, bisect_right(made, kept.start), end=False)
            end = back(kept.end, bisect_left(made, kept.end), end=True)
            edit = dataclasses.replace(edit, kept=Span(start, max(start, end)))
        out.append(edit)
    return tuple(out)


def _following_skeleton(
    sk: Skeleton, text: str, found: tuple[Edit, ...], following: str
) -> Skeleton:
    """The skeleton of ``following``, the text a pass made of ``text`` (whose skeleton is
    ``sk``): cut from ``sk`` when the pass only removed text (most passes; its markup scanned
    again only near the cuts where it changed there), else built anew."""
    if all(edit.action == "remove" and not edit.replacement for edit in found):
        return after_cuts(sk, text, [(edit.start, edit.end) for edit in found], following)
    return skeleton(following)


def _repair_once(text: str, sk: Skeleton, opts: RepairOptions) -> tuple[Edit, ...]:
    """One pass: the edits that remove the duplicate copies ``text`` (skeleton ``sk``) has
    now."""
    sk, candidates = analyse(text, opts, distant=False, sk=sk)
    if not any(c.kind != "distant" for c in candidates):
        return ()
    page = Page.of(text, scaled(opts, sk), sk)
    decisions = _decide(page, candidates)
    if not decisions:
        return ()
    matched = np.zeros(len(sk), dtype=bool)
    for cand in {id(d.cand): d.cand for d in decisions}.values():
        # (each pair once: one that goes in parts has a decision per part)
        for run in cand.runs:
            matched[run.a0 : run.a1] = True
            matched[run.b0 : run.b1] = True
    edits: list[Edit] = []
    cuts: list[Decision] = []  # what goes, around what only a removed copy has and stays
    breaks: set[int] = set()  # (a pair that goes in parts reads its word breaks once)
    gone = sorted(d.gone for d in decisions)
    kept = Kept(page.letters, gone) if len(gone) > 1 else None
    for decision in decisions:
        if decision.cand.kind != "embedded":
            # (what only a copy in script data has is code more often than text)
            homeless = moves(
                text, sk, page.lines, decision, matched, page.opts.anchor_chars, page.letters,
                stays=_OWN_PARAGRAPH, min_chars=page.opts.min_chars, kept=kept,
            )  # fmt: skip
            cuts.extend(_around(text, decision, homeless, sk))
        else:
            cuts.append(decision)
            found = [at for at in word_breaks(text, sk, decision) if at not in breaks]
            breaks.update(found)
            edits.extend(
                _insertion(decision, at, " ", "split", "word-break-from-removed-copy")
                for at in found
            )
        edits.extend(
            _insertion(decision, at, piece, "move", "missing-from-kept-copy")
            for at, piece in decision.moves
        )
    edits.extend(_removal_edits(text, cuts))
    return tuple(_without_overlaps(edits))


def _around(
    text: str, decision: Decision, stays: list[tuple[int, int]], sk: Skeleton
) -> list[Decision]:
    """``decision`` as the parts of its cut around ``stays`` (skeleton ranges of the removed
    copy that no move placed in the kept one, each with the marks that end its sentence):
    never the only copy of a stretch of text. A part without a letter or a digit (the white
    space or the marks between two such stretches, or after the last) is no copy and stays."""
    if not stays:
        return [decision]
    pieces = []  # the cut's character ranges between the stretches that stay
    start = decision.cut[0]
    for u0, u1 in stays:
        pieces.append((start, int(sk.offsets[u0])))
        start = sk.char_end(u1 - 1)
        closing = TERMINAL.match(text, start)
        start = closing.end() if closing else start
    pieces.append((start, decision.cut[1]))
    return [
        dataclasses.replace(decision, cut=(start, end))
        for start, end in pieces
        if start < end and sk.offsets.searchsorted(start) < sk.offsets.searchsorted(end)
    ]


def _insertion(decision: Decision, at: int, piece: str, action: Action, reason: str) -> Edit:
    """An edit that inserts ``piece`` at ``at``, on behalf of the copy ``decision`` keeps."""
    return Edit(
        start=at,
        end=at,
        action=action,
        reason=reason,
        score=1.0,
        kept=decision.kept,
        replacement=piece,
    )
