"""GitHub Actions workflow commands and step outputs for a report. Pure.

Docs: https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
"""

from __future__ import annotations

from outagecheck.model import Report, Status


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
