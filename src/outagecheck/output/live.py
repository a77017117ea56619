"""`outagecheck watch`: re-check on a timer; a live table on a terminal, one line per change otherwise."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from outagecheck.errors import scrub
from outagecheck.model import Report
from outagecheck.output import github
from outagecheck.output.debounce import Change, Debouncer
from outagecheck.output.emit import in_actions, make_console
from outagecheck.output.table import status_text
from outagecheck.poll import poll


def change_lines(tracker: Debouncer, report: Report, changes: list[Change]) -> dict[str, str]:
    """{surface id: a line saying what changed}: every surface the tracker saw first in this report, and each change."""
    by_id = {c.surface: c for c in changes}
    lines = {}
    for s in report.surfaces:
        if s.id in tracker.fresh:
            lines[s.id] = f"{report.checked_at} {s.id}: {s.status.value} ({s.impact})"
        elif (change := by_id.get(s.id)) is not None:
            lines[s.id] = f"{report.checked_at} {s.id}: {change.old.value} -> {s.status.value} ({s.impact})"
    return lines


def table(tracker: Debouncer, report: Report, changed: set[str]) -> Table:
    """The live table: each surface's status, since when, and a mark on what changed in the last check."""
    grid = Table("Service", "Status", "Since", "Impact")
    for s in report.surfaces:
        mark = Text(" *", style="bold") if s.id in changed else Text("")
        grid.add_row(Text(s.service), status_text(s.status) + mark, tracker.since(s.id), Text(s.impact))
    return grid


def watch(
    next_report: Callable[[], Report],
    interval: float,
    count: int | None,
    on_report: Callable[[Report], None] | None = None,
) -> int:
    """Run until Ctrl-C (typer turns it into exit 130) or `count` checks; return the last exit code.

    `on_report` sees every report (notifications, the self-ending fallback); it must not raise.
    """
    tracker = Debouncer()  # the one change tracker, here announcing every change at once
    console = make_console()
    # The live table only on a real terminal: forced colour (FORCE_COLOR) into a log still gets lines.
    live = Live(console=console, auto_refresh=False) if sys.stdout.isatty() else None
    checks = 0

    def check() -> Report:
        nonlocal checks
        result = scrub(next_report())  # no secret reaches the screen or a log
        changes = change_lines(tracker, result, tracker.update(result, time.monotonic()))
        checks += 1
        if on_report is not None:
            on_report(result)
        drill = f"({result.replay.banner}) " if result.replay is not None else ""
        if live is not None:
            footer = Text(
                f"{drill}Checked {result.checked_at}; every {interval:g} s; * changed in the last check. "
                "Ctrl-C to stop.",
                style="dim",
            )
            changed = set(changes) if checks > 1 else set()
            live.update(Group(table(tracker, result, changed), *_routes(result, console), footer), refresh=True)
        elif changes:
            stop, resume = github.fence() if in_actions() else ("", "")
            sys.stdout.write(stop + "".join(drill + line + "\n" for line in changes.values()) + resume)
            sys.stdout.flush()
        return result

    def decide(_result: Report, _left: float | None) -> float | None:
        return None if count is not None and checks >= count else interval

    with live or contextlib.nullcontext():
        return int(poll(check, decide, sleep=time.sleep).exit_code)  # time.sleep as it is now: tests replace it


def _routes(result: Report, console: Console) -> list[RenderableType]:
    """The Routes table under the surfaces, when routes are configured, as wide as the terminal allows."""
    if not result.routes:
        return []
    from outagecheck.output.routes import renderables  # noqa: PLC0415  # only with routes

    return renderables(result.routes, console)
