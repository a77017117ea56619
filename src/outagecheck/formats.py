"""Text outputs that aren't the rich table: Markdown, the Nagios/Icinga plugin format, GitHub Actions.

Pure functions of a Report; the CLI decides where each string goes.
"""

from __future__ import annotations

from typing import Final

from outagecheck.model import ExitCode, Report, Status, SurfaceResult

NAGIOS_STATE: Final[dict[ExitCode, str]] = {
    ExitCode.OK: "OK",
    ExitCode.DEGRADED: "WARNING",
    ExitCode.DOWN: "CRITICAL",
    ExitCode.UNKNOWN: "UNKNOWN",
}


def _cell(text: str) -> str:
    """Make text safe inside a Markdown table cell: no pipes breaking the row, no newlines."""
    return " ".join(text.replace("|", "\\|").split())


def to_markdown(report: Report) -> str:
    """The Service / Status / Impact table, incidents and fallback advice, ready for an issue or chat."""
    lines = [
        f"### outagecheck: {report.checked_at}",
        "",
        "| Service | Status | Impact |",
        "|---|---|---|",
    ]
    for s in report.surfaces:
        lines.append(f"| {_cell(report.service_label(s))} | **{s.status.label}** | {_cell(s.impact)} |")
    page = report.status_page
    if page.incidents:
        lines += ["", "**Open incidents**", ""]
        for i in page.incidents:
            lines.append(f"- [{_cell(i.name)}]({i.link}) ({i.status}, impact {i.impact})")
            if i.latest_update:
                lines.append(f"  > {_cell(i.latest_update)}")
    elif page.usable:
        lines += ["", "No open incidents on the status page."]
    for warning in report.warnings:
        lines += ["", f"> **Warning:** {_cell(warning)}"]
    for note in report.notes:
        lines += ["", f"_Note: {_cell(note)}_"]
    advice = report.advice
    if advice.needed:
        lines += ["", f"**{_cell(advice.headline)}**", ""]
        for n, step in enumerate(advice.steps, 1):
            lines.append(f"{n}. {step.text}")
            if step.command:
                lines += ["", "   ```sh", f"   {step.command}", "   ```"]
        lines += [f"- {note}" for note in advice.notes]
    lines.append("")
    lines.append(f"Exit code {int(report.exit_code)}.")
    return "\n".join(lines) + "\n"


def _latency(s: SurfaceResult) -> str:
    values = [e.latency_s for e in s.evidence if e.latency_s is not None and e.http_status is not None]
    return f"{max(values):.3f}s" if values else "U"  # 'U': undetermined, per the plugin guidelines


def _label(text: str) -> str:
    # Labels with anything but [A-Za-z0-9_-] are quoted; a single quote is doubled inside quotes.
    if text.replace("_", "").replace("-", "").isalnum():
        return text
    return "'" + text.replace("'", "''") + "'"


def to_nagios(report: Report) -> str:
    """Monitoring Plugins output: 'OUTAGECHECK STATE - summary | perfdata', then one line per surface."""
    state = NAGIOS_STATE[report.exit_code]
    counted = [s for s in report.surfaces if s.id in report.required]
    bad = [s for s in counted if s.status is not Status.OPERATIONAL]
    if bad:
        summary = ", ".join(f"{s.service} {s.status.value}" for s in bad)
    else:
        summary = f"{len(counted)} of {len(counted)} surfaces operational"
    perf = " ".join(f"{_label(s.id)}={_latency(s)};;;0" for s in report.surfaces)
    # The first line must not hold a '|' outside the perfdata separator.
    lines = [f"OUTAGECHECK {state} - {summary.replace('|', '/')} | {perf}"]
    for s in report.surfaces:
        lines.append(f"{s.service}: {s.status.label} - {s.impact}".replace("|", "/"))
    if report.advice.needed:
        lines.append(report.advice.headline.replace("|", "/"))
    return "\n".join(lines) + "\n"


# -- GitHub Actions --------------------------------------------------------------------------------------


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(report: Report) -> str:
    """`::error` for a down surface, `::warning` for a degraded one; nothing for the rest."""
    lines = []
    for s in report.surfaces:
        if s.status is Status.DOWN:
            command = "error"
        elif s.status is Status.DEGRADED:
            command = "warning"
        else:
            continue
        title = _escape_property(f"{s.service} {s.status.value}")
        lines.append(f"::{command} title={title}::{_escape_data(s.impact)}")
    if report.advice.needed:
        lines.append(f"::notice title=outagecheck::{_escape_data(report.advice.headline)}")
    return "".join(line + "\n" for line in lines)


def github_outputs(report: Report) -> str:
    """Step outputs: one `<id>=<status>` per surface, `fallback_available`, `exit_code`."""
    pairs = [(s.id, s.status.value) for s in report.surfaces]
    pairs += [
        ("fallback_available", "true" if report.advice.available else "false"),
        ("exit_code", str(int(report.exit_code))),
    ]
    return "".join(f"{k}={v}\n" for k, v in pairs)
