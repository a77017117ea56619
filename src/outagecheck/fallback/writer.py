"""One read-modify-write of a file shared with other writers: read, compute, stage, compare, rename.

~/.claude.json is also locked the way Claude Code locks it (lock.py). Every target gets the
compare-before-rename: when the file changed between our read and our rename, the edit is redone on the
new version (a bounded number of times), so nobody's update is overwritten.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

from outagecheck import paths
from outagecheck.errors import WriteError
from outagecheck.fallback import checked
from outagecheck.fallback.checked import read_with_id, remove_if
from outagecheck.fallback.lock import claude_lock
from outagecheck.fallback.safefile import discard, real_path, stage

REDO_LIMIT: Final = 20  # a file rewritten more often than this while we work is refused, untouched
SETTLE_S: Final = 1.0  # how long an empty or half-written read is re-read before it is believed


class Remove:
    """compute()'s answer when the file should be deleted (revert of a file outagecheck created)."""


REMOVE: Final = Remove()


class Unsettled(Exception):  # a signal to re-read, not an error a user sees
    """compute() saw an empty or half-written file: another writer may be mid-write; read it again."""


class ChangedError(WriteError):
    """The file kept changing while outagecheck wrote it; it was left as the other writer wrote it."""


Compute = Callable[[bytes | None, bool], bytes | Remove | None]
Prepare = Callable[[bytes | None, bytes | Remove], None]


def is_claude_state(path: Path) -> bool:
    """Whether `path` is Claude Code's ~/.claude.json (through symlinks), which it locks itself."""
    return real_path(path) == real_path(paths.claude_state_file())


@contextlib.contextmanager
def _lock_for(path: Path) -> Iterator[None]:
    if is_claude_state(path):
        with claude_lock(real_path(path)):
            yield
    else:
        yield


def read_modify_write(
    path: Path, compute: Compute, *, mode: int | None = None, prepare: Prepare | None = None
) -> tuple[bytes | None, bytes | Remove] | None:
    """Apply `compute(before, last_try)` to the file; return (before, after), or None when nothing changes.

    compute returns the new bytes, REMOVE, or None (nothing to do); it raises Unsettled on an empty or
    unparsable read, which is re-read for up to SETTLE_S, then passed with last_try=True to be refused.
    `prepare(before, after)` runs before the rename (backups, the journal), again on each redo.
    """
    settle_until = time.monotonic() + SETTLE_S
    pause = 0.01
    for _ in range(REDO_LIMIT):
        while True:
            before, seen = read_with_id(path)
            try:
                after = compute(before, time.monotonic() >= settle_until)
                break
            except Unsettled:
                time.sleep(pause)
                pause = min(pause * 2, 0.2)
        if after is None:
            return None
        if prepare is not None:
            prepare(before, after)
        tmp = None if isinstance(after, Remove) else stage(path, after, mode=mode)
        try:
            with _lock_for(path):
                done = (seen is None or remove_if(path, seen)) if tmp is None else checked.commit(tmp, path, seen)
            if done:
                tmp = None
                return before, after
        finally:
            if tmp is not None:
                discard(tmp)
    raise ChangedError(f"{path} changed while outagecheck was writing ({REDO_LIMIT} tries)")
