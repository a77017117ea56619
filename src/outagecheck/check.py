"""One live run of the checks, shared by `status`, `wait` and `watch`."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace

from outagecheck import probe, triage
from outagecheck.config import Config
from outagecheck.model import Report, StatusPage
from outagecheck.replay import outstanding_fallbacks
from outagecheck.surfaces import Surface
from outagecheck.tls import ContextLoader

# Statuspage operators throttle pollers: watch and wait read the page at most this often.
PAGE_MIN_INTERVAL_S = 60.0


@dataclass
class Checker:
    """Runs the configured checks again and again; remembers the status page between runs."""

    cfg: Config
    surfaces: tuple[Surface, ...]
    api_key: str | None
    tls: ContextLoader | None = None
    page_every_s: float = 0.0  # 0: read the status page on every run
    _page: tuple[float, StatusPage, dict[str, StatusPage]] | None = field(default=None, init=False)

    def run(self, required: tuple[str, ...]) -> Report:
        plan = triage.build_plan(self.cfg, api_key=self.api_key)
        fresh = self._page is None or time.monotonic() - self._page[0] >= self.page_every_s
        if not fresh:
            plan = replace(plan, status_pages=(), other_pages=())
        evidence, page, others = asyncio.run(probe.gather(plan, tls=self.tls))
        if fresh:
            self._page = (time.monotonic(), page, others)
        else:
            assert self._page is not None
            _, page, others = self._page
        return triage.assess(
            evidence,
            page,
            required=required,
            outstanding=outstanding_fallbacks(),
            surfaces=self.surfaces,
            other_pages=others,
        )
