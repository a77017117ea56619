"""The report as Markdown, for an issue, a chat message or GitHub's step summary. Pure."""

from __future__ import annotations

from outagecheck.model import Report


def _cell(text: str) -> str:
    """Make text safe inside a Markdown table cell: no pipes breaking the row, no newlines."""
    return " ".join(text.replace("|", "\\|").split())


def to_markdown(report: Report) -> str:
    """The Service / Status / Impact table, incidents and fallback advice, ready for an issue or chat."""
    lines = [
        f"### outagecheck: {report.checked_at}",
        "",
        *([f"> **{_cell(report.replay.banner)}**", ""] if report.replay is not None else []),
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
    for note in report.maintenance_notes():
        lines += ["", f"_Note: {_cell(note)}_"]
    if reminder := report.outstanding_note():
        lines += ["", f"_Note: {_cell(reminder)}_"]
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
