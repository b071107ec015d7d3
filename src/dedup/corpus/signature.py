"""MinHash signatures of shingle sets: one-permutation hashing with densification.

Each shingle hash is mixed with the seed once; its low bits choose one of ``num_perm`` bins and
its high 32 bits are its value there. A bin keeps the smallest value it sees, and a bin that
saw none borrows from the next bin that did (rotation densification), so two signatures agree
in a bin with probability equal to the Jaccard similarity of the two sets, as with
``num_perm`` independent permutations, at the cost of hashing each shingle once.

>>> import numpy as np
>>> scheme = SignatureScheme(num_perm=64, seed=7)
>>> a = np.arange(1, 1001, dtype=np.uint64)
>>> b = np.arange(501, 1501, dtype=np.uint64)
>>> sigs = scheme.sign_many([a, b])
>>> sigs.shape
(2, 64)
>>> 0.1 < estimate_jaccard(sigs[0], sigs[1]) < 0.6
True

Signatures are only comparable under the same scheme; :meth:`SignatureScheme.check` refuses
any other.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup.corpus.shingle import CANON_VERSION
from dedup.hashing import fmix64
from dedup.model import ConfigError, check_int

__all__ = [
    "EMPTY",
    "SignatureScheme",
    "estimate_containment",
    "estimate_jaccard",
    "jaccard_rows",
]

#: The value of a bin that no shingle reached (a document without shingles has only these).
EMPTY = np.uint32(0xFFFFFFFF)
_ROTATE = np.uint32(0x9E3779B1)  # odd step added per bin of distance when a bin borrows
_BATCH = 1 << 18  # shingles hashed per pass
_MULTIPLIER = np.uint64(0xD6E8FEB86659FD93)
_HIGH = 1 if sys.byteorder == "little" else 0  # the high half of a uint64 viewed as two uint32


@dataclass(frozen=True, slots=True, kw_only=True)
class SignatureScheme:
    """How signatures are made; stored with every signature and index, and checked on use.

    - ``shingle_size``: words per shingle.
    - ``num_perm``: bins of the one-permutation MinHash (the signature's length).
    - ``seed``: mixed into every shingle hash before binning.
    """

    shingle_size: int = 5
    num_perm: int = 128
    seed: int = 1
    name: str = "oph-xxh3"
    version: int = CANON_VERSION

    def __post_init__(self) -> None:
        check_int("shingle_size", self.shingle_size, 1, 64)
        check_int("num_perm", self.num_perm, 8, 4096)
        check_int("seed", self.seed, 0, 2**63 - 1)
        if self.name != "oph-xxh3":
            raise ConfigError(f"option name={self.name!r} is unknown: use 'oph-xxh3'")
        check_int("version", self.version, 1)

    def to_dict(self) -> dict[str, Any]:
        """The scheme as a JSON-ready dict (how an index stores it)."""
        return asdict(self)

    def check(self, other: SignatureScheme, *, where: str = "the index") -> None:
        """Raise :class:`ConfigError` unless ``other`` makes signatures comparable with ours."""
        if self.version != other.version:
            raise ConfigError(
                f"signatures of {where} were made by a dedup whose canonical tokens are version "
                f"{other.version}; this one makes version {self.version}: they cannot be "
                "compared; build a new one"
            )
        if self != other:
            ours, theirs = self.to_dict(), other.to_dict()
            diff = ", ".join(
                f"{key}={theirs[key]!r} (asked for {ours[key]!r})"
                for key in ours
                if ours[key] != theirs[key]
            )
            raise ConfigError(
                f"signatures of {where} were made with {diff}: they cannot be compared; "
                "open it with the same options or build a new one"
            )

    def sign(self, hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint32]:
        """The signature of one shingle set (``num_perm`` uint32 values)."""
        return np.asarray(self.sign_many([hashes])[0], dtype=np.uint32)

    def sign_many(self, hash_sets: Sequence[npt.NDArray[np.uint64]]) -> npt.NDArray[np.uint32]:
        """Signatures of many shingle sets at once: an array of shape ``(n, num_perm)``."""
        n, p = len(hash_sets), self.num_perm
        flat_sigs = np.full(n * p, EMPTY, dtype=np.uint32)
        if n == 0:
            return flat_sigs.reshape(0, p)
        lengths = np.fromiter((len(h) for h in hash_sets), dtype=np.int64, count=n)
        seed = fmix64(np.array([self.seed + 1], dtype=np.uint64))[0]
        bits = p.bit_length() - 1
        # A power of two takes its bin from the bits just below the value's 32 (they depend
        # on every lower bit of the product); any other count takes a remainder.
        shift = np.uint32(32 - bits) if p == 1 << bits else None
        # Small batches of documents keep the arrays in cache.
        start = 0
        while start < n:
            stop, size = start + 1, int(lengths[start])
            while stop < n and size + lengths[stop] <= _BATCH:
                size += int(lengths[stop])
                stop += 1
            if size:
                flat = np.concatenate(hash_sets[start:stop])
                # Shingle hashes are already well mixed: the seed's permutation is one xor and
                # one odd multiplication (a bijection of 64-bit values).
                flat ^= seed
                with np.errstate(over="ignore"):
                    flat *= _MULTIPLIER
                values = flat.view(np.uint32)[_HIGH::2]
                if shift is not None:
                    low = flat.view(np.uint32)[1 - _HIGH :: 2]
                    bins = (low >> shift).astype(np.int64)
                else:
                    bins = (flat % np.uint64(p)).astype(np.int64)
                bins += np.repeat(
                    np.arange(start * p, stop * p, p, dtype=np.int64), lengths[start:stop]
                )
                np.minimum.at(flat_sigs, bins, values)
            start = stop
        sigs = flat_sigs.reshape(n, p)
        _densify(sigs, lengths)
        return sigs


def _densify(sigs: npt.NDArray[np.uint32], lengths: npt.NDArray[np.int64]) -> None:
    """Fill each empty bin from the next non-empty bin to its right (circularly), in place: the
    value there plus ``_ROTATE`` times the distance, modulo 2**32."""
    p = sigs.shape[1]
    empty = sigs == EMPTY
    rows = np.flatnonzero((lengths > 0) & empty.any(axis=1))
    if len(rows) == 0:
        return
    part = sigs[rows]
    hole = empty[rows]
    kind = np.int16 if 2 * p < np.iinfo(np.int16).max else np.int64
    positions = np.arange(p, dtype=kind)
    none = kind(2 * p)
    # the nearest column at or to the right of each that is not empty (``none`` past the last)
    nearest = np.minimum.accumulate(np.where(hole, none, positions)[:, ::-1], axis=1)[:, ::-1]
    # past the last non-empty column, the first one, a turn further on
    source = np.where(nearest == none, nearest[:, :1] + kind(p), nearest)
    distance = (source - positions).astype(np.uint32)
    picked = np.take_along_axis(part, (source % p).astype(np.intp), axis=1)
    with np.errstate(over="ignore"):
        filled = picked + distance * _ROTATE
    sigs[rows] = np.where(hole, filled, part)


def estimate_jaccard(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> float:
    """The share of bins where two signatures agree: an estimate of the Jaccard similarity."""
    if len(a) != len(b):
        raise ConfigError(f"signatures of lengths {len(a)} and {len(b)} cannot be compared")
    if a[0] == EMPTY and b[0] == EMPTY and not (a != EMPTY).any() and not (b != EMPTY).any():
        return 1.0
    return float(np.count_nonzero(a == b)) / len(a)


def jaccard_rows(
    sigs: npt.NDArray[np.uint32], left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Estimated Jaccard similarity of the row pairs ``(left[i], right[i])`` of ``sigs``."""
    out = np.empty(len(left), dtype=np.float64)
    step = max(1, 1_000_000 // max(1, sigs.shape[1]))
    for start in range(0, len(left), step):
        a = sigs[left[start : start + step]]
        b = sigs[right[start : start + step]]
        out[start : start + step] = (a == b).mean(axis=1)
    return out


def estimate_containment(
    jaccard: npt.NDArray[np.float64] | float,
    size_a: npt.NDArray[np.int64] | int,
    size_b: npt.NDArray[np.int64] | int,
) -> npt.NDArray[np.float64]:
    """The share of the smaller set inside the larger, from their Jaccard similarity and sizes.

    ``|A and B| = J (|A| + |B|) / (1 + J)``; divided by ``min(|A|, |B|)`` and capped at 1.

    >>> float(estimate_containment(0.25, 100, 400))
    1.0
    """
    j = np.asarray(jaccard, dtype=np.float64)
    a = np.asarray(size_a, dtype=np.float64)
    b = np.asarray(size_b, dtype=np.float64)
    inter = j * (a + b) / (1.0 + j)
    small = np.maximum(np.minimum(a, b), 1.0)
    return np.asarray(np.minimum(inter / small, 1.0))
