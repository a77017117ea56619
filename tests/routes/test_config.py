"""`[[routes]]` in the config: every kind parses into a Route, each mistake is one exact line (exit 78)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck.config import Config, parse
from outagecheck.errors import ConfigError
from outagecheck.routes.model import Kind, Route
from tests.helpers import invoke, routes_toml, write_config

FOUR = """
[[routes]]
name = "api"
kind = "anthropic"
key_command = "op read op://vault/anthropic/key"
models = { sonnet = "claude-sonnet-4-5" }

[[routes]]
name = "bedrock-us"
kind = "bedrock"
region = "us-east-1"
profile = "claude-bedrock"
auth_refresh = "aws sso login --profile claude-bedrock"
models = { opus = "us.anthropic.claude-opus-4-1-20250805-v1:0", haiku = "us.anthropic.claude-haiku-4-5-20251001-v1:0" }
priority = 10

[[routes]]
name = "vertex-global"
kind = "vertex"
project = "acme-ai"
region = "global"
models = { opus = "claude-opus-4-8", haiku = "claude-haiku-4-5@20251001" }

[[routes]]
name = "corp-gw"
kind = "gateway"
base_url = "https://llm-gw.example.com/"
key_command = "cat ~/.gw-token"
"""


def test_four_routes_parse_in_order_with_their_fields() -> None:
    routes = parse(FOUR).routes
    assert [(r.name, r.kind) for r in routes] == [
        ("api", Kind.ANTHROPIC),
        ("bedrock-us", Kind.BEDROCK),
        ("vertex-global", Kind.VERTEX),
        ("corp-gw", Kind.GATEWAY),
    ]
    assert routes[1] == Route(
        name="bedrock-us",
        kind=Kind.BEDROCK,
        region="us-east-1",
        profile="claude-bedrock",
        auth_refresh="aws sso login --profile claude-bedrock",
        models=(
            ("opus", "us.anthropic.claude-opus-4-1-20250805-v1:0"),
            ("haiku", "us.anthropic.claude-haiku-4-5-20251001-v1:0"),
        ),
        priority=10,
    )
    assert routes[1].model("haiku") == "us.anthropic.claude-haiku-4-5-20251001-v1:0"
    assert (routes[2].project, routes[2].priority) == ("acme-ai", 100)
    assert routes[3].base_url == "https://llm-gw.example.com"  # trailing slash dropped, as [endpoints] does
    assert routes[0].key_command == "op read op://vault/anthropic/key"  # kept as written, never run


def test_no_routes_is_an_empty_tuple() -> None:
    assert parse("timeout = 2").routes == () == Config().routes


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param(
            {"kind": "mantle", "region": "us-west-2", "models": {"sonnet": "anthropic.claude-sonnet-4-5"}}, id="mantle"
        ),
        pytest.param({"kind": "anthropic-aws", "workspace": "wrkspc_01AbC", "region": "us-east-1"}, id="anthropic-aws"),
        pytest.param(
            {"kind": "foundry", "resource": "acme-claude", "models": {"opus": "my-opus-deployment"}},
            id="foundry-resource",
        ),
        pytest.param({"kind": "foundry", "base_url": "http://127.0.0.1:9/anthropic"}, id="foundry-base-url"),
        pytest.param(
            {"kind": "vertex", "project": "acme-ai", "base_url": "http://127.0.0.1:9/v1"}, id="vertex-base-url"
        ),
        pytest.param({"kind": "vertex", "project": "acme-ai", "region": "us-east5"}, id="vertex-region"),
        pytest.param({"kind": "openrouter", "models": {"sonnet": "anthropic/claude-sonnet-4.5"}}, id="openrouter"),
        pytest.param({"kind": "bedrock", "base_url": "http://127.0.0.1:9"}, id="bedrock-base-url"),
        pytest.param(
            {
                "kind": "bedrock",
                "models": {"opus": "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc"},
            },
            id="bedrock-arn",
        ),
        pytest.param({"kind": "bedrock", "models": {"opus": "global.anthropic.claude-opus-5[1m]"}}, id="1m-suffix"),
        pytest.param({"kind": "anthropic", "status_feed": "http://127.0.0.1:9/feed?x=1", "priority": 0}, id="feed"),
    ],
)
def test_each_kind_accepts_its_own_fields(fields: dict[str, object]) -> None:
    (route,) = parse(routes_toml({"r": fields})).routes
    assert route.name == "r"
    assert route.kind.value == fields["kind"]


def _one(entry: str) -> str:
    return f'[[routes]]\nname = "r"\n{entry}\n'


BAD = [
    ("routes = 3", "c.toml: 'routes' must be an array of tables, like [[routes]] (one per route)", "not-array"),
    ('[routes]\nname = "x"', "c.toml: 'routes' must be an array of tables, like [[routes]] (one per route)", "table"),
    (
        '[[routes]]\nkind = "bedrock"',
        "c.toml: 'routes[0].name' must be 1-32 of a-z, 0-9, '-' and '_' (got missing)",
        "no-name",
    ),
    (
        '[[routes]]\nname = "Big"',
        "c.toml: 'routes[0].name' must be 1-32 of a-z, 0-9, '-' and '_' (got 'Big')",
        "name-case",
    ),
    ("[[routes]]\nname = 3", "c.toml: 'routes[0].name' must be 1-32 of a-z, 0-9, '-' and '_' (got int)", "name-type"),
    (
        '[[routes]]\nname = "auto"\nkind = "anthropic"',
        "c.toml: 'routes[0].name': 'auto' is reserved; choose another",
        "auto",
    ),
    (
        _one('kind = "anthropic"') + '[[routes]]\nname = "r"\nkind = "anthropic"',
        "c.toml: 'routes[1].name': a route named 'r' is already defined",
        "duplicate",
    ),
    (
        _one('kind = "azure"'),
        "c.toml: 'routes.r.kind' must be one of: anthropic, bedrock, mantle, anthropic-aws, vertex, foundry, gateway, "
        "openrouter",
        "kind",
    ),
    (
        _one('kind = "gateway"\nbase_url = "https://gw.example"\nregion = "us-east-1"'),
        "c.toml: 'routes.r.region' is not used by kind 'gateway' (only by: bedrock, mantle, anthropic-aws, vertex)",
        "field-of-another-kind",
    ),
    (
        _one('kind = "bedrock"\nregoin = "us-east-1"'),
        "c.toml: unknown key 'routes.r.regoin' (known for bedrock: auth_refresh, base_url, kind, models, name, "
        "priority, profile, region, status_feed)",
        "unknown-key",
    ),
    (
        _one('kind = "bedrock"\nregion = "US East"'),
        "c.toml: 'routes.r.region' is not an AWS region, like 'us-east-1': 'US East'",
        "aws-region",
    ),
    (
        _one('kind = "vertex"\nproject = "acme-ai"\nregion = "us-east-1"'),
        "c.toml: 'routes.r.region' is not a Vertex region: 'global', 'us', 'eu' or one like 'us-east5': 'us-east-1'",
        "vertex-region",
    ),
    (
        _one('kind = "vertex"\nproject = "Acme"'),
        "c.toml: 'routes.r.project' is not a Google Cloud project id (6-30 of a-z, 0-9 and '-', a letter first): "
        "'Acme'",
        "project",
    ),
    (
        _one('kind = "vertex"'),
        "c.toml: 'routes.r' needs 'project' (ANTHROPIC_VERTEX_PROJECT_ID) for kind 'vertex'",
        "vertex-project",
    ),
    (
        _one('kind = "vertex"\nproject = "acme-ai"\nbase_url = "https://vx.example"'),
        "c.toml: 'routes.r.base_url' must end in /v1 for kind 'vertex' (as ANTHROPIC_VERTEX_BASE_URL does)",
        "vertex-v1",
    ),
    (_one('kind = "foundry"'), "c.toml: 'routes.r' needs 'resource' or 'base_url' for kind 'foundry'", "foundry"),
    (
        _one('kind = "foundry"\nresource = "acme.claude"'),
        "c.toml: 'routes.r.resource' is not an Azure resource name (1-64 letters, digits and '-'): 'acme.claude'",
        "resource",
    ),
    (
        _one('kind = "anthropic-aws"'),
        "c.toml: 'routes.r' needs 'workspace' (ANTHROPIC_AWS_WORKSPACE_ID) for kind 'anthropic-aws'",
        "workspace",
    ),
    (
        _one('kind = "gateway"'),
        "c.toml: 'routes.r' needs 'base_url' (ANTHROPIC_BASE_URL) for kind 'gateway'",
        "gateway-url",
    ),
    (
        _one('kind = "gateway"\nbase_url = "gw.example"'),
        "c.toml: 'routes.r.base_url' must be an http:// or https:// URL, got 'gw.example'",
        "url-scheme",
    ),
    (
        _one('kind = "anthropic"\nstatus_feed = "ftp://x"'),
        "c.toml: 'routes.r.status_feed' must be an http:// or https:// URL, got 'ftp://x'",
        "feed-url",
    ),
    (
        _one('kind = "anthropic"\nkey_command = 1'),
        "c.toml: 'routes.r.key_command' must be a string, not int",
        "key-type",
    ),
    (
        _one('kind = "anthropic"\nkey_command = "cat a\\ncat b"'),
        "c.toml: 'routes.r.key_command' must be one non-empty line, got 'cat a\\ncat b'",
        "key-two-lines",
    ),
    (
        _one('kind = "anthropic"\npriority = true'),
        "c.toml: 'routes.r.priority' must be a whole number from 0 to 1000 (smaller first)",
        "priority-bool",
    ),
    (
        _one('kind = "anthropic"\npriority = -1'),
        "c.toml: 'routes.r.priority' must be a whole number from 0 to 1000 (smaller first)",
        "priority-range",
    ),
    (
        _one('kind = "anthropic"\nmodels = "claude-sonnet-4-5"'),
        "c.toml: 'routes.r.models' must be a table, like { sonnet = \"…\" } (roles: opus, sonnet, haiku)",
        "models-type",
    ),
    (
        _one('kind = "anthropic"\nmodels = { fable = "claude-x" }'),
        "c.toml: unknown key 'routes.r.models.fable' (known: opus, sonnet, haiku)",
        "model-role",
    ),
    (
        _one('kind = "bedrock"\nmodels = { haiku = "anthropic.claude-haiku-4-5-20251001-v1:0" }'),
        "c.toml: 'routes.r.models.haiku': Bedrock needs an inference profile for "
        "'anthropic.claude-haiku-4-5-20251001-v1:0'; use 'us.anthropic.claude-haiku-4-5-20251001-v1:0' "
        "(or 'eu.', 'apac.', 'global.' as your region offers)",
        "bedrock-bare-model",
    ),
    (
        _one('kind = "bedrock"\nmodels = { haiku = "claude-haiku-4-5" }'),
        "c.toml: 'routes.r.models.haiku' must be an inference profile id or ARN, like "
        "'us.anthropic.claude-sonnet-4-6' for kind 'bedrock', got 'claude-haiku-4-5'",
        "bedrock-api-id",
    ),
    (
        _one('kind = "mantle"\nmodels = { haiku = "us.anthropic.claude-haiku-4-5-20251001-v1:0" }'),
        "c.toml: 'routes.r.models.haiku' must be 'anthropic.' and a model with no version suffix for kind 'mantle', "
        "got 'us.anthropic.claude-haiku-4-5-20251001-v1:0'",
        "mantle-model",
    ),
    (
        _one('kind = "vertex"\nproject = "acme-ai"\nmodels = { opus = "us.anthropic.claude-opus-4-8" }'),
        "c.toml: 'routes.r.models.opus' must be a Vertex model id, like 'claude-haiku-4-5@20251001' for kind "
        "'vertex', got 'us.anthropic.claude-opus-4-8'",
        "vertex-model",
    ),
    (
        _one('kind = "openrouter"\nmodels = { opus = "claude-opus-4-8" }'),
        "c.toml: 'routes.r.models.opus' must be 'vendor/slug' for kind 'openrouter', got 'claude-opus-4-8'",
        "openrouter-model",
    ),
]


@pytest.mark.parametrize(("text", "message"), [pytest.param(t, m, id=i) for t, m, i in BAD])
def test_bad_routes_are_one_exact_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse(text, source="c.toml")
    assert str(info.value) == message


def test_a_bad_route_is_exit_78_through_the_cli(runner: CliRunner, tmp_path: Path, isolated_home: Path) -> None:
    cfg = write_config(tmp_path / "c.toml", _one('kind = "gateway"'))
    result = invoke(runner, "config", "show", "--config", str(cfg))
    assert result.exit_code == 78
    assert (
        result.stderr
        == f"outagecheck: error: {cfg}: 'routes.r' needs 'base_url' (ANTHROPIC_BASE_URL) for kind 'gateway'\n"
    )
    assert result.stdout == ""


def test_a_config_without_routes_never_imports_the_route_parser() -> None:
    code = (
        "import sys; from outagecheck import config; config.parse('timeout = 2'); "
        "print('outagecheck.routes.config' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_the_readme_routes_example_is_a_valid_config() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("### Other ways to Claude: `[[routes]]`", 1)[1].split("\n## ", 1)[0]
    block = section.split("```toml\n", 1)[1].split("```", 1)[0]
    routes = parse(block).routes
    assert [r.kind for r in routes] == [Kind.ANTHROPIC, Kind.BEDROCK, Kind.VERTEX, Kind.GATEWAY]
    assert routes[1].priority == 10


def test_config_show_writes_the_routes_back_without_secrets(runner: CliRunner, tmp_path: Path) -> None:
    text = FOUR.replace("https://llm-gw.example.com/", "https://u:secretpw@llm-gw.example.com/")
    cfg = write_config(tmp_path / "c.toml", text)
    result = invoke(runner, "config", "show", "--config", str(cfg))
    assert result.exit_code == 0
    assert "secretpw" not in result.stdout
    assert "op read" not in result.stdout  # key_command is shown as <hidden>
    shown = parse(result.stdout.split("\n", 2)[2].replace("<hidden>", "x"))
    assert [(r.name, r.kind, r.priority, r.models) for r in shown.routes] == [
        (r.name, r.kind, r.priority, r.models) for r in parse(FOUR).routes
    ]
    assert shown.routes[3].base_url == "https://***@llm-gw.example.com"
