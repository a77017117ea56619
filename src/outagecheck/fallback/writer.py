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
from outagecheck.safefile import discard, real_path, stage

REDO_LIMIT: Final = 20  # a file rewritten more often than this while we work is refused, untouched
SETTLE_S: Final = 1.0  # how long an empty or half-written read is re-read before it is believed
# ...and at least this many times: on a loaded machine one slow step (the journal's fsync in intent()) can
# outlast SETTLE_S, which must not leave a single read to land in another writer's truncate-then-write.
SETTLE_READS: Final = 6


class Remove:
    """compute()'s answer when the file should be deleted (revert of a file outagecheck created)."""


REMOVE: Final = Remove()


class Unsettled(Exception):  # a signal to re-read, not an error a user sees
    """compute() saw an empty or half-written file: another writer may be mid-write; read it again."""


class Redo(Exception):  # a signal to start over, not an error a user sees
    """compute() under the lock found the file no longer fits the intent journaled before it: start over."""


class ChangedError(WriteError):
    """The file kept changing while outagecheck wrote it; it was left as the other writer wrote it."""


Compute = Callable[[bytes | None, bool], bytes | Remove | None]
Hook = Callable[[bytes | None, bytes | Remove], None]


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
    path: Path, compute: Compute, *, mode: int | None = None, intent: Hook | None = None, finish: Hook | None = None
) -> tuple[bytes | None, bytes | Remove] | None:
    """Apply `compute(before, last_try)` to the file; return (before, after), or None when nothing changes.

    compute returns the new bytes, REMOVE, or None (nothing to do); it raises Unsettled on an empty or
    unparsable read, which is re-read for up to SETTLE_S (and at least SETTLE_READS times), then passed with
    last_try=True to be refused.
    `intent(before, after)` runs first, outside the lock, on an unlocked read (journal what is about to
    happen: slow fsyncs stay out of the window); then, under the lock, the file is read again, compute runs
    on it (raising Redo when it no longer fits the intent), and the result is staged and renamed only over
    the version read. `finish(before, after)` runs after the rename (the backup of exactly `before`).
    """
    settle_until = time.monotonic() + SETTLE_S
    pause = 0.01
    tries = unsettled = 0

    def settled() -> bool:  # re-read long enough, and often enough: the next unusable read is believed
        return unsettled >= SETTLE_READS and time.monotonic() >= settle_until

    while True:
        try:
            if intent is not None:
                early, _ = read_with_id(path)
                planned = compute(early, settled())
                if planned is None:
                    return None
                intent(early, planned)
                del early, planned  # a big file is not held twice while it is written
            done, before, after = _locked_write(path, compute, settled(), mode)
            if after is None:
                return None
            if done:
                assert after is not None
                if finish is not None:
                    finish(before, after)
                return before, after
        except Unsettled:
            unsettled += 1
            time.sleep(pause)
            pause = min(pause * 2, 0.2)
            continue
        except Redo:
            pass
        tries += 1
        if tries >= REDO_LIMIT:
            raise ChangedError(f"{path} changed while outagecheck was writing ({REDO_LIMIT} tries)")


def _locked_write(
    path: Path, compute: Compute, last_try: bool, mode: int | None
) -> tuple[bool, bytes | None, bytes | Remove | None]:
    """Under the lock: read, compute, stage, and rename only over the version read."""
    with _lock_for(path):
        before, seen = read_with_id(path)
        after = compute(before, last_try)
        if after is None:
            return False, before, None
        if isinstance(after, Remove):
            return seen is None or remove_if(path, seen), before, after
        tmp = stage(path, after, mode=mode)
        done = False
        try:
            done = checked.commit(tmp, path, seen)
        finally:
            if not done:
                discard(tmp)
        return done, before, after
