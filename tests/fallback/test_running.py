"""A running Claude Code is found (real processes) and named by apply and revert."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck.fallback import running
from tests.helpers import invoke


def _spawn(script: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(["bash", "-c", script])


@pytest.fixture
def native_claude() -> Iterator[int]:
    """A process whose argv[0] is `claude`, as the native client's is."""
    proc = _spawn("exec -a claude sleep 60")
    yield proc.pid
    proc.kill()
    proc.wait()


def _wait_for(pid: int) -> list[running.Process]:
    for _ in range(100):
        found = running.running_claude()
        if any(p.pid == pid for p in found):
            return found
        subprocess.run(["sleep", "0.05"], check=True)
    return running.running_claude()


@pytest.mark.parametrize(
    ("argv", "exe", "expected"),
    [
        pytest.param(["claude"], "/usr/bin/sleep", True, id="argv0-claude"),
        pytest.param(["/home/me/.local/bin/claude", "--resume"], "", True, id="argv0-path"),
        pytest.param(["x"], "/opt/node_modules/@anthropic-ai/claude-code-linux-x64/claude", True, id="exe-claude"),
        pytest.param(["node", "/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js"], "", True, id="npm-node"),
        pytest.param(["node", "server.js"], "/usr/bin/node", False, id="other-node"),
        pytest.param(["vim", "claude.md"], "/usr/bin/vim", False, id="editing-a-file-named-claude"),
        pytest.param(["claude-desktop"], "", False, id="another-program"),
    ],
)
def test_what_counts_as_claude_code(argv: list[str], exe: str, expected: bool) -> None:
    assert running.is_claude(argv, exe) is expected


def test_a_native_client_is_found(native_claude: int) -> None:
    found = _wait_for(native_claude)
    assert running.Process(native_claude, "claude 60") in found


def test_an_npm_client_under_node_is_found() -> None:
    proc = _spawn("exec -a node sh -c 'sleep 60; :' /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js")
    try:
        assert any(p.pid == proc.pid for p in _wait_for(proc.pid))
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.usefixtures("with_key", "mocked_models_ok", "claude_home")
def test_apply_and_revert_name_it_and_ask_nothing_more(runner: CliRunner, native_claude: int) -> None:
    _wait_for(native_claude)
    applied = invoke(runner, "fallback", "apply", "claude-code", "--yes")
    assert applied.exit_code == 0, applied.output
    warning = f"outagecheck: warning: Claude Code is running (pid {native_claude} (claude 60)"  # and maybe others
    assert warning in applied.stderr
    assert "running sessions keep their current login until restarted" in applied.stderr
    reverted = invoke(runner, "fallback", "revert", "--yes")
    assert reverted.exit_code == 0
    assert f"pid {native_claude} (claude 60)" in reverted.stderr


def test_a_client_of_another_home_is_not_named(tmp_path: Path) -> None:
    """Another $HOME or $CLAUDE_CONFIG_DIR is another login and other files: its sessions are not ours."""
    ours, theirs = tmp_path / "ours" / ".claude", tmp_path / "theirs"
    ours.mkdir(parents=True)
    (theirs / ".claude").mkdir(parents=True)
    env = {**os.environ, "HOME": str(theirs)}
    env.pop("CLAUDE_CONFIG_DIR", None)
    other = subprocess.Popen(["bash", "-c", "exec -a claude sleep 60"], env=env)
    same = subprocess.Popen(["bash", "-c", "exec -a claude sleep 60"], env={**env, "CLAUDE_CONFIG_DIR": str(ours)})
    try:
        _wait_for(other.pid)
        _wait_for(same.pid)
        pids = {p.pid for p in running.running_claude(config_dir=ours)}
        assert same.pid in pids
        assert other.pid not in pids
        assert other.pid in {p.pid for p in running.running_claude(config_dir=theirs / ".claude")}
    finally:
        for proc in (other, same):
            proc.kill()
            proc.wait()


TASKLIST = (
    '"claude.exe","4120","Console","1","210,332 K"\r\n'
    '"claude.exe","7788","Console","1","198,004 K"\r\n'
    '"claude.exe","{me}","Console","1","1,024 K"\r\n'
)


@pytest.mark.parametrize(
    ("stdout", "expected"),
    [
        pytest.param(TASKLIST, [4120, 7788], id="two-native-clients"),
        pytest.param("INFO: No tasks are running which match the specified criteria.\r\n", [], id="none"),
        pytest.param('"node.exe","55","Console","1","9 K"\r\n', [], id="npm-under-node-is-not-named"),
        pytest.param('"claude.exe","not-a-pid"\r\n"claude.exe"\r\n', [], id="malformed"),
    ],
)
def test_on_windows_native_clients_come_from_tasklist(
    stdout: str, expected: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[str]] = []

    def tasklist(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        seen.append(argv)
        return subprocess.CompletedProcess(argv, 0, stdout.replace("{me}", str(os.getpid())), "")

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(subprocess, "run", tasklist)
    found = running.running_claude()
    assert [p.pid for p in found] == expected
    assert all(p.command == "claude.exe" for p in found)
    assert seen == [["tasklist", "/FO", "CSV", "/NH", "/FI", "IMAGENAME eq claude.exe"]]  # no ps, no /proc


def test_on_windows_without_tasklist_nothing_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(argv: list[str], **kwargs: object) -> None:
        raise FileNotFoundError(2, "The system cannot find the file specified")

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(subprocess, "run", missing)
    assert running.running_claude() == []
