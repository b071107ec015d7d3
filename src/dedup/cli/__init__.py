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

import click

from dedup import __version__
from dedup.cli.clean import clean_command
from dedup.cli.corpus import corpus_command
from dedup.cli.diff import diff_command
from dedup.cli.find import find_command
from dedup.cli.index import index_group
from dedup.cli.session import EXIT_CODES

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES)
@click.version_option(__version__, "-V", "--version", prog_name="dedup")
def main() -> None:
    """Repair scraped text and deduplicate corpora.

    \b
    Example:
      dedup clean page.txt                  # the repaired text on stdout
      dedup clean crawl.jsonl.zst -o clean.jsonl.zst --report edits.jsonl
      dedup corpus crawl.jsonl -o kept.jsonl --index seen.db
      dedup index stats seen.db
    """


for _command in (clean_command, find_command, diff_command, corpus_command, index_group):
    main.add_command(_command)
