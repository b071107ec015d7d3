"""The inputs a run names: files, directories searched for a pattern, and ``-`` for stdin,
each a :class:`Source` that says how to read it.

>>> source = discover(["-"], input_format="jsonl")[0]
>>> source.name, source.format
('<stdin>', 'jsonl')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from dedup.io.compression import Compression
from dedup.io.formats import Format, detect_format
from dedup.model import ConfigError, InputError

__all__ = ["Source", "discover"]


@dataclass(frozen=True, slots=True)
class Source:
    """One input: a file (or stdin when ``path`` is ``None``) and how to read it.

    ``relative`` is the path under the directory it was found in (its name for a file given
    directly), which is where a mirrored output goes.
    """

    path: Path | None
    format: Format
    compression: Compression | None
    relative: PurePath

    @property
    def name(self) -> str:
        """The name messages use: the path as given, or ``<stdin>``."""
        return "<stdin>" if self.path is None else str(self.path)

    @property
    def size(self) -> int | None:
        """The file's size in bytes (``None`` for stdin)."""
        return None if self.path is None else self.path.stat().st_size


def discover(
    paths: Sequence[str],
    *,
    glob: str = "*",
    input_format: Format | None = None,
    exclude: Path | None = None,
    links: list[Path] | None = None,
) -> list[Source]:
    """The inputs named by ``paths``: files, directories (searched recursively for ``glob``,
    hidden files skipped, sorted) and ``-`` for stdin.

    ``input_format`` overrides the format the file names imply. Paths under ``exclude`` (the
    output directory) are left out. Symbolic links found in a directory are not followed
    (a link named in ``paths`` is): each is appended to ``links``, so that the caller can say
    so. Raises :class:`InputError` for a path that does not exist, and :class:`ConfigError`
    for a ``glob`` that is not a pattern of names under a directory.
    """
    _check_glob(glob)
    sources: list[Source] = []
    excluded = exclude.resolve() if exclude is not None else None
    for raw in paths:
        if raw == "-":
            fmt = input_format or "text"
            sources.append(Source(None, fmt, None, PurePath("-")))
            continue
        path = Path(raw)
        if path.is_dir():
            found = []
            for candidate in sorted(path.rglob(glob)):
                relative = candidate.relative_to(path)
                if any(p.startswith(".") for p in relative.parts):
                    continue
                if candidate.is_symlink():
                    if links is not None:
                        links.append(candidate)
                    continue
                if not candidate.is_file():
                    continue
                if excluded is not None and candidate.resolve().is_relative_to(excluded):
                    continue
                found.append(_source(candidate, PurePath(relative), input_format))
            sources.extend(found)
        elif path.exists():
            sources.append(_source(path, PurePath(path.name), input_format))
        else:
            raise InputError(f"{raw}: no such file or directory", path=raw, reason="missing")
    return sources


def _check_glob(glob: str) -> None:
    """Refuse a pattern that is a path rather than names under a directory (``/etc/passwd``,
    ``../x``): a directory search would leave the directory."""
    parts = PurePath(glob).parts
    if not glob or PurePath(glob).is_absolute() or ".." in parts:
        raise ConfigError(
            f"glob {glob!r} is not a pattern of file names under a directory",
            hint="give a pattern such as '*.jsonl' or 'sub/*.txt', and name single files as inputs",
            reason="bad-glob",
            option="glob",
        )


def _source(path: Path, relative: PurePath, input_format: Format | None) -> Source:
    fmt, compression = detect_format(path.name)
    if input_format is not None:
        fmt = input_format
    return Source(path, fmt, compression, relative)
