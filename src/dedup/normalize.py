"""The normalisation stage: mojibake, HTML entities, control characters, newlines, spaces, NFC.

:func:`normalize` repairs the damage that leaves good text alone: it fixes mojibake with ftfy
(only on the lines a cheap check flags), unescapes HTML entities where they clearly are
entities, removes stray control and zero-width characters, turns CRLF and CR into ``\\n``,
collapses runs of spaces inside a line and composes the text to NFC. Typographic quotes,
ligatures, no-break spaces, tabs, French spacing before ``:;!?``, German „quotes“ and Spanish
¿¡ stay as they are.

>>> from dedup.normalize import normalize
>>> result = normalize("Une annonce privÃ©e  &amp; gratuite\\r\\n")
>>> result.text
'Une annonce privée & gratuite\\n'
>>> [(e.start, e.end, e.reason, e.replacement) for e in result.edits]
... # doctest: +NORMALIZE_WHITESPACE
[(16, 18, 'mojibake', 'é'), (19, 21, 'space', ' '), (21, 26, 'entity', '&'),
 (35, 37, 'newline', '\\n')]

Every edit is in offsets of the text given, and the edits replay:

>>> from dedup.model import apply_edits
>>> apply_edits("Une annonce privÃ©e  &amp; gratuite\\r\\n", result.edits) == result.text
True

Putting back the space between sentences that lost it (``privée.Buzzfeed``) is
:func:`dedup.glued.split_glued`'s, a stage of its own that :func:`dedup.clean` runs after
repair; it takes the same :class:`NormalizeOptions`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import regex

from dedup.chars import ENTITY_REFERENCE, NAMED_ENTITIES
from dedup.model import (
    ConfigError,
    Edit,
    Normalized,
    apply_edits,
    check_bool,
    check_int,
    check_text,
    compose,
    with_overrides,
)
from dedup.mojibake import (
    damage_hits,
    diff_edits,
    fix_edit,
    fix_leftover_mojibake,
    fix_mojibake,
    gate_hit,
    gate_scan,
    line_spans,
    mojibake_gate,
    mojibake_hits,
)

__all__ = [
    "NormalizeOptions",
    "damage_hits",
    "gate_hit",
    "gate_scan",
    "mojibake_gate",
    "mojibake_hits",
    "normalize",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class NormalizeOptions:
    """Options of :func:`normalize` and :func:`split_glued`.

    - ``fix_mojibake``: decode mojibake (``privÃ©e`` → ``privée``) with ftfy.
    - ``gate``: run ftfy only on the lines a cheap check flags (every line ftfy's heuristic
      would flag is among them); ``False`` runs it on every line (slower, the same result: it
      is there to check the gate).
    - ``unescape_entities``: unescape HTML entities that end with ``;`` (``&amp;``,
      ``&eacute;``, ``&#8217;``); a bare ``&`` and ``&copy`` without ``;`` stay.
    - ``remove_controls``: remove control characters (but ``\\t``, ``\\n`` and ``\\f``),
      byte-order marks, terminal escapes, and zero-width spaces inside words; joiners and
      direction marks stay.
    - ``fix_newlines``: ``\\r\\n``, ``\\r``, U+2028 and U+2029 become ``\\n``.
    - ``collapse_spaces``: a run of spaces inside a line becomes one space and spaces at the end
      of a line go; indentation stays, and so do the runs inside an indented line (code,
      aligned columns), tabs and other white space.
    - ``nbsp_to_space``: no-break spaces (U+00A0, U+202F, U+2007) become plain spaces.
    - ``nfc``: compose the text to Unicode NFC (never NFKC).
    - ``max_rounds``: the steps repeat until the text is stable (one fix can reveal another, as
      ``&amp;lt;`` does), at most this many times.
    - ``split_marks``: the sentence-ending marks after which :func:`split_glued` may insert a
      space.
    - ``min_glued``: :func:`split_glued` splits a line only if it has at least this many glued
      sentence ends (different pairs of words). A flattened copy of paragraphs is glued at
      every paragraph end, so its line has several; a single glue in a line is as often the
      source's own spelling (``away.This``), and the default leaves it. ``1`` splits every one.

    >>> NormalizeOptions(nbsp_to_space=True).nbsp_to_space
    True
    >>> NormalizeOptions(max_rounds=0)
    Traceback (most recent call last):
    ...
    dedup.model.ConfigError: option max_rounds=0 is out of range: use at least 1 and at most 10
    """

    fix_mojibake: bool = True
    gate: bool = True
    unescape_entities: bool = True
    remove_controls: bool = True
    fix_newlines: bool = True
    collapse_spaces: bool = True
    nbsp_to_space: bool = False
    nfc: bool = True
    max_rounds: int = 3
    split_marks: str = ".!?"
    min_glued: int = 2

    def __post_init__(self) -> None:
        for name in (
            "fix_mojibake",
            "gate",
            "unescape_entities",
            "remove_controls",
            "fix_newlines",
            "collapse_spaces",
            "nbsp_to_space",
            "nfc",
        ):
            check_bool(name, getattr(self, name))
        check_int("max_rounds", self.max_rounds, 1, 10)
        check_int("min_glued", self.min_glued, 1)
        if not isinstance(self.split_marks, str):
            raise ConfigError(
                f"option split_marks must be a str, not {type(self.split_marks).__name__}"
            )
        if not set(self.split_marks) <= set(".!?"):
            raise ConfigError(
                f"option split_marks={self.split_marks!r} is out of range: "
                "use some of the characters '.!?' (or '' to split nothing)"
            )


# --------------------------------------------------------------------------------------------
# Composing the edits of successive steps

_Step = Callable[[str, NormalizeOptions], list[Edit]]


# --------------------------------------------------------------------------------------------
# Surrogates

_SURROGATE = regex.compile(r"[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]")


def _surrogate_edits(text: str, options: NormalizeOptions) -> list[Edit]:
    if text.isascii():
        return []
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        return []
    edits = []
    for m in _SURROGATE.finditer(text):
        found = m.group()
        if len(found) == 2:
            high, low = ord(found[0]), ord(found[1])
            fixed = chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        else:
            fixed = "\N{REPLACEMENT CHARACTER}"
        edits.append(fix_edit(m.start(), m.end(), "surrogate", fixed))
    return edits


# --------------------------------------------------------------------------------------------
# HTML entities

# An entity, possibly escaped again (``&amp;lt;``, ``&amp;amp;``): each ``amp;`` is one more
# escape of the ``&``. Only references that end with ``;`` count.
_ENTITY = regex.compile(
    r"&(?P<chain>(?:amp;|AMP;|#0*38;|#[xX]0*26;)*)" f"(?P<ref>{ENTITY_REFERENCE})?"
)
# Numeric references to these are left alone: they are not characters of text.
_NOT_TEXT = frozenset([*range(0x09), 0x0B, *range(0x0E, 0x20), 0x7F, 0xFFFE, 0xFFFF])
# Code points 0x80-0x9F in a numeric reference mean Windows-1252, as browsers read them.
_CP1252 = {
    n: bytes([n]).decode("cp1252")
    for n in range(0x80, 0xA0)
    if n not in {0x81, 0x8D, 0x8F, 0x90, 0x9D}
}


_MARKUP = frozenset(["lt;", "gt;", "LT;", "GT;"])


def _decode_reference(ref: str) -> str | None:
    """The character(s) of ``ref`` (``lt;``, ``#39;``, ``#x27;``), or ``None`` if not text."""
    body = ref[:-1]
    if not body.startswith("#"):
        return NAMED_ENTITIES.get(body)
    number = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
    if number in _CP1252:
        return _CP1252[number]
    if number in _NOT_TEXT or 0x80 <= number <= 0x9F or 0xD800 <= number <= 0xDFFF:
        return None
    if number > 0x10FFFF:
        return None
    return chr(number)


def _entity_edits(text: str, options: NormalizeOptions) -> list[Edit]:
    if not options.unescape_entities or "&" not in text:
        return []
    edits = []
    only_markup = True
    for m in _ENTITY.finditer(text):
        chain, ref = m.group("chain"), m.group("ref")
        if not chain and not ref:
            continue
        decoded = _decode_reference(ref) if ref else None
        if decoded is not None:
            edits.append(fix_edit(m.start(), m.end(), "entity", decoded))
            only_markup = only_markup and not chain and ref in _MARKUP
        elif chain:
            # ``&amp;foo;`` is an escaped ``&`` followed by text: unescape the ``&`` only.
            edits.append(fix_edit(m.start(), m.start("chain") + len(chain), "entity", "&"))
            only_markup = False
    # A text whose only entities are &lt; and &gt; shows markup or code on purpose (a page
    # that escaped its code sample twice): those stay. Beside other entities, they are
    # leftovers of text that was never unescaped, and go with them.
    return [] if only_markup else edits


# --------------------------------------------------------------------------------------------
# Newlines, control characters, spaces

_NEWLINE = regex.compile(r"\r\n?|[\u2028\u2029]")


def _newline_edits(text: str, options: NormalizeOptions) -> list[Edit]:
    if not options.fix_newlines:
        return []
    if "\r" not in text and (text.isascii() or ("\u2028" not in text and "\u2029" not in text)):
        return []
    return [fix_edit(m.start(), m.end(), "newline", "\n") for m in _NEWLINE.finditer(text)]


# ftfy's set (C0 controls but \t \n \f \r, DEL, deprecated format characters, interlinear
# annotations, object replacement), a byte-order mark opening the text, and terminal escapes;
# and a zero-width space or word joiner inside a word (a letter, mark or digit on each side),
# where it splits the word for search and deduplication. Elsewhere (beside white space or
# punctuation: ``homeowner/\u200bhousehold``, ``\u201c\u200bI ordered``) it changes nothing a
# reader or a tokenizer sees, and stays, as the page has it. U+FEFF after the text's start is
# a zero-width no-break space, a word joiner as U+2060 is, and is treated as one. Joiners
# (U+200C, U+200D) and direction marks stay: they change meaning.
_CONTROL_CHARS = r"\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufff9-\ufffc"
# C1 controls (U+0080-U+009F) stay: before mojibake is fixed they are the clues ftfy needs,
# and ftfy maps those it can to Windows-1252. The step runs before ftfy (so that a control
# character cannot hide mojibake) and after it (ftfy can decode a zero-width space).
# A run of zero-width spaces counts as inside a word only with a letter, a mark or a digit on
# each side (``to\u200b\u200b activate`` ends a word: it stays whole).
_CONTROL = regex.compile(
    rf"\x1b\[[0-9;]*[A-Za-z]|[{_CONTROL_CHARS}]+|^\ufeff+"
    r"|(?<=[\p{L}\p{M}\p{N}])[\u200b\u2060\ufeff]+(?=[\p{L}\p{M}\p{N}])"
)
# Looking for each character with ``in`` is many times faster than a regex search.
_ALL_CONTROLS = tuple(
    chr(n)
    for n in (
        *range(0x09),
        0x0B,
        *range(0x0E, 0x20),
        0x7F,
        0x200B,
        0x2060,
        *range(0x206A, 0x2070),
        0xFEFF,
        *range(0xFFF9, 0xFFFD),
    )
)
_ASCII_CONTROLS = tuple(ch for ch in _ALL_CONTROLS if ch.isascii())


def _control_edits(text: str, options: NormalizeOptions) -> list[Edit]:
    if not options.remove_controls:
        return []
    chars = _ASCII_CONTROLS if text.isascii() else _ALL_CONTROLS
    if not any(ch in text for ch in chars):
        return []
    return [fix_edit(m.start(), m.end(), "control", "") for m in _CONTROL.finditer(text)]


_NBSP = regex.compile(r"[\u00a0\u202f\u2007]")


def _nbsp_edits(text: str, options: NormalizeOptions) -> list[Edit]:
    if not options.nbsp_to_space or text.isascii():
        return []
    return [fix_edit(m.start(), m.end(), "nbsp", " ") for m in _NBSP.finditer(text)]


def _space_runs(text: str) -> list[tuple[int, int]]:
    """The runs of spaces that end a line or the text, or are two spaces or more, in order.

    Found with ``str.find`` for two spaces and for a space before a line break: a regex would
    stop at every single space of the text.
    """
    runs: dict[int, int] = {}
    at = text.find("  ")
    while at >= 0:
        end = at + 2
        while end < len(text) and text[end] == " ":
            end += 1
        runs[at] = end
        at = text.find("  ", end)
    ends = _find_all(text, " \n")
    if text.endswith(" "):
        ends.append(len(text) - 1)
    for last in ends:
        start = last
        while start > 0 and text[start - 1] == " ":
            start -= 1
        runs[start] = last + 1
    return sorted(runs.items())


def _find_all(text: str, needle: str) -> list[int]:
    found = []
    at = text.find(needle)
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def _space_edits(text: str, options: NormalizeOptions) -> list[Edit]:
    if not options.collapse_spaces or (
        "  " not in text and " \n" not in text and not text.endswith(" ")
    ):
        return []
    edits = []
    for start, end in _space_runs(text):
        if end == len(text) or text[end] == "\n":
            edits.append(fix_edit(start, end, "space", ""))
        elif start > 0 and text[start - 1] != "\n":  # indentation stays
            line = text.rfind("\n", 0, start) + 1
            if text[line] not in " \t":  # so do the spaces that align an indented line's code
                edits.append(fix_edit(start, end, "space", " "))
    return edits


# --------------------------------------------------------------------------------------------
# NFC

_CLUSTER = regex.compile(r"\X")


def _nfc_edits(text: str, options: NormalizeOptions) -> list[Edit]:
    if not options.nfc or text.isascii() or unicodedata.is_normalized("NFC", text):
        return []
    edits: list[Edit] = []
    for start, end in line_spans(text):
        line = text[start:end]
        if unicodedata.is_normalized("NFC", line):
            continue
        target = unicodedata.normalize("NFC", line)
        # Compose cluster by cluster; if that does not give the NFC of the line (composition
        # across clusters), fall back to one edit for the changed part of the line.
        local: list[Edit] = []
        pieces: list[str] = []
        for m in _CLUSTER.finditer(line):
            cluster = m.group()
            fixed = unicodedata.normalize("NFC", cluster)
            pieces.append(fixed)
            if fixed != cluster:
                local.append(fix_edit(start + m.start(), start + m.end(), "nfc", fixed))
        if "".join(pieces) == target:
            edits.extend(local)
        else:
            edits.extend(diff_edits(line, target, start, "nfc", precise=False))
    return edits


# --------------------------------------------------------------------------------------------
# Mojibake (:mod:`dedup.mojibake`)


def _mojibake_edits(text: str, options: NormalizeOptions) -> list[Edit]:
    if not options.fix_mojibake or text.isascii():
        return []
    return fix_mojibake(text, gate=options.gate)


def _leftover_mojibake_edits(text: str, options: NormalizeOptions) -> list[Edit]:
    if not options.fix_mojibake or text.isascii():
        return []
    return fix_leftover_mojibake(text)


# --------------------------------------------------------------------------------------------
# The stage

# In order. Controls go before mojibake (a control character inside mojibake would hide it
# from ftfy) and again after it, if ftfy changed the text (it can decode a zero-width space).
_STEPS: tuple[_Step, ...] = (
    _surrogate_edits,
    _entity_edits,
    _newline_edits,
    _control_edits,
    _mojibake_edits,
    _leftover_mojibake_edits,
    _control_edits,
    _nbsp_edits,
    _space_edits,
    _nfc_edits,
)
_LEFTOVER = 5  # runs only once ftfy has fixed a line of the text
_AFTER_MOJIBAKE = 6  # runs only in a round where ftfy changed the text


def _normalize(text: str, options: NormalizeOptions) -> Normalized:
    original = text
    edits: tuple[Edit, ...] = ()
    evidence = False
    for _ in range(options.max_rounds):
        changed = False
        mojibake = False
        for index, step in enumerate(_STEPS):
            if (index == _AFTER_MOJIBAKE and not mojibake) or (index == _LEFTOVER and not evidence):
                continue
            found = step(text, options)
            if found:
                if step is _mojibake_edits:
                    mojibake = evidence = True
                new = apply_edits(text, found)
                edits = compose(edits, found, original, merge="overlapping")
                text = new
                changed = True
        if not changed:
            break
    return Normalized(text, tuple(edits))


def normalize(text: str, options: NormalizeOptions | None = None, **overrides: Any) -> Normalized:
    """Normalise ``text``: mojibake, entities, controls, newlines, spaces and NFC.

    ``options`` (or the defaults) with keyword ``overrides`` applied say which steps run. The
    result holds the text and the edits that made it, in offsets of ``text``.

    >>> normalize("lâ€™annonce").text == "l\N{RIGHT SINGLE QUOTATION MARK}annonce"
    True
    >>> normalize("AT&T, R&D, a & b, &copy 2024, &copy; 2024").text
    'AT&T, R&D, a & b, &copy 2024, © 2024'
    >>> normalize("Il dit\\N{NO-BREAK SPACE}: « oui »").text == "Il dit\\N{NO-BREAK SPACE}: « oui »"
    True
    >>> normalize("a\\N{NO-BREAK SPACE}b", nbsp_to_space=True).text
    'a b'
    """
    check_text(text)
    opts = with_overrides(options, NormalizeOptions, overrides)
    return _normalize(text, opts)
