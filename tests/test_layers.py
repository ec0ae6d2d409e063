"""The house's shape as a test: the rooms import only downward (import-linter's contracts in pyproject.toml,
README: Architecture) and no module of qbtui imports itself back through others.

Cycles are counted over every import statement: top-level, late (inside a function) and ``TYPE_CHECKING``
ones, and a package's ``__init__`` counts as a module (a submodule importing from its own package's
``__init__``, which imports that submodule, is a cycle).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent

#: cycles known today and being removed (none left: the screens receive a Backend instead of importing the App);
#: the test fails on any other cycle, and when a known one is gone (then delete it here)
KNOWN_CYCLES: set[frozenset[str]] = set()


def test_import_contracts_are_kept() -> None:
    """``lint-imports`` (its exit code is 0 only when every contract is kept; the report names the import that
    breaks one, with its file and line)."""
    result = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
                             "sys.exit(lint_imports_command())", "--no-cache"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def import_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph("qbtui", cache_dir=None, exclude_type_checking_imports=False)
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}


def cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (or a module importing itself): Tarjan's
    algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges[node]:
                    found.append(frozenset(component))
    return found


def test_cycle_finder_finds_a_late_import_cycle() -> None:
    """The finder itself: a cycle through three modules, one beside, none elsewhere."""
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert sorted(map(sorted, cycles(edges))) == [["a", "b", "c"], ["e"]]


def test_no_import_cycles_among_qbtuis_modules() -> None:
    edges = import_graph()
    assert "qbtui.cli.common" in edges and "qbtui.tui.screens" in edges  # the graph is qbtui's, whole
    found = set(cycles(edges))
    new = [sorted(c) for c in found - KNOWN_CYCLES]
    assert not new, f"import cycles: {new}"
    gone = [sorted(c) for c in KNOWN_CYCLES - found]
    assert not gone, f"these cycles are gone: delete them from KNOWN_CYCLES: {gone}"
