"""Coverage-guided fuzzing of dedup's public functions with atheris, for a fixed time.

Each target feeds the fuzzer's bytes to one function (``clean``, ``repair``, ``normalize``,
``find_duplicates``) as text read in four ways: as UTF-16/UTF-32 code points (surrogates
included), as UTF-8 with undecodable bytes kept as surrogate escapes, as Windows-1252 (mojibake
material), and as a page built from the bytes (words of many scripts, paragraph breaks,
punctuation, entities, controls) that is then doubled, flattened or teased, so that the duplicate
finder's deeper paths are reachable. Every result is checked as the property tests check it
(``tests/test_fuzz.py``): a ``str`` out, edits in bounds that replay.

An exception or a broken property does not stop the run: the input is written to the crash
directory (``<kind>-<sha1>``, with the traceback beside it as ``.txt``) and the fuzzer goes on.
At the end a table gives executions, coverage (libFuzzer's ``cov`` and ``ft`` counters), the
crashes and the property failures per target.

    pip install atheris
    python benchmarks/fuzz_atheris.py --target clean --seconds 600
    python benchmarks/fuzz_atheris.py --target all --seconds 600 --jobs 2 --crashes fuzz-crashes

Add each input it finds to ``tests/data/fuzz_regressions.json``, so the test suite replays it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

TARGETS = ("clean", "repair", "normalize", "find_duplicates")

# --------------------------------------------------------------------------------------------
# Building a page from the fuzzer's bytes

_VOCABULARY = (
    "le site donne davantage de détails sur logiciel question privée annonce gratuite "
    "über straße größer the quick brown fox jumps over lazy dog niño año corazón Łódź "
    "zażółć привет мир новости статья καλημέρα κόσμε مرحبا بالعالم الأخبار שלום עולם "
    "חדשות 中文 新闻 今天 日本語 テキスト 東京 สวัสดี ข่าววันนี้ 2024 3.14 example.com e.g. U.S. Dr. "
    "z.B. Node.js user@example.com https://example.org/a?b=c&d=e"
)
_WORDS = tuple(_VOCABULARY.split())
_PIECES = (
    " ",
    " ",
    " ",
    ". ",
    ", ",
    "! ",
    "? ",
    ".",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    "  ",
    "&amp;",
    "&#8217;",
    "&eacute;",
    "&#xD800;",
    "&lt;b&gt;",
    "\x00",
    "\x1b[0m",
    "\u200b",
    "\ufeff",
    "\u0301",
    "\u202e",
    "\ud800",
    "\udcff",
    "\U0001f600",
    "\u2028",
    "\xa0",
    "\u00c3\u00a9",
    "\u00e2\u20ac\u2122",
    "\u00ab",
    "\u00bb",
    "\u201c",
    "\u201d",
    "\u2026",
    "-",
    "\u2014",
)


def _page(data: bytes) -> str:
    """A page built from ``data``: byte pairs pick words and pieces; the first byte picks how
    the body is repeated (paragraphed and flattened, glued, teaser, three copies)."""
    if not data:
        return ""
    layout, body = data[0], data[1:]
    parts = []
    for i in range(0, len(body) - 1, 2):
        choice = body[i] << 8 | body[i + 1]
        if choice % 4:
            word = _WORDS[choice % len(_WORDS)]
            parts.append(word.capitalize() if choice & 0x100 else word)
        else:
            parts.append(_PIECES[(choice >> 2) % len(_PIECES)])
        if choice % 3 == 0:
            parts.append(" ")
    text = "".join(parts)
    paragraphs = [p for p in text.split("\n") if p]
    mode = layout % 6
    if mode == 1:  # a flattened copy after the paragraphed one
        return text + "\n" + "".join(paragraphs)
    if mode == 2:  # a glued copy first
        return " ".join(paragraphs) + "\n\n" + text
    if mode == 3:  # a teaser
        return (paragraphs[0] if paragraphs else "")[: layout + 20] + "\n" + text
    if mode == 4:  # three copies
        return "\n".join([text, "".join(paragraphs), text])
    if mode == 5:  # the copy altered a little: every other paragraph dropped
        return text + "\n\n" + "".join(paragraphs[::2])
    return text


def _text(data: bytes) -> str:
    """The fuzzer's bytes as text, one of four ways (chosen by the first byte)."""
    import atheris  # type: ignore[import-untyped,unused-ignore]

    if not data:
        return ""
    how, rest = data[0] % 4, data[1:]
    if how == 0:
        return str(atheris.FuzzedDataProvider(rest).ConsumeUnicode(len(rest)))
    if how == 1:
        return rest.decode("utf-8", "surrogateescape")
    if how == 2:
        return rest.decode("cp1252", "replace")
    return _page(rest)


# --------------------------------------------------------------------------------------------
# The checks (the same as tests/test_fuzz.py)


def _check_edits(dedup: Any, text: str, edits: Any, result: str) -> None:
    for edit in edits:
        if not 0 <= edit.start <= edit.end <= len(text):
            raise AssertionError(f"edit out of bounds: {edit}")
        if edit.kept is not None and not 0 <= edit.kept.start <= edit.kept.end <= len(text):
            raise AssertionError(f"kept span out of bounds: {edit}")
    if dedup.apply_edits(text, edits) != result:
        raise AssertionError("the edits do not replay")


def _checks(dedup: Any, idempotence: bool) -> dict[str, Callable[[str], None]]:
    def clean(text: str) -> None:
        result = dedup.clean(text, explain=True)
        if not isinstance(result.text, str):
            raise AssertionError("clean returned no str")
        stage_input = text
        for stage in result.stages:
            out = dedup.apply_edits(stage_input, stage.edits)
            _check_edits(dedup, stage_input, stage.edits, out)
            stage_input = out
        if dedup.replay(text, result.stages) != result.text:
            raise AssertionError("the stages do not replay")
        if idempotence and dedup.clean(result.text) != result.text:
            raise AssertionError("clean is not idempotent")

    def repair(text: str) -> None:
        result = dedup.repair(text)
        if not isinstance(result.text, str):
            raise AssertionError("repair returned no str")
        _check_edits(dedup, text, result.edits, result.text)
        if idempotence and dedup.repair(result.text).text != result.text:
            raise AssertionError("repair is not idempotent")

    def normalize(text: str) -> None:
        result = dedup.normalize(text)
        _check_edits(dedup, text, result.edits, result.text)
        result.text.encode("utf-8")
        split = dedup.split_glued(result.text)
        _check_edits(dedup, result.text, split.edits, split.text)

    def find_duplicates(text: str) -> None:
        for pair in dedup.find_duplicates(text):
            for span in (pair.first, pair.second):
                if not 0 <= span.start <= span.end <= len(text):
                    raise AssertionError(f"span out of bounds: {pair}")
            if pair.first.start > pair.second.start or not 0.0 <= pair.score <= 1.0:
                raise AssertionError(f"malformed pair: {pair}")

    return {
        "clean": clean,
        "repair": repair,
        "normalize": normalize,
        "find_duplicates": find_duplicates,
    }


# --------------------------------------------------------------------------------------------
# The worker: one target under libFuzzer


def _worker(target: str, crashes: Path, stats_path: Path, idempotence: bool) -> None:
    import atheris  # type: ignore[import-untyped,unused-ignore]

    with atheris.instrument_imports(include=["dedup"]):
        import dedup
    check = _checks(dedup, idempotence)[target]
    dedup.clean("warm up: the first call builds the character tables")
    crashes.mkdir(parents=True, exist_ok=True)
    stats: dict[str, Any] = {"target": target, "executions": 0, "crashes": 0, "failures": 0,
                             "signatures": {}}  # fmt: skip
    last_write = time.monotonic()

    def write_stats() -> None:
        tmp = stats_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stats), encoding="utf-8")
        os.replace(tmp, stats_path)

    def one_input(data: bytes) -> None:
        nonlocal last_write
        stats["executions"] += 1
        text = _text(data)
        try:
            check(text)
        except Exception as exc:
            kind = "failure" if isinstance(exc, AssertionError) else "crash"
            stats["failures" if kind == "failure" else "crashes"] += 1
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            signature = f"{type(exc).__name__}: {str(exc)[:80]} @ {Path(frame.filename).name}:"
            signature += str(frame.lineno)
            seen = stats["signatures"].setdefault(signature, 0)
            stats["signatures"][signature] = seen + 1
            if seen < 20:  # keep a few inputs of each kind
                digest = hashlib.sha1(data).hexdigest()
                (crashes / f"{target}-{kind}-{digest}").write_bytes(data)
                (crashes / f"{target}-{kind}-{digest}.txt").write_text(
                    json.dumps({"target": target, "input": text}) + "\n" + traceback.format_exc(),
                    encoding="utf-8",
                    errors="backslashreplace",
                )
        now = time.monotonic()
        if now - last_write > 2:
            write_stats()
            last_write = now

    write_stats()
    atheris.Setup(sys.argv[:1] + _libfuzzer_flags(), one_input)
    atheris.Fuzz()


_FLAGS: list[str] = []


def _libfuzzer_flags() -> list[str]:
    return _FLAGS


# --------------------------------------------------------------------------------------------
# The driver: targets in subprocesses, a table at the end

_COV = re.compile(r"#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+)")


def _run_target(
    target: str, seconds: int, crashes: Path, work: Path, idempotence: bool, max_len: int
) -> subprocess.Popen[bytes]:
    corpus = work / f"corpus-{target}"
    corpus.mkdir(parents=True, exist_ok=True)
    log = (work / f"{target}.log").open("wb")
    command = [
        sys.executable, __file__, "--worker", target, "--crashes", str(crashes),
        "--stats", str(work / f"{target}.json"),
        *(["--idempotence"] if idempotence else []),
        "--", f"-max_total_time={seconds}", f"-max_len={max_len}", "-timeout=120",
        "-rss_limit_mb=4096", f"-artifact_prefix={crashes}/{target}-", "-print_final_stats=1",
        str(corpus),
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)


def _summary(target: str, work: Path, seconds: float, code: int | None) -> dict[str, Any]:
    stats_path = work / f"{target}.json"
    stats = json.loads(stats_path.read_text(encoding="utf-8")) if stats_path.exists() else {}
    log = (work / f"{target}.log").read_text(encoding="utf-8", errors="replace")
    found = _COV.findall(log)
    runs = re.search(r"stat::number_of_executed_units: (\d+)", log)
    return {
        "target": target,
        "seconds": round(seconds),
        "executions": int(runs.group(1)) if runs else int(found[-1][0]) if found else 0,
        "cov": int(found[-1][1]) if found else 0,
        "ft": int(found[-1][2]) if found else 0,
        "crashes": stats.get("crashes", 0),
        "failures": stats.get("failures", 0),
        "fuzzer_exit": code,
        "libfuzzer_artifacts": len(re.findall(r"Test unit written to", log)),
        "signatures": stats.get("signatures", {}),
    }


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if "--" in args_in:
        cut = args_in.index("--")
        args_in, _FLAGS[:] = args_in[:cut], args_in[cut + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", default="all", help=f"one of {', '.join(TARGETS)}, or all")
    parser.add_argument("--seconds", type=int, default=60, help="fuzzing time per target")
    parser.add_argument("--jobs", type=int, default=1, help="targets fuzzed at once")
    parser.add_argument("--crashes", type=Path, default=Path("fuzz-crashes"))
    parser.add_argument("--work", type=Path, default=None, help="logs and corpora (a temp dir)")
    parser.add_argument("--max-len", type=int, default=8192, help="largest input, in bytes")
    parser.add_argument(
        "--idempotence", action="store_true", help="also check that a second pass changes nothing"
    )
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--stats", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(args_in)
    if args.worker:
        _worker(args.worker, args.crashes.resolve(), args.stats, args.idempotence)
        return 0
    targets = list(TARGETS) if args.target == "all" else args.target.split(",")
    unknown = sorted(set(targets) - set(TARGETS))
    if unknown:
        parser.error(f"unknown target {', '.join(unknown)}: use {', '.join(TARGETS)} or all")
    if args.work is None:
        import tempfile

        args.work = Path(tempfile.mkdtemp(prefix="dedup-fuzz-"))
    args.work.mkdir(parents=True, exist_ok=True)
    crashes = args.crashes.resolve()
    crashes.mkdir(parents=True, exist_ok=True)
    pending = list(targets)
    running: dict[str, tuple[subprocess.Popen[bytes], float]] = {}
    rows = []
    while pending or running:
        while pending and len(running) < max(1, args.jobs):
            target = pending.pop(0)
            process = _run_target(
                target, args.seconds, crashes, args.work, args.idempotence, args.max_len
            )
            running[target] = (process, time.monotonic())
        time.sleep(1)
        for target, (process, started) in list(running.items()):
            code = process.poll()
            if code is not None or time.monotonic() - started > args.seconds + 300:
                if code is None:
                    process.kill()
                    code = process.wait()
                del running[target]
                rows.append(_summary(target, args.work, time.monotonic() - started, code))
    print(f"\nlogs and corpora: {args.work}; crash inputs: {crashes}\n")
    header = ("target", "seconds", "executions", "cov", "ft", "crashes", "failures")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for row in rows:
        print(" | ".join(f"{row[h]:,}" if isinstance(row[h], int) else str(row[h]) for h in header))
    for row in rows:
        for signature, count in row["signatures"].items():
            print(f"{row['target']}: {count} x {signature}")
    (args.work / "summary.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 1 if any(r["crashes"] or r["failures"] or r["libfuzzer_artifacts"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
