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

import sys

from common import arguments, read_records, union, word_shingles, write_clusters
from datasketch import MinHash, MinHashLSH


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--hashfunc", choices=("sha1", "xxh32"), default="sha1")
    args = parser.parse_args(argv)
    records = read_records(args.input)
    options: dict[str, object] = {"num_perm": args.num_perm}
    if args.hashfunc == "xxh32":
        import xxhash

        options["hashfunc"] = xxhash.xxh32_intdigest
    minhashes = MinHash.bulk(
        ([s.encode("utf-8") for s in word_shingles(r["text"])] for r in records), **options
    )
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
