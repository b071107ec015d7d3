"""What the storages of :class:`dedup.corpus.Index` share: what the index asks of them
(:class:`Store`), the row of a stored document, the errors they raise
(:mod:`dedup.corpus.errors`), and a helper on sorted keys.

>>> distinct(np.array([3, 1, 3], dtype=np.uint64)).tolist()
[1, 3]
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from dedup.corpus.errors import (
    IndexLockedError,
    IndexStoreError,
    IndexUnavailableError,
    NotAnIndexError,
)

__all__ = [
    "IndexLockedError",
    "IndexStoreError",
    "IndexUnavailableError",
    "NotAnIndexError",
    "Row",
    "Store",
    "distinct",
]


@dataclass(frozen=True, slots=True)
class Row:
    """A stored document: its number (the order it was added in), id, exact hash, shingle
    count, first-seen time and signature (one byte a bin)."""

    doc: int
    id: str
    exact: bytes
    size: int
    first_seen: float
    sig: bytes


def distinct(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The sorted distinct ``values`` (by sorting: numpy's ``unique`` hashes 64-bit integers,
    several times slower)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]]


class Store(Protocol):
    """What :class:`Index` needs of its storage (SQLite or Redis)."""

    where: str
    readonly: bool
    concurrent: bool

    def reading(self) -> contextlib.AbstractContextManager[None]: ...
    def meta(self) -> dict[str, str] | None: ...
    def create(self, meta: dict[str, str]) -> None: ...
    def check_tables(self) -> None: ...
    def close(self) -> None: ...
    def count(self) -> int: ...
    def next_doc(self) -> int: ...
    def forget(self, docs: Sequence[int]) -> int: ...
    def span(self) -> tuple[float | None, float | None]: ...
    def scan(self, since: float | None) -> Iterator[Row]: ...
    def lookup(
        self, keys: npt.NDArray[np.uint64]
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]: ...
    def rows(self, docs: Sequence[int]) -> dict[int, Row]: ...
    def begin_run(self, run: str) -> int: ...
    def write(
        self,
        rows: Sequence[tuple[str, bytes, int, float, bytes]],
        keys: npt.NDArray[np.uint64],
        owners: npt.NDArray[np.int64],
    ) -> list[int]: ...
    def problems(self, width: int) -> list[str]: ...
    def missing_postings(self, wanted: dict[int, list[int]]) -> int: ...
