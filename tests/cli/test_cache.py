"""The status line's cache: where it lives, what a refresh writes, what a read accepts."""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest

from outagecheck import paths
from outagecheck.cli import cache
from outagecheck.fallback import journal
from tests.helpers import FakeMsvcrt


def test_cache_dir_honours_an_absolute_xdg_cache_home_only(tmp_path: Path, isolated_home: Path) -> None:
    assert cache.cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == str(tmp_path / "outagecheck")
    default = str(isolated_home / ".cache" / "outagecheck")
    assert cache.cache_dir({"XDG_CACHE_HOME": "relative/dir"}) == default  # XDG: a relative path is invalid
    assert cache.cache_dir({}) == default


def test_summarise_keeps_statuses_when_and_fallbacks() -> None:
    report = json.dumps(
        {"checked_at": "2026-03-02T12:30:00Z", "surfaces": [{"id": "web", "status": "down", "impact": "x"}]}
    ).encode()
    fallbacks = [{"target": "claude-code", "applied_at": "2026-03-02T12:00:00+00:00", "applied_ts": 1.0}]
    doc = cache.summarise(report, 2, fallbacks, 5.0)
    assert doc == {
        "version": 1,
        "written_at": 5.0,
        "fallback": fallbacks,
        "checked_at": "2026-03-02T12:30:00Z",
        "exit_code": 2,
        "surfaces": [{"id": "web", "status": "down"}],
        "login": ["web", "code"],  # surfaces.LOGIN_SURFACES, for the status line, which never loads surfaces.py
    }


def test_summarise_keeps_the_replay_mark_of_a_drill() -> None:
    report = {"checked_at": "2026-03-02T12:30:00Z", "surfaces": [], "replay": {"name": "march-2026", "source": "env"}}
    assert cache.summarise(json.dumps(report).encode(), 2, [], 5.0)["replay"] == "march-2026"
    assert "replay" not in cache.summarise(json.dumps(report | {"replay": None}).encode(), 2, [], 5.0)


def test_summarise_of_a_failed_run_records_the_exit_code() -> None:
    doc = cache.summarise(b"", 78, [], 5.0)
    assert (doc["surfaces"], doc["error"]) == ([], "status exited 78")


def test_read_accepts_only_our_document(tmp_path: Path) -> None:
    assert cache.read(str(tmp_path)) is None
    target = tmp_path / cache.CACHE_NAME
    for bad in (b"{not json", b"[]", b'{"version": 99}', b'{"version": 1, "pad": "' + b"x" * 70_000 + b'"}'):
        target.write_bytes(bad)
        assert cache.read(str(tmp_path)) is None, bad[:20]
    target.write_text('{"version": 1, "surfaces": []}')
    old = target.stat().st_mtime - 300
    os.utime(target, (old, old))
    found = cache.read(str(tmp_path))
    assert found is not None
    assert found[0]["surfaces"] == []
    assert 299 < found[1] < 400


def test_outstanding_fallbacks_come_from_the_journal_one_per_target() -> None:
    applied = datetime.now(UTC) - timedelta(hours=2)
    entry = journal.Entry("claude-code", "/x/settings.json", "json", False, "", "", applied.isoformat())
    journal.save(paths.journal_file(), [entry, journal.Entry("claude-code", "/x/.claude.json", "json", False, "",
                                                             "", datetime.now(UTC).isoformat())])  # fmt: skip
    found = cache.outstanding_fallbacks()
    assert found == [{"target": "claude-code", "applied_at": applied.isoformat(), "applied_ts": applied.timestamp()}]


def test_a_damaged_journal_means_no_fallback_shown() -> None:
    paths.journal_file().parent.mkdir(parents=True)
    paths.journal_file().write_text("not = [toml")
    assert cache.outstanding_fallbacks() == []


def test_a_failed_refresh_is_cached_and_not_started_again_at_once(tmp_path: Path) -> None:
    args = ["--config", str(tmp_path / "missing.toml")]  # status exits 78: no report
    assert cache.start_refresh(str(tmp_path), args) is True
    deadline = time.monotonic() + 60
    while (found := cache.read(str(tmp_path))) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert found is not None
    assert found[0]["error"] == "status exited 78"
    # The lock holds the refresh's pid, stamped moments ago: a broken config is not retried on every call.
    assert (tmp_path / cache.LOCK_NAME).read_text().strip().isdigit()
    assert cache.start_refresh(str(tmp_path), args) is False


class FakePopen:
    """subprocess.Popen, recorded: the refresh is not really started."""

    started: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, argv: list[str], **options: Any) -> None:
        FakePopen.started.append(options)
        self.pid = 4242
        self.returncode: int | None = None


def test_on_windows_the_refresh_starts_detached_without_fcntl_and_leaves_no_lock(
    tmp_path: Path, windows: FakeMsvcrt, monkeypatch: pytest.MonkeyPatch
) -> None:
    FakePopen.started.clear()
    monkeypatch.setattr(subprocess, "Popen", FakePopen)
    assert cache.start_refresh(str(tmp_path), []) is True
    [options] = FakePopen.started
    assert "pass_fds" not in options  # Windows has none: subprocess would refuse it
    assert "start_new_session" not in options
    assert options["creationflags"] == 0x8 | 0x200  # DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP
    assert (tmp_path / cache.LOCK_NAME).read_text() == "4242\n"
    assert windows.held == {}  # released before the close: the next status line can take it at once
    # Stamped moments ago: not started again on the next prompt update.
    assert cache.start_refresh(str(tmp_path), []) is False
    assert len(FakePopen.started) == 1


def test_on_windows_a_held_refresh_lock_starts_nothing(
    tmp_path: Path, windows: FakeMsvcrt, monkeypatch: pytest.MonkeyPatch
) -> None:
    FakePopen.started.clear()
    monkeypatch.setattr(subprocess, "Popen", FakePopen)
    other = os.open(tmp_path / cache.LOCK_NAME, os.O_RDWR | os.O_CREAT)
    try:
        windows.locking(other, windows.LK_NBLCK, 1)  # another status line is starting one
        assert cache.start_refresh(str(tmp_path), []) is False
    finally:
        os.close(other)
    assert FakePopen.started == []


def test_a_route_switch_is_cached_with_its_route_and_its_way_back() -> None:
    applied = datetime.now(UTC).isoformat()
    entry = journal.Entry("claude-code", "/x/settings.json", "json", False, "", "", applied, route="east",
                          route_kind="bedrock", billed_to="AWS", before="api")  # fmt: skip
    journal.save(paths.journal_file(), [entry])
    [found] = cache.outstanding_fallbacks()
    assert (found["route"], found["back"]) == ("east", ["api"])
    journal.save(paths.journal_file(), [replace(entry, before="vertex")])  # a route no [[routes]] entry matched
    assert cache.outstanding_fallbacks()[0]["back"] is None
    report = {"checked_at": "t", "surfaces": [], "routes": [{"name": "west", "status": "down", "usable": "ok"}]}
    assert cache.summarise(json.dumps(report).encode(), 0, [], 5.0)["routes"] == [{"name": "west", "status": "down"}]
