from __future__ import annotations

import json

import pytest
from pytest_httpx import HTTPXMock
from typer.testing import CliRunner

from outagecheck.checks.statuspage import UnusableSummary, parse_maintenances, parse_summary
from outagecheck.output.json import from_dict
from tests.helpers import API_HELLO, OAUTH_HELLO, STATUS, WEB, invoke, march_summary, summary


def test_parses_the_real_shape() -> None:
    comps, incidents, indicator = parse_summary(json.dumps(summary()).encode(), page_url="https://x")
    assert comps["rwppv331jlwc"] == ("claude.ai", "operational")
    assert len(comps) == 6
    assert (incidents, indicator) == ((), "none")


def test_incident_fields_and_latest_update() -> None:
    _, incidents, indicator = parse_summary(json.dumps(march_summary()).encode(), page_url="https://x")
    assert indicator == "major"
    (incident,) = incidents
    assert incident.link == "https://stspg.io/mar02"
    assert incident.latest_update.startswith("We have confirmed that the Claude API is working")
    assert incident.updated_at == "2026-03-02T12:21:00Z"
    assert incident.components == ("claude.ai", "Claude Code")


def test_tolerates_wrong_types_and_extra_fields() -> None:
    doc = {
        "components": [
            "not a dict",
            {"id": 5, "name": "claude.ai", "status": None, "new_field": {}},
            {"id": "k8w3r06qmzrp", "status": "operational"},
        ],
        "incidents": [{"name": 3, "incident_updates": "nope", "components": [None]}, 7],
        "status": "bad",
        "page": [],
        "surprise": True,
    }
    comps, incidents, indicator = parse_summary(json.dumps(doc).encode(), page_url="https://page.example")
    assert comps == {"#1": ("claude.ai", "unknown"), "k8w3r06qmzrp": ("", "operational")}
    assert incidents[0].name == "(unnamed incident)"
    assert incidents[0].link == "https://page.example"
    assert indicator is None


def test_resolved_incidents_are_not_open() -> None:
    doc = summary()
    doc["incidents"] = [{"id": "a", "name": "old", "status": "resolved"}]
    assert parse_summary(json.dumps(doc).encode(), page_url="https://x")[1] == ()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"<html>status</html>", id="html"),
        pytest.param(b"[]", id="not-an-object"),
        pytest.param(b'{"page": {}}', id="no-components"),
        pytest.param(b"\xff\xfe", id="binary"),
    ],
)
def test_unusable_bodies(body: bytes) -> None:
    with pytest.raises(UnusableSummary):
        parse_summary(body, page_url="https://x")


# -- scheduled maintenance: a note, not an outage ------------------------------------------------------


def _maintenance(status: str, name: str = "Database upgrade") -> dict[str, object]:
    return {
        "id": "m1",
        "name": name,
        "status": status,
        "impact": "maintenance",
        "scheduled_for": "2026-03-05T02:00:00Z",
        "scheduled_until": "2026-03-05T03:00:00Z",
        "shortlink": "https://stspg.io/m1",
        "components": [{"id": "rwppv331jlwc", "name": "claude.ai"}],
    }


def test_parse_maintenances_keeps_upcoming_and_running_ones() -> None:
    doc = summary()
    doc["scheduled_maintenances"] = [
        _maintenance("in_progress"),
        _maintenance("scheduled", "Next week"),
        _maintenance("completed", "Done"),
        "junk",
    ]
    found = parse_maintenances(json.dumps(doc).encode(), page_url="https://status.claude.com")
    assert [(m.name, m.status) for m in found] == [("Database upgrade", "in_progress"), ("Next week", "scheduled")]
    assert found[0].components == ("claude.ai",)
    assert found[0].link == "https://stspg.io/m1"
    assert parse_maintenances(b"not json", page_url="x") == ()


def test_maintenance_under_way_is_a_note_not_an_outage(runner: CliRunner, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=WEB, text="<html>Claude</html>", is_reusable=True)
    httpx_mock.add_response(url=OAUTH_HELLO, json={"message": "hello"}, is_reusable=True)
    httpx_mock.add_response(url=API_HELLO, json={"message": "hello"}, is_reusable=True)
    page = summary(rwppv331jlwc="under_maintenance")
    page["scheduled_maintenances"] = [_maintenance("in_progress")]
    httpx_mock.add_response(url=STATUS, json=page, is_reusable=True)
    doc = json.loads(invoke(runner, "status", "--json").stdout)
    assert doc["surfaces"][0]["status"] == "degraded"  # planned work: degraded at worst, never down
    assert doc["status_page"]["maintenances"][0]["status"] == "in_progress"
    assert from_dict(doc).status_page.maintenances[0].components == ("claude.ai",)  # read back as written
    table = invoke(runner, "status").stdout
    assert (
        "Note: Maintenance under way until 2026-03-05T03:00:00Z: Database upgrade (claude.ai). https://stspg.io/m1"
    ) in table
