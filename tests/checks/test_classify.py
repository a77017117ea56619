from __future__ import annotations

import json
import socket
import ssl

import httpx
import pytest

from outagecheck.checks.classify import classify_component, classify_exception, classify_response
from outagecheck.checks.cloudflare_codes import CODES
from outagecheck.model import Status

JSON = {"content-type": "application/json"}


def api_error(kind: str, message: str) -> bytes:
    return json.dumps({"type": "error", "error": {"type": kind, "message": message}}).encode()


CHALLENGE_HTML = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>"


@pytest.mark.parametrize(
    ("code", "headers", "body", "latency", "status", "reason"),
    [
        pytest.param(200, {}, b"", 0.1, Status.OPERATIONAL, "ok", id="2xx-is-up"),
        pytest.param(204, {}, b"", 0.1, Status.OPERATIONAL, "ok", id="204-is-up"),
        pytest.param(200, {}, b"", 3.5, Status.DEGRADED, "slow", id="2xx-slower-than-slow-is-degraded"),
        pytest.param(200, {}, b"", 3.0, Status.OPERATIONAL, "ok", id="exactly-slow-is-still-up"),
        pytest.param(
            401,
            JSON,
            api_error("authentication_error", "x-api-key header is required"),
            0.1,
            Status.OPERATIONAL,
            "auth_answered",
            id="json-401-auth-layer-answered",
        ),
        pytest.param(
            403,
            JSON,
            api_error("permission_error", "nope"),
            0.1,
            Status.UNKNOWN,
            "access_denied",
            id="json-403-permission-error-is-access-denied-not-health",
        ),
        pytest.param(
            401,
            JSON,
            api_error("authentication_error", "invalid x-api-key"),
            0.1,
            Status.OPERATIONAL,
            "key_rejected",
            id="invalid-key-is-up-but-rejected",
        ),
        pytest.param(
            401,
            JSON,
            api_error("authentication_error", "invalid x-api-key"),
            9.0,
            Status.DEGRADED,
            "slow",
            id="slow-auth-answer-is-degraded",
        ),
        pytest.param(
            401,
            {},
            b"<html>401</html>",
            0.1,
            Status.DEGRADED,
            "unexpected_status",
            id="html-401-is-not-the-api",
        ),
        pytest.param(
            429,
            {"retry-after": "30"},
            api_error("rate_limit_error", "slow down"),
            0.1,
            Status.DEGRADED,
            "rate_limited",
            id="429-is-degraded",
        ),
        pytest.param(
            529,
            JSON,
            api_error("overloaded_error", "Overloaded"),
            0.1,
            Status.DEGRADED,
            "overloaded",
            id="529-overloaded-is-degraded",
        ),
        pytest.param(
            500,
            JSON,
            api_error("api_error", "Internal server error"),
            0.1,
            Status.DOWN,
            "http_5xx",
            id="500-is-down",
        ),
        pytest.param(500, {}, b"Claude will return soon", 0.1, Status.DOWN, "http_5xx", id="500-text-is-down"),
        pytest.param(502, {}, b"", 0.1, Status.DOWN, "http_5xx", id="502-is-down"),
        pytest.param(503, {}, b"", 0.1, Status.DOWN, "http_5xx", id="503-is-down"),
        pytest.param(522, {"server": "cloudflare"}, b"", 0.1, Status.DOWN, "http_5xx", id="cloudflare-522-is-down"),
        pytest.param(
            403,
            {"cf-mitigated": "challenge", "server": "cloudflare"},
            CHALLENGE_HTML,
            0.1,
            Status.UNKNOWN,
            "bot_challenge",
            id="cf-challenge-is-inconclusive",
        ),
        pytest.param(
            403,
            {"cf-mitigated": "Challenge"},
            b"",
            0.1,
            Status.UNKNOWN,
            "bot_challenge",
            id="cf-challenge-header-case-insensitive",
        ),
        pytest.param(
            403,
            {},
            CHALLENGE_HTML,
            0.1,
            Status.UNKNOWN,
            "bot_challenge",
            id="just-a-moment-page-is-inconclusive",
        ),
        pytest.param(
            503,
            {},
            CHALLENGE_HTML,
            0.1,
            Status.UNKNOWN,
            "bot_challenge",
            id="just-a-moment-503-is-inconclusive",
        ),
        pytest.param(
            405,
            {"x-amzn-waf-action": "captcha"},
            b"",
            0.1,
            Status.UNKNOWN,
            "bot_challenge",
            id="aws-waf-405-captcha-is-inconclusive",
        ),
        pytest.param(
            202,
            {"x-amzn-waf-action": "challenge"},
            b"",
            0.1,
            Status.UNKNOWN,
            "bot_challenge",
            id="aws-waf-202-challenge-is-not-up",
        ),
        pytest.param(403, {}, b"Forbidden by proxy", 0.1, Status.UNKNOWN, "blocked", id="plain-403-is-inconclusive"),
        pytest.param(404, {}, b"", 0.1, Status.DEGRADED, "unexpected_status", id="404-is-unexpected"),
        pytest.param(
            302,
            {"location": "https://elsewhere.test/"},
            b"",
            0.1,
            Status.UNKNOWN,
            "redirect",
            id="unfollowed-redirect-casts-no-vote",
        ),
    ],
)
def test_classify_response(
    code: int, headers: dict[str, str], body: bytes, latency: float, status: Status, reason: str
) -> None:
    verdict = classify_response(code, headers, body, latency_s=latency, slow_s=3.0)
    assert (verdict.status, verdict.reason) == (status, reason)
    assert verdict.detail


def test_retry_after_is_in_the_detail() -> None:
    verdict = classify_response(429, {"retry-after": "30"}, b"", latency_s=0.1, slow_s=3.0)
    assert verdict.detail == "HTTP 429, retry-after 30"


def _connect_error(cause: BaseException) -> httpx.ConnectError:
    exc = httpx.ConnectError(str(cause))
    exc.__cause__ = cause
    return exc


@pytest.mark.parametrize(
    ("exc", "reason", "local"),
    [
        pytest.param(httpx.ConnectTimeout("t"), "timeout", True, id="connect-timeout-may-be-local"),
        pytest.param(httpx.ReadTimeout("t"), "timeout", False, id="read-timeout-is-the-server"),
        pytest.param(_connect_error(socket.gaierror(-2, "Name or service not known")), "dns", True, id="dns"),
        pytest.param(httpx.ConnectError("[Errno -2] Name or service not known"), "dns", True, id="dns-by-text"),
        pytest.param(
            _connect_error(ConnectionRefusedError(111, "Connection refused")),
            "connect_refused",
            True,
            id="refused",
        ),
        pytest.param(_connect_error(ssl.SSLCertVerificationError("certificate verify failed")), "tls", True, id="tls"),
        pytest.param(httpx.ProxyError("407 Proxy Authentication Required"), "proxy", True, id="proxy"),
        pytest.param(httpx.TooManyRedirects("loop"), "redirect_loop", False, id="redirect-loop"),
        pytest.param(
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            "reset",
            False,
            id="disconnected-is-reset",
        ),
        pytest.param(
            httpx.RemoteProtocolError("illegal status line: bytearray(b'SSH-2.0')"),
            "not_http",
            False,
            id="not-http",
        ),
        pytest.param(httpx.ReadError("[Errno 104] Connection reset by peer"), "reset", False, id="read-reset"),
    ],
)
def test_classify_exception(exc: Exception, reason: str, local: bool) -> None:
    failure = classify_exception(exc, timeout_s=5.0)
    assert (failure.status, failure.reason, failure.local) == (Status.DOWN, reason, local)


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        pytest.param("operational", Status.OPERATIONAL, id="operational"),
        pytest.param("degraded_performance", Status.DEGRADED, id="degraded-performance"),
        pytest.param("partial_outage", Status.DEGRADED, id="partial-outage"),
        pytest.param("under_maintenance", Status.DEGRADED, id="maintenance"),
        pytest.param("major_outage", Status.DOWN, id="major-outage"),
        pytest.param("sideways", Status.DEGRADED, id="unknown-state-reads-degraded"),
    ],
)
def test_classify_component(raw: str, status: Status) -> None:
    assert classify_component(raw) is status


HELLO = b'{"message":"hello"}'
PORTAL = b"<html><head><title>Guest WiFi</title></head><body>Welcome to the hotspot</body></html>"
HTML = {"content-type": "text/html"}
SQUID = {"server": "squid/5.7", "x-squid-error": "ERR_DNS_FAIL 0", "content-type": "text/html"}
CF = {"server": "cloudflare", "cf-ray": "8a1b2c3d4e5f-FRA", "content-type": "text/html"}
AKAMAI = {"server": "AkamaiGHost", "content-type": "text/html"}
AKAMAI_DENIED = b"<html><head><title>Access Denied</title></head><body>Reference #18.ef3a2f17</body></html>"


@pytest.mark.parametrize(
    ("code", "headers", "body", "contract", "expect", "edge", "status", "reason", "local"),
    [
        pytest.param(200, JSON, HELLO, "hello", (), "cloudflare", Status.OPERATIONAL, "ok", False, id="hello-kept"),
        pytest.param(
            200, {}, b'{"message":"hi"}', "hello", (), "", Status.UNKNOWN, "unexpected_body", False, id="other-json"
        ),
        pytest.param(200, {}, b"", "hello", (), "", Status.UNKNOWN, "unexpected_body", False, id="empty-hello"),
        pytest.param(
            200, HTML, b"<html>Login</html>", "hello", (), "", Status.UNKNOWN, "captive_portal", True, id="html-on-api"
        ),
        pytest.param(
            302,
            {"location": "http://10.0.0.1/login"},
            b"",
            "models",
            (),
            "",
            Status.UNKNOWN,
            "captive_portal",
            True,
            id="redirect-to-another-host-on-api",
        ),
        pytest.param(
            200, JSON, b'{"data":[],"has_more":false}', "models", (), "", Status.OPERATIONAL, "ok", False, id="models"
        ),
        pytest.param(200, HTML, PORTAL, "", (), "", Status.UNKNOWN, "captive_portal", True, id="portal-markers-web"),
        pytest.param(
            200, HTML, b"<html>Claude</html>", "", (), "", Status.OPERATIONAL, "ok", False, id="web-page-no-contract"
        ),
        pytest.param(503, SQUID, b"<html>x</html>", "", (), "", Status.UNKNOWN, "proxy_error", True, id="squid-503"),
        pytest.param(
            503,
            SQUID,
            b"<html>x</html>",
            "",
            tuple(range(100, 600)),
            "",
            Status.UNKNOWN,
            "proxy_error",
            True,
            id="squid-beats-expect",
        ),
        pytest.param(
            403,
            AKAMAI,
            AKAMAI_DENIED,
            "",
            tuple(range(100, 500)),
            "",
            Status.UNKNOWN,
            "blocked",
            False,
            id="akamai-403-on-gateway-is-not-expected",
        ),
        pytest.param(
            403,
            {},
            b"<title>Access Denied</title> Reference #18",
            "",
            (),
            "",
            Status.UNKNOWN,
            "blocked",
            False,
            id="akamai-by-body",
        ),
        pytest.param(
            429,
            CF,
            b"error code: 1015",
            "",
            (),
            "cloudflare",
            Status.UNKNOWN,
            "client_rate_limited",
            False,
            id="cloudflare-1015",
        ),
        pytest.param(
            403, CF, b"error code: 1020", "", (), "cloudflare", Status.UNKNOWN, "blocked", False, id="cloudflare-1020"
        ),
        pytest.param(
            522,
            CF,
            b"<html>522: Connection timed out</html>",
            "",
            (),
            "cloudflare",
            Status.DOWN,
            "http_5xx",
            False,
            id="cloudflare-522-counts-against-the-service",
        ),
        pytest.param(
            429, {}, b"Rate exceeded.", "", (), "", Status.UNKNOWN, "client_rate_limited", False, id="waf-rate-text"
        ),
        pytest.param(
            429,
            {"anthropic-ratelimit-requests-remaining": "0"},
            api_error("rate_limit_error", "slow down"),
            "models",
            (),
            "cloudflare",
            Status.DEGRADED,
            "rate_limited",
            False,
            id="anthropic-429-keeps-its-meaning",
        ),
        pytest.param(
            503,
            {"content-type": "text/plain"},
            b"upstream connect error or disconnect/reset before headers",
            "hello",
            (),
            "cloudflare",
            Status.UNKNOWN,
            "proxy_error",
            True,
            id="foreign-envoy-on-claude-host",
        ),
        pytest.param(
            503,
            {"server": "envoy", "via": "1.1 google"},
            b"upstream connect error or disconnect/reset before headers",
            "hello",
            (),
            "cloudflare",
            Status.DOWN,
            "http_5xx",
            False,
            id="anthropic-own-envoy",
        ),
        pytest.param(
            503,
            {},
            b"upstream connect error or disconnect/reset before headers",
            "",
            (),
            "",
            Status.DOWN,
            "http_5xx",
            False,
            id="envoy-on-custom-surface-is-its-own",
        ),
        pytest.param(
            403,
            JSON,
            b'{"error":{"type":"forbidden","message":"Request not allowed"}}',
            "hello",
            (),
            "cloudflare",
            Status.UNKNOWN,
            "access_denied",
            False,
            id="region-block-without-outer-type",
        ),
        pytest.param(
            400,
            JSON,
            api_error("invalid_request_error", "Your credit balance is too low to access the Anthropic API."),
            "models",
            (),
            "cloudflare",
            Status.OPERATIONAL,
            "account_billing",
            False,
            id="credit-balance-is-account",
        ),
        pytest.param(
            401,
            HTML,
            b"<html>401</html>",
            "models",
            (),
            "cloudflare",
            Status.UNKNOWN,
            "unexpected_body",
            False,
            id="html-401-on-api-is-not-the-api",
        ),
    ],
)
def test_who_answered(
    code: int,
    headers: dict[str, str],
    body: bytes,
    contract: str,
    expect: tuple[int, ...],
    edge: str,
    status: Status,
    reason: str,
    local: bool,
) -> None:
    verdict = classify_response(
        code, headers, body, latency_s=0.1, slow_s=3.0, contract=contract, expect=expect, edge=edge, host="api.test"
    )
    assert (verdict.status, verdict.reason, verdict.local) == (status, reason, local)
    assert verdict.detail


@pytest.mark.parametrize(
    ("code", "headers", "body", "status", "reason", "who", "product"),
    [
        pytest.param(200, {}, b"", Status.OPERATIONAL, "ok", "service", "", id="the-service-answered"),
        pytest.param(500, CF, b"", Status.DOWN, "http_5xx", "service", "", id="the-service-failed"),
        pytest.param(
            500,
            {},
            b'{"type":"error","error":{"type":"api_error","message":"Internal server error"}}',
            Status.DOWN,
            "http_5xx",
            "service",
            "",
            id="the-api-error-body-is-the-service-without-edge-headers",
        ),
        pytest.param(
            502,
            {"content-type": "text/html"},
            b"<html><body><h1>502 Bad Gateway</h1></body></html>",
            Status.UNKNOWN,
            "proxy_error",
            "local_proxy",
            "",
            id="a-bare-502-on-a-cloudflare-host-is-a-proxy-on-this-side",
        ),
        pytest.param(503, {}, b"", Status.UNKNOWN, "proxy_error", "local_proxy", "", id="a-bare-503-is-not-claude"),
        pytest.param(529, {}, b"", Status.DEGRADED, "overloaded", "service", "", id="529-only-anthropic-sends"),
        pytest.param(522, CF, b"", Status.DOWN, "http_5xx", "service_edge", "Cloudflare", id="cf-522-is-the-edge"),
        pytest.param(
            530, CF, b"error code: 1016", Status.DOWN, "http_5xx", "service_edge", "Cloudflare", id="cf-530-1016-origin"
        ),
        pytest.param(
            530, CF, b"error code: 1033", Status.DOWN, "http_5xx", "service_edge", "Cloudflare", id="cf-1033-tunnel"
        ),
        pytest.param(
            500, CF, b"error code: 1101", Status.DOWN, "http_5xx", "service_edge", "Cloudflare", id="cf-1101-worker"
        ),
        pytest.param(
            403, CF, b"error code: 1020", Status.UNKNOWN, "blocked", "client_block", "Cloudflare", id="cf-1020-client"
        ),
        pytest.param(
            403, CF, b"error code: 1009", Status.UNKNOWN, "blocked", "client_block", "Cloudflare", id="cf-1009-country"
        ),
        pytest.param(
            429,
            CF,
            b"error code: 1015",
            Status.UNKNOWN,
            "client_rate_limited",
            "rate_limit_client",
            "Cloudflare",
            id="cf-1015-rate-limit",
        ),
        pytest.param(
            403, CF, b"error code: 1999", Status.UNKNOWN, "unknown_edge_code", "", "Cloudflare", id="cf-unknown-code"
        ),
        pytest.param(
            403,
            {"server": "Zscaler/6.2"},
            b"<html>blocked</html>",
            Status.UNKNOWN,
            "web_filter",
            "web_filter",
            "Zscaler",
            id="zscaler-server-header",
        ),
        pytest.param(
            200,
            {"content-type": "text/html"},
            b"<html>Access to the web page you were trying to visit has been blocked in accordance with company "
            b"policy.</html>",
            Status.UNKNOWN,
            "web_filter",
            "web_filter",
            "PAN-OS",
            id="pan-os-200-block-page",
        ),
        pytest.param(
            307,
            {"location": "http://notify.bluecoat.com/notify-NotifyUser1?x"},
            b"",
            Status.UNKNOWN,
            "web_filter",
            "web_filter",
            "Symantec/Blue Coat",
            id="blue-coat-redirect",
        ),
        pytest.param(
            403, {}, b"Forbidden by proxy", Status.UNKNOWN, "blocked", "", "", id="an-unclaimed-403-names-nobody"
        ),
        pytest.param(
            403,
            {"cf-mitigated": "challenge"},
            b"",
            Status.UNKNOWN,
            "bot_challenge",
            "bot_challenge",
            "Cloudflare",
            id="cloudflare-challenge",
        ),
    ],
)
def test_answered_by_names_who_answered(
    code: int, headers: dict[str, str], body: bytes, status: Status, reason: str, who: str, product: str
) -> None:
    verdict = classify_response(code, headers, body, latency_s=0.1, slow_s=3.0, edge="cloudflare", host="claude.ai")
    assert (verdict.status, verdict.reason, verdict.answered_by, verdict.product) == (status, reason, who, product)


def test_every_documented_cloudflare_code_is_read_as_its_side() -> None:
    for number, known in CODES.items():
        body = f"error code: {number}".encode()
        verdict = classify_response(403 if known.side == "client" else 530, CF, body, latency_s=0.1, slow_s=3.0)
        expected = "service_edge" if known.side == "origin" else ("rate_limit_client", "client_block")
        assert verdict.answered_by in (expected if isinstance(expected, tuple) else (expected,)), number
        assert (verdict.status is Status.DOWN) is (known.side == "origin"), number
