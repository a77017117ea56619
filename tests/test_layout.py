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

# Rooms keep to their side (house style): the rooms a room never imports. cli/ is the adapter and may import
# every room; every room may import the kernel (the top level, "" here). __main__.py is the entry point, no
# kernel: it hands over to cli/ (and to checks/early, first thing, for status, wait and watch).
NEVER: dict[str, tuple[str, ...]] = {
    "": ("checks", "output", "fallback"),
    "checks": ("fallback", "cli"),  # is it down? knows no fallback and no command line
    "output": ("checks", "fallback", "cli"),  # shows a finished Report, whoever made it
    "fallback": ("checks", "output", "cli"),  # changes and undoes files; the Report's advice is checks/'s
    # the ways to Claude besides the surfaces: read from config and Claude Code's settings, probed for free
    "routes": ("output", "fallback", "cli"),
}
# At most one named exception: (importing file, imported module) -> why it may.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("fallback/guide.py", "outagecheck.checks.advice"): (
        "`outagecheck fallback` says the Report's two sentences on what the API route costs (BILLING, "
        "FEATURES) word for word: one text, so the guide and the advice can't drift"
    ),
}

# Generated modules, held by their own drift test instead of the size limit: file -> the test that writes it.
GENERATED: dict[str, str] = {"classes_source.py": "tests/test_classes.py"}


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
    assert SUBPACKAGES == ["checks", "cli", "fallback", "output", "routes"]
    for name in SUBPACKAGES:
        assert f"`{name}/`" in CODE_MAP
    for path in MODULES:
        if path.name != "__init__.py":
            assert f"`{path.name}`" in CODE_MAP, f"{_rel(path)} is missing from the README's Code map"


def test_the_top_level_holds_only_the_shared_kernel() -> None:
    # model, errors, config, paths, surfaces, files, private (own dirs 0700), text (the one sanitiser),
    # safefile (atomic writes: fallback's edits and output's --output), durations (the one duration codec),
    # poll (the one polling loop: wait in checks/, watch in output/), classes (the kernel's @dataclass) and its
    # generated classes_source, plus the package's __init__ and __main__: what every room may import, nothing else.
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 15, top


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_module_is_small_and_in_its_room(path: Path) -> None:
    lines = path.read_text().count("\n")
    assert lines < 300 or _rel(path) in GENERATED, f"{_rel(path)} has {lines} lines: split it by responsibility"
    if path.name == "__init__.py" and path.parent != PACKAGE:
        assert path.read_text() == "", "subpackage __init__.py files stay empty (start-up)"
    imported = _imports(path)
    room = _room(path)  # cli/commands/ stands in cli/
    if room != "cli":
        assert not any(m == "typer" or m.startswith("typer.") for m in imported), "typer belongs in cli/"
    if room in ("cli", "output"):
        assert "httpx" not in imported, "httpx never in cli/ or output/"


MAX_FUNCTION_LINES = 60
# Functions of cli/ over the limit that the cli/ restructuring (issue 24, one module per command) is removing;
# empty today: a new entry needs a reason and an owner.
LONG_FUNCTIONS_BEING_SPLIT: frozenset[str] = frozenset()


def _long_functions(source: str, where: str) -> list[str]:
    """`where:function (N lines)` for every function longer than MAX_FUNCTION_LINES (def to last line)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
            lines = node.end_lineno - node.lineno + 1
            if lines > MAX_FUNCTION_LINES and f"{where}:{node.name}" not in LONG_FUNCTIONS_BEING_SPLIT:
                found.append(f"{where}:{node.name} ({lines} lines)")
    return found


def test_no_function_is_over_60_lines() -> None:
    # House style: small functions. A long one is split into named steps, each under the limit.
    long = [line for path in MODULES for line in _long_functions(path.read_text(), _rel(path))]
    assert not long, "split these into smaller functions: " + "; ".join(long)


def test_the_function_counter_sees_a_long_function() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    source = f"def short():\n    pass\n\n\nclass C:\n    async def long(self):\n{body.replace('    ', '        ')}"
    assert _long_functions(source, "m.py") == ["m.py:long (61 lines)"]


def _room(path: Path) -> str:
    """The room a file stands in: its subpackage, "" for the kernel, or "__main__" for the entry point."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else "__main__" if path.name == "__main__.py" else ""


def _crossings(path: Path) -> list[str]:
    """The imports of one file that go where its room never goes, exceptions left out."""
    rel, never = _rel(path), NEVER.get(_room(path), ())
    found = []
    for name in sorted(_imports(path)):
        parts = name.split(".")
        crosses = parts[0] == "outagecheck" and len(parts) > 1 and parts[1] in never
        if crosses and (rel, name) not in EXCEPTIONS:
            found.append(f"{rel} imports {name}")
    return found


def test_rooms_keep_to_their_side() -> None:
    crossings = [line for path in MODULES for line in _crossings(path)]
    assert not crossings, "rooms keep to their side (see NEVER in tests/test_layout.py): " + "; ".join(crossings)


def _private_imports(path: Path) -> list[str]:
    """`file imports module.name` for every private name (`_x`, not a dunder) taken from another module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("outagecheck"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{_rel(path)} imports {node.module}.{alias.name}")
    return found


def test_no_module_takes_another_modules_private_helper() -> None:
    # A helper two modules share is public in one of them (or lives in the kernel), never `_x` reached into.
    taken = [line for path in MODULES for line in _private_imports(path)]
    assert not taken, "make these public where they are defined: " + "; ".join(taken)


def test_the_exceptions_are_few_and_still_needed() -> None:
    assert len(EXCEPTIONS) <= 1, "at most one named exception: move the helper instead"
    for importer, module in EXCEPTIONS:
        assert module in _imports(PACKAGE / importer), f"{importer} no longer imports {module}: drop the exception"
