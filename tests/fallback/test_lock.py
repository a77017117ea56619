"""Claude Code's lock directory (lock.py) and the compare-before-rename read-modify-write (writer.py)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from outagecheck.errors import WriteError
from outagecheck.fallback import lock, writer
from outagecheck.fallback.lock import claude_lock, lock_dir


def test_the_lock_is_a_directory_removed_after_use(tmp_path: Path) -> None:
    state = tmp_path / ".claude.json"
    with claude_lock(state):
        assert lock_dir(state).is_dir()
        assert lock_dir(state) == tmp_path / ".claude.json.lock"
    assert not lock_dir(state).exists()


def test_the_lock_is_removed_on_ctrl_c(tmp_path: Path) -> None:
    state = tmp_path / ".claude.json"
    with pytest.raises(KeyboardInterrupt), claude_lock(state):
        raise KeyboardInterrupt
    assert not lock_dir(state).exists()


def test_a_ctrl_c_right_after_the_mkdir_still_removes_the_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGINT landing between the mkdir and its bookkeeping used to leave Claude Code's lock behind (and
    our own rollback of ~/.claude.json then waited on it until the watchdog ended the run)."""
    state = tmp_path / ".claude.json"
    real_mkdir = os.mkdir

    def mkdir_then_ctrl_c(path: str | os.PathLike[str], mode: int = 0o777) -> None:
        real_mkdir(path, mode)
        os.kill(os.getpid(), signal.SIGINT)  # the handler runs at the next bytecode, still in here

    monkeypatch.setattr(os, "mkdir", mkdir_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt), claude_lock(state):
        pytest.fail("the body ran although Ctrl-C came while the lock was taken")
    assert not lock_dir(state).exists()


def test_a_held_lock_is_waited_for(tmp_path: Path) -> None:
    state = tmp_path / ".claude.json"
    lock_dir(state).mkdir()
    released = threading.Event()

    def holder() -> None:
        time.sleep(0.3)
        released.set()
        os.rmdir(lock_dir(state))

    thread = threading.Thread(target=holder)
    thread.start()
    with claude_lock(state, wait_s=30):
        assert released.is_set()  # taken only once the other holder let go
    thread.join()


def test_a_stale_lock_is_taken_over(tmp_path: Path) -> None:
    state = tmp_path / ".claude.json"
    lock_dir(state).mkdir()
    old = time.time() - lock.STALE_S - 5
    os.utime(lock_dir(state), (old, old))
    with claude_lock(state, wait_s=0):
        assert lock_dir(state).stat().st_mtime > old  # ours now
    assert not lock_dir(state).exists()


def test_a_live_lock_held_too_long_is_refused_and_left_alone(tmp_path: Path) -> None:
    state = tmp_path / ".claude.json"
    lock_dir(state).mkdir()
    held_too_long = r"lock .*\.claude\.json\.lock stayed held for 0\.2 s; nothing changed"
    with pytest.raises(WriteError, match=held_too_long), claude_lock(state, wait_s=0.2):
        pass
    assert lock_dir(state).is_dir()  # someone else's: never removed


def _set_flag(raw: bytes | None, last_try: bool) -> bytes | None:
    doc = json.loads(raw or b"{}")
    if doc.get("flag") is True:
        return None
    doc["flag"] = True
    return json.dumps(doc).encode()


def test_a_change_between_read_and_rename_is_redone_on_the_new_version(isolated_home: Path) -> None:
    state = isolated_home / ".claude.json"
    state.write_text('{"n": 1}')
    calls = []

    def compute(raw: bytes | None, last_try: bool) -> bytes | None:
        calls.append(raw)
        if len(calls) == 1:  # another writer renames a new version in after our read
            tmp = isolated_home / "other"
            tmp.write_text('{"n": 2}')
            tmp.replace(state)
        return _set_flag(raw, last_try)

    assert writer.read_modify_write(state, compute) is not None
    assert calls == [b'{"n": 1}', b'{"n": 2}']
    assert json.loads(state.read_text()) == {"n": 2, "flag": True}  # the other writer's update kept
    assert [p.name for p in isolated_home.iterdir()] == [".claude.json"]  # no temp file, no lock left


def test_a_file_that_never_stops_changing_is_left_as_the_other_writer_wrote_it(isolated_home: Path) -> None:
    state = isolated_home / "settings.json"
    state.write_text('{"n": 0}')
    count = 0

    def compute(raw: bytes | None, last_try: bool) -> bytes | None:
        nonlocal count
        count += 1
        state.write_text(json.dumps({"n": count}))  # in place: size or mtime changes
        os.utime(state, ns=(count, count))
        return _set_flag(raw, last_try)

    with pytest.raises(writer.ChangedError, match=r"settings\.json changed while outagecheck was writing"):
        writer.read_modify_write(state, compute)
    assert json.loads(state.read_text()) == {"n": writer.REDO_LIMIT}
    assert [p.name for p in isolated_home.iterdir()] == ["settings.json"]


def test_the_rename_over_claude_json_waits_for_claude_codes_lock(isolated_home: Path) -> None:
    state = isolated_home / ".claude.json"
    state.write_text('{"n": 1}')
    lock_dir(state).mkdir()
    seen_while_held = []

    def holder() -> None:
        time.sleep(0.3)
        seen_while_held.append(state.read_text())
        os.rmdir(lock_dir(state))

    thread = threading.Thread(target=holder)
    thread.start()
    writer.read_modify_write(state, _set_flag)
    thread.join()
    assert seen_while_held == ['{"n": 1}']  # nothing renamed in while Claude Code held its lock
    assert json.loads(state.read_text()) == {"n": 1, "flag": True}
    assert not lock_dir(state).exists()
