"""What every command shares around its work: exit codes, errors turned into messages, SIGTERM.

:func:`handle_errors` wraps a command: dedup's errors become ``Error: ...`` on stderr and the
documented exit status (:data:`EXIT_CODES`); Ctrl-C and SIGTERM end the run with 130 and 143
once every output has been cleaned up (outputs are written atomically, so nothing partial is
left behind).
"""

from __future__ import annotations

import contextlib
import functools
import signal
import sqlite3
import sys
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar, cast

import click

from dedup.corpus.index import IndexLockedError
from dedup.io import OutputError
from dedup.model import ConfigError, DedupError, InputError

__all__ = [
    "EXIT_CODES",
    "EXIT_FAILURE",
    "EXIT_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_TERMINATED",
    "DocumentFailed",
    "check_signals",
    "handle_errors",
]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INPUT = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

EXIT_CODES = """\b
Exit status:
  0    done (records set aside with --skip-invalid are counted in the summary)
  1    an output could not be written (it exists: pass --force), or a document
       made a stage fail
  2    bad input or usage: invalid UTF-8, a malformed JSON line, a missing
       field, a truncated gzip/zstd file, a bad option
  130  interrupted (Ctrl-C); no partial output is left behind
  143  terminated (SIGTERM); no partial output is left behind"""

F = TypeVar("F", bound=Callable[..., Any])


class DocumentFailed(DedupError):
    """A stage raised on one document (exit status 1)."""


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    raise click.exceptions.Exit(code)


class _Terminated(BaseException):
    """SIGTERM, raised where the command runs so that every output is cleaned up."""


class _Signals:
    """Whether SIGTERM arrived during the command: the exception the handler raises can be
    swallowed where Python ignores exceptions (fork callbacks, finalisers), so the run also
    checks this flag as it goes. (A signal reaches the whole process: so does this flag.)"""

    terminated = False


def _on_sigterm(signum: int, frame: Any) -> None:
    _Signals.terminated = True
    raise _Terminated


def check_signals() -> None:
    """Raise if SIGTERM arrived (see :class:`_Signals`)."""
    if _Signals.terminated:
        raise _Terminated


def handle_errors(func: F) -> F:
    """Turn dedup's errors into a message on stderr and the documented exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        previous: Any = None
        _Signals.terminated = False
        with contextlib.suppress(ValueError):  # signals can be set in the main thread only
            previous = signal.signal(signal.SIGTERM, _on_sigterm)
        try:
            return func(*args, **kwargs)
        except _Terminated:
            _fail("terminated: no partial output was left behind", EXIT_TERMINATED)
        except (OutputError, DocumentFailed) as exc:
            _fail(str(exc), EXIT_FAILURE)
        except (InputError, ConfigError) as exc:
            _fail(str(exc), EXIT_INPUT)
        except IndexLockedError as exc:
            where = str(exc).split(" (lock", 1)[0]
            _fail(f"{where}: wait for that run to finish, then run again", EXIT_FAILURE)
        except DedupError as exc:
            _fail(str(exc), EXIT_FAILURE)
        except sqlite3.OperationalError as exc:
            _fail(
                f"the index could not be written ({exc}): check the disk's free space; "
                "the batches committed before are kept",
                EXIT_FAILURE,
            )
        except sqlite3.Error as exc:
            _fail(
                f"the index is damaged or is not a dedup index (SQLite says: {exc}): "
                "rebuild it from its sources",
                EXIT_FAILURE,
            )
        except KeyboardInterrupt:
            _fail("interrupted: no partial output was left behind", EXIT_INTERRUPTED)
        except BrokenProcessPool as exc:
            _fail(f"a worker process died ({exc}): try -j 1", EXIT_FAILURE)
        except BrokenPipeError:
            with contextlib.suppress(Exception):
                sys.stdout = None
            raise click.exceptions.Exit(EXIT_FAILURE) from None
        except OSError as exc:
            _fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "), EXIT_FAILURE)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        return None

    return cast(F, wrapper)
