"""The key sweep (conftest.py, with helpers.sweep) must itself be able to fail: a leak in output or in a file
is caught."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.helpers import TEST_KEY, sweep_files

leaky = typer.Typer()


@leaky.command()
def show(where: str) -> None:
    if where == "stdout":
        print(TEST_KEY)
    else:
        raise RuntimeError(f"boom {TEST_KEY}")


@pytest.mark.parametrize("where", ["stdout", "traceback"])
def test_sweep_catches_a_leak_in_cli_output(runner: CliRunner, where: str) -> None:
    with pytest.raises(AssertionError, match="the API key leaked into"):
        runner.invoke(leaky, [where])


def test_sweep_catches_a_leak_in_a_file(tmp_path: Path) -> None:
    leak = tmp_path / "settings.json"
    leak.write_text(f'{{"key": "{TEST_KEY}"}}')
    with pytest.raises(AssertionError, match=r"settings\.json"):
        sweep_files(tmp_path, set())
    leak.unlink()  # so this test's own teardown sweep passes
