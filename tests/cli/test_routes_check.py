"""`outagecheck routes check`: the real CLI against loopback fakes; exit codes as `status`, four formats,
names checked, --deep naming the payer first, nothing secret printed."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from outagecheck.output.json import schema_text
from tests.cloudfakes import Fake, anthropic, bearer, gce_metadata, reply
from tests.helpers import invoke, routes_toml, write_config

KEY = "gw-key-0123456789abcdef"


def _routes(up: str, down: str) -> str:
    gateway = {"kind": "gateway", "key_command": f"printf {KEY}"}
    return routes_toml(
        {
            "corp-gw": gateway | {"base_url": up, "priority": 10},
            "backup-gw": gateway | {"base_url": down, "models": {"sonnet": "claude-sonnet-4-5"}},
        }
    )


@pytest.fixture
def two_gateways(tmp_path: Path, no_route: Path) -> Iterator[tuple[Path, Fake, Fake]]:
    up = Fake(anthropic(KEY))
    down = Fake(lambda req: reply(503, {"type": "error", "error": {"type": "api_error", "message": "upstream"}}))
    up.__enter__()
    down.__enter__()
    cfg = write_config(tmp_path / "c.toml", _routes(up.url, down.url))
    yield cfg, up, down
    up.__exit__()
    down.__exit__()


def test_table_lists_every_route_best_first_and_exits_as_status(
    runner: CliRunner, two_gateways: tuple[Path, Fake, Fake]
) -> None:
    cfg, _, _ = two_gateways
    result = invoke(runner, "routes", "check", "--config", str(cfg))
    assert result.exit_code == 2  # a route is down: the worst route decides, as the worst surface does for status
    out = result.stdout
    assert out.startswith("Routes\n")
    assert out.index("corp-gw") < out.index("backup-gw")  # priority 10 first
    assert "Operational" in out
    assert "Down" in out
    assert KEY not in out
    assert out.endswith("Claude Code uses none of these routes now: anthropic, with the subscription login.\n")


def test_json_validates_against_the_schemas_route_definition(
    runner: CliRunner, two_gateways: tuple[Path, Fake, Fake]
) -> None:
    cfg, _, _ = two_gateways
    result = invoke(runner, "routes", "check", "--json", "--config", str(cfg))
    doc = json.loads(result.stdout)
    assert doc["exit_code"] == result.exit_code == 2
    schema = json.loads(schema_text())
    for route in doc["routes"]:
        jsonschema.validate(route, {"$defs": schema["$defs"], "$ref": "#/$defs/route"})
    assert [(r["name"], r["status"], r["usable"]) for r in doc["routes"]] == [
        ("corp-gw", "operational", "ok"),
        ("backup-gw", "down", "ok"),
    ]


def test_names_pick_routes_and_an_unknown_one_is_a_usage_error(
    runner: CliRunner, two_gateways: tuple[Path, Fake, Fake]
) -> None:
    cfg, _up, down = two_gateways
    result = invoke(runner, "routes", "check", "corp-gw", "--format", "nagios", "--config", str(cfg))
    assert result.exit_code == 0
    assert result.stdout.startswith("ROUTES OK - 1 of 1 usable: corp-gw operational | usable=1 'corp-gw_ms'=")
    assert down.requests == []
    wrong = invoke(runner, "routes", "check", "nope", "--config", str(cfg))
    assert wrong.exit_code == 64
    assert wrong.stderr == "outagecheck: error: unknown route 'nope' (choose from corp-gw, backup-gw)\n"


def test_prometheus_parses_with_the_real_parser(runner: CliRunner, two_gateways: tuple[Path, Fake, Fake]) -> None:
    cfg, _, _ = two_gateways
    result = invoke(runner, "routes", "check", "-f", "prometheus", "--config", str(cfg))
    families = {f.name: f.samples for f in text_string_to_metric_families(result.stdout)}
    up = {s.labels["route"]: s.value for s in families["outagecheck_route_up"]}
    assert up == {"corp-gw": 1, "backup-gw": 0}
    status = {(s.labels["route"], s.labels["status"]) for s in families["outagecheck_route_status"] if s.value == 1}
    assert status == {("corp-gw", "operational"), ("backup-gw", "down")}
    assert [s.value for s in families["outagecheck_routes_exit_code"]] == [2]


def test_deep_names_the_payer_before_sending_one_paid_message(
    runner: CliRunner, two_gateways: tuple[Path, Fake, Fake]
) -> None:
    cfg, up, _ = two_gateways
    result = invoke(runner, "routes", "check", "corp-gw", "--deep", "--config", str(cfg))
    first = result.stderr.splitlines()[0]
    payer = "billed to the account behind the gateway 127.0.0.1"
    assert first == f"--deep: one paid 1-token message per pinned model of corp-gw, {payer}"
    (paid,) = [r for r in up.requests if r.path == "/v1/messages"]
    assert json.loads(paid.body)["max_tokens"] == 1


def test_no_routes_configured_is_a_config_error(runner: CliRunner, tmp_path: Path, no_route: Path) -> None:
    cfg = write_config(tmp_path / "c.toml", "timeout = 2\n")
    result = invoke(runner, "routes", "check", "--config", str(cfg))
    assert result.exit_code == 78
    assert (
        result.stderr
        == f"outagecheck: error: no [[routes]] in {cfg}: add one to check it (README: Other ways to Claude)\n"
    )


@pytest.mark.parametrize("value", ["0", "-1", "301", "nan"])
def test_a_bad_timeout_is_a_usage_error(runner: CliRunner, two_gateways: tuple[Path, Fake, Fake], value: str) -> None:
    cfg, up, _ = two_gateways
    result = invoke(runner, "routes", "check", "--timeout", value, "--config", str(cfg))
    assert result.exit_code == 64
    assert result.stderr.startswith("outagecheck: error: --timeout must be between 0 and 300 seconds")
    assert up.requests == []


def test_fallback_lists_the_usable_routes_best_first_with_what_claude_code_needs(
    runner: CliRunner, two_gateways: tuple[Path, Fake, Fake], monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg, _, _ = two_gateways
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no claude installed: outagecheck's own reading
    result = invoke(runner, "fallback", "--config", str(cfg))
    assert result.exit_code == 0
    tail = result.stdout.split("Other routes", 1)[1].splitlines()
    assert tail == [
        ", best first (checked now, for free):",
        "  corp-gw (gateway): up and usable",
        "    outagecheck fallback apply claude-code --to corp-gw",  # the switch exists (issue 26)
        "  backup-gw (gateway): down",
    ]
    assert "Claude Code needs:" not in result.stdout  # the switch replaces the hand-set variables


def test_fallback_reads_claude_codes_settings_layers_once(
    runner: CliRunner, two_gateways: tuple[Path, Fake, Fake], monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    from outagecheck.routes import settings  # noqa: PLC0415  # the one reader, counted

    cfg, up, _ = two_gateways
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    write_config(isolated_home / ".claude" / "settings.json", json.dumps({"env": {"ANTHROPIC_BASE_URL": up.url}}))
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", KEY)
    reads: list[object] = []
    real = settings.settings_layers

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(settings, "settings_layers", counted)
    result = invoke(runner, "fallback", "--config", str(cfg))
    assert result.exit_code == 0, result.output
    assert len(reads) == 1  # the guide's reading serves the Other routes too
    assert "  corp-gw (gateway, Claude Code uses it now): up and usable" in result.stdout  # from that reading


def test_a_full_stdout_is_exit_74_in_one_line(two_gateways: tuple[Path, Fake, Fake], tmp_path: Path) -> None:
    cfg, _, _ = two_gateways
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "outagecheck", "routes", "check", "--json", "--config", str(cfg)],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 74
    assert done.stderr.startswith("outagecheck: error: cannot write the report to stdout")
    assert "Traceback" not in done.stderr


def test_the_route_claude_code_uses_now_is_marked(
    runner: CliRunner, two_gateways: tuple[Path, Fake, Fake], monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg, up, _ = two_gateways
    monkeypatch.setenv("ANTHROPIC_BASE_URL", up.url)  # Claude Code goes through corp-gw now
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", KEY)
    result = invoke(runner, "routes", "check", "--json", "--config", str(cfg))
    assert [(r["name"], r["current"]) for r in json.loads(result.stdout)["routes"]] == [
        ("corp-gw", True),
        ("backup-gw", False),
    ]
    table = invoke(runner, "routes", "check", "--config", str(cfg)).stdout
    assert table.startswith("Routes (Claude Code uses corp-gw now)\n")
    assert "none of these routes" not in table


@pytest.mark.parametrize(
    ("width", "evidence"),
    [
        pytest.param(80, ["Route evidence", "  corp-gw: models HTTP 200", "  backup-gw: models HTTP 503"], id="80"),
        pytest.param(120, [], id="120-evidence-in-its-column"),
    ],
)
def test_the_table_fits_the_terminal_and_the_evidence_stays_whole(
    runner: CliRunner,
    two_gateways: tuple[Path, Fake, Fake],
    monkeypatch: pytest.MonkeyPatch,
    width: int,
    evidence: list[str],
) -> None:
    cfg, _, _ = two_gateways
    monkeypatch.setenv("COLUMNS", str(width))
    lines = invoke(runner, "routes", "check", "--config", str(cfg)).stdout.splitlines()
    table = lines[1 : lines.index(next(line for line in lines if line.startswith("└"))) + 1]
    assert all(len(line) <= width for line in table)
    assert ("Evidence" in table[1]) is (not evidence)
    assert lines[len(table) + 1 : -1] == evidence


def test_a_vertex_route_takes_its_token_from_the_metadata_server_claude_code_asks(
    runner: CliRunner, tmp_path: Path, no_route: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No ADC file, off GCE: GCE_METADATA_HOST names the server Claude Code's Google auth would ask (gcp-metadata).
    token = "ya29.metadata-token-0123456789abcdef"
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CONFIG", "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    with Fake(gce_metadata(token, "gce-home-project", bearer(token, reply(200, {"input_tokens": 8})))) as fake:
        host = fake.url.removeprefix("http://")
        monkeypatch.setenv("GCE_METADATA_HOST", host)
        monkeypatch.delenv("GCE_METADATA_IP", raising=False)  # it would win over GCE_METADATA_HOST
        route = f'[[routes]]\nname = "v"\nkind = "vertex"\nproject = "acme-ai"\nbase_url = "{fake.url}/v1"\n'
        result = invoke(runner, "routes", "check", "--json", "--config", str(write_config(tmp_path / "c.toml", route)))
    (doc,) = json.loads(result.stdout)["routes"]
    assert (doc["name"], doc["status"], doc["usable"], result.exit_code) == ("v", "operational", "ok", 0)
    assert (
        fake.paths()[-1]
        == "/v1/projects/acme-ai/locations/us-east5/publishers/anthropic/models/count-tokens:rawPredict"
    )
    assert token not in result.output


def test_an_apps_gateway_forced_by_managed_settings_outranks_the_matching_route(
    runner: CliRunner, two_gateways: tuple[Path, Fake, Fake], monkeypatch: pytest.MonkeyPatch, no_route: Path
) -> None:
    cfg, up, _ = two_gateways
    monkeypatch.setenv("ANTHROPIC_BASE_URL", up.url)  # the provider settings point at corp-gw ...
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", KEY)
    managed = write_config(no_route / "managed-settings.json", json.dumps({"forceLoginMethod": "gateway"}))
    doc = json.loads(invoke(runner, "routes", "check", "--json", "--config", str(cfg)).stdout)
    assert [r["current"] for r in doc["routes"]] == [False, False]  # ... but the gateway session outranks them
    table = invoke(runner, "routes", "check", "--config", str(cfg)).stdout
    assert table.endswith(
        f"Claude Code uses none of these routes now: managed settings {managed} forces the Claude apps gateway.\n"
    )
