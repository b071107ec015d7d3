"""Shared fixtures: where the evaluation data lives, and skipping when it is absent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EVAL = ROOT.parent / "shared" / "eval"
SEED = ROOT / "seeds" / "000_4f0cfa5be7925e77.txt"


def eval_path(name: str) -> Path:
    """A file of ``../shared/eval``; the test skips with the reason when it is absent."""
    path = EVAL / name
    if not path.exists():
        pytest.skip(
            f"evaluation data {path} is absent (it sits beside the checkout in CI); "
            "this test needs it"
        )
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
