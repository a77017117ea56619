"""The data outagecheck works with: statuses, evidence, surface results, the report."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from outagecheck.classes import dataclass, field

if TYPE_CHECKING:
    from outagecheck.surfaces import RouteResult


class Status(enum.StrEnum):
    """What outagecheck concludes about a surface, or what one piece of evidence says."""

    OPERATIONAL = "operational"
    DEGRADED = "degraded"
    DOWN = "down"
    # Could not tell. On a piece of evidence it means "no vote" (a bot challenge, an unreadable page).
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# Precedence for "the worst of": down > degraded > unknown > operational, as the exit codes rank them.
SEVERITY: Final[dict[Status, int]] = {
    Status.OPERATIONAL: 0,
    Status.UNKNOWN: 1,
    Status.DEGRADED: 2,
    Status.DOWN: 3,
}


def worst(statuses: Iterable[Status]) -> Status | None:
    """Return the most severe status, or None for an empty iterable."""
    return max(statuses, key=SEVERITY.__getitem__, default=None)


class ExitCode(enum.IntEnum):
    """Process exit codes; the README's table mirrors this one."""

    OK = 0
    DEGRADED = 1
    DOWN = 2
    UNKNOWN = 3
    USAGE = 64  # sysexits EX_USAGE
    UNAVAILABLE = 69  # sysexits EX_UNAVAILABLE: `fallback apply` wrote the switch, but the API route fails
    SOFTWARE = 70  # sysexits EX_SOFTWARE: a bug in outagecheck (the last-resort handler in __main__)
    CANT_CREATE = 73  # sysexits EX_CANTCREAT
    IO_ERROR = 74  # sysexits EX_IOERR: the report could not be written to stdout
    CONFIG = 78  # sysexits EX_CONFIG
    INTERRUPTED = 130  # 128 + SIGINT


class FailOn(enum.StrEnum):
    """--fail-on: the least severe verdict that still fails the process (`never`: nothing does)."""

    DOWN = "down"
    DEGRADED = "degraded"
    UNKNOWN = "unknown"
    NEVER = "never"


# The verdicts each --fail-on level turns into a non-zero exit; `unknown` is today's default mapping.
_FAILING: Final[dict[FailOn, frozenset[ExitCode]]] = {
    FailOn.DOWN: frozenset({ExitCode.DOWN}),
    FailOn.DEGRADED: frozenset({ExitCode.DOWN, ExitCode.DEGRADED}),
    FailOn.UNKNOWN: frozenset({ExitCode.DOWN, ExitCode.DEGRADED, ExitCode.UNKNOWN}),
    FailOn.NEVER: frozenset(),
}


def under_policy(verdict: ExitCode, fail_on: FailOn | None) -> ExitCode:
    """The process exit code for a verdict under --fail-on: the verdict if the policy fails on it, else 0.

    None keeps the verdict as it is (the default mapping, and `wait`'s own exit 2).
    """
    if fail_on is None:
        return verdict
    return verdict if verdict in _FAILING[fail_on] else ExitCode.OK


# Who answered a probe. Only the first two speak for the service; the rest stand in its way.
ANSWERERS: Final = (
    "service",
    "service_edge",
    "client_block",
    "rate_limit_client",
    "web_filter",
    "local_proxy",
    "captive_portal",
    "tls_interception",
    "bot_challenge",
)


@dataclass(frozen=True)
class Attempt:
    """One try at one URL; an Evidence lists every try behind its verdict."""

    status: Status
    reason: str
    detail: str
    http_status: int | None = None
    latency_s: float | None = None


@dataclass(frozen=True)
class Evidence:
    """One observation: an HTTP answer (or failure) from one endpoint, or the status page."""

    endpoint: str  # endpoint key, e.g. "api_hello", or "status_page"
    url: str
    status: Status  # UNKNOWN = inconclusive, casts no vote
    reason: str  # stable machine name: "ok", "timeout", "http_5xx", "bot_challenge", ...
    detail: str  # short human text: "HTTP 500", "no answer within 5.0 s"
    http_status: int | None = None
    latency_s: float | None = None
    # A failure that happens before any server answers (DNS, refused, proxy, TLS, connect timeout):
    # when every endpoint fails this way the local network is the likely cause.
    local: bool = False
    attempts: tuple[Attempt, ...] = ()  # every try, oldest first; more than one when it was retried
    # A fingerprint of the body's head ("" without one): the same page from every host is an intermediary's.
    signature: str = ""
    answered_by: str = ""  # who answered: one of ANSWERERS, or "" when nothing answered or it cannot be told
    product: str = ""  # the answerer's product when known: "Zscaler", "Cloudflare", ...
    issuer: str = ""  # a certificate that failed verification: its issuer, as presented (never trusted)

    def as_attempt(self) -> Attempt:
        return Attempt(self.status, self.reason, self.detail, self.http_status, self.latency_s)


@dataclass(frozen=True)
class Incident:
    """An unresolved incident from the status page."""

    name: str
    status: str
    impact: str
    latest_update: str
    updated_at: str
    link: str
    components: tuple[str, ...] = ()


@dataclass(frozen=True)
class Maintenance:
    """A scheduled maintenance from the status page, upcoming or under way: a note, never an outage."""

    name: str
    status: str  # Statuspage: scheduled, in_progress, verifying
    scheduled_for: str
    scheduled_until: str
    link: str
    components: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatusPage:
    """What the official status page said, or why it gave no signal."""

    usable: bool
    url: str | None  # the summary.json that answered (or the last one tried)
    reason: str  # "ok" or why it gave no signal
    detail: str
    components: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (name, raw status)
    incidents: tuple[Incident, ...] = ()
    indicator: str | None = None
    attempts: tuple[Evidence, ...] = ()
    maintenances: tuple[Maintenance, ...] = ()


@dataclass(frozen=True)
class SurfaceResult:
    """The verdict on one surface with everything that led to it."""

    id: str
    service: str
    status: Status
    impact: str
    probe_status: Status | None  # None: no probe voted
    official_status: Status | None  # None: the status page gave no signal for it
    evidence: tuple[Evidence, ...]
    official_components: tuple[tuple[str, str], ...] = ()  # (name, raw status) per matched component


@dataclass(frozen=True)
class Step:
    """One numbered step: what to do, and the command to paste, if there is one."""

    text: str
    command: str | None = None


def step_lines(steps: Iterable[Step]) -> list[str]:
    """Lay out numbered steps, each command on its own line so it can be pasted whole."""
    lines = []
    for n, step in enumerate(steps, 1):
        lines.append(f"  {n}. {step.text}")
        if step.command:
            lines.append(f"       {step.command}")
    return lines


@dataclass(frozen=True)
class Advice:
    """How to get around the outage, as data the renderer prints."""

    needed: bool  # a front-end surface is failing
    available: bool  # the raw API is a usable way around it
    headline: str
    steps: tuple[Step, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Replay:
    """A drill: the report is a saved one or a bundled scenario, replayed; nothing was checked."""

    name: str  # the scenario's name or the file's path, as given
    source: str  # "option" (--replay) or "env" ($OUTAGECHECK_REPLAY)

    @property
    def banner(self) -> str:
        """The one line every human format leads with, so a drill is never taken for a live check."""
        return f"Replay of {self.name} — nothing was checked"


@dataclass(frozen=True)
class Report:
    """The finished triage: everything the renderers and the exit code need."""

    checked_at: str
    surfaces: tuple[SurfaceResult, ...]
    status_page: StatusPage
    required: tuple[str, ...]
    advice: Advice
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # disagreements between probes and status page, and similar
    local_network: bool = False
    # Fallbacks applied on this machine and not reverted (the journal), for reminders and metrics.
    fallback_outstanding: tuple[str, ...] = ()
    # The limits a live run used (--slow, --timeout): Nagios perfdata thresholds. Not in --json.
    slow_s: float | None = None
    timeout_s: float | None = None
    replay: Replay | None = None  # set on a --replay or $OUTAGECHECK_REPLAY drill: every format says so
    routes: tuple[RouteResult, ...] = ()  # [[routes]] checked beside the surfaces; only `--require route:NAME` counts

    def outstanding_note(self) -> str | None:
        """While a fallback is applied, a reminder on every run (the advice says more once logins are back)."""
        reverting = any((step.command or "").startswith("outagecheck fallback revert") for step in self.advice.steps)
        if not self.fallback_outstanding or reverting:
            return None
        names = ", ".join(self.fallback_outstanding)
        return (
            f"A fallback is applied ({names}): 'outagecheck fallback revert' undoes it; "
            "run it before uninstalling outagecheck."
        )

    def maintenance_notes(self) -> list[str]:
        """One line per scheduled maintenance: planned work explains a degraded component; it is not an outage."""
        lines = []
        for m in self.status_page.maintenances:
            what = f"{m.name}" + (f" ({', '.join(m.components)})" if m.components else "")
            if m.status == "scheduled":
                lines.append(f"Scheduled maintenance: {what}, {m.scheduled_for} to {m.scheduled_until}. {m.link}")
            else:
                lines.append(f"Maintenance under way until {m.scheduled_until}: {what}. {m.link}")
        return lines

    def service_label(self, surface: SurfaceResult) -> str:
        """The Service column: the name, marked when the surface does not count for the exit code."""
        return surface.service + ("" if surface.id in self.required else " (not required)")

    @property
    def exit_code(self) -> ExitCode:
        """The one place statuses become an exit code: down > degraded > unknown > operational."""
        counted = [x.status for x in self.surfaces + self.routes if x.id in self.required]  # routes: `route:NAME`
        return {
            Status.DOWN: ExitCode.DOWN,
            Status.DEGRADED: ExitCode.DEGRADED,
            Status.UNKNOWN: ExitCode.UNKNOWN,
            Status.OPERATIONAL: ExitCode.OK,
            None: ExitCode.OK,
        }[worst(counted)]

    @property
    def usable(self) -> bool:
        """Every required surface answers (operational, or degraded: slower but working); the GitHub
        Action's `ok` output, which AI steps gate on."""
        return self.exit_code in (ExitCode.OK, ExitCode.DEGRADED)

    def exit_code_for(self, fail_on: FailOn | None) -> ExitCode:
        """The process exit code under a --fail-on policy; `exit_code` stays the verdict (--json, outputs)."""
        return under_policy(self.exit_code, fail_on)
