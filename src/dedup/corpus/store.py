"""What the storages of :class:`dedup.corpus.Index` share: the row of a stored document, the
errors they raise, and a helper on sorted keys.

>>> distinct(np.array([3, 1, 3], dtype=np.uint64)).tolist()
[1, 3]
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup.model import DedupError, InputError

__all__ = [
    "IndexLockedError",
    "IndexStoreError",
    "IndexUnavailableError",
    "NotAnIndexError",
    "Row",
    "distinct",
]


class IndexLockedError(DedupError):
    """Another writer has the index open; open it with ``readonly=True`` or try later.

    ``path`` is the index, ``lock_path`` the lock file the other writer holds."""

    def __init__(
        self, message: str, *, lock_path: str | os.PathLike[str] | None = None, **fields: Any
    ) -> None:
        super().__init__(message, **fields)
        self.lock_path = None if lock_path is None else os.fspath(lock_path)


class NotAnIndexError(InputError):
    """A file (or a Redis namespace) that is not a dedup index, or one that is damaged:
    ``path`` names it, ``reason`` says what was found."""


class IndexUnavailableError(DedupError):
    """The index's server cannot be reached, or stopped answering: ``path`` is where it was
    looked for (a URL without its password)."""


class IndexStoreError(DedupError):
    """The index's server refused a command (out of memory, a read-only replica...)."""


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
