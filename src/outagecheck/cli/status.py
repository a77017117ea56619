"""`status`, `wait`, `watch` and `scenarios` as typer commands; status and wait run cli/commands.py."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from outagecheck.checks.run import POLL_PAGE_EVERY_S, CheckOptions, report_source
from outagecheck.cli import commands
from outagecheck.cli.options import (
    EXIT_CODES_HELP,
    ConfigOpt,
    FailOnOpt,
    FormatOpt,
    JsonOpt,
    MaxWaitOpt,
    OutputOpt,
    ReplayOpt,
    RequireOpt,
    SlowOpt,
    TimeoutOpt,
    VerboseOpt,
    WaitIntervalOpt,
)
from outagecheck.errors import UsageError

MIN_WATCH_INTERVAL_S = 5.0


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command(epilog=EXIT_CODES_HELP)(status)
    app.command(epilog=EXIT_CODES_HELP)(wait)
    app.command(epilog=EXIT_CODES_HELP)(watch)
    app.command()(scenarios)


def status(
    fmt: FormatOpt = None,
    json_out: JsonOpt = False,
    require: RequireOpt = None,
    timeout: TimeoutOpt = None,
    slow: SlowOpt = None,
    config: ConfigOpt = None,
    verbose: VerboseOpt = False,
    replay: ReplayOpt = None,
    fail_on: FailOnOpt = None,
    output: OutputOpt = None,
) -> int:
    """Check Claude.ai, Claude Code and the Claude API in parallel and print what is down."""
    return commands.status(
        fail_on=fail_on.value if fail_on else None,
        output=output,
        fmt=fmt.value if fmt else None,
        json_out=json_out,
        require=require,
        timeout=timeout,
        slow=slow,
        config=config,
        verbose=verbose,
        replay=replay,
    )


def wait(
    require: RequireOpt = None,
    max_wait: MaxWaitOpt = "10m",
    interval: WaitIntervalOpt = 10.0,
    timeout: TimeoutOpt = None,
    slow: SlowOpt = None,
    config: ConfigOpt = None,
    fmt: FormatOpt = None,
    json_out: JsonOpt = False,
    replay: ReplayOpt = None,
    fail_on: FailOnOpt = None,
    output: OutputOpt = None,
) -> int:
    """Block until the required surfaces are operational (exit 0), or give up after --max-wait (exit 2).

    Progress goes to stderr, the last report to stdout: outagecheck wait --require api --max-wait 10m && run-job
    With --fail-on, giving up exits as `status --fail-on` would for the last report.
    """
    return commands.wait(
        fail_on=fail_on.value if fail_on else None,
        output=output,
        require=require,
        max_wait=max_wait,
        interval=interval,
        timeout=timeout,
        slow=slow,
        config=config,
        fmt=fmt.value if fmt else None,
        json_out=json_out,
        replay=replay,
    )


def watch(
    interval: Annotated[
        float, typer.Option("--interval", metavar="SECONDS", help="Between checks (default 30, at least 5).")
    ] = 30.0,
    require: RequireOpt = None,
    timeout: TimeoutOpt = None,
    slow: SlowOpt = None,
    config: ConfigOpt = None,
    count: Annotated[
        int | None, typer.Option("--count", metavar="N", help="Stop after N checks (default: until Ctrl-C).")
    ] = None,
    replay: ReplayOpt = None,
) -> int:
    """Re-check on a timer: a live table on a terminal, one line per change otherwise. Ctrl-C stops it.

    The status page is read at most once a minute, whatever the interval.
    """
    if interval < MIN_WATCH_INTERVAL_S:
        raise UsageError(f"--interval must be at least {MIN_WATCH_INTERVAL_S:g} seconds, got {interval:g}")
    if count is not None and count < 1:
        raise UsageError(f"--count must be at least 1, got {count}")
    from outagecheck.output import live  # noqa: PLC0415  # rich loads only after the options are valid

    opts = CheckOptions(tuple(require or ()), timeout, slow, config, replay)
    return live.watch(report_source(opts, os.environ, page_every_s=POLL_PAGE_EVERY_S), interval, count)


def scenarios() -> int:
    """List the bundled outage scenarios for --replay (outage drills without the network)."""
    from outagecheck.checks import replay  # noqa: PLC0415  # this command only

    for name, description in replay.scenarios().items():
        sys.stdout.write(f"{name}\t{description}\n")
    return 0
