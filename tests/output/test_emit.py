"""Where a report goes, and the colour conventions of the console for people."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck.output.emit import make_console, wants_colour
from tests.helpers import invoke, other_user

PROM = ("status", "--replay", "march-2026", "--format", "prometheus", "--output")


@pytest.mark.parametrize(
    ("environ", "terminal", "colour"),
    [
        pytest.param({}, True, True, id="terminal"),
        pytest.param({}, False, False, id="pipe"),
        pytest.param({"NO_COLOR": "1"}, True, False, id="no-color"),
        pytest.param({"NO_COLOR": ""}, True, True, id="empty-no-color-is-unset"),
        pytest.param({"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False, id="no-color-beats-force"),
        pytest.param({"FORCE_COLOR": "1"}, False, True, id="force-color-into-a-pipe"),
        pytest.param({"FORCE_COLOR": "0"}, False, False, id="force-color-0-is-unset"),
        pytest.param({"CLICOLOR_FORCE": "1"}, False, True, id="clicolor-force"),
        pytest.param({"CLICOLOR_FORCE": "1", "CLICOLOR": "0"}, False, True, id="clicolor-force-beats-clicolor"),
        pytest.param({"CLICOLOR": "0"}, True, False, id="clicolor-0"),
        pytest.param({"CLICOLOR": "1"}, False, False, id="clicolor-1-needs-a-terminal"),
        pytest.param({"TERM": "dumb"}, True, False, id="dumb-terminal"),
        pytest.param({"TERM": "dumb", "FORCE_COLOR": "1"}, True, True, id="force-beats-dumb"),
    ],
)
def test_colour_conventions(environ: dict[str, str], terminal: bool, colour: bool) -> None:
    assert wants_colour(environ, terminal) is colour


@pytest.mark.parametrize(
    ("variables", "escapes"),
    [
        pytest.param({"CLICOLOR_FORCE": "1"}, True, id="forced"),
        pytest.param({"CLICOLOR_FORCE": "1", "NO_COLOR": "1"}, False, id="no-color-wins"),
        pytest.param({}, False, id="plain"),
    ],
)
def test_the_table_follows_them(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], escapes: bool
) -> None:
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.delenv("TERM")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    result = invoke(runner, "status", "--replay", "march-2026")
    assert result.exit_code == 2
    assert ("\x1b[" in result.stdout) is escapes
    assert "Down" in result.stdout  # the status word is there, colour or not


def _shared(tmp_path: Path) -> Path:
    """A shared sticky directory, /tmp style (a common textfile-collector shortcut)."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    return shared


@pytest.mark.parametrize("sticky", [True, False], ids=["in-a-sticky-dir", "in-my-own-dir"])
def test_output_never_writes_through_a_planted_symlink(runner: CliRunner, tmp_path: Path, sticky: bool) -> None:
    victim = tmp_path / "bashrc"
    victim.write_text("precious\n")
    folder = _shared(tmp_path) if sticky else tmp_path / "mine"
    folder.mkdir(exist_ok=True)
    link = folder / "outagecheck.prom"
    link.symlink_to(victim)
    result = invoke(runner, *PROM, str(link))
    assert result.exit_code == 73
    assert result.stderr == f"outagecheck: error: {link}: is a symlink; not writing through it (give the real path)\n"
    assert victim.read_text() == "precious\n"
    assert link.is_symlink()
    assert sorted(p.name for p in folder.iterdir()) == ["outagecheck.prom"]


def test_output_refuses_another_users_file_in_a_sticky_dir(runner: CliRunner, tmp_path: Path) -> None:
    uid, gid = other_user()
    theirs = _shared(tmp_path) / "outagecheck.prom"
    theirs.write_text("theirs\n")
    os.chown(theirs, uid, gid)
    result = invoke(runner, *PROM, str(theirs))
    assert result.exit_code == 73
    assert "owned by another user" in result.stderr
    assert theirs.read_text() == "theirs\n"


def test_output_replaces_the_path_itself_and_is_never_world_writable(runner: CliRunner, tmp_path: Path) -> None:
    """Under umask 000 a new --output file is 0644 (the collector still reads it); a file of the user's own
    keeps its mode; the temp file sits beside the path and is gone after."""
    before = os.umask(0o000)
    try:
        fresh = _shared(tmp_path) / "new.prom"
        assert invoke(runner, *PROM, str(fresh)).exit_code == 2
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
        mine = tmp_path / "mine.prom"
        mine.write_text("old\n")
        mine.chmod(0o640)
        assert invoke(runner, *PROM, str(mine)).exit_code == 2
        assert stat.S_IMODE(mine.stat().st_mode) == 0o640
        assert mine.read_text().startswith("# HELP")
    finally:
        os.umask(before)
    assert sorted(p.name for p in fresh.parent.iterdir()) == ["new.prom"]


def test_json_output_loads_no_other_format() -> None:
    # Each format loads when chosen: `status --json` pays for none of the others' imports.
    code = (
        "import sys; sys.argv = ['outagecheck', 'status', '--replay', 'march-2026', '--json']\n"
        "from outagecheck.cli.dispatch import fast\n"
        "code = fast(sys.argv[1:])\n"
        "formats = ('github', 'markdown', 'nagios', 'prometheus', 'table')\n"
        "print(code, sorted(f for f in formats if f'outagecheck.output.{f}' in sys.modules))"
    )
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "2 []"


@pytest.mark.parametrize("environ", [{}, {"FORCE_COLOR": "1"}], ids=["plain", "colour"])
def test_the_console_prints_emoji_codes_as_written(environ: dict[str, str]) -> None:
    # No `:code:` replacement: none of our words has one, and it would load rich's table of 3,600 codes.
    out = io.StringIO()
    make_console(environ, out).print("Note: :warning: and :red_circle: stay as written")
    assert out.getvalue().endswith("Note: :warning: and :red_circle: stay as written\n")
