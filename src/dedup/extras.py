"""What the plain install leaves out, and the one error that says how to add it.

``pip install dedup-text`` brings what the library needs (rapidfuzz, regex, ftfy, numpy,
xxhash). The command line, Parquet, zstd, Ray, Scrapy and Redis come with extras
(``pip install 'dedup-text[cli,parquet]'``, or ``[all]``); using one that is not installed
raises :class:`MissingExtraError`, whose message names the extra to install.

>>> install_line("parquet")
"pip install 'dedup-text[parquet]'"
>>> require("json", "cli", "the command line").__name__
'json'
>>> try:
...     require("no_such_module_here", "parquet", "reading Parquet")
... except MissingExtraError as exc:
...     print(exc)
reading Parquet needs no_such_module_here, which is not installed: pip install 'dedup-text[parquet]'
"""

from __future__ import annotations

import importlib
from types import ModuleType

from dedup.model import DedupError

__all__ = ["DISTRIBUTION", "EXTRAS", "MissingExtraError", "install_line", "require"]

DISTRIBUTION = "dedup-text"
"""The name dedup is installed by (``pip install dedup-text``); it is imported as ``dedup``."""

EXTRAS: dict[str, tuple[str, ...]] = {
    "cli": ("click", "rich"),
    "parquet": ("pyarrow",),
    "zstd": ("zstandard",),
    "ray": ("ray.data",),
    "scrapy": ("scrapy", "itemadapter"),
    "redis": ("redis",),
}
"""Each extra and the modules it brings (``[all]`` is every one of them)."""


class MissingExtraError(DedupError, ImportError):
    """A feature needs a package the plain install leaves out; the message names the extra
    that brings it. Also an :class:`ImportError`, for code that catches that."""


def install_line(extra: str) -> str:
    """The command that installs ``extra``."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def require(module: str, extra: str, purpose: str) -> ModuleType:
    """Import ``module``, or raise :class:`MissingExtraError` saying that ``purpose`` needs
    it and which extra brings it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = exc.name or module
        raise MissingExtraError(
            f"{purpose} needs {missing}, which is not installed",
            hint=install_line(extra),
            reason="missing-extra",
        ) from exc
