"""Modules use each other's public names only: a private name (`_x`) is its module's own."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICE = Path(__file__).resolve().parent.parent / "service"


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(dotted: str, root: Path) -> bool:
    """Whether `dotted` (service.x.y) names a module or package under `root` (service/)."""
    relative = Path(*dotted.split(".")[1:]) if "." in dotted else Path()
    base = root / relative
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The module an ImportFrom reads from, relative imports resolved."""
    if node.level == 0:
        return node.module or ""
    package = module.split(".")
    if not is_package:
        package.pop()
    package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, *([node.module] if node.module else [])])


def _dotted(node: ast.expr) -> str | None:
    """`a.b.c` for a chain of attributes on a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def private_imports(path: Path, root: Path = SERVICE) -> list[str]:
    """Each private name of another module that the module at `path` imports or reads."""
    module = _module_name(path, root)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    # Local names bound to service modules, e.g. {"jobs": "service.fine_tuning.repository"}.
    modules: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _absolute(node, module, path.name == "__init__.py")
            if source.split(".")[0] != "service":
                continue
            for alias in node.names:
                if _is_private(alias.name) or any(_is_private(p) for p in source.split(".")):
                    found.append(f"from {source} import {alias.name}")
                elif _is_module(f"{source}.{alias.name}", root):
                    modules[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != "service":
                    continue
                if any(_is_private(part) for part in alias.name.split(".")):
                    found.append(f"import {alias.name}")
                if alias.asname is not None:
                    modules[alias.asname] = alias.name
                else:
                    modules["service"] = "service"
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not _is_private(node.attr):
            continue
        owner = _dotted(node.value)
        if owner is None:
            continue
        head, _, rest = owner.partition(".")
        if head in modules:
            target = ".".join(filter(None, [modules[head], rest]))
            if target != module and _is_module(target, root):
                found.append(f"{target}.{node.attr} (line {node.lineno})")
    return found


def test_no_module_imports_a_private_name_of_another() -> None:
    offenders = {
        str(path.relative_to(SERVICE.parent)): names
        for path in sorted(SERVICE.rglob("*.py"))
        if (names := private_imports(path))
    }
    assert not offenders, "private names imported from another module:\n" + "\n".join(
        f"  {path}: {', '.join(names)}" for path, names in offenders.items()
    )


def test_the_check_finds_imported_and_attribute_read_private_names(tmp_path: Path) -> None:
    root = tmp_path / "service"
    (root / "slice").mkdir(parents=True)
    for name in ("__init__.py", "slice/__init__.py", "slice/operations.py"):
        (root / name).write_text("_HIDDEN = 1\n")
    borrower = root / "slice" / "router.py"
    borrower.write_text(
        "import service.slice.operations\n"
        "from service.slice import operations as ops\n"
        "from service.slice.operations import _HIDDEN\n"
        "from .operations import _HIDDEN as again\n"
        "_OWN = ops.__name__\n"
        "print(ops._HIDDEN, service.slice.operations._HIDDEN, _OWN)\n"
    )
    assert private_imports(borrower, root) == [
        "from service.slice.operations import _HIDDEN",
        "from service.slice.operations import _HIDDEN",
        "service.slice.operations._HIDDEN (line 6)",
        "service.slice.operations._HIDDEN (line 6)",
    ]
