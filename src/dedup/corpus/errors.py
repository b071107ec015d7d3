"""The errors of an index of earlier runs (:class:`dedup.corpus.Index`), apart from its
storages so that the command line can name them without loading NumPy.

>>> from dedup.model import DedupError
>>> issubclass(IndexLockedError, DedupError), issubclass(NotAnIndexError, InputError)
(True, True)
"""

from __future__ import annotations

import os
from typing import Any

from dedup.model import DedupError, InputError

__all__ = ["IndexLockedError", "IndexStoreError", "IndexUnavailableError", "NotAnIndexError"]


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
