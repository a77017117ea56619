"""The routes for people and machines: the Routes table, the `routes` array (written and read back), Nagios and
Prometheus lines of `routes check`."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

from rich.console import Console

import outagecheck.checks
from outagecheck.model import Evidence, Status
from outagecheck.output import live
from outagecheck.output import routes as shown
from outagecheck.output.json import from_dict, to_dict
from outagecheck.output.markdown import to_markdown
from outagecheck.surfaces import Blocker, Kind, Route, RouteResult

BEDROCK = RouteResult(
    Route("bedrock-us", Kind.BEDROCK, region="us-east-1", priority=10),
    Status.OPERATIONAL,
    "ok",
    "list_profiles HTTP 200",
    evidence=(
        Evidence(
            "list_profiles",
            "https://bedrock.us-east-1.amazonaws.com/inference-profiles",
            Status.OPERATIONAL,
            "ok",
            "HTTP 200",
            200,
            0.2,
        ),
    ),
    billed_to="the AWS account of profile p",
    status_feed="https://health.aws.amazon.com/public/currentevents",
    current=True,
    latency_ms=200.0,
)
VERTEX = RouteResult(
    Route("vertex", Kind.VERTEX),
    Status.UNKNOWN,
    "credentials_expired",
    "Google ADC login expired: run gcloud auth application-default login",
    blocker=Blocker.CREDENTIALS_EXPIRED,
    billed_to="GCP project acme-ai",
)
API = RouteResult(Route("api", Kind.ANTHROPIC), Status.DOWN, "http_5xx", "models HTTP 503", shares_fate_with=("api",))


def _march() -> dict[str, object]:
    path = Path(outagecheck.checks.__file__).parent / "scenarios" / "march-2026.json"
    doc: dict[str, object] = json.loads(path.read_text())
    return doc


def test_a_report_with_routes_round_trips_through_json() -> None:
    report = replace(from_dict(_march()), routes=(BEDROCK, VERTEX, API))
    doc = to_dict(report)
    assert [r["usable"] for r in doc["routes"]] == ["ok", "credentials_expired", "ok"]
    again = from_dict(json.loads(json.dumps(doc)))
    assert to_dict(again) == doc  # what a saved report says comes back as it was written
    assert again.routes[1].blocker is Blocker.CREDENTIALS_EXPIRED


def test_the_table_marks_the_current_route_and_names_blockers() -> None:
    out = io.StringIO()
    shown.print_routes((BEDROCK, VERTEX, API), Console(file=out, width=200, no_color=True))
    text = out.getvalue()
    assert text.splitlines()[0] == "Routes (Claude Code uses bedrock-us now)"
    assert "bedrock-us (now)" in text
    assert "credentials expired" in text
    assert "shares fate with api" in text


def test_exit_code_nagios_and_prometheus() -> None:
    assert int(shown.exit_code((BEDROCK, VERTEX, API))) == 2
    assert int(shown.exit_code((BEDROCK, VERTEX))) == 3
    assert int(shown.exit_code((BEDROCK,))) == 0
    assert shown.to_nagios((BEDROCK, VERTEX)) == (
        "ROUTES UNKNOWN - 1 of 2 usable: bedrock-us operational, vertex unknown (credentials_expired)"
        " | usable=1 'bedrock-us_ms'=200ms\n"
    )
    text = shown.to_prometheus((VERTEX,))
    assert 'outagecheck_route_status{route="vertex",kind="vertex",status="unknown"} 1' in text
    assert 'outagecheck_route_usable{route="vertex",kind="vertex",usable="credentials_expired"} 0' in text
    assert "outagecheck_routes_exit_code 3" in text


def test_markdown_has_a_routes_table_under_the_surfaces() -> None:
    text = to_markdown(replace(from_dict(_march()), routes=(BEDROCK, VERTEX)))
    assert "| bedrock-us (now) | bedrock | **Operational** | usable | the AWS account of profile p |" in text
    assert "| vertex | vertex | **Unknown** | credentials expired | GCP project acme-ai |" in text
    assert text.index("| Service |") < text.index("| Route |")
    assert "| Route |" not in to_markdown(from_dict(_march()))


def test_watch_shows_the_routes_table_only_when_routes_are_configured() -> None:
    assert live._routes(from_dict(_march())) == []
    (grid,) = live._routes(replace(from_dict(_march()), routes=(BEDROCK,)))
    out = io.StringIO()
    Console(file=out, width=200, no_color=True).print(grid)
    assert "bedrock-us (now)" in out.getvalue()
