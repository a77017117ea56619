"""`outagecheck fallback` (read-only): detection of this machine's route and the advice for it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpx import HTTPXMock
from typer.testing import CliRunner

from outagecheck.fallback import running
from tests.helpers import TEST_KEY, invoke, write_config


def fake_claude(bin_dir: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir.mkdir(exist_ok=True)
    exe = bin_dir / "claude"
    exe.write_text(f"#!/bin/sh\n{script}\n")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")


def fallback_out(runner: CliRunner) -> str:
    result = invoke(runner, "fallback")
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.split())


def test_subscription_user_gets_the_steps(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no claude installed
    out = fallback_out(runner)
    assert "Claude Code uses the subscription login: a login outage locks it out." in out
    assert "1. Put an API key in the environment" in out
    assert 'outagecheck fallback apply claude-code --key-command "<command that prints the key>"' in out
    assert "API rates" in out
    assert "Remote Control, /schedule and claude.ai connectors are disabled" in out


def test_claude_auth_status_is_asked(
    runner: CliRunner, tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated_home / ".claude.json").write_text('{"hasCompletedOnboarding": true}')
    status = {
        "loggedIn": True,
        "authMethod": "api_key",
        "apiProvider": "firstParty",
        "apiKeySource": "ANTHROPIC_API_KEY",
        "email": "me@example.com",
    }
    fake_claude(tmp_path / "bin", f"echo '{json.dumps(status)}'", monkeypatch)
    out = fallback_out(runner)
    assert "Claude Code already uses an API key: a login outage does not touch it." in out
    assert "authMethod=api_key, apiKeySource=ANTHROPIC_API_KEY" in out
    assert "me@example.com" not in out
    assert "Steps:" not in out


def test_hanging_claude_times_out(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(running, "CLAUDE_AUTH_TIMEOUT_S", 0.3)
    fake_claude(tmp_path / "bin", "sleep 5", monkeypatch)
    out = fallback_out(runner)
    assert "`claude auth status` gave no answer within 0.3 s" in out
    assert "subscription login" in out


def test_warnings_for_overrides_and_policy(
    runner: CliRunner, tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    managed = write_config(tmp_path / "managed.json", '{"forceLoginMethod": "claudeai"}')
    monkeypatch.setenv("OUTAGECHECK_MANAGED_SETTINGS", str(managed))
    project = tmp_path / "proj"
    write_config(project / ".claude" / "settings.json", '{"apiKeyHelper": "vault read key"}')
    monkeypatch.chdir(project)
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "tok-secret-value")
    result = invoke(runner, "fallback")
    out = " ".join(result.stdout.split())
    assert 'set forceLoginMethod "claudeai"' in out
    assert "sets its own apiKeyHelper, which overrides the one outagecheck would write to the user settings" in out
    assert "Both ANTHROPIC_AUTH_TOKEN and ANTHROPIC_API_KEY are set" in out
    assert "environment: ANTHROPIC_API_KEY is set" in out
    assert TEST_KEY not in result.output
    assert "tok-secret-value" not in result.output


def test_an_apps_gateway_forced_by_managed_settings_is_a_blocker_of_the_api_fallback(
    runner: CliRunner, tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    managed = write_config(tmp_path / "managed.json", '{"forceLoginGatewayUrl": "https://claude-gw.corp.example"}')
    monkeypatch.setenv("OUTAGECHECK_MANAGED_SETTINGS", str(managed))
    out = " ".join(invoke(runner, "fallback").stdout.split())
    assert (
        f"Managed settings ({managed}) force the Claude apps gateway at https://claude-gw.corp.example: a signed-in "
        "gateway session outranks an API key too"
    ) in out
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    applied = invoke(runner, "fallback", "apply", "claude-code", "--dry-run")
    assert applied.exit_code == 0, applied.output
    assert "Warning: Managed settings" in applied.stdout  # the API switch says it would not be used


def test_cloud_provider_is_not_touched(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("CLAUDE_CODE_USE_BEDROCK", "1")
    assert "uses a cloud provider" in fallback_out(runner)


def test_openclaw_on_claude_cli_gets_advice(
    runner: CliRunner, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    write_config(
        isolated_home / ".openclaw" / "openclaw.json",
        '{ agents: { defaults: { model: { primary: "claude-cli/claude-opus-5" } } }, }',
    )
    out = fallback_out(runner)
    assert "runs Claude through the claude-cli runtime" in out
    assert "openclaw gateway restart && openclaw models status" in out


def test_status_reminds_to_revert_once_logins_are_back(
    runner: CliRunner, tmp_path: Path, mocked_all_operational: HTTPXMock
) -> None:
    target = write_config(tmp_path / "tool.json", '{"mode": "login"}\n')
    cfg = write_config(
        tmp_path / "c.toml", f'[[fallback.targets]]\nname = "tool"\npath = "{target}"\nset = {{"mode" = "api"}}\n'
    )
    assert invoke(runner, "fallback", "apply", "tool", "--yes", "--config", str(cfg)).exit_code == 0
    out = " ".join(invoke(runner, "status").stdout.split())
    assert "The login paths are back, and a fallback is still applied (tool)." in out
    assert "outagecheck fallback revert" in out


API_KEY_STATUS = {"loggedIn": True, "authMethod": "api_key", "apiKeySource": "ANTHROPIC_API_KEY"}


@pytest.mark.parametrize("state", [None, '{"numStartups": 1}', '{"hasCompletedOnboarding": false}'])
def test_a_key_without_onboarding_gets_the_onboarding_step(
    runner: CliRunner, tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch, state: str | None
) -> None:
    if state is not None:
        (isolated_home / ".claude.json").write_text(state)
    fake_claude(tmp_path / "bin", f"echo '{json.dumps(API_KEY_STATUS)}'", monkeypatch)
    out = fallback_out(runner)
    assert "its onboarding is not complete" in out
    assert "already uses an API key" not in out
    assert '1. Mark onboarding complete ("hasCompletedOnboarding": true in ~/.claude.json)' in out
    assert out.endswith("(shows a diff and asks first): outagecheck fallback apply claude-code")


def test_not_logged_in_reads_so_and_never_prints_none(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What Claude Code 2.1.197 prints with no login and no key (exit 1): no apiKeySource at all.
    fake_claude(
        tmp_path / "bin",
        """echo '{"loggedIn": false, "authMethod": "none", "apiProvider": "firstParty"}'; exit 1""",
        monkeypatch,
    )
    out = fallback_out(runner)
    assert (
        "Claude Code is not logged in: it has neither a login nor a key. (claude auth status: authMethod=none)" in out
    )
    assert "subscription login" not in out
    assert "None" not in out


def test_the_plan_takes_config_like_apply(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    good = write_config(tmp_path / "good.toml", "timeout = 2\n")
    assert invoke(runner, "fallback", "--config", str(good)).exit_code == 0
    bad = write_config(tmp_path / "bad.toml", "timeout = \n")
    result = invoke(runner, "fallback", "--config", str(bad))
    assert result.exit_code == 78
    assert result.stderr.startswith(f"outagecheck: error: {bad}")


def test_the_guide_says_how_to_get_past_tls_inspection(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.delenv("NODE_EXTRA_CA_CERTS", raising=False)
    out = fallback_out(runner)
    assert "the API route fails the same way" in out
    assert "export NODE_EXTRA_CA_CERTS=/path/to/company-ca.pem" in out
    assert "export SSL_CERT_FILE=/path/to/company-ca.pem" in out
    monkeypatch.setenv("NODE_EXTRA_CA_CERTS", "/etc/company-ca.pem")  # Claude Code already trusts one
    assert "NODE_EXTRA_CA_CERTS" not in fallback_out(runner)


@pytest.mark.parametrize("off", ["", "0", "false", "FALSE"])
def test_a_switch_set_off_is_not_the_cloud_route(
    runner: CliRunner, isolated_home: Path, no_route: Path, monkeypatch: pytest.MonkeyPatch, off: str
) -> None:
    # The documented cancel ("" in env) and "0"/"false" are off for Claude Code: they were read as cloud.
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no claude installed: the answer is outagecheck's own reading
    write_config(
        isolated_home / ".claude" / "settings.json",
        json.dumps({"env": {"CLAUDE_CODE_USE_VERTEX": off, "CLAUDE_CODE_USE_BEDROCK": off}}),
    )
    monkeypatch.setenv("CLAUDE_CODE_USE_FOUNDRY", off)
    out = fallback_out(runner)
    assert "uses a cloud provider" not in out
    assert "Claude Code uses the subscription login" in out


def test_a_managed_drop_in_switch_is_the_cloud_route(
    runner: CliRunner, no_route: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    write_config(no_route / "managed-settings.d" / "10-aws.json", '{"env": {"CLAUDE_CODE_USE_MANTLE": "1"}}')
    assert "uses a cloud provider" in fallback_out(runner)
