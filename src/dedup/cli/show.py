"""What the commands that show each document's result share (``find``, ``diff``): they write
nothing but ``--rejects``, and show what they find on stdout."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from dedup.cli.jobs import DocumentJob
from dedup.cli.plan import Reads, check_outputs, check_streams, find_inputs, open_rejects
from dedup.cli.progress import Progress
from dedup.cli.records import RecordSource
from dedup.cli.stages import warm_up
from dedup.engine import Engine, default_jobs
from dedup.io import Source

__all__ = ["shown_records"]


@contextlib.contextmanager
def shown_records(job: DocumentJob) -> Iterator[tuple[list[Source], RecordSource, Engine]]:
    """What a command that shows each document's result on stdout, and writes nothing but
    ``--rejects`` (``find``, ``diff``), runs in: its inputs found and checked, a
    :class:`RecordSource` reading them (with its progress bar and rejects file), and an
    :class:`~dedup.engine.Engine` of ``-j`` processes, all closed when the block ends."""
    sources, stdin = find_inputs(job.paths, job.inputs)
    check_streams(stdout="redirect it to a file")
    check_outputs(
        [("--rejects", job.inputs.rejects)], Reads.of(job.paths, sources, job.inputs.glob)
    )
    jobs = job.jobs or default_jobs()
    with contextlib.ExitStack() as stack:
        rejects = open_rejects(job.inputs, stack)
        progress = Progress(sources, stack, quiet=job.quiet)
        source = RecordSource(job.inputs, rejects=rejects, progress=progress, stdin=stdin)
        engine = stack.enter_context(Engine(jobs, warm_up=warm_up))
        yield sources, source, engine
