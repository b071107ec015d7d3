"""Anchors and runs: where a text repeats itself, in linear time.

Every word start of the :mod:`skeleton <dedup.tokens>` is hashed over the next ``width``
skeleton characters (a skeleton of Latin-1 letters, most texts', as the 8-byte words that its
letters make, each times an odd constant; any other as a polynomial, :mod:`dedup.hashing`).
Equal hashes pair with their previous occurrence only, so a text repeated a thousand times
still gives one anchor per position. Anchors on one diagonal (the same distance between the two
occurrences) that follow each other chain into a :class:`Run`, which is grown to the whole of
its exact match and checked letter by letter. A short run of windows the text has three times
or more is a label it repeats and is no run.

>>> from dedup.tokens import skeleton
>>> line = "The same sentence comes back here, word for word, as a copy."
>>> [(r.a0, r.a1, r.b0, r.b1) for r in runs(skeleton(line + " Then " + line), 24)]
[(0, 46, 50, 96)]
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from dedup.hashing import HASH_BLOCK, fmix64, sorted_keys, window_hashes
from dedup.tokens import Skeleton

__all__ = ["CROSS", "Run", "agree", "runs"]

# The window hash is the polynomial sum of (character * MIX + 1) * BASE ** (characters after
# it in the window), modulo 2**64 (:mod:`dedup.hashing`).

# Runs on one diagonal join when the anchors between them are missing for at most this many
# skeleton characters beyond one anchor's width (a typo or a changed word).
_RUN_SLACK = 48
# A chain's small side gap (both copies changed at one place) in skeleton characters, and how
# far two runs may overlap (a phrase that repeats near a copy's edge).
# An exact match grows across a line start only if it goes on this far beyond it.
CROSS = 12
# A run needs this many anchors: one shared window is a phrase used twice, not a copy.
_MIN_ANCHORS = 2
# A run shorter than this (in skeleton characters, with anchors of ``_LABEL_WIDTH``) whose every
# window occurs three times or more is a label the text repeats: it joins no chain. With
# narrower anchors (Chinese, Japanese, Korean: half as wide, each character saying more) a
# label is as many times shorter: a sentence of 40 Japanese characters is none.
_LABEL_CHARS = 64
_LABEL_WIDTH = 24
# The most runs a document may produce: past it, the runs with fewest anchors are ignored
# (bounds the chaining).
_MAX_RUNS = 20_000
# Up to this many anchors, runs are found in Python (NumPy's cost per call outweighs its speed
# per element below it; most second passes over a repaired text find this few).
_FEW_ANCHORS = 64
# The first stretch :func:`agree` compares (then twice as long each time it agrees).
_STEP = 8
# A window of Latin-1 letters is read as 8-byte words (:func:`_word_hashes`), each multiplied
# by its own odd constant (as many as the widest window, 256 letters, has words).
_WORD = 8
_WORD_MIX = fmix64(np.arange(1, 256 // _WORD + 1, dtype=np.uint64)) | np.uint64(1)
_WORD_MIX.setflags(write=False)


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


def _hashes(sk: Skeleton, starts: npt.NDArray[np.int64], width: int) -> Any:
    """The hashes of the windows of ``width`` skeleton characters at ``starts`` (sorted, each
    window within the skeleton): equal windows hash alike, and different ones apart but for a
    chance of about one in 2 ** 64 for any two. A skeleton of Latin-1 letters (most texts'),
    whose windows are ``_WORD`` letters or more, as :func:`_word_hashes` of its letters' bytes
    (a few operations per window, none per character); any other as
    :func:`~dedup.hashing.window_hashes`."""
    if width >= _WORD and starts.shape[0]:
        try:
            data = sk.letters().encode("latin-1")
        except UnicodeEncodeError:
            pass
        else:
            return _word_hashes(data, starts, width)
    return window_hashes(sk.chars, starts, width)


def _word_hashes(data: bytes, starts: npt.NDArray[np.int64], width: int) -> Any:
    """Hashes of ``data[s : s + width]`` for every ``s`` in ``starts`` (``width`` at least
    ``_WORD``): the sum, modulo 2**64, of the window's 8-byte words, each times an odd constant
    of its own (``_WORD_MIX``); the last word ends where the window does, overlapping the one
    before it where ``width`` is no multiple of 8.

    (A product by an odd constant keeps apart any two different words, and its top bits, which
    the grouping of equal windows compares, depend on all of the word's bits.)

    >>> starts = np.array([0, 5, 10], dtype=np.int64)
    >>> hashes = _word_hashes(b"abcdefghij" * 2, starts, 9).tolist()
    >>> hashes[0] == hashes[2], hashes[0] == hashes[1]
    (True, False)
    """
    # every 8 bytes from each position, copied once into an array of its own: ``take`` reads
    # only from an aligned array of whole items, and copies a view that overlaps its items
    # (one word a byte) into one at every call, once for each word of the window
    words = np.ndarray((len(data) - _WORD + 1,), dtype="<u8", buffer=data, strides=(1,)).copy()
    hashes = words.take(starts)
    hashes *= _WORD_MIX[0]
    last = width - _WORD
    for k, at in enumerate([*range(_WORD, last, _WORD), last] if last else [], start=1):
        part = words[at:].take(starts)
        part *= _WORD_MIX[k]
        hashes += part
    return hashes


def _anchors(sk: Skeleton, width: int) -> tuple[Any, Any, Any]:
    """Pairs ``(j, i)`` of skeleton positions, ``j < i``, whose windows hash alike (``j`` the
    previous occurrence of ``i``'s window), and whether the text has that window three times or
    more.

    The windows' hashes and pairs are kept with the skeleton (``Skeleton.windows``): a text
    that a pass cut only at its end (most doubled pages: the copy at the end goes), at its start
    or at both has the windows of one stretch of the whole text, and its pairs are those of the
    whole text within it (:func:`_start_pairs`) rather than hashed and grouped again.
    """
    n = len(sk)
    starts = sk.starts[: sk.starts.searchsorted(n - width, side="right")]
    empty = np.empty(0, dtype=np.int64)
    if starts.shape[0] < 2:
        return empty, empty, empty
    # windows are equal when their hashes are, but for the low bits that give way to a
    # window's index in the keys of the comparison sort
    bits = int(starts.shape[0]).bit_length()
    found = _start_pairs(sk, width, starts.shape[0], bits)
    if found is None:
        hashes = _hashes(sk, starts, width)
        found = _sorted_pairs(hashes, np.uint64(bits))
        if not sk.windows:
            sk.windows.append((width, hashes, *found))
    first, second, common = found
    return starts.take(first), starts.take(second), common


def _start_pairs(sk: Skeleton, width: int, count: int, bits: int) -> tuple[Any, Any, Any] | None:
    """The pairs of equal windows of ``sk`` (as :func:`_anchors` finds them: indices of its
    first ``count`` windows, whose keys give way to ``bits`` low bits) from those of the
    skeleton it is a stretch of, where that one's are kept with it; ``None`` where they are
    not.

    A window of the stretch is one of the whole text, hashed alike (its word starts are the
    whole text's there: :func:`dedup.tokens.without` checks). The whole text's pairs link the
    windows of each group of equal ones in position order, so those within the stretch (both
    windows of the pair in it) link the windows of each group that it holds: the stretch's
    pairs. A pair stays one of a group of three or more where the pair before or after it in
    the group is within the stretch too. The stretch has fewer windows, so its keys give way
    to fewer low bits: a group whose hashes differ in the bits the stretch's keys compare
    (different windows whose hashes agree in all but their low bits: the chance of one grows
    with the square of the text's length) is grouped again on its own (:func:`_regrouped`),
    the rest taken over as they are.
    """
    if not sk.whole or not sk.whole[0][0].windows:
        return None
    whole, at = sk.whole[0]
    got, hashes, first, second, common = whole.windows[0]
    lo = int(whole.starts.searchsorted(at)) if at else 0  # the stretch's first window there
    if got != width or lo + count > hashes.shape[0]:
        return None
    first, second, common = _pairs_within(hashes, first, second, common, lo, count, bits)
    if not sk.windows:
        sk.windows.append((width, hashes[lo : lo + count], first, second, common))
    return first, second, common


def _pairs_within(
    hashes: Any, first: Any, second: Any, common: Any, lo: int, count: int, bits: int
) -> tuple[Any, Any, Any]:
    """The pairs of equal windows among ``count`` of ``hashes`` from the ``lo``-th on (keys
    that give way to ``bits`` low bits), as :func:`_sorted_pairs` finds them among those
    windows alone (their indices counted from ``lo``), from those of all the windows
    (``first``, ``second``, ``common``; keys that give way to as many low bits or more)."""
    inside = second < lo + count
    if lo:
        inside &= first >= lo
    keep = inside.nonzero()[0]
    first, second, common = first.take(keep), second.take(keep), common.take(keep)
    if lo:
        first -= lo
        second -= lo
        hashes = hashes[lo : lo + count]
    differ = hashes.take(first) ^ hashes.take(second)
    apart = (differ >> np.uint64(bits)).nonzero()[0]
    if apart.shape[0]:
        first, second = _regrouped(hashes, first, second, apart, bits)
    if apart.shape[0] or np.count_nonzero(common):
        # each pair's group goes on before it (its first window is the later one of the pair
        # before it) or after it, within the stretch
        linked = np.zeros(first.shape[0] + 1, dtype=bool)
        np.equal(first[1:], second[:-1], out=linked[1:-1])
        common = linked[:-1] | linked[1:]
    return first, second, common


def _regrouped(hashes: Any, first: Any, second: Any, apart: Any, bits: int) -> tuple[Any, Any]:
    """Pairs ``first``, ``second`` of equal windows (indices into ``hashes``), each group's in
    position order, one group after another, with the groups of the pairs at ``apart`` grouped
    again by their hashes' bits from ``bits`` up: each becomes the pairs that windows alike in
    those bits make, in the order of those bits, then of position (as :func:`_sorted_pairs`
    orders them). The other groups stay as they are, where they are.

    >>> import numpy as np
    >>> hashes = np.array([8, 9, 8, 9, 8], dtype=np.uint64)  # alike but for the lowest bit
    >>> pairs = _regrouped(hashes, np.array([0, 1, 2, 3]), np.array([1, 2, 3, 4]), np.array([0]), 0)
    >>> [p.tolist() for p in pairs]
    [[0, 2, 1], [2, 4, 3]]
    """
    # where each group begins (a pair that does not go on from the one before), and its end
    begins = np.ones(first.shape[0] + 1, dtype=bool)
    np.not_equal(first[1:], second[:-1], out=begins[1:-1])
    edges = begins.nonzero()[0]
    firsts, seconds = [], []
    done = 0
    for g in sorted(set(edges.searchsorted(apart, side="right").tolist())):
        lo, hi = int(edges[g - 1]), int(edges[g])
        windows = [int(first[lo]), *second[lo:hi].tolist()]
        keyed = sorted((int(hashes[w]) >> bits, w) for w in windows)
        pairs = [(w, x) for (v, w), (u, x) in itertools.pairwise(keyed) if v == u]
        firsts += [first[done:lo], np.array([w for w, _ in pairs], dtype=first.dtype)]
        seconds += [second[done:lo], np.array([x for _, x in pairs], dtype=second.dtype)]
        done = hi
    return np.concatenate([*firsts, first[done:]]), np.concatenate([*seconds, second[done:]])


def _pairs(same: Any) -> tuple[Any, Any]:
    """Where pairs of equal windows lie in an order that keeps equal windows together, in
    position order (``same``: whether each window in that order equals the next one): each
    window pairs with the one before it. Their places in the order, and whether the group goes
    on before or after the pair (the text has that window three times or more)."""
    at = same.nonzero()[0]
    wide = np.zeros(same.shape[0] + 2, dtype=bool)
    wide[1:-1] = same
    return at, (wide[:-2] | wide[2:]).take(at)


@functools.lru_cache(maxsize=1)
def _index_table() -> Any:
    """The indices ``0 .. HASH_BLOCK - 1`` as 64-bit keys, built once and read-only."""
    table = np.arange(HASH_BLOCK, dtype=np.uint64)
    table.setflags(write=False)
    return table


def _indices(n: int) -> Any:
    """The indices ``0 .. n - 1`` as 64-bit keys: a view of :func:`_index_table` where it is
    long enough (most texts), where a fresh array costs a fill of every key."""
    return _index_table()[:n] if n <= HASH_BLOCK else np.arange(n, dtype=np.uint64)


def _sorted_pairs(hashes: Any, bits: Any) -> tuple[Any, Any, Any]:
    """The pairs of equal windows (the earlier's index, the later's, whether the text has the
    window three times or more) from one packed key per window, sorted: the hash, whose low
    ``bits`` give way to the window's index (:func:`~dedup.hashing.sorted_keys`)."""
    mask = np.uint64((1 << int(bits)) - 1)
    keys = sorted_keys(hashes, int(bits), _indices(hashes.shape[0]))
    high = keys >> bits
    at, common = _pairs(high[1:] == high[:-1])
    # (the indices, below 2 ** bits, read as the signed integers they are: no copy)
    first = keys.take(at)
    first &= mask
    second = keys[1:].take(at)
    second &= mask
    return first.view(np.int64), second.view(np.int64), common


def agree(s: str, x: int, y: int, limit: int) -> int:
    """How many characters ``s[x:]`` and ``s[y:]`` share from the start, at most ``limit``.

    Stretches twice as long each time are compared while they agree (most matches end within
    a few characters, a copy's thousands further on), then halved down to where they part: a
    match of ``m`` characters takes about ``2 log2(m)`` comparisons of slices, made in C.

    >>> agree("abcdefabcxef", 0, 6, 6), agree("ab" * 40, 0, 2, 78)
    (3, 78)
    """
    k, step = 0, _STEP
    while k < limit:
        if step > limit - k:
            step = limit - k
        if s[x + k : x + k + step] == s[y + k : y + k + step]:
            k += step
            step += step
            continue
        # they part within the next ``step`` characters
        while step > _STEP:
            half = step >> 1
            if s[x + k : x + k + half] == s[y + k : y + k + half]:
                k += half
                step -= half
            else:
                step = half
        for i in range(step):
            if s[x + k + i] != s[y + k + i]:
                return k + i
    return limit


def _agree_back(s: str, x: int, y: int, limit: int) -> int:
    """How many characters end both ``s[:x]`` and ``s[:y]`` alike, at most ``limit`` (at most
    ``x`` and ``y``), compared as :func:`agree` does.

    >>> _agree_back("xxabcyyabc", 5, 10, 5), _agree_back("ab" * 40, 78, 80, 78)
    (3, 78)
    """
    k, step = 0, _STEP
    while k < limit:
        if step > limit - k:
            step = limit - k
        if s[x - k - step : x - k] == s[y - k - step : y - k]:
            k += step
            step += step
            continue
        while step > _STEP:
            half = step >> 1
            if s[x - k - half : x - k] == s[y - k - half : y - k]:
                k += half
                step -= half
            else:
                step = half
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
    copy (``lines``) only when it goes on for ``CROSS`` characters, so a word that two
    different paragraphs happen to begin or end with does not join them. The first copy may
    not grow into the second.
    """
    n = len(s)
    # (copies that already overlap are a tandem repeat: its end may grow to the text's)
    limit = n - d if a1 >= a0 + d or n < a0 + 2 * d else a0 + d
    end = a1 + agree(s, a1, a1 + d, limit - a1) if limit > a1 else a1
    if end > a1:
        # the first line start among the characters the match gains, in either copy: the
        # match crosses it
        p, q = lines.find(1, a1, end), lines.find(1, a1 + d, end + d)
        p = p if q < 0 else q - d if p < 0 or q - d < p else p
        if p >= 0:
            # a whole line matched in both copies is no coincidence, however short
            whole = lines[end] and lines[end + d] and lines[p] and lines[p + d]
            if end - p < CROSS and not whole:
                end = p
        for q in range(end, a1 - 1, -1):
            # a word ends in both copies, or a line ends in one (the flattened copy glued the
            # line's last word onto the next line's first: ``the\n\nresult``, ``theresult``)
            if (bounds[q] and bounds[q + d]) or lines[q] or lines[q + d]:
                a1 = q
                break
    # (most anchors start right after a letter that differs: no call)
    start = a0 - _agree_back(s, a0, a0 + d, a0) if a0 and s[a0 - 1] == s[a0 + d - 1] else a0
    # a line starting at p: what lies before it crosses (in what the match gained, the line
    # start nearest the anchor)
    p = -1
    if start < a0:
        p, q = lines.rfind(1, start + 1, a0 + 1), lines.rfind(1, start + 1 + d, a0 + 1 + d) - d
        p = q if q > p else p
    if p > start:
        whole = lines[start] and lines[start + d] and lines[p] and lines[p + d]
        if p - start < CROSS and not whole:
            start = p
    elif not (lines[start] or lines[start + d]):
        # the anchor itself may begin a few letters before a line start both copies share:
        # two paragraphs that end alike ("...today." before both copies), unless what it
        # crosses is a whole line in one copy (a heading the other glued on: the copy's own)
        limit = min(a1, start + CROSS)
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


def runs(
    sk: Skeleton,
    width: int,
    *,
    labels: list[Run] | None = None,
    admit: Callable[[list[int], list[int]], list[bool]] | None = None,
) -> list[Run]:
    """The runs of ``sk``: anchors of ``width`` characters that chain on one diagonal, each
    grown to its exact match and checked.

    A short run whose every window the text has three times or more is a label it repeats and
    is no run; where ``labels`` is a list, those of them that ``admit`` takes (given the
    skeleton starts of their first copies and of their second, before they grow) are grown
    and checked too and put in it.
    """
    earlier, later, common = _anchors(sk, width)
    if earlier.shape[0] == 0:
        return []
    span = len(sk) + width + _RUN_SLACK + 1
    wanted = labels is not None and admit is not None
    if earlier.shape[0] > _FEW_ANCHORS:
        found, labelled = _run_spans(earlier, later, common, width, span, labels=wanted)
    else:
        found, labelled = _few_run_spans(earlier.tolist(), later.tolist(), common.tolist(), width)
    if labels is not None and admit is not None and labelled[0]:
        firsts, lasts, diagonals = labelled
        chosen = admit(firsts, [a0 + d for a0, d in zip(firsts, diagonals, strict=True)])
        if any(chosen):
            picked = [k for k, yes in enumerate(chosen) if yes]
            grown = _grown(
                sk,
                width,
                [firsts[k] for k in picked],
                [lasts[k] for k in picked],
                [diagonals[k] for k in picked],
            )
            labels.extend(r for r in grown if not r.tandem)
    return _grown(sk, width, *found)


Spans = tuple[list[int], list[int], list[int]]


def _run_spans(
    earlier: Any, later: Any, common: Any, width: int, span: int, *, labels: bool
) -> tuple[Spans, Spans]:
    """Where the runs of anchors lie: the start and end of each run's first copy and its
    diagonal (how far the second copy lies after the first), in order of diagonal and start;
    then, if ``labels`` asks for them, the same of the short runs left out as labels the text
    repeats.

    By diagonal, then by position (each position pairs with one later one: the keys differ),
    sorted as one packed key that carries the label flag in its lowest bit. A diagonal's keys
    are ``span`` apart from the next one's, more than any gap inside a run, so a run ends
    exactly where consecutive keys differ by more than that gap. (``span`` is more than any
    position: a key is less than ``2 * span ** 2``.)
    """
    keys = (later - earlier) * span
    keys += earlier
    keys <<= 1
    keys |= common
    if span * span <= 1 << 31:
        # (every key below 2 * span ** 2 fits in 32 bits: such keys sort in half the time)
        keys = keys.astype(np.uint32)
    keys.sort()
    common = keys & 1
    keys >>= 1
    split = np.empty(keys.shape[0] + 1, dtype=bool)
    split[0] = split[-1] = True
    np.greater(keys[1:] - keys[:-1], width + _RUN_SLACK, out=split[1:-1])
    limits = split.nonzero()[0]
    first, last = limits[:-1], limits[1:] - 1
    low, high = keys.take(first), keys.take(last)
    lengths = high - low  # (the run's first copy spans lengths + width characters)
    # a short run of windows the text has three times or more is a label it repeats (a field
    # name and its value in every entry of a listing), not a piece of a copy
    label = np.logical_and.reduceat(common, first)
    label &= lengths < _label_chars(width) - width
    # a phrase the text happens to use twice (fewer than _MIN_ANCHORS anchors) is not a copy
    few = last - first < _MIN_ANCHORS - 1
    labelled: Spans = [], [], []
    if labels:
        chosen = (label & ~few).nonzero()[0]
        if chosen.shape[0]:
            labelled = _spans(low, lengths, chosen, span, width)
    kept = (~(label | few)).nonzero()[0]
    if kept.shape[0] > _MAX_RUNS:
        # a text that repeats itself all over: the runs with the most anchors are kept (the
        # copies of a doubled body among them), in their order
        size = (last - first).take(kept)
        kept = kept.take(np.sort(np.argpartition(-size, _MAX_RUNS - 1)[:_MAX_RUNS]))
    return _spans(low, lengths, kept, span, width), labelled


def _spans(low: Any, lengths: Any, chosen: Any, span: int, width: int) -> Spans:
    """The start and end of the first copy and the diagonal of the runs ``chosen`` among those
    whose lowest keys are ``low`` and whose anchors span ``lengths`` (:func:`_run_spans`)."""
    d, j = np.divmod(low.take(chosen), span)
    ends = lengths.take(chosen)
    ends += j
    ends += width
    return j.tolist(), ends.tolist(), d.tolist()


def _few_run_spans(
    earlier: list[int], later: list[int], common: list[bool], width: int
) -> tuple[Spans, Spans]:
    """:func:`_run_spans` for a few anchors (up to ``_FEW_ANCHORS``), in Python: below that,
    NumPy's cost per call outweighs its speed per element."""
    gap, label_chars = width + _RUN_SLACK, _label_chars(width)
    diagonals = [i - j for j, i in zip(earlier, later, strict=True)]
    anchors = sorted(zip(diagonals, earlier, common, strict=True))  # by diagonal, then position
    kept: list[tuple[int, int, int]] = []
    labelled: list[tuple[int, int, int]] = []
    # the run being read: its diagonal, first and last anchor, anchors, whether all are common
    rd, r0, r1, count, label = -1, 0, 0, 0, False
    for d, j, c in [*anchors, (-1, 0, False)]:  # (the last entry closes the last run)
        if d == rd and j - r1 <= gap:
            r1 = j
            count += 1
            label = label and c
            continue
        if count >= _MIN_ANCHORS:
            short = label and r1 - r0 + width < label_chars
            (labelled if short else kept).append((r0, r1 + width, rd))
        rd, r0, r1, count, label = d, j, j, 1, c
    return _lists(kept), _lists(labelled)


def _label_chars(width: int) -> int:
    """How long a label runs at most with anchors of ``width`` (``_LABEL_CHARS`` at
    ``_LABEL_WIDTH``, in proportion).

    >>> _label_chars(24), _label_chars(12)
    (64, 32)
    """
    return _LABEL_CHARS * width // _LABEL_WIDTH


def _lists(spans: list[tuple[int, int, int]]) -> Spans:
    """Spans as three lists: their starts, ends and diagonals."""
    return [k[0] for k in spans], [k[1] for k in spans], [k[2] for k in spans]


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
    bounds, lines = sk.bounds(), sk.line_starts()
    # where each run grown so far starts, and its diagonal: how far it reaches, and the first
    # of the runs it gave
    seen: dict[tuple[int, int], tuple[int, int]] = {}
    dropped: set[int] = set()  # (the runs a longer one from the same start holds)
    reach: dict[int, int] = {}
    for a0, a1, dd in zip(firsts, lasts, diagonals, strict=True):
        before = reach.get(dd, -1)
        if a1 <= before:
            continue  # inside the run before it on this diagonal, which grew over it
        a0, a1 = _extend(text, bounds, lines, a0, a1 if a1 < n - dd else n - dd, dd)
        if a1 > before:
            reach[dd] = a1
        grown = seen.get((a0, dd))
        if grown is not None:
            if a1 <= grown[0]:
                continue  # grown into a run already found (anchors missing inside a long word)
            # anchors of one copy, split where the lines they pass the text has a third time
            # pair elsewhere, grew back to one start: the run that reaches further (over a
            # typo the first one stopped at) holds the first
            dropped.update(range(grown[1], len(runs)))
        seen[(a0, dd)] = (a1, len(runs))
        # (the twin's letters against the text from a0 on: one copy of a slice, not two)
        if text.startswith(text[a0 + dd : a1 + dd], a0):
            matched = a1 - a0
        else:
            matched = int(np.count_nonzero(chars[a0:a1] == chars[a0 + dd : a1 + dd]))
        if matched < width:
            continue
        if a1 < a0 + dd:
            runs.append(Run(a0, a1, a0 + dd, a1 + dd, matched))  # (most runs: copies apart)
            continue
        seam = max(width, dd // 2)
        if a0 + dd <= a1 < a0 + dd + seam and not _clone_lines(lines, a0, a1, dd):
            # The copies touch, and the phrase at their seam could close the first or open the
            # second: a page whose last line ends with its title, then a copy without the title
            # but with that last line (the copies overlap by the phrase, or the second goes on
            # with it). Where the second copy would start inside a line, the seam moves to the
            # first line start within the phrase, if any: copies are whole lines.
            shared = a1 - a0 - dd
            if not lines[a0 + dd]:
                shared += agree(text, a1, a1 + dd, max(0, min(n - dd - a1, seam - shared)))
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
    return [r for k, r in enumerate(runs) if k not in dropped] if dropped else runs


def _clone_lines(lines: bytes, a0: int, a1: int, dd: int) -> bool:
    """Whether a text twice back to back, ``[a0, a0 + dd)`` then its copy, goes on with a third
    copy cut short of whole lines, ``[a0 + 2 * dd, a1 + dd)``: a looping slider's clones (its
    slides, then all of them again, then the first once more). Each copy starts a line, and the
    third copy, as what it repeats, ends one (``lines`` marks line starts); it is part of the
    tandem repeat, not a phrase at the seam of two copies, which starts or ends inside a line.
    """
    return a1 > a0 + dd and all(lines[p] for p in (a0, a0 + dd, a1, a1 + dd))


def _exact_parts(chars: Any, lines: bytes, a0: int, a1: int, dd: int, width: int) -> list[Run]:
    """The stretches of ``[a0, a1)`` equal letter for letter to the text ``dd`` further on, of
    ``width`` letters or more, as runs (tandem repeats where they overlap their twin). As in
    :func:`_extend`, a stretch that crosses a line start (``lines``) in either copy by fewer
    than ``CROSS`` letters stops there: two lines that end alike do not join."""
    equal = np.zeros(a1 - a0 + 2, dtype=bool)
    equal[1:-1] = chars[a0:a1] == chars[a0 + dd : a1 + dd]
    edges = (equal[1:] != equal[:-1]).nonzero()[0]
    parts = []
    for p0, p1 in zip((edges[0::2] + a0).tolist(), (edges[1::2] + a0).tolist(), strict=True):
        head = next((p for p in range(p0 + 1, min(p1, p0 + CROSS)) if lines[p] or lines[p + dd]), 0)
        p0 = head or p0
        tail = next(
            (q for q in range(p1 - 1, max(p0, p1 - CROSS), -1) if lines[q] or lines[q + dd]), 0
        )
        p1 = tail or p1
        if p1 - p0 < width:
            continue
        if p1 > p0 + dd:
            parts.append(Run(p0, p0 + dd, p0 + dd, p1 + dd, dd, tandem=True))
        else:
            parts.append(Run(p0, p1, p0 + dd, p1 + dd, p1 - p0))
    return parts
