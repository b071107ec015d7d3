"""``dedup corpus``: keep one record of each cluster of duplicates, or mark the clusters.

The deciding is a pure function, :func:`decide`, over the texts (and URLs and ids) of the
records; the command reads records with :mod:`dedup.io`, calls it, and writes the records it
keeps (``--mark``: all of them, with a ``cluster`` field).

>>> article = " ".join(f"word{i}" for i in range(100))
>>> plan = decide([article, "Menu " + article, "something else entirely"], ids=["a", "b", "c"])
>>> plan.kept, plan.cluster
((True, False, True), ('a', 'a', 'c'))
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from dedup.corpus.api import CorpusOptions, find_near_duplicates
from dedup.corpus.boilerplate import Boilerplate, BoilerplateOptions, site_of
from dedup.corpus.cluster import KEEP_POLICIES, groups
from dedup.corpus.index import Index
from dedup.model import ConfigError, InputError

__all__ = ["Plan", "corpus_command", "decide"]

_INDEX_BATCH = 20_000


@dataclass(frozen=True, slots=True)
class Plan:
    """What :func:`decide` decided, one entry per record.

    - ``texts``: the text to write (boilerplate removed when asked).
    - ``kept``: whether the record is the one its cluster keeps.
    - ``cluster``: the id of the record its cluster keeps (or of the indexed document it
      duplicates): equal for the records of one cluster.
    - ``boilerplate``: how many lines were removed as site boilerplate.
    - ``seen_before``: records whose cluster was already in the index.
    """

    texts: tuple[str, ...]
    kept: tuple[bool, ...]
    cluster: tuple[str, ...]
    boilerplate: tuple[int, ...]
    seen_before: int
    exact_duplicates: int


def decide(
    texts: Sequence[str],
    options: CorpusOptions | None = None,
    *,
    ids: Sequence[str] | None = None,
    urls: Sequence[object] | None = None,
    boilerplate: BoilerplateOptions | None = None,
    index: Index | None = None,
) -> Plan:
    """Cluster ``texts`` and decide which record of each cluster to keep.

    With ``boilerplate``, site boilerplate (sites from ``urls``) is removed first. With an
    ``index``, a cluster with a member that duplicates a document indexed before this call
    keeps nothing (the earlier copy was kept then). The index is only read: :func:`remember`
    adds the records once the outputs that hold them are written.
    """
    opts = options or CorpusOptions()
    names = list(ids) if ids is not None else [str(i) for i in range(len(texts))]
    if len(names) != len(texts):
        raise InputError(f"{len(names)} ids for {len(texts)} texts")
    cleaned = list(texts)
    removed = [0] * len(texts)
    if boilerplate is not None:
        sites = [site_of(u) for u in (urls if urls is not None else [None] * len(texts))]
        model = Boilerplate.learn(zip(sites, cleaned, strict=True), boilerplate)
        for i, site in enumerate(sites):
            result = model.remove(cleaned[i], site)
            cleaned[i] = result.text
            removed[i] = len(result.edits)
    clusters = find_near_duplicates(cleaned, opts)
    kept = [False] * len(texts)
    cluster = [""] * len(texts)
    earlier: dict[int, str] = {}
    if index is not None:
        run_ids = set(names)
        for start in range(0, len(texts), _INDEX_BATCH):
            stop = min(start + _INDEX_BATCH, len(texts))
            found = index.query_many(cleaned[start:stop])
            for offset, matches in enumerate(found):
                before = [
                    m.id for m in matches if m.id not in run_ids or m.id == names[start + offset]
                ]
                if before:
                    label = clusters.labels[start + offset]
                    earlier.setdefault(label, before[0])
    seen_before = 0
    for members, keeper in zip(groups(_labels(clusters.labels)), clusters.kept, strict=True):
        label = clusters.labels[members[0]]
        if label in earlier:
            seen_before += len(members)
            for i in members:
                cluster[i] = earlier[label]
            continue
        kept[keeper] = True
        for i in members:
            cluster[i] = names[keeper]
    return Plan(
        tuple(cleaned),
        tuple(kept),
        tuple(cluster),
        tuple(removed),
        seen_before,
        clusters.exact_duplicates,
    )


def remember(index: Index, ids: Sequence[str], texts: Sequence[str]) -> None:
    """Add the records to ``index``, in batches of one transaction each."""
    for start in range(0, len(texts), _INDEX_BATCH):
        stop = min(start + _INDEX_BATCH, len(texts))
        index.add_many(zip(ids[start:stop], texts[start:stop], strict=True))


def _labels(labels: tuple[int, ...]) -> Any:
    import numpy as np

    return np.asarray(labels, dtype=np.int64)


@click.command(name="corpus")
@click.argument("paths", nargs=-1, required=True, metavar="IN...")
@click.option("-o", "--output", required=True, metavar="OUT", help="Output file ('-': stdout).")
@click.option(
    "--threshold",
    type=float,
    default=CorpusOptions().threshold,
    show_default=True,
    metavar="T",
    help="Share of the smaller document's shingles that must lie in the larger (0..1).",
)
@click.option(
    "--keep",
    type=click.Choice(KEEP_POLICIES),
    default="first",
    show_default=True,
    help="The record each cluster keeps: the first seen, the longest, or the best formed.",
)
@click.option(
    "--index",
    "index_path",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="PATH",
    help="SQLite index of earlier runs: what it has seen is dropped, and this run is added.",
)
@click.option(
    "--boilerplate",
    is_flag=True,
    help="First remove lines repeated across many pages of one site (site from --url-field).",
)
@click.option(
    "--mark",
    is_flag=True,
    help="Write every record with a 'cluster' field (equal within a cluster); drop nothing.",
)
@click.option(
    "--dropped",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="PATH",
    help="Write the records that are not kept here, each with a 'duplicate_of' field.",
)
@click.option("--field", default="text", show_default=True, metavar="NAME", help="Text field.")
@click.option(
    "--id-field", default="id", show_default=True, metavar="NAME", help="Id field (else FILE:LINE)."
)
@click.option("--url-field", default="url", show_default=True, metavar="NAME", help="URL field.")
@click.option("--force", is_flag=True, help="Replace outputs that exist.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
def corpus_command(**kwargs: Any) -> None:
    """Remove duplicate documents across a corpus: exact and near-duplicates.

    Reads every record of IN... (JSONL, JSONL.gz/.zst, Parquet, text files, '-' for stdin),
    clusters them, and writes to OUT the record each cluster keeps, in input order (the others
    go to --dropped). Two records are duplicates when they have the same words, or when the
    smaller one's 5-word shingles lie inside the larger at least --threshold (the same article
    alone and inside the whole page around it).

    \b
    Example:
      dedup corpus crawl.jsonl -o unique.jsonl --dropped dups.jsonl
      dedup corpus day2.jsonl.zst -o new.jsonl --index seen.db --keep best
      dedup corpus pages.parquet -o marked.parquet --mark --boilerplate
    """
    from dedup.cli import handle_errors

    handle_errors(_run)(**kwargs)


def _run(
    paths: tuple[str, ...],
    output: str,
    threshold: float,
    keep: str,
    index_path: str | None,
    boilerplate: bool,
    mark: bool,
    dropped: str | None,
    field: str,
    id_field: str,
    url_field: str,
    force: bool,
    quiet: bool,
) -> None:
    from dedup.cli import InputOptions
    from dedup.io import OutputError, discover

    started = time.perf_counter()
    options = CorpusOptions(threshold=threshold, keep=keep)  # type: ignore[arg-type]
    if mark and dropped is not None:
        raise ConfigError("--mark writes every record: drop --dropped")
    for target in (output, dropped):
        if target not in (None, "-") and Path(target).exists() and not force:
            raise OutputError(f"{target} exists: pass --force to replace it")
    exclude = Path(output) if output != "-" else None
    sources = discover(paths, exclude=exclude)
    if not sources:
        raise InputError("no input files found: check the paths")
    inputs = InputOptions(field=field, id_field=id_field)
    with contextlib.ExitStack() as outer:
        index = outer.enter_context(Index(index_path, options)) if index_path else None
        records, plan = _write(
            sources,
            inputs,
            output,
            dropped,
            field,
            url_field,
            mark,
            boilerplate,
            force,
            quiet,
            options,
            index,
        )
        if index is not None:
            # only now that the outputs are in place: a crash before this point leaves the
            # index as it was, and a rerun does the whole work again
            remember(index, [r.id for r in records], plan.texts)
    _summary(records, plan, index_path, boilerplate, started, quiet)


def _write(
    sources: Any,
    inputs: Any,
    output: str,
    dropped: str | None,
    field: str,
    url_field: str,
    mark: bool,
    boilerplate: bool,
    force: bool,
    quiet: bool,
    options: CorpusOptions,
    index: Index | None,
) -> tuple[list[Any], Plan]:
    """Read the records, decide, and write the outputs (atomically, when the stack closes)."""
    from dedup.cli import Run
    from dedup.io import open_writer

    with contextlib.ExitStack() as stack:
        run = Run(inputs, sources, stack, quiet=quiet, force=force)
        records = []
        for source in sources:
            reader = run.reader(source)
            for record in run.records(reader):
                records.append(record)
                run.advance(record)
        urls = [(r.fields or {}).get(url_field) for r in records]
        plan = decide(
            [r.text for r in records],
            options,
            ids=[r.id for r in records],
            urls=urls,
            boilerplate=BoilerplateOptions() if boilerplate else None,
            index=index,
        )
        writer = stack.enter_context(
            open_writer(output, "jsonl" if output == "-" else None, field=field, force=force)
        )
        side = (
            stack.enter_context(open_writer(dropped, field=field, force=force))
            if dropped is not None
            else None
        )
        for i, record in enumerate(records):
            base = dict(record.fields) if record.fields is not None else {"id": record.id}
            if mark:
                record.fields = {**base, "cluster": plan.cluster[i]}
                record.raw = None  # the fields changed: the line as read no longer applies
                writer.write(record, plan.texts[i])
            elif plan.kept[i]:
                writer.write(record, plan.texts[i])
            elif side is not None:
                record.fields = {**base, "duplicate_of": plan.cluster[i]}
                record.raw = None
                side.write(record, plan.texts[i])
    return records, plan


def _summary(
    records: list[Any],
    plan: Plan,
    index_path: str | None,
    boilerplate: bool,
    started: float,
    quiet: bool,
) -> None:
    if not quiet:
        kept = sum(plan.kept)
        elapsed = max(time.perf_counter() - started, 1e-9)
        clusters = len(set(plan.cluster))
        lines = [
            f"dedup corpus: {len(records):,} documents read, {kept:,} kept, "
            f"{len(records) - kept:,} duplicates ({plan.exact_duplicates:,} exact"
            + (f", {plan.seen_before:,} seen in {index_path}" if index_path else "")
            + f"), {clusters:,} clusters",
        ]
        if boilerplate:
            lines.append(f"boilerplate: {sum(plan.boilerplate):,} lines removed")
        lines.append(f"{len(records) / elapsed:,.0f} documents/s")
        for line in lines:
            click.echo(line, err=True)
