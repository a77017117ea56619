"""Who stands between this machine and the service at the TLS or redirect level.

When certificate verification fails, a second handshake that verifies nothing and sends nothing reads the
certificate the network presented, so its issuer can be named (it is never trusted: no request goes over
that connection). The issuer is read with a tiny DER walk, because the standard library only decodes a
certificate it has verified (ssl._ssl._test_decode_cert is private) and `cryptography` is not a dependency.
A redirect to a web filter's block page is stopped before it is followed: that redirect is the answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import replace
from typing import Final
from urllib.parse import urlsplit

import httpx

from outagecheck.checks.answered import intercepted
from outagecheck.checks.filters import filter_redirect, inspection_product
from outagecheck.model import Evidence

# X.520 attribute types shown from an issuer, in the order a certificate lists them.
_NAMES: Final = {b"\x55\x04\x03": "CN", b"\x55\x04\x0a": "O", b"\x55\x04\x0b": "OU"}
_TEXT: Final = {0x0C: "utf-8", 0x13: "ascii", 0x16: "ascii", 0x14: "latin-1", 0x1E: "utf-16-be"}


def _tlv(data: bytes, at: int) -> tuple[int, int, int]:
    """(tag, first content byte, end) of the DER element at `at`."""
    tag, size = data[at], data[at + 1]
    start = at + 2
    if size & 0x80:
        count = size & 0x7F
        size = int.from_bytes(data[start : start + count], "big")
        start += count
    if start + size > len(data):
        raise ValueError("truncated DER")
    return tag, start, start + size


def issuer_of(der: bytes) -> str:
    """The issuer of a DER certificate as "CN=..., O=...", or "" when it cannot be read."""
    try:
        _, cert, _ = _tlv(der, 0)
        _, at, _ = _tlv(der, cert)  # tbsCertificate
        if der[at] == 0xA0:  # [0] version
            at = _tlv(der, at)[2]
        at = _tlv(der, at)[2]  # serialNumber
        at = _tlv(der, at)[2]  # signature algorithm
        _, at, end = _tlv(der, at)  # issuer Name: SEQUENCE OF SET OF (type, value)
        parts = []
        while at < end:
            _, rdn, rdn_end = _tlv(der, at)
            _, pair, _ = _tlv(der, rdn)
            _, oid, oid_end = _tlv(der, pair)
            tag, value, value_end = _tlv(der, oid_end)
            name = _NAMES.get(der[oid:oid_end])
            if name and tag in _TEXT:
                # Remote text: printable characters only, and short (it is shown in every format).
                text = "".join(c for c in der[value:value_end].decode(_TEXT[tag], "replace") if c.isprintable())
                parts.append(f"{name}={text[:80]}")
            at = rdn_end
        return ", ".join(parts)
    except (IndexError, ValueError):
        return ""


async def presented_issuer(host: str, port: int, deadline: float) -> str:
    """The issuer of the certificate `host` presents, read without verifying it; "" when it can't be read."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # only to read the certificate: nothing is sent over this connection
    writer = None
    try:
        async with asyncio.timeout_at(deadline):
            _, writer = await asyncio.open_connection(host, port, ssl=context, server_hostname=host)
            der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
            return issuer_of(der or b"")
    except (OSError, TimeoutError, ValueError, AttributeError):
        return ""
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 0.1)


async def with_issuer(evidence: Evidence, deadline: float) -> Evidence:
    """A failed certificate check, with the presented issuer; one that names an inspection product is
    TLS interception on this network, not the service's certificate."""
    if "verify failed" not in evidence.detail:
        return evidence
    url = urlsplit(evidence.url)
    issuer = await presented_issuer(url.hostname or "", url.port or 443, deadline)
    if not issuer:
        return evidence
    detail = f"{evidence.detail}; presented issuer: {issuer}"
    product = inspection_product(issuer)
    if not product:
        return replace(evidence, detail=detail, issuer=issuer)
    return intercepted(replace(evidence, detail=detail, issuer=issuer), product)


class FilterRedirect(httpx.HTTPError):
    """A redirect to a web filter's page, stopped before it is followed; its status and headers are the answer."""

    def __init__(self, status_code: int, headers: dict[str, str]) -> None:
        super().__init__(f"HTTP {status_code} to a web filter's page")
        self.status_code = status_code
        self.headers = headers


async def stop_at_filter(response: httpx.Response) -> None:
    """httpx response hook: a redirect to a known web filter ends the request (and is never followed)."""
    if response.is_redirect and filter_redirect(response.headers.get("location", "")) is not None:
        headers = {k.lower(): v for k, v in response.headers.items()}
        await response.aclose()
        raise FilterRedirect(response.status_code, headers)
