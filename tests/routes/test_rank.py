"""Routes best first, and what Claude Code needs to take each one."""

from __future__ import annotations

from outagecheck.model import Status
from outagecheck.routes import rank
from outagecheck.routes.model import Blocker, Kind, Route, RouteResult


def result(
    name: str, status: Status, *, blocker: Blocker | None = None, priority: int = 100, ms: float = 100
) -> RouteResult:
    return RouteResult(
        Route(name, Kind.GATEWAY, base_url="https://gw", priority=priority), status, "", blocker=blocker, latency_ms=ms
    )


def test_usable_first_then_operational_then_priority_then_latency() -> None:
    routes = [
        result("blocked", Status.OPERATIONAL, blocker=Blocker.NO_CREDIT, priority=1),
        result("degraded", Status.DEGRADED, priority=1),
        result("slow", Status.OPERATIONAL, ms=900),
        result("fast", Status.OPERATIONAL, ms=50),
        result("preferred", Status.OPERATIONAL, priority=5, ms=800),
        result("down", Status.DOWN, priority=1),
        result("shares", Status.OPERATIONAL, blocker=Blocker.SHARES_FATE, priority=1),
    ]
    names = [r.route.name for r in rank.best_first(routes)]
    assert names == ["preferred", "fast", "slow", "degraded", "down", "blocked", "shares"]
    assert [r.route.name for r in routes if rank.up_and_usable(r)] == ["degraded", "slow", "fast", "preferred"]
