"""What each command was asked to do: one record per command, the one mapping from its
command-line arguments (:func:`dedup.cli.options.job` builds it) to what a run does, whichever
engine runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dedup.cli.options import EngineName, InputOptions
from dedup.corpus.defaults import INDEX_BATCH, KEEP_POLICIES, THRESHOLD, Keep
from dedup.io import Format
from dedup.model import RepairOptions

if TYPE_CHECKING:
    from dedup.corpus.cluster import CorpusOptions
    from dedup.normalize import NormalizeOptions

__all__ = ["CleanJob", "CorpusJob", "DiffJob", "DocumentJob", "FindJob"]


def _normalize_options() -> NormalizeOptions:
    """The default normalisation (its module, the repair stage's, loads when a job asks)."""
    from dedup.normalize import NormalizeOptions

    return NormalizeOptions()


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentJob:
    """What every command that runs a stage over each document (``clean``, ``find``, ``diff``)
    was asked: its inputs, how they are read, the repair options, the processes, ``-q``."""

    paths: tuple[str, ...]
    repair: RepairOptions = field(default_factory=RepairOptions)
    inputs: InputOptions = field(default_factory=InputOptions)
    jobs: int | None = None
    quiet: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanJob(DocumentJob):
    """Everything ``dedup clean`` was asked to do (see its ``--help``)."""

    output: str | None = None
    fmt: Format | None = None
    force: bool = False
    in_place: bool = False
    report: str | None = None
    normalize: NormalizeOptions = field(default_factory=lambda: _normalize_options())
    engine: EngineName = "local"
    address: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FindJob(DocumentJob):
    """Everything ``dedup find`` was asked to do (see its ``--help``)."""

    as_json: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class DiffJob(DocumentJob):
    """Everything ``dedup diff`` was asked to do (see its ``--help``)."""

    color: bool | None = None
    stages: tuple[str, ...] = ()
    context: int = 200
    normalize: NormalizeOptions = field(default_factory=lambda: _normalize_options())


@dataclass(frozen=True, slots=True, kw_only=True)
class CorpusJob:
    """Everything ``dedup corpus`` was asked to do (see its ``--help``)."""

    paths: tuple[str, ...]
    output: str
    fmt: Format | None = None
    threshold: float = THRESHOLD
    keep: Keep = KEEP_POLICIES[0]
    index_path: str | None = None
    boilerplate: bool = False
    mark: bool = False
    dropped: str | None = None
    url_field: str = "url"
    index_batch: int = INDEX_BATCH
    force: bool = False
    inputs: InputOptions = field(default_factory=InputOptions)
    quiet: bool = False
    engine: EngineName = "local"
    address: str | None = None

    @property
    def options(self) -> CorpusOptions:
        """The clustering options the job asks for (checked: a bad one is a ConfigError)."""
        from dedup.corpus.cluster import CorpusOptions

        return CorpusOptions(threshold=self.threshold, keep=self.keep)
