"""Clusters from pairs (union-find) and the record each cluster keeps.

>>> uf = UnionFind(5)
>>> uf.union(0, 3)
True
>>> uf.union(3, 4)
True
>>> uf.labels().tolist()
[0, 1, 2, 0, 0]

A label is the smallest member of its cluster, so labels do not depend on the order in which
pairs were joined.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from dedup.model import ConfigError
from dedup.quality import quality

__all__ = ["KEEP_POLICIES", "Keep", "UnionFind", "choose_kept", "groups"]

Keep = Literal["first", "longest", "best"]
KEEP_POLICIES: tuple[Keep, ...] = ("first", "longest", "best")


class UnionFind:
    """Disjoint sets over ``0..n-1`` with path halving and union by size."""

    __slots__ = ("_parent", "_size")

    def __init__(self, n: int) -> None:
        self._parent = list(range(n))
        self._size = [1] * n

    def __len__(self) -> int:
        return len(self._parent)

    def find(self, x: int) -> int:
        """The representative of ``x``'s set."""
        parent = self._parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> bool:
        """Join the sets of ``a`` and ``b``; false when they were already one."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self._size[ra] < self._size[rb]:
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._size[ra] += self._size[rb]
        return True

    def connected(self, a: int, b: int) -> bool:
        """Whether ``a`` and ``b`` are in one set."""
        return self.find(a) == self.find(b)

    def labels(self) -> npt.NDArray[np.int64]:
        """For each element, the smallest element of its set."""
        n = len(self._parent)
        roots = np.fromiter((self.find(i) for i in range(n)), dtype=np.int64, count=n)
        smallest = np.full(n, n, dtype=np.int64)
        np.minimum.at(smallest, roots, np.arange(n, dtype=np.int64))
        return smallest[roots]


def groups(labels: npt.NDArray[np.int64]) -> list[list[int]]:
    """The members of each cluster, clusters ordered by their smallest member."""
    out: dict[int, list[int]] = {}
    for i, label in enumerate(labels.tolist()):
        out.setdefault(label, []).append(i)
    return list(out.values())


def choose_kept(
    members: Sequence[int],
    texts: Sequence[str],
    keep: Keep,
    *,
    score: Callable[[str], float] | None = None,
) -> int:
    """The member of a cluster to keep, by policy.

    - ``"first"``: the earliest member (input order is the order first seen).
    - ``"longest"``: the longest text; ties go to the earliest.
    - ``"best"``: the best-formed text by :func:`dedup.quality.quality` (or ``score``); ties go
      to the longest, then the earliest.

    >>> choose_kept([0, 1], ["short", "a longer text"], "longest")
    1
    """
    if keep not in KEEP_POLICIES:
        raise ConfigError(f"option keep={keep!r} is unknown: use one of {', '.join(KEEP_POLICIES)}")
    if keep == "first" or len(members) == 1:
        return min(members)
    if keep == "longest":
        return min(members, key=lambda i: (-len(texts[i]), i))
    measure = score if score is not None else (lambda text: quality(text).score)
    return min(members, key=lambda i: (-measure(texts[i]), -len(texts[i]), i))
