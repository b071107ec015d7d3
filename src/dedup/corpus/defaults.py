"""The corpus stages' defaults and choices, apart from the stages (which load NumPy), so that
the command line can show them in ``dedup corpus --help`` and ``dedup index --help`` without
loading them.

>>> from dedup.corpus.cluster import CorpusOptions
>>> CorpusOptions().threshold == THRESHOLD, CorpusOptions().keep == KEEP_POLICIES[0]
(True, True)
"""

from __future__ import annotations

from typing import Literal

__all__ = ["INDEX_BATCH", "KEEP_POLICIES", "THRESHOLD", "Keep"]

#: The record each cluster keeps: the first seen, the longest, or the best formed.
Keep = Literal["first", "longest", "best"]
KEEP_POLICIES: tuple[Keep, ...] = ("first", "longest", "best")

#: The share of the smaller document's shingles that must lie in the larger.
THRESHOLD = 0.75

#: Texts an index is queried for, or records added to it, at a time (one transaction).
INDEX_BATCH = 20_000
