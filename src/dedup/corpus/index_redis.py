"""The storage of :class:`dedup.corpus.Index` on a Redis server, shared by a fleet of writers.

``Index("redis://host:6379/0", namespace="news")`` keeps the index under keys that begin with
``{news}:`` (the braces keep them in one slot of a Redis Cluster):

- ``{ns}:meta``: a hash of the format, the signature scheme and the banding;
- ``{ns}:seq``: the number of the last document added;
- ``{ns}:d:N``: a hash of the documents numbered ``1024 N`` to ``1024 N + 1023``, each a packed
  record (exact hash, shingle count, first seen, signature, id);
- ``{ns}:g:N``: a hash of the postings whose 64-bit key (big-endian) begins with the 20 bits of
  ``N``: field the key, value the numbers of its documents (four bytes each);
- ``{ns}:runs``: where each run began (:meth:`dedup.corpus.Index.begin_run`).

Every write is one Lua script, atomic on the server: it numbers the documents, stores them and
their postings, and skips a document whose id and exact hash are already stored. Any number of
processes on any number of machines may add at once: each document is stored once, and its
matches are the documents numbered before it, including those that another writer stored
between this writer's reading and its writing (the index looks those up again after its write).
A server that cannot be reached raises :class:`dedup.corpus.index.IndexUnavailableError` within
``timeout`` seconds (5 by default). Messages name the server without its password:

>>> _safe_url("redis://crawler:s3cret@redis.internal:6379/0")
'redis://***@redis.internal:6379/0'
"""

from __future__ import annotations

import contextlib
import re
import struct
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup.corpus.store import (
    IndexStoreError,
    IndexUnavailableError,
    NotAnIndexError,
    Row,
    distinct,
)
from dedup.extras import require
from dedup.model import ConfigError, InputError

__all__ = ["GROUP_BITS", "RedisStore"]

#: The top bits of a key that name its hash of postings (about a million hashes).
GROUP_BITS = 20
_DOCS_PER_HASH = 1024
_RECORD = struct.Struct("<16sId")  # exact hash, shingle count, first seen; then sig and id
_CHUNK = 20_000  # keys or documents a script handles at once (other clients wait meanwhile)

# Postings of the keys ARGV[2] (8 bytes each, big-endian): the count of each key's documents
# (4 bytes each), and the documents (4 bytes each, little-endian), key after key.
_LOOKUP = """
local prefix, keys = ARGV[1], ARGV[2]
local counts, docs = {}, {}
for i = 1, #keys, 8 do
  local key = string.sub(keys, i, i + 7)
  local b1, b2, b3 = string.byte(key, 1, 3)
  local where = prefix .. 'g:' .. (b1 * 4096 + b2 * 16 + math.floor(b3 / 16))
  local found = redis.call('HGET', where, key)
  if found then
    counts[#counts + 1] = struct.pack('<I4', #found / 4)
    docs[#docs + 1] = found
  else
    counts[#counts + 1] = struct.pack('<I4', 0)
  end
end
return {table.concat(counts), table.concat(docs)}
"""

# The records of the documents ARGV[2] (4 bytes each): each one's length (4 bytes, 0: none),
# and the records, one after the other.
_ROWS = """
local prefix, docs = ARGV[1], ARGV[2]
local lengths, records = {}, {}
for i = 1, #docs, 4 do
  local doc = struct.unpack('<I4', docs, i)
  local record = redis.call('HGET', prefix .. 'd:' .. math.floor(doc / 1024), doc)
  if record then
    lengths[#lengths + 1] = struct.pack('<I4', #record)
    records[#records + 1] = record
  else
    lengths[#lengths + 1] = struct.pack('<I4', 0)
  end
end
return {table.concat(lengths), table.concat(records)}
"""

# Store documents: ARGV = prefix, max_bucket, then per document: record, id key, exact hash,
# band keys (8 bytes each, not posted past max_bucket documents), exact and id keys (always
# posted). A document whose id key lists a document of the same exact hash is skipped (0).
# Returns the numbers given, one per document.
_WRITE = """
local prefix, cap = ARGV[1], tonumber(ARGV[2])
local function group(key)
  local b1, b2, b3 = string.byte(key, 1, 3)
  return prefix .. 'g:' .. (b1 * 4096 + b2 * 16 + math.floor(b3 / 16))
end
local function post(key, packed, limit)
  local where = group(key)
  local docs = redis.call('HGET', where, key)
  if not docs then
    redis.call('HSET', where, key, packed)
  elseif limit == nil or #docs / 4 <= limit then
    redis.call('HSET', where, key, docs .. packed)
  end
end
local out = {}
for i = 3, #ARGV, 5 do
  local record, idkey, exact = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local bands, always = ARGV[i + 3], ARGV[i + 4]
  local stored = false
  local same = redis.call('HGET', group(idkey), idkey)
  if same then
    for j = 1, #same, 4 do
      local doc = struct.unpack('<I4', same, j)
      local other = redis.call('HGET', prefix .. 'd:' .. math.floor(doc / 1024), doc)
      if other and string.sub(other, 1, 16) == exact then
        stored = true
        break
      end
    end
  end
  if stored then
    out[#out + 1] = 0
  else
    local doc = redis.call('INCR', prefix .. 'seq')
    redis.call('INCR', prefix .. 'count')
    redis.call('HSET', prefix .. 'd:' .. math.floor(doc / 1024), doc, record)
    local packed = struct.pack('<I4', doc)
    for j = 1, #bands, 8 do
      post(string.sub(bands, j, j + 7), packed, cap)
    end
    for j = 1, #always, 8 do
      post(string.sub(always, j, j + 7), packed, nil)
    end
    out[#out + 1] = doc
  end
end
return out
"""

_BEGIN_RUN = """
local runs, seq, run, record = KEYS[1], KEYS[2], ARGV[1], ARGV[2]
local start = redis.call('HGET', runs, run)
if start then
  return tonumber(start)
end
start = (tonumber(redis.call('GET', seq)) or 0) + 1
if record == '1' then
  redis.call('HSET', runs, run, start)
end
return start
"""

# Remove the documents ARGV[2] (4 bytes each); their postings stay and find no document.
_FORGET = """
local prefix, docs = ARGV[1], ARGV[2]
local removed = 0
for i = 1, #docs, 4 do
  local doc = struct.unpack('<I4', docs, i)
  removed = removed + redis.call('HDEL', prefix .. 'd:' .. math.floor(doc / 1024), doc)
end
if removed > 0 then
  redis.call('DECRBY', prefix .. 'count', removed)
end
return removed
"""

_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""


def _safe_url(url: str) -> str:
    """The URL without its password."""
    return re.sub(r"//([^@/]*)@", "//***@", url)


class RedisStore:
    """Postings and documents on a Redis server; see the module's documentation."""

    concurrent = True  # other writers add between our reading and our writing

    def __init__(
        self,
        url: str,
        *,
        namespace: str | None,
        readonly: bool,
        timeout: float,
        width: int,
        cap: int,
    ) -> None:
        redis: Any = require("redis", "redis", "an index on a Redis server")
        name = "dedup" if namespace is None else namespace
        if not isinstance(name, str) or not name or any(c in name for c in "{}\x00"):
            raise ConfigError(
                f"option namespace={name!r} must be a non-empty str without braces or NUL",
                option="namespace",
            )
        self.namespace = name
        self.url = _safe_url(url)
        self.where = f"{self.url} (namespace {name!r})"
        self.readonly = readonly
        self._width = width  # signature bytes, before the id in a record
        self._cap = cap  # band keys carried by more documents are not posted again
        self._prefix = "{" + name + "}:"
        self._errors: tuple[type[BaseException], ...] = (
            redis.exceptions.ConnectionError,
            redis.exceptions.TimeoutError,
        )
        self._redis_error = redis.exceptions.RedisError
        wait = timeout if timeout > 0 else 5.0
        try:
            self._client: Any = redis.Redis.from_url(
                url,
                socket_connect_timeout=wait,
                socket_timeout=max(wait, 30.0),
                retry_on_timeout=False,
            )
        except ValueError as exc:
            raise ConfigError(
                f"index URL {_safe_url(url)} is not a Redis URL ({exc})",
                hint="write it as redis://[:password@]host:port/db",
                option="index",
            ) from None
        self._scripts = {
            name: self._client.register_script(source)
            for name, source in (
                ("lookup", _LOOKUP),
                ("rows", _ROWS),
                ("write", _WRITE),
                ("begin_run", _BEGIN_RUN),
                ("create", _CREATE),
                ("forget", _FORGET),
            )
        }
        with self._calling():
            self._client.ping()

    @contextlib.contextmanager
    def _calling(self) -> Iterator[None]:
        """Turn the client's errors into dedup's: the server is unreachable, or said no."""
        try:
            yield
        except self._errors as exc:
            raise IndexUnavailableError(
                f"index {self.where} cannot be reached ({exc})",
                hint="start the server or check the URL (redis://host:port/db), and run again",
                reason="unreachable",
                path=self.url,
            ) from None
        except self._redis_error as exc:
            raise IndexStoreError(
                f"index {self.where}: the server refused ({exc})",
                hint="see the server's log (memory, replication) and run again",
                reason="refused",
                path=self.url,
            ) from None

    def _key(self, name: str) -> str:
        return self._prefix + name

    # -- life cycle and metadata ------------------------------------------------------------

    def close(self) -> None:
        client = getattr(self, "_client", None)
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()
            self._client = None

    def reading(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def meta(self) -> dict[str, str] | None:
        with self._calling():
            stored = self._client.hgetall(self._key("meta"))
        if not stored:
            return None
        return {
            k.decode("utf-8", "replace"): v.decode("utf-8", "replace") for k, v in stored.items()
        }

    def create(self, meta: dict[str, str]) -> None:
        flat = [part for pair in sorted(meta.items()) for part in pair]
        with self._calling():
            self._scripts["create"](keys=[self._key("meta")], args=flat)

    def check_tables(self) -> None:
        """Nothing to check beyond the metadata (Redis has no tables)."""

    def _counter(self, name: str) -> int:
        with self._calling():
            value = self._client.get(self._key(name))
        try:
            return int(value or 0)
        except ValueError:
            raise NotAnIndexError(
                f"index {self.where} has broken metadata ({name} is {value!r})",
                hint="rebuild it from its sources",
                path=self.url,
                reason="broken-metadata",
            ) from None

    def count(self) -> int:
        """How many documents the index holds."""
        return self._counter("count")

    def next_doc(self) -> int:
        """The number the next document gets (numbers are never given twice)."""
        return self._counter("seq") + 1

    def forget(self, docs: Sequence[int]) -> int:
        packed = np.array(sorted({int(d) for d in docs}), dtype="<u4").tobytes()
        with self._calling():
            return int(self._scripts["forget"](args=[self._prefix, packed]))

    def scan(self, since: float | None) -> Iterator[Row]:
        """The documents in the order they were added; with ``since``, those first seen at
        or after it."""
        last = self.next_doc() - 1
        for start in range(1, last + 1, _CHUNK):
            rows = self.rows(range(start, min(start + _CHUNK, last + 1)))
            for doc in sorted(rows):
                if since is None or rows[doc].first_seen >= since:
                    yield rows[doc]

    def span(self) -> tuple[float | None, float | None]:
        seen = [row.first_seen for row in self.scan(None)]
        return (min(seen), max(seen)) if seen else (None, None)

    # -- reading ----------------------------------------------------------------------------

    def lookup(
        self, keys: npt.NDArray[np.uint64]
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        """Every ``(key, doc)`` posting of the distinct ``keys``, sorted by key then doc."""
        asked = distinct(keys)
        found_keys: list[npt.NDArray[np.uint64]] = []
        found_docs: list[npt.NDArray[np.int64]] = []
        for start in range(0, len(asked), _CHUNK):
            part = asked[start : start + _CHUNK]
            with self._calling():
                counts, docs = self._scripts["lookup"](
                    args=[self._prefix, part.astype(">u8").tobytes()]
                )
            found_keys.append(np.repeat(part, np.frombuffer(counts, dtype="<u4")))
            found_docs.append(np.frombuffer(docs, dtype="<u4").astype(np.int64))
        if not found_keys:
            return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
        key = np.concatenate(found_keys)
        doc = np.concatenate(found_docs)
        order = np.lexsort((doc, key))
        return key[order], doc[order]

    def rows(self, docs: Sequence[int]) -> dict[int, Row]:
        wanted = sorted({int(d) for d in docs})
        out: dict[int, Row] = {}
        for start in range(0, len(wanted), _CHUNK):
            part = wanted[start : start + _CHUNK]
            packed = np.array(part, dtype="<u4").tobytes()
            with self._calling():
                lengths, records = self._scripts["rows"](args=[self._prefix, packed])
            at = 0
            for doc, length in zip(part, np.frombuffer(lengths, dtype="<u4").tolist(), strict=True):
                if length:
                    out[doc] = self._row(doc, records[at : at + length])
                    at += length
        return out

    def _row(self, doc: int, record: bytes) -> Row:
        try:
            exact, size, first_seen = _RECORD.unpack_from(record)
            sig = record[_RECORD.size : _RECORD.size + self._width]
            doc_id = record[_RECORD.size + self._width :].decode("utf-8", "surrogatepass")
        except (struct.error, UnicodeDecodeError) as exc:
            raise NotAnIndexError(
                f"index {self.where} has a damaged document {doc} ({exc})",
                hint="rebuild it from its sources",
                path=self.url,
                reason="damaged",
            ) from None
        return Row(doc, doc_id, exact, size, first_seen, sig)

    def begin_run(self, run: str) -> int:
        with self._calling():
            start = self._scripts["begin_run"](
                keys=[self._key("runs"), self._key("seq")],
                args=[run.encode("utf-8", "surrogatepass"), "0" if self.readonly else "1"],
            )
        return int(start)

    # -- writing ----------------------------------------------------------------------------

    def write(
        self,
        rows: Sequence[tuple[str, bytes, int, float, bytes]],
        keys: npt.NDArray[np.uint64],
        owners: npt.NDArray[np.int64],
    ) -> list[int]:
        """Store ``rows`` with their postings in one script (atomic); the postings are
        ``keys[i]`` of ``rows[owners[i]]``, band keys first, then one exact key and one id key
        per row (as :class:`dedup.corpus.Index` lays them out). Returns each row's number, 0
        for a row another writer had stored already (same id and exact hash)."""
        if self.readonly:
            raise InputError(f"index {self.where} is open read-only")
        n = len(rows)
        band_count = len(keys) - 2 * n
        bands, band_owners = keys[:band_count], owners[:band_count]
        exact_keys, id_keys = keys[band_count : band_count + n], keys[band_count + n :]
        order = np.argsort(band_owners, kind="stable")
        bands, band_owners = bands[order], band_owners[order]
        cuts = np.searchsorted(band_owners, np.arange(n + 1))
        args: list[Any] = [self._prefix, str(self._cap)]
        for i, (doc_id, exact, size, first_seen, sig) in enumerate(rows):
            record = (
                _RECORD.pack(exact, size, first_seen)
                + sig
                + doc_id.encode("utf-8", "surrogatepass")
            )
            mine = bands[cuts[i] : cuts[i + 1]]
            args += [
                record,
                _big(id_keys[i : i + 1]),
                exact,
                _big(mine),
                _big(np.concatenate([exact_keys[i : i + 1], id_keys[i : i + 1]])),
            ]
        with self._calling():
            numbers = self._scripts["write"](args=args)
        return [int(n) for n in numbers]

    # -- checking ---------------------------------------------------------------------------

    def problems(self, width: int) -> list[str]:
        """Documents whose records are not whole."""
        out = []
        bad = sum(len(row.sig) != width for row in self.scan(None))
        if bad:
            out.append(f"{bad} documents have signatures of the wrong length")
        return out

    def missing_postings(self, wanted: dict[int, list[int]]) -> int:
        if not wanted:
            return 0
        keys = np.array([k for ks in wanted.values() for k in ks], dtype=np.uint64)
        found_keys, found_docs = self.lookup(keys)
        have = set(zip(found_keys.tolist(), found_docs.tolist(), strict=True))
        return sum(
            any((key, doc) not in have for key in doc_keys) for doc, doc_keys in wanted.items()
        )


def _big(keys: npt.NDArray[np.uint64]) -> bytes:
    """Keys as the scripts take them: 8 bytes each, big-endian (the group is their top bits)."""
    return keys.astype(">u8").tobytes()
