"""GitHub Actions workflow commands and step outputs for a report. Pure.

Docs: https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
"""

from __future__ import annotations

import secrets
from typing import Final

from outagecheck.model import Report, Status


def fence() -> tuple[str, str]:
    """The lines around printed remote text in a workflow log: `::stop-commands::TOKEN` stops the runner
    from reading any workflow command until `::TOKEN::`. The token is random for each fence, so text
    inside can't guess it and resume early (docs: 'Stopping and starting workflow commands')."""
    token = secrets.token_hex(16)
    return f"::stop-commands::{token}\n", f"::{token}::\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


# A required surface: down fails the job, so it is an error; degraded or unknown (exit 1 or 3) a warning.
_REQUIRED: Final[dict[Status, str]] = {Status.DOWN: "error", Status.DEGRADED: "warning", Status.UNKNOWN: "warning"}


def github_annotations(report: Report) -> str:
    """For a required surface, `::error` when down and `::warning` when degraded or unknown; a surface the
    job does not need only gets a `::notice`. Operational surfaces get nothing."""
    lines = []
    drill = report.replay is not None
    if report.replay is not None:
        lines.append(f"::notice title=outagecheck replay::{_escape_data(report.replay.banner)}")
    for s in report.surfaces:
        if s.status is Status.OPERATIONAL:
            continue
        command = _REQUIRED[s.status] if s.id in report.required else "notice"
        title = _escape_property(("[replay] " if drill else "") + f"{report.service_label(s)} {s.status.value}")
        lines.append(f"::{command} title={title}::{_escape_data(s.impact)}")
    if report.advice.needed:
        lines.append(f"::notice title=outagecheck::{_escape_data(report.advice.headline)}")
    return "".join(line + "\n" for line in lines)


def github_outputs(report: Report) -> str:
    """Step outputs: one `<id>=<status>` per surface, `ok`, `fallback_available`, `exit_code` (the verdict),
    `replay` (the replayed name on a drill, else empty)."""
    pairs = [(s.id, s.status.value) for s in report.surfaces]
    pairs += [
        ("ok", "true" if report.usable else "false"),
        ("fallback_available", "true" if report.advice.available else "false"),
        ("exit_code", str(int(report.exit_code))),
        ("replay", report.replay.name if report.replay is not None else ""),  # a drill: nothing was checked
    ]
    return "".join(f"{k}={v}\n" for k, v in pairs)
