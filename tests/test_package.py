"""The shape of the package: imports flow one way, and every library module shows itself.

- No import circle between modules, and nothing outside ``dedup.cli`` imports the command
  line: the library runs with no command line loaded. Read from the package's own source
  (``ast``), as it is, not from a list.
- Every library module has runnable examples in its docstrings, which
  ``pytest --doctest-modules`` (configured in ``pyproject.toml``) runs with the suite.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import sys
from pathlib import Path

import pytest

import dedup

PACKAGE = Path(dedup.__file__).resolve().parent
CLI = "dedup.cli"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    """Each module of the package and the modules of the package it imports (an import of a
    name from a package counts as an import of the package, and of the submodule when the name
    is one)."""
    files = {module_name(f): f for f in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            for target in targets:
                while target and target not in files:
                    target = target.rsplit(".", 1)[0] if "." in target else ""
                if target and target != name:
                    graph[name].add(target)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for v in graph:
            if v not in index:
                visit(v)
    finally:
        sys.setrecursionlimit(limit)
    return found


def test_the_graph_sees_the_package_imports() -> None:
    graph = import_graph()
    assert "dedup.model" in graph["dedup.repair"]
    assert "dedup.cli.stages" in graph["dedup.cli.find"]  # import dedup.cli.stages as stages
    assert "dedup.io" in graph["dedup.cli.plan"]  # from dedup.io import (...)


def test_no_module_imports_a_module_that_imports_it_back() -> None:
    graph = import_graph()
    # the package's __init__ re-exports the public API: circles through it are not layering
    without_root = {m: {t for t in ts if t != "dedup"} for m, ts in graph.items() if m != "dedup"}
    assert circles(without_root) == []


def test_nothing_outside_the_command_line_imports_it() -> None:
    inside = {CLI, "dedup.__main__"}
    offenders = sorted(
        name
        for name, targets in import_graph().items()
        if name not in inside and not name.startswith(f"{CLI}.")
        for target in targets
        if target == CLI or target.startswith(f"{CLI}.")
    )
    assert offenders == []


def test_the_library_runs_without_the_command_line_loaded() -> None:
    import subprocess

    code = (
        "import sys, dedup, dedup.corpus.decide, dedup.ray, dedup.integrations.batch; "
        "dedup.clean('A text.'); "
        "print(sorted(m for m in sys.modules if m == 'click' or m.startswith('dedup.cli')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# The command line shows itself through --help (tests/test_cli.py checks it against
# docs/cli.md); dedup.ray's functions need a Ray cluster (tests/test_ray.py runs them).
WITHOUT_EXAMPLES = ("dedup.__main__", "dedup.ray", CLI)


@pytest.mark.parametrize(
    "name", sorted(m for m in import_graph() if not m.startswith(WITHOUT_EXAMPLES))
)
def test_every_library_module_has_runnable_examples(name: str) -> None:
    tests = doctest.DocTestFinder().find(importlib.import_module(name))
    assert sum(len(t.examples) for t in tests) > 0, f"{name} has no examples in its docstrings"
