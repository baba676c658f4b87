"""No import cycle between the project's modules, imports inside functions included: a
deferred import that dodges a cycle at load time still ties the two modules together."""
from __future__ import annotations

import ast
from pathlib import Path

import plateforme

ROOT = Path(plateforme.__file__).parent
PACKAGE = "plateforme"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[:len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def import_graph() -> dict[str, set[str]]:
    """module → the project modules it imports (anywhere in its code)."""
    paths = {_module_name(path): path for path in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {module: set() for module in paths}
    for module, path in paths.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(module, is_package, node.level, node.module)
                # `from . import views` imports a module; `from .models import X` a name.
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in paths else base
                           for alias in node.names]
            for target in targets:
                while target and target not in paths:  # a name inside a module: the module
                    target = target.rpartition(".")[0]
                if target.startswith(PACKAGE) and target != module:
                    graph[module].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:  # iterative: the graph is deep enough to matter
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
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


def _package_imports_only_its_parts(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """A package's __init__ that only registers its own views is not a cycle with them:
    a module importing `plateforme.debate` (its blueprint) and `plateforme.debate` importing
    the module to register routes is the blueprint idiom. Drop edges from a module to the
    package that contains it."""
    return {module: {target for target in targets if not module.startswith(target + ".")}
            for module, targets in graph.items()}


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    # core/database.py imports the extensions inside its function only.
    assert "plateforme.extensions" in graph["plateforme.core.database"]


def test_no_import_cycle_between_the_projects_modules():
    found = cycles(_package_imports_only_its_parts(import_graph()))
    assert found == [], "import cycles:\n" + "\n".join(" ↔ ".join(component) for component in found)


def test_consultations_import_nothing_of_the_debate():
    """Consultations sit below the debate: not even its models (a synthesis reaches the
    comments it cites through its own relationships; the demo that writes both sits above
    them, plateforme/consultation_demo.py)."""
    graph = import_graph()
    offending = {module: sorted(t for t in targets if t.startswith("plateforme.debate"))
                 for module, targets in graph.items() if module.startswith("plateforme.consultations")}
    assert {module: targets for module, targets in offending.items() if targets} == {}
