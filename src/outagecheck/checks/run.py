"""The one entry point of the status pipeline: options in, a source of finished reports out.

cli → run.report_source → plan → probe (http, statuspage) → classify → assess → advice → notes → a Report
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from outagecheck.checks.deep import DEFAULT_MODEL, MODEL_ID, narrow
from outagecheck.classes import dataclass
from outagecheck.durations import MAX_CHECK_S, clock_text, out_of_range
from outagecheck.errors import SECRET_VARIABLES, UsageError, credential, keep_secret, printable, scrub
from outagecheck.model import Replay, Report, Status, StatusPage
from outagecheck.poll import poll
from outagecheck.text import clean_all

if TYPE_CHECKING:
    from outagecheck.checks.plan import CheckPlan
    from outagecheck.checks.probe import Extra, Gathered
    from outagecheck.checks.tls import ContextLoader
    from outagecheck.config import Config
    from outagecheck.surfaces import Route, RouteResult, Surface

# Statuspage operators throttle pollers: wait and watch read the page at most once a minute.
POLL_PAGE_EVERY_S = 60.0

REPLAY_ENV = "OUTAGECHECK_REPLAY"  # a drill the environment asks for (re-exported by checks/replay.py)
ReportSource = Callable[[], Report]
# Given the config's [[routes]] and the run's timeout and slow limits, the check to run beside the surfaces
# (checks/probe.Extra). The CLI passes it in, loading routes/ only when the config has routes.
RoutesFactory = Callable[["tuple[Route, ...]", float, float], "Extra"]
# The fallbacks left on, as the CLI's reader of the journal gives them: (target, applied_at), one per target.
Outstanding = Callable[[], Sequence[tuple[str, ...]]]  # (target, applied_at[, route, kind, billed_to])
Annotate = Callable[[Report, Sequence[tuple[str, ...]]], Report]


@dataclass(frozen=True)
class CheckOptions:
    """The options status, wait and watch share; validated when built."""

    require: tuple[str, ...] = ()
    timeout: float | None = None
    slow: float | None = None
    config: Path | None = None
    replay: str | None = None
    deep: bool = False  # status --deep: one paid POST /v1/messages per model
    models: tuple[str, ...] = ()  # --model: the deep checks' models, and which incidents to show
    verbose: bool = False  # status --verbose: the offline hint need not suggest it

    def __post_init__(self) -> None:
        for name, value in (("--timeout", self.timeout), ("--slow", self.slow)):
            if value is not None and not 0 < value <= MAX_CHECK_S:  # for callers of the library, as the spec
                raise UsageError(out_of_range(name, (0, MAX_CHECK_S), f"{value:g}", " seconds"))
        object.__setattr__(self, "require", tuple(dict.fromkeys(self.require)))
        object.__setattr__(self, "models", tuple(dict.fromkeys(self.models)))
        for model in self.models:
            if not MODEL_ID().fullmatch(model):
                raise UsageError(f"--model {printable(model)!r} is not a model id (like {DEFAULT_MODEL})")

    def deep_models(self) -> tuple[str, ...]:
        """The models --deep checks: --model's, else the cheapest; none without --deep."""
        return (self.models or (DEFAULT_MODEL,)) if self.deep else ()


def report_source(
    opts: CheckOptions,
    environ: Mapping[str, str],
    *,
    outstanding: Outstanding,
    page_every_s: float = 0.0,
    routes: RoutesFactory | None = None,
) -> ReportSource:
    """Return a function that produces the next report: replayed (no network) or live, with this machine's notes.

    `outstanding` lists the fallbacks applied and not reverted with when, for the reminder and its age: the CLI
    passes the journal's reader in (checks/ does not import fallback/). `routes` builds the check of the
    config's [[routes]], run in the same loop under the same deadline; never called without routes.

    Raises UsageError or ConfigError for what the options or the config get wrong, before any request.
    """
    source = replay_source(opts.replay, environ)
    annotate = _notes(opts, environ)
    if source is not None:
        on = tuple(outstanding())
        replayed = annotate(_replayed(opts, source, tuple(item[0] for item in on)), on)
        return lambda: replayed
    # A live run: the CA bundle loads on another core while httpx and the rest load here (never on a replay).
    from outagecheck.checks import early  # noqa: PLC0415
    from outagecheck.checks.tls import ContextLoader  # noqa: PLC0415

    tls = early.loader() or ContextLoader()  # __main__ may have started it, with the early connections
    from outagecheck import config  # noqa: PLC0415

    # httpx's package imports its own command-line tool (httpx._main: click, rich, pygments) whenever
    # those happen to be installed, as in a development environment: ~60 ms and ~7 MB a run for a tool
    # outagecheck never calls. Marked absent, httpx's own `except ImportError` keeps its stub `main`.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # None: "not importable", by design
    from outagecheck.checks import assess, plan, probe  # noqa: PLC0415
    from outagecheck.surfaces import unknown_required  # noqa: PLC0415

    cfg = config.load(opts.config)
    config.env_url("ANTHROPIC_BASE_URL", environ)
    _keep_config_secrets(cfg)
    cfg = replace(cfg, timeout=opts.timeout or cfg.timeout, slow=opts.slow or cfg.slow)
    surfaces = plan.surfaces_for(cfg, environ, opts.deep_models())
    ids = [s.id for s in surfaces]
    if problem := unknown_required(opts.require, ids, [r.name for r in cfg.routes]):
        raise UsageError(problem)
    api_key, key_problem = credential("ANTHROPIC_API_KEY", environ)
    checks = plan.build_plan(cfg, environ, api_key=api_key, key_problem=key_problem, deep=opts.deep_models())
    warnings = _secret_warnings(environ)
    extra = routes(cfg.routes, checks.timeout_s, checks.slow_s) if routes is not None and cfg.routes else None
    live = _LiveChecks(
        checks, surfaces, probe.gather_now, assess.assess, outstanding, tls, page_every_s, warnings, opts.models, extra
    )
    live.annotate = annotate
    required = opts.require or tuple(ids)
    return lambda: live.run(required)


def replay_source(option: str | None, environ: Mapping[str, str]) -> str | None:
    """--replay wins; else $OUTAGECHECK_REPLAY, so a pipeline can be drilled without editing it."""
    return option or environ.get(REPLAY_ENV) or None


def _secret_warnings(environ: Mapping[str, str]) -> tuple[str, ...]:
    """A secret variable that can't be a credential (a line break, an impossible length): named, never shown."""
    return tuple(
        f"{problem}: it can't be a credential, so it was not used; set it again without it"
        for problem in (credential(name, environ)[1] for name in SECRET_VARIABLES)
        if problem
    )


def _notes(opts: CheckOptions, environ: Mapping[str, str]) -> Annotate:
    """What every report gets once finished: this machine's notes (checks/notes.py), at the time it is made."""
    from outagecheck.checks import notes  # noqa: PLC0415  # loaded by report_source, like the checks

    held: dict[str, int] = {}  # reports in a row each route switch's way back was seen operational (wait, watch)
    return lambda report, on: notes.annotate(report, environ, on, time.time(), verbose=opts.verbose, held=held)


def _replayed(opts: CheckOptions, source: str, outstanding: tuple[str, ...]) -> Report:
    """The replayed report: loaded, marked as the drill it is, and finished like a live one."""
    from outagecheck.checks import replay  # noqa: PLC0415  # a replay only: not on a live run's path

    if opts.deep and opts.replay is not None:
        raise UsageError("--deep sends a request and --replay sends none: use one")
    doc, where = replay.load_replay(source)
    replayed = replay.replay_report(doc, where, opts.require, outstanding, models=opts.models)
    # A saved drill replayed again is still that drill: it keeps the name of what was first replayed.
    drilled = Replay(replayed.replay.name if replayed.replay else source, "option" if opts.replay else "env")
    replayed = replace(replayed, replay=drilled)
    if opts.deep:  # a drill ($OUTAGECHECK_REPLAY) of a pipeline that runs --deep: the replay wins, said once
        drill = f"--deep sent nothing: ${REPLAY_ENV} replays {where}"
        replayed = replace(replayed, warnings=(*replayed.warnings, drill))
    return finished(replayed)  # a saved report holds what servers said, too


def _keep_config_secrets(cfg: Config) -> None:
    """Configured URLs may carry credentials, and ${VAR} header values are secrets: never shown."""
    from outagecheck.config import ENV_REF  # noqa: PLC0415  # loaded by report_source already

    urls = (*cfg.endpoints.values(), *cfg.status_pages, *(u for c in cfg.surfaces for u in (c.url, c.statuspage) if u))
    names = tuple(n for c in cfg.surfaces for _, value in c.headers for n in ENV_REF().findall(value))
    keep_secret(variables=names, urls=urls)


def finished(report: Report) -> Report:
    """The one pass over a report built from what servers said, before anything shows it: remote text
    sanitised (text.clean_all: no control sequence, bidi override, line break or workflow command) and
    secrets redacted. --json, the formats for people, hooks and webhooks all get this report."""
    return scrub(clean_all(report))


@dataclass
class _LiveChecks:
    """Runs the planned checks again and again; remembers the status page between runs."""

    checks: CheckPlan
    surfaces: tuple[Surface, ...]
    gather: Callable[..., Gathered]
    assess: Callable[..., Report]
    outstanding: Outstanding  # fallbacks applied and not reverted, for the reminder
    tls: ContextLoader | None = None
    page_every_s: float = 0.0  # 0: read the status page on every run
    warnings: tuple[str, ...] = ()  # about the environment (a secret variable that can't be one), on every report
    models: tuple[str, ...] = ()  # --model: only incidents about these (or about no model) are shown
    routes: Extra | None = None  # the [[routes]] check, run beside the probes
    annotate: Annotate = field(default=lambda report, _: report)  # this machine's notes, on the finished report
    _page: tuple[float, StatusPage, dict[str, StatusPage]] | None = field(default=None, init=False)

    def run(self, required: tuple[str, ...]) -> Report:
        checks = self.checks
        fresh = self._page is None or time.monotonic() - self._page[0] >= self.page_every_s
        if not fresh:
            checks = replace(checks, status_pages=(), other_pages=())
        seen = self.gather(checks, tls=self.tls, **({"extra": self.routes} if self.routes else {}))
        if fresh or self._page is None:
            self._page = (time.monotonic(), seen.page, seen.other_pages)
        _, page, others = self._page
        page = narrow(page, self.models)
        on = tuple(self.outstanding())
        outstanding = tuple(item[0] for item in on)
        report = self.assess(
            seen.evidence,
            page,
            required=required,
            outstanding=outstanding,
            surfaces=self.surfaces,
            other_pages=others,
        )
        report = replace(
            report, fallback_outstanding=outstanding, slow_s=self.checks.slow_s, timeout_s=self.checks.timeout_s
        )
        if self.routes is not None:  # the routes' results and notes (routes/check.beside)
            found, said = seen.extra or ((), ())
            report = replace(report, routes=with_fate(found, report), notes=(*report.notes, *said))
        if self.warnings:
            report = replace(report, warnings=(*self.warnings, *report.warnings))
        return self.annotate(finished(report), on)


def with_fate(routes: tuple[RouteResult, ...], report: Report) -> tuple[RouteResult, ...]:
    """A route that goes down with a surface failing in this report is no way around it (blocker shares_fate)."""
    from outagecheck.surfaces import Blocker  # noqa: PLC0415  # only with routes

    failing = {s.id for s in report.surfaces if s.status in (Status.DOWN, Status.DEGRADED)}
    return tuple(
        replace(r, blocker=Blocker.SHARES_FATE) if r.blocker is None and failing & set(r.shares_fate_with) else r
        for r in routes
    )


def wait_until_operational(
    next_report: ReportSource,
    *,
    max_wait: float,
    interval: float,
    progress: Callable[[str], None],
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    on_report: Callable[[Report], None] | None = None,
    then: Callable[[Report, float], float | None] | None = None,
) -> tuple[Report, bool]:
    """Check until every required surface is operational or `max_wait` has passed (on the one loop, poll.py).

    Returns the last report and whether its required surfaces were operational; `progress` gets one line per
    check and `on_report` (notifications, the self-ending fallback) every report. `then(report, seconds left)`
    may keep checking once they are operational (wait --then-revert): the pause before the next check, or None.
    """

    def check() -> Report:
        result = next_report()
        if on_report is not None:
            on_report(result)
        return result

    def decide(result: Report, left: float | None) -> float | None:
        left = 0.0 if left is None else left
        pending = _pending(result)
        if not pending:
            progress(f"{', '.join(result.required)} operational")
            return None if then is None else then(result, left)
        why = "; ".join(pending)
        if left <= 0:
            progress(f"gave up after {clock_text(max_wait)}: {why}")
            return None
        pause = min(interval, left)
        progress(f"waiting: {why}; next check in {pause:.0f} s, {clock_text(left)} left")
        return pause

    last = poll(check, decide, max_wait=max_wait, sleep=sleep, clock=clock)
    return last, not _pending(last)


def _pending(report: Report) -> list[str]:
    """The required surfaces and routes (`route:NAME`) that are not operational, each as progress says it."""
    from outagecheck.surfaces import ROUTE_REQUIRED  # noqa: PLC0415  # loaded with the checks already

    waiting = [
        f"{s.id} {s.status.value} ({s.impact})"
        for s in report.surfaces
        if s.id in report.required and s.status is not Status.OPERATIONAL
    ]
    found = {ROUTE_REQUIRED + r.route.name: r for r in report.routes}
    for wanted in (r for r in report.required if r.startswith(ROUTE_REQUIRED)):
        route = found.get(wanted)
        if route is None:  # not checked is not back
            waiting.append(f"{wanted} not checked")
        elif route.status is not Status.OPERATIONAL:
            waiting.append(f"{wanted} {route.status.value}" + (f" ({route.detail})" if route.detail else ""))
    return waiting
