"""What the peer pipelines share, written once: their shingles (lowercased ``\\w+`` words,
five at a time), their command line, reading the records, joining pairs with union-find, and
writing every record with its ``cluster`` (the index of the first record of its cluster). It
uses nothing of dedup, so that a peer's whole process can be timed beside ``dedup corpus``.
"""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

WORD = re.compile(r"\w+")


def word_shingles(text: str, k: int = 5) -> set[str]:
    """The peers' shingles: lowercased ``\\w+`` words, ``k`` at a time."""
    words = WORD.findall(text.lower())
    return {" ".join(words[i : i + k]) for i in range(max(1, len(words) - k + 1))}


def arguments(description: str) -> argparse.ArgumentParser:
    """``IN.jsonl OUT.jsonl [--threshold T] [--num-perm N]``; a peer adds its own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--num-perm", type=int, default=128)
    return parser


def read_records(path: str) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def find(parent: list[int], x: int) -> int:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def union(parent: list[int], i: int, j: int) -> None:
    """Join the clusters of ``i`` and ``j``; a cluster is named by its first record."""
    a, b = find(parent, i), find(parent, j)
    if a != b:
        parent[max(a, b)] = min(a, b)


def write_clusters(path: str, records: list[dict[str, Any]], parent: list[int]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for i, record in enumerate(records):
            record["cluster"] = find(parent, i)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
