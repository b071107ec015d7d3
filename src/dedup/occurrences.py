"""Where a string occurs in a long text, as :meth:`str.find` says, without scanning the text.

Repair asks many times where the skeleton's letters hold a piece again (the twin of a piece of
script data, a line between two copies found elsewhere on the page, a part of a removed copy
outside it): :meth:`str.find` scans from where it starts, so on a text of many pages each
question costs the length of the text, and the questions grow with it. :class:`Occurrences`
answers the same questions from an index of the text's windows of ``WIDTH`` characters (their
hashes, sorted), built once the scans have read the text ``build_after`` times over: a key can
start only where each of its windows does, so the places of its rarest windows are the only
places to check. Its answers are those of :meth:`str.find`; the index is only quicker.

>>> text = "abcdefghij" * 3 + "the quick brown fox"
>>> found = Occurrences(text, build_after=0, scanned=0)
>>> found.find("quick brown"), found.find("abcdefghij", 5), found.find("abcdefghij", 5, 20)
(34, 10, 10)
>>> found.find("no such key"), found.find("ab"), found.find("fox", 0, 30)
(-1, 0, -1)
"""

from __future__ import annotations

from bisect import bisect_left

import numpy as np
import numpy.typing as npt

from dedup.chars import U32, code_points
from dedup.hashing import sorted_keys, window_hashes

__all__ = ["WIDTH", "Occurrences"]

# The index's windows, in characters: a key shorter than this is looked for by a scan.
WIDTH = 4
# Windows of a key looked up in the index (spread over it, its first and last among them), and
# how many of the rarest of them a place must hold to be checked.
_WINDOWS = 8
_NARROWED = 3
# A key whose rarest window starts at more places than this is looked for by a scan.
_COMMON = 1024
# The places of a key are kept for its next look-up when there are this many at most (a key
# is often asked for again from its last place on; thousands of places each for thousands of
# keys would be a list as long as the text many times over).
_KEPT = 64
# The index is built once the scans have read this many times the text's length (building it
# costs about a hundred scans: a text asked about a few times is scanned; one asked about at
# every piece of it is indexed).
_BUILD_AFTER = 128
# A look-up in the index costs about what a scan of this many characters does (a few small
# array operations, tens of microseconds): a stretch shorter than this is scanned, index or
# not, and its scans count for nothing towards building one.
_SCANNED = 1 << 17


class Occurrences:
    """The places of strings in ``text``: :meth:`find` answers as ``text.find`` does.

    ``build_after`` is how many times the text's length the scans read before the index is
    built (0: at the first look-up; by default ``_BUILD_AFTER``); ``points``, the text's code
    points (:func:`~dedup.chars.code_points`) where the caller holds them already (a skeleton
    does), else found when the index is built. The object keeps the index and the places of
    the keys it was asked for that have few; it belongs to one text. ``scanned``: a look-up
    in fewer characters than this is a scan, index or not (by default ``_SCANNED``; 0 sends
    every look-up of ``WIDTH`` characters or more to the index once it is built).
    """

    def __init__(
        self,
        text: str,
        *,
        build_after: float | None = None,
        points: U32 | None = None,
        scanned: int | None = None,
    ) -> None:
        self.text = text
        self._points = points
        self._scanned = _SCANNED if scanned is None else scanned
        self._budget = (_BUILD_AFTER if build_after is None else build_after) * len(text)
        self._read = 0
        self._index: tuple[npt.NDArray[np.uint64], int] | None = None
        self._asked: dict[str, list[int] | None] = {}  # the places to check for each key

    def find(self, key: str, lo: int = 0, hi: int | None = None) -> int:
        """The first place ``p`` with ``lo <= p`` and ``p + len(key) <= hi`` where ``text``
        holds ``key``, or -1: ``text.find(key, lo, hi)`` for ``lo`` and ``hi`` of 0 or more."""
        text, size = self.text, len(key)
        end = len(text) if hi is None else min(hi, len(text))
        if size < WIDTH or lo < 0 or end - lo < max(size, self._scanned):
            return text.find(key, lo, end)
        places = None
        if self._index is not None or self._read >= self._budget:
            if key in self._asked:
                places = self._asked[key]
            else:
                places = self._places(key)
                if places is None or len(places) <= _KEPT:
                    self._asked[key] = places
        if places is None:
            at = text.find(key, lo, end)
            self._read += (end if at < 0 else at + size) - lo
            return at
        for p in places[bisect_left(places, lo) :]:
            if p + size > end:
                break
            if text.startswith(key, p):
                return p
        return -1

    def _places(self, key: str) -> list[int] | None:
        """Where ``key`` may start (ascending): where each of its ``_NARROWED`` rarest windows
        (of ``_WINDOWS`` looked up; those that are not common) stands at its place in it; None
        where even its rarest window is common."""
        if self._index is None:
            points = code_points(self.text) if self._points is None else self._points
            self._index = _windows(points)
        windows, bits = self._index
        size = len(key)
        step = max(1, (size - WIDTH) // (_WINDOWS - 1))
        shifts = sorted({*range(0, size - WIDTH + 1, step), size - WIDTH})
        mask = np.uint64((1 << bits) - 1)
        hashes = window_hashes(code_points(key), np.array(shifts, dtype=np.int64), WIDTH)
        low = hashes & ~mask
        firsts = windows.searchsorted(low, "left")
        # (the first window past each hash's: the next hash's low end, the last one's past all)
        high = low + np.uint64(1 << bits)
        pasts = np.where(high > low, windows.searchsorted(high, "left"), len(windows))
        found = sorted(zip((pasts - firsts).tolist(), firsts.tolist(), shifts, strict=True))
        if found[0][0] > _COMMON:
            return None
        count, i0, shift = found[0]
        # (the places of a window, each less its place in the key: where the key would start)
        places = (windows[i0 : i0 + count] & mask).astype(np.int64) - shift
        for count, i0, shift in found[1:_NARROWED]:
            if count > _COMMON:
                break  # (a common window narrows little, and its places cost more than checks)
            other = (windows[i0 : i0 + count] & mask).astype(np.int64) - shift
            at = np.minimum(other.searchsorted(places), len(other) - 1)
            places = places[other[at] == places] if len(other) else places[:0]
        starts: list[int] = places[places >= 0].tolist()
        return starts


def _windows(points: U32) -> tuple[npt.NDArray[np.uint64], int]:
    """The windows of the text of code points ``points`` as keys, sorted
    (:func:`~dedup.hashing.sorted_keys`): the high bits of the window's hash
    (:func:`~dedup.hashing.window_hashes`), then its place in the low ``bits`` bits (so the
    places of one hash come in ascending order); and ``bits``."""
    n = int(points.shape[0]) - WIDTH + 1
    bits = max(1, n.bit_length())
    if n <= 0:
        return np.zeros(0, dtype=np.uint64), bits
    places = np.arange(n, dtype=np.int64)
    hashes = window_hashes(points, places, WIDTH)
    return sorted_keys(hashes, bits, places.view(np.uint64)), bits
