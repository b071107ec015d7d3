"""Near-duplicate clusters of a batch of documents, and which copy of each to keep.

Two documents are duplicates when they have the same canonical words (the exact hash), or when
the smaller one's shingles lie inside the larger at least ``threshold``: the share of
containment, not Jaccard similarity, because the same article is often extracted once alone
and once inside the whole page around it (menus, related links, footer), at any size ratio. A
document with fewer than ``min_shingles`` shingles is too small for containment alone to mean
anything (a cookie notice lies inside every page of its site): the larger may then be at most
twice its size. Documents of similar size (within ``similar_ratio``) cannot be an article and
the page around it, so they must share more (``similar_threshold``); and two such documents
are not joined when a document that one of them carries (at most half its size, inside it at
the threshold) is mostly absent from the other: two pages of one shop share their menus, their
footer and their legal notices, sometimes 97 % of their words, but not the product each one is
about, which the batch may hold alone or inside other renderings of the page.

The steps: exact hashes, MinHash signatures of the distinct documents, LSH band keys (bands of
one row: two documents share one of the ``bands`` bins with probability ``1 - (1 - J)**bands``
for Jaccard similarity ``J``, so an article inside a page 50 times its size is still a
candidate), candidate pairs, verification (the signature's estimate first, the shingle sets
where it cannot decide), union-find: first the pairs of different sizes, then the pairs of
similar size, each checked against the documents the first step put with them.

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

from dedup.corpus.defaults import KEEP_POLICIES, THRESHOLD, Keep
from dedup.corpus.lsh import band_keys, candidate_pairs
from dedup.corpus.shingle import shingle_batch
from dedup.corpus.signature import SignatureScheme, estimate_containment, jaccard_rows
from dedup.model import (
    ConfigError,
    check_float,
    check_int,
    check_text,
    check_texts,
    with_overrides,
)

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


Verify = Literal["exact", "signature", "none"]
VERIFY_MODES: tuple[Verify, ...] = ("exact", "signature", "none")


@dataclass(frozen=True, slots=True, kw_only=True)
class CorpusOptions:
    """Options of :func:`find_near_duplicates`, the index and ``dedup corpus``.

    - ``threshold``: the share of the smaller document's shingles that must lie in the larger.
    - ``keep``: which copy of a cluster to keep: ``"first"``, ``"longest"`` or ``"best"``.
    - ``shingle_size``, ``num_perm``, ``seed``: the signature scheme (stored in an index).
    - ``bands``, ``rows``: LSH banding; ``0`` (the default): ``num_perm // 2`` bands of one row.
    - ``max_bucket``: a band key shared by more documents proposes no pairs (boilerplate).
    - ``min_shingles``: a smaller document matches only a document at most twice its size.
    - ``similar_ratio``, ``similar_threshold``: documents whose shingle counts differ by less
      than ``similar_ratio`` cannot be an article and the page around it: they must share at
      least ``max(threshold, similar_threshold)`` of the smaller (copies of one extent are
      near-identical; pages of one site around two short articles are not).
    - ``verify``: ``"exact"`` checks candidates on their shingle sets, ``"signature"`` on the
      estimate from signatures, ``"none"`` accepts every LSH candidate.
    - ``max_tokens``: words read per document (the rest is ignored: bounds time and memory).
    """

    threshold: float = THRESHOLD
    keep: Keep = KEEP_POLICIES[0]
    shingle_size: int = 5
    num_perm: int = 128
    seed: int = 1
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
        """``(bands, rows)``: as set, or ``num_perm // 2`` bands of one row."""
        if self.bands:
            return self.bands, self.rows
        return max(1, self.num_perm // 2), 1


@dataclass(frozen=True, slots=True)
class Document:
    """What the corpus stages need of one text: its exact hash and shingle hashes."""

    exact: str
    shingles: npt.NDArray[np.uint64]


def documents(texts: Sequence[str], options: CorpusOptions) -> list[Document]:
    """The exact hash and sorted distinct shingle hashes of each of ``texts``."""
    check_texts(texts, hint="pass the texts to compare as a list ([text1, text2, ...])")
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
    """Join duplicates of ``docs`` in ``uf``; returns the statistics of :class:`Clusters`.

    Pairs of different sizes are joined first; then pairs of similar size, unless a document
    that the first step put with one of them (at most half its size, and inside it at the
    threshold) is mostly absent from the other (:func:`carried_elsewhere`). Which pairs join
    does not depend on the order of ``docs``."""
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
    similar = np.maximum(size_l, size_r) < opts.similar_ratio * np.minimum(size_l, size_r)
    if opts.verify == "none":
        chosen = np.ones(len(left), dtype=bool)
    else:
        chosen = worth_verifying(opts, jac, size_l, size_r)
    verified = 0
    carried: dict[int, list[int]] = {}
    for step in (~similar, similar):
        order = np.flatnonzero(chosen & step)
        order = order[np.argsort(-jac[order], kind="stable")]
        if step is similar and len(order):
            carried = _carried(docs, uf, opts)
        lefts, rights = left[order].tolist(), right[order].tolist()
        pairs = [(reps[i], reps[j]) for i, j in zip(lefts, rights, strict=True)]
        for start in range(0, len(pairs), _WAVE):
            wave = pairs[start : start + _WAVE]
            # the pairs of a wave not joined yet are checked at once (one that an earlier pair
            # of the wave joins is then passed over, as it would have been one by one)
            open_pairs = [p for p in wave if not uf.connected(*p)]
            ok = (
                dict(zip(open_pairs, _shingles_match_many(docs, open_pairs, opts), strict=True))
                if opts.verify == "exact"
                else {}
            )
            for a, b in wave:
                if uf.connected(a, b):
                    continue
                if opts.verify == "exact":
                    verified += 1
                    if not ok[a, b]:
                        continue
                if step is similar and (
                    carried_elsewhere(docs, carried, a, b, opts)
                    or carried_elsewhere(docs, carried, b, a, opts)
                ):
                    continue
                uf.union(a, b)
    return exact_dups, len(left), verified, cands.skipped_buckets


#: Candidate pairs verified together (see :func:`link_documents`).
_WAVE = 256


#: Documents of a cluster that :func:`carried_elsewhere` checks, the largest first.
CARRIED = 4


def _carried(docs: Sequence[Document], uf: UnionFind, opts: CorpusOptions) -> dict[int, list[int]]:
    """For each document in a cluster of more than one: the cluster's documents of at least
    ``min_shingles`` shingles, largest first (one list, shared by the cluster's documents)."""
    clusters: dict[int, list[int]] = {}
    for i, doc in enumerate(docs):
        if len(doc.shingles) >= opts.min_shingles:
            clusters.setdefault(uf.find(i), []).append(i)
    out: dict[int, list[int]] = {}
    for members in clusters.values():
        if len(members) > 1:
            members.sort(key=lambda i: (-len(docs[i].shingles), i))
            out.update(dict.fromkeys(members, members))
    return out


def carried_elsewhere(
    docs: Sequence[Document], carried: dict[int, list[int]], a: int, b: int, opts: CorpusOptions
) -> bool:
    """Whether ``a`` carries a document that ``b`` lacks: a member of ``a``'s cluster (as the
    pairs of different sizes made it) at most half the size of ``a``, inside ``a`` at the
    threshold, of which less than half lies in ``b``. Pages of one site that share all their
    chrome differ there: each carries its own article.

    >>> opts = CorpusOptions()
    >>> chrome = np.arange(1000, 1900, dtype=np.uint64)
    >>> article, other = np.arange(100, dtype=np.uint64), np.arange(200, 300, dtype=np.uint64)
    >>> page, other_page = np.union1d(chrome, article), np.union1d(chrome, other)
    >>> docs = [Document("p", page), Document("q", other_page), Document("a", article)]
    >>> uf = UnionFind(3)
    >>> uf.union(0, 2)
    True
    >>> carried_elsewhere(docs, _carried(docs, uf, opts), 0, 1, opts)
    True
    """
    size = len(docs[a].shingles)
    members = carried.get(a, [])
    checked = 0
    for x in members:
        if x in (a, b) or 2 * len(docs[x].shingles) > size:
            continue
        if _inside(docs[x].shingles, docs[a].shingles) < opts.threshold:
            continue
        checked += 1
        if _inside(docs[x].shingles, docs[b].shingles) < 0.5:
            return True
        if checked >= CARRIED:
            break
    return False


def _inside(small: npt.NDArray[np.uint64], big: npt.NDArray[np.uint64]) -> float:
    """The share of the sorted distinct ``small`` found in the sorted distinct ``big``."""
    if len(small) == 0 or len(big) == 0:
        return 0.0
    pos = np.searchsorted(big, small)
    pos[pos == len(big)] = 0
    return int(np.count_nonzero(big[pos] == small)) / len(small)


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
    """Which pairs are duplicates, from their similarities and shingle counts: containment
    (with :func:`required`); a document smaller than ``min_shingles`` only inside one at most
    twice its size (its containment at ``threshold``)."""
    low = np.minimum(size_a, size_b)
    small = low < options.min_shingles
    near_size = np.maximum(size_a, size_b) <= 2 * low
    by_size = containment >= required(options, size_a, size_b)
    small_ok = near_size & (containment >= options.threshold)
    return np.asarray(np.where(small, small_ok, by_size))


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
    return bool(_sets_match([(a, b)], opts)[0])


def _shingles_match_many(
    docs: Sequence[Document], pairs: Sequence[tuple[int, int]], opts: CorpusOptions
) -> list[bool]:
    """:func:`shingles_match` of each pair of documents (by number), the rule applied once."""
    found = _sets_match([(docs[a].shingles, docs[b].shingles) for a, b in pairs], opts)
    return [bool(v) for v in found]


def _sets_match(
    pairs: Sequence[tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]], opts: CorpusOptions
) -> npt.NDArray[np.bool_]:
    """Whether each pair of sorted distinct shingle sets are duplicates (:func:`matches` on the
    exact counts); two empty sets are, an empty set and another are not."""
    n = len(pairs)
    small = np.empty(n, dtype=np.int64)
    big = np.empty(n, dtype=np.int64)
    inter = np.zeros(n, dtype=np.int64)
    for k, (a, b) in enumerate(pairs):
        lo, hi = (a, b) if len(a) <= len(b) else (b, a)
        small[k], big[k] = len(lo), len(hi)
        if len(lo):
            pos = np.searchsorted(hi, lo)
            pos[pos == len(hi)] = 0
            inter[k] = np.count_nonzero(hi[pos] == lo)
    union = np.maximum(small + big - inter, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        jaccard = inter / union
        containment = np.where(small > 0, inter / np.maximum(small, 1), 0.0)
    found = matches(opts, jaccard, containment, small, big)
    empty = small == 0
    return np.asarray(np.where(empty, big == 0, found))


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
    if score is None:
        from dedup.quality import quality  # the repair stage's measure: loaded for "best" only

        score = lambda text: quality(text).score  # noqa: E731
    measure = score
    return min(members, key=lambda i: (-measure(texts[i]), -len(texts[i]), i))
