"""The cloud providers' machine-readable status feeds, narrowed to one route's service and region (pure).

AWS Health `currentevents` (JSON in UTF-16 with a BOM; every listed event is current; the region filter is
mandatory: region-wide events in me-central-1 and me-south-1 stayed open for months in 2026), Google Cloud
`incidents.json` (open = no `end`; product and location both match), Azure's RSS (no severity, no region:
an item naming an AI service counts). A feed that can't be read gives no signal; it never decides a status.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from outagecheck.routes.model import Kind, Route

AWS_FEED: Final = "https://health.aws.amazon.com/public/currentevents"
GCP_FEED: Final = "https://status.cloud.google.com/incidents.json"
AZURE_FEED: Final = "https://azure.status.microsoft/en-us/status/feed/"
FEED_LIMIT: Final = 2 * 1024 * 1024  # incidents.json is ~170 KB; currentevents doubles in UTF-16
# Which Google products carry Claude is unconfirmed: "Vertex AI Online Prediction", "Vertex Gemini API",
# renamed "… on Agent Platform" in 2026 (status.cloud.google.com products.json).
GCP_PRODUCTS: Final = ("vertex ai", "agent platform", "vertex gemini")
AZURE_WORDS: Final = re.compile(r"(?i)\b(foundry|ai services|cognitive services|openai|azure ai)\b")
AWS_SERVICES: Final = {Kind.BEDROCK: "bedrock", Kind.MANTLE: "bedrock", Kind.ANTHROPIC_AWS: "bedrock"}


@dataclass(frozen=True)
class Reading:
    """What one feed said about one route: its open incidents, or why it gave no signal."""

    url: str
    incidents: tuple[str, ...] = ()
    usable: bool = True
    detail: str = ""


def feed_url(route: Route) -> str | None:
    """The feed a route is read against: its `status_feed`, else its provider's; None for non-cloud kinds."""
    default = {
        Kind.BEDROCK: AWS_FEED,
        Kind.MANTLE: AWS_FEED,
        Kind.ANTHROPIC_AWS: AWS_FEED,
        Kind.VERTEX: GCP_FEED,
        Kind.FOUNDRY: AZURE_FEED,
    }.get(route.kind)
    return (route.status_feed or default) if default else None


def decode(body: bytes) -> str:
    """Text of a feed body: UTF-16 when it starts with a BOM (AWS Health), else UTF-8."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body.decode("utf-16")
    return body.decode("utf-8-sig")


def read(route: Route, url: str, body: bytes) -> Reading:
    """Parse the feed for this route's kind; malformed text is a reading with no signal, never an exception."""
    try:
        text = decode(body)
        if route.kind is Kind.VERTEX:
            found = gcp_incidents(json.loads(text), route.region or "global")
        elif route.kind is Kind.FOUNDRY:
            found = azure_items(text)
        else:
            found = aws_events(json.loads(text), route.region or "us-east-1", AWS_SERVICES.get(route.kind, "bedrock"))
    except (ValueError, UnicodeDecodeError, ET.ParseError, RecursionError, TypeError, AttributeError) as e:
        return Reading(url, usable=False, detail=f"unreadable feed ({type(e).__name__})")
    return Reading(url, tuple(found[:5]))


def _text(value: Any) -> str:
    return " ".join(str(value).split())[:160] if value is not None else ""


def aws_events(doc: Any, region: str, service: str) -> list[str]:
    """Current AWS Health events in `region` that touch `service` (or many services at once)."""
    found = []
    for event in doc if isinstance(doc, list) else []:
        if not isinstance(event, dict):
            continue
        arn_region = str(event.get("arn", "")).split(":")[3:4]
        names = [str(event.get("service", "")), *(event.get("impacted_services") or {})]
        in_region = arn_region == [region] or any(n.endswith(f"-{region}") for n in names)
        touches = any(n.startswith((f"{service}-", "multipleservices-")) or n == service for n in names)
        if in_region and touches:
            log = [e for e in event.get("event_log") or [] if isinstance(e, dict)]
            latest = max(log, key=lambda e: float(e.get("timestamp") or 0), default={})
            what = _text(event.get("service_name") or event.get("service"))
            found.append(f"AWS Health: {what} ({region}): {_text(latest.get('summary') or event.get('summary'))}")
    return found


def _gcp_location(wanted: str, ids: Iterable[str]) -> bool:
    for where in ids:
        if where in (wanted, "global"):
            return True
        if wanted in ("us", "eu") and where.startswith({"us": "us-", "eu": "europe-"}[wanted]):
            return True
    return False


def gcp_incidents(doc: Any, region: str) -> list[str]:
    """Open Google Cloud incidents on a Vertex product in the route's location (or global)."""
    found = []
    for incident in doc if isinstance(doc, list) else []:
        if not isinstance(incident, dict) or incident.get("end"):
            continue
        products = [
            str(p.get(k, "")).lower()
            for p in incident.get("affected_products") or []
            if isinstance(p, dict)
            for k in ("title", "current_title")
        ]
        if not any(name in p for p in products for name in GCP_PRODUCTS):
            continue
        where = [
            str(loc.get("id", ""))
            for loc in incident.get("currently_affected_locations") or []
            if isinstance(loc, dict)
        ]
        if _gcp_location(region, where):
            impact = _text(incident.get("status_impact")).lower().replace("_", " ")
            found.append(f"Google Cloud: {_text(incident.get('external_desc'))} ({impact})")
    return found


def azure_items(text: str) -> list[str]:
    """Azure status items that name an AI service (the feed has no severity and no region field)."""
    root = ET.fromstring(text)  # expat >= 2.4.1 refuses entity expansion bombs; body capped
    found = []
    for item in root.iter("item"):
        title = _text(item.findtext("title"))
        tags = " ".join(c.text or "" for c in item.findall("category"))
        if AZURE_WORDS.search(f"{title} {tags}"):
            found.append(f"Azure status: {title} (the feed gives no severity)")
    return found
