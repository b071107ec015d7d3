"""Nothing lost, nothing destroyed: where a run may write, and what it refuses before any work.

Each case was a run that replaced or emptied something it should not have (a FIFO, a device,
an input, the index, one output with another), or wrote outside ``-o``. Every case checks the
exit status, the message, and that nothing it must not touch changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import dedup
from dedup import cli
from dedup.io.outputs import atomic_output

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_4f0cfa5be7925e77.txt"
TEXT = "A first paragraph of an article, long enough to count as one.\n\nAnd a second one."


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli.main, [str(a) for a in args], catch_exceptions=False)


def rows(n: int = 4) -> list[dict[str, Any]]:
    return [{"id": f"r{i}", "text": f"{TEXT} Number {i} of {n}."} for i in range(n)]


def write_jsonl(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in items), encoding="utf-8")
    return path


def cleaned_seed(tmp_path: Path) -> bytes:
    """What ``dedup clean SEED -o FILE`` writes to a regular file."""
    out = tmp_path / "regular" / "seed.txt"
    assert run("clean", SEED, "-o", out, "-q").exit_code == 0
    data = out.read_bytes()
    out.unlink()
    out.parent.rmdir()
    return data


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextlib.contextmanager
def drained(fifo: Path) -> Iterator[list[bytes]]:
    """A reader on ``fifo`` for the duration of the block; what it read, once the block ends.
    Nothing here blocks for good: a reader still waiting when the block ends is released."""
    got: list[bytes] = []

    def read() -> None:
        with fifo.open("rb") as fh:
            got.append(fh.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    try:
        yield got
    finally:
        deadline = time.monotonic() + 10
        while thread.is_alive() and not got and time.monotonic() < deadline:
            with contextlib.suppress(OSError):  # ENXIO: the reader is not waiting (yet)
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            thread.join(0.1)
        thread.join(10)


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize("threads", [0, 1])
def test_a_signal_landing_as_the_temporary_file_is_made_leaves_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threads: int
) -> None:
    """SIGTERM (the CLI's handler raises) or Ctrl-C right as the temporary file is made, before
    the call that makes it returns: the file goes all the same, with another thread running or
    not (a signal sent to the process may reach any thread; its handler raises in the main
    one). (Raised inside ``mkstemp``, before its caller had the name, it left the file behind:
    the CLI said "no partial output was left behind" over a ``.out.jsonl.*.tmp``; holding the
    signals in the writing thread did not hold them where another thread took them.)"""

    class Landed(Exception):
        pass

    def land(signum: int, frame: object) -> None:
        raise Landed

    made = os.open

    def made_then_signalled(file: str, flags: int, mode: int = 0o777, **kwargs: Any) -> int:
        fd = made(file, flags, mode, **kwargs)
        if str(file).endswith(".tmp"):
            os.kill(os.getpid(), signal.SIGTERM)
            # (the handler runs once this returns, in the main thread: at once where the signal
            # came to it, after the sleep where another thread took it)
            time.sleep(0.05)
        return fd

    stop = threading.Event()
    others = [threading.Thread(target=stop.wait, daemon=True) for _ in range(threads)]
    for thread in others:
        thread.start()
    monkeypatch.setattr(os, "open", made_then_signalled)
    previous = signal.signal(signal.SIGTERM, land)
    try:
        with pytest.raises(Landed), atomic_output(tmp_path / "out.txt") as fh:
            fh.write(b"never seen")
    finally:
        signal.signal(signal.SIGTERM, previous)
        monkeypatch.undo()
        stop.set()
    assert list(tmp_path.iterdir()) == []


# --- 1. special files are written into, never replaced -------------------------------------


@pytest.mark.parametrize("force", [True, False])
def test_a_fifo_is_written_into_not_replaced(tmp_path: Path, force: bool) -> None:
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    with drained(fifo) as got:
        result = run("clean", SEED, "-o", fifo, "-q", *(["--force"] if force else []))
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert got == [cleaned_seed(tmp_path)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]  # no temporary file left


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_character_device_is_written_into_not_replaced(tmp_path: Path) -> None:
    null = tmp_path / "null"  # a device node like /dev/null, in a scratch directory
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    result = run("clean", SEED, "-o", null, "--force", "-q")
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert null.stat().st_rdev == os.makedev(1, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_a_link_to_stdout_writes_to_stdout(tmp_path: Path) -> None:
    """``-o /dev/stdout``, made with a link of our own (``/dev/stdout`` is one) so that the
    machine's is never at stake."""
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    done = subprocess.run(
        [sys.executable, "-m", "dedup", "clean", str(SEED), "-o", str(link), "--force", "-q"],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == cleaned_seed(tmp_path)
    assert link.is_symlink()
    assert os.readlink(link) == "/proc/self/fd/1"


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        result = run("clean", SEED, "-o", path, "--force", "-q")
    assert result.exit_code == 1
    assert f"{path} is a socket: give -o a regular file, a FIFO or a character device" in (
        result.stderr
    )
    assert stat.S_ISSOCK(path.lstat().st_mode)


# --- 2. two outputs on one path -------------------------------------------------------------


@pytest.mark.parametrize("force", [[], ["--force"]])
@pytest.mark.parametrize(
    ("command", "flag", "extra"),
    [
        ("clean", "--report", []),
        ("clean", "--rejects", ["--skip-invalid"]),
        ("corpus", "--dropped", []),
        ("corpus", "--rejects", ["--skip-invalid"]),
    ],
)
def test_two_outputs_on_one_path_are_refused(
    tmp_path: Path, command: str, flag: str, extra: list[str], force: list[str]
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", rows())
    out = tmp_path / "out.jsonl"
    result = run(command, src, "-o", out, flag, out, *extra, *force)
    assert result.exit_code == 1, result.output
    assert f"-o and {flag} both name {out}: give each its own path" in result.stderr
    assert not out.exists()


def test_a_file_output_on_the_output_directory_is_refused(tmp_path: Path) -> None:
    """Two inputs mirror into ``-o DIR``; ``--rejects DIR`` is that directory (the property
    below found it: the run failed after writing its report)."""
    first = write_jsonl(tmp_path / "a.jsonl", rows())
    second = write_jsonl(tmp_path / "b.jsonl", rows())
    out, report = tmp_path / "out", tmp_path / "report.jsonl"
    args = ("--report", report, "--skip-invalid", "--rejects", out, "--force")
    result = run("clean", first, second, "-o", out, *args)
    assert result.exit_code == 1, result.output
    assert f"-o and --rejects both name {out}" in result.stderr
    assert not report.exists()


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_two_outputs_through_a_link_are_refused(tmp_path: Path, link: str) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", rows())
    out = tmp_path / "out.jsonl"
    out.write_text("old output\n")
    other = tmp_path / "report.jsonl"
    if link == "symlink":
        other.symlink_to(out)
    else:
        os.link(out, other)
    result = run("clean", src, "-o", out, "--report", other, "--force")
    assert result.exit_code == 1, result.output
    assert f"-o and --report both name {out}" in result.stderr
    assert out.read_text() == "old output\n"


# --- 3. no output is an input or the index, whatever --force says ---------------------------


def test_corpus_output_is_its_input(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", rows())
    before = digest(src)
    result = run("corpus", src, "-o", src, "--force")
    assert result.exit_code == 1, result.output
    assert f"-o {src} is also an input: give -o another path" in result.stderr
    assert "--in-place" not in result.stderr  # (corpus has no such option)
    assert digest(src) == before


def test_rejects_file_is_an_input(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", rows())
    before = digest(src)
    result = run(
        "clean", src, "-o", tmp_path / "o.jsonl", "--skip-invalid", "--rejects", src, "--force"
    )
    assert result.exit_code == 1, result.output
    assert f"--rejects {src} is also an input" in result.stderr
    assert digest(src) == before
    assert not (tmp_path / "o.jsonl").exists()


def test_output_is_the_index(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", rows())
    index = tmp_path / "seen.db"
    assert run("corpus", src, "-o", tmp_path / "first.jsonl", "--index", index, "-q").exit_code == 0
    before = digest(index)
    args = ("corpus", src, "-o", index, "--index", index, "--format", "jsonl", "--force")
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert f"-o {index} is the index" in result.stderr
    assert digest(index) == before


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
@pytest.mark.parametrize("flag", ["-o", "--report", "--rejects"])
def test_an_input_behind_a_link_is_not_an_output(tmp_path: Path, link: str, flag: str) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", rows())
    before = digest(src)
    alias = tmp_path / "alias.jsonl"
    if link == "symlink":
        alias.symlink_to(src)
    else:
        os.link(src, alias)
    outputs = {"-o": tmp_path / "o.jsonl", "--report": None, "--rejects": None, flag: alias}
    args: list[str | Path] = ["clean", src, "--force", "-o", outputs["-o"] or ""]
    for name in ("--report", "--rejects"):
        if outputs[name] is not None:
            args += [name, outputs[name] or ""]
    if flag == "--rejects":
        args.append("--skip-invalid")
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert f"{flag} {alias} is also an input" in result.stderr
    assert digest(src) == before
    assert alias.exists()


def test_dropped_is_the_index_through_a_hard_link(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", rows())
    index = tmp_path / "seen.db"
    assert run("corpus", src, "-o", tmp_path / "first.jsonl", "--index", index, "-q").exit_code == 0
    before = digest(index)
    alias = tmp_path / "dups.jsonl"
    os.link(index, alias)
    args = ("corpus", src, "-o", tmp_path / "o.jsonl", "--index", index, "--dropped", alias)
    result = run(*args, "--force")
    assert result.exit_code == 1, result.output
    assert f"--dropped {alias} is the index" in result.stderr
    assert digest(index) == before


# --- in place: through links, never breaking them --------------------------------------------


def test_in_place_writes_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "real.txt"
    doubled = f"{TEXT}\n\n{TEXT}"
    target.write_text(doubled, encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    result = run("clean", link, "--in-place", "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == dedup.clean(doubled)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "real.txt"]


def test_in_place_rewrites_a_directory(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    (pages / "sub").mkdir(parents=True)
    doubled = f"{TEXT}\n\n{TEXT}"
    for name in ("a.txt", "sub/b.txt"):
        (pages / name).write_text(doubled, encoding="utf-8")
    result = run("clean", pages, "--in-place", "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    for name in ("a.txt", "sub/b.txt"):
        assert (pages / name).read_text(encoding="utf-8").rstrip("\n") == dedup.clean(doubled)


def test_in_place_refuses_a_file_with_hard_links(tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    first.write_text(f"{TEXT}\n\n{TEXT}", encoding="utf-8")
    second = tmp_path / "b.txt"
    os.link(first, second)
    before = digest(first)
    result = run("clean", first, "--in-place", "-q")
    assert result.exit_code == 1, result.output
    assert f"{first} has 2 hard links: --in-place would leave the others unchanged" in (
        result.stderr
    )
    assert os.path.samefile(first, second)
    assert digest(first) == before


# --- directories: never write outside -o; say what is followed -------------------------------


def test_a_symlinked_subdirectory_of_the_output_is_refused(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    (pages / "sub").mkdir(parents=True)
    (pages / "sub" / "a.txt").write_text(TEXT, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "sub").symlink_to(elsewhere)
    result = run("clean", pages, "-o", out, "--force", "-q")
    assert result.exit_code == 1, result.output
    assert f"{out / 'sub'} leads outside -o {out}" in result.stderr
    assert list(elsewhere.iterdir()) == []


def test_file_symlinks_inside_an_input_directory_are_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the corpus", encoding="utf-8")
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text(TEXT, encoding="utf-8")
    (pages / "b.txt").symlink_to(secret)
    out = tmp_path / "out"
    result = run("clean", pages, "-o", out, "-j", "1")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["a.txt"]
    assert (
        f"skipped 1 symbolic link in {pages}: {pages / 'b.txt'}; name a link on the command "
        "line to read what it points to" in result.stderr
    )


def test_a_glob_the_shell_expanded_is_pointed_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--glob *.txt`` unquoted reaches the command as ``--glob a.txt b.txt``: said on stderr,
    and with no input found, in the error."""
    monkeypatch.chdir(tmp_path)
    pages = tmp_path / "pages"
    (pages / "sub").mkdir(parents=True)
    (pages / "sub" / "c.txt").write_text(TEXT, encoding="utf-8")
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(TEXT, encoding="utf-8")
    hint = (
        "--glob 'a.txt' has no wildcard and names a file in the working directory: if the shell "
        "expanded an unquoted pattern, quote it (--glob '*.txt')"
    )
    result = run("clean", "pages", "--glob", "a.txt", "-o", "out", "-q", "-j", "1")
    assert result.exit_code == 2, result.output
    assert result.stderr.count(hint) == 1
    assert f"no input files found: check the paths and --glob; {hint}" in result.stderr
    result = run("clean", "pages", "--glob", "a.txt", "b.txt", "-o", "out", "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    assert hint in result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["b.txt"]
    # a pattern, or a name that is no file here, is taken as given, without a word
    result = run("clean", "pages", "--glob", "*.txt", "-o", "out2", "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "wildcard" not in result.stderr
    result = run("clean", "pages", "--glob", "c.txt", "-o", "out3", "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "wildcard" not in result.stderr
    assert sorted(p.name for p in (tmp_path / "out3").iterdir()) == ["sub"]


def test_output_equal_to_the_input_directory_says_so(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text(TEXT, encoding="utf-8")
    result = run("clean", pages, "-o", pages, "--force")
    assert result.exit_code == 2, result.output
    assert (
        f"-o {pages} is the input directory: write to another directory, or rewrite the "
        "files with --in-place" in result.stderr
    )
    assert (pages / "a.txt").read_text(encoding="utf-8") == TEXT


@pytest.mark.parametrize("flag", ["-o", "--dropped", "--rejects"])
def test_an_output_inside_the_input_directory_is_refused(tmp_path: Path, flag: str) -> None:
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    write_jsonl(crawl / "day1.jsonl", rows())
    side = crawl / "side.jsonl"
    extra = ["--skip-invalid"] if flag == "--rejects" else []
    out = [] if flag == "-o" else ["-o", tmp_path / "out.jsonl"]
    result = run("corpus", crawl, *out, flag, side, *extra)
    assert result.exit_code == 1, result.output
    assert (
        f"{flag} {side} is inside the input directory {crawl}: a run over that directory "
        "reads it as input; write it elsewhere" in result.stderr
    )
    assert not side.exists()
    assert not (tmp_path / "out.jsonl").exists()


# --- any combination of paths: nothing lost, nothing destroyed ------------------------------

_NAMES = (
    "in.jsonl",
    "crawl/a.jsonl",
    "crawl/b.jsonl",
    "seen.db",
    "out.jsonl",
    "other.jsonl",
    "keep.jsonl",
    "crawl/side.jsonl",
    "crawl/.hidden.jsonl",
    "sym-in.jsonl",
    "hard-in.jsonl",
    "sym-db",
    "hard-db",
    "sym-out.jsonl",
    "sym-crawl",
)


def _layout(root: Path) -> None:
    """Inputs, an index of an earlier run, a file nobody names, and links between them."""
    (root / "crawl").mkdir()
    write_jsonl(root / "in.jsonl", rows(3))
    write_jsonl(root / "crawl" / "a.jsonl", rows(2))
    bad = rows(2)
    (root / "crawl" / "b.jsonl").write_text(json.dumps(bad[0]) + "\n{not json\n")
    write_jsonl(root / "keep.jsonl", rows(1))
    index = root / "seen.db"
    result = run("corpus", root / "keep.jsonl", "-o", root / "first.jsonl", "--index", index, "-q")
    assert result.exit_code == 0, result.output
    (root / "first.jsonl").unlink()
    (root / "sym-in.jsonl").symlink_to(root / "in.jsonl")
    os.link(root / "in.jsonl", root / "hard-in.jsonl")
    (root / "sym-db").symlink_to(index)
    os.link(index, root / "hard-db")
    (root / "sym-out.jsonl").symlink_to(root / "out.jsonl")
    (root / "sym-crawl").symlink_to(root / "crawl")


def _state(root: Path) -> dict[str, str]:
    """Every regular file under ``root``, by content (links are followed to their files)."""
    return {
        str(p.relative_to(root)): digest(p)
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and not p.name.endswith(".lock")
    }


def _documents(index: Path) -> int:
    from dedup.corpus import Index

    with Index(index, readonly=True) as opened:
        assert opened.check() == []
        return len(opened)


try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is in the test extra
    given = None

if given is not None:
    _maybe = st.one_of(st.none(), st.sampled_from(_NAMES))

    @settings(
        max_examples=int(os.environ.get("DEDUP_PATH_EXAMPLES", "60")),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        command=st.sampled_from(["clean", "corpus"]),
        inputs=st.lists(
            st.sampled_from(["in.jsonl", "crawl", "sym-in.jsonl", "crawl/a.jsonl", "sym-crawl"]),
            min_size=1,
            max_size=2,
        ),
        output=st.sampled_from(_NAMES),
        side=_maybe,
        rejects=_maybe,
        index=_maybe,
        force=st.booleans(),
    )
    def test_any_paths_lose_and_destroy_nothing(
        command: str,
        inputs: list[str],
        output: str,
        side: str | None,
        rejects: str | None,
        index: str | None,
        force: bool,
    ) -> None:
        """Whatever paths a run is given: no input and no index ever changes (but by the
        records a successful run adds to its index), no file that is not an output changes,
        and a run that ends 0 has written every output it names."""
        import tempfile

        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch)
            _layout(root)
            read = {
                str(p.relative_to(root))
                for i in inputs
                for p in ([root / i] if (root / i).is_file() else (root / i).rglob("*.jsonl"))
                if p == root / i or not (p.is_symlink() or p.name.startswith("."))
            }
            read = {_real(root, name) for name in read}
            before = _state(root)
            documents = _documents(root / "seen.db")
            args: list[str | Path] = [command, *(root / i for i in inputs), "-o", root / output]
            outputs = {output: "-o"}
            if side is not None:
                args += ["--report" if command == "clean" else "--dropped", root / side]
                outputs.setdefault(side, "side")
            if rejects is not None:
                args += ["--skip-invalid", "--rejects", root / rejects]
                outputs.setdefault(rejects, "--rejects")
            if index is not None and command == "corpus":
                args += ["--index", root / index]
            if command == "clean":
                args += ["-j", "1"]
            args += ["-q", *(["--force"] if force else [])]
            result = run(*args)
            assert result.exit_code in (0, 1, 2), result.output
            assert "Traceback" not in result.output
            after = _state(root)
            written = {_real(root, name) for name in outputs}
            named_index = index is not None and command == "corpus"
            if result.exit_code == 0:
                assert not (read & written), f"an input was written: {read & written}"
            for name, sha in before.items():
                if result.exit_code == 0 and name in written:
                    continue
                if (
                    result.exit_code == 0
                    and named_index
                    and os.path.samefile(root / name, root / (index or ""))
                ):
                    continue  # the index (or a hard link to it) took this run's records
                assert after.get(name) == sha, f"{name} changed: {result.output}"
            if named_index and result.exit_code == 0:
                assert _documents(root / (index or "")) >= documents
            elif "seen.db" not in written or result.exit_code != 0:
                assert _documents(root / "seen.db") == documents
            if result.exit_code == 0:
                for name in outputs:
                    assert (root / name).exists(), f"{name} is missing after exit 0"


def _real(root: Path, name: str) -> str:
    """``name`` under ``root`` with its links followed, relative to ``root``."""
    return str(Path(os.path.realpath(root / name)).relative_to(os.path.realpath(root)))
