"""Connected components on Ray Data, and the group-by helpers every step of :mod:`dedup.ray`
runs on.

:func:`connected_components` alternates large-star and small-star passes (Kiveris et al.,
"Connected Components in MapReduce and Beyond", 2014), each pass one group-by, until a round
changes nothing (about ``log n`` rounds). A group-by is on a coarse partition key
(:func:`part`: a hash of the real key modulo the partitions) and each group is handled with
NumPy (:func:`by_part`), so the number of Python calls grows with the partitions, not the rows.

>>> starts, run = segments(np.array([3, 3, 5, 7, 7, 7]))
>>> starts.tolist(), run.tolist()
([0, 2, 3], [0, 0, 1, 2, 2, 2])
>>> part(np.array([1, 2, 3]), 4).tolist() == part(np.array([1, 2, 3]), 4).tolist()
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from dedup.hashing import fmix64
from dedup.model import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import ray.data

__all__ = ["Batch", "batches", "by_part", "connected_components", "part", "segments", "tasks_only"]

#: A batch of rows as NumPy columns.
Batch = dict[str, npt.NDArray[Any]]


def part(values: npt.NDArray[Any], partitions: int) -> npt.NDArray[np.int64]:
    """The partition of 64-bit keys (mixed, so that positions spread evenly)."""
    mixed = fmix64(np.asarray(values).astype(np.int64).view(np.uint64))
    return np.asarray(mixed % np.uint64(partitions), dtype=np.int64)


def tasks_only(ds: Any) -> Any:
    """``ds``, its group-bys (and those of datasets made from it) done by sorting, with tasks
    only: the hash shuffle's aggregator actors hold cores for their whole life, which starves
    a small cluster."""
    from ray.data.context import ShuffleStrategy

    ds.context.shuffle_strategy = ShuffleStrategy.SORT_SHUFFLE_PULL_BASED
    return ds


def segments(keys: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Start of each run of equal sorted ``keys``, and each element's run number."""
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    run = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(keys)]))
    return starts, run


def _large_star(group: Batch, *, partitions: int) -> Batch:
    """Each node ``u``: its larger neighbours join the smallest of ``u`` and its neighbours."""
    u, v = group["u"], group["v"]
    order = np.lexsort((v, u))
    u, v = u[order], v[order]
    starts, run = segments(u)
    low = np.minimum(np.minimum.reduceat(v, starts), u[starts])[run]
    up = v > u
    src, dst = v[up], low[up]
    changed = int(np.count_nonzero(dst != u[up]))
    pairs = np.unique(np.stack([src, dst], axis=1), axis=0).reshape(-1, 2)
    return _directed(pairs[:, 0], pairs[:, 1], changed, partitions)


def _small_star(group: Batch, *, partitions: int) -> Batch:
    """Each node ``u``: it and its smaller neighbours join the smallest of them."""
    u, v = group["u"], group["v"]
    order = np.lexsort((v, u))
    u, v = u[order], v[order]
    starts, run = segments(u)
    counts = np.diff(np.r_[starts, len(u)])
    low = np.minimum(np.minimum.reduceat(v, starts), u[starts])
    changed = int(np.count_nonzero(counts > 1))
    src = np.concatenate([v, u[starts]])
    dst = np.concatenate([low[run], low])
    moved = src != dst
    pairs = np.unique(np.stack([src[moved], dst[moved]], axis=1), axis=0).reshape(-1, 2)
    return _directed(pairs[:, 0], pairs[:, 1], changed, partitions)


def _directed(
    src: npt.NDArray[np.int64], dst: npt.NDArray[np.int64], changed: int, partitions: int
) -> Batch:
    flags = np.zeros(len(src), dtype=np.int64)
    if len(flags):
        flags[0] = changed
    return {"src": src, "dst": dst, "changed": flags, "part": part(src, partitions)}


def _both_ways(batch: Batch, *, partitions: int) -> Batch:
    u = np.concatenate([batch["src"], batch["dst"]])
    v = np.concatenate([batch["dst"], batch["src"]])
    return {"u": u, "v": v, "part": part(u, partitions)}


def _larger_first(batch: Batch, *, partitions: int) -> Batch:
    u = np.maximum(batch["src"], batch["dst"])
    v = np.minimum(batch["src"], batch["dst"])
    return {"u": u, "v": v, "part": part(u, partitions)}


def by_part(ds: Any, fn: Callable[..., Batch], parts: int, **kwargs: Any) -> Any:
    """``fn`` on the rows of each partition (column ``part``, values below ``parts``)."""
    grouped = ds.groupby("part", num_partitions=parts)
    return grouped.map_groups(fn, batch_format="numpy", fn_kwargs=kwargs)


def batches(ds: Any, fn: Callable[..., Batch], **kwargs: Any) -> Any:
    return ds.map_batches(fn, batch_format="numpy", fn_kwargs=kwargs)


def connected_components(
    edges: ray.data.Dataset, *, partitions: int = 16, max_rounds: int = 64
) -> tuple[ray.data.Dataset, int]:
    """Connected components of the graph whose edges are the rows ``(src, dst)`` of ``edges``.

    Returns ``(stars, rounds)``: ``stars`` has a row ``(src, dst)`` for every node ``src`` that
    is not the smallest of its component, ``dst`` being that smallest node; ``rounds`` is the
    number of large-star/small-star rounds run (the last one changed nothing).
    """
    if partitions < 1:
        raise ConfigError(f"partitions={partitions} is out of range: use at least 1")
    current = tasks_only(edges.select_columns(["src", "dst"]).materialize())
    rounds = 0
    while True:
        rounds += 1
        if rounds > max_rounds:
            raise ConfigError(f"connected components did not settle in {max_rounds} rounds")
        large = by_part(
            batches(current, _both_ways, partitions=partitions),
            _large_star,
            partitions,
            partitions=partitions,
        ).materialize()
        small = by_part(
            batches(large, _larger_first, partitions=partitions),
            _small_star,
            partitions,
            partitions=partitions,
        ).materialize()
        changed = _total(large, "changed") + _total(small, "changed")
        current = small
        if changed == 0:
            return current, rounds


def _total(ds: Any, column: str) -> int:
    """The sum of an integer column of a materialized dataset, read without a shuffle."""
    return sum(int(batch[column].sum()) for batch in ds.iter_batches(batch_format="numpy"))
