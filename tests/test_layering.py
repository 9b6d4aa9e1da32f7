"""The package's layering, read from the source: no import cycle, TYPE_CHECKING imports
included; the core imports no adapter; no test double ships in the package."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "chatbot"
CORE = ("chatbot.policy", "chatbot.review", "chatbot.workflow", "chatbot.model")


def test_no_module_imports_itself_back_even_under_type_checking():
    graph = _imports()
    cycles = [c for c in _strongly_connected(graph) if len(c) > 1]
    assert cycles == []


def test_the_core_imports_no_chat_platform():
    offenders = {(module, imported) for module, imports in _imports().items()
                 if module.startswith(CORE) for imported in imports
                 if imported.startswith(("chatbot.adapters", "chatbot.chat"))}
    assert offenders == set()


def test_no_test_double_ships_in_the_package():
    names = {node.name for path in PACKAGE.rglob("*.py")
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.ClassDef)}
    assert not names & {"MemoryPort", "Desk"}


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(REPO).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _imports() -> dict[str, set[str]]:
    """Each module's imports of the package at module level (in `if TYPE_CHECKING:` and
    `try:` blocks too; an import inside a function is a deliberate late one). Importing
    `a.b.c` from outside the package `a.b` runs `a.b`'s `__init__` first, so it counts."""
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        _collect(ast.parse(path.read_text(encoding="utf-8")).body, package, modules, found)
        for imported in list(found):
            parts = imported.split(".")
            for k in range(1, len(parts)):
                parent = ".".join(parts[:k])
                if parent in modules and parent != name and not name.startswith(parent + "."):
                    found.add(parent)
        graph[name] = found - {name}
    return graph


def _collect(body: list[ast.stmt], package: str, modules: dict[str, Path],
             found: set[str]) -> None:
    for node in body:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([base] if base else [])])
            for alias in node.names:
                target = f"{base}.{alias.name}"
                if target in modules:
                    found.add(target)
                elif base in modules:
                    found.add(base)
        elif isinstance(node, ast.If):
            _collect(node.body + node.orelse, package, modules, found)
        elif isinstance(node, ast.Try):
            _collect(node.body, package, modules, found)


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
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
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append(sorted(group))
    return groups
