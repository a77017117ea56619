"""Pure rules that turn an HTTP answer, a network failure or a component state into a Status."""

from __future__ import annotations

import json
import socket
import ssl
from collections.abc import Mapping
from typing import Final, NamedTuple

from outagecheck.model import Status

# How much of an error body classification may look at: enough for a JSON error or a challenge page.
SNIFF_BYTES: Final = 16 * 1024

# Cloudflare's own 52x codes: the edge answered, the origin behind it did not.
CLOUDFLARE_5XX: Final = frozenset({520, 521, 522, 523, 524, 525, 526, 530})


class Verdict(NamedTuple):
    status: Status
    reason: str
    detail: str


class Failure(NamedTuple):
    status: Status
    reason: str
    detail: str
    local: bool  # failed before any server answered: the local network may be the cause


def needs_body(status_code: int) -> bool:
    """Say whether classifying this status code needs a look at the body (2xx never does)."""
    return not 200 <= status_code < 300


def _api_error(body: bytes) -> tuple[str, str] | None:
    """Return (type, message) of an Anthropic JSON error body, or None."""
    try:
        doc = json.loads(body)
    except ValueError:
        return None
    if not isinstance(doc, dict) or doc.get("type") != "error" or not isinstance(doc.get("error"), dict):
        return None
    error = doc["error"]
    return str(error.get("type", "")), str(error.get("message", ""))


def _is_challenge_page(body: bytes) -> bool:
    head = body[:SNIFF_BYTES].lower()
    return b"just a moment" in head and b"<" in head


def classify_response(
    status_code: int, headers: Mapping[str, str], body: bytes, *, latency_s: float, slow_s: float
) -> Verdict:
    """Classify one HTTP answer; `headers` has lower-case names, `body` is at most SNIFF_BYTES."""
    # Bot walls first: they say nothing about the service behind them. claude.ai answers non-browser
    # clients from CI or VPN addresses with a Cloudflare challenge while the API answers normally
    # (anthropics/claude-code#36306, #78594).
    if "x-amzn-waf-action" in headers:
        action = headers["x-amzn-waf-action"]
        return Verdict(Status.UNKNOWN, "bot_challenge", f"AWS WAF {action} (HTTP {status_code})")
    # 403 + cf-mitigated: challenge is Cloudflare's bot check, not an outage.
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return Verdict(Status.UNKNOWN, "bot_challenge", f"Cloudflare challenge (HTTP {status_code})")
    if status_code in (403, 503) and _is_challenge_page(body):
        return Verdict(Status.UNKNOWN, "bot_challenge", f"'Just a moment...' page (HTTP {status_code})")

    api_error = _api_error(body) if needs_body(status_code) else None
    if 200 <= status_code < 300 or (status_code in (401, 403) and api_error is not None):
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
