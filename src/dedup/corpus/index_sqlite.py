"""The storage of :class:`dedup.corpus.Index` in one SQLite file (no server).

The index asks its storage for four things: the postings of a set of 64-bit keys (which
documents carry each key), the rows of a set of documents, appending documents with their
postings in one transaction, and the start of a run. This module keeps them in one SQLite file
in WAL mode, laid out so that adding stays as fast at ten million documents as at the first:

- ``docs``: one row per document, numbered in the order added (the rowid): id, exact hash,
  shingle count, first seen, and the signature with one byte a bin. Rows are only appended.
- ``fresh``: the postings of recent batches, packed as in ``blocks`` (below). A batch writes
  one row per prefix of its stored keys (their top
  :data:`~dedup.corpus.postings.PREFIX_BITS` bits), rowid ``prefix * 2**40 + its first
  document's number``: a prefix's rows follow one another in the file, so a batch writes a
  few thousand rows, whatever the size of ``fresh`` (not one page of a B-tree per posting),
  and a lookup reads the rows of the prefixes it asks for (all of them for a large batch: one
  pass over ``fresh``).
- ``blocks``: every older posting, packed. A posting keeps the top 40 bits of its key (five
  bytes) and its document (four): the postings whose keys share their top ``bits`` bits are one
  group, a row whose rowid is the group's number and whose value is the group's postings,
  sorted, nine bytes each. ``bits`` grows with the index (about :data:`GROUP_POSTINGS` postings
  a group), so a lookup reads one short row per key, whatever the size of the index.
- When ``fresh`` holds more than :func:`fresh_limit` postings, one transaction merges it into
  ``blocks``: range by range of keys, the groups are read in order, merged with the fresh
  postings of their keys, written again (rowids of a new generation) and the old rows deleted,
  so the file is written in order, never page by page at random, and the pages freed by one
  range hold the next.
- ``runs``: where each run of ``dedup corpus`` began (see :meth:`dedup.corpus.Index.begin_run`).
- ``meta``: the format, the signature scheme, the banding, the blocks' layout and counts.

Every change is one SQLite transaction; a writer holds an exclusive ``flock`` on ``PATH.lock``
for as long as it is open; readers read a snapshot (WAL) while one writer writes.

>>> fresh_limit(0), fresh_limit(80_000_000), fresh_limit(10**9)
(4194304, 20000000, 33554432)
>>> lone = "page" + chr(0xDCFF)  # a lone surrogate, which UTF-8 cannot encode
>>> encode_id(lone), decode_id(encode_id(lone)) == lone
(b'page\\xed\\xb3\\xbf', True)
"""

from __future__ import annotations

import contextlib
import json
import math
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt

from dedup.corpus.lockfile import acquire, release
from dedup.corpus.postings import (
    DROP,
    KEY_BITS,
    PREFIX_BITS,
    SLOT,
    TO_PREFIX,
    Recent,
    pack_fresh,
    pack_groups,
    pair_hash,
    ranges,
    unpack,
)
from dedup.corpus.store import NotAnIndexError, Row, distinct
from dedup.model import InputError

__all__ = ["GROUP_POSTINGS", "SqliteStore", "decode_id", "encode_id", "fresh_limit"]

#: Postings a group of ``blocks`` holds on average once the index has grown.
GROUP_POSTINGS = 16
_GENERATION = 1 << 40  # rowids of one generation of blocks: [g * 2**40, (g + 1) * 2**40)
_CHUNKS = 256  # key ranges a merge works through (bounds its memory)

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE docs (doc INTEGER PRIMARY KEY, id NOT NULL, exact BLOB NOT NULL, "
    "size INTEGER NOT NULL, first_seen REAL NOT NULL, sig BLOB NOT NULL)",
    "CREATE TABLE fresh (slot INTEGER PRIMARY KEY, data BLOB NOT NULL)",
    "CREATE TABLE blocks (block INTEGER PRIMARY KEY, data BLOB NOT NULL)",
    "CREATE TABLE runs (run TEXT PRIMARY KEY, start INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE forgotten (doc INTEGER PRIMARY KEY)",
)
_TABLES = frozenset({"meta", "docs", "fresh", "blocks", "runs", "forgotten"})


def fresh_limit(blocks: int) -> int:
    """How many postings ``fresh`` may hold before it is merged into ``blocks`` holding
    ``blocks`` postings: a quarter of them, at least 2**22 and at most 2**25. A merge rewrites
    the blocks once per quarter of growth; a large batch reads ``fresh`` whole, nine bytes a
    posting (at most 300 MB), about a tenth of what a merge costs per posting."""
    return int(min(max(blocks // 4, 1 << 22), 1 << 25))


def encode_id(doc_id: str) -> str | bytes:
    """How an id is stored: as text, or (when it holds lone surrogates, which UTF-8 cannot
    encode) as the bytes of its ``surrogatepass`` encoding."""
    try:
        doc_id.encode("utf-8")
    except UnicodeEncodeError:
        return doc_id.encode("utf-8", "surrogatepass")
    return doc_id


def decode_id(value: object) -> str:
    """The id :func:`encode_id` stored."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogatepass")
    return str(value)


class SqliteStore:
    """Postings and documents in one SQLite file; see the module's documentation."""

    concurrent = False  # one writer at a time: what it reads stays true until it writes

    def __init__(
        self, path: Path, *, readonly: bool, timeout: float, cache_mb: int, memory: bool
    ) -> None:
        self.path = path
        self.where = ":memory:" if memory else str(path)
        self.readonly = readonly
        self._lock: IO[bytes] | None = None
        self._wal = False  # WAL turned on by this writer, at its first write
        self._recent: Recent | None = None  # the writer's copy of ``fresh`` (postings.Recent)
        self._added: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]] | None = None
        self._guard = threading.RLock()
        try:
            if memory:
                self._db = sqlite3.connect(":memory:", check_same_thread=False)
            elif readonly:
                uri = f"file:{path.resolve().as_posix()}?mode=ro"
                self._db = sqlite3.connect(
                    uri, uri=True, timeout=max(timeout, 5.0), check_same_thread=False
                )
            else:
                self._lock = acquire(path, timeout)
                self._db = sqlite3.connect(path, timeout=max(timeout, 5.0), check_same_thread=False)
            self._db.isolation_level = None  # transactions are explicit
            self._db.execute(f"PRAGMA cache_size = -{cache_mb * 1024}")
            if not readonly and not memory:
                self._db.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as exc:
            self.close()
            raise self.not_an_index(exc) from exc
        except BaseException:
            self.close()
            raise

    # -- life cycle -------------------------------------------------------------------------

    def close(self) -> None:
        db = getattr(self, "_db", None)
        if db is not None:
            if self._wal:
                # Back to a rollback journal once the writer is done (the next writer turns WAL
                # on again as it first writes): a reader (readonly=True, ``dedup index stats``)
                # of a WAL file leaves its -wal and -shm files beside it; of this one, nothing.
                # With a reader still open the switch waits for none and the file stays in WAL.
                with contextlib.suppress(sqlite3.Error):
                    db.execute("PRAGMA busy_timeout = 0")
                    db.execute("PRAGMA journal_mode=DELETE")
            db.close()
            self._db = None  # type: ignore[assignment]
        if self._lock is not None:
            release(self._lock)
            self._lock = None

    @property
    def conn(self) -> sqlite3.Connection:
        if getattr(self, "_db", None) is None:
            raise InputError(f"index {self.where} is closed")
        return self._db

    def not_an_index(self, exc: sqlite3.DatabaseError) -> NotAnIndexError:
        reason = str(exc)
        return NotAnIndexError(
            f"{self.where} is not a dedup index: it is not an SQLite database, or a damaged "
            f"one ({reason})",
            hint="give the path of a dedup index, or a new path to build one",
            path=self.where,
            reason="not-an-index",
        )

    # -- metadata ---------------------------------------------------------------------------

    def meta(self) -> dict[str, str] | None:
        """The stored metadata; ``None`` for an empty file (no tables)."""
        db = self.conn
        try:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as exc:
            raise self.not_an_index(exc) from exc
        if not tables:
            return None
        if "meta" not in tables:
            raise NotAnIndexError(
                f"{self.where} is an SQLite file but not a dedup index (no table 'meta')",
                hint="give the path of a dedup index, or a new path to build one",
                path=self.where,
                reason="not-an-index",
            )
        return {str(k): str(v) for k, v in db.execute("SELECT key, value FROM meta")}

    def check_tables(self) -> None:
        """Raise :class:`NotAnIndexError` unless the tables of this format are all there."""
        tables = {
            r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        missing = sorted(_TABLES - tables)
        if missing:
            raise NotAnIndexError(
                f"index {self.where} has no table {', '.join(map(repr, missing))}: it is damaged "
                "or not a dedup index",
                hint="rebuild it from its sources",
                path=self.where,
                reason="broken-metadata",
            )

    def create(self, meta: dict[str, str]) -> None:
        with self.writing():
            for statement in _SCHEMA:
                self.conn.execute(statement)
            values = {
                **meta,
                **dict.fromkeys(("last", "documents", "blocked", "fresh"), "0"),
                "base": str(_GENERATION),
                "bits": "8",
            }
            self.conn.executemany("INSERT INTO meta VALUES (?, ?)", sorted(values.items()))

    def _int_meta(self, key: str) -> int:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        try:
            return int(row[0])
        except (TypeError, ValueError):
            raise NotAnIndexError(
                f"index {self.where} has broken metadata ({key!r} is "
                f"{'missing' if row is None else repr(row[0])})",
                hint="rebuild it from its sources",
                path=self.where,
                reason="broken-metadata",
            ) from None

    def _set_meta(self, **values: int) -> None:
        self.conn.executemany(
            "UPDATE meta SET value = ? WHERE key = ?", [(str(v), k) for k, v in values.items()]
        )

    # -- transactions -----------------------------------------------------------------------

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """A consistent snapshot of the file for the statements inside (nests in a write)."""
        with self._guard:
            db = self.conn
            if db.in_transaction:
                yield
                return
            db.execute("BEGIN")
            try:
                yield
            finally:
                db.execute("COMMIT")

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """One transaction: everything inside is stored, or nothing."""
        if self.readonly:
            raise InputError(f"index {self.where} is open read-only")
        with self._guard:
            db = self.conn
            if not self._wal and self._lock is not None:
                # Readers go on reading while this writer writes; a writer that never writes
                # (a run stopped by bad input) leaves the file as it found it, byte for byte.
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA journal_size_limit=67108864")
                self._wal = True
            db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # -- reading ----------------------------------------------------------------------------

    def count(self) -> int:
        """How many documents the index holds."""
        with self.reading():
            return self._int_meta("documents")

    def next_doc(self) -> int:
        """The number the next document gets (numbers are never given twice)."""
        with self.reading():
            return self._int_meta("last") + 1

    def lookup(
        self, keys: npt.NDArray[np.uint64]
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        """Every ``(key, doc)`` posting of the distinct ``keys``, sorted by key then doc (a key
        found is the one asked for: the store compares the top 40 bits)."""
        if len(keys) == 0:
            return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
        asked = distinct(keys)
        short = asked >> DROP
        db = self.conn
        found_keys: list[npt.NDArray[np.uint64]] = []
        found_docs: list[npt.NDArray[np.int64]] = []
        with self.reading():
            if self._int_meta("fresh") and not self.readonly:
                if self._recent is None:  # the writer: held in memory from now on
                    self._recent = Recent.from_rows(self._fresh_rows(None))
                fresh_keys, fresh_docs = self._recent.find(short)
                found_keys.append(fresh_keys)
                found_docs.append(fresh_docs)
            elif self._int_meta("fresh"):
                stored, docs = unpack(b"".join(self._fresh_rows(short)))
                at = np.minimum(np.searchsorted(short, stored), len(short) - 1)
                hit = short[at] == stored
                found_keys.append(stored[hit])
                found_docs.append(docs[hit])
            if self._int_meta("blocked"):
                base, bits = self.layout()
                groups = distinct(short >> np.uint64(KEY_BITS - bits)).astype(np.int64) + base
                blobs = db.execute(
                    "SELECT b.data FROM json_each(?) j JOIN blocks b ON b.block = j.value "
                    "ORDER BY b.block",
                    (json.dumps(groups.tolist()),),
                ).fetchall()
                if blobs:
                    stored, docs = unpack(b"".join(b[0] for b in blobs))
                    hit, at = ranges(stored, short)
                    found_keys.append(short[hit])
                    found_docs.append(docs[at])
        if not found_keys:
            return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
        short_found = np.concatenate(found_keys)
        doc = np.concatenate(found_docs)
        order = np.lexsort((doc, short_found))
        short_found, doc = short_found[order], doc[order]
        # back to the keys asked for (distinct keys with one top 40 bits: the first stands)
        where = np.searchsorted(short, short_found)
        return asked[where], doc

    def _fresh_rows(self, short: npt.NDArray[np.uint64] | None) -> list[bytes]:
        """The rows of ``fresh`` that may hold the sorted stored keys ``short``: those of their
        prefixes (every row, in one pass, when the keys have most prefixes or are ``None``)."""
        prefixes = distinct(short >> TO_PREFIX) if short is not None else None
        query, args = "SELECT data FROM fresh", ""
        if prefixes is not None and len(prefixes) * 4 < 1 << PREFIX_BITS:
            query = (
                "SELECT f.data FROM json_each(?) j JOIN fresh f "
                f"ON f.slot >= j.value * {SLOT} AND f.slot < (j.value + 1) * {SLOT}"
            )
            args = json.dumps(prefixes.tolist())
        rows = self.conn.execute(query, (args,) if args else ())
        return [row[0] for row in rows]

    def layout(self) -> tuple[int, int]:
        """``(base, bits)``: the first rowid of the current generation of ``blocks``, and the
        top bits of a stored key that name its group."""
        base, bits = self._int_meta("base"), self._int_meta("bits")
        if base < 0 or base % _GENERATION or not 1 <= bits <= KEY_BITS:
            raise NotAnIndexError(
                f"index {self.where} has broken metadata (blocks base={base}, bits={bits})",
                hint="rebuild it from its sources",
                path=self.where,
                reason="broken-metadata",
            )
        return base, bits

    def rows(self, docs: Sequence[int]) -> dict[int, Row]:
        """The rows of ``docs`` (those that exist)."""
        if not len(docs):
            return {}
        with self.reading():
            found = self.conn.execute(
                "SELECT d.doc, d.id, d.exact, d.size, d.first_seen, d.sig FROM json_each(?) j "
                "JOIN docs d ON d.doc = j.value",
                (json.dumps(sorted({int(d) for d in docs})),),
            ).fetchall()
        return {
            int(doc): Row(int(doc), decode_id(i), bytes(e), int(s), float(t), bytes(g))
            for doc, i, e, s, t, g in found
        }

    def begin_run(self, run: str) -> int:
        """Where the run ``run`` began: recorded the first time (as the next document's
        number), read back afterwards. A read-only index records nothing."""
        with self._guard:
            if self.readonly:
                with self.reading():
                    row = self.conn.execute(
                        "SELECT start FROM runs WHERE run = ?", (run,)
                    ).fetchone()
                    return int(row[0]) if row is not None else self.next_doc()
            with self.writing():
                self.conn.execute(
                    "INSERT OR IGNORE INTO runs VALUES (?, ?)", (run, self.next_doc())
                )
                row = self.conn.execute("SELECT start FROM runs WHERE run = ?", (run,)).fetchone()
            return int(row[0])

    # -- writing ----------------------------------------------------------------------------

    def append(
        self,
        rows: Sequence[tuple[str, bytes, int, float, bytes]],
        keys: npt.NDArray[np.uint64],
        owners: npt.NDArray[np.int64],
    ) -> list[int]:
        """Store ``rows`` (id, exact, size, first seen, signature) as the next documents, and
        the postings ``(keys[i], the document of rows[owners[i]])``; inside :meth:`writing`.
        Returns the documents' numbers."""
        db = self.conn
        self._added = None
        start = self.next_doc()
        numbers = list(range(start, start + len(rows)))
        db.executemany(
            "INSERT INTO docs (doc, id, exact, size, first_seen, sig) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (n, encode_id(i), e, s, t, g)
                for n, (i, e, s, t, g) in zip(numbers, rows, strict=True)
            ],
        )
        if len(keys):
            short = keys >> DROP
            docs = owners + start
            order = np.lexsort((docs, short))
            short, docs = short[order], docs[order]
            again = np.r_[False, (short[1:] == short[:-1]) & (docs[1:] == docs[:-1])]
            short, docs = short[~again], docs[~again]  # a posting is stored once
            db.executemany("INSERT INTO fresh VALUES (?, ?)", pack_fresh(short, docs, start))
            self._added = short, docs
            self._set_meta(fresh=self._int_meta("fresh") + len(short))
        self._set_meta(
            last=start + len(rows) - 1, documents=self._int_meta("documents") + len(rows)
        )
        return numbers

    def write(
        self,
        rows: Sequence[tuple[str, bytes, int, float, bytes]],
        keys: npt.NDArray[np.uint64],
        owners: npt.NDArray[np.int64],
    ) -> list[int]:
        """:meth:`append` in one transaction, then a merge if ``fresh`` has grown too large."""
        with self._guard:
            with self.writing():
                numbers = self.append(rows, keys, owners)
            added, self._added = self._added, None
            if self._recent is not None and added is not None:  # committed
                self._recent.add(*added)
            if self.needs_merge():
                self.merge()
        return numbers

    def needs_merge(self) -> bool:
        with self.reading():
            return self._int_meta("fresh") > fresh_limit(self._int_meta("blocked"))

    def merge(self) -> None:
        """Merge ``fresh`` into ``blocks``, one transaction, range by range of keys: the old
        groups of the range and the fresh postings of its keys are written as groups of a new
        generation, and the old rows deleted (their pages hold the next range)."""
        with self.writing():
            db = self.conn
            base, bits = self.layout()
            total = self._int_meta("blocked") + self._int_meta("fresh")
            new_bits = min(max(8, math.ceil(math.log2(max(total / GROUP_POSTINGS, 1.0)))), 32)
            new_bits = max(new_bits, bits)
            new_base = base + _GENERATION
            gone = np.array([r[0] for r in db.execute("SELECT doc FROM forgotten")], dtype=np.int64)
            width = (1 << KEY_BITS) // _CHUNKS
            written = 0
            for low in range(0, 1 << KEY_BITS, width):
                high = low + width  # stored keys [low, high)
                old = (base + (low >> (KEY_BITS - bits)), base + (high >> (KEY_BITS - bits)))
                blobs = db.execute(
                    "SELECT data FROM blocks WHERE block >= ? AND block < ? ORDER BY block", old
                ).fetchall()
                keys, docs = unpack(b"".join(b[0] for b in blobs))
                shift = KEY_BITS - PREFIX_BITS
                slots = ((low >> shift) * SLOT, (high >> shift) * SLOT)
                rows = db.execute(
                    "SELECT data FROM fresh WHERE slot >= ? AND slot < ? ORDER BY slot", slots
                ).fetchall()
                if rows:
                    fresh_keys, fresh_docs = unpack(b"".join(r[0] for r in rows))
                    keys = np.concatenate([keys, fresh_keys])
                    docs = np.concatenate([docs, fresh_docs])
                if len(gone) and len(keys):
                    alive = ~np.isin(docs, gone)
                    keys, docs = keys[alive], docs[alive]
                if len(keys):
                    written += len(keys)
                    db.executemany(
                        "INSERT INTO blocks VALUES (?, ?)",
                        pack_groups(keys, docs, new_base, new_bits),
                    )
                if blobs:
                    db.execute("DELETE FROM blocks WHERE block >= ? AND block < ?", old)
            db.execute("DELETE FROM fresh")
            self._recent = None  # (kept until here: a merge that fails leaves fresh as it was)
            db.execute("DELETE FROM forgotten")
            self._set_meta(base=new_base, bits=new_bits, blocked=written, fresh=0)

    def forget(self, docs: Sequence[int]) -> int:
        """Remove the documents ``docs`` (one transaction); their postings go at the next
        merge (a lookup meanwhile finds no document for them). Returns how many were removed."""
        wanted = json.dumps(sorted({int(d) for d in docs}))
        with self.writing():
            db = self.conn
            found = [
                r[0]
                for r in db.execute(
                    "SELECT d.doc FROM json_each(?) j JOIN docs d ON d.doc = j.value", (wanted,)
                )
            ]
            if found:
                marks = json.dumps(found)
                db.execute(
                    "DELETE FROM docs WHERE doc IN (SELECT value FROM json_each(?))", (marks,)
                )
                db.execute(
                    "INSERT OR IGNORE INTO forgotten SELECT value FROM json_each(?)", (marks,)
                )
                self._set_meta(documents=self._int_meta("documents") - len(found))
        return len(found)

    def span(self) -> tuple[float | None, float | None]:
        """The earliest and the latest first-seen time (``None`` when empty)."""
        with self.reading():
            first, last = self.conn.execute(
                "SELECT min(first_seen), max(first_seen) FROM docs"
            ).fetchone()
        return (None if first is None else float(first)), (None if last is None else float(last))

    def scan(self, since: float | None) -> Iterator[Row]:
        """The documents in the order they were added; with ``since``, those first seen at
        or after it."""
        query = "SELECT doc, id, exact, size, first_seen, sig FROM docs"
        args: tuple[float, ...] = ()
        if since is not None:
            query += " WHERE first_seen >= ?"
            args = (since,)
        with self.reading():
            rows = self.conn.execute(query + " ORDER BY doc", args).fetchall()
        for doc, i, e, size, seen, sig in rows:
            yield Row(int(doc), decode_id(i), bytes(e), int(size), float(seen), bytes(sig))

    # -- checking ---------------------------------------------------------------------------

    def all_postings(self) -> Iterator[tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]]:
        """Every posting, in chunks ``(stored keys, docs)``: for :meth:`missing_postings`."""
        for table in ("fresh", "blocks"):
            cursor = self.conn.execute(f"SELECT data FROM {table}")
            while blobs := cursor.fetchmany(1 << 12):
                yield unpack(b"".join(b[0] for b in blobs))

    def missing_postings(self, wanted: dict[int, list[int]]) -> int:
        """How many of the documents ``wanted`` (doc: its keys) lack a posting of one of
        their keys. Reads every posting."""
        if not wanted:
            return 0
        docs = np.array(list(wanted), dtype=np.int64)
        per = np.array([len(k) for k in wanted.values()], dtype=np.int64)
        keys = np.array([k for ks in wanted.values() for k in ks], dtype=np.uint64)
        expected = pair_hash(keys >> DROP, np.repeat(docs, per))
        present = np.zeros(len(expected), dtype=bool)
        for chunk_keys, chunk_docs in self.all_postings():
            present |= np.isin(expected, pair_hash(chunk_keys, chunk_docs))
        owners = np.repeat(np.arange(len(docs)), per)
        return int(np.count_nonzero(np.bincount(owners[~present], minlength=len(docs))))

    def problems(self, width: int) -> list[str]:
        """SQLite's integrity check, signature widths, and the counts the metadata keeps."""
        db = self.conn
        found = [r[0] for r in db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        bad = db.execute("SELECT count(*) FROM docs WHERE length(sig) != ?", (width,)).fetchone()
        if bad[0]:
            found.append(f"{bad[0]} documents have signatures of the wrong length")
        documents = int(db.execute("SELECT count(*) FROM docs").fetchone()[0])
        if documents != self._int_meta("documents"):
            found.append(
                f"{documents} documents, the metadata counts {self._int_meta('documents')}"
            )
        base, _ = self.layout()
        stray = db.execute(
            "SELECT count(*) FROM blocks WHERE block < ? OR block >= ?",
            (base, base + _GENERATION),
        ).fetchone()[0]
        if stray:
            found.append(f"{stray} groups of postings outside the current generation")
        return found
