"""The ``dedup`` command line (being written)."""

from __future__ import annotations

import click

from dedup import __version__


@click.group()
@click.version_option(__version__, prog_name="dedup")
def main() -> None:
    """Repair scraped text and deduplicate corpora."""
