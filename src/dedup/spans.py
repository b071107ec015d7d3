"""Duplicate span detection (being written)."""

from __future__ import annotations

from typing import Any

from dedup.model import DuplicatePair, RepairOptions, check_text, with_overrides

__all__ = ["find_duplicates"]


def find_duplicates(
    text: str, options: RepairOptions | None = None, **overrides: Any
) -> list[DuplicatePair]:
    """Near-duplicate span pairs of ``text`` (placeholder)."""
    check_text(text)
    with_overrides(options, RepairOptions, overrides)
    return []
