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


def test_pages_table_joins_one_output_a_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "The council met on Tuesday to discuss the budget for the coming year. " * 20
    records = [
        {"id": "wcxb/dev/0001/lxml", "text": body + "\n\n" + body.replace(". ", ".")},
        {"id": "wcxb/dev/0001/selectolax", "text": "another output of the same page"},
        {"id": "wcxb/dev/0002/lxml", "text": "A second page.\n\n" + body.upper()},
    ]
    data = tmp_path / "dumps.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    repair_scale.pages_table(data, [1_000, 2_000, 10**6], 1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "one text of 2 pages' extractor outputs (dumps.jsonl), cut at each size"
    # the joined text (2 pages, 4,318 characters) holds the first two sizes, not the third
    assert [line.split()[0] for line in lines[2:4]] == ["0.001M", "0.002M"]
    assert lines[4].startswith("time 0.002 MB / 0.001 MB, for 2x the text: ")
