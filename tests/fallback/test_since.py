"""An outstanding fallback's age in status and --json, the billing warning after a day, the detached watcher."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck import paths
from outagecheck.fallback import journal, watcher
from tests.helpers import TEST_KEY, invoke, loopback_config, real_sockets, run_entry
from tests.loopback import LoopbackServer

JOURNAL = "outagecheck.fallback.journal"


def applied(hours: float) -> None:
    when = (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="seconds")
    journal.save(paths.journal_file(), [journal.Entry("claude-code", "/x/settings.json", "json", False, "", "", when)])


def test_status_json_names_the_outstanding_fallback_and_its_age(runner: CliRunner) -> None:
    applied(2)
    doc = json.loads(invoke(runner, "status", "--replay", "march-2026", "--json").stdout)
    assert doc["fallback_outstanding"] == ["claude-code"]
    assert doc["schema_version"] == 1
    note = "Fallback claude-code is on (applied 2h00m ago); undo: outagecheck fallback revert claude-code"
    assert note in doc["notes"]
    assert not any("bills the API" in w for w in doc["warnings"])


def test_no_outstanding_fallback_is_an_empty_list(runner: CliRunner) -> None:
    assert json.loads(invoke(runner, "status", "--replay", "march-2026", "--json").stdout)["fallback_outstanding"] == []


def test_a_fallback_on_for_more_than_a_day_warns_about_billing(runner: CliRunner) -> None:
    applied(30)
    out = invoke(runner, "status", "--replay", "march-2026").stdout
    warning = "The claude-code fallback has been on for 30h00m: it bills the API for every request."
    assert warning in " ".join(out.split())


def _status_loading_the_journal() -> tuple[str, dict[str, object]]:
    """`status --replay march-2026 --json` through the entry point: whether it loaded the journal's module, and
    its report."""
    done, loaded, _ = run_entry("status", "--replay", "march-2026", "--json", modules=(JOURNAL,))
    return loaded, json.loads(done.stdout)


def test_without_a_journal_status_does_not_load_the_journal_module() -> None:
    # No fallback ever applied (the usual machine): nothing to remind of, and its module's cost not paid.
    assert not paths.journal_file().exists()
    loaded, doc = _status_loading_the_journal()
    assert (loaded, doc["fallback_outstanding"]) == (f"loaded: {JOURNAL}=False", [])
    applied(2)
    loaded, doc = _status_loading_the_journal()
    assert (loaded, doc["fallback_outstanding"]) == (f"loaded: {JOURNAL}=True", ["claude-code"])


def test_units_are_the_exact_command(monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ["/usr/bin/python3", "-m", "outagecheck", *watcher.command(None)]
    monkeypatch.setattr(sys, "platform", "linux")
    assert watcher.units(argv) == [
        "  systemd-run --user --unit=outagecheck-until-recovered /usr/bin/python3 -m outagecheck wait --then-revert "
        "--require web --require code --max-wait 168h --interval 60"
    ]
    monkeypatch.setattr(sys, "platform", "darwin")
    assert "<string>--then-revert</string>" in watcher.units(argv)[0]


@real_sockets
def _exec_cmdline(pid: int, deadline_s: float = 10.0) -> list[bytes]:
    """Return the child's argv once it has exec'd (until then /proc shows the forked pytest's)."""
    until = time.monotonic() + deadline_s
    while True:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if b"--then-revert" in cmdline or time.monotonic() > until:
            return cmdline
        time.sleep(0.01)


def test_apply_until_recovered_starts_a_detached_watcher(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loopback.route("/api/v1/models?limit=1", json={"data": []})  # the post-apply proof must pass
    cfg = loopback_config(tmp_path, loopback, timeout=1.0)
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    result = invoke(runner, "fallback", "apply", "claude-code", "--yes", "--until-recovered", "--config", str(cfg))
    assert result.exit_code == 0
    found = re.search(r"Watching for Claude to come back \(pid (\d+)\)", result.stdout)
    assert found, result.stdout
    pid = int(found.group(1))
    try:
        cmdline = _exec_cmdline(pid)
        assert cmdline[3:7] == [b"wait", b"--then-revert", b"--require", b"web"]
        assert os.getsid(pid) == pid  # its own session: closing the terminal does not stop it
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)


def test_on_windows_the_watcher_is_detached_and_told_how_to_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[dict[str, object]] = []

    class Child:
        pid = 5150
        returncode: int | None = None

    def popen(argv: list[str], **options: object) -> Child:
        started.append(options)
        return Child()

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(subprocess, "Popen", popen)
    pid, lines = watcher.start(None)
    assert pid == 5150
    [options] = started
    assert "start_new_session" not in options  # a no-op on Windows: closing the terminal would end it
    assert options["creationflags"] == 0x8 | 0x200  # DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP
    assert lines[1].endswith("Stop it with: taskkill /PID 5150")
    argv = [r"C:\Program Files\Python313\python.exe", "-m", "outagecheck", *watcher.command(None)]
    assert watcher.units(argv) == [
        '  "C:\\Program Files\\Python313\\python.exe" -m outagecheck wait --then-revert --require web --require code '
        "--max-wait 168h --interval 60   (in a terminal you leave open)"
    ]
