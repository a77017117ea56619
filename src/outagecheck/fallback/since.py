"""How long a fallback has been on: shown by status (and --json), with a billing warning after a day.

A fallback left on after the outage keeps billing the API: one user lost about $60 that way
(https://github.com/anthropics/claude-code/issues/86794).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Final

from outagecheck.durations import clock_text
from outagecheck.model import Report

BILLING_WARNING_AFTER_S: Final = 86400.0


def age_s(applied_at: str, now: float) -> float | None:
    """Seconds since an ISO timestamp; None when it can't be read."""
    try:
        return max(now - datetime.fromisoformat(applied_at).timestamp(), 0.0)
    except ValueError:
        return None


def annotate(report: Report, since: list[tuple[str, str]], now: float) -> Report:
    """Add a note per outstanding fallback with its age, and a billing warning when one is over a day old."""
    notes, warnings = [], []
    for target, applied in since:
        age = age_s(applied, now)
        shown = f"{clock_text(age)} ago" if age is not None else applied
        notes.append(f"Fallback {target} is on (applied {shown}); undo: outagecheck fallback revert {target}")
        if age is not None and age > BILLING_WARNING_AFTER_S:
            warnings.append(
                f"The {target} fallback has been on for {clock_text(age)}: it bills the API for every request. "
                f"Revert it once Claude is back: outagecheck fallback revert {target}"
            )
    return replace(report, notes=(*report.notes, *notes), warnings=(*report.warnings, *warnings))
