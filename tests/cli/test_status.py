from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest
from pytest_httpx import HTTPXMock
from typer.testing import CliRunner

from outagecheck.checks.notes import offline_hint
from tests.helpers import (
    API_HELLO,
    API_MODELS,
    CF_EDGE,
    GOLDEN,
    OAUTH_HELLO,
    STATUS,
    STATUS_ORIGIN,
    TEST_KEY,
    WEB,
    invoke,
    loopback_config,
    run_entry,
    summary,
    write_config,
)
from tests.loopback import LoopbackServer


def check_golden(name: str, text: str) -> None:
    """Compare with tests/golden/NAME; OUTAGECHECK_UPDATE_GOLDEN=1 rewrites it instead."""
    path = GOLDEN / name
    if os.environ.get("OUTAGECHECK_UPDATE_GOLDEN") == "1":
        path.write_text(text)
    assert text == path.read_text()


@pytest.mark.usefixtures("mocked_march_outage")
def test_march_outage_golden_table(runner: CliRunner) -> None:
    result = invoke(runner, "status")
    assert result.exit_code == 2
    assert result.stderr == ""
    check_golden("march_outage.txt", result.stdout)


@pytest.mark.usefixtures("mocked_march_outage")
def test_march_outage_with_require_api_exits_0(runner: CliRunner) -> None:
    result = invoke(runner, "status", "--require", "api")
    assert result.exit_code == 0
    assert "Claude.ai (web) (not required)" in result.stdout


@pytest.mark.usefixtures("mocked_all_operational")
def test_all_operational_golden_table(runner: CliRunner) -> None:
    result = invoke(runner, "status")
    assert result.exit_code == 0
    check_golden("all_operational.txt", result.stdout)


def test_overloaded_api_exits_1(runner: CliRunner, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=WEB)
    httpx_mock.add_response(url=OAUTH_HELLO, json={"message": "hello"})
    httpx_mock.add_response(
        url=API_HELLO,
        status_code=529,
        json={"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
    )
    httpx_mock.add_response(url=STATUS, json=summary())
    result = invoke(runner, "status", "--json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 1 == doc["exit_code"]
    api = next(s for s in doc["surfaces"] if s["id"] == "api")
    assert api["status"] == "degraded"
    assert api["impact"] == "Overloaded: requests intermittently rejected (overloaded: HTTP 529 overloaded_error)"
    # The probe saw 529, the page says operational: the disagreement is said.
    assert any("Claude API: probes see Degraded, the status page says Operational" in n for n in doc["notes"])


def test_bot_challenge_alone_is_unknown_exit_3(runner: CliRunner, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=WEB, status_code=403, headers={"cf-mitigated": "challenge"}, text="Just a moment...")
    httpx_mock.add_response(url=OAUTH_HELLO, json={"message": "hello"})
    httpx_mock.add_response(url=API_HELLO, json={"message": "hello"})
    # Both status page bases unusable: a WAF captcha, then HTML.
    httpx_mock.add_response(url=STATUS, status_code=405, headers={"x-amzn-waf-action": "captcha"})
    httpx_mock.add_response(url=STATUS_ORIGIN, text="<html>status</html>")
    result = invoke(runner, "status", "--json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 3 == doc["exit_code"]
    web = next(s for s in doc["surfaces"] if s["id"] == "web")
    assert (web["status"], web["impact"], web["official_status"]) == (
        "unknown",
        "Could not verify: Cloudflare asks for a browser check at claude.ai (Cloudflare challenge (HTTP 403)); "
        "no status page signal",
        None,
    )
    assert doc["status_page"]["usable"] is False
    assert [a["reason"] for a in doc["status_page"]["attempts"]] == ["bot_challenge", "bad_summary"]
    assert "All" not in result.stdout  # never "all operational" without a readable page


def test_status_page_falls_back_to_origin(runner: CliRunner, mocked_march_outage: HTTPXMock) -> None:
    # Replace the status.claude.com answer registered by the fixture with a 503, the origin answers.
    mocked_march_outage.reset()
    mocked_march_outage.add_response(url=WEB, status_code=500, headers=CF_EDGE, is_reusable=True)
    mocked_march_outage.add_response(url=OAUTH_HELLO, status_code=500, headers=CF_EDGE, is_reusable=True)
    mocked_march_outage.add_response(url=API_HELLO, json={"message": "hello"})
    mocked_march_outage.add_response(url=STATUS, status_code=503)
    mocked_march_outage.add_response(url=STATUS_ORIGIN, json=summary(rwppv331jlwc="major_outage"))
    doc = json.loads(invoke(runner, "status", "--json").stdout)
    assert doc["status_page"]["url"] == STATUS_ORIGIN
    assert doc["surfaces"][0]["official_status"] == "down"


def test_every_endpoint_unreachable_blames_local_network(runner: CliRunner, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_exception(httpx.ConnectError("[Errno -3] Temporary failure in name resolution"), is_reusable=True)
    result = invoke(runner, "status")
    assert result.exit_code == 3
    assert result.stdout.count("Could not verify: local network, proxy or DNS (dns: ") == 3
    assert "the local network, proxy or DNS is the likely cause" in " ".join(result.stdout.split())


def test_api_key_goes_only_to_the_api(
    runner: CliRunner, mocked_all_operational: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    mocked_all_operational.add_response(url=API_MODELS, json={"data": [{"id": "claude-x"}], "has_more": True})
    result = invoke(runner, "status", "--json", "--verbose")
    assert result.exit_code == 0
    for request in mocked_all_operational.get_requests():
        carries_key = request.headers.get("x-api-key") == TEST_KEY
        assert carries_key == (str(request.url) == API_MODELS), request.url
    models = mocked_all_operational.get_request(url=API_MODELS)
    assert models is not None
    assert models.headers["anthropic-version"] == "2023-06-01"
    assert TEST_KEY not in result.stdout + result.stderr


def test_rejected_key_warns_and_keeps_api_status(
    runner: CliRunner, mocked_march_outage: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    mocked_march_outage.add_response(
        url=API_MODELS,
        status_code=401,
        json={"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}},
    )
    result = invoke(runner, "status", "--json")
    doc = json.loads(result.stdout)
    assert doc["surfaces"][2]["status"] == "operational"
    assert any("rejected your ANTHROPIC_API_KEY" in w for w in doc["warnings"])
    assert doc["fallback"]["available"] is False
    assert TEST_KEY not in result.stdout


def test_shared_endpoint_is_fetched_once(runner: CliRunner, mocked_all_operational: HTTPXMock) -> None:
    invoke(runner, "status")
    urls = [str(r.url) for r in mocked_all_operational.get_requests()]
    assert urls.count(API_HELLO) == 1
    assert sorted(urls) == sorted([WEB, OAUTH_HELLO, API_HELLO, STATUS])


@pytest.mark.usefixtures("mocked_march_outage")
def test_march_outage_advice_names_the_api_route(runner: CliRunner) -> None:
    out = " ".join(invoke(runner, "status").stdout.split())
    assert "the Claude API is up: go through the API" in out
    assert "export ANTHROPIC_API_KEY=sk-ant-..." in out
    assert 'claude -p "your prompt"' in out
    assert "apiKeyHelper" in out
    assert "curl -sS https://api.anthropic.com/v1/messages" in out
    assert "API rates" in out


def test_api_down_says_no_fallback(runner: CliRunner, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=WEB, status_code=502, headers=CF_EDGE, is_reusable=True)
    httpx_mock.add_response(url=OAUTH_HELLO, status_code=502, headers=CF_EDGE, is_reusable=True)
    httpx_mock.add_response(url=API_HELLO, status_code=503, headers=CF_EDGE, is_reusable=True)
    httpx_mock.add_response(url=STATUS, json=summary(k8w3r06qmzrp="major_outage"))
    result = invoke(runner, "status", "--json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 2
    assert doc["fallback"]["available"] is False
    assert doc["fallback"]["headline"].startswith("No API fallback:")
    assert any(s["command"] == "export CLAUDE_CODE_USE_BEDROCK=1" for s in doc["fallback"]["steps"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["status", "--require", "nope"], "unknown surface 'nope' for --require", id="bad-require"),
        pytest.param(
            ["status", "--require", "x\x1b]0;pwned\x07"], "unknown surface 'x\\x1b]0;pwned\\x07'", id="require-escapes"
        ),
        pytest.param(["status", "--timeout", "abc"], "Invalid value for '--timeout'", id="timeout-not-a-number"),
        pytest.param(["status", "--timeout", "0"], "--timeout must be between 0 and 300", id="timeout-zero"),
        pytest.param(["status", "--frobnicate"], "No such option: --frobnicate", id="unknown-option"),
        pytest.param(["statsu"], "No such command 'statsu'", id="unknown-command"),
    ],
)
def test_usage_errors_exit_64_with_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    result = invoke(runner, *args)
    assert result.exit_code == 64
    assert result.stdout == ""
    assert result.stderr.startswith("outagecheck: error: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_json_and_format_must_agree(runner: CliRunner) -> None:
    result = invoke(runner, "status", "--json", "--format", "nagios")
    assert result.exit_code == 64
    assert "disagree" in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("timeout = ", "invalid TOML: ", id="syntax-error-names-line"),
        pytest.param('timeout = "fast"', "'timeout' must be a number of seconds, not str", id="wrong-type"),
        pytest.param(
            "[endpoints]\napi = 'ftp://x'", "'endpoints.api' must be an http:// or https:// URL", id="bad-url"
        ),
        pytest.param("colour = true", "unknown key 'colour'", id="unknown-key"),
    ],
)
def test_config_errors_exit_78_naming_the_file(runner: CliRunner, tmp_path: Path, text: str, message: str) -> None:
    path = write_config(tmp_path / "bad.toml", text)
    result = invoke(runner, "status", "--config", str(path))
    assert result.exit_code == 78
    assert result.stderr.startswith(f"outagecheck: error: {path}: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_missing_explicit_config_exits_78(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "status", "--config", str(tmp_path / "nope.toml"))
    assert result.exit_code == 78
    assert result.stderr == f"outagecheck: error: {tmp_path / 'nope.toml'}: config file not found\n"


def test_config_from_env_is_used(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, httpx_mock: HTTPXMock
) -> None:
    path = write_config(
        tmp_path / "c.toml",
        '[endpoints]\napi = "http://gw.test/anthropic"\n'
        'claude_ai = "http://web.test"\nplatform = "http://pf.test"\nstatus_page = "http://sp.test"',
    )
    monkeypatch.setenv("OUTAGECHECK_CONFIG", str(path))
    httpx_mock.add_response(url="http://web.test/")
    # The hellos answer as the real ones do: an empty 200 would not be the service's answer.
    httpx_mock.add_response(url="http://pf.test/v1/oauth/hello", json={"message": "hello"})
    httpx_mock.add_response(url="http://gw.test/anthropic/api/hello", json={"message": "hello"})
    httpx_mock.add_response(url="http://sp.test/api/v2/summary.json", json=summary())
    # Only what's given is contacted: strict httpx_mock fails on any other request.
    assert invoke(runner, "status").exit_code == 0


def test_version_and_help(runner: CliRunner) -> None:
    assert invoke(runner, "--version").stdout.startswith("outagecheck ")
    help_text = " ".join(invoke(runner, "status", "--help").stdout.split())
    assert "64 usage error" in help_text
    assert "78 configuration error" in help_text


# -- --fail-on: the exit-code policy for scripts ------------------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "fail_on", "code"),
    [
        pytest.param("march-2026", "never", 0, id="never-reports-and-exits-0"),
        pytest.param("march-2026", "down", 2, id="down-fails-on-down"),
        pytest.param("api-overloaded", "down", 0, id="down-lets-degraded-pass"),
        pytest.param("api-overloaded", "degraded", 1, id="degraded-fails-on-degraded"),
        pytest.param("api-overloaded", "unknown", 1, id="unknown-is-the-default-mapping"),
    ],
)
def test_fail_on_sets_the_exit_code_not_the_verdict(runner: CliRunner, scenario: str, fail_on: str, code: int) -> None:
    result = invoke(runner, "status", "--replay", scenario, "--json", "--fail-on", fail_on)
    assert result.exit_code == code
    verdict = 2 if scenario == "march-2026" else 1
    assert json.loads(result.stdout)["exit_code"] == verdict  # the report still says what is down


def test_fail_on_from_the_environment(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTAGECHECK_FAIL_ON", "never")
    assert invoke(runner, "status", "--replay", "march-2026").exit_code == 0
    assert invoke(runner, "status", "--replay", "march-2026", "--fail-on", "down").exit_code == 2  # option wins
    monkeypatch.setenv("OUTAGECHECK_FAIL_ON", "sometimes")
    bad = invoke(runner, "status", "--replay", "march-2026")
    assert bad.exit_code == 64
    assert "sometimes" in bad.stderr


def test_wait_gives_up_under_the_policy(runner: CliRunner) -> None:
    args = ("wait", "--replay", "march-2026", "--require", "web", "--max-wait", "1s", "--interval", "1")
    assert invoke(runner, *args).exit_code == 2
    assert invoke(runner, *args, "--fail-on", "never").exit_code == 0
    assert invoke(runner, *args, "--fail-on", "down").exit_code == 2


def test_status_reminds_while_a_fallback_is_applied(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    # During the outage the advice is about applying it; the reminder to revert comes on every run.
    monkeypatch.setattr("outagecheck.cli.checking.fallbacks_on", lambda: (("claude-code", "2026-03-02T12:00Z"),))
    for fmt in ("table", "markdown"):
        result = invoke(runner, "status", "--replay", "march-2026", "--format", fmt)
        assert "A fallback is applied (claude-code): 'outagecheck fallback revert' undoes it" in result.stdout
    # Once the logins are back the advice itself says to revert: said once, not twice.
    healthy = invoke(runner, "status", "--replay", "all-operational")
    assert "fallback is still applied (claude-code)" in healthy.stdout
    assert "A fallback is applied" not in healthy.stdout


@pytest.mark.parametrize(
    ("args", "env", "hint"),
    [
        pytest.param(
            [],
            {},
            "Note: Nothing could be reached. To try next: 'outagecheck status --verbose' shows where each check "
            "failed; no proxy variable is set (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY): does this network need one?; "
            "'outagecheck status --replay march-2026' is a drill that needs no network.",
            id="no-proxy",
        ),
        pytest.param(
            ["--verbose"],
            {"no_proxy": "internal.example"},
            "Note: Nothing could be reached. To try next: check the proxy variables in effect (NO_PROXY); "
            "'outagecheck status --replay march-2026' is a drill that needs no network.",
            id="verbose-with-no-proxy-set",
        ),
    ],
)
def test_an_offline_first_run_says_what_to_try_next(
    runner: CliRunner,
    httpx_mock: HTTPXMock,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    hint: str,
) -> None:
    for name in (
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "https_proxy",
        "http_proxy",
        "all_proxy",
        "no_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    httpx_mock.add_exception(httpx.ConnectError("[Errno -3] Temporary failure in name resolution"), is_reusable=True)
    result = invoke(runner, "status", *args)
    assert result.exit_code == 3
    text = " ".join(result.stdout.split())  # the table wraps a long note to the terminal
    assert text.count("To try next") == 1
    assert hint in text


def test_the_offline_hint_names_proxy_variables_never_their_values() -> None:
    hint = offline_hint({"HTTPS_PROXY": "http://user:s3cret@proxy:3128", "all_proxy": "socks5://p"}, verbose=True)
    assert "(HTTPS_PROXY, ALL_PROXY)" in hint
    assert "s3cret" not in hint


def test_a_live_run_loads_none_of_the_modules_it_does_not_need(tmp_path: Path, loopback: LoopbackServer) -> None:
    # The drill's module (its bundled scenarios, the saved-report reader) is for --replay only; Cloudflare's
    # table of 1xxx codes for a Cloudflare error page; the journal's module for a machine with a journal.
    modules = ("outagecheck.checks.replay", "outagecheck.checks.cloudflare_codes", "outagecheck.fallback.journal")
    cfg = str(loopback_config(tmp_path, loopback))
    done, loaded, _ = run_entry("status", "--json", "--config", cfg, modules=modules, OUTAGECHECK_REPLAY="")
    assert loaded == "loaded: " + " ".join(f"{name}=False" for name in modules)
    assert "replay" not in json.loads(done.stdout)  # a live check, not a drill
