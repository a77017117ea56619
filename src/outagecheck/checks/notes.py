"""What a report says about this machine besides the checks: credentials that look wrong, a network that reached
nothing, and each fallback left on with its age. Added where the Report is built (run.report_source), so
status, wait and watch all say it.

A fallback left on after the outage keeps billing the API: one user lost about $60 that way
(https://github.com/anthropics/claude-code/issues/86794), hence the warning after a day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Final

from outagecheck.checks.credentials import notes as credential_notes
from outagecheck.durations import clock_text, epoch
from outagecheck.model import Report

BILLING_WARNING_AFTER_S: Final = 86400.0
ROUTE_NOTE: Final = "Claude Code is on route "  # only `fallback apply claude-code --to ROUTE` switches a route
# Read by httpx (either case); NO_PROXY decides which hosts skip them.
PROXY_VARIABLES: Final = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")


def annotate(
    report: Report, environ: Mapping[str, str], fallbacks: Sequence[tuple[str, ...]], now: float, *, verbose: bool
) -> Report:
    """Add this machine's notes: malformed credentials (named, never shown), what to try next when nothing could
    be reached, and a note per fallback left on (`fallbacks`: target and applied_at, and the route with its kind and
    who pays for a `--to ROUTE` switch, as the journal says)."""
    if wrong := credential_notes(environ):  # "is it my token or is Claude down?"
        report = replace(report, notes=(*report.notes, *wrong))
    if report.local_network and report.replay is None:
        report = replace(report, notes=(*report.notes, offline_hint(environ, verbose=verbose)))
    if report.fallback_outstanding and fallbacks:
        report = fallbacks_on(report, fallbacks, now)
    return report


def offline_hint(environ: Mapping[str, str], *, verbose: bool) -> str:
    """One line for a first run that reached nothing: what to try next. Proxy variables by name only (their
    values may hold credentials)."""
    proxies = [name for name in PROXY_VARIABLES if environ.get(name) or environ.get(name.lower())]
    tries = [] if verbose else ["'outagecheck status --verbose' shows where each check failed"]
    if proxies:
        tries.append(f"check the proxy variables in effect ({', '.join(proxies)})")
    else:
        tries.append("no proxy variable is set (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY): does this network need one?")
    tries.append("'outagecheck status --replay march-2026' is a drill that needs no network")
    return "Nothing could be reached. To try next: " + "; ".join(tries) + "."


def age_s(applied_at: str, now: float) -> float | None:
    """Seconds since an ISO timestamp; None when it can't be read."""
    since = epoch(applied_at)
    return None if since is None else max(now - since, 0.0)


def fallbacks_on(report: Report, fallbacks: Sequence[tuple[str, ...]], now: float) -> Report:
    """Add a note per outstanding fallback with its age, and a billing warning when one is over a day old."""
    notes, warnings = [], []
    for target, applied, *route in fallbacks:
        age = age_s(applied, now)
        shown = f"{clock_text(age)} ago" if age is not None else applied
        undo = f"outagecheck fallback revert {target}"
        if len(route) == 3:  # a `--to ROUTE` switch: which provider bills now
            name, kind, payer = route
            notes.append(f"{_on_route(name, kind)} since {shown}, billed to {payer}: revert with `{undo}`")
        else:
            notes.append(f"{_on(target)} (applied {shown}); undo: {undo}")
        if age is not None and age > BILLING_WARNING_AFTER_S:
            bills = f"it bills {route[2]}" if len(route) == 3 else "it bills the API"
            warnings.append(
                f"{_billing(target)} {clock_text(age)}: {bills} for every request. "
                f"Revert it once Claude is back: {undo}"
            )
    return replace(report, notes=(*report.notes, *notes), warnings=(*report.warnings, *warnings))


def forget(report: Report, targets: Sequence[str]) -> Report:
    """Drop what fallbacks_on said about `targets`, once they have been reverted (wait --then-revert)."""
    notes = tuple(
        n
        for n in report.notes
        if not any(n.startswith(_on(t) + " (") for t in targets)
        and not ("claude-code" in targets and n.startswith(ROUTE_NOTE))
    )
    warnings = tuple(w for w in report.warnings if not any(w.startswith(_billing(t) + " ") for t in targets))
    return replace(report, notes=notes, warnings=warnings)


def _on(target: str) -> str:
    return f"Fallback {target} is on"


def _on_route(name: str, kind: str) -> str:
    return f"{ROUTE_NOTE}{name} ({kind})"


def _billing(target: str) -> str:
    return f"The {target} fallback has been on for"
