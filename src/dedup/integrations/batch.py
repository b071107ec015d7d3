"""Batch functions for table libraries: Hugging Face ``datasets``, pandas, polars.

:func:`clean_column` makes the function that ``Dataset.map(..., batched=True)`` wants: it takes
a batch (a dict of column name to list of values) and returns the cleaned column.
:data:`hf_clean_batch` is the one for a column named ``text``.

>>> hf_clean_batch({"text": ["caf\\u00c3\\u00a9 au lait", None], "id": [1, 2]})
{'text': ['café au lait', None]}
>>> clean_column("body", output="clean")({"body": ["Nothing to repair."]})
{'clean': ['Nothing to repair.']}

:func:`clean_values` cleans any sequence of texts (a pandas or polars Series, a list), keeps
missing values (``None``, NaN) as they are and keeps the order; ``jobs > 1`` runs
:func:`dedup.clean_batch` on a process pool.

>>> clean_values(["caf\\u00c3\\u00a9", None, float("nan")])
['café', None, nan]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dedup.model import ConfigError, InputError, RepairOptions, check_texts
from dedup.normalize import NormalizeOptions
from dedup.pipeline import clean, clean_batch

__all__ = ["ColumnCleaner", "clean_column", "clean_values", "hf_clean_batch"]


def _missing(value: object) -> bool:
    """``None``, or a float NaN (how pandas marks a missing string)."""
    return value is None or (isinstance(value, float) and value != value)


def _check_column_name(name: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{name} must be a non-empty str, not {value!r}")


@dataclass(frozen=True, slots=True)
class ColumnCleaner:
    """A batch function: ``batch[column]`` cleaned, returned as ``{output: [...]}``.

    Missing values (``None``, NaN) stay as they are; any other value that is not a ``str`` is an
    :class:`~dedup.InputError` naming the column and row. The options go to
    :func:`dedup.clean`. Instances are frozen and picklable, so ``Dataset.map(num_proc=N)``
    can send them to its workers. Make one with :func:`clean_column`.
    """

    column: str = "text"
    output: str = "text"
    normalize_options: NormalizeOptions | None = None
    repair_options: RepairOptions | None = None

    def __post_init__(self) -> None:
        _check_column_name("column", self.column)
        _check_column_name("output", self.output)
        if self.normalize_options is not None and not isinstance(
            self.normalize_options, NormalizeOptions
        ):
            raise ConfigError("normalize_options must be NormalizeOptions or None")
        if self.repair_options is not None and not isinstance(self.repair_options, RepairOptions):
            raise ConfigError("repair_options must be RepairOptions or None")

    def __call__(self, batch: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
        if self.column not in batch:
            raise InputError(
                f"the batch has no column {self.column!r} (it has {', '.join(map(repr, batch))}): "
                f"pass the column's name, e.g. clean_column({next(iter(batch), 'text')!r})"
            )
        out: list[Any] = []
        for row, value in enumerate(batch[self.column]):
            if _missing(value):
                out.append(value)
                continue
            if not isinstance(value, str):
                raise InputError(
                    f"column {self.column!r}, row {row} of the batch: "
                    f"{type(value).__name__}, not str"
                )
            out.append(
                clean(
                    value,
                    normalize_options=self.normalize_options,
                    repair_options=self.repair_options,
                )
            )
        return {self.output: out}


def clean_column(
    column: str = "text",
    *,
    output: str | None = None,
    normalize_options: NormalizeOptions | None = None,
    repair_options: RepairOptions | None = None,
) -> ColumnCleaner:
    """The batch function that cleans ``column`` into ``output`` (by default ``column`` itself).

    For Hugging Face ``datasets``: ``ds.map(clean_column("body"), batched=True)`` replaces the
    ``body`` column with its cleaned text and keeps every other column.
    """
    return ColumnCleaner(
        column,
        column if output is None else output,
        normalize_options,
        repair_options,
    )


#: ``clean_column("text")``: ``ds.map(hf_clean_batch, batched=True)``.
hf_clean_batch = clean_column("text")


def clean_values(values: Iterable[Any], *, jobs: int = 1) -> list[Any]:
    """:func:`dedup.clean` of every value, in order; missing values (``None``, NaN) are kept.

    For a pandas or polars column: ``df["text"] = clean_values(df["text"], jobs=4)`` (pandas),
    ``df.with_columns(pl.Series("text", clean_values(df["text"])))`` (polars). A value that is
    neither missing nor a ``str`` is an :class:`~dedup.InputError` naming its position.
    """
    check_texts(
        values, hint="pass a column or a list ([text]), or call dedup.clean(text) for one text"
    )
    items = list(values)
    texts: list[str] = []
    where: list[int] = []
    for n, value in enumerate(items):
        if _missing(value):
            continue
        if not isinstance(value, str):
            raise InputError(f"value {n} is {type(value).__name__}, not str")
        texts.append(value)
        where.append(n)
    for n, text in zip(where, clean_batch(texts, jobs=jobs), strict=True):
        items[n] = text
    return items
