"""The routes for people and machines: the Routes table, the `routes` array (written and read back), Nagios and
Prometheus lines of `routes check`."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console, Group

import outagecheck.checks
from outagecheck.model import Evidence, Status
from outagecheck.output import live
from outagecheck.output import routes as shown
from outagecheck.output.json import from_dict, to_dict
from outagecheck.output.markdown import to_markdown
from outagecheck.surfaces import Blocker, Kind, Route, RouteResult
from outagecheck.text import clean_all

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
    out = io.StringIO()
    console = Console(file=out, width=200, no_color=True)
    assert live._routes(from_dict(_march()), console) == []
    (grid,) = live._routes(replace(from_dict(_march()), routes=(BEDROCK,)), console)
    console.print(grid)
    assert "bedrock-us (now)" in out.getvalue()


def test_watch_on_a_narrow_terminal_puts_the_evidence_under_the_table() -> None:
    out = io.StringIO()
    console = Console(file=out, width=80, no_color=True)
    console.print(Group(*live._routes(replace(from_dict(_march()), routes=(BEDROCK, VERTEX)), console)))
    evidence = out.getvalue().split("Route evidence\n")[1]
    assert max(len(line) for line in out.getvalue().splitlines()) <= 80  # the live view wraps every line
    assert " ".join(evidence.split()) == f"bedrock-us: list_profiles HTTP 200 vertex: {VERTEX.detail}"


# A route whose evidence is long and hostile: a URL and a command to paste whole, a feed's incident, and
# remote text that looks like rich markup and carries an escape sequence (text.clean drops it first).
LONG = clean_all(
    replace(
        VERTEX,
        route=Route("openrouter-personal", Kind.OPENROUTER),
        detail="no credit left: limit 5, usage 5 (https://openrouter.ai/settings/credits) [bold]x[/bold]\x1b[2J",
        feed_incidents=("Elevated errors on Claude Sonnet 4.5 [investigating]",),
        billed_to="your OpenRouter credits",
    )
)


def _routes_at(width: int, *results: RouteResult) -> str:
    out = io.StringIO()
    shown.print_routes(results, Console(file=out, width=width, no_color=True))
    return out.getvalue()


@pytest.mark.parametrize("width", [80, 120])
def test_the_routes_table_fits_the_terminal_and_keeps_every_word_of_the_evidence(width: int) -> None:
    text = _routes_at(width, BEDROCK, VERTEX, API, LONG)
    table, evidence = text.split("Route evidence\n")
    assert max(len(line) for line in table.splitlines()) <= width
    assert "…" not in text  # nothing cut to an ellipsis
    assert "openrouter-personal " in table  # a route's name is never folded
    assert evidence.splitlines() == [  # one line each, whole: the terminal wraps them, so they paste whole
        "  bedrock-us: list_profiles HTTP 200",
        "  vertex: Google ADC login expired: run gcloud auth application-default login",
        "  api: models HTTP 503; shares fate with api",
        "  openrouter-personal: no credit left: limit 5, usage 5 (https://openrouter.ai/settings/credits) "
        "[bold]x[/bold][2J; Elevated errors on Claude Sonnet 4.5 [investigating]",
    ]
    assert "\x1b" not in text


def test_the_evidence_stays_in_its_column_when_every_row_fits() -> None:
    text = _routes_at(120, BEDROCK)
    assert "Route evidence" not in text
    header, row = text.splitlines()[2], text.splitlines()[4]
    assert [cell.strip() for cell in header.split("┃")[1:-1]] == [
        "Route",
        "Kind",
        "Status",
        "Usable",
        "Who pays",
        "Evidence",
    ]
    assert "list_profiles HTTP 200" in row  # the whole evidence on the route's own line
    assert _routes_at(80, BEDROCK).endswith("Route evidence\n  bedrock-us: list_profiles HTTP 200\n")
