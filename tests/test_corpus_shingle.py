"""Canonical tokens, the exact hash and shingle hashes (dedup.corpus.shingle)."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.chars import no_space
from dedup.corpus import shingle
from dedup.corpus.shingle import (
    canonical_text,
    canonical_tokens,
    exact_hash,
    shingle_batch,
    shingle_hashes,
)

ZOE = "Zo\N{LATIN SMALL LETTER E WITH DIAERESIS}"
STRASSE = "stra\N{LATIN SMALL LETTER SHARP S}e"
WORDS = st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", ZOE, STRASSE, "42"]))
SEPARATORS = st.sampled_from([" ", "  ", "\n", "\n\n", ", ", ". ", "\t", "\N{NO-BREAK SPACE}"])


def reference_tokens(text: str) -> list[str]:
    """A slow, obvious tokeniser: per character, by Unicode category."""
    out: list[str] = []
    word: list[str] = []
    text = unicodedata.normalize("NFC", text)
    if any(len(ch.casefold()) > 1 for ch in text):
        text = text.casefold()
    text = re.sub(r"\]\([^)\s\x00]*\)", " ", text)
    text = re.sub(r"[^\s\x00]*://[^\s\x00]*", " ", text)
    text = re.sub(r"(?<![^\s\x00])(?i:www)\.[^\s\x00]*", " ", text)
    for ch in text:
        code = ord(ch)
        folded = ch.casefold() if len(ch.casefold()) == 1 else ch.lower()
        if len(folded) != 1:
            folded = ch
        if no_space(folded):
            if word:
                out.append("".join(word))
                word = []
            out.append(folded)
        elif unicodedata.category(folded)[0] in "LMN" and code <= 0xFFFF:
            word.append(folded)
        else:
            if word:
                out.append("".join(word))
                word = []
    if word:
        out.append("".join(word))
    return out


def test_scripts_without_spaces_are_the_table_repair_reads() -> None:
    import regex

    from dedup.chars import NO_SPACE_CLASS, every_code_point, no_space_table

    table = no_space_table()
    expected = [m.start() for m in regex.finditer(NO_SPACE_CLASS, every_code_point())]
    assert table.nonzero()[0].tolist() == expected
    tibetan = "\N{TIBETAN LETTER KA}\N{TIBETAN LETTER KHA}"
    halfwidth = "\N{HALFWIDTH KATAKANA LETTER A}\N{HALFWIDTH KATAKANA LETTER I}"
    astral = "\N{CJK UNIFIED IDEOGRAPH-20000}\N{KATAKANA LETTER ARCHAIC E}"
    for chars in (tibetan, halfwidth, astral):
        assert canonical_tokens(f"{chars} and more") == [*chars, "and", "more"]
    # the prolonged sound mark is common to Hiragana and Katakana: a word character
    long_a = "\N{KATAKANA LETTER KA}\N{KATAKANA-HIRAGANA PROLONGED SOUND MARK}"
    assert canonical_tokens(long_a) == list(long_a)


def test_canonical_tokens_drop_case_punctuation_and_urls() -> None:
    text = "Hello, World!  See [the docs](https://example.org/x) at www.example.org/y now."
    assert canonical_tokens(text) == ["hello", "world", "see", "the", "docs", "at", "now"]


def test_scripts_without_spaces_give_one_token_per_character() -> None:
    tokyo = "\N{CJK UNIFIED IDEOGRAPH-6771}\N{CJK UNIFIED IDEOGRAPH-4EAC}"
    tower = "\N{KATAKANA LETTER TA}\N{KATAKANA LETTER WA}"
    assert canonical_tokens(f"{tokyo}{tower} is tall") == [*tokyo, *tower, "is", "tall"]
    assert canonical_text(f"{tokyo}, tower") == f"{tokyo} tower"


def test_marks_stay_inside_words() -> None:
    # A combining mark (category M) is part of the word, as in Devanagari vowel signs.
    ki = "\N{DEVANAGARI LETTER KA}\N{DEVANAGARI VOWEL SIGN I}"
    assert canonical_tokens(f"{ki} {ki}{ki}") == [ki, ki + ki]
    acute = "e\N{COMBINING ACUTE ACCENT}te"
    assert canonical_tokens(acute) == ["\N{LATIN SMALL LETTER E WITH ACUTE}te"]


def test_exact_hash_is_stable_across_runs() -> None:
    # Pinned: an index stores these, so they must never change without a version bump.
    assert exact_hash("Hello, world") == "3025919c98b7dbc33ed74c22ff34ec6b"
    # By definition: of the canonical tokens, in order.
    assert exact_hash("Hello, world") == exact_hash(canonical_text("Hello, world"))
    assert exact_hash("Hello, world") != exact_hash("world hello")
    assert exact_hash("") == exact_hash("  ...  ")
    # equal canonical tokens, equal hashes (spacing between characters of scripts written
    # without spaces is not a token)
    assert exact_hash("\u65e5\u672c") == exact_hash("\u65e5 \u672c")


def test_shingle_hashes_are_stable_across_runs() -> None:
    hashes = shingle_hashes("one two three four five six", 5)
    assert hashes.tolist() == [260659224457859840, 16496746919498507666]


@given(words=WORDS, seps=st.lists(SEPARATORS, min_size=1))
def test_exact_hash_ignores_case_spacing_and_punctuation(words: list[str], seps: list[str]) -> None:
    plain = " ".join(words)
    noisy = "".join(w.upper() + seps[i % len(seps)] for i, w in enumerate(words))
    assert exact_hash(plain) == exact_hash(noisy)


@given(texts=st.lists(st.text(max_size=60), max_size=8), k=st.integers(1, 6))
@settings(max_examples=40, deadline=None)
def test_a_batch_equals_each_text_alone(texts: list[str], k: int) -> None:
    batch = shingle_batch(texts, k)
    for text, exact, hashes in zip(texts, batch.exact, batch.shingles, strict=True):
        assert exact == exact_hash(text)
        assert np.array_equal(hashes, shingle_hashes(text, k))


@given(text=st.text(max_size=80))
@settings(max_examples=100, deadline=None)
def test_tokens_match_the_reference(text: str) -> None:
    assert canonical_tokens(text) == reference_tokens(text)


@given(text=st.text(alphabet="ab :/.wW[]()\n\x00\N{NO-BREAK SPACE}", max_size=60))
@settings(max_examples=150, deadline=None)
def test_links_and_urls_are_dropped_like_the_reference(text: str) -> None:
    assert canonical_tokens(text) == reference_tokens(text)


def test_shingles_are_sorted_distinct_and_count_as_expected() -> None:
    hashes = shingle_hashes("a b c a b c a b c", 3)
    assert len(hashes) == 3  # "a b c", "b c a", "c a b"
    assert np.all(np.diff(hashes.astype(np.float64)) > 0)
    assert len(shingle_hashes("only two", 5)) == 1
    assert len(shingle_hashes(" ,. ", 5)) == 0


def test_texts_larger_than_a_chunk_hash_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [" ".join(f"w{i % 97}x{j}" for i in range(300)) for j in range(5)]
    whole = shingle_batch(texts, 5)
    monkeypatch.setattr(shingle, "_CHUNK_CHARS", 500)
    small = shingle_batch(texts, 5)
    assert whole.exact == small.exact
    for a, b in zip(whole.shingles, small.shingles, strict=True):
        assert np.array_equal(a, b)


def test_max_tokens_caps_the_shingles() -> None:
    text = " ".join(f"w{i}" for i in range(100))
    capped = shingle_batch([text], 5, max_tokens=10)
    assert len(capped.shingles[0]) == 6
    assert capped.tokens == (100,)


def _fmix(value: int) -> int:
    mask = 2**64 - 1
    value ^= value >> 33
    value = (value * 0xFF51AFD7ED558CCD) & mask
    value ^= value >> 33
    value = (value * 0xC4CEB9FE1A85EC53) & mask
    return value ^ (value >> 33)


def reference_hashes(text: str, k: int) -> tuple[str, list[int]]:
    """The exact hash and the shingle hashes of ``text`` by their definition, one token and one
    shingle at a time with Python integers."""
    import xxhash

    from dedup.hashing import BASE, MIX

    mask = 2**64 - 1
    tokens = [
        _fmix(sum(ord(c) * pow(BASE, i, 2**64) for i, c in enumerate(tok)) & mask ^ _fmix(len(tok)))
        for tok in reference_tokens(text)
    ]
    exact = xxhash.xxh3_128_hexdigest(b"".join(t.to_bytes(8, "little") for t in tokens))
    windows = [tokens[i : i + k] for i in range(len(tokens) - k + 1)] or [tokens]
    shingles = set()
    for window in windows if tokens else []:
        acc = 0
        for value in window:
            acc = ((acc ^ value) * MIX) & mask
        shingles.add(_fmix(acc))
    return exact, sorted(shingles)


MIXED = st.text(
    alphabet=st.sampled_from(
        [
            *"abcWw :/.[]()\n\x00",
            "\N{LATIN SMALL LETTER SHARP S}",
            "\N{RIGHT SINGLE QUOTATION MARK}",
            "\N{LATIN SMALL LETTER E WITH ACUTE}",
            "\N{COMBINING ACUTE ACCENT}",
            "\ud800",
            "\N{CJK UNIFIED IDEOGRAPH-4E2D}",
            "\N{CJK UNIFIED IDEOGRAPH-20000}",
            "\N{GOTHIC LETTER AHSA}",
            "\N{GREEK CAPITAL LETTER SIGMA}",
            "\N{LATIN SMALL LIGATURE FF}",
            "\N{NO-BREAK SPACE}",
        ]
    ),
    max_size=40,
)


@given(texts=st.lists(MIXED, max_size=6), k=st.integers(1, 5))
@settings(max_examples=150, deadline=None)
def test_hashes_follow_their_definition_in_every_width(texts: list[str], k: int) -> None:
    # ASCII, the Basic Multilingual Plane and texts beyond it take different array widths (and
    # texts with a case fold of several code points are folded whole): one definition for all
    batch = shingle_batch(texts, k)
    for text, exact, hashes in zip(texts, batch.exact, batch.shingles, strict=True):
        want_exact, want = reference_hashes(text, k)
        assert exact == want_exact
        assert hashes.tolist() == want
