"""Ray Data entry points: the same stages as the local engine, on a cluster (``dedup-text[ray]``).

:func:`clean_dataset` runs :func:`dedup.clean` on every row with ``map_batches``.
:func:`near_duplicates` clusters the rows as :func:`dedup.corpus.find_near_duplicates` does,
with the corpus package's own functions (shingles, signatures, band keys, candidate pairs,
verification, keep policy), but every step that needs all rows at once is a group-by:

1. signatures of every row (``map_batches``);
2. exact duplicates: rows grouped by exact hash, each joined to the first of its group;
3. band keys of the first copies, grouped: rows sharing a key are candidate pairs
   (:func:`dedup.corpus.lsh.candidate_pairs` inside each group);
4. each pair joined to both documents' signatures and shingles, and verified;
5. connected components of the verified pairs by alternating large-star and small-star passes
   (Kiveris et al., "Connected Components in MapReduce and Beyond", 2014), each pass one
   group-by, until a round changes nothing (about ``log n`` rounds;
   :mod:`dedup.ray.components`);
6. the keep policy inside each cluster.

Group-bys are on a coarse partition key (a hash of the real key modulo ``partitions``) and each
group is handled with NumPy, so the number of Python calls grows with the partitions, not the
rows. Importing :mod:`dedup` never imports Ray; this module imports it when a function runs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from dedup.corpus.cluster import (
    CorpusOptions,
    choose_kept,
    documents,
    shingles_match,
    worth_verifying,
)
from dedup.corpus.lsh import band_keys, candidate_pairs
from dedup.corpus.signature import jaccard_rows
from dedup.extras import require
from dedup.io import Format, path_format
from dedup.model import ConfigError, RepairOptions, with_overrides
from dedup.normalize import NormalizeOptions
from dedup.pipeline import clean
from dedup.ray.components import (
    Batch,
    batches,
    by_part,
    connected_components,
    part,
    segments,
    tasks_only,
)
from dedup.ray.records import connect

if TYPE_CHECKING:  # pragma: no cover
    import ray.data

__all__ = [
    "Clustered",
    "clean_dataset",
    "connect",
    "connected_components",
    "near_duplicates",
    "read_dataset",
    "write_dataset",
]

POS = "_dedup_pos"


def _ray_data() -> Any:
    return require("ray.data", "ray", "the Ray engine")


# --------------------------------------------------------------------------------------------
# clean


def _clean_batch(
    batch: Any,
    *,
    column: str,
    keep_edits: bool,
    edits_column: str,
    normalize_options: NormalizeOptions | None,
    repair_options: RepairOptions | None,
) -> Any:
    import pyarrow as pa

    texts = batch.column(column).to_pylist()
    out: list[str | None] = []
    edits: list[str] = []
    for text in texts:
        if text is None:  # no text: left as it is
            out.append(None)
            if keep_edits:
                edits.append("[]")
            continue
        result = clean(
            text,
            explain=True,
            normalize_options=normalize_options,
            repair_options=repair_options,
        )
        out.append(result.text)
        if keep_edits:
            edits.append(
                json.dumps(
                    [
                        {"stage": stage.name, **edit.to_dict()}
                        for stage in result.stages
                        for edit in stage.edits
                    ],
                    ensure_ascii=False,
                )
            )
    table = batch.set_column(
        batch.schema.get_field_index(column), column, pa.array(out, pa.string())
    )
    if keep_edits:
        table = table.append_column(edits_column, pa.array(edits, pa.string()))
    return table


def clean_dataset(
    ds: ray.data.Dataset,
    *,
    column: str = "text",
    keep_edits: bool = False,
    edits_column: str = "edits",
    normalize_options: NormalizeOptions | None = None,
    repair_options: RepairOptions | None = None,
    batch_size: int = 64,
) -> ray.data.Dataset:
    """Every row of ``ds`` with its ``column`` replaced by :func:`dedup.clean` of it.

    With ``keep_edits``, ``edits_column`` holds the edits as a JSON list (the CLI report's
    ``edits``: each edit with its ``stage``). Other columns pass through untouched. Lazy: it
    runs when the dataset is consumed.
    """
    if batch_size < 1:
        raise ConfigError(f"batch_size={batch_size} is out of range: use at least 1")
    stage: Any = _clean_batch
    result: ray.data.Dataset = ds.map_batches(
        stage,
        batch_format="pyarrow",
        batch_size=batch_size,
        fn_kwargs={
            "column": column,
            "keep_edits": keep_edits,
            "edits_column": edits_column,
            "normalize_options": normalize_options,
            "repair_options": repair_options,
        },
    )
    return result


# --------------------------------------------------------------------------------------------
# near duplicates: the steps, each a pure function of a NumPy batch


def _sign(
    batch: Any, *, column: str, options: CorpusOptions, partitions: int, carry: bool
) -> Batch:
    texts = batch.column(column).to_pylist()
    docs = documents(texts, options)
    sigs = options.scheme.sign_many([d.shingles for d in docs])
    exact = [d.exact for d in docs]
    out: Batch = {
        POS: batch.column(POS).to_numpy().astype(np.int64),
        "exact": np.array(exact, dtype=object),
        "part": np.array([int(e[:15], 16) % partitions for e in exact], dtype=np.int64),
        "size": np.fromiter((len(d.shingles) for d in docs), dtype=np.int64, count=len(docs)),
        "sig": np.array([row.tobytes() for row in sigs], dtype=object),
        # shingles travel only when pairs are verified on them
        "sh": np.array(
            [d.shingles.tobytes() if options.verify == "exact" else b"" for d in docs],
            dtype=object,
        ),
    }
    if carry:
        out["text"] = np.array(texts, dtype=object)
    return out


def _exact_groups(group: Batch) -> Batch:
    """Each row with ``rep``: the first position among the rows of its exact hash."""
    order = np.lexsort((group[POS], group["exact"].astype(str)))
    exact = group["exact"][order]
    pos = group[POS][order]
    starts = np.flatnonzero(np.r_[True, exact[1:] != exact[:-1]])
    sizes = np.diff(np.r_[starts, len(exact)])
    rep = np.repeat(pos[starts], sizes)
    out = {k: v[order] for k, v in group.items() if k not in ("exact", "part")}
    out["rep"] = rep
    return out


def _band_rows(batch: Batch, *, bands: int, rows: int, partitions: int) -> Batch:
    active = batch["size"] > 0
    pos = batch[POS][active]
    sigs = np.frombuffer(b"".join(batch["sig"][active]), dtype=np.uint32).reshape(len(pos), -1)
    keys = band_keys(sigs, bands, rows).view(np.int64)
    flat = keys.reshape(-1)
    return {
        "key": flat,
        POS: np.repeat(pos, bands),
        "part": part(flat, partitions),
    }


def _bucket_pairs(group: Batch, *, max_bucket: int) -> Batch:
    """Candidate pairs of the band keys in one partition (the corpus' ``candidate_pairs``)."""
    keys = group["key"].view(np.uint64).reshape(-1, 1)
    cands = candidate_pairs(keys, max_bucket=max_bucket)
    a, b = group[POS][cands.left], group[POS][cands.right]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    pairs = np.unique(np.stack([lo[lo != hi], hi[lo != hi]], axis=1), axis=0).reshape(-1, 2)
    return {
        "a": pairs[:, 0],
        "b": pairs[:, 1],
        "skipped": np.full(len(pairs), cands.skipped_buckets, dtype=np.int64),
    }


def _payload_rows(batch: Batch, *, partitions: int) -> Batch:
    n = len(batch[POS])
    return {
        "part": part(batch[POS], partitions),
        "node": batch[POS],
        "other": np.full(n, -1, dtype=np.int64),
        "size": batch["size"],
        "sig": batch["sig"],
        "sh": batch["sh"],
    }


def _pair_rows(batch: Batch, *, partitions: int) -> Batch:
    n = len(batch["a"])
    return {
        "part": part(batch["a"], partitions),
        "node": batch["a"],
        "other": batch["b"],
        "size": np.full(n, -1, dtype=np.int64),
        "sig": np.full(n, b"", dtype=object),
        "sh": np.full(n, b"", dtype=object),
    }


def _split(group: Batch) -> tuple[Batch, Batch]:
    """The payload rows (``other == -1``, sorted by node) and the other rows of a group."""
    is_payload = group["other"] < 0
    payload = {k: v[is_payload] for k, v in group.items()}
    order = np.argsort(payload["node"], kind="stable")
    payload = {k: v[order] for k, v in payload.items()}
    rest = {k: v[~is_payload] for k, v in group.items()}
    return payload, rest


def _attach_first(group: Batch, *, partitions: int) -> Batch:
    """Pairs ``(a, b)`` with ``a``'s payload, re-keyed on ``b`` (distinct pairs only)."""
    payload, pairs = _split(group)
    code = np.unique(np.stack([pairs["node"], pairs["other"]], axis=1), axis=0).reshape(-1, 2)
    a, b = code[:, 0], code[:, 1]
    at = np.searchsorted(payload["node"], a)
    return {
        "part": part(b, partitions),
        "node": b,
        "other": a,
        "size": payload["size"][at],
        "sig": payload["sig"][at],
        "sh": payload["sh"][at],
    }


def _verify(group: Batch, *, options: CorpusOptions) -> Batch:
    """The pairs of a partition that are duplicates, decided as the local engine decides."""
    payload, pairs = _split(group)
    m = len(pairs["node"])
    if m == 0:
        empty = np.empty(0, dtype=np.int64)
        return {"src": empty, "dst": empty}
    at = np.searchsorted(payload["node"], pairs["node"])
    sig_a = np.frombuffer(b"".join(pairs["sig"]), dtype=np.uint32).reshape(m, -1)
    sig_b = np.frombuffer(b"".join(payload["sig"][at]), dtype=np.uint32).reshape(m, -1)
    sigs = np.concatenate([sig_a, sig_b])
    left = np.arange(m, dtype=np.int64)
    jac = jaccard_rows(sigs, left, left + m)
    size_l, size_r = pairs["size"], payload["size"][at]
    accept = worth_verifying(options, jac, size_l, size_r)
    keep: list[int] = []
    for k in np.flatnonzero(accept).tolist():
        if options.verify == "exact":
            sh_a = np.frombuffer(pairs["sh"][k], dtype=np.uint64)
            sh_b = np.frombuffer(payload["sh"][at[k]], dtype=np.uint64)
            if not shingles_match(sh_a, sh_b, options):
                continue
        keep.append(k)
    idx = np.asarray(keep, dtype=np.int64)
    a, b = pairs["other"][idx], pairs["node"][idx]
    return {"src": np.minimum(a, b), "dst": np.maximum(a, b)}


# --------------------------------------------------------------------------------------------
# near duplicates: the whole


@dataclass(frozen=True)
class Clustered:
    """What :func:`near_duplicates` found.

    - ``dataset``: the input rows, each with ``cluster`` (the smallest position, or
      ``id_column`` value, of its cluster: the labels of
      :class:`dedup.corpus.Clusters`) and ``kept`` (the row its cluster keeps).
    - ``exact_duplicates``, ``candidates``, ``verified_pairs``: as counted on the way.
    - ``rounds``: the connected-component rounds run (the last one changed nothing).
    """

    dataset: Any
    exact_duplicates: int
    candidates: int
    verified_pairs: int
    rounds: int


def _partitions(n: int) -> int:
    return int(min(256, max(2, n // 20_000)))


def near_duplicates(
    ds: ray.data.Dataset,
    options: CorpusOptions | None = None,
    *,
    column: str = "text",
    id_column: str | None = None,
    partitions: int = 0,
    **overrides: Any,
) -> Clustered:
    """Cluster the rows of ``ds`` into exact and near-duplicates, as
    :func:`dedup.corpus.find_near_duplicates` does on a list, and mark the row each keeps.

    Keyword arguments override fields of ``options`` (``threshold=``, ``keep=``, ...; see
    :class:`~dedup.corpus.CorpusOptions`). The order of the rows is their position in ``ds``,
    or the distinct integers of ``id_column``; "first" means smallest. Set
    ``DataContext.get_current().execution_options.preserve_order = True`` when the positions
    must not depend on scheduling. ``partitions`` (``0``: from the row count) is the number of
    groups each group-by makes. Runs eagerly (the graph passes must see their results).
    """
    rd = _ray_data()
    opts = with_overrides(options, CorpusOptions, overrides)
    return _near_duplicates(rd, ds, opts, column, id_column, partitions)


def _near_duplicates(
    rd: Any,
    ds: Any,
    opts: CorpusOptions,
    column: str,
    id_column: str | None,
    partitions: int,
) -> Clustered:
    n = ds.count()
    parts = partitions or _partitions(n)
    if id_column is None:
        base = _with_positions(rd, ds)
    else:
        base = ds.sort(id_column)
        base = base.add_column(POS, lambda t: t[id_column], batch_format="pyarrow")
    base = tasks_only(base.materialize())
    carry = opts.keep != "first"
    docs = base.select_columns([POS, column]).map_batches(
        _sign,
        batch_format="pyarrow",
        batch_size=256,
        fn_kwargs={"column": column, "options": opts, "partitions": parts, "carry": carry},
    )
    grouped = by_part(docs, _exact_groups, parts).materialize()
    reps = grouped.filter(lambda r: r["rep"] == r[POS]).materialize()
    exact_edges = (
        grouped.filter(lambda r: r["rep"] != r[POS])
        .map_batches(lambda b: {"src": b["rep"], "dst": b[POS]}, batch_format="numpy")
        .materialize()
    )
    exact_duplicates = exact_edges.count()
    bands, rows = opts.banding
    band_rows = batches(
        reps.select_columns([POS, "size", "sig"]),
        _band_rows,
        bands=bands,
        rows=rows,
        partitions=parts,
    )
    cands = by_part(band_rows, _bucket_pairs, parts, max_bucket=opts.max_bucket).materialize()
    payload = batches(
        reps.select_columns([POS, "size", "sig", "sh"]), _payload_rows, partitions=parts
    )
    pair_rows = batches(cands.select_columns(["a", "b"]), _pair_rows, partitions=parts)
    first = by_part(payload.union(pair_rows), _attach_first, parts, partitions=parts).materialize()
    candidates = first.count()
    verified = by_part(payload.union(first), _verify, parts, options=opts).materialize()
    verified_pairs = verified.count()
    edges = exact_edges.union(verified).materialize()
    if edges.count():
        stars, rounds = connected_components(edges, partitions=parts)
    else:
        stars, rounds = edges, 0
    labels = _cluster_labels(base, stars, grouped if carry else None, opts, parts, column)
    columns = [c for c in base.columns() if c not in (POS, "cluster", "kept")]
    rows = base.select_columns([POS, *columns])  # the new cluster and kept replace any old
    joined = rows.join(labels, join_type="inner", num_partitions=parts, on=(POS,))
    out = joined.sort(POS).select_columns([*columns, "cluster", "kept"])
    return Clustered(out, exact_duplicates, candidates, verified_pairs, rounds)


def _with_positions(rd: Any, ds: Any) -> Any:
    """``ds`` with the column ``POS``: each row's position in ``ds`` (0, 1, ...), in the order of
    its blocks once materialized (the order in which ``ds`` yields its rows)."""
    import ray

    count, number = ray.remote(_count_rows), ray.remote(_number_rows)
    tables = ds.materialize().to_arrow_refs()
    sizes = ray.get([count.remote(table) for table in tables])
    starts = np.cumsum([0, *sizes[:-1]], dtype=np.int64).tolist()
    return rd.from_arrow_refs(
        [number.remote(table, start) for table, start in zip(tables, starts, strict=True)]
    )


def _count_rows(table: Any) -> int:
    return int(table.num_rows)


def _number_rows(table: Any, start: int) -> Any:
    import pyarrow as pa

    positions = np.arange(start, start + table.num_rows, dtype=np.int64)
    return table.append_column(POS, pa.array(positions, pa.int64()))


def _self_rows(batch: Batch, *, partitions: int) -> Batch:
    pos = batch[POS]
    return {"u": pos, "v": pos, "part": part(pos, partitions)}


def _star_rows(batch: Batch, *, partitions: int) -> Batch:
    return {"u": batch["src"], "v": batch["dst"], "part": part(batch["src"], partitions)}


def _min_label(group: Batch) -> Batch:
    u, v = group["u"], group["v"]
    order = np.lexsort((v, u))
    u, v = u[order], v[order]
    starts, _ = segments(u)
    return {POS: u[starts], "cluster": np.minimum.reduceat(v, starts)}


def _keep_rows(group: Batch, *, keep: str) -> Batch:
    """``kept`` for the rows of one partition of clusters, by the corpus' keep policy."""
    cluster, pos = group["cluster"], group[POS]
    order = np.lexsort((pos, cluster))
    cluster, pos = cluster[order], pos[order]
    texts = group["text"][order] if "text" in group else None
    kept = np.zeros(len(pos), dtype=bool)
    starts, _ = segments(cluster)
    ends = np.r_[starts[1:], len(pos)]
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        if keep == "first" or texts is None or e - s == 1:
            kept[s] = True
            continue
        members = list(range(e - s))
        kept[s + choose_kept(members, list(texts[s:e]), keep)] = True  # type: ignore[arg-type]
    return {POS: pos, "cluster": cluster, "kept": kept}


def _cluster_labels(
    base: Any,
    stars: Any,
    texts: Any | None,
    opts: CorpusOptions,
    parts: int,
    column: str,
) -> Any:
    """``cluster`` and ``kept`` for every position (in no particular order)."""
    nodes = batches(base.select_columns([POS]), _self_rows, partitions=parts)
    star_rows = batches(stars.select_columns(["src", "dst"]), _star_rows, partitions=parts)
    labelled = by_part(nodes.union(star_rows), _min_label, parts)
    if texts is not None:
        labelled = labelled.join(
            texts.select_columns([POS, "text"]), join_type="inner", num_partitions=parts, on=(POS,)
        )
    with_part = labelled.map_batches(
        lambda b: {**b, "part": part(b["cluster"], parts)}, batch_format="numpy"
    )
    kept = by_part(with_part, _keep_rows, parts, keep=opts.keep)
    return kept.select_columns([POS, "cluster", "kept"]).materialize()


# --------------------------------------------------------------------------------------------
# reading and writing datasets


def read_dataset(paths: Sequence[str], fmt: Format | None = None) -> Any:
    """Parquet or JSON Lines files or directories (local paths or URIs such as ``s3://``) as one
    dataset, in ``fmt`` or, by default, the format the first path's name says
    (:func:`dedup.io.path_format`)."""
    rd = _ray_data()
    fmt = fmt or path_format(paths[0])
    if fmt == "parquet":
        return rd.read_parquet(list(paths))
    if fmt == "jsonl":
        return rd.read_json(list(paths), lines=True)
    raise ConfigError(f"Ray Data reads Parquet and JSON Lines, not {fmt}: {paths[0]}")


def write_dataset(ds: ray.data.Dataset, output: str, fmt: Format) -> None:
    """Write ``ds`` to the directory ``output`` as Parquet or JSON Lines files."""
    if fmt == "parquet":
        ds.write_parquet(output)
    elif fmt == "jsonl":
        ds.write_json(output)
    else:
        raise ConfigError(f"Ray Data writes Parquet and JSON Lines, not {fmt}")
