"""The shape of service/'s imports: what the design promises about its packages."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SERVICE = Path(__file__).resolve().parent.parent / "service"


def imported_packages(path: Path) -> Iterator[str]:
    """The `service.<package>` names a module imports anywhere in it (in functions and under
    TYPE_CHECKING too: a cycle hidden in a function is still a cycle)."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module is not None:
            # `from service import fine_tuning` names the package in the alias.
            if node.module == "service":
                names = [f"service.{alias.name}" for alias in node.names]
            else:
                names = [node.module]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if len(parts) >= 2 and parts[0] == "service":
                yield parts[1]


def package_graph() -> dict[str, set[str]]:
    """Package -> the other packages of service/ that its modules import.

    The top-level modules (app.py, container.py, deps.py, cli.py) are the composition root:
    they wire every package together, so they are targets only, never sources.
    """
    packages = sorted(p for p in SERVICE.iterdir() if (p / "__init__.py").is_file())
    names = {package.name for package in packages}
    graph: dict[str, set[str]] = {}
    for package in packages:
        edges = graph.setdefault(package.name, set())
        for module in package.rglob("*.py"):
            edges.update(
                name for name in imported_packages(module) if name in names and name != package.name
            )
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as its packages in order (the first repeated at the end), or
    None when the graph is acyclic."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(node: str) -> list[str] | None:
        path.append(node)
        on_path.add(node)
        for target in sorted(graph.get(node, ())):
            if target in on_path:
                return [*path[path.index(target) :], target]
            if target not in done:
                cycle = visit(target)
                if cycle is not None:
                    return cycle
        path.pop()
        on_path.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done:
            cycle = visit(start)
            if cycle is not None:
                return cycle
    return None


def test_find_cycle_names_the_cycle_and_accepts_a_tree() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_packages_import_no_cycle() -> None:
    graph = package_graph()
    assert "core" in graph and "migrations" in graph  # the walk found the packages
    cycle = find_cycle(graph)
    assert cycle is None, "the packages of service/ import in a cycle: " + " -> ".join(cycle or [])
