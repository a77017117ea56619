"""Pure rules that turn an HTTP answer, a network failure or a component state into a Status."""

from __future__ import annotations

import json
import socket
import ssl
from collections.abc import Mapping
from typing import Final, NamedTuple
from urllib.parse import urlsplit

from outagecheck.checks.intermediaries import SIGHTING, contract_met, identify, is_html, portal_markers
from outagecheck.model import Status

# How much of an error body classification may look at: enough for a JSON error or a challenge page.
SNIFF_BYTES: Final = 16 * 1024

# Cloudflare's own 52x codes: the edge answered, the origin behind it did not.
CLOUDFLARE_5XX: Final = frozenset({520, 521, 522, 523, 524, 525, 526, 530})


class Verdict(NamedTuple):
    status: Status
    reason: str
    detail: str
    local: bool = False  # generated on this side of the network (a proxy, a captive portal)
    answered_by: str = ""  # who answered (model.ANSWERERS; "" when it cannot be told), and its product:
    product: str = ""


class Failure(NamedTuple):
    status: Status
    reason: str
    detail: str
    local: bool  # failed before any server answered: the local network may be the cause


def needs_body(status_code: int) -> bool:
    """Say whether classifying this status code needs a look at the body (2xx never does without a contract)."""
    return not 200 <= status_code < 300


def parse_api_error(body: bytes) -> tuple[str, str] | None:
    """Return (type, message) of an Anthropic JSON error body, or None.

    The envelope is {"type": "error", "error": {"type", "message"}}; region blocks answer without the
    outer type: 403 {"error":{"type":"forbidden","message":"Request not allowed"}} (anthropics/claude-code#1613).
    """
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError, MemoryError):  # nested ~1000 deep: not a crash
        return None
    if not isinstance(doc, dict) or doc.get("type", "error") != "error" or not isinstance(doc.get("error"), dict):
        return None
    error = doc["error"]
    if not isinstance(error.get("type"), str):
        return None
    return error["type"], str(error.get("message", ""))


# An account that cannot pay is an account problem, not an outage (anthropics/claude-code#66314).
BILLING_TEXT: Final = ("credit balance is too low", "billing")


def _redirect_elsewhere(headers: Mapping[str, str], host: str) -> bool:
    return bool(target := urlsplit(headers.get("location", "")).hostname) and target != host


def classify_response(
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    latency_s: float,
    slow_s: float,
    contract: str = "",
    expect: tuple[int, ...] = (),
    edge: str = "",
    host: str = "",
) -> Verdict:
    """Classify one HTTP answer; `headers` has lower-case names, `body` is at most SNIFF_BYTES.

    `contract` is what the endpoint answers when healthy ("hello", "models"; "" for no contract), `expect`
    the codes a custom surface calls healthy, `edge` the CDN the service is behind, `host` the host asked.
    The same rules hold for every row: who answered is decided before what the status code means.
    """
    sighting = identify(status_code, headers, body, edge=edge)
    if sighting is not None:
        status, reason, local, who = SIGHTING[sighting.kind]
        return Verdict(status, reason, sighting.detail, local, who, sighting.who)
    if contract and (status_code in PORTAL_CODES or 200 <= status_code < 300):
        verdict = _contract(status_code, headers, body, contract, host)
        if verdict is not None:
            return _answered(verdict, status_code, headers, body)
    elif 200 <= status_code < 400 and portal_markers(headers, body):
        portal = f"a captive portal's login page (HTTP {status_code})"
        return Verdict(Status.UNKNOWN, "captive_portal", portal, True, "captive_portal")
    verdict = _expected(
        status_code, headers, body, latency_s=latency_s, slow_s=slow_s, contract=contract, expect=expect
    )
    return _answered(verdict, status_code, headers, body)


def _answered(verdict: Verdict, status_code: int, headers: Mapping[str, str], body: bytes) -> Verdict:
    """Name who answered an answer no intermediary claimed: the service, or its edge reporting on it."""
    if verdict.answered_by or verdict.reason in ("blocked", "redirect", "unexpected_body"):
        return verdict
    if verdict.reason in ("captive_portal", "access_denied"):
        # A portal answered for the host; the API refused this client (region, network or workspace).
        return verdict._replace(answered_by="client_block" if verdict.reason == "access_denied" else verdict.reason)
    cf = "cf-ray" in headers or headers.get("server", "").lower() == "cloudflare" or b"cloudflare" in body.lower()
    if status_code in CLOUDFLARE_5XX and cf:
        return verdict._replace(answered_by="service_edge", product="Cloudflare")
    return verdict._replace(answered_by="service")


def _expected(
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    latency_s: float,
    slow_s: float,
    contract: str,
    expect: tuple[int, ...],
) -> Verdict:
    if expect:
        if status_code in expect:
            # The user said what a healthy answer is; only slowness can still make it less than that.
            if latency_s > slow_s:
                return Verdict(Status.DEGRADED, "slow", f"answered in {latency_s:.1f} s (slow > {slow_s:g} s)")
            return Verdict(Status.OPERATIONAL, "ok", f"HTTP {status_code} (expected)")
        if 200 <= status_code < 300:
            return Verdict(Status.DEGRADED, "unexpected_status", f"HTTP {status_code}, expected {_codes(expect)}")
    return _by_status(status_code, headers, body, latency_s=latency_s, slow_s=slow_s, contract=contract)


# The codes a captive portal answers an API path with: its own page, or a redirect to it.
PORTAL_CODES: Final = frozenset({200, 302, 303, 307})


def _contract(status_code: int, headers: Mapping[str, str], body: bytes, contract: str, host: str) -> Verdict | None:
    """Check a 2xx (or a portal's redirect) against the endpoint's contract; None: it keeps it."""
    html = is_html(headers, body)
    if 300 <= status_code < 400:
        if _redirect_elsewhere(headers, host):
            where = urlsplit(headers.get("location", "")).hostname
            return Verdict(Status.UNKNOWN, "captive_portal", f"HTTP {status_code} to another host ({where})", True)
        return None
    if contract_met(contract, body):
        return None
    if html or portal_markers(headers, body):
        # An API path answered with a web page: a hotel or guest Wi-Fi portal answers every host this way.
        return Verdict(Status.UNKNOWN, "captive_portal", f"HTML instead of the API's JSON (HTTP {status_code})", True)
    shown = body[:40].decode("utf-8", "replace").strip() or "an empty body"
    return Verdict(Status.UNKNOWN, "unexpected_body", f"HTTP {status_code} but not the expected {contract} ({shown!r})")


def _codes(codes: tuple[int, ...]) -> str:
    return ", ".join(map(str, codes)) if len(codes) <= 4 else f"{codes[0]}-{codes[-1]}"


def _by_status(
    status_code: int, headers: Mapping[str, str], body: bytes, *, latency_s: float, slow_s: float, contract: str
) -> Verdict:
    api_error = parse_api_error(body) if needs_body(status_code) else None
    if api_error is not None and 400 <= status_code < 500 and status_code != 429:
        kind, message = api_error
        if status_code == 403 or kind in ("permission_error", "forbidden"):
            # Region or network block, or a key without access: the API is refusing *this* client.
            return Verdict(Status.UNKNOWN, "access_denied", f"HTTP {status_code} {kind}: {message[:80]}")
        if kind == "billing_error" or any(t in message.lower() for t in BILLING_TEXT):
            return Verdict(Status.OPERATIONAL, "account_billing", f"HTTP {status_code} {kind}: {message[:80]}")
    if 200 <= status_code < 300 or (status_code in (400, 401, 404) and api_error is not None):
        if latency_s > slow_s:
            return Verdict(Status.DEGRADED, "slow", f"answered in {latency_s:.1f} s (slow > {slow_s:g} s)")
        if api_error is None:
            return Verdict(Status.OPERATIONAL, "ok", f"HTTP {status_code}")
        # The API's auth layer answered: the API is up, whatever it thinks of the key.
        if status_code == 401 and "invalid x-api-key" in api_error[1].lower():
            return Verdict(Status.OPERATIONAL, "key_rejected", "HTTP 401: invalid x-api-key")
        return Verdict(Status.OPERATIONAL, "auth_answered", f"HTTP {status_code} {api_error[0]}")
    if status_code == 403:
        return Verdict(Status.UNKNOWN, "blocked", "HTTP 403 without an API error body (proxy or geo block?)")
    if status_code == 429:
        retry = headers.get("retry-after")
        suffix = f", retry-after {retry}" if retry else ""
        return Verdict(Status.DEGRADED, "rate_limited", f"HTTP 429{suffix}")
    if status_code == 529:
        return Verdict(Status.DEGRADED, "overloaded", "HTTP 529 overloaded_error")
    if status_code in CLOUDFLARE_5XX:
        return Verdict(Status.DOWN, "http_5xx", f"HTTP {status_code} (Cloudflare: origin unreachable)")
    if 500 <= status_code < 600:
        return Verdict(Status.DOWN, "http_5xx", f"HTTP {status_code}")
    if 300 <= status_code < 400:
        target = headers.get("location", "?")
        return Verdict(Status.UNKNOWN, "redirect", f"HTTP {status_code} to {target} (not followed)")
    if contract and 400 <= status_code < 500:
        return Verdict(Status.UNKNOWN, "unexpected_body", f"HTTP {status_code} without the API's JSON error")
    return Verdict(Status.DEGRADED, "unexpected_status", f"HTTP {status_code}")


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    return chain


def classify_exception(exc: BaseException, *, timeout_s: float, host: str = "", proxy: str | None = None) -> Failure:
    """Classify a failed request; `proxy` is the proxy it went through, if any, still unconnected.

    httpx is imported lazily so this module stays cheap to import.
    """
    import httpx  # noqa: PLC0415  # the pure rules import without httpx (replays, tests)

    chain = _causes(exc)
    text = " ".join(str(e) for e in chain).lower()
    if isinstance(exc, httpx.ProxyError):
        return Failure(Status.DOWN, "proxy", f"proxy {proxy or ''} failed: {_short(exc)}".replace("  ", " "), True)
    if proxy is not None:
        # Nothing reached the service: the connection to the proxy itself failed.
        return Failure(Status.DOWN, "proxy", f"proxy {proxy}: {_connect_problem(exc, chain, text, timeout_s)}", True)
    if isinstance(exc, httpx.ConnectTimeout):
        return Failure(Status.DOWN, "timeout", f"no connection within {timeout_s:g} s", True)
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return Failure(Status.DOWN, "timeout", f"no answer within {timeout_s:g} s", False)
    if isinstance(exc, httpx.TooManyRedirects):
        return Failure(Status.DOWN, "redirect_loop", "too many redirects", False)
    if any(isinstance(e, ssl.SSLError) for e in chain) or "certificate" in text or "ssl" in text:
        return Failure(Status.DOWN, "tls", f"TLS with {host or 'the server'} failed: {_tls_why(chain)}", True)
    if _unresolved(chain, text):
        return Failure(Status.DOWN, "dns", f"{host or 'the name'} did not resolve", True)
    if _refused(chain, text):
        return Failure(Status.DOWN, "connect_refused", "connection refused", True)
    if isinstance(exc, httpx.RemoteProtocolError):
        if "disconnected" in text or "peer closed" in text or "incomplete" in text:
            return Failure(Status.DOWN, "reset", "connection closed mid-answer", False)
        return Failure(Status.DOWN, "not_http", "reply is not HTTP", False)
    if isinstance(exc, httpx.ConnectError):
        return Failure(Status.DOWN, "connect_error", f"could not connect: {_short(exc)}", True)
    if isinstance(exc, httpx.ReadError | httpx.WriteError | ConnectionError):
        return Failure(Status.DOWN, "reset", "connection reset", False)
    return Failure(Status.DOWN, "network_error", _short(exc), False)


def _connect_problem(exc: BaseException, chain: list[BaseException], text: str, timeout_s: float) -> str:
    if isinstance(exc, TimeoutError) or "timed out" in text or "timeout" in type(exc).__name__.lower():
        return f"no connection within {timeout_s:g} s"
    if _refused(chain, text):
        return "connection refused"
    if _unresolved(chain, text):
        return "name did not resolve"
    return _short(exc)


def _refused(chain: list[BaseException], text: str) -> bool:
    return any(isinstance(e, ConnectionRefusedError) for e in chain) or "connection refused" in text


def _unresolved(chain: list[BaseException], text: str) -> bool:
    return any(isinstance(e, socket.gaierror) for e in chain) or _looks_like_dns(text)


def _tls_why(chain: list[BaseException]) -> str:
    for e in chain:
        if isinstance(e, ssl.SSLCertVerificationError) and getattr(e, "verify_message", None):
            return f"certificate verify failed: {e.verify_message}"
    for e in chain:
        if isinstance(e, ssl.SSLError) and getattr(e, "reason", None):
            return str(e.reason).lower().replace("_", " ")
    return _short(chain[0])


def _looks_like_dns(text: str) -> bool:
    markers = ("name or service not known", "nodename nor servname", "getaddrinfo", "name resolution")
    return any(m in text for m in markers)


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:120]


# Statuspage component states (Atlassian Statuspage v2).
COMPONENT_STATUS: Final[dict[str, Status]] = {
    "operational": Status.OPERATIONAL,
    "degraded_performance": Status.DEGRADED,
    "partial_outage": Status.DEGRADED,
    "under_maintenance": Status.DEGRADED,
    "major_outage": Status.DOWN,
}


def classify_component(raw: str) -> Status:
    """Map a component state to a Status; a state we don't know reads as degraded, not as fine."""
    return COMPONENT_STATUS.get(raw, Status.DEGRADED)
