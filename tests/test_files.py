"""files.read_capped: regular files only, never a hang on a FIFO, never more than the cap."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from outagecheck.errors import ConfigError, WriteError
from outagecheck.files import read_capped


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
