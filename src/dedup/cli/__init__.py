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
decorators, added to :data:`COMMANDS` here with the first line of its help (which ``dedup
--help`` lists without loading the module).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping

import click

from dedup.cli.session import EXIT_CODES

__all__ = ["main"]


class _Commands(MutableMapping[str, click.Command]):
    """The commands by name, each loaded from its module on first use: ``dedup corpus`` loads
    the corpus command, not the repair stage that ``dedup clean`` needs, and ``dedup --help``
    lists them from their summaries (:meth:`summary`: each command's help's first line) without
    loading any."""

    def __init__(self, where: dict[str, tuple[str, str, str]]) -> None:
        self._where = {name: (module, attribute) for name, (module, attribute, _) in where.items()}
        self._summaries = {name: summary for name, (_, _, summary) in where.items()}
        self._loaded: dict[str, click.Command] = {}

    def summary(self, name: str) -> str:
        """The first line of command ``name``'s help, without loading it (a command added
        later, loaded, gives its own).

        >>> COMMANDS.summary("diff")
        'Show what clean would remove, move and fix in each document, stage by stage.'
        """
        if name in self._summaries:
            return self._summaries[name]
        return self[name].get_short_help_str(limit=1000)

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            module, attribute = self._where[name]
            self._loaded[name] = getattr(importlib.import_module(module), attribute)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._where.setdefault(name, ("", ""))
        self._summaries.pop(name, None)
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._where[name]
        self._summaries.pop(name, None)
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


COMMANDS = _Commands(
    {
        "clean": (
            "dedup.cli.clean",
            "clean_command",
            "Repair documents: remove doubled bodies, teasers and repeated paragraphs, fix "
            "mojibake.",
        ),
        "find": (
            "dedup.cli.find",
            "find_command",
            "Show the near-duplicate spans inside each document: a table, or --json lines.",
        ),
        "diff": (
            "dedup.cli.diff",
            "diff_command",
            "Show what clean would remove, move and fix in each document, stage by stage.",
        ),
        "corpus": (
            "dedup.cli.corpus",
            "corpus_command",
            "Remove duplicate documents across a corpus: exact and near-duplicates.",
        ),
        "index": (
            "dedup.cli.index",
            "index_group",
            "Look inside an index of earlier runs (dedup corpus --index), or forget a run.",
        ),
    }
)


class _Main(click.Group):
    """The ``dedup`` group: its help lists the commands from their summaries, so that
    ``dedup --help`` loads no command (and none of the library's stages)."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS.summary(name)) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(
    cls=_Main,
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
