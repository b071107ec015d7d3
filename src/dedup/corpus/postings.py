"""How :mod:`dedup.corpus.index_sqlite` packs postings: a posting ``(key, doc)`` keeps the top
:data:`KEY_BITS` bits of its key (five bytes, little-endian) and its document (four), nine
bytes in all; a row of ``blocks`` or ``fresh`` holds postings sorted by key, then document.

>>> keys = np.array([5, 3, 3], dtype=np.uint64) << np.uint64(32)  # groups 5, 3 of 8 bits
>>> data = entries(keys, np.array([1, 2, 0], dtype=np.int64))
>>> len(data), [k >> 32 for k in unpack(data)[0].tolist()], unpack(data)[1].tolist()
(27, [5, 3, 3], [1, 2, 0])
>>> [(rowid, len(row) // ENTRY) for rowid, row in pack_groups(keys, np.arange(3), 100, 8)]
[(103, 2), (105, 1)]
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

__all__ = [
    "DROP",
    "ENTRY",
    "KEY_BITS",
    "PREFIX_BITS",
    "SLOT",
    "TO_PREFIX",
    "Recent",
    "entries",
    "pack_fresh",
    "pack_groups",
    "pair_hash",
    "ranges",
    "unpack",
]

KEY_BITS = 40  # the top bits of a key that the store keeps
DROP = np.uint64(64 - KEY_BITS)  # a key shifted right by DROP is what the store keeps
ENTRY = 9  # bytes a posting takes: five of key, four of document
PREFIX_BITS = 14  # the top bits of a stored key that name its row of ``fresh`` in a batch
SLOT = 1 << 40  # rowids of ``fresh``: prefix * SLOT + the batch's first document
TO_PREFIX = np.uint64(KEY_BITS - PREFIX_BITS)


def pair_hash(keys: npt.NDArray[np.uint64], docs: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
    """One 64-bit value per ``(key, doc)`` posting, to compare sets of postings."""
    from dedup.corpus.shingle import fmix64

    return fmix64(keys ^ fmix64(docs.astype(np.uint64) + np.uint64(1)))


def ranges(
    stored: npt.NDArray[np.uint64], wanted: npt.NDArray[np.uint64]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64]]:
    """For the sorted ``stored``: ``(index into wanted, index into stored)`` of every entry
    equal to one of ``wanted``."""
    lo = np.searchsorted(stored, wanted, side="left")
    counts = np.searchsorted(stored, wanted, side="right") - lo
    hit = np.flatnonzero(counts)
    reps = counts[hit]
    at = np.repeat(lo[hit] - np.r_[0, np.cumsum(reps)[:-1]], reps) + np.arange(reps.sum())
    return np.repeat(hit, reps), at.astype(np.int64)


def unpack(data: bytes) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """The stored keys and the docs of concatenated rows of ``blocks``."""
    entries = np.frombuffer(data, dtype=np.uint8).reshape(-1, ENTRY)
    wide = np.zeros((len(entries), 8), dtype=np.uint8)
    wide[:, :5] = entries[:, :5]
    keys = wide.view("<u8").ravel().astype(np.uint64)
    docs = np.ascontiguousarray(entries[:, 5:]).view("<u4").ravel().astype(np.int64)
    return keys, docs


def pack_groups(
    keys: npt.NDArray[np.uint64], docs: npt.NDArray[np.int64], base: int, bits: int
) -> Iterator[tuple[int, bytes]]:
    """Rows ``(rowid, data)`` of ``blocks`` holding the postings ``(keys, docs)``.

    The postings of old groups come sorted and the fresh ones after them: a stable sort keeps
    each key's docs in the order they were added (and merges the two runs in one pass)."""
    order = np.argsort(keys, kind="stable")
    keys, docs = keys[order], docs[order]
    raw = entries(keys, docs)
    groups = (keys >> np.uint64(KEY_BITS - bits)).astype(np.int64)
    cuts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    ends = np.r_[cuts[1:], len(keys)]
    for lo, hi in zip(cuts.tolist(), ends.tolist(), strict=True):
        yield base + int(groups[lo]), raw[lo * ENTRY : hi * ENTRY]


def pack_fresh(
    keys: npt.NDArray[np.uint64], docs: npt.NDArray[np.int64], start: int
) -> Iterator[tuple[int, bytes]]:
    """Rows ``(slot, data)`` of ``fresh`` for the postings ``(keys, docs)`` (sorted) of the
    batch whose first document is ``start``: one row per prefix."""
    raw = entries(keys, docs)
    prefixes = (keys >> TO_PREFIX).astype(np.int64)
    cuts = np.flatnonzero(np.r_[True, prefixes[1:] != prefixes[:-1]])
    ends = np.r_[cuts[1:], len(keys)]
    for lo, hi in zip(cuts.tolist(), ends.tolist(), strict=True):
        yield int(prefixes[lo]) * SLOT + start, raw[lo * ENTRY : hi * ENTRY]


def entries(keys: npt.NDArray[np.uint64], docs: npt.NDArray[np.int64]) -> bytes:
    """The postings ``(keys, docs)`` packed, :data:`ENTRY` bytes each."""
    entries = np.empty((len(keys), ENTRY), dtype=np.uint8)
    entries[:, :5] = keys.astype("<u8").view(np.uint8).reshape(-1, 8)[:, :5]
    entries[:, 5:] = docs.astype("<u4").view(np.uint8).reshape(-1, 4)
    return entries.tobytes()


class Recent:
    """The postings of ``fresh`` in memory, sorted by key then document, for the writer that
    holds the file's lock (nothing else changes ``fresh`` meanwhile): a lookup finds them
    without reading ``fresh`` from the file. Built from the file at the writer's first lookup,
    extended by each batch once its transaction has committed, dropped by a merge. Twelve
    bytes a posting (``fresh`` holds at most 2**25).

    >>> recent = Recent.from_rows([])
    >>> recent.add(np.array([7, 9], dtype=np.uint64), np.array([1, 1], dtype=np.int64))
    >>> recent.add(np.array([7], dtype=np.uint64), np.array([2], dtype=np.int64))
    >>> [a.tolist() for a in recent.find(np.array([7, 8], dtype=np.uint64))]
    [[7, 7], [1, 2]]
    """

    def __init__(self, keys: npt.NDArray[np.uint64], docs: npt.NDArray[np.uint32]) -> None:
        self.keys, self.docs = keys, docs

    @classmethod
    def from_rows(cls, rows: list[bytes]) -> Recent:
        """The postings of the rows of ``fresh``."""
        keys, docs = unpack(b"".join(rows))
        order = np.lexsort((docs, keys))
        return cls(keys[order], docs[order].astype(np.uint32))

    def add(self, keys: npt.NDArray[np.uint64], docs: npt.NDArray[np.int64]) -> None:
        """Add the postings of a batch, sorted by key then document (its documents come after
        every document held: each goes after the postings of its key)."""
        at = np.searchsorted(self.keys, keys, side="right")
        self.keys = np.insert(self.keys, at, keys)
        self.docs = np.insert(self.docs, at, docs.astype(np.uint32))

    def find(
        self, wanted: npt.NDArray[np.uint64]
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        """``(key, doc)`` of every posting whose key is one of the sorted ``wanted``."""
        hit, at = ranges(self.keys, wanted)
        return wanted[hit], self.docs[at].astype(np.int64)
