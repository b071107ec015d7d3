"""Near-duplicate clusters of a batch of documents, and which copy of each to keep.

Two documents are duplicates when they have the same canonical words (the exact hash), or when
the smaller one's shingles lie inside the larger at least ``threshold``: the share of
containment, not Jaccard similarity, because the same article is often extracted once alone
and once inside the whole page around it (menus, related links, footer). Documents with fewer
than ``min_shingles`` shingles are too small for containment to mean anything and must match by
Jaccard similarity instead. Documents of similar size (within ``similar_ratio``) cannot be an
article and the page around it, so they must share more (``similar_threshold``): two pages of
one site around two short articles share their menus and footer, not their articles.

The steps: exact hashes, MinHash signatures of the distinct documents, LSH band keys (bands
chosen for the lowest Jaccard similarity that containment ``threshold`` allows between documents
whose sizes differ up to ``max_size_ratio``), candidate pairs, verification, union-find.

>>> article = " ".join(f"word{i}" for i in range(300))
>>> page = "Home News Sport Contact " + article + " Cookies Privacy Terms"
>>> other = " ".join(f"term{i}" for i in range(300))
>>> result = find_near_duplicates([article, page, other, article.upper()])
>>> result.labels
(0, 0, 2, 0)
>>> result.kept
(0, 2)

Clusters come from the pairs by union-find (:class:`UnionFind`); a label is the smallest member
of its cluster, so labels do not depend on the order in which pairs were joined:

>>> uf = UnionFind(5)
>>> uf.union(0, 3), uf.union(3, 4)
(True, True)
>>> uf.labels().tolist()
[0, 1, 2, 0, 0]

Each cluster keeps one member, by policy (:func:`choose_kept`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from dedup.corpus.lsh import band_keys, candidate_pairs, choose_bands, jaccard_floor
from dedup.corpus.shingle import shingle_batch
from dedup.corpus.signature import SignatureScheme, estimate_containment, jaccard_rows
from dedup.model import ConfigError, check_float, check_int, check_text, with_overrides
from dedup.quality import quality

__all__ = [
    "KEEP_POLICIES",
    "Clusters",
    "CorpusOptions",
    "Document",
    "Keep",
    "UnionFind",
    "choose_kept",
    "documents",
    "find_near_duplicates",
    "groups",
    "link_documents",
    "matches",
    "required",
    "shingles_match",
    "worth_verifying",
]

Keep = Literal["first", "longest", "best"]
KEEP_POLICIES: tuple[Keep, ...] = ("first", "longest", "best")

Verify = Literal["exact", "signature", "none"]
VERIFY_MODES: tuple[Verify, ...] = ("exact", "signature", "none")


@dataclass(frozen=True, slots=True, kw_only=True)
class CorpusOptions:
    """Options of :func:`find_near_duplicates`, the index and ``dedup corpus``.

    - ``threshold``: the share of the smaller document's shingles that must lie in the larger.
    - ``keep``: which copy of a cluster to keep: ``"first"``, ``"longest"`` or ``"best"``.
    - ``shingle_size``, ``num_perm``, ``seed``: the signature scheme (stored in an index).
    - ``max_size_ratio``: sizes of duplicates may differ up to this factor (chooses the bands).
    - ``bands``, ``rows``: LSH banding; ``0`` (the default) chooses from the threshold.
    - ``max_bucket``: a band key shared by more documents proposes no pairs (boilerplate).
    - ``min_shingles``: smaller documents match only by Jaccard similarity ``>= threshold``.
    - ``similar_ratio``, ``similar_threshold``: documents whose shingle counts differ by less
      than ``similar_ratio`` cannot be an article and the page around it: they must share at
      least ``max(threshold, similar_threshold)`` of the smaller (copies of one extent are
      near-identical; pages of one site around two short articles are not).
    - ``verify``: ``"exact"`` checks candidates on their shingle sets, ``"signature"`` on the
      estimate from signatures, ``"none"`` accepts every LSH candidate.
    - ``max_tokens``: words read per document (the rest is ignored: bounds time and memory).
    """

    threshold: float = 0.75
    keep: Keep = "first"
    shingle_size: int = 5
    num_perm: int = 128
    seed: int = 1
    max_size_ratio: float = 8.0
    bands: int = 0
    rows: int = 0
    max_bucket: int = 200
    min_shingles: int = 40
    similar_ratio: float = 1.5
    similar_threshold: float = 0.9
    verify: Verify = "exact"
    max_tokens: int = 1_000_000

    def __post_init__(self) -> None:
        check_float("threshold", self.threshold, 0.05, 1.0)
        if self.keep not in KEEP_POLICIES:
            raise ConfigError(
                f"option keep={self.keep!r} is unknown: use one of {', '.join(KEEP_POLICIES)}"
            )
        check_float("max_size_ratio", self.max_size_ratio, 1.0, 1000.0)
        check_int("bands", self.bands, 0, 4096)
        check_int("rows", self.rows, 0, 4096)
        if (self.bands == 0) != (self.rows == 0):
            raise ConfigError("options bands and rows go together: set both, or neither")
        if self.bands * self.rows > self.num_perm:
            raise ConfigError(
                f"options bands={self.bands} and rows={self.rows} need "
                f"{self.bands * self.rows} values: more than num_perm={self.num_perm}"
            )
        check_int("max_bucket", self.max_bucket, 2)
        check_int("min_shingles", self.min_shingles, 1)
        check_float("similar_ratio", self.similar_ratio, 1.0, 1000.0)
        check_float("similar_threshold", self.similar_threshold, 0.0, 1.0)
        if self.verify not in VERIFY_MODES:
            raise ConfigError(
                f"option verify={self.verify!r} is unknown: use one of {', '.join(VERIFY_MODES)}"
            )
        check_int("max_tokens", self.max_tokens, 1)
        self.scheme  # noqa: B018 - validates shingle_size, num_perm and seed

    @property
    def scheme(self) -> SignatureScheme:
        """The signature scheme these options make."""
        return SignatureScheme(
            shingle_size=self.shingle_size, num_perm=self.num_perm, seed=self.seed
        )

    @property
    def banding(self) -> tuple[int, int]:
        """``(bands, rows)``: as set, or chosen from ``threshold`` and ``max_size_ratio``."""
        if self.bands:
            return self.bands, self.rows
        floor = jaccard_floor(self.threshold, self.max_size_ratio)
        return choose_bands(floor, self.num_perm)


@dataclass(frozen=True, slots=True)
class Document:
    """What the corpus stages need of one text: its exact hash and shingle hashes."""

    exact: str
    shingles: npt.NDArray[np.uint64]


def documents(texts: Sequence[str], options: CorpusOptions) -> list[Document]:
    """The exact hash and sorted distinct shingle hashes of each of ``texts``."""
    for i, text in enumerate(texts):
        check_text(text, name=f"texts[{i}]")
    batch = shingle_batch(texts, options.shingle_size, max_tokens=options.max_tokens)
    return [Document(e, s) for e, s in zip(batch.exact, batch.shingles, strict=True)]


@dataclass(frozen=True, slots=True)
class Clusters:
    """The clusters of a batch.

    - ``labels``: for each document, the smallest index of its cluster (equal labels, one
      cluster; a document alone has its own index).
    - ``kept``: the index of the document each cluster keeps, in order of cluster label.
    - ``exact_duplicates``: documents whose canonical words equal an earlier document's.
    - ``candidates``, ``verified``: candidate pairs from LSH, and those checked on shingles.
    - ``skipped_buckets``: band keys shared by more than ``max_bucket`` documents.
    """

    labels: tuple[int, ...]
    kept: tuple[int, ...]
    exact_duplicates: int
    candidates: int
    verified: int
    skipped_buckets: int

    @property
    def dropped(self) -> tuple[int, ...]:
        """Indices of the documents that are not kept, in input order."""
        keep = set(self.kept)
        return tuple(i for i in range(len(self.labels)) if i not in keep)


def find_near_duplicates(
    texts: Sequence[str], options: CorpusOptions | None = None, **overrides: Any
) -> Clusters:
    """Cluster ``texts`` into exact and near-duplicates, and choose the copy each cluster keeps.

    Keyword arguments override single fields of ``options`` (see :class:`CorpusOptions`).
    The clusters do not depend on the order of ``texts``; the labels name each cluster by its
    first member.
    """
    opts = with_overrides(options, CorpusOptions, overrides)
    docs = documents(texts, opts)
    uf = UnionFind(len(docs))
    stats = link_documents(docs, opts, uf)
    labels = uf.labels()
    kept = tuple(choose_kept(members, texts, opts.keep) for members in groups(labels))
    return Clusters(tuple(labels.tolist()), kept, *stats)


def link_documents(
    docs: Sequence[Document], opts: CorpusOptions, uf: UnionFind
) -> tuple[int, int, int, int]:
    """Join duplicates of ``docs`` in ``uf``; returns the statistics of :class:`Clusters`."""
    first: dict[str, int] = {}
    reps: list[int] = []
    exact_dups = 0
    for i, doc in enumerate(docs):
        seen = first.setdefault(doc.exact, i)
        if seen != i:
            uf.union(seen, i)
            exact_dups += 1
        else:
            reps.append(i)
    sets = [docs[i].shingles for i in reps]
    sigs = opts.scheme.sign_many(sets)
    sizes = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
    bands, rows = opts.banding
    keys = band_keys(sigs, bands, rows)
    cands = candidate_pairs(keys, max_bucket=opts.max_bucket, active=sizes > 0)
    left, right = cands.left, cands.right
    if len(left) == 0:
        return exact_dups, 0, 0, cands.skipped_buckets
    jac = jaccard_rows(sigs, left, right)
    size_l, size_r = sizes[left], sizes[right]
    verified = 0
    if opts.verify == "none":
        order = np.arange(len(left))
    else:
        order = np.flatnonzero(worth_verifying(opts, jac, size_l, size_r))
        order = order[np.argsort(-jac[order], kind="stable")]
    for k in order.tolist():
        a, b = reps[int(left[k])], reps[int(right[k])]
        if uf.connected(a, b):
            continue
        if opts.verify == "exact":
            verified += 1
            if not shingles_match(docs[a].shingles, docs[b].shingles, opts):
                continue
        uf.union(a, b)
    return exact_dups, len(left), verified, cands.skipped_buckets


def required(
    options: CorpusOptions, size_a: npt.NDArray[np.int64], size_b: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """The containment each pair of sizes must reach (see :class:`CorpusOptions`)."""
    low = np.maximum(np.minimum(size_a, size_b), 1)
    ratio = np.maximum(size_a, size_b) / low
    strict = max(options.threshold, options.similar_threshold)
    return np.where(ratio < options.similar_ratio, strict, options.threshold)


def matches(
    options: CorpusOptions,
    jaccard: npt.NDArray[np.float64],
    containment: npt.NDArray[np.float64],
    size_a: npt.NDArray[np.int64],
    size_b: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """Which pairs are duplicates, from their similarities and shingle counts: Jaccard
    similarity for small documents, containment (with :func:`required`) for the others."""
    small = np.minimum(size_a, size_b) < options.min_shingles
    by_size = containment >= required(options, size_a, size_b)
    return np.asarray(np.where(small, jaccard >= options.threshold, by_size))


def worth_verifying(
    options: CorpusOptions,
    jaccard: npt.NDArray[np.float64],
    size_a: npt.NDArray[np.int64],
    size_b: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """Which candidate pairs pass the prefilter, from their signatures' Jaccard estimate and
    shingle counts: with ``verify="exact"``, those that :func:`matches` on an optimistic
    estimate (three standard errors up), to be checked on their shingles; with
    ``"signature"``, those that match on the estimate itself (the decision); with ``"none"``,
    every pair. The one test of :func:`link_documents` and of the Ray engine.
    """
    if options.verify == "none":
        return np.ones(len(jaccard), dtype=bool)
    p = options.num_perm
    if options.verify == "signature":
        j_test = jaccard
    else:
        j_test = np.minimum(
            jaccard + 3.0 * np.sqrt(np.maximum(jaccard, 1.0 / p) * (1 - jaccard) / p) + 1.0 / p,
            1.0,
        )
    cont = estimate_containment(j_test, size_a, size_b)
    return matches(options, j_test, cont, size_a, size_b)


def shingles_match(
    a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64], opts: CorpusOptions
) -> bool:
    """Whether two documents are duplicates (see :func:`matches`), from their sorted distinct
    shingle hashes (:attr:`Document.shingles`), counted exactly: how :func:`link_documents`
    and the Ray engine verify a candidate pair when ``verify="exact"``.

    >>> opts = CorpusOptions()
    >>> a = np.arange(100, dtype=np.uint64)
    >>> shingles_match(a, a[:90], opts), shingles_match(a, a + np.uint64(50), opts)
    (True, False)
    """
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    if len(small) == 0:
        return len(big) == 0
    pos = np.searchsorted(big, small)
    pos[pos == len(big)] = 0
    inter = int(np.count_nonzero(big[pos] == small))
    jaccard = np.array([inter / (len(small) + len(big) - inter)])
    containment = np.array([inter / len(small)])
    sizes = np.array([len(small)]), np.array([len(big)])
    return bool(matches(opts, jaccard, containment, *sizes)[0])


class UnionFind:
    """Disjoint sets over ``0..n-1`` with path halving and union by size."""

    __slots__ = ("_parent", "_size")

    def __init__(self, n: int) -> None:
        self._parent = list(range(n))
        self._size = [1] * n

    def __len__(self) -> int:
        return len(self._parent)

    def find(self, x: int) -> int:
        """The representative of ``x``'s set."""
        parent = self._parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> bool:
        """Join the sets of ``a`` and ``b``; false when they were already one."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self._size[ra] < self._size[rb]:
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._size[ra] += self._size[rb]
        return True

    def connected(self, a: int, b: int) -> bool:
        """Whether ``a`` and ``b`` are in one set."""
        return self.find(a) == self.find(b)

    def labels(self) -> npt.NDArray[np.int64]:
        """For each element, the smallest element of its set."""
        n = len(self._parent)
        roots = np.fromiter((self.find(i) for i in range(n)), dtype=np.int64, count=n)
        smallest = np.full(n, n, dtype=np.int64)
        np.minimum.at(smallest, roots, np.arange(n, dtype=np.int64))
        return smallest[roots]


def groups(labels: npt.NDArray[np.int64]) -> list[list[int]]:
    """The members of each cluster, clusters ordered by their smallest member."""
    out: dict[int, list[int]] = {}
    for i, label in enumerate(labels.tolist()):
        out.setdefault(label, []).append(i)
    return list(out.values())


def choose_kept(
    members: Sequence[int],
    texts: Sequence[str],
    keep: Keep,
    *,
    score: Callable[[str], float] | None = None,
) -> int:
    """The member of a cluster to keep, by policy.

    - ``"first"``: the earliest member (input order is the order first seen).
    - ``"longest"``: the longest text; ties go to the earliest.
    - ``"best"``: the best-formed text by :func:`dedup.quality.quality` (or ``score``); ties go
      to the longest, then the earliest.

    >>> choose_kept([0, 1], ["short", "a longer text"], "longest")
    1
    """
    if keep not in KEEP_POLICIES:
        raise ConfigError(f"option keep={keep!r} is unknown: use one of {', '.join(KEEP_POLICIES)}")
    if keep == "first" or len(members) == 1:
        return min(members)
    if keep == "longest":
        return min(members, key=lambda i: (-len(texts[i]), i))
    measure = score if score is not None else (lambda text: quality(text).score)
    return min(members, key=lambda i: (-measure(texts[i]), -len(texts[i]), i))
