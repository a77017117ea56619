"""Which changes are announced: N agreeing checks in a row, flapping suppressed, how long an outage lasted."""

from __future__ import annotations

from dataclasses import replace

import pytest

from outagecheck.errors import ConfigError
from outagecheck.model import Advice, Report, Status, StatusPage, SurfaceResult
from outagecheck.output.debounce import Debouncer, Streak
from outagecheck.surfaces import Kind, Route, RouteResult

OP, DOWN, DEG = Status.OPERATIONAL, Status.DOWN, Status.DEGRADED


def report(**statuses: Status) -> Report:
    surfaces = tuple(SurfaceResult(i, i.upper(), s, f"{i} {s.value}", s, None, ()) for i, s in statuses.items())
    return Report("t", surfaces, StatusPage(False, None, "x", ""), tuple(statuses), Advice(False, False, ""))


def feed(d: Debouncer, sequence: list[Status]) -> list[tuple[int, Status, Status, float | None]]:
    """Feed one surface's statuses at t = 0, 10, 20 ...; return (t, old, new, outage_s) per announcement."""
    out = []
    for n, status in enumerate(sequence):
        out += [(n * 10, c.old, c.new, c.outage_s) for c in d.update(report(web=status), n * 10.0)]
    return out


def test_the_first_report_is_the_baseline_and_every_change_counts_by_default() -> None:
    assert feed(Debouncer(), [OP, DOWN, OP]) == [(10, OP, DOWN, None), (20, DOWN, OP, 10.0)]


def test_flapping_is_suppressed_and_the_recovery_says_how_long_it_lasted() -> None:
    flapping = [OP, DOWN, OP, DOWN, OP, DOWN, DOWN, DOWN, OP, DOWN, OP, OP, OP]
    assert feed(Debouncer(fail_after=2, recover_after=2), flapping) == [
        (60, OP, DOWN, None),  # t=50 and t=60 agreed
        (110, DOWN, OP, 50.0),  # t=100 and t=110 agreed; down from t=50 to the first good check at t=100
    ]


def test_a_change_between_failing_states_keeps_the_outage_start() -> None:
    assert feed(Debouncer(), [OP, DEG, DOWN, OP]) == [(10, OP, DEG, None), (20, DEG, DOWN, None), (30, DOWN, OP, 20.0)]


def test_a_surface_down_from_the_start_recovers_from_the_first_check() -> None:
    assert feed(Debouncer(recover_after=2), [DOWN, DOWN, OP, OP]) == [(30, DOWN, OP, 20.0)]


def test_thresholds_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Debouncer(fail_after=0)


def test_streak_counts_checks_with_every_login_surface_operational() -> None:
    streak = Streak(("web", "code"), needed=3)
    seen = [streak.update(report(web=w, code=c, api=DOWN)) for w, c in [(OP, OP), (OP, OP), (OP, DOWN), (OP, OP),
                                                                          (OP, OP), (OP, OP)]]  # fmt: skip
    assert seen == [False, False, False, False, False, True]


def test_it_names_the_surfaces_seen_first_and_since_when_each_status_holds() -> None:
    d = Debouncer()
    d.update(replace(report(web=OP), checked_at="t1"), 0.0)
    assert (d.fresh, d.since("web"), d.since("nowhere")) == (["web"], "t1", "")
    d.update(replace(report(web=OP, api=OP), checked_at="t2"), 10.0)
    assert (d.fresh, d.since("web"), d.since("api")) == (["api"], "t1", "t2")
    d.update(replace(report(web=DOWN, api=OP), checked_at="t3"), 20.0)
    assert (d.fresh, d.since("web"), d.since("api")) == ([], "t3", "t2")


def _with_route(base: Report, name: str, status: Status) -> Report:
    route = RouteResult(Route(name, Kind.BEDROCK), status, "ok" if status is OP else "down")
    return replace(base, routes=(*base.routes, route))


def test_streak_counts_a_required_route_by_name_and_a_route_not_checked_is_a_config_error() -> None:
    streak = Streak(("route:east",), needed=2)
    up, down = _with_route(report(web=DOWN), "east", OP), _with_route(report(web=OP), "east", DOWN)
    assert [streak.update(r) for r in (up, down, up, up)] == [False, False, False, True]  # web is not asked for
    with pytest.raises(ConfigError, match="once route 'west' is back, and the config has no \\[\\[routes\\]\\] entry"):
        Streak(("route:west",), needed=1).update(up)
