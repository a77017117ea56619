"""Another program writing ~/.claude.json while outagecheck works, run as a real process by the tests.

`python -m tests.writers lock PATH` rewrites the file the way Claude Code 2.1.197 does (mkdir the lock
directory, read, temp file, rename, rmdir), honouring the lock; `inplace PATH` truncates and rewrites it in
place with no lock, as older versions and other tools do. Each update bumps `writerCount`; on SIGTERM the
writer prints a JSON summary: updates written, and how often a read held none of the user's keys.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sys
import time
from pathlib import Path
from typing import Any

USER_KEY = "oauthAccount"  # a key the user's file always has: a read without it is a lost document


def _lock(path: Path) -> Path:
    lock = path.with_name(path.name + ".lock")
    while True:
        try:
            os.mkdir(lock)
            return lock
        except FileExistsError:
            time.sleep(0.001)


def _read(path: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads(path.read_text())
    except ValueError:
        return None  # half-written by an in-place writer (only ourselves here)
    return doc if isinstance(doc, dict) else None


def main(mode: str, path: Path) -> None:
    stats = {"updates": 0, "lost_documents": 0, "unreadable": 0}
    stop = False

    def on_term(signum: int, frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    while not stop:
        lock = _lock(path) if mode == "lock" else None
        try:
            doc = _read(path)
            if doc is None:
                stats["unreadable"] += 1
                continue
            if USER_KEY not in doc:
                stats["lost_documents"] += 1
            doc["writerCount"] = int(doc.get("writerCount", 0)) + 1
            text = json.dumps(doc, indent=2)
            if lock is not None:
                tmp = path.with_name(f"{path.name}.tmp.{os.getpid()}.{secrets.token_hex(6)}")
                tmp.write_text(text)
                tmp.replace(path)
            else:
                with path.open("r+") as f:
                    f.truncate(0)
                    f.flush()
                    time.sleep(0.0005)
                    f.write(text)
            stats["updates"] += 1
        finally:
            if lock is not None:
                os.rmdir(lock)
        time.sleep(0.003)
    sys.stdout.write(json.dumps(stats) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
