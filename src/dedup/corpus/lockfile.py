"""The writer's lock of an SQLite index: an exclusive ``flock`` on ``PATH.lock``, held for as
long as the writer has the index open, the file removed when it is done.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "seen.db"
>>> held = acquire(path, timeout=0)
>>> try:
...     acquire(path, timeout=0)
... except IndexLockedError as exc:
...     print(exc.reason, pathlib.Path(exc.lock_path).name)
locked seen.db.lock
>>> release(held)
>>> path.with_name("seen.db.lock").exists()
False
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import IO

from dedup.corpus.errors import IndexLockedError

__all__ = ["acquire", "release"]


def acquire(path: Path, timeout: float) -> IO[bytes]:
    """The writer's lock on ``PATH.lock``, waiting up to ``timeout`` seconds.

    The writer removes the lock file when it is done (:func:`release`), so that none is left
    beside the index; a lock taken on a file that was removed meanwhile is taken again on the
    file now at that path."""
    lock_path = path.with_name(path.name + ".lock")
    handle = open(lock_path, "a+b")  # noqa: SIM115 - held until close()
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: SQLite's own locking only
        return handle
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            try:
                same = os.stat(lock_path).st_ino == os.fstat(handle.fileno()).st_ino
            except FileNotFoundError:
                same = False
            if same:
                return handle
            handle.close()  # the writer before removed it: lock the one there now
            handle = open(lock_path, "a+b")  # noqa: SIM115 - held until close()
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.close()
                raise IndexLockedError(
                    f"index {path} is open for writing elsewhere (lock {lock_path})",
                    hint="open it with readonly=True to query it, or wait for the writer to "
                    "close it (timeout=SECONDS waits)",
                    reason="locked",
                    path=path,
                    lock_path=lock_path,
                ) from None
            time.sleep(0.05)


def release(handle: IO[bytes]) -> None:
    """Remove the lock file, then release the writer's lock (in this order, so that no other
    writer can hold a lock on a file that is gone: see :func:`acquire`)."""
    with contextlib.suppress(OSError):
        os.unlink(handle.name)
    with contextlib.suppress(ImportError, OSError):
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    handle.close()
