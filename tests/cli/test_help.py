"""--help comes from pages rendered ahead of time; they must be exactly what typer prints."""

from __future__ import annotations

import os
import re

import pytest
import typer
from typer.testing import CliRunner

from outagecheck.cli import pages
from outagecheck.cli.app import app
from tests.helpers import run_entry


def _commands(group: typer.core.TyperGroup, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    ctx = typer.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, typer.core.TyperGroup):
            found += _commands(command, (*path, name))
        elif command is not None and not command.hidden:
            found.append((*path, name))
    return found


def typer_pages() -> dict[str, str]:
    """Every command's help as typer prints it at the stored width."""
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    runner = CliRunner()
    rendered = {}
    for path in _commands(group):
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": str(pages.WIDTH)}, prog_name="outagecheck")
        assert result.exit_code == 0, result.output
        rendered[" ".join(path)] = result.stdout
    return rendered


def test_stored_pages_are_typers_output() -> None:
    expected = pages.render(typer_pages())
    if os.environ.get("OUTAGECHECK_UPDATE_GOLDEN") == "1":
        with open(pages.PAGES_FILE, "w", encoding="utf-8") as f:
            f.write(expected)
    with open(pages.PAGES_FILE, encoding="utf-8") as f:
        stored = f.read()
    assert stored == expected, "regenerate src/outagecheck/cli/help.txt: OUTAGECHECK_UPDATE_GOLDEN=1 python -m pytest"


@pytest.mark.parametrize("args", [["--help"], ["status", "--help"], ["fallback", "apply", "--help"]], ids=" ".join)
def test_help_is_served_without_typer(args: list[str]) -> None:
    done, loaded, _ = run_entry(*args, COLUMNS="100")
    assert done.returncode == 0, done.stderr
    assert loaded.startswith("loaded: typer=False")
    assert done.stdout == typer_pages()[" ".join(args[:-1])]


@pytest.mark.parametrize(
    ("args", "columns", "code"),
    [
        pytest.param(["status", "--json", "--help"], "100", 0, id="other-flags-go-to-typer"),
        pytest.param(["--help"], "60", 0, id="narrow-terminal-goes-to-typer"),
        pytest.param(["nosuch", "--help"], "100", 64, id="unknown-command-goes-to-typer"),
    ],
)
def test_anything_else_still_reaches_typer(args: list[str], columns: str, code: int) -> None:
    done, loaded, _ = run_entry(*args, COLUMNS=columns)
    assert "Traceback" not in done.stderr
    assert done.returncode == code
    assert loaded.startswith("loaded: typer=True")
    if code == 0:
        assert done.stdout.startswith("Usage: outagecheck")


def test_dash_h_is_help_wherever_dash_dash_help_is() -> None:
    """-h used to work on statusline only; every command and group now takes it, through typer."""
    runner = CliRunner()
    for path, page in typer_pages().items():
        args = [*path.split(), "-h"]
        result = runner.invoke(app, args, env={"COLUMNS": str(pages.WIDTH)}, prog_name="outagecheck")
        assert (result.exit_code, result.stdout) == (0, page), args


@pytest.mark.parametrize("args", [["-h"], ["wait", "-h"], ["fallback", "revert", "-h"]], ids=" ".join)
def test_dash_h_is_served_without_typer_too(args: list[str]) -> None:
    done, loaded, _ = run_entry(*args, COLUMNS="100")
    assert done.returncode == 0, done.stderr
    assert loaded.startswith("loaded: typer=False")
    assert done.stdout == typer_pages()[" ".join(args[:-1])]


@pytest.mark.parametrize("option", ["--install-completion", "--show-completion"])
def test_no_typer_completion_options_beside_the_completion_command(runner: CliRunner, option: str) -> None:
    """typer's --install-completion edits ~/.bashrc; `outagecheck completion SHELL` is the documented way."""
    result = runner.invoke(app, [option], prog_name="outagecheck")
    assert result.exit_code == 64
    assert f"No such option: {option}" in result.stderr
    assert option not in typer_pages()[""]


def test_each_option_states_its_default_once() -> None:
    """Not "default 10 ... [default: 10.0]": typer's [default: ...] is the one, where it shows one."""
    for path, page in typer_pages().items():
        entries = re.split(r"\n(?=  -)", page.split("Options:", 1)[-1])
        for entry in entries:
            text = " ".join(entry.split())
            if "[default:" in text:
                assert len(re.findall(r"\bdefault\b", text, flags=re.I)) == 1, (path, text)


def test_the_wait_example_is_a_line_of_its_own() -> None:
    page = typer_pages()["wait"]
    assert "\n    outagecheck wait --require api --max-wait 10m && run-job\n\n" in page
