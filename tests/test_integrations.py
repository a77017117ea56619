"""Where people run it: GitHub Actions, Nagios/Icinga, Markdown, custom surfaces and gateways, wait, watch."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpx import HTTPXMock
from typer.testing import CliRunner

import outagecheck.output.live
from outagecheck.cli.options import parse_duration
from tests.conftest import invoke, summary, write_config
from tests.loopback import LoopbackServer
from tests.test_drills import api_overloaded

WEB, OAUTH, API, PAGE = "/web/", "/platform/v1/oauth/hello", "/api/api/hello", "/status/api/v2/summary.json"
real_sockets = pytest.mark.httpx_mock(should_mock=lambda request: False)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as s:
        s.route(WEB, body=b"<html>Claude</html>")
        s.route(OAUTH, json={"message": "hello"})
        s.route(API, json={"message": "hello"})
        s.route(PAGE, json=summary())
        yield s


def config(tmp_path: Path, server: LoopbackServer, extra: str = "", timeout: float = 3.0) -> Path:
    b = server.url
    return write_config(
        tmp_path / "c.toml",
        f'timeout = {timeout}\n[endpoints]\nclaude_ai = "{b}/web"\nplatform = "{b}/platform"\napi = "{b}/api"\n'
        f'status_page = "{b}/status"\n{extra}',
    )


# -- Markdown and Nagios ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("mocked_march_outage")
def test_markdown_is_a_table_with_incidents_and_advice(runner: CliRunner) -> None:
    result = invoke(runner, "status", "--format", "markdown")
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    header = lines.index("| Service | Status | Impact |")
    assert lines[header + 1] == "|---|---|---|"
    assert lines[header + 2] == "| Claude.ai (web) | **Down** | Login failures, session errors (http_5xx: HTTP 500) |"
    assert "**Open incidents**" in lines
    assert any(line.startswith("- [Elevated errors on claude.ai") for line in lines)
    assert "   ```sh" in lines  # commands are fenced, ready to copy


# The Monitoring Plugins development guidelines, "Performance data":
# 'label'=value[UOM];[warn];[crit];[min];[max], space-separated; value may be U; UOM s, %, B/KB/MB/TB, c.
PERFDATA = re.compile(
    r"(?P<label>'(?:[^']|'')+'|[^' =]+)=(?P<value>-?\d+(?:\.\d+)?|U)(?P<uom>s|ms|us|%|B|KB|MB|TB|c)?"
    r"(?:;(?P<warn>[^; ]*))?(?:;(?P<crit>[^; ]*))?(?:;(?P<min>[^; ]*))?(?:;(?P<max>[^; ]*))?"
)


def parse_plugin_output(text: str) -> tuple[str, str, dict[str, dict[str, str]], list[str]]:
    first, *long_output = text.splitlines()
    status, _, perf = first.partition(" | ")
    assert "|" not in status
    data = {}
    for token in perf.split(" "):
        match = PERFDATA.fullmatch(token)
        assert match, f"not valid perfdata: {token!r}"
        data[match["label"].strip("'")] = match.groupdict()
    state = status.split(" - ")[0]
    return state, status, data, long_output


@pytest.mark.usefixtures("mocked_march_outage")
def test_nagios_output_parses_and_maps_the_exit_code(runner: CliRunner) -> None:
    result = invoke(runner, "status", "--format", "nagios")
    state, status, perf, long_output = parse_plugin_output(result.stdout)
    assert (state, result.exit_code) == ("OUTAGECHECK CRITICAL", 2)
    assert status == "OUTAGECHECK CRITICAL - Claude.ai (web) down, Claude Code (CLI) down"
    assert set(perf) == {"web", "code", "api"}
    assert all(p["uom"] == "s" and p["min"] == "0" for p in perf.values())
    assert long_output[0].startswith("Claude.ai (web): Down - Login failures")


def test_nagios_states_follow_the_exit_codes(runner: CliRunner, httpx_mock: HTTPXMock) -> None:
    api_overloaded(httpx_mock)
    result = invoke(runner, "status", "--format", "nagios")
    assert parse_plugin_output(result.stdout)[0] == "OUTAGECHECK WARNING"
    assert result.exit_code == 1


def test_json_and_format_must_agree(runner: CliRunner) -> None:
    result = invoke(runner, "status", "--json", "--format", "nagios")
    assert result.exit_code == 64
    assert "disagree" in result.stderr


# -- GitHub Actions ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("mocked_march_outage")
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_github_actions_annotations_summary_and_outputs(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    summary_file, output_file = tmp_path / "summary.md", tmp_path / "output"
    summary_file.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_file))
    monkeypatch.setenv("GITHUB_OUTPUT", str(output_file))
    # The README's pre-flight step: gate only on the surface the job uses.
    result = invoke(runner, "status", "--require", "api", "--format", fmt)
    assert result.exit_code == 0
    annotations = (result.stderr if fmt == "json" else result.stdout).splitlines()
    errors = [a for a in annotations if a.startswith("::error ")]
    assert errors == [
        "::error title=Claude.ai (web) down::Login failures, session errors (http_5xx: HTTP 500)",
        "::error title=Claude Code (CLI) down::Authentication failures (http_5xx: HTTP 500)",
    ]
    if fmt == "json":
        assert json.loads(result.stdout)["exit_code"] == 0  # stdout stays one JSON document
    text = summary_file.read_text()
    assert text.startswith("earlier step\n")  # appended, never overwritten
    assert "| Claude API | **Operational** | No reported disruption |" in text
    outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines())
    assert outputs == {
        "web": "down",
        "code": "down",
        "api": "operational",
        "fallback_available": "true",
        "exit_code": "0",
    }


@pytest.mark.usefixtures("mocked_all_operational")
def test_outside_github_actions_nothing_is_written(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "output"))
    result = invoke(runner, "status")
    assert "::" not in result.stdout
    assert not (tmp_path / "output").exists()


# -- custom surfaces and the gateway row ------------------------------------------------------------------


@real_sockets
def test_custom_surface_with_env_header_expect_and_statuspage(
    runner: CliRunner, server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "litellm-secret-value-123"
    monkeypatch.setenv("LITELLM_KEY", secret)
    server.route("/health", status=204)
    other = summary()
    other["components"].append({"id": "gw1", "name": "Team gateway", "status": "partial_outage"})
    server.route("/other/api/v2/summary.json", json=other)
    extra = f"""
[surfaces.litellm]
name = "LiteLLM gateway"
url = "{server.url}/health"
expect = [204]
headers = {{ Authorization = "Bearer ${{LITELLM_KEY}}" }}
impact = "Team gateway: use the API directly"
statuspage = {{ url = "{server.url}/other", component = "gw1" }}
"""
    cfg = config(tmp_path, server, extra)
    result = invoke(runner, "status", "--config", str(cfg), "--json", "--verbose")
    doc = json.loads(result.stdout)
    row = next(s for s in doc["surfaces"] if s["id"] == "litellm")
    assert (row["service"], row["probe_status"], row["official_status"]) == (
        "LiteLLM gateway",
        "operational",
        "degraded",
    )
    assert row["status"] == "degraded"
    assert row["impact"].startswith("Team gateway: use the API directly")
    sent = next(h for _, p, h in server.requests if p == "/health")
    assert sent["authorization"] == f"Bearer {secret}"
    assert secret not in result.stdout + result.stderr
    assert "x-api-key" not in sent
    assert invoke(runner, "status", "--config", str(cfg), "--require", "litellm").exit_code == 1
    table = invoke(runner, "status", "--config", str(cfg), "--verbose").stdout
    assert "LiteLLM gateway" in table
    assert secret not in table


@real_sockets
def test_custom_surface_head_method_is_sent(runner: CliRunner, server: LoopbackServer, tmp_path: Path) -> None:
    server.route("/health", status=200)
    extra = f'[surfaces.gw]\nname = "GW"\nurl = "{server.url}/health"\nmethod = "head"\n'
    doc = json.loads(invoke(runner, "status", "--config", str(config(tmp_path, server, extra)), "--json").stdout)
    assert next(s for s in doc["surfaces"] if s["id"] == "gw")["status"] == "operational"
    assert [h[":method"] for _, p, h in server.requests if p == "/health"] == ["HEAD"]


@real_sockets
def test_custom_surface_with_unset_variable_is_unknown(
    runner: CliRunner, server: LoopbackServer, tmp_path: Path
) -> None:
    server.route("/health", json={})
    extra = (
        f'[surfaces.gw]\nname = "GW"\nurl = "{server.url}/health"\nheaders = {{ X-Key = "${{NOT_SET_ANYWHERE}}" }}\n'
    )
    doc = json.loads(invoke(runner, "status", "--config", str(config(tmp_path, server, extra)), "--json").stdout)
    row = next(s for s in doc["surfaces"] if s["id"] == "gw")
    assert (row["status"], row["evidence"][0]["reason"]) == ("unknown", "missing_env")
    assert "/health" not in server.paths()  # nothing is sent with a half-built header


@real_sockets
def test_gateway_row_from_anthropic_base_url(
    runner: CliRunner, server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route("/gw", status=401, json={"error": "no key"})
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url + "/gw")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-never-sent-to-the-gateway-0000")
    cfg = config(tmp_path, server)
    doc = json.loads(invoke(runner, "status", "--config", str(cfg), "--json").stdout)
    row = next(s for s in doc["surfaces"] if s["id"] == "gateway")
    assert (row["service"], row["status"]) == ("Gateway (ANTHROPIC_BASE_URL)", "operational")
    assert all("x-api-key" not in h for _, p, h in server.requests if p == "/gw")
    server.route("/gw", status=502, body=b"bad gateway")
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


# -- wait and watch ---------------------------------------------------------------------------------------


@real_sockets
def test_wait_returns_soon_after_recovery(runner: CliRunner, server: LoopbackServer, tmp_path: Path) -> None:
    server.route(API, status=503, body=b"down")
    recovered_at: list[float] = []

    def recover() -> None:
        time.sleep(3)
        server.route(API, json={"message": "hello"})
        recovered_at.append(time.monotonic())

    threading.Thread(target=recover, daemon=True).start()
    cfg = config(tmp_path, server, timeout=1.0)
    result = invoke(runner, "wait", "--require", "api", "--interval", "1", "--max-wait", "30s", "--config", str(cfg))
    done = time.monotonic()
    assert result.exit_code == 0
    assert done - recovered_at[0] < 2.5  # within one interval (+ one check) of the recovery
    assert "outagecheck: waiting: api down" in result.stderr
    assert "outagecheck: api operational" in result.stderr
    assert server.paths().count(PAGE) == 1  # the status page is read at most once a minute


@real_sockets
def test_wait_gives_up_with_exit_2_and_the_last_report(
    runner: CliRunner, server: LoopbackServer, tmp_path: Path
) -> None:
    server.route(API, status=529, json={"type": "error", "error": {"type": "overloaded_error"}})
    cfg = config(tmp_path, server, timeout=1.0)
    start = time.monotonic()
    result = invoke(runner, "wait", "-r", "api", "--interval", "1", "--max-wait", "2s", "--config", str(cfg), "--json")
    assert result.exit_code == 2
    assert time.monotonic() - start < 6
    assert json.loads(result.stdout)["surfaces"][2]["status"] == "degraded"
    assert "gave up after 2s: api degraded" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["wait", "--max-wait", "soon"], "is not a duration"),
        (["wait", "--interval", "0.5"], "--interval must be between 1 and 3600"),
        (["watch", "--interval", "2"], "--interval must be at least 5 seconds"),
        (["watch", "--count", "0"], "--count must be at least 1"),
    ],
)
def test_wait_and_watch_usage_errors(runner: CliRunner, args: list[str], message: str) -> None:
    result = invoke(runner, *args)
    assert result.exit_code == 64
    assert message in result.stderr


@real_sockets
def test_watch_prints_one_line_per_change_off_a_terminal(
    runner: CliRunner, server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []

    def fake_sleep(seconds: float) -> None:  # no real waiting; the web surface breaks between checks
        sleeps.append(seconds)
        server.route(WEB, status=500, body=b"down")

    monkeypatch.setattr(outagecheck.output.live.time, "sleep", fake_sleep)
    cfg = config(tmp_path, server, timeout=1.0)
    result = invoke(runner, "watch", "--interval", "5", "--count", "3", "--config", str(cfg))
    lines = result.stdout.splitlines()
    assert [line.split(" ", 1)[1] for line in lines[:3]] == [
        "web: operational (No reported disruption)",
        "code: operational (No reported disruption)",
        "api: operational (No reported disruption)",
    ]
    assert len(lines) == 4
    assert lines[3].split(" ", 1)[1].startswith("web: operational -> down (Login failures")
    assert sleeps == [5.0, 5.0]
    assert result.exit_code == 2
    assert server.paths().count(PAGE) == 1


def test_durations_parse() -> None:
    assert [parse_duration(t) for t in ("90", "90s", "10m", "1h30m", "2m30s")] == [90, 90, 600, 5400, 150]


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
