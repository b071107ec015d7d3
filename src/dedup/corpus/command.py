"""``dedup corpus``: keep one record of each cluster of duplicates, or mark the clusters.

The deciding is a pure function, :func:`decide`, over the texts (and URLs and ids) of the
records. :func:`run_corpus` is what the ``dedup corpus`` command of :mod:`dedup.cli` runs: it
reads the records with :mod:`dedup.io` and the input options shared by every command, calls
:func:`decide`, and writes the records it keeps (``--mark``: all of them, with a ``cluster``
field).

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
from typing import TYPE_CHECKING, Any

import click

from dedup.corpus.api import CorpusOptions, find_near_duplicates
from dedup.corpus.boilerplate import Boilerplate, BoilerplateOptions, site_of
from dedup.corpus.cluster import groups
from dedup.corpus.index import Index
from dedup.io import Format, OutputError, Record, Source, discover, open_writer
from dedup.model import ConfigError, InputError

if TYPE_CHECKING:  # pragma: no cover - dedup.cli imports this module
    from dedup.cli import InputOptions, Stats

__all__ = ["Plan", "decide", "remember", "run_corpus"]

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


def run_corpus(
    paths: Sequence[str],
    output: str,
    *,
    inputs: InputOptions,
    fmt: Format | None = None,
    options: CorpusOptions | None = None,
    index_path: str | None = None,
    boilerplate: bool = False,
    mark: bool = False,
    dropped: str | None = None,
    url_field: str = "url",
    force: bool = False,
    quiet: bool = False,
) -> None:
    """``dedup corpus`` (see :func:`dedup.cli.corpus_command`): read the records of ``paths``
    with the shared input options, decide, and write ``output`` (and ``dropped``)."""
    started = time.perf_counter()
    options = options or CorpusOptions()
    if mark and dropped is not None:
        raise ConfigError("--mark writes every record: drop --dropped")
    if output == "-" and dropped == "-":
        raise ConfigError("the output goes to stdout: give --dropped a file path")
    if inputs.rejects == "-":
        raise ConfigError("--rejects needs a file path: '-' (stdout) carries the output")
    for target in (output, dropped):
        if target not in (None, "-") and Path(target).exists() and not force:
            raise OutputError(f"{target} exists: pass --force to replace it")
    exclude = Path(output) if output != "-" else None
    sources = discover(paths, glob=inputs.glob, input_format=inputs.input_format, exclude=exclude)
    if not sources:
        raise InputError("no input files found: check the paths and --glob")
    with contextlib.ExitStack() as outer:
        index = outer.enter_context(Index(index_path, options)) if index_path else None
        records, plan, stats = _write(
            sources,
            inputs,
            output,
            fmt,
            dropped,
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
    _summary(records, plan, stats, index_path, boilerplate, started, quiet)


def _write(
    sources: Sequence[Source],
    inputs: InputOptions,
    output: str,
    fmt: Format | None,
    dropped: str | None,
    url_field: str,
    mark: bool,
    boilerplate: bool,
    force: bool,
    quiet: bool,
    options: CorpusOptions,
    index: Index | None,
) -> tuple[list[Record], Plan, Stats]:
    """Read the records, decide, and write the outputs (atomically, when the stack closes)."""
    from dedup.cli import Run

    field = inputs.field
    with contextlib.ExitStack() as stack:
        run = Run(inputs, list(sources), stack, quiet=quiet, force=force)
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
            open_writer(
                output, fmt or ("jsonl" if output == "-" else None), field=field, force=force
            )
        )
        side = (
            stack.enter_context(
                open_writer(
                    dropped, fmt or ("jsonl" if dropped == "-" else None), field=field, force=force
                )
            )
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
    return records, plan, run.stats


def _summary(
    records: list[Record],
    plan: Plan,
    stats: Stats,
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
            + f"), {clusters:,} clusters, {stats.skipped:,} skipped"
            + (f" ({stats.replaced:,} with invalid UTF-8 replaced)" if stats.replaced else ""),
        ]
        if boilerplate:
            lines.append(f"boilerplate: {sum(plan.boilerplate):,} lines removed")
        lines.append(f"{len(records) / elapsed:,.0f} documents/s")
        for line in lines:
            click.echo(line, err=True)
