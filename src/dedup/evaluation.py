"""Scoring repairs against gold texts, as the evaluation data's README prescribes.

Before comparing: Unicode NFC, no-break spaces as spaces, white space inside a line collapsed,
blank lines dropped, each line a paragraph. So ``\\n`` versus ``\\n\\n`` between paragraphs never
counts; a lost paragraph break does.

>>> canonical("One\\u00a0 two\\n\\n\\nthree  ")
'One two\\nthree'
>>> round(similarity("abc", "abd"), 3)
0.667
"""

from __future__ import annotations

import collections
import random
import re
import statistics
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import ftfy
import ftfy.bad_codecs  # (registers "sloppy-windows-1252", mojibake's codec)
import numpy as np
import regex
from rapidfuzz import fuzz

from dedup.chars import NO_SPACE_CLASS, NO_SPACE_WEIGHT
from dedup.model import Edit, RepairOptions, apply_edits
from dedup.spans import scaled
from dedup.tokens import Skeleton, skeleton

__all__ = [
    "FAMILIES",
    "DumpScore",
    "FamilyScore",
    "canonical",
    "damaged",
    "dump_score",
    "exact",
    "lost_twins",
    "score_families",
    "similarity",
    "word_grams",
]

_SPACES = regex.compile(r"[^\S\n]+")


def canonical(text: str) -> str:
    """The comparable form of ``text`` (see the module docstring)."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def exact(output: str, gold: str) -> bool:
    """Whether ``output`` equals ``gold`` once both are in canonical form."""
    return canonical(output) == canonical(gold)


def similarity(output: str, gold: str) -> float:
    """Character similarity of the canonical forms, 0..1 (``rapidfuzz.fuzz.ratio`` / 100)."""
    return fuzz.ratio(canonical(output), canonical(gold)) / 100.0


@dataclass(frozen=True, slots=True)
class FamilyScore:
    """The scores of one damage family: how many records, the exact-match rate, the mean
    similarity and the share of records whose text was left as it was."""

    family: str
    records: int
    exact: float
    similarity: float
    unchanged: float


def score_families(
    records: Sequence[Mapping[str, str]], outputs: Sequence[str]
) -> dict[str, FamilyScore]:
    """Score ``outputs`` (one per record, in order) against evaluation records (``family``,
    ``text``, ``gold``), family by family.

    >>> rows = [{"family": "clean", "text": "A.", "gold": "A."}]
    >>> score_families(rows, ["A."])["clean"].exact
    1.0
    """
    if len(records) != len(outputs):
        raise ValueError(f"{len(outputs)} outputs for {len(records)} records")
    per: dict[str, list[tuple[bool, float, bool]]] = {}
    for record, out in zip(records, outputs, strict=True):
        per.setdefault(record["family"], []).append(
            (
                exact(out, record["gold"]),
                similarity(out, record["gold"]),
                canonical(out) == canonical(record["text"]),
            )
        )
    return {
        family: FamilyScore(
            family,
            len(rows),
            sum(r[0] for r in rows) / len(rows),
            statistics.fmean(r[1] for r in rows),
            sum(r[2] for r in rows) / len(rows),
        )
        for family, rows in sorted(per.items())
    }


_WORD = re.compile(r"\w+")
# The width of the windows by which a removed stretch is looked for in the output (an anchor's).
_TWIN_WINDOW = 24
# A run of a removed stretch's letters this long that the output lacks and that reads as prose
# (one space between words, ``_PROSE``, for every ``_PROSE_LETTERS`` letters) is text lost.
_OWN_TEXT = 200
_PROSE = regex.compile(r"(?<=[\p{L}\p{N}][,.;:!?)\]]?) (?=[\p{L}\p{N}(])")
_PROSE_LETTERS = 12
# A line of a removed stretch (a heading, a date and a city) that reads as prose, holds a window
# or more, and has fewer than a third (``_LINE_SHARE``) of its windows of ``_LINE_WINDOW``
# letters in the output is text lost, however short.
_LINE_WINDOW = 12
_LINE_SHARE = 1 / 3
_GRAM = 8


def word_grams(text: str, n: int = _GRAM) -> collections.Counter[str]:
    """How often each run of ``n`` words (lower-cased ``\\w+`` words) occurs in ``text``.

    >>> word_grams("A b, a B!", 2)
    Counter({'a b': 2, 'b a': 1})
    """
    words = _WORD.findall(text.lower())
    return collections.Counter(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))


@dataclass(frozen=True, slots=True)
class DumpScore:
    """How an output scores against a page's reference main content (word 8-grams).

    - ``residue``: of the reference's 8-grams that occur once in it, the share that occur twice
      or more in the output (0 is perfect: no doubled article left);
    - ``kept``: of those 8-grams present in the input, the share still present in the output
      (1 is perfect: nothing of the article lost).
    """

    residue: float
    kept: float


def dump_score(text: str, reference: str, output: str) -> DumpScore:
    """Score ``output``, made of ``text``, against ``reference`` (see :class:`DumpScore`).

    >>> ref = "one two three four five six seven eight nine"
    >>> dump_score(ref + " " + ref, ref, ref)
    DumpScore(residue=0.0, kept=1.0)
    """
    once = [g for g, count in word_grams(reference).items() if count == 1]
    before, after = word_grams(text), word_grams(output)
    residue = sum(1 for g in once if after[g] >= 2) / len(once) if once else 0.0
    present = [g for g in once if before[g]]
    kept = sum(1 for g in present if after[g]) / len(present) if present else 1.0
    return DumpScore(residue, kept)


def lost_twins(text: str, edits: Iterable[Edit]) -> list[Edit]:
    """The removals among ``edits`` (on ``text``) that lost the only copy of something: whose
    twin the output does not hold, or that took text of their own the output does not hold.

    - The twin: a removal with no ``kept`` span (or one outside the text), with nothing in
      common with it, or whose content in common with it is not in the output. Content is
      compared by windows as wide as repair's anchors on the text (``_TWIN_WINDOW`` letters,
      half as many in Chinese, Japanese or Korean: :func:`dedup.spans.scaled`) of lower-cased
      letters and digits, markup seen through (:func:`dedup.tokens.skeleton`): of the removed
      stretch's windows that its kept twin has, at least half must be somewhere in the output
      (a window that spans a small edit between near copies is in neither; a later pass may
      remove the copy an earlier one kept, keeping that copy's own twin). A stretch shorter
      than a window is looked for whole.
    - Its own text: a run of ``_OWN_TEXT`` letters or more of the removed stretch that no
      window of the output covers and that reads as prose (a space between words for every
      ``_PROSE_LETTERS`` letters: keys and values of script data have few) is text the removal
      held alone (a variant of a kept paragraph, a typo or a changed phrase, is shorter).
    - Its own lines: a line of the removed stretch that reads as prose, none of whose windows
      the output holds, and fewer than ``_LINE_SHARE`` of whose windows of ``_LINE_WINDOW``
      letters it holds (a heading, an entry's date and city: shorter than ``_OWN_TEXT``, and
      the only copy; a line an edited copy spliced from two kept lines, or one with a typo,
      has most of its short windows in them).

    Repair promises none.

    >>> gone = Edit(start=0, end=2, action="remove", reason="x", score=1.0, kept=None)
    >>> lost_twins("abab", [gone]) == [gone]
    True
    """
    edits = list(edits)
    removals = [e for e in edits if e.action == "remove" and e.end > e.start]
    if not removals:
        return []
    made = apply_edits(text, edits)
    output = skeleton(made).letters()
    out = _windows(output, 1)
    # (a twin is looked for by windows as wide as repair's anchors on the text: half as wide
    # in Chinese, Japanese and Korean, whose characters say more than a letter does)
    width = scaled(RepairOptions(), skeleton(text)).anchor_chars
    out_twin = out if width == _TWIN_WINDOW else _windows(output, 1, width)
    decoded: list[set[int]] = []  # the output's windows with its mojibake fixed, once needed
    lost = []
    for edit in removals:
        span = edit.kept
        if span is None or not span.start < span.end <= len(text):
            lost.append(edit)
            continue
        gone = skeleton(text[edit.start : edit.end])
        letters = gone.letters()
        twin = skeleton(text[span.start : span.end]).letters()
        if len(letters) < width:  # (a short stretch is looked for whole)
            if letters not in twin or letters not in output:
                lost.append(edit)
            continue
        shared = _windows(letters, 1, width) & _windows(twin, 1, width)
        twin_lost = not shared or len(shared - out_twin) * 2 > len(shared)
        stretch = text[edit.start : edit.end]
        if (
            twin_lost
            or _own_text_lost(stretch, gone, out, made, decoded)
            or _own_line_lost(stretch, out, made, decoded)
        ):
            lost.append(edit)
    return lost


def _windows(letters: str, step: int, width: int = _TWIN_WINDOW) -> set[int]:
    """The hashes of the windows of ``width`` characters of ``letters``."""
    return {hash(letters[k : k + width]) for k in range(0, len(letters) - width + 1, step)}


def _decoded(made: str, decoded: list[set[int]]) -> list[set[int]]:
    """The windows of the output ``made`` with its mojibake fixed (``ftfy.fix_text``), of
    ``_TWIN_WINDOW`` then of ``_LINE_WINDOW`` letters, kept in ``decoded`` once made."""
    if not decoded:
        letters = skeleton(ftfy.fix_text(made)).letters()
        decoded.extend((_windows(letters, 1), _windows(letters, 1, _LINE_WINDOW)))
    return decoded


def _own_line_lost(stretch: str, out: set[int], made: str, decoded: list[set[int]]) -> bool:
    """Whether a line of ``stretch`` (its first and last, whole or not, among them) reads as
    prose, is not in the output ``made`` as it is, has no window in ``out`` (those of
    ``made``), and, its mojibake and the output's fixed, none still and fewer than
    ``_LINE_SHARE`` of its short windows there."""
    for line in stretch.split("\n"):
        if len(line) < _TWIN_WINDOW:
            continue  # (fewer characters than a window has letters)
        letters = skeleton(line).letters()
        if (
            len(letters) < _TWIN_WINDOW
            or len(_PROSE.findall(line)) * _PROSE_LETTERS < len(letters)
            or _windows(letters, 1) & out
            or line in made  # (its letters read alone: a markdown link cut by the line's end)
        ):
            continue
        whole, short = _decoded(made, decoded)
        letters = skeleton(ftfy.fix_text(line)).letters()
        if _windows(letters, 1) & whole:
            continue
        windows = _windows(letters, 1, _LINE_WINDOW)
        if len(windows & short) < _LINE_SHARE * len(windows):
            return True
    return False


def _own_text_lost(
    stretch: str, sk: Skeleton, out: set[int], made: str, decoded: list[set[int]]
) -> bool:
    """Whether ``stretch`` (skeleton ``sk``) holds a run of ``_OWN_TEXT`` letters or more that
    no window in ``out`` (those of the output ``made``) covers and that reads as prose. Such a
    run is looked for again with the mojibake of both fixed (``ftfy.fix_text``; the output's
    windows kept in ``decoded``): repair leaves mojibake to normalisation, so a kept copy in
    mojibake holds the text of a clean copy it removed."""
    if not _uncovered_prose(stretch, sk, out):
        return False
    fixed = ftfy.fix_text(stretch)
    return _uncovered_prose(fixed, skeleton(fixed), _decoded(made, decoded)[0])


def _uncovered_prose(stretch: str, sk: Skeleton, out: set[int]) -> bool:
    """Whether ``stretch`` (skeleton ``sk``) holds a run of ``_OWN_TEXT`` letters or more that
    no window in ``out`` covers and that reads as prose."""
    letters, width = sk.letters(), _TWIN_WINDOW
    if len(letters) < _OWN_TEXT:
        return False  # (too short to hold such a run, or a window)
    found = np.array(
        [hash(letters[k : k + width]) in out for k in range(len(letters) - width + 1)], dtype=bool
    )
    # a letter is covered when a window holding it is in the output
    covered = np.convolve(found, np.ones(width, dtype=bool))[: len(letters)] > 0
    edges = np.flatnonzero(np.diff(np.concatenate(([True], covered, [True])).astype(np.int8)))
    for u0, u1 in zip(edges[0::2], edges[1::2], strict=True):
        if u1 - u0 >= _OWN_TEXT:
            start, end = sk.text_range(int(u0), int(u1))
            if len(_PROSE.findall(stretch, start, end)) * _PROSE_LETTERS >= u1 - u0:
                return True
    return False


# --- the damage families of the evaluation data, built from any gold text ------------------

FAMILIES = (
    "clean",
    "doubled_flat",
    "doubled_flat_first",
    "doubled_edited",
    "doubled_mojibake",
    "tripled",
    "flat_has_extra",
    "repeated_paragraphs",
)
# (and the full stops of other scripts: Devanagari's danda and double danda, Arabic's question
# mark and Urdu's full stop, Armenian's, Ethiopic's and Myanmar's; Thai marks none)
_SENTENCE_END = ".!?\u2026\u3002\uff01\uff1f\u0964\u0965\u061f\u06d4\u0589\u1362\u104b"
_CLOSERS = "\"')]\u201d\u2019\u300d\u300f\uff09"
_SENTENCES = regex.compile(rf"(?<=[{_SENTENCE_END}][{regex.escape(_CLOSERS)}]?)\s*")
# A paragraph captured twice is this long or longer (in Latin letters: a Han or kana character
# counts NO_SPACE_WEIGHT, _weight).
_REPEATED = 120
_WIDE = regex.compile(NO_SPACE_CLASS)
_STRAIGHT = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def _weight(paragraph: str) -> int:
    """The length of ``paragraph`` with a character of a script written without spaces (Han,
    kana, Thai...) counted ``NO_SPACE_WEIGHT`` times."""
    return len(paragraph) + (NO_SPACE_WEIGHT - 1) * len(_WIDE.findall(paragraph))


def _is_heading(paragraph: str) -> bool:
    """A line that does not end a sentence (a heading, a byline, a list's label)."""
    return not paragraph.rstrip(_CLOSERS).endswith(tuple(_SENTENCE_END))


def _flattened(paragraphs: Sequence[str], rng: random.Random, joiners: str = " ") -> str:
    """The body as scrapers flatten it: breaks gone (``joiners``: one of them, or nothing,
    between paragraphs), often without its headings and sometimes without its lead."""
    parts = list(paragraphs)
    if rng.random() < 0.5:
        parts = [p for p in parts if not _is_heading(p)] or parts
    if len(parts) > 3 and rng.random() < 0.3:
        parts = parts[1:]
    joiner: str = rng.choice(["", *joiners])
    return joiner.join(parts)


def _edited(copy: str, rng: random.Random) -> str:
    """``copy`` with the small edits of a second rendering: straight quotes, entities, a typo
    (two letters swapped), a sentence dropped."""
    copy = copy.translate(_STRAIGHT).replace("&", "&amp;")
    spaces = [m.start() for m in regex.finditer(" ", copy)]
    if spaces:
        at = rng.choice(spaces)
        copy = copy[:at] + "&nbsp;" + copy[at + 1 :]
    swaps = [i for i in range(len(copy) - 1) if copy[i].isalpha() and copy[i + 1].isalpha()]
    swaps = [i for i in swaps if copy[i] != copy[i + 1]]
    if swaps:
        i = rng.choice(swaps)
        copy = copy[:i] + copy[i + 1] + copy[i] + copy[i + 2 :]
    sentences = [s for s in _SENTENCES.split(copy) if s]
    if len(sentences) >= 4:
        del sentences[rng.randrange(1, len(sentences) - 1)]
        glue = "" if _WIDE.search(copy) else " "
        copy = glue.join(sentences)
    return copy


def damaged(paragraphs: Sequence[str], family: str, rng: random.Random) -> tuple[str, str]:
    """A damaged text of ``family`` (one of :data:`FAMILIES`, as the evaluation data's README
    describes each) made from ``paragraphs``, and its gold text: the text a perfect repair
    returns. Random choices (the joiner of a flattened copy, headings or lead dropped, which
    paragraph is missing or repeated) come from ``rng``, so a seed gives the same texts.

    >>> paras = ["A title", "One sentence here.", "Two sentences. Right here."]
    >>> damaged(paras, "doubled_flat", random.Random(0))[0].split("\\n\\n")[-1]
    'A title One sentence here. Two sentences. Right here.'
    >>> text, gold = damaged(paras, "flat_has_extra", random.Random(0))
    >>> gold == "\\n\\n".join(paras) and "One sentence" not in text.split("\\n\\n")[1]
    True
    """
    body = "\n\n".join(paragraphs)
    if family == "clean":
        return body, body
    if family == "doubled_flat":
        return body + "\n\n" + _flattened(paragraphs, rng), body
    if family == "doubled_flat_first":
        return _flattened(paragraphs, rng) + "\n\n" + body, body
    if family == "doubled_edited":
        return body + "\n\n" + _edited(_flattened(paragraphs, rng, " \n"), rng), body
    if family == "doubled_mojibake":
        broken = body.encode("utf-8").decode("sloppy-windows-1252")
        return broken + "\n\n" + _flattened(paragraphs, rng), body
    if family == "tripled":
        prose = [p for p in paragraphs if not _is_heading(p)] or list(paragraphs)
        return prose[0] + "\n\n" + body + "\n\n" + _flattened(paragraphs, rng), body
    if family == "flat_has_extra":
        inner = [i for i, p in enumerate(paragraphs) if not _is_heading(p)][1:-1]
        if not inner:
            inner = list(range(len(paragraphs)))
        missing = rng.choice(inner)
        rest = [p for i, p in enumerate(paragraphs) if i != missing]
        flat = rng.choice(["", " "]).join(paragraphs)
        return "\n\n".join(rest) + "\n\n" + flat, body
    if family == "repeated_paragraphs":
        long = [i for i, p in enumerate(paragraphs) if _weight(p) >= _REPEATED]
        long = long or [max(range(len(paragraphs)), key=lambda i: _weight(paragraphs[i]))]
        twice = set(rng.sample(long, rng.randint(1, min(3, len(long)))))
        return "\n\n".join(
            q for i, p in enumerate(paragraphs) for q in [p] * (1 + (i in twice))
        ), body
    raise ValueError(f"unknown damage family {family!r}: one of {', '.join(FAMILIES)}")
