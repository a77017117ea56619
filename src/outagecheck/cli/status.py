"""`status`, `wait`, `watch` and `scenarios` as typer commands; status and wait run cli/commands.py."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from outagecheck.checks.run import POLL_PAGE_EVERY_S, CheckOptions, report_source
from outagecheck.cli import commands, hooks
from outagecheck.cli.options import (
    EXIT_CODES_HELP,
    ConfigOpt,
    DeepOpt,
    FailAfterOpt,
    FailOnOpt,
    FormatOpt,
    JsonOpt,
    MaxWaitOpt,
    ModelOpt,
    NotifyOpt,
    OnChangeOpt,
    OutputOpt,
    RecoverAfterOpt,
    ReplayOpt,
    RequireOpt,
    SlowOpt,
    ThenRevertOpt,
    TimeoutOpt,
    VerboseOpt,
    WaitIntervalOpt,
    WebhookOpt,
)
from outagecheck.errors import UsageError

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
    verbose: VerboseOpt = False,
    replay: ReplayOpt = None,
    fail_on: FailOnOpt = None,
    output: OutputOpt = None,
    deep: DeepOpt = False,
    model: ModelOpt = None,
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
        deep=deep,
        model=model,
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
    on_change: OnChangeOpt = None,
    webhook: WebhookOpt = None,
    notify: NotifyOpt = False,
    fail_after: FailAfterOpt = 1,
    recover_after: RecoverAfterOpt = None,
    then_revert: ThenRevertOpt = False,
    deep: DeepOpt = False,
    model: ModelOpt = None,
) -> int:
    """Block until the required surfaces are operational (exit 0), or give up after --max-wait (exit 2).

    Progress goes to stderr, the last report to stdout. For example:

    \b
      outagecheck wait --require api --max-wait 10m && run-job

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
        on_change=on_change,
        webhook=webhook,
        notify=notify,
        fail_after=fail_after,
        recover_after=recover_after,
        then_revert=then_revert,
        deep=deep,
        model=model,
    )


def watch(
    interval: Annotated[
        float, typer.Option("--interval", metavar="SECONDS", help="Between checks, at least 5.")
    ] = 30.0,
    require: RequireOpt = None,
    timeout: TimeoutOpt = None,
    slow: SlowOpt = None,
    config: ConfigOpt = None,
    count: Annotated[
        int | None, typer.Option("--count", metavar="N", help="Stop after N checks (default: until Ctrl-C).")
    ] = None,
    replay: ReplayOpt = None,
    on_change: OnChangeOpt = None,
    webhook: WebhookOpt = None,
    notify: NotifyOpt = False,
    fail_after: FailAfterOpt = 1,
    recover_after: RecoverAfterOpt = None,
    revert_when_back: Annotated[
        bool,
        typer.Option(
            "--revert-when-back",
            help="Once web and code are operational for --recover-after checks (default 3), "
            "run 'fallback revert --yes' and keep watching.",
        ),
    ] = False,
    deep: DeepOpt = False,
    model: ModelOpt = None,
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
    extra = hooks.build(
        on_change=on_change, webhooks=webhook, desktop=notify, fail_after=fail_after,
        recover_after=recover_after, revert=revert_when_back,
    )  # fmt: skip
    from outagecheck.output import live  # noqa: PLC0415  # rich loads only after the options are valid

    opts = CheckOptions(tuple(require or ()), timeout, slow, config, replay, deep=deep, models=tuple(model or ()))
    from outagecheck.fallback.journal import outstanding  # noqa: PLC0415  # checks/ reads no journal

    source = report_source(
        opts, os.environ, outstanding=outstanding, page_every_s=POLL_PAGE_EVERY_S, routes=commands.routes_check
    )
    commands.announce_drill(replay, os.environ)
    return live.watch(source, interval, count, extra)


def scenarios() -> int:
    """List the bundled outage scenarios for --replay (outage drills without the network)."""
    from outagecheck.checks import replay  # noqa: PLC0415  # this command only

    for name, description in replay.scenarios().items():
        sys.stdout.write(f"{name}\t{description}\n")
    return 0
