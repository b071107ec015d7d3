"""The held-out-like gate of real extractor output (``benchmarks/heldout_dumps.py``), sampled:
pages of other sites than dumps-dev's, whole-page renderings with the article again in script
data, the page twice or both.

- the project's own articles (``tests/data/cjk_articles.jsonl``: Japanese and Chinese;
  ``tests/data/world_articles.jsonl``: eight other languages, the group ``world``) in every
  form: always runs;
- WCXB pages of ``neardup-hard-dev.jsonl`` that dumps-dev and repair-dev lack, the first
  ``sample`` records of the benchmark's order: skips where ``../shared/eval`` is absent.

Bounds (``tests/data/floors_heldout_dumps.json``) are the figures measured on these samples
and only move towards better; no removal may lose its twin, and cleaning the output again
changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import sys

import pytest

import dedup
from conftest import DATA, ROOT, eval_path
from dedup.evaluation import lost_twins

sys.path.insert(0, str(ROOT / "benchmarks"))
import heldout_dumps

BOUNDS = json.loads((DATA / "floors_heldout_dumps.json").read_text(encoding="utf-8"))


def _records(group: str) -> list[dict[str, str]]:
    if group != "wcxb":
        return heldout_dumps.records(BOUNDS["seed"], heldout_dumps.EVAL, [group])
    path = eval_path("neardup-hard-dev.jsonl")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != BOUNDS["sha256"]:
        pytest.fail(
            f"{path} has sha256 {digest}, the bounds were measured on {BOUNDS['sha256']}: "
            f"measure again ({BOUNDS['measured_with']}) and update tests/data"
        )
    return heldout_dumps.records(BOUNDS["seed"], path.parent, ["wcxb"])[: BOUNDS["sample"]]


@pytest.mark.evaluation
@pytest.mark.parametrize("group", sorted(BOUNDS["groups"]))
def test_heldout_dumps_stay_within_their_bounds(group: str) -> None:
    records = _records(group)
    outputs = [dedup.clean(r["text"]) for r in records]
    scores = [
        heldout_dumps.score(r["text"], r["reference"], out, by_character=r["group"] in ("ja", "zh"))
        for r, out in zip(records, outputs, strict=True)
    ]
    bounds = BOUNDS["groups"][group]
    residue = statistics.fmean(s[0] for s in scores)
    kept = statistics.fmean(s[1] for s in scores)
    assert residue <= bounds["residue_mean_max"], f"{group} residue {residue:.4f}"
    assert kept >= bounds["kept_mean_min"], f"{group} kept {kept:.4f}"
    lost = [r["id"] for r in records if lost_twins(r["text"], dedup.repair(r["text"]).edits)]
    assert lost == []
    again = [r["id"] for r, out in zip(records, outputs, strict=True) if dedup.clean(out) != out]
    assert again == []
