"""The layout stays the one the Code map describes: role subpackages, small modules, imports in their rooms."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGE = ROOT / "src" / "outagecheck"
MODULES = sorted(PACKAGE.rglob("*.py"))
SUBPACKAGES = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
CODE_MAP = (ROOT / "README.md").read_text().split("### Code map", 1)[1]


def _imports(path: Path) -> set[str]:
    """Every module name the file imports, at any depth (lazy imports included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _rel(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


def test_the_code_map_names_every_subpackage_and_module() -> None:
    assert SUBPACKAGES == ["checks", "cli", "fallback", "output"]
    for name in SUBPACKAGES:
        assert f"`{name}/`" in CODE_MAP
    for path in MODULES:
        if path.name != "__init__.py":
            assert f"`{path.name}`" in CODE_MAP, f"{_rel(path)} is missing from the README's Code map"


def test_the_top_level_holds_only_the_shared_kernel() -> None:
    # model, errors, config, paths, surfaces, files, private (own dirs 0700), text (the one sanitiser),
    # plus the package's __init__ and __main__: what every room may import, and nothing else.
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 10, top


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_module_is_small_and_in_its_room(path: Path) -> None:
    lines = path.read_text().count("\n")
    assert lines < 300, f"{_rel(path)} has {lines} lines: split it by responsibility"
    if path.name == "__init__.py" and path.parent != PACKAGE:
        assert path.read_text() == "", "subpackage __init__.py files stay empty (start-up)"
    imported = _imports(path)
    room = path.parent.name
    if room != "cli":
        assert not any(m == "typer" or m.startswith("typer.") for m in imported), "typer belongs in cli/"
    if room in ("cli", "output"):
        assert "httpx" not in imported, "httpx never in cli/ or output/"
