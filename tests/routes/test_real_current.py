"""The published Claude Code client agrees with `outagecheck routes --json` on the route it uses now, for each
kind and each precedence rule: `claude auth status` (its apiProvider, authMethod, apiKeySource) in a temporary
HOME with the settings written, offline (no request is made by `auth status`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.helpers import invoke, write_config

pytestmark = pytest.mark.slow

HOST = "CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST"
# (id, shell environment, {layer: settings document}, the apiProvider both must report)
CASES: list[tuple[str, dict[str, str], dict[str, Any], str]] = [
    ("nothing", {}, {}, "firstParty"),
    ("bedrock", {"CLAUDE_CODE_USE_BEDROCK": "1"}, {}, "bedrock"),
    ("mantle", {"CLAUDE_CODE_USE_MANTLE": "1"}, {}, "mantle"),
    ("anthropic-aws", {"CLAUDE_CODE_USE_ANTHROPIC_AWS": "1"}, {}, "anthropicAws"),
    ("vertex", {"CLAUDE_CODE_USE_VERTEX": "1"}, {}, "vertex"),
    ("foundry", {"CLAUDE_CODE_USE_FOUNDRY": "1"}, {}, "foundry"),
    *((f"off-{v!r}", {"CLAUDE_CODE_USE_BEDROCK": v}, {}, "firstParty") for v in ("", "0", "false", "FALSE", "no", "2")),
    *((f"on-{v!r}", {"CLAUDE_CODE_USE_VERTEX": v}, {}, "vertex") for v in ("yes", "on", " True ")),
    (
        "settings-beat-the-shell",
        {"CLAUDE_CODE_USE_BEDROCK": "0"},
        {"user": {"CLAUDE_CODE_USE_BEDROCK": "1"}},
        "bedrock",
    ),
    (
        "empty-cancels-the-shell",
        {"CLAUDE_CODE_USE_VERTEX": "1"},
        {"user": {"CLAUDE_CODE_USE_VERTEX": ""}},
        "firstParty",
    ),
    (
        "local-beats-user",
        {},
        {"local": {"CLAUDE_CODE_USE_FOUNDRY": "0"}, "user": {"CLAUDE_CODE_USE_FOUNDRY": "1"}},
        "firstParty",
    ),
    ("project", {}, {"project": {"CLAUDE_CODE_USE_MANTLE": "true"}}, "mantle"),
    ("host-decides", {HOST: "1"}, {"user": {"CLAUDE_CODE_USE_VERTEX": "1"}}, "firstParty"),
    ("host-decides-from-env", {HOST: "1", "CLAUDE_CODE_USE_VERTEX": "1"}, {}, "vertex"),
    ("bedrock-over-foundry", {"CLAUDE_CODE_USE_FOUNDRY": "1"}, {"user": {"CLAUDE_CODE_USE_BEDROCK": "1"}}, "bedrock"),
    ("foundry-over-aws", {"CLAUDE_CODE_USE_ANTHROPIC_AWS": "1", "CLAUDE_CODE_USE_FOUNDRY": "1"}, {}, "foundry"),
    ("aws-over-mantle", {"CLAUDE_CODE_USE_ANTHROPIC_AWS": "1", "CLAUDE_CODE_USE_MANTLE": "1"}, {}, "anthropicAws"),
    ("mantle-over-vertex", {"CLAUDE_CODE_USE_MANTLE": "1", "CLAUDE_CODE_USE_VERTEX": "1"}, {}, "mantle"),
]
FILES = {
    "user": ".claude/settings.json",
    "project": "proj/.claude/settings.json",
    "local": "proj/.claude/settings.local.json",
}


def _auth_status(claude: Path, home: Path, cwd: Path, env: dict[str, str]) -> dict[str, Any]:
    whole = {"PATH": "/usr/bin:/bin", "HOME": str(home), "DISABLE_AUTOUPDATER": "1", "DISABLE_TELEMETRY": "1", **env}
    done = subprocess.run(
        [str(claude), "auth", "status"], env=whole, cwd=cwd, capture_output=True, text=True, timeout=120
    )
    doc = json.loads(done.stdout)
    assert isinstance(doc, dict)
    return doc


def _ours(runner: CliRunner, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> dict[str, Any]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = invoke(runner, "routes", "--json")
    assert result.exit_code == 0, result.output
    now = json.loads(result.stdout)["current"]
    assert isinstance(now, dict)
    return now


@pytest.mark.parametrize(("env", "layers", "provider"), [pytest.param(e, s, p, id=i) for i, e, s, p in CASES])
def test_the_real_client_agrees_on_the_provider(
    runner: CliRunner,
    real_claude: Path,
    no_route: Path,
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    layers: dict[str, dict[str, str]],
    provider: str,
) -> None:
    project = isolated_home / "proj"
    project.mkdir()
    for layer, block in layers.items():
        write_config(isolated_home / FILES[layer], json.dumps({"env": block}))
    monkeypatch.chdir(project)
    theirs = _auth_status(real_claude, isolated_home, project, env)
    ours = _ours(runner, monkeypatch, env)
    assert (theirs["apiProvider"], ours["api_provider"]) == (provider, provider)
    assert ours["host_decides"] is (env.get(HOST) == "1")


@pytest.mark.parametrize(
    ("env", "helper", "auth", "source"),
    [
        pytest.param({"ANTHROPIC_API_KEY": "sk-ant-api03-x"}, False, "key", "ANTHROPIC_API_KEY", id="key"),
        pytest.param({}, True, "helper", "apiKeyHelper", id="helper"),
        pytest.param({"ANTHROPIC_API_KEY": "sk-ant-api03-x"}, True, "key", "ANTHROPIC_API_KEY", id="key-over-helper"),
        pytest.param({"ANTHROPIC_AUTH_TOKEN": "t"}, False, "token", None, id="token"),
        pytest.param({"CLAUDE_CODE_OAUTH_TOKEN": "o"}, False, "oauth_token", None, id="oauth-token"),
    ],
)
def test_the_real_client_agrees_on_the_credential(
    runner: CliRunner,
    real_claude: Path,
    no_route: Path,
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    helper: bool,
    auth: str,
    source: str | None,
) -> None:
    if helper:
        write_config(isolated_home / FILES["user"], json.dumps({"apiKeyHelper": "echo sk-ant-api03-helper"}))
    theirs = _auth_status(real_claude, isolated_home, isolated_home, env)
    ours = _ours(runner, monkeypatch, env)
    assert ours["auth"] == auth
    # The key the client sends: apiKeySource (authMethod says api_key_helper whenever a helper is configured).
    assert theirs.get("apiKeySource") == source
    if auth in ("token", "oauth_token"):
        assert theirs["authMethod"] == "oauth_token"
