"""`outagecheck routes check [NAME…]`: every configured route's free probes and feed, in parallel under one
deadline; no token is spent unless --deep. Exit codes as `status`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from outagecheck.cli.parse import Options
from outagecheck.errors import ConfigError, UsageError, printable

if TYPE_CHECKING:
    from outagecheck.routes.settings import SettingsLayer
    from outagecheck.surfaces import Route, RouteResult

    Layers = tuple[SettingsLayer, ...]


def run(opts: Options) -> int:
    """Check every route for free, in parallel under one deadline: up, usable from here, who pays."""
    chosen = "json" if opts.json_out else (opts.fmt or "table")
    if opts.json_out and opts.fmt and opts.fmt != "json":
        raise UsageError(f"--json and --format {opts.fmt} disagree: use one")
    from outagecheck import config as config_file  # noqa: PLC0415  # this command only

    cfg = config_file.load(opts.config)
    routes = _chosen(cfg.routes, list(opts.names), cfg.source)
    from outagecheck.errors import keep_secret  # noqa: PLC0415  # this command only

    keep_secret(urls=tuple(u for r in routes for u in (r.base_url, r.status_feed) if u))
    if opts.deep:
        _name_the_payers(routes)
    results = _run(routes, opts.timeout or cfg.timeout, cfg.slow, deep=opts.deep)
    return _emit(results, chosen)


def _chosen(routes: tuple[Route, ...], names: list[str], source: Path | None) -> tuple[Route, ...]:
    if not routes:
        where = source or "the config"
        raise ConfigError(f"no [[routes]] in {where}: add one to check it (README: Other ways to Claude)")
    known = {r.name: r for r in routes}
    if unknown := [n for n in names if n not in known]:
        raise UsageError(f"unknown route {printable(unknown[0])!r} (choose from {', '.join(known)})")
    picked = [known[n] for n in dict.fromkeys(names)] if names else list(routes)
    return tuple(sorted(picked, key=lambda r: r.priority))


def _name_the_payers(routes: tuple[Route, ...]) -> None:
    from outagecheck.errors import say  # noqa: PLC0415
    from outagecheck.routes.verdict import billed_to  # noqa: PLC0415

    for r in routes:
        say(f"--deep: one paid 1-token message per pinned model of {r.name}, billed to {billed_to(r)}")


def _run(
    routes: tuple[Route, ...], timeout_s: float, slow_s: float, *, deep: bool, layers: Layers | None = None
) -> tuple[RouteResult, ...]:
    from outagecheck.routes import check as route_check  # noqa: PLC0415  # this command only

    mine = route_check.current_name(routes, os.environ, layers)
    s = route_check.Settings(timeout_s, os.environ, slow_s, deep=deep, current=mine)
    from outagecheck.errors import scrub  # noqa: PLC0415
    from outagecheck.text import clean_all  # noqa: PLC0415

    # What servers said is remote text: one sanitiser and the redaction before any output, as for a Report.
    return scrub(clean_all(route_check.run(routes, s)))


def _emit(results: tuple[RouteResult, ...], chosen: str) -> int:
    """Print the results in the chosen format; the exit code is the worst route's, as `status` computes it.
    A reader that leaves early is no error; a closed or full stdout is exit 74, as for `status`."""
    from outagecheck.output import routes as shown  # noqa: PLC0415  # after the checks: nothing delays them
    from outagecheck.output.emit import in_actions, make_console, to_stdout  # noqa: PLC0415

    # Remote text in a workflow log is fenced, as status's table is (no workflow command from a server).
    with to_stdout(fenced=chosen == "table" and in_actions()):
        if chosen == "table":
            shown.print_routes(results, make_console(os.environ))
            if not any(r.current for r in results):
                from outagecheck.routes.check import now_note  # noqa: PLC0415  # loaded by the check

                sys.stdout.write(now_note(os.environ) + "\n")
        else:
            sys.stdout.write(_render(results, chosen))
    return int(shown.exit_code(results))


def _render(results: tuple[RouteResult, ...], chosen: str) -> str:
    from outagecheck.output import routes as shown  # noqa: PLC0415

    if chosen == "nagios":
        return shown.to_nagios(results)
    if chosen == "prometheus":
        return shown.to_prometheus(results)
    import json  # noqa: PLC0415

    from outagecheck.output.json import evidence_dict  # noqa: PLC0415

    checked = datetime.now(UTC).isoformat(timespec="seconds")
    return json.dumps(shown.document(results, checked, evidence_dict), indent=2, ensure_ascii=False) + "\n"


def print_other_routes(
    routes: tuple[Route, ...], timeout_s: float, slow_s: float, write: Callable[[str], None], layers: Layers
) -> None:
    """`outagecheck fallback`'s "Other routes": the configured routes checked for free, best first, each with
    the command that switches Claude Code to it (`fallback apply --to`). `layers`: the guide's, read once."""
    from outagecheck.routes import rank  # noqa: PLC0415  # only with routes

    results = rank.best_first(_run(routes, timeout_s, slow_s, deep=False, layers=layers))
    write("Other routes, best first (checked now, for free):")
    for r in results:
        blocked = f", {r.usable.replace('_', ' ')}" if r.blocker else ""
        state = "up and usable" if rank.up_and_usable(r) else f"{r.status.value}{blocked}"
        if r.shares_fate_with:
            state += f" (goes down with: {', '.join(r.shares_fate_with)})"
        write(f"  {r.route.name} ({r.route.kind.value}{', Claude Code uses it now' if r.current else ''}): {state}")
        if rank.up_and_usable(r) and not r.current:
            write(f"    {_apply_line(r.route)}")


def _apply_line(route: Route) -> str:
    """The one command that switches Claude Code to this route, proven before and after (issue 26)."""
    return f"outagecheck fallback apply claude-code --to {route.name}"
