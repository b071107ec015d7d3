"""Clusters of a batch: find_near_duplicates and CorpusOptions (dedup.corpus.cluster)."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.corpus import CorpusOptions, find_near_duplicates
from dedup.model import ConfigError, InputError

DATA = Path(__file__).resolve().parent / "data"


def words(seed: int, n: int) -> str:
    rng = random.Random(seed)
    return " ".join(f"w{rng.randrange(5000)}" for _ in range(n))


def partition(labels: tuple[int, ...] | list[int]) -> set[frozenset[int]]:
    out: dict[int, set[int]] = {}
    for i, label in enumerate(labels):
        out.setdefault(label, set()).add(i)
    return {frozenset(v) for v in out.values()}


def pairwise_f1(labels: tuple[int, ...], truth: list[str]) -> tuple[float, float, float]:
    both = Counter(zip(labels, truth, strict=True))
    tp = sum(v * (v - 1) // 2 for v in both.values())
    pred = sum(v * (v - 1) // 2 for v in Counter(labels).values())
    gold = sum(v * (v - 1) // 2 for v in Counter(truth).values())
    p, r = (tp / pred if pred else 1.0), (tp / gold if gold else 1.0)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@pytest.mark.parametrize(
    ("overrides", "name"),
    [
        ({"threshold": 0.0}, "threshold"),
        ({"keep": "last"}, "keep"),
        ({"bands": 4}, "bands and rows"),
        ({"bands": 64, "rows": 4}, "num_perm"),
        ({"verify": "maybe"}, "verify"),
        ({"max_bucket": 1}, "max_bucket"),
        ({"num_perm": 2}, "num_perm"),
    ],
)
def test_options_are_checked_by_name(overrides: dict[str, object], name: str) -> None:
    with pytest.raises(ConfigError, match=name):
        CorpusOptions(**overrides)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=name):
        find_near_duplicates(["a"], **overrides)


def test_the_article_inside_its_page_is_a_duplicate() -> None:
    article = words(1, 400)
    page = f"{words(2, 300)}\n{article}\n{words(3, 500)}"  # more chrome than article
    other = words(4, 400)
    result = find_near_duplicates([page, article, other])
    assert result.labels == (0, 0, 2)
    assert result.kept == (0, 2)
    assert result.dropped == (1,)
    assert find_near_duplicates([page, article, other], keep="longest").kept == (0, 2)


def test_a_small_text_needs_jaccard_not_containment() -> None:
    notice = "We use cookies to improve your experience on our site"
    pages = [f"{words(i, 300)} {notice}" for i in range(3)]
    result = find_near_duplicates([notice, *pages])
    assert len(set(result.labels)) == 4
    assert find_near_duplicates([notice, notice.upper() + "!"]).labels == (0, 0)


def test_exact_duplicates_are_counted() -> None:
    result = find_near_duplicates(["Same text.", "same   TEXT", "", "", "other"])
    assert result.labels == (0, 0, 2, 2, 4)
    assert result.exact_duplicates == 2


def test_keep_best_prefers_the_well_formed_copy() -> None:
    paragraphs = [words(i, 60) + "." for i in range(6)]
    good = "\n\n".join(p.capitalize() for p in paragraphs)
    flat = " ".join(p.capitalize() for p in paragraphs)
    assert find_near_duplicates([flat, good], keep="best").kept == (1,)
    assert find_near_duplicates([flat, good], keep="first").kept == (0,)


def test_bad_input_names_the_text() -> None:
    with pytest.raises(InputError, match=r"texts\[1\]"):
        find_near_duplicates(["fine", b"bytes"])  # type: ignore[list-item]


def test_verification_removes_lsh_false_positives() -> None:
    base = words(9, 300)
    # Half the words shared: LSH at this threshold proposes the pair, verification refuses it.
    half = base[: len(base) // 2] + " " + words(10, 150)
    assert len(find_near_duplicates([base, half], verify="none", threshold=0.8).kept) == 1
    assert len(find_near_duplicates([base, half], verify="exact", threshold=0.8).kept) == 2


@given(order=st.permutations(range(9)), keep=st.sampled_from(["first", "longest", "best"]))
@settings(max_examples=25, deadline=None)
def test_clusters_do_not_depend_on_order(order: list[int], keep: str) -> None:
    a, b = words(20, 250), words(21, 250)
    texts = [
        a,
        "Home News " + a,
        a.upper(),
        b,
        b + " Contact us",
        words(22, 250),
        words(23, 30),
        a[: len(a) * 9 // 10],
        "x",
    ]
    base = partition(find_near_duplicates(texts).labels)
    shuffled = [texts[i] for i in order]
    result = find_near_duplicates(shuffled, keep=keep)  # type: ignore[arg-type]
    mapped = {frozenset(order[i] for i in group) for group in partition(result.labels)}
    assert mapped == base
    assert len(result.kept) == len(base)


def test_real_re_extractions_cluster_exactly() -> None:
    # 3 articles as 23-26 extractors saw them (article alone ... whole page) and 12 other pages.
    with (DATA / "corpus_neardup_sample.jsonl").open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    result = find_near_duplicates([r["text"] for r in records])
    p, _, f = pairwise_f1(result.labels, [rec["cluster"] for rec in records])
    assert p == 1.0
    assert f >= 0.99


def test_two_pages_of_one_site_around_short_articles_stay_apart() -> None:
    chrome_top, chrome_bottom = words(30, 150), words(31, 150)
    article_a, article_b = words(32, 80), words(33, 80)
    page_a = f"{chrome_top}\n{article_a}\n{chrome_bottom}"  # the article is a fifth of a page
    page_b = f"{chrome_top}\n{article_b}\n{chrome_bottom}"
    result = find_near_duplicates([page_a, page_b, article_a])
    assert result.labels == (0, 1, 0)  # the article is inside its page, not inside the other
    # Pages of similar size must share similar_threshold (0.9) of the smaller; these share 0.78.
    assert find_near_duplicates([page_a, page_b], similar_threshold=0.75).labels == (0, 0)
    # Copies of one extent that differ a little are duplicates.
    edited = page_a.replace(" w", " x", 10)
    assert find_near_duplicates([page_a, edited]).labels == (0, 0)
