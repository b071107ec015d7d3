"""Every extra: the one-line error naming it when its packages are missing (hidden here by
putting ``None`` in ``sys.modules``, which makes their import fail), and the feature working
when they are present. The extras of pyproject.toml are the ones :mod:`dedup.extras` knows."""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import dedup
import dedup.__main__
from dedup import cli
from dedup.extras import EXTRAS, MissingExtraError, install_line

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_4f0cfa5be7925e77.txt"


def hide(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make ``import MODULE`` fail for each of ``modules`` and their submodules."""
    for name in list(sys.modules):
        if any(name == m or name.startswith(m + ".") for m in modules):
            monkeypatch.setitem(sys.modules, name, None)
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def test_the_extras_of_pyproject_are_the_ones_the_errors_name() -> None:
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "dedup-text"
    extras = project["optional-dependencies"]
    assert set(extras) - {"all", "test", "benchmarks"} == set(EXTRAS)
    assert extras["all"] == [f"dedup-text[{','.join(EXTRAS)}]"]
    assert "dedup-text[all]" in extras["test"]
    plain = {d.split(">")[0].split("[")[0] for d in project["dependencies"]}
    assert plain == {"rapidfuzz", "regex", "ftfy", "numpy", "xxhash"}
    assert project["scripts"] == {"dedup": "dedup.__main__:main"}


def test_every_install_line_of_the_docs_names_the_distribution_and_an_extra() -> None:
    """``pip install`` of a package (not a checkout, ``.[...]``) in the README, docs/ and the
    package's docstrings names ``dedup-text`` and one of its extras: the import name
    (``dedup[redis]``) installs nothing of this project."""
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pages = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "src").rglob("*.py")]
    line = re.compile(r"pip install -?\w*\s*'?([\w.-]+)(?:\[([\w,]+)\])?")
    found = []
    for page in pages:
        for match in line.finditer(page.read_text(encoding="utf-8")):
            name, extras = match.group(1), match.group(2)
            if name.startswith("dedup"):
                found.append(f"{page.name}: {match.group(0)}")
                assert name == project["name"], f"{page.name}: {match.group(0)}"
                for extra in (extras or "").split(","):
                    assert not extra or extra in project["optional-dependencies"], match.group(0)
    assert found  # (the README's install lines at least)


def test_the_missing_extra_error_is_an_import_error_and_a_dedup_error() -> None:
    assert issubclass(MissingExtraError, ImportError)
    assert issubclass(MissingExtraError, dedup.DedupError)
    assert install_line("cli") == "pip install 'dedup-text[cli]'"


# --- cli --------------------------------------------------------------------------------


def test_cli_missing(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    hide(monkeypatch, "click")
    monkeypatch.setattr(sys, "argv", ["dedup", "--version"])
    with pytest.raises(SystemExit) as exit:
        dedup.__main__.main()
    assert exit.value.code == (
        "Error: the dedup command needs click, which is not installed: "
        "pip install 'dedup-text[cli]'"
    )


def test_cli_missing_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    hide(monkeypatch, "rich")
    monkeypatch.setattr(sys, "argv", ["dedup", "--version"])
    with pytest.raises(SystemExit) as exit:
        dedup.__main__.main()
    assert "needs rich" in str(exit.value.code)
    assert "[cli]" in str(exit.value.code)


def test_cli_present(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["dedup", "--version"])
    with pytest.raises(SystemExit) as exit:
        dedup.__main__.main()
    assert exit.value.code == 0
    assert capsys.readouterr().out == f"dedup, version {dedup.__version__}\n"


# --- parquet ----------------------------------------------------------------------------


def test_parquet_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    pa = pytest.importorskip("pyarrow")
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["a"], "text": ["Nothing to repair."]}), src)
    hide(monkeypatch, "pyarrow")
    read = run("clean", str(src), "-o", str(tmp_path / "out.jsonl"))
    assert read.exit_code == 2
    assert read.stderr == (
        f"Error: {src}: reading Parquet needs pyarrow, which is not installed: "
        "pip install 'dedup-text[parquet]'\n"
    )
    out = tmp_path / "out.parquet"
    written = run("clean", str(SEED), "-o", str(out))
    assert written.exit_code == 2
    assert "writing Parquet needs pyarrow" in written.stderr
    assert "dedup-text[parquet]" in written.stderr
    assert not out.exists()


def test_parquet_present(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    pa = pytest.importorskip("pyarrow")
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["a"], "text": ["Nothing to repair."]}), src)
    result = run("clean", str(src), "-o", str(tmp_path / "out.parquet"))
    assert result.exit_code == 0
    assert pq.read_table(tmp_path / "out.parquet").to_pylist() == [
        {"id": "a", "text": "Nothing to repair."}
    ]


# --- zstd -------------------------------------------------------------------------------


def test_zstd_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    zstandard = pytest.importorskip("zstandard")
    src = tmp_path / "in.jsonl.zst"
    src.write_bytes(zstandard.ZstdCompressor().compress(b'{"id": 1, "text": "a"}\n'))
    hide(monkeypatch, "zstandard")
    read = run("clean", str(src), "-o", str(tmp_path / "out.jsonl"))
    assert read.exit_code == 2
    assert read.stderr == (
        f"Error: {src}: reading zstd needs zstandard, which is not installed: "
        "pip install 'dedup-text[zstd]'\n"
    )
    written = run("clean", str(SEED), "--format", "jsonl", "-o", str(tmp_path / "o.jsonl.zst"))
    assert written.exit_code == 2
    assert "writing zstd needs zstandard" in written.stderr
    assert not (tmp_path / "o.jsonl.zst").exists()


def test_zstd_present(tmp_path: Path) -> None:
    zstandard = pytest.importorskip("zstandard")
    src = tmp_path / "in.jsonl.zst"
    src.write_bytes(zstandard.ZstdCompressor().compress(b'{"id": 1, "text": "a"}\n'))
    result = run("clean", str(src), "-o", str(tmp_path / "out.jsonl.zst"))
    assert result.exit_code == 0
    data = (
        zstandard.ZstdDecompressor()
        .decompressobj()
        .decompress((tmp_path / "out.jsonl.zst").read_bytes())
    )
    assert json.loads(data) == {"id": 1, "text": "a"}


# --- ray --------------------------------------------------------------------------------


def test_ray_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dedup.ray

    hide(monkeypatch, "ray")
    with pytest.raises(MissingExtraError, match=r"pip install 'dedup-text\[ray\]'"):
        dedup.ray.read_dataset([str(tmp_path / "in.jsonl")])


def test_ray_engine_missing_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--engine ray`` without Ray: one line naming the extra, exit status 2 (a usage error, as
    every missing extra), no output, on both commands that take it (a 32-line traceback)."""
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "A text."}\n', encoding="utf-8")
    hide(monkeypatch, "ray")
    for command in ("clean", "corpus"):
        result = run(command, str(src), "-o", str(tmp_path / "out.jsonl"), "--engine", "ray")
        assert result.exit_code == 2, command
        assert result.stderr == (
            "Error: the Ray engine needs ray, which is not installed: "
            "pip install 'dedup-text[ray]'\n"
        ), command
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_ray_present() -> None:
    """The Ray engine itself runs in tests/test_ray.py; here, that the extra's modules load."""
    pytest.importorskip("ray.data")
    import dedup.ray

    assert dedup.ray.read_dataset.__module__ == "dedup.ray"


# --- scrapy -----------------------------------------------------------------------------


def test_scrapy_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    hide(monkeypatch, "scrapy", "itemadapter")
    monkeypatch.delitem(sys.modules, "dedup.integrations.scrapy", raising=False)
    with pytest.raises(MissingExtraError, match=r"pip install 'dedup-text\[scrapy\]'"):
        importlib.import_module("dedup.integrations.scrapy")


def test_scrapy_present() -> None:
    """The pipeline itself runs in tests/test_scrapy.py; here, that the module imports."""
    pytest.importorskip("scrapy")
    module = importlib.import_module("dedup.integrations.scrapy")
    assert hasattr(module, "DedupPipeline")


def test_doctests() -> None:
    import doctest

    import dedup.extras

    result = doctest.testmod(dedup.extras)
    assert result.attempted > 0
    assert result.failed == 0


# --- redis ------------------------------------------------------------------------------


def test_redis_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    hide(monkeypatch, "redis")
    with pytest.raises(MissingExtraError, match=r"pip install 'dedup-text\[redis\]'"):
        dedup.Index("redis://127.0.0.1:1/0")


def test_redis_present() -> None:
    """The index on a Redis server runs in tests/test_corpus_index_redis.py; here, that the
    extra's module loads."""
    redis = pytest.importorskip("redis")
    assert callable(redis.Redis.from_url)
