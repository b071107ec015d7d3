"""The command line, in-process with click's CliRunner: every command, format and error path.

Assertions are on the exit status *and* the output. Contracts hold for any correct stage: the
CLI writes exactly what :func:`dedup.clean` returns for each record, and ``--report`` edits
replay to it.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from click.testing import CliRunner, Result

import dedup
from dedup import cli
from dedup.cli import progress, stages
from dedup.cli.render import render_edits
from dedup.cli.session import EXIT_CODES
from dedup.model import Cleaned, Edit, RepairOptions, Span, Stage, apply_edits

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_4f0cfa5be7925e77.txt"
DOCS = ROOT / "docs" / "cli.md"
SEED_LINES = SEED.read_text(encoding="utf-8").split("\n")
DOUBLED = (
    "A first paragraph of the article, long enough to count as a paragraph of its own.\n\n"
    "A second paragraph that follows it, long enough to count as a paragraph as well.\n\n"
    "A first paragraph of the article, long enough to count as a paragraph of its own."
    "A second paragraph that follows it, long enough to count as a paragraph as well."
)


def run(*args: str, input: bytes | str | None = None) -> Result:
    return CliRunner().invoke(cli.main, list(args), input=input, catch_exceptions=False)


def records(n: int = 5) -> list[dict[str, Any]]:
    texts = [SEED.read_text(encoding="utf-8"), DOUBLED, "Nothing to repair.", "", "caf\u00c3\u00a9"]
    return [
        {"id": f"doc-{i}", "url": f"https://example.org/{i}", "text": texts[i % len(texts)], "n": i}
        for i in range(n)
    ]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    return _compress(path, data)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    elif path.name.endswith(".zst"):
        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    return [json.loads(line) for line in data.decode().splitlines()]


def cleaned(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "text": dedup.clean(r["text"])} for r in rows]


# --- help, version, docs -------------------------------------------------------------------


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"dedup, version {dedup.__version__}\n"


def test_every_command_has_help_an_example_and_a_doc_section() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    shared = re.search(r"^## Shared options$(.*?)(?=^## |\Z)", docs, re.M | re.S)
    assert shared, "docs/cli.md has no section '## Shared options'"
    assert "Exit status" in run("--help").stdout
    for name, command in cli.main.commands.items():
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert command.help, name
        assert "Example:" in result.stdout, name
        assert "Exit status:" in result.stdout, name
        match = re.search(rf"^## `dedup {name}`$(.*?)(?=^## |\Z)", docs, re.M | re.S)
        assert match, f"docs/cli.md has no section '## `dedup {name}`'"
        section = match.group(1) + shared.group(1)
        params = list(command.params)
        if isinstance(command, click.Group):  # dedup index: its commands, in its section
            for sub_name, sub in command.commands.items():
                sub_help = run(name, sub_name, "--help")
                assert sub_help.exit_code == 0, (name, sub_name)
                assert sub.help, (name, sub_name)
                assert "Exit status:" in sub_help.stdout, (name, sub_name)
                assert f"dedup {name} {sub_name}" in section, (name, sub_name)
                params += sub.params
        for param in params:
            for opt in param.opts + param.secondary_opts:
                if opt.startswith("--"):
                    named = re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", section)
                    assert named, f"{opt} of dedup {name} is not in docs/cli.md"
    for code in ("0", "1", "2", "130", "143"):
        assert f"| {code} |" in docs


def test_every_command_reads_its_inputs_with_the_shared_options() -> None:
    shared = ("--field", "--id-field", "--input-format", "--glob", "--errors", "--skip-invalid")
    shared += ("--rejects", "--quiet")

    def described(name: str) -> dict[str, dict[str, Any]]:
        params = cli.main.commands[name].params
        return {opt: p.to_info_dict() for p in params for opt in p.opts if opt in shared}

    reference = described("clean")
    assert set(reference) == set(shared)
    for name in ("find", "diff", "corpus"):
        assert described(name) == reference, name


@pytest.mark.parametrize("name", ["find", "diff"])
def test_the_exit_status_in_help_of_a_report_command_is_its_own(name: str, tmp_path: Path) -> None:
    """``dedup find`` and ``dedup diff`` print to stdout and write no output but
    ``--rejects``, which an existing file refuses (there is no ``--force`` to pass): their help
    says so, and the refusal is exit status 1, as it says."""
    shown = run(name, "--help").stdout
    assert "Exit status:" in shown
    assert "--rejects file could not be written" in shown
    assert "--force" not in shown
    cap = next(p for p in cli.main.commands[name].params if "--max-doc-chars" in p.opts)
    assert "dedup clean still normalises" in str(getattr(cap, "help", ""))
    src, rejects = tmp_path / "r.jsonl", tmp_path / "rejects.jsonl"
    src.write_text('{"text": "a"}\nnot json\n', encoding="utf-8")
    rejects.write_text("", encoding="utf-8")
    result = run(name, str(src), "--skip-invalid", "--rejects", str(rejects))
    assert result.exit_code == 1
    assert "choose another --rejects path" in result.stderr


def test_docs_exit_codes_match_the_help() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for line in EXIT_CODES.splitlines()[2:]:
        code = line.split()[0] if line.startswith("  ") and line.split()[0].isdigit() else None
        if code:
            assert f"| {code} |" in docs


def test_python_dash_m() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "dedup", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.startswith("dedup, version")


def test_the_main_help_lists_every_command_by_its_summary_and_loads_none() -> None:
    """``dedup --help`` names each command by the first line of its help, from the table of
    commands, and loads no command module, nor NumPy or the repair stages: it answers at once."""
    import subprocess
    import sys

    for name in cli.main.commands:
        help_text = cli.main.commands[name].help or ""
        assert cli.COMMANDS.summary(name) == help_text.strip().splitlines()[0], name
    listing = " ".join(run("--help").stdout.split())
    for name in cli.main.commands:
        assert f"{name} {cli.COMMANDS.summary(name)}" in listing, name
    probe = (
        "import sys\n"
        "from dedup.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(set(sys.argv[1:]) & set(sys.modules)))\n"
    )
    heavy = ["numpy", "dedup.pipeline", "dedup.repair", "dedup.corpus.cluster"]
    heavy += [f"dedup.cli.{name}" for name in cli.main.commands]
    done = subprocess.run(
        [sys.executable, "-c", probe, *heavy], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    "name", [["clean"], ["find"], ["diff"], ["corpus"], ["index"], ["index", "stats"]]
)
def test_a_command_help_loads_no_stage(name: list[str]) -> None:
    """``dedup clean --help`` (and every command's) loads its command, not NumPy, the repair
    stages or the corpus stages: they load when a run needs them (``corpus --help`` shows the
    corpus stages' defaults from :mod:`dedup.corpus.defaults`)."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from dedup.cli import main\n"
        "try:\n"
        f"    main([*{name!r}, '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(set(sys.argv[1:]) & set(sys.modules)))\n"
    )
    heavy = [
        "numpy",
        "dedup.pipeline",
        "dedup.repair",
        "dedup.normalize",
        "dedup.corpus.cluster",
        "dedup.corpus.index",
    ]
    done = subprocess.run(
        [sys.executable, "-c", probe, *heavy], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Usage: " in done.stdout
    assert done.stdout.splitlines()[-1] == "[]"


# --- clean: the contracts ------------------------------------------------------------------


def test_clean_text_file_prints_the_repaired_text() -> None:
    result = run("clean", str(SEED), "-q")
    assert result.exit_code == 0
    # ending with a line break, as a text file does (the seed has none)
    assert result.stdout == dedup.clean(SEED.read_text(encoding="utf-8")) + "\n"
    assert result.stderr == ""


def test_clean_seed_keeps_the_first_17_lines() -> None:
    result = run("clean", str(SEED), "-q")
    assert result.exit_code == 0
    assert result.stdout.rstrip("\n") == "\n".join(SEED_LINES[:17])


def test_clean_seed_in_jsonl_keeps_the_first_17_lines(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(1))
    result = run("clean", str(src), "-o", str(tmp_path / "out.jsonl"), "-q")
    assert result.exit_code == 0
    (out,) = read_jsonl(tmp_path / "out.jsonl")
    assert out["text"].rstrip("\n") == "\n".join(SEED_LINES[:17])


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
def test_clean_jsonl_keeps_records_fields_and_order(tmp_path: Path, suffix: str) -> None:
    rows = records(7)
    src = write_jsonl(tmp_path / f"in{suffix}", rows)
    out = tmp_path / f"out{suffix}"
    result = run("clean", str(src), "-o", str(out), "-j", "1")
    assert result.exit_code == 0, result.output
    got = read_jsonl(out)
    assert got == cleaned(rows)
    assert [list(r) for r in got] == [list(r) for r in rows]
    assert "7 documents read" in result.stderr
    assert result.stdout == ""


def test_clean_with_two_jobs_keeps_order(tmp_path: Path) -> None:
    rows = [{"id": i, "text": f"Record number {i}.\n\n" * (1 + i % 3)} for i in range(150)]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    result = run("clean", str(src), "-o", str(tmp_path / "out.jsonl"), "-j", "2", "-q")
    assert result.exit_code == 0, result.output
    assert read_jsonl(tmp_path / "out.jsonl") == cleaned(rows)


def test_two_jobs_write_the_same_bytes_as_one(tmp_path: Path) -> None:
    # the workers parse the lines and make the output, report and rejects lines: all of it
    # must come out byte for byte as when one process does everything
    good = [json.dumps(r, ensure_ascii=False) for r in records(60)]
    bad = ['{"id": "cut", "te', '{"id": "no text"}', '["a list"]']
    lines = [*good[:20], bad[0], *good[20:40], bad[1], *good[40:], bad[2]]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outputs = {}
    for jobs in ("1", "2"):
        out, report, rejects = (tmp_path / f"{name}{jobs}.jsonl" for name in ("o", "r", "x"))
        result = run(
            "clean",
            str(src),
            "-o",
            str(out),
            "--report",
            str(report),
            "--skip-invalid",
            "--rejects",
            str(rejects),
            "-j",
            jobs,
            "-q",
        )
        assert result.exit_code == 0, result.output
        outputs[jobs] = [path.read_bytes() for path in (out, report, rejects)]
    assert outputs["1"] == outputs["2"]
    out, report, rejects = outputs["2"]
    assert [json.loads(line) for line in out.splitlines()] == cleaned(records(60))
    assert len(report.splitlines()) == 60
    assert [json.loads(line)["line"] for line in rejects.splitlines()] == [21, 42, 63]


def test_a_folder_of_text_files_is_cleaned_on_the_workers(tmp_path: Path) -> None:
    """A folder of pages (a document a file) goes to the workers as one stream, not a file at a
    time (each file would fit one chunk and run in the calling process): with two jobs the pool
    runs, and every output, the report and the rejects (an image among the pages, set aside at
    its place) are byte for byte those of one process."""
    pages = tmp_path / "pages"
    pages.mkdir()
    texts = [DOUBLED, "Nothing to repair.", "caf\u00c3\u00a9 cr\u00c3\u00a8me", ""]
    for i in range(40):
        (pages / f"p{i:02d}.txt").write_text(texts[i % len(texts)] + f"\nPage {i}.", "utf-8")
    (pages / "p17.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe binary")
    got = {}
    for jobs in ("1", "2"):
        out, report, rejects = tmp_path / f"o{jobs}", tmp_path / f"r{jobs}", tmp_path / f"x{jobs}"
        args = ["--report", str(report), "--skip-invalid", "--rejects", str(rejects), "-j", jobs]
        result = run("clean", str(pages), "-o", str(out), *args)
        assert result.exit_code == 0, result.output
        assert ("with 2 worker processes" in result.stderr) == (jobs == "2")
        files = {p.name: p.read_bytes() for p in out.iterdir()}
        got[jobs] = (files, report.read_bytes(), rejects.read_bytes())
    assert got["1"] == got["2"]
    files, report, rejects = got["2"]
    assert sorted(files) == [f"p{i:02d}.txt" for i in range(40)]
    assert files["p00.txt"].decode() == dedup.clean(DOUBLED + "\nPage 0.") + "\n"
    assert len(report.splitlines()) == 40
    assert [json.loads(line)["source"] for line in rejects.splitlines()] == [str(pages / "p17.png")]


def test_a_folder_stops_at_a_file_it_cannot_read_with_the_files_before_it_written(
    tmp_path: Path,
) -> None:
    """A compressed page cut short among the pages: the run stops at its turn (exit status 2),
    as when each file is read in its turn, the pages before it written whole, none after."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text(DOUBLED, encoding="utf-8")
    whole = gzip.compress(b"Hello there. " * 1000)
    (pages / "b.txt.gz").write_bytes(whole[: len(whole) // 2])
    (pages / "c.txt").write_text("Plain.", encoding="utf-8")
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        result = run("clean", str(pages), "-o", str(out), "-q", "-j", jobs)
        assert result.exit_code == 2
        assert "the gzip stream is truncated" in result.stderr
        assert "1 of 3 files were written before the run stopped" in result.stderr
        assert [p.name for p in out.iterdir()] == ["a.txt"]


def test_a_file_stopped_while_it_is_synced_is_not_counted_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the third page's output is being synced: that file is not written, and the
    count of files written before the run stopped says two, as the folder holds."""
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(5):
        (pages / f"p{i}.txt").write_text(f"Page {i}.", encoding="utf-8")
    calls = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    out = tmp_path / "out"
    result = run("clean", str(pages), "-o", str(out), "-q", "-j", "1")
    assert result.exit_code == 130
    assert "2 of 5 files were written before the run stopped" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["p0.txt", "p1.txt"]


def test_two_jobs_convert_jsonl_to_parquet(tmp_path: Path) -> None:
    rows = records(40)
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.parquet"
    result = run("clean", str(src), "-o", str(out), "-j", "2", "-q")
    assert result.exit_code == 0, result.output
    assert pq.read_table(out).to_pylist() == cleaned(rows)


def test_clean_parquet_keeps_the_schema(tmp_path: Path) -> None:
    rows = records(5)
    schema = pa.schema(
        [("id", pa.string()), ("url", pa.string()), ("text", pa.string()), ("n", pa.int32())],
        metadata={b"producer": b"crawler"},
    )
    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), src)
    out = tmp_path / "out.parquet"
    result = run("clean", str(src), "-o", str(out), "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.schema.equals(schema, check_metadata=True)
    assert table.to_pylist() == cleaned(rows)


@pytest.mark.parametrize(
    ("src_name", "out_name"), [("in.jsonl", "out.parquet"), ("in.jsonl", "o.txt")]
)
def test_clean_converts_formats(tmp_path: Path, src_name: str, out_name: str) -> None:
    rows = records(3)
    src = write_jsonl(tmp_path / src_name, rows)
    out = tmp_path / out_name
    fmt = ["--format", "parquet"] if out_name.endswith(".parquet") else ["--format", "jsonl"]
    result = run("clean", str(src), "-o", str(out), *fmt, "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    if out_name.endswith(".parquet"):
        assert pq.read_table(out).to_pylist() == cleaned(rows)
    else:
        assert read_jsonl(out) == cleaned(rows)


def test_clean_text_to_jsonl(tmp_path: Path) -> None:
    result = run("clean", str(SEED), "--format", "jsonl", "-q")
    assert result.exit_code == 0
    (line,) = result.stdout.splitlines()
    assert json.loads(line) == {
        "id": str(SEED),
        "text": dedup.clean(SEED.read_text(encoding="utf-8")),
    }


def test_clean_stdin_to_stdout() -> None:
    text = SEED.read_text(encoding="utf-8")
    result = run("clean", "-", "-q", input=text.encode())
    assert result.exit_code == 0
    assert result.stdout == dedup.clean(text) + "\n"


def test_clean_jsonl_stdin_to_stdout() -> None:
    rows = records(4)
    data = "".join(json.dumps(r) + "\n" for r in rows)
    result = run("clean", "-", "--input-format", "jsonl", "-q", "-j", "1", input=data)
    assert result.exit_code == 0
    assert [json.loads(line) for line in result.stdout.splitlines()] == cleaned(rows)


def test_clean_parquet_through_stdin_and_stdout(tmp_path: Path) -> None:
    rows = records(4)
    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(rows), src)
    result = run("clean", str(src), "-q", "-j", "1")
    assert result.exit_code == 0
    assert pq.read_table(pa.BufferReader(result.stdout_bytes)).to_pylist() == cleaned(rows)
    piped = run(
        "clean",
        "-",
        "--input-format",
        "parquet",
        "--format",
        "jsonl",
        "-q",
        "-j",
        "1",
        input=src.read_bytes(),
    )
    assert piped.exit_code == 0
    assert [json.loads(line) for line in piped.stdout.splitlines()] == cleaned(rows)


def test_id_field_names_records_in_the_report(tmp_path: Path) -> None:
    rows = [{"url": "https://a", "text": "x"}, {"text": "y"}]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    report = tmp_path / "r.jsonl"
    result = run(
        "clean",
        str(src),
        "-o",
        str(tmp_path / "o.jsonl"),
        "--id-field",
        "url",
        "--report",
        str(report),
        "-q",
    )
    assert result.exit_code == 0
    assert [line["id"] for line in read_jsonl(report)] == ["https://a", f"{src}:2"]


def test_directory_with_another_format(tmp_path: Path) -> None:
    src = tmp_path / "pages"
    src.mkdir()
    (src / "a.txt").write_text("First page.", encoding="utf-8")
    (src / "b.txt").write_text("Second page.", encoding="utf-8")
    out = tmp_path / "out"
    result = run("clean", str(src), "-o", str(out), "--format", "jsonl", "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["a.jsonl", "b.jsonl"]
    assert read_jsonl(out / "a.jsonl") == [
        {"id": str(src / "a.txt"), "text": dedup.clean("First page.")}
    ]


def test_clean_directory_is_mirrored(tmp_path: Path) -> None:
    src = tmp_path / "pages"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text(DOUBLED, encoding="utf-8")
    (src / "sub" / "b.txt").write_text("Plain text.", encoding="utf-8")
    (src / "sub" / "skip.html").write_text("<p>not matched</p>", encoding="utf-8")
    write_jsonl(src / "sub" / "c.jsonl", records(2))
    out = tmp_path / "clean"
    result = run("clean", str(src), "--glob", "*.txt", "-o", str(out), "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == ["a.txt", "sub", "sub/b.txt"]
    assert (out / "a.txt").read_text(encoding="utf-8") == dedup.clean(DOUBLED) + "\n"
    everything = run("clean", str(src), "-o", str(tmp_path / "all"), "-q", "-j", "1")
    assert everything.exit_code == 0, everything.output
    assert read_jsonl(tmp_path / "all" / "sub" / "c.jsonl") == cleaned(records(2))


def test_clean_several_text_files_to_stdout_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    result = run("clean", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"))
    assert result.exit_code == 2
    assert "pass --format jsonl, or write them to a directory" in result.stderr
    assert result.stdout == ""


def test_report_lines_replay_to_the_output(tmp_path: Path) -> None:
    rows = records(5)
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    report = tmp_path / "report.jsonl"
    result = run("clean", str(src), "-o", str(tmp_path / "out.jsonl"), "--report", str(report))
    assert result.exit_code == 0, result.output
    lines = read_jsonl(report)
    assert [line["id"] for line in lines] == [r["id"] for r in rows]
    outputs = read_jsonl(tmp_path / "out.jsonl")
    for row, line, out in zip(rows, lines, outputs, strict=True):
        text = row["text"]
        stages = [e["stage"] for e in line["edits"]]
        for name in dict.fromkeys(stages):
            edits = [
                Edit(
                    start=e["start"],
                    end=e["end"],
                    action=e["action"],
                    reason=e["reason"],
                    score=e["score"],
                    kept=None if e["kept"] is None else Span(*e["kept"]),
                    replacement=e["replacement"],
                )
                for e in line["edits"]
                if e["stage"] == name
            ]
            text = apply_edits(text, edits)
        assert text == out["text"]
        assert line["changed"] == (out["text"] != row["text"])
        for edit in line["edits"]:
            assert set(edit) == {
                "stage",
                "start",
                "end",
                "action",
                "reason",
                "score",
                "kept",
                "replacement",
            }


def test_summary_on_stderr(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(5))
    result = run("clean", str(src), "-o", str(tmp_path / "out.jsonl"), "-j", "1")
    assert result.exit_code == 0
    assert "dedup clean: 5 documents read" in result.stderr
    assert "0 skipped" in result.stderr
    assert re.search(r"characters: [\d,]+ in, [\d,]+ out, -?[\d,]+ removed", result.stderr)
    assert "edits: " in result.stderr
    speed = r"\n[\d.]+ kB in [\d.]+ s \([\d.]+ (kB|MB)/s\), in this process\n"
    assert re.search(speed, result.stderr)
    quiet = run("clean", str(src), "-o", str(tmp_path / "q.jsonl"), "-q")
    assert quiet.exit_code == 0
    assert quiet.stderr == ""


def test_summary_says_where_the_outputs_went(tmp_path: Path) -> None:
    """The last line of the summary names the output file, or the directory -o made (a name
    that looks like a file's too), or how many files were rewritten in place; stdout, none."""
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in ("a.txt", "b.txt"):
        (pages / name).write_text(DOUBLED, encoding="utf-8")
    one = tmp_path / "one.txt"
    several = run("clean", str(pages), "-o", str(one), "-j", "1")
    assert several.exit_code == 0, several.output
    last = several.stderr.splitlines()[-1]
    assert last == f"written to the directory {one}/: 2 files, named as the inputs"
    assert sorted(p.name for p in one.iterdir()) == ["a.txt", "b.txt"]
    single = run("clean", str(pages / "a.txt"), "-o", str(tmp_path / "a.jsonl"), "-j", "1")
    assert single.stderr.splitlines()[-1] == f"written to {tmp_path / 'a.jsonl'}"
    in_place = run("clean", str(pages / "a.txt"), "--in-place", "-j", "1")
    assert in_place.stderr.splitlines()[-1] == "1 file rewritten in place"
    stdout = run("clean", str(pages / "b.txt"), "-j", "1")
    assert stdout.stderr.splitlines()[-1].endswith("in this process")


def test_summary_counts_edits_by_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fake(
        text: str, repair_options: RepairOptions | None = None, normalize_options: object = None
    ) -> Cleaned:
        edits = (
            Edit(
                start=0, end=2, action="remove", reason="adjacent-copy", score=1.0, kept=Span(2, 4)
            ),
        )
        return Cleaned(apply_edits(text, edits), (Stage("repair", edits),))

    monkeypatch.setattr(stages, "clean_document", fake)
    src = write_jsonl(tmp_path / "in.jsonl", [{"text": "abab"}, {"text": "cdcd"}])
    result = run("clean", str(src), "-o", str(tmp_path / "out.jsonl"), "-j", "1")
    assert result.exit_code == 0
    assert "2 documents read, 2 changed, 0 skipped" in result.stderr
    assert "characters: 8 in, 4 out, 4 removed" in result.stderr
    assert "edits: remove 2" in result.stderr


def test_progress_bar_only_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(3))
    monkeypatch.setattr(progress, "DELAY", 0.0)
    plain = run("clean", str(src), "-o", str(tmp_path / "a.jsonl"), "-j", "1")
    assert "\N{BOX DRAWINGS HEAVY HORIZONTAL}" not in plain.stderr
    monkeypatch.setattr(progress, "stderr_is_terminal", lambda: True)
    shown = run("clean", str(src), "-o", str(tmp_path / "b.jsonl"), "-j", "1")
    assert shown.exit_code == 0
    assert "\N{BOX DRAWINGS HEAVY HORIZONTAL}" in shown.stderr
    # the bar is cleared before the summary: its last line starts after the erase
    assert shown.stderr.rsplit("\x1b[2K", 1)[1].lstrip("\r\x1b[?25h").startswith("dedup clean:")
    quiet = run("clean", str(src), "-o", str(tmp_path / "c.jsonl"), "-j", "1", "-q")
    assert quiet.stderr == ""


def test_no_progress_bar_where_the_output_is_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """stdout on a terminal or a pipe (``| less -R``): the bar would be drawn over the output
    (see tests/test_terminal.py for the screen itself); a file is fine."""
    src = write_jsonl(tmp_path / "in.jsonl", records(3))
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "stderr_is_terminal", lambda: True)
    monkeypatch.setattr(progress, "stdout_is_private", lambda: False)
    for args in (["clean", str(src)], ["diff", str(src)], ["find", str(src)]):
        result = run(*args, "-j", "1")
        assert result.exit_code == 0
        assert "\N{BOX DRAWINGS HEAVY HORIZONTAL}" not in result.stderr, args
    monkeypatch.setattr(progress, "stdout_is_private", lambda: True)
    to_file = run("clean", str(src), "-j", "1")
    assert "\N{BOX DRAWINGS HEAVY HORIZONTAL}" in to_file.stderr


def test_no_progress_bar_for_a_short_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(3))
    monkeypatch.setattr(progress, "stderr_is_terminal", lambda: True)
    monkeypatch.setattr(progress, "DELAY", 3600.0)
    result = run("clean", str(src), "-o", str(tmp_path / "a.jsonl"), "-j", "1")
    assert result.exit_code == 0
    assert "\N{BOX DRAWINGS HEAVY HORIZONTAL}" not in result.stderr
    assert result.stderr.startswith("dedup clean:")


# --- clean: bad input ----------------------------------------------------------------------


def test_invalid_utf8_text_file(tmp_path: Path) -> None:
    src = tmp_path / "bad.txt"
    src.write_bytes(b"caf\xe9 au lait")
    result = run("clean", str(src))
    assert result.exit_code == 2
    assert f"{src}:1: invalid UTF-8 in the file (byte 0xe9 at offset 3)" in result.stderr
    assert "iconv -f WINDOWS-1252 -t UTF-8" in result.stderr  # (Latin-1 text: convert it)
    assert "--errors replace" in result.stderr
    assert result.stdout == ""
    replaced = run("clean", str(src), "--errors", "replace")
    assert replaced.exit_code == 0
    assert "\N{REPLACEMENT CHARACTER}" in replaced.stdout
    assert "1 with invalid UTF-8 replaced" in replaced.stderr


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (
            "Caf\u00e9".encode("utf-16"),
            "its first bytes are those of UTF-16 text: convert it to "
            "UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8",
        ),
        (
            gzip.compress(b'{"text": "x"}\n'),
            "its first bytes are those of a gzip file: "
            "decompress it first, or give it a name ending in .gz",
        ),
        (
            b"\x89PNG\r\n\x1a\n\xff",
            "its first bytes are those of a PNG image: leave it out of "
            "the inputs (--glob), or pass --skip-invalid to set it aside",
        ),
    ],
    ids=["utf-16", "gzip", "png"],
)
def test_a_file_that_is_no_utf8_text_is_named(tmp_path: Path, data: bytes, says: str) -> None:
    """A file that is not UTF-8 because it is UTF-16, compressed or binary is named for what it
    is, with what to do (replacing its bytes with U+FFFD would not help)."""
    src = tmp_path / "page.txt"
    src.write_bytes(data)
    result = run("clean", str(src))
    assert result.exit_code == 2
    assert f"{src}:1: invalid UTF-8 in the file (byte 0x" in result.stderr
    assert says in result.stderr
    skipped = run("clean", str(src), "--skip-invalid", "--rejects", str(tmp_path / "r.jsonl"))
    assert skipped.exit_code == 0, skipped.output


def test_jsonl_line_cut_in_half(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    good = json.dumps(records(1)[0])
    src.write_text(good + "\n" + good[: len(good) // 2] + "\n" + good + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("clean", str(src), "-o", str(out))
    assert result.exit_code == 2
    assert f"{src}:2: malformed JSON" in result.stderr
    assert "--skip-invalid" in result.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["clean", "--min-chars", "-5"], "Error: --min-chars -5 is out of range: use at least 1"),
        (["find", "--min-similarity", "2"], "Error: --min-similarity 2.0 is out of range"),
        (["diff", "--max-doc-chars", "-1"], "Error: --max-doc-chars -1 is out of range"),
    ],
)
def test_an_option_out_of_range_is_named_by_its_flag(args: list[str], said: str) -> None:
    """The library names the option as Python does (``option min_chars=-5``); the command line
    names the flag that was given."""
    with pytest.raises(dedup.ConfigError, match=r"^option min_chars=-5 is out of range"):
        RepairOptions(min_chars=-5)
    result = run(*args, str(SEED))
    assert result.exit_code == 2
    assert result.stderr.startswith(said), result.stderr
    assert "option " not in result.stderr


def test_quotes_flag_removes_a_reply_quote_only_when_asked(tmp_path: Path) -> None:
    post = (
        "The village hall reopens on Saturday after the roof repairs. Bring a dish to share if "
        "you can, and tell your neighbours."
    )
    others = "\n\n".join(
        f"Poster {n}\n2 June\nThe {word} will be closed on Saturday morning for the market, so "
        "please walk or cycle there if you can."
        for n, word in enumerate(["car park", "kitchen", "library", "garden"])
    )
    text = f"Alice\n1 June\n{post}\n\n{others}\n\nBob\n3 June\nAlice said:\n{post}\nGreat news."
    src = tmp_path / "thread.txt"
    src.write_text(text, encoding="utf-8")
    kept = run("clean", str(src))
    assert kept.exit_code == 0
    assert kept.stdout == dedup.clean(text) + "\n" == text + "\n"
    removed = run("clean", "--quotes", "remove", str(src))
    assert removed.exit_code == 0
    assert removed.stdout == dedup.clean(text, quotes="remove") + "\n"
    assert removed.stdout.endswith("Alice said:\nGreat news.\n")
    found = run("find", "--quotes", "remove", str(src))
    assert found.exit_code == 0
    assert "quote" in found.stdout
    refused = run("clean", "--quotes", "drop", str(src))
    assert refused.exit_code == 2
    assert "--quotes" in refused.stderr


@pytest.mark.parametrize("flag", ["-o", "--report"])
def test_an_output_under_a_file_names_the_output_and_the_file(tmp_path: Path, flag: str) -> None:
    """An output whose directory would have to be a file that exists: the message names the
    output asked for and the file in the way (not a hidden temporary file), exit status 1,
    nothing written."""
    (tmp_path / "notes.txt").write_text("a file", encoding="utf-8")
    target = tmp_path / "notes.txt" / "sub" / "out.txt"
    other = ["--report", str(tmp_path / "r.jsonl")] if flag == "-o" else ["-o", str(tmp_path / "o")]
    result = run("clean", str(SEED), flag, str(target), *other)
    assert result.exit_code == 1
    said = (
        f"Error: {target} cannot be written ({tmp_path / 'notes.txt'} is a file, not a directory)"
    )
    assert result.stderr.startswith(said), result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc file system here")
def test_an_output_in_a_directory_that_takes_no_files_says_so() -> None:
    """``-o /proc/out.txt``: /proc is there, but makes no new file; the message says that,
    not that /proc does not exist (the error the system gives)."""
    result = run("clean", str(SEED), "-o", "/proc/out.txt")
    assert result.exit_code == 1
    said = "Error: /proc/out.txt cannot be written (/proc is a directory that takes no new files)"
    assert result.stderr.startswith(said), result.stderr


@pytest.mark.parametrize("indent", [2, None])
def test_a_json_array_file_is_named_as_such(tmp_path: Path, indent: int | None) -> None:
    """A .json file holding one array of records (``scrapy crawl -o items.json``, json.dump of
    a list), printed over many lines or on one, is not taken for a malformed line: the error
    says what the file is and how to make JSON Lines of it."""
    src = tmp_path / "items.json"
    src.write_text(json.dumps(records(2), indent=indent), encoding="utf-8")
    for command in ("clean", "find", "diff"):
        result = run(command, str(src), "-q")
        assert result.exit_code == 2, command
        assert result.stderr.startswith(
            f"Error: {src}:1: the file is one JSON array, not JSON Lines (one JSON object a "
            f"line): write one object a line first, e.g. jq -c '.[]' {src} > items.jsonl"
        ), result.stderr


@pytest.mark.parametrize("name", ["page.json", "page.jsonl"])
def test_pretty_printed_json_is_named_as_such(tmp_path: Path, name: str) -> None:
    """One object, or objects, written over many lines (``json.dump(..., indent=2)``, ``jq .``)
    are not taken for a malformed first line: the error says what the file is and gives a jq
    line that writes JSON Lines, never to the file it reads (a shell empties it first)."""
    src = tmp_path / name
    src.write_text(json.dumps(records(1)[0], indent=2) + "\n", encoding="utf-8")
    out = "page.jsonl" if name == "page.json" else "page-lines.jsonl"
    for command in ("clean", "find", "corpus"):
        args = ["-o", str(tmp_path / "kept.jsonl")] if command == "corpus" else []
        result = run(command, str(src), *args, "-q")
        assert result.exit_code == 2, command
        assert result.stderr == (
            f"Error: {src}:1: the first line opens a JSON object that goes on over the next "
            "lines (pretty-printed JSON), not JSON Lines (one JSON object a line): write one "
            f"object a line first, e.g. jq -c . {src} > {out}\n"
        ), result.stderr
    # a line that is wrong before its end, or the last line cut short, is malformed as before
    for data, said in (
        ('{"id": 1 "text": "a"}\n', "malformed JSON: Expecting ',' delimiter"),
        ('{"id": 1,', "malformed JSON (the file ends in the middle of it)"),
    ):
        src.write_text(data, encoding="utf-8")
        result = run("clean", str(src), "-q")
        assert result.exit_code == 2
        assert said in result.stderr
        assert "pretty-printed" not in result.stderr


def test_a_json_array_named_jsonl_gets_a_jq_line_that_keeps_it(tmp_path: Path) -> None:
    src = tmp_path / "items.jsonl"
    src.write_text(json.dumps(records(2)), encoding="utf-8")
    result = run("clean", str(src), "-q")
    assert result.exit_code == 2
    assert result.stderr.rstrip().endswith(f"jq -c '.[]' {src} > items-lines.jsonl")


def test_a_first_line_that_is_a_list_of_strings_is_still_a_bad_line(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('["not", "records"]\n{"text": "Nothing to repair."}\n', encoding="utf-8")
    result = run("clean", str(src), "-q")
    assert result.exit_code == 2
    assert "the line is a JSON list, not an object: each line must be one JSON object" in (
        result.stderr
    )
    assert "JSON array" not in result.stderr


def test_parquet_is_not_written_to_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parquet on stdout is refused, before any work, when stdout is a terminal; to a file or
    a pipe it is written as before, and text still goes to a terminal."""
    from dedup.cli import plan

    src = write_jsonl(tmp_path / "in.jsonl", records(2))
    monkeypatch.setattr(plan, "stdout_is_terminal", lambda: True)
    for args in (["clean", "--format", "parquet"], ["corpus", "-o", "-", "--format", "parquet"]):
        result = run(*args, str(src), "-q")
        assert result.exit_code == 2, args
        assert result.stderr == (
            "Error: the output is Parquet, which is binary, and stdout is a terminal: give -o a "
            ".parquet file, or redirect stdout to one (> out.parquet)\n"
        )
        assert result.stdout == ""
    assert run("clean", str(src), "--format", "jsonl", "-q").exit_code == 0
    monkeypatch.setattr(plan, "stdout_is_terminal", lambda: False)
    result = run("clean", "--format", "parquet", str(src), "-q")
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"PAR1")


def test_bad_line_with_a_pool_stops_cleanly(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    rows = [{"id": i, "text": f"Record {i}."} for i in range(200)]
    src.write_text(
        "".join(json.dumps(r) + "\n" for r in rows) + '{"id": "cut", "te\n', encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    result = run("clean", str(src), "-o", str(out), "-j", "2")
    assert result.exit_code == 2
    assert f"{src}:201: malformed JSON" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_record_without_the_field(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "text": "x"}, {"id": 2, "body": "y"}])
    result = run("clean", str(src), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 2
    assert f"{src}:2: the record has no field 'text' (its fields: id, body)" in result.stderr
    assert "--field" in result.stderr
    other = run("clean", str(src), "-o", str(tmp_path / "o.jsonl"), "--field", "body", "-q")
    assert other.exit_code == 2
    assert f"{src}:1: the record has no field 'body'" in other.stderr


def test_a_field_inside_another_is_pointed_out(tmp_path: Path) -> None:
    """``--field content.text`` for records whose text sits inside an object: only top-level
    fields are read, and the error says so with a jq line that brings the text up (to a file
    that is not the input). A name with a dot that is no such path is only missing."""
    rows = [{"id": 1, "content": {"text": "Some text."}}]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    result = run("clean", str(src), "--field", "content.text", "-q")
    assert result.exit_code == 2
    assert (
        f"Error: {src}:1: the record has no field 'content.text' (its fields: id, content); a "
        "field inside another is not read: bring it to the top level first, e.g. jq -c '.text "
        f"= .content.text' {src} > in-lines.jsonl: choose the field with --field"
    ) in result.stderr
    flat = run("clean", str(src), "--field", "a.b", "-q")
    assert flat.exit_code == 2
    assert "(its fields: id, content): choose the field with --field" in flat.stderr


def test_skip_invalid_writes_rejects(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(
        b'{"id": 1, "text": "one"}\n{"id": 2, "text": "cut\n{"id": 3}\n'
        b'{"id": 4, "text": "caf\xe9"}\n{"id": 5, "text": "five"}\n'
    )
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    result = run(
        "clean", str(src), "-o", str(out), "--skip-invalid", "--rejects", str(rejects), "-j", "1"
    )
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in read_jsonl(out)] == [1, 5]
    bad = read_jsonl(rejects)
    assert [(r["source"], r["line"]) for r in bad] == [(str(src), 2), (str(src), 3), (str(src), 4)]
    assert "malformed JSON" in bad[0]["error"]
    assert bad[0]["raw"] == '{"id": 2, "text": "cut\n'
    assert "no field 'text'" in bad[1]["error"]
    assert "raw_base64" in bad[2]
    assert "2 documents read, 0 changed, 3 skipped" in result.stderr


def test_a_text_file_set_aside_is_not_written(tmp_path: Path) -> None:
    """A folder of pages with an image among them, --skip-invalid: the image goes to --rejects
    and nowhere else; no empty file takes its name under -o, and --in-place leaves it byte for
    byte. A JSONL file whose every line is set aside is still written (its records, none)."""
    pages = tmp_path / "pages"
    pages.mkdir()
    image = b"\x89PNG\r\n\x1a\n\xff\xfe binary"
    (pages / "logo.png").write_bytes(image)
    (pages / "page.txt").write_text(DOUBLED, encoding="utf-8")
    (pages / "bad.jsonl").write_bytes(b'{"id": 1, "text": "caf\xe9"}\n')
    out = tmp_path / "out"
    args = ["--skip-invalid", "--rejects", str(tmp_path / "r1.jsonl"), "-q", "-j", "1"]
    result = run("clean", str(pages), "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["bad.jsonl", "page.txt"]
    assert (out / "bad.jsonl").read_bytes() == b""
    assert (out / "page.txt").read_text(encoding="utf-8") != DOUBLED
    assert {r["source"] for r in read_jsonl(tmp_path / "r1.jsonl")} == {
        str(pages / "logo.png"),
        str(pages / "bad.jsonl"),
    }
    args[2] = str(tmp_path / "r2.jsonl")
    in_place = run("clean", str(pages / "logo.png"), str(pages / "page.txt"), "--in-place", *args)
    assert in_place.exit_code == 0, in_place.output
    assert (pages / "logo.png").read_bytes() == image
    assert (pages / "page.txt").read_text(encoding="utf-8") != DOUBLED


BAD_LINES = [
    b'{"id": "cut", "text": "cut\n',  # malformed: a line break inside the string
    b'{"id": "latin1", "text": "caf\xe9"}\n',  # invalid UTF-8
    b'{"id": "no-text", "body": "x"}\n',  # no text field
]


def _compress(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path``, gzip- or zstd-compressed as its name ends."""
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    elif path.name.endswith(".zst"):
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


def _decompress(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        return gzip.decompress(data)
    if path.name.endswith(".zst"):
        return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    return data


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
def test_in_place_keeps_a_bad_line_where_it_was(tmp_path: Path, suffix: str) -> None:
    """--in-place --skip-invalid: a line that cannot be read stays in the file, byte for byte, at
    its place (a cut last line without its line break too), and is in --rejects and counted;
    the good lines are cleaned. With -o the bad lines go to --rejects only."""
    good = [json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records(40)]
    lines = [*good[:3], BAD_LINES[0], *good[3:20], BAD_LINES[1], *good[20:], BAD_LINES[2]]
    lines.append(b'{"id": "end", "text": "the file ends in the mid')
    src = _compress(tmp_path / f"in{suffix}", b"".join(lines))
    args = ["--skip-invalid", "-j", "1"]
    out = tmp_path / "out.jsonl"
    elsewhere = run(
        "clean", str(src), "-o", str(out), "--rejects", str(tmp_path / "r1.jsonl"), *args
    )
    assert elsewhere.exit_code == 0, elsewhere.output
    assert "40 documents read, 24 changed, 4 skipped\n" in elsewhere.stderr
    assert [r["id"] for r in read_jsonl(out)] == [f"doc-{i}" for i in range(40)]
    rejects = tmp_path / "r2.jsonl"
    result = run("clean", str(src), "--in-place", "--rejects", str(rejects), *args)
    assert result.exit_code == 0, result.output
    assert "40 documents read, 24 changed, 4 skipped (4 kept in place as read)\n" in result.stderr
    written = _decompress(src)
    cleaned_lines = out.read_bytes().splitlines(keepends=True)
    expected = [*cleaned_lines[:3], BAD_LINES[0], *cleaned_lines[3:20], BAD_LINES[1]]
    expected += [*cleaned_lines[20:], BAD_LINES[2], lines[-1]]
    assert written == b"".join(expected)
    assert [r["line"] for r in read_jsonl(rejects)] == [4, 22, 43, 44]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "in" + suffix,
        "out.jsonl",
        "r1.jsonl",
        "r2.jsonl",
    ]


def _fail_on_boom(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the clean stage fail (a bug in a stage) on the document whose text is ``boom``."""
    real = stages.clean_document

    def flaky(
        text: str, repair_options: RepairOptions | None = None, normalize_options: object = None
    ) -> Cleaned:
        if text == "boom":
            raise RuntimeError("stage bug")
        return real(text, repair_options)

    monkeypatch.setattr(stages, "clean_document", flaky)


def test_in_place_keeps_a_line_a_stage_failed_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document a stage fails on is set aside and stays in the file rewritten in place, as it
    was read; the one before it is cleaned."""
    _fail_on_boom(monkeypatch)
    boom = b'{"text":   "boom", "n": 1.50}\n'
    src = _compress(tmp_path / "in.jsonl", json.dumps({"text": DOUBLED}).encode() + b"\n" + boom)
    rejects = tmp_path / "rejects.jsonl"
    args = ["--in-place", "--skip-invalid", "--rejects", str(rejects), "-j", "1"]
    result = run("clean", str(src), *args)
    assert result.exit_code == 0, result.output
    first, second = src.read_bytes().splitlines(keepends=True)
    assert json.loads(first) == {"text": dedup.clean(DOUBLED)}
    assert second == boom
    assert [r["line"] for r in read_jsonl(rejects)] == [2]


def test_in_place_stops_on_a_line_it_cannot_write_back(tmp_path: Path) -> None:
    """A line over --max-record-bytes is never held, so a file rewritten in place cannot keep
    it: the run stops (exit status 2) and the file is left as it was, rather than losing it."""
    data = b'{"text": "short"}\n{"text": "' + b"x" * 2000 + b'"}\n{"text": "end"}\n'
    src = _compress(tmp_path / "in.jsonl.gz", data)
    before = src.read_bytes()
    args = ["--skip-invalid", "--rejects", str(tmp_path / "r.jsonl"), "--max-record-bytes", "1K"]
    result = run("clean", str(src), "--in-place", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"Error: {src}:2: the line is 2,013 bytes, more than the 1,024 a record may take; "
        f"--in-place cannot write it back as it was read, so {src} is left as it was: raise "
        "--max-record-bytes to read it, or write the cleaned records to another file with -o"
    )
    assert src.read_bytes() == before
    elsewhere = run("clean", str(src), "-o", str(tmp_path / "out.jsonl"), *args, "--force")
    assert elsewhere.exit_code == 0, elsewhere.output
    assert len(read_jsonl(tmp_path / "out.jsonl")) == 2


def test_existing_rejects_file_is_refused(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(1))
    rejects = tmp_path / "rejects.jsonl"
    rejects.write_text("old\n")
    result = run("find", str(src), "--skip-invalid", "--rejects", str(rejects))
    assert result.exit_code == 1
    assert "exists: remove it, or choose another --rejects path" in result.stderr
    assert rejects.read_text() == "old\n"


def test_skip_invalid_needs_rejects(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(1))
    result = run("clean", str(src), "--skip-invalid")
    assert result.exit_code == 2
    assert "--skip-invalid needs --rejects PATH" in result.stderr


@pytest.mark.parametrize(
    ("suffix", "compress", "message"),
    [
        (".jsonl.gz", gzip.compress, "the gzip stream is truncated"),
        (".jsonl.zst", zstandard.ZstdCompressor().compress, "the zstd stream is truncated"),
    ],
)
def test_truncated_archive(
    tmp_path: Path, suffix: str, compress: Callable[[bytes], bytes], message: str
) -> None:
    data = "".join(json.dumps(r) + "\n" for r in records(200)).encode()
    src = tmp_path / f"in{suffix}"
    src.write_bytes(compress(data)[:-50])
    out = tmp_path / f"out{suffix}"
    result = run("clean", str(src), "-o", str(out), "-j", "1")
    assert result.exit_code == 2
    assert f"{src}: {message}" in result.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [src.name]


def test_nul_bytes_are_kept(tmp_path: Path) -> None:
    src = tmp_path / "nul.txt"
    src.write_bytes(b"before\x00after")
    result = run("clean", str(src), "-q")
    assert result.exit_code == 0
    assert result.stdout == dedup.clean("before\x00after") + "\n"
    raw = tmp_path / "nul.jsonl"
    raw.write_bytes(b'{"text": "raw \x00 nul"}\n')
    bad = run("clean", str(raw), "-o", str(tmp_path / "o.jsonl"))
    assert bad.exit_code == 2
    assert f"{raw}:1: malformed JSON" in bad.stderr


def test_ten_megabyte_single_line(tmp_path: Path) -> None:
    text = "x" * 10_000_000
    src = tmp_path / "big.jsonl"
    src.write_text(json.dumps({"id": "big", "text": text}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    # documents longer than --max-doc-chars are left as they are: a cheap, documented path
    result = run("clean", str(src), "-o", str(out), "--max-doc-chars", "1000", "-j", "1")
    assert result.exit_code == 0, result.output
    (row,) = read_jsonl(out)
    assert row["id"] == "big"
    assert len(row["text"]) == len(
        dedup.clean(text, repair_options=dedup.RepairOptions(max_doc_chars=1000))
    )
    assert "1 document read" in result.stderr


@pytest.mark.parametrize("name", ["empty.txt", "empty.jsonl", "empty.jsonl.gz"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    src = tmp_path / name
    src.write_bytes(gzip.compress(b"") if name.endswith(".gz") else b"")
    out = tmp_path / f"out-{name}"
    result = run("clean", str(src), "-o", str(out), "-j", "1")
    assert result.exit_code == 0, result.output
    assert out.exists()
    if name.endswith(".txt"):
        assert out.read_bytes() == b""
        assert "1 document read" in result.stderr
    else:
        assert read_jsonl(out) == []
        assert "0 documents read" in result.stderr


def test_missing_input(tmp_path: Path) -> None:
    result = run("clean", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 2
    assert "nope.jsonl: no such file or directory" in result.stderr


# --- clean: outputs ------------------------------------------------------------------------


def test_existing_output_is_refused_without_force(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(2))
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n")
    result = run("clean", str(src), "-o", str(out))
    assert result.exit_code == 1
    assert f"{out} exists: pass --force to replace it" in result.stderr
    assert out.read_text() == "precious\n"
    forced = run("clean", str(src), "-o", str(out), "--force", "-q")
    assert forced.exit_code == 0
    assert read_jsonl(out) == cleaned(records(2))


def test_existing_report_is_refused(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(2))
    report = tmp_path / "report.jsonl"
    report.write_text("old\n")
    result = run("clean", str(src), "-o", str(tmp_path / "o.jsonl"), "--report", str(report))
    assert result.exit_code == 1
    assert "exists: pass --force" in result.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_report_to_stdout_is_refused(tmp_path: Path) -> None:
    result = run("clean", str(SEED), "--report", "-")
    assert result.exit_code == 2
    assert "--report needs a file path" in result.stderr
    assert result.stdout == ""


def test_output_same_as_input_is_refused(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(2))
    result = run("clean", str(src), "-o", str(src), "--force")
    assert result.exit_code == 1
    assert "is also an input: use --in-place" in result.stderr


def test_several_inputs_into_one_jsonl_file(tmp_path: Path) -> None:
    """Text files and a JSONL file, -o naming one JSON Lines file (compressed by its name): one
    file holding every record in input order, a text file as its path and text; a name ending
    with a slash is still a directory the inputs mirror into."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text(DOUBLED, encoding="utf-8")
    (pages / "b.txt").write_text("Hello there.\n", encoding="utf-8")
    rows = records(2)
    write_jsonl(pages / "c.jsonl", rows)
    out = tmp_path / "all.jsonl.gz"
    result = run("clean", str(pages), "-o", str(out), "-j", "1")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == f"written to {out}"
    got = read_jsonl(out)
    assert [r["id"] for r in got] == [str(pages / "a.txt"), str(pages / "b.txt"), "doc-0", "doc-1"]
    assert got[0]["text"] == dedup.clean(DOUBLED)
    assert got[2:] == cleaned(rows)
    again = run("clean", str(pages), "-o", str(out))
    assert again.exit_code == 1
    assert "pass --force" in again.stderr
    mirrored = run("clean", str(pages), "-o", str(tmp_path / "clean") + "/", "-q")
    assert mirrored.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "clean").iterdir()) == ["a.txt", "b.txt", "c.jsonl"]


def test_in_place_refuses_to_replace_bad_bytes(tmp_path: Path) -> None:
    """--in-place --errors replace would write U+FFFD over the bytes it replaced in the inputs
    themselves (an image among the pages, a Latin-1 page): refused before any file is read,
    every file left byte for byte; the hint for invalid UTF-8 names --skip-invalid first."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text(DOUBLED, encoding="utf-8")
    (pages / "b.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe binary")
    (pages / "c.txt").write_bytes("Caf\u00e9 cr\u00e8me".encode("latin-1"))
    before = {p.name: p.read_bytes() for p in pages.iterdir()}
    refused = run("clean", str(pages), "--in-place", "--errors", "replace")
    assert refused.exit_code == 2
    assert "--errors replace with --in-place would write U+FFFD" in refused.stderr
    assert "-o, or pass --skip-invalid" in refused.stderr
    assert {p.name: p.read_bytes() for p in pages.iterdir()} == before
    stopped = run("clean", str(pages), "--in-place", "-j", "1")
    assert stopped.exit_code == 2
    assert "its first bytes are those of a PNG image: leave it out of the inputs" in stopped.stderr
    # (files in name order: a.txt was rewritten, whole, before b.png stopped the run)
    assert (
        "1 of 3 files were rewritten in place before the run stopped, each whole; the rest "
        "are as they were" in stopped.stderr
    )
    assert (pages / "a.txt").read_text(encoding="utf-8") == dedup.clean(DOUBLED)
    assert (pages / "b.png").read_bytes() == before["b.png"]
    assert (pages / "c.txt").read_bytes() == before["c.txt"]
    args = ["--in-place", "--skip-invalid", "--rejects", str(tmp_path / "r.jsonl"), "-q"]
    assert run("clean", str(pages), *args).exit_code == 0
    assert (pages / "b.png").read_bytes() == before["b.png"]
    assert (pages / "c.txt").read_bytes() == before["c.txt"]


def test_in_place(tmp_path: Path) -> None:
    rows = records(3)
    src = write_jsonl(tmp_path / "in.jsonl.gz", rows)
    txt = tmp_path / "page.txt"
    txt.write_text(DOUBLED, encoding="utf-8")
    result = run("clean", str(src), str(txt), "--in-place", "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    assert read_jsonl(src) == cleaned(rows)
    assert txt.read_text(encoding="utf-8") == dedup.clean(DOUBLED)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl.gz", "page.txt"]
    refused = run("clean", str(txt), "--in-place", "-o", str(tmp_path / "x.txt"))
    assert refused.exit_code == 2
    assert "drop -o/--output" in refused.stderr


def test_inputs_are_never_modified(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(5))
    before = src.read_bytes()
    assert run("clean", str(src), "-o", str(tmp_path / "o.jsonl"), "-q").exit_code == 0
    assert src.read_bytes() == before


def test_a_failing_stage_is_reported_with_its_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_on_boom(monkeypatch)
    src = write_jsonl(tmp_path / "in.jsonl", [{"text": "fine"}, {"text": "boom"}])
    out = tmp_path / "out.jsonl"
    result = run("clean", str(src), "-o", str(out), "-j", "1")
    assert result.exit_code == 1
    assert f"{src}:2: clean failed on this document (RuntimeError: stage bug)" in result.stderr
    assert not out.exists()
    rejects = tmp_path / "rejects.jsonl"
    skipped = run(
        "clean", str(src), "-o", str(out), "-j", "1", "--skip-invalid", "--rejects", str(rejects)
    )
    assert skipped.exit_code == 0
    assert read_jsonl(out) == [{"text": "fine"}]
    (bad,) = read_jsonl(rejects)
    assert bad["line"] == 2
    assert json.loads(bad["raw"]) == {"text": "boom"}


def test_interrupt_leaves_no_partial_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0

    def interrupted(
        text: str, repair_options: RepairOptions | None = None, normalize_options: object = None
    ) -> Cleaned:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        return Cleaned(text, ())

    monkeypatch.setattr(stages, "clean_document", interrupted)
    src = write_jsonl(tmp_path / "in.jsonl", records(5))
    result = run("clean", str(src), "-o", str(tmp_path / "out.jsonl"), "-j", "1")
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_sigterm_leaves_no_partial_output(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    rows = [{"id": i, "text": f"Paragraph {i} of a long article."} for i in range(20_000)]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "dedup", "clean", str(src), "-o", str(out), "-j", "2"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(
        p.name.startswith(".out.jsonl.") for p in tmp_path.iterdir()
    ):
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 143, stderr
    assert "terminated: no partial output was left behind" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_sigterm_is_seen_by_its_own_run_only() -> None:
    """Whether SIGTERM arrived is the run's own state: its handler's exception can be lost (as
    in a finaliser) and the run still stops with 143; the handler before it is put back; and
    neither the code outside a run nor the next run sees the signal of the last."""
    import contextlib
    import signal

    from dedup.cli.session import Termination, check_signals, handle_errors

    before = signal.getsignal(signal.SIGTERM)
    handlers: list[Any] = []

    @handle_errors
    def terminated() -> None:
        handler = signal.getsignal(signal.SIGTERM)
        handlers.append(handler)
        with contextlib.suppress(BaseException):
            handler(signal.SIGTERM, None)  # the exception it raises is lost here
        check_signals()
        raise AssertionError("the run went on after SIGTERM")

    @handle_errors
    def next_run() -> None:
        handlers.append(signal.getsignal(signal.SIGTERM))
        check_signals()

    with pytest.raises(click.exceptions.Exit) as stopped:
        terminated()
    assert stopped.value.exit_code == 143
    assert signal.getsignal(signal.SIGTERM) is before
    check_signals()  # outside a run: nothing to stop
    next_run()
    first, second = handlers
    assert isinstance(first, Termination)
    assert isinstance(second, Termination)
    assert first is not second
    assert (first.arrived, second.arrived) == (True, False)


# --- find ----------------------------------------------------------------------------------


def test_find_json_lines(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(3))
    result = run("find", str(src), "--json", "-j", "1")
    assert result.exit_code == 0, result.output
    pairs = [json.loads(line) for line in result.stdout.splitlines()]
    expected = [
        (r["id"], p.first.start, p.second.start)
        for r in records(3)
        for p in dedup.find_duplicates(r["text"])
    ]
    assert [(p["id"], p["first"][0], p["second"][0]) for p in pairs] == expected
    for pair in pairs:
        assert set(pair) == {"id", "source", "first", "second", "score", "kind", "removes"}
        assert pair["first"][0] <= pair["first"][1]
        assert pair["second"][0] <= pair["second"][1]
        assert 0.0 <= pair["score"] <= 1.0
    assert f"{len(pairs):,} duplicate pair{'s' if len(pairs) != 1 else ''} found" in result.stderr


def test_find_seed_has_a_duplicate() -> None:
    result = run("find", str(SEED), "--json", "-q")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) >= 1


def test_find_help_and_docs_name_every_kind() -> None:
    """`dedup find` prints ``kind`` as dedup.model.KINDS holds it: the help and the docs name
    each one a user can meet in its output (not only the older four)."""
    from dedup.model import KINDS

    help_text = " ".join(run("find", "--help").stdout.split())
    docs = DOCS.read_text(encoding="utf-8")
    section = re.search(r"^## `dedup find`$(.*?)(?=^## |\Z)", docs, re.M | re.S)
    assert section
    for kind in KINDS:
        assert kind in help_text, kind
        assert f"`{kind}`" in section.group(1), kind


def test_find_table(monkeypatch: pytest.MonkeyPatch) -> None:
    pair = dedup.DuplicatePair(Span(0, 10), Span(20, 30), 0.93, "flattened")
    monkeypatch.setattr(stages, "find_in_document", lambda text, options=None: [pair])
    result = run("find", str(SEED), "-q")
    assert result.exit_code == 0
    assert "0-10" in result.stdout
    assert "20-30" in result.stdout
    assert "0.930" in result.stdout
    assert "flattened" in result.stdout
    assert "leaves" in result.stdout  # a pair that does not say repair removes a copy of it
    assert str(SEED) in result.stdout


_TITLE = "Roomba j7+ Self-Emptying Robot Vacuum"
_BODY = (
    "It finds and avoids obstacles like pet waste and cords, so there is less to pick up before"
    " cleaning starts.\n\nIt empties itself into the Clean Base for sixty days, and it learns"
    " the rooms of the home as it goes."
)
# A product page: its title line, a line, the title again as the heading of the product.
_PRODUCT = f"{_TITLE}\n\nAvailable only at select retailers\n\n# {_TITLE}\n\n{_BODY}\n"


def _found(src: Path, page: str) -> tuple[Result, list[dict[str, Any]], str]:
    """``dedup find`` on ``page`` written to ``src``: the run with ``--json``, its pairs, and
    the table the run without it prints."""
    src.write_text(page, encoding="utf-8")
    found = run("find", str(src), "--json")
    assert found.exit_code == 0, found.output
    table = run("find", str(src), "-q")
    assert table.exit_code == 0, table.output
    return found, [json.loads(line) for line in found.stdout.splitlines()], table.stdout


def test_find_says_repair_leaves_a_short_teaser(tmp_path: Path) -> None:
    """A title line repeated as the heading under it: ``find`` lists the pair as a teaser and
    says that repair leaves it, as ``clean`` does."""
    src = tmp_path / "product.txt"
    found, pairs, table = _found(src, _PRODUCT)
    title = _PRODUCT.index(_TITLE, 1)
    assert pairs == [
        {
            "id": str(src),
            "source": f"{src}:1",
            "first": [0, len(_TITLE)],
            "second": [title, title + len(_TITLE)],
            "score": 1.0,
            "kind": "teaser",
            "removes": None,
        }
    ]
    summary = "1 duplicate pair found: teaser 1 (repair removes a copy of 0, leaves 1)"
    assert summary in found.stderr
    assert "teaser" in table
    assert "leaves" in table
    assert run("clean", str(src), "-q").stdout == _PRODUCT


def test_find_says_which_copy_repair_removes(tmp_path: Path) -> None:
    """The counter-case: the same page with its body again, flattened. Repair removes the
    flattened copy, and with it the teaser (the page is doubled elsewhere): ``find`` says which
    copy of each goes, and the summary counts both."""
    page = _PRODUCT + "\n" + _BODY.replace("\n\n", "") + "\n"
    src = tmp_path / "product.txt"
    found, pairs, table = _found(src, page)
    assert [(p["kind"], p["removes"]) for p in pairs] == [
        ("teaser", "first"),
        ("flattened", "second"),
    ]
    summary = (
        "2 duplicate pairs found: flattened 1, teaser 1 (repair removes a copy of 2, leaves 0)"
    )
    assert summary in found.stderr
    assert "removes first" in table
    assert "removes second" in table
    cleaned = run("clean", str(src), "-q").stdout
    assert cleaned.count(_TITLE) == 1
    assert cleaned.count("sixty days") == 1


def test_find_says_when_repair_removes_both_copies(tmp_path: Path) -> None:
    """The body, then two flattened copies of it: repair keeps the paragraphs and removes both
    flattened copies, so the pair of those two says ``removes both``."""
    flat = _BODY.replace("\n\n", " ")
    page = f"{_BODY}\n\nRelated stories\n\n{flat}\n\nShare this page\n\n{flat}\n"
    src = tmp_path / "article.txt"
    found, pairs, table = _found(src, page)
    assert [p["removes"] for p in pairs] == ["second", "both"]
    assert "(repair removes a copy of 2, leaves 0)" in found.stderr
    assert "removes both" in table
    cleaned = run("clean", str(src), "-q").stdout
    assert cleaned == f"{_BODY}\n\nRelated stories\n\nShare this page\n"


def test_find_nothing(tmp_path: Path) -> None:
    src = tmp_path / "plain.txt"
    src.write_text("Nothing repeats here.", encoding="utf-8")
    result = run("find", str(src))
    assert result.exit_code == 0
    assert result.stdout == "No duplicate spans found.\n"
    assert "0 duplicate pairs found" in result.stderr


def test_find_bad_input(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "x"}\n{"body": "y"}\n')
    result = run("find", str(src), "--json")
    assert result.exit_code == 2
    assert f"{src}:2: the record has no field 'text'" in result.stderr


# --- diff ----------------------------------------------------------------------------------


def test_render_edits_marks_every_action() -> None:
    text = "Hello  world. Hello world."
    edits = (
        Edit(
            start=5,
            end=7,
            action="fix",
            reason="white-space",
            score=1.0,
            kept=None,
            replacement=" ",
        ),
        Edit(
            start=13, end=26, action="remove", reason="adjacent-copy", score=0.98, kept=Span(0, 13)
        ),
    )
    out = click.unstyle(render_edits(text, edits, context=-1))
    assert out == (
        "Hello[-\N{MIDDLE DOT}\N{MIDDLE DOT}-]{+\N{MIDDLE DOT}+}world."
        "[- Hello world.-]"
        "\N{LEFT-POINTING DOUBLE ANGLE QUOTATION MARK}remove: adjacent-copy, score 0.98, "
        "kept 0-13\N{RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK}"
    )


def test_render_edits_elides_long_unchanged_text() -> None:
    text = "a" * 1000 + "XY" + "b" * 1000
    edits = (Edit(start=1000, end=1002, action="remove", reason="r", score=1.0, kept=None),)
    out = click.unstyle(render_edits(text, edits, context=10))
    assert out.startswith("[\N{HORIZONTAL ELLIPSIS} 990 characters \N{HORIZONTAL ELLIPSIS}]")
    assert "a" * 10 + "[-XY-]" in out
    assert out.endswith(
        "b" * 10 + "[\N{HORIZONTAL ELLIPSIS} 990 characters \N{HORIZONTAL ELLIPSIS}]"
    )


def test_diff_seed_shows_the_removed_copy() -> None:
    result = run("diff", str(SEED), "--no-color", "-q")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"=== {SEED}\n")
    assert "\x1b[" not in result.stdout
    assert "--- repair: " in result.stdout
    assert "[-" in result.stdout
    assert "\N{LEFT-POINTING DOUBLE ANGLE QUOTATION MARK}remove: " in result.stdout


def test_diff_colour(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def fake(
        text: str, repair_options: RepairOptions | None = None, normalize_options: object = None
    ) -> Cleaned:
        edits = (Edit(start=0, end=1, action="remove", reason="r", score=1.0, kept=None),)
        return Cleaned(apply_edits(text, edits), (Stage("repair", edits),))

    monkeypatch.setattr(stages, "clean_document", fake)
    src = tmp_path / "a.txt"
    src.write_text("xy")
    coloured = run("diff", str(src), "--color", "-q")
    assert coloured.exit_code == 0
    assert "\x1b[31m" in coloured.stdout
    plain = run("diff", str(src), "--no-color", "-q")
    assert (
        plain.stdout == f"=== {src}\n--- repair: 1 edit\n[-x-]\u00abremove: r, score 1.00\u00bby\n"
    )


def test_diff_no_changes(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "p", "text": "Nothing to repair."}])
    result = run("diff", str(src), "--no-color")
    assert result.exit_code == 0
    assert result.stdout == f"=== p ({src}:1)\nno changes\n"
    assert "1 document read, 0 changed" in result.stderr


def test_find_counts_its_pairs_by_kind_and_says_distant_ones_stay(tmp_path: Path) -> None:
    """A coupon page's condition under each coupon: pairs ``find`` lists, and ``clean`` keeps.
    The summary says so, where it said only that pairs were found."""
    condition = (
        "Must be presented before start of work. Not valid with other offers or coupons, some "
        "restrictions may apply."
    )
    offers = [
        "Ten per cent off a panel upgrade",
        "Twenty-five dollars off any electrical troubleshooting visit",
        "Fifty dollars off a whole house surge protector",
    ]
    page = "\n\n".join(["Coupons", *(part for offer in offers for part in (offer, condition))])
    src = tmp_path / "coupons.txt"
    src.write_text(page, encoding="utf-8")
    found = run("find", str(src), "--json")
    assert found.exit_code == 0
    assert [json.loads(line)["kind"] for line in found.stdout.splitlines()] == ["distant"] * 2
    assert [json.loads(line)["removes"] for line in found.stdout.splitlines()] == [None] * 2
    summary = "\n2 duplicate pairs found: distant 2 (repair removes a copy of 0, leaves 2)\n"
    assert summary in found.stderr
    assert run("clean", str(src), "-q").stdout == page + "\n"


def test_summaries_say_sizes_workers_and_plurals_as_they_are(tmp_path: Path) -> None:
    """A 4.6 kB page: its size in kB (not 0.0 MB), in this process (a small input never starts
    the pool, whatever -j says), and one of everything in the singular."""
    result = run("clean", str(SEED), "-j", "2", "-o", str(tmp_path / "out.txt"))
    assert result.exit_code == 0
    assert "dedup clean: 1 document read, 1 changed, 0 skipped\n" in result.stderr
    assert re.search(r"\n4\.6 kB in [\d.]+ s \([\d.]+ [kM]B/s\), in this process\n", result.stderr)
    found = run("find", str(SEED), "-j", "2")
    assert "\n1 duplicate pair found: flattened 1 (repair removes a copy of 1, leaves 0)\n" in (
        found.stderr
    )
    assert "dedup find: 1 document read, 1 with duplicate spans" in found.stderr
    many = write_jsonl(tmp_path / "many.jsonl", records(400))
    pooled = run("clean", str(many), "-j", "2", "-o", str(tmp_path / "many.out.jsonl"))
    assert pooled.exit_code == 0
    assert "), with 2 worker processes\n" in pooled.stderr


def test_diff_colour_comes_back_after_an_elision() -> None:
    """A long removal is elided in the middle: the dim marker is reset, and the removal's red
    and strike-through come back for the rest of it."""
    result = run("diff", str(SEED), "--color", "--context", "30", "-q")
    assert result.exit_code == 0
    red = click.style("x", fg="red", strikethrough=True).split("x")[0]
    assert f"characters \N{HORIZONTAL ELLIPSIS}]\x1b[0m{red}" in result.stdout


def test_diff_one_stage(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(DOUBLED.replace("own.\n", "own.   \n", 1), encoding="utf-8")
    every = run("diff", str(page), "-q")
    assert "--- normalize: 1 edit" in every.stdout
    assert "--- repair: 1 edit" in every.stdout
    repair = run("diff", str(page), "--stage", "repair", "-q")
    assert repair.exit_code == 0
    assert "--- normalize" not in repair.stdout
    assert "--- repair: 1 edit" in repair.stdout
    split = run("diff", str(page), "--stage", "split", "-q")
    assert split.stdout == f"=== {page}\nno changes in split\n"
    # the summary counts what the stages shown changed, not what every stage did
    assert "1 document read, 1 changed, 0 skipped" in run("diff", str(page)).stderr
    assert "1 document read, 0 changed in split, 0 skipped" in (
        run("diff", str(page), "--stage", "split").stderr
    )
    both = run("diff", str(page), "--stage", "split", "--stage", "normalize")
    assert "1 document read, 1 changed in normalize and split, 0 skipped" in both.stderr
    help_text = run("diff", "--help").stdout
    assert "--color | less -R" in help_text
    assert "--stage repair" in help_text


def test_jsonl_piped_to_stdin_is_read_as_records(tmp_path: Path) -> None:
    """``head -40 crawl.jsonl | dedup clean -``: records, not one text holding the JSON."""
    rows = records(5)
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    result = run("clean", "-", "-j", "1", input=data)
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == cleaned(rows)
    assert "dedup clean: 5 documents read" in result.stderr
    corpus = run("corpus", "-", "-o", "-", input=b"\n" + data)
    assert corpus.exit_code == 0, corpus.stderr
    assert "5 documents read" in corpus.stderr
    as_text = run("clean", "-", "--input-format", "text", "-q", input=data)
    assert as_text.stdout == dedup.clean(data.decode()) + ("" if data.endswith(b"\n") else "\n")


def test_stdin_that_starts_like_json_but_is_not_json_lines_is_refused() -> None:
    pretty = b'{\n  "id": 1,\n  "text": "a"\n}\n'
    result = run("clean", "-", input=pretty)
    assert result.exit_code == 2
    assert "<stdin> starts with '{' but its first line is not one JSON object" in result.stderr
    assert "pass --input-format text to read it as one document" in result.stderr
    as_text = run("clean", "-", "--input-format", "text", "-q", input=pretty)
    assert as_text.exit_code == 0
    assert as_text.stdout == pretty.decode()


class _Keyboard(io.BytesIO):
    """Stdin that is a terminal: what a user types, ended by Ctrl-D."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("name", ["clean", "diff", "find"])
def test_no_path_reads_what_is_piped_in(name: str) -> None:
    """``cat page.txt | dedup clean``: no path reads stdin, as ``-`` does; with stdin a
    terminal, the path is missing (tests/test_terminal.py shows the screen)."""
    text = SEED.read_text(encoding="utf-8")
    piped = run(name, "-q", input=text.encode())
    assert piped.exit_code == 0, piped.stderr
    assert piped.stdout == run(name, "-", "-q", input=text.encode()).stdout
    if name == "clean":
        assert piped.stdout == dedup.clean(text) + "\n"
    typed = CliRunner().invoke(cli.main, [name], input=_Keyboard(text.encode()))
    assert typed.exit_code == 2
    assert f"Give a file, or pipe text in: cat page.txt | dedup {name}" in typed.stderr


def test_stdin_from_a_terminal_says_how_to_end_the_input() -> None:
    """``dedup clean -`` with nothing piped in waits for the keyboard: said on stderr, with how
    to end it; piped input, and a file, are read without a word."""
    text = SEED.read_text(encoding="utf-8")
    said = "dedup: reading the input from the terminal: type or paste it, then press Ctrl-D"
    typed = CliRunner().invoke(cli.main, ["clean", "-", "-q"], input=_Keyboard(text.encode()))
    assert typed.exit_code == 0, typed.stderr
    assert typed.stdout == dedup.clean(text) + "\n"
    assert typed.stderr.count(said) == 1
    piped = run("clean", "-", "-q", input=text.encode())
    assert piped.exit_code == 0
    assert "terminal" not in piped.stderr
    assert run("clean", str(SEED), "-q").stderr == ""


def test_csv_and_tsv_files_are_read_a_row_a_record(tmp_path: Path) -> None:
    """``scrapy crawl -O items.csv``, then ``dedup clean items.csv``: each row is a record, its
    text repaired, written as CSV (to stdout too); a folder of CSV, TSV and text files is read
    each as its name says; ``--input-format text`` reads a CSV file as one text document."""
    rows = records(3)
    table = tmp_path / "items.csv"
    with table.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text"])
        writer.writerows([r["id"], r["text"]] for r in rows)
    result = run("clean", str(table), "-q")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    got = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert got == [{"id": r["id"], "text": dedup.clean(r["text"])} for r in rows]
    folder = tmp_path / "exports"
    folder.mkdir()
    tables = {"a.tsv.gz": ("\t", [("1", DOUBLED)]), "b.csv": (",", [("1", DOUBLED), ("2", "Ok.")])}
    for name, (sep, pairs) in tables.items():
        out = io.StringIO()
        csv.writer(out, delimiter=sep).writerows([("id", "text"), *pairs])
        data = out.getvalue().encode()
        (folder / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    (folder / "c.txt").write_text(DOUBLED)
    found = run("find", str(folder), "--json", "-q")
    assert found.exit_code == 0, found.stderr
    ids = [json.loads(line)["id"] for line in found.stdout.splitlines()]
    assert ids == ["1", "1", str(folder / "c.txt")]  # (the documents with pairs)
    meant = run("clean", str(table), "--input-format", "text", "-q")
    assert meant.exit_code == 0
    assert meant.stdout.rstrip("\n") == dedup.clean(table.read_text()).rstrip("\n")


def test_find_and_diff_read_a_folder_as_one_stream(tmp_path: Path) -> None:
    """``dedup find`` and ``dedup diff`` over a folder of text files: the files' documents go
    through the engine together, shown in the folder's order, the same with ``-j 2`` as with
    ``-j 1``; a file that cannot be read stops the run at its turn, after the files before it
    are shown, and ``--skip-invalid`` sets it aside."""
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in ("a", "b", "d"):
        (folder / f"{name}.txt").write_text(DOUBLED.replace("article", f"article {name}"))
    (folder / "c.txt").write_bytes(b"caf\xe9 " + DOUBLED.encode())
    for command in ("find", "diff"):
        shown = "--json" if command == "find" else "--context=0"
        one = run(command, str(folder), shown, "-j", "1", "-q")
        assert one.exit_code == 2
        assert f"{folder / 'c.txt'}:1: invalid UTF-8" in one.stderr
        assert str(folder / "b.txt") in one.stdout
        assert str(folder / "d.txt") not in one.stdout
        assert run(command, str(folder), shown, "-j", "2", "-q").stdout == one.stdout
        rejects = tmp_path / f"{command}-rejects.jsonl"
        args = ["--skip-invalid", "--rejects", str(rejects), "-q"]
        skipped = run(command, str(folder), shown, *args)
        assert skipped.exit_code == 0, skipped.stderr
        assert skipped.stdout.startswith(one.stdout)
        assert str(folder / "d.txt") in skipped.stdout
        assert [json.loads(line)["source"] for line in rejects.read_text().splitlines()] == [
            str(folder / "c.txt")
        ]


def test_parquet_piped_to_stdin(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["a"], "text": ["caf\u00c3\u00a9"]}), path)
    result = run("clean", "-", "-o", str(tmp_path / "out.jsonl"), input=path.read_bytes())
    assert result.exit_code == 0, result.stderr
    assert read_jsonl(tmp_path / "out.jsonl") == [{"id": "a", "text": "caf\u00e9"}]


GO = (
    "Connect to the database:\n\ntype Store struct {\n    db          *sql.DB\n"
    "    name string  \n}\n"
)


def test_code_keeps_its_alignment_and_keep_spaces_keeps_everything(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(GO.replace("database:", "database:   "), encoding="utf-8")
    result = run("clean", str(page), "-q")
    assert "    db          *sql.DB\n" in result.stdout  # an indented line keeps its runs
    assert "database:\n" in result.stdout  # spaces at line ends still go
    kept = run("clean", str(page), "-q", "--keep-spaces")
    assert kept.stdout == page.read_text(encoding="utf-8")
    diff = run("diff", str(page), "-q", "--keep-spaces")
    assert diff.stdout == f"=== {page}\nno changes\n"


def test_find_min_similarity_means_what_it_says() -> None:
    text = SEED.read_text(encoding="utf-8")
    loose = run("find", str(SEED), "--json", "--min-similarity", "0.3", "-q")
    strict = run("find", str(SEED), "--json", "--min-similarity", "0.95", "-q")
    for line in strict.stdout.splitlines():
        pair = json.loads(line)
        assert pair["score"] >= 0.95 or pair["kind"] != "distant", pair
    assert len(loose.stdout.splitlines()) >= len(strict.stdout.splitlines())
    assert dedup.find_duplicates(text, min_similarity=0.95) == [
        p for p in dedup.find_duplicates(text) if p.kind != "distant" or p.score >= 0.95
    ]


def test_clean_takes_keyword_overrides_as_normalize_and_repair_do() -> None:
    assert dedup.clean(GO, collapse_spaces=False) == GO
    assert dedup.normalize(GO, collapse_spaces=False).text == GO
    assert dedup.clean_batch([GO], collapse_spaces=False) == [GO]
    assert dedup.clean(DOUBLED, min_chars=10_000) == dedup.clean(
        DOUBLED, repair_options=RepairOptions(min_chars=10_000)
    )
    with pytest.raises(dedup.ConfigError, match="unknown option colapse_spaces"):
        dedup.clean(GO, colapse_spaces=False)


def test_html_given_to_clean_is_said_to_be_html(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<!DOCTYPE html>\n<html><body><p>Hello there.</p></body></html>\n", encoding="utf-8"
    )
    result = run("clean", str(page), "-o", str(tmp_path / "out.html"))
    assert result.exit_code == 0
    assert result.stderr.startswith(f"Warning: {page}:1 looks like HTML")
    assert "extract its text first" in result.stderr
    assert f"1 document looked like HTML (the first: {page}:1)" in result.stderr
    text = run("clean", str(SEED), "-o", str(tmp_path / "out.txt"))
    assert "HTML" not in text.stderr


def test_text_that_carries_tags_is_not_said_to_be_html(tmp_path: Path) -> None:
    # what naive extractors hand over: the page's text, then its script data with the body
    # as HTML inside a JSON string; and a tutorial's code samples
    body = "The council approved the plan on Monday. Work starts in May."
    script = '{"body":[{"html":"<p class=\\"lead\\">' + body + '</p><div><span>x</span></div>"}]}'
    samples = "Render it: <div><h1>Title</h1><MyButton /><br/><a href=x>y</a></div>\n" * 20
    page = tmp_path / "dump.txt"
    page.write_text(f"{body}\n{script}\n{samples}", encoding="utf-8")
    result = run("clean", str(page), "-o", str(tmp_path / "out.txt"))
    assert result.exit_code == 0
    assert "HTML" not in result.stderr
