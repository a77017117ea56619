"""Tell a slow service from a starved machine: a heartbeat on the event loop measures how late it runs,
and a timeout seen while it ran late is this machine's fault (`local_overload`), never the service's."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from outagecheck.model import Evidence, Status

# Starvation: a heartbeat on the event loop every HEARTBEAT_S; a wake-up later than LAG_LIMIT (or this
# share of the timeout, if more) means this process, not the remote service, was too slow. So does a
# first attempt that got less than FAIR_SHARE of its budget. A timeout then is `local_overload`, unknown.
HEARTBEAT_S = 0.05
LAG_LIMIT_S = 0.25
LAG_SHARE = 0.1
FAIR_SHARE = 0.5


class Heartbeat:
    """Measure how late the event loop runs: the worst lag between when a wake-up was due and when it came."""

    def __init__(self, timeout_s: float) -> None:
        self.limit = max(LAG_LIMIT_S, LAG_SHARE * timeout_s)
        self.worst = 0.0
        self._due: float | None = None

    async def beat(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._due = loop.time() + HEARTBEAT_S
            await asyncio.sleep(HEARTBEAT_S)
            self.worst = max(self.worst, loop.time() - self._due)

    def lag(self) -> float:
        """The worst lag so far, counting a wake-up that is overdue right now."""
        now = asyncio.get_running_loop().time()
        return max(self.worst, now - self._due if self._due is not None else 0.0)

    def starved(self, budget_at_start: float, timeout_s: float, *, first: bool) -> str | None:
        """Why a timeout says more about this machine than the service, or None."""
        if (lag := self.lag()) > self.limit:
            return f"the event loop ran {lag:.2f} s late"
        if first and budget_at_start < FAIR_SHARE * timeout_s:
            return f"the check could start only with {max(budget_at_start, 0):.2f} s of its {timeout_s:g} s left"
        return None


def overloaded(evidence: Evidence, why: str) -> Evidence:
    """A timeout on a starved machine: unknown, `local_overload`, never down."""
    detail = f"{evidence.detail}, but this machine was too busy to tell ({why})"
    return replace(evidence, status=Status.UNKNOWN, reason="local_overload", detail=detail, local=False)
