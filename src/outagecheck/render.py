"""Print a finished Report: the table for people, one JSON document for programs. Decides nothing."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, Final

from rich.console import Console
from rich.table import Table
from rich.text import Text

from outagecheck.model import Report, Status, step_lines

SCHEMA_VERSION: Final = 1
STATUS_STYLE: Final[dict[Status, str]] = {
    Status.OPERATIONAL: "green",
    Status.DEGRADED: "yellow",
    Status.DOWN: "bold red",
    Status.UNKNOWN: "magenta",
}


def to_dict(report: Report) -> dict[str, Any]:
    """Return the --json document (schema_version 1); `exit_code` and surfaces[] are a contract."""
    page = report.status_page
    return {
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
                "evidence": [asdict(e) for e in s.evidence],
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
            "attempts": [asdict(e) for e in page.attempts],
        },
        "fallback": asdict(report.advice),
        "warnings": list(report.warnings),
        "notes": list(report.notes),
        "local_network": report.local_network,
    }


def to_json(report: Report) -> str:
    """Serialise the report as the --json document."""
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False)


def status_text(status: Status) -> Text:
    """The status word, styled; the word is always there so colour is never the only signal."""
    return Text(status.label, style=STATUS_STYLE[status])


def table(report: Report) -> Table:
    """Build the Service / Status / Impact table."""
    grid = Table("Service", "Status", "Impact")
    for s in report.surfaces:
        grid.add_row(Text(report.service_label(s)), status_text(s.status), Text(s.impact))
    return grid


def _evidence_table(report: Report) -> Table:
    grid = Table("Check", "Result", "HTTP", "Latency", "Reason", "URL")
    rows = {e.url: e for s in report.surfaces for e in s.evidence}
    for e in [*rows.values(), *report.status_page.attempts]:
        latency = f"{e.latency_s:.3f} s" if e.latency_s is not None else "-"
        http = str(e.http_status) if e.http_status is not None else "-"
        reason = f"{e.reason}: {e.detail}"
        grid.add_row(e.endpoint, status_text(e.status), http, latency, Text(reason), Text(e.url))
    return grid


def _line(console: Console, text: str, *, style: str = "", indent: int = 2) -> None:
    # Status page text is untrusted: a Text is never read as rich markup. Soft wrap: rich must not
    # break a command into lines, or pasting it breaks too; the terminal wraps it for the eye.
    console.print(Text(" " * indent + text, style=style), soft_wrap=True)


def print_report(report: Report, console: Console, *, verbose: bool = False) -> None:
    """Print the table, incidents, notes and fallback advice."""
    console.print(table(report))
    if verbose:
        console.print(_evidence_table(report))
    page = report.status_page
    if page.incidents:
        console.print(Text("Open incidents", style="bold"))
        for i in page.incidents:
            _line(console, f"- {i.name} [{i.status}, impact {i.impact}]")
            if i.latest_update:
                when = f" ({i.updated_at})" if i.updated_at else ""
                _line(console, f"{i.latest_update}{when}", indent=4)
            _line(console, i.link, indent=4)
    elif page.usable:
        console.print(Text("No open incidents on the status page."))
    for warning in report.warnings:
        console.print(Text("Warning: " + warning, style="yellow"))
    for note in report.notes:
        console.print(Text("Note: " + note))
    advice = report.advice
    if advice.needed:
        console.print(Text(advice.headline, style="bold"))
        for line in step_lines(advice.steps):
            _line(console, line, indent=0)
        for note in advice.notes:
            _line(console, note)
