"""Every network fault, through the real CLI against a real server on 127.0.0.1: a named reason, the
right status and exit code, and an answer within the deadline."""

from __future__ import annotations

import gzip
import json
import ssl
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from typer.testing import CliRunner

from tests.helpers import (
    API_PATH,
    CF_EDGE,
    HELLO,
    PAGE_PATH,
    TEST_KEY,
    WEB_PATH,
    Endpoints,
    free_port,
    invoke,
    loopback_config,
    march_summary,
    real_sockets,
    route_healthy,
    summary,
)
from tests.loopback import LoopbackServer

pytestmark = real_sockets  # real sockets only

SLACK_S = 1.5  # generous: these tests check that the command returns, the benchmark measures how fast
API_ERROR_500 = {"type": "error", "error": {"type": "api_error", "message": "Internal server error"}}
CF_CHALLENGE = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>cf</body></html>"


def run(runner: CliRunner, cfg: Path, *args: str, timeout: float = 3.0) -> tuple[dict[str, Any], int, float]:
    start = time.perf_counter()
    result = invoke(runner, "status", "--config", str(cfg), "--json", "--timeout", str(timeout), *args)
    wall = time.perf_counter() - start
    assert "Traceback" not in result.stdout + result.stderr
    return json.loads(result.stdout), result.exit_code, wall


def surface(doc: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for s in doc["surfaces"] if s["id"] == sid)


def evidence(doc: dict[str, Any], endpoint: str) -> dict[str, Any]:
    return next(e for s in doc["surfaces"] for e in s["evidence"] if e["endpoint"] == endpoint)


GZIP_BOMB = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # 64 MiB inflated, ~64 KiB sent

# (id, path, route, surface, status, reason, exit code). A bot wall casts no vote, so the status page's
# "operational" decides those surfaces; cli/test_status.py covers a bot wall with no status page.
FAULTS = [
    (
        "http-500",
        WEB_PATH,
        {"status": 500, "body": b"Claude will return soon", "headers": dict(CF_EDGE)},
        "web",
        "down",
        "http_5xx",
        2,
    ),
    ("cloudflare-522", WEB_PATH, {"status": 522, "body": b"origin unreachable"}, "web", "down", "http_5xx", 2),
    (
        "overloaded-529",
        API_PATH,
        {"status": 529, "json": {"type": "error", "error": {"type": "overloaded_error"}}},
        "api",
        "degraded",
        "overloaded",
        1,
    ),
    (
        "rate-limited-429",
        API_PATH,
        {"status": 429, "headers": {"retry-after": "3600"}},
        "api",
        "degraded",
        "rate_limited",
        1,
    ),
    (
        "cloudflare-challenge",
        WEB_PATH,
        {"status": 403, "headers": {"cf-mitigated": "challenge"}, "body": CF_CHALLENGE},
        "web",
        "operational",
        "bot_challenge",
        0,
    ),
    ("challenge-page-503", WEB_PATH, {"status": 503, "body": CF_CHALLENGE}, "web", "operational", "bot_challenge", 0),
    (
        "aws-waf-405",
        WEB_PATH,
        {"status": 405, "headers": {"x-amzn-waf-action": "captcha"}},
        "web",
        "operational",
        "bot_challenge",
        0,
    ),
    ("hang", WEB_PATH, {"hang": True}, "web", "down", "timeout", 2),
    ("slow-past-deadline", WEB_PATH, {"delay": 5.0}, "web", "down", "timeout", 2),
    ("close-at-once", WEB_PATH, {"close": True}, "web", "down", "reset", 2),
    ("reset-mid-headers", WEB_PATH, {"reset_in_headers": True}, "web", "down", "reset", 2),
    (
        "reset-mid-body-of-500",
        WEB_PATH,
        {"status": 500, "body": b"e" * 4000, "reset_in_body": True, "headers": dict(CF_EDGE)},
        "web",
        "down",
        "http_5xx",
        2,
    ),
    (
        "drip-500-body",
        WEB_PATH,
        {"status": 500, "body": b"e" * 100, "drip": 0.1, "headers": dict(CF_EDGE)},
        "web",
        "down",
        "http_5xx",
        2,
    ),
    ("not-http", WEB_PATH, {"raw": b"SSH-2.0-OpenSSH_9.6\r\nProtocol mismatch.\r\n\r\n"}, "web", "down", "not_http", 2),
    (
        "redirect-to-itself",
        WEB_PATH,
        {"status": 302, "headers": {"location": WEB_PATH}},
        "web",
        "down",
        "redirect_loop",
        2,
    ),
    ("200MB-body-on-200", WEB_PATH, {"body_size": 200 * 1024 * 1024}, "web", "operational", "ok", 0),
    (
        "200MB-body-on-500",
        WEB_PATH,
        {"status": 500, "body_size": 200 * 1024 * 1024, "headers": dict(CF_EDGE)},
        "web",
        "down",
        "http_5xx",
        2,
    ),
    ("rate-limited-no-retry-after", API_PATH, {"status": 429}, "api", "degraded", "rate_limited", 1),
    ("plain-405", WEB_PATH, {"status": 405, "body": b"method not allowed"}, "web", "degraded", "unexpected_status", 1),
    ("unexpected-404", WEB_PATH, {"status": 404, "body": b"gone"}, "web", "degraded", "unexpected_status", 1),
]


@pytest.mark.parametrize(
    ("path", "route", "sid", "status", "reason", "code"),
    [pytest.param(*case[1:], id=case[0]) for case in FAULTS],
)
def test_fault_has_a_named_reason(
    runner: CliRunner,
    loopback: LoopbackServer,
    tmp_path: Path,
    path: str,
    route: dict[str, Any],
    sid: str,
    status: str,
    reason: str,
    code: int,
) -> None:
    loopback.route(path, **route)
    timeout = 1.5
    doc, exit_code, wall = run(runner, loopback_config(tmp_path, loopback), timeout=timeout)
    verdict = surface(doc, sid)
    driver = next(e for e in verdict["evidence"] if e["reason"] == reason)
    assert (verdict["status"], exit_code, doc["exit_code"]) == (status, code, code)
    if status != "operational":
        assert f"{reason}: " in verdict["impact"]  # the named reason is in the Impact column
    assert driver["attempts"][-1]["reason"] == reason
    assert wall < timeout + SLACK_S


def test_refused_port_is_connect_refused(runner: CliRunner, loopback: LoopbackServer, tmp_path: Path) -> None:
    doc, code, _ = run(runner, loopback_config(tmp_path, loopback, claude_ai=f"http://127.0.0.1:{free_port()}"))
    web = evidence(doc, "web")
    assert (web["reason"], web["status"], code) == ("connect_refused", "down", 2)
    assert len(web["attempts"]) == 2  # a refused connection gets its one retry


def test_unresolvable_name_is_dns(runner: CliRunner, loopback: LoopbackServer, tmp_path: Path) -> None:
    doc, code, _ = run(runner, loopback_config(tmp_path, loopback, claude_ai="http://claude.invalid"))
    web = evidence(doc, "web")
    assert (web["reason"], surface(doc, "web")["status"], code) == ("dns", "down", 2)
    assert "claude.invalid did not resolve" in web["detail"]


# -- retries --------------------------------------------------------------------------------------------


def test_passing_only_on_retry_is_degraded(runner: CliRunner, loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.route(WEB_PATH, status=503, body=b"busy", headers=dict(CF_EDGE), times=1)
    loopback.then(WEB_PATH, body=b"<html>Claude</html>")
    doc, code, _ = run(runner, loopback_config(tmp_path, loopback))
    web = surface(doc, "web")
    assert (web["status"], code) == ("degraded", 1)
    assert web["evidence"][0]["reason"] == "passed_after_retry"
    assert [a["reason"] for a in web["evidence"][0]["attempts"]] == ["http_5xx", "ok"]
    assert "passed after retry" in web["impact"]
    assert loopback.paths().count(WEB_PATH) == 2


def test_reset_then_answer_is_degraded_not_operational(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.route(WEB_PATH, close=True, times=1)
    loopback.then(WEB_PATH, body=b"<html>Claude</html>")
    doc, code, _ = run(runner, loopback_config(tmp_path, loopback))
    assert ([a["reason"] for a in evidence(doc, "web")["attempts"]], code) == (["reset", "ok"], 1)


def test_failing_twice_lists_both_attempts(runner: CliRunner, loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.route(WEB_PATH, status=500, body=b"down", headers=dict(CF_EDGE))
    doc, _, _ = run(runner, loopback_config(tmp_path, loopback))
    assert [a["http_status"] for a in evidence(doc, "web")["attempts"]] == [500, 500]


def test_retry_after_that_fits_is_honoured(runner: CliRunner, loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.route(API_PATH, status=429, headers={"retry-after": "1"}, times=1)
    loopback.then(API_PATH, **HELLO)
    start = time.perf_counter()
    doc, _, _ = run(runner, loopback_config(tmp_path, loopback), timeout=4.0)
    assert time.perf_counter() - start >= 1.0  # it waited as told
    attempts = evidence(doc, "api_hello")["attempts"]
    assert [a["reason"] for a in attempts] == ["rate_limited", "ok"]
    assert surface(doc, "api")["status"] == "degraded"


def test_retry_after_past_the_deadline_is_not_waited_for(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.route(API_PATH, status=529, headers={"retry-after": "30"})
    doc, code, wall = run(runner, loopback_config(tmp_path, loopback), timeout=2.0)
    assert len(evidence(doc, "api_hello")["attempts"]) == 1
    assert (code, surface(doc, "api")["status"]) == (1, "degraded")
    assert wall < 2.0


def test_no_retry_when_the_deadline_leaves_no_room(runner: CliRunner, loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.route(WEB_PATH, status=500, delay=0.9, headers=dict(CF_EDGE))
    doc, code, wall = run(runner, loopback_config(tmp_path, loopback), timeout=1.0)
    assert len(evidence(doc, "web")["attempts"]) == 1
    assert code == 2
    assert wall < 1.0 + SLACK_S


# -- the status page ------------------------------------------------------------------------------------


def page_case(runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, timeout: float = 2.0) -> dict[str, Any]:
    doc, _, wall = run(runner, loopback_config(tmp_path, loopback), timeout=timeout)
    assert wall < timeout + SLACK_S
    return doc


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        pytest.param(
            {"body_size": 200 * 1024 * 1024, "headers": {"content-type": "application/json"}},
            "body_too_large",
            id="200MB",
        ),
        pytest.param({"body": GZIP_BOMB, "headers": {"content-encoding": "gzip"}}, "body_too_large", id="gzip-bomb"),
        pytest.param(
            {"body": b"not gzip at all", "headers": {"content-encoding": "gzip"}}, "bad_summary", id="bad-gzip"
        ),
        pytest.param({"body": json.dumps(summary()).encode(), "drip": 0.05}, "timeout", id="drip"),
        pytest.param({"body": json.dumps(summary()).encode(), "reset_in_body": True}, "reset", id="reset-mid-body"),
        pytest.param({"body": b"<html>maintenance</html>"}, "bad_summary", id="html"),
        pytest.param({"status": 405, "headers": {"x-amzn-waf-action": "captcha"}}, "bot_challenge", id="aws-waf"),
    ],
)
def test_unusable_status_page_is_named(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, route: dict[str, Any], reason: str
) -> None:
    loopback.route(PAGE_PATH, **route)
    doc = page_case(runner, loopback, tmp_path)
    assert (doc["status_page"]["usable"], doc["status_page"]["reason"]) == (False, reason)
    assert doc["exit_code"] == 0  # every probe answered: the page's silence does not make anything worse
    assert any(reason in n or "no official signal" in n for n in doc["notes"])


def test_gzip_summary_is_read(runner: CliRunner, loopback: LoopbackServer, tmp_path: Path) -> None:
    body = gzip.compress(json.dumps(march_summary()).encode())
    loopback.route(PAGE_PATH, body=body, headers={"content-encoding": "gzip"})
    doc = page_case(runner, loopback, tmp_path)
    assert doc["status_page"]["usable"] is True
    assert surface(doc, "web")["official_status"] == "down"


def test_raw_deflate_summary_is_read(runner: CliRunner, loopback: LoopbackServer, tmp_path: Path) -> None:
    z = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    body = z.compress(json.dumps(summary()).encode()) + z.flush()
    loopback.route(PAGE_PATH, body=body, headers={"content-encoding": "deflate"})
    assert page_case(runner, loopback, tmp_path)["status_page"]["usable"] is True


def test_huge_body_is_not_downloaded(runner: CliRunner, loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.route(PAGE_PATH, body_size=200 * 1024 * 1024)
    loopback.route(WEB_PATH, status=500, body_size=200 * 1024 * 1024, headers=dict(CF_EDGE))
    page_case(runner, loopback, tmp_path)
    # The server could only push what fits in socket buffers before the client hung up.
    assert loopback.sent < 20 * 1024 * 1024


def test_odd_summary_is_tolerated(runner: CliRunner, loopback: LoopbackServer, tmp_path: Path) -> None:
    doc = summary()
    doc["components"][0]["status"] = "on_fire"  # an enum value Statuspage may add one day
    doc["components"].append({"id": "zzz", "name": "Something new", "status": "operational", "extra": [1]})
    doc["components"].append({"id": 7, "name": None})  # wrong types
    doc["incidents"] = [{"name": "Partial", "unknown_field": True}]  # missing fields
    doc["page"] = "not an object"
    loopback.route(PAGE_PATH, json=doc)
    out = page_case(runner, loopback, tmp_path)
    assert out["status_page"]["usable"] is True
    first = doc["components"][0]["name"]
    assert any("unknown state 'on_fire'; read as degraded" in n and first in n for n in out["notes"])
    assert out["incidents"][0]["name"] == "Partial"


# -- TLS and proxies ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_server(ca: trustme.CA) -> Iterator[LoopbackServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with LoopbackServer(tls=context) as s:
        route_healthy(s)
        yield s


def test_untrusted_certificate_on_one_host_is_tls(
    runner: CliRunner, loopback: LoopbackServer, tls_server: LoopbackServer, tmp_path: Path
) -> None:
    doc, code, _ = run(runner, loopback_config(tmp_path, loopback, claude_ai=tls_server.url + "/web"))
    web = evidence(doc, "web")
    assert (web["reason"], code) == ("tls", 2)
    assert "TLS with 127.0.0.1 failed: certificate verify failed" in web["detail"]
    assert len(web["attempts"]) == 1  # a certificate does not fix itself: no retry


def test_tls_failing_everywhere_blames_the_local_network(
    runner: CliRunner, tls_server: LoopbackServer, tmp_path: Path
) -> None:
    doc, code, _ = run(runner, loopback_config(tmp_path, tls_server))
    assert (code, doc["local_network"]) == (3, True)
    assert {s["status"] for s in doc["surfaces"]} == {"unknown"}
    assert all("(tls: TLS with 127.0.0.1 failed" in s["impact"] for s in doc["surfaces"])


def test_ssl_cert_file_is_honoured(
    runner: CliRunner, tls_server: LoopbackServer, tmp_path: Path, ca: trustme.CA, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "corporate-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    doc, code, _ = run(runner, loopback_config(tmp_path, tls_server))
    assert (code, [s["status"] for s in doc["surfaces"]]) == (0, ["operational"] * 3)


def test_missing_ssl_cert_file_is_a_config_error(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "nope.pem"))
    result = invoke(runner, "status", "--config", str(loopback_config(tmp_path, loopback)))
    assert result.exit_code == 78
    assert result.stderr.count("\n") == 1
    assert "nope.pem" in result.stderr


@pytest.mark.parametrize(
    ("proxy", "message"),
    [
        pytest.param("http://user:secret@proxy:abc", "HTTPS_PROXY is unusable: Invalid port", id="bad-port"),
        pytest.param("socks5://user:secret@127.0.0.1:1080", "HTTPS_PROXY is unusable: Using SOCKS", id="socks"),
        pytest.param("ftp://user:secret@proxy", "HTTPS_PROXY is unusable: Unknown scheme", id="scheme"),
    ],
)
def test_unusable_proxy_variable_is_a_config_error(
    runner: CliRunner,
    loopback: LoopbackServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    proxy: str,
    message: str,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy)
    result = invoke(runner, "status", "--config", str(loopback_config(tmp_path, loopback)))
    assert result.exit_code == 78
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "secret" not in result.stderr


ANTHROPIC: Endpoints = {
    "claude_ai": "https://claude.ai",
    "platform": "https://platform.claude.com",
    "api": "https://api.anthropic.com",
    "status_page": "https://status.claude.com",
}


def test_refusing_proxy_is_proxy_and_local(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", f"http://user:secret@127.0.0.1:{free_port()}")
    doc, code, _ = run(runner, loopback_config(tmp_path, **ANTHROPIC))
    reasons = {e["reason"] for s in doc["surfaces"] for e in s["evidence"]}
    assert (reasons, code, doc["local_network"]) == ({"proxy"}, 3, True)
    detail = evidence(doc, "web")["detail"]
    assert detail.startswith("proxy http://127.0.0.1:")
    assert "connection refused" in detail
    assert "secret" not in json.dumps(doc)  # proxy credentials are never shown


def test_proxy_refusing_connect_is_proxy(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for host in ("claude.ai:443", "platform.claude.com:443", "api.anthropic.com:443", "status.claude.com:443"):
        loopback.route(host, status=403, body=b"blocked by policy")
    monkeypatch.setenv("HTTPS_PROXY", loopback.url)
    doc, code, _ = run(runner, loopback_config(tmp_path, **ANTHROPIC))
    assert {e["reason"] for s in doc["surfaces"] for e in s["evidence"]} == {"proxy"}
    assert code == 3
    assert all(p.endswith(":443") for p in loopback.paths())  # only CONNECT lines reached the proxy


def test_no_proxy_is_honoured(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    doc, code, _ = run(runner, loopback_config(tmp_path, loopback))
    assert code == 0, doc


# -- the key goes to the API only, and never in clear ---------------------------------------------------


def test_key_is_not_sent_in_clear_through_a_proxy(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    monkeypatch.setenv("HTTP_PROXY", loopback.url)  # our server plays the proxy: it sees what a proxy would
    loopback.route("http://api.example.test/v1/models?limit=1", **HELLO)
    loopback.route("http://api.example.test/api/hello", **HELLO)
    cfg = loopback_config(tmp_path, loopback, api="http://api.example.test")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    doc, _, _ = run(runner, cfg)
    models = evidence(doc, "api_models")
    assert models["reason"] == "key_withheld"
    assert all("x-api-key" not in headers for _, _, headers in loopback.requests)
    assert "http://api.example.test/v1/models?limit=1" not in loopback.paths()


def test_key_goes_to_the_api_endpoint_only(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    loopback.route("/api/v1/models?limit=1", json={"data": []})
    loopback.route(WEB_PATH, status=302, headers={"location": "/web/next"})  # the unkeyed probes may follow
    loopback.route("/web/next", body=b"ok")
    run(runner, loopback_config(tmp_path, loopback))
    keyed = [(p, h["x-api-key"]) for _, p, h in loopback.requests if "x-api-key" in h]
    assert keyed == [("/api/v1/models?limit=1", TEST_KEY)]
    assert "/web/next" in loopback.paths()
