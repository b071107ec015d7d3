"""Normalisation stage (placeholder until the stage lands): returns text unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dedup.model import Normalized, check_text, with_overrides

__all__ = ["NormalizeOptions", "normalize", "split_glued"]


@dataclass(frozen=True, slots=True, kw_only=True)
class NormalizeOptions:
    """Options of :func:`normalize`."""


def normalize(text: str, options: NormalizeOptions | None = None, **overrides: Any) -> Normalized:
    """Normalise ``text`` (placeholder)."""
    check_text(text)
    with_overrides(options, NormalizeOptions, overrides)
    return Normalized(text, ())


def split_glued(text: str, options: NormalizeOptions | None = None, **overrides: Any) -> Normalized:
    """Split glued sentences (placeholder)."""
    check_text(text)
    with_overrides(options, NormalizeOptions, overrides)
    return Normalized(text, ())
