"""`outagecheck routes` and `routes --json`: the configured routes beside the route Claude Code uses now."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import TEST_KEY, invoke, write_config

ROUTES = """
[[routes]]
name = "corp-gw"
kind = "gateway"
base_url = "https://user:pw@llm-gw.example.com"
key_command = "echo sk-ant-in-a-command"

[[routes]]
name = "bedrock-us"
kind = "bedrock"
region = "us-east-1"
models = { haiku = "us.anthropic.claude-haiku-4-5-20251001-v1:0" }
priority = 10
"""


def _settings(home: Path, doc: object) -> Path:
    return write_config(home / ".claude" / "settings.json", json.dumps(doc))


def test_nothing_set_and_no_routes(runner: CliRunner, no_route: Path, tmp_path: Path) -> None:
    result = invoke(runner, "routes")
    assert result.exit_code == 0
    assert result.stdout == (
        "Claude Code now: anthropic, subscription login (nothing selects another route)\n"
        "No [[routes]] in the config: add them to check other ways in (README: Other ways to Claude).\n"
    )


def test_the_listing_names_where_each_value_came_from_and_marks_the_current_route(
    runner: CliRunner, no_route: Path, isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = _settings(isolated_home, {"env": {"CLAUDE_CODE_USE_BEDROCK": "1"}})
    monkeypatch.setenv("CLAUDE_CODE_USE_BEDROCK", "0")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    cfg = write_config(tmp_path / "c.toml", ROUTES)
    result = invoke(runner, "routes", "--config", str(cfg))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"Claude Code now: bedrock (from user settings {user})",
        f"  CLAUDE_CODE_USE_BEDROCK = 1  user settings {user}",
        "  AWS_REGION = us-east-1       environment",
        f'  Conflict: CLAUDE_CODE_USE_BEDROCK: "1" in {user} (user) beats the shell\'s "0"',
        f"Routes ({cfg}), best first:",
        "  bedrock-us  bedrock        region us-east-1, haiku us.anthropic.claude-haiku-4-5-20251001-v1:0, priority 10"
        "  <- Claude Code now",
        "  corp-gw     gateway        base_url https://***@llm-gw.example.com, key from a command, priority 100",
    ]


def test_json_shape_and_no_secret(
    runner: CliRunner, no_route: Path, isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://user:pw@llm-gw.example.com/")
    cfg = write_config(tmp_path / "c.toml", ROUTES)
    result = invoke(runner, "routes", "--json", "--config", str(cfg))
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["version"] == 1
    assert doc["config"] == str(cfg)
    now = doc["current"]
    assert (now["kind"], now["api_provider"], now["auth"], now["host_decides"]) == (
        "gateway",
        "firstParty",
        "key",
        False,
    )
    assert now["values"] == [
        {
            "name": "ANTHROPIC_BASE_URL",
            "value": "https://***@llm-gw.example.com/",
            "source": "environment",
            "path": None,
        },
        {"name": "ANTHROPIC_API_KEY", "value": "<set>", "source": "environment", "path": None},
    ]
    assert [layer["name"] for layer in now["layers"]] == ["managed", "local", "project", "user"]
    assert {layer["state"] for layer in now["layers"]} == {"absent"}
    assert [r["name"] for r in doc["routes"]] == ["bedrock-us", "corp-gw"]
    assert doc["routes"][1] == {
        "name": "corp-gw",
        "kind": "gateway",
        "region": None,
        "profile": None,
        "project": None,
        "resource": None,
        "workspace": None,
        "base_url": "https://***@llm-gw.example.com",
        "models": {},
        "key_command": True,
        "auth_refresh": None,
        "status_feed": None,
        "priority": 100,
        "current": True,
    }
    assert TEST_KEY not in result.output
    for secret in ("pw", "sk-ant-in-a-command"):
        assert secret not in result.stdout


def test_the_host_decides(
    runner: CliRunner, no_route: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = _settings(isolated_home, {"env": {"CLAUDE_CODE_USE_VERTEX": "1"}})
    monkeypatch.setenv("CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST", "1")
    lines = invoke(runner, "routes").stdout.splitlines()
    assert lines[:4] == [
        "Claude Code now: anthropic, subscription login (nothing selects another route)",
        "  CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST = 1  environment",
        "  Note: CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST is set: the host decides the provider; settings files can't "
        "change it",
        f"  Note: CLAUDE_CODE_USE_VERTEX in {user} is ignored: the host decides the provider",
    ]


def test_a_cloned_projects_settings_are_text_never_terminal_codes(
    runner: CliRunner, no_route: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "cloned"
    write_config(
        project / ".claude" / "settings.json",
        json.dumps({"env": {"AWS_REGION": "\x1b]0;pwned\x07\nx", "CLAUDE_CODE_USE_BEDROCK": "1"}}),
    )
    monkeypatch.chdir(project)
    result = invoke(runner, "routes")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    assert "\x07" not in result.stdout
    assert "  AWS_REGION = ]0;pwned x" in result.stdout


def test_a_bad_route_is_78_and_one_line(runner: CliRunner, no_route: Path, tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.toml", '[[routes]]\nname = "v"\nkind = "vertex"\n')
    result = invoke(runner, "routes", "--config", str(cfg))
    assert result.exit_code == 78
    assert (
        result.stderr
        == f"outagecheck: error: {cfg}: 'routes.v' needs 'project' (ANTHROPIC_VERTEX_PROJECT_ID) for kind 'vertex'\n"
    )
    assert result.stdout == ""
