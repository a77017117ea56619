"""The report in the Monitoring Plugins format (Nagios, Icinga): a state line with perfdata. Pure."""

from __future__ import annotations

from typing import Final

from outagecheck.model import ExitCode, Report, Status, SurfaceResult
from outagecheck.surfaces import RouteResult

NAGIOS_STATE: Final[dict[ExitCode, str]] = {
    ExitCode.OK: "OK",
    ExitCode.DEGRADED: "WARNING",
    ExitCode.DOWN: "CRITICAL",
    ExitCode.UNKNOWN: "UNKNOWN",
}


def _latency(s: SurfaceResult) -> str:
    values = [e.latency_s for e in s.evidence if e.latency_s is not None and e.http_status is not None]
    return f"{max(values):.3f}s" if values else "U"  # 'U': undetermined, per the plugin guidelines


def _route_latency(r: RouteResult) -> str:
    return f"{r.latency_ms / 1000:.3f}s" if r.latency_ms is not None else "U"


def _route_line(r: RouteResult) -> str:
    """One route in the long output: its status, whether it is usable from here, and what it said."""
    now = " (Claude Code uses it now)" if r.current else ""
    usable = "usable" if r.blocker is None else r.usable.replace("_", " ")
    return f"Route {r.route.name}{now}: {r.status.label}, {usable} - {r.detail}"


def _label(text: str) -> str:
    # Labels with anything but [A-Za-z0-9_-] are quoted; a single quote is doubled inside quotes.
    if text.replace("_", "").replace("-", "").isalnum():
        return text
    return "'" + text.replace("'", "''") + "'"


def to_nagios(report: Report) -> str:
    """Monitoring Plugins output: 'OUTAGECHECK STATE - summary | perfdata', then one line per surface
    and one per configured route."""
    state = NAGIOS_STATE[report.exit_code]
    counted = [(s.service, s.status) for s in report.surfaces if s.id in report.required]
    counted += [
        (f"route {r.route.name}", r.status) for r in report.routes if f"route:{r.route.name}" in report.required
    ]
    bad = [(name, status) for name, status in counted if status is not Status.OPERATIONAL]
    if bad:
        summary = ", ".join(f"{name} {status.value}" for name, status in bad)
    else:
        summary = f"{len(counted)} of {len(counted)} surfaces operational"
    if report.replay is not None:  # a drill must not page anyone as if it were real
        summary = f"REPLAY of {report.replay.name}, nothing was checked: {summary}"
    # 'label'=value[UOM];[warn];[crit];[min];[max]: slower than --slow is degraded (warning), and nothing
    # waits past --timeout (critical, and the most a value can be). A replay has no limits: empty fields.
    warn = f"{report.slow_s:g}" if report.slow_s is not None else ""
    crit = f"{report.timeout_s:g}" if report.timeout_s is not None else ""
    perf = " ".join(f"{_label(s.id)}={_latency(s)};{warn};{crit};0;{crit}" for s in report.surfaces)
    # A label per route (`route_` and its name) after the surfaces'; a route sets the state only when required.
    perf += "".join(
        f" {_label('route_' + r.route.name)}={_route_latency(r)};{warn};{crit};0;{crit}" for r in report.routes
    )
    # The first line must not hold a '|' outside the perfdata separator.
    lines = [f"OUTAGECHECK {state} - {summary.replace('|', '/')} | {perf}"]
    for s in report.surfaces:
        lines.append(f"{s.service}: {s.status.label} - {s.impact}".replace("|", "/"))
    lines += [_route_line(r).replace("|", "/") for r in report.routes]
    if report.advice.needed:
        lines.append(report.advice.headline.replace("|", "/"))
    return "\n".join(lines) + "\n"
