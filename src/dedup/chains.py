"""Chains: the runs that make up one pair of copies.

The longest runs seed chains; shorter runs join the chain they continue — a typo leaves a small
gap in both copies, a dropped sentence or a missing heading a gap in one — and chains that runs
bring together merge. A run whose first copy lies in a chain's second copy is the next pair of a
series, not a continuation.

>>> from dedup.anchors import Run
>>> [(c.a0, c.a1, c.b0, c.b1) for c in chain([Run(0, 40, 100, 140, 40), Run(44, 90, 144, 190, 46)])]
[(0, 90, 100, 190)]
"""

from __future__ import annotations

from bisect import bisect_left, insort
from dataclasses import dataclass

from dedup.anchors import CROSS, Run

__all__ = ["SMALL_GAP", "Candidate", "chain", "union"]

# A chain's small side gap (both copies changed at one place) in skeleton characters, and how
# far two runs may overlap (a phrase that repeats near a copy's edge).
SMALL_GAP = 256
_OVERLAP = 256
# A copy's stretch again in a gap beside it, this many letters or more from the copy: two
# copies of it with other text between them (a stretch twice in a row, its two renderings in
# one entry of script data with a key between them, is one copy holding it twice).
_APART = 64
# How many of the strongest chains a run may join (bounds the chaining's cost).
_SEEDS = 64
# Up to how many seeds ``_Seeds.near`` looks at each rather than search their order.
_FEW_SEEDS = 16
# How many times chains are merged again after the runs joined them (merging stops earlier
# when a pass joins nothing; four passes were the most any page of the evaluation data took).
_MERGE_PASSES = 8


@dataclass(slots=True)
class Candidate:
    """A pair of copies found in a text, in skeleton coordinates, with its measurements."""

    runs: list[Run]
    a0: int
    a1: int
    b0: int
    b1: int
    matched: int = 0
    kind: str = "distant"
    score: float = 0.0
    # how much the first copy looks more inside script data or markup than the second
    # (:func:`_script`): for an "embedded" pair, positive when the first copy is the one inside
    code_first: float = 0.0
    # whether one copy has far fewer line breaks than the other (a flattened copy's shape),
    # and whether that copy is the first
    flat: bool = False
    flat_first: bool = False
    # for a teaser, whether the second copy is the one cut short (:func:`dedup.classify._cut_short`)
    cut_second: bool = False
    # for a teaser, whether a header of short lines stands between it and its twin (a lead
    # line above the article: removed only where the page is doubled elsewhere too)
    lead: bool = False
    # whether the second copy goes, whatever the quality of each: an entry of a listing
    # captured twice in a row (:func:`dedup.groups.series`), whose lines between belong to
    # the first copy
    second_goes: bool = False

    def add(self, run: Run) -> None:
        self.runs.append(run)
        # (comparisons rather than min() and max(): a text adds thousands of runs)
        if run.a0 < self.a0:
            self.a0 = run.a0
        if run.a1 > self.a1:
            self.a1 = run.a1
        if run.b0 < self.b0:
            self.b0 = run.b0
        if run.b1 > self.b1:
            self.b1 = run.b1
        self.matched += run.matched

    def measure(self) -> None:
        """Set ``matched``, the positions its runs align in both copies (the lesser of the two
        covers), and ``score``, that share of the shorter copy."""
        self.matched = min(union(self.runs, first=True), union(self.runs, first=False))
        self.score = min(1.0, self.matched / max(1, min(self.a1 - self.a0, self.b1 - self.b0)))

    def cover(self, *, first: bool) -> float:
        """The share of the first (or second) copy that its runs align with the other."""
        size = (self.a1 - self.a0) if first else (self.b1 - self.b0)
        return union(self.runs, first=first) / max(1, size)

    def trim(self) -> None:
        """Make the copies disjoint where overlapping runs made them touch."""
        if self.a1 > self.b0:
            self.cut_back(self.b0, first=True)

    def cut_back(self, limit: int, *, first: bool) -> None:
        """End the pair by ``limit`` in its first (or second) copy: a run that starts there or
        later goes, one that ends past it is shortened in both copies; the copies' bounds and
        ``matched`` are those of the runs that stay (at least one must start before ``limit``).

        >>> cand = Candidate([Run(0, 10, 20, 30, 10), Run(10, 15, 30, 35, 5)], 0, 15, 20, 35, 15)
        >>> cand.cut_back(32, first=False)
        >>> cand.runs[1], (cand.a1, cand.b1, cand.matched)
        (Run(a0=10, a1=12, b0=30, b1=32, matched=2, tandem=False), (12, 32, 12))
        """
        runs = []
        for r in self.runs:
            lo, hi = (r.a0, r.a1) if first else (r.b0, r.b1)
            if lo >= limit:
                continue
            if hi > limit:
                k = hi - limit
                r = Run(r.a0, r.a1 - k, r.b0, r.b1 - k, max(0, r.matched - k))
            runs.append(r)
        self.take(runs)

    def take(self, runs: list[Run]) -> None:
        """Make ``runs`` (at least one) the pair's runs: the copies' bounds are theirs, and
        ``matched`` the sum of theirs.

        >>> cand = Candidate([Run(0, 10, 20, 30, 10)], 0, 10, 20, 30, 10)
        >>> cand.take([Run(4, 8, 24, 28, 4), Run(2, 3, 30, 31, 1)])
        >>> (cand.a0, cand.a1, cand.b0, cand.b1, cand.matched)
        (2, 8, 24, 31, 5)
        """
        self.runs = runs
        self.a0, self.a1 = min(r.a0 for r in runs), max(r.a1 for r in runs)
        self.b0, self.b1 = min(r.b0 for r in runs), max(r.b1 for r in runs)
        self.matched = sum(r.matched for r in runs)


def _fits(cand: Candidate, run: Run | Candidate, repeats: _Repeats | None = None) -> int | None:
    """The cost of adding ``run`` to ``cand`` (after or before it), or ``None`` if it is no
    continuation of the same pair of copies. A gap on one side larger than ``SMALL_GAP`` that
    holds again, for half its length or more, text of a copy beside it on that side (the
    chain's or the run's; runs of ``repeats`` pair the two), ``_APART`` letters or more from
    it, is no part left out of the other copy: the chain would join two copies of that text
    with what stands between them (a thread, a reply that quotes its first post, the thread
    again flattened: the quote's runs pair it with the first post, the flattened copy's runs
    the thread's rest, and the posts between the quote and the flattened copy would go with
    the copy)."""
    if cand.a0 <= run.a0 and run.a1 <= cand.a1 and cand.b0 <= run.b0 and run.b1 <= cand.b1:
        # inside the chain: it fills a gap between two of its runs, if it follows them (of the
        # chain's runs that end before it, the first that ends last; of those that start after
        # it, the first that starts first: one pass over the runs)
        prev = nxt = None
        before, after = run.a0 + CROSS, run.a1 - CROSS
        for r in cand.runs:
            if r.a1 <= before and (prev is None or r.a1 > prev.a1):
                prev = r
            if r.a0 >= after and (nxt is None or r.a0 < nxt.a0):
                nxt = r
        if (
            prev is not None
            and nxt is not None
            and prev.b1 <= run.b0 + CROSS
            and run.b1 <= nxt.b0 + CROSS
        ):
            return 0
        return None
    after = run.a0 >= cand.a0
    if after:
        if run.a0 >= cand.b0:
            return None  # its first copy lies in the chain's second: the next pair of a series
        gap_a, gap_b = run.a0 - cand.a1, run.b0 - cand.b1
        crossing = run.a1 - cand.b0
    else:
        if cand.a0 >= run.b0 or run.b1 <= cand.a1:
            # the chain's first copy lies in its second, or its second in the chain's first (it
            # pairs that text with a third place before it): the pair before it in a series
            return None
        gap_a, gap_b = cand.a0 - run.a1, cand.b0 - run.b1
        crossing = cand.a1 - run.b0
    half = (run.a1 - run.a0) // 2
    if gap_a < -half or gap_b < -half or gap_a < -_OVERLAP or gap_b < -_OVERLAP:
        return None  # not a continuation: the run mostly repeats what the chain has
    if crossing > _OVERLAP:
        return None  # the first copy may not run into the second
    gap_a, gap_b = (gap_a if gap_a > 0 else 0), (gap_b if gap_b > 0 else 0)
    small, large = (gap_a, gap_b) if gap_a <= gap_b else (gap_b, gap_a)
    if small > SMALL_GAP or large > max(400, 2 * cand.matched):
        return None
    if large > max(SMALL_GAP, 4 * run.matched):
        return None  # a short run does not bridge a paragraph's gap
    if large > SMALL_GAP and repeats is not None:
        # (the copies on the gap's side before it and after it: the chain's and the run's)
        first, second = (cand, run) if after else (run, cand)
        if gap_a >= gap_b:
            left, gap, right = (first.a0, first.a1), (first.a1, second.a0), (second.a0, second.a1)
        else:
            left, gap, right = (first.b0, first.b1), (first.b1, second.b0), (second.b0, second.b1)
        again = repeats.between(*gap, *left, later=True)
        again += repeats.between(*gap, *right, later=False)
        if 2 * again >= large:
            return None
    return small + large


class _Repeats:
    """The runs of a text by where each of their copies starts: how much of a gap that a chain
    would bridge pairs with text of a copy beside it (:func:`_fits`). (Sorted when first asked:
    most texts bridge no gap that large.)"""

    def __init__(self, runs: list[Run]) -> None:
        self.runs = runs
        # (start, end, the other copy's start and end, matched), by the first copy and by the
        # second
        self.by_first: list[tuple[int, int, int, int, int]] = []
        self.by_second: list[tuple[int, int, int, int, int]] = []

    def between(self, g0: int, g1: int, c0: int, c1: int, *, later: bool) -> int:
        """How many positions runs align between ``[g0, g1)`` and ``[c0, c1)``, each run with
        one copy in each, ``_APART`` letters or more from the gap's end at the copy: its second
        copy in ``[g0, g1)`` where ``later`` (the copy before the gap), else its first.

        >>> repeats = _Repeats([Run(0, 100, 300, 400, 100), Run(0, 100, 110, 210, 100)])
        >>> repeats.between(100, 500, 0, 100, later=True)
        100
        """
        if not self.by_first:
            self.by_first = sorted((r.a0, r.a1, r.b0, r.b1, r.matched) for r in self.runs)
            self.by_second = sorted((r.b0, r.b1, r.a0, r.a1, r.matched) for r in self.runs)
        table = self.by_second if later else self.by_first
        total = 0
        # (``(g0,)`` sorts before every run that starts at ``g0``)
        for k in range(bisect_left(table, (g0,)), len(table)):
            s0, s1, o0, o1, matched = table[k]
            if s0 >= g1:
                break
            if s1 <= g1 and c0 <= o0 and o1 <= c1 and (s0 - g0 if later else g1 - s1) >= _APART:
                total += matched
        return total


class _Seeds:
    """The chains that runs may join (the first ``_SEEDS``).

    ``near`` keeps the chains a run or chain could continue: within reach of it on both
    sides (and, for a run, on nearby diagonals). It is a necessary condition of
    :func:`_fits`, checked in a few comparisons, so only those few are measured. Only the
    seeds whose first copy starts within reach are looked at: the seeds are kept in order of
    where their first copy starts (``starts``), with the longest first copy among them
    (``span``), so those whose first copy can reach the run are one range of that order, found
    by two binary searches (on a page of many runs, a few of the 64). That order is kept only
    once there are more than ``_FEW_SEEDS`` seeds: up to then each is looked at. (One by one
    in Python: for that few, several times cheaper than NumPy's per-call cost.)
    """

    def __init__(self, repeats: _Repeats | None = None) -> None:
        self.repeats = repeats
        self.chains: list[Candidate] = []
        # (a0, index) of each of the first _SEEDS chains, sorted, and their longest first copy
        # (once there are more than _FEW_SEEDS)
        self.starts: list[tuple[int, int]] = []
        self.span = 0

    def append(self, cand: Candidate) -> None:
        i = len(self.chains)
        self.chains.append(cand)
        if self.starts:
            if i < _SEEDS:
                insort(self.starts, (cand.a0, i))
                self.span = max(self.span, cand.a1 - cand.a0)
        elif i == _FEW_SEEDS:
            self.starts = sorted((c.a0, k) for k, c in enumerate(self.chains))
            self.span = max(c.a1 - c.a0 for c in self.chains)

    def join(self, i: int, runs: list[Run]) -> None:
        """Add ``runs`` to seed ``i`` (one that ``near`` found)."""
        cand = self.chains[i]
        a0 = cand.a0
        for run in runs:
            cand.add(run)
        if not self.starts:
            return
        if cand.a0 != a0:
            del self.starts[bisect_left(self.starts, (a0, i))]
            insort(self.starts, (cand.a0, i))
        if cand.a1 - cand.a0 > self.span:
            self.span = cand.a1 - cand.a0

    def near(self, run: Run | Candidate, *, diagonal: bool) -> list[int]:
        """The seeds (their indices, in order) within reach of ``run``."""
        # the largest gap _fits allows between a chain and the run, and the overlap it allows
        run_reach = 4 * run.matched
        if run_reach < SMALL_GAP:
            run_reach = SMALL_GAP
        found: list[int] = []
        ra0, ra1, rb0, rb1 = run.a0, run.a1, run.b0, run.b1
        d = rb0 - ra0
        # no chain's reach is more than the run's: a chain out of that reach in its first copy
        # is out of its own (most chains, on a page of many runs); one that ends by ``lo``
        # starts before ``lo - span``
        lo, hi = ra0 - run_reach - _OVERLAP, ra1 + run_reach + _OVERLAP
        starts = self.starts
        order: range | list[int]
        if not starts:
            order = range(len(self.chains))  # (a few: all of them costs less than the searches)
        else:
            k0 = bisect_left(starts, (lo - self.span,))
            k1 = bisect_left(starts, (hi + 1,), k0)
            if k1 <= k0:
                return found
            order = [i for _, i in starts[k0:k1]]
            if len(order) > 1:
                order.sort()  # (the seeds in their own order: the first of equal cost wins)
        chains = self.chains
        for i in order:
            c = chains[i]
            if lo > c.a1 or hi < c.a0:
                continue
            # min(max(400, 2 * c.matched), run_reach) + _OVERLAP, without the calls
            reach = 2 * c.matched
            if reach < 400:
                reach = 400
            reach = (reach if reach < run_reach else run_reach) + _OVERLAP
            if ra0 > c.a1 + reach or ra1 < c.a0 - reach:
                continue
            if rb0 > c.b1 + reach or rb1 < c.b0 - reach:
                continue
            if diagonal:
                # a chain's diagonals lie between the distances of its copies' starts and
                # ends; a run far off them cannot continue it (the gap it would leave is too
                # large)
                start, end = c.b0 - c.a0, c.b1 - c.a1
                if start > end:
                    start, end = end, start
                if not start - reach <= d <= end + reach:
                    continue
            found.append(i)
        return found

    def best(self, run: Run | Candidate, *, diagonal: bool) -> int | None:
        """The seed ``run`` continues at the least cost, or ``None``."""
        best, best_cost = None, 0
        chains = self.chains
        for i in self.near(run, diagonal=diagonal):
            cost = _fits(chains[i], run, self.repeats)
            if cost is not None and (best is None or cost < best_cost):
                best, best_cost = i, cost
        return best


def _merge(chains: list[Candidate], repeats: _Repeats) -> tuple[list[Candidate], bool]:
    seeds = _Seeds(repeats)
    joined = False
    for cand in sorted(chains, key=lambda c: -c.matched):
        best = seeds.best(cand, diagonal=False)
        if best is None:
            seeds.append(cand)
        else:
            joined = True
            seeds.join(best, cand.runs)
    return seeds.chains, joined


def chain(runs: list[Run]) -> list[Candidate]:
    """Join runs on nearby diagonals into candidate pairs of copies.

    The longest runs seed the chains; shorter ones join the chain they continue best, so a
    phrase that the text repeats elsewhere does not pull a chain off its diagonal.
    """
    repeats = _Repeats(runs)
    seeds = _Seeds(repeats)
    tandems: list[Candidate] = []
    for run in sorted(runs, key=lambda r: (-r.matched, r.a0, r.b0)):
        if run.tandem:
            tandems.append(Candidate([run], run.a0, run.a1, run.b0, run.b1, run.matched))
            continue
        best = seeds.best(run, diagonal=True)
        if best is None:
            seeds.append(Candidate([run], run.a0, run.a1, run.b0, run.b1, run.matched))
        else:
            seeds.join(best, [run])
    chains = seeds.chains
    # chains that weaker runs have since brought together become one, until none join
    merged = chains
    for _ in range(_MERGE_PASSES):
        merged, joined = _merge(merged, repeats)
        if not joined:
            break
    for cand in merged:
        cand.runs.sort(key=lambda r: (r.a0, r.b0))
    return merged + tandems


def union(runs: list[Run], *, first: bool) -> int:
    """How many positions the runs cover in the first (or second) copy, overlaps once.

    >>> union([Run(0, 10, 50, 60, 10), Run(5, 20, 55, 70, 15)], first=True)
    20
    """
    if len(runs) == 1:
        # (most chains hold one run: its length, without a sort)
        lo, hi = (runs[0].a0, runs[0].a1) if first else (runs[0].b0, runs[0].b1)
        return hi - lo if hi > lo else 0
    spans = sorted([(r.a0, r.a1) for r in runs] if first else [(r.b0, r.b1) for r in runs])
    covered, end = 0, -1
    for lo, hi in spans:
        lo = max(lo, end)
        if hi > lo:
            covered += hi - lo
            end = hi
    return covered
