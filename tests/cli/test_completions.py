"""completions/ holds scripts generated from the CLI; they must not drift from it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck.cli.app import app
from tests.helpers import ROOT, invoke, routes_toml

COMPLETIONS = ROOT / "completions"


def generate(shell: str) -> str:
    """The script as typer generates it, without its leading blank line: zsh reads `#compdef` only on line 1
    (https://zsh.sourceforge.io/Doc/Release/Completion-System.html#Autoloaded-files)."""
    env = {"_OUTAGECHECK_COMPLETE": f"source_{shell}"}
    result = CliRunner().invoke(app, [], prog_name="outagecheck", env=env)
    assert result.exit_code == 0, result.output
    return result.stdout.lstrip("\n")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_matches_cli(shell: str) -> None:
    path = COMPLETIONS / f"outagecheck.{shell}"
    if os.environ.get("OUTAGECHECK_UPDATE_GOLDEN") == "1":
        path.write_text(generate(shell))
    assert path.read_text() == generate(shell), f"regenerate {path} (OUTAGECHECK_UPDATE_GOLDEN=1 pytest)"


def test_zsh_script_starts_with_compdef() -> None:
    assert (COMPLETIONS / "outagecheck.zsh").read_text().startswith("#compdef outagecheck\n")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_command_prints_the_shipped_script(runner: CliRunner, shell: str) -> None:
    result = invoke(runner, "completion", shell)
    assert result.exit_code == 0
    assert result.stdout == (COMPLETIONS / f"outagecheck.{shell}").read_text()


def test_completion_of_an_unknown_shell_is_a_usage_error(runner: CliRunner) -> None:
    result = invoke(runner, "completion", "tcsh")
    assert result.exit_code == 64
    assert result.stderr.count("\n") == 1


def _shim(tmp_path: Path) -> dict[str, str]:
    """PATH with an `outagecheck` that runs this checkout, as the scripts call it by name."""
    shim = tmp_path / "outagecheck"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m outagecheck "$@"\n')
    shim.chmod(0o755)
    return {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}


CASES = [
    pytest.param(["st"], ["status", "statusline"], id="command"),
    pytest.param(["w"], ["wait", "watch"], id="commands"),
    pytest.param(["status", "--re"], ["--replay", "--require"], id="option-names"),
    pytest.param(["status", "--format", ""], ["json", "markdown", "nagios", "prometheus", "table"], id="option-values"),
    pytest.param(["status", "--fail-on", ""], ["degraded", "down", "never", "unknown"], id="fail-on-values"),
    pytest.param(["completion", ""], ["bash", "fish", "zsh"], id="argument-values"),
    pytest.param(["config", ""], ["init", "show"], id="subcommands"),
]


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
@pytest.mark.parametrize(("words", "expected"), CASES)
def test_zsh_completes(tmp_path: Path, words: list[str], expected: list[str]) -> None:
    # Real zsh loads the shipped file from $fpath as _outagecheck (compinit must register it through its
    # #compdef line), then runs its completer with _arguments stubbed to print what it was given.
    fdir = tmp_path / "zfunc"
    fdir.mkdir()
    (fdir / "_outagecheck").write_text((COMPLETIONS / "outagecheck.zsh").read_text())
    quoted = " ".join(f"'{w}'" for w in words)
    script = f"""
fpath=({fdir} $fpath); autoload -U compinit; compinit -u -d {tmp_path}/zcompdump
[[ $_comps[outagecheck] == _outagecheck ]] || {{ print -u2 "not registered: $_comps[outagecheck]"; exit 1; }}
_arguments() {{ print -r -- "$1"; }}
compdef() {{ :; }}
source {fdir}/_outagecheck
words=(outagecheck {quoted}); CURRENT={len(words) + 1}
_outagecheck_completion
"""
    out = subprocess.run(["zsh", "-f", "-c", script], capture_output=True, text=True, env=_shim(tmp_path), timeout=60)
    assert out.returncode == 0, out.stderr
    # _arguments '*: :(("status":"help" "stop":"help"))': each candidate quoted, then its description
    spec = re.fullmatch(r"\*: :\(\((.*)\)\)\n", out.stdout, flags=re.S)
    assert spec, out.stdout
    values = re.findall(r'"((?:[^"]|"")*)"(?::"(?:[^"]|"")*")?', spec[1])
    # As zsh reads them: the double quotes' `\\` is one backslash, and `\:` a colon inside an item
    # (zsh's _arguments: "any colons in the item must be quoted with a backslash").
    values = [v.replace("\\\\", "\\").replace("\\:", ":") for v in values]
    assert sorted(values) == expected, out.stdout + out.stderr


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
@pytest.mark.parametrize(("words", "expected"), CASES)
def test_fish_completes(tmp_path: Path, words: list[str], expected: list[str]) -> None:
    # Real fish sources the shipped script; `complete -C` asks it to complete a command line.
    line = " ".join(["outagecheck", *words])
    script = f"source {COMPLETIONS / 'outagecheck.fish'}; complete -C '{line}'"
    out = subprocess.run(
        ["fish", "--no-config", "-c", script], capture_output=True, text=True, env=_shim(tmp_path), timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert sorted(row.split("\t")[0] for row in out.stdout.splitlines()) == expected, out.stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize(("words", "expected"), CASES)
def test_bash_completes(tmp_path: Path, words: list[str], expected: list[str]) -> None:
    # Real bash sources the shipped script and asks it to complete the last word.
    quoted = " ".join(f"'{w}'" for w in words)
    script = f"""
source {COMPLETIONS / "outagecheck.bash"}
COMP_WORDS=(outagecheck {quoted}); COMP_CWORD={len(words)}
_outagecheck_completion outagecheck
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    cmd = ["bash", "--norc", "-c", script]
    out = subprocess.run(cmd, capture_output=True, text=True, env=_shim(tmp_path), timeout=60)
    assert sorted(out.stdout.split()) == expected, out.stderr


SHELLS = {"bash": test_bash_completes, "zsh": test_zsh_completes, "fish": test_fish_completes}


@pytest.mark.parametrize("shell", sorted(SHELLS))
def test_require_completes_the_named_configs_surfaces_and_routes(tmp_path: Path, shell: str) -> None:
    # --require takes Claude's surfaces, the config's [surfaces.ID] and route:NAME for its [[routes]]: the
    # shells offer exactly those, from the config the command line names; a config it can't read, Claude's own.
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[surfaces.myapi]\nname = "My API"\nurl = "https://example.invalid/health"\n'
        + routes_toml({"corp-gw": {"kind": "gateway", "base_url": "https://gw.example.invalid"}})
    )
    cases = [
        (["status", "--config", str(cfg), "--require", ""], ["api", "code", "myapi", "route:corp-gw", "web"]),
        (["wait", "--config", str(cfg), "-r", "route:"], ["route:corp-gw"]),
        (["watch", "--config", str(tmp_path / "missing.toml"), "--require", ""], ["api", "code", "web"]),
    ]
    for i, (words, expected) in enumerate(cases):
        (tmp_path / str(i)).mkdir()
        SHELLS[shell](tmp_path / str(i), words, expected)
