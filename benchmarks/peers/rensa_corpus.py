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

import sys

from common import arguments, read_records, union, word_shingles, write_clusters
from rensa import RMinHash, RMinHashLSH


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--bands", type=int, default=16)
    args = parser.parse_args(argv)
    records = read_records(args.input)
    minhashes = RMinHash.from_token_sets(
        (list(word_shingles(r["text"])) for r in records), num_perm=args.num_perm, seed=42
    )
    lsh = RMinHashLSH(threshold=args.threshold, num_perm=args.num_perm, num_bands=args.bands)
    lsh.insert_many(minhashes)
    parent = list(range(len(records)))
    for i, found in enumerate(lsh.query_all(minhashes)):
        for j in found:
            if j != i and lsh.is_similar(minhashes[i], minhashes[j]):
                union(parent, i, j)
    write_clusters(args.output, records, parent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
