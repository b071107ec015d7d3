"""The ``dedup`` command line: a thin shell over the library, which never imports it.

- :mod:`~dedup.cli.session`: exit codes, errors turned into messages, SIGTERM and Ctrl-C;
- :mod:`~dedup.cli.options`: the options commands share, and the job record each command's
  arguments become (:func:`~dedup.cli.options.job`);
- :mod:`~dedup.cli.plan`: where outputs go, and every refusal, before any work;
- :mod:`~dedup.cli.records`, :mod:`~dedup.cli.progress`, :mod:`~dedup.cli.summary`: reading
  the inputs (bad records stopped or set aside), the progress bar, the summary's pieces;
- :mod:`~dedup.cli.stages`: what runs on each document, in worker processes;
- :mod:`~dedup.cli.render`: tables of duplicate spans, diffs of edits;
- one module per command: :mod:`~dedup.cli.clean`, :mod:`~dedup.cli.find`,
  :mod:`~dedup.cli.diff`, :mod:`~dedup.cli.corpus`, :mod:`~dedup.cli.index` (a group:
  ``stats``, ``show``, ``forget``); :mod:`~dedup.cli.ray_engine` runs
  ``clean`` and ``corpus`` with ``--engine ray``.

A new command is a module with a job record and a click command built from the shared
decorators, added to :func:`main` here.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping

import click

from dedup.cli.session import EXIT_CODES

__all__ = ["main"]


class _Commands(MutableMapping[str, click.Command]):
    """The commands by name, each loaded from its module on first use: ``dedup corpus`` loads
    the corpus command, not the repair stage that ``dedup clean`` needs."""

    def __init__(self, where: dict[str, tuple[str, str]]) -> None:
        self._where = dict(where)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            module, attribute = self._where[name]
            self._loaded[name] = getattr(importlib.import_module(module), attribute)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._where.setdefault(name, ("", ""))
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._where[name]
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


COMMANDS = _Commands(
    {
        "clean": ("dedup.cli.clean", "clean_command"),
        "find": ("dedup.cli.find", "find_command"),
        "diff": ("dedup.cli.diff", "diff_command"),
        "corpus": ("dedup.cli.corpus", "corpus_command"),
        "index": ("dedup.cli.index", "index_group"),
    }
)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EXIT_CODES,
    commands=COMMANDS,
)
@click.version_option(None, "-V", "--version", package_name="dedup-text", prog_name="dedup")
def main() -> None:
    """Repair scraped text and deduplicate corpora.

    \b
    Example:
      dedup clean page.txt                  # the repaired text on stdout
      dedup clean crawl.jsonl.zst -o clean.jsonl.zst --report edits.jsonl
      dedup corpus crawl.jsonl -o kept.jsonl --index seen.db
      dedup index stats seen.db
    """
