"""TLS inspection and filter redirects, against real TLS servers on 127.0.0.1 with trustme CAs.

An inspecting proxy re-signs every host with the company's CA; here each server's certificate comes from
a CA named the way a real inspection product names its own (Zscaler, anthropics/claude-code#25084).
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from typer.testing import CliRunner

from outagecheck.checks.filters import filter_redirect, inspection_product
from outagecheck.checks.peercert import issuer_of
from tests.helpers import invoke, loopback_config, real_sockets, route_healthy
from tests.loopback import LoopbackServer

pytestmark = real_sockets


def _server(ca: trustme.CA) -> LoopbackServer:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return LoopbackServer(tls=context)


@pytest.fixture
def zscaler() -> Iterator[LoopbackServer]:
    with _server(trustme.CA(organization_name="Zscaler Inc.", organization_unit_name="Zscaler Root CA")) as s:
        route_healthy(s)
        yield s


@pytest.fixture
def company() -> trustme.CA:
    return trustme.CA(organization_name="Example Corp", organization_unit_name="Example Corp Inspection CA")


def _run(runner: CliRunner, cfg: Path) -> tuple[dict[str, Any], int]:
    result = invoke(runner, "status", "--config", str(cfg), "--json")
    assert "Traceback" not in result.stdout + result.stderr
    return json.loads(result.stdout), result.exit_code


def _evidence(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["endpoint"]: e for s in doc["surfaces"] for e in s["evidence"]}


@pytest.mark.parametrize("org", ["Zscaler Inc.", "Example Corp", "Ünïcode GmbH"])
def test_the_issuer_is_read_as_cryptography_reads_it(org: str) -> None:
    cert = trustme.CA(organization_name=org, organization_unit_name="Root CA").issue_cert("example.test")
    der = x509.load_pem_x509_certificate(cert.cert_chain_pems[0].bytes()).public_bytes(Encoding.DER)
    parsed = x509.load_der_x509_certificate(der).issuer
    expected = {a.rfc4514_attribute_name: str(a.value) for a in parsed}
    assert issuer_of(der) == f"O={expected['O']}, OU={expected['OU']}"


def test_an_issuer_is_printable_text_only() -> None:
    cert = trustme.CA(organization_name="Evil\x1b[31m Corp\nCA", organization_unit_name="x" * 500).issue_cert("a.test")
    der = x509.load_pem_x509_certificate(cert.cert_chain_pems[0].bytes()).public_bytes(Encoding.DER)
    assert issuer_of(der) == "O=Evil[31m CorpCA, OU=" + "x" * 80


@pytest.mark.parametrize("junk", [b"", b"\x30", b"\x30\x82\xff\xff", b"not a certificate"])
def test_a_broken_certificate_has_no_issuer(junk: bytes) -> None:
    assert issuer_of(junk) == ""


def test_inspection_products_and_filter_redirects_are_named() -> None:
    assert inspection_product("CN=ca.amperity.goskope.com, O=Amperity") == "Netskope"
    assert inspection_product("O=Zscaler Inc., OU=Zscaler Root CA") == "Zscaler"
    assert inspection_product("CN=Example Corp Root") == ""
    sign = filter_redirect("https://gateway.zscaler.net/auT?origurl=https%3A%2F%2Fclaude.ai%2F")
    assert sign is not None
    assert sign.product == "Zscaler"
    assert filter_redirect("https://claude.ai/login") is None


def test_an_issuer_naming_an_inspection_product_is_tls_interception(
    runner: CliRunner, loopback: LoopbackServer, zscaler: LoopbackServer, tmp_path: Path
) -> None:
    doc, code = _run(runner, loopback_config(tmp_path, loopback, claude_ai=zscaler.url + "/web"))
    web = _evidence(doc)["web"]
    assert (code, web["reason"], web["answered_by"], web["product"]) == (
        3,
        "tls_interception",
        "tls_interception",
        "Zscaler",
    )
    assert web["issuer"] == "O=Zscaler Inc., OU=Zscaler Root CA"
    row = next(s for s in doc["surfaces"] if s["id"] == "web")
    assert row["status"] == "unknown"
    assert (
        "your network re-signs TLS for 127.0.0.1 (Zscaler) (issuer O=Zscaler Inc., OU=Zscaler Root CA)" in row["impact"]
    )
    warning = " ".join(doc["warnings"])
    assert "SSL_CERT_FILE=" in warning
    assert "NODE_EXTRA_CA_CERTS=" in warning


def test_the_same_untrusted_issuer_on_several_hosts_is_tls_interception(
    runner: CliRunner, loopback: LoopbackServer, company: trustme.CA, tmp_path: Path
) -> None:
    with _server(company) as web, _server(company) as api:
        route_healthy(web)
        route_healthy(api)
        cfg = loopback_config(tmp_path, loopback, claude_ai=web.url + "/web", api=api.url + "/api")
        doc, code = _run(runner, cfg)
    found = _evidence(doc)
    assert code == 3
    for key in ("web", "api_hello"):
        assert (found[key]["reason"], found[key]["issuer"]) == (
            "tls_interception",
            "O=Example Corp, OU=Example Corp Inspection CA",
        )
    assert {s["id"]: s["status"] for s in doc["surfaces"]} == {"web": "unknown", "code": "unknown", "api": "unknown"}
    assert "NODE_EXTRA_CA_CERTS" in " ".join(doc["warnings"])
    assert "NODE_EXTRA_CA_CERTS" in doc["fallback"]["headline"] + " ".join(
        s["command"] or "" for s in doc["fallback"]["steps"]
    )


def test_a_bad_certificate_on_one_host_only_stays_a_service_problem(
    runner: CliRunner, loopback: LoopbackServer, company: trustme.CA, tmp_path: Path
) -> None:
    with _server(company) as web:
        route_healthy(web)
        doc, code = _run(runner, loopback_config(tmp_path, loopback, claude_ai=web.url + "/web"))
    found = _evidence(doc)["web"]
    assert (code, found["reason"], found["status"]) == (2, "tls", "down")
    assert found["issuer"] == "O=Example Corp, OU=Example Corp Inspection CA"  # recorded, never trusted
    assert "presented issuer: O=Example Corp" in found["detail"]


def test_trusting_the_company_ca_ends_the_interception(
    runner: CliRunner, zscaler: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The advice works: the CA that signed every host, given as SSL_CERT_FILE, makes the checks pass.
    bundle = tmp_path / "company-ca.pem"
    ca = trustme.CA(organization_name="Zscaler Inc.", organization_unit_name="Zscaler Root CA")
    with _server(ca) as s:
        route_healthy(s)
        ca.cert_pem.write_to_path(str(bundle))
        monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
        doc, code = _run(runner, loopback_config(tmp_path, s))
    assert (code, {e["answered_by"] for e in _evidence(doc).values()}) == (0, {"service"})


def test_the_status_page_and_one_host_with_the_same_issuer_is_tls_interception(
    runner: CliRunner, loopback: LoopbackServer, company: trustme.CA, tmp_path: Path
) -> None:
    # Inspection that re-signs only the status page and claude.ai: the status page's issuer is read too, so
    # the two hosts are compared and claude.ai is not blamed for this network.
    with _server(company) as web, _server(company) as page:
        route_healthy(web)
        route_healthy(page)
        cfg = loopback_config(tmp_path, loopback, claude_ai=web.url + "/web", status_page=page.url + "/status")
        doc, code = _run(runner, cfg)
    web_evidence = _evidence(doc)["web"]
    attempt = doc["status_page"]["attempts"][0]
    assert (code, web_evidence["reason"], web_evidence["answered_by"]) == (3, "tls_interception", "tls_interception")
    assert (attempt["answered_by"], attempt["issuer"]) == (
        "tls_interception",
        "O=Example Corp, OU=Example Corp Inspection CA",
    )
    assert {s["id"]: s["status"] for s in doc["surfaces"]} == {
        "web": "unknown",
        "code": "operational",
        "api": "operational",
    }
    assert "NODE_EXTRA_CA_CERTS" in " ".join(doc["warnings"])


def test_inspection_of_the_status_page_alone_does_not_discount_the_probes(
    runner: CliRunner, loopback: LoopbackServer, zscaler: LoopbackServer, tmp_path: Path
) -> None:
    # IT exempts Claude's hosts from inspection but not the status page: the probes reached the services.
    doc, code = _run(runner, loopback_config(tmp_path, loopback, status_page=zscaler.url + "/status"))
    attempt = doc["status_page"]["attempts"][0]
    assert (code, attempt["answered_by"], attempt["product"]) == (0, "tls_interception", "Zscaler")
    assert doc["warnings"] == [
        "This network re-signs TLS for the status page (127.0.0.1, issuer: O=Zscaler Inc., OU=Zscaler Root CA): "
        "its official word could not be read, but the probes reached the services. To read it, trust your "
        "company's CA for outagecheck: export SSL_CERT_FILE=/path/to/company-ca.pem."
    ]
