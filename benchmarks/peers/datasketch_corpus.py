"""A near-duplicate pipeline written with datasketch, as its documentation recommends.

Reads JSONL, shingles each text (lowercased ``\\w+`` words, five at a time), builds 128-value
MinHashes with ``MinHash.bulk`` (its batch API: the permutations are set up once, not once per
document), inserts them into a ``MinHashLSH`` (in an insertion session), queries every
document, joins the pairs with union-find, and writes every record with its ``cluster`` (the
index of the first record of its cluster). It uses nothing of dedup, so that a whole process
can be timed beside ``dedup corpus``.

``--hashfunc xxh32`` replaces datasketch's default SHA-1 by a fast non-cryptographic hash,
as its documentation shows with MurmurHash (``MinHash(hashfunc=...)``); xxhash is installed
with dedup.

    python benchmarks/peers/datasketch_corpus.py IN.jsonl OUT.jsonl [--threshold 0.5]
                                                 [--hashfunc sha1|xxh32]
"""

from __future__ import annotations

import argparse
import json
import re
import sys

from datasketch import MinHash, MinHashLSH

_WORD = re.compile(r"\w+")


def shingles(text: str, k: int = 5) -> set[bytes]:
    words = _WORD.findall(text.lower())
    return {" ".join(words[i : i + k]).encode("utf-8") for i in range(max(1, len(words) - k + 1))}


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
    parser.add_argument("--hashfunc", choices=("sha1", "xxh32"), default="sha1")
    args = parser.parse_args(argv)
    with open(args.input, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    options: dict[str, object] = {"num_perm": args.num_perm}
    if args.hashfunc == "xxh32":
        import xxhash

        options["hashfunc"] = xxhash.xxh32_intdigest
    minhashes = MinHash.bulk((list(shingles(r["text"])) for r in records), **options)
    lsh = MinHashLSH(threshold=args.threshold, num_perm=args.num_perm)
    with lsh.insertion_session() as session:
        for i, m in enumerate(minhashes):
            session.insert(i, m)
    parent = list(range(len(records)))
    for i, m in enumerate(minhashes):
        for j in lsh.query(m):
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
