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

import functools
from collections.abc import Callable, Iterable
from typing import Literal, cast, overload

from dedup.model import Cleaned, ConfigError, RepairOptions, Stage, check_text
from dedup.normalize import NormalizeOptions, normalize, split_glued
from dedup.repair import repair

__all__ = ["clean", "clean_batch", "warm_up"]

# Repair can join pieces of two copies into text that normalisation changes again (a mojibake
# sequence split between the copies): the stages run again on their output, this many rounds
# at most, so that cleaning a cleaned text changes nothing.
_ROUNDS = 4


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
    edit; :func:`dedup.replay` applies them to ``text`` to give the same result. When repair
    changed the text, or normalisation fixed mojibake (a layer of it can hide another), the
    stages run again on the result until normalisation finds nothing more to fix (a few rounds
    at most), so ``clean(clean(text)) == clean(text)``.
    """
    check_text(text)
    stages: list[Stage] = []
    current = text
    for round_ in range(_ROUNDS):
        normalized = normalize(current, normalize_options)
        if round_ and not normalized.edits:
            break  # the text repair left is already normal: nothing further changes
        repaired = repair(normalized.text, repair_options)
        unglued = split_glued(repaired.text, normalize_options)
        stages += (
            Stage("normalize", normalized.edits),
            Stage("repair", repaired.edits),
            Stage("split", unglued.edits),
        )
        current = unglued.text
        if not repaired.edits and not any(e.reason == "mojibake" for e in normalized.edits):
            # normalize and split leave their own output alone; text that held mojibake is
            # looked at once more, as ftfy can see a layer of it only once the layer above
            # has been decoded
            break
    if not explain:
        return current
    return Cleaned(current, tuple(stages))


def warm_up() -> None:
    """Build the lookup tables and patterns that :func:`clean` builds on its first call.

    A pool of worker processes calls it before they start (:class:`dedup.engine.Engine`'s
    ``warm_up``), so that forked workers share one copy rather than each building its own.

    >>> warm_up()
    """
    clean("Warm up.\n\nCaf\u00c3\u00a9 &amp; the rest, glued.Here")


def clean_batch(
    texts: Iterable[str],
    *,
    jobs: int = 1,
    normalize_options: NormalizeOptions | None = None,
    repair_options: RepairOptions | None = None,
) -> list[str]:
    """:func:`clean` every text; the results come back in the order of ``texts``.

    ``jobs > 1`` runs on a pool of that many processes (:class:`dedup.engine.Engine`: texts go
    to the workers in chunks, and a batch that fits one chunk runs in this process). Every text
    is checked before any work starts: a value that is not a ``str`` is an
    :class:`~dedup.InputError` naming its position.

    >>> clean_batch(["caf\\u00c3\\u00a9", "Nothing to repair."], jobs=2)
    ['café', 'Nothing to repair.']
    """
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ConfigError(f"jobs={jobs!r} is out of range: use an int of at least 1")
    items = [check_text(text, name=f"text {n}") for n, text in enumerate(texts)]
    if normalize_options is None and repair_options is None:
        func: Callable[[str], str] = clean
    else:
        func = functools.partial(
            clean, normalize_options=normalize_options, repair_options=repair_options
        )
    if jobs == 1 or len(items) < 2:
        return [func(text) for text in items]
    from dedup.engine import Engine

    with Engine(jobs, warm_up=warm_up) as engine:
        # without catch=True the engine raises rather than return a Failed
        return [cast(str, text) for _, text in engine.map(func, enumerate(items), size=len)]
