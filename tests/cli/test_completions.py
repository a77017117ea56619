"""completions/ holds scripts generated from the CLI; they must not drift from it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck.cli.app import app
from tests.helpers import ROOT

COMPLETIONS = ROOT / "completions"


def generate(shell: str) -> str:
    env = {"_OUTAGECHECK_COMPLETE": f"source_{shell}"}
    result = CliRunner().invoke(app, [], prog_name="outagecheck", env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_matches_cli(shell: str) -> None:
    path = COMPLETIONS / f"outagecheck.{shell}"
    if os.environ.get("OUTAGECHECK_UPDATE_GOLDEN") == "1":
        path.write_text(generate(shell))
    assert path.read_text() == generate(shell), f"regenerate {path} (OUTAGECHECK_UPDATE_GOLDEN=1 pytest)"


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        pytest.param(["st"], ["status", "statusline"], id="command"),
        pytest.param(["w"], ["wait", "watch"], id="commands"),
        pytest.param(["status", "--re"], ["--replay", "--require"], id="option-names"),
        pytest.param(["status", "--format", ""], ["json", "markdown", "nagios", "table"], id="option-values"),
        pytest.param(["config", ""], ["init", "show"], id="subcommands"),
    ],
)
def test_bash_completes(tmp_path: Path, words: list[str], expected: list[str]) -> None:
    # Real bash sources the shipped script and asks it to complete the last word.
    shim = tmp_path / "outagecheck"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m outagecheck "$@"\n')
    shim.chmod(0o755)
    quoted = " ".join(f"'{w}'" for w in words)
    script = f"""
source {COMPLETIONS / "outagecheck.bash"}
COMP_WORDS=(outagecheck {quoted}); COMP_CWORD={len(words)}
_outagecheck_completion outagecheck
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    cmd = ["bash", "--norc", "-c", script]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=30)
    assert sorted(out.stdout.split()) == expected, out.stderr
