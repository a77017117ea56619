"""Atomic writes on Windows' terms, with the platform faked: a rename retried through sharing violations, never
over a newer version, then one line and the user's file intact; outagecheck's lock released before its close."""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck import files, safefile
from outagecheck.errors import WriteError
from outagecheck.fallback import checked
from tests.helpers import SETTINGS_TEXT, STATE_TEXT, FakeMsvcrt, invoke, own_config_dir

REAL_REPLACE = os.replace


def sharing_violation(winerror: int = 32) -> PermissionError:
    """What os.replace raises on Windows while another process has the target open without FILE_SHARE_DELETE."""
    e = PermissionError(errno.EACCES, "The process cannot access the file because it is being used by another process")
    e.winerror = winerror  # type: ignore[attr-defined]  # set by CPython on Windows only; faked here
    return e


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """time.sleep recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


def install_replace(
    monkeypatch: pytest.MonkeyPatch, failures: int, error: Callable[[], OSError] = sharing_violation
) -> list[str]:
    calls: list[str] = []

    def fake(src: object, dst: object) -> None:
        calls.append(str(dst))
        if len(calls) <= failures:
            raise error()
        REAL_REPLACE(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", fake)
    return calls


@pytest.mark.parametrize("winerror", [5, 32, 33], ids=["access-denied", "sharing-violation", "lock-violation"])
def test_a_rename_is_retried_through_a_sharing_violation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sleeps: list[float], winerror: int
) -> None:
    target = tmp_path / "settings.json"
    target.write_bytes(b'{"old": 1}\n')
    calls = install_replace(monkeypatch, 3, lambda: sharing_violation(winerror))
    safefile.atomic_write(target, b'{"new": 1}\n')
    assert target.read_bytes() == b'{"new": 1}\n'
    assert len(calls) == 4
    assert sleeps == list(safefile.RENAME_BACKOFF_S[:3])  # 10, 20, 40 ms: bounded, growing
    assert not [p for p in tmp_path.iterdir() if safefile.TEMP_TAG in p.name]


def test_a_violation_that_outlasts_the_retries_is_one_line_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    target = tmp_path / "settings.json"
    target.write_bytes(b'{"keep": "me"}\n')
    calls = install_replace(monkeypatch, 1000)
    with pytest.raises(WriteError) as caught:
        safefile.atomic_write(target, b"{}\n")
    assert str(caught.value) == (
        f"{target}: cannot write: another program keeps it open (Claude Code, an antivirus?); close it and try again"
    )
    assert caught.value.exit_code == 73
    assert len(calls) == len(safefile.RENAME_BACKOFF_S) + 1
    assert sum(sleeps) < 3.0  # bounded: about 2.5 s in all, never a hang
    assert target.read_bytes() == b'{"keep": "me"}\n'
    assert not [p for p in tmp_path.iterdir() if safefile.TEMP_TAG in p.name]  # the staged copy is removed


def test_a_posix_permission_error_is_not_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    # No winerror: a read-only directory on Linux or macOS, which waiting never fixes.
    target = tmp_path / "settings.json"
    calls = install_replace(monkeypatch, 1000, lambda: PermissionError(errno.EACCES, "Permission denied"))
    with pytest.raises(WriteError, match=r"settings.json: cannot write: Permission denied$"):
        safefile.atomic_write(target, b"{}\n")
    assert (len(calls), sleeps) == (1, [])


def test_write_output_retries_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sleeps: list[float]) -> None:
    out = tmp_path / "report.json"
    calls = install_replace(monkeypatch, 2)
    safefile.write_output(out, b"{}\n")
    assert (out.read_bytes(), len(calls), len(sleeps)) == (b"{}\n", 3, 2)


def test_a_retry_never_renames_over_a_version_written_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Claude Code held the file open because it was rewriting it: the compare-before-rename holds across retries.
    target = tmp_path / "settings.json"
    target.write_bytes(b'{"a": 1}\n')
    _, expect = checked.read_with_id(target)
    tmp = safefile.stage(target, b'{"a": 1, "ours": true}\n')

    def claude_code_writes(delay: float) -> None:
        target.write_bytes(b'{"a": 1, "theirs": true}\n')

    monkeypatch.setattr(time, "sleep", claude_code_writes)
    calls = install_replace(monkeypatch, 1)
    assert checked.commit(tmp, target, expect) is False  # the caller re-reads and redoes its edit
    assert target.read_bytes() == b'{"a": 1, "theirs": true}\n'
    assert tmp.exists()
    assert len(calls) == 1
    safefile.discard(tmp)


def test_commit_retries_then_renames_when_the_file_stayed_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    target = tmp_path / "settings.json"
    target.write_bytes(b"{}\n")
    _, expect = checked.read_with_id(target)
    tmp = safefile.stage(target, b'{"x": 1}\n')
    install_replace(monkeypatch, 2)
    assert checked.commit(tmp, target, expect) is True
    assert target.read_bytes() == b'{"x": 1}\n'


# -- outagecheck's lock with msvcrt, faked: a mandatory byte-range lock on byte 0 of the lock file ----------------


def test_the_windows_lock_is_exclusive_and_released_before_close(tmp_path: Path, windows: FakeMsvcrt) -> None:
    lock = tmp_path / "state" / "lock"
    with safefile.locked(lock):
        other = os.open(lock, os.O_RDWR)
        try:
            os.lseek(other, 5, os.SEEK_SET)  # wherever a descriptor stands, the lock is on byte 0
            assert files.try_lock(other) is False
        finally:
            os.close(other)
        with (
            pytest.raises(WriteError, match=r"another outagecheck holds .*lock; try again"),
            safefile.locked(lock, wait_s=0.1),
        ):
            pass
    assert windows.held == {}  # released by unlock, not left to close()
    with safefile.locked(lock, wait_s=0.1):  # and the next run takes it at once
        pass
    ops = [op for op, _, offset in windows.log if offset == 0]
    assert ops[-2:] == ["lock", "unlock"]
    assert all(offset == 0 for _, _, offset in windows.log)


def test_on_posix_the_flock_stays_until_the_close(tmp_path: Path) -> None:
    first = os.open(tmp_path / "lock", os.O_RDWR | os.O_CREAT)
    second = os.open(tmp_path / "lock", os.O_RDWR)
    try:
        assert files.try_lock(first) is True
        files.unlock(first)  # Windows only: flock goes with the descriptor
        assert files.try_lock(second) is False
        os.close(first)
        first = -1
        assert files.try_lock(second) is True
    finally:
        for fd in (first, second):
            if fd >= 0:
                os.close(fd)


def test_access_denied_names_a_read_only_file_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # winerror 5 is what an open handle and a read-only attribute both give: the line names both.
    monkeypatch.setattr(time, "sleep", lambda delay: None)
    install_replace(monkeypatch, 1000, lambda: sharing_violation(5))
    target = tmp_path / "settings.json"
    with pytest.raises(WriteError) as caught:
        safefile.atomic_write(target, b"{}\n")
    assert str(caught.value) == (
        f"{target}: cannot write: access denied: another program keeps it open (Claude Code, an antivirus?), "
        "or it is read-only; close it and try again"
    )


@pytest.mark.usefixtures("with_key")
def test_an_apply_blocked_by_an_open_file_is_one_line_and_nothing_changes(
    runner: CliRunner, claude_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Claude Code (or an antivirus) holds ~/.claude.json open for the whole apply: every rename of it fails.
    monkeypatch.setattr(time, "sleep", lambda delay: None)
    state = claude_home / ".claude.json"

    def blocked(src: object, dst: object) -> None:
        if Path(str(dst)).name == ".claude.json":
            raise sharing_violation(32)
        REAL_REPLACE(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", blocked)
    result = invoke(runner, "fallback", "apply", "claude-code", "--yes")
    assert result.exit_code == 73
    assert result.stderr == (
        f"outagecheck: error: {state}: cannot write: another program keeps it open (Claude Code, an antivirus?); "
        "close it and try again; nothing changed\n"
    )
    assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT  # rolled back
    assert state.read_text() == STATE_TEXT
    assert not own_config_dir(claude_home).joinpath("anthropic-api-key").exists()
    assert not [p for p in claude_home.rglob("*") if safefile.TEMP_TAG in p.name]
