"""What the storages of :class:`dedup.corpus.Index` share: the row of a stored document, the
errors they raise, and a helper on sorted keys."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dedup.model import DedupError, InputError

__all__ = ["IndexLockedError", "IndexUnavailableError", "NotAnIndexError", "Row", "distinct"]


class IndexLockedError(DedupError):
    """Another writer has the index open; open it with ``readonly=True`` or try later.

    ``path`` is the index, ``lock`` the lock file another process holds.
    """

    def __init__(self, message: str, *, path: str, lock: str) -> None:
        super().__init__(message)
        self.path = path
        self.lock = lock


class NotAnIndexError(InputError):
    """A file that is not a dedup index, or one that is damaged; ``path`` names it and
    ``reason`` says what was found."""

    def __init__(self, message: str, *, path: str, reason: str) -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason


class IndexUnavailableError(DedupError):
    """The index's server cannot be reached (or stopped answering); ``where`` names it and
    ``reason`` says what happened."""

    def __init__(self, message: str, *, where: str, reason: str) -> None:
        super().__init__(message)
        self.where = where
        self.reason = reason


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
