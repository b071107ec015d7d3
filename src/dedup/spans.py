"""Finding near-duplicate spans inside one text.

The method, in linear time:

1. **Anchors.** Every word start of the :mod:`skeleton <dedup.tokens>` is hashed over the next
   ``anchor_chars`` skeleton characters. Equal hashes are paired with their previous
   occurrence only, so a text repeated a thousand times still gives one anchor per position.
2. **Runs.** Anchors on one diagonal (the same distance between the two occurrences) that follow
   each other chain into runs; each run is verified character by character. A short run of
   windows the text has three times or more is a label it repeats and joins no chain.
3. **Chains.** Runs on nearby diagonals join into one pair of copies when one side's gap is
   small: a typo leaves a small gap on both sides, a sentence dropped from one copy (or a
   heading missing from it) a gap on one side only.
4. **Classification.** Each pair is measured — aligned share, line breaks in each copy, text
   between the copies, where it sits — and given a kind: ``flattened``, ``adjacent``,
   ``teaser`` or ``distant``. Repair acts on the first three and leaves ``distant`` repetition
   alone.

>>> from dedup import find_duplicates
>>> body = ("The first paragraph of the story is long enough to matter to anyone.\\n\\n"
...         "The second paragraph goes on with the story in a little more detail.")
>>> pairs = find_duplicates(body + "\\n\\n" + body.replace("\\n\\n", ""))
>>> [(p.kind, p.first.start, p.second.start) for p in pairs]
[('flattened', 0, 140)]
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import regex

from dedup.hashing import MIX, powers
from dedup.model import DuplicatePair, RepairOptions, Span, check_text, with_overrides
from dedup.tokens import Skeleton, skeleton

__all__ = [
    "KINDS",
    "Candidate",
    "Run",
    "analyse",
    "ends_line",
    "find_duplicates",
    "glued",
    "scaled",
    "starts_line",
]

# The kinds of pairs (``DuplicatePair.kind``): repair acts on all but "distant".
KINDS = ("flattened", "adjacent", "teaser", "embedded", "long", "distant")

# The window hash is the polynomial sum of (character * MIX + 1) * BASE ** (characters after
# it in the window), modulo 2**64 (:mod:`dedup.hashing`).

# Runs on one diagonal join when the anchors between them are missing for at most this many
# skeleton characters beyond one anchor's width (a typo or a changed word).
_RUN_SLACK = 48
# A chain's small side gap (both copies changed at one place) in skeleton characters, and how
# far two runs may overlap (a phrase that repeats near a copy's edge).
_SMALL_GAP = 256
_OVERLAP = 256
# An exact match grows across a line start only if it goes on this far beyond it.
_CROSS = 12
# A run needs this many anchors: one shared window is a phrase used twice, not a copy.
_MIN_ANCHORS = 2
# A run shorter than this (in skeleton characters) whose every window occurs three times or
# more is a label the text repeats: it joins no chain.
_LABEL_CHARS = 64
# Window hashes are computed this many skeleton characters at a time (the tables of powers of
# the base cover one block).
_HASH_BLOCK = 1 << 16
# How many of the strongest chains a run may join (bounds the chaining's cost).
_SEEDS = 64
# The most runs a document may produce: past it, the runs with fewest anchors are ignored
# (bounds the chaining).
_MAX_RUNS = 20_000
# Up to this many anchors, runs are found in Python (NumPy's cost per call outweighs its speed
# per element below it; most second passes over a repaired text find this few).
_FEW_ANCHORS = 64
# The signs of script data and markup around a copy: HTML tags (raw, JSON-escaped or
# entity-escaped), the escapes of a JSON string (``\\u00e9``, ``\\"``, ``\\/``; not ``\\n``,
# which code shown on a page has too), a markdown link's target, and JSON's punctuation
# between keys and values (``":"``, ``", "``, ``{"``, also escaped in another string; and
# a script's object keys: ``value:"``, ``",marks:``).
_SCRIPT = regex.compile(
    r"<[!/]?[A-Za-z][^<>]{0,2000}>"
    r"|\\+u003[cC]/?[A-Za-z]|&lt;/?[A-Za-z]"
    r'|\\+(?:u[0-9a-fA-F]{4}|["/])'
    r"|\]\([^()\s]{1,2000}\)"
    r'|\\*"\s*(?::\s*\\*["\[{\dtfn-]|,\s*\\*"|[\]}])|[\[{]\s*\\*"'
    r'|\w:\\*"|\\*",\w+:'
)
# The same signs, by the characters that make them, as counted inside a copy: escapes, tags,
# link targets (``\\``, ``<``, ``](``) and JSON's punctuation around quotes.
_QUOTE_SIGNS = ('":', '","', '{"', ':"')
# What every sign of _SCRIPT that is not markup (``Skeleton.markup``) holds.
# JSON's punctuation after a quote, and before one (``":``, ``",``, ``{"``...).
_AFTER_QUOTE = frozenset(":,}]")
_BEFORE_QUOTE = frozenset("{[:")
# What may stand between two copies of a text back to back in a line (besides the last letter
# of the first and the first of the second).
_BACK_TO_BACK = regex.compile(r"\w[\s\p{Po}\p{Pe}\p{Pf}\p{Pi}\p{Ps}]*\w", regex.V1)
# Code: one character in _CODE_SHARE or more is one of these.
_CODE_MARKS = "()[]{}<>=;"
_CODE_SHARE = 30
# A JSON string's value opening right before a copy: the key's closing quote, the colon, the
# value's opening quote (escaped too: a string in a string), then at most opening punctuation.
_VALUE_OPENS = regex.compile(r'\\*"\s*:\s*\[?\s*\\*"[\s\p{Ps}\p{Pi}]*$')
# A long copy holds this many lines, or this many times ``long_chars`` letters (``_long``).
_LONG_LINES = 3
_LONG_FEW_LINES = 2
# How far before and after a copy its surroundings are read for them.
_EDGE = 32
# A copy scores one for each side with signs around it, and one for each this many signs per
# thousand characters inside it; at this score it is inside code or markup (``_script``).
_SCRIPT_DENSITY = 5.0
_SCRIPT_SCORE = 2.0
# How many times chains are merged again after the runs joined them (merging stops earlier
# when a pass joins nothing; four passes were the most any page of the evaluation data took).
_MERGE_PASSES = 8


class Run(NamedTuple):
    """Aligned skeleton ranges ``[a0, a1)`` and ``[b0, b1)`` on one diagonal (``a`` first).

    (A named tuple: a text gives thousands, and a tuple is built several times faster than a
    frozen dataclass.)"""

    a0: int
    a1: int
    b0: int
    b1: int
    matched: int
    tandem: bool = False


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
    # whether one copy has far fewer line breaks than the other (a flattened copy's shape)
    flat: bool = False

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

    def cover(self, *, first: bool) -> float:
        """The share of the first (or second) copy that its runs align with the other."""
        size = (self.a1 - self.a0) if first else (self.b1 - self.b0)
        return _union(self.runs, first=first) / max(1, size)

    def trim(self) -> None:
        """Make the copies disjoint where overlapping runs made them touch."""
        if self.a1 <= self.b0:
            return
        limit = self.b0
        runs = []
        for r in self.runs:
            if r.a0 >= limit:
                continue
            if r.a1 > limit:
                cut = r.a1 - limit
                r = Run(r.a0, limit, r.b0, r.b1 - cut, max(0, r.matched - cut))
            runs.append(r)
        self.runs = runs
        self.a1 = max(r.a1 for r in runs)
        self.b1 = max(r.b1 for r in runs)
        self.matched = sum(r.matched for r in runs)


def _window_hashes(chars: npt.NDArray[np.uint32], starts: npt.NDArray[np.int64], width: int) -> Any:
    """Polynomial hashes of ``chars[s : s + width]`` for every ``s`` in ``starts`` (mod 2**64).

    ``starts`` is sorted. A long text is hashed a block of ``_HASH_BLOCK`` characters at a
    time, as far as the tables of :func:`_powers` go.
    """
    n = chars.shape[0]
    if n <= _HASH_BLOCK:
        return _block_hashes(chars, starts, width)
    hashes = np.empty(starts.shape[0], dtype=np.uint64)
    edges = [*starts.searchsorted(np.arange(0, n, _HASH_BLOCK)).tolist(), starts.shape[0]]
    for i0, i1 in itertools.pairwise(edges):
        if i1 > i0:
            lo, hi = int(starts[i0]), int(starts[i1 - 1]) + width
            hashes[i0:i1] = _block_hashes(chars[lo:hi], starts[i0:i1] - lo, width)
    return hashes


@functools.lru_cache(maxsize=1)
def _powers() -> tuple[Any, Any, Any]:
    """Tables over the positions of a block (and a window past it), built once and read-only:
    ``BASE ** -i``, ``MIX * BASE ** -i`` and ``BASE ** i``, modulo 2**64."""
    power, inverse = powers(_HASH_BLOCK + 257)  # anchor_chars is at most 256
    mixed = inverse * np.uint64(MIX)
    for table in (inverse, mixed, power):
        table.setflags(write=False)
    return inverse, mixed, power


def _block_hashes(chars: npt.NDArray[np.uint32], starts: npt.NDArray[np.int64], width: int) -> Any:
    """:func:`_window_hashes` of one block, from prefix sums.

    Character ``i`` adds ``(c * MIX + 1) * BASE ** -i`` to the running sum; the difference of
    the sums at a window's ends, times ``BASE ** (last position)``, is the window's hash.
    """
    inverse, mixed, power = _powers()
    n = chars.shape[0]
    terms = np.multiply(chars, mixed[:n], dtype=np.uint64)
    terms += inverse[:n]
    sums = np.empty(n + 1, dtype=np.uint64)
    sums[0] = 0
    np.add.accumulate(terms, out=sums[1:])  # (terms.cumsum(out=...) costs twice the call)
    hashes = sums[width:].take(starts)
    hashes -= sums.take(starts)
    hashes *= power[width - 1 :].take(starts)
    return hashes


def _anchors(sk: Skeleton, width: int) -> tuple[Any, Any, Any]:
    """Pairs ``(j, i)`` of skeleton positions, ``j < i``, whose windows hash alike (``j`` the
    previous occurrence of ``i``'s window), and whether the text has that window three times or
    more."""
    n = len(sk)
    starts = sk.starts[: sk.starts.searchsorted(n - width, side="right")]
    empty = np.empty(0, dtype=np.int64)
    if starts.shape[0] < 2:
        return empty, empty, empty
    hashes = _window_hashes(sk.chars, starts, width)
    # sorted by hash, then by position: the hash's low bits give way to the window's index
    bits = np.uint64(int(starts.shape[0]).bit_length())
    keys = hashes >> bits
    keys <<= bits
    keys |= np.arange(starts.shape[0], dtype=np.uint64)
    keys.sort()
    high = keys >> bits
    same = high[1:] == high[:-1]
    at = same.nonzero()[0]
    if at.shape[0] == 0:
        return empty, empty, empty
    # each window pairs with its previous occurrence; a pair whose group of equal windows goes
    # on before or after it is a window the text has three times or more
    wide = np.zeros(same.shape[0] + 2, dtype=bool)
    wide[1:-1] = same
    common = (wide[:-2] | wide[2:]).take(at)
    mask = np.uint64((1 << int(bits)) - 1)
    first = (keys.take(at) & mask).astype(np.int64)
    second = (keys.take(at + 1) & mask).astype(np.int64)
    return starts.take(first), starts.take(second), common


def _agree(s: str, x: int, y: int, limit: int) -> int:
    """How many characters ``s[x:]`` and ``s[y:]`` share from the start, at most ``limit``."""
    k = 0
    while k < limit:
        step = min(64, limit - k)
        if s[x + k : x + k + step] == s[y + k : y + k + step]:
            k += step
            continue
        for i in range(step):
            if s[x + k + i] != s[y + k + i]:
                return k + i
    return limit


def _agree_back(s: str, x: int, y: int, limit: int) -> int:
    """How many characters end both ``s[:x]`` and ``s[:y]`` alike, at most ``limit``."""
    k = 0
    while k < limit:
        step = min(64, limit - k)
        if s[x - k - step : x - k] == s[y - k - step : y - k]:
            k += step
            continue
        for i in range(1, step + 1):
            if s[x - k - i] != s[y - k - i]:
                return k + i - 1
    return limit


def _extend(s: str, bounds: bytes, lines: bytes, a0: int, a1: int, d: int) -> tuple[int, int]:
    """Grow the exact match of ``[a0, a1)`` and ``[a0 + d, a1 + d)`` at both ends.

    ``s`` is the skeleton as a string. Anchors miss up to one anchor's width at each end of a
    copy; this recovers it. The match grows by whole words only (``bounds`` marks word
    starts: at its end in both copies, at its start in one, as a flattened copy glues a line's
    first word onto the last of the line before), and across the start of a line in either
    copy (``lines``) only when it goes on for ``_CROSS`` characters, so a word that two
    different paragraphs happen to begin or end with does not join them. The first copy may
    not grow into the second.
    """
    n = len(s)
    # (copies that already overlap are a tandem repeat: its end may grow to the text's)
    limit = n - d if a1 >= a0 + d else min(n - d, a0 + d)
    end = a1 + _agree(s, a1, a1 + d, max(0, limit - a1))
    if end > a1:
        # the first line start among the characters the match gains, in either copy: the
        # match crosses it
        p, q = lines.find(1, a1, end), lines.find(1, a1 + d, end + d)
        p = p if q < 0 else q - d if p < 0 else min(p, q - d)
        if p >= 0:
            # a whole line matched in both copies is no coincidence, however short
            whole = lines[end] and lines[end + d] and lines[p] and lines[p + d]
            if end - p < _CROSS and not whole:
                end = p
        for q in range(end, a1 - 1, -1):
            # a word ends in both copies, or a line ends in one (the flattened copy glued the
            # line's last word onto the next line's first: ``the\n\nresult``, ``theresult``)
            if (bounds[q] and bounds[q + d]) or lines[q] or lines[q + d]:
                a1 = q
                break
    start = a0 - _agree_back(s, a0, a0 + d, a0)
    # a line starting at p: what lies before it crosses (in what the match gained, the line
    # start nearest the anchor)
    p = -1
    if start < a0:
        p = max(lines.rfind(1, start + 1, a0 + 1), lines.rfind(1, start + 1 + d, a0 + 1 + d) - d)
    if p > start:
        whole = lines[start] and lines[start + d] and lines[p] and lines[p + d]
        if p - start < _CROSS and not whole:
            start = p
    elif not (lines[start] or lines[start + d]):
        # the anchor itself may begin a few letters before a line start both copies share:
        # two paragraphs that end alike ("...today." before both copies), unless what it
        # crosses is a whole line in one copy (a heading the other glued on: the copy's own)
        limit = min(a1, start + _CROSS)
        q = lines.find(1, a0 + 1, limit)
        while q >= 0 and not lines[q + d]:
            q = lines.find(1, q + 1, limit)
        if q > 0:
            start = q
    if start < a0:
        for q in range(start, a0 + 1):
            if bounds[q] or bounds[q + d]:
                a0 = q
                break
    elif start > a0:
        a0 = start
    return a0, a1


def _runs(sk: Skeleton, width: int) -> list[Run]:
    earlier, later, common = _anchors(sk, width)
    if earlier.shape[0] == 0:
        return []
    span = len(sk) + width + _RUN_SLACK + 1
    if earlier.shape[0] > _FEW_ANCHORS:
        found = _run_spans(earlier, later, common, width, span)
    else:
        found = _few_run_spans(earlier.tolist(), later.tolist(), common.tolist(), width)
    return _grown(sk, width, *found)


def _run_spans(
    earlier: Any, later: Any, common: Any, width: int, span: int
) -> tuple[list[int], list[int], list[int]]:
    """Where the runs of anchors lie: the start and end of each run's first copy and its
    diagonal (how far the second copy lies after the first), in order of diagonal and start.

    By diagonal, then by position (each position pairs with one later one: the keys differ),
    sorted as one packed key that carries the label flag in its lowest bit. A diagonal's keys
    are ``span`` apart from the next one's, more than any gap inside a run, so a run ends
    exactly where consecutive keys differ by more than that gap.
    """
    keys = (later - earlier) * span
    keys += earlier
    keys <<= 1
    keys |= common
    keys.sort()
    common = keys & 1
    keys >>= 1
    split = np.empty(keys.shape[0] + 1, dtype=bool)
    split[0] = split[-1] = True
    np.greater(keys[1:] - keys[:-1], width + _RUN_SLACK, out=split[1:-1])
    limits = split.nonzero()[0]
    first, last = limits[:-1], limits[1:] - 1
    # a short run of windows the text has three times or more is a label it repeats (a field
    # name and its value in every entry of a listing), not a piece of a copy
    label = np.logical_and.reduceat(common, first)
    label &= keys.take(last) - keys.take(first) + width < _LABEL_CHARS
    # a phrase the text happens to use twice (fewer than _MIN_ANCHORS anchors) is not a copy
    keep = (last - first + 1 >= _MIN_ANCHORS) & ~label
    first, last = first[keep], last[keep]
    if first.shape[0] > _MAX_RUNS:
        # a text that repeats itself all over: the runs with the most anchors are kept (the
        # copies of a doubled body among them), in their order
        size = last - first
        keep = np.sort(np.argpartition(-size, _MAX_RUNS - 1)[:_MAX_RUNS])
        first, last = first[keep], last[keep]
    d, j = np.divmod(keys.take(first), span)
    ends = keys.take(last) - d * span + width
    return j.tolist(), ends.tolist(), d.tolist()


def _few_run_spans(
    earlier: list[int], later: list[int], common: list[bool], width: int
) -> tuple[list[int], list[int], list[int]]:
    """:func:`_run_spans` for a few anchors (up to ``_FEW_ANCHORS``), in Python: below that,
    NumPy's cost per call outweighs its speed per element."""
    diagonals = [i - j for j, i in zip(earlier, later, strict=True)]
    runs: list[list[int]] = []  # diagonal, first anchor, last anchor, anchors, all common
    for d, j, c in sorted(zip(diagonals, earlier, common, strict=True)):
        run = runs[-1] if runs else None
        if run is not None and run[0] == d and j - run[2] <= width + _RUN_SLACK:
            run[2] = j
            run[3] += 1
            run[4] = run[4] and c
        else:
            runs.append([d, j, j, 1, c])
    kept = [
        (first, last + width, d)
        for d, first, last, count, label in runs
        if count >= _MIN_ANCHORS and not (label and last - first + width < _LABEL_CHARS)
    ]
    return [k[0] for k in kept], [k[1] for k in kept], [k[2] for k in kept]


def _grown(
    sk: Skeleton, width: int, firsts: list[int], lasts: list[int], diagonals: list[int]
) -> list[Run]:
    """The runs whose first copy starts at ``firsts`` and ends at ``lasts``, on
    ``diagonals``, each grown to the whole of its exact match and checked."""
    runs: list[Run] = []
    if not firsts:
        return runs
    chars = sk.chars
    n = len(sk)
    text = sk.letters()
    starts = np.zeros(n + 1, dtype=np.uint8)
    starts[sk.starts] = 1
    starts[n] = 1
    line_starts = np.zeros(n + 1, dtype=np.uint8)
    line_starts[0] = line_starts[n] = 1
    line_starts[sk.edges] = 1
    bounds, lines = starts.tobytes(), line_starts.tobytes()
    seen: set[tuple[int, int]] = set()
    reach: dict[int, int] = {}
    for a0, a1, dd in zip(firsts, lasts, diagonals, strict=True):
        if a1 <= reach.get(dd, -1):
            continue  # inside the run before it on this diagonal, which grew over it
        a0, a1 = _extend(text, bounds, lines, a0, min(a1, n - dd), dd)
        reach[dd] = max(reach.get(dd, -1), a1)
        if (a0, dd) in seen:
            continue  # grown into a run already found (anchors missing inside a long word)
        seen.add((a0, dd))
        if text[a0:a1] == text[a0 + dd : a1 + dd]:
            matched = a1 - a0
        else:
            matched = int(np.count_nonzero(chars[a0:a1] == chars[a0 + dd : a1 + dd]))
        if matched < width:
            continue
        seam = max(width, dd // 2)
        if a0 + dd <= a1 < a0 + dd + seam:
            # The copies touch, and the phrase at their seam could close the first or open the
            # second: a page whose last line ends with its title, then a copy without the title
            # but with that last line (the copies overlap by the phrase, or the second goes on
            # with it). Where the second copy would start inside a line, the seam moves to the
            # first line start within the phrase, if any: copies are whole lines.
            shared = a1 - a0 - dd
            if not lines[a0 + dd]:
                shared += _agree(text, a1, a1 + dd, max(0, min(n - dd - a1, seam - shared)))
            a0 += next((k for k in range(shared + 1) if lines[a0 + dd + k]), 0)
            a1 = a0 + dd
            # (what aligns is counted again over what the run now covers)
            if text[a0:a1] == text[a0 + dd : a1 + dd]:
                matched = a1 - a0
            else:
                matched = int(np.count_nonzero(chars[a0:a1] == chars[a0 + dd : a1 + dd]))
        if a1 > a0 + dd and matched < a1 - a0:
            # The copies would overlap, but not letter for letter: texts of one length side by
            # side on a diagonal (a listing's lines, each its entry twice), not a tandem repeat.
            # Its exact parts are runs of their own.
            runs.extend(_exact_parts(chars, lines, a0, a1, dd, width))
        elif a1 > a0 + dd:
            # The copies overlap: a tandem repeat of period dd. The first copy is one period,
            # the second everything that repeats it.
            runs.append(Run(a0, a0 + dd, a0 + dd, a1 + dd, min(matched, dd), tandem=True))
        else:
            runs.append(Run(a0, a1, a0 + dd, a1 + dd, matched))
    return runs


def _exact_parts(chars: Any, lines: bytes, a0: int, a1: int, dd: int, width: int) -> list[Run]:
    """The stretches of ``[a0, a1)`` equal letter for letter to the text ``dd`` further on, of
    ``width`` letters or more, as runs (tandem repeats where they overlap their twin). As in
    :func:`_extend`, a stretch that crosses a line start (``lines``) in either copy by fewer
    than ``_CROSS`` letters stops there: two lines that end alike do not join."""
    equal = np.zeros(a1 - a0 + 2, dtype=bool)
    equal[1:-1] = chars[a0:a1] == chars[a0 + dd : a1 + dd]
    edges = (equal[1:] != equal[:-1]).nonzero()[0]
    parts = []
    for p0, p1 in zip((edges[0::2] + a0).tolist(), (edges[1::2] + a0).tolist(), strict=True):
        head = next(
            (p for p in range(p0 + 1, min(p1, p0 + _CROSS)) if lines[p] or lines[p + dd]), 0
        )
        p0 = head or p0
        tail = next(
            (q for q in range(p1 - 1, max(p0, p1 - _CROSS), -1) if lines[q] or lines[q + dd]), 0
        )
        p1 = tail or p1
        if p1 - p0 < width:
            continue
        if p1 > p0 + dd:
            parts.append(Run(p0, p0 + dd, p0 + dd, p1 + dd, dd, tandem=True))
        else:
            parts.append(Run(p0, p1, p0 + dd, p1 + dd, p1 - p0))
    return parts


def _fits(cand: Candidate, run: Run | Candidate) -> int | None:
    """The cost of adding ``run`` to ``cand`` (after or before it), or ``None`` if it is no
    continuation of the same pair of copies."""
    if cand.a0 <= run.a0 and run.a1 <= cand.a1 and cand.b0 <= run.b0 and run.b1 <= cand.b1:
        # inside the chain: it fills a gap between two of its runs, if it follows them
        earlier = [r for r in cand.runs if r.a1 <= run.a0 + _CROSS]
        later = [r for r in cand.runs if r.a0 >= run.a1 - _CROSS]
        if earlier and later:
            prev = max(earlier, key=lambda r: r.a1)
            nxt = min(later, key=lambda r: r.a0)
            if prev.b1 <= run.b0 + _CROSS and run.b1 <= nxt.b0 + _CROSS:
                return 0
        return None
    after = run.a0 >= cand.a0
    if after:
        if run.a0 >= cand.b0:
            return None  # its first copy lies in the chain's second: the next pair of a series
        gap_a, gap_b = run.a0 - cand.a1, run.b0 - cand.b1
        crossing = run.a1 - cand.b0
    else:
        if cand.a0 >= run.b0:
            return None  # the chain's first copy lies in its second: the pair before it
        gap_a, gap_b = cand.a0 - run.a1, cand.b0 - run.b1
        crossing = cand.a1 - run.b0
    half = (run.a1 - run.a0) // 2
    if gap_a < -half or gap_b < -half or gap_a < -_OVERLAP or gap_b < -_OVERLAP:
        return None  # not a continuation: the run mostly repeats what the chain has
    if crossing > _OVERLAP:
        return None  # the first copy may not run into the second
    gap_a, gap_b = (gap_a if gap_a > 0 else 0), (gap_b if gap_b > 0 else 0)
    small, large = (gap_a, gap_b) if gap_a <= gap_b else (gap_b, gap_a)
    if small > _SMALL_GAP or large > max(400, 2 * cand.matched):
        return None
    if large > max(_SMALL_GAP, 4 * run.matched):
        return None  # a short run does not bridge a paragraph's gap
    return small + large


class _Seeds:
    """The chains that runs may join (the first ``_SEEDS``).

    ``near`` keeps the chains a run or chain could continue: within reach of it on both
    sides (and, for a run, on nearby diagonals). It is a necessary condition of
    :func:`_fits`, checked for every seed in a few comparisons, so only those few are
    measured. (One by one in Python: for up to 64 seeds that is several times cheaper than
    NumPy's per-call cost on arrays that short.)
    """

    def __init__(self) -> None:
        self.chains: list[Candidate] = []

    def append(self, cand: Candidate) -> None:
        self.chains.append(cand)

    def near(self, run: Run | Candidate, *, diagonal: bool) -> list[int]:
        # the largest gap _fits allows between a chain and the run, and the overlap it allows
        run_reach = max(_SMALL_GAP, 4 * run.matched)
        found = []
        ra0, ra1, rb0, rb1 = run.a0, run.a1, run.b0, run.b1
        d = rb0 - ra0
        for i, c in enumerate(itertools.islice(self.chains, _SEEDS)):
            # min(max(400, 2 * c.matched), run_reach) + _OVERLAP, without the calls
            reach = 2 * c.matched if c.matched > 200 else 400
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
        for i in self.near(run, diagonal=diagonal):
            cost = _fits(self.chains[i], run)
            if cost is not None and (best is None or cost < best_cost):
                best, best_cost = i, cost
        return best


def _merge(chains: list[Candidate]) -> tuple[list[Candidate], bool]:
    seeds = _Seeds()
    joined = False
    for cand in sorted(chains, key=lambda c: -c.matched):
        best = seeds.best(cand, diagonal=False)
        if best is None:
            seeds.append(cand)
        else:
            joined = True
            for run in cand.runs:
                seeds.chains[best].add(run)
    return seeds.chains, joined


def _chain(runs: list[Run]) -> list[Candidate]:
    """Join runs on nearby diagonals into candidate pairs of copies.

    The longest runs seed the chains; shorter ones join the chain they continue best, so a
    phrase that the text repeats elsewhere does not pull a chain off its diagonal.
    """
    seeds = _Seeds()
    tandems: list[Candidate] = []
    for run in sorted(runs, key=lambda r: (-r.matched, r.a0, r.b0)):
        if run.tandem:
            tandems.append(Candidate([run], run.a0, run.a1, run.b0, run.b1, run.matched))
            continue
        best = seeds.best(run, diagonal=True)
        if best is None:
            seeds.append(Candidate([run], run.a0, run.a1, run.b0, run.b1, run.matched))
        else:
            seeds.chains[best].add(run)
    chains = seeds.chains
    # chains that weaker runs have since brought together become one, until none join
    merged = chains
    for _ in range(_MERGE_PASSES):
        merged, joined = _merge(merged)
        if not joined:
            break
    for cand in merged:
        cand.runs.sort(key=lambda r: (r.a0, r.b0))
    return merged + tandems


def _breaks(sk: Skeleton, s0: int, s1: int) -> int:
    """Line boundaries between consecutive skeleton characters of ``[s0, s1)``."""
    return sk.breaks(s0, s1)


def _blank_breaks(sk: Skeleton, s0: int, s1: int) -> int:
    """Paragraph boundaries (a blank line or more) between consecutive skeleton characters."""
    return sk.blank_breaks(s0, s1)


def starts_line(sk: Skeleton, s: int) -> bool:
    """Whether skeleton position ``s`` is the first letter or digit of its line."""
    return s == 0 or sk.is_edge(s)


def ends_line(sk: Skeleton, s: int) -> bool:
    """Whether the skeleton range ending at ``s`` ends its line."""
    return s >= len(sk) or sk.is_edge(s)


def glued(sk: Skeleton, cand: Candidate) -> bool:
    """Whether the second copy starts on the line where the first, a paragraph or more of its
    own, ends (glued to it). Two sentences of one line are not copies glued together."""
    if cand.b0 - cand.a1 > _SMALL_GAP:
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
    return 0 if s1 <= s0 else _breaks(sk, s0, s1) + 1


def _union(runs: list[Run], *, first: bool) -> int:
    """How many positions the runs cover in the first (or second) copy, overlaps once."""
    spans = sorted((r.a0, r.a1) if first else (r.b0, r.b1) for r in runs)
    covered, end = 0, -1
    for lo, hi in spans:
        lo = max(lo, end)
        if hi > lo:
            covered += hi - lo
            end = hi
    return covered


def _edges(text: str, start: int, end: int) -> int:
    """On how many sides of the copy ``text[start:end]`` its surroundings show signs of script
    data or markup (a JSON string's quotes and the keys around it, the tags of HTML inside a
    string); a copy that opens a JSON string's value (``"articleBody":"``) counts twice on that
    side, as it is in script data whatever follows it."""
    before = text[max(0, start - _EDGE) : start]
    if _VALUE_OPENS.search(before):
        return 2 + _edge(text[end : end + _EDGE])
    return _edge(before) + _edge(text[end : end + _EDGE])


def _edge(window: str) -> bool:
    """Whether ``window`` shows a sign of script data or markup. (Every sign holds one of the
    characters tested first: most windows are ruled out at once.)"""
    return (
        '"' in window or "<" in window or "\\" in window or "]" in window or "&" in window
    ) and _SCRIPT.search(window) is not None


def _script(text: str, start: int, end: int, edges: int) -> float:
    """How much the copy ``text[start:end]`` looks inside script data or markup: its
    ``edges`` (:func:`_edges`) plus the density of the signs inside it (a copy spread over many
    JSON fields, HTML with its tags), one for every ``_SCRIPT_DENSITY`` per thousand
    characters."""
    # (the signs are counted by their characters: str.count runs at memory speed; those with
    # a quote only where there is one)
    inside = text.count("\\", start, end) + text.count("<", start, end)
    inside += text.count("](", start, end)
    if text.find('"', start, end) >= 0:
        inside += sum(text.count(sign, start, end) for sign in _QUOTE_SIGNS)
    return edges + inside * 1000 / (_SCRIPT_DENSITY * max(1, end - start))


def _has_quote_punctuation(text: str) -> bool:
    """Whether ``text`` holds JSON's punctuation around a quote (``":``, ``",``, ``{"``...)."""
    # (one str.find per quote: seven scans of the whole text for two characters cost more)
    k = text.find('"')
    while k >= 0:
        if text[k + 1 : k + 2] in _AFTER_QUOTE or (k and text[k - 1] in _BEFORE_QUOTE):
            return True
        k = text.find('"', k + 1)
    return False


def _scripts(
    text: str, sk: Skeleton, cand: Candidate, signs: Callable[[], bool]
) -> tuple[bool, float]:
    """Whether one of the pair's copies is clearly inside script data or markup and the other
    is not (a :func:`_script` score of 2 or more against half that or less, with the signs at
    the edges, or by their density inside alone: a chain may begin a copy in script data and
    go on in page text), and how much more the first copy is (its score less the second's).
    A pair that the shape of its copies already classed (flattened, adjacent) is measured only
    where a copy shows signs at its edges (a page's code with the body in a string, HTML
    paragraphs in one, a script right after the page text). ``signs`` says whether the text
    has any sign at all (most pages have none: nothing to measure)."""
    if not signs():
        return False, 0.0
    a0, a1 = _offsets(sk, cand.a0, cand.a1)
    b0, b1 = _offsets(sk, cand.b0, cand.b1)
    edges_a, edges_b = _edges(text, a0, a1), _edges(text, b0, b1)
    if cand.kind != "distant" and not (edges_a or edges_b):
        return False, 0.0
    dense_a, dense_b = _script(text, a0, a1, 0), _script(text, b0, b1, 0)
    for code_a, code_b in ((edges_a + dense_a, edges_b + dense_b), (dense_a, dense_b)):
        high, low = max(code_a, code_b), min(code_a, code_b)
        if high >= _SCRIPT_SCORE and low * 2 <= high:
            return True, code_a - code_b
    return False, edges_a + dense_a - edges_b - dense_b


def _classify(
    cand: Candidate, sk: Skeleton, opts: RepairOptions, text: str, signs: Callable[[], bool]
) -> None:
    _classify_shape(cand, sk, opts, text)
    if cand.kind == "teaser" or cand.runs[0].tandem or cand.score < opts.min_similarity:
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
    embedded, cand.code_first = _scripts(text, sk, cand, signs)
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
    code): captured twice, as an image's caption beside its title. (Copies of whole lines in a
    row are ``adjacent`` pairs of their own.)"""
    return (
        cand.b0 <= cand.a1
        and sk.breaks(cand.a0, cand.b1) == 0
        and not cand.flat
        and _exact(cand) >= opts.long_similarity
        and _BACK_TO_BACK.fullmatch(text, *_offsets(sk, cand.a1 - 1, cand.b0 + 1)) is not None
        and not _code_like(text, *_offsets(sk, cand.a0, cand.a1))
    )


def _exact(cand: Candidate) -> float:
    """The share of the shorter copy equal letter for letter in its twin (a run may bridge a
    typo, or align the entries of a listing that have the same length)."""
    equal = sum(min(r.matched, r.a1 - r.a0) for r in cand.runs)
    return min(1.0, equal / max(1, min(cand.a1 - cand.a0, cand.b1 - cand.b0)))


def _offsets(sk: Skeleton, s0: int, s1: int) -> tuple[int, int]:
    """The characters of the text from skeleton character ``s0`` to ``s1 - 1``."""
    return int(sk.offsets[s0]), int(sk.offsets[s1 - 1]) + 1


def _long(cand: Candidate, sk: Skeleton, opts: RepairOptions, text: str) -> bool:
    """Whether both copies are long text: ``long_chars`` letters or more over three lines or
    more (a paragraph repeated whole is a quote; paragraphs in a row are a copy), or twice that
    in fewer lines; paragraphs rather than short lines, and not code (a list or code shown
    twice, as the tabs of one example, is natural)."""
    if cand.matched < opts.long_chars:
        return False
    lines = min(_breaks(sk, cand.a0, cand.a1), _breaks(sk, cand.b0, cand.b1)) + 1
    if lines < _LONG_LINES and cand.matched < _LONG_FEW_LINES * opts.long_chars:
        return False
    return all(
        _prose(sk, s0, s1, opts) and not _code_like(text, *_offsets(sk, s0, s1))
        for s0, s1 in ((cand.a0, cand.a1), (cand.b0, cand.b1))
    )


def _code_like(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` reads as program code: brackets, braces and operators make
    up a share of it that prose does not reach."""
    marks = sum(text.count(char, start, end) for char in _CODE_MARKS)
    return marks * _CODE_SHARE >= end - start


def _classify_shape(cand: Candidate, sk: Skeleton, opts: RepairOptions, text: str) -> None:
    len_a = cand.a1 - cand.a0
    len_b = cand.b1 - cand.b0
    # how much of the shorter copy the longer one holds: a copy with a paragraph more than its
    # twin, or a flattened copy without the headings and lists, still scores high
    shorter = max(1, min(len_a, len_b))
    total = cand.matched
    cand.matched = min(_union(cand.runs, first=True), _union(cand.runs, first=False))
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
        if complete and len_a >= opts.min_chars and _prose(sk, cand.a0, cand.a1, opts):
            cand.kind = "adjacent"
        return
    if cand.score < opts.min_similarity:
        return
    breaks_a = _breaks(sk, cand.a0, cand.a1)
    breaks_b = _breaks(sk, cand.b0, cand.b1)
    gap = max(0, cand.b0 - cand.a1)
    between = _lines_between(sk, cand.a1, cand.b0)
    many, few = max(breaks_a, breaks_b), min(breaks_a, breaks_b)
    # a doubled body is most of its page, or a long text whatever the page holds besides
    # (hundreds of kilobytes of script around it)
    large = cand.matched >= max(opts.min_chars, opts.min_share * len(sk)) or _long(
        cand, sk, opts, text
    )
    blank_a, blank_b = _blank_breaks(sk, cand.a0, cand.a1), _blank_breaks(sk, cand.b0, cand.b1)
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
        return
    if (
        cand.a0 == 0
        and between <= 1
        and breaks_a == 0
        and (cand.matched < opts.min_chars or gap > 0)
    ):
        cand.kind = "teaser"
        return
    if cand.matched < opts.min_chars:
        return
    if not large and not (
        _prose(sk, cand.a0, cand.a1, opts) and _prose(sk, cand.b0, cand.b1, opts)
    ):
        return  # list items or labels repeated: natural, unless it is most of the text
    if between == 0 or (large and gap <= opts.max_gap_ratio * cand.matched):
        cand.kind = "adjacent"


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


def _prose(sk: Skeleton, s0: int, s1: int, opts: RepairOptions) -> bool:
    """Whether a copy reads as paragraphs rather than a list of short items or labels."""
    return (s1 - s0) >= (_breaks(sk, s0, s1) + 1) * opts.min_chars / 2


def _trim_seam(sk: Skeleton, cand: Candidate) -> None:
    """Cut a chain's end back to the line both copies end on, when the letters past it match
    only because the next lines of both begin alike."""
    last = max(cand.runs, key=lambda r: r.a1)
    d = last.b0 - last.a0
    if ends_line(sk, last.a1) and ends_line(sk, last.b1):
        return  # both copies end with their lines: a whole line matched, not a seam
    edges = sk.edge_list
    low = max(last.a0 + 1, last.a1 - _CROSS + 1)
    for p in edges[bisect_left(edges, low) : bisect_left(edges, last.a1)]:
        if sk.is_edge(p + d):
            cut = last.a1 - p
            trimmed = Run(last.a0, p, last.b0, last.b1 - cut, max(0, last.matched - cut))
            cand.runs[cand.runs.index(last)] = trimmed
            cand.a1 = max(r.a1 for r in cand.runs)
            cand.b1 = max(r.b1 for r in cand.runs)
            cand.matched -= cut
            return


def _realign_twice(cand: Candidate, sk: Skeleton) -> None:
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
    if not cand.a0 < p < cand.a0 + _CROSS or sk.line_end(p) != p + 2 * period:
        return
    if sk.letters(p, p + period) != sk.letters(p + period, p + 2 * period):
        return
    cand.runs = [Run(p, p + period, p + period, p + 2 * period, period)]
    cand.a0, cand.a1, cand.b0, cand.b1 = p, p + period, p + period, p + 2 * period
    cand.matched = period


def _head_repeat(sk: Skeleton) -> Candidate | None:
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


def scaled(opts: RepairOptions, sk: Skeleton) -> RepairOptions:
    """``opts`` for the text of skeleton ``sk``: in a text mostly of a script written without
    spaces (Chinese, Japanese: every character starts a word, where a word of English has five
    or six letters), a character says as much as two letters do, so the lengths counted in
    letters (``anchor_chars``, ``min_chars``, ``long_chars``) are halved.

    >>> from dedup.tokens import skeleton
    >>> scaled(RepairOptions(), skeleton("\u65e5\u672c\u8a9e\u306e\u6587")).anchor_chars
    12
    """
    if sk.starts.shape[0] * 2 <= sk.size:
        return opts
    return dataclasses.replace(
        opts,
        anchor_chars=max(4, opts.anchor_chars // 2),
        min_chars=max(1, opts.min_chars // 2),
        long_chars=max(1, opts.long_chars // 2),
    )


def analyse(
    text: str, opts: RepairOptions, *, distant: bool = True, sk: Skeleton | None = None
) -> tuple[Skeleton, list[Candidate]]:
    """The skeleton of ``text`` and its classified candidate pairs, largest first.

    With ``distant=False`` a text whose runs together cover fewer than ``min_chars`` letters
    returns no pairs at once: every pair it could give would be ``distant`` (repetition that
    repair leaves alone), as no kind that repair acts on is that short. ``sk`` is the skeleton
    of ``text`` where the caller has it already.
    """
    if sk is None:
        sk = skeleton(text)
    opts = scaled(opts, sk)
    if len(sk) < 2 * opts.anchor_chars:
        return sk, []
    runs = _runs(sk, opts.anchor_chars)
    head = _head_repeat(sk)
    if not distant:
        covered = sum(r.a1 - r.a0 for r in runs) + (head.matched if head is not None else 0)
        if covered < opts.min_chars:
            return sk, []
    candidates = _chain(runs)
    if head is not None and not any(c.a0 == 0 and c.b0 == head.b0 for c in candidates):
        candidates.append(head)
    # (whether the text has any sign of script data or markup, looked for once, if asked)
    found: list[bool] = []

    def signs() -> bool:
        if not found:
            found.append(bool(sk.markup) or _has_quote_punctuation(text))
        return found[0]

    for cand in candidates:
        if not cand.runs[0].tandem:
            cand.trim()
            _trim_seam(sk, cand)
            _realign_twice(cand, sk)
        _classify(cand, sk, opts, text, signs)
    candidates.sort(key=lambda c: (-c.matched, c.a0))
    return sk, candidates


def _span(sk: Skeleton, s0: int, s1: int) -> Span:
    return Span(int(sk.offsets[s0]), int(sk.offsets[s1 - 1]) + 1)


def find_duplicates(
    text: str, options: RepairOptions | None = None, **overrides: Any
) -> list[DuplicatePair]:
    """Pairs of near-duplicate spans of ``text``, in order of their first copy.

    Offsets refer to ``text``; each span runs from the first to the last letter or digit of the
    copy. Pairs of every kind are returned: the ones :func:`dedup.repair` acts on, and
    ``distant`` ones (left alone) whose score reaches ``min_similarity``.
    """
    check_text(text)
    opts = with_overrides(options, RepairOptions, overrides)
    if opts.over_cap(len(text)):
        return []
    sk, candidates = analyse(text, opts)
    pairs = [
        DuplicatePair(_span(sk, c.a0, c.a1), _span(sk, c.b0, c.b1), round(c.score, 4), c.kind)
        for c in candidates
        if c.matched >= opts.anchor_chars
        and (c.kind != "distant" or c.score >= opts.min_similarity)
    ]
    pairs.sort(key=lambda p: (p.first.start, p.second.start))
    return pairs
