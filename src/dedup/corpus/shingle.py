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

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import regex
import xxhash

from dedup.chars import NO_SPACE_CLASS, every_code_point
from dedup.corpus.links import url_mask
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
_CHUNK_CHARS = 1 << 17  # code units per array pass: bounds memory, keeps the arrays in cache
_EMPTY = np.empty(0, dtype=np.uint64)
_EMPTY.flags.writeable = False
_NONE = np.empty(0, dtype=np.int64)

# Class bits of a code unit: a word character, a character of a script written without spaces
# (:mod:`dedup.chars`, a token of its own), a character whose case fold is several (sharp s ->
# "ss": its text is case-folded whole), and ``:`` or ``]`` (a link or URL may follow).
_WORD, _SINGLE, _EXPANDS, _MARK = 1, 2, 4, 8
# Splits a canonical text (which has no punctuation left) into tokens.
_CANON_TOKEN = regex.compile(f"{NO_SPACE_CLASS}|(?:(?!{NO_SPACE_CLASS})[^ ])+")
_COLON, _SLASH, _DOT, _W, _RBRACKET, _LPAREN = (ord(c) for c in ":/.w](")


class _Tables(NamedTuple):
    """Per code unit of one width (ASCII: 128 entries, the Basic Multilingual Plane: 65,536)."""

    classes: npt.NDArray[np.uint8]  # class bits, of the case fold (and _EXPANDS of the unit)
    folds: npt.NDArray[np.unsignedinteger]  # the case fold if one code point, else the lowercase
    spaces: npt.NDArray[np.bool_]  # white space (``str.isspace``), which ends a URL


@lru_cache(maxsize=1)
def _bmp() -> _Tables:
    """The tables of the Basic Multilingual Plane (built on first use, with C-level maps;
    read-only, the same for every call)."""
    size = 0x10000
    chars = every_code_point(size)
    letters = np.fromiter(
        (cat[0] in "LMN" for cat in map(unicodedata.category, chars)), dtype=np.uint8, count=size
    )
    single = np.zeros(size, dtype=bool)
    for match in regex.finditer(NO_SPACE_CLASS + "+", chars):
        single[match.start() : match.end()] = True
    folded = list(map(str.casefold, chars))
    expanding = np.fromiter(map(len, folded), dtype=np.int64, count=size) != 1
    for code in np.flatnonzero(expanding).tolist():  # the case fold where it is one code point
        lowered = chars[code].lower()  # else the lowercase, else the character itself
        folded[code] = lowered if len(lowered) == 1 else chars[code]
    folds = np.frombuffer("".join(folded).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    # a case fold of the plane stays in it: code units of two bytes hold every fold
    assert int(folds.max()) < size
    short = folds.astype(np.uint16)
    classes = np.where(single, _SINGLE, letters).astype(np.uint8)[short]
    classes[expanding] |= _EXPANDS
    classes[[_COLON, _RBRACKET]] |= _MARK
    spaces = np.fromiter(map(str.isspace, chars), dtype=bool, count=size)
    for table in (classes, short, spaces):
        table.flags.writeable = False
    return _Tables(classes, short, spaces)


@lru_cache(maxsize=1)
def _ascii() -> _Tables:
    """The tables of ASCII, one byte a code unit."""
    bmp = _bmp()
    tables = _Tables(
        bmp.classes[:128].copy(), bmp.folds[:128].astype(np.uint8), bmp.spaces[:128].copy()
    )
    for table in tables:
        table.flags.writeable = False
    return tables


def _powers(n: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``BASE**i`` and ``BASE**-i`` modulo 2**64 (as int64) for ``i < n``."""
    power, inverse = powers(n)
    return power.view(np.int64), inverse.view(np.int64)


@lru_cache(maxsize=1)
def _no_space_char() -> regex.Pattern[str]:
    return regex.compile(NO_SPACE_CLASS)


def _no_space(points: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    """Whether each code point belongs to a script written without spaces
    (:func:`dedup.chars.no_space_table`), asked of the distinct ones only: a process that
    meets a few emoji does not build the table of all 0x110000 code points (50 ms)."""
    distinct, inverse = np.unique(points, return_inverse=True)
    pattern = _no_space_char()
    flags = [pattern.fullmatch(chr(c)) is not None for c in distinct.tolist()]
    return np.array(flags, dtype=bool)[inverse.ravel()]


@lru_cache(maxsize=1)
def _chunk_powers() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """:func:`_powers` for a chunk of the usual size (read-only, built once)."""
    tables = _powers((1 << 18) + 1)
    for table in tables:
        table.flags.writeable = False
    return tables


def _powers_for(n: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``BASE**i`` and ``BASE**-i`` for ``i <= n``: the cached tables when they suffice."""
    cached = _chunk_powers()
    return cached if n < len(cached[0]) else _powers(n + 1)


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


@dataclass(frozen=True, slots=True)
class _Spec:
    """What a batch asks for: shingles of ``k`` tokens from the first ``max_tokens`` (0: all),
    or with ``canonical`` the canonical texts instead of the exact hashes."""

    k: int
    max_tokens: int
    canonical: bool


class _Out:
    """The results of a batch, filled text by text in whatever order the texts are processed."""

    __slots__ = ("exact", "shingles", "tokens")

    def __init__(self, n: int) -> None:
        self.exact: list[str] = [""] * n
        self.shingles: list[npt.NDArray[np.uint64]] = [_EMPTY] * n
        self.tokens: list[int] = [0] * n


@dataclass(slots=True)
class _Group:
    """Texts of one code-unit width (1: ASCII, 2: the Basic Multilingual Plane, 4: any), by
    their place in the batch; ``data`` holds each one's encoding when the width is 2."""

    width: int
    places: list[int]
    texts: list[str]
    data: list[bytes]


def shingle_batch(
    texts: Sequence[str], k: int, *, max_tokens: int = 0, canonical: bool = False
) -> ShingleBatch:
    """Exact hashes and shingle hashes of many texts at once.

    ``max_tokens`` (``0``: no limit) caps the tokens of each text that make shingles. With
    ``canonical``, ``exact`` holds the canonical texts themselves instead of their hashes.
    """
    spec = _Spec(k, max_tokens, canonical)
    out = _Out(len(texts))
    later: list[tuple[int, str]] = []
    pending = _Pending(spec, out, later)
    for place, text in enumerate(texts):
        pending.add(place, text)
    pending.flush()
    if later:
        # texts with a character whose case fold is several code points, case-folded whole
        again = _Pending(spec, out, None)
        for place, text in later:
            again.add(place, text, normal=True)
        again.flush()
    return ShingleBatch(tuple(out.exact), tuple(out.shingles), tuple(out.tokens))


class _Pending:
    """Texts waiting for their chunk, one group per width: a group is tokenised once it holds
    about :data:`_CHUNK_CHARS` code units (a longer text alone), so that the arrays of a chunk
    stay small and their memory is reused."""

    def __init__(self, spec: _Spec, out: _Out, later: list[tuple[int, str]] | None) -> None:
        self.spec, self.out, self.later = spec, out, later
        self.groups = {width: _Group(width, [], [], []) for width in (1, 2, 4)}
        self.sizes = dict.fromkeys(self.groups, 0)

    def add(self, place: int, text: str, *, normal: bool = False) -> None:
        """Queue the text at ``place`` (NFC already when ``normal``)."""
        data = b""
        if text.isascii():
            width = 1
        else:
            if not normal and not unicodedata.is_normalized("NFC", text):
                text = unicodedata.normalize("NFC", text)
            data = text.encode("utf-16-le", "surrogatepass")
            width = 2 if len(data) == 2 * len(text) else 4
        if self.groups[width].texts and self.sizes[width] + len(text) >= _CHUNK_CHARS:
            self._run(width)
        group = self.groups[width]
        group.places.append(place)
        group.texts.append(text)
        if width == 2:
            group.data.append(data)
        self.sizes[width] += len(text) + 1

    def flush(self) -> None:
        for width, group in self.groups.items():
            if group.texts:
                self._run(width)

    def _run(self, width: int) -> None:
        group = self.groups[width]
        self.groups[width] = _Group(width, [], [], [])
        self.sizes[width] = 0
        _chunk(group, self.spec, self.out, self.later)


def _encode(group: _Group) -> tuple[npt.NDArray[np.unsignedinteger], _Tables]:
    """The texts of ``group`` as one array of code units, each followed by a 0 (a separator
    that keeps tokens from crossing texts), and the tables of their width."""
    if group.width == 1:
        joined = ("\x00".join(group.texts) + "\x00").encode("ascii")
        return np.frombuffer(joined, dtype=np.uint8), _ascii()
    if group.width == 2:
        joined = b"\x00\x00".join(group.data) + b"\x00\x00"
        return np.frombuffer(joined, dtype="<u2"), _bmp()
    text = "\x00".join(group.texts) + "\x00"
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4"), _bmp()


def _chunk(group: _Group, spec: _Spec, out: _Out, later: list[tuple[int, str]] | None) -> None:
    """Tokens, exact hashes and shingles of the texts of ``group``, into ``out``.

    A text with a character whose case fold is several code points (the tables fold one code
    point to one) goes to ``later`` case-folded whole, to be tokenised again (with ``later``
    None); here it gets no tokens."""
    raw, tables = _encode(group)
    # np.take with an index of the platform's integers: several times as fast as indexing
    # with the code units themselves
    index = np.minimum(raw, 0xFFFF).astype(np.intp) if group.width == 4 else raw.astype(np.intp)
    classes = np.take(tables.classes, index)
    codes: npt.NDArray[np.unsignedinteger] = np.take(tables.folds, index)
    if group.width == 4:
        codes = codes.astype(np.uint32)
        astral = raw > 0xFFFF
        if astral.any():
            codes[astral] = raw[astral]
            classes[astral] = np.where(_no_space(raw[astral]), _SINGLE, 0)
    flags = int(np.bitwise_or.reduce(classes)) if len(raw) else 0
    lengths = np.fromiter((len(t) + 1 for t in group.texts), dtype=np.int64, count=len(group.texts))
    doc_start: npt.NDArray[np.int64] = np.r_[0, np.cumsum(lengths)]
    if flags & _EXPANDS and later is not None:
        docs = _docs_at(doc_start, np.flatnonzero((classes & _EXPANDS) != 0))
        later.extend((group.places[d], group.texts[d].casefold()) for d in docs.tolist())
        classes[_ranges(doc_start, docs)] = 0
    marks = _link_marks(codes, classes) if flags & _MARK else _NONE
    starts, ends = _bounds(classes, flags)
    hosts = _hosts(codes, starts, ends)
    if len(marks) or len(hosts):
        # link targets and URLs: looked for in the texts that may hold them
        at = _ranges(doc_start, _docs_at(doc_start, np.concatenate([marks, hosts])))
        sub = codes[at]
        spaces = tables.spaces[np.minimum(sub, len(tables.spaces) - 1)]
        classes[at[url_mask(sub, spaces)]] = 0
        starts, ends = _bounds(classes, flags)
    tok_first = np.searchsorted(starts, doc_start)
    tok_hash = _token_hashes(codes, starts, ends)
    if spec.canonical:
        _canonical(group, codes, classes, doc_start, out)
    else:
        data = memoryview(tok_hash.astype("<u8").tobytes())
        bounds: list[int] = (tok_first * 8).tolist()
        for d, place in enumerate(group.places):
            out.exact[place] = xxhash.xxh3_128_hexdigest(data[bounds[d] : bounds[d + 1]])
    per_doc = np.diff(tok_first)
    for place, count in zip(group.places, per_doc.tolist(), strict=True):
        out.tokens[place] = count
    _shingles(tok_hash, tok_first, group.places, spec, out)


def _docs_at(doc_start: npt.NDArray[np.int64], at: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The distinct texts (by number) that the code units ``at`` belong to."""
    return np.unique(np.searchsorted(doc_start, at, side="right") - 1)


def _ranges(doc_start: npt.NDArray[np.int64], docs: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The code units of the texts ``docs`` (ascending), each with the separator after it."""
    lows, lengths = doc_start[docs], doc_start[docs + 1] - doc_start[docs]
    shift = np.repeat(lows - np.r_[0, np.cumsum(lengths)[:-1]], lengths)
    units: npt.NDArray[np.int64] = np.arange(int(lengths.sum()), dtype=np.int64) + shift
    return units


def _link_marks(
    codes: npt.NDArray[np.unsignedinteger], classes: npt.NDArray[np.uint8]
) -> npt.NDArray[np.int64]:
    """Where ``://`` or ``](`` stands, which begin a URL or a link target."""
    at = np.flatnonzero((classes & _MARK) != 0)  # nonzero of a bool array: the fast one
    at = at[at + 2 < len(codes)]
    mark = codes[at]
    colon = at[mark == _COLON]
    colon = colon[(codes[colon + 1] == _SLASH) & (codes[colon + 2] == _SLASH)]
    bracket = at[mark == _RBRACKET]
    return np.concatenate([colon, bracket[codes[bracket + 1] == _LPAREN]])


def _hosts(
    codes: npt.NDArray[np.unsignedinteger],
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Where a token ``www`` (any case: the codes are folded) is followed by a ``.``."""
    three = starts[(ends - starts == 3) & (codes[starts] == _W)]
    www = (codes[three + 1] == _W) & (codes[three + 2] == _W) & (codes[three + 3] == _DOT)
    found: npt.NDArray[np.int64] = three[www]
    return found


def _bounds(
    classes: npt.NDArray[np.uint8], flags: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Where tokens start and end: runs of word characters, and each character of a script
    written without spaces alone."""
    if flags & _SINGLE:
        word = (classes & _WORD).view(bool)
        single = (classes & _SINGLE) != 0
        starts = np.flatnonzero(single | (word & ~_shift_right(word)))
        ends = np.flatnonzero(single | (word & ~_shift_left(word))) + 1
        return starts, ends
    kept = (classes & _WORD).view(bool)
    change = np.flatnonzero(kept[1:] != kept[:-1]) + 1
    if len(kept) and kept[0]:
        change = np.r_[0, change]
    # the last code unit is a separator: every run of word characters ends
    return change[0::2], change[1::2]


def _token_hashes(
    codes: npt.NDArray[np.unsignedinteger],
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
) -> npt.NDArray[np.uint64]:
    """Each token's hash: a polynomial hash of its code points from prefix sums, modulo 2**64
    (int64 arithmetic wraps like uint64), mixed with its length."""
    n = len(codes)
    powers, inverse = _powers_for(n)
    with np.errstate(over="ignore"):
        prefix = np.empty(n + 1, dtype=np.int64)
        prefix[0] = 0
        np.cumsum(np.multiply(codes, powers[:n], dtype=np.int64), out=prefix[1:])
        values = prefix[ends]
        values -= prefix[starts]
        values *= inverse[starts]
        return fmix64(values.view(np.uint64) ^ _length_mix(ends - starts))


@lru_cache(maxsize=1)
def _length_table() -> npt.NDArray[np.uint64]:
    table = fmix64(np.arange(256, dtype=np.uint64))
    table.flags.writeable = False
    return table


def _length_mix(lengths: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
    """``fmix64`` of each token's length (from a table for the usual lengths)."""
    if len(lengths) and int(lengths.max()) < 256:
        return _length_table()[lengths]
    return fmix64(lengths.astype(np.uint64))


def _shingles(
    tok_hash: npt.NDArray[np.uint64],
    tok_first: npt.NDArray[np.int64],
    places: list[int],
    spec: _Spec,
    out: _Out,
) -> None:
    """The sorted distinct shingle hashes of each text: ``k`` consecutive tokens of one text
    (a text of fewer tokens has one shingle, all its tokens)."""
    k = spec.k
    counts = np.diff(tok_first)
    if spec.max_tokens:
        counts = np.minimum(counts, spec.max_tokens)
    first = tok_first[:-1]
    short = np.flatnonzero((counts > 0) & (counts < k))
    if len(short):
        acc = np.zeros(len(short), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for j in range(k - 1):
                live = counts[short] > j
                acc[live] ^= tok_hash[first[short][live] + j]
                acc[live] *= _MIX
        singles = fmix64(acc)
        for d, value in zip(short.tolist(), np.split(singles, len(short)), strict=True):
            out.shingles[places[d]] = value
    full = np.flatnonzero(counts >= k)
    if len(full) == 0:
        return
    total = len(tok_hash)
    count = total - k + 1
    acc = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            acc ^= tok_hash[j : j + count]
            acc *= _MIX
    sh = fmix64(acc)
    lows = first[full]
    highs = lows + counts[full] - k + 1
    for lo, hi in zip(lows.tolist(), highs.tolist(), strict=True):
        sh[lo:hi].sort()
    # distinct within each text: unlike the one before it, or the first of its text
    edges = np.zeros(count + 1, dtype=np.int32)
    np.add.at(edges, lows, 1)
    np.add.at(edges, highs, -1)
    keep = np.cumsum(edges[:count]) > 0
    keep[1:] &= sh[1:] != sh[:-1]
    keep[lows] = True
    values = sh[keep]
    at = np.r_[0, np.cumsum(keep)]
    for d, lo, hi in zip(full.tolist(), at[lows].tolist(), at[highs].tolist(), strict=True):
        out.shingles[places[d]] = values[lo:hi]


def _canonical(
    group: _Group,
    codes: npt.NDArray[np.unsignedinteger],
    classes: npt.NDArray[np.uint8],
    doc_start: npt.NDArray[np.int64],
    out: _Out,
) -> None:
    """The canonical text of each text of ``group``: the kept characters, each run of others
    as one space (dropped at the start and end of a text)."""
    kept = (classes & (_WORD | _SINGLE)) != 0
    spaced = kept | _shift_right(kept)
    picked = np.flatnonzero(spaced)
    chars = np.where(kept[picked], codes[picked], _SPACE).astype("<u4")
    bounds: list[int] = np.searchsorted(picked, doc_start).tolist()
    for d, place in enumerate(group.places):
        lo, hi = bounds[d], bounds[d + 1]
        if hi > lo and chars[hi - 1] == _SPACE:
            hi -= 1
        out.exact[place] = chars[lo:hi].tobytes().decode("utf-32-le", "surrogatepass")


def _shift_right(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """``mask`` moved one place to the right: ``out[i] = mask[i - 1]``, ``out[0] = False``."""
    out = np.empty_like(mask)
    if len(out):
        out[0] = False
        out[1:] = mask[:-1]
    return out


def _shift_left(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """``mask`` moved one place to the left: ``out[i] = mask[i + 1]``, ``out[-1] = False``."""
    out = np.empty_like(mask)
    if len(out):
        out[-1] = False
        out[:-1] = mask[1:]
    return out


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
