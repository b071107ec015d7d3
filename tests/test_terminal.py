"""What a person sees on a terminal: the commands run on a pseudo-terminal, and the screen
rendered by a terminal emulator (pyte) is compared with the screen the output alone makes."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

import dedup

pyte = pytest.importorskip("pyte", reason="pyte is not installed: pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_4f0cfa5be7925e77.txt"
COLUMNS, ROWS = 100, 200
BAR = re.compile(rb"\d/[\d.]+ ?(bytes|kB|MB|GB)|-:--:--")  # the bar's size and time columns
TIMEOUT = 120


def command() -> list[str]:
    """``dedup``, as the README runs it: the script beside this Python, else ``-m dedup``."""
    script = Path(sys.executable).parent / "dedup"
    return [str(script)] if script.exists() else [sys.executable, "-m", "dedup"]


def on_terminal(args: list[str], *, stdout_to: Path | None = None, status: int = 0) -> bytes:
    """Run ``args`` with stdin, stderr (and stdout, unless ``stdout_to``) on a new
    pseudo-terminal of COLUMNS x ROWS; everything the terminal received (the command must
    exit with ``status``)."""
    main, side = pty.openpty()
    fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env["TERM"] = "xterm-256color"
    out = stdout_to.open("wb") if stdout_to is not None else None
    try:
        process = subprocess.Popen(
            args,
            stdin=side,
            stdout=out if out is not None else side,
            stderr=side,
            cwd=ROOT,
            env=env,
            close_fds=True,
        )
    finally:
        os.close(side)
    received = bytearray()
    deadline = time.monotonic() + TIMEOUT
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 1.0)
            if ready:
                try:
                    chunk = os.read(main, 65536)
                except OSError:  # the other side closed: everything has been read
                    break
                if not chunk:
                    break
                received += chunk
            elif process.poll() is not None:
                break
        assert process.wait(timeout=TIMEOUT) == status, received.decode("utf-8", "replace")
    finally:
        os.close(main)
        if out is not None:
            out.close()
    return bytes(received)


def screen(data: bytes) -> list[str]:
    """The rows a terminal of COLUMNS x ROWS shows after ``data``, trailing spaces removed."""
    shown = pyte.Screen(COLUMNS, ROWS)
    pyte.ByteStream(shown).feed(data)
    return [row.rstrip() for row in shown.display]


def test_the_readme_first_command_shows_the_article_whole() -> None:
    """``dedup clean seeds/...`` on a terminal: the screen shows the repaired article exactly as
    the text alone would, from the first row, then the summary on rows of its own; no bar,
    nothing drawn over the article."""
    data = on_terminal([*command(), "clean", str(SEED.relative_to(ROOT))])
    article = dedup.clean(SEED.read_text(encoding="utf-8"))
    expected = screen(article.replace("\n", "\r\n").encode("utf-8") + b"\r\n")
    rows = max(i for i, row in enumerate(expected) if row) + 1  # the rows the article takes
    shown = screen(data)
    assert shown[:rows] == expected[:rows]
    assert shown[rows].startswith("dedup clean: 1 document read, 1 changed")
    summary = [row for row in shown[rows:] if row]
    assert len(summary) == 4, summary
    assert not BAR.search(data)
    assert b"\x1b[2K" not in data  # nothing erased a line


@pytest.mark.parametrize("name", ["diff", "find"])
def test_diff_and_find_on_a_terminal_have_no_bar(name: str) -> None:
    data = on_terminal([*command(), name, str(SEED.relative_to(ROOT))])
    assert not BAR.search(data)
    assert b"\x1b[2K" not in data
    first = next(row for row in screen(data) if row)
    assert first.startswith(("=== ", str(SEED.relative_to(ROOT)))), first


@pytest.mark.parametrize("name", ["clean", "diff", "find"])
def test_no_path_on_a_terminal_says_what_to_give(name: str) -> None:
    """``dedup clean`` typed alone does not sit waiting for the keyboard (it would look hung):
    it says the path is missing, and that text piped in is read."""
    shown = [row for row in screen(on_terminal([*command(), name], status=2)) if row]
    assert shown[-1] == (
        f"Error: Missing argument '[{'PATH' if name == 'clean' else 'FILE'}]...'. "
        f"Give a file, or pipe text in: cat page.txt | dedup {name}"
    ), shown


def test_output_to_a_file_leaves_the_terminal_the_summary(tmp_path: Path) -> None:
    """``dedup clean page.txt > out.txt``: the file is the repaired text, ending with a line
    break; the terminal shows the summary alone. (Whether a bar was drawn depends on how long
    the run took on a busy machine, over :data:`dedup.cli.progress.DELAY` or not; the screen
    does not: a bar is cleared before the summary.)"""
    out = tmp_path / "out.txt"
    data = on_terminal([*command(), "clean", str(SEED.relative_to(ROOT))], stdout_to=out)
    article = dedup.clean(SEED.read_text(encoding="utf-8"))
    assert out.read_text(encoding="utf-8") == article + "\n"
    shown = [row for row in screen(data) if row]
    assert shown[0].startswith("dedup clean: 1 document read")
    assert len(shown) == 4, shown
    assert not any(BAR.search(row.encode("utf-8")) for row in shown)
