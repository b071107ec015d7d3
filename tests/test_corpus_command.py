"""``dedup corpus`` in-process with click's CliRunner, and dedup.corpus.decide."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from dedup import cli
from dedup.corpus.boilerplate import BoilerplateOptions
from dedup.corpus.decide import decide
from dedup.corpus.index import Index
from dedup.model import InputError


def words(seed: int, n: int = 200) -> str:
    rng = random.Random(seed)
    return " ".join(f"w{rng.randrange(5000)}" for _ in range(n))


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, ["corpus", *args], catch_exceptions=False)


def rows() -> list[dict[str, Any]]:
    article = words(1)
    return [
        {"id": "a", "url": "https://x.example/1", "text": article, "n": 0},
        {"id": "b", "url": "https://x.example/2", "text": "Home Menu\n" + article, "n": 1},
        {"id": "c", "url": "https://y.example/1", "text": words(2), "n": 2},
        {"id": "d", "url": "https://y.example/2", "text": article.upper(), "n": 3},
    ]


def write(path: Path, items: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in items), encoding="utf-8")
    return str(path)


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_keeps_one_record_per_cluster_and_sets_the_others_aside(tmp_path: Path) -> None:
    src = write(tmp_path / "in.jsonl", rows())
    out, dropped = tmp_path / "out.jsonl", tmp_path / "dropped.jsonl"
    result = run(src, "-o", str(out), "--dropped", str(dropped))
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in read(out)] == ["a", "c"]
    assert read(out)[0] == rows()[0]  # every field kept, in order
    assert [(r["id"], r["duplicate_of"]) for r in read(dropped)] == [("b", "a"), ("d", "a")]
    assert "4 documents read: 2 kept, 2 duplicates (written to" in result.stderr
    assert "duplicates: 2 of a document kept in this run; 1 of the 2 with the same words" in (
        result.stderr
    )


def test_keep_longest(tmp_path: Path) -> None:
    src = write(tmp_path / "in.jsonl", rows())
    out = tmp_path / "out.jsonl"
    assert run(src, "-o", str(out), "--keep", "longest", "-q").exit_code == 0
    assert [r["id"] for r in read(out)] == ["b", "c"]


def test_mark_writes_every_record_with_its_cluster(tmp_path: Path) -> None:
    src = write(tmp_path / "in.jsonl", rows())
    out = tmp_path / "out.jsonl"
    result = run(src, "-o", str(out), "--mark", "-q")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert [(r["id"], r["cluster"]) for r in read(out)] == [
        ("a", "a"),
        ("b", "a"),
        ("c", "c"),
        ("d", "a"),
    ]


def test_the_index_remembers_earlier_runs(tmp_path: Path) -> None:
    index = str(tmp_path / "seen.db")
    first = write(tmp_path / "day1.jsonl", rows()[:1])
    later = [{"id": "e", "text": "Menu " + words(1)}, {"id": "f", "text": words(7)}]
    second = write(tmp_path / "day2.jsonl", later)
    assert run(first, "-o", str(tmp_path / "o1.jsonl"), "--index", index, "-q").exit_code == 0
    result = run(second, "-o", str(tmp_path / "o2.jsonl"), "--index", index)
    assert result.exit_code == 0
    assert [r["id"] for r in read(tmp_path / "o2.jsonl")] == ["f"]
    assert "2 documents read: 1 kept, 1 duplicate; 0 skipped" in result.stderr
    assert f"0 of a document kept in this run, 1 of documents already in {index}" in result.stderr
    # The same command over the same input is the same run: it writes what it wrote (a rerun
    # after a crash must, and nothing tells the two apart).
    again = run(second, "-o", str(tmp_path / "o3.jsonl"), "--index", index)
    assert again.exit_code == 0
    assert read(tmp_path / "o3.jsonl") == read(tmp_path / "o2.jsonl")
    # ... and its summary says so, instead of leaving "0 of documents already in" unexplained.
    assert f"the same records with the same options ran before on {index}" in again.stderr
    assert "the same records" not in result.stderr
    # Other input holding the same records finds them in the index.
    third = write(tmp_path / "day3.jsonl", [*later, {"id": "g", "text": words(8)}])
    assert run(third, "-o", str(tmp_path / "o4.jsonl"), "--index", index, "-q").exit_code == 0
    assert [r["id"] for r in read(tmp_path / "o4.jsonl")] == ["g"]


def test_a_run_stopped_while_it_adds_to_the_index_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C after the outputs are written, while the index takes this run's documents (a
    batch at a time): the outputs are whole and the message says so; the same command again
    writes the same outputs and completes the index."""
    import dedup.corpus.decide as decide_module

    index = str(tmp_path / "seen.db")
    src = write(tmp_path / "in.jsonl", rows())
    real = decide_module.remember

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(decide_module, "remember", interrupted)
    stopped = run(src, "-o", str(tmp_path / "o1.jsonl"), "--index", index)
    assert stopped.exit_code == 130
    assert (
        f"stopped while adding this run's documents to {index}: the outputs are written "
        "whole" in stopped.stderr
    )
    monkeypatch.setattr(decide_module, "remember", real)
    again = run(src, "-o", str(tmp_path / "o1.jsonl"), "--index", index, "--force", "-q")
    assert again.exit_code == 0
    assert [r["id"] for r in read(tmp_path / "o1.jsonl")] == ["a", "c"]
    with Index(index) as seen:
        assert len(seen) == 4


def test_an_index_built_with_older_canonical_tokens_is_refused(tmp_path: Path) -> None:
    import sqlite3

    from dedup.corpus.shingle import CANON_VERSION

    index = tmp_path / "seen.db"
    first = write(tmp_path / "day1.jsonl", rows()[:1])
    assert run(first, "-o", str(tmp_path / "o1.jsonl"), "--index", str(index)).exit_code == 0
    db = sqlite3.connect(index)
    (stored,) = db.execute("SELECT value FROM meta WHERE key = 'scheme'").fetchone()
    older = json.dumps({**json.loads(stored), "version": CANON_VERSION - 1}, sort_keys=True)
    db.execute("UPDATE meta SET value = ? WHERE key = 'scheme'", (older,))
    db.commit()
    db.close()
    result = run(first, "-o", str(tmp_path / "o2.jsonl"), "--index", str(index))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: signatures of index {index} were made by a dedup whose canonical tokens are "
        f"version {CANON_VERSION - 1}; this one makes version {CANON_VERSION}: they cannot be "
        "compared; build a new one\n"
    )
    assert not (tmp_path / "o2.jsonl").exists()


def test_a_file_that_is_not_an_index_is_reported_as_such(tmp_path: Path) -> None:
    first = write(tmp_path / "day1.jsonl", rows()[:1])
    index = tmp_path / "notes.txt"
    index.write_bytes(b"plain text, not SQLite\n" * 200)
    result = run(first, "-o", str(tmp_path / "o.jsonl"), "--index", str(index))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {index} is not a dedup index: it is not an SQLite database, or a damaged "
        "one (file is not a database): give --index the path of a dedup index, or a new "
        "path to build one\n"
    )
    assert not (tmp_path / "o.jsonl").exists()
    with pytest.raises(InputError, match="not a dedup index") as raised:
        Index(tmp_path / "notes.txt")
    assert (raised.value.reason, raised.value.path) == ("not-an-index", str(tmp_path / "notes.txt"))


def test_boilerplate_is_removed_before_clustering(tmp_path: Path) -> None:
    menu = "Home | World | Sport | Contact us"
    items = [
        {"id": str(i), "url": f"https://x.example/{i}", "text": f"{menu}\n{words(i, 30)}"}
        for i in range(6)
    ]
    src = write(tmp_path / "in.jsonl", items)
    out = tmp_path / "out.jsonl"
    result = run(src, "-o", str(out), "--boilerplate")
    assert result.exit_code == 0
    assert all(menu not in r["text"] for r in read(out))
    assert "boilerplate: 6 lines removed" in result.stderr


def test_an_existing_output_is_refused(tmp_path: Path) -> None:
    src = write(tmp_path / "in.jsonl", rows())
    out = tmp_path / "out.jsonl"
    out.write_text("keep me", encoding="utf-8")
    result = run(src, "-o", str(out))
    assert result.exit_code == 1
    assert "exists: pass --force" in result.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    assert run(src, "-o", str(out), "--force", "-q").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--threshold", "2"], "threshold"),
        (["--mark", "--dropped", "x.jsonl"], "--mark"),
    ],
)
def test_bad_options_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    src = write(tmp_path / "in.jsonl", rows())
    result = run(src, "-o", str(tmp_path / "out.jsonl"), *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_no_output_is_a_usage_error(tmp_path: Path) -> None:
    """``-o`` is required: without it the command says so (exit status 2), whatever click
    makes of an option whose default is ``None``."""
    src = write(tmp_path / "in.jsonl", rows())
    result = CliRunner().invoke(cli.main, ["corpus", src])
    assert result.exit_code == 2, result.output
    assert "Missing option '-o' / '--output'" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_malformed_line_exits_2(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "fine"}\n{not json\n', encoding="utf-8")
    result = run(str(src), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 2
    assert "in.jsonl" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_help_names_every_option() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for option in ("--threshold", "--keep", "--index", "--boilerplate", "--mark", "--dropped"):
        assert option in result.stdout
    assert "Example:" in result.stdout


def test_decide_is_pure() -> None:
    texts = [r["text"] for r in rows()]
    first = decide(texts, ids=["a", "b", "c", "d"])
    assert first == decide(texts, ids=["a", "b", "c", "d"])
    assert first.kept == (True, False, True, False)
    with_bp = decide(texts, urls=[r["url"] for r in rows()], boilerplate=BoilerplateOptions())
    assert with_bp.boilerplate == (0, 0, 0, 0)  # two pages a site: too few to learn from


def test_parquet_in_parquet_out_with_marks(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(rows()), src)
    out = tmp_path / "out.parquet"
    result = run(str(src), "-o", str(out), "--mark", "-q")
    assert result.exit_code == 0, result.output
    table = pq.read_table(out).to_pylist()
    assert [(r["id"], r["cluster"], r["n"]) for r in table] == [
        ("a", "a", 0),
        ("b", "a", 1),
        ("c", "c", 2),
        ("d", "a", 3),
    ]


# --- the input options shared with clean, find and diff ------------------------------------


def test_invalid_utf8_stops_unless_errors_replace(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    lines = [json.dumps(r).encode() for r in rows()]
    lines[2] = lines[2].replace(b'"text": "', b'"text": "caf\xe9 ', 1)  # Latin-1, not UTF-8
    src.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    stopped = run(str(src), "-o", str(out))
    assert stopped.exit_code == 2
    assert "invalid UTF-8" in stopped.stderr
    assert "--errors replace" in stopped.stderr
    assert not out.exists()
    result = run(str(src), "-o", str(out), "--errors", "replace")
    assert result.exit_code == 0, result.output
    kept = read(out)
    assert [r["id"] for r in kept] == ["a", "c"]
    assert kept[1]["text"].startswith("caf\ufffd ")
    assert "0 skipped (1 with invalid UTF-8 replaced)" in result.stderr


def test_invalid_utf8_text_file_with_errors_replace(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    article = words(3).encode()
    (tmp_path / "pages" / "a.txt").write_bytes(b"\xff\xfe " + article)
    (tmp_path / "pages" / "b.txt").write_bytes(article)
    out = tmp_path / "out.jsonl"
    assert run(str(tmp_path / "pages"), "-o", str(out), "-q").exit_code == 2
    result = run(str(tmp_path / "pages"), "-o", str(out), "--errors", "replace", "-q")
    assert result.exit_code == 0, result.output
    (only,) = read(out)
    assert only["text"].startswith("\ufffd\ufffd ")
    assert only["id"].endswith("a.txt")


def _with_a_malformed_line(tmp_path: Path) -> Path:
    src = tmp_path / "in.jsonl"
    lines = [json.dumps(r) for r in rows()]
    lines.insert(2, '{"id": "broken", "text": "cut sh')
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return src


def test_a_malformed_line_stops_the_run_without_skip_invalid(tmp_path: Path) -> None:
    src = _with_a_malformed_line(tmp_path)
    out = tmp_path / "out.jsonl"
    result = run(str(src), "-o", str(out))
    assert result.exit_code == 2
    assert "in.jsonl:3: malformed JSON" in result.stderr
    assert "--skip-invalid" in result.stderr
    assert not out.exists()


def test_skip_invalid_sets_a_malformed_line_aside_in_rejects(tmp_path: Path) -> None:
    src = _with_a_malformed_line(tmp_path)
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    result = run(str(src), "-o", str(out), "--skip-invalid", "--rejects", str(rejects))
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in read(out)] == ["a", "c"]
    (reject,) = read(rejects)
    assert reject["source"].endswith("in.jsonl")
    assert reject["line"] == 3
    assert "malformed JSON" in reject["error"]
    assert reject["raw"] == '{"id": "broken", "text": "cut sh\n'  # the line as read
    assert "4 documents read: 2 kept, 2 duplicates; 1 skipped" in result.stderr


def test_skip_invalid_needs_rejects(tmp_path: Path) -> None:
    src = _with_a_malformed_line(tmp_path)
    result = run(str(src), "-o", str(tmp_path / "out.jsonl"), "--skip-invalid")
    assert result.exit_code == 2
    assert "--skip-invalid needs --rejects PATH" in result.output
    assert not (tmp_path / "out.jsonl").exists()


def test_rejects_alone_still_stops_on_a_malformed_line(tmp_path: Path) -> None:
    src = _with_a_malformed_line(tmp_path)
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    result = run(str(src), "-o", str(out), "--rejects", str(rejects))
    assert result.exit_code == 2
    assert "malformed JSON" in result.stderr
    assert not out.exists()
    assert not rejects.exists()


def test_an_existing_rejects_file_is_refused(tmp_path: Path) -> None:
    src = _with_a_malformed_line(tmp_path)
    rejects = tmp_path / "rejects.jsonl"
    rejects.write_text("keep me", encoding="utf-8")
    args = [str(src), "-o", str(tmp_path / "out.jsonl"), "--skip-invalid", "--rejects"]
    result = run(*args, str(rejects))
    assert result.exit_code == 1
    assert "rejects.jsonl exists" in result.stderr
    assert rejects.read_text(encoding="utf-8") == "keep me"
    assert run(*args, str(rejects), "--force", "-q").exit_code == 0
    assert len(read(rejects)) == 1


def test_field_reads_the_text_from_another_field(tmp_path: Path) -> None:
    items = [
        {"id": r["id"], "body": r["text"], "text": f"unrelated {i}"} for i, r in enumerate(rows())
    ]
    src = write(tmp_path / "in.jsonl", items)
    out = tmp_path / "out.jsonl"
    result = run(src, "-o", str(out), "--field", "body", "--mark", "-q")
    assert result.exit_code == 0, result.output
    marked = read(out)
    assert [(r["id"], r["cluster"]) for r in marked] == [
        ("a", "a"),
        ("b", "a"),
        ("c", "c"),
        ("d", "a"),
    ]
    assert [r["body"] for r in marked] == [r["body"] for r in items]  # written back in place
    assert [r["text"] for r in marked] == [r["text"] for r in items]  # untouched
    missing = run(src, "-o", str(tmp_path / "other.jsonl"), "--field", "content")
    assert missing.exit_code == 2
    assert "no field 'content'" in missing.stderr


def test_id_field_names_the_clusters(tmp_path: Path) -> None:
    items = [{**r, "key": f"k-{r['id']}"} for r in rows()]
    src = write(tmp_path / "in.jsonl", items)
    out = tmp_path / "out.jsonl"
    assert run(src, "-o", str(out), "--id-field", "key", "--mark", "-q").exit_code == 0
    assert [r["cluster"] for r in read(out)] == ["k-a", "k-a", "k-c", "k-a"]


def test_glob_chooses_the_files_of_a_directory(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl"
    (crawl / "day2").mkdir(parents=True)
    write(crawl / "day1.jsonl", rows()[:2])
    write(crawl / "day2" / "part.jsonl", rows()[2:])
    (crawl / "notes.txt").write_text("not a record: " + words(9), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run(str(crawl), "-o", str(out), "--glob", "*.jsonl")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in read(out)] == ["a", "c"]  # notes.txt is not read
    assert "4 documents read" in result.stderr
    everything = run(str(crawl), "-o", str(tmp_path / "all.jsonl"), "-q")
    assert everything.exit_code == 0
    assert len(read(tmp_path / "all.jsonl")) == 3  # with notes.txt, as one more document
    nothing = run(str(crawl), "-o", str(tmp_path / "none.jsonl"), "--glob", "*.parquet")
    assert nothing.exit_code == 2
    assert "no input files found" in nothing.stderr


def test_input_format_reads_a_file_whatever_its_name(tmp_path: Path) -> None:
    src = write(tmp_path / "records.txt", rows())
    out = tmp_path / "out.jsonl"
    result = run(src, "-o", str(out), "--input-format", "jsonl", "-q")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in read(out)] == ["a", "c"]


def test_format_chooses_the_output_format(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    src = write(tmp_path / "in.jsonl", rows())
    out, dropped = tmp_path / "unique.data", tmp_path / "dups.data"
    args = ["-o", str(out), "--dropped", str(dropped), "--format", "parquet", "-q"]
    result = run(src, *args)
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in pq.read_table(out).to_pylist()] == ["a", "c"]
    assert [r["duplicate_of"] for r in pq.read_table(dropped).to_pylist()] == ["a", "a"]
    text = run(src, "-o", str(tmp_path / "out.txt"), "--format", "text")
    assert text.exit_code == 2
    assert "'text' is not one of 'jsonl', 'parquet'" in text.output


def test_an_output_whose_name_says_no_format_gets_json_lines(tmp_path: Path) -> None:
    """``dedup corpus pages/ -o kept.txt`` (or ``-o /dev/null``, or a name without a suffix):
    the records kept are JSON Lines, the one format of records a name does not have to say,
    where the run did all its work and then stopped on a text output holding one document."""
    pages = tmp_path / "pages"
    pages.mkdir()
    for name, seed in (("a.txt", 1), ("b.txt", 1), ("c.txt", 2)):
        (pages / name).write_text(words(seed), encoding="utf-8")
    for name in ("kept.txt", "kept"):
        out, dropped = tmp_path / name, tmp_path / f"dropped-{name}"
        result = run(str(pages), "-o", str(out), "--dropped", str(dropped), "-q")
        assert result.exit_code == 0, result.output
        assert [Path(r["id"]).name for r in read(out)] == ["a.txt", "c.txt"]
        assert [Path(r["duplicate_of"]).name for r in read(dropped)] == ["a.txt"]
    assert run(str(pages), "-o", "/dev/null", "-q").exit_code == 0


def test_stdin_is_read_with_the_input_options(tmp_path: Path) -> None:
    data = "".join(json.dumps(r) + "\n" for r in rows()).encode() + b"{oops\n"
    rejects = tmp_path / "rejects.jsonl"
    args = ["-", "-o", "-", "--input-format", "jsonl", "--skip-invalid", "--rejects"]
    result = CliRunner().invoke(
        cli.main,
        ["corpus", *args, str(rejects), "-q"],
        input=data,
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["a", "c"]
    assert read(rejects)[0]["raw"] == "{oops\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "-", "--dropped", "-"], "give --dropped a file path"),
        (["-o", "-", "--skip-invalid", "--rejects", "-"], "--rejects needs a file path"),
    ],
)
def test_two_outputs_cannot_share_stdout(tmp_path: Path, args: list[str], message: str) -> None:
    result = run(write(tmp_path / "in.jsonl", rows()), *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_file_name_reused_every_day_loses_nothing_to_its_line_ids(tmp_path: Path) -> None:
    """Without an id field, records are named FILE:LINE; the same file name every day (day 1
    [A, B], day 2 [C, D, A], day 3 [C]) with one index: day 2 keeps C and D, day 3 nothing."""
    a, b, c, d = (words(seed) for seed in (21, 22, 23, 24))
    index = str(tmp_path / "seen.db")
    crawl = tmp_path / "crawl.jsonl"
    kept = []
    for day, texts in enumerate(([a, b], [c, d, a], [c]), start=1):
        crawl.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
        out = tmp_path / f"day{day}.jsonl"
        assert run(str(crawl), "-o", str(out), "--index", index, "-q").exit_code == 0
        kept.append([r["text"] for r in read(out)])
    assert kept == [[a, b], [c, d], []]


def test_lone_surrogates_go_through_corpus_and_its_index(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    text = "caf\\udce9 " + words(3)
    src.write_text(
        f'{{"id": "a\\ud800", "text": "{text}"}}\n{{"id": "b", "text": "{text}!"}}\n',
        encoding="utf-8",
    )
    out, index = tmp_path / "out.jsonl", str(tmp_path / "seen.db")
    for extra in ([], ["--boilerplate"]):
        result = run(str(src), "-o", str(out), "--mark", "--index", index, "--force", *extra)
        assert result.exit_code == 0, result.stderr
        assert [r["cluster"] for r in read(out)] == ["a\ud800", "a\ud800"]
