"""The one polling loop: it checks, asks what next, sleeps what it is told and keeps the deadline."""

from __future__ import annotations

import pytest

from outagecheck.poll import poll


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_it_sleeps_what_decide_asks_and_stops_on_none() -> None:
    clock, results = Clock(), iter(range(10))
    seen: list[tuple[int, float | None]] = []

    def decide(result: int, left: float | None) -> float | None:
        seen.append((result, left))
        return None if result == 2 else 7.0 + result

    assert poll(lambda: next(results), decide, max_wait=60, sleep=clock.sleep, clock=lambda: clock.now) == 2
    assert clock.slept == [7.0, 8.0]
    assert seen == [(0, 60.0), (1, 53.0), (2, 45.0)]  # what is left of max_wait, read after each check


def test_without_max_wait_nothing_is_left_to_count() -> None:
    results = iter([1, 2])
    lefts: list[float | None] = []

    def decide(result: int, left: float | None) -> float | None:
        lefts.append(left)
        return None if result == 2 else 1.0

    poll(lambda: next(results), decide, sleep=lambda _: None)
    assert lefts == [None, None]


def test_time_sleep_is_looked_up_at_each_call(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)  # as the long-run memory test and the CLI tests do
    results = iter([1, 2, 3])
    assert poll(lambda: next(results), lambda r, _: None if r == 3 else 0.5) == 3
    assert slept == [0.5, 0.5]
