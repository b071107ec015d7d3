"""Every Python block of the README and of docs/ runs, as a reader would run it: the blocks of
one page in order, in one namespace, in a fresh Python process, in a new directory that holds
only the files the pages name (the seed page, the recipes' two files, a small Parquet crawl).

Blocks written as a session (``>>>``) are run as doctests and their output checked; others are
run as they are (their own ``assert`` lines check them). docs/recipes.md is run section by
section, twice, by tests/test_recipes.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)
TIMEOUT = 300

RUNNER = """
import doctest, json, sys
blocks = json.load(open(sys.argv[1], encoding="utf-8"))
namespace = {"__name__": "__main__"}
for name, code in blocks:
    if code.lstrip().startswith(">>>"):
        test = doctest.DocTestParser().get_doctest(code, namespace, name, name, 0)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        runner.run(test, clear_globs=False)
        namespace.update(test.globs)  # the session goes on in the next block
        if runner.failures:
            sys.exit(f"{name}: {runner.failures} example(s) failed")
    else:
        exec(compile(code, name, "exec"), namespace)
"""


def blocks(page: Path) -> list[tuple[str, str]]:
    """The Python blocks of ``page``, each named by its page and first line."""
    text = page.read_text(encoding="utf-8")
    rel = page.relative_to(ROOT)
    return [
        (f"{rel}:{text[: m.start()].count(chr(10)) + 2}", m.group(1)) for m in _FENCE.finditer(text)
    ]


def lay_out(where: Path) -> None:
    """The files the pages name, in ``where``."""
    (where / "seeds").mkdir()
    for seed in (ROOT / "seeds").iterdir():
        shutil.copy(seed, where / "seeds" / seed.name)
    for name in ("article.html", "pages.jsonl"):
        shutil.copy(ROOT / "tests" / "data" / "recipes" / name, where / name)
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    (where / "crawl").mkdir()
    rows = [json.loads(line) for line in (where / "pages.jsonl").read_text().splitlines()]
    table = pa.table({"url": [r["url"] for r in rows], "text": [r["text"] for r in rows]})
    pq.write_table(table, where / "crawl" / "part-0.parquet")


@pytest.mark.parametrize(
    "page",
    [p for p in PAGES if p.name != "recipes.md" and blocks(p)],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_the_python_blocks_of_a_page_run(page: Path, tmp_path: Path) -> None:
    found = blocks(page)
    if any("import ray" in code for _, code in found):
        pytest.importorskip("ray.data", reason="ray is not installed: pip install -e '.[test]'")
    lay_out(tmp_path)
    spec = tmp_path / ".blocks.json"
    spec.write_text(json.dumps(found), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(spec)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_every_page_with_python_is_run() -> None:
    with_python = {p.name for p in PAGES if blocks(p)}
    assert {"README.md", "corpus.md", "normalize.md", "repair.md", "scale.md"} <= with_python
