"""XDG base directories: an empty or relative value is ignored, so the current directory can never hold the
config; a repository that plants `outagecheck/config.toml` can't redirect the keyed check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from outagecheck import paths
from outagecheck.cli import cache
from tests.helpers import API_PATH, TEST_KEY, free_port, loopback_config, sweep
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
    (isolated_home / ".config" / "outagecheck").mkdir(parents=True)
    own.rename(isolated_home / ".config" / "outagecheck" / "config.toml")
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
