"""`outagecheck routes` and `routes --json`: the configured routes beside the route Claude Code uses now."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from outagecheck.routes.model import Kind
from tests.helpers import TEST_KEY, cli_env, invoke, run_cli, write_config

SECRET = "sk-ant-api03-SETTINGS-secret-0123456789"
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
    assert doc["schema_version"] == 1
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


def test_an_apps_gateway_forced_by_managed_settings_decides(
    runner: CliRunner, no_route: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _settings(isolated_home, {"env": {"CLAUDE_CODE_USE_BEDROCK": "1"}})
    dropin = write_config(
        no_route / "managed-settings.d" / "10-gw.json",
        json.dumps({"forceLoginMethod": "gateway", "forceLoginGatewayUrl": "https://u:pw@claude-gw.corp.example"}),
    )
    result = invoke(runner, "routes")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        f"Claude Code now: the Claude apps gateway at https://***@claude-gw.corp.example (forced by managed "
        f"settings {dropin})",
        f"  forceLoginGatewayUrl = https://***@claude-gw.corp.example  managed settings {dropin}",
    ]
    assert (
        f"  Note: managed settings {dropin} forces the Claude apps gateway at https://***@claude-gw.corp.example: "
        "a signed-in gateway session outranks every provider setting, and the gateway's own upstreams choose "
        "the route"
    ) in lines
    assert "pw" not in result.stdout
    doc = json.loads(invoke(runner, "routes", "--json").stdout)
    assert doc["current"]["apps_gateway"] == {"url": "https://***@claude-gw.corp.example", "path": str(dropin)}
    assert doc["current"]["kind"] == "bedrock"  # what the provider settings say, outranked
    Draft202012Validator(_strict(SCHEMA)).validate(doc)
    dropin.write_text(json.dumps({"forceLoginMethod": "claudeai"}))
    assert json.loads(invoke(runner, "routes", "--json").stdout)["current"]["apps_gateway"] is None


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


def test_the_readme_json_example_has_the_real_keys(
    runner: CliRunner, no_route: Path, isolated_home: Path, tmp_path: Path
) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("#### `outagecheck routes [--json] [--config PATH]`", 1)[1].split("\n## ", 1)[0]
    example = json.loads(section.split("```json\n", 1)[1].split("```", 1)[0])
    _settings(isolated_home, {"env": {"CLAUDE_CODE_USE_BEDROCK": "1"}})
    cfg = write_config(tmp_path / "c.toml", ROUTES)
    real = json.loads(invoke(runner, "routes", "--json", "--config", str(cfg)).stdout)
    assert example.keys() == real.keys()
    assert example["current"].keys() == real["current"].keys()
    for part in ("values", "layers"):
        assert example["current"][part][0].keys() == real["current"][part][0].keys()
    assert example["routes"][0].keys() == real["routes"][0].keys()
    Draft202012Validator(_strict(SCHEMA)).validate(example)


@pytest.mark.parametrize(("redirect", "why"), [(">/dev/full", "No space left on device"), (">&-", "stdout is closed")])
def test_an_unwritable_stdout_is_74_and_one_line(no_route: Path, isolated_home: Path, redirect: str, why: str) -> None:
    code, _, stderr, _ = run_cli(["routes", "--json"], cli_env(isolated_home), redirect=redirect)
    assert (code, stderr) == (74, f"outagecheck: error: cannot write the routes to stdout: {why}\n")


def test_a_deleted_current_directory_has_no_project_layers(
    runner: CliRunner, no_route: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    for command in (["routes", "--json"], ["fallback"]):
        result = invoke(runner, *command)
        assert result.exit_code == 0, result.output
    layers = json.loads(invoke(runner, "routes", "--json").stdout)["current"]["layers"]
    assert [(layer["name"], layer["path"]) for layer in layers[1:3]] == [
        ("local", "(the current directory no longer exists)"),
        ("project", "(the current directory no longer exists)"),
    ]


def test_a_deleted_current_directory_is_no_internal_error_for_routes_check_or_apply(
    runner: CliRunner, no_route: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each of these was exit 70 ("internal error: FileNotFoundError") from a deleted directory.
    config = write_config(
        tmp_path / "c.toml", '[[routes]]\nname = "gw"\nkind = "gateway"\nbase_url = "http://127.0.0.1:9"\n'
    )
    config.chmod(0o600)
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    checked = invoke(runner, "routes", "check", "--config", str(config), "--timeout", "2")
    assert checked.exit_code in (1, 2, 3), checked.output  # a verdict on the route, not a crash
    assert "internal error" not in checked.output
    for how in (["--key-command", "echo x"], ["--to", "gw", "--no-verify"]):
        result = invoke(runner, "fallback", "apply", "claude-code", "--dry-run", "--config", str(config), *how)
        assert result.exit_code == 64, result.output
        assert "the current directory no longer exists" in result.output


SCHEMA = json.loads((Path(__file__).parents[2] / "src" / "outagecheck" / "cli" / "routes-v1.schema.json").read_text())


def _strict(node: Any) -> Any:
    """The schema with additionalProperties false wherever it lists properties: every field we print is in it."""
    if isinstance(node, dict):
        out = {k: _strict(v) for k, v in node.items()}
        if "properties" in out:
            out.setdefault("additionalProperties", False)
        return out
    return [_strict(v) for v in node] if isinstance(node, list) else node


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({}, id="nothing"),
        pytest.param({"CLAUDE_CODE_USE_VERTEX": "1", "CLOUD_ML_REGION": "global"}, id="vertex"),
        pytest.param({"ANTHROPIC_BASE_URL": "https://u:p@gw.example", "ANTHROPIC_AUTH_TOKEN": "t"}, id="gateway"),
        pytest.param({"CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST": "1"}, id="host"),
    ],
)
def test_routes_json_is_valid_against_its_schema(
    runner: CliRunner,
    no_route: Path,
    isolated_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
) -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$defs"]["kind"]["enum"] == [k.value for k in Kind]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    _settings(isolated_home, {"env": {"AWS_REGION": "us-east-1"}, "apiKeyHelper": "x"})
    write_config(no_route / "managed-settings.json", "{")  # a broken layer: state "error"
    cfg = write_config(tmp_path / "c.toml", ROUTES)
    doc = json.loads(invoke(runner, "routes", "--json", "--config", str(cfg)).stdout)
    Draft202012Validator(_strict(SCHEMA)).validate(doc)


def test_a_key_or_helper_in_a_settings_file_is_never_printed(
    runner: CliRunner, no_route: Path, isolated_home: Path
) -> None:
    # Not TEST_KEY: the key sweep refuses it in any file a test leaves, and this one is written on purpose.
    user = _settings(
        isolated_home,
        {
            "env": {"ANTHROPIC_AUTH_TOKEN": SECRET},
            "apiKeyHelper": f"echo {SECRET}",
            "awsCredentialExport": SECRET,
        },
    )
    for args in (["routes"], ["routes", "--json"]):
        result = invoke(runner, *args)
        assert result.exit_code == 0
        assert SECRET not in result.stdout
    assert "  ANTHROPIC_AUTH_TOKEN = <set>" in invoke(runner, "routes").stdout
    assert f"{user}" in result.stdout
