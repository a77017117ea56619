"""`status`, `wait`, `watch` and `scenarios`: options in, checks.run, output.emit, exit code out."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading
from typing import Annotated

import typer

from outagecheck.checks.run import POLL_PAGE_EVERY_S, CheckOptions, report_source, wait_until_operational
from outagecheck.cli.options import (
    EXIT_CODES_HELP,
    ConfigOpt,
    FormatOpt,
    JsonOpt,
    ReplayOpt,
    RequireOpt,
    SlowOpt,
    TimeoutOpt,
    output_format,
    parse_duration,
)
from outagecheck.errors import UsageError, printable, redact
from outagecheck.model import ExitCode

MIN_WATCH_INTERVAL_S = 5.0
MAX_INTERVAL_S = 3600.0
MAX_COUNT = 1_000_000


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
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show every check behind the table.")] = False,
    replay: ReplayOpt = None,
) -> int:
    """Check Claude.ai, Claude Code and the Claude API in parallel and print what is down."""
    chosen = output_format(fmt, json_out)
    next_report = report_source(CheckOptions(tuple(require or ()), timeout, slow, config, replay), os.environ)
    # The renderer (rich) loads while the requests are in flight instead of after them.
    renderer = _import_in_background("outagecheck.output.emit")
    result = next_report()
    renderer.join()
    from outagecheck.output.emit import emit  # noqa: PLC0415  # imported above on a thread, while the checks ran

    emit(result, chosen, verbose=verbose)
    return int(result.exit_code)


def wait(
    require: RequireOpt = None,
    max_wait: Annotated[
        str,
        typer.Option("--max-wait", metavar="DURATION", help="Give up after this long: 90s, 10m, 1h30m (default 10m)."),
    ] = "10m",
    interval: Annotated[
        float, typer.Option("--interval", metavar="SECONDS", help="Between checks (default 10, at least 1).")
    ] = 10.0,
    timeout: TimeoutOpt = None,
    slow: SlowOpt = None,
    config: ConfigOpt = None,
    fmt: FormatOpt = None,
    json_out: JsonOpt = False,
    replay: ReplayOpt = None,
) -> int:
    """Block until the required surfaces are operational (exit 0), or give up after --max-wait (exit 2).

    Progress goes to stderr, the last report to stdout: outagecheck wait --require api --max-wait 10m && run-job
    """
    limit = parse_duration(max_wait)
    # `not (a <= x <= b)` also refuses nan; inf and 1e308 are past the bound.
    if not 1 <= interval <= MAX_INTERVAL_S:
        raise UsageError(f"--interval must be between 1 and {MAX_INTERVAL_S:g} seconds, got {interval:g}")
    chosen = output_format(fmt, json_out)
    opts = CheckOptions(tuple(require or ()), timeout, slow, config, replay)
    next_report = report_source(opts, os.environ, page_every_s=POLL_PAGE_EVERY_S)
    from outagecheck.output.emit import emit  # noqa: PLC0415  # rich loads only after the options are valid

    result, ok = wait_until_operational(next_report, max_wait=limit, interval=interval, progress=_progress)
    emit(result, chosen)
    return int(ExitCode.OK if ok else ExitCode.DOWN)


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
    # `not (a <= x <= b)` also refuses nan; inf and 1e308 would crash the first sleep.
    if not MIN_WATCH_INTERVAL_S <= interval <= MAX_INTERVAL_S:
        raise UsageError(
            f"--interval must be between {MIN_WATCH_INTERVAL_S:g} and {MAX_INTERVAL_S:g} seconds, got {interval:g}"
        )
    if count is not None and not 1 <= count <= MAX_COUNT:
        raise UsageError(f"--count must be between 1 and {MAX_COUNT}, got {count}")
    from outagecheck.output import live  # noqa: PLC0415  # rich loads only after the options are valid

    opts = CheckOptions(tuple(require or ()), timeout, slow, config, replay)
    return live.watch(report_source(opts, os.environ, page_every_s=POLL_PAGE_EVERY_S), interval, count)


def scenarios() -> int:
    """List the bundled outage scenarios for --replay (outage drills without the network)."""
    from outagecheck.checks import replay  # noqa: PLC0415  # this command only

    for name, description in replay.scenarios().items():
        sys.stdout.write(f"{name}\t{description}\n")
    return 0


def _progress(line: str) -> None:
    sys.stderr.write(f"outagecheck: {printable(redact(line))}\n")
    sys.stderr.flush()


def _import_in_background(name: str) -> threading.Thread:
    """Import a module on a thread; the caller joins it, then imports it again (instant, or the real error)."""

    def load() -> None:
        with contextlib.suppress(Exception):
            importlib.import_module(name)

    thread = threading.Thread(target=load, name=f"import {name}", daemon=True)
    thread.start()
    return thread
