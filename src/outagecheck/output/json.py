"""The --json document, schema v1: written by to_dict and read back by from_dict, in one place."""

from __future__ import annotations

import json
from dataclasses import asdict
from importlib import resources
from typing import TYPE_CHECKING, Any, Final

from outagecheck.model import (
    Advice,
    Attempt,
    Evidence,
    Incident,
    Maintenance,
    Replay,
    Report,
    Status,
    StatusPage,
    Step,
    SurfaceResult,
)

if TYPE_CHECKING:
    from outagecheck.surfaces import RouteResult

SCHEMA_VERSION: Final = 1
# The JSON Schema (draft 2020-12) of what to_dict writes; schema/ at the repository root holds a copy
# for links, checked against this one by the tests.
SCHEMA_FILE: Final = "report-v1.schema.json"


class NotAReport(ValueError):
    """The document is not an outagecheck --json report of a schema version we read."""


def _lists(value: Any) -> Any:
    """asdict() keeps tuples; the document holds JSON arrays, as the schema says."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def to_dict(report: Report) -> dict[str, Any]:
    """Return the --json document (schema_version 1, JSON types only); `exit_code` and surfaces[] are a contract."""
    page = report.status_page
    doc = {
        "schema_version": SCHEMA_VERSION,
        "checked_at": report.checked_at,
        "exit_code": int(report.exit_code),
        "required": list(report.required),
        "surfaces": [
            {
                "id": s.id,
                "service": s.service,
                "status": s.status.value,
                "impact": s.impact,
                "probe_status": s.probe_status.value if s.probe_status else None,
                "official_status": s.official_status.value if s.official_status else None,
                "official_components": [{"name": n, "status": st} for n, st in s.official_components],
                "evidence": [evidence_dict(e) for e in s.evidence],
            }
            for s in report.surfaces
        ],
        "incidents": [asdict(i) for i in page.incidents],
        "status_page": {
            "usable": page.usable,
            "url": page.url,
            "reason": page.reason,
            "detail": page.detail,
            "indicator": page.indicator,
            "attempts": [evidence_dict(e) for e in page.attempts],
            "maintenances": [asdict(m) for m in page.maintenances],
        },
        "fallback": asdict(report.advice),
        "warnings": list(report.warnings),
        "notes": list(report.notes),
        "local_network": report.local_network,
        "fallback_outstanding": list(report.fallback_outstanding),
    }
    if report.replay is not None:  # a drill says so; a live check has no "replay" at all
        doc["replay"] = {"name": report.replay.name, "source": report.replay.source}
    if report.routes:  # only when [[routes]] are configured: a report without them is as before
        from outagecheck.output.routes import route_dict  # noqa: PLC0415  # only with routes

        doc["routes"] = [route_dict(r, evidence_dict) for r in report.routes]
    return dict(_lists(doc))


def schema_text() -> str:
    """The JSON Schema of the --json document, as shipped in the package (`outagecheck schema`)."""
    return resources.files("outagecheck.output").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def evidence_dict(e: Evidence) -> dict[str, Any]:
    """Evidence as schema v1 has it: the body signature only serves the live assessment; who answered
    (added to v1, additive) is null when nothing answered or it cannot be told."""
    doc = asdict(e)
    del doc["signature"]
    for key in ("answered_by", "product", "issuer"):
        doc[key] = doc[key] or None
    return doc


def to_json(report: Report) -> str:
    """Serialise the report as the --json document."""
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False)


def from_dict(doc: Any) -> Report:
    """Rebuild the Report a --json document was written from; raise NotAReport when it is not one.

    The status page's full component table is not part of schema v1: it comes back empty (each
    surface keeps its matched `official_components`).
    """
    try:
        if not isinstance(doc, dict):
            raise TypeError(f"a JSON {type(doc).__name__}, expected an object")
        if doc.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"schema_version {doc.get('schema_version')!r}, expected {SCHEMA_VERSION}")
        surfaces = tuple(_surface(s) for s in doc["surfaces"])
        sp = doc.get("status_page", {})
        page = StatusPage(
            bool(sp.get("usable", False)),
            sp.get("url"),
            sp.get("reason", "replayed"),
            sp.get("detail", ""),
            incidents=tuple(Incident(**{**i, "components": tuple(i.get("components", ()))}) for i in doc["incidents"]),
            indicator=sp.get("indicator"),
            attempts=tuple(_evidence(a) for a in sp.get("attempts", [])),
            maintenances=tuple(
                Maintenance(**{**m, "components": tuple(m.get("components", ()))}) for m in sp.get("maintenances", [])
            ),
        )
        return Report(
            doc["checked_at"],
            surfaces,
            page,
            tuple(doc.get("required") or (s.id for s in surfaces)),
            _advice(doc.get("fallback") or {}),
            tuple(doc.get("warnings", [])),
            tuple(doc.get("notes", [])),
            bool(doc.get("local_network", False)),
            tuple(doc.get("fallback_outstanding", [])),
            replay=_replay(doc.get("replay")),
            routes=_routes(doc.get("routes") or []),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise NotAReport(f"{type(e).__name__}: {e}") from None


def _surface(s: dict[str, Any]) -> SurfaceResult:
    return SurfaceResult(
        s["id"],
        s["service"],
        Status(s["status"]),
        s["impact"],
        Status(s["probe_status"]) if s.get("probe_status") else None,
        Status(s["official_status"]) if s.get("official_status") else None,
        tuple(_evidence(e) for e in s.get("evidence", [])),
        tuple((c["name"], c["status"]) for c in s.get("official_components", [])),
    )


def _evidence(d: dict[str, Any]) -> Evidence:
    attempts = tuple(
        Attempt(Status(a["status"]), a["reason"], a["detail"], a.get("http_status"), a.get("latency_s"))
        for a in d.get("attempts", [])
    )
    return Evidence(
        d["endpoint"],
        d["url"],
        Status(d["status"]),
        d["reason"],
        d["detail"],
        d.get("http_status"),
        d.get("latency_s"),
        bool(d.get("local", False)),
        attempts,
        answered_by=d.get("answered_by") or "",
        product=d.get("product") or "",
        issuer=d.get("issuer") or "",
    )


def _advice(d: dict[str, Any]) -> Advice:
    return Advice(
        bool(d.get("needed", False)),
        bool(d.get("available", False)),
        str(d.get("headline", "")),
        tuple(Step(s["text"], s.get("command")) for s in d.get("steps", [])),
        tuple(d.get("notes", [])),
    )


def _routes(routes: list[dict[str, Any]]) -> tuple[RouteResult, ...]:
    if not routes:
        return ()
    from outagecheck.output.routes import route_from_dict  # noqa: PLC0415  # only for a report with routes

    return tuple(route_from_dict(r, _evidence) for r in routes)


def _replay(d: Any) -> Replay | None:
    if d is None:
        return None
    if d.get("source") not in ("option", "env"):
        raise ValueError(f"replay.source {d.get('source')!r}, expected 'option' or 'env'")
    return Replay(str(d["name"]), d["source"])
