"""A near-duplicate pipeline written with datasketch, as its documentation recommends.

Reads JSONL, shingles each text (lowercased ``\\w+`` words, five at a time), builds 128-value
MinHashes with ``update_batch``, inserts them into a ``MinHashLSH`` (in an insertion session),
queries every document, joins the pairs with union-find, and writes every record with its
``cluster`` (the index of the first record of its cluster). It uses nothing of dedup, so that a
whole process can be timed beside ``dedup corpus``.

    python benchmarks/peers/datasketch_corpus.py IN.jsonl OUT.jsonl [--threshold 0.5]
"""

from __future__ import annotations

import sys

from common import arguments, read_records, union, word_shingles, write_clusters
from datasketch import MinHash, MinHashLSH


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__.splitlines()[0]).parse_args(argv)
    records = read_records(args.input)
    minhashes = []
    for record in records:
        m = MinHash(num_perm=args.num_perm)
        m.update_batch([s.encode("utf-8") for s in word_shingles(record["text"])])
        minhashes.append(m)
    lsh = MinHashLSH(threshold=args.threshold, num_perm=args.num_perm)
    with lsh.insertion_session() as session:
        for i, m in enumerate(minhashes):
            session.insert(i, m)
    parent = list(range(len(records)))
    for i, m in enumerate(minhashes):
        for j in lsh.query(m):
            union(parent, i, j)
    write_clusters(args.output, records, parent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
