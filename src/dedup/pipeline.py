"""The one-call entry points: :func:`clean` and :func:`clean_batch`.

``clean`` runs the stages in order — normalisation (mojibake, entities, white space), repair
(duplicate copies), then the splitting of sentences that are still glued — each on the previous
stage's output.

>>> import dedup
>>> body = "First paragraph here, long enough to count.\\n\\nSecond paragraph follows it."
>>> dedup.clean(body) == body
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, overload

from dedup.model import Cleaned, RepairOptions, Stage, check_text
from dedup.normalize import NormalizeOptions, normalize, split_glued
from dedup.repair import repair

__all__ = ["clean", "clean_batch"]


@overload
def clean(
    text: str,
    *,
    explain: Literal[False] = False,
    normalize_options: NormalizeOptions | None = None,
    repair_options: RepairOptions | None = None,
) -> str: ...


@overload
def clean(
    text: str,
    *,
    explain: Literal[True],
    normalize_options: NormalizeOptions | None = None,
    repair_options: RepairOptions | None = None,
) -> Cleaned: ...


def clean(
    text: str,
    *,
    explain: bool = False,
    normalize_options: NormalizeOptions | None = None,
    repair_options: RepairOptions | None = None,
) -> str | Cleaned:
    """Normalise and repair ``text``: the sensible default for scraped text.

    With ``explain=True`` it returns a :class:`~dedup.model.Cleaned` whose ``stages`` hold every
    edit; :func:`dedup.replay` applies them to ``text`` to give the same result.
    """
    check_text(text)
    normalized = normalize(text, normalize_options)
    repaired = repair(normalized.text, repair_options)
    unglued = split_glued(repaired.text, normalize_options)
    if not explain:
        return unglued.text
    return Cleaned(
        unglued.text,
        (
            Stage("normalize", normalized.edits),
            Stage("repair", repaired.edits),
            Stage("split", unglued.edits),
        ),
    )


def clean_batch(texts: Iterable[str], *, jobs: int = 1) -> list[str]:
    """``clean`` every text, in order. ``jobs > 1`` uses a process pool of that size."""
    items = list(texts)
    if jobs <= 1 or len(items) < 2:
        return [clean(t) for t in items]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(clean, items, chunksize=max(1, len(items) // (jobs * 8))))
