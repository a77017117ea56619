"""outagecheck's own directories and files stay private: made 0700 / 0600 whatever the umask, and refused when
another user could change them. The rule is OpenSSH's StrictModes for ~/.ssh (sshd_config(5): files and
directories must not be writable by anyone but the user or root) and the XDG Base Directory spec's 0700.

Standard library only, and os.path rather than pathlib: the status line's cache uses it on every prompt.
Each check returns the problem as one line that names the path and the fix, or None; callers raise it.
"""

from __future__ import annotations

import os
import stat
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy reads the name

if TYPE_CHECKING:
    from typing import Final

    from _typeshed import StrPath

DIR_MODE: Final = 0o700
FILE_MODE: Final = 0o600
_OTHERS_WRITE: Final = stat.S_IWGRP | stat.S_IWOTH


def _uid() -> int | None:
    # Windows keeps access in ACLs, not mode bits: nothing here applies there.
    return None if sys.platform == "win32" or not hasattr(os, "geteuid") else os.geteuid()


def _trusted(owner: int, uid: int) -> bool:
    return owner in (uid, 0)  # yours, or root's (root can change anything anyway)


def _owner_and_mode(path: str, info: os.stat_result, uid: int, fix_mode: str) -> str | None:
    if not _trusted(info.st_uid, uid):
        return (
            f"{path} belongs to another user (uid {info.st_uid}), who could change what outagecheck reads "
            f"there: remove it (or move it away) and run again"
        )
    if info.st_mode & _OTHERS_WRITE:
        mode = stat.S_IMODE(info.st_mode)
        return f"{path} is writable by group or others (mode {mode:04o}): run `chmod {fix_mode} {path}`"
    return None


def _link_problem(path: str, uid: int) -> str | None:
    """A symlink is fine when it is the user's own (a dotfile manager's); not when another user planted it."""
    try:
        link = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISLNK(link.st_mode) and not _trusted(link.st_uid, uid):
        return f"{path} is a symlink another user (uid {link.st_uid}) planted: remove it (`rm {path}`) and run again"
    return None


def dir_problem(path: StrPath) -> str | None:
    """Why the directory at `path` can't be trusted (another user's, or writable by group or others); None
    when it is private or does not exist."""
    uid = _uid()
    where = os.fspath(path)
    if uid is None:
        return None
    if problem := _link_problem(where, uid):
        return problem
    try:
        info = os.stat(where)
    except FileNotFoundError:
        return None
    except OSError as e:
        return f"{where}: cannot check who owns it: {e.strerror or e}"
    if not stat.S_ISDIR(info.st_mode):
        return f"{where} is not a directory: move it away and run again"
    return _owner_and_mode(where, info, uid, "700")


def file_problem(path: StrPath, *, directory: bool = True) -> str | None:
    """Why the file at `path` can't be trusted: another user's, writable by group or others, or (with
    `directory`) in a directory others can write to without the sticky bit, where anyone can replace it.
    None when it is fine or does not exist."""
    uid = _uid()
    where = os.fspath(path)
    if uid is None:
        return None
    if problem := _link_problem(where, uid):
        return problem
    try:
        info = os.stat(where)
    except FileNotFoundError:
        return None
    except OSError:
        return None  # the read itself says why, in its own words
    if not stat.S_ISREG(info.st_mode):
        return None  # a FIFO or a device (/dev/zero is 0666): the reader refuses it as not a regular file
    if problem := _owner_and_mode(where, info, uid, "600"):
        return problem
    parent = os.path.dirname(os.path.abspath(where))
    try:
        folder = os.stat(parent)
    except OSError:
        return None
    if directory and folder.st_mode & _OTHERS_WRITE and not folder.st_mode & stat.S_ISVTX:
        mode = stat.S_IMODE(folder.st_mode)
        return (
            f"{where} is in {parent}, which others can write to (mode {mode:04o}), so anyone can replace it: "
            f"move it to a directory of your own"
        )
    return None


def make_dir(path: StrPath, *, check: bool = True) -> str | None:
    """Create `path` and each missing level above it 0700, whatever the umask; return dir_problem(path)
    (with `check`: outagecheck's own dirs) or None."""
    where = os.path.abspath(os.fspath(path))
    missing: list[str] = []
    while not os.path.lexists(where):
        missing.append(where)
        up = os.path.dirname(where)
        if up == where:
            break
        where = up
    for level in reversed(missing):
        try:
            os.mkdir(level, DIR_MODE)
        except FileExistsError:
            continue  # made by another run in between: checked below like any existing one
        except OSError as e:
            return f"{level}: cannot create: {e.strerror or e}"
        os.chmod(level, DIR_MODE)  # mkdir's mode went through the umask
    return dir_problem(path) if check else None


def open_private(path: StrPath, flags: int) -> int:
    """Open (creating it 0600, whatever the umask) one of outagecheck's own files, never through a symlink."""
    extra = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)  # O_BINARY: Windows, no \n -> \r\n
    cloexec = getattr(os, "O_CLOEXEC", getattr(os, "O_NOINHERIT", 0))  # O_NOINHERIT: Windows' name for it
    fd = os.open(path, flags | os.O_CREAT | extra | cloexec, FILE_MODE)
    try:
        # Windows (no geteuid): the file takes the profile's ACL; 3.13's os.fchmod there sets only read-only.
        if hasattr(os, "fchmod") and hasattr(os, "geteuid") and os.fstat(fd).st_uid == os.geteuid():
            os.fchmod(fd, FILE_MODE)
    except OSError:
        os.close(fd)
        raise
    return fd
