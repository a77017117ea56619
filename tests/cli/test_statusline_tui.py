"""`outagecheck statusline` as the statusLine of the published Claude Code CLI (npm @anthropic-ai/claude-code,
2.1.x), in its interactive TUI under tmux, with a temporary HOME and a loopback API: no network beyond 127.0.0.1."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from outagecheck import paths
from outagecheck.fallback import journal
from tests.helpers import (
    CF_EDGE,
    OAUTH_PATH,
    WEB_PATH,
    claude_env,
    claude_tui,
    line_env,
    loopback_config,
    march_summary,
    needs_tmux,
    real_sockets,
    statusline,
    trusted_project,
    wait_for_cache,
)
from tests.loopback import LoopbackServer

pytestmark = [pytest.mark.slow, real_sockets]

SGR = re.compile(r"\x1b\[[0-9;]*m")
# What Claude Code pipes to a statusLine command, shortened from what 2.1.197 sent in a tmux run.
CLAUDE_STDIN = {"session_id": "5bd1d6b4", "model": {"id": "claude-opus-4-8[1m]"}, "version": "2.1.197"}


@needs_tmux
def test_the_real_tui_shows_the_line(
    isolated_home: Path, real_claude: Path, loopback: LoopbackServer, tmp_path: Path
) -> None:
    """Claude Code 2.1.197 runs the statusLine command once as its prompt mounts, and again on each message or
    mode change (at most every 300 ms): no message is needed, unlike the early 2.1.x releases
    (https://github.com/anthropics/claude-code/issues/42637). It runs it only in a trusted workspace
    ("Status line command skipped: workspace trust not accepted") and shows the first line of stdout only when
    the command exits 0, so the line on screen proves the command read Claude Code's JSON stdin and ran clean."""
    # A warm cache written by the real refresh: web and Claude Code down, the API up, a fallback 3 h old.
    applied = (datetime.now(UTC) - timedelta(hours=3)).isoformat(timespec="seconds")
    entry = journal.Entry("claude-code", str(isolated_home / ".claude.json"), "json", False, "", "", applied)
    journal.save(paths.journal_file(), [entry])
    loopback.route(WEB_PATH, status=503, body=b"down", headers=dict(CF_EDGE))
    loopback.route(OAUTH_PATH, status=503, body=b"down", headers=dict(CF_EDGE))
    loopback.route("/status/api/v2/summary.json", json=march_summary())
    env = line_env(tmp_path, isolated_home, loopback_config(tmp_path, loopback, timeout=2.0))
    statusline(env | {"XDG_STATE_HOME": str(isolated_home / ".local" / "state")})
    wait_for_cache(tmp_path / "cache" / "outagecheck")
    probes = loopback.paths().count(WEB_PATH)

    (isolated_home / ".claude.json").write_text('{"hasCompletedOnboarding": true}')
    project = trusted_project(isolated_home, tmp_path)  # trusted, so the status line runs; the client starts here
    command = f"{Path(sys.executable).parent / 'outagecheck'} statusline"
    settings = {"apiKeyHelper": "echo sk-ant-loopback-only", "statusLine": {"type": "command", "command": command}}
    (isolated_home / ".claude").mkdir()
    (isolated_home / ".claude" / "settings.json").write_text(json.dumps(settings))
    # The client's environment gets the cache and the loopback config too (a refresh would stay on 127.0.0.1).
    extra = {k: env[k] for k in ("XDG_CACHE_HOME", "OUTAGECHECK_CONFIG")}

    stdin = tmp_path / "stdin.json"
    stdin.write_text(json.dumps(CLAUDE_STDIN))
    with stdin.open("rb") as piped:  # what the command prints in Claude Code's environment
        printed = statusline(claude_env(isolated_home, real_claude, loopback, **extra), stdin=piped.fileno())
    assert "\x1b[31m✖\x1b[0m" in printed  # in colour, as Claude Code runs it (no NO_COLOR)
    expected = SGR.sub("", printed).strip()
    assert expected == "Claude: web ✖ code ✖ api ● · fallback on 3h — revert when back"  # what the cache says

    with claude_tui(isolated_home, real_claude, loopback, tmp_path, cwd=project, **extra) as pane:
        screen = pane(expected)
    assert expected in screen, screen
    assert "web ✖" in screen
    assert "[31m" not in screen  # Claude Code rendered the colour codes, it did not print them
    assert loopback.paths().count(WEB_PATH) == probes  # read from the warm cache: no refresh started
