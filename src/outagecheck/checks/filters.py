"""Corporate web filters and TLS-inspection products, recognised by what they put on the wire (pure data).

Every sign names its public source. OONI = ooni/blocking-fingerprints, fingerprints_http.csv (commit
171641e6, each row naming the OONI measurement it was seen in); wafw00f = EnableSecurity/wafw00f,
wafw00f/plugins/<name>.py. A product without a sourced sign is not guessed at.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, NamedTuple

# Not Via: a proxy adds its Via line to every answer it relays, the service's own included (OONI lists
# Cisco WSA and Forcepoint WCG Via values; they prove a proxy is on the path, not who answered).
Where = Literal["server", "location", "body"]


class Sign(NamedTuple):
    product: str
    where: Where
    text: str  # lower-case; matched as a substring
    source: str


OONI: Final = "https://github.com/ooni/blocking-fingerprints/blob/main/fingerprints_http.csv"
WAFW00F: Final = "https://github.com/EnableSecurity/wafw00f/blob/master/wafw00f/plugins/"

SIGNS: Final[tuple[Sign, ...]] = (
    # Zscaler Internet Access: its own Server header, its block page, its cloud-hosted block page.
    Sign("Zscaler", "server", "zscaler", WAFW00F + "zscaler.py"),
    Sign("Zscaler", "body", "internet security by zscaler", OONI + " cl.prod_zscaler_block"),
    Sign("Zscaler", "body", "login.zscloud.net/img_logo_new1.png", WAFW00F + "zscaler.py"),
    Sign("Zscaler", "location", "://gateway.zscaler.net", OONI + " cl.prod_zscaler_forward_1"),
    Sign("Zscaler", "location", "://gateway.zscalertwo.net", OONI + " cl.prod_zscaler_forward_2"),
    # Palo Alto Networks PAN-OS URL filtering.
    Sign(
        "PAN-OS",
        "body",
        "has been blocked in accordance with company policy",
        OONI + " cl.prod_paloaltonetworks_block",
    ),
    Sign("PAN-OS", "body", "palo alto next generation security platform", WAFW00F + "paloalto.py"),
    Sign("PAN-OS", "body", "download of virus/spyware blocked", WAFW00F + "paloalto.py"),
    Sign("PAN-OS", "location", "/php/urlblock.php?args=", OONI + " cl.prod_paloaltonetworks_forward"),
    # Fortinet FortiGate / FortiGuard web filtering.
    Sign(
        "FortiGuard",
        "body",
        "in violation of your internet usage policy",
        OONI + " cl.prod_fortiguard_webfilter_blocktext",
    ),
    Sign("FortiGuard", "body", "powered by fortiguard", OONI + " cl.prod_fortiguard_webfilter_poweredby"),
    Sign("FortiGuard", "body", "fortiguard intrusion prevention", OONI + " cl.prod_fortiguard_ips_block"),
    Sign("FortiGuard", "body", "fortigate application control", OONI + " cp.a_prod_fortinet_5"),
    Sign("FortiGuard", "body", "url.fortinet.net:8008/", OONI + " cl.prod_fortiguard_webfilter_blockurl"),
    # Cisco Umbrella (OpenDNS) block pages and the redirect to them.
    Sign("Cisco Umbrella", "location", "://block.opendns.com", OONI + " cp.a_prod_opendns_1_location"),
    Sign("Cisco Umbrella", "location", "://malware.opendns.com", OONI + " cp.a_prod_opendns_2_location"),
    Sign("Cisco Umbrella", "body", "https://block.opendns.com/?url=", OONI + " cl.prod_cisco_opendns_forward_2"),
    Sign(
        "Cisco Umbrella",
        "body",
        "this site is blocked due to content filtering",
        OONI + " cl.prod_cisco_opendns_block_1",
    ),
    # Symantec / Blue Coat ProxySG: the notify page it redirects to.
    Sign("Symantec/Blue Coat", "location", "notify.bluecoat.com", OONI + " cl.prod_bluecoat_notify_forward"),
    Sign("Symantec/Blue Coat", "body", "://notify.bluecoat.com", OONI + " cl.prod_bluecoat_notify_notification"),
    # Forcepoint (Websense) block page, served from port 15871.
    Sign("Forcepoint", "location", ":15871/cgi-bin/blockpage.cgi", OONI + " cl.prod_forcepoint_websense_forward"),
    Sign("Forcepoint", "body", ":15871/cgi-bin/blockpage.cgi", OONI + " cl.prod_forcepoint_websense_blockpage"),
    Sign("Forcepoint", "body", ":15871/cgi-bin/block_message.cgi", OONI + " cl.prod_forcepoint_websense_blockpage_2"),
    # Sophos UTM Web Protection.
    Sign("Sophos", "body", "powered by utm web protection", WAFW00F + "sophos.py"),
    # Check Point URL Filtering / UserCheck.
    Sign("Check Point", "body", "check point usercheck", OONI + " cl.prod_checkpoint_urlfilter_blockpage"),
    Sign("Check Point", "location", "/usercheck/portalmain?iid=", OONI + " cl.prod_checkpoint_urlfilter_forward"),
    # McAfee (Skyhigh) Web Gateway notification pages.
    Sign("McAfee Web Gateway", "body", "mcafee web gateway - notification", OONI + " cp.a_prod_mcafee_1"),
    # Barracuda Web Filter and the SonicWall / WatchGuard firewalls' own block pages.
    Sign("Barracuda", "body", "redirecting you to barracuda web filter", OONI + " ooni.pa_0"),
    Sign("SonicWall", "body", "<title>web site blocked</title>", WAFW00F + "sonicwall.py"),
    Sign("WatchGuard", "body", "request denied by watchguard firewall", WAFW00F + "watchguard.py"),
    Sign("Squid", "location", "squidguard.cgi?clientaddr=", OONI + " cl.prod_squidguard_forward"),
)


def recognise(headers: Mapping[str, str], body: bytes) -> Sign | None:
    """The web filter whose page, header or redirect this is, or None; `headers` has lower-case names."""
    low = body[: 16 * 1024].decode("utf-8", "replace").lower()
    fields = {
        "server": headers.get("server", "").lower(),
        "location": headers.get("location", "").lower(),
        "body": low,
    }
    for sign in SIGNS:
        if sign.text in fields[sign.where]:
            return sign
    return None


def filter_redirect(location: str) -> Sign | None:
    """A redirect to a web filter's block or login page: it is not followed."""
    return recognise({"location": location}, b"")


# Words in a certificate issuer that name a TLS-inspection product, each with where a real issuer was seen.
INSPECTION_ISSUERS: Final[tuple[tuple[str, str, str], ...]] = (
    # "Zscaler Root CA" (anthropics/claude-code#25084, microsoft/vscode#207636 behind the Zscaler app).
    ("zscaler", "Zscaler", "https://github.com/anthropics/claude-code/issues/25084"),
    # "CN=ca.<tenant>.goskope.com ... emailAddress=certadmin@netskope.com" (anthropics/claude-code#20194).
    ("goskope", "Netskope", "https://github.com/anthropics/claude-code/issues/20194"),
    ("netskope", "Netskope", "https://github.com/anthropics/claude-code/issues/20194"),
    # FortiGate's deep inspection signs with "Fortinet_CA_SSL" / "FortiGate CA".
    ("fortinet", "FortiGuard", "https://docs.fortinet.com/document/fortigate/7.4.0/administration-guide/"),
    ("fortigate", "FortiGuard", "https://docs.fortinet.com/document/fortigate/7.4.0/administration-guide/"),
    ("palo alto", "PAN-OS", "https://knowledgebase.paloaltonetworks.com/"),
    ("blue coat", "Symantec/Blue Coat", "https://knowledge.broadcom.com/external/article/169743/"),
    ("bluecoat", "Symantec/Blue Coat", "https://knowledge.broadcom.com/external/article/169743/"),
    ("forcepoint", "Forcepoint", "https://www.websense.com/content/support/library/"),
    ("sophos", "Sophos", "https://docs.sophos.com/nsg/sophos-firewall/"),
    ("check point", "Check Point", "https://sc1.checkpoint.com/"),
    ("cisco umbrella", "Cisco Umbrella", "https://docs.umbrella.com/"),
    ("mitmproxy", "mitmproxy", "https://docs.mitmproxy.org/stable/concepts-certificates/"),
)


def inspection_product(issuer: str) -> str:
    """The inspection product an issuer names ("Zscaler Root CA" -> "Zscaler"), or ""."""
    low = issuer.lower()
    return next((product for word, product, _ in INSPECTION_ISSUERS if word in low), "")
