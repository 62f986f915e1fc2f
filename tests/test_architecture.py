"""The house stays as docs/architecture.md draws it: rooms import only the rooms below them,
no import cycles, no folder grows past a dozen modules, every room says what it is for."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "ctgraph"

# room -> rooms it may import (besides itself); "top" is the package's own top-level modules.
ALLOWED: dict[str, set[str]] = {
    "graph": {"top", "sparql.analysis"},
    "sparql": {"top", "graph"},
    "catalog": {"top", "graph", "sparql"},
    "validation": {"top", "graph"},
    "views": {"top", "graph", "sparql", "catalog"},
    "commands": {"top", "graph", "sparql", "catalog", "validation", "views"},
    "web": {"top", "graph", "sparql", "catalog", "validation", "views", "commands"},
}
TOP_MODULES = {"ctgraph", "ctgraph.settings"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path, name: str) -> set[str]:
    """Every ctgraph module `path` imports, at any depth of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ctgraph"):
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("ctgraph"))
    modules = _modules()
    return {m for m in out if m in modules and m != name}


def _room(module: str) -> str:
    parts = module.split(".")
    if len(parts) < 3 or module in TOP_MODULES:
        return "top"
    return parts[1]


def test_rooms_import_only_the_rooms_below_them() -> None:
    wrong = []
    for name, path in _modules().items():
        room = _room(name)
        if room not in ALLOWED:
            continue
        for target in _imports(path, name):
            troom = _room(target)
            if troom == room or troom in ALLOWED[room]:
                continue
            if any(target == a or target.startswith(a + ".") for a in
                   (f"ctgraph.{r}" for r in ALLOWED[room] if "." in r)):
                continue
            wrong.append(f"{name} imports {target}")
    assert not wrong, "imports against the flow of docs/architecture.md:\n" + "\n".join(wrong)


def test_no_import_cycles() -> None:
    modules = _modules()
    graph = {name: {t for t in _imports(path, name) if modules[t].name != "__init__.py"}
             for name, path in modules.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for name in sorted(graph):
        if name not in state and (cycle := visit(name)):
            pytest.fail("import cycle: " + " -> ".join(cycle))


def test_no_folder_holds_more_than_a_dozen_modules() -> None:
    for folder in [PACKAGE, *(p for p in PACKAGE.rglob("*") if p.is_dir())]:
        modules = [p for p in folder.glob("*.py") if p.name != "__init__.py"]
        assert len(modules) <= 12, f"{folder}: {len(modules)} modules; split it into rooms"


def test_every_room_says_what_it_is_for() -> None:
    for init in PACKAGE.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, f"{init}: the room's docstring is missing"
