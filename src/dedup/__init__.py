"""dedup: repair scraped text and deduplicate corpora.

>>> import dedup
>>> dedup.clean("Nothing to repair here.")
'Nothing to repair here.'
"""

from __future__ import annotations

import sys as _sys
import types as _types
import typing
from importlib import import_module as _import_module

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
    from dedup.extras import MissingExtraError
    from dedup.glued import split_glued
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
    from dedup.normalize import NormalizeOptions, normalize
    from dedup.pipeline import clean, clean_batch
    from dedup.repair import find_duplicates, repair

# Every public name loads its module on first use: ``import dedup`` costs nothing, a program
# that only deduplicates a corpus never loads the repair stage (ftfy, rapidfuzz), and the
# command line loads what its command needs.
_MODULES: dict[str, tuple[str, ...]] = {
    "dedup.corpus": (
        "Boilerplate",
        "BoilerplateOptions",
        "CorpusOptions",
        "Index",
        "IndexLockedError",
        "exact_hash",
        "find_near_duplicates",
    ),
    "dedup.extras": ("MissingExtraError",),
    "dedup.model": (
        "Cleaned",
        "ConfigError",
        "DedupError",
        "DuplicatePair",
        "Edit",
        "InputError",
        "Normalized",
        "Repair",
        "RepairOptions",
        "Span",
        "Stage",
        "apply_edits",
        "replay",
    ),
    "dedup.glued": ("split_glued",),
    "dedup.normalize": ("NormalizeOptions", "normalize"),
    "dedup.pipeline": ("clean", "clean_batch"),
    "dedup.repair": ("find_duplicates", "repair"),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}


class _Package(_types.ModuleType):
    """The package, whose functions ``normalize`` and ``repair`` share their names with its
    modules: importing ``dedup.normalize`` leaves ``dedup.normalize`` the function."""

    def __setattr__(self, name: str, value: typing.Any) -> None:
        if name in _HOME and isinstance(value, _types.ModuleType):
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> typing.Any:
    if name in _HOME:
        value = getattr(_import_module(_HOME[name]), name)
        globals()[name] = value  # later lookups find it directly
        return value
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("dedup-text")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            found = "0.0.0"
        globals()["__version__"] = found
        return found
    raise AttributeError(f"module 'dedup' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names (:data:`__all__`), before their first use too."""
    return sorted(__all__)


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
