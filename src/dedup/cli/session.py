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
from typing import Any, TypeVar, cast

import click

from dedup.corpus.errors import IndexLockedError
from dedup.extras import MissingExtraError
from dedup.io import OutputError
from dedup.model import ConfigError, DedupError, InputError

__all__ = [
    "EXIT_CODES",
    "EXIT_FAILURE",
    "EXIT_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_TERMINATED",
    "HINTS",
    "INDEX_EXIT_CODES",
    "REPORT_EXIT_CODES",
    "DocumentFailed",
    "Termination",
    "check_signals",
    "describe",
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

#: The exit status of ``dedup find`` and ``dedup diff``, which print to stdout and write no
#: output but ``--rejects``.
REPORT_EXIT_CODES = """\b
Exit status:
  0    done (records set aside with --skip-invalid are counted in the summary)
  1    the --rejects file could not be written (it exists: choose another path),
       or a document made a stage fail
  2    bad input or usage: invalid UTF-8, a malformed JSON line, a missing
       field, a truncated gzip/zstd file, a bad option
  130  interrupted (Ctrl-C)
  143  terminated (SIGTERM)"""

#: The exit status of ``dedup index``, which reads no records and writes no outputs.
INDEX_EXIT_CODES = """\b
Exit status:
  0    done
  1    the index is open for writing elsewhere, or could not be read or written
  2    bad usage: no such index, a file that is not a dedup index (or one built
       with other bands), an ID it does not hold, a bad option
  130  interrupted (Ctrl-C)
  143  terminated (SIGTERM)"""

F = TypeVar("F", bound=Callable[..., Any])


class DocumentFailed(DedupError):
    """A stage raised on one document (exit status 1)."""


#: What to do, in the command line's terms, by the ``reason`` of a library error (whose own
#: hint names the library's parameters).
HINTS = {
    "malformed-json": "fix the line, or pass --skip-invalid to set it aside",
    "invalid-utf8": "pass --skip-invalid to set the record aside, or --errors replace to replace "
    "bad bytes with U+FFFD (not with --in-place)",
    "eight-bit": "convert it to UTF-8 first, e.g. iconv -f WINDOWS-1252 -t UTF-8 "
    "(WINDOWS-1251 for Cyrillic); or pass --skip-invalid to set the record aside, or --errors "
    "replace to replace bad bytes with U+FFFD (not with --in-place)",
    "eight-bit-value": "write the column as UTF-8 text where the file is made; or pass "
    "--skip-invalid to set the record aside, or --errors replace to replace bad bytes with "
    "U+FFFD (not with --in-place)",
    "header-utf8": "convert the file to UTF-8 first (e.g. iconv -f WINDOWS-1252 -t UTF-8), or "
    "pass --errors replace to replace bad bytes with U+FFFD (not with --in-place)",
    "binary": "leave it out of the inputs (--glob), or pass --skip-invalid to set it aside",
    "not-an-object": "each line must be one JSON object; fix the line, or pass --skip-invalid",
    "no-field": "choose the field with --field, or pass --skip-invalid to set such records aside",
    "field-not-text": "choose the text field with --field, or pass --skip-invalid to set such "
    "records aside",
    "not-parquet": "check that it is Parquet and complete, or name its format with --input-format",
    "no-column": "choose the text column with --field",
    "column-not-text": "choose the text column with --field",
    "exists": "pass --force to replace it",
    "several-documents": "write JSONL with --format jsonl, or give -o a directory",
    "not-an-index": "give --index the path of a dedup index, or a new path to build one",
    "too-large": "raise --max-record-bytes to read it, or pass --skip-invalid to set such "
    "records aside",
    "number-too-long": "write the number as a string, or pass --skip-invalid to set the record "
    "aside",
    "too-deep": "flatten the record, or pass --skip-invalid to set it aside",
    "schema": "write JSON Lines (an output named .jsonl, or --format jsonl), or give the field "
    "one type in every record",
    "bad-glob": "give --glob a pattern such as '*.jsonl' or 'sub/*.txt', and name single files "
    "as inputs",
    "ambiguous-format": "pass --input-format text to read it as one document, or "
    "--input-format jsonl",
}


#: The hints that differ for ``dedup index``, whose argument is the index (there is no --index,
#: and it builds none).
INDEX_HINTS = {
    "not-an-index": "give the path of an index that dedup corpus --index wrote",
}


def _hint(reason: str) -> str | None:
    """The command line's hint for an error of ``reason``: ``dedup index``'s own where it has
    one, else the one every command gives."""
    context = click.get_current_context(silent=True)
    parent = context.parent if context is not None else None
    if parent is not None and parent.info_name == "index" and reason in INDEX_HINTS:
        return INDEX_HINTS[reason]
    return HINTS.get(reason)


def describe(error: DedupError) -> str:
    """The message the command line shows for ``error``: its own, with what to do in flags
    where its ``reason`` has a hint in :data:`HINTS`, and the flag for the option it names
    where the command has one (``--min-chars -5 is out of range``, not ``option
    min_chars=-5``)."""
    hint = _hint(error.reason)
    message = _with_flag(error.message, error.option)
    if hint and _on_ray() and ("--skip-invalid" in hint or "--errors replace" in hint):
        # (flags the Ray engine refuses)
        return f"{message}: {hint} (--skip-invalid and --errors replace: without --engine ray)"
    if hint:
        return f"{message}: {hint}"
    return f"{message}: {error.hint}" if error.hint else message


def _on_ray() -> bool:
    """Whether the running command runs on the Ray engine (``--engine ray``)."""
    context = click.get_current_context(silent=True)
    return context is not None and context.params.get("engine") == "ray"


def _with_flag(message: str, option: str | None) -> str:
    """``message`` (of an error about ``option``, as :func:`dedup.model.check_int` words it:
    ``option NAME=VALUE ...``, ``option NAME must ...``) naming the running command's flag for
    that option instead."""
    context = click.get_current_context(silent=True)
    if option is None or context is None:
        return message
    flags = [
        flag
        for param in context.command.params
        if param.name == option and isinstance(param, click.Option)
        for flag in param.opts
        if flag.startswith("--")
    ]
    for prefix in (f"option {option}=", f"option {option} "):
        if flags and message.startswith(prefix):
            return f"{flags[0]} {message[len(prefix) :]}"
    return message


class _NeverRaised(Exception):
    """Stands for an exception of a module that was never loaded: nothing raised it."""


def _broken_pool() -> type[BaseException]:
    """``BrokenProcessPool``, once a process pool was loaded (before that none can break): the
    commands without workers do not load the pool's modules."""
    module = sys.modules.get("concurrent.futures.process")
    return getattr(module, "BrokenProcessPool", _NeverRaised)


def _sqlite_message(exc: sqlite3.Error) -> str:
    """What to say of an error SQLite raised while the index was read or written: a full disk
    or an I/O error is said to be one; a damaged file too; anything else as SQLite says it."""
    name = str(getattr(exc, "sqlite_errorname", ""))  # Python 3.11 and later
    if name.startswith(("SQLITE_FULL", "SQLITE_IOERR")) or (
        not name and type(exc) is sqlite3.OperationalError
    ):
        return (
            f"the index could not be written ({exc}): check the disk's free space; "
            "the batches committed before are kept"
        )
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or (
        not name and type(exc) is sqlite3.DatabaseError
    ):
        return f"the index is damaged ({exc}): build a new one"
    return f"the index failed ({exc}); the batches committed before are kept"


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    raise click.exceptions.Exit(code)


class _Terminated(BaseException):
    """SIGTERM, raised where the command runs so that every output is cleaned up."""


class Termination:
    """One run's SIGTERM handler, and whether SIGTERM arrived while it was installed.

    The exception the handler raises can be swallowed where Python ignores exceptions (fork
    callbacks, finalisers), so the run also checks :attr:`arrived` as it goes
    (:func:`check_signals`). Each run installs a handler of its own (:func:`handle_errors`)
    and puts the one before it back when it ends: what one run saw is not seen by the next.
    """

    __slots__ = ("arrived",)

    def __init__(self) -> None:
        self.arrived = False

    def __call__(self, signum: int, frame: Any) -> None:
        self.arrived = True
        raise _Terminated


def check_signals() -> None:
    """Raise if SIGTERM arrived during this run: the run's :class:`Termination` is the
    SIGTERM handler installed while it runs (outside a run, or in a thread, nothing does)."""
    handler = signal.getsignal(signal.SIGTERM)
    if isinstance(handler, Termination) and handler.arrived:
        raise _Terminated


def handle_errors(func: F) -> F:
    """Turn dedup's errors into a message on stderr and the documented exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        previous: Any = None
        with contextlib.suppress(ValueError):  # signals can be set in the main thread only
            previous = signal.signal(signal.SIGTERM, Termination())
        try:
            return func(*args, **kwargs)
        except _Terminated:
            _fail("terminated: no partial output was left behind", EXIT_TERMINATED)
        except (OutputError, DocumentFailed) as exc:
            _fail(describe(exc), EXIT_FAILURE)
        except (InputError, ConfigError, MissingExtraError) as exc:
            _fail(describe(exc), EXIT_INPUT)
        except IndexLockedError as exc:
            _fail(
                f"index {exc.path} is open for writing elsewhere: wait for that run to finish, "
                "then run again",
                EXIT_FAILURE,
            )
        except DedupError as exc:
            _fail(describe(exc), EXIT_FAILURE)
        except sqlite3.Error as exc:
            _fail(_sqlite_message(exc), EXIT_FAILURE)
        except KeyboardInterrupt:
            _fail("interrupted: no partial output was left behind", EXIT_INTERRUPTED)
        except _broken_pool() as exc:
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
