"""The --json document is a contract: exit_code and surfaces[].id/service/status/impact never drift."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, TypedDict, get_type_hints

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

import outagecheck.checks
from outagecheck.checks.assess import assess
from outagecheck.model import Attempt, Evidence, Incident, Report, Status, StatusPage
from outagecheck.output.json import NotAReport, from_dict, schema_text, to_dict, to_json
from outagecheck.surfaces import GATEWAY_ID, SURFACES, Surface, custom, endpoint_key
from tests.helpers import ROOT, invoke


class SurfaceContract(TypedDict):
    id: Literal["web", "code", "api"]
    service: str
    status: Literal["operational", "degraded", "down", "unknown"]
    impact: str


TOP_LEVEL = {"schema_version", "checked_at", "exit_code", "surfaces", "incidents", "fallback"}


@pytest.mark.usefixtures("mocked_march_outage")
def test_json_contract(runner: CliRunner) -> None:
    result = invoke(runner, "status", "--json")
    assert result.stderr == ""
    doc = json.loads(result.stdout)  # stdout holds one JSON document and nothing else
    assert set(doc) >= TOP_LEVEL
    assert doc["schema_version"] == 1
    assert doc["exit_code"] == result.exit_code == 2
    assert doc["checked_at"].endswith("Z")
    assert [s["id"] for s in doc["surfaces"]] == ["web", "code", "api"]
    assert [s["service"] for s in doc["surfaces"]] == ["Claude.ai (web)", "Claude Code (CLI)", "Claude API"]
    for surface in doc["surfaces"]:
        for key, kind in get_type_hints(SurfaceContract).items():
            assert key in surface
            allowed = getattr(kind, "__args__", None)
            if allowed:
                assert surface[key] in allowed
            else:
                assert isinstance(surface[key], str)
                assert surface[key]
        assert isinstance(surface["evidence"], list)
        assert surface["official_status"] in ("operational", "degraded", "down", None)
    assert doc["incidents"][0]["link"] == "https://stspg.io/mar02"
    assert doc["fallback"]["available"] is True


# -- schema v1 read back: from_dict(to_dict(r)) == r ------------------------------------------------


def _bundled() -> list[Path]:
    return sorted((Path(outagecheck.checks.__file__).parent / "scenarios").glob("*.json"))


def _without_page_components(report: Report) -> Report:
    # The status page's full component table is not part of schema v1; each row keeps its matches.
    return replace(report, status_page=replace(report.status_page, components={}))


@pytest.mark.parametrize("path", _bundled(), ids=lambda p: p.stem)
def test_bundled_scenarios_round_trip(path: Path) -> None:
    doc = json.loads(path.read_text())
    report = from_dict(doc)
    assert from_dict(to_dict(report)) == report
    again = json.loads(to_json(report))  # as written to stdout
    for key in ("surfaces", "incidents", "status_page", "fallback", "warnings", "notes", "required"):
        assert again[key] == doc[key], key


def _live_report(*extra: Surface, evidence: dict[str, Evidence] | None = None) -> Report:
    seen = {
        "web": Evidence("web", "https://claude.ai/", Status.DOWN, "http_5xx", "HTTP 500", 500, 0.1),
        "oauth_hello": Evidence("oauth_hello", "https://p/v1/oauth/hello", Status.OPERATIONAL, "ok", "HTTP 200", 200),
        "api_hello": Evidence(
            "api_hello",
            "https://a/api/hello",
            Status.DEGRADED,
            "passed_after_retry",
            "passed after retry",
            200,
            0.2,
            attempts=(
                Attempt(Status.DOWN, "reset", "connection reset", None, 0.01),
                Attempt(Status.OPERATIONAL, "ok", "HTTP 200", 200, 0.2),
            ),
        ),
        **(evidence or {}),
    }
    page = StatusPage(
        True,
        "https://status.claude.com/api/v2/summary.json",
        "ok",
        "read",
        {"rwppv331jlwc": ("claude.ai", "major_outage")},
        (
            Incident(
                "Login errors",
                "investigating",
                "major",
                "We are looking",
                "2026-03-02T12:00Z",
                "https://s/i",
                ("claude.ai",),
            ),
        ),
        "major",
    )
    ids = ("web", "code", "api", *(s.id for s in extra))
    return assess(seen, page, required=ids, surfaces=(*SURFACES, *extra), outstanding=("claude-code",))


def test_a_custom_surface_report_round_trips() -> None:
    team = custom("team", "Team gateway", "Team down", None, None)
    report = _live_report(
        team, evidence={"surface:team": Evidence("surface:team", "https://gw/h", Status.UNKNOWN, "missing_env", "x")}
    )
    assert report.surfaces[-1].id == "team"
    assert from_dict(to_dict(report)) == _without_page_components(report)


def test_a_gateway_report_round_trips() -> None:
    gateway = Surface(GATEWAY_ID, "Gateway (ANTHROPIC_BASE_URL)", (endpoint_key(GATEWAY_ID),), (), "down", "slow")
    evidence = {
        endpoint_key(GATEWAY_ID): Evidence(
            endpoint_key(GATEWAY_ID), "https://gw/", Status.OPERATIONAL, "ok", "HTTP 404 (expected)", 404
        )
    }
    report = _live_report(gateway, evidence=evidence)
    assert report.surfaces[-1].id == GATEWAY_ID
    assert from_dict(to_dict(report)) == _without_page_components(report)


@pytest.mark.parametrize(
    "doc",
    [
        pytest.param([], id="not-an-object"),
        pytest.param({"schema_version": 2}, id="newer-schema"),
        pytest.param({"schema_version": 1, "surfaces": [{"id": "web"}]}, id="surface-without-fields"),
        pytest.param(
            {"schema_version": 1, "surfaces": [], "incidents": [], "checked_at": 5, "fallback": {"steps": [1]}},
            id="bad-step",
        ),
    ],
)
def test_what_is_not_a_report_is_refused(doc: object) -> None:
    with pytest.raises(NotAReport):
        from_dict(doc)


# -- the JSON Schema (draft 2020-12): what to_dict writes, every scenario, the copy under schema/ --------


def _strict(node: Any) -> Any:
    """The schema with additionalProperties false on every object: to_dict may write nothing it does not declare."""
    if isinstance(node, dict):
        node = {k: _strict(v) for k, v in node.items()}
        if "properties" in node:
            node.setdefault("additionalProperties", False)
    elif isinstance(node, list):
        node = [_strict(v) for v in node]
    return node


SCHEMA: dict[str, Any] = json.loads(schema_text())
VALIDATOR = Draft202012Validator(_strict(SCHEMA), format_checker=Draft202012Validator.FORMAT_CHECKER)


def _errors(doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(doc)]


def test_the_schema_is_draft_2020_12_and_the_root_copy_matches() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    root_copy = ROOT / "schema" / "report-v1.schema.json"
    if os.environ.get("OUTAGECHECK_UPDATE_GOLDEN") == "1":
        root_copy.write_text(schema_text())
    assert root_copy.read_text() == schema_text(), "regenerate schema/ (OUTAGECHECK_UPDATE_GOLDEN=1 pytest)"


def test_outagecheck_schema_prints_it(runner: CliRunner) -> None:
    result = invoke(runner, "schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == SCHEMA


@pytest.mark.parametrize("path", _bundled(), ids=lambda p: p.stem)
def test_bundled_scenarios_validate(path: Path) -> None:
    assert _errors(json.loads(path.read_text())) == []


def test_live_reports_validate() -> None:
    team = custom("team", "Team gateway", "Team down", None, None)
    evidence = {"surface:team": Evidence("surface:team", "https://gw/h", Status.UNKNOWN, "missing_env", "x")}
    for report in (_live_report(), _live_report(team, evidence=evidence)):
        assert _errors(to_dict(report)) == []


@pytest.mark.usefixtures("mocked_march_outage")
def test_a_real_run_validates(runner: CliRunner) -> None:
    doc = json.loads(invoke(runner, "status", "--json").stdout)
    assert _errors(doc) == []


@pytest.mark.parametrize(
    ("path", "value", "complaint"),
    [
        pytest.param(("exit_code",), 7, "is not one of", id="exit-code-out-of-range"),
        pytest.param(("surfaces", 0, "status"), "sideways", "is not one of", id="unknown-status"),
        pytest.param(("checked_at",), "yesterday", "does not match", id="checked-at-not-utc"),
        pytest.param(("surfaces", 0, "surprise"), 1, "Additional properties", id="undeclared-field"),
    ],
)
def test_the_schema_rejects_what_from_dict_would_misread(path: tuple[Any, ...], value: Any, complaint: str) -> None:
    doc = to_dict(_live_report())
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert any(complaint in e for e in _errors(doc))
