"""Resource bounds: very long documents, the documented size cap, and an index on a full disk.

- ``RepairOptions.max_doc_chars`` (default 50,000,000; ``--max-doc-chars`` on the command line)
  is the documented fallback: a longer document comes back from ``repair`` and
  ``find_duplicates`` unchanged, with no edits, and ``clean`` still normalises it.
  ``normalize`` has no cap: it is linear (ftfy sees one line at a time, in pieces of
  ``ftfy``'s ``max_decode_length``), and one line of any length is fine.
- One single line of ``DEDUP_BIG_LINE_MB`` million characters (default 2, to keep the suite
  fast; ``DEDUP_BIG_LINE_MB=20`` and ``=200`` are run by hand, see docs/reliability.md) goes
  through ``clean`` in a subprocess, which reports its peak memory: it must stay within a
  generous multiple of the text's size.
- An index whose files cannot grow (``RLIMIT_FSIZE`` in a subprocess: a full disk as SQLite
  sees it) raises an error on the batch that does not fit, and the index stays sound, holding
  exactly the batches committed before.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import dedup
from dedup import RepairOptions
from dedup.corpus import Index

TIMEOUT = 900  # a subprocess that takes longer has hung: fail loudly
BIG_MB = int(os.environ.get("DEDUP_BIG_LINE_MB", "2"))

_E = "\N{LATIN SMALL LETTER E WITH ACUTE}"
PARAGRAPHS = [
    f"Le site donne davantage de d{_E}tails sur le logiciel en question, qui serait "
    f"utilis{_E} par la police.",
    "Il serait question de cent \N{LATIN SMALL LETTER A WITH GRAVE} cinq cents recherches "
    f"durant la p{_E}riode d'essai du service en ligne.",
    f"Les autorit{_E}s n'ont pas r{_E}pondu aux questions de la r{_E}daction.",
]
DOUBLED = "\n\n".join(PARAGRAPHS) + "\n\n" + "".join(PARAGRAPHS)
REPAIRED = "\n\n".join(PARAGRAPHS)


# --------------------------------------------------------------------------------------------
# The documented cap


def test_repair_leaves_a_document_over_the_cap_unchanged() -> None:
    assert dedup.repair(DOUBLED).text == REPAIRED  # under the cap: repaired
    over = dedup.repair(DOUBLED, max_doc_chars=len(DOUBLED) - 1)
    assert over.text == DOUBLED
    assert over.edits == ()
    assert dedup.repair(DOUBLED, max_doc_chars=len(DOUBLED)).text == REPAIRED
    assert dedup.repair(DOUBLED, max_doc_chars=0).text == REPAIRED  # 0: no cap


def test_find_duplicates_reports_nothing_over_the_cap() -> None:
    assert dedup.find_duplicates(DOUBLED)
    assert dedup.find_duplicates(DOUBLED, max_doc_chars=len(DOUBLED) - 1) == []


def test_clean_still_normalises_a_document_over_the_cap() -> None:
    damaged = DOUBLED.replace(_E, "\N{LATIN CAPITAL LETTER A WITH TILDE}\N{COPYRIGHT SIGN}")
    options = RepairOptions(max_doc_chars=len(DOUBLED) - 1)  # repair sees the normalised text
    result = dedup.clean(damaged, repair_options=options, explain=True)
    # Mojibake fixed and glued sentences split, but the copy stays: repair did not run.
    assert result.text == dedup.split_glued(DOUBLED).text
    assert [s.name for s in result.stages if s.edits] == ["normalize", "split"]
    assert dedup.clean(damaged) == REPAIRED


def test_cli_max_doc_chars(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": "a", "text": DOUBLED}) + "\n", encoding="utf-8")
    common = [sys.executable, "-m", "dedup", "clean", str(path), "-q", "-j", "1"]
    capped = subprocess.run(
        [*common, "--max-doc-chars", str(len(DOUBLED) - 1)],
        capture_output=True, text=True, timeout=TIMEOUT, check=True,
    )  # fmt: skip
    assert json.loads(capped.stdout)["text"] == dedup.split_glued(DOUBLED).text
    full = subprocess.run(common, capture_output=True, text=True, timeout=TIMEOUT, check=True)
    assert json.loads(full.stdout)["text"] == REPAIRED


def test_cli_one_line_text_file_over_the_cap(tmp_path: Path) -> None:
    """A plain text file of one line (no newline at the end) over ``--max-doc-chars``: the
    command exits 0 and writes the normalised line, byte-equal to the input when there is
    nothing to normalise, with the line break a text file ends with (the case of
    ``benchmarks/limits_bench.py``, at a small size)."""
    line = " ".join(PARAGRAPHS * 3)  # three copies in one line
    damaged = line.replace(_E, "\N{LATIN CAPITAL LETTER A WITH TILDE}\N{COPYRIGHT SIGN}")
    cap = str(len(line) - 1)
    for name, text, expected in [("clean.txt", line, line), ("mojibake.txt", damaged, line)]:
        path, out = tmp_path / name, tmp_path / f"out-{name}"
        path.write_bytes(text.encode("utf-8"))
        done = subprocess.run(
            [sys.executable, "-m", "dedup", "clean", str(path), "-o", str(out), "-j", "1",
             "--max-doc-chars", cap],
            capture_output=True, text=True, timeout=TIMEOUT,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        assert out.read_bytes() == (expected + "\n").encode("utf-8"), name
        assert "1 document over --max-doc-chars: normalised only, not repaired" in done.stderr
    assert dedup.find_duplicates(line)  # under the cap the copies are found
    assert dedup.find_duplicates(line, max_doc_chars=len(line) - 1) == []


def test_repair_options_refuse_a_negative_cap() -> None:
    with pytest.raises(dedup.ConfigError, match="max_doc_chars"):
        RepairOptions(max_doc_chars=-1)


# --------------------------------------------------------------------------------------------
# One very long line

_BIG_LINE = textwrap.dedent(
    """
    import json, resource, sys, time
    import dedup

    size, kind, cap = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    sentence = ("Le site donne davantage de d\\u00e9tails sur le logiciel en question. "
                "Priv\\u00c3\\u00a9e &amp; gratuite, 2024. ")
    if kind == "prose":  # sentences without a line break, a little mojibake in every one
        text = (sentence * (size // len(sentence) + 1))[:size]
    elif kind == "word":  # one word
        text = "a" * size
    else:  # a doubled body in one line (no mojibake: normalising changes nothing)
        sentence = "Le site donne davantage de d\\u00e9tails sur le logiciel en question. "
        half = (sentence * (size // (2 * len(sentence)) + 1))[: size // 2]
        text = half + half
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.process_time()
    options = dedup.RepairOptions(max_doc_chars=cap)
    out = dedup.clean(text, repair_options=options)
    print(json.dumps({
        "chars": len(text),
        "out_chars": len(out),
        "is_str": isinstance(out, str),
        "cpu_s": round(time.process_time() - start, 2),
        "rss_before_mb": before / 1024,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))
    """
)


def _big_line(kind: str, size: int, cap: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _BIG_LINE, str(size), kind, str(cap)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, float] = json.loads(done.stdout)
    return result


# Peak memory may reach this many bytes per character of the line, over the interpreter's own
# (measured: about 60 for repair's arrays over the text; the bound is generous).
BYTES_PER_CHAR = 200


@pytest.mark.parametrize("kind", ["prose", "word", "doubled"])
def test_one_long_line(kind: str) -> None:
    size = BIG_MB * 1_000_000
    result = _big_line(kind, size, RepairOptions().max_doc_chars)
    assert result["is_str"]
    assert result["chars"] == size
    assert 0 < result["out_chars"] <= size
    grown = (result["peak_rss_mb"] - result["rss_before_mb"]) * 2**20
    assert grown <= BYTES_PER_CHAR * size, result


def test_one_long_line_over_the_cap_is_cheap() -> None:
    """Over ``max_doc_chars`` only normalisation runs: memory stays a small multiple."""
    size = BIG_MB * 1_000_000
    result = _big_line("word", size, size // 2)
    assert result["out_chars"] == size  # unchanged
    grown = (result["peak_rss_mb"] - result["rss_before_mb"]) * 2**20
    assert grown <= 40 * size, result


# --------------------------------------------------------------------------------------------
# A full disk

_FILL = textwrap.dedent(
    """
    import resource, signal, sys
    from dedup.corpus import Index

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa".split()

    def docs(prefix, n):
        return [(f"{prefix}{i}", " ".join(words[(i * k) % 10] + str(i % 50 + k)
                                         for k in range(60))) for i in range(n)]

    with Index(sys.argv[1]) as index:
        index.add_many(docs("a", 200))
        limit = int(sys.argv[2])
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        try:
            index.add_many(docs("b", 1000))
        except Exception as exc:
            print(type(exc).__module__ + "." + type(exc).__name__, exc, flush=True)
        else:
            print("stored", flush=True)
        print(len(index), flush=True)
    """
)


def _sound(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        assert [r[0] for r in db.execute("PRAGMA integrity_check")] == ["ok"]
    finally:
        db.close()
    with Index(path, readonly=True) as index:
        assert index.check() == []
        return index.ids()


def test_index_on_a_full_disk_raises_and_stays_sound(tmp_path: Path) -> None:
    path = tmp_path / "seen.db"
    done = subprocess.run(
        [sys.executable, "-c", _FILL, str(path), "300000"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    error, count = done.stdout.strip().split("\n")
    assert error.startswith("sqlite3.OperationalError"), error  # disk I/O error or disk full
    assert count == "200"  # the writer still sees only the committed batch
    assert _sound(path) == [f"a{i}" for i in range(200)]
    with Index(path) as index:  # room again: the index takes the batch
        index.add_many((f"b{i}", f"document number {i} after the disk had room") for i in range(50))
    assert len(_sound(path)) == 250


def _limit_fsize(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.fixture(scope="module")
def full_disk_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    """``dedup corpus --index`` on an index of 100 documents whose files cannot grow."""
    root = tmp_path_factory.mktemp("full-disk")
    with Index(root / "seen.db") as index:
        index.add_many((f"old{i}", f"an earlier document, number {i} of them") for i in range(100))
    with (root / "in.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(400):
            text = " ".join(f"word{(i * 31 + k * 7) % 900}" for k in range(60))
            fh.write(json.dumps({"id": f"r{i}", "text": text}) + "\n")
    limit = max(p.stat().st_size for p in root.iterdir()) + 16_384
    done = subprocess.run(
        [sys.executable, "-m", "dedup", "corpus", "in.jsonl", "-o", "out.jsonl",
         "--index", "seen.db", "-q"],
        cwd=root, capture_output=True, text=True, timeout=TIMEOUT,
        preexec_fn=lambda: _limit_fsize(limit),
    )  # fmt: skip
    return root, done.stderr, done.returncode


def test_cli_index_on_a_full_disk(full_disk_run: tuple[Path, str, int]) -> None:
    root, stderr, code = full_disk_run
    assert code != 0
    assert "disk" in stderr  # SQLite's "disk I/O error" or "database or disk is full"
    # the output is written before the index is: it is whole, and the index kept its batches
    written = (root / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(written) == len({json.loads(line)["id"] for line in written}) > 0
    assert _sound(root / "seen.db") == [f"old{i}" for i in range(100)]


def test_cli_full_disk_error_is_one_line(full_disk_run: tuple[Path, str, int]) -> None:
    _, stderr, _ = full_disk_run
    assert "Traceback" not in stderr
    assert stderr.startswith("Error: ")
