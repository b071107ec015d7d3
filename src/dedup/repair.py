"""Repair stage (being written)."""

from __future__ import annotations

from typing import Any

from dedup.model import Repair, RepairOptions, check_text, with_overrides

__all__ = ["repair"]


def repair(text: str, options: RepairOptions | None = None, **overrides: Any) -> Repair:
    """Repair ``text`` (placeholder)."""
    check_text(text)
    with_overrides(options, RepairOptions, overrides)
    return Repair(text, ())
