"""files.read_capped: regular files only, never a hang on a FIFO, never more than the cap."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from outagecheck import files
from outagecheck.errors import ConfigError, WriteError
from outagecheck.files import read_capped, try_lock
from tests.helpers import cli_env


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 1000)
    assert read_capped(path, 1000) == b"x" * 1000


def test_a_missing_file_is_none(tmp_path: Path) -> None:
    assert read_capped(tmp_path / "nope", 10) is None


def test_past_the_cap_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * (3 << 20))
    with pytest.raises(ConfigError, match=r"larger than 1 MiB \(3 MiB\); not read$"):
        read_capped(path, 1 << 20)


def test_a_fifo_without_a_writer_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="not a regular file"):
        read_capped(fifo, 10)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_a_device_is_refused(device: str) -> None:
    with pytest.raises(ConfigError, match=f"^{device}: not a regular file"):
        read_capped(Path(device), 10)


def test_a_directory_and_a_symlink_loop(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory"):
        read_capped(tmp_path, 10)
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(ConfigError, match="symlink loop"):
        read_capped(loop, 10)
    with pytest.raises(WriteError, match="symlink loop"):
        read_capped(loop, 10, unreadable=WriteError)


def test_try_lock_is_exclusive_until_the_descriptor_closes(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    first = os.open(path, os.O_RDWR | os.O_CREAT)
    second = os.open(path, os.O_RDWR)
    try:
        assert try_lock(first) is True
        assert try_lock(second) is False
        os.close(first)
        first = -1
        assert try_lock(second) is True
    finally:
        for fd in (first, second):
            if fd >= 0:
                os.close(fd)


@pytest.mark.parametrize(
    "args",
    [["status", "--replay", "march-2026"], ["status", "--replay", "api-down", "--json"], ["scenarios"]],
    ids=["replay-table", "replay-json", "scenarios"],
)
def test_the_status_path_runs_on_a_platform_without_fcntl(tmp_path: Path, args: list[str]) -> None:
    # As on Windows: importing fcntl fails. A journal exists, so status really reads it (the reminder).
    state = tmp_path / "state" / "outagecheck"
    state.mkdir(parents=True)
    (state / "journal.toml").write_text("version = 1\nchanges = []\n")
    code = (
        "import sys; sys.modules['fcntl'] = None\n"
        f"sys.argv = ['outagecheck', *{args!r}]\n"
        "from outagecheck.__main__ import main; main()\n"
    )
    env = cli_env(tmp_path, XDG_STATE_HOME=str(tmp_path / "state"))
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert "Traceback" not in run.stderr
    assert run.returncode == (0 if args == ["scenarios"] else 2), run.stderr
    assert run.stdout


def test_a_file_memory_cannot_hold_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """MemoryError while reading (a big file on a small machine) is one line and exit 78, never exit 70."""
    big = tmp_path / "settings.json"
    big.write_text("{}")

    def no_memory(*args: object) -> bytes:
        raise MemoryError

    monkeypatch.setattr(files, "read_fd", no_memory)
    with pytest.raises(ConfigError, match=r"settings.json: too big to read into memory here; not read"):
        files.read_capped(big, files.MiB)
