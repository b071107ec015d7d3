"""A near-duplicate pipeline written with rensa, as its documentation recommends.

Reads JSONL, shingles each text (lowercased ``\\w+`` words, five at a time), builds 128-value
R-MinHashes in one batch call (``RMinHash.from_token_sets``), inserts them into an
``RMinHashLSH`` (16 bands), queries every document and keeps the candidates that
``is_similar`` accepts, joins the pairs with union-find, and writes every record with its
``cluster`` (the index of the first record of its cluster). It uses nothing of dedup, so that a
whole process can be timed beside ``dedup corpus``.

    python benchmarks/peers/rensa_corpus.py IN.jsonl OUT.jsonl [--threshold 0.5]
"""

from __future__ import annotations

import argparse
import json
import re
import sys

from rensa import RMinHash, RMinHashLSH

_WORD = re.compile(r"\w+")


def shingles(text: str, k: int = 5) -> list[str]:
    words = _WORD.findall(text.lower())
    return list({" ".join(words[i : i + k]) for i in range(max(1, len(words) - k + 1))})


def find(parent: list[int], x: int) -> int:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--bands", type=int, default=16)
    args = parser.parse_args(argv)
    with open(args.input, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    minhashes = RMinHash.from_token_sets(
        (shingles(r["text"]) for r in records), num_perm=args.num_perm, seed=42
    )
    lsh = RMinHashLSH(threshold=args.threshold, num_perm=args.num_perm, num_bands=args.bands)
    lsh.insert_many(minhashes)
    parent = list(range(len(records)))
    for i, found in enumerate(lsh.query_all(minhashes)):
        for j in found:
            if j != i and lsh.is_similar(minhashes[i], minhashes[j]):
                a, b = find(parent, i), find(parent, j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    with open(args.output, "w", encoding="utf-8") as out:
        for i, record in enumerate(records):
            record["cluster"] = find(parent, i)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
