"""`outagecheck watch`: re-check on a timer; a live table on a terminal, one line per change otherwise."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable

from rich.console import Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from outagecheck.errors import scrub
from outagecheck.model import Report, Status
from outagecheck.output import github
from outagecheck.output.emit import in_actions, make_console
from outagecheck.output.table import status_text


class Tracker:
    """Remembers each surface's status and since when; reports what changed."""

    def __init__(self) -> None:
        self.since: dict[str, str] = {}
        self.last: dict[str, Status] = {}

    def update(self, report: Report) -> dict[str, str]:
        """Record a report; return {surface id: a line saying what changed} (every surface, the first time)."""
        lines = {}
        for s in report.surfaces:
            before = self.last.get(s.id)
            if before is s.status:
                continue
            self.last[s.id] = s.status
            self.since[s.id] = report.checked_at
            was = f"{before.value} -> " if before else ""
            lines[s.id] = f"{report.checked_at} {s.id}: {was}{s.status.value} ({s.impact})"
        return lines

    def table(self, report: Report, changed: set[str]) -> Table:
        grid = Table("Service", "Status", "Since", "Impact")
        for s in report.surfaces:
            mark = Text(" *", style="bold") if s.id in changed else Text("")
            grid.add_row(Text(s.service), status_text(s.status) + mark, self.since.get(s.id, ""), Text(s.impact))
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
    tracker = Tracker()
    console = make_console()
    # The live table only on a real terminal: forced colour (FORCE_COLOR) into a log still gets lines.
    live = Live(console=console, auto_refresh=False) if sys.stdout.isatty() else None
    checks = 0
    with live or contextlib.nullcontext():
        while True:
            result = scrub(next_report())  # no secret reaches the screen or a log
            changes = tracker.update(result)
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
                live.update(Group(tracker.table(result, changed), *_routes(result), footer), refresh=True)
            elif changes:
                stop, resume = github.fence() if in_actions() else ("", "")
                sys.stdout.write(stop + "".join(drill + line + "\n" for line in changes.values()) + resume)
                sys.stdout.flush()
            if count is not None and checks >= count:
                return int(result.exit_code)
            time.sleep(interval)


def _routes(result: Report) -> list[Table]:
    """The Routes table under the surfaces, when routes are configured."""
    if not result.routes:
        return []
    from outagecheck.output.routes import table  # noqa: PLC0415  # only with routes

    return [table(result.routes)]
