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


def surface_with_header(url: str, extra: str = "") -> str:
    return f"""
[surfaces.team]
name = "Team gateway"
url = "{url}"
headers = {{ Authorization = "Bearer ${{TEAM_TOKEN}}" }}
{extra}"""


@real_sockets
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("team-token-0123456789\nX-Injected: 1", "contains a line break"),
        ("team-token-0123456789\x1b[2J", "contains a control character"),
        ("team-token-0123456789é", "contains a non-ASCII character"),
    ],
    ids=["line-break", "control", "non-ascii"],
)
@pytest.mark.parametrize("fmt", ["json", "table", "markdown", "nagios", "prometheus"])
def test_an_unsendable_header_value_blocks_its_row_and_is_never_shown(
    value: str,
    problem: str,
    fmt: str,
    runner: CliRunner,
    loopback: LoopbackServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEAM_TOKEN", value)
    loopback.route("/team", status=204)
    cfg = loopback_config(tmp_path, loopback, extra=surface_with_header(f"{loopback.url}/team"))
    result = invoke(runner, "status", "--config", str(cfg), "--format", fmt, "--verbose", "--require", "team")
    assert result.exit_code == 3, result.output
    assert "/team" not in loopback.paths()  # nothing was sent
    output = result.stdout + result.stderr
    assert "team-token-0123456789" not in output
    if fmt in ("json", "markdown", "nagios"):  # the table wraps it in its cell; Prometheus has no details
        assert f"header Authorization: ${{TEAM_TOKEN}} {problem}; nothing was sent" in output
    if fmt == "json":
        row = next(s for s in json.loads(result.stdout)["surfaces"] if s["id"] == "team")
        assert row["evidence"][0]["reason"] == "bad_credential"


@real_sockets
def test_configured_headers_never_follow_a_redirect_to_another_origin(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "team-token-0123456789"
    monkeypatch.setenv("TEAM_TOKEN", secret)
    with LoopbackServer() as thief:
        thief.route("/steal", status=200, body=b"thanks")
        # The redirect names the secret too: it is shown redacted, like every ${VAR} header value.
        loopback.route("/team", status=302, headers={"location": f"{thief.url}/steal?got={secret}"})
        cfg = loopback_config(tmp_path, loopback, extra=surface_with_header(f"{loopback.url}/team"))
        result = invoke(runner, "status", "--config", str(cfg), "--json", "--require", "team")
        assert thief.requests == []
    row = next(s for s in json.loads(result.stdout)["surfaces"] if s["id"] == "team")
    evidence = row["evidence"][0]
    assert (evidence["reason"], evidence["http_status"]) == ("redirect", 302)
    assert evidence["detail"] == f"HTTP 302 to {thief.url}/steal?got=[redacted] (not followed)"
    assert secret not in result.stdout + result.stderr
    assert [h.get("authorization") for _, p, h in loopback.requests if p == "/team"] == [f"Bearer {secret}"]


@real_sockets
@pytest.mark.parametrize("fmt", ["json", "prometheus", "table", "markdown", "nagios"])
def test_credentials_in_configured_urls_are_never_shown(
    fmt: str, runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = loopback.url.removeprefix("http://")
    loopback.route("/gw?token=gwtoken-0123456789", status=502, body=b"bad gateway")
    loopback.route("/team?key=teamkey-0123456789", status=500, body=b"down")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://gwuser:gwpassword@{host}/gw?token=gwtoken-0123456789")
    extra = f'[surfaces.team]\nname = "Team"\nurl = "http://teamuser:pw@{host}/team?key=teamkey-0123456789"\n'
    cfg = loopback_config(tmp_path, loopback, extra=extra)
    result = invoke(runner, "status", "--config", str(cfg), "--format", fmt, "--verbose")
    assert result.exit_code == 2, result.output
    output = result.stdout + result.stderr
    for secret in ("gwuser", "gwpassword", "gwtoken-0123456789", "teamuser", ":pw@", "teamkey-0123456789"):
        assert secret not in output, secret
    if fmt in ("json", "prometheus"):  # the formats that show URLs whole (the table wraps them)
        assert f"http://***@{host}/gw?token=***" in output
        assert f"http://***@{host}/team?key=***" in output


def test_fallback_and_config_show_mask_urls(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://gwuser:gwpassword@gw.example/v1?token=gwtoken-0123456789")
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "gateway-token-0123456789abcdef")
    monkeypatch.setenv("PATH", str(tmp_path))  # no `claude` to ask
    advice = invoke(runner, "fallback")
    assert "https://***@gw.example/v1?token=***" in advice.stdout
    toml = (
        '[endpoints]\napi = "https://u:apipassword@api.example"\n'
        '[surfaces.team]\nname = "Team"\nurl = "https://team.example/health?k=apikey-0123456789"\n'
    )
    shown = invoke(runner, "config", "show", "--config", str(write_config(tmp_path / "c.toml", toml)))
    assert shown.exit_code == 0, shown.stderr
    assert "https://***@api.example" in shown.stdout
    assert "https://team.example/health?k=***" in shown.stdout
    for text in (advice.stdout + advice.stderr, shown.stdout):
        for secret in ("gwpassword", "gwtoken-0123456789", "apipassword", "apikey-0123456789"):
            assert secret not in text


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("https://bob:hunter2@gw.example:99999/?token=sekrit-token-123", "'https://***@gw.example:99999/?token=***'"),
        ("https://bob:hunter2@gw.example/\n?token=sekrit-token-123", "'https://***@gw.example/\\n?token=[redacted]'"),
    ],
    ids=["bad-port", "line-break"],
)
def test_a_bad_base_url_is_refused_without_its_credentials(
    value: str, shown: str, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", value)
    result = invoke(runner, "status")
    assert result.exit_code == 78
    assert result.stderr.endswith(f": {shown}\n")
    assert "hunter2" not in result.stderr
    assert "sekrit-token-123" not in result.stderr


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
