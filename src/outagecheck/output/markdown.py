"""The report as Markdown, for an issue, a chat message or GitHub's step summary. Pure."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from outagecheck.model import Report

# Markdown that remote text must not make: links and images ([, ]), raw HTML (<, >: GitHub renders <img>
# and <a>), table cells (|). A backslash escape is shown as the character itself.
_MARKUP = str.maketrans({c: "\\" + c for c in "\\[]<>|"})
_URL_SAFE = ":/?#@!$&'*+,;=%~.-_[]"  # what a link keeps; ( ) < > and spaces are percent-encoded


def _cell(text: str) -> str:
    """Make text inert inside Markdown: no link, image or HTML from it, no pipes breaking a row, no newlines."""
    return " ".join(text.translate(_MARKUP).split())


def _link(text: str, url: str) -> str:
    """A link only to an https: URL (never javascript:, data: or http:), its parentheses and spaces encoded
    so it can't close early; anything else is shown as text."""
    try:
        safe = urlsplit(url).scheme.lower() == "https" and bool(urlsplit(url).netloc)
    except ValueError:
        safe = False
    if not safe:
        return f"{_cell(text)} ({_cell(url)})" if url else _cell(text)
    return f"[{_cell(text)}]({quote(url, safe=_URL_SAFE)})"


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
    if report.routes:  # [[routes]] configured: the other ways in, under the surfaces
        lines += ["", "| Route | Kind | Status | Usable | Who pays |", "|---|---|---|---|---|"]
        for r in report.routes:
            name = r.route.name + (" (now)" if r.current else "")
            usable = "usable" if r.blocker is None else r.usable.replace("_", " ")
            pays = _cell(r.billed_to or "-")
            lines.append(f"| {_cell(name)} | {r.route.kind.value} | **{r.status.label}** | {usable} | {pays} |")
    page = report.status_page
    if page.incidents:
        lines += ["", "**Open incidents**", ""]
        for i in page.incidents:
            lines.append(f"- {_link(i.name, i.link)} ({_cell(i.status)}, impact {_cell(i.impact)})")
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
            lines.append(f"{n}. {_cell(step.text)}")
            if step.command:
                lines += ["", "   ```sh", f"   {step.command}", "   ```"]
        lines += [f"- {_cell(note)}" for note in advice.notes]
    lines.append("")
    lines.append(f"Exit code {int(report.exit_code)}.")
    return "\n".join(lines) + "\n"
