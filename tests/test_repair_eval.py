"""The evaluation gate for repair: every record of repair-dev.jsonl through ``dedup.clean``.

The scores per damage family must stay at or above the floors in
``tests/data/floors_repair.json``, measured on the data whose sha256 the file records. Floors
only move up: when a change raises a score, raise its floor in the same commit. The test skips
where ``../shared/eval`` is absent (a user's clone); CI has it.
"""

from __future__ import annotations

import hashlib
import json

import pytest

import dedup
from conftest import DATA, eval_path, read_jsonl
from dedup.evaluation import score_families

FLOORS = json.loads((DATA / "floors_repair.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scores() -> dict[str, dedup.evaluation.FamilyScore]:
    path = eval_path("repair-dev.jsonl")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != FLOORS["sha256"]:
        pytest.fail(
            f"{path} has sha256 {digest}, the floors were measured on {FLOORS['sha256']}: "
            "measure again with benchmarks/repair_eval.py and update tests/data/floors_repair.json"
        )
    records = read_jsonl(path)
    return score_families(records, [dedup.clean(r["text"]) for r in records])


@pytest.mark.evaluation
@pytest.mark.parametrize("family", sorted(FLOORS["families"]))
def test_family_scores_stay_above_their_floors(
    scores: dict[str, dedup.evaluation.FamilyScore], family: str
) -> None:
    floor = FLOORS["families"][family]
    got = scores[family]
    for metric in ("exact", "similarity", "unchanged"):
        if metric in floor:
            assert getattr(got, metric) >= floor[metric], (
                f"{family}: {metric} {getattr(got, metric):.4f} fell below its floor "
                f"{floor[metric]}"
            )
