"""Cloudflare's 1xxx error codes as data: which side of the edge each one blames (pure).

Source of every row: Cloudflare's own troubleshooting pages,
https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-1xxx-errors/error-NNNN/
(cloudflare/cloudflare-docs, src/content/docs/support/troubleshooting/http-status-codes/cloudflare-1xxx-errors/).
"origin" codes say the site behind Cloudflare is broken or misconfigured: an outage for everyone.
"client" codes are a decision about this client (its IP, network, country, browser or request rate):
the service may be fine, but not from here. A code missing from the table is unknown: never a guess.
"""

from __future__ import annotations

from typing import Final, Literal, NamedTuple

DOCS: Final = "https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-1xxx-errors/"

Side = Literal["origin", "client"]


class CloudflareCode(NamedTuple):
    side: Side
    title: str  # the page's own heading

    @property
    def source(self) -> str:
        return DOCS


# code -> (side, the heading of its page at DOCS + "error-<code>/")
CODES: Final[dict[int, CloudflareCode]] = {
    1000: CloudflareCode("origin", "DNS points to prohibited IP"),
    1001: CloudflareCode("origin", "DNS resolution error"),
    1002: CloudflareCode("origin", "DNS points to Prohibited IP"),
    # A client or browser asked a Cloudflare IP directly: a proxy or hosts-file entry on this side.
    1003: CloudflareCode("client", "Access Denied: Direct IP Access Not Allowed"),
    1004: CloudflareCode("origin", "Host Not Configured to Serve Web Traffic"),
    1005: CloudflareCode("client", "Access Denied: Autonomous System Number (ASN) banned"),
    1006: CloudflareCode("client", "Access Denied: Your IP address has been banned"),
    1007: CloudflareCode("client", "Access Denied: Your IP address has been banned"),
    1008: CloudflareCode("client", "Access Denied: Your IP address has been banned"),
    1009: CloudflareCode("client", "Access Denied: Country or region banned"),
    1010: CloudflareCode(
        "client", "The owner of this website has banned your access based on your browser's signature"
    ),
    1011: CloudflareCode("client", "Access Denied (Hotlinking Denied)"),
    1012: CloudflareCode("client", "Access Denied"),
    # "A network proxying SSL traffic caused a mismatch between SNI and the Host header".
    1013: CloudflareCode("client", "HTTP hostname and TLS SNI hostname mismatch"),
    1014: CloudflareCode("origin", "CNAME Cross-User Banned"),
    1015: CloudflareCode("client", "You are being rate limited"),
    1016: CloudflareCode("origin", "Origin DNS error"),
    1018: CloudflareCode("origin", "Could not find host"),
    1019: CloudflareCode("origin", "Compute server error"),
    1020: CloudflareCode("client", "Access denied"),
    1023: CloudflareCode("origin", "Could not find host"),
    1025: CloudflareCode("origin", "Please check back later"),
    1033: CloudflareCode("origin", "Argo Tunnel error"),
    1034: CloudflareCode("origin", "Edge IP Restricted"),
    1035: CloudflareCode("origin", "Invalid request rewrite (invalid URI path)"),
    1036: CloudflareCode("origin", "Invalid request rewrite (maximum length exceeded)"),
    1037: CloudflareCode("origin", "Invalid rewrite rule (failed to evaluate expression)"),
    1040: CloudflareCode("origin", "Invalid request rewrite (header modification not allowed)"),
    1041: CloudflareCode("origin", "Invalid request rewrite (invalid header value)"),
    1101: CloudflareCode("origin", "Rendering error (Worker threw an exception)"),
    1102: CloudflareCode("origin", "Worker exceeded resource limits"),
    1106: CloudflareCode("client", "Access Denied: Your IP address has been banned"),
    1200: CloudflareCode("origin", "Cache connection limit"),
}
# 1104 ("A variation of this email address is already taken") is a dashboard error, not a proxied
# site's answer: it is left out, so it reads as unknown.


def lookup(code: int) -> CloudflareCode | None:
    """The documented meaning of a 1xxx code, or None: an unknown code is unknown, never a guess."""
    return CODES.get(code)
