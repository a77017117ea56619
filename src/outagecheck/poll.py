"""The one polling loop: check, decide, sleep, again. `wait`, `wait --then-revert` and `watch` all run on it.

What to do with each result is the caller's (`decide`): stop, or the pause before the next check. The loop
only keeps the deadline and sleeps; the clock and the sleep are passed in (tests), and `time.sleep` is
looked up at each call, not at import, so a test or a long-run probe can replace it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def poll(
    check: Callable[[], T],
    decide: Callable[[T, float | None], float | None],
    *,
    max_wait: float | None = None,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Call `check` until `decide(result, seconds left of max_wait or None)` returns None; sleep what it returns
    in between. Returns the last result."""
    give_up = None if max_wait is None else clock() + max_wait
    while True:
        result = check()
        pause = decide(result, None if give_up is None else give_up - clock())
        if pause is None:
            return result
        (sleep or time.sleep)(pause)
