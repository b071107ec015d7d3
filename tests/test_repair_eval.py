"""The evaluation gates for repair, through ``dedup.clean``.

- repair-dev.jsonl, every record: the scores per damage family must stay at or above the floors
  in ``tests/data/floors_repair.json``;
- dumps-dev.jsonl (real extractors' output), every third record: the residue of doubled
  article must stay at or below, and the article kept at or above, the bounds in
  ``tests/data/floors_dumps.json``, and no removal of ``dedup.repair`` may lose its twin;
- cjk-dev.jsonl (Chinese pages), every record: the floors in ``tests/data/floors_cjk.json``.

Each file records the sha256 of the data it was measured on. Bounds only move towards better:
when a change improves a score, move its bound in the same commit. The tests skip where
``../shared/eval`` is absent (a user's clone); CI has it.
"""

from __future__ import annotations

import json
import statistics
from typing import Any

import pytest

import dedup
from conftest import DATA, read_pinned
from dedup.evaluation import DumpScore, dump_score, lost_twins, score_families

FLOORS = json.loads((DATA / "floors_repair.json").read_text(encoding="utf-8"))


def _family_scores(name: str, floors: dict[str, Any]) -> dict[str, dedup.evaluation.FamilyScore]:
    """The scores per damage family of ``dedup.clean`` on evaluation file ``name``."""
    records = read_pinned(name, floors)
    return score_families(records, [dedup.clean(r["text"]) for r in records])


def _check_floors(label: str, got: dedup.evaluation.FamilyScore, floor: dict[str, float]) -> None:
    """Every metric of ``floor`` at or above its floor in ``got``."""
    for metric, value in floor.items():
        assert getattr(got, metric) >= value, (
            f"{label}: {metric} {getattr(got, metric):.4f} fell below its floor {value}"
        )


@pytest.fixture(scope="module")
def scores() -> dict[str, dedup.evaluation.FamilyScore]:
    return _family_scores("repair-dev.jsonl", FLOORS)


@pytest.mark.evaluation
@pytest.mark.parametrize("family", sorted(FLOORS["families"]))
def test_family_scores_stay_above_their_floors(
    scores: dict[str, dedup.evaluation.FamilyScore], family: str
) -> None:
    _check_floors(family, scores[family], FLOORS["families"][family])


# --- what real extractors hand over (dumps-dev) and Chinese pages (cjk-dev) ---------------

DUMPS = json.loads((DATA / "floors_dumps.json").read_text(encoding="utf-8"))
CJK = json.loads((DATA / "floors_cjk.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dumps() -> list[tuple[dict[str, Any], DumpScore, int]]:
    """Every ``sample_every``-th record of dumps-dev through ``dedup.clean``: its score, and
    how many of ``dedup.repair``'s removals lost text (their twin or their own)."""
    records = read_pinned("dumps-dev.jsonl", DUMPS)[:: DUMPS["sample_every"]]
    out = []
    for record in records:
        score = dump_score(record["text"], record["reference"], dedup.clean(record["text"]))
        lost = lost_twins(record["text"], dedup.repair(record["text"]).edits)
        out.append((record, score, len(lost)))
    return out


@pytest.mark.evaluation
def test_dumps_residue_and_kept_stay_within_their_bounds(
    dumps: list[tuple[dict[str, Any], DumpScore, int]],
) -> None:
    residue = [score.residue for _, score, _ in dumps]
    kept = [score.kept for _, score, _ in dumps]
    got = {
        "residue_mean_max": statistics.fmean(residue),
        "residue_worst_max": max(residue),
        "kept_mean_min": statistics.fmean(kept),
        "kept_worst_min": min(kept),
    }
    for name, value in got.items():
        bound = DUMPS[name]
        ok = value <= bound if name.endswith("_max") else value >= bound
        assert ok, f"dumps-dev sample: {name[:-4]} {value:.4f} is past its bound {bound}"


@pytest.mark.evaluation
def test_no_removal_in_the_dumps_loses_its_twin(
    dumps: list[tuple[dict[str, Any], DumpScore, int]],
) -> None:
    lost = [(record["id"], count) for record, _, count in dumps if count]
    assert lost == []


@pytest.fixture(scope="module")
def cjk_scores() -> dict[str, dedup.evaluation.FamilyScore]:
    return _family_scores("cjk-dev.jsonl", CJK)


@pytest.mark.evaluation
@pytest.mark.parametrize("family", sorted(CJK["families"]))
def test_cjk_family_scores_stay_above_their_floors(
    cjk_scores: dict[str, dedup.evaluation.FamilyScore], family: str
) -> None:
    _check_floors(f"cjk-dev {family}", cjk_scores[family], CJK["families"][family])
