"""The glued-sentence stage: the space put back between sentences that lost it.

A flattened copy of an article (JSON-LD ``articleBody``, app state) loses its paragraph
breaks, and its sentences meet without a space: ``privée.Buzzfeed``. :func:`split_glued` puts
the space back where a sentence mark between two words of prose can only be a sentence end;
:func:`dedup.clean` runs it after repair, so that a flattened copy that repair removes is not
split first. Its options are :class:`dedup.normalize.NormalizeOptions`' ``split_marks`` and
``min_glued``.

>>> from dedup.glued import split_glued
>>> split_glued("Une annonce privée.Buzzfeed a écrit.Le texte suit.").text
'Une annonce privée. Buzzfeed a écrit. Le texte suit.'
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import regex

from dedup.model import Edit, Normalized, apply_edits, check_text, with_overrides
from dedup.normalize import NormalizeOptions

__all__ = ["split_glued"]

# A sentence mark, an optional closing quote, then a letter other than a-z with no space
# between: the places worth a closer look (most sentence marks are followed by a space, and a
# lower-case letter, as in ``example.com``, never opens a capitalised word).
_GLUE_SCAN = re.compile(
    '[.!?]["\N{RIGHT DOUBLE QUOTATION MARK}\N{RIGHT SINGLE QUOTATION MARK}'
    "\N{RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK}]?(?=[^\\W\\d_a-z])"
)
_WORD_BEFORE = regex.compile(r"[\p{L}\p{M}]+$")
_NEXT_WORD = regex.compile(r"[\p{L}\p{M}]+")
_HUMP = regex.compile(r"\p{Ll}\p{M}*\p{Lu}")
# Abbreviations that a capitalised word may follow without a space.
# fmt: off
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "mt", "ft", "co", "inc", "ltd", "corp",
    "bros", "no", "nos", "vol", "vols", "fig", "figs", "ed", "eds", "vs", "cf", "ca", "approx",
    "etc", "al", "resp", "nr", "hr", "fr", "frl", "bzw", "usw", "vgl", "ggf", "inkl", "evtl",
    "abs", "art", "bd", "hrsg", "geb", "gest", "str", "tel", "mio", "mrd", "jh", "jhd", "bsp",
    "sog", "zt", "dt", "engl", "franz", "lat", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "okt", "nov", "dec", "dez", "mme", "mlle", "mgr", "sra", "sres", "ud",
    "uds", "pag", "num", "av", "sig", "oz",
})
# fmt: on
_EDGE_PUNCTUATION = (
    "\"',.!?:;\N{LEFT DOUBLE QUOTATION MARK}\N{RIGHT DOUBLE QUOTATION MARK}"
    "\N{LEFT SINGLE QUOTATION MARK}\N{RIGHT SINGLE QUOTATION MARK}"
    "\N{LEFT-POINTING DOUBLE ANGLE QUOTATION MARK}\N{RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK}"
)
# The vowels of a word of Latin letters (``_glue_point``).
_VOWELS = frozenset("aeiouy")
# Characters that mark a token as code, an address or a path, not prose.
_CODE_CHARS = frozenset("/\\@_=<>{}[]()#|*~$^+&%`:;")


def _token_bounds(text: str, start: int, end: int, limit: int = 100) -> tuple[int, int]:
    """The run of non-space characters around ``[start, end)``, at most ``limit`` more each
    side (a longer run is no word of prose, and the cap keeps the cost linear)."""
    low = max(0, start - limit)
    while start > low and not text[start - 1].isspace():
        start -= 1
    high = min(len(text), end + limit)
    while end < high and not text[end].isspace():
        end += 1
    return start, end


def _glue_point(text: str, m: re.Match[str], marks: str) -> tuple[int, str] | None:
    """Where to insert the space for the glue candidate ``m`` and the glued pair of words, or
    ``None`` to leave it."""
    if text[m.start()] not in marks:
        return None
    point = m.end()
    next_word = _NEXT_WORD.match(text, point)
    if next_word is None:
        return None
    nxt = next_word.group()
    # A capitalised word: an upper-case letter, then a lower-case one.
    if len(nxt) < 2 or not nxt[0].isupper() or not nxt[1].islower():
        return None
    before = _WORD_BEFORE.search(text, max(0, m.start() - 64), m.start())
    if before is None:
        return None
    word = before.group()
    # Two letters at least, ending in lower case, not capitalised (String.Index, Paris.The:
    # more often a name or a type than a sentence end), not an abbreviation. A word of Latin
    # letters without a vowel is a package, a variable or a unit, not a sentence's last word
    # (src.Close, fmt.Println, http.Get, fl.Oz).
    if len(word) < 2 or (not word[-1].islower() and not unicodedata.combining(word[-1])):
        return None
    if word.isascii() and not _VOWELS.intersection(word.lower()):
        return None
    if word[0].isupper() or word.lower() in _ABBREVIATIONS:
        return None
    # After a dot, a letter, a digit or a hyphen the word is part of a name (e.g., z.B., 3.Mal,
    # example.co.Uk); camelCase and a word repeated across the dot are code (context.Context).
    start = before.start()
    if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._-'@/\\"):
        return None
    if _HUMP.search(word) or _HUMP.search(nxt) or nxt.lower() == word.lower():
        return None
    after = next_word.end()
    if after + 1 < len(text) and text[after] in ".(<[:" and not text[after + 1].isspace():
        return None
    tok_start, tok_end = _token_bounds(text, start, after)
    token = text[tok_start:tok_end]
    if (tok_start > 0 and not text[tok_start - 1].isspace()) or (
        tok_end < len(text) and not text[tok_end].isspace()
    ):
        return None
    if any(ch in _CODE_CHARS for ch in token.strip(_EDGE_PUNCTUATION)) or "www." in token.lower():
        return None
    if any(ch in "()[]{}" for ch in token):
        return None
    return point, f"{word.lower()}.{nxt.lower()}"


def _split(point: int) -> Edit:
    return Edit(
        start=point,
        end=point,
        action="split",
        reason="glued-sentence",
        score=1.0,
        kept=None,
        replacement=" ",
    )


def split_glued(text: str, options: NormalizeOptions | None = None, **overrides: Any) -> Normalized:
    """Insert the missing space between glued sentences: ``privée.Buzzfeed`` → ``privée. Buzzfeed``.

    It splits only where a word of two or more letters ending in a lowercase letter (of Latin
    letters, one holding a vowel) meets a sentence mark (``options.split_marks``) and then,
    without a space, a capitalised word. It leaves abbreviations (U.S., e.g., z.B., Dr.),
    numbers (3.14, 1.000), domains and file names (example.com, Node.js, index.html), initials
    (J.R.R. Tolkien), version strings (v2.Beta) and code (object.ToString, context.Context,
    fmt.Println) alone.

    A single glued sentence end in a line is left unless ``min_glued=1``:

    >>> split_glued("Sie kam zurück.Dann ging sie.").changed
    False
    >>> split_glued("Sie kam zurück.Dann ging sie.", min_glued=1).text
    'Sie kam zurück. Dann ging sie.'
    >>> split_glued("See e.g.The U.S.Army at example.com or Node.js, v1.2.Beta.").changed
    False
    >>> result = split_glued("end.Next", min_glued=1)
    >>> [(e.start, e.end, e.action, e.replacement) for e in result.edits]
    [(4, 4, 'split', ' ')]
    """
    check_text(text)
    opts = with_overrides(options, NormalizeOptions, overrides)
    if not opts.split_marks:
        return Normalized(text, ())
    edits: list[Edit] = []
    # The glue points of the current line, and the distinct glued pairs of words among them:
    # a flattened copy glues different paragraph ends, while the same pair again and again
    # ("5 kids.No parental controls", twice in a listing) is the page's own spelling.
    points: list[int] = []
    pairs: set[str] = set()
    line_end = -1
    for m in _GLUE_SCAN.finditer(text):
        if m.start() > line_end:
            if len(pairs) >= opts.min_glued:
                edits.extend(_split(p) for p in points)
            points, pairs = [], set()
            line_end = text.find("\n", m.start())
            if line_end < 0:
                line_end = len(text)
        found = _glue_point(text, m, opts.split_marks)
        if found is not None:
            points.append(found[0])
            pairs.add(found[1])
    if len(pairs) >= opts.min_glued:
        edits.extend(_split(p) for p in points)
    if not edits:
        return Normalized(text, ())
    return Normalized(apply_edits(text, edits), tuple(edits))
