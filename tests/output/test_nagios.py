"""--format nagios: one plugin line with performance data, the long output, and the plugin exit codes."""

from __future__ import annotations

import pytest
from pytest_httpx import HTTPXMock
from typer.testing import CliRunner

from outagecheck.model import Advice, Evidence, Report, Status, StatusPage, SurfaceResult
from outagecheck.output.nagios import to_nagios
from outagecheck.surfaces import Blocker, Kind, Route, RouteResult
from tests.helpers import api_overloaded, invoke, parse_plugin_output


@pytest.mark.usefixtures("mocked_march_outage")
def test_nagios_output_parses_and_maps_the_exit_code(runner: CliRunner) -> None:
    result = invoke(runner, "status", "--format", "nagios")
    state, status, perf, long_output = parse_plugin_output(result.stdout)
    assert (state, result.exit_code) == ("OUTAGECHECK CRITICAL", 2)
    assert status == "OUTAGECHECK CRITICAL - Claude.ai (web) down, Claude Code (CLI) down"
    assert set(perf) == {"web", "code", "api"}
    assert all(p["uom"] == "s" and p["min"] == "0" for p in perf.values())
    # warn = slow (default 3 s), crit = max = the deadline (default 5 s)
    assert {(p["warn"], p["crit"], p["max"]) for p in perf.values()} == {("3", "5", "5")}
    assert long_output[0].startswith("Claude.ai (web): Down - Login failures")


def test_nagios_states_follow_the_exit_codes(runner: CliRunner, httpx_mock: HTTPXMock) -> None:
    api_overloaded(httpx_mock)
    result = invoke(runner, "status", "--format", "nagios")
    assert parse_plugin_output(result.stdout)[0] == "OUTAGECHECK WARNING"
    assert result.exit_code == 1


# -- pure: to_nagios of a finished report ------------------------------------------------------------


def _row(sid: str, status: Status, *latencies: float | None) -> SurfaceResult:
    evidence = tuple(
        Evidence(f"{sid}{i}", "https://x/", status, "ok", "", 200 if latency is not None else None, latency)
        for i, latency in enumerate(latencies)
    )
    return SurfaceResult(sid, f"Svc {sid}", status, f"impact | {sid}", None, None, evidence)


def _nagios(*rows: SurfaceResult, required: tuple[str, ...] | None = None, routes: tuple[RouteResult, ...] = ()) -> str:
    page = StatusPage(False, None, "timeout", "")
    advice = Advice(False, True, "No fallback needed.")
    return to_nagios(Report("t", rows, page, required or tuple(r.id for r in rows), advice, routes=routes))


@pytest.mark.parametrize(
    ("rows", "required", "first"),
    [
        pytest.param(
            (_row("web", Status.OPERATIONAL, 0.1), _row("api", Status.OPERATIONAL, 0.2, 0.05)),
            None,
            "OUTAGECHECK OK - 2 of 2 surfaces operational | web=0.100s;;;0; api=0.200s;;;0;",
            id="ok-uses-the-slowest-latency",
        ),
        pytest.param(
            (_row("web", Status.DEGRADED, 3.5), _row("api", Status.UNKNOWN, None)),
            None,
            "OUTAGECHECK WARNING - Svc web degraded, Svc api unknown | web=3.500s;;;0; api=U;;;0;",
            id="warning-and-undetermined-latency",
        ),
        pytest.param(
            (_row("web", Status.DOWN), _row("api", Status.OPERATIONAL, 0.1)),
            ("api",),
            "OUTAGECHECK OK - 1 of 1 surfaces operational | web=U;;;0; api=0.100s;;;0;",
            id="not-required-does-not-count",
        ),
        pytest.param(
            (_row("web", Status.UNKNOWN),),
            None,
            "OUTAGECHECK UNKNOWN - Svc web unknown | web=U;;;0;",
            id="unknown",
        ),
    ],
)
def test_first_line(rows: tuple[SurfaceResult, ...], required: tuple[str, ...] | None, first: str) -> None:
    text = _nagios(*rows, required=required)
    assert text.splitlines()[0] == first
    parse_plugin_output(text)  # valid perfdata whatever the row


def test_long_output_has_no_pipe() -> None:
    lines = _nagios(_row("web", Status.DOWN)).splitlines()
    assert lines[1] == "Svc web: Down - impact / web"


@pytest.mark.usefixtures("mocked_march_outage")
def test_nagios_thresholds_follow_slow_and_timeout(runner: CliRunner) -> None:
    result = invoke(runner, "status", "--format", "nagios", "--slow", "1.5", "--timeout", "4")
    perf = parse_plugin_output(result.stdout)[2]
    assert {(p["warn"], p["crit"], p["min"], p["max"]) for p in perf.values()} == {("1.5", "4", "0", "4")}


def test_each_route_adds_a_perfdata_label_and_a_long_line_but_never_changes_the_state() -> None:
    gateway = RouteResult(
        Route("corp-gw", Kind.GATEWAY), Status.OPERATIONAL, "ok", "models HTTP 200", current=True, latency_ms=120.0
    )
    vertex = RouteResult(
        Route("vertex", Kind.VERTEX),
        Status.UNKNOWN,
        "credentials_expired",
        "Google ADC login expired | run gcloud auth application-default login",  # remote text: no '|' stays
        blocker=Blocker.CREDENTIALS_EXPIRED,
    )
    text = _nagios(_row("web", Status.OPERATIONAL, 0.1), routes=(gateway, vertex))
    state, status, perf, long_output = parse_plugin_output(text)
    assert state == "OUTAGECHECK OK"
    assert status == "OUTAGECHECK OK - 1 of 1 surfaces operational"  # a route unknown is no alarm of status's
    assert text.splitlines()[0].endswith(" | web=0.100s;;;0; route_corp-gw=0.120s;;;0; route_vertex=U;;;0;")
    assert list(perf) == ["web", "route_corp-gw", "route_vertex"]
    assert long_output == [
        "Svc web: Operational - impact / web",
        "Route corp-gw (Claude Code uses it now): Operational, usable - models HTTP 200",
        "Route vertex: Unknown, credentials expired - Google ADC login expired / run gcloud auth "
        "application-default login",
    ]
