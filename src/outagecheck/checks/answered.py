"""Who answered each probe, in words, and what a row may conclude from it (pure).

A row speaks for the service only when the service, or its edge reporting on it, answered. A web filter,
a proxy, a portal, TLS inspection, a block or a per-client limit answering instead makes the row unknown:
never operational, never down. A bot challenge that a real browser passes casts no vote.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Final
from urllib.parse import urlsplit

from outagecheck.model import Evidence, Status, StatusPage, SurfaceResult
from outagecheck.surfaces import API, LOGIN_SURFACES

SPEAKS: Final = frozenset({"service", "service_edge"})
OBSTACLES: Final = frozenset(
    {"client_block", "rate_limit_client", "web_filter", "local_proxy", "captive_portal", "tls_interception"}
)
# Where to point the company CA; the same file serves both.
CA_STEPS: Final = (
    ("outagecheck (Python):", "export SSL_CERT_FILE=/path/to/company-ca.pem"),
    ("Claude Code (Node.js):", "export NODE_EXTRA_CA_CERTS=/path/to/company-ca.pem"),
)


def intercepted(evidence: Evidence, product: str = "") -> Evidence:
    """The same evidence, read as TLS inspection on this network: no vote, local."""
    return replace(
        evidence,
        status=Status.UNKNOWN,
        reason="tls_interception",
        local=True,
        answered_by="tls_interception",
        product=product,
    )


def host(e: Evidence) -> str:
    return urlsplit(e.url).hostname or e.url


def words(e: Evidence) -> str:
    """Who answered, as the Impact column says it: "your network's web filter (Zscaler) blocked claude.ai"."""
    product = f" ({e.product})" if e.product else ""
    what = {
        "web_filter": f"your network's web filter{product} blocked {host(e)}",
        "local_proxy": f"a proxy on your network{product} answered for {host(e)}",
        "captive_portal": f"a captive portal (Wi-Fi login) answered for {host(e)}",
        "tls_interception": f"your network re-signs TLS for {host(e)}{product} (issuer {e.issuer or 'unknown'})",
        "client_block": f"{e.product or 'the service'} refused this client at {host(e)}",
        "rate_limit_client": f"{e.product or 'the edge'} rate-limits this client at {host(e)}",
        "bot_challenge": f"{e.product or 'the edge'} asks for a browser check at {host(e)}",
    }.get(e.answered_by)
    return f"{what} ({e.detail})" if what else f"{e.reason}: {e.detail}"


def obstacle(evidence: list[Evidence]) -> Evidence | None:
    """The first probe of a row that something other than the service answered, or None."""
    return next((e for e in evidence if e.answered_by in OBSTACLES), None)


def spoke(evidence: list[Evidence]) -> bool:
    """At least one probe reached the service, or the only thing in the way is a bot challenge."""
    # Evidence without answered_by (a report written before it existed) that voted up was the service's answer.
    legacy = any(not e.answered_by and e.status in (Status.OPERATIONAL, Status.DEGRADED) for e in evidence)
    return (
        legacy
        or any(e.answered_by in SPEAKS for e in evidence)
        or (bool(evidence) and all(e.answered_by == "bot_challenge" for e in evidence))
    )


def reread_tls(evidence: dict[str, Evidence], page: StatusPage) -> tuple[dict[str, Evidence], StatusPage]:
    """The same untrusted issuer on several hosts is this network re-signing TLS, not every service at once."""
    hosts: defaultdict[str, set[str]] = defaultdict(set)
    for e in (*evidence.values(), *page.attempts):
        if e.reason == "tls" and e.issuer:
            hosts[e.issuer].add(urlsplit(e.url).netloc)
    shared = {issuer for issuer, where in hosts.items() if len(where) > 1}
    if not shared:
        return evidence, page

    def again(e: Evidence) -> Evidence:
        return intercepted(e, e.product) if e.reason == "tls" and e.issuer in shared else e

    attempts = tuple(again(e) for e in page.attempts)
    return {k: again(e) for k, e in evidence.items()}, replace(page, attempts=attempts)


def tls_warning(probes: list[Evidence], page: Sequence[Evidence] = ()) -> str | None:
    """What to do about TLS inspection, naming the issuer, or None when there is none."""
    seen = next((e for e in probes if e.answered_by == "tls_interception"), None)
    if seen is None:
        # Only the status page is re-signed (IT exempts Claude's hosts): the probes' answers still count.
        paged = next((e for e in page if e.answered_by == "tls_interception"), None)
        if paged is None:
            return None
        return (
            f"This network re-signs TLS for the status page ({host(paged)}, issuer: {paged.issuer or 'unknown'}): "
            "its official word could not be read, but the probes reached the services. To read it, trust your "
            f"company's CA for outagecheck: {CA_STEPS[0][1]}."
        )
    steps = "; ".join(f"{who} {command}" for who, command in CA_STEPS)
    return (
        f"This network re-signs TLS (issuer: {seen.issuer or 'unknown'}): nothing here says Claude is up or down. "
        f"Get your company's CA certificate (PEM) from IT and trust it: {steps}. The API route goes through "
        "the same inspection, so switching to it does not help until the CA is trusted."
    )


# The rows whose blocking by this network the fallback advice already speaks to (fallback/advice.py).
ADVISED: Final = LOGIN_SURFACES
_FILTERED: Final = ("web_filter", "local_proxy")


def _what(e: Evidence) -> str:
    product = f" ({e.product})" if e.product else ""
    if e.answered_by == "client_block":
        return (
            f"{e.product or 'the edge'} refused this client at {host(e)}: a decision about this machine (its "
            "address, country or client), not an outage. Try another network."
        )
    who = (
        f"your network's web filter{product} blocked"
        if e.answered_by == "web_filter"
        else (f"a proxy on your network{product} answered for")
    )
    return f"{who} {host(e)}: ask your IT team to allow {host(e)}, or try another network."


def network_warnings(results: Sequence[SurfaceResult]) -> list[str]:
    """What to do about a block of this client on any row (the API's own access_denied has its warning), and
    about a web filter or proxy in front of a row the fallback advice does not cover: the API alone (the
    logins answered), the gateway, a custom surface. One line per endpoint, naming every row it stands for."""

    def blocker(r: SurfaceResult) -> Evidence | None:
        return next((e for e in r.evidence if e.answered_by in _FILTERED), None)

    advised = any(blocker(r) for r in results if r.id in ADVISED)
    rows: dict[str, tuple[Evidence, list[str]]] = {}
    for r in results:
        e = next((e for e in r.evidence if e.answered_by == "client_block" and e.reason != "access_denied"), None)
        if e is None and not (r.id in ADVISED or (r.id == API and advised)):
            e = blocker(r)
        if e is not None:
            rows.setdefault(e.endpoint, (e, []))[1].append(r.service)
    found = []
    for e, services in rows.values():
        names = " and ".join(services)
        verb = "is" if len(services) == 1 else "are"
        found.append(f"{names}: {_what(e)} Nothing here says {names} {verb} up or down.")
    return found
