"""Compare before rename: write only over the version of a file that was read, and tidy up after crashes.

Claude Code (traced on 2.1.197) and other tools write the same files while outagecheck works: a file is
read with its identity (inode, size, mtime_ns), the new version staged in a temp file, and the rename done
only if the file is still the version read; otherwise the caller re-reads and redoes its edit.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from outagecheck import private
from outagecheck.errors import ConfigError, WriteError
from outagecheck.files import NOFOLLOW, SETTINGS_CAP, WRITE_FLAGS, fchmod, open_regular, read_fd
from outagecheck.safefile import TEMP_TAG, fsync_dir, real_path, remove, replace, write_all, write_error

STALE_TEMP_S = 60.0  # a temp file older than this, whose writer is gone, is a crash leftover


@dataclass(frozen=True)
class FileId:
    """What tells one version of a file from the next: a rename changes the inode, an in-place write the
    size or mtime_ns."""

    dev: int
    ino: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> FileId:
        return cls(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def current_id(path: Path) -> FileId | None:
    """The identity of the file at `path` now (through symlinks); None when there is none."""
    try:
        return FileId.of(os.stat(real_path(path)))
    except FileNotFoundError:
        return None
    except OSError as e:
        raise WriteError(f"{path}: cannot read: {e.strerror or e}") from None


def read_with_id(path: Path, *, tries: int = 5) -> tuple[bytes | None, FileId | None]:
    """Read a file and the identity of exactly the version read (re-read while it changes under us)."""
    for _ in range(tries):
        # Non-blocking, regular files only, under the cap: a FIFO or /dev/zero here is one line, never a hang.
        fd = open_regular(real_path(path), SETTINGS_CAP, unreadable=WriteError)
        if fd is None:
            return None, None
        try:
            first = FileId.of(os.fstat(fd))
            data = read_fd(fd, path, SETTINGS_CAP)
            if FileId.of(os.fstat(fd)) == first and len(data) == first.size:
                return data, first
        except OSError as e:
            raise WriteError(f"{path}: cannot read: {e.strerror or e}") from None
        finally:
            os.close(fd)
        time.sleep(0.01)
    raise WriteError(f"{path}: kept changing while outagecheck read it; nothing changed")


def commit(tmp: Path, path: Path, expect: FileId | None) -> bool:
    """Rename the staged `tmp` over `path` only if the file is still the version read (`expect`; None: absent).

    False (and `tmp` kept) when it changed since: the caller re-reads and redoes its edit.
    """
    target = real_path(path)
    if current_id(target) != expect:
        return False
    try:
        # Windows: retried while another program has it open, each retry only over the same version.
        if not replace(tmp, target, still=lambda: current_id(target) == expect):
            return False
    except OSError as e:
        raise write_error(path, e) from None
    fsync_dir(target.parent)
    return True


def remove_if(path: Path, expect: FileId) -> bool:
    """Delete `path` only if it is still the version read; False when it changed since."""
    target = real_path(path)
    if current_id(target) != expect:
        return False
    remove(target)
    return True


def write_secret(path: Path, data: bytes) -> None:
    """Write a secret straight into its own 0600 file: no temp copy that a crash could leave behind."""
    if problem := private.make_dir(path.parent):  # outagecheck's config dir: 0700, each missing level
        raise ConfigError(f"{problem}; not writing the key there")
    try:
        fd = os.open(path, WRITE_FLAGS | os.O_CREAT | os.O_TRUNC | NOFOLLOW, 0o600)
    except OSError as e:
        raise WriteError(f"{path}: cannot write: {e.strerror or e}") from None
    try:
        fchmod(fd, 0o600)
        write_all(fd, data)
        os.fsync(fd)
    except OSError as e:
        raise WriteError(f"{path}: cannot write: {e.strerror or e}") from None
    finally:
        os.close(fd)
    fsync_dir(path.parent)


def read_only_reason(path: Path) -> str | None:
    """Why `path` (or the directory it would be written in) is read-only, by permission bits too: root
    can write anything, but 0444 is how a user says "tools keep out"."""
    target = real_path(path)
    write_bits = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError:
        return None  # the write itself reports it
    if st is not None and (not st.st_mode & write_bits or not os.access(target, os.W_OK)):
        return f"{target} is read-only (mode {stat.S_IMODE(st.st_mode):04o})"
    directory = target.parent
    while not directory.exists() and directory != directory.parent:
        directory = directory.parent
    try:
        dst = os.stat(directory)
    except OSError:
        return None
    if not dst.st_mode & write_bits or not os.access(directory, os.W_OK):
        return f"{directory} is a read-only directory (mode {stat.S_IMODE(dst.st_mode):04o})"
    return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, someone else's
    return True


def clean_stale_temps(directory: Path, *, older_than_s: float = STALE_TEMP_S) -> list[Path]:
    """Remove outagecheck's own temp files left by a crash: at once when the pid in the name is gone (the
    caller holds outagecheck's lock), else once older than a minute and their writer gone."""
    removed: list[Path] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    now = time.time()
    for name in names:
        if not name.startswith(".") or (TEMP_TAG not in name and not name.endswith(".outagecheck-tmp")):
            continue
        pid_text = name.rsplit(TEMP_TAG, 1)[-1].split(".", 1)[0] if TEMP_TAG in name else ""
        pid = int(pid_text) if pid_text.isdigit() else None
        if pid is not None and pid != os.getpid() and _pid_alive(pid):
            continue
        path = directory / name
        try:
            # A writer that is gone wrote its last byte: its temp file is a leftover, however young.
            if (pid is None or pid == os.getpid()) and now - path.lstat().st_mtime < older_than_s:
                continue
            path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed
