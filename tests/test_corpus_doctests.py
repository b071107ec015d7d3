"""The examples in the corpus modules' docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "dedup.corpus",
    "dedup.corpus.boilerplate",
    "dedup.corpus.cluster",
    "dedup.corpus.decide",
    "dedup.corpus.index",
    "dedup.corpus.lsh",
    "dedup.corpus.shingle",
    "dedup.corpus.signature",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
