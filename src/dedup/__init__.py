"""dedup: repair scraped text and deduplicate corpora.

>>> import dedup
>>> dedup.clean("Nothing to repair here.")
'Nothing to repair here.'
"""

from __future__ import annotations

import typing
from importlib import import_module as _import_module
from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

from dedup.extras import MissingExtraError
from dedup.model import (
    Cleaned,
    ConfigError,
    DedupError,
    DuplicatePair,
    Edit,
    InputError,
    Normalized,
    Repair,
    RepairOptions,
    Span,
    Stage,
    apply_edits,
    replay,
)
from dedup.normalize import NormalizeOptions, normalize, split_glued
from dedup.pipeline import clean, clean_batch
from dedup.repair import repair
from dedup.spans import find_duplicates

if typing.TYPE_CHECKING:
    from dedup.corpus import (
        Boilerplate,
        BoilerplateOptions,
        CorpusOptions,
        Index,
        IndexLockedError,
        exact_hash,
        find_near_duplicates,
    )

# The corpus stage (its shingle tables, SQLite) loads on first use: repairing text never pays
# for it.
_CORPUS = frozenset(
    {
        "Boilerplate",
        "BoilerplateOptions",
        "CorpusOptions",
        "Index",
        "IndexLockedError",
        "exact_hash",
        "find_near_duplicates",
    }
)


def __getattr__(name: str) -> typing.Any:
    if name in _CORPUS:
        return getattr(_import_module("dedup.corpus"), name)
    raise AttributeError(f"module 'dedup' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names (:data:`__all__`), the corpus ones too before their first use."""
    return sorted(__all__)


try:
    __version__ = _version("dedup-text")
except _PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "Boilerplate",
    "BoilerplateOptions",
    "Cleaned",
    "ConfigError",
    "CorpusOptions",
    "DedupError",
    "DuplicatePair",
    "Edit",
    "Index",
    "IndexLockedError",
    "InputError",
    "MissingExtraError",
    "NormalizeOptions",
    "Normalized",
    "Repair",
    "RepairOptions",
    "Span",
    "Stage",
    "__version__",
    "apply_edits",
    "clean",
    "clean_batch",
    "exact_hash",
    "find_duplicates",
    "find_near_duplicates",
    "normalize",
    "repair",
    "replay",
    "split_glued",
]
