"""What the commands run on each document, in worker processes: module-level, so it pickles.

The commands look these functions up when they run, so a test may replace one (for instance
``monkeypatch.setattr(dedup.cli.stages, "clean_document", fake)``) to see how the command
handles what a stage returns or raises.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dedup.io import Encoded, Format, Line, LineParser, Record, Reject, encode, json_line
from dedup.model import Cleaned, DuplicatePair, Edit, RepairOptions

if TYPE_CHECKING:
    from dedup.normalize import NormalizeOptions

__all__ = [
    "CleanedRecord",
    "Cleaning",
    "changed",
    "clean_document",
    "find_in_document",
    "report_line",
    "warm_up",
]


def clean_document(
    text: str,
    repair_options: RepairOptions | None = None,
    normalize_options: NormalizeOptions | None = None,
) -> Cleaned:
    """``clean(text, explain=True)``: what ``dedup clean`` and ``dedup diff`` run on every
    document."""
    from dedup.pipeline import clean  # the repair stage: loaded where documents are cleaned

    return clean(
        text, explain=True, repair_options=repair_options, normalize_options=normalize_options
    )


def warm_up() -> None:
    """Load the repair stage and build what :func:`dedup.pipeline.clean` builds on its first
    call (:func:`dedup.pipeline.warm_up`): an engine's worker processes call it before they
    start. The stage loads here, not when a command is defined, so ``--help`` stays quick."""
    from dedup.pipeline import warm_up as build

    build()


def find_in_document(text: str, options: RepairOptions | None = None) -> list[DuplicatePair]:
    """``find_duplicates(text)``: what ``dedup find`` runs on every document."""
    from dedup.repair import find_duplicates

    return find_duplicates(text, options)


def changed(before: str, after: str, edits: tuple[Edit, ...]) -> bool:
    """Whether a document counts as changed: its text differs, or an edit was made (a removal
    and a move can leave the same text)."""
    return after != before or bool(edits)


def report_line(record: Record, result: Cleaned | None) -> dict[str, Any]:
    """The ``--report`` line of one document: its id, where it is, and every stage's edits
    (``result`` ``None``: a record without text, passed through)."""
    if result is None:
        return {"id": record.id, "source": record.location, "changed": False, "edits": []}
    return {
        "id": record.id,
        "source": record.location,
        "changed": result.text != record.text,
        "edits": [
            {"stage": stage.name, **edit.to_dict()}
            for stage in result.stages
            for edit in stage.edits
        ],
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanedRecord:
    """One document ``dedup clean`` has cleaned, as it comes back from a worker.

    The record keeps where it came from but not its text, fields or raw line: its output
    (:func:`dedup.io.encode`) and its report line are made in the worker, so that the calling
    process only writes them.
    """

    record: Record
    chars_in: int
    chars_out: int
    changed: bool
    actions: tuple[str, ...]
    output: Encoded
    report: bytes | None
    html: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Cleaning:
    """What ``dedup clean`` does to one item of a source, in a worker: parse it (a JSONL
    :class:`~dedup.io.Line`, with the source's ``parser``), clean it, and make its output in
    ``fmt`` and, with ``report``, its report line. A line that does not parse comes back as its
    :class:`~dedup.io.Reject`."""

    parser: LineParser
    fmt: Format
    report: bool = False
    repair_options: RepairOptions | None = None
    normalize_options: NormalizeOptions | None = None

    def __call__(self, item: Record | Line | Reject) -> CleanedRecord | Reject:
        # (an item set aside as it was read comes back as it is, to be handled at its place)
        record = self.parser(item) if isinstance(item, Line) else item
        if isinstance(record, Reject):
            return record
        if record.no_text:  # nothing to clean: written back as it was read
            return CleanedRecord(
                record=dataclasses.replace(record, text="", fields=None, raw=None),
                chars_in=0,
                chars_out=0,
                changed=False,
                actions=(),
                output=encode(record, "", self.fmt, self.parser.field),
                report=json_line(report_line(record, None)) if self.report else None,
            )
        result = clean_document(record.text, self.repair_options, self.normalize_options)
        return CleanedRecord(
            record=dataclasses.replace(record, text="", fields=None, raw=None),
            chars_in=len(record.text),
            chars_out=len(result.text),
            changed=changed(record.text, result.text, result.edits),
            actions=tuple(edit.action for edit in result.edits),
            output=encode(record, result.text, self.fmt, self.parser.field),
            report=json_line(report_line(record, result)) if self.report else None,
            html=looks_like_html(record.text),
        )


def item_size(item: Record | Line | Reject) -> int:
    """The size of an item for the engine's chunks: a line's bytes, a record's characters, what
    was read of an item set aside."""
    if isinstance(item, Line):
        return len(item.data)
    return len(item.raw) if isinstance(item, Reject) else len(item.text)


_HTML_START = ("<!doctype html", "<html")
_HTML_OPEN = re.compile(r"<(html|body)[\s>]", re.I)
_HTML_CLOSE = {"html": re.compile(r"</html\s*>", re.I), "body": re.compile(r"</body\s*>", re.I)}


def looks_like_html(text: str) -> bool:
    """Whether ``text`` is an HTML page rather than text: it starts with a doctype or an
    ``<html>`` tag, or holds a whole ``<html>`` or ``<body>`` element. dedup edits text; markup
    is edited as text (and its text is not what a reader sees). Text that only carries tags,
    as code samples and extractor outputs with script data do, is text.

    >>> looks_like_html("<!DOCTYPE html><html><body><p>Hi</p></body></html>")
    True
    >>> looks_like_html("Menu\\n<body class=main>\\n<p>The article.</p>\\n</body>")
    True
    >>> looks_like_html("Use <b> for bold, and a < b when comparing.")
    False
    >>> looks_like_html("Render it: <div><h1>Title</h1><MyButton /></div>" * 20)
    False
    """
    head = text[:1024].lstrip().lower()
    if head.startswith(_HTML_START):
        return True
    found = _HTML_OPEN.search(text)
    return found is not None and bool(_HTML_CLOSE[found[1].lower()].search(text, found.end()))
