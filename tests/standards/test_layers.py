"""``standards/`` is the bottom layer: what a standard is, and the built-in library. It imports
nothing from ``registry/`` (or anything above it), so the registry, validators and exports can all
build on it without a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import govstd.standards

ABOVE = ("govstd.registry", "govstd.validators", "govstd.export", "govstd.integrations", "govstd.site",
         "govstd.commands", "govstd.cli")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
    return out


def test_standards_imports_nothing_from_the_layers_above() -> None:
    root = Path(govstd.standards.__file__).parent
    files = sorted(root.rglob("*.py"))
    assert len(files) > 10  # the walk found the package, not an empty folder
    wrong = [f"{f.relative_to(root)}: {m}" for f in files for m in _imports(f) if m.startswith(ABOVE)]
    assert wrong == []


def test_the_check_finds_a_layer_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from govstd.registry.versions import split_ref\n", encoding="utf-8")
    assert _imports(bad) == ["govstd.registry.versions"]
