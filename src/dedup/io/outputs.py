"""Outputs that never leave a partial file: :func:`atomic_output` writes a temporary file in
the output's directory, flushes and syncs it, then renames it over the target with
:func:`os.replace`. An output that exists is refused unless ``force`` is set; a stream (a FIFO,
a character device, ``/dev/stdout``) is written into, and anything else refused."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from dedup.model import DedupError

__all__ = ["OutputError", "atomic_output", "is_stream", "refuse_to_replace"]


class OutputError(DedupError):
    """An output cannot be written: it exists (and ``force`` is off), or it is the input."""


def _exists(path: Path) -> OutputError:
    return OutputError(
        f"{path} exists", hint="pass force=True to replace it", reason="exists", path=path
    )


def is_stream(path: str | Path) -> bool:
    """Whether an output at ``path`` is written into rather than replaced: a FIFO, a character
    device (``/dev/null``, a terminal) or a link to an open file descriptor (``/dev/stdout``,
    ``/dev/fd/N``). Nothing there can be replaced, so nothing is lost by writing.

    >>> is_stream("/dev/null"), is_stream("out.jsonl")
    (True, False)
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or _descriptor(path)


def _descriptor(path: str | Path) -> bool:
    """Whether ``path`` leads, through symbolic links, to ``/dev/fd/N`` or ``/proc/*/fd/N``."""
    step = os.fspath(path)
    for _ in range(40):  # the kernel's own limit on links followed
        if _FD_PATH.match(step):
            return True
        if not os.path.islink(step):
            return False
        step = os.path.join(os.path.dirname(step), os.readlink(step))
    return False


_FD_PATH = re.compile(r"/(?:dev|proc/(?:self|\d+))/fd/\d+$")


def refuse_to_replace(path: Path, *, force: bool) -> None:
    """Refuse ``path`` as an output that would be replaced: an existing regular file without
    ``force``, and anything that is neither a regular file nor a stream (:func:`is_stream`)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if stat.S_ISREG(mode):
        if not force and not _descriptor(path):
            raise _exists(path)
    elif not is_stream(path):
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        kind = "a socket" if stat.S_ISSOCK(mode) else kind
        kind = "a block device" if stat.S_ISBLK(mode) else kind
        raise OutputError(
            f"{path} is {kind}",
            hint="write to a regular file, a FIFO or a character device",
            reason="not-a-file",
            path=path,
        )


def _not_writable(path: Path, where: str | os.PathLike[str], exc: OSError) -> OutputError:
    """The error for an output ``path`` whose directory cannot be made or written in (at
    ``where``: a file where a directory should be, a missing or read-only directory)."""
    place = Path(where)
    found = next((p for p in (place, *place.parents) if os.path.lexists(p)), None)
    if found is not None and not found.is_dir():
        why = f"{found} is a file, not a directory"
    elif found == place and exc.errno == errno.ENOENT:
        # (the directory is there, but takes no new file: /proc, /sys)
        why = f"{place} is a directory that takes no new files"
    else:
        why = f"{place}: {exc.strerror or exc}"
    return OutputError(
        f"{path} cannot be written ({why})",
        hint="write it in a directory that exists, or can be made, and that you can write in",
        reason="not-writable",
        path=path,
    )


@contextlib.contextmanager
def atomic_output(
    path: Path, *, force: bool = False, mode_from: Path | None = None
) -> Iterator[IO[bytes]]:
    """A binary file that appears at ``path`` only when the block finishes without error.

    It is written as a temporary file in the same directory, flushed, synced and renamed over
    ``path``; on any error (or Ctrl-C) the temporary file is removed and ``path`` is untouched.
    ``mode_from`` copies that file's permissions (for ``--in-place``). A symbolic link is
    written through: the file it leads to is replaced, the link stays. A stream
    (:func:`is_stream`: a FIFO, ``/dev/null``, ``/dev/stdout``) is written into as it goes;
    anything else that is not a regular file (a directory, a socket) is refused.
    """
    refuse_to_replace(path, force=force)
    if is_stream(path):
        with open(path, "wb") as stream:
            yield stream
        return
    real = Path(os.path.realpath(path)) if os.path.islink(path) else path
    directory = real.parent if str(real.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _not_writable(path, exc.filename or directory, exc) from exc
    # (Ctrl-C and SIGTERM raise where they land, in whatever thread the signal reached the
    # process: the temporary file's name is chosen before the file is made, inside the block
    # that removes it on error, so one landing as the file is made, or right after, leaves none)
    prefix = f".{real.name}."
    tmp = ""
    try:
        fd = -1
        while fd < 0:
            tmp = os.path.join(directory, f"{prefix}{secrets.token_hex(8)}.tmp")
            try:
                fd = os.open(tmp, _CREATE, 0o600)
            except FileExistsError:
                tmp = ""  # (another's file: not ours to remove)
            except OSError as exc:  # (its file name is the temporary file's, not asked for)
                tmp = ""
                raise _not_writable(path, directory, exc) from exc
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if mode_from is not None:
            os.chmod(tmp, mode_from.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, real)
    except BaseException:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise


# How the temporary file is made: new (never another's), for writing, not inherited by child
# processes, in binary mode where the platform tells modes apart.
_CREATE = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)
