"""All-or-nothing apply: on any failure what was written is rolled back, and the journal is clean."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpx import HTTPXMock
from typer.testing import CliRunner

from outagecheck import safefile
from outagecheck.errors import WriteError
from outagecheck.fallback import checked
from outagecheck.fallback.checked import FileId
from tests.helpers import SETTINGS_TEXT, STATE_TEXT, invoke, own_config_dir


def _clean(home: Path, settings_text: str = SETTINGS_TEXT, state_text: str = STATE_TEXT) -> None:
    """Nothing of an apply is left: files as they were, no key file, no journal entry, no backup, no temp."""
    assert (home / ".claude" / "settings.json").read_text() == settings_text
    assert (home / ".claude.json").read_text() == state_text
    assert not (own_config_dir(home) / "anthropic-api-key").exists()
    state = home / ".local" / "state" / "outagecheck"
    journal = state / "journal.toml"
    assert not journal.exists() or "[[changes]]" not in journal.read_text()
    assert not list((state / "backups").iterdir()) if (state / "backups").exists() else True
    leftovers = [p for p in home.rglob("*") if safefile.TEMP_TAG in p.name or p.name.endswith(".lock")]
    assert leftovers == []


@pytest.fixture
def tiny_disk(claude_home: Path) -> Iterator[Path | None]:
    """Put ~/.claude.json on a full 1 MiB tmpfs when this machine lets us mount one (root); else None."""
    mount = claude_home / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        yield None
        return
    try:
        state = mount / ".claude.json"
        state.write_text(STATE_TEXT)
        (claude_home / ".claude.json").unlink()
        (claude_home / ".claude.json").symlink_to(state)
        filler = mount / "filler"
        with filler.open("wb") as f, pytest.raises(OSError, match="No space left"):
            f.write(b"x" * (2 << 20))  # fill it: nothing more fits
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.usefixtures("with_key")
def test_a_full_disk_rolls_back_everything_already_written(
    runner: CliRunner, claude_home: Path, tiny_disk: Path | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if tiny_disk is None:
        # No tmpfs here (not root, or no mount): simulate ENOSPC for the last file's temp write.
        real_write = os.write

        def full(fd: int, data: bytes | memoryview) -> int:
            if ".claude.json" in os.readlink(f"/proc/self/fd/{fd}"):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real_write(fd, data)

        monkeypatch.setattr(os, "write", full)
    result = invoke(runner, "fallback", "apply", "claude-code", "--yes")
    assert result.exit_code == 73, result.output
    assert "No space left on device" in result.stderr
    assert result.stderr.endswith("; nothing changed\n")
    assert "Wrote" not in result.stdout
    if tiny_disk is not None:
        (tiny_disk / "filler").unlink()
    assert (claude_home / ".claude.json").read_text() == STATE_TEXT
    _clean(claude_home)
    assert invoke(runner, "fallback", "revert", "--yes").stdout == "Nothing to revert.\n"


@pytest.mark.usefixtures("with_key")
def test_a_read_only_settings_file_is_refused_unless_forced(
    runner: CliRunner, claude_home: Path, httpx_mock: HTTPXMock
) -> None:
    settings = claude_home / ".claude" / "settings.json"
    settings.chmod(0o444)
    result = invoke(runner, "fallback", "apply", "claude-code", "--yes")
    assert result.exit_code == 73
    assert result.stderr == (
        f"outagecheck: error: {settings} is read-only (mode 0444): refusing to write {settings}; "
        "nothing changed (--force writes it anyway)\n"
    )
    _clean(claude_home)
    httpx_mock.add_response(json={"data": []})
    forced = invoke(runner, "fallback", "apply", "claude-code", "--yes", "--force")
    assert forced.exit_code == 0, forced.output
    assert "apiKeyHelper" in settings.read_text()
    assert stat.S_IMODE(settings.stat().st_mode) == 0o444  # the user's mode is kept


@pytest.mark.usefixtures("with_key")
def test_a_read_only_claude_dir_is_refused(runner: CliRunner, claude_home: Path) -> None:
    (claude_home / ".claude").chmod(0o555)
    try:
        result = invoke(runner, "fallback", "apply", "claude-code", "--yes")
    finally:
        (claude_home / ".claude").chmod(0o755)
    assert result.exit_code == 73
    assert f"{claude_home / '.claude'} is a read-only directory (mode 0555)" in result.stderr
    _clean(claude_home)


@pytest.mark.usefixtures("with_key")
def test_a_failure_on_the_last_file_undoes_the_first_ones(
    runner: CliRunner, claude_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_commit = checked.commit

    def refuse_claude_json(tmp: Path, path: Path, expect: FileId | None) -> bool:
        if path.name == ".claude.json":
            raise WriteError(f"{path}: cannot write: Input/output error")
        return real_commit(tmp, path, expect)

    monkeypatch.setattr(checked, "commit", refuse_claude_json)
    result = invoke(runner, "fallback", "apply", "claude-code", "--yes")
    assert result.exit_code == 73
    assert result.stderr == (
        f"outagecheck: error: {claude_home / '.claude.json'}: cannot write: Input/output error; nothing changed\n"
    )
    _clean(claude_home)


@pytest.mark.usefixtures("with_key")
def test_ctrl_c_between_a_rename_and_its_backup_rolls_back_by_keys(
    runner: CliRunner, claude_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C after settings.json was renamed into place but before its backup was written: the pending
    entry has no backup, and the rollback used to fail on it ("'.': is a directory"), leaving apiKeyHelper
    pointing at a key file that was already gone, and said only "interrupted"."""
    real_atomic_write = safefile.atomic_write

    def ctrl_c_at_the_backup(path: Path, data: bytes, *, mode: int | None = None) -> None:
        if path.parent.name == "backups":
            raise KeyboardInterrupt
        real_atomic_write(path, data, mode=mode)

    monkeypatch.setattr("outagecheck.fallback.transaction.atomic_write", ctrl_c_at_the_backup)
    result = invoke(runner, "fallback", "apply", "claude-code", "--yes")
    assert (result.exit_code, result.stderr) == (130, "outagecheck: error: interrupted; nothing changed\n")
    _clean(claude_home)


def test_a_slow_step_between_reads_leaves_the_rereads_of_a_half_written_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a loaded runner the journal's fsync (intent) can outlast the settle time; the re-reads that tell
    # another writer's truncate-then-write from a damaged file must still happen (a flake of the in-place
    # writer loop in test_concurrency: one read landed mid-write and revert refused, exit 73).
    from outagecheck.fallback import writer  # noqa: PLC0415

    monkeypatch.setattr(writer, "SETTLE_S", 0.0)  # as if one slow step had used the whole settle time
    target = tmp_path / "state.json"
    target.write_bytes(b'{"a": 1}')
    last_tries: list[bool] = []

    def compute(before: bytes | None, last_try: bool) -> bytes:
        last_tries.append(last_try)
        if len(last_tries) <= 2:  # the other writer's empty file, seen twice
            if last_try:
                raise WriteError("believed a half-written read")
            raise writer.Unsettled
        return b'{"a": 2}'

    writer.read_modify_write(target, compute)
    assert target.read_bytes() == b'{"a": 2}'
    assert last_tries[:2] == [False, False]
