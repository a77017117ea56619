"""The platform matrix: the workflow that runs the everyday suite on Linux, macOS and Windows, and the table of
what each platform skips (tests/conftest.py PLATFORM_SKIPS), which must name real tests and say why."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import PLATFORM_SKIPS, platform_skip
from tests.helpers import ROOT

WORKFLOW: dict[str, Any] = yaml.safe_load((ROOT / ".github" / "workflows" / "tests.yml").read_text())
PYPROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_suite_runs_on_three_platforms_and_the_oldest_and_newest_python() -> None:
    job = WORKFLOW["jobs"]["suite"]
    matrix = job["strategy"]["matrix"]
    assert matrix["os"] == ["ubuntu-latest", "macos-latest", "windows-latest"]
    oldest = re.fullmatch(r">=(3\.\d+)", PYPROJECT["project"]["requires-python"])
    assert oldest is not None
    assert matrix["python"][0] == oldest[1]  # the floor pyproject promises is the one tested
    assert matrix["python"] == ["3.11", "3.13"]
    assert job["strategy"]["fail-fast"] is False  # one platform's failure hides no other's
    assert job["runs-on"] == "${{ matrix.os }}"


def test_it_runs_the_everyday_suite_as_the_readme_installs_it() -> None:
    steps = WORKFLOW["jobs"]["suite"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert runs == ["python -m pip install -e '.[test]'", "python -m pytest -q -p no:randomly"]
    # The README's quick-start test line installs the same extra and runs the same everyday suite.
    assert "pip install -e '.[test]' && python -m pytest" in (ROOT / "README.md").read_text()


def test_it_holds_no_credential_and_pins_every_action() -> None:
    assert WORKFLOW["permissions"] == {}
    uses = [s["uses"] for s in WORKFLOW["jobs"]["suite"]["steps"] if "uses" in s]
    assert uses
    assert all(re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", u) for u in uses), uses
    checkout = next(s for s in WORKFLOW["jobs"]["suite"]["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["persist-credentials"] is False


def _defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


@pytest.mark.parametrize("key", sorted(PLATFORM_SKIPS))
def test_each_platform_skip_names_a_real_test_and_a_reason(key: str) -> None:
    path, _, name = key.partition("::")
    assert (ROOT / path).is_file(), f"{path}: no such test file"
    if name:
        assert name in _defined_tests(ROOT / path), f"{key}: no such test"
    reasons = PLATFORM_SKIPS[key]
    assert reasons
    assert set(reasons) <= {"darwin", "win32"}  # Linux runs everything
    assert all(len(why) > 10 for why in reasons.values())


def test_a_skip_applies_to_its_test_its_parameters_and_only_its_platform() -> None:
    shell = "tests/test_readme.py::test_every_shell_block_parses"  # a file's entry covers each of its tests
    assert platform_skip(shell, "win32") == PLATFORM_SKIPS["tests/test_readme.py"]["win32"]
    assert platform_skip(shell, "darwin") is None
    assert platform_skip(shell, "linux") is None
    fifo = "tests/test_files.py::test_a_fifo_without_a_writer_is_refused_at_once"  # a test's own entry: only it
    assert platform_skip(fifo, "win32") == PLATFORM_SKIPS[fifo]["win32"]
    assert platform_skip("tests/test_files.py::test_a_missing_file_is_none", "win32") is None
    watcher = "tests/fallback/test_since.py::test_apply_until_recovered_starts_a_detached_watcher"
    assert platform_skip(watcher, "darwin") == "reads /proc/<pid>/cmdline"
    assert platform_skip("tests/fallback/test_since.py::test_units_are_the_exact_command", "darwin") is None
    param = "tests/test_paths.py::test_an_absolute_xdg_value_is_used[XDG_CONFIG_HOME-where0-.config]"
    assert platform_skip(param, "win32") == "XDG base dirs are read on Linux only (paths.py, cli/cache.py)"
