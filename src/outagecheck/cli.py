"""The command line: parse options, call the core, render, return an exit code."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from outagecheck import __version__
from outagecheck.cli_fallback import fallback_app
from outagecheck.errors import OutagecheckError, UsageError, print_error, report
from outagecheck.model import ExitCode

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
        help="Only these surfaces decide the exit code (repeatable): web, code, api.",
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


@app.command(epilog=EXIT_CODES_HELP)
def status(
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document (schema_version 1).")] = False,
    require: RequireOpt = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", metavar="SECONDS", help="Overall deadline (default 5).")
    ] = None,
    slow: Annotated[
        float | None,
        typer.Option("--slow", metavar="SECONDS", help="Slower than this is degraded (default 3)."),
    ] = None,
    config: ConfigOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show every check behind the table.")] = False,
) -> int:
    """Check Claude.ai, Claude Code and the Claude API in parallel and print what is down."""
    try:
        return _status(json_out, require or [], timeout, slow, config, verbose)
    except OutagecheckError as e:
        return report(e)


def _seconds_option(name: str, value: float | None) -> float | None:
    if value is not None and not 0 < value <= 300:
        raise UsageError(f"{name} must be between 0 and 300 seconds, got {value:g}")
    return value


def _status(
    json_out: bool,
    require: list[str],
    timeout: float | None,
    slow: float | None,
    config: Path | None,
    verbose: bool,
) -> int:
    # Start loading the CA bundle first: it runs on another core while the imports below run here.
    from outagecheck.tls import ContextLoader

    tls = ContextLoader()
    # Imported here, not at the top: --version and --help must not pay for httpx and rich.
    import asyncio
    from dataclasses import replace

    from outagecheck import config as config_mod
    from outagecheck import probe, triage
    from outagecheck.surfaces import SURFACE_IDS

    unknown = [r for r in require if r not in SURFACE_IDS]
    if unknown:
        raise UsageError(f"unknown surface '{unknown[0]}' for --require (choose from {', '.join(SURFACE_IDS)})")
    _seconds_option("--timeout", timeout)
    _seconds_option("--slow", slow)
    cfg = config_mod.load(config)
    cfg = replace(cfg, timeout=timeout or cfg.timeout, slow=slow or cfg.slow)
    api_key = os.environ.get("ANTHROPIC_API_KEY", "").strip() or None
    plan = triage.build_plan(cfg, api_key=api_key)
    # The renderer (rich) loads while the requests are in flight instead of after them.
    renderer = _import_in_background("outagecheck.render")
    evidence, page = asyncio.run(probe.gather(plan, tls=tls))
    required = tuple(dict.fromkeys(require)) or SURFACE_IDS
    report = triage.assess(evidence, page, required=required, outstanding=_outstanding_fallbacks())
    renderer.join()
    from rich.console import Console

    from outagecheck import render

    if json_out:
        sys.stdout.write(render.to_json(report) + "\n")
    else:
        render.print_report(report, Console(), verbose=verbose)
    return int(report.exit_code)


def _import_in_background(name: str) -> threading.Thread:
    """Import a module on a thread; the caller joins it, then imports it again (instant, or the real error)."""

    def load() -> None:
        with contextlib.suppress(Exception):
            importlib.import_module(name)

    thread = threading.Thread(target=load, name=f"import {name}", daemon=True)
    thread.start()
    return thread


def _outstanding_fallbacks() -> tuple[str, ...]:
    # Only the journal: status should not import the apply/revert machinery (difflib, edit) to read it.
    from outagecheck import journal, paths

    try:
        return tuple(dict.fromkeys(e.target for e in journal.load(paths.journal_file())))
    except OutagecheckError:
        return ()  # a damaged journal must not stop the triage; `fallback revert` reports it
