"""Which record of each cluster of duplicates a corpus run keeps: :func:`decide`, a pure
function over the texts (and URLs and ids) of the records, and :func:`remember`, which adds
them to an index once their outputs are written.

A run that uses an index names itself with :func:`run_key` (a hash of its options and of the
ids and texts of its records) and asks the index where it began
(:meth:`dedup.corpus.Index.begin_run`): only the documents indexed before that point are "seen
before". A run killed after it stored some of its records, run again, therefore decides what
it decided the first time; so does the same run repeated later on purpose.

>>> article = " ".join(f"word{i}" for i in range(100))
>>> plan = decide([article, "Menu " + article, "something else entirely"], ids=["a", "b", "c"])
>>> plan.kept, plan.cluster
((True, False, True), ('a', 'a', 'c'))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xxhash

from dedup.corpus.boilerplate import Boilerplate, BoilerplateOptions, site_of
from dedup.corpus.cluster import CorpusOptions, find_near_duplicates, groups
from dedup.corpus.defaults import INDEX_BATCH
from dedup.corpus.index import Index
from dedup.model import InputError, check_int

__all__ = ["INDEX_BATCH", "Plan", "Seen", "decide", "remember", "run_key"]


@dataclass(frozen=True, slots=True)
class Plan:
    """What :func:`decide` decided, one entry per record.

    - ``texts``: the text to write (boilerplate removed when asked).
    - ``kept``: whether the record is the one its cluster keeps.
    - ``cluster``: the id of the record its cluster keeps (or of the indexed document it
      duplicates): equal for the records of one cluster.
    - ``boilerplate``: how many lines were removed as site boilerplate.
    - ``seen_before``: records whose cluster was already in the index.
    """

    texts: tuple[str, ...]
    kept: tuple[bool, ...]
    cluster: tuple[str, ...]
    boilerplate: tuple[int, ...]
    seen_before: int
    exact_duplicates: int


@dataclass(frozen=True, slots=True)
class Seen:
    """The index a run checks its records against: the documents numbered below ``before``
    count (all of them when ``None``; :meth:`Index.begin_run` gives where this run began),
    queried ``batch`` texts at a time."""

    index: Index
    before: int | None = None
    batch: int = INDEX_BATCH

    def __post_init__(self) -> None:
        check_int("batch", self.batch, 1)


def decide(
    texts: Sequence[str],
    options: CorpusOptions | None = None,
    *,
    ids: Sequence[str] | None = None,
    urls: Sequence[object] | None = None,
    boilerplate: BoilerplateOptions | None = None,
    seen: Seen | None = None,
) -> Plan:
    """Cluster ``texts`` and decide which record of each cluster to keep.

    With ``boilerplate``, site boilerplate (sites from ``urls``) is removed first. With
    ``seen``, a cluster with a member that duplicates a document of ``seen.index`` indexed
    before this run keeps nothing: the earlier copy was kept then. The index is only read:
    :func:`remember` adds the records once the outputs that hold them are written.
    """
    opts = options or CorpusOptions()
    names = list(ids) if ids is not None else [str(i) for i in range(len(texts))]
    if len(names) != len(texts):
        raise InputError(f"{len(names)} ids for {len(texts)} texts")
    cleaned = list(texts)
    removed = [0] * len(texts)
    if boilerplate is not None:
        sites = [site_of(u) for u in (urls if urls is not None else [None] * len(texts))]
        model = Boilerplate.learn(zip(sites, cleaned, strict=True), boilerplate)
        for i, site in enumerate(sites):
            result = model.remove(cleaned[i], site)
            cleaned[i] = result.text
            removed[i] = len(result.edits)
    clusters = find_near_duplicates(cleaned, opts)
    kept = [False] * len(texts)
    cluster = [""] * len(texts)
    earlier: dict[int, str] = {}
    if seen is not None:
        for start in range(0, len(texts), seen.batch):
            stop = min(start + seen.batch, len(texts))
            found = seen.index.query_many(cleaned[start:stop], before=seen.before)
            for offset, matches in enumerate(found):
                if matches:
                    earlier.setdefault(clusters.labels[start + offset], matches[0].id)
    seen_before = 0
    for members, keeper in zip(
        groups(np.asarray(clusters.labels, dtype=np.int64)), clusters.kept, strict=True
    ):
        label = clusters.labels[members[0]]
        if label in earlier:
            seen_before += len(members)
            for i in members:
                cluster[i] = earlier[label]
            continue
        kept[keeper] = True
        for i in members:
            cluster[i] = names[keeper]
    return Plan(
        tuple(cleaned),
        tuple(kept),
        tuple(cluster),
        tuple(removed),
        seen_before,
        clusters.exact_duplicates,
    )


def run_key(
    ids: Sequence[str], texts: Sequence[str], options: CorpusOptions, *, extra: str = ""
) -> str:
    """A name for a run: a hash of its options (and ``extra``, what else decides its output)
    and of the ids and texts of its records, in order. The same command over the same input
    gets the same name.

    >>> run_key(["a"], ["text"], CorpusOptions()) == run_key(["a"], ["text"], CorpusOptions())
    True
    >>> run_key(["a"], ["text"], CorpusOptions()) == run_key(["b"], ["text"], CorpusOptions())
    False
    """
    digest = xxhash.xxh3_128()
    digest.update(f"{options!r}\x00{extra}\x00{len(texts)}\x00".encode())
    for doc_id, text in zip(ids, texts, strict=True):
        for part in (doc_id, text):
            data = part.encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "little"))
            digest.update(data)
    return f"corpus:{digest.hexdigest()}"


def remember(
    index: Index, ids: Sequence[str], texts: Sequence[str], *, batch: int = INDEX_BATCH
) -> None:
    """Add the records to ``index``, ``batch`` at a time, each batch one transaction (a crash
    keeps the batches committed before it)."""
    check_int("batch", batch, 1)
    for start in range(0, len(texts), batch):
        stop = min(start + batch, len(texts))
        index.add_many(zip(ids[start:stop], texts[start:stop], strict=True))
