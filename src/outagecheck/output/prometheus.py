"""The report as Prometheus metrics: text exposition format 0.0.4, no timestamps. Pure.

For node_exporter's textfile collector (`--output FILE` is written atomically) or any scraper of a file.
Format: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from outagecheck.durations import epoch
from outagecheck.model import SEVERITY, Report, Status, SurfaceResult

PREFIX: Final = "outagecheck_"

# Statuspage's component states (https://developer.statuspage.io/#tag/components); one series each, so
# an alert can match `status="major_outage"` whatever the page said last time.
COMPONENT_STATES: Final = ("operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance")

Sample = tuple[dict[str, str], float]


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def family(name: str, help_text: str, samples: Iterable[Sample]) -> list[str]:
    """One metric family: HELP, TYPE (all are gauges: each run is a snapshot), then its samples."""
    lines = [f"# HELP {PREFIX}{name} {_escape_help(help_text)}", f"# TYPE {PREFIX}{name} gauge"]
    for labels, value in samples:
        text = ",".join(f'{k}="{_escape_label(v)}"' for k, v in labels.items())
        lines.append(f"{PREFIX}{name}{{{text}}} {_number(value)}" if text else f"{PREFIX}{name} {_number(value)}")
    return lines


def surface_reason(s: SurfaceResult) -> str:
    """Why the surface has its status: the reason of its worst probe, or `status_page` when the page decided."""
    # The page decided only when its word is the verdict; a row made unknown by a web filter, a proxy or a
    # block in front of it keeps that probe's reason, though the page says operational.
    if s.probe_status is not None and SEVERITY[s.status] > SEVERITY[s.probe_status] and s.status is s.official_status:
        return "status_page"
    if not s.evidence:
        return "status_page" if s.official_status is not None else "no_evidence"
    worst_first = sorted(s.evidence, key=lambda e: -SEVERITY[e.status])
    return worst_first[0].reason


def _endpoint_samples(report: Report) -> tuple[list[Sample], list[Sample], list[Sample]]:
    """Each endpoint's latency, HTTP status and who answered it (answered_by in --json), once per endpoint."""
    endpoints = {e.endpoint: e for s in report.surfaces for e in s.evidence}  # /api/hello serves two surfaces
    endpoints.update({e.endpoint: e for e in report.status_page.attempts})
    duration: list[Sample] = [
        ({"endpoint": e.endpoint, "url": e.url}, e.latency_s) for e in endpoints.values() if e.latency_s is not None
    ]
    http: list[Sample] = [
        ({"endpoint": e.endpoint, "url": e.url}, e.http_status) for e in endpoints.values() if e.http_status is not None
    ]
    answered: list[Sample] = [
        ({"endpoint": e.endpoint, "url": e.url, "answered_by": e.answered_by, "product": e.product}, 1.0)
        for e in endpoints.values()
        if e.answered_by
    ]
    return duration, http, answered


def _component_samples(surfaces: Sequence[SurfaceResult]) -> list[Sample]:
    """Each matched status page component's state, one-hot (an unknown state gets its own series)."""
    components: list[Sample] = []
    for s in surfaces:
        for name, raw in s.official_components:
            states = COMPONENT_STATES if raw in COMPONENT_STATES else (*COMPONENT_STATES, raw)
            components += [({"surface": s.id, "component": name, "status": st}, st == raw) for st in states]
    return components


def to_prometheus(report: Report) -> str:
    """Every surface's verdict and reason, each endpoint's latency and HTTP status, the status page, the fallback."""
    surfaces, page, advice, local = report.surfaces, report.status_page, report.advice, report.local_network
    up: list[Sample] = [({"surface": s.id}, s.status is Status.OPERATIONAL) for s in surfaces]
    required: list[Sample] = [({"surface": s.id}, s.id in report.required) for s in surfaces]
    one_hot: list[Sample] = [
        ({"surface": s.id, "status": status.value}, s.status is status) for s in surfaces for status in Status
    ]
    info: list[Sample] = [({"surface": s.id, "service": s.service, "reason": surface_reason(s)}, 1.0) for s in surfaces]
    duration, http, answered = _endpoint_samples(report)
    components = _component_samples(surfaces)
    lines = [
        *family("surface_up", "1 when the surface is operational, else 0.", up),
        *family("surface_required", "1 when the surface decides the exit code (--require).", required),
        *family("surface_status", "The surface's status, one-hot: 1 on the current one.", one_hot),
        *family("surface_reason_info", "Why the surface has its status (a stable reason name).", info),
        *family("probe_duration_seconds", "Time to the answer (or the failure) of each endpoint.", duration),
        *family("probe_http_status", "HTTP status code of each endpoint that answered.", http),
        *family("probe_answered_by_info", "Who answered each endpoint, and its product when known.", answered),
        *family("status_page_up", "1 when the official status page was read.", [({}, page.usable)]),
        *family(
            "status_page_component_status",
            "Each matched status page component's state, one-hot (Statuspage states).",
            components,
        ),
        *family("open_incidents", "Unresolved incidents on the status page.", [({}, len(page.incidents))]),
        *family("exit_code", "The verdict: 0 operational, 1 degraded, 2 down, 3 unknown.", [({}, report.exit_code)]),
        *family("fallback_available", "1 when the raw API is a usable way around it.", [({}, advice.available)]),
        *family(
            "fallback_outstanding",
            "Fallbacks applied with 'outagecheck fallback apply' and not reverted yet.",
            [({}, len(report.fallback_outstanding))],
        ),
        *family("local_network", "1 when every check failed before any server answered.", [({}, local)]),
        *family("replay", "1 when this is a replay (a drill): nothing was checked.", [({}, report.replay is not None)]),
    ]
    if report.replay is not None:
        drill = [({"name": report.replay.name, "source": report.replay.source}, 1.0)]
        lines += family("replay_info", "The replayed report or scenario, and what asked for it (option or env).", drill)
    if report.routes:  # [[routes]] configured: their families too
        from outagecheck.output.routes import families  # noqa: PLC0415  # only with routes

        lines += families(report.routes)
    checked = epoch(report.checked_at)
    if checked is not None:
        lines += family("checked_at_seconds", "When the checks ran, Unix time (staleness alerts).", [({}, checked)])
    return "\n".join(lines) + "\n"
