"""Near-duplicate clustering on ``neardup-dev.jsonl``: dedup against its peers, in one run.

Prints one table of pairwise precision, recall and F1 (two records are duplicates when their
``cluster`` is equal) and documents per second, end to end from the raw texts to clusters, for
dedup and for the peers: datasketch ``MinHashLSH`` (5-word shingles, 128 permutations) at 0.5
and 0.7, rensa's ``RMinHashLSH`` at the same thresholds, and an exact-hash baseline. A second
table times signature computation alone.

    python benchmarks/neardup_eval.py [PATH] [--limit N] [--no-peers] [--repeat R]

PATH defaults to ``../shared/eval/neardup-dev.jsonl`` beside the checkout. For a file whose
records have a ``kind`` (``neardup-hard-dev.jsonl``: the rendering of each page), it also prints
what dedup with its defaults gets wrong: the pairs it misses, by the kinds of their two records,
and each false merge with its cause (pages that share a site's chrome, or short pages).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dedup.corpus import CorpusOptions, find_near_duplicates
from dedup.corpus.cluster import UnionFind
from dedup.corpus.shingle import shingle_batch
from peers.common import word_shingles

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "eval" / "neardup-dev.jsonl"


def pairwise(labels: Sequence[object], truth: Sequence[object]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of predicted ``labels`` against ``truth``."""
    both = Counter(zip(labels, truth, strict=True))
    tp = sum(v * (v - 1) // 2 for v in both.values())
    pred = sum(v * (v - 1) // 2 for v in Counter(labels).values())
    gold = sum(v * (v - 1) // 2 for v in Counter(truth).values())
    p = tp / pred if pred else 1.0
    r = tp / gold if gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def labels_from_pairs(n: int, pairs: list[tuple[int, int]]) -> list[int]:
    uf = UnionFind(n)
    for a, b in pairs:
        uf.union(a, b)
    return [int(x) for x in uf.labels()]


def datasketch_minhashes(texts: Sequence[str]) -> list[object]:
    from datasketch import MinHash

    out = []
    for text in texts:
        m = MinHash(num_perm=128)
        m.update_batch([s.encode("utf-8") for s in word_shingles(text)])
        out.append(m)
    return out


def datasketch_clusters(texts: Sequence[str], threshold: float) -> list[int]:
    from datasketch import MinHashLSH

    sigs = datasketch_minhashes(texts)
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    for i, m in enumerate(sigs):
        lsh.insert(i, m)
    pairs = [(i, j) for i, m in enumerate(sigs) for j in lsh.query(m) if j != i]
    return labels_from_pairs(len(texts), pairs)


def rensa_minhashes(texts: Sequence[str]) -> list[object]:
    from rensa import RMinHash

    out = []
    for text in texts:
        m = RMinHash(num_perm=128, seed=1)
        m.update(list(word_shingles(text)))
        out.append(m)
    return out


def rensa_clusters(texts: Sequence[str], threshold: float) -> list[int]:
    from rensa import RMinHashLSH

    sigs = rensa_minhashes(texts)
    lsh = RMinHashLSH(threshold=threshold, num_perm=128, num_bands=16)
    for i, m in enumerate(sigs):
        lsh.insert(i, m)
    pairs = [
        (i, j)
        for i, m in enumerate(sigs)
        for j in lsh.query(m)
        if j != i and lsh.is_similar(m, sigs[j])
    ]
    return labels_from_pairs(len(texts), pairs)


def exact_clusters(texts: Sequence[str]) -> list[int]:
    exact = shingle_batch(texts, 1).exact
    first: dict[str, int] = {}
    return [first.setdefault(h, i) for i, h in enumerate(exact)]


def dedup_clusters(texts: Sequence[str], threshold: float, **options: Any) -> list[int]:
    return list(find_near_duplicates(texts, CorpusOptions(threshold=threshold, **options)).labels)


def timed(fn: Callable[[], object], repeat: int) -> tuple[object, float]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return result, best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--limit", type=int, default=0, help="only the first N records")
    parser.add_argument("--no-peers", action="store_true", help="dedup and exact hash only")
    parser.add_argument("--repeat", type=int, default=1, help="best of R timed runs")
    args = parser.parse_args(argv)
    path = Path(args.path)
    if not path.exists():
        print(f"{path} is absent", file=sys.stderr)
        return 2
    with path.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    if args.limit:
        records = records[: args.limit]
    texts = [r["text"] for r in records]
    _, truth_arr = np.unique([r["cluster"] for r in records], return_inverse=True)
    truth = [int(x) for x in truth_arr]
    n = len(texts)
    print(f"{n} records, {len(set(truth))} clusters, {path.name}\n")

    default = CorpusOptions().threshold
    runs: list[tuple[str, str, Callable[[], list[int]]]] = [
        ("dedup (defaults)", f"{default}", lambda: dedup_clusters(texts, default)),
        ("dedup", "0.7", lambda: dedup_clusters(texts, 0.7)),
        ("dedup", "0.8", lambda: dedup_clusters(texts, 0.8)),
        ("dedup", "0.9", lambda: dedup_clusters(texts, 0.9)),
        (
            "dedup, verify=signature",
            f"{default}",
            lambda: dedup_clusters(texts, default, verify="signature"),
        ),
        (
            "dedup, no similar-size rule",
            f"{default}",
            lambda: dedup_clusters(texts, default, similar_threshold=0.0),
        ),
        ("exact hash", "-", lambda: exact_clusters(texts)),
    ]
    if not args.no_peers:
        runs += [
            ("datasketch MinHashLSH", "0.5", lambda: datasketch_clusters(texts, 0.5)),
            ("datasketch MinHashLSH", "0.7", lambda: datasketch_clusters(texts, 0.7)),
            ("rensa RMinHashLSH", "0.5", lambda: rensa_clusters(texts, 0.5)),
            ("rensa RMinHashLSH", "0.7", lambda: rensa_clusters(texts, 0.7)),
        ]
    print(f"| {'method':<30} | threshold | precision | recall |     F1 |  docs/s |")
    print(f"| {'-' * 30} | --------- | --------- | ------ | ------ | ------- |")
    rates: dict[str, float] = {}
    # Warm up (imports, tables, allocator) on a few records so that no method pays for it.
    warm = texts[:200]
    dedup_clusters(warm, CorpusOptions().threshold)
    if not args.no_peers:
        datasketch_clusters(warm, 0.5)
        rensa_clusters(warm, 0.5)
    for name, threshold, run in runs:
        labels, seconds = timed(run, args.repeat)
        assert isinstance(labels, list)
        p, r, f = pairwise(labels, truth)
        rates[f"{name} {threshold}"] = n / seconds
        print(
            f"| {name:<30} | {threshold:>9} | {p:9.4f} | {r:6.4f} | {f:6.4f} | {n / seconds:7.0f} |"
        )
    if "kind" in records[0]:
        print_errors(records, dedup_clusters(texts, default), truth)
    if not args.no_peers:
        ours = rates[f"dedup (defaults) {default}"]
        peer = rates["datasketch MinHashLSH 0.5"]
        print(f"\ndedup (defaults) runs {ours / peer:.1f}x the docs/s of datasketch at 0.5")
        print_signature_table(texts, args.repeat)
    return 0


def print_errors(
    records: Sequence[dict[str, Any]], labels: Sequence[int], truth: Sequence[int]
) -> None:
    """The pairs missed, by the kinds of their records, and the false merges, by cause."""
    shingles = shingle_batch([r["text"] for r in records], 5).shingles
    missed: Counter[tuple[str, str]] = Counter()
    by_truth: dict[int, list[int]] = {}
    for i, cluster in enumerate(truth):
        by_truth.setdefault(cluster, []).append(i)
    for members in by_truth.values():
        for x, a in enumerate(members):
            for b in members[x + 1 :]:
                if labels[a] != labels[b]:
                    kinds = sorted((records[a]["kind"], records[b]["kind"]))
                    missed[(kinds[0], kinds[1])] += 1
    print("\n| pairs missed by dedup (defaults), by rendering | pairs |")
    print("| --- | ---: |")
    for (one, two), count in missed.most_common():
        print(f"| {one} + {two} | {count} |")
    if not missed:
        print("| (none) | 0 |")
    print("\n| false merge (dedup defaults) | cause | records |")
    print("| --- | --- | --- |")
    by_label: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    false = 0
    for members in by_label.values():
        clusters = {truth[i] for i in members}
        if len(clusters) < 2:
            continue
        false += 1
        sizes = [len(shingles[i]) for i in members]
        cause = "short pages (< 40 shingles)" if min(sizes) < 40 else "pages sharing chrome"
        names = ", ".join(f"{records[i]['id']} ({records[i]['kind']})" for i in members[:6])
        print(f"| {len(clusters)} pages | {cause} | {names} |")
    if not false:
        print("| (none) | | |")


def print_signature_table(texts: Sequence[str], repeat: int) -> None:
    """Signatures alone: from text, and from already-hashed shingles."""
    from rensa import RMinHash

    scheme = CorpusOptions().scheme
    batch = shingle_batch(texts, 5)
    sets = list(batch.shingles)
    flat = np.concatenate(sets)
    offsets = np.r_[0, np.cumsum([len(s) for s in sets])].astype(np.uint64)
    rows: list[tuple[str, Callable[[], object]]] = [
        ("dedup: text -> signatures", lambda: scheme.sign_many(shingle_batch(texts, 5).shingles)),
        ("rensa RMinHash: text -> signatures", lambda: rensa_minhashes(texts)),
        ("datasketch MinHash: text -> signatures", lambda: datasketch_minhashes(texts)),
        ("dedup: shingle hashes -> signatures", lambda: scheme.sign_many(sets)),
        (
            "rensa digest matrix: shingle hashes -> signatures",
            lambda: RMinHash.digest_matrix_from_flat_token_hashes(flat, offsets, 128, 1),
        ),
    ]
    print(f"\n| {'signatures, 128 values each':<50} | seconds |  docs/s |")
    print(f"| {'-' * 50} | ------- | ------- |")
    for name, fn in rows:
        _, seconds = timed(fn, repeat)
        print(f"| {name:<50} | {seconds:7.3f} | {len(texts) / seconds:7.0f} |")


if __name__ == "__main__":
    sys.exit(main())
