"""How :class:`dedup.corpus.Index` prepares a batch of texts (shingles, signatures, band and
exact keys) and decides which stored documents, or earlier texts of the batch, each one
duplicates (:class:`Matcher`), and what it reports (:class:`Match`).

>>> from dedup.corpus.cluster import CorpusOptions
>>> options = CorpusOptions()
>>> matcher = Matcher(options, options.scheme, bands=16, rows=1)
>>> article = " ".join(f"word{i}" for i in range(200))
>>> prep = matcher.prepare([article, "Menu Home " + article, "something else entirely"])
>>> prep.bands.shape, prep.sizes.tolist()
((3, 16), [196, 198, 1])
>>> [[(m.kind, m.score >= 0.9) for m in found] for found in matcher.batch_matches(prep, "abc", 0.0)]
[[], [('near', True)], []]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from dedup.corpus.cluster import CorpusOptions, matches
from dedup.corpus.lsh import band_keys, candidate_pairs
from dedup.corpus.shingle import fmix64, shingle_batch
from dedup.corpus.signature import SignatureScheme, estimate_containment
from dedup.corpus.store import Store, distinct

__all__ = ["EXACT_SALT", "Match", "Matcher", "Prepared", "counts", "expand"]

EXACT_SALT = np.uint64(0x6A09E667F3BCC908)  # an exact hash's key: fmix64(its first 8 bytes ^ this)
_BYTE = np.uint32(0xFF)


@dataclass(frozen=True, slots=True)
class Match:
    """An indexed document that a text duplicates.

    ``kind`` is ``"exact"`` (same canonical words) or ``"near"``; ``score`` is the estimated
    share of the smaller document inside the larger (1.0 for exact matches); ``first_seen`` is
    when the indexed document was added (seconds since the epoch, UTC).
    """

    id: str
    kind: Literal["exact", "near"]
    score: float
    first_seen: float


@dataclass(frozen=True, slots=True)
class Prepared:
    """What the index computes of a batch of texts."""

    exact: list[bytes]  # 16 bytes each
    sizes: npt.NDArray[np.int64]  # shingles
    sigs: npt.NDArray[np.uint8]  # (n, num_perm): the low byte of each bin
    bands: npt.NDArray[np.uint64]  # (n, bands)
    exact_keys: npt.NDArray[np.uint64]


@dataclass(frozen=True, slots=True)
class Matcher:
    """The matching rules of an index built with ``options``, ``scheme`` and ``bands`` bands of
    ``rows`` rows."""

    options: CorpusOptions
    scheme: SignatureScheme
    bands: int
    rows: int

    def prepare(self, texts: Sequence[str]) -> Prepared:
        opts = self.options
        batch = shingle_batch(texts, opts.shingle_size, max_tokens=opts.max_tokens)
        sigs = self.scheme.sign_many(batch.shingles)
        keys = band_keys(sigs, self.bands, self.rows)
        sizes = np.fromiter((len(s) for s in batch.shingles), dtype=np.int64, count=len(texts))
        exact = [bytes.fromhex(e) for e in batch.exact]
        heads = np.frombuffer(b"".join(e[:8] for e in exact), dtype="<u8").astype(np.uint64)
        return Prepared(
            exact, sizes, (sigs & _BYTE).astype(np.uint8), keys, fmix64(heads ^ EXACT_SALT)
        )

    def scores(
        self,
        sig_a: npt.NDArray[np.uint8],
        sig_b: npt.NDArray[np.uint8],
        size_a: npt.NDArray[np.int64],
        size_b: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.float64]:
        """Estimated containment (Jaccard similarity for small documents) of row pairs where
        they are duplicates (:func:`dedup.corpus.cluster.matches`), else -1. Signatures keep one
        byte a bin: bins of two different values agree by chance once in 256, which the
        estimate takes out."""
        agree = (sig_a == sig_b).mean(axis=1)
        jac = np.clip((agree - 1 / 256) / (1 - 1 / 256), 0.0, 1.0)
        cont = estimate_containment(jac, size_a, size_b)
        small = np.minimum(size_a, size_b) < self.options.min_shingles
        score = np.where(small, jac, cont)
        ok = matches(self.options, jac, cont, size_a, size_b)
        return np.asarray(np.where(ok, score, -1.0), dtype=np.float64)

    def stored_matches(
        self,
        store: Store,
        prep: Prepared,
        found: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]],
        *,
        before: int | npt.NDArray[np.int64] | None = None,
        after: int | None = None,
        exclude: npt.NDArray[np.int64] | None = None,
    ) -> list[list[Match]]:
        """For each text of ``prep``, the indexed documents it duplicates, from the postings
        ``found``: those numbered below ``before`` (one bound, or one per text) and above
        ``after``, when given, and not in ``exclude``."""
        n = len(prep.exact)
        out: list[list[Match]] = [[] for _ in range(n)]
        bands = prep.bands.shape[1]
        active = prep.sizes > 0
        owners = np.repeat(np.flatnonzero(active), bands)
        cap = self.options.max_bucket
        pos_b, doc_b, _ = expand(found, prep.bands[active].ravel(), owners, cap)
        pos_e, doc_e, _ = expand(found, prep.exact_keys, np.arange(n, dtype=np.int64), None)
        pos = np.concatenate([pos_e, pos_b])
        doc = np.concatenate([doc_e, doc_b])
        keep = np.ones(len(doc), dtype=bool)
        if isinstance(before, np.ndarray):
            keep &= doc < before[pos]
        elif before is not None:
            keep &= doc < before
        if after is not None:
            keep &= doc > after
        if exclude is not None and len(exclude):
            keep &= ~np.isin(doc, exclude)
        pos, doc = pos[keep], doc[keep]
        if len(doc) == 0:
            return out
        width = int(doc.max()) + 1
        code = distinct((pos * width + doc).astype(np.uint64)).astype(np.int64)
        pos, doc = code // width, code % width
        rows = store.rows(doc.tolist())
        exact_pairs = [
            (p, d)
            for p, d in zip(pos.tolist(), doc.tolist(), strict=True)
            if d in rows and rows[d].exact == prep.exact[p]
        ]
        for p, d in exact_pairs:
            if len(out[p]) < cap:
                row = rows[d]
                out[p].append(Match(row.id, "exact", 1.0, row.first_seen))
        exact_set = set(exact_pairs)
        near = [
            (p, d)
            for p, d in zip(pos.tolist(), doc.tolist(), strict=True)
            if d in rows and (p, d) not in exact_set and prep.sizes[p] > 0 and rows[d].size > 0
        ]
        if near:
            qpos = np.array([p for p, _ in near], dtype=np.int64)
            stored_sigs = np.frombuffer(b"".join(rows[d].sig for _, d in near), dtype=np.uint8)
            stored_sigs = stored_sigs.reshape(len(near), -1)
            sizes = np.array([rows[d].size for _, d in near], dtype=np.int64)
            scores = self.scores(prep.sigs[qpos], stored_sigs, prep.sizes[qpos], sizes)
            for k in np.flatnonzero(scores >= 0).tolist():
                p, d = near[k]
                row = rows[d]
                out[p].append(Match(row.id, "near", round(float(scores[k]), 4), row.first_seen))
        for matched in out:
            matched.sort(key=lambda m: (m.kind != "exact", -m.score))
        return out

    def batch_matches(self, prep: Prepared, ids: Sequence[str], stamp: float) -> list[list[Match]]:
        """Matches of each text among earlier texts of the same batch."""
        n = len(ids)
        out: list[list[Match]] = [[] for _ in range(n)]
        earlier: dict[bytes, list[int]] = {}
        cap = self.options.max_bucket
        for i, exact in enumerate(prep.exact):
            same = earlier.setdefault(exact, [])
            out[i].extend(Match(ids[j], "exact", 1.0, stamp) for j in same)
            if len(same) < cap:
                same.append(i)
        if n < 2:
            return out
        cands = candidate_pairs(
            prep.bands, max_bucket=self.options.max_bucket, active=prep.sizes > 0
        )
        if len(cands):
            left, right = cands.left, cands.right
            scores = self.scores(
                prep.sigs[left], prep.sigs[right], prep.sizes[left], prep.sizes[right]
            )
            for k in np.flatnonzero(scores >= 0).tolist():
                i, j = int(left[k]), int(right[k])
                if prep.exact[i] != prep.exact[j]:
                    out[j].append(Match(ids[i], "near", round(float(scores[k]), 4), stamp))
        return out


def counts(
    found: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]], keys: npt.NDArray[np.uint64]
) -> npt.NDArray[np.int64]:
    """How many postings ``found`` holds for each of ``keys``."""
    fk = found[0]
    return np.asarray(
        np.searchsorted(fk, keys, side="right") - np.searchsorted(fk, keys, side="left"),
        dtype=np.int64,
    )


def expand(
    found: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]],
    keys: npt.NDArray[np.uint64],
    owners: npt.NDArray[np.int64],
    cap: int | None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``(owner, doc, key index)`` for every posting of each of ``keys`` in ``found`` (sorted
    by key); a key with more than ``cap`` postings gives none."""
    fk, fd = found
    lo = np.searchsorted(fk, keys, side="left")
    counts = np.searchsorted(fk, keys, side="right") - lo
    hit = counts > 0
    if cap is not None:
        hit &= counts <= cap
    reps = counts[hit]
    if len(reps) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    offsets = np.repeat(lo[hit] - np.r_[0, np.cumsum(reps)[:-1]], reps) + np.arange(reps.sum())
    which = np.repeat(np.flatnonzero(hit), reps)
    return owners[which], fd[offsets], which
