"""Site boilerplate: lines that repeat across many pages of one site, and their removal.

Menus, cookie notices, "Read more" links and newsletter blurbs come back on every page of a
site. :meth:`Boilerplate.learn` counts, per site (the host of a page's URL), on how many pages
each line occurs (compared by its canonical words); a line is boilerplate when it occurs on at
least ``min_pages`` pages and on at least ``min_share`` of the site's pages.
:meth:`Boilerplate.remove` then takes those lines out of a page, each removal an
:class:`~dedup.model.Edit` (action ``"remove"``, reason ``"boilerplate"``, score the share of
pages) that replays on the page.

A paragraph is a block of lines; every line of a paragraph that repeats repeats with it, so
counting lines finds repeated paragraphs too.

>>> pages = [
...     ("https://news.example/a", "Home | World | Sport\\nFirst story text.\\nSubscribe now"),
...     ("https://news.example/b", "Home | World | Sport\\nSecond story.\\nSubscribe now"),
...     ("https://www.news.example/c", "Home | World | Sport\\nThird one.\\nSubscribe now"),
... ]
>>> model = Boilerplate.learn(pages, min_pages=3)
>>> cleaned = model.remove("Home | World | Sport\\nFirst story text.\\nSubscribe now",
...                        site_of("https://news.example/a"))
>>> cleaned.text
'First story text.\\n'
>>> [(e.action, e.reason) for e in cleaned.edits]
[('remove', 'boilerplate'), ('remove', 'boilerplate')]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from dedup.corpus.shingle import shingle_batch
from dedup.model import Edit, Normalized, check_float, check_int, check_text, with_overrides

__all__ = ["Boilerplate", "BoilerplateOptions", "site_of"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BoilerplateOptions:
    """Options of :class:`Boilerplate`.

    - ``min_pages``: a line is boilerplate only if at least this many pages of the site have it.
    - ``min_share``: ... and at least this share of the site's pages.
    - ``max_lines``: distinct lines counted per site (the rest are not counted: bounds memory).
    """

    min_pages: int = 5
    min_share: float = 0.3
    max_lines: int = 1_000_000

    def __post_init__(self) -> None:
        check_int("min_pages", self.min_pages, 2)
        check_float("min_share", self.min_share, 0.0, 1.0)
        check_int("max_lines", self.max_lines, 1)


def site_of(url: object) -> str:
    """The site of a page: its URL's host, lowercased, without ``www.`` ("" when unknown).

    >>> site_of("https://WWW.Example.org:8080/news/1")
    'example.org'
    """
    if not isinstance(url, str) or not url:
        return ""
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _lines(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each line of ``text``, ``end`` past its line break."""
    spans = []
    start = 0
    while start < len(text):
        stop = text.find("\n", start)
        end = len(text) if stop < 0 else stop + 1
        spans.append((start, end))
        start = end
    return spans


def _line_hashes(text: str) -> tuple[list[tuple[int, int]], list[str]]:
    spans = _lines(text)
    batch = shingle_batch([text[a:b] for a, b in spans], 1)
    hashes = [h if n else "" for h, n in zip(batch.exact, batch.tokens, strict=True)]
    return spans, hashes


@dataclass(frozen=True, slots=True)
class Boilerplate:
    """The boilerplate lines of each site: what :meth:`learn` found, for :meth:`remove`.

    ``lines`` maps a site to the exact hashes of its boilerplate lines and the share of the
    site's pages that have each; ``pages`` counts the pages seen per site.
    """

    lines: Mapping[str, Mapping[str, float]]
    pages: Mapping[str, int]
    options: BoilerplateOptions = field(default_factory=BoilerplateOptions)

    @classmethod
    def learn(
        cls,
        pages: Iterable[tuple[str, str]],
        options: BoilerplateOptions | None = None,
        **overrides: Any,
    ) -> Boilerplate:
        """Count lines over ``pages`` (pairs of URL and text) and keep the boilerplate ones."""
        opts = with_overrides(options, BoilerplateOptions, overrides)
        counts: dict[str, Counter[str]] = {}
        seen: Counter[str] = Counter()
        for n, (url, text) in enumerate(pages):
            check_text(text, name=f"page {n} text")
            site = site_of(url)
            if not site:
                continue
            seen[site] += 1
            counter = counts.setdefault(site, Counter())
            for h in set(_line_hashes(text)[1]):
                if h and (h in counter or len(counter) < opts.max_lines):
                    counter[h] += 1
        lines: dict[str, dict[str, float]] = {}
        for site, counter in counts.items():
            total = seen[site]
            found = {
                h: c / total
                for h, c in counter.items()
                if c >= opts.min_pages and c / total >= opts.min_share
            }
            if found:
                lines[site] = found
        return cls(lines, dict(seen), opts)

    def remove(self, text: str, site: str) -> Normalized:
        """``text`` without the boilerplate lines of ``site``, and the edits that removed them.

        ``site`` is a host as :func:`site_of` gives it (pass ``site_of(url)``).
        """
        check_text(text)
        found = self.lines.get(site)
        if not found:
            return Normalized(text, ())
        spans, hashes = _line_hashes(text)
        edits = tuple(
            Edit(start=a, end=b, action="remove", reason="boilerplate", score=found[h], kept=None)
            for (a, b), h in zip(spans, hashes, strict=True)
            if h and h in found
        )
        if not edits:
            return Normalized(text, ())
        parts: list[str] = []
        pos = 0
        for edit in edits:
            parts.append(text[pos : edit.start])
            pos = edit.end
        parts.append(text[pos:])
        return Normalized("".join(parts), edits)
