"""Frozen results, options and errors shared by every stage.

Every stage returns a frozen record holding the new text and the edits that produced it.
Edits are offsets into the text the stage was given, and they replay:

>>> from dedup.model import Edit, apply_edits
>>> edits = [Edit(start=0, end=6, action="remove", reason="duplicate", score=1.0, kept=None)]
>>> apply_edits("hello hello", edits)
'hello'
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

__all__ = [
    "KINDS",
    "QUOTES",
    "Cleaned",
    "ConfigError",
    "DedupError",
    "DuplicatePair",
    "Edit",
    "InputError",
    "Normalized",
    "Quotes",
    "Removes",
    "Repair",
    "RepairOptions",
    "Result",
    "Side",
    "Span",
    "Stage",
    "apply_edits",
    "check_bool",
    "check_float",
    "check_int",
    "check_text",
    "check_texts",
    "compose",
    "replay",
    "with_overrides",
]


class DedupError(Exception):
    """The base of every error dedup raises on purpose.

    Its message says what is wrong and where; ``hint`` says what to do, in the library's own
    terms (``str(error)`` is both). Fields say the same for a program (``None`` where they do
    not apply), so that a caller can act on them, or say what to do in its own terms (the
    command line names its flags) without reading the message:

    - ``reason``: a short name of the problem, e.g. ``"malformed-json"`` or ``"exists"``;
    - ``path``: the file; ``line``: its line, or a Parquet file's row, from 1; ``field``: the
      field of a record, or a column;
    - ``option``: the option that is wrong.

    >>> error = InputError("in.jsonl:3: malformed JSON", hint="fix the line", path="in.jsonl",
    ...                    line=3, reason="malformed-json")
    >>> str(error), error.line, error.reason
    ('in.jsonl:3: malformed JSON: fix the line', 3, 'malformed-json')
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str = "",
        reason: str = "",
        path: str | os.PathLike[str] | None = None,
        line: int | None = None,
        field: str | None = None,
        option: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.reason = reason
        self.path = None if path is None else os.fspath(path)
        self.line = line
        self.field = field
        self.option = option

    def __str__(self) -> str:
        return f"{self.message}: {self.hint}" if self.hint else self.message


class InputError(DedupError, ValueError):
    """The input cannot be processed: wrong type, undecodable bytes, a malformed record.

    The message names the file, line and field where there is one (also as fields), and the
    hint says what to do.
    """


class ConfigError(DedupError, ValueError):
    """An option is out of range or unknown. The message names the option (``option``)."""


Action = Literal["remove", "move", "fix", "split"]
# Which copy of a pair.
Side = Literal["first", "second"]
# Which copies of a pair repair removes (:attr:`DuplicatePair.removes`).
Removes = Literal["first", "second", "both"]


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` of a text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True, kw_only=True)
class Edit:
    """One change to a text, in offsets of the text the stage was given.

    ``text[start:end]`` is replaced by ``replacement``. An insertion has ``start == end``.

    - ``action``: ``"remove"`` (a duplicate copy goes), ``"move"`` (content that only the removed
      copy had is inserted into the kept copy), ``"fix"`` (normalisation: mojibake, entities,
      white space) or ``"split"`` (a glued sentence boundary gets its space back).
    - ``reason``: a short machine-readable reason, e.g. ``"flattened-copy"``.
    - ``score``: the similarity that justified the edit, 0..1 (1.0 for deterministic fixes).
    - ``kept``: for removals and moves, the span of the copy that was kept; otherwise ``None``.
    """

    start: int
    end: int
    action: Action
    reason: str
    score: float
    kept: Span | None
    replacement: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, as the CLI's ``--report`` writes it."""
        return {
            "start": self.start,
            "end": self.end,
            "action": self.action,
            "reason": self.reason,
            "score": round(self.score, 4),
            "kept": None if self.kept is None else [self.kept.start, self.kept.end],
            "replacement": self.replacement,
        }


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Replay ``edits`` on ``text`` (the text the stage was given) and return the result.

    Edits must not overlap; insertions (``start == end``) at one offset apply in their order.

    >>> insertion = Edit(start=1, end=1, action="move", reason="missing", score=1.0, kept=None,
    ...                  replacement="X")
    >>> apply_edits("ab", [insertion])
    'aXb'
    """
    ordered = sorted(enumerate(edits), key=lambda pair: (pair[1].start, pair[1].end, pair[0]))
    out: list[str] = []
    pos = 0
    for _, edit in ordered:
        if edit.start < pos or edit.end > len(text) or edit.start > edit.end:
            raise InputError(
                f"edit [{edit.start}, {edit.end}) overlaps another edit or lies outside the "
                f"text of length {len(text)}: replay edits on the text the stage was given"
            )
        out.append(text[pos : edit.start])
        out.append(edit.replacement)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out)


Merge = Literal["touching", "overlapping"]


def compose(
    first: Sequence[Edit], second: Sequence[Edit], text: str, *, merge: Merge = "touching"
) -> tuple[Edit, ...]:
    """Edits on ``text`` that do what ``first`` and then ``second`` do.

    ``first`` is in offsets of ``text``; ``second`` in offsets of the text ``first`` made (the
    middle text). Edits that meet in the middle text become one edit, which replaces the union
    of what they replaced with what they wrote; ``merge`` says which edits meet, and what the
    merged edit says:

    - ``"touching"`` (repair's passes): edits meet when they overlap or touch, but an edit of
      ``first`` only through an edit of ``second`` (edits of ``first`` that no edit of
      ``second`` reaches stay as they were). A merged edit takes the action, reason, score and
      kept span of its last edit of ``second``: a later pass acted on what the earlier one
      wrote (a removal that takes in a move beside it), and its reason is the one to give.
      Where the removals it merges kept twins that follow one another in ``text``, in the
      removals' order, with nothing but spaces and punctuation between them, their twin is
      one text found in parts, and the merged edit keeps it whole: the span from the first
      twin's start to the last one's end (all kept spans in offsets of ``text``).
    - ``"overlapping"`` (normalisation's steps): edits meet when they overlap, or when they
      touch where one of them is empty (an insertion, or a deletion seen from the middle
      text), whose order would otherwise be ambiguous; edits that only touch stay apart, each
      with its own reason. A merged edit is a ``"fix"`` (or the action its edits share), its
      reasons joined with ``+``, its score 1.0.

    When either list is empty, the other is the answer as it is.

    >>> t = "abcdef"
    >>> def cut(start, end, reason, replacement=""):
    ...     return Edit(start=start, end=end, action="remove", reason=reason, score=1.0,
    ...                 kept=None, replacement=replacement)
    >>> one = [cut(1, 2, "x")]                                  # "acdef"
    >>> two = [cut(3, 5, "y")]                                  # "acd"
    >>> apply_edits(t, compose(one, two, t))
    'acd'
    >>> upper_b = [cut(1, 2, "b", "B")]                         # "aBcdef"
    >>> upper_c = [cut(2, 3, "c", "C")]                         # "aBCdef": touches the "B"
    >>> [(e.start, e.end, e.reason) for e in compose(upper_b, upper_c, t)]
    [(1, 3, 'c')]
    >>> [(e.start, e.end, e.reason) for e in compose(upper_b, upper_c, t, merge="overlapping")]
    [(1, 2, 'b'), (2, 3, 'c')]
    """
    if not first:
        return tuple(second)
    if not second:
        return tuple(first)
    ordered = sorted(first, key=lambda e: (e.start, e.end))
    middle = apply_edits(text, ordered)
    # (start and end in the middle text, 0 for ``first`` or 1 for ``second``, the edit, the
    # length it adds to the text)
    items: list[tuple[int, int, int, Edit, int]] = []
    shift = 0
    for edit in ordered:
        start = edit.start + shift
        delta = len(edit.replacement) - (edit.end - edit.start)
        items.append((start, start + len(edit.replacement), 0, edit, delta))
        shift += delta
    items.extend((edit.start, edit.end, 1, edit, 0) for edit in second)
    items.sort(key=lambda item: (item[0], item[2], item[1]))
    touching = merge == "touching"
    out: list[Edit] = []
    shift = 0  # what the edits of ``first`` before the group added to the text
    i = 0
    while i < len(items):
        group = [items[i]]
        lo, hi = items[i][0], items[i][1]
        empty_at_hi = lo == hi
        i += 1
        while i < len(items) and (
            items[i][0] <= hi
            if touching
            else items[i][0] < hi or (items[i][0] == hi and (empty_at_hi or items[i][1] == hi))
        ):
            group.append(items[i])
            if items[i][1] > hi:
                hi = items[i][1]
                empty_at_hi = False
            if items[i][0] == items[i][1] == hi:
                empty_at_hi = True
            i += 1
        grew = sum(item[4] for item in group)
        later = [item[3] for item in group if item[2] == 1]
        if len(group) == 1 or (touching and not later):
            for _, _, step, edit, _ in group:
                out.append(edit if step == 0 else _shifted(edit, -shift))
        else:
            pieces: list[str] = []
            pos = lo
            for edit in later:
                pieces.append(middle[pos : edit.start])
                pieces.append(edit.replacement)
                pos = edit.end
            pieces.append(middle[pos:hi])
            replacement = "".join(pieces)
            if touching:
                last = later[-1]
                out.append(
                    Edit(
                        start=lo - shift,
                        end=hi - shift - grew,
                        action=last.action,
                        reason=last.reason,
                        score=last.score,
                        kept=_one_twin([item[3] for item in group], text) or last.kept,
                        replacement=replacement,
                    )
                )
            else:
                actions = {item[3].action for item in group}
                action = actions.pop() if len(actions) == 1 else "fix"
                reason = _joined_reasons(item[3].reason for item in group)
                out.append(
                    Edit(
                        start=lo - shift,
                        end=hi - shift - grew,
                        action=action,
                        reason=reason,
                        score=1.0,
                        kept=None,
                        replacement=replacement,
                    )
                )
        shift += grew
    return tuple(sorted(out, key=lambda e: (e.start, e.end)))


def _one_twin(edits: list[Edit], text: str) -> Span | None:
    """The kept span of removals merged into one (``edits``, in the order of what they
    removed; kept spans in offsets of ``text``) when their twins are one text in parts: two or
    more, each after the one before it with nothing but spaces and punctuation between them.
    ``None`` where they are not.

    >>> def gone(start, end, k0, k1):
    ...     return Edit(start=start, end=end, action="remove", reason="x", score=1.0,
    ...                 kept=Span(k0, k1))
    >>> text = "Site Name\\nSite Name"
    >>> _one_twin([gone(0, 5, 10, 14), gone(5, 9, 15, 19)], text)
    Span(start=10, end=19)
    >>> _one_twin([gone(0, 5, 15, 19), gone(5, 9, 10, 14)], text) is None  # in another order
    True
    """
    spans = [edit.kept for edit in edits if edit.kept is not None and edit.end > edit.start]
    if len(spans) < 2:
        return None
    for before, after in itertools.pairwise(spans):
        if after.start < before.end or any(c.isalnum() for c in text[before.end : after.start]):
            return None
    return Span(spans[0].start, spans[-1].end)


def _shifted(edit: Edit, by: int) -> Edit:
    return dataclasses.replace(edit, start=edit.start + by, end=edit.end + by)


def _joined_reasons(reasons: Iterable[str]) -> str:
    """``reasons`` joined by ``+``, each part (a reason may be ``a+b`` already) once, in order."""
    joined = ""
    for reason in reasons:
        if not joined:
            joined = reason
            continue
        parts = joined.split("+")
        parts.extend(part for part in reason.split("+") if part not in parts)
        joined = "+".join(parts)
    return joined


@dataclass(frozen=True, slots=True)
class Result:
    """A stage's result: its output text and the edits that made it from its input."""

    text: str
    edits: tuple[Edit, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.edits)


@dataclass(frozen=True, slots=True)
class Repair(Result):
    """The result of :func:`dedup.repair`: the repaired text and the edits that made it."""


@dataclass(frozen=True, slots=True)
class Normalized(Result):
    """The result of :func:`dedup.normalize`: the normalised text and the edits that made it."""


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of :func:`dedup.clean`: its name and its edits, in offsets of its own input."""

    name: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The result of ``dedup.clean(text, explain=True)``.

    ``stages`` run in order, each on the previous stage's output; :func:`replay` rebuilds
    ``text`` from the original.
    """

    text: str
    stages: tuple[Stage, ...]

    @property
    def edits(self) -> tuple[Edit, ...]:
        """Every edit of every stage, in stage order (offsets are per stage)."""
        return tuple(edit for stage in self.stages for edit in stage.edits)


def replay(text: str, stages: Iterable[Stage]) -> str:
    """Apply each stage's edits in turn: ``replay(original, cleaned.stages) == cleaned.text``."""
    for stage in stages:
        text = apply_edits(text, stage.edits)
    return text


# The kinds of pairs (``DuplicatePair.kind``), in the order ``dedup find`` counts them: repair
# acts on pairs of all but "distant" (which pairs: ``DuplicatePair.removes``).
KINDS = ("flattened", "adjacent", "teaser", "embedded", "long", "quote", "distant")


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    """Two near-duplicate spans of one text; ``first`` comes before ``second``.

    ``score`` is the share of their normalised characters that align (0..1). ``kind`` says how
    the copies relate: ``"flattened"`` (one copy lost its paragraph breaks), ``"adjacent"`` (the
    copies follow each other), ``"teaser"`` (a paragraph repeated above the article),
    ``"embedded"`` (one copy sits in the page's script data or markup: a JSON string, HTML
    inside one), ``"long"`` (a long copy, letter for letter, elsewhere: a page captured twice),
    ``"quote"`` (a reply's quote of a post under its label: ``long_chars`` letters or more, or
    any with ``quotes="remove"``) or
    ``"distant"`` (repeated elsewhere in the text, which repair leaves alone).

    ``removes`` says what :func:`dedup.repair` does with the pair on this text: ``"first"`` or
    ``"second"``, the copy it removes (whole, or but for what only that copy has and cannot be
    moved), the other staying; ``"both"`` where it removes both, another copy staying (an
    article four times: the copies after the one it keeps); ``None`` where it leaves both. A
    copy goes when repair's first pass removes it as a copy of the other, or when the repaired
    text has lost half its letters or more (a later pass, or a larger copy that held it, took
    them): so a ``distant`` pair, which repair leaves as a pair, says ``"second"`` where its
    second copy went with a larger one. Repair leaves a short ``teaser`` (shorter than
    ``min_chars``, or the page's lead) unless it removes another copy from the page, and a
    page's own repetition.
    """

    first: Span
    second: Span
    score: float
    kind: str
    removes: Removes | None = None


def check_text(text: object, *, name: str = "text") -> str:
    """Return ``text`` if it is a ``str``, else raise :class:`InputError` saying what to do."""
    if isinstance(text, str):
        return text
    if isinstance(text, (bytes, bytearray, memoryview)):
        raise InputError(
            f"{name} is bytes, not str: decode it first, e.g. "
            f"data.decode('utf-8', errors='replace')"
        )
    if text is None:
        raise InputError(f"{name} is None: pass a str (an empty string is fine)")
    raise InputError(f"{name} must be a str, not {type(text).__name__}")


def check_texts(texts: object, *, hint: str) -> None:
    """Raise :class:`InputError` when ``texts``, which should hold many texts, is one ``str``
    (or ``bytes``): iterated, it would be its characters, each cleaned or clustered as a text.
    ``hint`` says what to do instead.

    >>> check_texts("A page.", hint="pass a list ([text])")
    Traceback (most recent call last):
    dedup.model.InputError: texts is one str, not a collection of texts: pass a list ([text])
    """
    if isinstance(texts, (str, bytes, bytearray)):
        kind = "str" if isinstance(texts, str) else "bytes"
        raise InputError(f"texts is one {kind}, not a collection of texts", hint=hint)


def check_bool(name: str, value: object) -> None:
    """Raise :class:`ConfigError` unless option ``name`` is ``True`` or ``False`` (a string such
    as ``"yes"`` or ``"false"`` would read as true).

    >>> check_bool("explain", "yes")
    Traceback (most recent call last):
    dedup.model.ConfigError: option explain must be True or False, not str
    """
    if not isinstance(value, bool):
        raise ConfigError(
            f"option {name} must be True or False, not {type(value).__name__}", option=name
        )


def check_int(name: str, value: object, low: int, high: int | None = None) -> None:
    """Raise :class:`ConfigError` unless option ``name`` is an int in ``[low, high]`` (no
    upper bound when ``high`` is ``None``); the message names the option and the range."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"option {name} must be an int, not {type(value).__name__}", option=name)
    if value < low or (high is not None and value > high):
        upper = "" if high is None else f" and at most {high}"
        raise ConfigError(
            f"option {name}={value} is out of range: use at least {low}{upper}", option=name
        )


def check_float(name: str, value: object, low: float, high: float) -> None:
    """Raise :class:`ConfigError` unless option ``name`` is a number in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(
            f"option {name} must be a number, not {type(value).__name__}", option=name
        )
    if not low <= value <= high:
        raise ConfigError(
            f"option {name}={value} is out of range: use {low} to {high}", option=name
        )


Quotes = Literal["keep", "remove"]
# The values of ``RepairOptions.quotes``.
QUOTES: tuple[Quotes, ...] = ("keep", "remove")


@dataclass(frozen=True, slots=True, kw_only=True)
class RepairOptions:
    """Options of :func:`dedup.find_duplicates` and :func:`dedup.repair`.

    - ``min_chars``: a duplicate copy shorter than this (in letters and digits) is natural
      repetition unless it is captured twice in a row or is a teaser of a doubled page.
    - ``min_share``: a flattened copy, or copies with text between them, must together cover
      at least this share of the text's letters: a doubled body is most of its page, while
      natural repetition (a listing's summary and its details) is a small part.
    - ``min_similarity``: copies whose aligned share is lower are not duplicates.
    - ``max_gap_ratio``: copies count as adjacent when the text between them is at most this
      share of the copy (a heading between a teaser and its paragraph, say).
    - ``long_chars``: a copy at least this long (in letters and digits) that aligns almost
      letter for letter with its twin (``long_similarity``) is a duplicate wherever it sits: a
      page captured twice, a body three or four times. Shorter exact repetition far apart (a
      pull quote, a testimonial, an entry two lists share) is natural and stays.
    - ``long_similarity``: the aligned share such a long copy needs.
    - ``anchor_chars``: how many normalised characters each anchor hashes.
    - ``max_doc_chars``: longer documents are returned unchanged (a documented fallback that
      bounds time and memory); ``0`` means no limit.
    - ``quotes``: what becomes of a reply's quote of a post, the later copy under a label
      ending in a colon (``Alice said:``), ``min_chars`` letters or more: ``"keep"`` (it is
      natural repetition, as forum pages' main contents keep it, unless it is ``long_chars``
      letters or more: a long post quoted whole goes, as main contents drop it) or
      ``"remove"`` (it goes as a ``reply-quote``, the post and the label staying: each post's
      text once).
    """

    min_chars: int = 80
    min_share: float = 0.15
    min_similarity: float = 0.8
    max_gap_ratio: float = 0.25
    long_chars: int = 500
    long_similarity: float = 0.95
    anchor_chars: int = 24
    max_doc_chars: int = 50_000_000
    quotes: Quotes = "keep"

    def __post_init__(self) -> None:
        check_int("min_chars", self.min_chars, 1)
        check_float("min_share", self.min_share, 0.0, 1.0)
        check_float("min_similarity", self.min_similarity, 0.0, 1.0)
        check_float("max_gap_ratio", self.max_gap_ratio, 0.0, 10.0)
        check_int("long_chars", self.long_chars, 1)
        check_float("long_similarity", self.long_similarity, 0.0, 1.0)
        check_int("anchor_chars", self.anchor_chars, 4, 256)
        check_int("max_doc_chars", self.max_doc_chars, 0)
        if self.quotes not in QUOTES:
            raise ConfigError(
                f"option quotes={self.quotes!r} is not valid: use one of {', '.join(QUOTES)}",
                option="quotes",
            )

    def over_cap(self, chars: int) -> bool:
        """Whether a document of ``chars`` characters is past ``max_doc_chars`` (0: no cap), so
        that it is not searched for copies.

        >>> RepairOptions(max_doc_chars=10).over_cap(11)
        True
        >>> RepairOptions(max_doc_chars=0).over_cap(11)
        False
        """
        return bool(self.max_doc_chars) and chars > self.max_doc_chars


T = TypeVar("T")


@functools.cache
def _defaults(cls: Any) -> Any:
    """One instance of an options class with its defaults: it is frozen, so all calls share it
    rather than build and check it again."""
    return cls()


def with_overrides(options: T | None, default: type[T], overrides: dict[str, Any]) -> T:
    """Options from ``options`` (or the defaults) with keyword ``overrides`` applied.

    Unknown keywords raise :class:`ConfigError` naming them and listing the valid ones.
    """
    base: T = _defaults(default) if options is None else options  # type: ignore[arg-type]
    if not isinstance(base, default):
        raise ConfigError(f"options must be {default.__name__}, not {type(base).__name__}")
    if not overrides:
        return base
    names = {f.name for f in dataclasses.fields(base)}  # type: ignore[arg-type]
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise ConfigError(
            f"unknown option {', '.join(unknown)} for {default.__name__}: "
            f"valid options are {', '.join(sorted(names))}"
        )
    return dataclasses.replace(base, **overrides)  # type: ignore[type-var]
