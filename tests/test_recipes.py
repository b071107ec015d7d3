"""docs/recipes.md runs: every Python block, section by section; and the batch functions of
``dedup.integrations`` and ``dedup.clean_batch`` that the recipes use."""

from __future__ import annotations

import importlib
import math
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

import dedup
from dedup.integrations import ColumnCleaner, clean_column, clean_values, hf_clean_batch
from dedup.integrations.scrapy import DedupPipeline, DedupSettings

ROOT = Path(__file__).resolve().parent.parent
RECIPES = ROOT / "docs" / "recipes.md"
DATA = Path(__file__).resolve().parent / "data" / "recipes"

_FENCE = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def sections() -> dict[str, list[tuple[int, str]]]:
    """The Python blocks of docs/recipes.md by section title, each with its first line."""
    text = RECIPES.read_text(encoding="utf-8")
    found: dict[str, list[tuple[int, str]]] = {}
    for match in _FENCE.finditer(text):
        before = text[: match.start()]
        title = re.findall(r"^## (.+)$", before, re.MULTILINE)[-1]
        line = before.count("\n") + 2
        found.setdefault(title, []).append((line, match.group(1)))
    return found


SECTIONS = sections()


def run_section(title: str, where: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run the blocks of one section in order, in one namespace, in a copy of the data."""
    for name in ("article.html", "pages.jsonl"):
        shutil.copy(DATA / name, where / name)
    monkeypatch.chdir(where)
    namespace: dict[str, Any] = {"__name__": "recipes"}
    for line, code in SECTIONS[title]:
        exec(compile(code, f"{RECIPES}:{line}", "exec"), namespace)
    return namespace


def test_the_page_has_a_recipe_for_each_tool() -> None:
    titles = " | ".join(SECTIONS)
    for tool in ("Scrapy", "trafilatura", "datasets", "pandas", "polars", "JSON Lines"):
        assert tool in titles, f"docs/recipes.md has no section with Python code for {tool}"
    assert sum(len(blocks) for blocks in SECTIONS.values()) >= 9


@pytest.mark.parametrize("title", list(SECTIONS))
def test_recipe_runs(title: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    namespace = run_section(title, tmp_path, monkeypatch)
    again = run_section(title, tmp_path, monkeypatch)  # a second run, where the first left files
    assert again.keys() == namespace.keys()
    if title.startswith("Scrapy"):
        # the settings block names the pipeline by its import path, and its settings are valid
        (path,) = namespace["ITEM_PIPELINES"]
        module, _, name = path.rpartition(".")
        assert getattr(importlib.import_module(module), name) is DedupPipeline
        settings = DedupSettings.from_settings(namespace)
        assert settings.index == Path("seen.db")
        assert settings.fields == ("text",)


def test_scrapy_settings_table_lists_every_setting() -> None:
    page = RECIPES.read_text(encoding="utf-8")
    source = (ROOT / "src" / "dedup" / "integrations" / "scrapy.py").read_text(encoding="utf-8")
    named = set(re.findall(r'settings\.get\("(DEDUP_[A-Z_]+)"\)', source))
    assert len(named) == 8
    for setting in sorted(named):
        assert f"| `{setting}` |" in page, f"docs/recipes.md does not describe {setting}"
    for key in sorted(set(re.findall(r'_inc\(\s*f?"([a-z_{}.]+)"', source))):
        if "{" not in key:
            assert f"dedup/{key}" in page, f"docs/recipes.md does not describe dedup/{key}"


# ------------------------------------------------------------------------------------------
# the batch functions


DOUBLED_BODY = (
    "The ferry to the island will run every hour from May, the harbour office said on Monday.\n\n"
    "Islanders had asked for more crossings since the bridge closed for repairs last autumn."
)
DOUBLED = DOUBLED_BODY + DOUBLED_BODY.replace("\n\n", " ")
BROKEN = "The caf\N{LATIN CAPITAL LETTER A WITH TILDE}\N{COPYRIGHT SIGN} is open."
FIXED = "The caf\N{LATIN SMALL LETTER E WITH ACUTE} is open."


def test_column_cleaner_keeps_missing_values_and_other_columns_out() -> None:
    batch = {"id": [1, 2, 3, 4], "text": [DOUBLED, BROKEN, None, float("nan")]}
    out = hf_clean_batch(batch)
    assert list(out) == ["text"]
    assert out["text"][:3] == [DOUBLED_BODY, FIXED, None]
    assert math.isnan(out["text"][3])
    assert batch["text"][0] == DOUBLED  # the batch given is not changed
    assert clean_column("body", output="clean")({"body": (DOUBLED,)}) == {"clean": [DOUBLED_BODY]}


def test_column_cleaner_passes_options_and_pickles() -> None:
    import pickle

    options = dedup.RepairOptions(min_chars=10_000)  # no copy is long enough to be removed
    cleaner = clean_column("text", repair_options=options)
    assert cleaner({"text": [DOUBLED]}) == {"text": [DOUBLED]}
    assert pickle.loads(pickle.dumps(cleaner)) == cleaner
    assert hf_clean_batch == ColumnCleaner("text", "text")


def test_column_cleaner_errors_name_the_column_and_row() -> None:
    with pytest.raises(dedup.InputError, match=r"no column 'text' \(it has 'body'\)"):
        hf_clean_batch({"body": ["x"]})
    with pytest.raises(dedup.InputError, match="column 'text', row 1 of the batch: bytes, not str"):
        hf_clean_batch({"text": ["x", b"y"]})
    with pytest.raises(dedup.ConfigError, match="column must be a non-empty str"):
        clean_column("")
    with pytest.raises(dedup.ConfigError, match="repair_options must be RepairOptions"):
        clean_column("text", repair_options={"min_chars": 1})  # type: ignore[arg-type]


def test_clean_values_on_a_pool_keeps_order_and_missing_values() -> None:
    # more than one chunk of the engine (16 texts), so the pool really runs
    values: list[Any] = [f"Text number {n} is fine." for n in range(40)]
    values[3], values[17], values[29] = DOUBLED, None, BROKEN
    expected = [dedup.clean(v) if isinstance(v, str) else v for v in values]
    assert clean_values(values, jobs=2) == expected
    assert clean_values(iter(values)) == expected
    assert clean_values([]) == []
    with pytest.raises(dedup.InputError, match="value 1 is int, not str"):
        clean_values(["a", 1])


def test_clean_batch_checks_its_arguments_before_any_work() -> None:
    assert dedup.clean_batch([]) == []
    assert dedup.clean_batch((t for t in [BROKEN, DOUBLED]), jobs=2) == [FIXED, DOUBLED_BODY]
    for jobs in (0, -1, True, 1.5, "2"):
        with pytest.raises(dedup.ConfigError, match=r"^jobs=.* is out of range"):
            dedup.clean_batch(["x"], jobs=jobs)  # type: ignore[arg-type]
    with pytest.raises(dedup.InputError, match="text 1 is None"):
        dedup.clean_batch(["x", None], jobs=2)  # type: ignore[list-item]
    # one text where many are taken would be cleaned character by character
    one = r"^texts is one str, not a collection of texts: pass a list \(\[text\]\)"
    with pytest.raises(dedup.InputError, match=one):
        dedup.clean_batch(DOUBLED)
    with pytest.raises(dedup.InputError, match=r"^texts is one bytes"):
        dedup.clean_batch(DOUBLED.encode())
    with pytest.raises(dedup.InputError, match=r"^texts is one str.*pass a column or a list"):
        clean_values(DOUBLED)
    with pytest.raises(dedup.InputError, match=r"^texts is one str.*\[text1, text2, \.\.\.\]"):
        dedup.find_near_duplicates(DOUBLED)
    assert dedup.clean_batch((DOUBLED,)) == [DOUBLED_BODY]
    kept = dedup.clean_batch([DOUBLED], repair_options=dedup.RepairOptions(min_chars=10_000))
    assert kept == [DOUBLED]
