"""Every file outagecheck reads goes through here: opened without blocking, regular files only, under a cap."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from pathlib import Path
from typing import Final

from outagecheck.errors import ConfigError, OutagecheckError

MiB: Final = 1 << 20
CONFIG_CAP: Final = 1 * MiB
REPLAY_CAP: Final = 16 * MiB
JOURNAL_CAP: Final = 1 * MiB
SETTINGS_CAP: Final = 256 * MiB  # a settings, target or backup file: apply edits big JSON in ~2.5x its size
CA_CAP: Final = 16 * MiB  # $SSL_CERT_FILE (certifi's bundle is ~300 KB)

# O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one, and the fstat
# below then refuses it. Windows has neither flag; there a FIFO can't be named by a plain path.
# Writes: Windows has no O_CLOEXEC (O_NOINHERIT is its form) and no O_NOFOLLOW, and without O_BINARY its
# os.write turns every \n into \r\n, which would change a settings file we promise to keep byte for byte.
WRITE_FLAGS: Final = os.O_WRONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", getattr(os, "O_NOINHERIT", 0))
NOFOLLOW: Final = getattr(os, "O_NOFOLLOW", 0)
_FLAGS: Final = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def open_regular(path: Path, cap: int, *, unreadable: type[OutagecheckError] = ConfigError) -> int | None:
    """Open a regular file of at most `cap` bytes for reading, without blocking; its descriptor (blocking
    from here on, close-on-exec), None when it does not exist. Refusals as read_capped says."""
    try:
        fd = os.open(path, _FLAGS | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a regular file") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise unreadable(f"{path}: cannot read: a symlink loop") from None
        raise unreadable(f"{path}: cannot read: {e.strerror or e}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ConfigError(f"{path}: is a directory, not a regular file")
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path}: not a regular file (a FIFO, socket or device can't be read safely)")
        if info.st_size > cap:
            raise ConfigError(f"{path}: larger than {_size(cap)} ({_size(info.st_size)}); not read")
        if hasattr(os, "set_blocking"):
            with contextlib.suppress(OSError):
                os.set_blocking(fd, True)  # a regular file: plain reads from here on
    except OSError as e:
        os.close(fd)
        raise unreadable(f"{path}: cannot read: {e.strerror or e}") from None
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_capped(path: Path, cap: int, *, unreadable: type[OutagecheckError] = ConfigError) -> bytes | None:
    """Read a regular file of at most `cap` bytes; None when it does not exist.

    Anything else — a FIFO, a device (/dev/zero), a directory, a symlink loop, a file past the cap,
    — is a ConfigError with one line naming the file; an OS error (permission, symlink loop, a file
    where a directory should be) is `unreadable`. Never blocks, never reads more than cap + 1 bytes.
    """
    fd = open_regular(path, cap, unreadable=unreadable)
    if fd is None:
        return None
    try:
        return read_fd(fd, path, cap)
    except OSError as e:
        raise unreadable(f"{path}: cannot read: {e.strerror or e}") from None
    except MemoryError:  # under the cap, yet more than this machine can hold now
        raise ConfigError(f"{path}: too big to read into memory here; not read") from None
    finally:
        os.close(fd)


def read_fd(fd: int, path: Path, cap: int) -> bytes:
    """Read an open file to its end, at most `cap` bytes (ConfigError when it grew past the cap)."""
    chunks: list[bytes] = []
    size = 0
    while size <= cap:
        chunk = os.read(fd, min(cap + 1 - size, MiB))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > cap:  # it grew while being read
        raise ConfigError(f"{path}: larger than {_size(cap)}; not read")
    return b"".join(chunks)


def _size(n: int) -> str:
    return f"{n / MiB:.3g} MiB" if n >= MiB else f"{n} bytes"


def fchmod(fd: int, mode: int) -> None:
    """Set an open file's mode where modes exist (Python 3.11 on Windows has no os.fchmod: a file there takes
    its folder's ACL, the user profile's for everything outagecheck writes)."""
    if hasattr(os, "fchmod") and sys.platform != "win32":
        os.fchmod(fd, mode)


def try_lock(fd: int) -> bool:
    """Take an exclusive, non-blocking lock on an open file: True when held, False when another process
    holds it. msvcrt on Windows, fcntl elsewhere, imported here so nothing on the status path needs
    either. The lock goes with the descriptor: closing it releases the lock."""
    if sys.platform == "win32":
        import msvcrt  # noqa: PLC0415  # Windows only

        # A mandatory byte-range lock on the lock file's first byte (never on a file others read), from
        # offset 0 whatever was read or written before; LK_NBLCK fails at once (EACCES) when it is held, and
        # the caller retries within its deadline (LK_LOCK would block ten seconds a try).
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as e:
            if e.errno in (errno.EACCES, errno.EDEADLK):
                return False
            raise
        return True
    import fcntl  # noqa: PLC0415  # POSIX only: imported when a lock is taken, never by status

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        if e.errno in (errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


def unlock(fd: int) -> None:
    """Release try_lock's lock before the descriptor closes: how soon Windows frees a lock left to close()
    "depends upon available system resources" (LockFileEx docs), and a run starting meanwhile would find
    it held. On POSIX closing releases the flock at once."""
    if sys.platform != "win32":
        return
    import msvcrt  # noqa: PLC0415  # Windows only

    os.lseek(fd, 0, os.SEEK_SET)
    with contextlib.suppress(OSError):  # not held (a failed try_lock): nothing to release
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
