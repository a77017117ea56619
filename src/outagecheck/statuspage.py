"""Read an Atlassian Statuspage v2 summary.json tolerantly: unknown fields and values never crash it."""

from __future__ import annotations

import json
from typing import Any

from outagecheck.model import Incident

MAX_SUMMARY_BYTES = 2 * 1024 * 1024  # the real page is ~2 KB; a runaway body is cut here


class UnusableSummary(ValueError):
    """The body is not a Statuspage summary we can read."""


def summary_url(base: str) -> str:
    """Return the summary.json URL for a status page base URL."""
    return base.rstrip("/") + "/api/v2/summary.json"


def _text(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def parse_summary(body: bytes, *, page_url: str) -> tuple[dict[str, tuple[str, str]], tuple[Incident, ...], str | None]:
    """Return (components id -> (name, status), unresolved incidents, indicator) or raise UnusableSummary."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise UnusableSummary("not JSON") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("components"), list):
        raise UnusableSummary("no components list")
    components: dict[str, tuple[str, str]] = {}
    for index, comp in enumerate(doc["components"]):
        if not isinstance(comp, dict):
            continue
        name = _text(comp.get("name"))
        status = _text(comp.get("status"), "unknown")
        # A component without an id still counts: it can be matched by name.
        key = _text(comp.get("id")) or f"#{index}"
        components[key] = (name, status)
    base = _text(_dict(doc.get("page")).get("url"), page_url).rstrip("/")
    incidents = tuple(_incident(i, base) for i in _dicts(doc.get("incidents")))
    indicator = _text(_dict(doc.get("status")).get("indicator")) or None
    return components, tuple(i for i in incidents if i.status not in ("resolved", "postmortem")), indicator


def _incident(raw: dict[str, Any], base: str) -> Incident:
    updates = _dicts(raw.get("incident_updates"))
    latest = max(updates, key=lambda u: _text(u.get("display_at")) or _text(u.get("created_at")), default={})
    link = _text(raw.get("shortlink")) or (f"{base}/incidents/{_text(raw.get('id'))}" if raw.get("id") else base)
    return Incident(
        name=_text(raw.get("name"), "(unnamed incident)"),
        status=_text(raw.get("status"), "unknown"),
        impact=_text(raw.get("impact"), "unknown"),
        latest_update=" ".join(_text(latest.get("body")).split()),
        updated_at=_text(latest.get("display_at")) or _text(raw.get("updated_at")),
        link=link,
        components=tuple(_text(c.get("name")) for c in _dicts(raw.get("components")) if c.get("name")),
    )
