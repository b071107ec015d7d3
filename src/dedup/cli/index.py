"""``dedup index``: look inside the index ``dedup corpus --index`` keeps, and forget a run.

Built on the index's public methods (:meth:`~dedup.corpus.index.Index.stats`, ``entry``,
``entries``, ``forget``); ``stats`` and ``show`` open it read-only, so they run beside a writer.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dedup.cli.session import INDEX_EXIT_CODES, handle_errors
from dedup.cli.summary import human_size, plural
from dedup.corpus.defaults import THRESHOLD
from dedup.model import ConfigError, InputError

if TYPE_CHECKING:
    from dedup.corpus.index import Entry, Index

__all__ = ["index_group", "parse_time", "when"]


def when(seconds: float | None) -> str:
    """A time of the index (seconds since the epoch) as UTC: ``2026-12-01 10:45:00 UTC``.

    >>> when(0.0)
    '1970-01-01 00:00:00 UTC'
    """
    if seconds is None:
        return "-"
    moment = datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def parse_time(value: str) -> float:
    """``--since``: an ISO date or time (UTC unless it says otherwise), or seconds since the
    epoch.

    >>> parse_time("1970-01-02"), parse_time("86400"), parse_time("1970-01-01T01:00:00+01:00")
    (86400.0, 86400.0, 0.0)
    """
    try:
        return float(value)
    except ValueError:
        pass
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"--since {value!r} is not a time",
            hint="give an ISO date or time such as 2026-12-01 or 2026-12-01T10:45, in UTC "
            "unless it names its offset, or seconds since the epoch",
            option="since",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


def _open(path: str, threshold: float, *, readonly: bool) -> Index:
    """The index at ``path`` (the corpus stages, and NumPy, load here, not for ``--help``)."""
    from dedup.corpus.cluster import CorpusOptions
    from dedup.corpus.index import Index

    if not Path(path).exists():
        raise InputError(
            f"{path}: no such index",
            hint="give the path dedup corpus --index wrote",
            path=path,
        )
    return Index(path, CorpusOptions(threshold=threshold), readonly=readonly)


def _entry_dict(entry: Entry) -> dict[str, Any]:
    return {"id": entry.id, "first_seen": when(entry.first_seen), "shingles": entry.shingles}


threshold_option = click.option(
    "--threshold",
    type=float,
    default=THRESHOLD,
    show_default=True,
    metavar="T",
    help="The threshold to open the index with (the index keeps none: any is accepted).",
)


@click.group(name="index", epilog=INDEX_EXIT_CODES)
def index_group() -> None:
    """Look inside an index of earlier runs (dedup corpus --index), or forget a run.

    \b
    Example:
      dedup index stats seen.db
      dedup index show seen.db doc-17 doc-18
      dedup index forget seen.db --since 2026-12-01T10:00 --dry-run
    """


@index_group.command(name="stats", epilog=INDEX_EXIT_CODES)
@click.argument("path", metavar="INDEX")
@threshold_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@handle_errors
def stats_command(path: str, threshold: float, as_json: bool) -> None:
    """How many documents the index holds, when they were added, and its options."""
    with _open(path, threshold, readonly=True) as index:
        stats = index.stats()
    size = sum(p.stat().st_size for p in Path(path).parent.glob(Path(path).name + "*"))
    if as_json:
        fields = {
            "path": path,
            "documents": stats.documents,
            "first_seen": when(stats.first_seen),
            "last_seen": when(stats.last_seen),
            "threshold": stats.threshold,
            "bands": stats.bands,
            "rows": stats.rows,
            "format": stats.format,
            "bytes": size,
        }
        click.echo(json.dumps(fields))
        return
    click.echo(f"{path}: {plural(stats.documents, 'document')}, {human_size(size)} on disk")
    if stats.documents:
        click.echo(f"added from {when(stats.first_seen)} to {when(stats.last_seen)}")
    click.echo(
        f"threshold {stats.threshold}, {plural(stats.bands, 'band')} of "
        f"{plural(stats.rows, 'row')}, format {stats.format}"
    )


@index_group.command(name="show", epilog=INDEX_EXIT_CODES)
@click.argument("path", metavar="INDEX")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@threshold_option
@handle_errors
def show_command(path: str, ids: tuple[str, ...], threshold: float) -> None:
    """One JSON line for each document ID: when it was added, and its number of shingles."""
    missing = []
    with _open(path, threshold, readonly=True) as index:
        for doc_id in ids:
            entry = index.entry(doc_id)
            if entry is None:
                missing.append(doc_id)
            else:
                click.echo(json.dumps(_entry_dict(entry), ensure_ascii=False))
    if missing:
        raise InputError(
            f"{path}: no document {', '.join(repr(m) for m in missing)}",
            hint="the ids are those of the records dedup corpus read (--id-field)",
            path=path,
        )


@index_group.command(name="forget", epilog=INDEX_EXIT_CODES)
@click.argument("path", metavar="INDEX")
@click.argument("ids", nargs=-1, metavar="[ID...]")
@click.option(
    "--since",
    default=None,
    metavar="TIME",
    help="Forget the documents added at or after TIME (ISO, UTC; or epoch seconds).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be forgotten; change nothing.")
@threshold_option
@handle_errors
def forget_command(
    path: str, ids: tuple[str, ...], since: str | None, dry_run: bool, threshold: float
) -> None:
    """Remove documents from the index: those added since a time (a run to do again), or the
    IDs given. Later runs no longer see them as duplicates.

    \b
    Example:
      dedup index forget seen.db --since 2026-12-01T10:00 --dry-run
      dedup index forget seen.db --since 2026-12-01T10:00
      dedup index forget seen.db doc-17 doc-18
    """
    if (since is None) == (not ids):
        raise click.UsageError("give --since TIME or the IDs to forget (one of them)")
    start = parse_time(since) if since is not None else None
    with _open(path, threshold, readonly=dry_run) as index:
        if start is not None:
            chosen = list(index.entries(since=start))
        else:
            chosen = [e for e in (index.entry(i) for i in ids) if e is not None]
        for entry in chosen[:10] if dry_run else []:
            click.echo(json.dumps(_entry_dict(entry), ensure_ascii=False))
        if dry_run:
            more = " (the first 10 above)" if len(chosen) > 10 else ""
            click.echo(
                f"would forget {plural(len(chosen), 'document')} of {len(index):,}{more}: "
                "run again without --dry-run to forget them",
                err=True,
            )
            return
        removed = index.forget(e.id for e in chosen)
        click.echo(f"forgot {plural(removed, 'document')}; {len(index):,} left in {path}", err=True)
