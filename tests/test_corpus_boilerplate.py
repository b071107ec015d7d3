"""Site boilerplate (dedup.corpus.boilerplate)."""

from __future__ import annotations

import pytest

from dedup.corpus.boilerplate import Boilerplate, BoilerplateOptions, site_of
from dedup.model import ConfigError, apply_edits

MENU = "Home | World | Sport | Contact"
COOKIES = "We use cookies. By using this site you accept them."


def page(i: int) -> str:
    return f"{MENU}\nStory {i}: something happened on day {i}.\n\n{COOKIES}\nRead more"


def pages(n: int, site: str = "https://news.example") -> list[tuple[str, str]]:
    return [(f"{site}/story/{i}", page(i)) for i in range(n)]


def test_repeated_lines_are_removed_and_the_edits_replay() -> None:
    model = Boilerplate.learn(pages(6))
    text = page(3)
    cleaned = model.remove(text, "news.example")
    assert cleaned.text == "Story 3: something happened on day 3.\n\n"
    assert apply_edits(text, cleaned.edits) == cleaned.text
    assert {(e.action, e.reason) for e in cleaned.edits} == {("remove", "boilerplate")}
    assert all(e.score == 1.0 for e in cleaned.edits)


def test_thresholds_on_count_and_share() -> None:
    # Five pages have the menu, but the site has 20: 25 % is below min_share 0.3.
    corpus = pages(5) + [(f"https://news.example/x/{i}", f"Other page {i}") for i in range(15)]
    assert Boilerplate.learn(corpus).remove(page(1), "news.example").edits == ()
    assert Boilerplate.learn(corpus, min_share=0.2).remove(page(1), "news.example").edits
    # Four pages are too few for min_pages 5, whatever the share.
    assert Boilerplate.learn(pages(4)).remove(page(1), "news.example").edits == ()
    assert Boilerplate.learn(pages(4), min_pages=4).remove(page(1), "news.example").edits


def test_sites_are_counted_apart() -> None:
    model = Boilerplate.learn(pages(6, "https://a.example") + pages(2, "https://b.example"))
    assert model.pages == {"a.example": 6, "b.example": 2}
    assert model.remove(page(1), "a.example").edits
    assert model.remove(page(1), "b.example").edits == ()
    assert model.remove(page(1), "").edits == ()


def test_pages_without_a_url_are_ignored() -> None:
    model = Boilerplate.learn([("", page(i)) for i in range(10)])
    assert model.lines == {}


def test_site_of() -> None:
    assert site_of("https://WWW.Example.org:8080/a?b") == "example.org"
    assert site_of("example.org/path") == "example.org"
    assert site_of(None) == ""
    assert site_of("http://[bad") == ""


def test_options_are_checked_by_name() -> None:
    with pytest.raises(ConfigError, match="min_pages"):
        BoilerplateOptions(min_pages=1)
    with pytest.raises(ConfigError, match="min_share"):
        Boilerplate.learn([], min_share=2.0)
