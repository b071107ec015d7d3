"""Character rules every stage shares: scripts written without spaces, HTML entity references.

One table, read by repair's skeleton (:mod:`dedup.tokens`) and by the corpus' canonical tokens
(:mod:`dedup.corpus.shingle`): in a script written without spaces between words, every
character is a word of its own, since nothing in the text says where its words end. The
scripts are those of Chinese and Japanese (Han, Hiragana, Katakana, half-width Katakana
included), Thai, Lao, Khmer, Myanmar and Tibetan (whose syllable mark, the tsheg, separates
syllables, not words), by the Unicode ``Script`` property of each character (not its block:
half-width Katakana, the CJK radicals and the Han extensions beyond the Basic Multilingual
Plane belong to their scripts wherever they sit).

>>> no_space("\N{CJK UNIFIED IDEOGRAPH-4E2D}"), no_space("\N{HALFWIDTH KATAKANA LETTER A}")
(True, True)
>>> no_space("a"), no_space("\N{KATAKANA-HIRAGANA PROLONGED SOUND MARK}")
(False, False)
>>> ENTITY.findall("a &amp; b &#233; c &nbsp")
['&amp;', '&#233;']
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
import regex

__all__ = [
    "ENTITY",
    "ENTITY_REFERENCE",
    "NO_SPACE_CLASS",
    "NO_SPACE_SCRIPTS",
    "NO_SPACE_WEIGHT",
    "every_code_point",
    "no_space",
    "no_space_table",
]

#: The scripts written without spaces between words (Unicode ``Script`` values).
NO_SPACE_SCRIPTS = ("Han", "Hiragana", "Katakana", "Thai", "Lao", "Khmer", "Myanmar", "Tibetan")
#: A character of those scripts, as a character class of the ``regex`` module.
NO_SPACE_CLASS = "[" + "".join(rf"\p{{{script}}}" for script in NO_SPACE_SCRIPTS) + "]"
#: How many letters of a text written with spaces a character of those scripts says as much
#: as: the same content takes about a third of the characters in Chinese or Japanese that it
#: takes in English (lengths of content, as the shortest copy worth removing, scale by it).
NO_SPACE_WEIGHT = 3

#: What follows the ``&`` of an HTML character reference: a name, a decimal or a hexadecimal
#: number, and the ``;`` that ends it (references without it are not counted).
ENTITY_REFERENCE = r"(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
#: An HTML character reference (``&amp;``, ``&#233;``, ``&#x27;``).
ENTITY = regex.compile("&" + ENTITY_REFERENCE)


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
