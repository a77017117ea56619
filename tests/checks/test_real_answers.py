"""Answers captured in the real world (tests/fixtures/real/, each naming its source), served by the loopback
server and read by the real CLI. Each file's expectation was written from its payload before it first ran."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.helpers import (
    API_PATH,
    FIXTURES,
    OAUTH_PATH,
    PAGE_PATH,
    TEST_KEY,
    WEB_PATH,
    invoke,
    loopback_config,
    real_sockets,
    route_healthy,
)
from tests.loopback import LoopbackServer

pytestmark = real_sockets

REAL = FIXTURES / "real"
CASES = sorted(REAL.glob("*.json"))
MODELS_PATH = "/api/v1/models?limit=1"
GATEWAY_PATH = "/gw"
# Where each `served_for` value puts the captured answer.
PATHS = {
    "web": (WEB_PATH,),
    "platform": (OAUTH_PATH,),
    "api": (API_PATH,),
    "models": (MODELS_PATH,),
    "status_page": (PAGE_PATH,),
    "gateway": (GATEWAY_PATH,),
    "every host": (WEB_PATH, OAUTH_PATH, API_PATH, PAGE_PATH),
}


def _serve(server: LoopbackServer, path: str, status: int, headers: dict[str, str], body: str) -> None:
    port = server.url.rsplit(":", 1)[1]
    headers = {k: v.replace("{port}", port) for k, v in headers.items()}
    server.route(path, status=status, headers=headers, body=body.encode())


def test_the_corpus_is_big_enough_and_every_case_names_its_source() -> None:
    assert len(CASES) >= 70
    for path in CASES:
        case = json.loads(path.read_text())
        assert case["source"].startswith(("https://", "code index id")), path.name
        assert case["served_for"] in PATHS, path.name
        assert {"exit", "rows"} <= set(case["expect"]), path.name


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in CASES])
def test_real_answer(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: Path
) -> None:
    case: dict[str, Any] = json.loads(path.read_text())
    expect = case["expect"]
    served = case["served_for"]
    loopback.route(GATEWAY_PATH, status=401, body=b'{"error":"missing bearer token"}')  # a gateway, up
    loopback.route(MODELS_PATH, json={"data": [{"type": "model", "id": "claude-x"}], "has_more": False})
    for where in PATHS[served]:
        _serve(loopback, where, case["status"], case["headers"], case["body"])
    for where, route in case.get("routes", {}).items():
        _serve(loopback, where, route["status"], route["headers"], route["body"])
    if served == "models":
        monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    if "gateway" in expect["rows"]:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", loopback.url + GATEWAY_PATH)

    result = invoke(runner, "status", "--config", str(loopback_config(tmp_path, loopback)), "--json")
    doc = json.loads(result.stdout)

    rows = {s["id"]: s["status"] for s in doc["surfaces"]}
    assert (rows, result.exit_code) == (expect["rows"], expect["exit"])
    found = {e["endpoint"]: e for s in doc["surfaces"] for e in s["evidence"]}
    for endpoint, reason in expect.get("reasons", {}).items():
        assert found[endpoint]["reason"] == reason, endpoint
    for endpoint, (who, product) in expect.get("answered_by", {}).items():
        named = [found[endpoint]["answered_by"] or "", found[endpoint]["product"] or ""]
        assert named == [who, product], endpoint
    if "page_reason" in expect:
        assert doc["status_page"]["reason"] == expect["page_reason"]
    if "page_answered_by" in expect:
        last = doc["status_page"]["attempts"][-1]
        assert [last["answered_by"] or "", last["product"] or ""] == expect["page_answered_by"]
    if "local_network" in expect:
        assert doc["local_network"] is expect["local_network"]
    if "warning" in expect:
        assert expect["warning"] in " ".join(doc["warnings"])
    if "note" in expect:
        assert expect["note"] in " ".join(doc["notes"])
    if "fallback_available" in expect:
        assert doc["fallback"]["available"] is expect["fallback_available"]


@pytest.mark.parametrize(
    ("args", "env"),
    [
        pytest.param(("--format", "table"), {}, id="table"),
        pytest.param(("--format", "markdown"), {}, id="markdown"),
        pytest.param(("--format", "nagios"), {}, id="nagios"),
        pytest.param(("--format", "json"), {}, id="json"),
        pytest.param(("--format", "nagios"), {"GITHUB_ACTIONS": "true"}, id="ci-annotations"),
    ],
)
def test_every_format_names_who_answered(
    runner: CliRunner,
    loopback: LoopbackServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    env: dict[str, str],
) -> None:
    case: dict[str, Any] = json.loads((REAL / "zscaler-403-block-page-web.json").read_text())
    _serve(loopback, WEB_PATH, case["status"], case["headers"], case["body"])
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "outputs.txt"))
    result = invoke(runner, "status", "--config", str(loopback_config(tmp_path, loopback)), *args)
    assert result.exit_code == 3
    # The table wraps its cells: compare the words without the box drawing.
    text = " ".join(result.stdout.translate({ord(c): " " for c in "│┃"}).split())
    if args[1] == "table":
        assert "your network's web filter (Zscaler)" in text
        assert "blocked 127.0.0.1" in text
    else:
        assert "your network's web filter (Zscaler) blocked 127.0.0.1" in text
    assert "the status page says" in text
    if env:  # with a machine-read stdout the workflow commands go to stderr
        assert "::warning title=Claude.ai (web) unknown::Could not verify: your network's web filter (Zscaler)" in (
            result.stderr
        )


@pytest.mark.parametrize(
    ("path", "row", "service"),
    [
        pytest.param(MODELS_PATH, "api", "Claude API", id="api-models-only"),
        pytest.param(GATEWAY_PATH, "gateway", "Gateway (ANTHROPIC_BASE_URL)", id="gateway"),
        pytest.param("/mine", "mine", "Mine", id="custom-surface"),
    ],
)
def test_a_filter_in_front_of_a_row_the_advice_does_not_cover_says_what_to_do(
    runner: CliRunner,
    loopback: LoopbackServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    row: str,
    service: str,
) -> None:
    # The fallback advice speaks for the login rows; a filter's 200 block page in front of /v1/models alone,
    # the gateway or a custom surface still gets a line saying what to do.
    case: dict[str, Any] = json.loads((REAL / "pan-os-block-page-200-web.json").read_text())
    route_healthy(loopback)
    loopback.route(MODELS_PATH, json={"data": [], "has_more": False})
    loopback.route("/mine", body=b"ok")
    loopback.route(GATEWAY_PATH, status=401, body=b'{"error":"missing bearer token"}')
    _serve(loopback, path, case["status"], case["headers"], case["body"])
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", loopback.url + GATEWAY_PATH)
    extra = f'[surfaces.mine]\nname = "Mine"\nurl = "{loopback.url}/mine"\n'
    result = invoke(runner, "status", "--config", str(loopback_config(tmp_path, loopback, extra=extra)), "--json")
    doc = json.loads(result.stdout)
    assert (result.exit_code, {s["id"]: s["status"] for s in doc["surfaces"]}[row]) == (3, "unknown")
    assert doc["warnings"] == [
        f"{service}: your network's web filter (PAN-OS) blocked 127.0.0.1: ask your IT team to allow 127.0.0.1, "
        f"or try another network. Nothing here says {service} is up or down."
    ]


@pytest.mark.parametrize(
    ("fixture", "service"),
    [
        pytest.param("cloudflare-403-1020-firewall-platform", "Claude Code (CLI)", id="claude-code-1020"),
        pytest.param("cloudflare-403-1009-country-gateway", "Gateway (ANTHROPIC_BASE_URL)", id="gateway-1009"),
    ],
)
def test_a_block_of_this_client_says_what_to_do(
    runner: CliRunner,
    loopback: LoopbackServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fixture: str,
    service: str,
) -> None:
    # A block is a decision about this machine (its address, country or client): the Impact names it, and a
    # warning says what to do, on the login rows too (the fallback advice covers only a network in the way).
    case: dict[str, Any] = json.loads((REAL / f"{fixture}.json").read_text())
    route_healthy(loopback)
    loopback.route(GATEWAY_PATH, status=401, body=b'{"error":"missing bearer token"}')
    for where in PATHS[case["served_for"]]:
        _serve(loopback, where, case["status"], case["headers"], case["body"])
    monkeypatch.setenv("ANTHROPIC_BASE_URL", loopback.url + GATEWAY_PATH)
    result = invoke(runner, "status", "--config", str(loopback_config(tmp_path, loopback)), "--json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 3
    assert doc["warnings"] == [
        f"{service}: Cloudflare refused this client at 127.0.0.1: a decision about this machine (its address, "
        f"country or client), not an outage. Try another network. Nothing here says {service} is up or down."
    ]
