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

import dataclasses
import functools
from collections.abc import Callable, Iterable
from typing import Any, Literal, cast, overload

from dedup.glued import split_glued
from dedup.model import (
    Cleaned,
    ConfigError,
    RepairOptions,
    Stage,
    check_bool,
    check_text,
    check_texts,
    with_overrides,
)
from dedup.normalize import NormalizeOptions, normalize
from dedup.repair import repair

__all__ = ["clean", "clean_batch", "split_overrides", "warm_up"]

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
    **overrides: Any,
) -> str: ...


@overload
def clean(
    text: str,
    *,
    explain: Literal[True],
    normalize_options: NormalizeOptions | None = None,
    repair_options: RepairOptions | None = None,
    **overrides: Any,
) -> Cleaned: ...


def clean(
    text: str,
    *,
    explain: bool = False,
    normalize_options: NormalizeOptions | None = None,
    repair_options: RepairOptions | None = None,
    **overrides: Any,
) -> str | Cleaned:
    """Normalise and repair ``text``: the sensible default for scraped text.

    Keywords override single fields of either options record, as :func:`dedup.normalize`
    and :func:`dedup.repair` take them: ``clean(text, collapse_spaces=False, min_chars=80)``.

    With ``explain=True`` it returns a :class:`~dedup.model.Cleaned` whose ``stages`` hold every
    edit; :func:`dedup.replay` applies them to ``text`` to give the same result. When repair
    changed the text, or normalisation fixed mojibake (a layer of it can hide another), the
    stages run again on the result until normalisation finds nothing more to fix (a few rounds
    at most), so ``clean(clean(text)) == clean(text)``.
    """
    check_text(text)
    check_bool("explain", explain)
    normalize_options, repair_options = split_overrides(
        normalize_options, repair_options, overrides
    )
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


def split_overrides(
    normalize_options: NormalizeOptions | None,
    repair_options: RepairOptions | None,
    overrides: dict[str, Any],
) -> tuple[NormalizeOptions | None, RepairOptions | None]:
    """The two options records with keyword ``overrides`` applied, each to the record that has
    the field; a keyword neither has is a :class:`~dedup.ConfigError` listing the valid ones.

    >>> n, r = split_overrides(None, None, {"collapse_spaces": False, "min_chars": 80})
    >>> n.collapse_spaces, r.min_chars
    (False, 80)
    """
    if not overrides:
        return normalize_options, repair_options
    normalize_names = {f.name for f in dataclasses.fields(NormalizeOptions)}
    repair_names = {f.name for f in dataclasses.fields(RepairOptions)}
    unknown = sorted(set(overrides) - normalize_names - repair_names)
    if unknown:
        raise ConfigError(
            f"unknown option {', '.join(unknown)}: valid options are those of NormalizeOptions "
            f"({', '.join(sorted(normalize_names))}) and RepairOptions "
            f"({', '.join(sorted(repair_names))})",
            option=unknown[0],
        )
    to_normalize = {k: v for k, v in overrides.items() if k in normalize_names}
    to_repair = {k: v for k, v in overrides.items() if k in repair_names}
    if to_normalize:
        normalize_options = with_overrides(normalize_options, NormalizeOptions, to_normalize)
    if to_repair:
        repair_options = with_overrides(repair_options, RepairOptions, to_repair)
    return normalize_options, repair_options


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
    **overrides: Any,
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
    normalize_options, repair_options = split_overrides(
        normalize_options, repair_options, overrides
    )
    check_texts(texts, hint="pass a list ([text]), or call dedup.clean(text) for one text")
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
