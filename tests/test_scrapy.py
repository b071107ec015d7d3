"""The Scrapy item pipeline: a real crawl of fixture pages served on 127.0.0.1, and the
pipeline's settings and item handling in this process.

The crawl runs in a subprocess (``tests/data/scrapy/crawl.py``) because a Twisted reactor cannot
be restarted; the pages are served by an ``http.server`` this module starts on a free port.
The site has three articles; the spider doubles each body the way scrapers do (paragraphs, then
the JSON-LD ``articleBody``), one article is also served as a print page (the same text: an exact
duplicate once repaired) and one as an AMP page with a line more (a near duplicate).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("scrapy")

import scrapy
from scrapy.exceptions import DropItem
from scrapy.settings import Settings

import dedup
from dedup.corpus import Index, IndexLockedError
from dedup.integrations.scrapy import DedupPipeline, DedupSettings

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "data" / "scrapy"
ROOT = HERE.parent
ARTICLES: dict[str, Any] = json.loads((FIXTURES / "articles.json").read_text(encoding="utf-8"))
BODIES = {name: "\n\n".join(a["paragraphs"]) for name, a in ARTICLES.items()}
PAGES = {
    "bike-lanes.html": "bike-lanes",
    "bike-lanes-print.html": "bike-lanes",
    "harbour-festival.html": "harbour-festival",
    "harbour-festival-amp.html": "harbour-festival",
    "library.html": "library",
}


# ------------------------------------------------------------------------------------------
# the crawl


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The fixture site, served on 127.0.0.1 at a free port for this module's tests."""
    handler = functools.partial(_Quiet, directory=str(FIXTURES / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def crawl(site: str, out: Path, **settings: Any) -> dict[str, Any]:
    """Crawl ``site`` with the pipeline in a subprocess; its items, drops and stats."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p
    )
    done = subprocess.run(
        [
            sys.executable,
            str(FIXTURES / "crawl.py"),
            site + "index.html",
            json.dumps({"REMOTE_CONTROL_ENABLED": False, **settings}),
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "Traceback" not in done.stderr, done.stderr[-4000:]
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


@pytest.fixture(scope="module")
def crawls(site: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], ...]:
    """Two crawls of the site sharing one index file: the first, and a re-crawl."""
    tmp = tmp_path_factory.mktemp("crawl")
    index = tmp / "seen.db"
    first = crawl(site, tmp / "first.json", DEDUP_INDEX=str(index))
    again = crawl(site, tmp / "again.json", DEDUP_INDEX=str(index))
    return first, again


def page(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_crawl_items_carry_the_repaired_text(crawls: tuple[dict[str, Any], ...]) -> None:
    first, _ = crawls
    every = first["scraped"] + [d["item"] for d in first["dropped"]]
    assert sorted(page(i["url"]) for i in every) == sorted(PAGES)
    for item in every:
        name = PAGES[page(item["url"])]
        if page(item["url"]) == "harbour-festival-amp.html":
            assert item["text"].startswith(BODIES[name] + "\n\nRead more from the quay")
        else:
            assert item["text"] == BODIES[name], item["url"]
        if page(item["url"]) in {"bike-lanes.html", "harbour-festival.html", "library.html"}:
            # the spider doubled the body; the pipeline removed the second copy
            assert item["raw"] == BODIES[name] + " ".join(ARTICLES[name]["paragraphs"])
            assert len(item["text"]) < len(item["raw"])


def test_crawl_drops_exact_and_near_duplicates(crawls: tuple[dict[str, Any], ...]) -> None:
    first, _ = crawls
    kept = {page(i["url"]): i["url"] for i in first["scraped"]}
    # one page of each article is kept, whichever the crawl met first
    assert sorted(PAGES[p] for p in kept) == sorted(ARTICLES)
    assert len(first["dropped"]) == 2
    for drop in first["dropped"]:
        name = PAGES[page(drop["item"]["url"])]
        (twin,) = (url for p, url in kept.items() if PAGES[p] == name)
        if name == "bike-lanes":
            assert drop["reason"] == f"dedup: exact duplicate of {twin}"
        else:
            assert drop["reason"].startswith(f"dedup: near duplicate of {twin} (score ")


def test_recrawl_with_the_same_index_drops_every_page(
    crawls: tuple[dict[str, Any], ...],
) -> None:
    _, again = crawls
    assert again["scraped"] == []
    reasons = sorted(d["reason"] for d in again["dropped"])
    assert len(reasons) == len(PAGES)
    for drop in again["dropped"]:
        assert drop["reason"].startswith(f"dedup: already seen: {drop['item']['url']} (first seen ")
        if "amp" not in drop["item"]["url"]:
            assert drop["item"]["text"] == BODIES[PAGES[page(drop["item"]["url"])]]


def test_crawl_stats_count_what_the_pipeline_did(crawls: tuple[dict[str, Any], ...]) -> None:
    first, again = crawls
    every = first["scraped"] + [d["item"] for d in first["dropped"]]
    stats = first["stats"]
    assert stats["dedup/items_seen"] == len(PAGES)
    repaired = [i for i in every if i["text"] != i["raw"]]
    assert stats["dedup/items_repaired"] == stats["dedup/fields_repaired"] == len(repaired) == 3
    assert stats["dedup/chars_removed"] == sum(len(i["raw"]) - len(i["text"]) for i in every)
    assert stats["dedup/duplicates_exact"] == 1
    assert stats["dedup/duplicates_near"] == 1
    assert stats["dedup/duplicates_dropped"] == stats["item_dropped_count"] == 2
    assert stats["item_scraped_count"] == 3
    assert "dedup/duplicates_seen_before" not in stats
    stats = again["stats"]
    assert stats["dedup/items_seen"] == len(PAGES)
    assert stats["dedup/duplicates_seen_before"] == len(PAGES)
    assert stats["dedup/duplicates_dropped"] == stats["item_dropped_count"] == len(PAGES)
    assert stats["dedup/duplicates_exact"] == len(PAGES)
    assert "item_scraped_count" not in stats


# ------------------------------------------------------------------------------------------
# the pipeline in this process


@dataclass
class Stats:
    """The part of Scrapy's stats collector the pipeline uses."""

    values: Counter[str] = field(default_factory=Counter)

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] += count


ARTICLE = BODIES["library"]
DOUBLED = ARTICLE + " ".join(ARTICLES["library"]["paragraphs"])


def pipeline(**settings: Any) -> tuple[DedupPipeline, Stats]:
    stats = Stats()
    made = DedupPipeline(DedupSettings.from_settings(Settings(settings)), stats)  # type: ignore[arg-type]
    made.open_spider()
    return made, stats


def test_settings_defaults_and_strings_from_the_command_line(tmp_path: Path) -> None:
    assert DedupSettings.from_settings(Settings()) == DedupSettings()
    assert DedupSettings().fields == ("text",)
    assert DedupSettings().threshold == dedup.corpus.CorpusOptions().threshold
    read = DedupSettings.from_settings(
        Settings(
            {
                "DEDUP_FIELDS": "title, body",
                "DEDUP_THRESHOLD": "0.9",
                "DEDUP_INDEX": str(tmp_path / "seen.db"),
                "DEDUP_DROP_DUPLICATES": "False",
                "DEDUP_REPAIR": "0",
                "DEDUP_ID_FIELD": "link",
                "DEDUP_DUPLICATE_FIELD": "duplicate_of",
            }
        )
    )
    assert read == DedupSettings(
        fields=("title", "body"),
        threshold=0.9,
        index=tmp_path / "seen.db",
        drop_duplicates=False,
        repair=False,
        id_field="link",
        duplicate_field="duplicate_of",
    )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"DEDUP_THRESHOLD": 1.5}, "DEDUP_THRESHOLD must be between 0.05 and 1, not 1.5"),
        ({"DEDUP_THRESHOLD": 0}, "DEDUP_THRESHOLD must be between 0.05 and 1, not 0.0"),
        ({"DEDUP_THRESHOLD": "high"}, "DEDUP_THRESHOLD must be a number, not 'high'"),
        ({"DEDUP_THRESHOLD": True}, "DEDUP_THRESHOLD must be a number, not True"),
        ({"DEDUP_FIELDS": []}, "DEDUP_FIELDS is empty"),
        ({"DEDUP_FIELDS": "text,"}, "each of DEDUP_FIELDS must name an item field"),
        ({"DEDUP_FIELDS": {"text": 1}}, "DEDUP_FIELDS must be a list of field names"),
        ({"DEDUP_DROP_DUPLICATES": "maybe"}, "DEDUP_DROP_DUPLICATES must be True or False"),
        ({"DEDUP_REPAIR": 2}, "DEDUP_REPAIR must be True or False"),
        ({"DEDUP_INDEX": 3}, "DEDUP_INDEX must be a path or a redis:// URL, not int"),
        ({"DEDUP_DUPLICATE_FIELD": "text"}, "DEDUP_DUPLICATE_FIELD='text' is one of DEDUP_FIELDS"),
    ],
)
def test_bad_settings_raise_config_error_naming_the_setting(
    settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(dedup.ConfigError) as raised:
        DedupSettings.from_settings(Settings(settings))
    assert message in str(raised.value)


@dataclass
class Crawler:
    """What ``from_crawler`` reads of a crawler."""

    settings: Settings
    stats: Stats


def test_from_crawler_reads_the_settings_and_counts_in_the_crawl_stats() -> None:
    crawler = Crawler(Settings({"DEDUP_FIELDS": ["body"], "DEDUP_THRESHOLD": "0.9"}), Stats())
    made = DedupPipeline.from_crawler(crawler)  # type: ignore[arg-type]
    assert made.settings == DedupSettings(fields=("body",), threshold=0.9)
    assert made.stats is crawler.stats
    with pytest.raises(dedup.ConfigError, match="DEDUP_THRESHOLD must be a number, not 'high'"):
        DedupPipeline.from_crawler(Crawler(Settings({"DEDUP_THRESHOLD": "high"}), Stats()))  # type: ignore[arg-type]


def test_items_are_repaired_then_duplicates_dropped_with_a_reason() -> None:
    made, stats = pipeline()
    try:
        item = {"url": "https://a.example/1", "text": DOUBLED}
        assert made.process_item(item) is item
        assert item["text"] == ARTICLE
        with pytest.raises(DropItem, match=r"^dedup: exact duplicate of https://a\.example/1$"):
            made.process_item({"url": "https://b.example/1", "text": ARTICLE})
        with pytest.raises(
            DropItem,
            match=r"^dedup: near duplicate of https://a\.example/1 \(score (0\.9\d|1\.00)\)$",
        ):
            made.process_item({"url": "https://c.example/1", "text": "Menu Home\n\n" + ARTICLE})
        other = {"url": "https://a.example/2", "text": BODIES["bike-lanes"]}
        assert made.process_item(other) is other
    finally:
        made.close_spider()
    assert stats.values == {
        "dedup/items_seen": 4,
        "dedup/items_repaired": 1,
        "dedup/fields_repaired": 1,
        "dedup/chars_removed": len(DOUBLED) - len(ARTICLE),
        "dedup/duplicates_exact": 1,
        "dedup/duplicates_near": 1,
        "dedup/duplicates_dropped": 2,
    }


def test_kept_duplicates_are_marked_when_not_dropped() -> None:
    made, stats = pipeline(DEDUP_DROP_DUPLICATES=False, DEDUP_DUPLICATE_FIELD="duplicate_of")
    try:
        first = made.process_item({"url": "u1", "text": ARTICLE})
        second = made.process_item({"url": "u2", "text": DOUBLED})
    finally:
        made.close_spider()
    assert first["duplicate_of"] is None
    assert second == {"url": "u2", "text": ARTICLE, "duplicate_of": "u1"}
    assert stats.values["dedup/duplicates_exact"] == 1
    assert "dedup/duplicates_dropped" not in stats.values


class Article(scrapy.Item):
    url = scrapy.Field()
    title = scrapy.Field()
    body = scrapy.Field()


def test_scrapy_items_list_fields_and_missing_fields() -> None:
    made, stats = pipeline(DEDUP_FIELDS=["title", "body"])
    try:
        item = Article(
            url="u1",
            body=[ARTICLE, "Caf\N{LATIN CAPITAL LETTER A WITH TILDE}\N{COPYRIGHT SIGN} open late."],
        )
        assert made.process_item(item) is item
    finally:
        made.close_spider()
    assert item["body"] == [ARTICLE, "Caf\N{LATIN SMALL LETTER E WITH ACUTE} open late."]
    assert "title" not in item
    assert stats.values["dedup/fields_missing"] == 1
    assert stats.values["dedup/fields_repaired"] == 1


def test_undeclared_mark_field_and_non_text_fields_are_errors() -> None:
    made, _ = pipeline(DEDUP_FIELDS=["body"], DEDUP_DUPLICATE_FIELD="duplicate_of")
    try:
        with pytest.raises(dedup.ConfigError, match="'duplicate_of' is not a field of Article"):
            made.process_item(Article(url="u1", body=ARTICLE))
        with pytest.raises(dedup.InputError, match="item field 'body' is int"):
            made.process_item({"url": "u2", "body": 3})
    finally:
        made.close_spider()


def test_items_without_an_id_or_text() -> None:
    made, stats = pipeline(DEDUP_ID_FIELD="link")
    try:
        assert made.process_item({"text": ""}) == {"text": ""}
        assert made.process_item({"text": "  \n "})["text"].strip() == ""
        made.process_item({"text": ARTICLE})
        with pytest.raises(DropItem, match=r"^dedup: already seen: exact:[0-9a-f]{32} "):
            made.process_item({"text": ARTICLE})
    finally:
        made.close_spider()
    assert stats.values["dedup/items_without_text"] == 2


def test_items_sharing_an_id_are_compared_by_their_text() -> None:
    made, stats = pipeline()
    library, bikes = BODIES["library"], BODIES["bike-lanes"]
    try:
        made.process_item({"url": "https://a.example/list", "text": library})
        made.process_item({"url": "https://a.example/list", "text": bikes})  # same page
        with pytest.raises(DropItem, match=r"^dedup: exact duplicate of https://a\.example/list$"):
            made.process_item({"url": "https://b.example/2", "text": bikes})
        with pytest.raises(DropItem, match=r"^dedup: already seen: https://a\.example/list "):
            made.process_item({"url": "https://a.example/list", "text": bikes})
        made.process_item({"url": 7, "text": "An item with a number for its id, and a text."})
        with pytest.raises(DropItem, match=r"^dedup: already seen: 7 "):
            made.process_item({"url": 7, "text": "An item with a number for its id, and a text."})
    finally:
        made.close_spider()
    assert stats.values["dedup/duplicates_dropped"] == 3
    assert stats.values["dedup/duplicates_seen_before"] == 2


def test_repair_off_compares_the_text_as_it_is() -> None:
    made, stats = pipeline(DEDUP_REPAIR=False)
    try:
        item = made.process_item({"url": "u1", "text": DOUBLED})
    finally:
        made.close_spider()
    assert item["text"] == DOUBLED
    assert "dedup/items_repaired" not in stats.values


def test_index_persists_and_is_closed_and_temporary_index_removed(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "seen.db"
    made, _ = pipeline(DEDUP_INDEX=str(path))
    made.process_item({"url": "u1", "text": ARTICLE})
    with pytest.raises(IndexLockedError):
        Index(path)  # the crawl holds the writer's lock until it closes
    made.close_spider()
    made.close_spider()  # idempotent
    with Index(path, readonly=True) as index:
        assert "u1" in index
    temporary, _ = pipeline()
    assert temporary.index is not None
    where = temporary.index.path
    temporary.close_spider()
    assert not where.exists()
    assert not where.parent.exists()


def test_an_index_built_with_other_parameters_is_refused_naming_the_setting(
    tmp_path: Path,
) -> None:
    path = tmp_path / "seen.db"
    Index(path, bands=8, rows=2).close()
    made = DedupPipeline(DedupSettings(index=path))
    with pytest.raises(dedup.ConfigError, match=r"DEDUP_INDEX=.* cannot be used: .*bands=8"):
        made.open_spider()
    other = tmp_path / "other.db"
    Index(other, threshold=0.9).close()
    made = DedupPipeline(DedupSettings(index=other, threshold=0.5))  # any threshold will do
    made.open_spider()
    made.close_spider()


def test_importing_dedup_does_not_import_scrapy() -> None:
    code = (
        "import sys, dedup, dedup.integrations; "
        "print(sorted({'scrapy', 'datasets', 'pandas', 'polars'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT / "src")),
        check=True,
    )
    assert done.stdout.strip() == "[]"


def test_crawlers_share_an_index_on_redis(redis_url: str) -> None:
    namespace = f"scrapy-{os.getpid()}"
    first, _ = pipeline(DEDUP_INDEX=redis_url, DEDUP_NAMESPACE=namespace)
    second, stats = pipeline(DEDUP_INDEX=redis_url, DEDUP_NAMESPACE=namespace)
    try:
        first.process_item({"url": "https://a.example/1", "text": ARTICLE})
        with pytest.raises(DropItem, match=r"^dedup: exact duplicate of https://a\.example/1$"):
            second.process_item({"url": "https://b.example/1", "text": ARTICLE})
    finally:
        first.close_spider()
        second.close_spider()
    assert stats.values["dedup/duplicates_dropped"] == 1
