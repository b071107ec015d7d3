"""The hashes every stage shares: a polynomial hash of code points, and a 64-bit finaliser.

Repair's anchors (:mod:`dedup.anchors`) hash windows of skeleton characters (those of a skeleton
of other than Latin-1 letters; a Latin-1 one's as the 8-byte words of its letters, each times a
constant from :func:`fmix64`) and the corpus' tokens (:mod:`dedup.corpus.shingle`) hash runs of
code points, both as polynomials in :data:`BASE` modulo 2**64 computed for every window at once
from prefix sums: a window's hash is the difference of two prefix sums scaled by a power of the
base, which :func:`powers` tabulates.
The constants are part of what an index stores (through the corpus' canonical version): change
them only with that version.

>>> power, inverse = powers(4)
>>> [int(p * i) for p, i in zip(power, inverse)]  # BASE**i * BASE**-i
[1, 1, 1, 1]
>>> int(fmix64(np.array([1], dtype=np.uint64))[0]) != 1
True
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["BASE", "MIX", "fmix64", "powers"]

#: The base of the polynomial hash: odd, so it has an inverse modulo 2**64.
BASE = 0x100000001B3
#: An odd 64-bit multiplier (the golden ratio's bits) that spreads a code point over the word.
MIX = 0x9E3779B97F4A7C15

_U64 = np.uint64
_M1 = _U64(0xFF51AFD7ED558CCD)
_M2 = _U64(0xC4CEB9FE1A85EC53)
_S33 = _U64(33)


def powers(n: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """``BASE ** i`` and ``BASE ** -i`` modulo 2**64 for ``i < n`` (at least one of each)."""
    size = max(n, 1)
    inverse = np.full(size, pow(BASE, -1, 2**64), dtype=np.uint64)
    power = np.full(size, BASE, dtype=np.uint64)
    inverse[0] = power[0] = 1
    # products wrap around modulo 2**64 without a warning
    return np.cumprod(power, dtype=np.uint64), np.cumprod(inverse, dtype=np.uint64)


def fmix64(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """MurmurHash3's 64-bit finaliser, elementwise: spreads every input bit over the output."""
    x: npt.NDArray[np.uint64] = np.right_shift(values, _S33)
    x ^= values
    tmp = np.empty_like(x)
    with np.errstate(over="ignore"):
        x *= _M1
        x ^= np.right_shift(x, _S33, out=tmp)
        x *= _M2
        x ^= np.right_shift(x, _S33, out=tmp)
    return x
