"""The command line: parse options, call the core, render, return an exit code."""

from __future__ import annotations

import contextlib
import enum
import importlib
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from outagecheck import __version__
from outagecheck.cli_config import config_app
from outagecheck.cli_fallback import fallback_app
from outagecheck.errors import OutagecheckError, UsageError, print_error, report
from outagecheck.model import ExitCode

if TYPE_CHECKING:
    from outagecheck.model import Report

EXIT_CODES_HELP = (
    "Exit codes: 0 every required surface operational; 1 the worst is degraded; "
    "2 a required surface is down; 3 unknown (could not tell), none down or degraded; "
    "64 usage error; 73 cannot write a file; 78 configuration error; 130 interrupted."
)


class _Group(TyperGroup):
    """Map click's usage errors to exit 64 with a one-line message, and Ctrl-C to 130."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.TyperException as e:  # click's UsageError and friends subclass it in typer 0.29
            if type(e).__name__ == "NoArgsIsHelpError":
                # Bare `outagecheck`: the help was printed; still a usage error for scripts.
                if message := e.format_message():
                    sys.stdout.write(message + "\n")
                return self._finish(ExitCode.USAGE, standalone_mode)
            print_error(e.format_message(), hint="run 'outagecheck --help' for usage")
            code = ExitCode.USAGE if getattr(e, "exit_code", 1) == 2 else ExitCode.CONFIG
        except (typer.Abort, KeyboardInterrupt):
            code = ExitCode.INTERRUPTED
        if code == ExitCode.INTERRUPTED:  # typer turns Ctrl-C into Exit(130) itself
            sys.stderr.write("outagecheck: interrupted\n")
        return self._finish(code, standalone_mode)

    @staticmethod
    def _finish(code: Any, standalone_mode: bool) -> int:
        status = int(code) if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(status)
        return status


app = typer.Typer(
    cls=_Group,
    name="outagecheck",
    help=f"Triage a Claude outage: which surface is down, and how to fall back to the raw API.\n\n{EXIT_CODES_HELP}",
    no_args_is_help=True,
    # Plain help: typer's rich help loads rich.markdown and markdown-it, 115 ms per --help (benchmarks/).
    rich_markup_mode=None,
    add_completion=True,
    pretty_exceptions_enable=False,
)


app.add_typer(fallback_app, name="fallback")
app.add_typer(config_app, name="config")


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"outagecheck {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Triage a Claude outage: which surface is down, and how to fall back to the raw API."""


RequireOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--require",
        "-r",
        metavar="ID",
        help="Only these surfaces decide the exit code (repeatable): web, code, api, gateway or a [surfaces.ID].",
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="PATH",
        help="Config file (default: $OUTAGECHECK_CONFIG, then the user config dir).",
    ),
]
TimeoutOpt = Annotated[
    float | None, typer.Option("--timeout", metavar="SECONDS", help="Deadline of one check (default 5).")
]
SlowOpt = Annotated[
    float | None, typer.Option("--slow", metavar="SECONDS", help="Slower than this is degraded (default 3).")
]
ReplayOpt = Annotated[
    str | None,
    typer.Option(
        "--replay",
        metavar="FILE|SCENARIO",
        help="Render a saved --json report or a bundled scenario (see 'outagecheck scenarios') "
        "instead of checking; no network. Default: $OUTAGECHECK_REPLAY.",
    ),
]


class Format(enum.StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    nagios = "nagios"


FormatOpt = Annotated[
    Format | None,
    typer.Option("--format", "-f", case_sensitive=False, help="Output: table (default), json, markdown, nagios."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Same as --format json (schema_version 1).")]


@app.command(epilog=EXIT_CODES_HELP)
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
    try:
        return _status(_format(fmt, json_out), require or [], timeout, slow, config, verbose, replay)
    except OutagecheckError as e:
        return report(e)


@app.command(epilog=EXIT_CODES_HELP)
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
    try:
        limit = parse_duration(max_wait)
        if not 1 <= interval <= 3600:
            raise UsageError(f"--interval must be between 1 and 3600 seconds, got {interval:g}")
        return _wait(_format(fmt, json_out), require or [], limit, interval, timeout, slow, config, replay)
    except OutagecheckError as e:
        return report(e)


@app.command(epilog=EXIT_CODES_HELP)
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
    try:
        if interval < MIN_WATCH_INTERVAL_S:
            raise UsageError(f"--interval must be at least {MIN_WATCH_INTERVAL_S:g} seconds, got {interval:g}")
        if count is not None and count < 1:
            raise UsageError(f"--count must be at least 1, got {count}")
        from outagecheck.output import live

        next_report, _ = _reports(require or [], timeout, slow, config, replay)
        return live.watch(next_report, interval, count)
    except OutagecheckError as e:
        return report(e)


@app.command()
def scenarios() -> int:
    """List the bundled outage scenarios for --replay (outage drills without the network)."""
    from outagecheck.replay import scenarios as bundled

    for name, description in bundled().items():
        sys.stdout.write(f"{name}\t{description}\n")
    return 0


MIN_WATCH_INTERVAL_S = 5.0


def _format(fmt: Format | None, json_out: bool) -> str:
    if json_out and fmt not in (None, Format.json):
        raise UsageError(f"--json and --format {fmt.value if fmt else ''} disagree; use one")
    return "json" if json_out else (fmt.value if fmt else "table")


def parse_duration(text: str) -> float:
    """'90', '90s', '10m', '1h30m' -> seconds."""
    import re

    match = re.fullmatch(r"\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+(?:\.\d+)?)s?)?\s*", text)
    if not text.strip() or match is None or not any(match.groups()):
        raise UsageError(f"--max-wait: '{text}' is not a duration (like 90s, 10m or 1h30m)")
    hours, minutes, seconds = match.groups()
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
    if not 0 < total <= 7 * 86400:
        raise UsageError(f"--max-wait must be more than 0 and at most 7 days, got '{text}'")
    return total


def _seconds_option(name: str, value: float | None) -> float | None:
    if value is not None and not 0 < value <= 300:
        raise UsageError(f"{name} must be between 0 and 300 seconds, got {value:g}")
    return value


def _reports(
    require: list[str],
    timeout: float | None,
    slow: float | None,
    config: Path | None,
    replay: str | None,
    *,
    page_every_s: float = 60.0,
) -> tuple[Callable[[], Report], tuple[str, ...]]:
    """Return a function that produces the next report (live or replayed), and the required ids."""
    _seconds_option("--timeout", timeout)
    _seconds_option("--slow", slow)
    wanted = tuple(dict.fromkeys(require))
    from outagecheck import replay as replays

    source = replays.replay_source(replay)
    if source is not None:
        doc, where = replays.load_replay(source)
        replayed = replays.replay_report(doc, where, wanted)
        return lambda: replayed, replayed.required
    # Start loading the CA bundle first: it runs on another core while the imports below run here.
    from outagecheck.tls import ContextLoader

    tls = ContextLoader()
    from dataclasses import replace

    from outagecheck import check, triage
    from outagecheck import config as config_mod

    cfg = config_mod.load(config)
    cfg = replace(cfg, timeout=timeout or cfg.timeout, slow=slow or cfg.slow)
    surfaces = triage.surfaces_for(cfg, os.environ)
    ids = [s.id for s in surfaces]
    unknown = [r for r in wanted if r not in ids]
    if unknown:
        raise UsageError(f"unknown surface '{unknown[0]}' for --require (choose from {', '.join(ids)})")
    api_key = os.environ.get("ANTHROPIC_API_KEY", "").strip() or None
    checker = check.Checker(cfg, surfaces, api_key, tls, page_every_s=page_every_s)
    required = wanted or tuple(ids)
    return lambda: checker.run(required), required


def _status(
    fmt: str,
    require: list[str],
    timeout: float | None,
    slow: float | None,
    config: Path | None,
    verbose: bool,
    replay: str | None,
) -> int:
    next_report, _ = _reports(require, timeout, slow, config, replay, page_every_s=0.0)
    # The renderer (rich) loads while the requests are in flight instead of after them.
    renderer = _import_in_background("outagecheck.output.emit")
    result = next_report()
    renderer.join()
    from outagecheck.output.emit import emit

    emit(result, fmt, verbose=verbose)
    return int(result.exit_code)


def _wait(
    fmt: str,
    require: list[str],
    max_wait: float,
    interval: float,
    timeout: float | None,
    slow: float | None,
    config: Path | None,
    replay: str | None,
) -> int:
    import time

    from outagecheck.model import Status
    from outagecheck.output.emit import emit

    give_up = time.monotonic() + max_wait
    next_report, required = _reports(require, timeout, slow, config, replay)
    while True:
        result = next_report()
        pending = [s for s in result.surfaces if s.id in required and s.status is not Status.OPERATIONAL]
        if not pending:
            sys.stderr.write(f"outagecheck: {', '.join(required)} operational\n")
            emit(result, fmt)
            return int(ExitCode.OK)
        left = give_up - time.monotonic()
        why = "; ".join(f"{s.id} {s.status.value} ({s.impact})" for s in pending)
        if left <= 0:
            sys.stderr.write(f"outagecheck: gave up after {_clock(max_wait)}: {why}\n")
            emit(result, fmt)
            return int(ExitCode.DOWN)
        pause = min(interval, left)
        sys.stderr.write(f"outagecheck: waiting: {why}; next check in {pause:.0f} s, {_clock(left)} left\n")
        sys.stderr.flush()
        time.sleep(pause)


def _clock(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


def _import_in_background(name: str) -> threading.Thread:
    """Import a module on a thread; the caller joins it, then imports it again (instant, or the real error)."""

    def load() -> None:
        with contextlib.suppress(Exception):
            importlib.import_module(name)

    thread = threading.Thread(target=load, name=f"import {name}", daemon=True)
    thread.start()
    return thread
