"""Running a stage over a stream of records: in this process, or on a pool of processes.

A stage is a pure function of one item, so where it runs changes nothing but the speed. The
engine keeps the input order, and keeps memory bounded: items are grouped into chunks (by count
and by size), and only a fixed number of chunks is in flight at once, so a 5 GB JSONL file is
never held whole. Each item carries a key that stays in this process (the record, say) while only
its payload (the text) travels to a worker.

>>> with Engine(jobs=1) as engine:
...     list(engine.map(str.upper, [(1, "a"), (2, "b")]))
[(1, 'A'), (2, 'B')]
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from multiprocessing.queues import SimpleQueue
from types import TracebackType
from typing import Any, Generic, TypeVar, cast

from dedup.model import ConfigError

__all__ = ["Engine", "Failed", "default_jobs"]

K = TypeVar("K")
T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """The number of cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)  # pragma: no cover - platforms without affinity


@dataclass(frozen=True, slots=True)
class Failed:
    """The stage raised on one item: the exception's type name and message.

    The engine returns this in the item's place (with ``catch=True``) so that one bad document
    does not stop a run; the caller reports it with the item's location.
    """

    error: str
    message: str

    def __str__(self) -> str:
        return f"{self.error}: {self.message}"


_PARENT_POLL = 0.2  # seconds between a worker's looks at its parent


def _start_worker(warm_up: Callable[[], object] | None, parent: int | None = None) -> None:
    """Workers leave Ctrl-C to the calling process, which stops the run and cleans up; a
    SIGTERM (sent by :meth:`Engine.close` to stop them) ends them at once; and they exit when
    the process that started them is gone (:func:`_exit_with_parent`; ``parent``, when known,
    is that process: one that died before this point is seen at once). Then the engine's
    ``warm_up``, if the worker did not inherit what it built."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if parent is not None and os.getppid() != parent:
        os._exit(1)
    threading.Thread(
        target=_exit_with_parent, args=(os.getppid(),), name="dedup-parent-watch", daemon=True
    ).start()
    if warm_up is not None:
        warm_up()


def _exit_with_parent(parent: int) -> None:
    """End this worker once the process that started the pool has gone: a SIGKILLed run
    cannot stop its workers, which would be re-parented and wait for work forever. A forked
    worker sees its parent change; one started by a fork server (whose parent is the server,
    kept alive by its workers) sees the pipe from the starting process close."""
    starter = multiprocessing.parent_process()
    while os.getppid() == parent and (starter is None or starter.is_alive()):
        time.sleep(_PARENT_POLL)
    os._exit(1)


class _Apply(Generic[T, R]):
    """Apply ``func`` to every payload of a chunk (picklable: it travels to the workers)."""

    def __init__(self, func: Callable[[T], R], catch: bool) -> None:
        self.func = func
        self.catch = catch

    def __call__(self, payloads: list[T]) -> list[R | Failed]:
        if not self.catch:
            return [self.func(p) for p in payloads]
        out: list[R | Failed] = []
        for payload in payloads:
            try:
                out.append(self.func(payload))
            except Exception as exc:
                out.append(Failed(type(exc).__name__, str(exc)))
        return out


class _ResultQueue(SimpleQueue[Any]):
    """The queue a pool's workers send their results through, which can close this process's
    end for writing (this process only reads from it; the workers write).

    A worker stopped while it sends a result leaves the pool's reader waiting for the rest of
    the message; as long as this process holds an end for writing, the pipe never ends, and
    the exit of the process hangs on the pool's thread. Closed, the reader sees the end of the
    pipe once the workers are gone, and the pool winds down.
    """

    def close_writer(self) -> None:
        with contextlib.suppress(OSError):
            self._writer.close()  # type: ignore[attr-defined]  # no public name for this end


class _Workers:
    """The multiprocessing context a pool starts its workers with, keeping the processes it
    starts and the queue their results come back by: a cancelled run stops them at once (the
    pool has no public way to, before Python 3.14's ``terminate_workers``), then lets go of
    the queue (see :class:`_ResultQueue`). Everything else is the wrapped context's."""

    def __init__(self, context: BaseContext) -> None:
        self._context = context
        self.started: list[BaseProcess] = []
        self.results: list[_ResultQueue] = []

    def Process(self, *args: Any, **kwargs: Any) -> BaseProcess:
        process: BaseProcess = self._context.Process(*args, **kwargs)  # type: ignore[attr-defined]
        self.started.append(process)
        return process

    def SimpleQueue(self) -> _ResultQueue:
        queue = _ResultQueue(ctx=self._context)
        self.results.append(queue)
        return queue

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


class Engine:
    """Runs a function over keyed items with ``jobs`` processes, in order, in bounded memory.

    - ``jobs``: 1 runs in this process; more starts a process pool on first need (an input that
      fits one chunk runs in this process, so one small file never pays for a pool).
    - ``chunk_items`` / ``chunk_size``: a chunk closes at this many items or this total size
      (as measured by ``map``'s ``size`` function, e.g. characters).
    - ``window``: chunks in flight at once (default ``4 * jobs``); memory is bounded by
      ``window`` chunks.
    - ``start_method``: how workers start (``"fork"``, ``"forkserver"``, ``"spawn"``). By default
      ``fork`` on Linux while this process runs no other Python thread (fast: nothing is
      imported again), else ``forkserver`` (``spawn`` on Windows). With ``forkserver`` and
      ``spawn`` the main module must be importable, as for any process pool.
    - ``warm_up``: builds what the function needs once (lookup tables, compiled patterns).
      With ``fork`` it runs in this process just before the workers start, so they share what
      it built instead of each building its own; otherwise each worker runs it as it starts.

    Use it as a context manager so the pool is shut down, also on error or Ctrl-C.
    """

    def __init__(
        self,
        jobs: int = 1,
        *,
        chunk_items: int = 16,
        chunk_size: int = 1 << 18,
        window: int | None = None,
        start_method: str | None = None,
        warm_up: Callable[[], object] | None = None,
    ) -> None:
        for name, value in (
            ("jobs", jobs),
            ("chunk_items", chunk_items),
            ("chunk_size", chunk_size),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name}={value!r} is out of range: use an int of at least 1")
        if window is not None and window < 1:
            raise ConfigError(f"window={window!r} is out of range: use at least 1")
        self.jobs = jobs
        self.chunk_items = chunk_items
        self.chunk_size = chunk_size
        self.window = window if window is not None else 4 * jobs
        if start_method is not None and start_method not in multiprocessing.get_all_start_methods():
            raise ConfigError(
                f"start_method={start_method!r} is not available here: use one of "
                f"{', '.join(multiprocessing.get_all_start_methods())}"
            )
        self.start_method = start_method
        self.warm_up = warm_up
        self._pool: ProcessPoolExecutor | None = None
        self._workers: _Workers | None = None

    def __enter__(self) -> Engine:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(cancel=exc_type is not None)

    @property
    def pooled(self) -> bool:
        """Whether a pool of worker processes is running (it starts on first need)."""
        return self._pool is not None

    @property
    def started(self) -> int:
        """How many worker processes this engine started (0: everything ran in this process,
        as a small input does even with ``jobs > 1``)."""
        return len(self._workers.started) if self._workers is not None else 0

    def close(self, *, cancel: bool = False) -> None:
        """Shut the pool down (cancelling queued chunks when ``cancel``)."""
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        if not cancel:
            pool.shutdown(wait=True)
            return
        # On an error or Ctrl-C the results in flight are not wanted: stop the workers now
        # rather than wait for their chunks.
        workers, self._workers = self._workers, None
        processes = workers.started if workers is not None else []
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(Exception):
                process.terminate()
        for process in processes:
            with contextlib.suppress(Exception):
                process.join(timeout=5)
        # A worker stopped in the middle of sending a result would leave the pool's thread
        # waiting for the rest, and the exit of this process waiting for that thread.
        for queue in workers.results if workers is not None else []:
            queue.close_writer()

    def pool_start_method(self) -> str:
        """How the workers of a pool started now would start: ``start_method``, or the default
        (see the class)."""
        if self.start_method is not None:
            return self.start_method
        if sys.platform == "win32":  # pragma: no cover
            return "spawn"
        if sys.platform.startswith("linux") and threading.active_count() == 1:
            # fork starts workers at once with every module already imported; it is safe while
            # this process runs no other Python thread.
            return "fork"
        return "forkserver"  # workers never inherit this process's threads

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            method = self.pool_start_method()
            context = multiprocessing.get_context(method)
            if method == "forkserver":
                context.set_forkserver_preload(["dedup"])
            warm_up = self.warm_up
            if warm_up is not None and method == "fork":
                warm_up()  # the workers inherit it
                warm_up = None
            self._workers = _Workers(context)
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=cast(BaseContext, self._workers),
                initializer=_start_worker,
                initargs=(warm_up, os.getpid() if method == "fork" else None),
            )
        return self._pool

    def chunks(
        self, items: Iterable[tuple[K, T]], size: Callable[[T], int] | None
    ) -> Iterator[list[tuple[K, T]]]:
        """``items`` in chunks, as :meth:`map` sends them: a chunk closes at ``chunk_items``
        items or when the sizes of its payloads (by ``size``; 1 each without it) reach
        ``chunk_size``.

        >>> [len(c) for c in Engine(chunk_items=100, chunk_size=10).chunks(
        ...     ((i, "x" * 4) for i in range(6)), len)]
        [3, 3]
        """
        chunk: list[tuple[K, T]] = []
        total = 0
        for key, payload in items:
            chunk.append((key, payload))
            total += size(payload) if size is not None else 1
            if len(chunk) >= self.chunk_items or total >= self.chunk_size:
                yield chunk
                chunk, total = [], 0
        if chunk:
            yield chunk

    def map(
        self,
        func: Callable[[T], R],
        items: Iterable[tuple[K, T]],
        *,
        size: Callable[[T], int] | None = None,
        catch: bool = False,
    ) -> Generator[tuple[K, R | Failed], None, None]:
        """``(key, func(payload))`` for every ``(key, payload)``, in input order.

        ``func`` must be picklable (a module-level function or a ``functools.partial`` of one)
        when ``jobs > 1``. ``size`` measures a payload for chunking. With ``catch``, an exception
        raised by ``func`` comes back as :class:`Failed` in that item's place; without it, it
        propagates and ends the run.
        """
        apply: _Apply[T, R] = _Apply(func, catch)
        chunks = self.chunks(items, size)
        if self.jobs == 1:
            for chunk in chunks:
                yield from zip((k for k, _ in chunk), apply([p for _, p in chunk]), strict=True)
            return
        first = next(chunks, None)
        if first is None:
            return
        second = next(chunks, None)
        if second is None:
            yield from zip((k for k, _ in first), apply([p for _, p in first]), strict=True)
            return
        pool = self._executor()
        pending: deque[tuple[list[K], Future[list[R | Failed]]]] = deque()

        def submit(chunk: list[tuple[K, T]]) -> None:
            keys = [k for k, _ in chunk]
            pending.append((keys, pool.submit(apply, [p for _, p in chunk])))

        submit(first)
        submit(second)
        for chunk in chunks:
            while len(pending) >= self.window:
                keys, future = pending.popleft()
                yield from zip(keys, future.result(), strict=True)
            submit(chunk)
        while pending:
            keys, future = pending.popleft()
            yield from zip(keys, future.result(), strict=True)
