"""Contract tests against the published Claude Code CLI (npm @anthropic-ai/claude-code, 2.1.x), in a temporary
HOME with a loopback API: no network to Anthropic."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from outagecheck.fallback.running import running_claude
from tests.helpers import (
    MESSAGE,
    NO_CONNECTION,
    PROMPT_SCREEN,
    STATE_TEXT,
    TEST_KEY,
    TMUX,
    TRUST_DIALOG,
    claude_env,
    claude_tui,
    invoke,
    needs_tmux,
    real_sockets,
    trusted_project,
    write_config,
)
from tests.loopback import LoopbackServer

pytestmark = [pytest.mark.slow, real_sockets]

CLAUDE_KEYS = ("firstStartTime", "machineID", "migrationVersion")  # what Claude Code adds at every start


@pytest.fixture
def api(loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LoopbackServer:
    """The loopback server as the Claude API, for Claude Code (ANTHROPIC_BASE_URL) and for apply's proof."""
    loopback.route("/v1/models?limit=1", json={"data": [{"id": "claude-sonnet-4-5", "type": "model"}]})
    for path in ("/v1/messages?beta=true", "/v1/messages"):
        loopback.route(path, json=MESSAGE)
    monkeypatch.setenv(
        "OUTAGECHECK_CONFIG", str(write_config(tmp_path / "oc.toml", f'[endpoints]\napi = "{loopback.url}"\n'))
    )
    return loopback


def _auth_status(claude: Path, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run([str(claude), "auth", "status"], env=env, capture_output=True, text=True, timeout=120)
    doc = json.loads(done.stdout)
    assert isinstance(doc, dict)
    return doc


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch, real_claude: Path) -> Path:
    """ANTHROPIC_API_KEY for outagecheck (the real client is started without it), claude on PATH."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    monkeypatch.setenv("PATH", f"{real_claude.parent}:/usr/bin:/bin")
    return real_claude


def test_apply_switches_the_real_client_to_the_helper_and_revert_switches_it_back(
    runner: CliRunner, isolated_home: Path, keyed: Path, api: LoopbackServer
) -> None:
    env = claude_env(isolated_home, keyed, api)
    assert _auth_status(keyed, env)["authMethod"] == "none"
    applied = invoke(runner, "fallback", "apply", "claude-code", "--yes")
    assert applied.exit_code == 0, applied.output
    status = _auth_status(keyed, env)
    assert (status["authMethod"], status["apiKeySource"]) == ("api_key_helper", "apiKeyHelper")

    done = subprocess.run([str(keyed), "-p", "ping"], env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "pong"
    sent = [h for _, path, h in api.requests if path.startswith("/v1/messages")]
    assert sent
    assert {h.get("x-api-key") for h in sent} == {TEST_KEY}  # the helper's key, read from the key file

    reverted = invoke(runner, "fallback", "revert", "--yes")
    assert reverted.exit_code == 0, reverted.output
    after = _auth_status(keyed, env)
    assert (after["authMethod"], "apiKeySource" in after) == ("none", False)
    state = json.loads((isolated_home / ".claude.json").read_text())
    assert all(k in state for k in CLAUDE_KEYS)  # what Claude Code wrote since apply is kept
    assert "hasCompletedOnboarding" not in state


def test_claude_codes_own_writes_during_apply_and_revert_are_kept(
    runner: CliRunner, isolated_home: Path, keyed: Path, api: LoopbackServer
) -> None:
    (isolated_home / ".claude.json").write_text(STATE_TEXT)
    env = claude_env(isolated_home, keyed, api)
    stop = threading.Event()
    starts = 0

    def claude_starting_again_and_again() -> None:
        nonlocal starts
        while not stop.is_set():
            _auth_status(keyed, env)  # each start rewrites ~/.claude.json several times under its lock
            starts += 1

    thread = threading.Thread(target=claude_starting_again_and_again)
    thread.start()
    try:
        time.sleep(1.0)
        assert invoke(runner, "fallback", "apply", "claude-code", "--yes").exit_code == 0
        time.sleep(1.0)
        assert invoke(runner, "fallback", "revert", "--yes").exit_code == 0
        time.sleep(1.0)
    finally:
        stop.set()
        thread.join(timeout=180)
    state = json.loads((isolated_home / ".claude.json").read_text())
    print(f"\nclaude auth status started {starts} times during apply and revert")
    assert starts >= 2
    assert all(k in state for k in CLAUDE_KEYS)
    assert {k: state[k] for k in json.loads(STATE_TEXT) if k != "numStartups"} == {
        k: v for k, v in json.loads(STATE_TEXT).items() if k != "numStartups"
    }
    assert not (isolated_home / ".claude" / "settings.json").exists()  # outagecheck created it, revert removed it


def test_never_onboarded_with_a_key_the_guide_sets_onboarding_and_the_tui_starts(
    runner: CliRunner, isolated_home: Path, keyed: Path, api: LoopbackServer, tmp_path: Path
) -> None:
    guide = invoke(runner, "fallback")  # the real `claude auth status` answers: api_key from the environment
    assert guide.exit_code == 0, guide.output
    text = " ".join(guide.stdout.split())
    assert "its onboarding is not complete" in text
    assert "authMethod=api_key, apiKeySource=ANTHROPIC_API_KEY" in text
    assert "(shows a diff and asks first): outagecheck fallback apply claude-code" in text  # its own step
    assert invoke(runner, "fallback", "apply", "claude-code", "--yes").exit_code == 0
    assert json.loads((isolated_home / ".claude.json").read_text())["hasCompletedOnboarding"] is True
    if TMUX is None:
        pytest.skip("tmux is not installed: the onboarding flag was checked, the interactive client can't be run")
    project = trusted_project(isolated_home, tmp_path)  # else it opens on the trust dialog, not on its prompt
    with claude_tui(isolated_home, keyed, api, tmp_path, cwd=project) as pane:
        screen = pane(PROMPT_SCREEN)
        assert NO_CONNECTION not in screen
        assert TRUST_DIALOG not in screen, screen
        assert PROMPT_SCREEN in screen, screen  # the prompt, past onboarding: no theme picker, no login


@needs_tmux
def test_with_the_tui_running_apply_warns_and_the_client_keeps_its_writes(
    runner: CliRunner, isolated_home: Path, keyed: Path, api: LoopbackServer, tmp_path: Path
) -> None:
    (isolated_home / ".claude.json").write_text('{"hasCompletedOnboarding": true, "numStartups": 3}')
    project = trusted_project(isolated_home, tmp_path)
    with claude_tui(isolated_home, keyed, api, tmp_path, cwd=project) as screen:
        assert PROMPT_SCREEN in screen(
            PROMPT_SCREEN
        )  # running and past start-up (it has rewritten ~/.claude.json by now)
        running = [p.pid for p in running_claude()]
        assert running
        applied = invoke(runner, "fallback", "apply", "claude-code", "--yes")
        assert applied.exit_code == 0, applied.output
        assert applied.stderr.startswith("outagecheck: warning: Claude Code is running (")
        assert any(f"pid {pid} " in applied.stderr for pid in running)
        env = claude_env(isolated_home, keyed, api)
        done = subprocess.run([str(keyed), "-p", "ping"], env=env, capture_output=True, text=True, timeout=180)
        assert done.stdout.strip() == "pong", done.stderr
        assert {h.get("x-api-key") for _, p, h in api.requests if p.startswith("/v1/messages")} == {TEST_KEY}
        reverted = invoke(runner, "fallback", "revert", "--yes")
        assert reverted.exit_code == 0, reverted.output
        assert "Claude Code is running" in reverted.stderr
    state = json.loads((isolated_home / ".claude.json").read_text())
    assert all(k in state for k in CLAUDE_KEYS)  # every key Claude Code wrote is kept
    assert state["hasCompletedOnboarding"] is True  # the user's own, not outagecheck's: kept
    assert _auth_status(keyed, env)["authMethod"] == "none"
