"""Character rules every stage shares: scripts written without spaces, HTML entity references,
word characters and their lower case.

One table, read by repair's skeleton (:mod:`dedup.tokens`) and by the corpus' canonical tokens
(:mod:`dedup.corpus.shingle`): in a script written without spaces between words, every
character is a word of its own, since nothing in the text says where its words end. The
scripts are those of Chinese and Japanese (Han, Hiragana, Katakana, half-width Katakana
included), Thai, Lao, Khmer, Myanmar and Tibetan (whose syllable mark, the tsheg, separates
syllables, not words), by the Unicode ``Script`` property of each character (not its block:
half-width Katakana, the CJK radicals and the Han extensions beyond the Basic Multilingual
Plane belong to their scripts wherever they sit).

The tables of repair's skeleton over all code points (:func:`char_classes`, :func:`case_tables`)
say which are word characters, which of those are capitals, and their lower case one for one;
the markup the skeleton sees through (:mod:`dedup.markup`) reads them too.

>>> no_space("\N{CJK UNIFIED IDEOGRAPH-4E2D}"), no_space("\N{HALFWIDTH KATAKANA LETTER A}")
(True, True)
>>> no_space("a"), no_space("\N{KATAKANA-HIRAGANA PROLONGED SOUND MARK}")
(False, False)
>>> ENTITY.findall("a &amp; b &#233; c &nbsp")
['&amp;', '&#233;']
"""

from __future__ import annotations

import array
import html.entities
import sys
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import regex

__all__ = [
    "ENTITY",
    "ENTITY_REFERENCE",
    "NAMED_ENTITIES",
    "NO_SPACE_CLASS",
    "NO_SPACE_SCRIPTS",
    "NO_SPACE_WEIGHT",
    "SOLO",
    "U32",
    "UPPER",
    "WORD",
    "case_tables",
    "char_classes",
    "code_points",
    "every_code_point",
    "no_space",
    "no_space_table",
    "word_characters",
    "word_table",
]

#: The scripts written without spaces between words (Unicode ``Script`` values).
NO_SPACE_SCRIPTS = ("Han", "Hiragana", "Katakana", "Thai", "Lao", "Khmer", "Myanmar", "Tibetan")
#: A character of those scripts, as a character class of the ``regex`` module.
NO_SPACE_CLASS = "[" + "".join(rf"\p{{{script}}}" for script in NO_SPACE_SCRIPTS) + "]"
#: How many letters of a text written with spaces a character of those scripts says as much
#: as: the same content takes about a third of the characters in Chinese or Japanese that it
#: takes in English (lengths of content, as the shortest copy worth removing, scale by it).
NO_SPACE_WEIGHT = 3
#: How many letters of a text in the Latin alphabet a Hangul syllable block says as much as:
#: a block writes a syllable of two or three letters (jamo), and Korean, written with spaces,
#: takes about half the characters that English takes.
HANGUL_WEIGHT = 2

#: What follows the ``&`` of an HTML character reference: a name, a decimal or a hexadecimal
#: number, and the ``;`` that ends it (references without it are not counted).
ENTITY_REFERENCE = r"(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
#: An HTML character reference (``&amp;``, ``&#233;``, ``&#x27;``).
ENTITY = regex.compile("&" + ENTITY_REFERENCE)
#: What each named HTML reference that ends with ``;`` stands for, by its name without the
#: ``;`` (``NAMED_ENTITIES["eacute"] == "é"``), read-only.
NAMED_ENTITIES: Mapping[str, str] = MappingProxyType(
    {name[:-1]: value for name, value in html.entities.html5.items() if name.endswith(";")}
)


def every_code_point(end: int = 0x110000) -> str:
    """All code points below ``end``, surrogates included, as one string (decoding is 20x
    faster than chr())."""
    return np.arange(end, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")


@lru_cache(maxsize=1)
def no_space_table() -> npt.NDArray[np.bool_]:
    """Whether each code point (all 0x110000) belongs to a script written without spaces.

    Built once from the ``regex`` module's Unicode properties; read-only afterwards.
    """
    table = np.zeros(0x110000, dtype=bool)
    for match in regex.finditer(NO_SPACE_CLASS + "+", every_code_point()):
        table[match.start() : match.end()] = True
    table.setflags(write=False)
    return table


def no_space(char: str) -> bool:
    """Whether the character ``char`` belongs to a script written without spaces."""
    return bool(no_space_table()[ord(char)])


# The word characters of the skeleton (:mod:`dedup.tokens`): letters, digits, combining marks.
_WORD_CLASS = r"[\p{L}\p{N}\p{M}]+"

# The classes of :func:`char_classes` (0: not a word character).
WORD = 1
SOLO = 2  # a character of a script written without spaces: every one starts a "word"
UPPER = 4  # added to WORD for a capital (in the table of :func:`case_tables`)

U32 = npt.NDArray[np.uint32]

_UTF32 = np.dtype("<u4")  # (a dtype object: numpy converts np.uint32 into one at every call)


def _ucs4_code() -> str | None:
    """The type code of an :class:`array.array` of code points of four bytes each, in the
    order of ``_UTF32``: ``"w"`` (Python 3.13 on), else ``"u"`` where a ``wchar_t`` is four
    bytes (on Windows it is two); ``None`` where there is none, or where the machine is not
    little-endian."""
    if sys.byteorder != "little":
        return None
    if "w" in array.typecodes:
        return "w"
    return "u" if array.array("u").itemsize == 4 else None


_UCS4 = _ucs4_code()

# Code points from here on have no lower case of their own (the last cased letters, Adlam's,
# end at U+1E94B); a test checks it.
_CASED_END = 0x20000


@lru_cache(maxsize=1)
def word_table() -> npt.NDArray[np.bool_]:
    """Whether each code point (all 0x110000) is a word character: a letter, a digit or a
    combining mark (``_WORD_CLASS``).

    Built once from the ``regex`` module's Unicode properties; read-only afterwards.
    """
    table = np.zeros(0x110000, dtype=bool)
    for match in regex.finditer(_WORD_CLASS, every_code_point()):
        table[match.start() : match.end()] = True
    table.setflags(write=False)
    return table


@lru_cache(maxsize=1)
def _latin1_others() -> bytes:
    """The code points below 256 that are no word characters, as bytes (to delete)."""
    return bytes(np.flatnonzero(~word_table()[:256]).tolist())


def word_characters(text: str, *, lines: bool = False, lower: bool = False) -> str:
    """The word characters of ``text`` (:func:`word_table`), in order; with ``lines``, its line
    breaks (``\\n``) too, so that ``word_characters(text, lines=True).split("\\n")`` is the word
    characters of each of its lines, in one pass over the text; with ``lower``, lower-cased
    (``word_characters(text).lower()``).

    >>> word_characters("Vie privée, 2e éd. (\u6587\u5b57)")
    'Vieprivée2eéd\u6587\u5b57'
    >>> word_characters("Vie privée,\\n2e éd.\\n\\n(\u6587\u5b57)", lines=True).split("\\n")
    ['Vieprivée', '2eéd', '', '\u6587\u5b57']
    >>> word_characters("ÉTÉ \u201cÉté\u201d \u039f\u0394\u039f\u03a3", lower=True)
    'étéété\u03bf\u03b4\u03bf\u03c2'
    """
    try:
        data = text.encode("latin-1")
    except UnicodeEncodeError:
        cps = code_points(text)
        # (``clip``: every code point is an index of the table, so that ``take`` need not
        # check them one by one)
        keep = word_table().take(cps, mode="clip")
        if lines:
            keep |= cps == _NEWLINE
        words = cps.compress(keep).tobytes().decode("utf-32-le", "surrogatepass")
        if not lower or words.isascii():
            return words.lower() if lower else words
        try:
            # (word characters of Latin-1 in a text beyond it: lowered as bytes below)
            return words.encode("latin-1").translate(_latin1_lower()).decode("latin-1")
        except UnicodeEncodeError:
            return words.lower()
    # (most text is Latin-1 throughout: a deletion of bytes in C, and a lowering of bytes in
    # the same pass, where ``str.lower`` of a string beyond ASCII reads it a character at a
    # time)
    others = _latin1_others()
    return data.translate(
        _latin1_lower() if lower else None, others.replace(b"\n", b"") if lines else others
    ).decode("latin-1")


@lru_cache(maxsize=1)
def _latin1_lower() -> bytes:
    """``str.lower`` of each Latin-1 character as a ``bytes.translate`` table: the lower case of
    every one of them is one Latin-1 character (``ß`` and ``ÿ`` stay as they are; no rule
    of context such as the final sigma's applies below U+0100), so that lowering a Latin-1
    string is lowering each of its bytes. (``ord`` takes one character and ``bytes`` values
    below 256 only: a character outside that rule would fail here, not lower wrongly.)"""
    return bytes(ord(chr(c).lower()) for c in range(0x100))


_NEWLINE = ord("\n")


@lru_cache(maxsize=1)
def char_classes() -> npt.NDArray[np.uint8]:
    """A table over all code points: 0 other, 1 word character, 2 word character of its own.

    Built once from the regex module's Unicode properties; read-only afterwards.
    """
    table = np.zeros(0x110000, dtype=np.uint8)
    table[word_table()] = WORD
    table[no_space_table()] = SOLO
    table.setflags(write=False)
    return table


@lru_cache(maxsize=1)
def case_tables() -> tuple[U32, npt.NDArray[np.uint8]]:
    """Two tables over all code points, built once and read-only afterwards.

    - the lower case of each code point, one for one: U+0130 (İ), whose lower case is two
      characters, stays as it is, and final sigma (U+03C2) folds into sigma (U+03C3) as capital
      sigma does;
    - :func:`char_classes`, with ``UPPER`` added to the word characters that lower-case to
      another character (capitals and title-case letters).
    """
    cased = every_code_point(_CASED_END)
    lowered = "\u0130".join(part.lower() for part in cased.split("\u0130"))
    if len(lowered) != len(cased):  # a Unicode version with another many-character lower case
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in cased)
    lower = np.arange(0x110000, dtype=np.uint32)
    cased_lower = code_points(lowered)
    changed = cased_lower != lower[:_CASED_END]
    lower[:_CASED_END] = cased_lower
    flags = char_classes().copy()
    flags[:_CASED_END][changed & (flags[:_CASED_END] == WORD)] |= UPPER
    # capital and final sigma: sigma (str.lower picks final sigma by context)
    lower[0x3A3] = lower[0x3C2] = 0x3C3
    lower.setflags(write=False)
    flags.setflags(write=False)
    return lower, flags


def code_points(text: str) -> U32:
    """The code points of ``text`` as an array (lone surrogates included).

    >>> code_points("a\u00e9").tolist()
    [97, 233]
    """
    if _UCS4 is not None:
        # (the string's code points copied into an array: several times quicker than an
        # encoding to UTF-32, which checks every character of a text beyond Latin-1)
        return np.frombuffer(array.array(_UCS4, text), _UTF32)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), _UTF32)
