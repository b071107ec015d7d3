"""An incremental index of documents seen before: one SQLite file, or a Redis server for a fleet.

The index keeps, for each document: its id, the exact hash of its canonical words, the number
of its shingles, when it was first seen, its MinHash signature (one byte a bin), and postings
of three kinds of 64-bit keys: its exact hash, its id, and its first ``bands`` signature bins
(bands of one row: two documents whose Jaccard similarity is ``J`` share one of them with
probability ``1 - (1 - J) ** bands``, 0.92 at ``J = 0.15`` for the default 16). A new text
duplicates an indexed document when their exact hashes are equal, or when they share a band key
and the containment estimated from their signatures and sizes reaches the threshold
(:func:`dedup.corpus.cluster.matches`, the rule of :func:`dedup.corpus.find_near_duplicates`).

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "seen.db")
>>> article = " ".join(f"word{i}" for i in range(200))
>>> with Index(path) as index:
...     index.add("a", article)
...     [m.id for m in index.add("b", "Menu Home " + article)]
[]
['a']
>>> with Index(path, readonly=True) as index:
...     [(m.id, m.kind) for m in index.query(article.upper())]
[('a', 'exact'), ('b', 'near')]

**Documents, ids and runs.** Every document added is stored under a number of its own, in the
order added; its id is a name reported in matches, not a key: two documents with one id and
different texts are both kept (a crawl that reuses ``crawl.jsonl:1`` every day loses nothing).
Adding the same id with the same text again stores nothing new. :meth:`Index.begin_run`
records where a run began, so that a run repeated after a crash does not take the documents
it stored itself for documents seen before (``query_many(..., before=start)``).

**Storage.** ``Index("seen.db")`` keeps everything in one SQLite file
(:mod:`dedup.corpus.index_sqlite`): one writer at a time holds an exclusive lock on
``PATH.lock`` for as long as it is open (a second writer waits up to ``timeout`` seconds, then
gets :class:`IndexLockedError`), any number of readers (``readonly=True``) read a consistent
snapshot meanwhile, and each :meth:`Index.add_many` is one transaction. ``Index(":memory:")``
lasts as long as the object. ``Index("redis://host:6379/0")`` keeps the index on a Redis server
(:mod:`dedup.corpus.index_redis`, ``pip install 'dedup-text[redis]'``): any number of processes on
any number of machines add and query at once, each add atomic.

One :class:`Index` object may be shared by threads: its calls take turns.

The signature scheme, the banding and the index format are stored with the index and checked
when it is opened: an index made with other parameters is refused with :class:`ConfigError`.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt
import xxhash

from dedup.corpus.cluster import CorpusOptions
from dedup.corpus.index_match import EXACT_SALT, Match, Matcher, Prepared, counts, expand
from dedup.corpus.index_sqlite import SqliteStore
from dedup.corpus.shingle import fmix64
from dedup.corpus.signature import SignatureScheme
from dedup.corpus.store import (
    IndexLockedError,
    IndexUnavailableError,
    NotAnIndexError,
    Row,
    Store,
)
from dedup.model import ConfigError, DedupError, InputError, check_int, check_text, with_overrides

__all__ = [
    "FORMAT_VERSION",
    "Entry",
    "Index",
    "IndexLockedError",
    "IndexStats",
    "IndexUnavailableError",
    "Match",
    "NotAnIndexError",
    "index_banding",
]

#: The layout of an index; bumped when what it stores changes. 2: documents keyed by number
#: (ids may repeat), one-row bands, one-byte signature bins, postings in groups, runs. 3: the
#: postings of recent batches packed, a row per batch and key prefix.
FORMAT_VERSION = 3
#: One-row bands an index keeps per document unless ``bands`` and ``rows`` are set.
INDEX_BANDS = 16

_ID_SALT = 0xBB67AE8584CAA73B
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


@dataclass(frozen=True, slots=True)
class Entry:
    """One indexed document: its id, when it was added (``first_seen``, seconds since the epoch,
    UTC) and how many shingles it has."""

    id: str
    first_seen: float
    shingles: int


@dataclass(frozen=True, slots=True)
class IndexStats:
    """What an index holds: how many documents, added between ``first_seen`` and
    ``last_seen`` (``None`` when empty), and the options it was built with."""

    documents: int
    first_seen: float | None
    last_seen: float | None
    threshold: float
    bands: int
    rows: int
    format: int


def index_banding(options: CorpusOptions) -> tuple[int, int]:
    """The bands an index keeps: ``options.bands`` and ``options.rows`` when set, else
    :data:`INDEX_BANDS` bands of one row."""
    if options.bands:
        return options.bands, options.rows
    return min(INDEX_BANDS, options.num_perm), 1


class Index:
    """A persistent index of documents: ``add``, ``add_many``, ``query`` and ``query_many``.

    ``path`` is a file (created when missing), ``":memory:"``, or a Redis URL
    (``redis://[:password@]host:port/db``, ``rediss://...``, ``unix://path?db=N``) with
    ``namespace`` (default ``"dedup"``) naming the index on that server. ``options`` (or
    keyword overrides of :class:`CorpusOptions`) set the threshold and, for a new index, the
    signature scheme and banding; an existing index must match them. With ``readonly=True``
    the index must exist and nothing is written. ``timeout`` is how long a writer waits for
    the lock of an SQLite file (and how long a Redis server may take to answer); ``cache_mb``
    is SQLite's page cache for this connection.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        options: CorpusOptions | None = None,
        *,
        readonly: bool = False,
        timeout: float = 0.0,
        cache_mb: int = 64,
        namespace: str | None = None,
        **overrides: Any,
    ) -> None:
        self.options = with_overrides(options, CorpusOptions, overrides)
        check_int("cache_mb", cache_mb, 1)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise ConfigError(f"option timeout must be a number of seconds, not {timeout!r}")
        if not 0 <= timeout < math.inf:
            raise ConfigError(f"option timeout={timeout} is out of range: use 0 or more seconds")
        self.readonly = bool(readonly)
        self._scheme = self.options.scheme
        self._bands, self._rows = index_banding(self.options)
        self._match = Matcher(self.options, self._scheme, self._bands, self._rows)
        self._guard = threading.RLock()
        self._store: Store | None = None
        location = _location(path)
        self.path: str | Path = location
        if isinstance(location, str):
            from dedup.corpus.index_redis import RedisStore

            self._store = RedisStore(
                location,
                namespace=namespace,
                readonly=self.readonly,
                timeout=timeout,
                width=self._scheme.num_perm,
                cap=self.options.max_bucket,
            )
        else:
            if namespace is not None:
                raise ConfigError("option namespace is for Redis indexes: drop it for a file")
            memory = location == Path(":memory:") and str(path) == ":memory:"
            if memory and self.readonly:
                raise InputError("an index in memory cannot be opened read-only: it is empty")
            if not memory:
                if location.is_dir():
                    raise InputError(
                        f"index {location} is a directory: give the path of a file, "
                        f"e.g. {location / 'seen.db'}"
                    )
                if self.readonly and not location.exists():
                    raise InputError(f"index {location} does not exist: add documents to it first")
                folder = location.parent
                if not self.readonly and not folder.is_dir():
                    what = "is not a directory" if folder.exists() else "does not exist"
                    raise InputError(
                        f"index {location} cannot be made: {folder} {what}",
                        hint="create the directory first, or give a path in one that exists",
                        path=location,
                    )
            self._store = SqliteStore(
                location, readonly=self.readonly, timeout=timeout, cache_mb=cache_mb, memory=memory
            )
        try:
            self._check_or_create()
        except BaseException:
            self.close()
            raise

    # -- life cycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the index and release the writer's lock (idempotent)."""
        with self._guard:
            if self._store is not None:
                self._store.close()
                self._store = None

    def __enter__(self) -> Index:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def store(self) -> Store:
        """The storage (for tests and tools): SQLite or Redis."""
        if self._store is None:
            raise InputError(f"index {self.path} is closed")
        return self._store

    def __len__(self) -> int:
        with self._guard:
            return self.store.count()

    def ids(self) -> list[str]:
        """The ids of the indexed documents, in the order they were added (an id repeats when
        it names several texts)."""
        with self._guard, self.store.reading():
            return [row.id for row in self.store.scan(None)]

    def __contains__(self, doc_id: object) -> bool:
        """Whether a document with this id is indexed."""
        if not isinstance(doc_id, str):
            return False
        with self._guard, self.store.reading():
            keys = np.array([_id_key(doc_id)], dtype=np.uint64)
            _, docs = self.store.lookup(keys)
            return any(row.id == doc_id for row in self.store.rows(docs.tolist()).values())

    def _check_or_create(self) -> None:
        store = self.store
        wanted = {
            "format": str(FORMAT_VERSION),
            "scheme": json.dumps(self._scheme.to_dict(), sort_keys=True),
            "banding": json.dumps([self._bands, self._rows]),
        }
        stored = store.meta()
        if stored is None:
            if self.readonly:
                raise NotAnIndexError(
                    f"{store.where} is empty, not a dedup index",
                    hint="add documents to it first",
                    path=store.where,
                    reason="empty",
                )
            store.create(wanted)
            return
        if stored.get("format") != wanted["format"]:
            raise ConfigError(
                f"index {store.where} has format {stored.get('format')}, this version of dedup "
                f"reads format {FORMAT_VERSION}: build a new index (move the old one away and "
                "run again over the documents it should hold)"
            )
        try:
            theirs = SignatureScheme(**json.loads(stored["scheme"]))
            bands, rows = json.loads(stored["banding"])
        except (KeyError, TypeError, ValueError, DedupError) as exc:
            raise NotAnIndexError(
                f"index {store.where} has broken metadata ({type(exc).__name__}: {exc})",
                hint="rebuild it from its sources",
                path=store.where,
                reason="broken-metadata",
            ) from None
        store.check_tables()
        self._scheme.check(theirs, where=f"index {store.where}")
        if [bands, rows] != [self._bands, self._rows]:
            raise ConfigError(
                f"index {store.where} was built with bands={bands}, rows={rows}; these options "
                f"give bands={self._bands}, rows={self._rows}: open it with "
                f"bands={bands}, rows={rows}"
            )

    # -- reading ------------------------------------------------------------------------------

    def _lookup(
        self, prep: Prepared, extra: npt.NDArray[np.uint64]
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        active = prep.sizes > 0
        keys = np.concatenate([prep.bands[active].ravel(), prep.exact_keys, extra])
        return self.store.lookup(keys)

    def query(self, text: str, *, before: int | None = None) -> list[Match]:
        """Indexed documents that ``text`` duplicates: exact matches first, then near ones by
        descending score. With ``before`` (from :meth:`begin_run`), only documents added
        before that point count."""
        return self.query_many([check_text(text)], before=before)[0]

    def query_many(self, texts: Sequence[str], *, before: int | None = None) -> list[list[Match]]:
        """:meth:`query` for many texts at once (faster: one lookup for the batch)."""
        for n, text in enumerate(texts):
            check_text(text, name=f"text {n}")
        if before is not None:
            check_int("before", before, 1)
        if not texts:
            return []
        prep = self._match.prepare(texts)
        with self._guard, self.store.reading():
            found = self._lookup(prep, np.empty(0, dtype=np.uint64))
            return self._match.stored_matches(self.store, prep, found, before=before)

    def begin_run(self, run: str) -> int:
        """The point where the run named ``run`` began, recorded the first time it is asked
        for: the number the next document added will get. A run that stores its documents
        and later runs again (after a crash, or on purpose) passes it as ``before`` to
        :meth:`query_many`, so that the documents it stored itself (and any added since)
        are not seen before it. A read-only index records nothing."""
        if not isinstance(run, str) or not run:
            raise InputError("a run is named by a non-empty str")
        with self._guard:
            return self.store.begin_run(run)

    # -- writing ------------------------------------------------------------------------------

    def add(self, doc_id: str, text: str, *, now: float | None = None) -> list[Match]:
        """Add one document (one transaction); returns what it duplicated before it was added.

        A document already indexed with this id and the same canonical words is not stored
        again (its matches are still returned)."""
        return self.add_many([(doc_id, text)], now=now)[0]

    def add_many(
        self, items: Iterable[tuple[str, str]], *, now: float | None = None
    ) -> list[list[Match]]:
        """Add documents in one transaction: all are stored, or none (on any error).

        Returns, for each document in order, what it duplicated among the documents indexed
        before it: those of earlier batches (with Redis, also those other processes added
        meanwhile), then earlier items of the same batch. A document whose id and canonical
        words are both those of an indexed document (or of an earlier item of the batch) is
        not stored again; the same id with other words is a document of its own."""
        pairs = _check_items(items)
        stamp = _check_now(now)
        if self.readonly:
            raise InputError(f"index {self.path} is open read-only")
        if not pairs:
            return []
        ids = [doc_id for doc_id, _ in pairs]
        prep = self._match.prepare([text for _, text in pairs])
        id_keys = np.array([_id_key(i) for i in ids], dtype=np.uint64)
        with self._guard:
            store = self.store
            snapshot = store.next_doc() - 1  # the last document stored before this batch
            found = self._lookup(prep, id_keys)
            results = self._match.stored_matches(self.store, prep, found)
            known = self._known(found, id_keys)
            new: list[int] = []
            for i, (doc_id, exact) in enumerate(zip(ids, prep.exact, strict=True)):
                if (doc_id, exact) not in known:
                    known.add((doc_id, exact))
                    new.append(i)
            numbers = self._write(prep, ids, id_keys, new, found, stamp) if new else []
            if store.concurrent and new:
                # Documents other writers stored between our reading and our writing come
                # before ours: each item of ours that was stored sees those numbered below
                # its own number; one that another writer had stored meanwhile (0) sees all.
                late = self._lookup(prep, np.empty(0, dtype=np.uint64))
                bound = np.full(len(ids), np.iinfo(np.int64).max, dtype=np.int64)
                for i, number in zip(new, numbers, strict=True):
                    if number:
                        bound[i] = number
                bound[np.setdiff1d(np.arange(len(ids)), new)] = snapshot + 1
                mine_numbers = np.array([n for n in numbers if n], dtype=np.int64)
                extra = self._match.stored_matches(
                    self.store, prep, late, before=bound, after=snapshot, exclude=mine_numbers
                )
                for mine, theirs in zip(results, extra, strict=True):
                    mine.extend(m for m in theirs if m not in mine)
        for mine, theirs in zip(results, self._match.batch_matches(prep, ids, stamp), strict=True):
            mine.extend(theirs)
            mine.sort(key=lambda m: (m.kind != "exact", -m.score))
        return results

    def _known(
        self,
        found: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]],
        id_keys: npt.NDArray[np.uint64],
    ) -> set[tuple[str, bytes]]:
        """The ``(id, exact hash)`` pairs stored under the ids ``id_keys`` name."""
        _, docs, _ = expand(found, id_keys, np.arange(len(id_keys), dtype=np.int64), None)
        return {(row.id, row.exact) for row in self.store.rows(docs.tolist()).values()}

    def _write(
        self,
        prep: Prepared,
        ids: Sequence[str],
        id_keys: npt.NDArray[np.uint64],
        new: list[int],
        found: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]],
        stamp: float,
    ) -> list[int]:
        """Store the items ``new`` of the batch with their postings; a band key that more
        than ``max_bucket`` documents carry already is not posted again (it proposes nothing)."""
        chosen = np.array(new, dtype=np.int64)
        bands = prep.bands.shape[1]
        with_shingles = chosen[prep.sizes[chosen] > 0]
        band_flat = prep.bands[with_shingles].ravel()
        band_owner = np.repeat(np.arange(len(chosen))[prep.sizes[chosen] > 0], bands)
        posted = counts(found, band_flat) <= self.options.max_bucket
        local = np.arange(len(chosen), dtype=np.int64)
        keys = np.concatenate([band_flat[posted], prep.exact_keys[chosen], id_keys[chosen]])
        owners = np.concatenate([band_owner[posted], local, local])
        rows = [
            (ids[i], prep.exact[i], int(prep.sizes[i]), stamp, prep.sigs[i].tobytes()) for i in new
        ]
        return self.store.write(rows, keys, owners)

    # -- looking inside, forgetting ------------------------------------------------------------

    def stats(self) -> IndexStats:
        """How many documents the index holds, when they were added, and its options."""
        with self._guard, self.store.reading():
            first, last = self.store.span()
            return IndexStats(
                documents=self.store.count(),
                first_seen=first,
                last_seen=last,
                threshold=self.options.threshold,
                bands=self._bands,
                rows=self._rows,
                format=FORMAT_VERSION,
            )

    def _with_id(self, doc_id: str) -> list[Row]:
        """The stored documents named ``doc_id``, in the order they were added."""
        _, docs = self.store.lookup(np.array([_id_key(doc_id)], dtype=np.uint64))
        rows = self.store.rows(docs.tolist())
        return [rows[d] for d in sorted(rows) if rows[d].id == doc_id]

    def entry(self, doc_id: str) -> Entry | None:
        """The indexed document ``doc_id`` (the first added, when the id names several), or
        ``None``."""
        with self._guard, self.store.reading():
            found = self._with_id(doc_id) if isinstance(doc_id, str) else []
        return Entry(found[0].id, found[0].first_seen, found[0].size) if found else None

    def entries(self, *, since: float | None = None) -> Iterator[Entry]:
        """The indexed documents in the order they were added; with ``since``, those added at
        or after that time (seconds since the epoch)."""
        with self._guard, self.store.reading():
            rows = list(self.store.scan(since))
        for row in rows:
            yield Entry(row.id, row.first_seen, row.size)

    def forget(self, ids: Iterable[str]) -> int:
        """Remove the documents named ``ids`` (every document an id names; one transaction; ids
        not in the index are passed over): later texts no longer match them. Returns how many
        documents were removed."""
        if self.readonly:
            raise InputError(f"index {self.path} is open read-only")
        wanted = [i for i in dict.fromkeys(ids) if isinstance(i, str)]
        with self._guard:
            docs = [row.doc for doc_id in wanted for row in self._with_id(doc_id)]
            return self.store.forget(docs) if docs else 0

    # -- checking -----------------------------------------------------------------------------

    def check(self) -> list[str]:
        """Problems found in the index (empty when it is sound): the storage's own checks
        (SQLite's integrity check), signatures of the wrong width, and documents without the
        postings of their id or exact hash. Reads the whole index."""
        with self._guard, self.store.reading():
            store = self.store
            problems = store.problems(self._scheme.num_perm)
            wanted: dict[int, list[int]] = {}
            for row in store.scan(None):
                head = np.frombuffer(row.exact[:8], dtype="<u8").astype(np.uint64)
                wanted[row.doc] = [int(fmix64(head ^ EXACT_SALT)[0]), _id_key(row.id)]
            if len(wanted) != store.count():
                problems.append(f"{len(wanted)} documents, the index counts {store.count()}")
            missing = store.missing_postings(wanted)
            if missing:
                problems.append(f"{missing} documents have no postings of their id or exact hash")
            return problems


def _location(path: object) -> str | Path:
    """A Redis URL (``str``) or a file path (``Path``), from what the caller passed."""
    if isinstance(path, str) and path.startswith(_REDIS_SCHEMES):
        return path
    if isinstance(path, (str, os.PathLike)):
        text = os.fspath(path)
        if isinstance(text, str) and text:
            if "\x00" in text:
                raise InputError(f"index path {text!r} contains a NUL character")
            return Path(text)
    raise InputError(
        f"the index must be a file path or a redis:// URL, not {_describe(path)}: "
        "e.g. Index('seen.db') or Index('redis://localhost:6379/0')"
    )


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_items(items: object) -> list[tuple[str, str]]:
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise InputError(
            f"add_many takes (id, text) pairs, not {_describe(items)}: "
            "e.g. add_many([('a', 'some text')])"
        )
    pairs: list[tuple[str, str]] = []
    for n, item in enumerate(items):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise InputError(
                f"item {n}: expected an (id, text) pair, not {_describe(item)}: "
                "e.g. ('doc-1', 'some text')"
            )
        doc_id, text = item
        if not isinstance(doc_id, str) or not doc_id:
            raise InputError(f"item {n}: the document id must be a non-empty str")
        check_text(text, name=f"item {n} ({doc_id!r}) text")
        pairs.append((doc_id, text))
    return pairs


def _check_now(now: object) -> float:
    if now is None:
        return time.time()
    if isinstance(now, bool) or not isinstance(now, (int, float)) or not math.isfinite(now):
        raise InputError(
            f"now must be a finite number of seconds since the epoch (UTC), not {_describe(now)}"
        )
    return float(now)


def _id_key(doc_id: str) -> int:
    return xxhash.xxh3_64_intdigest(doc_id.encode("utf-8", "surrogatepass"), seed=_ID_SALT)
