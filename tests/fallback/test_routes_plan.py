"""`fallback apply claude-code --to ROUTE`: what each kind writes, what is refused, and the one-step revert."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.helpers import SETTINGS, SETTINGS_TEXT, STATE_TEXT, invoke, no_route_settings, routes_toml, write_config

USER_ENV: dict[str, str] = dict(SETTINGS["env"])  # type: ignore[call-overload]  # SETTINGS is a JSON literal

# One route per kind, by name.
ROUTE_FIELDS: dict[str, dict[str, object]] = {
    "bedrock": {
        "kind": "bedrock",
        "region": "us-east-1",
        "profile": "work",
        "auth_refresh": "aws sso login --profile work",
        "models": {"sonnet": "us.anthropic.claude-sonnet-4-6", "haiku": "us.anthropic.claude-haiku-4-5-20251001-v1:0"},
    },
    "vertex": {
        "kind": "vertex",
        "region": "global",
        "project": "acme-ai-prod",
        "auth_refresh": "gcloud auth application-default login",
        "models": {"opus": "claude-opus-4-8"},
    },
    "foundry": {
        "kind": "foundry",
        "base_url": "https://acme.services.ai.azure.com",
        "models": {"sonnet": "sonnet-deploy"},
    },
    "aws-platform": {"kind": "anthropic-aws", "region": "us-west-2", "workspace": "wrkspc_01abc"},
    "gateway": {"kind": "gateway", "base_url": "https://llm.example.com", "key_command": "pass show llm/key"},
    "openrouter": {"kind": "openrouter", "key_command": "pass show openrouter"},
}


@pytest.fixture
def cfg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, claude_home: Path) -> Path:
    """A config with one route per kind; no managed settings and no route variable from the machine."""
    no_route_settings(tmp_path, monkeypatch)
    return write_config(tmp_path / "config.toml", routes_toml(ROUTE_FIELDS))


def _apply(runner: CliRunner, cfg: Path, route: str, *more: str) -> Any:
    """Apply without the proof (tests/fallback/test_proof.py proves): what is written, and what is refused."""
    return invoke(runner, "fallback", "apply", "claude-code", "--to", route, "--config", str(cfg), "--no-verify", *more)


def _settings(home: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((home / ".claude" / "settings.json").read_text())
    return doc


def _set_user_env(home: Path, **env: str) -> str:
    text = json.dumps({**SETTINGS, "env": {**USER_ENV, **env}}, indent=4, ensure_ascii=False) + "\n"
    (home / ".claude" / "settings.json").write_text(text)
    return text


@pytest.mark.parametrize(
    ("route", "env", "top"),
    [
        pytest.param(
            "bedrock",
            {
                "CLAUDE_CODE_USE_BEDROCK": "1",
                "AWS_REGION": "us-east-1",
                "AWS_PROFILE": "work",
                "ANTHROPIC_DEFAULT_SONNET_MODEL": "us.anthropic.claude-sonnet-4-6",
                "ANTHROPIC_DEFAULT_HAIKU_MODEL": "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            },
            {"awsAuthRefresh": "aws sso login --profile work"},
            id="bedrock-switch-region-profile-pins-refresh",
        ),
        pytest.param(
            "vertex",
            {
                "CLAUDE_CODE_USE_VERTEX": "1",
                "CLOUD_ML_REGION": "global",
                "ANTHROPIC_VERTEX_PROJECT_ID": "acme-ai-prod",
                "ANTHROPIC_DEFAULT_OPUS_MODEL": "claude-opus-4-8",
            },
            {"gcpAuthRefresh": "gcloud auth application-default login"},
            id="vertex-switch-region-project-pin-refresh",
        ),
        pytest.param(
            "foundry",
            {
                "CLAUDE_CODE_USE_FOUNDRY": "1",
                "ANTHROPIC_FOUNDRY_BASE_URL": "https://acme.services.ai.azure.com/anthropic",
                "ANTHROPIC_DEFAULT_SONNET_MODEL": "sonnet-deploy",
            },
            {},
            id="foundry-base-url-gets-its-anthropic-suffix",
        ),
        pytest.param(
            "aws-platform",
            {
                "CLAUDE_CODE_USE_ANTHROPIC_AWS": "1",
                "AWS_REGION": "us-west-2",
                "ANTHROPIC_AWS_WORKSPACE_ID": "wrkspc_01abc",
                "CLAUDE_CODE_USE_BEDROCK": "",
                "CLAUDE_CODE_USE_FOUNDRY": "",
            },
            {},
            id="aws-platform-cancels-bedrock-and-foundry-which-outrank-it",
        ),
        pytest.param(
            "gateway",
            {"ANTHROPIC_BASE_URL": "https://llm.example.com"},
            {"apiKeyHelper": "pass show llm/key"},
            id="gateway-base-url-and-helper",
        ),
        pytest.param(
            "openrouter",
            {"ANTHROPIC_BASE_URL": "https://openrouter.ai/api", "ANTHROPIC_API_KEY": ""},
            {"apiKeyHelper": "pass show openrouter"},
            id="openrouter-cancels-the-api-key",
        ),
    ],
)
def test_each_kind_writes_its_variables_and_revert_is_byte_identical(
    runner: CliRunner, cfg: Path, claude_home: Path, route: str, env: dict[str, str], top: dict[str, str]
) -> None:
    result = _apply(runner, cfg, route, "--yes")
    assert result.exit_code == 0, result.output
    written = _settings(claude_home)
    assert written["env"] == {**USER_ENV, **env}
    assert {k: v for k, v in written.items() if k not in SETTINGS} == top
    assert "Undo with: outagecheck fallback revert claude-code" in result.stdout
    assert f"Claude Code now uses route '{route}'" in result.stdout
    assert "unverified" in result.stdout
    state = json.loads((claude_home / ".claude.json").read_text())
    assert state.get("hasCompletedOnboarding") is (True if route in ("gateway", "openrouter") else None)

    reverted = invoke(runner, "fallback", "revert", "--yes")
    assert reverted.exit_code == 0, reverted.output
    assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT
    assert (claude_home / ".claude.json").read_text() == STATE_TEXT


def test_other_switches_on_below_are_cancelled_and_revert_brings_the_old_provider_back(
    runner: CliRunner, cfg: Path, claude_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _set_user_env(claude_home, CLAUDE_CODE_USE_VERTEX="1", ANTHROPIC_BASE_URL="https://old.example.com")
    monkeypatch.setenv("CLAUDE_CODE_USE_FOUNDRY", "true")  # a shell export: the settings "" beats it
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "sk-not-to-be-written-0123456789")
    result = _apply(runner, cfg, "bedrock", "--yes")
    assert result.exit_code == 0, result.output
    env = _settings(claude_home)["env"]
    assert env["CLAUDE_CODE_USE_BEDROCK"] == "1"
    assert env["CLAUDE_CODE_USE_VERTEX"] == env["CLAUDE_CODE_USE_FOUNDRY"] == ""
    assert env["ANTHROPIC_BASE_URL"] == env["ANTHROPIC_AUTH_TOKEN"] == ""
    assert "sk-not-to-be-written" not in (claude_home / ".claude" / "settings.json").read_text() + result.output
    assert invoke(runner, "fallback", "revert", "--yes").exit_code == 0
    assert (claude_home / ".claude" / "settings.json").read_text() == before


def test_claude_codes_own_edit_after_apply_survives_revert(runner: CliRunner, cfg: Path, claude_home: Path) -> None:
    assert _apply(runner, cfg, "vertex", "--yes").exit_code == 0
    doc = _settings(claude_home)
    doc["env"]["DISABLE_AUTOUPDATER"] = "1"  # what a `claude` start did to the file (the notes)
    (claude_home / ".claude" / "settings.json").write_text(json.dumps(doc, indent=2))
    assert invoke(runner, "fallback", "revert", "--yes").exit_code == 0
    after = _settings(claude_home)
    assert after["env"] == {**USER_ENV, "DISABLE_AUTOUPDATER": "1"}
    assert "gcpAuthRefresh" not in after


def test_another_provider_id_in_anthropic_model_is_pinned_to_the_route(
    runner: CliRunner, cfg: Path, claude_home: Path
) -> None:
    _set_user_env(claude_home, ANTHROPIC_MODEL="claude-sonnet-4-5")  # an API id: Bedrock would reject it
    assert _apply(runner, cfg, "bedrock", "--yes").exit_code == 0
    assert _settings(claude_home)["env"]["ANTHROPIC_MODEL"] == "us.anthropic.claude-sonnet-4-6"


def _managed(tmp_path: Path, doc: dict[str, Any]) -> None:
    path = tmp_path / "managed" / "managed-settings.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(doc))


@pytest.mark.parametrize(
    ("route", "arrange", "said", "code"),
    [
        pytest.param(
            "bedrock",
            lambda tmp, mp, home: _managed(tmp, {"env": {"CLAUDE_CODE_USE_VERTEX": "1"}}),
            "managed settings",
            78,
            id="managed-file-sets-a-provider",
        ),
        pytest.param(
            "bedrock",
            lambda tmp, mp, home: mp.setenv("CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST", "1"),
            "the host decides",
            78,
            id="host-managed-provider",
        ),
        pytest.param(
            "gateway",
            lambda tmp, mp, home: _managed(tmp, {"forceLoginMethod": "claudeai"}),
            "forceLoginMethod",
            78,
            id="gateway-under-forced-login",
        ),
        pytest.param(
            "bedrock",
            lambda tmp, mp, home: (
                (tmp / ".claude").mkdir()
                or (tmp / ".claude" / "settings.local.json").write_text('{"env": {"CLAUDE_CODE_USE_VERTEX": "1"}}')
            ),
            "local settings",
            78,
            id="higher-local-layer-sets-another-provider",
        ),
        pytest.param(
            "bedrock",
            lambda tmp, mp, home: _set_user_env(home, ANTHROPIC_MODEL="claude-sonnet-4-5"),
            "ANTHROPIC_MODEL",
            0,
            id="(pinned, not refused: control)",
        ),
        pytest.param("nope", lambda tmp, mp, home: None, "unknown route 'nope'", 64, id="unknown-route"),
    ],
)
def test_refusals_write_nothing(
    runner: CliRunner,
    cfg: Path,
    claude_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    route: str,
    arrange: Any,
    said: str,
    code: int,
) -> None:
    arrange(tmp_path, monkeypatch, claude_home)
    before = (claude_home / ".claude" / "settings.json").read_text()
    result = _apply(runner, cfg, route, "--yes")
    assert result.exit_code == code, result.output
    if code:
        assert said in result.stderr
        assert result.stderr.count("\n") == 1
        assert (claude_home / ".claude" / "settings.json").read_text() == before
        assert (claude_home / ".claude.json").read_text() == STATE_TEXT


def test_vertex_route_with_a_model_in_bedrock_form_and_no_pin_is_refused(
    runner: CliRunner, cfg: Path, claude_home: Path, tmp_path: Path
) -> None:
    cfg.write_text(routes_toml({"v": {"kind": "vertex", "region": "global", "project": "acme-ai-prod"}}))
    _set_user_env(claude_home, ANTHROPIC_MODEL="us.anthropic.claude-sonnet-4-6")
    result = _apply(runner, cfg, "v", "--yes")
    assert result.exit_code == 78
    assert "ANTHROPIC_MODEL" in result.stderr


def test_to_with_another_target_or_key_command_is_a_usage_error(runner: CliRunner, cfg: Path) -> None:
    other = invoke(runner, "fallback", "apply", "aider", "--to", "bedrock", "--config", str(cfg))
    assert other.exit_code == 64
    assert "--to only applies to the claude-code target" in other.stderr
    keyed = _apply(runner, cfg, "gateway", "--key-command", "echo k")
    assert keyed.exit_code == 64


def test_dry_run_shows_the_diff_and_writes_nothing(runner: CliRunner, cfg: Path, claude_home: Path) -> None:
    result = _apply(runner, cfg, "bedrock", "--dry-run")
    assert result.exit_code == 0, result.output
    assert '+        "CLAUDE_CODE_USE_BEDROCK": "1",' in result.stdout
    assert "Dry run: nothing written." in result.stdout
    assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT


def test_local_scope_cancels_a_user_layer_provider(runner: CliRunner, cfg: Path, claude_home: Path) -> None:
    before = _set_user_env(claude_home, CLAUDE_CODE_USE_VERTEX="1")
    result = _apply(runner, cfg, "bedrock", "--scope", "local", "--yes")
    assert result.exit_code == 0, result.output
    local = json.loads((cfg.parent / ".claude" / "settings.local.json").read_text())
    assert local["env"]["CLAUDE_CODE_USE_VERTEX"] == ""
    assert (claude_home / ".claude" / "settings.json").read_text() == before


def _stand_in_claude(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, said: dict[str, Any], version: str = "2.1.197"
) -> None:
    """A `claude` whose `auth status` says `said` (the real client's answers: tests/routes/test_real_current.py)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "claude"
    answer = f"echo '{json.dumps(said)}'"
    exe.write_text(f'#!/bin/sh\nif [ "$1" = --version ]; then echo "{version} (Claude Code)"; else {answer}; fi\n')
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")


def test_claude_reporting_the_route_confirms_it(
    runner: CliRunner, cfg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stand_in_claude(tmp_path, monkeypatch, {"loggedIn": True, "authMethod": "third_party", "apiProvider": "bedrock"})
    result = _apply(runner, cfg, "bedrock", "--yes")
    assert result.exit_code == 0, result.output
    assert "Claude Code confirms: apiProvider bedrock." in result.stdout
    assert "Not available on this route: WebSearch, /logout and Remote Control." in result.stdout


def test_claude_reporting_another_provider_rolls_the_switch_back(
    runner: CliRunner, cfg: Path, claude_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stand_in_claude(tmp_path, monkeypatch, {"loggedIn": True, "authMethod": "claude.ai", "apiProvider": "firstParty"})
    result = _apply(runner, cfg, "bedrock", "--yes")
    assert result.exit_code == 78
    assert "Claude Code reports apiProvider firstParty after the switch to route 'bedrock'" in result.stderr
    assert result.stderr.rstrip().endswith("rolled back")
    assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT
    assert invoke(runner, "fallback", "revert", "--yes").stdout == "Nothing to revert.\n"


def test_a_gateway_is_confirmed_by_its_helper(
    runner: CliRunner, cfg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = {"loggedIn": True, "authMethod": "api_key", "apiKeySource": "apiKeyHelper", "apiProvider": "firstParty"}
    _stand_in_claude(tmp_path, monkeypatch, said)
    result = _apply(runner, cfg, "gateway", "--yes")
    assert result.exit_code == 0, result.output
    assert "Claude Code confirms: apiKeySource apiKeyHelper." in result.stdout


@pytest.mark.parametrize(
    ("route", "version", "said"),
    [
        pytest.param("foundry", "2.0.44", "Microsoft Foundry needs 2.0.45 or later", id="foundry-before-2.0.45"),
        pytest.param("aws-platform", "2.1.171", "the AWS profile's region", id="profile-region-before-2.1.172"),
    ],
)
def test_a_claude_code_too_old_for_the_route_is_refused(
    runner: CliRunner,
    cfg: Path,
    claude_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    route: str,
    version: str,
    said: str,
) -> None:
    platform = {"kind": "anthropic-aws", "workspace": "wrkspc_01abc"}  # no region: the profile's
    cfg.write_text(routes_toml(ROUTE_FIELDS | {"aws-platform": platform}))
    _stand_in_claude(tmp_path, monkeypatch, {"apiProvider": "foundry"}, version=version)
    result = _apply(runner, cfg, route, "--yes")
    assert result.exit_code == 78
    assert f"Claude Code {version} is too old for route '{route}'" in result.stderr
    assert said in result.stderr
    assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT


def test_a_new_enough_claude_code_is_not_refused(
    runner: CliRunner, cfg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stand_in_claude(tmp_path, monkeypatch, {"apiProvider": "foundry"}, version="2.0.45")
    assert _apply(runner, cfg, "foundry", "--yes").exit_code == 0


def test_status_reminds_which_route_claude_code_is_on_and_who_pays_until_reverted(
    runner: CliRunner, cfg: Path, claude_home: Path
) -> None:
    assert _apply(runner, cfg, "bedrock", "--yes").exit_code == 0
    doc = json.loads(invoke(runner, "status", "--replay", "march-2026", "--json").stdout)
    [note] = [n for n in doc["notes"] if n.startswith("Claude Code is on route ")]
    assert note.startswith("Claude Code is on route bedrock (bedrock) since ")
    assert note.endswith(": revert with `outagecheck fallback revert claude-code`")
    assert ", billed to the AWS account of profile " in note
    assert invoke(runner, "fallback", "revert", "--yes").exit_code == 0
    doc = json.loads(invoke(runner, "status", "--replay", "march-2026", "--json").stdout)
    assert not any("route" in n for n in doc["notes"])


@pytest.mark.parametrize(
    ("where", "doc", "said"),
    [
        pytest.param(
            "managed-settings.json",
            {"forceLoginMethod": "gateway", "forceLoginGatewayUrl": "https://claude-gw.corp.example"},
            "forces the Claude apps gateway (https://claude-gw.corp.example)",
            id="managed-file-with-the-gateway-url",
        ),
        pytest.param(
            "managed-settings.d/50-gateway.json",
            {"forceLoginMethod": "gateway"},
            "forces the Claude apps gateway: a signed-in gateway session outranks every provider setting",
            id="drop-in-with-the-login-method-only",
        ),
    ],
)
@pytest.mark.parametrize("route", ["bedrock", "gateway", "auto"])
def test_an_apps_gateway_outranks_every_route_refused_not_forceable(
    runner: CliRunner,
    cfg: Path,
    claude_home: Path,
    tmp_path: Path,
    where: str,
    doc: dict[str, str],
    said: str,
    route: str,
) -> None:
    managed = tmp_path / "managed" / where
    managed.parent.mkdir(parents=True, exist_ok=True)
    managed.write_text(json.dumps(doc))
    verify = () if route == "auto" else ("--no-verify",)  # auto checks routes: refused before any is checked
    args = ("fallback", "apply", "claude-code", "--to", route, "--config", str(cfg), *verify, "--yes", "--force")
    result = invoke(runner, *args)
    assert result.exit_code == 78, result.output
    assert result.stdout == ""  # nothing checked, nothing shown: refused first
    assert result.stderr == (
        f"outagecheck: error: managed settings {managed} {said.split(': ')[0]}: a signed-in gateway session "
        "outranks every provider setting, so this switch would not hold; switch routes in the gateway's own "
        "upstreams (its gateway.yaml); nothing written\n"
    )
    assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT
    assert (claude_home / ".claude.json").read_text() == STATE_TEXT
    assert invoke(runner, "fallback", "revert", "--yes").stdout == "Nothing to revert.\n"


def test_a_managed_forced_claudeai_login_is_no_apps_gateway(runner: CliRunner, cfg: Path, tmp_path: Path) -> None:
    _managed(tmp_path, {"forceLoginMethod": "claudeai"})  # forced login, not the gateway: cloud routes still go
    result = _apply(runner, cfg, "bedrock", "--yes")
    assert result.exit_code == 0, result.output
