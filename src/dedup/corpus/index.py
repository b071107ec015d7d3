"""An incremental index of documents seen before, in one SQLite file (no server).

The index keeps, for each document: its id, the exact hash of its canonical words, its MinHash
signature, the number of its shingles, when it was first seen, and its LSH band keys. A new
text is a duplicate of an indexed document when their exact hashes are equal, or when they
share a band key and the containment estimated from their signatures reaches the threshold.

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

Concurrency: SQLite's write-ahead log lets any number of readers (``readonly=True``) read
while one writer writes. A writer holds an exclusive lock on ``PATH.lock`` for as long as it
is open: a second writer waits up to ``timeout`` seconds (default 0) and then gets
:class:`IndexLockedError`. Each :meth:`Index.add_many` batch is one transaction: all of it is
stored, or none.

The signature scheme, the banding and the index format are stored in the file and checked when
it is opened: an index made with other parameters is refused with :class:`ConfigError`.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal

import numpy as np
import numpy.typing as npt

from dedup.corpus.cluster import CorpusOptions, matches
from dedup.corpus.lsh import band_keys, candidate_pairs
from dedup.corpus.shingle import shingle_batch
from dedup.corpus.signature import SignatureScheme, estimate_containment
from dedup.model import (
    ConfigError,
    DedupError,
    InputError,
    check_int,
    check_text,
    with_overrides,
)

__all__ = ["FORMAT_VERSION", "Index", "IndexLockedError", "Match"]

#: The layout of the SQLite file; bumped when tables change.
FORMAT_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    doc INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    exact BLOB NOT NULL,
    size INTEGER NOT NULL,
    first_seen REAL NOT NULL,
    sig BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS docs_exact ON docs (exact);
CREATE TABLE IF NOT EXISTS bands (
    key INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (key, doc)
) WITHOUT ROWID;
"""


class IndexLockedError(DedupError):
    """Another writer has the index open; open it with ``readonly=True`` or try later.

    ``path`` is the index, ``lock_path`` the lock file the other writer holds."""

    def __init__(
        self, message: str, *, lock_path: str | os.PathLike[str] | None = None, **fields: Any
    ) -> None:
        super().__init__(message, **fields)
        self.lock_path = None if lock_path is None else os.fspath(lock_path)


@dataclass(frozen=True, slots=True)
class Match:
    """An indexed document that a text duplicates.

    ``kind`` is ``"exact"`` (same canonical words) or ``"near"``; ``score`` is the estimated
    share of the smaller document inside the larger (1.0 for exact matches); ``first_seen`` is
    when the indexed document was added (seconds since the epoch, UTC).
    """

    id: str
    kind: Literal["exact", "near"]
    score: float
    first_seen: float


@dataclass(frozen=True, slots=True)
class _Batch:
    """Exact hashes, shingle counts, signatures and band keys of a batch of texts."""

    exact: list[bytes]
    sizes: npt.NDArray[np.int64]
    sigs: npt.NDArray[np.uint32]
    keys: npt.NDArray[np.int64]


class Index:
    """A persistent index of documents: ``add``, ``add_many`` and ``query``.

    ``options`` (or keyword overrides of :class:`CorpusOptions`) set the threshold and, for a
    new index, the signature scheme and banding; an existing index must match them. With
    ``readonly=True`` the file must exist and nothing is written. ``cache_mb`` is SQLite's page
    cache for this connection. Band keys land all over the file, so a batch costs about as
    much to commit as the pages it touches: add in large batches (10,000 documents or more)
    when building a big index.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        options: CorpusOptions | None = None,
        *,
        readonly: bool = False,
        timeout: float = 0.0,
        cache_mb: int = 64,
        **overrides: Any,
    ) -> None:
        self.options = with_overrides(options, CorpusOptions, overrides)
        check_int("cache_mb", cache_mb, 1)
        self.path = Path(path)
        self.readonly = readonly
        self._lock: IO[bytes] | None = None
        self._scheme = self.options.scheme
        self._bands, self._rows = self.options.banding
        try:
            self._open(timeout, cache_mb)
        except sqlite3.DatabaseError as exc:
            if not _not_a_database(exc):
                raise
            raise InputError(
                f"{self.path} is not a dedup index: it is not an SQLite database, or a damaged "
                f"one ({exc})",
                hint="give the path of a dedup index, or a new path to build one",
                reason="not-an-index",
                path=self.path,
            ) from exc

    def _open(self, timeout: float, cache_mb: int) -> None:
        if self.readonly:
            if not self.path.exists():
                raise InputError(f"index {self.path} does not exist: add documents to it first")
            uri = f"file:{self.path.resolve().as_posix()}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, timeout=max(timeout, 5.0))
        else:
            self._lock = _acquire(self.path, timeout)
            try:
                self._db = sqlite3.connect(self.path, timeout=max(timeout, 5.0))
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            except BaseException:
                _release(self._lock)
                raise
        self._db.isolation_level = None  # transactions are explicit
        self._db.execute(f"PRAGMA cache_size = -{cache_mb * 1024}")
        try:
            self._check_or_create()
        except BaseException:
            self.close()
            raise

    # -- life cycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the file and release the writer's lock (idempotent)."""
        db = getattr(self, "_db", None)
        if db is not None:
            db.close()
            self._db = None  # type: ignore[assignment]
        if self._lock is not None:
            _release(self._lock)
            self._lock = None

    def __enter__(self) -> Index:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __len__(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM docs").fetchone()[0])

    def ids(self) -> list[str]:
        """The ids of the indexed documents, in the order they were added."""
        return [str(r[0]) for r in self._conn.execute("SELECT id FROM docs ORDER BY doc")]

    def __contains__(self, doc_id: object) -> bool:
        row = self._conn.execute("SELECT 1 FROM docs WHERE id = ?", (doc_id,)).fetchone()
        return row is not None

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise InputError(f"index {self.path} is closed")
        return self._db

    def _check_or_create(self) -> None:
        db = self._conn
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        wanted = {
            "format": str(FORMAT_VERSION),
            "scheme": json.dumps(self._scheme.to_dict(), sort_keys=True),
            "banding": json.dumps([self._bands, self._rows]),
        }
        if not tables:
            if self.readonly:
                raise InputError(f"{self.path} is empty, not a dedup index")
            with self._transaction():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(wanted.items()))
            return
        if "meta" not in tables or "docs" not in tables:
            raise InputError(f"{self.path} is an SQLite file but not a dedup index")
        stored = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if stored.get("format") != wanted["format"]:
            raise ConfigError(
                f"index {self.path} has format {stored.get('format')}, this version of dedup "
                f"reads format {FORMAT_VERSION}: build a new index"
            )
        theirs = SignatureScheme(**json.loads(stored["scheme"]))
        self._scheme.check(theirs, where=f"index {self.path}")
        if stored.get("banding") != wanted["banding"]:
            bands, rows = json.loads(stored["banding"])
            raise ConfigError(
                f"index {self.path} was built with bands={bands}, rows={rows}; these options "
                f"give bands={self._bands}, rows={self._rows}: open it with "
                f"bands={bands}, rows={rows} (or the threshold it was built with)"
            )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        if self.readonly:
            raise InputError(f"index {self.path} is open read-only")
        db = self._conn
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # -- reading ------------------------------------------------------------------------------

    def _prepare(self, texts: Sequence[str]) -> _Batch:
        opts = self.options
        batch = shingle_batch(texts, opts.shingle_size, max_tokens=opts.max_tokens)
        sigs = self._scheme.sign_many(batch.shingles)
        keys = band_keys(sigs, self._bands, self._rows).view(np.int64)
        sizes = np.fromiter((len(s) for s in batch.shingles), dtype=np.int64, count=len(texts))
        return _Batch([bytes.fromhex(e) for e in batch.exact], sizes, sigs, keys)

    def _temp(self, name: str, columns: str, rows: Iterable[tuple[Any, ...]]) -> None:
        db = self._conn
        db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})")
        db.execute(f"DELETE FROM {name}")
        marks = ",".join("?" * (columns.count(",") + 1))
        db.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)

    def _stored_matches(self, batch: _Batch) -> list[list[Match]]:
        """For each text of ``batch``, the indexed documents it duplicates."""
        db = self._conn
        n = len(batch.exact)
        out: list[list[Match]] = [[] for _ in range(n)]
        self._temp("q_exact", "pos INTEGER, exact BLOB", enumerate(batch.exact))
        for pos, doc_id, seen in db.execute(
            "SELECT q.pos, d.id, d.first_seen FROM q_exact q JOIN docs d ON d.exact = q.exact "
            "ORDER BY q.pos, d.doc"
        ):
            out[pos].append(Match(str(doc_id), "exact", 1.0, float(seen)))
        active = np.flatnonzero(batch.sizes > 0)
        if len(active) == 0:
            return out
        bands = batch.keys.shape[1]
        flat = batch.keys[active].ravel()
        owners = np.repeat(active, bands)
        distinct = np.unique(flat)
        # One bounded probe per distinct key: a key that more than max_bucket documents share
        # is boilerplate and proposes nothing (a huge bucket costs no more than a small one).
        cap = self.options.max_bucket
        hits: dict[int, list[int]] = {}
        for key, found in db.execute(
            "SELECT j.value, (SELECT group_concat(doc) FROM "
            "(SELECT doc FROM bands WHERE key = j.value LIMIT ?)) FROM json_each(?) j",
            (cap + 1, json.dumps(distinct.tolist())),
        ):
            if found is not None:
                docs_of_key = [int(d) for d in str(found).split(",")]
                if len(docs_of_key) <= cap:
                    hits[int(key)] = docs_of_key
        if not hits:
            return out
        matched = np.isin(flat, np.fromiter(hits, dtype=np.int64, count=len(hits)))
        pairs = sorted(
            {
                (pos, doc)
                for pos, key in zip(owners[matched].tolist(), flat[matched].tolist(), strict=True)
                for doc in hits[key]
            }
        )
        self._temp("q_docs", "doc INTEGER PRIMARY KEY", ((d,) for d in {p[1] for p in pairs}))
        stored = {
            row[0]: row[1:]
            for row in db.execute(
                "SELECT d.doc, d.id, d.exact, d.size, d.sig, d.first_seen FROM q_docs q "
                "JOIN docs d ON d.doc = q.doc"
            )
        }
        pos = np.array([p[0] for p in pairs], dtype=np.int64)
        docs = [p[1] for p in pairs]
        sigs = np.frombuffer(b"".join(stored[d][3] for d in docs), dtype="<u4")
        sigs = sigs.reshape(len(docs), -1)
        sizes = np.array([stored[d][2] for d in docs], dtype=np.int64)
        scores = self._scores(batch.sigs[pos], sigs, batch.sizes[pos], sizes)
        for k in np.flatnonzero(scores >= 0).tolist():
            doc_id, exact, _, _, seen = stored[docs[k]]
            i = int(pos[k])
            if exact != batch.exact[i]:
                out[i].append(Match(str(doc_id), "near", round(float(scores[k]), 4), float(seen)))
        for found in out:
            found.sort(key=lambda m: (m.kind != "exact", -m.score))
        return out

    def _scores(
        self,
        sig_a: npt.NDArray[np.uint32],
        sig_b: npt.NDArray[np.uint32],
        size_a: npt.NDArray[np.int64],
        size_b: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.float64]:
        """Estimated containment (Jaccard similarity for small documents) of row pairs where
        they are duplicates (:func:`dedup.corpus.cluster.matches`), else -1."""
        jac = (sig_a == sig_b).mean(axis=1)
        cont = estimate_containment(jac, size_a, size_b)
        small = np.minimum(size_a, size_b) < self.options.min_shingles
        score = np.where(small, jac, cont)
        ok = matches(self.options, jac, cont, size_a, size_b)
        return np.asarray(np.where(ok, score, -1.0), dtype=np.float64)

    def _batch_matches(self, batch: _Batch, ids: Sequence[str], stamp: float) -> list[list[Match]]:
        """Matches of each text among earlier texts of the same batch."""
        n = len(ids)
        out: list[list[Match]] = [[] for _ in range(n)]
        first: dict[bytes, int] = {}
        for i, exact in enumerate(batch.exact):
            j = first.setdefault(exact, i)
            if j != i:
                out[i].append(Match(ids[j], "exact", 1.0, stamp))
        if n < 2:
            return out
        cands = candidate_pairs(
            batch.keys.view(np.uint64),
            max_bucket=self.options.max_bucket,
            active=batch.sizes > 0,
        )
        if len(cands):
            left, right = cands.left, cands.right
            scores = self._scores(
                batch.sigs[left], batch.sigs[right], batch.sizes[left], batch.sizes[right]
            )
            for k in np.flatnonzero(scores >= 0).tolist():
                i, j = int(left[k]), int(right[k])
                if batch.exact[i] != batch.exact[j]:
                    out[j].append(Match(ids[i], "near", round(float(scores[k]), 4), stamp))
        return out

    def query(self, text: str) -> list[Match]:
        """Indexed documents that ``text`` duplicates: exact matches first, then near ones by
        descending score."""
        return self.query_many([check_text(text)])[0]

    def query_many(self, texts: Sequence[str]) -> list[list[Match]]:
        """:meth:`query` for many texts at once (faster: one lookup for the batch)."""
        for n, text in enumerate(texts):
            check_text(text, name=f"text {n}")
        return self._stored_matches(self._prepare(texts))

    # -- writing ------------------------------------------------------------------------------

    def add(self, doc_id: str, text: str, *, now: float | None = None) -> list[Match]:
        """Add one document (one transaction); returns what it duplicated before it was added.

        An id already in the index is not added again (its matches are still returned)."""
        return self.add_many([(doc_id, text)], now=now)[0]

    def add_many(
        self, items: Iterable[tuple[str, str]], *, now: float | None = None
    ) -> list[list[Match]]:
        """Add documents in one transaction: all are stored, or none (on any error).

        Returns, for each document in order, what it duplicated among the documents indexed
        before it: those of earlier batches, then earlier items of the same batch. An id that
        is already indexed (or comes earlier in the batch) is not added again."""
        pairs = list(items)
        for n, (doc_id, text) in enumerate(pairs):
            if not isinstance(doc_id, str) or not doc_id:
                raise InputError(f"item {n}: the document id must be a non-empty str")
            check_text(text, name=f"item {n} ({doc_id!r}) text")
        if not pairs:
            return []
        ids = [doc_id for doc_id, _ in pairs]
        batch = self._prepare([text for _, text in pairs])
        stamp = time.time() if now is None else now
        db = self._conn
        with self._transaction():
            results = self._stored_matches(batch)
            for mine, theirs in zip(results, self._batch_matches(batch, ids, stamp), strict=True):
                mine.extend(theirs)
                mine.sort(key=lambda m: (m.kind != "exact", -m.score))
            self._temp("q_ids", "id TEXT", ((i,) for i in ids))
            known = {r[0] for r in db.execute("SELECT d.id FROM q_ids q JOIN docs d USING (id)")}
            new = []
            for i, doc_id in enumerate(ids):
                if doc_id not in known:
                    known.add(doc_id)
                    new.append(i)
            if not new:
                return results
            start = int(db.execute("SELECT coalesce(max(doc), 0) FROM docs").fetchone()[0]) + 1
            rows = np.arange(start, start + len(new), dtype=np.int64)
            sig_bytes = batch.sigs.astype("<u4")
            db.executemany(
                "INSERT INTO docs (doc, id, exact, size, first_seen, sig) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        int(row),
                        ids[i],
                        batch.exact[i],
                        int(batch.sizes[i]),
                        stamp,
                        sig_bytes[i].tobytes(),
                    )
                    for row, i in zip(rows.tolist(), new, strict=True)
                ],
            )
            chosen = np.array(new, dtype=np.int64)
            with_shingles = batch.sizes[chosen] > 0
            keys = batch.keys[chosen[with_shingles]].ravel()
            owners = np.repeat(rows[with_shingles], batch.keys.shape[1])
            order = np.argsort(keys, kind="stable")
            db.executemany(
                "INSERT OR IGNORE INTO bands VALUES (?, ?)",
                zip(keys[order].tolist(), owners[order].tolist(), strict=True),
            )
        return results

    def check(self) -> list[str]:
        """Problems found in the file (empty when it is sound): SQLite's integrity check, and
        documents whose band keys are missing."""
        db = self._conn
        problems = [r[0] for r in db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        width = 4 * self._scheme.num_perm
        bad = db.execute("SELECT count(*) FROM docs WHERE length(sig) != ?", (width,)).fetchone()
        if bad[0]:
            problems.append(f"{bad[0]} documents have signatures of the wrong length")
        missing = db.execute(
            "SELECT count(*) FROM docs WHERE size > 0 AND doc NOT IN (SELECT doc FROM bands)"
        ).fetchone()
        if missing[0]:
            problems.append(f"{missing[0]} documents have no band keys")
        return problems


def _not_a_database(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite says the file is not a database, or a damaged one."""
    name = getattr(exc, "sqlite_errorname", None)  # Python 3.11 and later
    if name is not None:
        return str(name).startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT"))
    return type(exc) is sqlite3.DatabaseError  # how Python 3.10 raises both


def _acquire(path: Path, timeout: float) -> IO[bytes]:
    """The writer's lock on ``PATH.lock``, waiting up to ``timeout`` seconds."""
    lock_path = path.with_name(path.name + ".lock")
    handle = open(lock_path, "a+b")  # noqa: SIM115 - held until close()
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: SQLite's own locking only
        return handle
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.close()
                raise IndexLockedError(
                    f"index {path} is open for writing elsewhere (lock {lock_path})",
                    hint="open it with readonly=True to query it, or wait for the writer to "
                    "close it (timeout=SECONDS waits)",
                    reason="locked",
                    path=path,
                    lock_path=lock_path,
                ) from None
            time.sleep(0.05)


def _release(handle: IO[bytes]) -> None:
    with contextlib.suppress(ImportError, OSError):
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    handle.close()
