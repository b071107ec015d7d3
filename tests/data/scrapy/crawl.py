"""Crawl the fixture site with dedup's item pipeline and write what happened as JSON.

    python crawl.py START_URL SETTINGS_JSON OUTPUT_JSON

The spider does what many news scrapers do: it takes the text of each ``<p>`` of the article
and appends the JSON-LD ``articleBody`` when the page has one, which doubles the body. The
output holds the items scraped, the items dropped with their reasons, and the crawl's stats.
Run in its own process by ``tests/test_scrapy.py``: a Twisted reactor cannot be restarted.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response


class ArticleSpider(scrapy.Spider):
    name = "articles"

    def __init__(self, start: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [start]

    def parse(self, response: Response) -> Iterator[Any]:
        for href in response.css("a.article::attr(href)").getall():
            yield response.follow(href, self.parse)
        if not response.css("article"):
            return
        paragraphs = [" ".join(p.css("::text").getall()).strip() for p in response.css("article p")]
        text = "\n\n".join(paragraphs)
        for data in response.css('script[type="application/ld+json"]::text').getall():
            text += json.loads(data).get("articleBody", "")
        yield {
            "url": response.url,
            "title": response.css("article h1::text").get(),
            "text": text,
            "raw": text,
        }


def main(start: str, settings: dict[str, Any], output: str) -> None:
    process = CrawlerProcess(
        {
            "ITEM_PIPELINES": {"dedup.integrations.scrapy.DedupPipeline": 300},
            "ROBOTSTXT_OBEY": False,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "WARNING",
            **settings,
        }
    )
    crawler = process.create_crawler(ArticleSpider)
    scraped: list[dict[str, Any]] = []
    dropped: list[dict[str, Any]] = []
    stats: dict[str, Any] = {}

    def on_scraped(item: Any) -> None:
        scraped.append(dict(item))

    def on_dropped(item: Any, exception: BaseException) -> None:
        dropped.append({"item": dict(item), "reason": str(exception)})

    def on_closed() -> None:
        stats.update(crawler.stats.get_stats())  # type: ignore[union-attr]

    crawler.signals.connect(on_scraped, signal=signals.item_scraped)
    crawler.signals.connect(on_dropped, signal=signals.item_dropped)
    crawler.signals.connect(on_closed, signal=signals.spider_closed)
    process.crawl(crawler, start=start)
    process.start()
    with open(output, "w", encoding="utf-8") as fh:
        json.dump({"scraped": scraped, "dropped": dropped, "stats": stats}, fh, default=str)


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]), sys.argv[3])
