"""Mojibake: the gate that finds the lines ftfy may fix, ftfy's fixes as edits, and the
single characters of mojibake that are left once ftfy has fixed a text's other lines.

Normalisation (:mod:`dedup.normalize`) runs these as two of its steps; quality
(:mod:`dedup.quality`) counts the gate's hits as damage (a sign of numbers only where ftfy's
heuristic finds mojibake around it: :func:`damage_hits`).

>>> mojibake_gate("privÃ©e"), mojibake_gate("privée")
(True, False)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

import ftfy
import ftfy.fixes
from ftfy.badness import MOJIBAKE_CATEGORIES, is_bad
from rapidfuzz.distance import Levenshtein

from dedup.model import Edit

__all__ = [
    "damage_hits",
    "diff_edits",
    "fix_edit",
    "fix_leftover_mojibake",
    "fix_mojibake",
    "gate_hit",
    "gate_scan",
    "line_spans",
    "mojibake_gate",
    "mojibake_hits",
]


def fix_edit(start: int, end: int, reason: str, replacement: str) -> Edit:
    """A ``fix`` edit (score 1.0, no kept span) of normalisation."""
    return Edit(
        start=start,
        end=end,
        action="fix",
        reason=reason,
        score=1.0,
        kept=None,
        replacement=replacement,
    )


def line_spans(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each line of ``text``, line breaks left out."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            yield start, len(text)
            return
        yield start, end
        start = end + 1


_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)


def _class(chars: str) -> str:
    """A regex character class body for ``chars`` (ranges like ``\\x80-\\x9f`` allowed)."""
    return chars.replace("[", r"\[").replace("]", r"\]").replace("^", r"\^")


def _gate_patterns() -> tuple[str, str]:
    """The gate: a line that ftfy's mojibake heuristic can flag contains one of these.

    ftfy changes a line only if ``ftfy.badness.is_bad`` finds one of its patterns there (or it
    has a C1 control, which is one of them). Each of those patterns needs a character of a rare
    kind (C1 controls, ftfy's "bad" characters, currency, numeric and box-drawing characters,
    a few capitals such as ``Ã``), or one of a few pairs and triples: a capital with an accent
    after a small letter, quotes next to accented letters, and so on. The gate looks for
    exactly those: a class of characters to scan for (fast), then the full pattern in a small
    window around each hit. ``tests/test_normalize.py`` checks that it is never narrower than
    ``is_bad``.

    Returns the scan class and the full pattern.
    """
    cat = {name: _class(chars) for name, chars in MOJIBAKE_CATEGORIES.items()}
    rare = "".join(cat[name] for name in ("c1", "bad", "currency", "numeric", "box"))
    rare += (
        "\N{SINGLE LOW-9 QUOTATION MARK}\N{CYRILLIC CAPITAL LETTER DJE}"
        "\N{LATIN CAPITAL LETTER U WITH GRAVE}\N{LATIN CAPITAL LETTER O WITH STROKE}"
        "\N{LATIN CAPITAL LETTER A WITH CIRCUMFLEX}\N{LATIN CAPITAL LETTER A WITH TILDE}"
        "\N{LATIN CAPITAL LETTER I WITH CIRCUMFLEX}\N{LATIN CAPITAL LETTER ETH}"
    )
    upper, lower = cat["upper_accented"], cat["lower_accented"]
    start, end = cat["start_punctuation"], cat["end_punctuation"]
    oe = "\N{LATIN CAPITAL LIGATURE OE}\N{LATIN SMALL LIGATURE OE}"
    letters = (
        "\N{CYRILLIC CAPITAL LETTER VE}\N{CYRILLIC CAPITAL LETTER GHE}"
        "\N{CYRILLIC CAPITAL LETTER ER}\N{CYRILLIC CAPITAL LETTER ES}"
        "\N{GREEK CAPITAL LETTER BETA}\N{GREEK CAPITAL LETTER GAMMA}"
        "\N{GREEK CAPITAL LETTER XI}\N{GREEK CAPITAL LETTER OMICRON}"
    )
    scan = f"[{rare}{upper}{start}{end}{oe}\N{DEGREE SIGN}\N{MICRO SIGN}]"
    full = "|".join(
        [
            f"[{rare}]",
            f"[{end}][{lower}{start}]",
            f"[{lower}{upper}][{start}{end}]",
            f"[{lower}{cat['lower_common']}{end}][{upper}]",
            f"[{upper}][{cat['law']}\N{DEGREE SIGN}]",
            f"[a-z][{upper}]",
            f"[{oe}][^A-Za-z]",
            f"[{letters}][{start}{end}\N{DEGREE SIGN}\N{MICRO SIGN}][{letters}]",
        ]
    )
    return scan, full


_GATE_SCAN, _GATE_FULL = (re.compile(p) for p in _gate_patterns())


def _gate_search(text: str, pos: int = 0) -> int:
    """The offset of the first gate hit in ``text`` from ``pos``, or -1."""
    while True:
        m = _GATE_SCAN.search(text, pos)
        if m is None:
            return -1
        at = m.start()
        if _gate_full(text, at):
            return at
        pos = at + 1


def _gate_full(text: str, at: int) -> bool:
    """Whether the gate's full pattern matches around ``at``, a character it scans for."""
    return _GATE_FULL.search(text, max(0, at - 2), at + 3) is not None


def gate_scan() -> re.Pattern[str]:
    """The characters the gate scans for, as a pattern of one character: a place that
    :func:`mojibake_hits` counts is one of them (and :func:`gate_hit` says which)."""
    return _GATE_SCAN


def gate_hit(text: str, at: int) -> bool:
    """Whether the character at ``at``, one the gate scans for, is a hit of
    :func:`mojibake_hits`: the gate's full pattern matches around it, and it is not U+FFFD (a
    character lost in decoding, not mojibake: ``ftfy.badness`` skips it too)."""
    return text[at] != "\ufffd" and _gate_full(text, at)


# The signs of numbers (``\u00d7``, ``\u00bd``, ``\u00b1``): the gate stops at each, but
# alone, between a number and its unit (``42cm\u00d724cm``, ``\u00bd cup``), they are text.
_NUMERIC = frozenset(MOJIBAKE_CATEGORIES["numeric"])
# How far around such a sign ftfy's own heuristic is asked (its patterns span three characters).
_AROUND_SIGN = 3


def damage_hits(text: str, places: Iterable[int]) -> int:
    """How many of ``places`` (characters the gate scans for) are mojibake for the measure of a
    copy's damage (:mod:`dedup.quality`): hits of the gate (:func:`gate_hit`), and, of the signs
    of numbers, only those around which ftfy's heuristic finds mojibake (``Ã—``, ``Â½``), not
    one that stands between a number and its unit as the page wrote it.

    >>> page = "42cm\u00d724cm"
    >>> gate_hit(page, 4), damage_hits(page, [4])
    (True, 0)
    >>> damage_hits("42 \u00c3\u2014 24", [3]), damage_hits("\u00c2\u00bd cup", [1])
    (1, 1)
    """
    return sum(
        1
        for at in places
        if gate_hit(text, at)
        and (
            text[at] not in _NUMERIC
            or is_bad(text[max(0, at - _AROUND_SIGN) : at + _AROUND_SIGN + 1])
        )
    )


def mojibake_hits(text: str) -> int:
    """How many places in ``text`` pass the gate: a fast count of likely mojibake sequences.

    It counts the characters that :func:`mojibake_gate` stops at, everywhere instead of up to
    the first: it follows ``ftfy.badness`` closely (a correlation of 0.9 on the mojibake pages
    of the evaluation data) at a small fraction of its cost.

    >>> mojibake_hits("privÃ©e et lâ€™annonce"), mojibake_hits("privée et l\u2019annonce")
    (4, 0)
    """
    if text.isascii():
        return 0
    return sum(1 for m in _GATE_SCAN.finditer(text) if gate_hit(text, m.start()))


def mojibake_gate(text: str) -> bool:
    """Whether ``text`` may hold mojibake that ftfy would fix (never a false negative).

    >>> mojibake_gate("privÃ©e"), mojibake_gate("privée"), mojibake_gate("plain ASCII")
    (True, False, False)
    """
    return not text.isascii() and _gate_search(text) >= 0


def _longest(agree: Callable[[int], bool], limit: int) -> int:
    """The largest ``k <= limit`` for which ``agree(k)`` holds, where it holds for every
    smaller ``k`` too (``agree(0)`` always does): a binary search, comparing slices in C
    rather than characters one by one in Python.

    >>> _longest(lambda k: "mojibake"[:k] == "mojito"[:k], 6)
    4
    """
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if agree(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def diff_edits(
    before: str, after: str, offset: int, reason: str, *, precise: bool = True
) -> list[Edit]:
    """Small edits turning ``before`` into ``after``, in offsets shifted by ``offset``: how a
    line ftfy fixed (or NFC composed) becomes edits.

    >>> [(e.start, e.end, e.replacement) for e in diff_edits("privÃ©e", "privée", 10, "mojibake")]
    [(14, 16, 'é')]
    """
    limit = min(len(before), len(after))
    lo = _longest(lambda k: before[:k] == after[:k], limit)
    same_end = _longest(lambda k: before[len(before) - k :] == after[len(after) - k :], limit - lo)
    hi_b, hi_a = len(before) - same_end, len(after) - same_end
    # The alignment costs the product of the lengths over 64: past a few thousand characters,
    # one edit for the changed part keeps the cost linear.
    if not precise or hi_b - lo > 4_000 or hi_a - lo > 4_000:
        return [fix_edit(offset + lo, offset + hi_b, reason, after[lo:hi_a])]
    a, b = before[lo:hi_b], after[lo:hi_a]
    edits: list[Edit] = []
    pending: list[int] | None = None  # [src_start, src_end, dest_start, dest_end]
    for op in Levenshtein.opcodes(a, b):
        if op.tag == "equal":
            if pending is not None:
                edits.append(
                    fix_edit(
                        offset + lo + pending[0],
                        offset + lo + pending[1],
                        reason,
                        b[pending[2] : pending[3]],
                    )
                )
                pending = None
            continue
        if pending is None:
            pending = [op.src_start, op.src_end, op.dest_start, op.dest_end]
        else:
            pending[1], pending[3] = op.src_end, op.dest_end
    if pending is not None:
        edits.append(
            fix_edit(
                offset + lo + pending[0],
                offset + lo + pending[1],
                reason,
                b[pending[2] : pending[3]],
            )
        )
    return edits


# A line longer than this is fixed in windows of twice ``_HALF_WINDOW`` characters around each
# gate hit (a page's lines are far shorter: the longest in the evaluation data is 30,000).
_LONG_LINE = 1 << 16
_HALF_WINDOW = 1 << 11


def _ftfy_fix(line: str) -> str:
    """``ftfy.fix_text(line, _FTFY_CONFIG)`` for one line, without its per-step overhead.

    It runs the same steps in the same loop as ``ftfy.fix_and_explain`` does with this
    config, and stops early when the gate says no further round can change the line.
    """
    size = _FTFY_CONFIG.max_decode_length
    if len(line) > size:  # ftfy.fix_text cuts a long line into pieces of this size too
        return "".join(_ftfy_fix(line[i : i + size]) for i in range(0, len(line), size))
    while True:
        fixed = ftfy.fixes.fix_surrogates(
            ftfy.fixes.fix_c1_controls(ftfy.fix_encoding(line, _FTFY_CONFIG))
        )
        if fixed == line or _gate_search(fixed) < 0:
            return fixed
        line = fixed


def fix_mojibake(text: str, *, gate: bool = True) -> list[Edit]:
    """Edits that fix the mojibake of ``text`` with ftfy, line by line: only the lines the gate
    flags (``gate=False``: every line, slower, the same result), and in a line longer than
    ``_LONG_LINE`` only the words around each hit.

    >>> [(e.start, e.end, e.replacement) for e in fix_mojibake("Une annonce privÃ©e")]
    [(16, 18, 'é')]
    """
    edits: list[Edit] = []
    if not gate:
        for start, end in line_spans(text):
            line = text[start:end]
            fixed = ftfy.fix_text(line, _FTFY_CONFIG)
            if fixed != line:
                edits.extend(diff_edits(line, fixed, start, "mojibake"))
        return edits
    pos = 0
    line_start = line_end = -1  # the bounds of the line of the last hit
    while True:
        at = _gate_search(text, pos)
        if at < 0:
            return edits
        if at > line_end:
            # found once per line: searching a megabyte line of a flattened copy for its ends
            # again at each of its hits would cost the line's length per hit (quadratic)
            line_start = text.rfind("\n", 0, at) + 1
            line_end = text.find("\n", at)
            if line_end < 0:
                line_end = len(text)
        start, end = line_start, line_end
        next_pos = end + 1
        if end - start > _LONG_LINE:
            # a line of a flattened copy can be megabytes long: ftfy sees the words around
            # the hit, not the whole line, so the cost follows the hits, not the line
            start, end = _window(text, max(start, pos), end, at)
            next_pos = end
        line = text[start:end]
        fixed = _ftfy_fix(line)
        if fixed != line:
            edits.extend(diff_edits(line, fixed, start, "mojibake"))
        pos = next_pos
        if pos >= len(text):
            return edits


def _window(text: str, start: int, end: int, at: int) -> tuple[int, int]:
    """About ``_HALF_WINDOW`` characters either side of ``at`` inside the line ``[start,
    end)``, cut at white space."""
    lo, hi = max(start, at - _HALF_WINDOW), min(end, at + _HALF_WINDOW)
    if lo > start:
        space = text.rfind(" ", start, lo)
        lo = space + 1 if space >= 0 else start
    if hi < end:
        space = text.find(" ", hi, end)
        hi = space if space >= 0 else end
    return lo, hi


# A character of three or four bytes in UTF-8 read as Windows-1252 (``™`` as ``â„¢``): a lead
# byte and its continuation bytes, each as the character Windows-1252 gives it (or Latin-1,
# for the five bytes Windows-1252 leaves undefined).
_BYTE_OF = {
    (bytes([b]).decode("cp1252") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b)): b
    for b in range(0x80, 0x100)
}
_CONTINUATION = _class("".join(ch for ch, b in _BYTE_OF.items() if b < 0xC0))
_LEFTOVER_RE = re.compile(
    f"[\u00e0-\u00ef][{_CONTINUATION}]{{2}}|[\u00f0-\u00f4][{_CONTINUATION}]{{3}}"
)
# A character of two bytes read the same way (``π`` as ``Ï€``): a capital with an accent and a
# sign, which text in Latin-1 can hold as it is (``CAFÉ”``), so decoded only where the text
# holds the word around it decoded too (:func:`fix_leftover_mojibake`).
_PAIR_RE = re.compile(f"[\u00c2-\u00df][{_CONTINUATION}]")
# How far either side of a two-byte sequence, within its run of non-space characters, the
# word looked for again reaches.
_TWIN_REACH = 16
# The fewest characters that word holds besides the sequence.
_TWIN_MIN = 3
# The most words a text is searched for (each search reads the text once): a text of many such
# sequences, each in a word of its own (capitals with an accent before a sign, read right),
# would otherwise cost its length once per sequence; the sequences past them stay.
_TWIN_LOOKUPS = 64


def fix_leftover_mojibake(text: str) -> list[Edit]:
    """Decode single characters of mojibake that ftfy's heuristic cannot see on their own.

    ftfy judges a line by itself, and a line whose only mojibake is ``Lensâ„¢`` looks fine to
    it. Once ftfy has fixed other lines of the same text, the text is known to have been read
    in the wrong encoding, and such a sequence that decodes to one character as UTF-8 is
    decoded too. It runs only then, so text with no other mojibake is never touched. A
    sequence of two characters (``occam-Ï€``) could be text read right (``CAFÉ”``): it is
    decoded only where the text holds the word around it decoded elsewhere, as a page holds
    its body twice, once read in the wrong encoding and once right (a JSON-LD copy whose
    escapes ``\\u03c0`` no encoding can misread).

    >>> page = "- occam-Ï€\\n- Octave\\n\\nLanguages: occam-π, Octave. CAFÉ” CAFÉ”"
    >>> [(e.start, e.end, e.replacement) for e in fix_leftover_mojibake(page)]
    [(8, 10, 'π')]
    """
    edits = []
    for m in _LEFTOVER_RE.finditer(text):
        decoded = _decoded(m.group())
        if decoded is not None:
            edits.append(fix_edit(m.start(), m.end(), "mojibake", decoded))
    seen: dict[str, bool] = {}  # each word looked for, and whether the text holds it
    for m in _PAIR_RE.finditer(text):
        decoded = _decoded(m.group())
        if decoded is None:
            continue
        start, end = m.span()
        lo, hi = start, end
        while lo > start - _TWIN_REACH and lo > 0 and not text[lo - 1].isspace():
            lo -= 1
        while hi < end + _TWIN_REACH and hi < len(text) and not text[hi].isspace():
            hi += 1
        if hi - lo - (end - start) < _TWIN_MIN:
            continue
        word = text[lo:start] + decoded + text[end:hi]
        if word not in seen:
            if len(seen) == _TWIN_LOOKUPS:
                break
            seen[word] = word in text
        if seen[word]:
            edits.append(fix_edit(start, end, "mojibake", decoded))
    edits.sort(key=lambda e: e.start)
    return edits


def _decoded(chars: str) -> str | None:
    """``chars``, each a byte as Windows-1252 shows it, decoded as UTF-8 (``None`` where they
    are no UTF-8)."""
    try:
        return bytes(_BYTE_OF[ch] for ch in chars).decode("utf-8")
    except UnicodeDecodeError:
        return None
