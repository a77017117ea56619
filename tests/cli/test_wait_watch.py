"""`outagecheck wait` (block until the required surfaces are up) and `watch` (one line per change)."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck import paths
from outagecheck.durations import parse_duration
from outagecheck.fallback import journal
from tests.helpers import API_PATH, CF_EDGE, PAGE_PATH, WEB_PATH, invoke, loopback_config, real_sockets
from tests.loopback import LoopbackServer


@real_sockets
def test_wait_returns_soon_after_recovery(runner: CliRunner, loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.route(API_PATH, status=503, body=b"down", headers=dict(CF_EDGE))
    recovered_at: list[float] = []

    def recover() -> None:
        time.sleep(3)
        loopback.route(API_PATH, json={"message": "hello"})
        recovered_at.append(time.monotonic())

    threading.Thread(target=recover, daemon=True).start()
    cfg = loopback_config(tmp_path, loopback, timeout=1.0)
    result = invoke(runner, "wait", "--require", "api", "--interval", "1", "--max-wait", "30s", "--config", str(cfg))
    done = time.monotonic()
    assert result.exit_code == 0
    assert done - recovered_at[0] < 2.5  # within one interval (+ one check) of the recovery
    assert "outagecheck: waiting: api down" in result.stderr
    assert "outagecheck: api operational" in result.stderr
    assert loopback.paths().count(PAGE_PATH) == 1  # the status page is read at most once a minute


@real_sockets
def test_wait_gives_up_with_exit_2_and_the_last_report(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.route(API_PATH, status=529, json={"type": "error", "error": {"type": "overloaded_error"}})
    cfg = loopback_config(tmp_path, loopback, timeout=1.0)
    start = time.monotonic()
    result = invoke(runner, "wait", "-r", "api", "--interval", "1", "--max-wait", "2s", "--config", str(cfg), "--json")
    assert result.exit_code == 2
    assert time.monotonic() - start < 6
    assert json.loads(result.stdout)["surfaces"][2]["status"] == "degraded"
    assert "gave up after 2s: api degraded" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["wait", "--max-wait", "soon"], "is not a duration"),
        (["wait", "--interval", "0.5"], "--interval must be between 1 and 3600"),
        (["wait", "--interval", "nan"], "--interval must be between 1 and 3600 seconds, got nan"),
        (["wait", "--interval", "inf"], "--interval must be between 1 and 3600 seconds, got inf"),
        (["wait", "--max-wait", "1e308"], "is not a duration"),
        (["wait", "--max-wait", "99999999999999999999h"], "at most 7 days"),
        (["watch", "--interval", "2"], "--interval must be between 5 and 3600 seconds, got 2"),
        (["watch", "--interval", "nan"], "--interval must be between 5 and 3600 seconds, got nan"),
        (["watch", "--interval", "inf"], "got inf"),
        (["watch", "--interval", "1e308"], "got 1e+308"),
        (["watch", "--count", "0"], "--count must be between 1 and 1000000, got 0"),
        (["watch", "--count", "99999999999999999999999"], "--count must be between 1 and 1000000"),
    ],
)
def test_wait_and_watch_usage_errors(runner: CliRunner, args: list[str], message: str) -> None:
    result = invoke(runner, *args)
    assert result.exit_code == 64
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


@real_sockets
def test_watch_prints_one_line_per_change_off_a_terminal(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []

    def fake_sleep(seconds: float) -> None:  # no real waiting; the web surface breaks between checks
        sleeps.append(seconds)
        loopback.route(WEB_PATH, status=500, body=b"down", headers=dict(CF_EDGE))

    monkeypatch.setattr("outagecheck.output.live.time.sleep", fake_sleep)
    cfg = loopback_config(tmp_path, loopback, timeout=1.0)
    result = invoke(runner, "watch", "--interval", "5", "--count", "3", "--config", str(cfg))
    lines = result.stdout.splitlines()
    assert [line.split(" ", 1)[1] for line in lines[:3]] == [
        "web: operational (No reported disruption)",
        "code: operational (No reported disruption)",
        "api: operational (No reported disruption)",
    ]
    assert len(lines) == 4
    assert lines[3].split(" ", 1)[1].startswith("web: operational -> down (Login failures")
    assert sleeps == [5.0, 5.0]
    assert result.exit_code == 2
    assert loopback.paths().count(PAGE_PATH) == 1


def test_durations_parse() -> None:
    assert [parse_duration(t) for t in ("90", "90s", "10m", "1h30m", "2m30s")] == [90, 90, 600, 5400, 150]


def test_wait_reports_carry_the_notes_status_shows(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    # The notes are added where the report is built: wait's last report says what status would.
    applied = (datetime.now(UTC) - timedelta(hours=2)).isoformat(timespec="seconds")
    journal.save(
        paths.journal_file(), [journal.Entry("claude-code", "/x/settings.json", "json", False, "", "", applied)]
    )
    monkeypatch.setenv("CLAUDE_CODE_OAUTH_TOKEN", "sk-ant-oat01-" + "x" * 60)
    status = json.loads(invoke(runner, "status", "--replay", "all-operational", "--json").stdout)
    result = invoke(runner, "wait", "--replay", "all-operational", "--json")
    assert result.exit_code == 0, result.stderr
    notes = json.loads(result.stdout)["notes"]
    assert notes == status["notes"]
    assert "CLAUDE_CODE_OAUTH_TOKEN looks truncated (73 characters; expected 108)" in notes
    assert "Fallback claude-code is on (applied 2h00m ago); undo: outagecheck fallback revert claude-code" in notes
