"""Where a report goes, and the colour conventions of the console for people."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from outagecheck.output.emit import wants_colour
from tests.helpers import invoke


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
