"""Fuzzing the public functions: any ``str`` in, a ``str`` out, edits that replay, idempotence.

The strategies build text that looks scraped: paragraphs in many scripts (Latin with accents,
Cyrillic, Greek, Arabic and Hebrew, Chinese and Japanese, Thai, emoji), a flattened copy glued
after the paragraphed one, teasers, mojibake (UTF-8 read as Windows-1252 or Latin-1, once or
twice), HTML entities (good, doubly escaped and broken), combining marks, lone surrogates,
control characters and NUL, zero-width characters, very long words and lines, CRLF. Raw
arbitrary code points are mixed in too.

Properties, for :func:`dedup.clean`, :func:`dedup.repair`, :func:`dedup.normalize`,
:func:`dedup.split_glued` and :func:`dedup.find_duplicates`:

- no exception, and the result holds a ``str``;
- the edits are in bounds and replay (``apply_edits(text, r.edits) == r.text``; for ``clean``,
  ``replay(text, r.stages) == r.text``);
- idempotence: ``repair(repair(x).text)`` and ``clean(clean(x))`` change nothing more;
- a generous time bound per document, as hypothesis' ``deadline`` (no timed asserts).

Profiles: the default runs 100 documents per property; ``HYPOTHESIS_PROFILE=ci``
runs 10,000 (``DEDUP_FUZZ_EXAMPLES=N`` sets any other count). Every input that ever failed is
kept in ``tests/data/fuzz_regressions.json`` and replayed by :func:`test_regression`.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import unicodedata
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import dedup
from conftest import DATA, eval_path, read_jsonl
from dedup import Cleaned, DuplicatePair, Edit, Normalized, Repair, RepairOptions, Span
from dedup.model import KINDS
from dedup.repair import _repair_once
from dedup.tokens import after_cuts, skeleton, without

# --------------------------------------------------------------------------------------------
# Profiles

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
# A document takes milliseconds; the deadline only catches a blow-up (quadratic or worse).
_DEADLINE = timedelta(seconds=10)

settings.register_profile(
    "dedup-fuzz-default", max_examples=100, deadline=_DEADLINE, suppress_health_check=_HEALTH
)
settings.register_profile(
    "dedup-fuzz-ci", max_examples=10_000, deadline=_DEADLINE, suppress_health_check=_HEALTH
)


def _fuzz_settings() -> settings:
    """The settings of this module's properties: ``DEDUP_FUZZ_EXAMPLES`` wins, then
    ``HYPOTHESIS_PROFILE=ci``, else the fast default. Other modules' settings are untouched."""
    count = os.environ.get("DEDUP_FUZZ_EXAMPLES")
    if count:
        base = settings.get_profile("dedup-fuzz-default")
        return settings(base, max_examples=int(count))
    if os.environ.get("HYPOTHESIS_PROFILE") == "ci":
        return settings.get_profile("dedup-fuzz-ci")
    return settings.get_profile("dedup-fuzz-default")


FUZZ = _fuzz_settings()

# The first call builds a table over all code points: build it before any deadline runs.
dedup.clean("warm up: a first call builds the character tables")

# --------------------------------------------------------------------------------------------
# Strategies: scraped-looking text


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_LATIN = _words(
    "le site donne davantage de détails sur logiciel question privée annonce gratuite "
    "über straße größer müssen während the quick brown fox jumps over lazy dog "
    "niño año señor corazón acción Łódź zażółć gęślą jaźń café naïve façade"
)
_CYRILLIC = _words("привет мир сегодня хорошая погода новости статья читать далее")
_GREEK = _words("καλημέρα κόσμε ειδήσεις σήμερα άρθρο")
_ARABIC = _words("مرحبا بالعالم الأخبار اليوم مقالة اقرأ المزيد")
_HEBREW = _words("שלום עולם חדשות היום כתבה")
_CJK = list("中文字符串新闻今天文章阅读更多日本語のテキストです東京")
_THAI = _words("สวัสดีชาวโลก ข่าววันนี้ บทความ")
_EMOJI = ["\U0001f600", "\U0001f44d\U0001f3fd", "\U0001f1eb\U0001f1f7", "\u2764\ufe0f",
          "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f680"]  # fmt: skip
_NUMBERS = ["2024", "3.14", "1,000", "12:30", "v2.0", "50%", "€20", "#1"]
_CODEISH = ["example.com", "Node.js", "e.g.", "U.S.", "object.ToString()", "a/b/c", "x_y",
            "https://example.org/a?b=c&d=e", "user@example.com", "Dr.", "z.B."]  # fmt: skip
_COMBINING = ["\u0301", "\u0308", "\u0327", "\u0651", "\u05b7", "\u0e31", "\u20dd", "\u0336"]
_CONTROLS = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1b[31m", "\x7f",
             "\x85", "\x9d", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u2028",
             "\u2029", "\u202e", "\u200f", "\ufffc", "\ufffd", "\r", "\t"]  # fmt: skip
_SURROGATES = ["\ud800", "\udfff", "\udc80", "\ud83d", "\ude00", "\ud83d\ude00", "\udcc3\udca9"]
_ENTITIES = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#8217;", "&eacute;", "&nbsp;",
             "&amp;amp;", "&amp;lt;", "&#x27;", "&#0;", "&#128;", "&#xD800;", "&#99999999;",
             "&#x110000;", "&;", "&copy", "&unknownentity;", "&#;", "&#x;", "&AMP;"]  # fmt: skip

# The bulk of a document comes from a seeded ``random.Random``: one draw builds a whole page
# (drawing every word through hypothesis would cost more than checking the page). Hypothesis
# draws the structure: the layout, the damage, the seed.
_POOLS: tuple[tuple[str, ...], ...] = (
    tuple(_LATIN),
    tuple(w.capitalize() for w in _LATIN),
    tuple(_CYRILLIC),
    tuple(_GREEK),
    tuple(_ARABIC),
    tuple(_HEBREW),
    tuple(_CJK),
    tuple(_THAI),
    tuple(_EMOJI),
    tuple(_NUMBERS),
    tuple(_CODEISH),
)
_ENDS = (".", ".", ".", "!", "?", "\u2026", ".\u00bb", '."', "")


def _odd_word(rng: random.Random) -> str:
    """A word of arbitrary code points (surrogates and controls included)."""
    return "".join(chr(rng.choice((rng.randrange(0x110000), rng.randrange(0x3000))))
                   for _ in range(rng.randint(1, 8)))  # fmt: skip


def _sentence(rng: random.Random, scripts: list[tuple[str, ...]]) -> str:
    words = []
    for _ in range(rng.randint(1, 18)):
        if rng.random() < 0.03:
            words.append(_odd_word(rng))
        else:
            pool = rng.choice(scripts)
            words.append("".join(rng.choices(pool, k=rng.randint(1, 5))) if pool is _POOLS[6]
                         else rng.choice(pool))  # fmt: skip
    words[0] = words[0][:1].upper() + words[0][1:]
    joiner = "" if rng.random() < 0.1 else " "
    return joiner.join(words) + rng.choice(_ENDS)


def _paragraphs(rng: random.Random, count: int) -> list[str]:
    # Most pages are in one or two scripts; some mix many.
    scripts = rng.sample(_POOLS, rng.choice((1, 2, 2, 3, len(_POOLS))))
    return [
        " ".join(_sentence(rng, scripts) for _ in range(rng.randint(1, 5))) for _ in range(count)
    ]


def _mojibake(text: str, codec: str) -> str:
    return text.encode("utf-8", "surrogatepass").decode(codec, "replace")


_DAMAGE = ("mojibake", "mojibake2", "latin1", "entity", "escape", "control", "surrogate",
           "combining", "crlf", "longword", "longline", "spaces", "nfd", "truncate")  # fmt: skip


def _damage(rng: random.Random, text: str, kind: str) -> str:
    """One kind of damage at a random place of ``text``."""
    at = rng.randint(0, len(text))
    to = rng.randint(at, min(len(text), at + 400))
    if kind == "mojibake":
        return text[:at] + _mojibake(text[at:to], "cp1252") + text[to:]
    if kind == "mojibake2":
        return text[:at] + _mojibake(_mojibake(text[at:to], "cp1252"), "cp1252") + text[to:]
    if kind == "latin1":
        return text[:at] + _mojibake(text[at:to], "latin-1") + text[to:]
    if kind == "escape":
        piece = "".join(
            f"&#{ord(c)};" if c.isalpha() and rng.random() < 0.5 else c for c in text[at:to]
        )
        return text[:at] + piece.replace("&", "&amp;", rng.randint(0, 2)) + text[to:]
    pools = {"entity": _ENTITIES, "control": _CONTROLS, "surrogate": _SURROGATES,
             "combining": _COMBINING}  # fmt: skip
    if kind in pools:
        for _ in range(rng.randint(1, 4)):
            at = rng.randint(0, len(text))
            text = text[:at] + rng.choice(pools[kind]) + text[at:]
        return text
    if kind == "crlf":
        return text.replace("\n", rng.choice(["\r\n", "\r", "\u2028", "\n\r"]))
    if kind == "longword":
        unit = rng.choice(["a", "\u00e9", "ab", "\u4e2d", "\U0001f600", "-", ".", "&amp;"])
        return text[:at] + unit * rng.randint(100, 3000) + text[at:]
    if kind == "longline":
        return text.replace("\n", rng.choice([" ", ""]))
    if kind == "spaces":
        pad = rng.choice(["  ", " \n", "\t", "\u00a0", "   \n\n  ", "\n" * 50])
        return text[:at] + pad + text[at:]
    if kind == "nfd":
        return text[:at] + unicodedata.normalize("NFD", text[at:to]) + text[to:]
    return text[:at]  # truncate


_LAYOUTS = ("plain", "flattened", "glued", "repeated", "teaser", "partial", "triple")


@st.composite
def scraped(draw: st.DrawFn) -> str:
    """A scraped-looking page: paragraphs, perhaps doubled (flattened, glued, teaser), damaged."""
    rng = random.Random(draw(st.integers(0, 2**64 - 1)))
    paragraphs = _paragraphs(rng, draw(st.integers(1, 6)))
    joiner = draw(st.sampled_from(["\n\n", "\n", "\n \n", "\r\n\r\n"]))
    body = joiner.join(paragraphs)
    layout = draw(st.sampled_from(_LAYOUTS))
    if layout == "flattened":
        copy = rng.choice(["", " ", "\t"]).join(paragraphs)
        body = body + rng.choice(["\n", "\n\n", " ", ""]) + copy
    elif layout == "glued":
        body = "".join(paragraphs) + "\n\n" + body
    elif layout == "repeated":
        body = body + joiner + body
    elif layout == "teaser":
        body = paragraphs[0][: rng.randint(20, 400)] + "\n" + body
    elif layout == "partial":
        body = body + "\n\n" + "".join(rng.sample(paragraphs, rng.randint(1, len(paragraphs))))
    elif layout == "triple":
        body = "\n".join([body, "".join(paragraphs), body])
    for kind in draw(st.lists(st.sampled_from(_DAMAGE), max_size=3)):
        body = _damage(rng, body, kind)
    return body


def _raw_text() -> st.SearchStrategy[str]:
    """Arbitrary code points, surrogates and controls included."""
    return st.text(st.characters(codec=None, exclude_categories=()), max_size=400)


@st.composite
def _mixed(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(scraped(), _raw_text()), min_size=1, max_size=3))
    return draw(st.sampled_from(["", "\n", "\n\n", " "])).join(parts)


documents = st.one_of(scraped(), _raw_text(), _mixed())

# --------------------------------------------------------------------------------------------
# Checks shared by the properties and the regression file


def _check_edits(text: str, edits: tuple[Edit, ...], result: str) -> None:
    for edit in edits:
        assert isinstance(edit, Edit)
        assert 0 <= edit.start <= edit.end <= len(text), edit
        assert isinstance(edit.replacement, str)
        if edit.kept is not None:
            assert 0 <= edit.kept.start <= edit.kept.end <= len(text), edit
    assert dedup.apply_edits(text, edits) == result


def check_repair(text: str) -> None:
    result = dedup.repair(text)
    assert isinstance(result, Repair)
    assert isinstance(result.text, str)
    _check_edits(text, result.edits, result.text)


def check_repair_idempotent(text: str) -> None:
    once = dedup.repair(text).text
    assert dedup.repair(once).text == once, "repair is not idempotent"


def check_clean(text: str) -> None:
    result = dedup.clean(text, explain=True)
    assert isinstance(result, Cleaned)
    assert isinstance(result.text, str)
    assert dedup.clean(text) == result.text
    # one round of the stages, or a few when repair or a layer of mojibake left more to fix
    names = [s.name for s in result.stages]
    rounds = len(names) // 3
    assert 1 <= rounds <= 4, names
    assert names == ["normalize", "repair", "split"] * rounds, names
    stage_input = text
    for stage in result.stages:
        out = dedup.apply_edits(stage_input, stage.edits)
        _check_edits(stage_input, stage.edits, out)
        stage_input = out
    assert dedup.replay(text, result.stages) == result.text


def check_clean_idempotent(text: str) -> None:
    once = dedup.clean(text)
    assert dedup.clean(once) == once, "clean is not idempotent"


def check_normalize(text: str) -> None:
    result = dedup.normalize(text)
    assert isinstance(result, Normalized)
    assert isinstance(result.text, str)
    _check_edits(text, result.edits, result.text)
    result.text.encode("utf-8")  # no lone surrogate survives
    split = dedup.split_glued(result.text)
    _check_edits(result.text, split.edits, split.text)


def check_find_duplicates(text: str) -> None:
    pairs = dedup.find_duplicates(text)
    assert isinstance(pairs, list)
    for pair in pairs:
        assert isinstance(pair, DuplicatePair)
        assert 0 <= pair.first.start <= pair.first.end <= len(text), pair
        assert 0 <= pair.second.start <= pair.second.end <= len(text), pair
        assert pair.first.start <= pair.second.start, pair
        assert 0.0 <= pair.score <= 1.0, pair
        assert pair.kind in KINDS, pair
        assert pair.removes in (None, "first", "second", "both"), pair
    _check_find_agrees_with_repair(text, pairs)


def _check_find_agrees_with_repair(text: str, pairs: list[DuplicatePair]) -> None:
    """What ``find_duplicates`` says of each pair's copies is what repair does with them.

    - Every removal of repair's first pass on ``text`` cuts into a copy a pair says goes and
      keeps (part of) the pair's other copy.
    - A copy a pair says goes lost half its letters or more in the repaired text, or a removal
      of the first pass cut into it (what only that copy has stays); a copy it does not name
      lost less than half its letters.
    """
    sk = skeleton(text)
    first_pass = [e for e in _repair_once(text, sk, RepairOptions()) if e.action == "remove"]
    removed = bytearray(len(sk))
    for edit in dedup.repair(text).edits:
        if edit.action == "remove":
            i0, i1 = sk.offsets.searchsorted([edit.start, edit.end]).tolist()
            removed[i0:i1] = b"\x01" * (i1 - i0)

    def lost_half(copy: Span) -> bool:
        i0, i1 = sk.offsets.searchsorted([copy.start, copy.end]).tolist()
        return i1 > i0 and 2 * removed.count(1, i0, i1) >= i1 - i0

    def cut_into(copy: Span) -> bool:
        return any(e.start < copy.end and copy.start < e.end for e in first_pass)

    sides = []  # (a copy that goes, the pair's other copy)
    for pair in pairs:
        goes = {
            "first": pair.removes in ("first", "both"),
            "second": pair.removes in ("second", "both"),
        }
        for side, copy, other in (
            ("first", pair.first, pair.second),
            ("second", pair.second, pair.first),
        ):
            if goes[side]:
                sides.append((copy, other))
                assert lost_half(copy) or cut_into(copy), (pair, side)
            else:
                assert not lost_half(copy), (pair, side)

    def keeps(edit: Edit, kept: Span) -> bool:
        return edit.kept is not None and kept.start <= edit.kept.start <= edit.kept.end <= kept.end

    for edit in first_pass:
        assert any(
            keeps(edit, kept) and edit.start < gone.end and gone.start < edit.end
            for gone, kept in sides
        ), (edit, sides)


CHECKS = {
    "repair": check_repair,
    "repair-idempotence": check_repair_idempotent,
    "clean": check_clean,
    "clean-idempotence": check_clean_idempotent,
    "normalize": check_normalize,
    "find_duplicates": check_find_duplicates,
}

# --------------------------------------------------------------------------------------------
# Properties


@FUZZ
@given(documents)
@example("")
@example("\ud800")
@example("\x00" * 100)
def test_repair_any_text(text: str) -> None:
    check_repair(text)


@FUZZ
@given(documents)
@example("")
@example("\udcc3\udca9 &amp;amp; \r\n\x00")
def test_clean_any_text(text: str) -> None:
    check_clean(text)


@FUZZ
@given(documents)
@example("")
@example("&#xD800;&#99999999;\ud83d\ude00")
def test_normalize_any_text(text: str) -> None:
    check_normalize(text)


@FUZZ
@given(documents)
def test_repair_is_idempotent(text: str) -> None:
    check_repair_idempotent(text)


@FUZZ
@given(documents)
def test_clean_is_idempotent(text: str) -> None:
    check_clean_idempotent(text)


@FUZZ
@given(documents)
@example("")
def test_find_duplicates_any_text(text: str) -> None:
    check_find_duplicates(text)


@FUZZ
@given(scraped())
@example("Robot Vacuum j7 Self-Emptying\n\nSold at select shops\n\nRobot Vacuum j7 Self-Emptying\n")
def test_find_says_which_pairs_repair_acts_on(text: str) -> None:
    """On scraped-looking pages (doubled, flattened, teasers, damaged), what
    ``find_duplicates`` says of each pair's copies is what repair does with them."""
    check_find_duplicates(text)


# Real extractor outputs that repair takes four passes or more on: the body in the page, in
# JSON-LD and in app state split over many fields (lxml, selectolax, markdownify).
_MANY_PASSES = (
    "wcxb/dev/0431/selectolax_text",
    "wcxb/dev/3020/markdownify",
    "wcxb/dev/0676/lxml_text_content",
)


def test_find_says_what_every_pass_of_repair_does_on_real_extractor_output() -> None:
    """On real pages holding the article three times or more, where later passes of repair
    remove copies the first leaves, ``find_duplicates`` says so: pairs whose copies both go
    (another staying), and ``distant`` pairs whose copy went with a larger one."""
    records = {r["id"]: r for r in read_jsonl(eval_path("dumps-dev.jsonl"))}
    said: set[tuple[str, str | None]] = set()
    for name in _MANY_PASSES:
        text = records[name]["text"]
        check_find_duplicates(text)
        said.update((p.kind, p.removes) for p in dedup.find_duplicates(text))
    assert ("distant", None) in said
    assert any(kind == "distant" and removes for kind, removes in said), said
    assert any(removes == "both" for _, removes in said), said


_FILLER = "Words and more words. " * 400
# Pieces of markup, whole and broken, that cuts join into new markup or break apart.
_MARKUP_PIECES = [
    "<p>",
    "</p>",
    '<a href="/x">',
    "</a>",
    "\\u003cp\\u003e",
    "\\u003c/p\\u003e",
    "&amp;",
    "&eacute;",
    "&#8217;",
    "\\u00e9",
    '\\"',
    "\\n",
    "](https://e.com/a)",
    "[",
    "]",
    "(",
    "<",
    ">",
    "&",
    "\\",
    " ",
    "\n",
    "word",
    "Caf",
    "é",
    "x",
    "b>",
    "/i>",
    "u003c",
    "amp;",
    "#233;",
    "u00e9",
    "/a)",
    # (long pieces: cuts far apart are checked, and scanned again, as groups of their own; a
    # scan again around a cut runs on until it is in step with the old one, past a long match)
    _FILLER,
    "](https://e.com/" + "a" * 8100 + ")",
    '<a href="' + "h" * 1990 + '">',
]


@st.composite
def _markup_and_cuts(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    pieces = draw(st.lists(st.sampled_from(_MARKUP_PIECES), min_size=1, max_size=60))
    text = "".join(pieces)
    bounds = [0, *itertools.accumulate(map(len, pieces))]  # (cuts between pieces join them)
    anywhere = st.integers(0, len(text))
    points = sorted(draw(st.sets(st.one_of(st.sampled_from(bounds), anywhere), max_size=8)))
    if draw(st.booleans()):  # cuts apart
        cuts = list(zip(points[::2], points[1::2], strict=False))
    else:  # cuts that touch, end to end
        cuts = list(itertools.pairwise(points))
    return text, cuts


@FUZZ
@given(_markup_and_cuts())
@example(("word < b> more", [(6, 7)]))  # (the cut makes a tag: scanned afresh)
@example(("a <b>x</b> and < i> then [y] (z)", [(11, 15), (16, 17), (28, 29)]))
@example(("[](", [(0, 1), (2, 3)]))  # (a "](" whose "(" is cut away is no mark)
@example(("ab<c]def(g", [(2, 5), (5, 8)]))  # (nor one whose "]" a touching cut took)
# (a cut that makes a link's target longer than a tag may be: the text is scanned afresh)
@example(("Words [a link] cut this (" + "u" * 3000 + ") more", [(14, 24)]))
# (markup made and broken by cuts in two groups far apart, each scanned again)
@example(
    (
        "a <b>x</b> and < i> " + _FILLER + "Caf\\u00e9 " + _FILLER + "&amp z <i>y</i> &eacute;",
        [(11, 15), (16, 17), (17639, 17640)],
    )
)
def test_a_cut_skeleton_is_the_skeleton_of_the_cut_text(
    case: tuple[str, list[tuple[int, int]]],
) -> None:
    """``tokens.without`` (a pass after removals) keeps what it can of the old skeleton, its
    markup among it (``markup.markup_cut``, cuts near each other checked as one group): where it
    does not give up, it is the skeleton a scan of the cut text makes. Where it gives up,
    ``tokens.after_cuts`` builds that skeleton with the markup carried over but near the cuts
    (``markup.markup_recut``)."""
    text, cuts = case
    sk = skeleton(text)
    kept = "".join(
        text[a:b]
        for a, b in zip([0] + [e for _, e in cuts], [s for s, _ in cuts] + [len(text)], strict=True)
    )
    fresh = skeleton(kept)
    for cut in (without(sk, text, cuts), after_cuts(sk, text, cuts, kept)):
        if cut is None:
            continue
        for name in ("chars", "offsets", "starts", "newlines", "edges"):
            assert getattr(cut, name).tolist() == getattr(fresh, name).tolist(), name
        for name in ("newline_list", "edge_list", "blank_upto", "size", "markup", "marks"):
            assert getattr(cut, name) == getattr(fresh, name), name
        assert cut.markup_letters == fresh.markup_letters


def test_strategies_build_what_they_promise() -> None:
    """The scraped-text strategy reaches the damage it is there for (checked on a fixed
    sample, so that a change to the strategies that loses a kind of damage fails here)."""
    seen: dict[str, bool] = dict.fromkeys(
        ["mojibake", "surrogate", "control", "entity", "cjk", "rtl", "crlf", "long", "flat"],
        False,
    )

    @settings(max_examples=400, database=None, derandomize=True, deadline=None)
    @given(scraped())
    def look(text: str) -> None:
        seen["mojibake"] |= "Ã" in text or "â€" in text
        seen["surrogate"] |= any("\ud800" <= c <= "\udfff" for c in text)
        seen["control"] |= "\x00" in text or "\x1b" in text or "\x07" in text
        seen["entity"] |= "&amp;" in text or "&#" in text
        seen["cjk"] |= any("\u4e00" <= c <= "\u9fff" for c in text)
        seen["rtl"] |= any("\u0590" <= c <= "\u06ff" for c in text)
        seen["crlf"] |= "\r\n" in text
        seen["long"] |= max(map(len, text.split() or [""])) >= 100
        seen["flat"] |= any(len(p) > 2 and text.count(p) >= 2 for p in text.split("\n\n"))

    look()
    assert all(seen.values()), [k for k, v in seen.items() if not v]


# --------------------------------------------------------------------------------------------
# Every input that ever failed

REGRESSIONS: list[dict[str, Any]] = json.loads(
    (DATA / "fuzz_regressions.json").read_text(encoding="utf-8")
)


def _regression_params() -> list[Any]:
    params = []
    for case in REGRESSIONS:
        marks = []
        if case["expect"] == "fail":
            marks.append(pytest.mark.xfail(strict=True, reason=case["reason"]))
        params.append(pytest.param(case, id=case["id"], marks=marks))
    return params


@pytest.mark.parametrize("case", _regression_params())
def test_regression(case: dict[str, Any]) -> None:
    """Each case runs the checks of the function it once broke (``target``, or all)."""
    targets = list(CHECKS) if case["target"] == "all" else [case["target"]]
    for target in targets:
        CHECKS[target](case["input"])


def test_regression_file_is_well_formed() -> None:
    ids = [case["id"] for case in REGRESSIONS]
    assert len(ids) == len(set(ids))
    for case in REGRESSIONS:
        assert set(case) >= {"id", "target", "input", "found_by", "expect", "reason"}, case["id"]
        assert case["target"] in {*CHECKS, "all"}, case["id"]
        assert case["expect"] in {"pass", "fail"}, case["id"]
        assert isinstance(case["input"], str)
