"""What the skeleton of a text sees through: markup and the escapes of script data.

Naive extractors keep a page's script data and markup, so a second copy of an article is often
a JSON string or HTML inside one: ``"articleBody":"Caf\\u00e9 \\"open\\"\\nNext"`` or
``\\u003cp class=\\"lead\\"\\u003eCafé\\u003c/p\\u003e``. :data:`MARKUP` finds what sits
between the words of such a copy: JSON escapes, HTML tags (raw, JSON-escaped or
entity-escaped), entity references and the targets of markdown links. An escape or a reference
that stands for a word character (``\\u00e9``, ``&eacute;``) gives that character
(:func:`markup_spans`). The pattern is tried only at the characters that can start it
(:func:`marks`), and a text cut in places keeps the markup it had wherever a cut cannot reach
it (:func:`markup_cut`).

>>> markup_spans(r'"Caf\\u00e9 <b>day</b>"')
([(4, 10), (11, 14), (17, 21)], {4: 233})
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import regex

from dedup.chars import ENTITY_REFERENCE, NAMED_ENTITIES, char_classes

__all__ = [
    "MARKUP",
    "TAG_NAME",
    "image_before",
    "image_text",
    "link_around",
    "marks",
    "markup_at",
    "markup_cut",
    "markup_recut",
    "markup_spans",
]

# What a skeleton leaves out: markup and the escapes of script data, which sit between the words
# of a copy kept in a page's code. An HTML tag (raw, in a JSON string with ``\u003c``, or
# entity-escaped), an entity reference (escaped again: ``&amp;rsquo;``, ``\\u0026rsquo;``), a
# JSON or JavaScript escape (up to eight backslashes: strings inside strings), a markdown
# link's target. (A tag is at most ``_TAG`` long.)
_TAG = 2000
# A tag's name, after its ``<`` (raw, escaped or an entity) and a ``/`` or ``!``: not a URI
# scheme (``<https://...>``, ``<mailto:...>``: a markdown autolink, an address in a code
# sample, which are text). A name with a prefix (``<o:p>``, ``<svg:rect>``) is a tag.
TAG_NAME = r"(?![A-Za-z][A-Za-z0-9+.-]*://|(?:mailto|tel|urn|data):)[A-Za-z]"
# A markdown link's target after its ``](``: no white space, but a line break after a hyphen
# (html2text wraps a long address there: ``(https://images-na.ssl-\nimages-amazon.com/...)``),
# its closing ``)`` at most ``_ADDRESS`` characters on (an ad's click-through address runs past
# 2,000).
_ADDRESS = 8192
_TARGET = rf"(?=[^()]{{1,{_ADDRESS}}}\))[^()\s]+(?:(?<=-)\n[^()\s]+)*\)"
# The longest a match of MARKUP is, and a little more: past this from a cut, a text and the text
# with the cut taken out are scanned alike (``_markup_near``, ``_groups``, ``_same_markup``).
_REACH = max(_TAG, _ADDRESS + 1) + 16
MARKUP = regex.compile(
    rf"<[!/]?{TAG_NAME}[^<>]{{0,{_TAG}}}>"
    rf"|\\{{1,8}}u003[cC]/?{TAG_NAME}[^<>]{{0,{_TAG}}}?\\{{1,8}}u003[eE]"
    rf"|&lt;/?{TAG_NAME}[^<>&]{{0,{_TAG}}}?&gt;"
    r"|(?:&(?:amp;){0,4}|\\{1,8}u0026)(?P<ref>" + ENTITY_REFERENCE.removesuffix(";") + ");"
    r"|\\{1,8}(?:u(?P<hex>[0-9a-fA-F]{4})|[\"'/bfnrt])"
    rf"|\]\({_TARGET}"
)
# A markdown link or image whole: its text, over lines but not over a blank line, with a link
# or an image inside it (a linked logo, as html2text writes it), then its target. (Its text is
# at most ``_LINK_TEXT`` long.)
_LINK_TEXT = 1000
_MARKDOWN_LINK = regex.compile(
    rf"!?\[(?:[^\[\]\n]|\n(?![ \t]*\n)|!?\[[^\[\]]{{0,{_LINK_TEXT}}}\]\({_TARGET})"
    rf"{{0,{_LINK_TEXT}}}\]\({_TARGET}"
)
# A markdown image: its text (no brackets) and its target.
_IMAGE = regex.compile(rf"!\[[^\[\]]{{0,{_LINK_TEXT}}}\]\({_TARGET}")
# Which characters can start what MARKUP matches: a text without them has nothing to see through
# (a link's target starts with "](").
_MARK_CHARS = ("<", "\\", "&", "]")


def markup_spans(text: str) -> tuple[list[tuple[int, int]], dict[int, int]]:
    """The spans of ``text`` that :data:`MARKUP` matches (sorted, disjoint), and the code point
    of the word character that an escape or a reference among them stands for, by its offset.

    >>> markup_spans(r"a&eacute;b\\u0026<i>")
    ([(1, 9), (10, 16), (16, 19)], {1: 233})
    """
    return markup_at(text, marks(text))


def marks(text: str) -> list[int]:
    """Where ``text`` holds a character that starts markup (``<``, ``\\``, ``&``, ``](``),
    sorted: every match of :data:`MARKUP` starts at one of them.

    >>> marks("a < b & c](d")
    [2, 6, 9]
    """
    # (str.find runs at memory speed for one character, where a scan by a pattern, or for two
    # characters, costs several times more: a link's target is looked for by its "]")
    at = []
    for mark in _MARK_CHARS:
        k = text.find(mark)
        while k >= 0:
            if mark != "]" or text.startswith("(", k + 1):
                at.append(k)
            k = text.find(mark, k + 1)
    at.sort()
    return at


def markup_at(text: str, at: list[int]) -> tuple[list[tuple[int, int]], dict[int, int]]:
    """:func:`markup_spans`, from the text's :func:`marks` ``at``: the pattern is tried only
    there, in order, from the end of the last match on, which finds what MARKUP.finditer
    finds."""
    if not at:
        return [], {}
    # (one scan to the end: no mark lies at or past len(text) + 1)
    _, spans, letters = _scan_until_in_step(text, at, 0, len(text) + 1, [])
    return spans, letters


def _letter(m: regex.Match[str], table: npt.NDArray[np.uint8]) -> int:
    """The code point of the word character that the escape or the reference ``m`` (a match
    of :data:`MARKUP`) stands for, or 0 (``table``: :func:`~dedup.chars.char_classes`)."""
    # (the name of the group that matched, if any: most matches are tags and escapes, whose
    # attribute costs less than looking up each group)
    name = m.lastgroup
    if name is None:
        return 0
    cp = int(m.group("hex"), 16) if name == "hex" else _reference(m.group("ref"))
    return cp if 0 < cp < 0x110000 and table[cp] else 0


def link_around(text: str, at: int) -> tuple[int, int] | None:
    """The markdown link or image of ``text`` (the outermost, where one holds another) that the
    offset ``at`` falls inside, past its first character and before its last, as a start and
    an end offset; ``None`` where there is none. A cut there would leave half of it behind: its
    brackets without their target, or a target without its text.

    >>> page = "[ ![Site\\nName](/logo.png)\\n](https://site.example)\\n\\nText"
    >>> link_around(page, 9), link_around(page, 0), link_around(page, 52)
    ((0, 49), None, None)
    >>> wrapped = "[![A\\nlogo](https://img.example/a-\\nb.png)](/home-\\npage)"  # (html2text's)
    >>> link_around(wrapped, 5)
    (0, 54)
    """
    reach = 2 * _LINK_TEXT + _ADDRESS  # (a link with a link inside, and its target)
    if text.find("](", max(0, at - 1), at + reach) < 0:  # (at may fall between them)
        return None
    paragraph = text.rfind("\n\n", max(0, at - reach), at)
    lo = paragraph + 2 if paragraph >= 0 else max(0, at - reach)
    for m in _MARKDOWN_LINK.finditer(text, lo, min(len(text), at + reach)):
        if m.start() >= at:
            return None
        if at < m.end():
            return m.span()
    return None


def image_before(text: str, at: int) -> bool:
    """Whether a markdown image opens (``![``) close enough before offset ``at`` of ``text``
    that ``at`` may lie in its text: a look before :func:`image_text` (most texts have none).

    >>> image_before("[![A red kite](/kite.jpg)](/shop)", 5), image_before("A red kite", 5)
    (True, False)
    """
    return text.rfind("![", max(0, at - _LINK_TEXT), at) >= 0


def image_text(text: str, start: int, end: int) -> tuple[int, int, int, int] | None:
    """Where the characters ``[start, end)`` of ``text`` lie in the text of a markdown image
    (``![...](picture)``, alone or inside a link), between its ``![`` and its ``](``: the
    image's start, its text's start and end, and the image's end; ``None`` where they do not.

    >>> page = "[![A red kite](/kite.jpg)](/shop)\\n\\nA red kite"
    >>> image_text(page, 3, 13), image_text(page, 40, 50)
    ((1, 3, 13, 25), None)
    """
    if not image_before(text, start):
        return None
    link = link_around(text, start)
    if link is None or end > link[1]:
        return None
    opens = text.rfind("![", link[0], start)
    image = _IMAGE.match(text, opens) if opens >= 0 else None
    if image is None or image.end() < end:
        return None
    close = text.find("](", opens + 2, image.end())
    return (opens, opens + 2, close, image.end()) if end <= close else None


def _reference(ref: str) -> int:
    """The code point an entity reference's body (``eacute``, ``#233``, ``#xE9``) stands for,
    0 for none or more than one."""
    if ref.startswith("#"):
        number = int(ref[2:], 16) if ref[1:2] in ("x", "X") else int(ref[1:])
        return number if number < 0x110000 else 0
    value = NAMED_ENTITIES.get(ref, "")
    return ord(value) if len(value) == 1 else 0


def markup_cut(
    text: str,
    markup: list[tuple[int, int]],
    letters: dict[int, int],
    at: list[int],
    cuts: Sequence[tuple[int, int]],
) -> tuple[list[tuple[int, int]], dict[int, int], list[int]] | None:
    """The markup spans, the letters (:func:`markup_at`) and the :func:`marks` of ``text`` with
    the character ranges ``cuts`` (sorted, disjoint) taken out, from those of ``text``
    (``markup``, ``letters``, ``at``); ``None`` where markup crosses or touches a cut, or would
    be found across one in the text with the cuts taken out (then :func:`markup_recut`).

    >>> text = "a <b>x</b> cut here <i>y</i> &eacute;"
    >>> spans, letters = markup_spans(text)
    >>> markup_cut(text, spans, letters, marks(text), [(11, 15)])
    ([(2, 5), (6, 10), (16, 19), (20, 24), (25, 33)], {25: 233}, [2, 6, 16, 20, 25])
    >>> markup_cut(text, spans, letters, marks(text), [(4, 7)]) is None  # it cuts into a tag
    True
    """
    for group in _groups(cuts):
        if _markup_changed(text, markup, at, group):
            return None
    return (*_markup_kept(markup, letters, cuts), _marks_kept(at, text, cuts))


def markup_recut(
    text: str,
    cut_text: str,
    markup: list[tuple[int, int]],
    letters: dict[int, int],
    at: list[int],
    cuts: Sequence[tuple[int, int]],
) -> tuple[list[int], list[tuple[int, int]], dict[int, int]] | None:
    """The :func:`marks` of ``cut_text`` (``text`` with the character ranges ``cuts`` taken
    out) and what :func:`markup_at` finds there, from the scan of ``text`` (``markup``: its
    spans; ``letters``: the letters they give; ``at``: its marks), where
    :func:`markup_cut` gives up: the spans out of the cuts' reach are carried over, and
    ``cut_text`` is scanned again only around each group of cuts whose markup changed, from
    before the group (outside any match) on until the scan is in step with the old one: at a
    mark past the group's reach that neither the new matches nor the old cover, from where the
    two texts and their scans agree. ``None`` where such a scan runs into the next group's
    (which is then to be scanned afresh whole).

    >>> text = "a <b>x</b> cut <i>y</i> &amp; z"
    >>> spans, letters = markup_spans(text)
    >>> cuts = [(4, 11)]  # "a <bcut <i>..."
    >>> markup_recut(text, "a <bcut <i>y</i> &amp; z", spans, letters, marks(text), cuts)
    ([2, 8, 12, 17], [(8, 11), (12, 16), (17, 22)], {})
    >>> markup_spans("a <bcut <i>y</i> &amp; z")
    ([(8, 11), (12, 16), (17, 22)], {})
    """
    new_at = _marks_kept(at, text, cuts)
    # the spans outside the cuts (those across one are in a group scanned again)
    kept, kept_letters = _markup_kept(markup, letters, cuts)
    # the stretches of cut_text scanned again, with what the scan found there
    scanned: list[tuple[int, int, list[tuple[int, int]], dict[int, int]]] = []
    before = 0  # the characters the cuts before the group take out
    for group in _groups(cuts):
        taken = sum(end - start for start, end in group)
        if scanned and scanned[-1][1] > group[0][0] - _REACH - before:
            return None  # (the last scan ran on into this group's reach)
        if _markup_changed(text, markup, at, group):
            lo = max(0, group[0][0] - _REACH)
            j = bisect_right(markup, (lo, len(text)))
            if j and markup[j - 1][1] > lo:
                lo = markup[j - 1][0]
            lo -= before
            hi = group[-1][1] + _REACH - before - taken
            scanned.append((lo, *_scan_until_in_step(cut_text, new_at, lo, hi, kept)))
        before += taken
    # the spans kept but where a stretch was scanned again, and what the scans found there
    spans: list[tuple[int, int]] = []
    new_letters = dict(kept_letters)
    starts = sorted(kept_letters)
    i = 0  # the first span kept that is not yet placed
    for lo, stop, found, found_letters in scanned:
        j = bisect_left(kept, (lo,), i)
        spans += kept[i:j]
        spans += found
        i = bisect_left(kept, (stop,), j)
        for a in starts[bisect_left(starts, lo) : bisect_left(starts, stop)]:
            del new_letters[a]
        new_letters.update(found_letters)
    spans += kept[i:]
    return new_at, spans, new_letters


def _scan_until_in_step(
    text: str, at: list[int], lo: int, hi: int, old: list[tuple[int, int]]
) -> tuple[int, list[tuple[int, int]], dict[int, int]]:
    """The markup of ``text`` (its marks ``at``) from ``lo`` on, up to the first mark at or
    past ``hi`` that no match found covers and no span of ``old`` (the spans an older scan
    found, sorted) runs over: where that mark is (``len(text)`` if none), and the spans and
    letters found before it (past it, the older scan's spans stand). The pattern is tried only
    at the marks, in order, from the end of the last match on, which finds what
    MARKUP.finditer finds; :func:`markup_at` is this scan from the start to the end."""
    table = char_classes()
    spans: list[tuple[int, int]] = []
    letters: dict[int, int] = {}
    end = lo
    for i in range(bisect_left(at, lo), len(at)):
        k = at[i]
        if k >= hi and k >= end:
            j = bisect_right(old, (k, len(text))) - 1
            if j < 0 or old[j][1] <= k or old[j][0] == k:
                return k, spans, letters
        if k < end:
            continue
        m = MARKUP.match(text, k)
        if m is None:
            continue
        end = m.end()
        spans.append(m.span())
        cp = _letter(m, table)
        if cp:
            letters[k] = cp
    return len(text), spans, letters


def _markup_changed(
    text: str, markup: list[tuple[int, int]], at: list[int], group: list[tuple[int, int]]
) -> bool:
    """Whether taking out the cuts of ``group`` (:func:`_groups`) changes the markup around
    them: a mark lies within reach of one (:func:`_markup_near`) and a scan of the text there
    with the group's cuts taken out does not find what ``markup`` holds (:func:`_same_markup`)."""
    near = any(_markup_near(at, text, start, end) for start, end in group)
    return near and not _same_markup(text, markup, group)


def _markup_near(at: list[int], text: str, start: int, end: int) -> bool:
    """Whether markup could reach the cut ``[start, end)`` of ``text``, whose :func:`marks`
    are ``at``: one of them lies within a match's reach of an end of the cut, or a link's
    target could start right before it (``]`` before, ``(`` after)."""
    if start and text[start - 1] == "]":
        return True
    for point in (start, end):
        k = bisect_left(at, point - _REACH)
        if k < len(at) and at[k] < point + _REACH:
            return True
    return False


def _marks_kept(at: list[int], text: str, cuts: Sequence[tuple[int, int]]) -> list[int]:
    """The marks ``at`` outside ``cuts``, in offsets of the text with the cuts taken out: a
    ``]`` stays a mark only where a ``(`` still follows it, and a cut may make one (``]``
    before it, ``(`` after it and any cuts it touches). (The marks between two cuts move
    alike: a slice each, found by binary search.)

    >>> text = "[x](y) a]zz(b"  # cut to "[x]y) a](b"
    >>> marks(text), _marks_kept(marks(text), text, [(3, 4), (9, 11)])
    ([2], [7])
    >>> _marks_kept(marks("ab<c]def(g"), "ab<c]def(g", [(2, 5), (5, 8)])  # (its "]" is cut)
    []
    """

    def after(k: int) -> int:
        # the first character kept after cut ``k`` (past the cuts it touches)
        end = cuts[k][1]
        while k + 1 < len(cuts) and cuts[k + 1][0] == end:
            k += 1
            end = cuts[k][1]
        return end

    out: list[int] = []
    made = []  # the marks the cuts make
    shift = 0
    i = 0  # the first mark not yet kept or left out
    for k, (start, end) in enumerate(cuts):
        j = bisect_left(at, start, i)
        last = j  # (past the last mark kept before the cut)
        # (a "]" right before the cut stays a mark only where a "(" still follows it)
        if (
            j > i
            and at[j - 1] == start - 1
            and text[start - 1] == "]"
            and not text.startswith("(", after(k))
        ):
            last -= 1
        out += [point - shift for point in at[i:last]] if shift else at[i:last]
        # whether the cut makes a "](" of a kept "]" before it and the "(" kept after it
        # (not where the character before it is cut too)
        touches = k and cuts[k - 1][1] == start
        if start and not touches and text[start - 1] == "]" and text.startswith("(", after(k)):
            made.append(start - 1 - shift)
        i = bisect_left(at, end, j)
        shift += end - start
    out += [point - shift for point in at[i:]] if shift else at[i:]
    return sorted(set(out + made)) if made else out


def _groups(cuts: Sequence[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """``cuts`` (sorted, disjoint) in groups whose neighbourhoods (a match's reach on each side
    of a cut) meet: each group is checked as one (:func:`_same_markup`), and no two groups'
    neighbourhoods overlap.

    >>> _groups([(0, 5), (100, 120), (40000, 40010)])
    [[(0, 5), (100, 120)], [(40000, 40010)]]
    """
    out: list[list[tuple[int, int]]] = []
    for cut in cuts:
        if out and cut[0] - out[-1][-1][1] < 2 * _REACH:
            out[-1].append(cut)
        else:
            out.append([cut])
    return out


def _same_markup(text: str, markup: list[tuple[int, int]], group: list[tuple[int, int]]) -> bool:
    """Whether the text with the cuts of ``group`` taken out has, around them, the markup it had
    (``markup``, minus what the cuts take whole): none crosses or touches a cut, and the matches
    of a scan of the joined neighbourhood are the old ones. (Past a match's reach the two texts
    and their scans agree; the neighbourhood starts and ends outside any match, and the cuts of
    other groups lie beyond it: :func:`_groups`.)"""
    lo, hi = max(0, group[0][0] - _REACH), min(len(text), group[-1][1] + _REACH)
    k = bisect_right(markup, (lo, len(text)))
    if k and markup[k - 1][1] > lo:
        lo = markup[k - 1][0]
    old: list[tuple[int, int]] = []
    c = 0  # the first cut of the group that ends at or after the span's start
    shift = 0  # the letters the cuts before it take out
    for a, b in markup[bisect_left(markup, (lo, 0)) :]:
        if a >= hi:
            break
        hi = max(hi, b)
        while c < len(group) and group[c][1] < a:
            shift += group[c][1] - group[c][0]
            c += 1
        if c == len(group) or b < group[c][0]:
            old.append((a - lo - shift, b - lo - shift))
        elif not group[c][0] < a < b < group[c][1]:
            return False  # it crosses or touches a cut
    pieces = [text[lo : group[0][0]]]
    pieces += [text[end : after[0]] for (_, end), after in itertools.pairwise(group)]
    pieces.append(text[group[-1][1] : hi])
    found, _ = markup_spans("".join(pieces))
    return found == old


def _markup_kept(
    markup: list[tuple[int, int]], letters: dict[int, int], cuts: Sequence[tuple[int, int]]
) -> tuple[list[tuple[int, int]], dict[int, int]]:
    """The spans of ``markup`` outside ``cuts`` (those inside or across one go), and the
    ``letters`` they give, in offsets of the text with the cuts taken out. (The spans between
    two cuts move alike: a slice each, found by binary search.)

    >>> _markup_kept([(0, 2), (3, 5), (6, 8), (9, 11)], {3: 97, 9: 98}, [(4, 7)])
    ([(0, 2), (6, 8)], {6: 98})
    """
    if not markup:
        return markup, letters
    out: list[tuple[int, int]] = []
    kept: list[tuple[int, int, int]] = []  # the offsets each slice covers, and its shift
    shift = 0
    i = 0  # the first span not yet kept or left out
    for start, end in cuts:
        j = bisect_left(markup, (start,), i)
        if j > i and markup[j - 1][1] > start:
            j -= 1  # (across the cut's start)
        if j > i:
            out += [(a - shift, b - shift) for a, b in markup[i:j]] if shift else markup[i:j]
            kept.append((markup[i][0], markup[j - 1][1], shift))
        i = max(j, bisect_left(markup, (end,), j))
        shift += end - start
    if i < len(markup):
        out += [(a - shift, b - shift) for a, b in markup[i:]] if shift else markup[i:]
        kept.append((markup[i][0], markup[-1][1], shift))
    if not letters:
        return out, letters
    starts = sorted(letters)
    out_letters = {}
    for lo, hi, moved in kept:
        for a in starts[bisect_left(starts, lo) : bisect_left(starts, hi)]:
            out_letters[a - moved] = letters[a]
    return out, out_letters
