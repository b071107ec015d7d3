"""The SQLite index at scale: build time, size on disk per document, query latency.

Synthetic documents of random words (a Zipf-like vocabulary); every tenth one is a copy of an
earlier document inside new page chrome (words before and after it), so queries have real
near-duplicates to find.

    python benchmarks/index_bench.py [--docs 1000000] [--batch 50000] [--queries 1000]
                                     [--cache-mb 256] [--path P]

Prints build time and documents per second, bytes on disk per document, and the latency of
single-document queries (near-duplicates of indexed documents, and new documents), with how
many of each were found.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from dedup.corpus import CorpusOptions
from dedup.corpus.index import Index
from dedup.corpus.shingle import fmix64


class Corpus:
    """Deterministic synthetic documents: ``doc(i)`` is the same on every call and run."""

    def __init__(self, words: int, vocabulary: int = 50_000, seed: int = 7) -> None:
        self.words = words
        self.seed = seed
        self.vocab = np.array([f"w{i}" for i in range(vocabulary)], dtype=object)
        ranks = np.arange(1, vocabulary + 1, dtype=np.float64)
        weights = 1.0 / ranks**0.9
        self.cdf = np.cumsum(weights / weights.sum())

    def _words(self, key: int, n: int) -> str:
        """``n`` words drawn from the vocabulary by hashing ``(key, position)``."""
        start = np.uint64((key * 0x9E3779B97F4A7C15 + self.seed) % 2**64)
        with np.errstate(over="ignore"):
            h = fmix64(start + np.arange(n, dtype=np.uint64) * np.uint64(0xBF58476D1CE4E5B9))
        u = (h >> np.uint64(11)).astype(np.float64) / 2.0**53
        picks = np.minimum(np.searchsorted(self.cdf, u), len(self.vocab) - 1)
        return " ".join(self.vocab[picks])

    def _length(self, key: int, low: int, high: int) -> int:
        h = int(fmix64(np.array([key * 7919 + self.seed], dtype=np.uint64))[0])
        return low + h % (high - low)

    def base(self, i: int) -> str:
        return self._words(2 * i, self._length(i, self.words // 2, self.words * 3 // 2))

    def doc(self, i: int) -> str:
        """Document ``i``: every tenth one is document ``i // 2`` inside new chrome."""
        if i % 10 == 9:
            return self.in_chrome(i // 2, i)
        return self.base(i)

    def in_chrome(self, i: int, salt: int) -> str:
        key = 2 * (10**12 + salt * 2) + 1
        before = self._words(key, self._length(key, 10, 40))
        after = self._words(key + 2, self._length(key + 2, 10, 60))
        return f"{before}\n{self.doc(i)}\n{after}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000, help="documents to index")
    parser.add_argument("--words", type=int, default=200, help="mean words per document")
    parser.add_argument("--batch", type=int, default=50_000, help="documents per transaction")
    parser.add_argument("--queries", type=int, default=1000, help="single-document queries")
    parser.add_argument("--cache-mb", type=int, default=256, help="SQLite page cache (MB)")
    parser.add_argument("--path", default=None, help="index file (default: a temporary one)")
    args = parser.parse_args(argv)
    corpus = Corpus(args.words)
    workdir = None
    if args.path is None:
        workdir = tempfile.mkdtemp(prefix="dedup-index-bench-")
        path = Path(workdir) / "index.db"
    else:
        path = Path(args.path)
        if path.exists():
            print(f"{path} exists: give a new path", file=sys.stderr)
            return 2
    options = CorpusOptions()
    bands, rows = options.banding
    print(
        f"{args.docs:,} documents of ~{args.words} words, batches of {args.batch:,}; "
        f"{options.num_perm} values a signature, {bands} bands of {rows} rows, "
        f"{args.cache_mb} MB page cache"
    )

    started = time.perf_counter()
    generating = 0.0
    found_in_build = 0
    with Index(path, options, cache_mb=args.cache_mb) as index:
        for start in range(0, args.docs, args.batch):
            stop = min(start + args.batch, args.docs)
            t0 = time.perf_counter()
            items = [(f"doc-{i}", corpus.doc(i)) for i in range(start, stop)]
            generating += time.perf_counter() - t0
            found_in_build += sum(bool(m) for m in index.add_many(items))
            done = time.perf_counter() - started - generating
            print(
                f"  {stop:>10,} indexed, {stop / max(done, 1e-9):8,.0f} docs/s",
                file=sys.stderr,
            )
        build = time.perf_counter() - started - generating
        problems = index.check() if args.docs <= 200_000 else []

        # Queries: near-duplicates of indexed documents (new chrome), and new documents.
        half = args.queries // 2
        rng = np.random.default_rng(11)
        targets = rng.integers(0, args.docs, half)
        dup_texts = [corpus.in_chrome(int(t), 10**9 + int(t)) for t in targets]
        new_texts = [corpus.base(args.docs * 10 + k) for k in range(args.queries - half)]
        latencies: dict[str, list[float]] = {"near-duplicate": [], "new": []}
        hits = {"near-duplicate": 0, "new": 0}
        for kind, texts in (("near-duplicate", dup_texts), ("new", new_texts)):
            for text in texts:
                t0 = time.perf_counter()
                found = index.query(text)
                latencies[kind].append(time.perf_counter() - t0)
                hits[kind] += bool(found)
        t0 = time.perf_counter()
        index.query_many(dup_texts + new_texts)
        batch_query = time.perf_counter() - t0
        count = len(index)
    size = sum(
        p.stat().st_size for p in path.parent.glob(path.name + "*") if not p.name.endswith(".lock")
    )

    print(f"\n| {'measure':<46} | {'value':>14} |")
    print(f"| {'-' * 46} | {'-' * 14} |")
    row = "| {:<46} | {:>14} |"
    print(row.format("documents indexed", f"{count:,}"))
    print(row.format("build time (s, without generating text)", f"{build:,.1f}"))
    print(row.format("build rate (documents/s)", f"{args.docs / build:,.0f}"))
    print(row.format("added documents that had a duplicate indexed", f"{found_in_build:,}"))
    print(row.format("size on disk (MB)", f"{size / 1e6:,.1f}"))
    print(row.format("size on disk per document (bytes)", f"{size / count:,.0f}"))
    for kind, values in latencies.items():
        ms = sorted(v * 1000 for v in values)
        p50 = statistics.median(ms)
        p95 = ms[int(0.95 * (len(ms) - 1))]
        p99 = ms[int(0.99 * (len(ms) - 1))]
        print(
            row.format(f"query latency, {kind} (ms p50/p95/p99)", f"{p50:.1f}/{p95:.1f}/{p99:.1f}")
        )
        print(row.format(f"queries, {kind}, that found a match", f"{hits[kind]}/{len(values)}"))
    rate = args.queries / batch_query
    print(row.format("batch query (query_many), documents/s", f"{rate:,.0f}"))
    if problems:
        print(f"integrity problems: {problems}")
    if workdir is not None:
        for p in Path(workdir).iterdir():
            p.unlink()
        os.rmdir(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
