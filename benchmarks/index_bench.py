"""The index at scale: adds per second as it grows, bytes on disk per document, query latency.

Synthetic documents of random words (a Zipf-like vocabulary); every tenth one is a copy of an
earlier document inside new page chrome (words before and after it), so that adds and queries
have real near-duplicates to find.

    python benchmarks/index_bench.py [--docs 1000000] [--batch 50000] [--queries 1000]
                                     [--cache-mb 256] [--path P]
    python benchmarks/index_bench.py --redis redis://127.0.0.1:6379/0 [--writers 1,2,4]

With SQLite (the default) it prints the adds per second of each million documents (wall
clock, and per second of this process's CPU: the machine may be shared), the size on disk per
document, and the latency of single-document queries at the end (near-duplicates of indexed
documents, and new documents), with how many of each were found.

With ``--redis URL`` it runs, for each count of writers, that many processes adding the
documents at once (each takes every ``writers``-th batch, and every process also adds the
first batch, so that the same documents arrive from several writers at the same moment) into
a namespace of their own, then checks that every document was stored once and that each
repeated document was admitted (found no match) exactly once; it prints adds per second, the
server's memory per document, and query latency. The server is the caller's (the benchmark
flushes nothing but its own namespaces).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from dedup.corpus import CorpusOptions
from dedup.corpus.index import Index, index_banding
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

    def items(self, start: int, stop: int) -> list[tuple[str, str]]:
        return [(f"doc-{i}", self.doc(i)) for i in range(start, stop)]


def percentiles(seconds: Sequence[float]) -> str:
    ms = sorted(v * 1000 for v in seconds)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    p99 = ms[int(0.99 * (len(ms) - 1))]
    return f"{statistics.median(ms):.1f}/{p95:.1f}/{p99:.1f}"


def query_latencies(index: Index, corpus: Corpus, docs: int, queries: int) -> list[str]:
    """Rows of the table: single-document query latency, near-duplicates and new documents."""
    half = queries // 2
    rng = np.random.default_rng(11)
    targets = rng.integers(0, docs, half)
    dup_texts = [corpus.in_chrome(int(t), 10**9 + int(t)) for t in targets]
    new_texts = [corpus.base(docs * 10 + k) for k in range(queries - half)]
    rows = []
    for kind, texts in (("near-duplicate", dup_texts), ("new", new_texts)):
        latencies, hits = [], 0
        for text in texts:
            t0 = time.perf_counter()
            found = index.query(text)
            latencies.append(time.perf_counter() - t0)
            hits += bool(found)
        rows.append(ROW.format(f"query latency, {kind} (ms p50/p95/p99)", percentiles(latencies)))
        rows.append(ROW.format(f"queries, {kind}, that found a match", f"{hits}/{len(texts)}"))
    t0 = time.perf_counter()
    index.query_many(dup_texts + new_texts)
    rate = queries / (time.perf_counter() - t0)
    rows.append(ROW.format("batch query (query_many), documents/s", f"{rate:,.0f}"))
    return rows


ROW = "| {:<50} | {:>16} |"
RULE = f"| {'-' * 50} | {'-' * 16} |"


def sqlite_bench(args: argparse.Namespace, corpus: Corpus) -> int:
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
    bands, rows = index_banding(options)
    print(
        f"{args.docs:,} documents of ~{args.words} words, batches of {args.batch:,}; "
        f"{options.num_perm} values a signature, {bands} bands of {rows} row(s), "
        f"{args.cache_mb} MB page cache\n"
    )
    print("| documents      | adds/s (wall) | adds/s (CPU) | size (bytes/document) |")
    print("| -------------- | ------------- | ------------ | --------------------- |")
    step = max(args.batch, args.docs // 10 if args.docs < 10_000_000 else 1_000_000)
    wall = cpu = 0.0
    part_wall = part_cpu = 0.0
    part_start = 0
    found_in_build = 0
    rates: list[tuple[float, float]] = []
    with Index(path, options, cache_mb=args.cache_mb) as index:
        for start in range(0, args.docs, args.batch):
            stop = min(start + args.batch, args.docs)
            items = corpus.items(start, stop)
            w0, c0 = time.perf_counter(), time.process_time()
            found_in_build += sum(bool(m) for m in index.add_many(items))
            dw, dc = time.perf_counter() - w0, time.process_time() - c0
            wall, cpu, part_wall, part_cpu = wall + dw, cpu + dc, part_wall + dw, part_cpu + dc
            if stop - part_start >= step or stop == args.docs:
                done = stop - part_start
                rates.append((done / part_wall, done / part_cpu))
                size = _size(path) / stop
                print(
                    f"| {part_start:>5,}-{stop:<8,} | {done / part_wall:13,.0f} | "
                    f"{done / part_cpu:12,.0f} | {size:21,.0f} |",
                    flush=True,
                )
                part_start, part_wall, part_cpu = stop, 0.0, 0.0
        count = len(index)
        query_rows = query_latencies(index, corpus, args.docs, args.queries)
    size = _size(path)
    print(f"\n{ROW.format('measure', 'value')}\n{RULE}")
    print(ROW.format("documents indexed", f"{count:,}"))
    print(ROW.format("build time (s wall / s CPU, not generating text)", f"{wall:,.0f}/{cpu:,.0f}"))
    overall = f"{args.docs / wall:,.0f}/{args.docs / cpu:,.0f}"
    print(ROW.format("adds/s overall (wall / CPU)", overall))
    if len(rates) > 1:
        first, last = rates[0][1], rates[-1][1]
        print(ROW.format("adds/s (CPU), first part / last part", f"{first / last:.2f}"))
    print(ROW.format("added documents that had a duplicate indexed", f"{found_in_build:,}"))
    print(ROW.format("size on disk (MB)", f"{size / 1e6:,.1f}"))
    print(ROW.format("size on disk per document (bytes)", f"{size / count:,.0f}"))
    for row in query_rows:
        print(row)
    if workdir is not None:
        for p in Path(workdir).iterdir():
            p.unlink()
        os.rmdir(workdir)
    return 0


def _size(path: Path) -> int:
    return sum(
        p.stat().st_size for p in path.parent.glob(path.name + "*") if not p.name.endswith(".lock")
    )


def _redis_writer(
    url: str, namespace: str, docs: int, batch: int, writers: int, me: int, words: int
) -> tuple[int, list[str], float, float]:
    """One writer process: every ``writers``-th batch from ``me`` on, and the first batch too.
    Returns how many documents it added, the ids it admitted (no match), wall and CPU time."""
    corpus = Corpus(words)
    starts = list(range(0, docs, batch))
    mine = sorted(set(starts[me::writers]) | {0})
    admitted: list[str] = []
    added = 0
    w0, c0 = time.perf_counter(), time.process_time()
    with Index(url, namespace=namespace, timeout=10) as index:
        for start in mine:
            items = corpus.items(start, min(start + batch, docs))
            for (doc_id, _), found in zip(items, index.add_many(items), strict=True):
                if not found:
                    admitted.append(doc_id)
            added += len(items)
    return added, admitted, time.perf_counter() - w0, time.process_time() - c0


def redis_bench(args: argparse.Namespace, corpus: Corpus) -> int:
    import redis

    server = redis.Redis.from_url(args.redis)
    counts = [int(w) for w in args.writers.split(",")]
    print(
        f"{args.docs:,} documents of ~{args.words} words, batches of {args.batch:,}, "
        f"on {args.redis}; every writer also adds the first batch\n"
    )
    print(
        "| writers | adds/s (wall) | adds/s (CPU, all writers) | stored | admitted twice | "
        "lost | server bytes/document | query p50/p95/p99 (ms) |"
    )
    print(
        "| ------- | ------------- | ------------------------- | ------ | -------------- | "
        "---- | --------------------- | ---------------------- |"
    )
    for writers in counts:
        namespace = f"bench-{os.getpid()}-{writers}"
        before = int(server.info("memory")["used_memory"])
        t0 = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(writers) as pool:
            results = pool.starmap(
                _redis_writer,
                [
                    (args.redis, namespace, args.docs, args.batch, writers, me, args.words)
                    for me in range(writers)
                ],
            )
        wall = time.perf_counter() - t0
        cpu = sum(r[3] for r in results)
        added = sum(r[0] for r in results)
        admitted = [doc_id for r in results for doc_id in r[1]]
        twice = len(admitted) - len(set(admitted))
        used = int(server.info("memory")["used_memory"]) - before
        with Index(args.redis, namespace=namespace, readonly=True) as index:
            stored = len(index)
            missing = sum(f"doc-{i}" not in index for i in range(0, args.docs, 97))
            latencies = []
            for k in range(args.queries):
                text = corpus.in_chrome(k * 7919 % args.docs, 10**9 + k)
                q0 = time.perf_counter()
                index.query(text)
                latencies.append(time.perf_counter() - q0)
        print(
            f"| {writers:>7} | {added / wall:13,.0f} | {added / cpu:25,.0f} | {stored:>6,} | "
            f"{twice:>14} | {missing:>4} | {used / stored:21,.0f} | {percentiles(latencies):>22} |",
            flush=True,
        )
        for key in server.scan_iter(f"{namespace}:*", count=10_000):
            server.delete(key)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000, help="documents to index")
    parser.add_argument("--words", type=int, default=200, help="mean words per document")
    parser.add_argument("--batch", type=int, default=50_000, help="documents per add_many")
    parser.add_argument("--queries", type=int, default=1000, help="single-document queries")
    parser.add_argument("--cache-mb", type=int, default=256, help="SQLite page cache (MB)")
    parser.add_argument("--path", default=None, help="index file (default: a temporary one)")
    parser.add_argument("--redis", default=None, help="a Redis URL: benchmark that instead")
    parser.add_argument("--writers", default="1,2,4", help="Redis: counts of writers to run")
    args = parser.parse_args(argv)
    corpus = Corpus(args.words)
    if args.redis:
        return redis_bench(args, corpus)
    return sqlite_bench(args, corpus)


if __name__ == "__main__":
    sys.exit(main())
