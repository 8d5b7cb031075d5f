"""runwrap's modules import one another without a cycle, read statically from their source.

Every `import` and `from ... import` that names a runwrap module counts, at module level and
inside functions alike: a lazy import only postpones a cycle, it does not remove one. Imports
under `if TYPE_CHECKING:` do not count (they never run). An edge goes to the module named
(`from runwrap.store import layout` -> runwrap.store.layout), not to the packages above it: the
packages' `__init__` files import nothing at module level, and runwrap's own lazy attributes
(`runwrap.init`, `runwrap.Api`, ...) are named as strings for importlib, not imported.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Optional, Set

import runwrap

ROOT = Path(runwrap.__file__).parent


def module_names() -> Dict[str, Path]:
    names = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return ((isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
            or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def imported(name: str, path: Path, known: Set[str]) -> Set[str]:
    """The runwrap modules that module `name` imports anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: Set[str] = set()

    def resolve(target: str) -> None:
        while target not in known and "." in target:
            target = target.rpartition(".")[0]
        if target in known and target != name:
            out.add(target)

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit_one(other)
                continue
            visit_one(child)

    def visit_one(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "runwrap":
                    resolve(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([node.module] if node.module else []))
            if base.split(".")[0] == "runwrap":
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    resolve(sub if sub in known else base)
        visit(node)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return out


def import_graph() -> Dict[str, Set[str]]:
    names = module_names()
    known = set(names)
    return {name: imported(name, path, known) for name, path in names.items()}


def find_cycle(graph: Dict[str, Set[str]]) -> Optional[List[str]]:
    """One cycle as a path that ends where it starts, or None (depth-first, three colours)."""
    colour = {name: 0 for name in graph}  # 0 unseen, 1 on the current path, 2 done
    path: List[str] = []

    def walk(name: str) -> Optional[List[str]]:
        colour[name] = 1
        path.append(name)
        for target in sorted(graph[name]):
            if colour[target] == 1:
                return path[path.index(target):] + [target]
            if colour[target] == 0:
                found = walk(target)
                if found:
                    return found
        path.pop()
        colour[name] = 2
        return None

    for name in sorted(graph):
        if colour[name] == 0:
            found = walk(name)
            if found:
                return found
    return None


def test_runwrap_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_sees_function_level_imports(tmp_path):
    """The check itself: a cycle closed only by an import inside a function is found, one
    closed under `if TYPE_CHECKING:` is not."""
    (tmp_path / "a.py").write_text("from runwrap.b import x\n")
    (tmp_path / "b.py").write_text("def f():\n    from runwrap.a import y\n")
    (tmp_path / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                   "    from runwrap.a import z\n")
    known = {"runwrap.a", "runwrap.b", "runwrap.c"}
    graph = {f"runwrap.{n}": imported(f"runwrap.{n}", tmp_path / f"{n}.py", known)
             for n in "abc"}
    assert graph["runwrap.c"] == set()
    assert find_cycle(graph) == ["runwrap.a", "runwrap.b", "runwrap.a"]
    graph["runwrap.b"] = set()
    assert find_cycle(graph) is None
