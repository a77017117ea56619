from __future__ import annotations

import json

import pytest

from outagecheck.checks.statuspage import UnusableSummary, parse_summary
from tests.helpers import march_summary, summary


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
