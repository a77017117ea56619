"""Writes that never lose a user's file: same-directory temp file, fsync, compare, atomic rename, a lock."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

from outagecheck import private
from outagecheck.errors import ConfigError, WriteError
from outagecheck.files import NOFOLLOW, SETTINGS_CAP, WRITE_FLAGS, fchmod, read_capped, try_lock, unlock

LOCK_WAIT_S = 10.0
TEMP_TAG = ".outagecheck-tmp."  # every temp file outagecheck makes: .<name>.outagecheck-tmp.<pid>.<hex>
# Windows refuses a rename over a file another process holds open without FILE_SHARE_DELETE (Claude Code's
# native build, an antivirus scan, a search indexer): ERROR_ACCESS_DENIED 5, ERROR_SHARING_VIOLATION 32,
# ERROR_LOCK_VIOLATION 33, all raised as PermissionError. It passes when the other handle closes, so retry
# with a bounded backoff, as wmux's renameWithRetry does for ~/.claude/settings.json (openwong2kim/wmux#1112;
# Mercurial wiki "UnlinkingFilesOnWindows"): 10 ms doubling, about 2.5 s in all, then one line.
SHARING_WINERRORS: Final = frozenset({5, 32, 33})
RENAME_BACKOFF_S: Final = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28)


def sha256(data: bytes) -> str:
    """Return the hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def real_path(path: Path) -> Path:
    """Follow symlinks (a dotfile manager's link) to the file that is really written."""
    return Path(os.path.realpath(path))


def read_bytes(path: Path) -> bytes | None:
    """Return the file's bytes, None when it does not exist; ConfigError when it isn't a regular file
    under the cap, WriteError when it can't be read (files.read_capped: never blocks on a FIFO)."""
    return read_capped(path, SETTINGS_CAP, unreadable=WriteError)


def atomic_write(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace `path` (through any symlink) with `data` so a reader sees the old or the new file, never half.

    The file keeps its mode and owner; a new file gets `mode` (default 0600).
    """
    tmp = stage(path, data, mode=mode)
    try:
        replace(tmp, real_path(path))
    except OSError as e:
        discard(tmp)
        raise write_error(path, e) from None
    fsync_dir(real_path(path).parent)


def write_output(path: Path, data: bytes) -> None:
    """Replace the file at `path` itself (never a symlink's target) with `data`, atomically: `--output`.

    A symlink at `path`, something that is not a regular file, or a file in a sticky directory (/tmp) that
    another user owns is refused (WriteError, exit 73): in a shared directory another user can plant a
    link to their victim's ~/.bashrc, and following it would also bypass the kernel's protected_symlinks.
    The temp file is staged beside the path and renamed over the path, which replaces a link planted in
    between rather than following it. A new file is 0644 less the umask, never group- or world-writable.
    """
    try:
        old = os.lstat(path)
    except FileNotFoundError:
        old = None
    except OSError as e:
        raise WriteError(f"{path}: cannot write: {e.strerror or e}") from None
    if old is not None and stat.S_ISLNK(old.st_mode):
        raise WriteError(f"{path}: is a symlink; not writing through it (give the real path)")
    if old is not None and not stat.S_ISREG(old.st_mode):
        raise WriteError(f"{path}: not a regular file; not written")
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    try:
        parent = os.stat(path.parent)
    except OSError as e:
        raise WriteError(f"{path}: cannot write in {path.parent}: {e.strerror or e}") from None
    if old is not None and uid is not None and parent.st_mode & stat.S_ISVTX and old.st_uid != uid:
        raise WriteError(f"{path}: owned by another user (uid {old.st_uid}) in a shared sticky directory; not written")
    umask = os.umask(0)
    os.umask(umask)
    mode = stat.S_IMODE(old.st_mode) if old is not None else 0o644 & ~umask
    tmp = _temp_name(path)
    try:
        fd = os.open(tmp, WRITE_FLAGS | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o600)
    except OSError as e:
        raise WriteError(f"{path}: cannot write in {path.parent}: {e.strerror or e}") from None
    try:
        try:
            write_all(fd, data)
            fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        replace(tmp, path)  # the path itself: a symlink planted since the lstat is replaced, not followed
    except BaseException as e:
        discard(tmp)
        if isinstance(e, OSError):
            raise write_error(path, e) from None
        raise
    fsync_dir(path.parent)


def sharing_violation(e: OSError) -> bool:
    """Whether a rename failed only because another process has the file open (Windows; never on POSIX,
    where a rename replaces an open file and a PermissionError is the directory's permissions)."""
    return isinstance(e, PermissionError) and getattr(e, "winerror", None) in SHARING_WINERRORS


def replace(
    src: Path,
    dst: Path,
    *,
    still: Callable[[], bool] = lambda: True,
) -> bool:
    """os.replace, retried while Windows reports a sharing violation; False (src kept) when `still()`, asked
    before each retry, says the target changed meanwhile. Any other error, or the last one, is raised."""
    for delay in RENAME_BACKOFF_S:
        try:
            os.replace(src, dst)
            return True
        except OSError as e:
            if not sharing_violation(e):
                raise
        time.sleep(delay)
        if not still():
            return False
    os.replace(src, dst)  # the last try: its error is the caller's
    return True


def write_error(path: Path, e: OSError) -> WriteError:
    """The one line for a failed write; a sharing violation that outlasted the retries says who to close."""
    if sharing_violation(e):
        # ERROR_ACCESS_DENIED is also what a read-only file gives: name both causes, not a guess.
        held = "another program keeps it open (Claude Code, an antivirus?)"
        why = f"access denied: {held}, or it is read-only" if getattr(e, "winerror", None) == 5 else held
        return WriteError(f"{path}: cannot write: {why}; close it and try again")
    return WriteError(f"{path}: cannot write: {e.strerror or e}")


def _temp_name(target: Path) -> Path:
    return target.parent / f".{target.name}{TEMP_TAG}{os.getpid()}.{secrets.token_hex(6)}"


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view[: 1 << 20]) :]


def stage(path: Path, data: bytes, *, mode: int | None = None) -> Path:
    """Write `data` to a fresh 0600 temp file beside `path`'s real file, fsynced, with the mode and owner
    the file will keep (its current ones, else `mode`); return the temp file, ready for commit()."""
    target = real_path(path)
    directory = target.parent
    try:
        if problem := private.make_dir(directory, check=False):  # a missing level is 0700 under any umask
            raise WriteError(f"{path}: {problem}")
        old = target.stat() if target.exists() else None
        tmp = _temp_name(target)
        fd = os.open(tmp, WRITE_FLAGS | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:
        raise WriteError(f"{path}: cannot write in {directory}: {e.strerror or e}") from None
    try:
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if old is not None:
            os.chmod(tmp, stat.S_IMODE(old.st_mode))
            if hasattr(os, "geteuid") and os.geteuid() == 0 and (old.st_uid, old.st_gid) != (0, 0):
                os.chown(tmp, old.st_uid, old.st_gid)
        else:
            # A file this creates (a new settings.json, ~/.claude.json, a target's .env) is the user's alone,
            # whatever the umask: a world-writable settings.json would let anyone set its apiKeyHelper.
            os.chmod(tmp, mode if mode is not None else 0o600)
    except BaseException as e:
        discard(tmp)
        if isinstance(e, OSError):
            raise WriteError(f"{path}: cannot write: {e.strerror or e}") from None
        raise
    return tmp


def discard(tmp: Path) -> None:
    """Remove a staged temp file that will not be committed."""
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def fsync_dir(directory: Path) -> None:
    # The rename is only durable once the directory entry is on disk.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove(path: Path) -> None:
    """Delete a file if it exists."""
    try:
        real_path(path).unlink()
    except FileNotFoundError:
        return
    except OSError as e:
        raise WriteError(f"{path}: cannot remove: {e.strerror or e}") from None


@contextlib.contextmanager
def locked(lock_path: Path, *, wait_s: float = LOCK_WAIT_S) -> Iterator[None]:
    """Hold an exclusive lock so two runs never interleave their writes."""
    if problem := private.make_dir(lock_path.parent):  # the state dir: 0700, each missing level
        raise ConfigError(f"{problem} (outagecheck's state dir); nothing changed")
    try:
        fd = private.open_private(lock_path, os.O_RDWR)
    except OSError as e:
        raise WriteError(f"{lock_path}: cannot create the lock: {e.strerror or e}") from None
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                held = try_lock(fd)  # fcntl or msvcrt, behind one function (files.py)
            except (OSError, ImportError) as e:
                raise WriteError(f"{lock_path}: cannot lock: {getattr(e, 'strerror', None) or e}") from None
            if held:
                break
            if time.monotonic() > deadline:
                raise WriteError(f"another outagecheck holds {lock_path}; try again")
            time.sleep(0.05)
        try:
            yield
        finally:
            unlock(fd)  # Windows: released now, not whenever the close gets to it
    finally:
        os.close(fd)  # closing releases the lock
