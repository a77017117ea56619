"""--format nagios: one plugin line with performance data, the long output, and the plugin exit codes."""

from __future__ import annotations

import re

import pytest
from pytest_httpx import HTTPXMock
from typer.testing import CliRunner

from outagecheck.model import Advice, Evidence, Report, Status, StatusPage, SurfaceResult
from outagecheck.output.nagios import to_nagios
from tests.helpers import api_overloaded, invoke

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


def _nagios(*rows: SurfaceResult, required: tuple[str, ...] | None = None) -> str:
    page = StatusPage(False, None, "timeout", "")
    advice = Advice(False, True, "No fallback needed.")
    return to_nagios(Report("t", rows, page, required or tuple(r.id for r in rows), advice))


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
