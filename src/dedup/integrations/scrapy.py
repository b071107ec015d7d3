"""A Scrapy item pipeline: repair the text of each item, drop items seen before.

Enable it in the project's ``settings.py`` (``pip install 'dedup-text[scrapy]'``)::

    ITEM_PIPELINES = {"dedup.integrations.scrapy.DedupPipeline": 300}
    DEDUP_FIELDS = ["text"]          # the item fields to repair and compare
    DEDUP_INDEX = "seen.db"          # remember items across crawls (default: this crawl only)
    # DEDUP_INDEX = "redis://redis.internal:6379/0"   # one index shared by a fleet of crawlers

For each item, :class:`DedupPipeline`

1. replaces each field of ``DEDUP_FIELDS`` (a ``str``, or a list of ``str``) with
   :func:`dedup.clean` of it: a doubled body, a teaser repeated above the article, mojibake and
   entities are repaired;
2. looks the repaired text (the fields joined by blank lines) up in a :class:`dedup.corpus.Index`
   and adds it there: an item whose text is an exact or near duplicate of an item seen before
   (earlier in this crawl, or in an earlier crawl sharing ``DEDUP_INDEX``) is dropped with
   :class:`scrapy.exceptions.DropItem`, whose reason names the earlier item;
3. counts what it did in the crawl's stats (keys beginning with ``dedup/``).

Items are named by ``DEDUP_ID_FIELD`` (default ``url``); an item without that field is named by
the hash of its text. Re-crawling a page whose text has not changed drops it ("already seen").
Items sharing an id with other texts (several items of one page, a page that changed) are
compared by their text all the same: the index keeps each new text (an id names documents, it
does not key them).

``DEDUP_INDEX`` may be a Redis URL (``redis://host:6379/0``, ``pip install 'dedup-text[redis]'``):
then every crawler process that names it, on any machine, shares one index, and an item that
two crawlers meet at the same moment is let through by exactly one of them (each add is atomic
on the server). ``DEDUP_NAMESPACE`` (default ``dedup``) names the index on that server.

=========================  ===========  ======================================================
setting                    default      meaning
=========================  ===========  ======================================================
``DEDUP_FIELDS``           ``["text"]`` item fields to repair and compare (a list, or
                                        ``"a,b"``)
``DEDUP_THRESHOLD``        0.75         share of the smaller text's 5-word shingles that must
                                        lie in the larger for a near duplicate (0.05 to 1)
``DEDUP_INDEX``            none         path of the SQLite index kept across crawls, or a
                                        ``redis://`` URL; without it a temporary index lasts
                                        for the crawl
``DEDUP_NAMESPACE``        ``dedup``    the index's name on a Redis server
``DEDUP_DROP_DUPLICATES``  ``True``     drop duplicates (else only count and mark them)
``DEDUP_DUPLICATE_FIELD``  none         a field to set to the id of the item duplicated
                                        (``None`` for a new item)
``DEDUP_ID_FIELD``         ``"url"``    the field that names an item in reasons and the index
``DEDUP_REPAIR``           ``True``     repair the fields with :func:`dedup.clean` first
=========================  ===========  ======================================================

Stats: ``dedup/items_seen``, ``dedup/items_repaired`` (items with a field changed),
``dedup/fields_repaired``, ``dedup/chars_removed`` (characters the repairs took out, net),
``dedup/fields_missing``, ``dedup/items_without_text`` (not compared), ``dedup/duplicates_exact``,
``dedup/duplicates_near``, ``dedup/duplicates_seen_before`` (an item whose own id is in the
index), ``dedup/duplicates_dropped``. A counter that never moved is absent, as with Scrapy's own.

The pipeline works in the crawl's thread: repairing costs about as much as parsing the page.
One crawl at a time may write to an index file (:class:`dedup.corpus.IndexLockedError`
otherwise); any number may share a Redis index.
"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dedup.extras import MissingExtraError, install_line

try:
    from itemadapter import ItemAdapter
    from scrapy.exceptions import DropItem
except ImportError as exc:
    raise MissingExtraError(
        "dedup.integrations.scrapy needs Scrapy, which is not installed",
        hint=install_line("scrapy"),
        reason="missing-extra",
    ) from exc

from dedup.corpus.cluster import CorpusOptions
from dedup.corpus.index import Index, Match
from dedup.corpus.shingle import exact_hash
from dedup.model import ConfigError, InputError
from dedup.pipeline import clean

if TYPE_CHECKING:  # pragma: no cover
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

__all__ = ["DedupPipeline", "DedupSettings"]

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _as_bool(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise ConfigError(f"{name} must be True or False, not {value!r}")


def _as_field(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{name} must name an item field (a non-empty str), not {value!r}")
    return value.strip()


@dataclass(frozen=True, slots=True, kw_only=True)
class DedupSettings:
    """The ``DEDUP_*`` settings, checked: a bad value raises :class:`~dedup.ConfigError` naming
    the setting.

    >>> DedupSettings.from_settings({"DEDUP_FIELDS": "title,body", "DEDUP_THRESHOLD": "0.9"})
    ... # doctest: +NORMALIZE_WHITESPACE
    DedupSettings(fields=('title', 'body'), threshold=0.9, index=None, namespace=None,
                  drop_duplicates=True, duplicate_field=None, id_field='url', repair=True)
    >>> DedupSettings.from_settings({"DEDUP_THRESHOLD": 1.5})
    Traceback (most recent call last):
    dedup.model.ConfigError: DEDUP_THRESHOLD must be between 0.05 and 1, not 1.5
    """

    fields: tuple[str, ...] = ("text",)
    threshold: float = CorpusOptions().threshold
    index: Path | str | None = None
    namespace: str | None = None
    drop_duplicates: bool = True
    duplicate_field: str | None = None
    id_field: str = "url"
    repair: bool = True

    def __post_init__(self) -> None:
        if not self.fields:
            raise ConfigError("DEDUP_FIELDS is empty: name at least one item field")
        for field in self.fields:
            _as_field("each of DEDUP_FIELDS", field)
        threshold = self.threshold
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
            raise ConfigError(f"DEDUP_THRESHOLD must be a number, not {threshold!r}")
        if not 0.05 <= threshold <= 1.0:
            raise ConfigError(f"DEDUP_THRESHOLD must be between 0.05 and 1, not {threshold!r}")
        _as_field("DEDUP_ID_FIELD", self.id_field)
        if self.duplicate_field is not None:
            _as_field("DEDUP_DUPLICATE_FIELD", self.duplicate_field)
            if self.duplicate_field in self.fields:
                raise ConfigError(
                    f"DEDUP_DUPLICATE_FIELD={self.duplicate_field!r} is one of DEDUP_FIELDS: "
                    "choose another field to mark duplicates in"
                )

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | Any) -> DedupSettings:
        """Read the ``DEDUP_*`` settings from Scrapy's settings (or any mapping).

        Values may be strings, as from ``scrapy crawl -s DEDUP_THRESHOLD=0.9``.
        """
        index = settings.get("DEDUP_INDEX")
        if index is not None and not isinstance(index, (str, os.PathLike)):
            raise ConfigError(
                f"DEDUP_INDEX must be a path or a redis:// URL, not {type(index).__name__}"
            )
        namespace = settings.get("DEDUP_NAMESPACE")
        drop = settings.get("DEDUP_DROP_DUPLICATES")
        repair = settings.get("DEDUP_REPAIR")
        marked = settings.get("DEDUP_DUPLICATE_FIELD")
        return cls(
            fields=_fields(settings.get("DEDUP_FIELDS")),
            threshold=_threshold(settings.get("DEDUP_THRESHOLD")),
            index=_index(index),
            namespace=_as_field("DEDUP_NAMESPACE", namespace) if namespace else None,
            drop_duplicates=True if drop is None else _as_bool("DEDUP_DROP_DUPLICATES", drop),
            duplicate_field=_as_field("DEDUP_DUPLICATE_FIELD", marked) if marked else None,
            id_field=_as_field("DEDUP_ID_FIELD", settings.get("DEDUP_ID_FIELD") or "url"),
            repair=True if repair is None else _as_bool("DEDUP_REPAIR", repair),
        )


def _index(value: str | os.PathLike[str] | None) -> Path | str | None:
    """``DEDUP_INDEX``: a Redis URL stays a str, anything else is a path."""
    if not value:
        return None
    if isinstance(value, str) and value.startswith(("redis://", "rediss://", "unix://")):
        return value
    return Path(value)


def _fields(value: object) -> tuple[str, ...]:
    """``DEDUP_FIELDS``: a list of names, or names separated by commas."""
    if value is None:
        return ("text",)
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"DEDUP_FIELDS must be a list of field names, not {type(value).__name__}")
    return tuple(_as_field("each of DEDUP_FIELDS", name) for name in value)


def _threshold(value: object) -> float:
    """``DEDUP_THRESHOLD``: a number, or a string holding one."""
    if value is None or value == "":
        return CorpusOptions().threshold
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise ConfigError(f"DEDUP_THRESHOLD must be a number, not {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"DEDUP_THRESHOLD must be a number, not {value!r}")
    return float(value)


@dataclass(frozen=True, slots=True)
class _Text:
    """What the pipeline made of one item: its text to compare and how much was repaired."""

    text: str
    fields_repaired: int
    chars_removed: int
    fields_missing: int


class DedupPipeline:
    """Repairs the ``DEDUP_FIELDS`` of each item and drops duplicates of earlier items.

    Made by Scrapy with :meth:`from_crawler`; ``DedupPipeline(DedupSettings(...))`` works
    outside a crawl too (then ``stats`` may be any object with ``inc_value``, or ``None``).
    Call :meth:`open_spider` before the first item and :meth:`close_spider` at the end.
    """

    def __init__(
        self, settings: DedupSettings | None = None, stats: StatsCollector | None = None
    ) -> None:
        self.settings = DedupSettings() if settings is None else settings
        if not isinstance(self.settings, DedupSettings):
            raise ConfigError(f"settings must be DedupSettings, not {type(settings).__name__}")
        self.stats = stats
        self.index: Index | None = None
        self._tempdir: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        """The pipeline configured by the crawler's ``DEDUP_*`` settings, counting in its stats."""
        return cls(DedupSettings.from_settings(crawler.settings), crawler.stats)

    def open_spider(self, spider: Spider | None = None) -> None:
        """Open the index (``DEDUP_INDEX``, or a temporary one for this crawl)."""
        if self.index is not None:
            return
        path = self.settings.index
        namespace = self.settings.namespace
        if path is None:
            self._tempdir = tempfile.mkdtemp(prefix="dedup-scrapy-")
            path = Path(self._tempdir) / "index.db"
        elif isinstance(path, Path):
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            if isinstance(path, str):
                self.index = Index(path, threshold=self.settings.threshold, namespace=namespace)
            else:
                self.index = Index(path, threshold=self.settings.threshold)
        except ConfigError as exc:
            self._remove_tempdir()
            raise ConfigError(f"DEDUP_INDEX={str(path)!r} cannot be used: {exc}") from exc
        except BaseException:
            self._remove_tempdir()
            raise

    def close_spider(self, spider: Spider | None = None) -> None:
        """Close the index (idempotent); a temporary one is deleted."""
        if self.index is not None:
            self.index.close()
            self.index = None
        self._remove_tempdir()

    def _remove_tempdir(self) -> None:
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None and count:
            self.stats.inc_value(f"dedup/{key}", count)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        """Repair the item's fields; raise :class:`DropItem` if it duplicates an earlier item."""
        if self.index is None:
            self.open_spider(spider)
        assert self.index is not None
        adapter = ItemAdapter(item)
        found = self._repair(adapter)
        self._inc("items_seen")
        self._inc("fields_repaired", found.fields_repaired)
        self._inc("items_repaired", 1 if found.fields_repaired else 0)
        self._inc("chars_removed", found.chars_removed)
        self._inc("fields_missing", found.fields_missing)
        if not found.text.strip():
            self._inc("items_without_text")
            self._mark(adapter, None)
            return item
        item_id = adapter.get(self.settings.id_field)
        if isinstance(item_id, int) and not isinstance(item_id, bool):
            item_id = str(item_id)
        if not isinstance(item_id, str) or not item_id:
            item_id = "exact:" + exact_hash(found.text)
        matches = self.index.add(item_id, found.text)
        if not matches:
            self._mark(adapter, None)
            return item
        # an item met again under its own id (a re-crawl) says so first
        first = next((m for m in matches if m.id == item_id), matches[0])
        self._inc(f"duplicates_{first.kind}")
        if first.id == item_id:
            self._inc("duplicates_seen_before")
        self._mark(adapter, first.id)
        if not self.settings.drop_duplicates:
            return item
        self._inc("duplicates_dropped")
        raise DropItem(reason(item_id, first))

    def _repair(self, adapter: ItemAdapter) -> _Text:
        parts: list[str] = []
        repaired = removed = missing = 0
        for field in self.settings.fields:
            value = adapter.get(field)
            if value is None:
                missing += 1
                continue
            if isinstance(value, str):
                olds = [value]
            elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                olds = list(value)
            else:
                raise InputError(
                    f"item field {field!r} is {type(value).__name__}: DEDUP_FIELDS must name "
                    "fields holding a str or a list of str"
                )
            news = [self._clean(v) for v in olds]
            parts.extend(news)
            if news != olds:
                repaired += 1
                removed += sum(map(len, olds)) - sum(map(len, news))
                adapter[field] = news[0] if isinstance(value, str) else type(value)(news)
        return _Text("\n\n".join(p for p in parts if p), repaired, max(removed, 0), missing)

    def _clean(self, text: str) -> str:
        return clean(text) if self.settings.repair else text

    def _mark(self, adapter: ItemAdapter, duplicate_of: str | None) -> None:
        field = self.settings.duplicate_field
        if field is None:
            return
        try:
            adapter[field] = duplicate_of
        except KeyError:
            raise ConfigError(
                f"DEDUP_DUPLICATE_FIELD={field!r} is not a field of "
                f"{type(adapter.item).__name__}: declare it in the item class"
            ) from None


def reason(item_id: str, match: Match) -> str:
    """Why an item is dropped: what it duplicates, and how.

    >>> reason("https://b.example/1", Match("https://a.example/1", "near", 0.92, 0.0))
    'dedup: near duplicate of https://a.example/1 (score 0.92)'
    >>> reason("https://a.example/1", Match("https://a.example/1", "exact", 1.0, 0.0))
    'dedup: already seen: https://a.example/1 (first seen 1970-01-01 00:00:00 UTC)'
    """
    if match.id == item_id:
        when = datetime.datetime.fromtimestamp(match.first_seen, datetime.timezone.utc)
        return f"dedup: already seen: {item_id} (first seen {when:%Y-%m-%d %H:%M:%S} UTC)"
    if match.kind == "exact":
        return f"dedup: exact duplicate of {match.id}"
    return f"dedup: near duplicate of {match.id} (score {match.score:.2f})"
