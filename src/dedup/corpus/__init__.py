"""Corpus deduplication: exact and near-duplicate documents, site boilerplate, an index.

>>> from dedup.corpus import find_near_duplicates
>>> find_near_duplicates(["Same words here.", "same words, here!", "Other words."]).labels
(0, 0, 2)

Modules: :mod:`~dedup.corpus.shingle` (canonical words, exact hash, shingles),
:mod:`~dedup.corpus.signature` (MinHash), :mod:`~dedup.corpus.lsh` (bands and candidates),
:mod:`~dedup.corpus.cluster` (the clustering of a batch, union-find, keep policy),
:mod:`~dedup.corpus.boilerplate` (site boilerplate), :mod:`~dedup.corpus.index` (the SQLite
index, the only one that does I/O) and :mod:`~dedup.corpus.decide` (which record of each
cluster a run keeps, with boilerplate and an index).
"""

from __future__ import annotations

import typing
from importlib import import_module

if typing.TYPE_CHECKING:
    from dedup.corpus.boilerplate import Boilerplate, BoilerplateOptions, site_of
    from dedup.corpus.cluster import (
        Clusters,
        CorpusOptions,
        UnionFind,
        choose_kept,
        find_near_duplicates,
    )
    from dedup.corpus.index import Entry, Index, IndexLockedError, IndexStats, Match
    from dedup.corpus.shingle import canonical_text, exact_hash, shingle_hashes
    from dedup.corpus.signature import SignatureScheme

# Each name loads its module on first use: a program that reads one module of the package
# (the command line reads the store's errors, say) does not load the others.
_HOME = {
    **dict.fromkeys(("Boilerplate", "BoilerplateOptions", "site_of"), "boilerplate"),
    **dict.fromkeys(
        ("Clusters", "CorpusOptions", "UnionFind", "choose_kept", "find_near_duplicates"),
        "cluster",
    ),
    **dict.fromkeys(("Entry", "Index", "IndexLockedError", "IndexStats", "Match"), "index"),
    **dict.fromkeys(("canonical_text", "exact_hash", "shingle_hashes"), "shingle"),
    "SignatureScheme": "signature",
}


def __getattr__(name: str) -> typing.Any:
    if name not in _HOME:
        raise AttributeError(f"module 'dedup.corpus' has no attribute {name!r}")
    value = getattr(import_module(f"dedup.corpus.{_HOME[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Boilerplate",
    "BoilerplateOptions",
    "Clusters",
    "CorpusOptions",
    "Entry",
    "Index",
    "IndexLockedError",
    "IndexStats",
    "Match",
    "SignatureScheme",
    "UnionFind",
    "canonical_text",
    "choose_kept",
    "exact_hash",
    "find_near_duplicates",
    "shingle_hashes",
    "site_of",
]
