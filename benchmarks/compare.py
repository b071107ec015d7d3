"""dedup against the peer tools, run for real on ``../shared/eval``, in one run.

    pip install -e '.[benchmarks]'
    python benchmarks/compare.py [--data ../shared/eval] [--out docs] [--max-size 10000000]

Four comparisons, each tool in its own process (so that peak memory is its own):

- inside one document (``repair-dev.jsonl``): doing nothing (the baseline), keep-first exact
  line and sentence dedup (``benchmarks/repair_eval.py``), trafilatura's ``deduplicate`` (its
  extractor on the paragraphs as HTML, with its own per-document LRU cache; the default
  repetitions allowed, and ``MAX_REPETITIONS = 0`` so that the second copy of a paragraph
  goes), datatrove's ``GopherRepetitionFilter`` (it drops whole documents: a dropped document
  scores as empty text, and the drops are counted), ``dedup.repair`` alone and ``dedup.clean``.
  Scores per damage family as the evaluation README prescribes
  (:func:`dedup.evaluation.score_families`); the README's per-family table (do nothing, line
  and sentence dedup, ``dedup.repair``, ``dedup.clean``) is printed and stored in
  ``results.json`` as ``readme_families``.
- across documents (``neardup-dev.jsonl``): datasketch ``MinHashLSH`` and rensa
  (``benchmarks/neardup_eval.py``), datatrove's MinHash pipeline (signature, buckets, cluster
  stages on a local executor), and ``dedup.corpus``: pairwise precision, recall, F1.
- mojibake (``mojibake/``, ftfy's cases): ``ftfy.fix_text`` against ``dedup.normalize``.
- growth: CPU seconds of one call against document size (1 KB to ``--max-size``) on synthetic
  doubled documents, per tool: paragraphs of repair-dev ``clean`` gold texts, then the same body
  flattened, built by ``repair_scale.doubled`` (past the paragraph pool each round rotates the
  letters, so the body never repeats itself, as in a long article). The calls are
  single-threaded, so their CPU time equals the wall time on a quiet machine; on a shared one,
  other load inflates wall time and not CPU time. User and kernel time are kept apart
  (``resource.getrusage``): the kernel's share is the page faults of fresh memory, which jump
  where a tool's arrays outgrow what the allocator reuses (glibc maps blocks over 32 MB
  afresh).

Throughput is characters of input per second: of CPU time for the tools that run in one thread
(inside one document, mojibake, growth), of wall time for the cross-document pipelines (some run
stages of their own); peak memory is the process' peak resident set
above what it held once its imports and the data were loaded. Writes ``OUT/results.json``,
``OUT/img/*.png`` and prints the Markdown tables that ``docs/results.md`` holds.
"""

from __future__ import annotations

import argparse
import functools
import html
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from neardup_eval import (
    datasketch_clusters,
    dedup_clusters,
    pairwise,
    rensa_clusters,
)
from normalize_bench import _ftfy_style
from repair_eval import line_dedup, nothing, sentence_dedup
from repair_scale import cpu_calls, doubled

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
PEERS = ("dedup-text", "ftfy", "trafilatura", "datatrove", "datasketch", "rensa", "numpy", "ray")

REPAIR_TOOLS = (
    "nothing",
    "line-dedup",
    "sentence-dedup",
    "trafilatura",
    "trafilatura-rep0",
    "gopher",
    "dedup.repair",
    "dedup",
)
# in the repair section: baselines, not peers ("dedup" there is dedup.clean)
NOT_PEERS = ("nothing", "dedup.repair")
# the README's per-family table: the tool, its column heading
README_COLUMNS = (
    ("nothing", "do nothing"),
    ("line-dedup", "keep-first line dedup"),
    ("sentence-dedup", "keep-first sentence dedup"),
    ("dedup.repair", "`dedup.repair`"),
    ("dedup", "`dedup.clean`"),
)
NEARDUP_TOOLS = (
    "datasketch-0.5",
    "datasketch-0.7",
    "rensa-0.5",
    "rensa-0.7",
    "datatrove-minhash",
    "dedup",
)
MOJIBAKE_TOOLS = ("ftfy", "dedup")
GROWTH_TOOLS = ("line-dedup", "sentence-dedup", "trafilatura-rep0", "gopher", "dedup")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# ---------------------------------------------------------------------------- the tools


def _as_html(text: str) -> str:
    paras = "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n") if line.strip())
    return f"<html><body><article>{paras}</article></body></html>"


def trafilatura_tool(max_repetitions: int | None) -> Callable[[str], str]:
    """trafilatura's extractor with ``deduplicate`` on, a fresh LRU cache per document."""
    import trafilatura
    from trafilatura.deduplication import LRUCache
    from trafilatura.settings import use_config

    config = use_config()
    if max_repetitions is not None:
        config.set("DEFAULT", "MAX_REPETITIONS", str(max_repetitions))

    def run(text: str) -> str:
        out = trafilatura.extract(
            _as_html(text),
            deduplicate=LRUCache(maxsize=4096),
            favor_recall=True,
            config=config,
        )
        return out or ""

    return run


def gopher_tool() -> tuple[Callable[[str], str], list[int]]:
    """datatrove's Gopher repetition filter: the text when kept, else empty (drops counted)."""
    from datatrove.data import Document
    from datatrove.pipeline.filters import GopherRepetitionFilter

    gopher = GopherRepetitionFilter()
    dropped = [0]

    def run(text: str) -> str:
        verdict = gopher.filter(Document(text=text, id="x"))
        keep = verdict if isinstance(verdict, bool) else verdict[0]
        if keep:
            return text
        dropped[0] += 1
        return ""

    return run, dropped


def repair_tool(name: str) -> tuple[Callable[[str], str], list[int] | None]:
    import dedup

    if name == "nothing":
        return nothing, None
    if name == "line-dedup":
        return line_dedup, None
    if name == "sentence-dedup":
        return sentence_dedup, None
    if name == "trafilatura":
        return trafilatura_tool(None), None
    if name == "trafilatura-rep0":
        return trafilatura_tool(0), None
    if name == "gopher":
        return gopher_tool()
    if name == "dedup.repair":
        return (lambda text: dedup.repair(text).text), None
    if name == "dedup":
        return dedup.clean, None
    raise ValueError(name)


def datatrove_clusters(texts: Sequence[str]) -> list[int]:
    """datatrove's MinHash stages (signature, buckets, cluster) on a local executor."""
    import struct

    from datatrove.data import Document
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupSignature,
    )
    from datatrove.utils.hashing import HashConfig

    # sha1 shingle hashes: datatrove's xxhash path passes str, which xxhash 4 refuses.
    config = MinhashConfig(hash_config=HashConfig(precision=64, hash_fc="sha1"))
    docs = [Document(text=t, id=str(i)) for i, t in enumerate(texts)]
    with tempfile.TemporaryDirectory() as tmp:
        LocalPipelineExecutor(
            [docs, MinhashDedupSignature(output_folder=f"{tmp}/sigs", config=config)],
            tasks=1,
            logging_dir=f"{tmp}/log1",
        ).run()
        LocalPipelineExecutor(
            [
                MinhashDedupBuckets(
                    input_folder=f"{tmp}/sigs", output_folder=f"{tmp}/buckets", config=config
                )
            ],
            tasks=config.num_buckets,
            workers=1,
            logging_dir=f"{tmp}/log2",
        ).run()
        LocalPipelineExecutor(
            [
                MinhashDedupCluster(
                    input_folder=f"{tmp}/buckets",
                    output_folder=f"{tmp}/remove",
                    config=config,
                    save_cluster_id=True,
                )
            ],
            tasks=1,
            logging_dir=f"{tmp}/log3",
        ).run()
        labels = list(range(len(texts)))
        path = Path(tmp) / "remove" / "000000.clusters"
        if path.exists():
            data = path.read_bytes()
            for doc, cluster in struct.iter_unpack("<II", data):
                labels[doc] = len(texts) + cluster
    return labels


def neardup_tool(name: str) -> Callable[[Sequence[str]], list[int]]:
    if name.startswith("datasketch-"):
        t = float(name.split("-")[1])
        return lambda texts: datasketch_clusters(texts, t)
    if name.startswith("rensa-"):
        t = float(name.split("-")[1])
        return lambda texts: rensa_clusters(texts, t)
    if name == "datatrove-minhash":
        return datatrove_clusters
    if name == "dedup":
        return lambda texts: dedup_clusters(texts, 0.75)
    raise ValueError(name)


# ---------------------------------------------------------------------------- the runs


def run_repair(data: Path, name: str) -> dict[str, Any]:
    from dedup.evaluation import score_families

    records = _read_jsonl(data / "repair-dev.jsonl")
    tool, dropped = repair_tool(name)
    tool(records[0]["text"])  # warm up (imports, caches)
    base = _rss_mb()
    # CPU time: every tool here runs in this one thread, and a busy machine inflates wall time
    started = time.process_time()
    outputs = [tool(r["text"]) for r in records]
    seconds = time.process_time() - started
    scores = score_families(records, outputs)
    order = list(dict.fromkeys(r["family"] for r in records))  # as in the data file
    lost = None
    if dropped is not None:
        lost = {}
        for r, out in zip(records, outputs, strict=True):
            if out == "" and r["text"]:
                lost[r["family"]] = lost.get(r["family"], 0) + 1
    return {
        "tool": name,
        "records": len(records),
        "chars": sum(len(r["text"]) for r in records),
        "seconds": seconds,
        "peak_mb": _rss_mb() - base,
        "families": {
            f: {
                "records": s.records,
                "exact": s.exact,
                "similarity": s.similarity,
                "unchanged": s.unchanged,
            }
            for f, s in sorted(scores.items(), key=lambda item: order.index(item[0]))
        },
        "dropped": lost,
    }


def run_neardup(data: Path, name: str) -> dict[str, Any]:
    records = _read_jsonl(data / "neardup-dev.jsonl")
    texts = [r["text"] for r in records]
    truth = [r["cluster"] for r in records]
    tool = neardup_tool(name)
    tool(texts[:20])  # warm up
    base = _rss_mb()
    started = time.perf_counter()
    labels = tool(texts)
    seconds = time.perf_counter() - started
    p, r, f = pairwise(labels, truth)
    return {
        "tool": name,
        "records": len(texts),
        "chars": sum(map(len, texts)),
        "seconds": seconds,
        "peak_mb": _rss_mb() - base,
        "precision": p,
        "recall": r,
        "f1": f,
    }


def run_mojibake(data: Path, name: str) -> dict[str, Any]:
    import ftfy

    from dedup import normalize

    def fix(text: str) -> str:
        if name == "ftfy":
            return str(ftfy.fix_text(text))
        return normalize(text, collapse_spaces=False).text

    files: dict[str, dict[str, int]] = {}
    chars = 0
    seconds = 0.0
    fix("warm up: CafÃ© &amp; more")  # patterns compiled on first use are not the cases' cost
    base = _rss_mb()
    for part in ("in-the-wild", "synthetic", "language-names", "negative", "known-failures"):
        cases = json.loads((data / "mojibake" / f"{part}.json").read_text("utf-8"))
        good = lenient = 0
        for case in cases:
            chars += len(case["original"])
            started = time.process_time()
            out = fix(case["original"])
            seconds += time.process_time() - started
            good += out == case["fixed"]
            lenient += _ftfy_style(out) == _ftfy_style(case["fixed"])
        files[part] = {"cases": len(cases), "fixed": good, "lenient": lenient}
    return {
        "tool": name,
        "chars": chars,
        "seconds": seconds,
        "peak_mb": _rss_mb() - base,
        "files": files,
    }


def growth_paragraphs(data: Path) -> list[str]:
    """The paragraphs (over 80 characters) of repair-dev ``clean`` gold texts, as
    ``benchmarks/repair_scale.py`` takes them."""
    records = _read_jsonl(data / "repair-dev.jsonl")
    paragraphs = [p for r in records if r["family"] == "clean" for p in r["gold"].split("\n\n")]
    return [p for p in paragraphs if len(p) > 80]


def run_growth(data: Path, name: str, sizes: list[int], budget: float) -> dict[str, Any]:
    """CPU seconds of one single-threaded call per size, user and kernel apart (other load on a
    shared machine inflates wall time, not CPU time). Each size is called three times, or as
    many as 20 CPU seconds allow (at least once), and the fastest call is kept."""
    tool, _ = repair_tool(name)
    paragraphs = growth_paragraphs(data)
    tool(doubled(paragraphs, 2000))
    points = []
    for size in sizes:
        text = doubled(paragraphs, size)
        calls = cpu_calls(functools.partial(tool, text), 3, budget=20.0)
        user, kernel = min(calls, key=sum)
        points.append(
            {
                "size": size,
                "chars": len(text),
                "seconds": user,
                "kernel": kernel,
                "calls": len(calls),
            }
        )
        print("POINT " + json.dumps(points[-1]), flush=True)  # kept if a later size times out
        if user + kernel > budget:
            break
    return {"tool": name, "clock": "getrusage user", "points": points}


# ---------------------------------------------------------------------------- the driver


def _child(args: list[str], timeout: float, options: Sequence[str] = ()) -> dict[str, Any]:
    """Run one tool in its own process; ``options`` (``--data``, ``--budget``) go with it."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    try:
        proc = subprocess.run(
            [sys.executable, __file__, *options, "--child", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        done = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        points = [json.loads(x[6:]) for x in done.splitlines() if x.startswith("POINT ")]
        if args[0] == "growth" and points:
            return {"tool": args[1], "points": points, "timed_out": timeout}
        return {"tool": args[1], "error": f"timed out after {timeout:.0f} s"}
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line[7:])
            return result
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return {"tool": args[1], "error": tail[:200]}


def _commit() -> str:
    """The checkout's commit, and how many tracked files differ from it."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    changed = [line for line in git("status", "--porcelain", "-uno").splitlines() if line]
    return f"{git('rev-parse', '--short', 'HEAD')} ({len(changed)} tracked files modified)"


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PEERS:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=EVAL)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--max-size", type=int, default=10_000_000)
    parser.add_argument("--budget", type=float, default=120.0, help="growth: stop a tool past this")
    parser.add_argument(
        "--growth-timeout", type=float, default=1800.0, help="growth: seconds per tool in all"
    )
    parser.add_argument("--only", nargs="+", default=None, help="repair neardup mojibake growth")
    parser.add_argument(
        "--render", action="store_true", help="only print the tables and plots of OUT/results.json"
    )
    parser.add_argument("--child", nargs="+", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.render:
        saved = json.loads((args.out / "results.json").read_text("utf-8"))
        print(render(saved))
        plots(saved, args.out / "img")
        return 0
    if args.child:
        kind, name, *rest = args.child
        if kind == "repair":
            result = run_repair(args.data, name)
        elif kind == "neardup":
            result = run_neardup(args.data, name)
        elif kind == "mojibake":
            result = run_mojibake(args.data, name)
        else:
            result = run_growth(args.data, name, [int(s) for s in rest], args.budget)
        print("RESULT " + json.dumps(result))
        return 0

    only = set(args.only or ("repair", "neardup", "mojibake", "growth"))
    options = ["--data", str(args.data), "--budget", str(args.budget)]
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": "python benchmarks/compare.py " + " ".join(argv or sys.argv[1:]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "versions": versions(),
        "load_average_at_start": [round(x, 1) for x in os.getloadavg()],
        "commit": _commit(),
    }
    path = args.out / "results.json"
    if path.exists():
        previous = json.loads(path.read_text("utf-8"))
        for key in ("repair", "neardup", "mojibake", "growth"):
            if key not in only and key in previous:
                results[key] = previous[key]
    stamp = {
        "date": results["date"],
        "command": results["command"].strip(),
        "commit": results["commit"],
    }
    for key in ("repair", "neardup", "mojibake", "growth"):
        if key in only:
            results[f"{key}_run"] = stamp
        elif path.exists() and f"{key}_run" in previous:
            results[f"{key}_run"] = previous[f"{key}_run"]
    if "repair" in only:
        results["repair"] = [_child(["repair", t], 1800, options) for t in REPAIR_TOOLS]
    results["readme_families"] = readme_families(results)
    if "neardup" in only:
        results["neardup"] = [_child(["neardup", t], 1800, options) for t in NEARDUP_TOOLS]
    if "mojibake" in only:
        results["mojibake"] = [_child(["mojibake", t], 600, options) for t in MOJIBAKE_TOOLS]
    if "growth" in only:
        sizes = [
            s
            for s in (
                1_000,
                3_000,
                10_000,
                30_000,
                100_000,
                300_000,
                1_000_000,
                3_000_000,
                10_000_000,
            )
            if s <= args.max_size
        ]
        results["growth"] = [
            _child(["growth", t, *map(str, sizes)], args.growth_timeout, options)
            for t in GROWTH_TOOLS
        ]
    args.out.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(render(results))
    plots(results, args.out / "img")
    return 0


# ---------------------------------------------------------------------------- tables, plots


def _ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}" if reference else "-"


def render(results: dict[str, Any]) -> str:
    out = [
        f"Run {results['date']} on {results['machine']} (load average at start "
        f"{results.get('load_average_at_start', '?')}): `{results['command'].strip()}`.",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in results["versions"].items()) + ".",
        "",
    ]
    stamps = [
        f"- {key}: {results[key + '_run']['date']}, `{results[key + '_run']['command']}`"
        f", at commit {results[key + '_run'].get('commit', '?')}"
        for key in ("repair", "neardup", "mojibake", "growth")
        if key + "_run" in results
    ]
    if stamps:
        out += ["Sections run:", "", *stamps, ""]
    out += summary(results)
    out += readme_table(results)
    repair = [r for r in results.get("repair", []) if "error" not in r]
    if repair:
        families = list(repair[0]["families"])
        ref = next((r for r in repair if r["tool"] == "dedup"), repair[-1])
        ref_speed = ref["chars"] / ref["seconds"]
        out += ["### Inside one document (repair-dev): exact-match rate per family", ""]
        out.append("| family | n | " + " | ".join(_label(r["tool"]) for r in repair) + " |")
        out.append("| --- | ---: |" + " ---: |" * len(repair))
        for fam in families:
            n = repair[0]["families"][fam]["records"]
            key = "unchanged" if fam == "clean" else "exact"
            cells = [f"{r['families'][fam][key]:.2f}" for r in repair]
            label = f"{fam} (unchanged)" if fam == "clean" else fam
            out.append(f"| {label} | {n} | " + " | ".join(cells) + " |")
        out.append(
            f"| mean similarity, all | {repair[0]['records']} | "
            + " | ".join(f"{_mean_similarity(r):.3f}" for r in repair)
            + " |"
        )
        out.append(
            "| documents dropped | | "
            + " | ".join(
                str(sum(r["dropped"].values())) if r["dropped"] is not None else "-" for r in repair
            )
            + " |"
        )
        out.append(
            "| MB/s | | "
            + " | ".join(
                "-" if r["tool"] == "nothing" else f"{r['chars'] / r['seconds'] / 1e6:.3f}"
                for r in repair
            )
            + " |"
        )
        out.append(
            "| speed / dedup | | "
            + " | ".join(
                "-" if r["tool"] == "nothing" else _ratio(r["chars"] / r["seconds"], ref_speed)
                for r in repair
            )
            + " |"
        )
        out.append("| peak MB | | " + " | ".join(f"{r['peak_mb']:.0f}" for r in repair) + " |")
        out.append("")
    errors = [
        r
        for key in ("repair", "neardup", "mojibake", "growth")
        for r in results.get(key, [])
        if "error" in r
    ]
    neardup = [r for r in results.get("neardup", []) if "error" not in r]
    if neardup:
        ref = next((r for r in neardup if r["tool"] == "dedup"), neardup[-1])
        out += [f"### Across documents (neardup-dev, {neardup[0]['records']:,} records)", ""]
        out.append("| tool | precision | recall | F1 | docs/s | speed / dedup | peak MB |")
        out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in neardup:
            out.append(
                f"| {r['tool']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | "
                f"{r['records'] / r['seconds']:,.0f} | {_ratio(ref['seconds'], r['seconds'])} | "
                f"{r['peak_mb']:.0f} |"
            )
        out.append("")
    moji = [r for r in results.get("mojibake", []) if "error" not in r]
    if moji:
        out += [
            "### Mojibake (ftfy's own cases): output equal to the expected text",
            "",
            "In brackets: equal once both pass through ftfy's quote, ligature and width fixes "
            "(which dedup's normalisation leaves alone on purpose).",
            "",
        ]
        parts = list(moji[0]["files"])
        out.append("| tool | " + " | ".join(parts) + " | chars/s | peak MB |")
        out.append("| --- |" + " ---: |" * (len(parts) + 2))
        for r in moji:
            cells = [
                f"{r['files'][p]['fixed']}/{r['files'][p]['cases']} ({r['files'][p]['lenient']})"
                for p in parts
            ]
            out.append(
                f"| {r['tool']} | "
                + " | ".join(cells)
                + f" | {r['chars'] / r['seconds']:,.0f} | {r['peak_mb']:.0f} |"
            )
        out.append("")
    growth = [r for r in results.get("growth", []) if "error" not in r]
    if growth:
        out += [
            "### CPU seconds of one call against document size (synthetic doubled documents)",
            "",
        ]
        sizes = sorted({_size(p) for r in growth for p in r["points"]})
        out.append(
            "| tool | "
            + " | ".join(f"{s:,}" for s in sizes)
            + " | exponent | 10 MB / 1 MB | exponent, with kernel | 10 MB / 1 MB, with kernel |"
        )
        out.append("| --- |" + " ---: |" * (len(sizes) + 4))
        for r in growth:
            by = {_size(p): p["seconds"] for p in r["points"]}
            cells = [f"{by[s]:.4f}" if s in by else "-" for s in sizes]
            with_kernel = _with_kernel(r["points"])
            out.append(
                f"| {_label(r['tool'])} | "
                + " | ".join(cells)
                + f" | {exponent(r['points']):.2f} | {_growth_ratio(r['points'])} | "
                + f"{exponent(with_kernel):.2f} | {_growth_ratio(with_kernel)} |"
            )
        out.append("")
        out.append(
            "Columns: the size asked for (the document is within a paragraph of it), and user CPU "
            "seconds of the single-threaded call (the fastest of three calls, or of those that "
            "fit 20 CPU seconds), which other load on the machine does not inflate. "
            "exponent: the slope of log(seconds) against log(size) over the documents of "
            "100,000 characters and more (1.0: linear); 10 MB / 1 MB: the ratio of the two "
            "times, for ten times the text. The last two columns count kernel time too: the "
            "page faults of fresh memory, which grow by a step where a tool's arrays outgrow "
            "what the allocator reuses (see the findings)."
        )
        out.append("")
    for r in errors:
        out.append(f"- not run: {r.get('tool', '?')}: {r['error']}")
    return "\n".join(out)


def _label(tool: str) -> str:
    """The name shown for a tool in the repair and growth tables and plots."""
    return "dedup.clean" if tool == "dedup" else tool


def _size(point: dict[str, Any]) -> int:
    return int(point.get("size", point["chars"]))


def _with_kernel(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The growth points with kernel time added to user time (points of a run that did not
    measure them apart are left as they were)."""
    return [{**p, "seconds": p["seconds"] + p.get("kernel", 0.0)} for p in points]


def _growth_ratio(points: list[dict[str, Any]]) -> str:
    by = {_size(p): p["seconds"] for p in points}
    if 1_000_000 in by and 10_000_000 in by and by[1_000_000] > 0:
        return f"{by[10_000_000] / by[1_000_000]:.1f}"
    return "-"


def readme_families(results: dict[str, Any]) -> dict[str, Any] | None:
    """The README's per-family table: exact-match rate per family (``clean``: share left
    unchanged; ``real_jsonld``: mean similarity) for do nothing, line and sentence dedup,
    ``dedup.repair`` and ``dedup.clean``."""
    by = {r["tool"]: r for r in results.get("repair", []) if "error" not in r}
    columns = [(tool, title) for tool, title in README_COLUMNS if tool in by]
    if not columns:
        return None
    first = by[columns[0][0]]
    rows = []
    for fam, scores in first["families"].items():
        key = {"clean": "unchanged", "real_jsonld": "similarity"}.get(fam, "exact")
        label = {"clean": "clean (unchanged)", "real_jsonld": "real_jsonld (similarity)"}
        rows.append(
            {
                "family": label.get(fam, fam),
                "records": scores["records"],
                "values": [by[tool]["families"][fam][key] for tool, _ in columns],
            }
        )
    return {"columns": [title for _, title in columns], "rows": rows}


def readme_table(results: dict[str, Any]) -> list[str]:
    table = readme_families(results)
    if table is None:
        return []
    out = [
        "### Per damage family (the README's table)",
        "",
        "Exact-match rate against the gold text (similarity for `real_jsonld`, share unchanged "
        "for `clean`).",
        "",
        "| family | n | " + " | ".join(table["columns"]) + " |",
        "| --- | ---: |" + " ---: |" * len(table["columns"]),
    ]
    for row in table["rows"]:
        cells = " | ".join(f"{v:.3f}" for v in row["values"])
        out.append(f"| {row['family']} | {row['records']} | {cells} |")
    out.append("")
    return out


def _damaged_exact(r: dict[str, Any]) -> float:
    fams = [f for name, f in r["families"].items() if name not in ("clean", "real_jsonld")]
    return float(sum(f["exact"] * f["records"] for f in fams) / sum(f["records"] for f in fams))


def summary(results: dict[str, Any]) -> list[str]:
    """The short table for the README: dedup and the best peer of each comparison."""
    rows: list[str] = []
    repair = [r for r in results.get("repair", []) if "error" not in r]
    neardup = [r for r in results.get("neardup", []) if "error" not in r]
    moji = [r for r in results.get("mojibake", []) if "error" not in r]

    def line(task: str, metric: str, tools: list[dict[str, Any]], value: Any, fmt: str) -> None:
        ours = next((t for t in tools if t["tool"] == "dedup"), None)
        peers = [t for t in tools if t["tool"] != "dedup" and t["tool"] not in NOT_PEERS]
        if ours is None or not peers:
            return
        best = max(peers, key=value)
        rows.append(
            f"| {task} | {metric} | {format(value(ours), fmt)} | "
            f"{format(value(best), fmt)} ({best['tool']}) |"
        )

    line(
        "repair inside a document",
        "exact-match rate, damaged records",
        repair,
        _damaged_exact,
        ".2f",
    )
    line(
        "repair inside a document",
        "clean pages left unchanged",
        repair,
        lambda r: r["families"]["clean"]["unchanged"],
        ".2f",
    )
    line(
        "repair inside a document",
        "MB/s (one core)",
        repair,
        lambda r: r["chars"] / r["seconds"] / 1e6,
        ".2f",
    )
    line("near-duplicate documents", "pairwise F1", neardup, lambda r: r["f1"], ".3f")
    line(
        "near-duplicate documents",
        "documents/s (one core)",
        neardup,
        lambda r: r["records"] / r["seconds"],
        ",.0f",
    )
    fixable = ("in-the-wild", "synthetic", "language-names")

    def share(key: str) -> Callable[[dict[str, Any]], float]:
        """The share of ftfy's fixable cases a tool got right, by the count ``key``."""
        return lambda r: (
            sum(r["files"][p][key] for p in fixable) / sum(r["files"][p]["cases"] for p in fixable)
        )

    line("mojibake (ftfy's cases)", "fixed as ftfy's tests expect", moji, share("fixed"), ".2f")
    line(
        "mojibake (ftfy's cases)",
        "the same, quotes, ligatures and widths aside",
        moji,
        share("lenient"),
        ".2f",
    )
    line(
        "mojibake (ftfy's cases)",
        "negative cases left alone",
        moji,
        lambda r: r["files"]["negative"]["fixed"] / r["files"]["negative"]["cases"],
        ".2f",
    )
    if not rows:
        return []
    return [
        "### Summary (the README's table)",
        "",
        "| task | measure | dedup | best peer |",
        "| --- | --- | ---: | ---: |",
        *rows,
        "",
    ]


def _mean_similarity(r: dict[str, Any]) -> float:
    total = sum(f["similarity"] * f["records"] for f in r["families"].values())
    return float(total / r["records"])


def exponent(points: list[dict[str, float]]) -> float:
    import numpy as np

    big = [p for p in points if _size(p) >= 100_000 and p["seconds"] > 0]
    if len(big) < 2:
        return float("nan")
    x = np.log([p["chars"] for p in big])
    y = np.log([p["seconds"] for p in big])
    return float(np.polyfit(x, y, 1)[0])


def plots(results: dict[str, Any], folder: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    repair = [r for r in results.get("repair", []) if "error" not in r]
    if repair:
        families = list(repair[0]["families"])
        fig, ax = plt.subplots(figsize=(11, 4.5))
        width = 0.8 / len(repair)
        x = np.arange(len(families))
        for i, r in enumerate(repair):
            values = [r["families"][f]["unchanged" if f == "clean" else "exact"] for f in families]
            ax.bar(x + i * width, values, width, label=_label(r["tool"]))
        ax.set_xticks(x + 0.4 - width / 2, families, rotation=25, ha="right")
        ax.set_ylabel("exact-match rate (clean: unchanged)")
        ax.set_ylim(0, 1.02)
        date = results.get("repair_run", results)["date"]
        ax.set_title(f"Repair inside one document, per damage family ({date})")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        fig.tight_layout()
        fig.savefig(folder / "quality_per_family.png", dpi=110)
        plt.close(fig)
    growth = [r for r in results.get("growth", []) if "error" not in r]
    if growth:
        fig, ax = plt.subplots(figsize=(7, 5))
        for r in growth:
            # a call too short for the clock to see has no place on a log scale
            shown = [p for p in r["points"] if p["seconds"] > 0]
            xs = [p["chars"] for p in shown]
            ys = [p["seconds"] for p in shown]
            slope = exponent(r["points"])
            line = ax.loglog(xs, ys, marker="o", label=f"{_label(r['tool'])} (slope {slope:.2f})")
            if r["tool"] == "dedup" and any(p.get("kernel") for p in r["points"]):
                total = _with_kernel(shown)
                ax.loglog(
                    xs,
                    [p["seconds"] for p in total],
                    linestyle="--",
                    color=line[0].get_color(),
                    label=f"{_label(r['tool'])}, with kernel time (slope {exponent(total):.2f})",
                )
        # the linear reference goes through dedup's first point of 100,000 characters or more
        ours = next((r for r in growth if r["tool"] == "dedup"), None)
        anchor = next(
            (p for p in (ours or {}).get("points", []) if _size(p) >= 100_000 and p["seconds"]),
            None,
        )
        xs = np.array([1e3, 1e7])
        scale = anchor["seconds"] / anchor["chars"] if anchor else 1e-7
        ax.loglog(xs, xs * scale, "k:", label="linear (slope 1)")
        ax.set_xlabel("document size (characters)")
        ax.set_ylabel("user CPU seconds, one call")
        ax.set_title(f"Cost against document size ({results.get('growth_run', results)['date']})")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(folder / "growth.png", dpi=110)
        plt.close(fig)


if __name__ == "__main__":
    raise SystemExit(main())
