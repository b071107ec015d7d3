"""The hashes every stage shares: a polynomial hash of code points, and a 64-bit finaliser.

Repair's anchors (:mod:`dedup.anchors`) hash windows of skeleton characters (those of a skeleton
of other than Latin-1 letters; a Latin-1 one's as the 8-byte words of its letters, each times a
constant from :func:`fmix64`) and the corpus' tokens (:mod:`dedup.corpus.shingle`) hash runs of
code points, both as polynomials in :data:`BASE` modulo 2**64 computed for every window at once
from prefix sums: a window's hash is the difference of two prefix sums scaled by a power of the
base, which :func:`powers` tabulates (:func:`window_hashes`, which :mod:`dedup.occurrences`
reads too, for its index of every window of a text). Equal windows are brought together by
one sort of packed keys (:func:`sorted_keys`).
The constants are part of what an index stores (through the corpus' canonical version): change
them only with that version.

>>> power, inverse = powers(4)
>>> [int(p * i) for p, i in zip(power, inverse)]  # BASE**i * BASE**-i
[1, 1, 1, 1]
>>> int(fmix64(np.array([1], dtype=np.uint64))[0]) != 1
True
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["BASE", "HASH_BLOCK", "MIX", "fmix64", "powers", "sorted_keys", "window_hashes"]

#: The base of the polynomial hash: odd, so it has an inverse modulo 2**64.
BASE = 0x100000001B3
#: An odd 64-bit multiplier (the golden ratio's bits) that spreads a code point over the word.
MIX = 0x9E3779B97F4A7C15

#: Window hashes are computed this many characters at a time (the tables of powers of the base
#: cover one block, and a window of up to 256 characters past it).
HASH_BLOCK = 1 << 16

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


def window_hashes(chars: npt.NDArray[np.uint32], starts: npt.NDArray[np.int64], width: int) -> Any:
    """Polynomial hashes of ``chars[s : s + width]`` for every ``s`` in ``starts`` (mod 2**64):
    the sum of ``(c * MIX + 1) * BASE ** (characters after c in the window)``.

    ``starts`` is sorted, and ``width`` at most 256. A long text is hashed a block of
    ``HASH_BLOCK`` characters at a time, as far as the tables of :func:`_block_tables` go.

    >>> chars = np.array([ord(c) for c in "abcab"], dtype=np.uint32)
    >>> hashes = window_hashes(chars, np.array([0, 1, 3], dtype=np.int64), 2).tolist()
    >>> hashes[0] == hashes[2], hashes[0] == hashes[1]
    (True, False)
    """
    n = chars.shape[0]
    if n <= HASH_BLOCK:
        return _block_hashes(chars, starts, width)
    hashes = np.empty(starts.shape[0], dtype=np.uint64)
    edges = [*starts.searchsorted(np.arange(0, n, HASH_BLOCK)).tolist(), starts.shape[0]]
    for i0, i1 in itertools.pairwise(edges):
        if i1 > i0:
            lo, hi = int(starts[i0]), int(starts[i1 - 1]) + width
            hashes[i0:i1] = _block_hashes(chars[lo:hi], starts[i0:i1] - lo, width)
    return hashes


def sorted_keys(hashes: Any, bits: int, indices: Any) -> Any:
    """One key per hash, sorted: the hash, its low ``bits`` bits giving way to its index
    (``indices``, ``0 .. n - 1`` as 64-bit integers, each below ``2 ** bits``). Equal hashes
    (but for those bits) come together, in the order of their indices.

    (NumPy sorts 64-bit keys with vector instructions where the processor has them: faster, at
    every size a text gives, than stable radix passes over the hashes' top bits, whose gathers
    cost more than the sort saves.)

    >>> keys = sorted_keys(np.array([9 << 8, 3 << 8, 9 << 8], dtype=np.uint64), 2,
    ...                    np.arange(3, dtype=np.uint64))
    >>> [(k >> 8, k & 3) for k in keys.tolist()]
    [(3, 1), (9, 0), (9, 2)]
    """
    keys = hashes & ~np.uint64((1 << bits) - 1)
    keys |= indices
    keys.sort()
    return keys


@functools.lru_cache(maxsize=1)
def _block_tables() -> tuple[Any, Any]:
    """Tables over the positions of a block (and a window past it), built once and read-only:
    ``MIX * BASE ** -i`` and ``BASE ** i``, modulo 2**64."""
    power, inverse = powers(HASH_BLOCK + 257)  # a window is at most 256 characters
    mixed = inverse * np.uint64(MIX)
    for table in (mixed, power):
        table.setflags(write=False)
    return mixed, power


@functools.lru_cache(maxsize=8)
def _ones(width: int) -> Any:
    """``BASE ** (width - 1) + ... + BASE + 1`` modulo 2**64: what the ``+ 1`` of each of a
    window's characters adds to its hash, wherever the window lies."""
    return np.uint64(sum(pow(BASE, k, 2**64) for k in range(width)) % 2**64)


def _block_hashes(chars: npt.NDArray[np.uint32], starts: npt.NDArray[np.int64], width: int) -> Any:
    """:func:`window_hashes` of one block, from prefix sums.

    Character ``i`` adds ``c * MIX * BASE ** -i`` to the running sum; the difference of the
    sums at a window's ends, times ``BASE ** (last position)``, plus the ``+ 1`` of each of its
    characters (the same sum of powers for every window: :func:`_ones`), is the window's hash.
    """
    mixed, power = _block_tables()
    n = chars.shape[0]
    terms = np.multiply(chars, mixed[:n], dtype=np.uint64)
    sums = np.empty(n + 1, dtype=np.uint64)
    sums[0] = 0
    np.add.accumulate(terms, out=sums[1:])  # (terms.cumsum(out=...) costs twice the call)
    hashes = sums[width:].take(starts)
    hashes -= sums.take(starts)
    hashes *= power[width - 1 :].take(starts)
    hashes += _ones(width)
    return hashes
