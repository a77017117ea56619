"""cli/dispatch.py: the fast path takes only what the spec marks fast, and every OutagecheckError becomes its one
line and exit code here, whichever parser read the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from outagecheck.cli import dispatch


@pytest.mark.parametrize(
    "argv",
    [[], ["watch"], ["fallback"], ["status", "--bogus"], ["status", "--help"], ["wait", "extra"], ["nonsense"]],
    ids=lambda argv: " ".join(argv) or "(none)",
)
def test_the_fast_path_leaves_to_typer_what_it_does_not_take(argv: list[str]) -> None:
    assert dispatch.fast(argv) is None


def test_an_outagecheck_error_is_one_line_and_its_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.toml"
    assert dispatch.run("status", {"config": missing}) == 78
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("outagecheck: error: ")
    assert err.count("\n") == 1


def test_a_bad_value_is_refused_before_the_command_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert dispatch.fast(["wait", "--interval", "0", "--replay", "march-2026"]) == 64
    _, err = capsys.readouterr()
    assert err == "outagecheck: error: --interval must be between 1 and 3600 seconds, got 0\n"


def test_the_fast_path_runs_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert dispatch.fast(["status", "--replay", "march-2026", "--format", "nagios"]) == 2
    assert capsys.readouterr().out.startswith("OUTAGECHECK CRITICAL - REPLAY of march-2026")
