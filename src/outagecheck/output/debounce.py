"""The one change tracker: which status changes are worth announcing, N checks in a row must agree (pure; the
clock is passed in). Notifications use it with their thresholds; watch with 1 and 1, for every change.

Gatus' alerting has the same two thresholds (`failure-threshold`, `success-threshold`):
https://github.com/TwiN/gatus#alerting . A surface that flaps between two answers never reaches
either and is never announced.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from outagecheck.errors import ConfigError
from outagecheck.model import Report, Status
from outagecheck.surfaces import ROUTE_REQUIRED, statuses


@dataclass(frozen=True)
class Change:
    """One announced change of one surface."""

    surface: str
    service: str
    old: Status
    new: Status
    reason: str  # the surface's impact text at the time
    checked_at: str
    outage_s: float | None = None  # on a recovery: how long it was not operational

    @property
    def recovered(self) -> bool:
        return self.new is Status.OPERATIONAL


@dataclass
class _Surface:
    announced: Status
    since: float  # when the outage began (the first check of the streak that made it); a recovery's start after
    announced_at: str  # the checked_at of the report that announced the status (watch's "Since" column)
    candidate: Status | None = None
    streak: int = 0
    streak_since: float = 0.0


@dataclass
class Debouncer:
    """Feed it every report; it returns the changes that held for enough checks.

    The first report is the baseline: nothing is announced for it. A change away from operational
    needs `fail_after` checks in a row that agree, a recovery `recover_after`.
    """

    fail_after: int = 1
    recover_after: int = 1
    fresh: list[str] = field(default_factory=list)  # the surfaces the last update saw for the first time
    _seen: dict[str, _Surface] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.fail_after < 1 or self.recover_after < 1:
            raise ValueError("thresholds must be at least 1")

    def update(self, report: Report, now: float) -> list[Change]:
        """Record one report (checked at `now`, seconds on any monotonic clock); return what to announce."""
        changes = []
        self.fresh = []
        for s in report.surfaces:
            state = self._seen.get(s.id)
            if state is None:
                self._seen[s.id] = _Surface(s.status, now, report.checked_at)
                self.fresh.append(s.id)
                continue
            if s.status is state.announced:
                state.candidate, state.streak = None, 0
                continue
            if s.status is state.candidate:
                state.streak += 1
            else:
                state.candidate, state.streak, state.streak_since = s.status, 1, now
            needed = self.recover_after if s.status is Status.OPERATIONAL else self.fail_after
            if state.streak < needed:
                continue
            outage = None
            if s.status is Status.OPERATIONAL:
                outage = state.streak_since - state.since  # from the first failing check to the first good one
            changes.append(Change(s.id, s.service, state.announced, s.status, s.impact, report.checked_at, outage))
            # A change between two failing states keeps the outage's start.
            if s.status is Status.OPERATIONAL or state.announced is Status.OPERATIONAL:
                state.since = state.streak_since
            state.announced, state.candidate, state.streak = s.status, None, 0
            state.announced_at = report.checked_at
        return changes

    def since(self, surface: str) -> str:
        """The checked_at of the report that announced the surface's status; "" for a surface never seen."""
        state = self._seen.get(surface)
        return state.announced_at if state else ""


@dataclass
class Streak:
    """Counts consecutive reports in which every one of `surfaces` (surface ids, or `route:NAME` for a [[routes]]
    entry) is operational (for --then-revert)."""

    surfaces: tuple[str, ...]
    needed: int
    count: int = 0

    def update(self, report: Report) -> bool:
        """Record one report; True once the surfaces have been operational `needed` times in a row. A route this
        report did not check can't be seen coming back: ConfigError (the config has no such route)."""
        found = statuses(report)
        if missing := [i for i in self.surfaces if i.startswith(ROUTE_REQUIRED) and i not in found]:
            name = missing[0].removeprefix(ROUTE_REQUIRED)
            raise ConfigError(
                f"the fallback is to end once route '{name}' is back, and the config has no [[routes]] entry "
                "of that name (see --config); revert by hand: outagecheck fallback revert"
            )
        ok = all(found.get(i) is Status.OPERATIONAL for i in self.surfaces if i in found)
        self.count = self.count + 1 if ok else 0
        return self.count >= self.needed
