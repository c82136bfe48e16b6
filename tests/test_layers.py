"""The import graph follows the layers: app -> api | web -> http -> services -> domains."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "revintel"


def _imports(package: str) -> dict[str, set[str]]:
    """Every ``revintel.*`` module each file of ``package`` imports (anywhere in the file)."""
    out: dict[str, set[str]] = {}
    for path in sorted((SRC / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names |= {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
        out[str(path.relative_to(SRC))] = {n for n in names if n.startswith("revintel.")}
    return out


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("web", ("revintel.api", "revintel.app", "revintel.cli")),
        ("http", ("revintel.api", "revintel.web", "revintel.app", "revintel.cli")),
        ("services", ("revintel.api", "revintel.web", "revintel.http", "revintel.app", "revintel.cli")),
    ],
)
def test_a_layer_never_imports_the_layers_above_it(package: str, forbidden: tuple[str, ...]) -> None:
    bad = {
        f"{file} imports {name}"
        for file, names in _imports(package).items()
        for name in names
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    }
    assert not bad, sorted(bad)


def test_the_layer_check_sees_imports_inside_functions() -> None:
    web = _imports("web")
    assert any("revintel.http.deps" in names for names in web.values())


def _top_level_graph() -> dict[str, set[str]]:
    """{top-level package: top-level packages it imports at run time} (``TYPE_CHECKING`` blocks excluded:
    they are annotations, never executed)."""
    graph: dict[str, set[str]] = {}
    tops = {
        p.stem for p in SRC.iterdir() if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"
    }
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if rel.parts == ("__init__.py",) or rel.parts[0] == "__main__.py":
            continue
        src = rel.parts[0].removesuffix(".py")
        module = ".".join(("revintel", *rel.with_suffix("").parts)).removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {
            id(n)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for n in ast.walk(node)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: resolve against this module's package
                    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                    base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
                names = [base] + [f"{base}.{a.name}" for a in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "revintel" and len(parts) > 1 and parts[1] in tops and parts[1] != src:
                    graph.setdefault(src, set()).add(parts[1])
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_cycles_between_top_level_packages() -> None:
    graph = _top_level_graph()
    assert "forecast" in graph and "deals" in graph["forecast"]  # the walk sees real edges
    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
