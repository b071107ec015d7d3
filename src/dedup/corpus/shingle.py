"""Canonical tokens, the exact hash, and word shingles hashed to 64-bit integers.

The corpus stages compare documents by their *canonical* words: Unicode NFC, casefolded, link
targets and bare URLs dropped (extractors that write Markdown keep them, others do not), every
run of characters that are not letters, marks or digits treated as one separator. Scripts
written without spaces (Chinese, Japanese, Thai and their neighbours) give one token per
character.

>>> canonical_tokens("Hello, World!  See [the docs](https://example.org/docs).")
['hello', 'world', 'see', 'the', 'docs']
>>> canonical_text("Hello,\N{NO-BREAK SPACE}world") == canonical_text("hello world")
True
>>> exact_hash("Hello, world") == exact_hash("hello   WORLD!")
True
>>> len(exact_hash("anything"))
32

A shingle is ``k`` consecutive canonical tokens; :func:`shingle_hashes` returns the sorted,
distinct 64-bit hashes of a document's shingles:

>>> hashes = shingle_hashes("one two three four five six", 5)
>>> len(hashes), str(hashes.dtype)
(2, 'uint64')

Everything runs on many documents at once (:func:`shingle_batch`): the texts become one array
of code points, tokens are runs of word characters found with a lookup table, and a token's
hash is a polynomial hash of its code points, computed for all tokens from prefix sums. The
hashes are stable: the same text gives the same hashes on any machine and in any batch.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import regex
import xxhash

from dedup.chars import NO_SPACE_CLASS, no_space_table
from dedup.hashing import MIX, fmix64, powers

__all__ = [
    "CANON_VERSION",
    "ShingleBatch",
    "canonical_text",
    "canonical_tokens",
    "exact_hash",
    "fmix64",
    "shingle_batch",
    "shingle_hashes",
]

#: Bumped whenever canonical tokens or shingle hashes change: stored with every signature.
#: 2: scripts written without spaces are those of :mod:`dedup.chars` (by Unicode script, where
#: version 1 took blocks: Tibetan and half-width Katakana were words, the Katakana middle dot
#: and prolonged sound mark were characters of their own).
#: 3: a Markdown link's title goes with its target; the exact hash is the hash of the canonical
#: tokens (their 64-bit hashes in order), so spacing between characters of scripts written
#: without spaces no longer tells two texts apart.
CANON_VERSION = 3

_MIX = np.uint64(MIX)
_SPACE = 0x20
_CHUNK_CHARS = 1 << 17  # code points per array pass: bounds memory

# Markdown link targets ``](...)``, bare URLs and ``www.`` hosts: page chrome, not words.
_URL = re.compile(r"\]\([^)\s]*\)|(?:https?|HTTPS?|Https?|ftp|FTP)://\S+|(?:www|WWW)\.\S+")

# Characters of scripts written without spaces (:mod:`dedup.chars`) are tokens of their own.
_OTHER, _WORD, _SINGLE = 0, 1, 2
# Splits a canonical text (which has no punctuation left) into tokens.
_CANON_TOKEN = regex.compile(f"{NO_SPACE_CLASS}|(?:(?!{NO_SPACE_CLASS})[^ ])+")


def _char_class(code: int) -> int:
    if no_space_table()[code]:
        return _SINGLE
    return _WORD if unicodedata.category(chr(code))[0] in "LMN" else _OTHER


class _Tables(NamedTuple):
    classes: npt.NDArray[np.uint8]  # _OTHER, _WORD or _SINGLE
    folds: npt.NDArray[np.uint32]  # the case fold where it is one code point, else the lowercase
    expands: re.Pattern[str]  # a character whose case fold is several (sharp s -> "ss")
    spaces: npt.NDArray[np.bool_]  # white space (``str.isspace``), which ends a URL


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    """Per code point of the Basic Multilingual Plane (built on first use, with C-level maps;
    read-only, the same for every call)."""
    size = 0x10000
    chars = [chr(c) for c in range(size)]
    classes = np.fromiter(
        (cat[0] in "LMN" for cat in map(unicodedata.category, chars)), dtype=np.uint8, count=size
    )
    classes[no_space_table()[:size]] = _SINGLE
    folded = list(map(str.casefold, chars))
    lowered = list(map(str.lower, chars))
    folds = np.fromiter(
        (
            ord(f) if len(f) == 1 else ord(lo) if len(lo) == 1 else c
            for c, f, lo in zip(range(size), folded, lowered, strict=True)
        ),
        dtype=np.uint32,
        count=size,
    )
    expanding = np.flatnonzero(np.fromiter(map(len, folded), dtype=np.int64, count=size) > 1)
    expands = re.compile("[" + "".join(re.escape(chars[c]) for c in expanding.tolist()) + "]")
    spaces = np.fromiter(map(str.isspace, chars), dtype=bool, count=size)
    for table in (classes, folds, spaces):
        table.flags.writeable = False
    return _Tables(classes, folds, expands, spaces)


_COLON, _SLASH, _DOT, _W, _LBRACKET, _RBRACKET, _LPAREN, _RPAREN, _QUOTE = (
    ord(c) for c in ':/.w[]()"'
)
_TITLE = 300  # characters a Markdown link's title may run to


def _powers(n: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``BASE**i`` and ``BASE**-i`` modulo 2**64 (as int64) for ``i < n``."""
    power, inverse = powers(n)
    return power.view(np.int64), inverse.view(np.int64)


def _fold(text: str) -> str:
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def _classes(codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint8]:
    classes = _tables().classes[np.minimum(codes, 0xFFFF)]
    astral = codes > 0xFFFF
    if astral.any():
        wide = codes[astral]
        classes[astral] = np.where(no_space_table()[wide], _SINGLE, _OTHER)
    return classes


@dataclass(frozen=True, slots=True)
class ShingleBatch:
    """What :func:`shingle_batch` returns, one entry per text.

    - ``exact``: the xxh3-128 hex digest of the canonical tokens (their 64-bit hashes, in
      order, little-endian).
    - ``shingles``: sorted distinct 64-bit shingle hashes.
    - ``tokens``: the number of canonical tokens.
    """

    exact: tuple[str, ...]
    shingles: tuple[npt.NDArray[np.uint64], ...]
    tokens: tuple[int, ...]


def shingle_batch(
    texts: Sequence[str], k: int, *, max_tokens: int = 0, canonical: bool = False
) -> ShingleBatch:
    """Exact hashes and shingle hashes of many texts at once.

    ``max_tokens`` (``0``: no limit) caps the tokens of each text that make shingles. With
    ``canonical``, ``exact`` holds the canonical texts themselves instead of their hashes.
    """
    exact: list[str] = []
    shingles: list[npt.NDArray[np.uint64]] = []
    tokens: list[int] = []
    tables = _powers(min(sum(len(t) + 1 for t in texts), _CHUNK_CHARS) + 1)
    start = 0
    while start < len(texts):
        stop, size = start, 0
        while stop < len(texts) and (stop == start or size + len(texts[stop]) < _CHUNK_CHARS):
            size += len(texts[stop]) + 1
            stop += 1
        _chunk(texts[start:stop], k, max_tokens, canonical, tables, exact, shingles, tokens)
        start = stop
    return ShingleBatch(tuple(exact), tuple(shingles), tuple(tokens))


def _chunk(
    texts: Sequence[str],
    k: int,
    max_tokens: int,
    canonical: bool,
    tables: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
    exact: list[str],
    shingles: list[npt.NDArray[np.uint64]],
    tokens: list[int],
) -> None:
    expands = _tables().expands
    # a text with a character whose case fold is several code points is case-folded whole
    # (the table below folds one code point to one)
    folded = [
        f.casefold() if not f.isascii() and expands.search(f) else f for f in map(_fold, texts)
    ]
    n_docs = len(folded)
    # One separator (class "other") after each text keeps tokens from crossing texts.
    joined = "\x00".join(folded) + "\x00"
    raw = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    codes = _tables().folds[np.minimum(raw, 0xFFFF)]
    if len(raw) and raw.max() > 0xFFFF:
        codes = np.where(raw > 0xFFFF, raw, codes)
    lengths = np.fromiter((len(f) + 1 for f in folded), dtype=np.int64, count=n_docs)
    doc_start: npt.NDArray[np.int64] = np.r_[0, np.cumsum(lengths)]
    classes = _classes(codes)
    if "://" in joined or "](" in joined or "www." in joined.lower():
        classes[_url_mask(codes)] = _OTHER
    kept = classes != _OTHER
    n = len(codes)
    if (classes == _SINGLE).any():
        word = classes == _WORD
        single = kept & ~word
        starts = np.flatnonzero(single | (word & ~_shift_right(word)))
        ends = np.flatnonzero(single | (word & ~_shift_left(word))) + 1
    else:
        starts = np.flatnonzero(kept & ~_shift_right(kept))
        ends = np.flatnonzero(kept & ~_shift_left(kept)) + 1
    tok_doc = np.searchsorted(doc_start, starts, side="right") - 1
    per_doc = np.bincount(tok_doc, minlength=n_docs)
    tok_first = np.r_[0, np.cumsum(per_doc)]

    # Token hashes: polynomial hash of code points from prefix sums, modulo 2**64 (int64
    # arithmetic wraps like uint64).
    powers, inverse = tables if n < len(tables[0]) else _powers(n)
    with np.errstate(over="ignore"):
        prefix = np.empty(n + 1, dtype=np.int64)
        prefix[0] = 0
        np.cumsum(np.multiply(codes, powers[:n], dtype=np.int64), out=prefix[1:])
        values = prefix[ends]
        values -= prefix[starts]
        values *= inverse[starts]
        tok_hash = fmix64(values.view(np.uint64) ^ fmix64((ends - starts).astype(np.uint64)))

    if canonical:
        # Canonical text of each document: the kept characters, each run of others as one
        # space (dropped at the start and end of a document).
        spaced = kept | _shift_right(kept)
        picked = np.flatnonzero(spaced)
        out = np.where(kept[picked], codes[picked], np.uint32(_SPACE)).astype("<u4")
        bounds: list[int] = np.searchsorted(picked, doc_start).tolist()
        for d in range(n_docs):
            lo, hi = bounds[d], bounds[d + 1]
            if hi > lo and out[hi - 1] == _SPACE:
                hi -= 1
            exact.append(out[lo:hi].tobytes().decode("utf-32-le", "surrogatepass"))
    else:
        # The exact hash: of the token hashes in order (the canonical tokens).
        raw_hashes = tok_hash.astype("<u8")
        firsts: list[int] = tok_first.tolist()
        exact.extend(
            xxhash.xxh3_128_hexdigest(raw_hashes[firsts[d] : firsts[d + 1]].tobytes())
            for d in range(n_docs)
        )

    # Shingles: k consecutive tokens of one document.
    total = len(tok_hash)
    width = min(k, total) if total else 0
    if width:
        count = total - width + 1
        acc = np.zeros(count, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for j in range(width):
                acc ^= tok_hash[j : j + count]
                acc *= _MIX
        sh = fmix64(acc)
    else:
        sh = np.empty(0, dtype=np.uint64)
    for d in range(n_docs):
        first, m = int(tok_first[d]), int(per_doc[d])
        if max_tokens and m > max_tokens:
            m = max_tokens
        if m == 0:
            seg = np.empty(0, dtype=np.uint64)
        elif m < k:
            seg = _short_shingle(tok_hash[first : first + m])
        else:
            seg = np.sort(sh[first : first + m - k + 1])
            if len(seg) > 1:
                distinct = np.empty(len(seg), dtype=bool)
                distinct[0] = True
                np.not_equal(seg[1:], seg[:-1], out=distinct[1:])
                seg = seg[distinct]
        shingles.append(seg)
        tokens.append(int(per_doc[d]))


def _url_mask(codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    """Code points that belong to link targets and URLs, which tokens leave out.

    In order, as if each were replaced by a space before the next is looked for: Markdown link
    targets ``](...)``, with their title when they have one (``](url "title")``); every run of
    non-space characters that contains ``://``; every run that starts with ``www.`` (any case).
    Runs end at white space and at the separator 0.
    """
    n = len(codes)
    sep = _tables().spaces[np.minimum(codes, 0xFFFF)] | (codes == 0)
    mask = np.zeros(n, dtype=bool)
    opens = np.flatnonzero((codes[:-1] == _RBRACKET) & (codes[1:] == _LPAREN))
    if len(opens):
        stops = np.flatnonzero(sep | (codes == _RPAREN))
        at = np.searchsorted(stops, opens + 2)
        ok = at < len(stops)
        opens, ends = opens[ok], stops[at[ok]]
        plain = codes[ends] == _RPAREN
        # a target with a title, ``](url "title")`` (as html2text writes a link's title): the
        # title runs to the first ``")`` within _TITLE characters, in the same document
        titled = ~plain & (ends + 1 < n)
        titled[titled] = codes[ends[titled] + 1] == _QUOTE
        closes = np.flatnonzero((codes[:-1] == _QUOTE) & (codes[1:] == _RPAREN)) + 1
        if titled.any() and len(closes):
            nul = np.flatnonzero(codes == 0)
            starts = ends[titled] + 2
            at = np.searchsorted(closes, starts)
            found = at < len(closes)
            close = np.where(found, closes[np.minimum(at, len(closes) - 1)], n)
            doc_end = nul[np.minimum(np.searchsorted(nul, starts), len(nul) - 1)]
            good = found & (close - starts <= _TITLE) & (close < doc_end)
            ends[np.flatnonzero(titled)[good]] = close[good]
            plain[np.flatnonzero(titled)[good]] = True
        for lo, hi in zip(opens[plain].tolist(), ends[plain].tolist(), strict=True):
            mask[lo : hi + 1] = True
        sep |= mask
    bounds = np.flatnonzero(sep)
    schemes = np.flatnonzero(
        (codes[:-2] == _COLON) & (codes[1:-1] == _SLASH) & (codes[2:] == _SLASH)
    )
    schemes = schemes[~sep[schemes]]
    spans: list[tuple[int, int]] = []
    if len(schemes):
        at = np.searchsorted(bounds, schemes)
        lows = np.where(at > 0, bounds[np.maximum(at - 1, 0)] + 1, 0)
        highs = bounds[np.minimum(at, len(bounds) - 1)]
        spans.extend(zip(lows.tolist(), highs.tolist(), strict=True))
    lower = codes | 0x20  # ``W`` and ``w`` alike (other letters are not compared)
    hosts = np.flatnonzero(
        (lower[:-3] == _W) & (lower[1:-2] == _W) & (lower[2:-1] == _W) & (codes[3:] == _DOT)
    )
    if len(hosts):
        after_sep = np.r_[True, sep[:-1]]
        hosts = hosts[~sep[hosts] & after_sep[hosts]]
        highs = bounds[np.searchsorted(bounds, hosts)]
        spans.extend(zip(hosts.tolist(), highs.tolist(), strict=True))
    for lo, hi in spans:
        mask[lo:hi] = True
    return mask


def _shift_right(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """``mask`` moved one place to the right: ``out[i] = mask[i - 1]``, ``out[0] = False``."""
    out = np.empty_like(mask)
    out[0] = False
    out[1:] = mask[:-1]
    return out


def _shift_left(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """``mask`` moved one place to the left: ``out[i] = mask[i + 1]``, ``out[-1] = False``."""
    out = np.empty_like(mask)
    out[-1] = False
    out[:-1] = mask[1:]
    return out


def _short_shingle(words: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The one shingle of a document with fewer tokens than the shingle size."""
    acc = np.zeros(1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for w in words:
            acc ^= w
            acc *= _MIX
    return fmix64(acc)


def canonical_text(text: str) -> str:
    """The canonical words of ``text`` joined by single spaces."""
    return shingle_batch([text], 1, canonical=True).exact[0]


def canonical_tokens(text: str) -> list[str]:
    """The canonical tokens of ``text``: its words, and each character of scripts written
    without spaces."""
    return _CANON_TOKEN.findall(canonical_text(text))


def exact_hash(text: str) -> str:
    """The stable 128-bit xxh3 hash of the canonical tokens of ``text`` (of their 64-bit hashes,
    in order), as 32 hex digits: equal for texts whose :func:`canonical_tokens` are equal.

    Stable across runs, processes and machines (no per-process seed), so it can be stored.
    """
    return shingle_batch([text], 1).exact[0]


def shingle_hashes(text: str, k: int) -> npt.NDArray[np.uint64]:
    """Sorted distinct 64-bit hashes of the ``k``-token shingles of ``text``.

    A text shorter than ``k`` tokens has one shingle (all its tokens); an empty one has none.
    """
    return shingle_batch([text], k).shingles[0]
