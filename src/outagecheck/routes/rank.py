"""Routes best first, and what Claude Code needs to use one (pure): for `outagecheck fallback`."""

from __future__ import annotations

from collections.abc import Sequence

from outagecheck.model import Status
from outagecheck.routes.model import RouteResult

OPENROUTER = "https://openrouter.ai/api"
_ORDER = {Status.OPERATIONAL: 0, Status.DEGRADED: 1, Status.UNKNOWN: 2, Status.DOWN: 3}


def best_first(results: Sequence[RouteResult]) -> list[RouteResult]:
    """Usable first (no blocker, shared fate included), then operational over degraded, then the user's
    priority, then the faster; a route the check could not reach (unknown, down) last."""
    return sorted(
        results,
        key=lambda r: (r.blocker is not None, _ORDER[r.status], r.route.priority, r.latency_ms or float("inf")),
    )


def up_and_usable(r: RouteResult) -> bool:
    return r.blocker is None and r.status in (Status.OPERATIONAL, Status.DEGRADED)
