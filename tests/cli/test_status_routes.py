"""`status` with [[routes]]: a Routes table under the surfaces and a `routes` array in --json, from the same
run and deadline; without routes, nothing of routes/ is imported and no extra request is sent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner, Result

from outagecheck.output.json import schema_text
from tests.cloudfakes import Fake, anthropic, reply
from tests.helpers import ROOT, invoke, loopback_config, parse_plugin_output, routes_toml
from tests.loopback import LoopbackServer

KEY = "gw-key-0123456789abcdef"


def _routes(gw: str) -> str:
    """A gateway and an OpenRouter route, both served by the one fake at `gw`."""
    return routes_toml(
        {
            "corp-gw": {"kind": "gateway", "base_url": gw, "key_command": f"printf {KEY}", "priority": 10},
            "openrouter": {"kind": "openrouter", "base_url": f"{gw}/api", "key_command": f"printf {KEY}"},
        }
    )


def _gateway() -> Fake:
    # One fake for both routes: /v1/models for the gateway, /api/v1/key (no credit left) for OpenRouter.
    key = {"data": {"limit": 5, "usage": 5, "limit_remaining": 0}}
    return Fake(anthropic(KEY, {"/api/v1/key": reply(200, key)}))


def _status(runner: CliRunner, tmp_path: Path, loopback: LoopbackServer, *args: str) -> tuple[Result, list[str]]:
    """`status ARGS` with both routes configured, served by one fake: its result and the paths it was asked."""
    with _gateway() as gw:
        cfg = loopback_config(tmp_path, loopback, extra=_routes(gw.url))
        result = invoke(runner, "status", *args, "--config", str(cfg))
    return result, gw.paths()


def test_status_json_carries_the_routes_and_validates(
    runner: CliRunner, tmp_path: Path, loopback: LoopbackServer, no_route: Path
) -> None:
    result, asked = _status(runner, tmp_path, loopback, "--json")
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, json.loads(schema_text()))
    assert result.exit_code == 0  # routes never change status's exit code
    routes = {r["name"]: r for r in doc["routes"]}
    assert routes["corp-gw"]["status"] == "operational"
    assert routes["corp-gw"]["usable"] == "ok"
    assert routes["corp-gw"]["billed_to"] == "the account behind the gateway 127.0.0.1"
    assert routes["openrouter"]["usable"] == "no_credit"
    assert [e["endpoint"] for e in routes["openrouter"]["evidence"]] == ["key"]
    assert sorted(asked) == ["/api/v1/key", "/health/liveliness", "/v1/models?limit=1"]


def test_status_table_shows_the_routes_under_the_surfaces(
    runner: CliRunner, tmp_path: Path, loopback: LoopbackServer, no_route: Path
) -> None:
    result = _status(runner, tmp_path, loopback)[0]
    out = result.stdout
    assert out.index("Service") < out.index("Routes") < out.index("corp-gw")
    assert "no credit" in out
    assert "Note: Claude Code uses none of these routes now: anthropic, with the subscription login." in out
    assert KEY not in out


def test_status_without_routes_imports_nothing_of_routes_and_sends_nothing_more(
    tmp_path: Path, loopback: LoopbackServer
) -> None:
    cfg = loopback_config(tmp_path, loopback)
    code = (
        "import os, sys\n"
        "import outagecheck.__main__ as entry\n"
        "def leave(code):\n"
        "    loaded = sorted(m for m in sys.modules if m.startswith('outagecheck.routes'))\n"
        "    sys.stderr.write('LOADED=' + ','.join(loaded) + '\\n')\n"
        "    sys.stderr.flush()\n"
        "    os._exit(code)\n"
        "entry._exit = leave\n"
        f"sys.argv = ['outagecheck', 'status', '--json', '--config', {str(cfg)!r}]\n"
        "entry.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "LOADED=" in done.stderr, done.stderr
    assert done.stderr.split("LOADED=")[1].strip() == ""
    assert "routes" not in json.loads(done.stdout)
    assert all(not p.startswith(("/v1/", "/health")) for p in loopback.paths())


def test_status_prometheus_carries_the_route_families(
    runner: CliRunner, tmp_path: Path, loopback: LoopbackServer, no_route: Path
) -> None:
    result = _status(runner, tmp_path, loopback, "--format", "prometheus")[0]
    families = {f.name: f.samples for f in text_string_to_metric_families(result.stdout)}
    usable = {s.labels["route"]: (s.labels["usable"], s.value) for s in families["outagecheck_route_usable"]}
    assert usable == {"corp-gw": ("ok", 1), "openrouter": ("no_credit", 0)}
    assert "outagecheck_surface_up" in families


def test_status_nagios_has_a_perfdata_label_and_a_long_line_per_route(
    runner: CliRunner, tmp_path: Path, loopback: LoopbackServer, no_route: Path
) -> None:
    result = _status(runner, tmp_path, loopback, "--format", "nagios")[0]
    state, _, perf, long_output = parse_plugin_output(result.stdout)
    assert (state, result.exit_code) == ("OUTAGECHECK OK", 0)  # a route without credit is not status's alarm
    assert [label for label in perf if label.startswith("route_")] == ["route_corp-gw", "route_openrouter"]
    assert perf["route_corp-gw"]["uom"] == "s"
    assert [line for line in long_output if line.startswith("Route ")] == [
        "Route corp-gw: Operational, usable - models HTTP 200",
        "Route openrouter: Operational, no credit - key key ok, no credit left (limit 5)",
    ]
