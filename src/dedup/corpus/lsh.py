"""Locality-sensitive hashing: bands of signatures, band keys, and candidate pairs.

A signature of ``bands * rows`` values is cut into ``bands`` bands of ``rows`` values; two
documents become candidates when they agree on a whole band, which happens with probability
``1 - (1 - J**rows) ** bands`` for Jaccard similarity ``J``. :func:`choose_bands` picks the
split that best separates pairs above a Jaccard threshold from those below it.

>>> choose_bands(0.5, 128)
(25, 5)
>>> round(collision_probability(0.5, 25, 5), 3)
0.548

Band keys are 64-bit integers that also encode the band's position, so one table of keys serves
every band (that is how the index stores them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dedup.corpus.signature import EMPTY
from dedup.hashing import fmix64
from dedup.model import ConfigError, check_float, check_int

__all__ = [
    "Candidates",
    "band_keys",
    "candidate_pairs",
    "choose_bands",
    "collision_probability",
    "jaccard_floor",
]


def collision_probability(jaccard: float, bands: int, rows: int) -> float:
    """The probability that two documents of Jaccard similarity ``jaccard`` share a band."""
    return float(1.0 - (1.0 - jaccard**rows) ** bands)


def jaccard_floor(containment: float, max_size_ratio: float) -> float:
    """The lowest Jaccard similarity of two sets where the smaller one (of size ``s``) has a
    share ``containment`` inside the larger one (of size at most ``max_size_ratio * s``).

    >>> round(jaccard_floor(0.8, 1.0), 3)
    0.667
    >>> round(jaccard_floor(1.0, 4.0), 3)
    0.25
    """
    check_float("containment", containment, 0.0, 1.0)
    if max_size_ratio < 1.0:
        raise ConfigError(f"option max_size_ratio={max_size_ratio} is out of range: use >= 1")
    return containment / (1.0 + max_size_ratio - containment)


def choose_bands(
    threshold: float, num_perm: int, *, fp_weight: float = 0.5, fn_weight: float = 0.5
) -> tuple[int, int]:
    """``(bands, rows)`` with ``bands * rows <= num_perm`` that minimise the weighted area of
    false positives (pairs below ``threshold`` that collide) and false negatives (pairs at or
    above it that do not), integrated over Jaccard similarity."""
    check_float("threshold", threshold, 0.0, 1.0)
    check_int("num_perm", num_perm, 1)
    grid = np.linspace(0.0, 1.0, 401)
    below, above = grid[grid < threshold], grid[grid >= threshold]
    best: tuple[float, int, int] | None = None
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        fp = 1.0 - (1.0 - below**rows) ** bands
        fn = (1.0 - above**rows) ** bands
        area_fp = float(fp.mean() * threshold) if len(below) else 0.0
        area_fn = float(fn.mean() * (1.0 - threshold)) if len(above) else 0.0
        cost = fp_weight * area_fp + fn_weight * area_fn
        if best is None or cost < best[0] - 1e-12:
            best = (cost, bands, rows)
    assert best is not None
    return best[1], best[2]


def band_keys(sigs: npt.NDArray[np.uint32], bands: int, rows: int) -> npt.NDArray[np.uint64]:
    """The ``(n, bands)`` band keys of signatures ``sigs`` (shape ``(n, num_perm)``)."""
    n, p = sigs.shape
    if bands * rows > p:
        raise ConfigError(f"bands * rows = {bands * rows} exceeds the signature length {p}")
    cut = sigs[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    acc = np.broadcast_to(fmix64(np.arange(1, bands + 1, dtype=np.uint64)), (n, bands)).copy()
    for j in range(rows):
        acc = fmix64(acc ^ cut[:, :, j])
    return np.asarray(acc, dtype=np.uint64)


@dataclass(frozen=True, slots=True)
class Candidates:
    """Candidate pairs ``(left[i], right[i])`` with ``left < right``, distinct and sorted.

    ``skipped_buckets`` counts the bands whose bucket held more than ``max_bucket`` documents:
    their pairs were not proposed (a value that many documents share is boilerplate, not
    evidence of a duplicate).
    """

    left: npt.NDArray[np.int64]
    right: npt.NDArray[np.int64]
    skipped_buckets: int

    def __len__(self) -> int:
        return len(self.left)


def candidate_pairs(
    keys: npt.NDArray[np.uint64],
    *,
    max_bucket: int,
    active: npt.NDArray[np.bool_] | None = None,
) -> Candidates:
    """Pairs of rows of ``keys`` (shape ``(n, bands)``) that share a band key.

    Rows where ``active`` is false take no part. Buckets of more than ``max_bucket`` rows
    propose nothing (counted in :attr:`Candidates.skipped_buckets`).
    """
    check_int("max_bucket", max_bucket, 2)
    n, bands = keys.shape
    docs = np.repeat(np.arange(n, dtype=np.int64), bands)
    flat = keys.reshape(-1)
    if active is not None:
        keep = np.repeat(active, bands)
        docs, flat = docs[keep], flat[keep]
    order = np.lexsort((docs, flat))
    flat, docs = flat[order], docs[order]
    if len(flat) == 0:
        empty = np.empty(0, dtype=np.int64)
        return Candidates(empty, empty, 0)
    starts = np.flatnonzero(np.r_[True, flat[1:] != flat[:-1]])
    sizes = np.diff(np.r_[starts, len(flat)])
    group = np.repeat(np.arange(len(starts)), sizes)
    size_of = sizes[group]
    usable = (size_of >= 2) & (size_of <= max_bucket)
    skipped = int(np.count_nonzero(sizes > max_bucket))
    lefts: list[npt.NDArray[np.int64]] = []
    rights: list[npt.NDArray[np.int64]] = []
    largest = int(sizes[sizes <= max_bucket].max(initial=1))
    for d in range(1, largest):
        same = (group[:-d] == group[d:]) & usable[:-d]
        if not same.any():
            break
        lefts.append(docs[:-d][same])
        rights.append(docs[d:][same])
    if not lefts:
        empty = np.empty(0, dtype=np.int64)
        return Candidates(empty, empty, skipped)
    left = np.concatenate(lefts)
    right = np.concatenate(rights)
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    code = _distinct_codes(lo[lo != hi] * n + hi[lo != hi], n * n)
    return Candidates(code // n, code % n, skipped)


def _distinct_codes(code: npt.NDArray[np.int64], space: int) -> npt.NDArray[np.int64]:
    """The sorted distinct values of ``code`` (each below ``space``): a pair proposed by many
    bands is one candidate."""
    if space <= 1 << 24:  # a mark per possible value: no sort
        seen = np.zeros(space, dtype=bool)
        seen[code] = True
        return np.flatnonzero(seen)
    small = code.astype(np.uint32) if space <= 1 << 32 else code  # a narrower sort when it fits
    ordered = np.sort(small)
    if len(ordered) > 1:
        ordered = ordered[np.r_[True, ordered[1:] != ordered[:-1]]]  # np.unique hashes: slower
    return ordered.astype(np.int64)


def is_empty_signature(sigs: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    """Rows of ``sigs`` that belong to documents without shingles."""
    return np.asarray((sigs == EMPTY).all(axis=1))
