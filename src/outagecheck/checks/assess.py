"""Turn evidence and the status page into a finished Report: verdicts, impact, notes, advice (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from outagecheck.checks import answered
from outagecheck.checks.advice import advise, blocked_route, key_flags
from outagecheck.checks.classify import COMPONENT_STATUS, classify_component
from outagecheck.checks.plan import summary_url
from outagecheck.model import Evidence, Report, Status, StatusPage, SurfaceResult, worst
from outagecheck.surfaces import SURFACES, Surface

# Failures whose nature says more than the surface's own impact text.
REASON_IMPACT = {
    "overloaded": "Overloaded: requests intermittently rejected",
    "rate_limited": "Rate limited: requests throttled",
    "passed_after_retry": "Flaky: answered only on a retry",
}


def why(e: Evidence) -> str:
    """The named reason and its detail, as the Impact column shows them: 'http_5xx: HTTP 500'."""
    return f"{e.reason}: {e.detail}"


# Evidence of a check that was never sent: it says nothing about the network either way.
NOT_SENT = frozenset({"missing_env", "key_withheld", "bad_credential"})


# The API refuses this client (a region or workspace): the service may be fine, but not from here.
REFUSED = frozenset({"access_denied", "permission"})


# Answers generated on this side of the network: a proxy's error page, a captive portal.
INTERCEPTED = frozenset({"proxy_error", "captive_portal", "web_filter", "tls_interception"})


def _local_failure(evidence: Mapping[str, Evidence], page: StatusPage) -> bool:
    """Nothing but this network answered: every check failed locally, a captive portal stands in the way of
    the probes while the status page is unreadable, or every host served the very same page."""
    everything = [e for e in (*evidence.values(), *page.attempts) if e.reason not in NOT_SENT]
    if not everything or page.usable:
        return False
    if all(e.local for e in everything):
        return True
    if any(e.reason == "captive_portal" for e in evidence.values()):
        return True
    signatures = {e.signature for e in everything}
    return len(everything) > 1 and len(signatures) == 1 and "" not in signatures and not _any_ok(everything)


def _any_ok(evidence: list[Evidence]) -> bool:
    return any(e.status is Status.OPERATIONAL for e in evidence)


def _components(surface: Surface, page: StatusPage) -> list[tuple[str, str]]:
    """Find the surface's components on the page: by id, else by name (names have changed)."""
    found = []
    for comp in surface.components:
        if comp.id in page.components:
            found.append(page.components[comp.id])
            continue
        for name, state in page.components.values():
            if name.lower().startswith(comp.names):
                found.append((name, state))
                break
    return found


def _impact(
    surface: Surface,
    status: Status,
    evidence: list[Evidence],
    official: Status | None,
    components: list[tuple[str, str]],
    local: bool,
) -> str:
    if local:
        failed = next((e for e in evidence if e.local), None) or next(iter(evidence), None)
        return "Could not verify: local network, proxy or DNS" + (f" ({why(failed)})" if failed else "")
    denied = next((e for e in evidence if e.reason in REFUSED), None)
    if denied is not None:
        return f"Not reachable from here ({why(denied)})"
    page_says = f"; the status page says {official.label}" if official else "; no status page signal"
    if (blocker := answered.obstacle(evidence)) is not None:
        return f"Could not verify: {answered.words(blocker)}{page_says}"
    if status is Status.OPERATIONAL:
        challenged = next((e for e in evidence if e.answered_by == "bot_challenge"), None)
        if challenged is not None and not any(e.answered_by in answered.SPEAKS for e in evidence):
            # No vote: a real browser passes the check, so the status page decides; say why.
            return f"No reported disruption (the status page decides: {answered.words(challenged)})"
        return "No reported disruption"
    if status is Status.UNKNOWN:
        inconclusive = [e for e in evidence if e.status is Status.UNKNOWN]
        if inconclusive:
            return f"Could not verify: {answered.words(inconclusive[0])}{page_says}"
        return "Could not verify: no probe answered and no status page signal"
    driver = next((e for e in evidence if e.status is status), None)
    if driver is not None and driver.reason in REASON_IMPACT:
        return f"{REASON_IMPACT[driver.reason]} ({why(driver)})"
    base = surface.impact_down if status is Status.DOWN else surface.impact_degraded
    if driver is not None:
        return f"{base} ({why(driver)})"
    states = ", ".join(sorted({s.replace("_", " ") for _, s in components if classify_component(s) is official}))
    return f"{base} (status page: {states})"


def _assess(
    surface: Surface, evidence: Mapping[str, Evidence], page: StatusPage, local: bool
) -> tuple[SurfaceResult, list[str]]:
    notes: list[str] = []
    if surface.page is not None and surface.components and not page.usable:
        notes.append(f"{surface.service}: its status page gave no signal: {page.detail}.")
    seen = [evidence[k] for k in surface.endpoints if k in evidence]
    probe_status = None if local else worst(e.status for e in seen if e.status is not Status.UNKNOWN)
    components = _components(surface, page) if page.usable else []
    official = worst(classify_component(state) for _, state in components)
    for name, state in components:
        if state not in COMPONENT_STATUS:
            notes.append(f"The status page gives {name} the unknown state '{state}'; read as degraded.")
    status = Status.UNKNOWN if local else (worst(s for s in (probe_status, official) if s) or Status.UNKNOWN)
    sent = [e for e in seen if e.reason not in NOT_SENT]
    refused = any(e.reason in REFUSED for e in seen)
    if refused or answered.obstacle(sent) or (status is Status.OPERATIONAL and sent and not answered.spoke(sent)):
        # Something other than the service answered (a filter, proxy, portal, TLS inspection, a block or a
        # per-client limit), or nothing that answered spoke for it: not operational, and not down either.
        status = Status.UNKNOWN
    limited = next((e for e in seen if e.reason == "client_rate_limited"), None)
    if limited is not None and not local:
        notes.append(f"{surface.service}: {limited.detail}: a limit on this machine, not an outage; try again later.")
    if probe_status and official and probe_status is not official:
        if probe_status is worst((probe_status, official)):
            why = "status pages often lag a real outage"
        else:
            why = "a login failure can be invisible to a probe without credentials"
        seen_by = f"probes see {probe_status.label}, the status page says {official.label}"
        notes.append(f"{surface.service}: {seen_by} ({why}).")
    impact = _impact(surface, status, seen, official, components, local)
    result = SurfaceResult(
        surface.id, surface.service, status, impact, probe_status, official, tuple(seen), tuple(components)
    )
    return result, notes


def _local_warning(everything: list[Evidence]) -> str:
    reasons = ", ".join(sorted({e.reason for e in everything}))
    if any(e.reason == "captive_portal" for e in everything):
        return (
            f"A captive portal (hotel or guest Wi-Fi login) answered instead of Claude ({reasons}): sign in to the "
            "network in a browser, then check again. Nothing here says Claude is up or down."
        )
    signatures = {e.signature for e in everything}
    if filtered := next((e for e in everything if e.answered_by == "web_filter"), None):
        return (
            f"Your network's web filter{f' ({filtered.product})' if filtered.product else ''} answered instead of "
            f"Claude ({reasons}): ask your IT team to allow the Claude hosts, or try another network. Nothing "
            "here says Claude is up or down."
        )
    if any(e.reason in INTERCEPTED for e in everything) or (len(signatures) == 1 and "" not in signatures):
        return (
            f"A proxy or other intermediary on this network answered for every host ({reasons}): the local "
            "network or its proxy is the likely cause, not Claude."
        )
    return (
        "Every endpoint, the status page included, failed before any server answered "
        f"({reasons}): the local network, proxy or DNS is the likely cause, not Claude."
    )


def assess(
    evidence: Mapping[str, Evidence],
    page: StatusPage,
    *,
    required: tuple[str, ...],
    checked_at: datetime | None = None,
    outstanding: tuple[str, ...] = (),
    surfaces: tuple[Surface, ...] = SURFACES,
    other_pages: Mapping[str, StatusPage] | None = None,
) -> Report:
    """Combine probes and the status page into verdicts: the worse of the two, 'unknown' with no vote."""
    evidence, page = answered.reread_tls(dict(evidence), page)
    local = _local_failure(evidence, page)
    results: list[SurfaceResult] = []
    notes: list[str] = []
    warnings: list[str] = []
    for surface in surfaces:
        own = page
        if surface.page is not None:
            missing = StatusPage(False, summary_url(surface.page), "not_read", "not read")
            own = (other_pages or {}).get(surface.page, missing)
        result, surface_notes = _assess(surface, evidence, own, local)
        results.append(result)
        notes.extend(surface_notes)
    if tls := answered.tls_warning(list(evidence.values()), page.attempts):
        warnings.append(tls)
    elif local:
        warnings.append(_local_warning([*evidence.values(), *page.attempts]))
    elif not page.usable:
        where = f" ({page.url})" if page.url else ""
        notes.append(f"The status page gave no official signal: {page.detail}{where}.")
    if not local:
        warnings.extend(answered.network_warnings(results))
    key = key_flags(evidence)
    if blocked := blocked_route(key):
        warnings.append(blocked[0].upper() + blocked[1:] + ".")
    if key.rejected:
        warnings.append(
            "The Claude API rejected your ANTHROPIC_API_KEY (401 invalid x-api-key): "
            "the API fallback won't work for you until the key is fixed."
        )
    notes.extend(
        f"--deep {k.removeprefix('api_deep:')}: {why(e)}" for k, e in evidence.items() if k.startswith("api_deep:")
    )
    by_id = {r.id: r for r in results}
    advice = advise(by_id, key, incidents=page.incidents, outstanding=outstanding)
    stamp = (checked_at or datetime.now(UTC)).isoformat(timespec="seconds").replace("+00:00", "Z")
    return Report(stamp, tuple(results), page, required, advice, tuple(warnings), tuple(notes), local)
