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
from outagecheck.model import Report, Status
from outagecheck.surfaces import API, CODE, LOGIN_SURFACES, WEB, back_when, back_words, statuses

BILLING_WARNING_AFTER_S: Final = 86400.0
ROUTE_NOTE: Final = "Claude Code is on route "  # only `fallback apply claude-code --to ROUTE` switches a route
BACK_NOTE: Final = "Claude Code can go back"  # the way a route switch replaced is operational again
BEFORE_NOTE: Final = "Before route "  # ... the way it replaced can't be watched
# Read by httpx (either case); NO_PROXY decides which hosts skip them.
PROXY_VARIABLES: Final = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")


def annotate(
    report: Report,
    environ: Mapping[str, str],
    fallbacks: Sequence[tuple[str, ...]],
    now: float,
    *,
    verbose: bool,
    held: dict[str, int] | None = None,
) -> Report:
    """Add this machine's notes: malformed credentials (named, never shown), what to try next when nothing could
    be reached, and a note per fallback left on (`fallbacks`: target and applied_at, and for a `--to ROUTE` switch
    the route, its kind, who pays and what Claude Code used before, as journal.outstanding gives them); for a route
    switch whose way back is operational, how to go back (`held` counts the reports in a row that saw it)."""
    if wrong := credential_notes(environ):  # "is it my token or is Claude down?"
        report = replace(report, notes=(*report.notes, *wrong))
    if report.local_network and report.replay is None:
        report = replace(report, notes=(*report.notes, offline_hint(environ, verbose=verbose)))
    if report.fallback_outstanding and fallbacks:
        report = way_back(fallbacks_on(report, fallbacks, now), fallbacks, {} if held is None else held)
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
        if len(route) >= 3:  # a `--to ROUTE` switch: which provider bills now
            name, kind, payer = route[:3]
            notes.append(f"{_on_route(name, kind)} since {shown}, billed to {payer}: revert with `{undo}`")
        else:
            notes.append(f"{_on(target)} (applied {shown}); undo: {undo}")
        if age is not None and age > BILLING_WARNING_AFTER_S:
            bills = f"it bills {route[2]}" if len(route) >= 3 else "it bills the API"
            warnings.append(
                f"{_billing(target)} {clock_text(age)}: {bills} for every request. "
                f"Revert it once Claude is back: {undo}"
            )
    return replace(report, notes=(*report.notes, *notes), warnings=(*report.warnings, *warnings))


def way_back(report: Report, fallbacks: Sequence[tuple[str, ...]], held: dict[str, int]) -> Report:
    """For each route switch, whether what Claude Code used before it (surfaces.back_when: the login paths, the
    API, or the configured route) is operational in this report: a note saying so and how to go back, "now" for
    one report, "for N checks in a row" once `held` has seen it hold that often. The advice's "the login paths
    are back ... revert" is kept for the fallbacks that replaced the login: a switch from an API key or another
    route is not told to go back because the login is (its note says when)."""
    notes, elsewhere = [], set()
    found = statuses(report)
    for target, _, *route in fallbacks:
        back = back_when(route[3], route[4]) if len(route) >= 5 else None
        if back != LOGIN_SURFACES and len(route) >= 5:
            elsewhere.add(target)
        if back is None and len(route) >= 5:  # said, so no one waits for a note that can't come
            notes.append(
                f"{BEFORE_NOTE}{route[0]}, Claude Code was on a {route[3]} route that matched none (or several) of "
                "the config's [[routes]]: outagecheck can't tell when it is back"
            )
        if back is None or not all(found.get(i) is Status.OPERATIONAL for i in back):
            held.pop(target, None)
            continue
        held[target] = seen = held.get(target, 0) + 1
        when = "now" if seen == 1 else f"for {seen} checks in a row"
        what = f"{_back(back)} {'are' if back == LOGIN_SURFACES else 'is'} operational {when}"
        if seen > 1:
            what = f"{_back(back)} {'have' if back == LOGIN_SURFACES else 'has'} been operational {when}"
        notes.append(f"{what}: {BACK_NOTE} from route {route[0]} with `outagecheck fallback revert {target}`")
    return _login_advice(replace(report, notes=(*report.notes, *notes)), elsewhere)


def _back(back: tuple[str, ...]) -> str:
    if back == LOGIN_SURFACES:
        return f"The login paths ({', '.join(back)})"
    return "The API (api)" if back == (API,) else back_words(back).capitalize()


def _login_advice(report: Report, elsewhere: set[str]) -> Report:
    """The advice worked out again without the fallbacks that did not replace the login (as hooks.after_revert
    does once they are reverted), when the advice counted them."""
    left = tuple(t for t in report.fallback_outstanding if t not in elsewhere)
    if left == report.fallback_outstanding or not {WEB, CODE, API} <= {s.id for s in report.surfaces}:
        return report
    from outagecheck.checks.advice import advise, key_flags  # noqa: PLC0415  # a route switch is outstanding

    by_id = {s.id: s for s in report.surfaces}
    evidence = {e.endpoint: e for s in report.surfaces for e in s.evidence}
    advice = advise(by_id, key_flags(evidence), incidents=report.status_page.incidents, outstanding=left)
    return replace(report, advice=advice)


def forget(report: Report, targets: Sequence[str]) -> Report:
    """Drop what fallbacks_on said about `targets`, once they have been reverted (wait --then-revert)."""
    notes = tuple(
        n
        for n in report.notes
        if not any(n.startswith(_on(t) + " (") for t in targets)
        and not ("claude-code" in targets and _about_the_route(n))
    )
    warnings = tuple(w for w in report.warnings if not any(w.startswith(_billing(t) + " ") for t in targets))
    return replace(report, notes=notes, warnings=warnings)


def _about_the_route(note: str) -> bool:
    return note.startswith((ROUTE_NOTE, BEFORE_NOTE)) or f"{BACK_NOTE} from route " in note


def _on(target: str) -> str:
    return f"Fallback {target} is on"


def _on_route(name: str, kind: str) -> str:
    return f"{ROUTE_NOTE}{name} ({kind})"


def _billing(target: str) -> str:
    return f"The {target} fallback has been on for"
