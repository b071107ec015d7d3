"""``benchmarks/repair_scale.py --by-length``: the table by the texts' length (its figures are
CPU times, which the benchmark prints; a test checks the table's shape, never a time)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import repair_scale


def test_by_length_puts_each_text_in_its_band(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paragraph = "The council met on Tuesday to discuss the budget for the coming year. "
    texts = [paragraph * 3, paragraph * 40, paragraph * 100, paragraph * 500]
    data = tmp_path / "texts.jsonl"
    data.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
    assert repair_scale.main(["--data", str(data), "--by-length", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    header = next(k for k, line in enumerate(lines) if line.split()[:2] == ["characters", "texts"])
    rows = [line.split() for line in lines[header + 1 :] if len(line.split()) == 5]
    counts = {row[0]: int(row[1]) for row in rows}
    # 213, 2,840, 7,100 and 35,500 characters: one text in each band but 10,000-30,000
    assert counts == {"0-2,000": 1, "2,000-5,000": 1, "5,000-10,000": 1, "30,000+": 1, "all": 4}
    assert "dedup.repair:" in out
    assert "ftfy.fix_text:" in out
