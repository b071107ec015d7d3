"""``dedup`` and ``python -m dedup``: the command line, which needs the ``cli`` extra.

Without it the command says so in one line (``pip install 'dedup-text[cli]'``), exit status 1.
"""

from __future__ import annotations

import sys

from dedup.extras import EXTRAS, MissingExtraError, require

__all__ = ["main"]


def main() -> None:
    """Run the command line, or say which extra it needs."""
    try:
        for module in EXTRAS["cli"]:
            require(module, "cli", "the dedup command")
    except MissingExtraError as exc:
        sys.exit(f"Error: {exc}")
    from dedup.cli import main as cli

    cli()


if __name__ == "__main__":
    main()
