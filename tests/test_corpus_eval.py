"""The evaluation gate for corpus dedup: pairwise scores on a sample of neardup-dev.jsonl, and on
all of neardup-hard-dev.jsonl (one page in many renderings, and pages of one site that share
its chrome: sampling clusters would take apart the pairs of pages that make it hard).

The floors live in ``tests/data/floors_corpus.json`` and ``floors_corpus_hard.json`` with the
sha256 of the data they were measured on; they only move up. The sample is every other cluster
(by its name, sorted), so it is the same on every run.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import read_pinned

from dedup.corpus import CorpusOptions, find_near_duplicates

FLOORS = Path(__file__).resolve().parent / "data" / "floors_corpus.json"
HARD_FLOORS = Path(__file__).resolve().parent / "data" / "floors_corpus_hard.json"


def pairwise(labels: list[int], truth: list[str]) -> tuple[float, float, float]:
    both = Counter(zip(labels, truth, strict=True))
    tp = sum(v * (v - 1) // 2 for v in both.values())
    pred = sum(v * (v - 1) // 2 for v in Counter(labels).values())
    gold = sum(v * (v - 1) // 2 for v in Counter(truth).values())
    p, r = (tp / pred if pred else 1.0), (tp / gold if gold else 1.0)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _cluster_and_check(records: list[dict[str, Any]], floors: dict[str, Any]) -> None:
    """Cluster ``records`` with the defaults; pairwise precision, recall and F1 against their
    ``cluster`` labels at or above ``floors``."""
    result = find_near_duplicates([r["text"] for r in records], CorpusOptions())
    p, r, f = pairwise(list(result.labels), [rec["cluster"] for rec in records])
    assert p >= floors["precision"], f"precision {p:.4f} fell below {floors['precision']}"
    assert r >= floors["recall"], f"recall {r:.4f} fell below {floors['recall']}"
    assert f >= floors["f1"], f"F1 {f:.4f} fell below {floors['f1']}"


@pytest.mark.evaluation
def test_neardup_dev_sample_stays_above_the_floors() -> None:
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    records = read_pinned("neardup-dev.jsonl", floors)
    names = sorted({r["cluster"] for r in records})
    chosen = set(names[:: floors["every"]])
    sample = [r for r in records if r["cluster"] in chosen]
    assert len(sample) == floors["records"]
    _cluster_and_check(sample, floors)


@pytest.mark.evaluation
def test_neardup_hard_dev_stays_above_the_floors() -> None:
    floors = json.loads(HARD_FLOORS.read_text(encoding="utf-8"))
    records = read_pinned("neardup-hard-dev.jsonl", floors)
    assert len(records) == floors["records"]
    _cluster_and_check(records, floors)
