"""The --json document is a contract: exit_code and surfaces[].id/service/status/impact never drift."""

from __future__ import annotations

import json
from typing import Literal, TypedDict, get_type_hints

import pytest
from typer.testing import CliRunner

from tests.conftest import invoke


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
