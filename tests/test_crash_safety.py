"""Crash safety: ``dedup clean`` and ``dedup corpus --index`` killed with SIGKILL at random points.

Each run starts the command in a subprocess and kills it (SIGKILL, the whole process group)
once it has used a seeded random share of the CPU time that a full run takes, so the kill
points spread over the whole run (start-up, reading, working, writing, renaming) however loaded
the machine is. Then:

- no partial output is visible: each output is absent or byte-equal to a full run's;
- the input is intact (sha256);
- the index opens, passes ``PRAGMA integrity_check`` and :meth:`Index.check`, keeps every
  document of an earlier run, and holds exactly the documents of the batches this run
  committed (a prefix of the input in batches of 2,000);
- a rerun of the same command completes the work.

``DEDUP_KILL_RUNS`` sets the number of kills (split between the two commands; default 6),
``DEDUP_KILL_SEED`` the first seed. ``DEDUP_KILL_RUNS=200`` is the full campaign.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dedup.corpus import Index

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="kill points are measured in /proc CPU time"
)

RUNS = int(os.environ.get("DEDUP_KILL_RUNS", "6"))
SEED = int(os.environ.get("DEDUP_KILL_SEED", "0"))
# dedup corpus --index adds its records in batches of --index-batch records (one transaction
# each). The corpus runs pass BATCH so that a few thousand records make several batches; the
# code path is the same.
BATCH = 2000
TIMEOUT = 300  # a run that takes longer than this has hung: fail loudly

_VOCABULARY = (
    "le site donne davantage de détails sur le logiciel en question privée annonce "
    "gratuite the quick brown fox jumps over the lazy dog über straße größer niño "
    "corazón"
)
_WORDS = tuple(_VOCABULARY.split())


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process and its live descendants (workers)."""
    total = 0.0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        # utime, stime, and the reaped children's cutime, cstime
        total += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
        todo.extend(int(c) for c in children)
    return total


def _command(*args: str) -> list[str]:
    if args and args[0] == "corpus":
        return [sys.executable, "-m", "dedup", *args, "--index-batch", str(BATCH)]
    return [sys.executable, "-m", "dedup", *args]


def _run(args: list[str], cwd: Path) -> tuple[int, float]:
    """Run to completion; the exit code and the CPU time the process used."""
    process = subprocess.Popen(
        args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        _, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        pytest.fail(f"{args} did not finish in {TIMEOUT} s")
    if process.returncode != 0:
        raise AssertionError(f"{args} failed: {stderr.decode(errors='replace')}")
    cpu = _children_cpu()
    return process.returncode, cpu


_LAST_CHILDREN = [0.0]


def _children_cpu() -> float:
    """CPU time of the children reaped since the last call."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    spent, _LAST_CHILDREN[0] = total - _LAST_CHILDREN[0], total
    return spent


def _kill_after(args: list[str], cwd: Path, cpu: float) -> str:
    """Start ``args`` and SIGKILL its process group once it has used ``cpu`` seconds of CPU.

    Returns ``"killed"``, or ``"finished"`` if it ended first."""
    _children_cpu()
    process = subprocess.Popen(
        args,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + TIMEOUT
    outcome = "finished"
    while process.poll() is None:
        if _cpu_seconds(process.pid) >= cpu:
            os.killpg(process.pid, signal.SIGKILL)
            outcome = "killed"
            break
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            pytest.fail(f"{args} did not finish in {TIMEOUT} s")
        time.sleep(0.002)
    code = process.wait()
    if outcome == "finished" and code != 0:
        raise AssertionError(f"{args} exited with {code} before the kill")
    if outcome == "killed" and code != -signal.SIGKILL:
        outcome = "finished"  # it had already exited when the signal came
    _children_cpu()
    return outcome


def _visible(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir() if not p.name.startswith(".")}


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# --------------------------------------------------------------------------------------------
# dedup clean: JSONL in, JSONL out (and a report)


@dataclass(frozen=True)
class CleanCase:
    root: Path
    input: Path
    input_sha: str
    output: bytes
    report: bytes
    cpu: float


def _page(rng: random.Random) -> str:
    paragraphs = [
        " ".join(rng.choice(_WORDS) for _ in range(rng.randint(15, 50))).capitalize() + "."
        for _ in range(rng.randint(2, 5))
    ]
    text = "\n\n".join(paragraphs)
    if rng.random() < 0.5:
        text += "\n" + "".join(paragraphs)  # a flattened copy: repair removes it
    if rng.random() < 0.2:
        text = text.replace("é", "\N{LATIN CAPITAL LETTER A WITH TILDE}\N{COPYRIGHT SIGN}")
    return text


CLEAN_ARGS = ["clean", "in.jsonl", "-o", "out.jsonl", "--report", "report.jsonl", "-q"]


@pytest.fixture(scope="module")
def clean_case(tmp_path_factory: pytest.TempPathFactory) -> CleanCase:
    root = tmp_path_factory.mktemp("clean-reference")
    rng = random.Random(20261128)
    with (root / "in.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(300):
            record = {"id": f"doc-{i}", "url": f"https://site{i % 5}.example/{i}"}
            fh.write(json.dumps({**record, "text": _page(rng)}, ensure_ascii=False) + "\n")
    _children_cpu()
    _, cpu = _run(_command(*CLEAN_ARGS, "-j", "1"), root)
    return CleanCase(
        root,
        root / "in.jsonl",
        _sha256(root / "in.jsonl"),
        (root / "out.jsonl").read_bytes(),
        (root / "report.jsonl").read_bytes(),
        cpu,
    )


def _seeds(command: str) -> Iterator[int]:
    """Seeds of the kills of one kind: half of DEDUP_KILL_RUNS for clean, the rest for corpus
    (a third of those right after a batch commits, the others at random CPU points)."""
    corpus = RUNS - RUNS // 2
    share = {"clean": RUNS // 2, "between": corpus // 3, "corpus": corpus - corpus // 3}[command]
    return iter(range(SEED, SEED + share))


@pytest.mark.parametrize("seed", list(_seeds("clean")))
def test_clean_killed_at_random(clean_case: CleanCase, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    work = tmp_path
    (work / "in.jsonl").write_bytes(clean_case.input.read_bytes())
    jobs = rng.choice(["1", "1", "2"])
    args = _command(*CLEAN_ARGS, "-j", jobs)
    outcome = _kill_after(args, work, rng.uniform(0.0, 1.05) * clean_case.cpu)

    assert _sha256(work / "in.jsonl") == clean_case.input_sha, "the input changed"
    visible = _visible(work)
    assert visible <= {"in.jsonl", "out.jsonl", "report.jsonl"}, visible
    for name, full in (("out.jsonl", clean_case.output), ("report.jsonl", clean_case.report)):
        if name in visible:
            assert (work / name).read_bytes() == full, f"{name} is visible but partial"
    # A temporary file may stay behind after SIGKILL: hidden, named .NAME.*.tmp.
    for name in _leftovers(work):
        assert name.startswith((".out.jsonl.", ".report.jsonl.")), name

    force = ["--force"] if visible - {"in.jsonl"} else []
    _run(_command(*CLEAN_ARGS, "-j", jobs, *force), work)
    assert (work / "out.jsonl").read_bytes() == clean_case.output
    assert (work / "report.jsonl").read_bytes() == clean_case.report
    assert _sha256(work / "in.jsonl") == clean_case.input_sha
    _record("clean", seed, outcome, visible, _leftovers(work))


# --------------------------------------------------------------------------------------------
# dedup corpus --index


@dataclass(frozen=True)
class CorpusCase:
    root: Path
    input_sha: str
    ids: list[str]
    earlier: Path  # an index of an earlier run (other ids), copied before each kill
    earlier_ids: set[str]
    output: bytes
    cpu: float


def _corpus_records(rng: random.Random, prefix: str, count: int) -> Iterator[dict[str, str]]:
    texts: list[str] = []
    for i in range(count):
        if texts and rng.random() < 0.15:
            text = rng.choice(texts)  # an exact duplicate
        else:
            text = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 30)))
            texts.append(text)
        yield {"id": f"{prefix}-{i}", "text": text}


def _write_jsonl(path: Path, records: Iterator[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


CORPUS_ARGS = ["corpus", "day2.jsonl", "-o", "unique.jsonl", "--index", "seen.db", "-q"]


@pytest.fixture(scope="module")
def corpus_case(tmp_path_factory: pytest.TempPathFactory) -> CorpusCase:
    root = tmp_path_factory.mktemp("corpus-reference")
    rng = random.Random(7)
    _write_jsonl(root / "day1.jsonl", _corpus_records(rng, "day1", 500))
    _write_jsonl(root / "day2.jsonl", _corpus_records(rng, "day2", 2 * BATCH + 300))
    _run(_command("corpus", "day1.jsonl", "-o", "day1.out.jsonl", "--index", "day1.db", "-q"), root)
    with Index(root / "day1.db", readonly=True) as index:
        earlier_ids = set(index.ids())
    (root / "seen.db").write_bytes((root / "day1.db").read_bytes())
    _children_cpu()
    _, cpu = _run(_command(*CORPUS_ARGS), root)
    ids = [json.loads(line)["id"] for line in (root / "day2.jsonl").open(encoding="utf-8")]
    return CorpusCase(
        root,
        _sha256(root / "day2.jsonl"),
        ids,
        root / "day1.db",
        earlier_ids,
        (root / "unique.jsonl").read_bytes(),
        cpu,
    )


def _index_state(path: Path) -> tuple[list[str], list[str]]:
    """The integrity check's findings and the ids in the index, read with plain sqlite3 (the
    WAL is recovered as any reader would)."""
    db = sqlite3.connect(path)
    try:
        problems = [r[0] for r in db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        ids = (
            [r[0] for r in db.execute("SELECT id FROM docs ORDER BY doc")]
            if "docs" in tables
            else []
        )
    finally:
        db.close()
    return problems, ids


def _prepare_corpus(case: CorpusCase, work: Path) -> None:
    (work / "day2.jsonl").write_bytes((case.root / "day2.jsonl").read_bytes())
    (work / "seen.db").write_bytes(case.earlier.read_bytes())


@pytest.mark.parametrize("seed", list(_seeds("corpus")))
def test_corpus_index_killed_at_random(corpus_case: CorpusCase, tmp_path: Path, seed: int) -> None:
    rng = random.Random(1_000_003 * (seed + 1))
    work = tmp_path
    _prepare_corpus(corpus_case, work)
    outcome = _kill_after(_command(*CORPUS_ARGS), work, rng.uniform(0.0, 1.05) * corpus_case.cpu)

    assert _sha256(work / "day2.jsonl") == corpus_case.input_sha, "the input changed"
    visible = _visible(work)
    if "unique.jsonl" in visible:
        assert (work / "unique.jsonl").read_bytes() == corpus_case.output, "partial output"
    problems, ids = _index_state(work / "seen.db")
    assert problems == [], problems
    assert set(ids) >= corpus_case.earlier_ids, "documents of an earlier run were lost"
    new = [i for i in ids if i not in corpus_case.earlier_ids]
    committed = len(new)
    assert committed % BATCH == 0 or committed == len(corpus_case.ids), committed
    assert new == corpus_case.ids[:committed], "the index holds a batch that was not committed"
    with Index(work / "seen.db", readonly=True) as index:
        assert index.check() == []
        assert len(index) == len(corpus_case.earlier_ids) + committed

    force = ["--force"] if "unique.jsonl" in visible else []
    _run(_command(*CORPUS_ARGS, *force), work)
    assert (work / "unique.jsonl").read_bytes() == corpus_case.output, (
        "the rerun wrote another output"
    )
    with Index(work / "seen.db", readonly=True) as index:
        assert index.check() == []
        assert len(index) == len(corpus_case.earlier_ids) + len(corpus_case.ids)
    assert _sha256(work / "day2.jsonl") == corpus_case.input_sha
    _record("corpus", seed, outcome, visible, _leftovers(work), committed=committed)


def _kill_after_commits(args: list[str], cwd: Path, index: Path, target: int) -> int:
    """Start ``args`` and SIGKILL it as soon as ``index`` holds at least ``target`` documents
    (the moment a batch has committed, with the next one under way). Returns the count seen."""
    process = subprocess.Popen(
        args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + TIMEOUT
    count = 0
    db = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    try:
        while process.poll() is None and time.monotonic() < deadline:
            try:
                count = int(db.execute("SELECT count(*) FROM docs").fetchone()[0])
            except sqlite3.OperationalError:  # busy or not yet readable: look again
                count = 0
            if count >= target:
                os.killpg(process.pid, signal.SIGKILL)
                break
            time.sleep(0.001)
    finally:
        db.close()
    if process.poll() is None and time.monotonic() >= deadline:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return count


@pytest.mark.parametrize("seed", list(_seeds("between")))
def test_corpus_index_killed_between_batches(
    corpus_case: CorpusCase, tmp_path: Path, seed: int
) -> None:
    """Killed right after batch 1 or 2 commits, while the next is being written: the index
    holds exactly the committed batches, and a rerun completes it."""
    work = tmp_path
    _prepare_corpus(corpus_case, work)
    batches = 1 + seed % 2
    target = len(corpus_case.earlier_ids) + batches * BATCH
    _kill_after_commits(_command(*CORPUS_ARGS), work, work / "seen.db", target)
    problems, ids = _index_state(work / "seen.db")
    assert problems == [], problems
    assert set(ids) >= corpus_case.earlier_ids
    new = [i for i in ids if i not in corpus_case.earlier_ids]
    committed = len(new)
    assert committed >= batches * BATCH
    assert committed % BATCH == 0 or committed == len(corpus_case.ids), committed
    assert new == corpus_case.ids[:committed]
    with Index(work / "seen.db", readonly=True) as index:
        assert index.check() == []
    visible = _visible(work)
    if "unique.jsonl" in visible:
        assert (work / "unique.jsonl").read_bytes() == corpus_case.output, "partial output"
    force = ["--force"] if "unique.jsonl" in visible else []
    _run(_command(*CORPUS_ARGS, *force), work)
    assert (work / "unique.jsonl").read_bytes() == corpus_case.output, (
        "the rerun wrote another output"
    )
    with Index(work / "seen.db", readonly=True) as index:
        assert index.check() == []
        assert len(index) == len(corpus_case.earlier_ids) + len(corpus_case.ids)
    _record("between", seed, "killed", visible, _leftovers(work), committed=committed)


def test_corpus_rerun_after_a_kill_writes_every_record(
    corpus_case: CorpusCase, tmp_path: Path
) -> None:
    """Killed once a batch of this run is in the index, the output that holds those records is
    already in place, whole: no record is ever only in the index (where a rerun would take it
    for seen before and write it nowhere)."""
    work = tmp_path
    _prepare_corpus(corpus_case, work)
    process = subprocess.Popen(
        _command(*CORPUS_ARGS), cwd=work, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + TIMEOUT
    committed = 0
    while process.poll() is None and time.monotonic() < deadline:
        _, ids = _index_state(work / "seen.db")
        committed = len(ids) - len(corpus_case.earlier_ids)
        if committed >= BATCH:
            os.killpg(process.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    process.wait()
    assert committed >= BATCH, "the run ended before a batch was committed"
    assert (work / "unique.jsonl").read_bytes() == corpus_case.output


# --------------------------------------------------------------------------------------------
# dedup corpus --index on more records than one batch of the default size (20,000): whatever
# point the kill comes at, a rerun with --force writes what one uninterrupted run writes.

BIG_RECORDS = 45_000
BIG_RUNS = int(os.environ.get("DEDUP_KILL_BIG_RUNS", "1"))
BIG_ARGS = ["corpus", "day2.jsonl", "-o", "unique.jsonl", "--index", "seen.db", "-q"]


@pytest.fixture(scope="module")
def big_case(tmp_path_factory: pytest.TempPathFactory) -> CorpusCase:
    root = tmp_path_factory.mktemp("corpus-big-reference")
    rng = random.Random(11)
    _write_jsonl(root / "day1.jsonl", _corpus_records(rng, "day1", 500))
    _write_jsonl(root / "day2.jsonl", _corpus_records(rng, "day2", BIG_RECORDS))
    day1 = [sys.executable, "-m", "dedup", "corpus", "day1.jsonl", "-o", "d1.jsonl"]
    _run([*day1, "--index", "day1.db", "-q"], root)
    with Index(root / "day1.db", readonly=True) as index:
        earlier_ids = set(index.ids())
    (root / "seen.db").write_bytes((root / "day1.db").read_bytes())
    _children_cpu()
    _, cpu = _run([sys.executable, "-m", "dedup", *BIG_ARGS], root)
    ids = [json.loads(line)["id"] for line in (root / "day2.jsonl").open(encoding="utf-8")]
    return CorpusCase(
        root,
        _sha256(root / "day2.jsonl"),
        ids,
        root / "day1.db",
        earlier_ids,
        (root / "unique.jsonl").read_bytes(),
        cpu,
    )


@pytest.mark.parametrize("seed", range(SEED, SEED + BIG_RUNS))
def test_a_rerun_after_a_kill_writes_what_one_run_writes(
    big_case: CorpusCase, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(7_000_003 * (seed + 1))
    work = tmp_path
    _prepare_corpus(big_case, work)
    args = [sys.executable, "-m", "dedup", *BIG_ARGS]
    outcome = _kill_after(args, work, rng.uniform(0.05, 1.05) * big_case.cpu)
    visible = _visible(work)
    if "unique.jsonl" in visible:
        assert (work / "unique.jsonl").read_bytes() == big_case.output, "partial output"
    _, ids = _index_state(work / "seen.db")
    committed = len(ids) - len(big_case.earlier_ids)
    _run([*args, "--force"], work)
    assert (work / "unique.jsonl").read_bytes() == big_case.output, (
        f"after a kill ({outcome}, {committed} records committed) the rerun wrote another output"
    )
    with Index(work / "seen.db", readonly=True) as index:
        assert index.check() == []
        assert len(index) == len(big_case.earlier_ids) + BIG_RECORDS
    assert _sha256(work / "day2.jsonl") == big_case.input_sha
    _record("big", seed, outcome, visible, _leftovers(work), committed=committed)


# --------------------------------------------------------------------------------------------
# Outcomes, for the campaign's figures: DEDUP_KILL_LOG=PATH appends one JSON line per run.


def _record(
    command: str,
    seed: int,
    outcome: str,
    visible: set[str],
    leftovers: list[str],
    *,
    committed: int | None = None,
) -> None:
    path = os.environ.get("DEDUP_KILL_LOG")
    if not path:
        return
    line = {
        "command": command,
        "seed": seed,
        "outcome": outcome,
        "visible": sorted(visible),
        "leftover_tmp": len(leftovers),
        "committed": committed,
    }
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")
