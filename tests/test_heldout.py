"""The held-out-like gate: repair-dev's damage families built from texts repair-dev lacks
(``benchmarks/heldout_synth.py``), sampled.

- the project's own articles (``tests/data/cjk_articles.jsonl``: Japanese and Chinese;
  ``tests/data/world_articles.jsonl``: eight other languages, the group ``world``), every family
  of every article: always runs;
- WCXB main contents from ``neardup-hard-dev.jsonl`` that repair-dev does not hold, the first
  ``sample_per_family`` pages of each family: skips where ``../shared/eval`` is absent.

Floors (``tests/data/floors_heldout.json``) are the figures measured on these samples and only
move up; no removal may lose its twin.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from typing import Any

import pytest

import dedup
from conftest import DATA, ROOT, eval_path
from dedup.evaluation import FAMILIES, FamilyScore, lost_twins, score_families

sys.path.insert(0, str(ROOT / "benchmarks"))
import heldout_synth

FLOORS = json.loads((DATA / "floors_heldout.json").read_text(encoding="utf-8"))


def _records(group: str, seed: int, sample: int) -> list[dict[str, str]]:
    if group == "wcxb":
        path = eval_path("neardup-hard-dev.jsonl")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != FLOORS["sha256"]:
            pytest.fail(
                f"{path} has sha256 {digest}, the floors were measured on {FLOORS['sha256']}: "
                f"measure again ({FLOORS['measured_with']}) and update tests/data"
            )
        pages = heldout_synth.wcxb_pages(path.parent)
        return heldout_synth.build(pages, "wcxb", seed, every_family=False)[
            : sample * len(FAMILIES)
        ]
    articles = heldout_synth.own_articles(group)
    pages = [(a["id"], heldout_synth.paragraphs_of("\n".join(a["paragraphs"]))) for a in articles]
    return heldout_synth.build(pages, group, seed, every_family=True)


@pytest.fixture(scope="module", params=sorted(FLOORS["groups"]))
def group(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, str]], list[str]]:
    records = _records(request.param, FLOORS["seed"], FLOORS["sample_per_family"])
    return request.param, records, [dedup.clean(r["text"]) for r in records]


def test_the_cjk_articles_are_articles() -> None:
    """At least twelve Japanese articles of four to eight paragraphs, four longer pages or
    more of twelve to twenty-four lines (a title and a byline over headings, lists, a spec
    sheet, a thread of replies, a recipe's two lists of ingredients, questions and answers),
    and some Chinese articles (a live blog's entries among them)."""
    articles = heldout_synth.read_articles()
    ja = [a for a in articles if a["lang"] == "ja"]
    assert sum(4 <= len(a["paragraphs"]) <= 8 for a in ja) >= 12
    assert sum(12 <= len(a["paragraphs"]) <= 24 for a in ja) >= 4
    assert all(4 <= len(a["paragraphs"]) <= 24 for a in articles)
    assert any(a["lang"] == "zh" for a in articles)
    assert {a["register"] for a in ja} >= {"news", "blog", "product", "forum", "recipe", "faq"}
    assert len({a["id"] for a in articles}) == len(articles)


def test_the_world_articles_are_articles() -> None:
    """Two articles in each of eight languages of other scripts and punctuation (Thai without
    sentence marks, Hindi's danda, Arabic's comma and question mark, Greek's question mark
    ``;``), of four to eight body paragraphs, in the four registers; and longer pages of eleven
    to twenty-four lines (headings, lists, specs, replies under user names and dates, their
    quotes, recipes, a how-to, an interview, terms of service, an encyclopedia's article under
    its contents, a live blog, pull quotes) in Korean, Russian, German, French, Spanish,
    Portuguese, Polish, Turkish, Indonesian, Dutch, Persian, English, Italian, Vietnamese and
    Arabic."""
    articles = heldout_synth.own_articles("world")
    short = [a for a in articles if len(a["paragraphs"]) <= 10]
    langs = {a["lang"] for a in short}
    assert langs == {"th", "ko", "vi", "hi", "ar", "he", "ru", "el"}
    assert all(sum(a["lang"] == lang for a in short) == 2 for lang in langs)
    assert all(len(a["paragraphs"]) >= 6 for a in short)
    assert {a["register"] for a in short} == {"news", "blog", "product", "forum"}
    longer = [a for a in articles if a not in short]
    langs = {
        "ko",
        "ru",
        "de",
        "fr",
        "es",
        "pt",
        "pl",
        "tr",
        "id",
        "nl",
        "fa",
        "en",
        "it",
        "vi",
        "ar",
    }
    assert {a["lang"] for a in longer} == langs
    assert all(11 <= len(a["paragraphs"]) <= 24 for a in longer)
    assert len({a["id"] for a in articles}) == len(articles)


@pytest.mark.evaluation
def test_heldout_family_scores_stay_above_their_floors(
    group: tuple[str, list[dict[str, str]], list[str]],
) -> None:
    name, records, outputs = group
    scores: dict[str, FamilyScore] = score_families(records, outputs)
    below = [
        f"{name} {family} {metric} {getattr(scores[family], metric):.3f} < {floor}"
        for family, floors in FLOORS["groups"][name].items()
        for metric, floor in floors.items()
        if getattr(scores[family], metric) < floor
    ]
    assert below == []


@pytest.mark.evaluation
def test_no_heldout_removal_loses_its_twin(
    group: tuple[str, list[dict[str, str]], list[str]],
) -> None:
    name, records, _ = group
    lost = [r["id"] for r in records if lost_twins(r["text"], dedup.repair(r["text"]).edits)]
    assert lost == [], name


def _down(value: float, places: int) -> float:
    """``value`` rounded down to ``places`` decimals: a floor never above the figure itself."""
    return math.floor(value * 10**places) / 10**places


def measured(sample_per_family: int, seed: int) -> dict[str, Any]:
    """The figures the floors are set from (run this module as a script to print them)."""
    out: dict[str, Any] = {}
    for name in ("wcxb", *heldout_synth.OWN_GROUPS):
        records = _records(name, seed, sample_per_family)
        scores = score_families(records, [dedup.clean(r["text"]) for r in records])
        out[name] = {
            f: {"exact": _down(s.exact, 3), "similarity": _down(s.similarity, 4)}
            for f, s in scores.items()
        }
    return out


if __name__ == "__main__":
    print(json.dumps(measured(int(sys.argv[1]), int(sys.argv[2])), indent=1))
