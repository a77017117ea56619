"""[surfaces.*] in the config and the gateway row from ANTHROPIC_BASE_URL, against a real server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import invoke, loopback_config, real_sockets, summary, write_config
from tests.loopback import LoopbackServer


@real_sockets
def test_custom_surface_with_env_header_expect_and_statuspage(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "litellm-secret-value-123"
    monkeypatch.setenv("LITELLM_KEY", secret)
    loopback.route("/health", status=204)
    other = summary()
    other["components"].append({"id": "gw1", "name": "Team gateway", "status": "partial_outage"})
    loopback.route("/other/api/v2/summary.json", json=other)
    extra = f"""
[surfaces.litellm]
name = "LiteLLM gateway"
url = "{loopback.url}/health"
expect = [204]
headers = {{ Authorization = "Bearer ${{LITELLM_KEY}}" }}
impact = "Team gateway: use the API_PATH directly"
statuspage = {{ url = "{loopback.url}/other", component = "gw1" }}
"""
    cfg = loopback_config(tmp_path, loopback, extra=extra)
    result = invoke(runner, "status", "--config", str(cfg), "--json", "--verbose")
    doc = json.loads(result.stdout)
    row = next(s for s in doc["surfaces"] if s["id"] == "litellm")
    assert (row["service"], row["probe_status"], row["official_status"]) == (
        "LiteLLM gateway",
        "operational",
        "degraded",
    )
    assert row["status"] == "degraded"
    assert row["impact"].startswith("Team gateway: use the API_PATH directly")
    sent = next(h for _, p, h in loopback.requests if p == "/health")
    assert sent["authorization"] == f"Bearer {secret}"
    assert secret not in result.stdout + result.stderr
    assert "x-api-key" not in sent
    assert invoke(runner, "status", "--config", str(cfg), "--require", "litellm").exit_code == 1
    table = invoke(runner, "status", "--config", str(cfg), "--verbose").stdout
    assert "LiteLLM gateway" in table
    assert secret not in table


@real_sockets
def test_custom_surface_head_method_is_sent(runner: CliRunner, loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.route("/health", status=200)
    extra = f'[surfaces.gw]\nname = "GW"\nurl = "{loopback.url}/health"\nmethod = "head"\n'
    doc = json.loads(
        invoke(runner, "status", "--config", str(loopback_config(tmp_path, loopback, extra=extra)), "--json").stdout
    )
    assert next(s for s in doc["surfaces"] if s["id"] == "gw")["status"] == "operational"
    assert [h[":method"] for _, p, h in loopback.requests if p == "/health"] == ["HEAD"]


@real_sockets
def test_custom_surface_with_unset_variable_is_unknown(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.route("/health", json={})
    extra = (
        f'[surfaces.gw]\nname = "GW"\nurl = "{loopback.url}/health"\nheaders = {{ X-Key = "${{NOT_SET_ANYWHERE}}" }}\n'
    )
    doc = json.loads(
        invoke(runner, "status", "--config", str(loopback_config(tmp_path, loopback, extra=extra)), "--json").stdout
    )
    row = next(s for s in doc["surfaces"] if s["id"] == "gw")
    assert (row["status"], row["evidence"][0]["reason"]) == ("unknown", "missing_env")
    assert "/health" not in loopback.paths()  # nothing is sent with a half-built header


@real_sockets
def test_gateway_row_from_anthropic_base_url(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loopback.route("/gw", status=401, json={"error": "no key"})
    monkeypatch.setenv("ANTHROPIC_BASE_URL", loopback.url + "/gw")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-never-sent-to-the-gateway-0000")
    cfg = loopback_config(tmp_path, loopback)
    doc = json.loads(invoke(runner, "status", "--config", str(cfg), "--json").stdout)
    row = next(s for s in doc["surfaces"] if s["id"] == "gateway")
    assert (row["service"], row["status"]) == ("Gateway (ANTHROPIC_BASE_URL)", "operational")
    assert all("x-api-key" not in h for _, p, h in loopback.requests if p == "/gw")
    loopback.route("/gw", status=502, body=b"bad gateway")
    assert invoke(runner, "status", "--config", str(cfg), "--require", "gateway").exit_code == 2
    # Anthropic's own host, or gateway = false: no row.
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://api.anthropic.com")
    doc = json.loads(invoke(runner, "status", "--config", str(cfg), "--json").stdout)
    assert [s["id"] for s in doc["surfaces"]] == ["web", "code", "api"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[surfaces.web]\nname = "x"\nurl = "https://x"\n', "'web' is a built-in surface id"),
        ('[surfaces."Bad Id"]\nname = "x"\nurl = "https://x"\n', "an id is 1-32 of a-z"),
        ('[surfaces.x]\nname = "x"\n', "needs 'url'"),
        ('[surfaces.x]\nname = "x"\nurl = "https://x"\nmethod = "POST"\n', "must be GET or HEAD"),
        ('[surfaces.x]\nname = "x"\nurl = "https://x"\nexpect = [99]\n', "(100-599)"),
        ('[surfaces.x]\nname = "x"\nurl = "https://x"\nheaders = { "a b" = "1" }\n', "is not a valid header"),
        ('[surfaces.x]\nname = "x"\nurl = "https://x"\nstatuspage = "https://s"\n', "statuspage' must be"),
        ('[surfaces.x]\nname = "x"\nurl = "https://x"\ncolour = "red"\n', "unknown key 'surfaces.x.colour'"),
    ],
)
def test_bad_custom_surface_is_a_config_error(runner: CliRunner, tmp_path: Path, toml: str, message: str) -> None:
    result = invoke(runner, "status", "--config", str(write_config(tmp_path / "c.toml", toml)))
    assert result.exit_code == 78
    assert message in result.stderr


@real_sockets
def test_unsent_custom_check_does_not_hide_a_local_network_failure(runner: CliRunner, tmp_path: Path) -> None:
    dead = "http://127.0.0.1:9"  # discard port: nothing listens
    extra = '[surfaces.gw]\nname = "GW"\nurl = "https://gw.internal/"\nheaders = { X-Key = "${NOT_SET_ANYWHERE}" }\n'
    cfg = write_config(
        tmp_path / "c.toml",
        f'[endpoints]\nclaude_ai = "{dead}"\nplatform = "{dead}"\napi = "{dead}"\nstatus_page = "{dead}"\n{extra}',
    )
    doc = json.loads(invoke(runner, "status", "--config", str(cfg), "--json").stdout)
    assert doc["local_network"] is True
    assert doc["exit_code"] == 3


@real_sockets
@pytest.mark.parametrize(
    ("status", "headers", "body", "who", "row", "code"),
    [
        # The FortiGuard page of tests/fixtures/real/fortiguard-web-filter-violation-web.json (WhatWaf#513).
        pytest.param(
            403,
            {"content-type": "text/html"},
            b"<title>Web Filter Violation</title>url(http://url.fortinet.net:8008/XX/YY/ZZ/CI/MGPGHGPGPFGHCD)",
            "web_filter",
            "unknown",
            3,
            id="a-filter-in-front-is-unknown",
        ),
        pytest.param(
            200,
            {"content-type": "text/html"},
            b"<html>Access to the web page you were trying to visit has been blocked in accordance with company"
            b" policy.</html>",
            "web_filter",
            "unknown",
            3,
            id="a-filter-200-expected-code-is-still-not-the-service",
        ),
        pytest.param(
            530,
            {"server": "cloudflare", "cf-ray": "1-FRA"},
            b"error code: 1016",
            "service_edge",
            "down",
            2,
            id="its-edge-says-its-origin-is-gone",
        ),
    ],
)
def test_custom_surface_says_who_answered(
    runner: CliRunner,
    loopback: LoopbackServer,
    tmp_path: Path,
    status: int,
    headers: dict[str, str],
    body: bytes,
    who: str,
    row: str,
    code: int,
) -> None:
    loopback.route("/health", status=status, headers=headers, body=body)
    extra = f'[surfaces.gw]\nname = "GW"\nurl = "{loopback.url}/health"\nexpect = [200]\n'
    result = invoke(runner, "status", "--config", str(loopback_config(tmp_path, loopback, extra=extra)), "--json")
    doc = json.loads(result.stdout)
    gw = next(s for s in doc["surfaces"] if s["id"] == "gw")
    assert (gw["status"], gw["evidence"][0]["answered_by"], result.exit_code) == (row, who, code)
