"""The import graph of ``src/govstd``: no cycles, and the layers point one way.

Built from the source with ``ast`` — no module is imported. Module-level imports are the graph a
reader follows and the order Python runs; imports inside ``if TYPE_CHECKING:`` never run, and imports
inside functions defer a heavy optional client (pyspark, psycopg, pandas) until it is used. A cycle
hidden behind a function-local import is still a cycle in the design: the engines, where such
imports once broke cycles, are held to module-level imports of govstd.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "govstd"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted((SRC / ROOT).rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _statements(body: list[ast.stmt], *, nested: bool) -> Iterator[ast.stmt]:
    """Statements that run when the module is imported (``nested``: also those in functions and
    classes); never the body of ``if TYPE_CHECKING:``."""
    for node in body:
        yield node
        if isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _statements(node.body, nested=nested)
            yield from _statements(node.orelse, nested=nested)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from _statements(block, nested=nested)
        elif isinstance(node, ast.With) or (
                nested and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)):
            yield from _statements(node.body, nested=nested)


def imports_of(name: str, *, nested: bool = False) -> set[str]:
    """The govstd modules ``name`` imports (``from pkg import mod`` names the module ``pkg.mod``)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in _statements(tree.body, nested=nested):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            subs = [f"{target}.{alias.name}" for alias in node.names]
            found = [s for s in subs if s in MODULES]
            out.update(found)
            if len(found) < len(subs):
                out.add(target)
    return {m for m in out if m == ROOT or m.startswith(ROOT + ".")}


def graph(*, nested: bool = False) -> dict[str, set[str]]:
    return {name: {m for m in imports_of(name, nested=nested) if m in MODULES and m != name} for name in MODULES}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``edges`` as a path that ends where it starts, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_graph_is_read() -> None:
    """The parser sees the imports it must: otherwise every assertion below passes vacuously."""
    edges = graph()
    assert len(edges) > 80
    assert "govstd.validators.engines.run" in edges["govstd.validators.api"]
    assert "govstd.validators.engines.base" in edges["govstd.validators.engines.duckdb"]
    assert "govstd.validators.engines" in edges["govstd.validators.compiler"]
    # TYPE_CHECKING imports are not edges: govstd/__init__ names the API only for type checkers.
    assert edges["govstd"] == set()


def test_find_cycle_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_src() -> None:
    assert find_cycle(graph()) is None


def test_the_engines_need_no_deferred_import_of_govstd() -> None:
    """The engine table, the engines and the run loop import govstd at module level only: the deferred
    imports left in them are of heavy optional clients (pyspark, psycopg), never of govstd itself."""
    engines = [name for name in MODULES if name.startswith("govstd.validators.engines")]
    assert len(engines) >= 6
    for name in engines:
        assert imports_of(name, nested=True) == imports_of(name), name


#: Layers built on ``standards``: nothing in ``standards`` may import them.
ABOVE_STANDARDS = ("govstd.registry", "govstd.validators", "govstd.export", "govstd.integrations", "govstd.site",
                   "govstd.commands", "govstd.cli", "govstd.service", "govstd.steward")


def test_standards_import_nothing_from_the_layers_above() -> None:
    """``standards`` (what a standard is, the built-in library) is the layer ``registry`` (versioned
    storage), the validators and the exports build on, never the other way round — counting
    function-local imports too."""
    wrong = {name: sorted(m for m in imports_of(name, nested=True) if m.startswith(ABOVE_STANDARDS))
             for name in MODULES if name.startswith("govstd.standards")}
    assert {name: found for name, found in wrong.items() if found} == {}
