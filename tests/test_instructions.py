"""``benchmarks/instructions.py``: the child run each callgrind process makes, and the refusal
where valgrind is missing (the counts themselves take minutes: the benchmark prints them)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import instructions


def _data(tmp_path: Path) -> Path:
    path = tmp_path / "texts.jsonl"
    texts = ["One paragraph.\n\nAnother one.", "cafÃ© au lait", "third", "fourth"]
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
    return path


def test_every_nth_text_is_counted(tmp_path: Path) -> None:
    assert instructions.texts_of(_data(tmp_path), 2) == ["One paragraph.\n\nAnother one.", "third"]


@pytest.mark.parametrize("method", instructions.METHODS)
def test_the_child_runs_each_method(tmp_path: Path, method: str) -> None:
    argv = ["--child", method, "--data", str(_data(tmp_path)), "--every", "1"]
    assert instructions.main(argv) == 0


def test_without_valgrind_it_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(instructions.shutil, "which", lambda _: None)
    assert instructions.main(["--data", str(_data(tmp_path))]) == 2
    assert "valgrind is not installed: apt-get install valgrind" in capsys.readouterr().err
