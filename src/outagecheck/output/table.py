"""The Service / Status / Impact table for people, with incidents, notes and advice. Decides nothing."""

from __future__ import annotations

from typing import Final

from rich.console import Console
from rich.table import Table
from rich.text import Text

from outagecheck.model import Report, Status, step_lines

STATUS_STYLE: Final[dict[Status, str]] = {
    Status.OPERATIONAL: "green",
    Status.DEGRADED: "yellow",
    Status.DOWN: "bold red",
    Status.UNKNOWN: "magenta",
}


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
    """Print the table, incidents, notes and fallback advice; a replay leads with its banner."""
    if report.replay is not None:
        _line(console, report.replay.banner, style="bold reverse", indent=0)
    console.print(table(report))
    if report.routes:
        from outagecheck.output.routes import print_routes  # noqa: PLC0415  # only when routes are configured

        print_routes(report.routes, console)
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
    for note in report.maintenance_notes():
        _line(console, "Note: " + note, indent=0)
    if reminder := report.outstanding_note():
        console.print(Text("Note: " + reminder))
    advice = report.advice
    if advice.needed:
        console.print(Text(advice.headline, style="bold"))
        for line in step_lines(advice.steps):
            _line(console, line, indent=0)
        for note in advice.notes:
            _line(console, note)
