"""Signatures, LSH and clusters (dedup.corpus.signature, .lsh, .cluster)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.corpus.cluster import UnionFind, choose_kept, groups
from dedup.corpus.lsh import (
    band_keys,
    candidate_pairs,
    choose_bands,
    collision_probability,
    jaccard_floor,
)
from dedup.corpus.signature import (
    EMPTY,
    SignatureScheme,
    estimate_containment,
    estimate_jaccard,
    jaccard_rows,
)
from dedup.model import ConfigError


def test_scheme_options_are_checked_by_name() -> None:
    with pytest.raises(ConfigError, match="num_perm"):
        SignatureScheme(num_perm=4)
    with pytest.raises(ConfigError, match="shingle_size"):
        SignatureScheme(shingle_size=0)
    with pytest.raises(ConfigError, match="name"):
        SignatureScheme(name="other")


def test_a_different_scheme_is_refused_with_what_differs() -> None:
    with pytest.raises(ConfigError, match=r"num_perm=64 \(asked for 128\)"):
        SignatureScheme().check(SignatureScheme(num_perm=64))
    SignatureScheme().check(SignatureScheme())


def test_sign_and_sign_many_agree_and_are_deterministic() -> None:
    scheme = SignatureScheme(num_perm=32, seed=3)
    sets = [np.arange(n, dtype=np.uint64) * np.uint64(7919) for n in (0, 1, 5, 40, 3000)]
    many = scheme.sign_many(sets)
    assert many.shape == (5, 32)
    for row, hashes in zip(many, sets, strict=True):
        assert np.array_equal(row, scheme.sign(hashes))
    assert np.array_equal(many, SignatureScheme(num_perm=32, seed=3).sign_many(sets))
    assert not np.array_equal(many[3], SignatureScheme(num_perm=32, seed=4).sign(sets[3]))
    assert (many[0] == EMPTY).all()
    assert not (many[1:] == EMPTY).any()  # densified: even one shingle fills every bin


def test_estimated_jaccard_is_close_to_the_truth() -> None:
    rng = np.random.default_rng(5)
    universe = rng.integers(0, 2**63, 6000, dtype=np.uint64)
    scheme = SignatureScheme(num_perm=256)
    for overlap in (0, 500, 1000, 2000, 3000):
        a = universe[:3000]
        b = universe[3000 - overlap : 6000 - overlap]
        truth = overlap / (6000 - overlap)
        sigs = scheme.sign_many([np.sort(a), np.sort(b)])
        error = abs(estimate_jaccard(sigs[0], sigs[1]) - truth)
        assert error < 4 * np.sqrt(max(truth * (1 - truth), 0.01) / 256)
        assert jaccard_rows(sigs, np.array([0]), np.array([1]))[0] == estimate_jaccard(*sigs)


def test_containment_from_jaccard_and_sizes() -> None:
    # A set of 100 inside one of 400: J = 100 / 400, containment 1.
    assert float(estimate_containment(0.25, 100, 400)) == pytest.approx(1.0)
    assert float(estimate_containment(0.0, 100, 400)) == 0.0
    assert float(estimate_containment(1 / 3, 100, 100)) == pytest.approx(0.5)


def test_bands_follow_the_threshold() -> None:
    low, high = choose_bands(0.2, 128), choose_bands(0.8, 128)
    assert low[1] < high[1]  # fewer rows per band: more collisions for a lower threshold
    for bands, rows in (low, high):
        assert bands * rows <= 128
    assert collision_probability(0.95, *high) > 0.95
    assert collision_probability(0.5, *high) < 0.05
    assert jaccard_floor(1.0, 1.0) == 1.0
    with pytest.raises(ConfigError, match="containment"):
        jaccard_floor(1.5, 2.0)


def test_equal_signatures_share_every_band_key() -> None:
    sigs = SignatureScheme(num_perm=16).sign_many([np.arange(50, dtype=np.uint64)] * 2)
    keys = band_keys(sigs, 8, 2)
    assert keys.shape == (2, 8)
    assert np.array_equal(keys[0], keys[1])
    assert len(set(keys[0].tolist())) == 8  # the band's position is part of its key
    with pytest.raises(ConfigError, match="exceeds"):
        band_keys(sigs, 9, 2)


@given(
    keys=st.lists(st.lists(st.integers(0, 3), min_size=3, max_size=3), min_size=0, max_size=12),
    max_bucket=st.integers(2, 6),
)
@settings(max_examples=80, deadline=None)
def test_candidate_pairs_match_brute_force(keys: list[list[int]], max_bucket: int) -> None:
    array = np.array(keys, dtype=np.uint64).reshape(len(keys), 3)
    # Make band position part of the key, as band_keys does.
    array = array * np.uint64(10) + np.arange(3, dtype=np.uint64)
    found = candidate_pairs(array, max_bucket=max_bucket)
    expected = set()
    for band in range(3):
        buckets: dict[int, list[int]] = {}
        for doc in range(len(keys)):
            buckets.setdefault(int(array[doc, band]), []).append(doc)
        for members in buckets.values():
            if 2 <= len(members) <= max_bucket:
                expected.update(itertools.combinations(members, 2))
    assert set(zip(found.left.tolist(), found.right.tolist(), strict=True)) == expected
    assert len(found) == len(expected)


def brute_force_components(n: int, edges: list[tuple[int, int]]) -> list[set[int]]:
    comps = [{i} for i in range(n)]
    for a, b in edges:
        ca = next(c for c in comps if a in c)
        cb = next(c for c in comps if b in c)
        if ca is not cb:
            comps.remove(cb)
            ca |= cb
    return comps


@given(
    n=st.integers(1, 15),
    edges=st.lists(st.tuples(st.integers(0, 14), st.integers(0, 14)), max_size=25),
)
@settings(max_examples=80, deadline=None)
def test_union_find_matches_brute_force(n: int, edges: list[tuple[int, int]]) -> None:
    edges = [(a, b) for a, b in edges if a < n and b < n]
    uf = UnionFind(n)
    for a, b in edges:
        uf.union(a, b)
    labels = uf.labels()
    got = sorted(sorted(g) for g in groups(labels))
    want = sorted(sorted(c) for c in brute_force_components(n, edges))
    assert got == want
    for members in groups(labels):
        assert all(labels[i] == min(members) for i in members)


def test_keep_policies() -> None:
    texts = ["short", "a much longer text", "Well formed.\n\nTwo paragraphs.", "x" * 18]
    members = [0, 1, 2, 3]
    assert choose_kept(members, texts, "first") == 0
    assert choose_kept(members, texts, "longest") == 2
    assert choose_kept([1, 3], texts, "longest") == 1  # a tie goes to the earliest
    glued = "One sentence.Another one.And more."
    clean = "One sentence.\n\nAnother one.\n\nAnd more."
    assert choose_kept([0, 1], [glued, clean], "best") == 1
    with pytest.raises(ConfigError, match="keep"):
        choose_kept(members, texts, "last")  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(1, 6),
    width=st.sampled_from([8, 16, 128]),
    seed=st.integers(0, 2**32 - 1),
    share=st.floats(0.0, 0.95),
)
def test_densify_fills_each_empty_bin_from_the_next_one_round(
    rows: int, width: int, seed: int, share: float
) -> None:
    """The array code against the rule written out bin by bin."""
    from dedup.corpus.signature import _ROTATE, EMPTY, _densify

    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, 2**32 - 1, (rows, width), dtype=np.uint64).astype(np.uint32)
    sigs[rng.random((rows, width)) < share] = EMPTY
    sigs[np.arange(rows), rng.integers(0, width, rows)] = 7  # a document has one bin at least
    lengths = rng.integers(0, 3, rows)
    expected = sigs.copy()
    for r in range(rows):
        if lengths[r] == 0:
            continue
        for j in range(width):
            if sigs[r, j] != EMPTY:
                continue
            d = next(d for d in range(1, width + 1) if sigs[r, (j + d) % width] != EMPTY)
            expected[r, j] = (int(sigs[r, (j + d) % width]) + d * int(_ROTATE)) % 2**32
    _densify(sigs, lengths)
    assert np.array_equal(sigs, expected)


@settings(max_examples=60, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(
            st.sets(st.integers(0, 300), max_size=120), st.sets(st.integers(0, 300), max_size=120)
        ),
        min_size=1,
        max_size=12,
    ),
    threshold=st.sampled_from([0.5, 0.75, 0.9]),
)
def test_pairs_verified_together_as_one_by_one(
    pairs: list[tuple[set[int], set[int]]], threshold: float
) -> None:
    from dedup.corpus.cluster import CorpusOptions, _sets_match, matches

    opts = CorpusOptions(threshold=threshold, min_shingles=20)

    def one(a: set[int], b: set[int]) -> bool:  # the rule on one pair, from Python sets
        small, big = sorted((a, b), key=len)
        if not small:
            return not big
        inter = len(small & big)
        jaccard = np.array([inter / (len(small) + len(big) - inter)])
        containment = np.array([inter / len(small)])
        return bool(
            matches(opts, jaccard, containment, np.array([len(small)]), np.array([len(big)]))[0]
        )

    arrays = [
        (np.array(sorted(a), dtype=np.uint64), np.array(sorted(b), dtype=np.uint64))
        for a, b in pairs
    ]
    assert _sets_match(arrays, opts).tolist() == [one(a, b) for a, b in pairs]
