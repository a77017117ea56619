"""wait's loop on the one polling loop: what it says at each check, how long it sleeps, when it stops."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from outagecheck.checks.run import wait_until_operational
from outagecheck.model import Advice, Report, Status, StatusPage, SurfaceResult

OP, DOWN = Status.OPERATIONAL, Status.DOWN


def report(status: Status) -> Report:
    api = SurfaceResult("api", "Claude API", status, "failing", status, None, ())
    return Report("t", (api,), StatusPage(False, None, "x", ""), ("api",), Advice(False, False, ""))


class Script:
    """Reports in order (the last one repeats), a clock only sleeps move, and what was said."""

    def __init__(self, *statuses: Status) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        self.said: list[str] = []
        self.reports: Iterator[Status] = iter(statuses)
        self.last = statuses[-1]
        self.seen: list[Status] = []

    def next_report(self) -> Report:
        self.last = next(self.reports, self.last)
        return report(self.last)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def run(self, max_wait: float, then: Callable[[Report, float], float | None] | None = None) -> tuple[Report, bool]:
        return wait_until_operational(
            self.next_report, max_wait=max_wait, interval=10, progress=self.said.append, sleep=self.sleep,
            clock=lambda: self.now, on_report=lambda r: self.seen.append(r.surfaces[0].status), then=then,
        )  # fmt: skip


def test_it_waits_until_operational_and_says_so() -> None:
    script = Script(DOWN, DOWN, OP)
    last, ok = script.run(60)
    assert (ok, last.surfaces[0].status, script.slept, script.seen) == (True, OP, [10, 10], [DOWN, DOWN, OP])
    assert script.said == [
        "waiting: api down (failing); next check in 10 s, 1m00s left",
        "waiting: api down (failing); next check in 10 s, 50s left",
        "api operational",
    ]


def test_it_gives_up_at_max_wait_after_a_last_check_at_the_deadline() -> None:
    script = Script(DOWN)
    _, ok = script.run(25)
    assert (ok, script.slept) == (False, [10, 10, 5])
    assert script.said[-2:] == [
        "waiting: api down (failing); next check in 5 s, 5s left",
        "gave up after 25s: api down (failing)",
    ]


def test_then_keeps_checking_once_operational_until_it_says_stop() -> None:
    script = Script(DOWN, OP)
    asked: list[float] = []

    def then(_: Report, left: float) -> float | None:
        asked.append(left)
        return None if len(asked) == 3 else 10.0

    _, ok = script.run(100, then=then)
    assert (ok, script.slept, asked) == (True, [10, 10, 10], [90.0, 80.0, 70.0])
