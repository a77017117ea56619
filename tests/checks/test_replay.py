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
    # The live run's golden output, under one banner that says it is a drill.
    assert result.stdout == "Replay of march-2026 — nothing was checked\n" + (GOLDEN / "march_outage.txt").read_text()
    assert result.stderr == ""  # asked for with --replay: no reminder


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
        drill = {"replay": {"name": str(saved), "source": "option"}}
        assert json.loads(live.stdout) == json.loads(saved.read_text()) | drill
    assert "Claude.ai (web)" in live.stdout


MARKS = {
    "table": "Replay of march-2026 — nothing was checked\n┏",
    "json": '"replay": {\n    "name": "march-2026",\n    "source": "{source}"\n  }',
    "markdown": "### outagecheck: 2026-03-02T12:30:00Z\n\n> **Replay of march-2026 — nothing was checked**\n\n"
    "| Service",
    "nagios": "OUTAGECHECK CRITICAL - REPLAY of march-2026, nothing was checked: Claude.ai (web) down",
    "prometheus": "\noutagecheck_replay 1\n# HELP outagecheck_replay_info The replayed report or scenario, and what "
    'asked for it (option or env).\n# TYPE outagecheck_replay_info gauge\noutagecheck_replay_info{name="march-2026",'
    'source="{source}"} 1\n',
}
ENV_LINE = "outagecheck: $OUTAGECHECK_REPLAY is set: replaying march-2026, nothing is checked (unset it to check)\n"


@pytest.mark.parametrize("source", ["option", "env"])
@pytest.mark.parametrize("fmt", list(MARKS))
def test_a_replay_is_marked_in_every_format(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, fmt: str, source: str
) -> None:
    if source == "env":
        monkeypatch.setenv("OUTAGECHECK_REPLAY", "march-2026")
        result = invoke(runner, "status", "--format", fmt)
    else:
        result = invoke(runner, "status", "--replay", "march-2026", "--format", fmt)
    assert result.exit_code == 2
    assert MARKS[fmt].replace("{source}", source) in result.stdout
    # A leftover variable says so on stderr, in one line; --replay on the command line needs no reminder.
    assert result.stderr == (ENV_LINE if source == "env" else "")


@pytest.mark.usefixtures("mocked_march_outage")
@pytest.mark.parametrize("fmt", list(MARKS))
def test_a_live_check_carries_no_replay_mark(runner: CliRunner, fmt: str) -> None:
    result = invoke(runner, "status", "--format", fmt)
    assert result.exit_code == 2
    lines = [line for line in result.stdout.splitlines() if not line.startswith("# ")]  # Prometheus' HELP, TYPE
    assert "eplay" not in "\n".join(lines).replace("outagecheck_replay 0", "")
    assert result.stderr == ""


def test_wait_and_watch_name_the_variable_too(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTAGECHECK_REPLAY", "march-2026")
    waited = invoke(runner, "wait", "--require", "api", "--max-wait", "5s")
    assert waited.stderr.startswith(ENV_LINE)
    assert waited.stdout.startswith("Replay of march-2026 — nothing was checked\n")
    watched = invoke(runner, "watch", "--count", "1", "--interval", "5")
    assert watched.stderr == ENV_LINE


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
