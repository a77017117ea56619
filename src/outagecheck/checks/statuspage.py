"""The official status page: fetch an Atlassian Statuspage v2 summary.json and read it tolerantly.

Unknown fields and values never crash the reader; a page that can't be read gives no signal.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from dataclasses import replace
from typing import Any

import httpx

from outagecheck.checks import filters
from outagecheck.checks.classify import SNIFF_BYTES, classify_response
from outagecheck.checks.http import Answer, Tracer, exchange, failure_evidence, proxy_for
from outagecheck.checks.intermediaries import is_html, portal_markers, signature
from outagecheck.checks.peercert import FilterRedirect, with_issuer
from outagecheck.checks.plan import CheckPlan, summary_url
from outagecheck.model import Evidence, Incident, Maintenance, Status, StatusPage

MAX_SUMMARY_BYTES = 2 * 1024 * 1024  # the real page is ~2 KB; a runaway body is cut here
# A status page base that is not the last one gets this share of the time left, so a hanging first
# base still leaves the fallback base time to answer.
FIRST_BASE_SHARE = 0.6


class UnusableSummary(ValueError):
    """The body is not a Statuspage summary we can read."""


def _text(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def parse_summary(body: bytes, *, page_url: str) -> tuple[dict[str, tuple[str, str]], tuple[Incident, ...], str | None]:
    """Return (components id -> (name, status), unresolved incidents, indicator) or raise UnusableSummary."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise UnusableSummary("not JSON") from e
    except (RecursionError, MemoryError):  # JSON nested ~1000 deep: an answer, never a crash (exit 70)
        raise UnusableSummary("JSON nested too deeply") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("components"), list):
        raise UnusableSummary("no components list")
    components: dict[str, tuple[str, str]] = {}
    for index, comp in enumerate(doc["components"]):
        if not isinstance(comp, dict):
            continue
        name = _text(comp.get("name"))
        status = _text(comp.get("status"), "unknown")
        # A component without an id still counts: it can be matched by name.
        key = _text(comp.get("id")) or f"#{index}"
        components[key] = (name, status)
    base = _text(_dict(doc.get("page")).get("url"), page_url).rstrip("/")
    incidents = tuple(_incident(i, base) for i in _dicts(doc.get("incidents")))
    indicator = _text(_dict(doc.get("status")).get("indicator")) or None
    return components, tuple(i for i in incidents if i.status not in ("resolved", "postmortem")), indicator


def parse_maintenances(body: bytes, *, page_url: str) -> tuple[Maintenance, ...]:
    """The summary's `scheduled_maintenances` still to come or under way (completed ones are dropped)."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError, MemoryError):
        return ()
    if not isinstance(doc, dict):
        return ()
    base = _text(_dict(doc.get("page")).get("url"), page_url).rstrip("/")
    found = []
    for raw in _dicts(doc.get("scheduled_maintenances")):
        status = _text(raw.get("status"), "scheduled")
        if status not in ("scheduled", "in_progress", "verifying"):
            continue
        link = _text(raw.get("shortlink")) or (f"{base}/incidents/{_text(raw.get('id'))}" if raw.get("id") else base)
        found.append(
            Maintenance(
                name=_text(raw.get("name"), "(unnamed maintenance)"),
                status=status,
                scheduled_for=_text(raw.get("scheduled_for")),
                scheduled_until=_text(raw.get("scheduled_until")),
                link=link,
                components=tuple(_text(c.get("name")) for c in _dicts(raw.get("components")) if c.get("name")),
            )
        )
    return tuple(found)


def _incident(raw: dict[str, Any], base: str) -> Incident:
    updates = _dicts(raw.get("incident_updates"))
    latest = max(updates, key=lambda u: _text(u.get("display_at")) or _text(u.get("created_at")), default={})
    link = _text(raw.get("shortlink")) or (f"{base}/incidents/{_text(raw.get('id'))}" if raw.get("id") else base)
    return Incident(
        name=_text(raw.get("name"), "(unnamed incident)"),
        status=_text(raw.get("status"), "unknown"),
        impact=_text(raw.get("impact"), "unknown"),
        latest_update=" ".join(_text(latest.get("body")).split()),
        updated_at=_text(latest.get("display_at")) or _text(raw.get("updated_at")),
        link=link,
        components=tuple(_text(c.get("name")) for c in _dicts(raw.get("components")) if c.get("name")),
    )


# -- fetching ------------------------------------------------------------------------------------------


def _summary_body(status_code: int, headers: dict[str, str]) -> int:
    """A readable summary is read whole, up to the cap; an error page only its head."""
    if not 200 <= status_code < 300 or "x-amzn-waf-action" in headers:
        return SNIFF_BYTES
    return MAX_SUMMARY_BYTES


async def _fetch_summary(
    client: httpx.AsyncClient, base: str, plan: CheckPlan, deadline: float
) -> tuple[Evidence, bytes]:
    url = summary_url(base)
    tracer = Tracer()
    try:
        answer = await exchange(
            client, url, headers={}, follow=True, body=_summary_body, deadline=deadline, tracer=tracer
        )
    except FilterRedirect as stop:  # a web filter's redirect: read as its answer
        answer = Answer(stop.status_code, stop.headers, 0.0)
    except (httpx.HTTPError, OSError) as exc:
        proxy = proxy_for(url)  # read only when needed: nine environment variables
        gone = failure_evidence("status_page", url, exc, plan.timeout_s, tracer, proxy, None)
        if gone.reason == "tls" and proxy is None:
            # Its issuer too: the same untrusted issuer here and on one probed host is TLS inspection.
            gone = await with_issuer(gone, deadline)
        return replace(gone, status=Status.UNKNOWN), b""
    code, latency = answer.status_code, answer.latency_s
    if _summary_body(code, answer.headers) == SNIFF_BYTES:
        v = classify_response(code, answer.headers, answer.body, latency_s=latency, slow_s=plan.slow_s, edge="")
        sig = signature(answer.body)
        return Evidence(
            "status_page",
            url,
            Status.UNKNOWN,
            v.reason,
            v.detail,
            code,
            latency,
            v.local,
            signature=sig,
            answered_by=v.answered_by,
            product=v.product,
        ), b""
    if answer.too_large:
        detail = f"body over {MAX_SUMMARY_BYTES // 1024} KiB"
        return Evidence("status_page", url, Status.UNKNOWN, "body_too_large", detail, code, latency), b""
    if answer.cut_short:
        detail = f"body still arriving after {plan.timeout_s:g} s"
        return Evidence("status_page", url, Status.UNKNOWN, "timeout", detail, code, latency), b""
    if answer.broken is not None:
        if isinstance(answer.broken, zlib.error):
            detail = f"body does not decode as {answer.headers.get('content-encoding')}"
            return Evidence("status_page", url, Status.UNKNOWN, "bad_summary", detail, code, latency), b""
        gone = failure_evidence("status_page", url, answer.broken, plan.timeout_s, tracer, None, latency)
        return replace(gone, status=Status.UNKNOWN, http_status=code, local=False), b""
    if (sign := filters.recognise(answer.headers, answer.body)) is not None:
        # A web filter's 200 "blocked" page in place of the summary: the filter answered, not the service.
        detail = f"web filter {sign.product} answered (HTTP {code})"
        blocked = Evidence("status_page", url, Status.UNKNOWN, "web_filter", detail, code, latency, True)
        return replace(blocked, signature=signature(answer.body), answered_by="web_filter", product=sign.product), b""
    ok = Evidence("status_page", url, Status.OPERATIONAL, "ok", f"HTTP {code}", code, latency, answered_by="service")
    return ok, answer.body


def _unusable(evidence: Evidence, body: bytes, why: UnusableSummary) -> Evidence:
    """A 2xx that is not a summary: a captive portal's login page, or just something else."""
    sig = signature(body)
    if portal_markers({}, body) or (is_html({}, body) and evidence.http_status in (200, None) and _login_form(body)):
        detail = f"a captive portal's login page instead of the summary (HTTP {evidence.http_status})"
        return replace(
            evidence,
            status=Status.UNKNOWN,
            reason="captive_portal",
            detail=detail,
            local=True,
            signature=sig,
            answered_by="captive_portal",
        )
    return replace(
        evidence, status=Status.UNKNOWN, reason="bad_summary", detail=f"unreadable summary: {why}", signature=sig
    )


def _login_form(body: bytes) -> bool:
    low = body[:16384].lower()
    return b"<form" in low and (b"password" in low or b"login" in low or b"accept" in low)


async def read_status_page(
    client: httpx.AsyncClient, plan: CheckPlan, deadline: float, bases: tuple[str, ...] | None = None
) -> StatusPage:
    """Try each status page base in order until one gives a readable summary; `deadline` is loop time."""
    loop = asyncio.get_running_loop()
    attempts: list[Evidence] = []
    bases = plan.status_pages if bases is None else bases
    for i, base in enumerate(bases):
        left = deadline - loop.time()
        if left <= 0:
            break
        is_last = i == len(bases) - 1
        evidence, body = await _fetch_summary(
            client, base, plan, deadline if is_last else loop.time() + left * FIRST_BASE_SHARE
        )
        if body:
            try:
                comps, incidents, indicator = parse_summary(body, page_url=base)
            except UnusableSummary as e:
                evidence = _unusable(evidence, body, e)
            else:
                attempts.append(evidence)
                return StatusPage(
                    True,
                    evidence.url,
                    "ok",
                    f"read {evidence.url}",
                    comps,
                    incidents,
                    indicator,
                    tuple(attempts),
                    parse_maintenances(body, page_url=base),
                )
        attempts.append(evidence)
    last = attempts[-1] if attempts else None
    return StatusPage(
        usable=False,
        url=last.url if last else None,
        reason=last.reason if last else "timeout",
        detail=last.detail if last else "no time left to read the status page",
        attempts=tuple(attempts),
    )
