"""The Ray engine on this machine: cleaning throughput, and connected components at scale.

1. ``dedup.clean`` over the same texts (``repair-dev.jsonl``, repeated ``--copies`` times) with
   the local process-pool engine (``-j 1`` and ``-j 2``) and with Ray Data on a local Ray of 1
   and 2 CPUs (:func:`dedup.ray.clean_dataset`); each run in its own process.
2. :func:`dedup.ray.connected_components` on a random graph of ``--edges`` edges (as many
   nodes as edges): time, rounds, and a check against union-find when the graph is small.

    python benchmarks/ray_bench.py [--copies 2] [--edges 10000000] [--skip-clean] [--skip-cc]

Prints Markdown tables; ``--json PATH`` also writes the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "eval" / "repair-dev.jsonl"


def _texts(path: Path, copies: int) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh if line.strip()]
    return texts * copies


def _quiet_ray(num_cpus: int) -> Any:
    """A local Ray of ``num_cpus`` CPUs (the module, with ``ray.data`` loaded)."""
    import ray
    import ray.data

    ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.execution_options.preserve_order = True
    return ray


def clean_run(engine: str, workers: int, path: Path, copies: int) -> dict[str, Any]:
    """One timed run of ``clean`` over the texts (in this process)."""
    texts = _texts(path, copies)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    if engine == "local":
        from dedup.cli.stages import clean_document
        from dedup.engine import Engine

        started = time.perf_counter()
        with Engine(workers) as pool:
            out = [r for _, r in pool.map(clean_document, ((i, t) for i, t in enumerate(texts)))]
        elapsed = time.perf_counter() - started
        assert len(out) == len(texts)
    else:
        ray = _quiet_ray(workers)
        from dedup.ray import clean_dataset

        ds = ray.data.from_items([{"text": t} for t in texts], override_num_blocks=4 * workers)
        ds = ds.materialize()
        started = time.perf_counter()
        n = clean_dataset(ds, batch_size=16).materialize().count()
        elapsed = time.perf_counter() - started
        assert n == len(texts)
        ray.shutdown()
    cpu = os.times()
    return {
        "engine": engine,
        "workers": workers,
        "documents": len(texts),
        "mb": nbytes / 1e6,
        "seconds": elapsed,
        "mb_per_s": nbytes / 1e6 / elapsed,
        "user_cpu_s": cpu.user + cpu.children_user,
    }


def components_run(edges: int, partitions: int) -> dict[str, Any]:
    """Connected components of a random graph of ``edges`` edges on a local Ray of 2 CPUs."""
    import numpy as np

    ray = _quiet_ray(2)
    from dedup.corpus.shingle import fmix64
    from dedup.ray import connected_components

    def make(batch: dict[str, Any]) -> dict[str, Any]:
        i = batch["id"].astype(np.uint64)
        n = np.uint64(edges)
        return {
            "src": (fmix64(i * np.uint64(2)) % n).astype(np.int64),
            "dst": (fmix64(i * np.uint64(2) + np.uint64(1)) % n).astype(np.int64),
        }

    graph = ray.data.range(edges, override_num_blocks=max(2, edges // 500_000))
    graph = graph.map_batches(make, batch_format="numpy").materialize()
    started = time.perf_counter()
    stars, rounds = connected_components(graph, partitions=partitions)
    non_roots = stars.count()
    elapsed = time.perf_counter() - started
    checked = None
    if edges <= 200_000:
        from dedup.corpus import UnionFind

        both = graph.take_all()
        uf = UnionFind(edges)
        for row in both:
            uf.union(int(row["src"]), int(row["dst"]))
        labels = uf.labels()
        checked = all(labels[r["src"]] == r["dst"] for r in stars.take_all())
    ray.shutdown()
    return {
        "edges": edges,
        "nodes": edges,
        "partitions": partitions,
        "rounds": rounds,
        "non_root_nodes": non_roots,
        "seconds": elapsed,
        "checked_against_union_find": checked,
    }


def _child(args: list[str]) -> dict[str, Any]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "RAY_DEDUP_CHILD": "1"}
    proc = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line[7:])
            return result
    raise RuntimeError(f"child {args} failed:\n{proc.stderr[-3000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--edges", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--skip-clean", action="store_true")
    parser.add_argument("--skip-cc", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--child", nargs="+", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        if kind == "clean":
            result = clean_run(rest[0], int(rest[1]), args.path, args.copies)
        else:
            result = components_run(int(rest[0]), args.partitions)
        print("RESULT " + json.dumps(result))
        return 0
    figures: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    if not args.skip_clean:
        runs = [
            _child(["clean", engine, str(w)])
            for engine, w in (("local", 1), ("local", 2), ("ray", 1), ("ray", 2))
        ]
        figures["clean"] = runs
        ray1 = next(r for r in runs if r["engine"] == "ray" and r["workers"] == 1)
        print(f"clean: {runs[0]['documents']} documents, {runs[0]['mb']:.1f} MB\n")
        print("| engine | workers | seconds | MB/s | speed-up over Ray 1 |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for r in runs:
            print(
                f"| {r['engine']} | {r['workers']} | {r['seconds']:.1f} | {r['mb_per_s']:.3f} | "
                f"{ray1['seconds'] / r['seconds']:.2f} |"
            )
        print()
    if not args.skip_cc:
        figures["components"] = []
        print("| edges | nodes | rounds | non-root nodes | seconds | checked |")
        print("| ---: | ---: | ---: | ---: | ---: | --- |")
        for edges in args.edges:
            try:
                r = _child(["cc", str(edges)])
            except RuntimeError as exc:
                print(f"| {edges:,} | failed: {str(exc).splitlines()[-1][:80]} | | | | |")
                continue
            figures["components"].append(r)
            print(
                f"| {r['edges']:,} | {r['nodes']:,} | {r['rounds']} | {r['non_root_nodes']:,} | "
                f"{r['seconds']:.1f} | {r['checked_against_union_find']} |",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
