"""XDG base directories: an empty or relative value is ignored, so the current directory can never hold the
config; a repository that plants `outagecheck/config.toml` can't redirect the keyed check."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck import paths
from outagecheck.cli import cache
from tests.helpers import API_PATH, TEST_KEY, free_port, invoke, loopback_config, own_config_dir, sweep
from tests.loopback import LoopbackServer

BASES = [
    ("XDG_CONFIG_HOME", paths.user_config_dir, ".config"),
    ("XDG_STATE_HOME", paths.state_dir, ".local/state"),
    ("XDG_CACHE_HOME", lambda: Path(cache.cache_dir()), ".cache"),  # the status line's, free of pathlib
]


@pytest.mark.parametrize(("variable", "where", "default"), BASES)
@pytest.mark.parametrize("value", ["", ".", "cfg", "./x", "~/x"])
def test_an_empty_or_relative_xdg_value_means_the_default(
    monkeypatch: pytest.MonkeyPatch, isolated_home: Path, variable: str, where: object, default: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    assert callable(where)
    assert where() == isolated_home / default / "outagecheck"


@pytest.mark.parametrize(("variable", "where", "default"), BASES)
def test_an_absolute_xdg_value_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, where: object, default: str
) -> None:
    monkeypatch.setenv(variable, str(tmp_path / "elsewhere"))
    assert callable(where)
    assert where() == tmp_path / "elsewhere" / "outagecheck"


@pytest.mark.parametrize("xdg", [None, "", ".", "cfg"], ids=["unset", "empty", "dot", "relative"])
def test_a_planted_config_in_the_current_directory_never_gets_the_key(
    tmp_path: Path, isolated_home: Path, loopback: LoopbackServer, xdg: str | None
) -> None:
    # The attacker's repository: outagecheck/config.toml (and cfg/outagecheck/config.toml) pointing the
    # keyed check at its own server.
    repo = tmp_path / "repo"
    planted = loopback_config(tmp_path, loopback, timeout=2.0).read_text()
    for sub in ("outagecheck", "cfg/outagecheck", ".config/outagecheck"):
        (repo / sub).mkdir(parents=True)
        (repo / sub / "config.toml").write_text(planted)
    # The user's real config (under $HOME) points everything at a closed port: no network beyond loopback.
    closed = f"http://127.0.0.1:{free_port()}"
    own = loopback_config(tmp_path / "own", claude_ai=closed, platform=closed, api=closed, status_page=closed)
    own_config_dir(isolated_home).mkdir(parents=True)
    own.rename(own_config_dir(isolated_home) / "config.toml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "XDG_", "OUTAGECHECK_"))}
    env["ANTHROPIC_API_KEY"] = TEST_KEY
    if xdg is not None:
        env["XDG_CONFIG_HOME"] = xdg
    run = subprocess.run(
        [sys.executable, "-m", "outagecheck", "status", "--json", "--timeout", "2"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert loopback.paths() == [], "the planted config was read"
    assert run.returncode == 3, run.stderr  # every check refused: the local network is blamed
    assert f"{closed}/api" in run.stdout
    assert API_PATH not in run.stdout
    sweep("stdout", run.stdout)
    sweep("stderr", run.stderr)


# -- where Claude Code keeps its login (read from Claude Code 2.1.197) -----------------------------------------


@pytest.mark.parametrize("platform", ["linux", "win32"])
def test_the_login_is_a_file_in_the_config_dir(
    platform: str, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    assert paths.claude_login() == str(isolated_home / ".claude" / ".credentials.json")
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(isolated_home / "work-claude"))
    assert paths.claude_login() == str(isolated_home / "work-claude" / ".credentials.json")
    monkeypatch.setenv("CLAUDE_SECURESTORAGE_CONFIG_DIR", str(isolated_home / "vault"))
    assert paths.claude_login() == str(isolated_home / "vault" / ".credentials.json")
    monkeypatch.setenv("CLAUDE_SECURESTORAGE_CONFIG_DIR", "")  # empty: ~/.claude, whatever CLAUDE_CONFIG_DIR says
    assert paths.claude_login() == str(isolated_home / ".claude" / ".credentials.json")


def test_on_macos_the_login_is_a_keychain_item(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert paths.claude_login() == 'the macOS Keychain, item "Claude Code-credentials"'
    # CLAUDE_CONFIG_DIR moves the files but suffixes the Keychain item: sha256("/Users/ann/.claude-work")[:8].
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", "/Users/ann/.claude-work")
    digest = hashlib.sha256(b"/Users/ann/.claude-work").hexdigest()[:8]
    assert paths.claude_login() == f'the macOS Keychain, item "Claude Code-credentials-{digest}"'
    assert ".credentials.json" not in paths.claude_login()
    # The dir string as Claude Code hashes it: NFC, so a decomposed "é" names the same item as a composed one.
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", "/Users/rene\u0301/c")
    composed = hashlib.sha256("/Users/ren\u00e9/c".encode()).hexdigest()[:8]
    assert paths.claude_login().endswith(f'-{composed}"')
    monkeypatch.setenv("CLAUDE_SECURESTORAGE_CONFIG_DIR", "")
    assert paths.claude_login() == 'the macOS Keychain, item "Claude Code-credentials"'


def test_the_fallback_guide_says_where_the_login_is(
    runner: CliRunner, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no `claude` to ask
    monkeypatch.setattr(sys, "platform", "darwin")
    result = invoke(runner, "fallback")
    assert result.exit_code == 0, result.output
    assert (
        '  login: the macOS Keychain, item "Claude Code-credentials" (outagecheck never reads or changes it)\n'
        in result.stdout
    )


def test_on_windows_own_dirs_are_under_appdata(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.delenv("OUTAGECHECK_STATE_DIR", raising=False)
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert paths.user_config_dir() == tmp_path / "Roaming" / "outagecheck"
    assert paths.key_file() == tmp_path / "Roaming" / "outagecheck" / "anthropic-api-key"
    # The journal, backups and lock are this machine's: Local, not the Roaming profile that follows the user.
    assert paths.state_dir() == tmp_path / "Local" / "outagecheck" / "state"
    assert paths.journal_file() == tmp_path / "Local" / "outagecheck" / "state" / "journal.toml"
    monkeypatch.setenv("LOCALAPPDATA", "relative")  # never a dir relative to wherever outagecheck runs
    assert paths.state_dir() == isolated_home / "AppData" / "Local" / "outagecheck" / "state"
    monkeypatch.setenv("OUTAGECHECK_STATE_DIR", str(tmp_path / "mine"))
    assert paths.state_dir() == tmp_path / "mine"
