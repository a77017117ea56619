"""Outage drills: --replay renders a saved report through the same output, exit code and advice, with no
network; the bundled scenarios are regenerated from (and checked against) real runs on mocked HTTP."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_httpx import HTTPXMock
from typer.testing import CliRunner

from tests.helpers import GOLDEN, ROOT, all_operational, api_down, api_overloaded, invoke, march

SCENARIOS = ROOT / "src" / "outagecheck" / "checks" / "scenarios"

BUNDLED: dict[str, tuple[str, Callable[[HTTPXMock], None]]] = {
    "march-2026": ("2026-03-02: claude.ai and Claude Code logins down, the API up (exit 2)", march),
    "api-down": ("Everything down, the API too: no API fallback (exit 2)", api_down),
    "api-overloaded": ("The API answers 529 overloaded; logins fine (exit 1)", api_overloaded),
    "all-operational": ("A good day: every surface and the status page operational (exit 0)", all_operational),
}
STAMP = "2026-03-02T12:30:00Z"


def stable(doc: dict[str, Any]) -> dict[str, Any]:
    """A report with what changes from run to run (time, latencies) pinned."""
    doc = json.loads(json.dumps(doc))
    doc["checked_at"] = STAMP
    for e in [*(e for s in doc["surfaces"] for e in s["evidence"]), *doc["status_page"]["attempts"]]:
        e["latency_s"] = 0.1
        for a in e.get("attempts", []):
            a["latency_s"] = 0.1
    return doc


@pytest.mark.parametrize("name", list(BUNDLED))
def test_bundled_scenario_is_a_real_run(runner: CliRunner, httpx_mock: HTTPXMock, name: str) -> None:
    description, setup = BUNDLED[name]
    setup(httpx_mock)
    live = stable(json.loads(invoke(runner, "status", "--json").stdout))
    live = {"scenario": {"name": name, "description": description}, **live}
    path = SCENARIOS / f"{name}.json"
    if os.environ.get("OUTAGECHECK_UPDATE_GOLDEN") == "1":
        path.write_text(json.dumps(live, indent=2, ensure_ascii=False) + "\n")
    assert json.loads(path.read_text()) == live


def test_replay_march_prints_the_march_table_and_exits_2(runner: CliRunner) -> None:
    result = invoke(runner, "status", "--replay", "march-2026")
    assert result.exit_code == 2
    assert result.stdout == (GOLDEN / "march_outage.txt").read_text()  # the live run's golden output


def test_replay_env_drills_a_pipeline(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTAGECHECK_REPLAY", "march-2026")
    assert invoke(runner, "status", "--require", "api").exit_code == 0
    assert invoke(runner, "status", "--require", "web").exit_code == 2
    result = invoke(runner, "wait", "--require", "api", "--max-wait", "5s")
    assert result.exit_code == 0


@pytest.mark.parametrize("fmt", ["json", "markdown", "nagios", "table"])
def test_replay_of_a_saved_report_is_the_same_output(
    runner: CliRunner, mocked_march_outage: HTTPXMock, tmp_path: Path, fmt: str
) -> None:
    saved = tmp_path / "report.json"
    saved.write_text(invoke(runner, "status", "--json").stdout)
    live = invoke(runner, "status", "--replay", str(saved), "--format", fmt)
    assert live.exit_code == 2
    if fmt == "json":
        assert json.loads(live.stdout) == json.loads(saved.read_text())
    assert "Claude.ai (web)" in live.stdout


def test_scenarios_lists_the_bundled_ones(runner: CliRunner) -> None:
    result = invoke(runner, "scenarios")
    assert result.exit_code == 0
    listed = dict(line.split("\t") for line in result.stdout.splitlines())
    assert listed == {name: description for name, (description, _) in BUNDLED.items()}


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        pytest.param(None, 64, "no such file, and not a bundled scenario", id="missing"),
        pytest.param("not json", 78, "not a JSON report", id="not-json"),
        pytest.param('{"schema_version": 2}', 78, "not an outagecheck --json report", id="wrong-schema"),
        pytest.param('{"schema_version": 1, "surfaces": []}', 78, "not an outagecheck --json report", id="empty"),
    ],
)
def test_bad_replay_is_one_line(
    runner: CliRunner, tmp_path: Path, content: str | None, code: int, message: str
) -> None:
    path = tmp_path / "saved.json"
    if content is not None:
        path.write_text(content)
    result = invoke(runner, "status", "--replay", str(path))
    assert result.exit_code == code
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
