"""Claude Code's own lock on ~/.claude.json, taken the way Claude Code takes it.

Traced on Claude Code 2.1.197 (npm @anthropic-ai/claude-code, native Linux binary, `strace -f -e trace=file`):
every read-modify-write of ~/.claude.json is `mkdir ~/.claude.json.lock`, read, write
`~/.claude.json.tmp.<pid>.<hex>`, rename, `rmdir ~/.claude.json.lock`. That is the proper-lockfile
protocol (https://github.com/moxystudio/node-proper-lockfile): the lock is a directory, its holder refreshes
its mtime, and a lock whose mtime is older than the stale limit (10 s by default) may be taken over.
Claude Code 2.1.197 writes anyway when the lock is held, so the lock narrows the race and the
compare-before-rename of `checked.commit` closes it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from outagecheck.errors import WriteError

STALE_S: Final = 10.0  # proper-lockfile's default `stale`
# Wait past the stale limit: a holder that died (SIGKILL, power loss) leaves its lock, which turns stale
# and is taken over within the wait; only a live holder that keeps refreshing it outlasts the wait.
WAIT_S: Final = STALE_S + 1.0
FIRST_BACKOFF_S: Final = 0.005
MAX_BACKOFF_S: Final = 0.2


def lock_dir(path: Path) -> Path:
    """The lock directory Claude Code uses for `path`."""
    return path.with_name(path.name + ".lock")


def _take_over_if_stale(lock: Path) -> bool:
    """Remove a lock whose holder stopped refreshing it; True when it is gone (or went away)."""
    try:
        age = time.time() - lock.stat().st_mtime
    except FileNotFoundError:
        return True
    if age < STALE_S:
        return False
    with contextlib.suppress(FileNotFoundError):
        os.rmdir(lock)
    return True


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Hold back a Ctrl-C for the few bytecodes of a mkdir and its bookkeeping (main thread only):
    landing between them it would leave Claude Code's lock behind, and our own rollback would then wait
    on it. A held-back Ctrl-C is delivered on the way out, through the handler it was held back from."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
        if caught and callable(previous):
            previous(signal.SIGINT, None)  # outagecheck's handler: the watchdog, then KeyboardInterrupt
        elif caught and previous != signal.SIG_IGN:
            raise KeyboardInterrupt


@contextlib.contextmanager
def claude_lock(path: Path, *, wait_s: float = WAIT_S) -> Iterator[None]:
    """Hold Claude Code's lock on `path` (mkdir `<path>.lock`); always removed, also on Ctrl-C."""
    lock = lock_dir(path)
    held: list[Path] = []
    try:
        _take(path, lock, wait_s, held)
        # Held for milliseconds (one read, one stat, one rename): no mtime refresh is needed.
        yield
    finally:
        if held:
            with contextlib.suppress(OSError):
                os.rmdir(lock)


def _take(path: Path, lock: Path, wait_s: float, held: list[Path]) -> None:
    """mkdir the lock (noted in `held` with no Ctrl-C between the two), waiting out a live holder."""
    deadline = time.monotonic() + wait_s
    backoff = FIRST_BACKOFF_S
    while True:
        try:
            with _ctrl_c_held():
                os.mkdir(lock, 0o755)
                held.append(lock)
            return
        except FileExistsError:
            if _take_over_if_stale(lock):
                continue
            if time.monotonic() >= deadline:
                raise WriteError(
                    f"{path}: Claude Code's lock {lock} stayed held for {wait_s:g} s; nothing changed, try again"
                ) from None
            time.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)
        except FileNotFoundError:
            return  # no directory for the file yet: nobody can be writing it, and nothing to lock
        except OSError as e:
            raise WriteError(f"{path}: cannot take Claude Code's lock {lock}: {e.strerror or e}") from None
