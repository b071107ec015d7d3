"""Occurrences.find answers as str.find does, with its index built or not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.occurrences import WIDTH, Occurrences
from dedup.tokens import skeleton

# Few letters, so that keys recur, overlap, and windows are common.
_TEXTS = st.text(alphabet="abé中", min_size=0, max_size=300)


@settings(max_examples=400)
@given(
    text=_TEXTS,
    picks=st.lists(
        st.tuples(st.integers(0, 300), st.integers(0, 40), st.integers(0, 320), st.booleans()),
        min_size=1,
        max_size=20,
    ),
    build_after=st.sampled_from([0, 1, 1000]),
)
def test_find_is_str_find(
    text: str, picks: list[tuple[int, int, int, bool]], build_after: int
) -> None:
    found = Occurrences(text, build_after=build_after, scanned=0)
    for start, size, lo, bounded in picks:
        key = text[start : start + size] or "ab" * size
        hi = lo + start + size if bounded else None
        assert found.find(key, lo, hi) == text.find(key, lo, hi), (key, lo, hi)


def test_a_common_window_is_scanned_for() -> None:
    # every window of the key starts at more places than the index filters on
    text = "a" * 5000 + "ab" + "a" * 20
    found = Occurrences(text, build_after=0, scanned=0)
    key = "a" * (WIDTH + 3) + "b"
    assert found.find(key) == text.find(key) == 5000 - WIDTH - 2


@pytest.mark.parametrize("key", ["vie", "privée", "publiqueetprivée", "vieprivéevie"])
def test_the_skeleton_finds_as_its_letters_do(key: str) -> None:
    sk = skeleton("Vie privée. Vie publique et privée. " * 40)
    letters = sk.letters()
    sk.occurrences.append(Occurrences(letters, build_after=0, scanned=0))
    for lo in (0, 1, 17, len(letters) - 20):
        assert sk.find(key, lo) == letters.find(key, lo)
        assert sk.find(key, lo, lo + 40) == letters.find(key, lo, lo + 40)


def test_repair_with_the_index_built_at_once_is_repair(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every golden case repaired with each skeleton's index built at its first look-up (the
    index answers what scans answer on short texts) gives the same text and edits."""
    import json

    import dedup
    import dedup.occurrences
    from conftest import ROOT

    cases = json.loads((ROOT / "tests" / "data" / "golden_repair.json").read_text("utf-8"))
    scanned = [dedup.repair(case["text"]) for case in cases]
    monkeypatch.setattr(dedup.occurrences, "_BUILD_AFTER", 0)
    monkeypatch.setattr(dedup.occurrences, "_SCANNED", 0)
    for case, before in zip(cases, scanned, strict=True):
        assert dedup.repair(case["text"]) == before, case["id"]
