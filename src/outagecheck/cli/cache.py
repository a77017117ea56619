"""The status line's cache: the last report in a small JSON file, refreshed by ONE detached background run.

The status line answers from here in a few milliseconds; it never waits for the network. Claude Code
runs a `statusLine` command on every prompt update and its docs say to cache expensive work:
https://code.claude.com/docs/en/statusline . Only the standard library, and as little of it as
possible: os and time (no json: cli/plainjson.py reads the file; no pathlib, no subprocess until a refresh
is really started).
"""

from __future__ import annotations

import os
import stat  # already loaded by os
import sys
import time

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms); mypy reads the name

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, Final

CACHE_VERSION: Final = 1
CACHE_NAME: Final = "statusline.json"
LOCK_NAME: Final = "statusline.lock"
# A refresh that failed (or is still running) is not started again for this long: a statusline is called
# several times a second, and a broken config must not start a Python process on every call.
RETRY_AFTER_S: Final = 10.0
# The refresh's own bound, on top of status's --timeout: a hung child must not hold the lock forever.
REFRESH_LIMIT_S: Final = 120.0
MAX_CACHE_BYTES: Final = 64 * 1024


def cache_dir(environ: Mapping[str, str] = os.environ) -> str:
    """$XDG_CACHE_HOME/outagecheck (an absolute path only, as the XDG spec says), else ~/.cache/outagecheck.

    The XDG rule of `paths.py`, kept here and free of pathlib, which alone costs the status line ~5 ms
    of start-up.
    """
    if sys.platform == "darwin":
        return os.path.join(os.path.expanduser("~"), "Library", "Caches", "outagecheck")
    value = environ.get("XDG_CACHE_HOME", "")
    base = value if value and os.path.isabs(value) else os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "outagecheck")


def read(directory: str) -> tuple[dict[str, Any], float] | None:
    """The cached document and its age in seconds; None when there is none or it can't be used."""
    path = os.path.join(directory, CACHE_NAME)
    try:
        # Non-blocking and regular files only: a FIFO planted here must not hang every prompt.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return None
            age = time.time() - info.st_mtime
            raw = os.read(fd, MAX_CACHE_BYTES + 1)
        finally:
            os.close(fd)
        doc = _loads(raw) if len(raw) <= MAX_CACHE_BYTES else None
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or doc.get("version") != CACHE_VERSION:
        return None
    return doc, max(age, 0.0)


def _lock(fd: int) -> bool:
    """Take the refresh lock without blocking: an flock, or on Windows an msvcrt lock on byte 0."""
    if sys.platform == "win32":
        import msvcrt  # noqa: PLC0415  # Windows only: fcntl does not exist there

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl  # noqa: PLC0415  # only when the cache is stale: the warm path stays at open+read

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _detached(fd: int) -> dict[str, Any]:
    """Popen options that detach the refresh, so Claude Code (or a Ctrl-C) never waits for or kills it.

    POSIX: its own session, and the locked descriptor goes with it (the child holds the lock while it
    runs). Windows has neither pass_fds nor inheritable msvcrt locks: a detached process in its own group;
    there the RETRY_AFTER_S stamp alone spaces the refreshes.
    """
    if sys.platform == "win32":
        import subprocess  # noqa: PLC0415  # only to start the refresh

        flags = getattr(subprocess, "DETACHED_PROCESS", 0x8) | getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200)
        return {"creationflags": flags}
    return {"pass_fds": (fd,), "start_new_session": True}


def start_refresh(directory: str, status_args: list[str]) -> bool:
    """Start one detached refresh unless one is running or was started less than RETRY_AFTER_S ago.

    The lock is an flock on a pid file, held by the refresh process itself (inherited descriptor): it
    can't outlive that process, so a crash or a kill never leaves a stale lock behind. Returns whether a
    refresh was started.
    """
    from outagecheck.private import make_dir  # noqa: PLC0415  # only when the cache is stale

    if make_dir(directory) is not None:  # 0700 at each missing level; never another user's (statusline says)
        return False
    try:
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(os.path.join(directory, LOCK_NAME), flags, 0o600)
    except OSError:
        return False
    try:
        if not _lock(fd):
            return False  # a refresh holds it
        if time.time() - os.fstat(fd).st_mtime < RETRY_AFTER_S and os.fstat(fd).st_size > 0:
            return False  # the last one started moments ago (and failed, or the cache would be fresh)
        import subprocess  # noqa: PLC0415  # only to start the refresh

        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, directory, *status_args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            **_detached(fd),
        )
        os.ftruncate(fd, 0)
        os.write(fd, f"{child.pid}\n".encode())  # also stamps the mtime the retry rule reads
        child.returncode = 0  # not ours to wait for: keeps Popen.__del__ from warning about it
        return True
    except OSError:
        return False
    finally:
        _unlock_on_windows(fd)
        os.close(fd)


def _unlock_on_windows(fd: int) -> None:
    """Windows: release the msvcrt lock before the close (files.unlock says why); POSIX: the child keeps it."""
    if sys.platform == "win32":
        import msvcrt  # noqa: PLC0415  # Windows only

        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass  # not held: nothing to release


_CHILD = "import sys; from outagecheck.cli.cache import refresh; refresh(sys.argv[1], sys.argv[2:])"


def _loads(raw: bytes) -> Any:
    """The document: read without `json` (2-6 ms of the status line), which is asked only for what the small
    reader refuses (not what refresh writes: another encoding, NaN); ValueError when neither can read it."""
    from outagecheck.cli.plainjson import loads  # noqa: PLC0415  # os and sys only

    try:
        return loads(raw)
    except ValueError:
        import json  # noqa: PLC0415  # a file refresh did not write as usual

        return json.loads(raw)


def refresh(directory: str, status_args: list[str]) -> None:
    """Run `outagecheck status --json`, then replace the cache atomically (the detached child's work)."""
    import json  # noqa: PLC0415  # the child only
    import subprocess  # noqa: PLC0415  # the child only
    import tempfile  # noqa: PLC0415  # the child only
    from pathlib import Path  # noqa: PLC0415  # the child only

    argv = [sys.executable, "-m", "outagecheck", "status", "--json", *status_args]
    fd, tmp = tempfile.mkstemp(prefix=".statusline.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w+b") as out:
            try:
                done = subprocess.run(
                    argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.DEVNULL, timeout=REFRESH_LIMIT_S
                )
                code = done.returncode
            except subprocess.TimeoutExpired:
                code = -1
            out.seek(0)
            report = out.read(16 * 1024 * 1024)
        doc = summarise(report, code, outstanding_fallbacks(), time.time())
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(doc, handle)
        from outagecheck.safefile import replace  # noqa: PLC0415  # the child only

        # Windows: a status line reading the cache right now blocks the rename for a moment; retried.
        replace(Path(tmp), Path(directory, CACHE_NAME))
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def summarise(report: bytes, code: int, fallbacks: list[dict[str, Any]], now: float) -> dict[str, Any]:
    """The small cache document from a `status --json` run: per-surface statuses, when, and fallbacks; and
    which surfaces a login needs, so the status line knows them without loading surfaces.py (~50 ms)."""
    import json  # noqa: PLC0415  # the child only

    from outagecheck.surfaces import LOGIN_SURFACES  # noqa: PLC0415  # the child only

    doc: dict[str, Any] = {"version": CACHE_VERSION, "written_at": now, "fallback": fallbacks}
    doc["login"] = list(LOGIN_SURFACES)
    try:
        parsed = json.loads(report)
        surfaces = [{"id": str(s["id"]), "status": str(s["status"])} for s in parsed["surfaces"]]
        if isinstance(parsed.get("replay"), dict):  # a drill ($OUTAGECHECK_REPLAY in Claude Code's environment)
            doc["replay"] = str(parsed["replay"].get("name", ""))
        if parsed.get("routes"):  # for a route switch's way back (`route:NAME`); not shown on the line
            doc["routes"] = [{"name": str(r["name"]), "status": str(r["status"])} for r in parsed["routes"]]
        return doc | {"checked_at": str(parsed["checked_at"]), "exit_code": code, "surfaces": surfaces}
    except (ValueError, KeyError, TypeError):
        return doc | {"checked_at": None, "exit_code": code, "surfaces": [], "error": f"status exited {code}"}


def outstanding_fallbacks() -> list[dict[str, Any]]:
    """Fallbacks applied and not reverted (journal.outstanding, the one reader: oldest first, one per target, none
    for a damaged journal, which `fallback revert` reports), with the epoch of applied_at for the line's age; a
    route switch also with its route and what it waits for to go back (surfaces.back_when; None: can't tell)."""
    from outagecheck.durations import epoch  # noqa: PLC0415  # the child only
    from outagecheck.fallback.journal import outstanding  # noqa: PLC0415  # the child only
    from outagecheck.surfaces import back_when  # noqa: PLC0415  # the child only

    found: list[dict[str, Any]] = []
    for target, applied_at, *route in outstanding():
        found.append({"target": target, "applied_at": applied_at, "applied_ts": epoch(applied_at)})
        if len(route) >= 5:
            back = back_when(route[3], route[4])
            found[-1] |= {"route": route[0], "back": None if back is None else list(back)}
    return found
