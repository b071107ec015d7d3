"""How the commands show what they found: tables of duplicate spans, diffs of edits.

>>> import click
>>> copy = Edit(start=2, end=5, action="remove", reason="copy", score=1.0, kept=None)
>>> click.unstyle(render_edits("ab ab", (copy,), context=-1))
'ab[- ab-]«remove: copy, score 1.00»'
"""

from __future__ import annotations

import sys
from typing import Any

import click

from dedup.io import Record
from dedup.model import Cleaned, DuplicatePair, Edit, apply_edits

__all__ = [
    "excerpt",
    "pair_dict",
    "print_diff",
    "print_pairs",
    "printable",
    "render_edits",
    "repair_does",
    "title",
]


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


_CONTROLS = {
    code: _escape(chr(code))
    for code in [*range(0x20), *range(0x7F, 0xA0)]
    if chr(code) not in "\n\t"
}


def printable(text: str) -> str:
    """``text`` as it may be shown on a terminal: control characters (but line breaks and
    tabs) and lone surrogates written as escapes, so that an ESC or OSC sequence in a page
    is shown, not run (``\\x1b]0;TITLE\\x07`` would retitle the window).

    >>> printable("a\\x1b[2Jb\\ud800\\n")
    'a\\\\x1b[2Jb\\\\ud800\\n'
    """
    out = text.translate(_CONTROLS)
    if out.isascii():
        return out
    try:
        out.encode("utf-8")
    except UnicodeEncodeError:
        return "".join(_escape(c) if "\ud800" <= c <= "\udfff" else c for c in out)
    return out


def pair_dict(record: Record, pair: DuplicatePair) -> dict[str, Any]:
    return {
        "id": record.id,
        "source": record.location,
        "first": [pair.first.start, pair.first.end],
        "second": [pair.second.start, pair.second.end],
        "score": round(pair.score, 4),
        "kind": pair.kind,
        "removes": pair.removes,
    }


def repair_does(pair: DuplicatePair) -> str:
    """What repair does with ``pair``, in a word or two: ``removes first``, ``removes second``,
    ``removes both`` or ``leaves``."""
    return "leaves" if pair.removes is None else f"removes {pair.removes}"


def title(record: Record) -> str:
    """A record's id, with its location when that says more (JSONL and Parquet), printable."""
    plain = record.fields is None or record.id == record.location
    return printable(record.id if plain else f"{record.id} ({record.location})")


def excerpt(text: str, width: int = 48) -> str:
    flat = printable(" ".join(text.split()))
    return flat if len(flat) <= width else flat[: width - 1] + "\N{HORIZONTAL ELLIPSIS}"


def print_pairs(record: Record, pairs: list[DuplicatePair]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title(record)), title_justify="left")
    for name, justify in (
        ("first", "right"),
        ("second", "right"),
        ("chars", "right"),
        ("score", "right"),
        ("kind", "left"),
        ("repair", "left"),
        ("second copy begins", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for pair in pairs:
        table.add_row(
            f"{pair.first.start}-{pair.first.end}",
            f"{pair.second.start}-{pair.second.end}",
            f"{len(pair.second):,}",
            f"{pair.score:.3f}",
            pair.kind,
            repair_does(pair),
            escape(excerpt(record.text[pair.second.start : pair.second.end])),
        )
    stdout = sys.stdout
    Console(file=stdout, width=None if stdout.isatty() else 120).print(table)


_STYLE: dict[str, dict[str, Any]] = {
    "remove": {"fg": "red", "strikethrough": True},
    "move": {"fg": "green"},
    "fix": {"fg": "yellow"},
    "split": {"fg": "cyan"},
}
_VISIBLE = str.maketrans(
    {
        "\n": "\N{DOWNWARDS ARROW WITH CORNER LEFTWARDS}\n",
        " ": "\N{MIDDLE DOT}",
        "\t": "\N{RIGHTWARDS ARROW}",
        "\u00a0": "\N{OPEN BOX}",
    }
)


def _visible(text: str) -> str:
    """White space made visible when a change is only white space."""
    return text.translate(_VISIBLE) if text and not text.strip() else text


def _to_word_end(text: str, at: int) -> str:
    """``text[:at]``, extended to the end of the word it cuts (within what ``text`` holds)."""
    for end in range(at, len(text)):
        if text[end].isspace():
            return text[:end]
    return text[:at]


def _to_word_start(text: str, at: int) -> str:
    """``text[at:]``, started at the next word if ``at`` cuts one (within what ``text`` holds)."""
    for start in range(at, 0, -1):
        if text[start - 1].isspace():
            return text[start:]
    return text[at:]


def _paint(text: str, style: dict[str, Any]) -> str:
    return click.style(text, **style) if style and text else text


def _shorten(
    text: str,
    context: int,
    *,
    head: bool = True,
    tail: bool = True,
    style: dict[str, Any] | None = None,
) -> str:
    """``text`` with its middle elided when longer than ``2 * context`` (``context < 0``: never),
    in ``style``; the elision marker is dim, and the text after it has ``style`` again."""
    style = style or {}
    if context < 0 or len(text) <= 2 * context + 40:
        return _paint(text, style)
    keep_head = _to_word_end(text[: context + 20], context) if head else ""
    keep_tail = _to_word_start(text[len(text) - context - 20 :], 20) if tail else ""
    hidden = len(text) - len(keep_head) - len(keep_tail)
    marker = click.style(
        f"[\N{HORIZONTAL ELLIPSIS} {hidden:,} characters \N{HORIZONTAL ELLIPSIS}]", dim=True
    )
    return f"{_paint(keep_head, style)}{marker}{_paint(keep_tail, style)}"


def render_edits(text: str, edits: tuple[Edit, ...], *, context: int = 200) -> str:
    """``text`` with ``edits`` marked: ``[-removed-]`` and ``{+inserted+}``, styled by action
    (remove red, move green, fix yellow, split cyan), each removal and move followed by its
    reason. Unchanged stretches longer than ``2 * context`` characters are elided
    (``context < 0`` shows everything). Styles are ANSI codes that ``click.echo`` strips when
    colour is off; the markers stay. Control characters are shown escaped (:func:`printable`).
    """
    out: list[str] = []
    pos = 0
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for index, edit in enumerate(ordered):
        before = printable(text[pos : edit.start])
        out.append(_shorten(before, context, head=index > 0))
        style = _STYLE.get(edit.action, {})
        removed = printable(text[edit.start : edit.end])
        if removed:
            body = _shorten(_visible(removed), context, style=style)
            out.append(f"{_paint('[-', style)}{body}{_paint('-]', style)}")
        if edit.replacement:
            body = _shorten(_visible(printable(edit.replacement)), context, style=style)
            out.append(f"{_paint('{+', style)}{body}{_paint('+}', style)}")
        if edit.action in ("remove", "move"):
            kept = "" if edit.kept is None else f", kept {edit.kept.start}-{edit.kept.end}"
            note = (
                f"\N{LEFT-POINTING DOUBLE ANGLE QUOTATION MARK}{edit.action}: {edit.reason}, "
                f"score {edit.score:.2f}{kept}\N{RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK}"
            )
            out.append(click.style(note, dim=True))
        pos = max(pos, edit.end)
    out.append(_shorten(printable(text[pos:]), context, tail=False))
    return "".join(out)


def print_diff(
    record: Record,
    result: Cleaned,
    context: int,
    color: bool | None,
    stages: tuple[str, ...] = (),
) -> None:
    """The diff of one document, stage by stage (``stages``: only those, when given)."""
    click.echo(click.style(f"=== {title(record)}", bold=True), color=color)
    shown = [s for s in result.stages if s.edits and (not stages or s.name in stages)]
    if not shown:
        where = f" in {', '.join(stages)}" if stages else ""
        click.echo(f"no changes{where}", color=color)
        return
    text = record.text
    for stage in result.stages:
        if stage in shown:
            count = len(stage.edits)
            header = f"--- {stage.name}: {count} edit{'s' if count != 1 else ''}"
            click.echo(click.style(header, bold=True), color=color)
            click.echo(render_edits(text, stage.edits, context=context), color=color)
        text = apply_edits(text, stage.edits)
