"""The bodies of `status` and `wait`, free of typer: the typer commands and the fast path both call them."""

from __future__ import annotations

import contextlib
import importlib
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from outagecheck.checks.run import POLL_PAGE_EVERY_S, CheckOptions, report_source, wait_until_operational
from outagecheck.durations import parse_duration
from outagecheck.errors import UsageError, printable, redact, say
from outagecheck.model import ExitCode, FailOn

if TYPE_CHECKING:
    from outagecheck.checks.probe import Extra
    from outagecheck.surfaces import Route

FAIL_ON_ENV = "OUTAGECHECK_FAIL_ON"


def status(
    *,
    fmt: str | None = None,
    json_out: bool = False,
    require: list[str] | None = None,
    timeout: float | None = None,
    slow: float | None = None,
    config: Path | None = None,
    verbose: bool = False,
    replay: str | None = None,
    fail_on: str | None = None,
    output: Path | None = None,
    deep: bool = False,
    model: list[str] | None = None,
) -> int:
    """Check every surface once, print the report, return its exit code under --fail-on."""
    chosen = output_format(fmt, json_out)
    to_file = output_file(output, chosen)
    policy = fail_on_policy(fail_on, os.environ)
    opts = CheckOptions(
        tuple(require or ()), timeout, slow, config, replay, deep=deep, models=tuple(model or ()), verbose=verbose
    )
    from outagecheck.fallback.journal import outstanding  # noqa: PLC0415  # checks/ reads no journal

    next_report = report_source(opts, os.environ, outstanding=outstanding, routes=routes_check)
    announce_drill(replay, os.environ)
    # The table's renderer (rich) loads while the requests are in flight instead of after them.
    renderer = _import_in_background("outagecheck.output.table") if chosen == "table" else None
    result = next_report()
    if renderer is not None:
        renderer.join()
    from outagecheck.output.emit import emit  # noqa: PLC0415  # after the checks: nothing delays the requests

    emit(result, chosen, verbose=verbose, output=to_file)
    return int(result.exit_code_for(policy))


def routes_check(routes: tuple[Route, ...], timeout_s: float, slow_s: float) -> Extra:
    """The check of the config's [[routes]], run beside the surfaces (routes/ loads only when there are routes)."""
    from outagecheck.routes.check import beside  # noqa: PLC0415  # a config without routes never loads it

    return beside(routes, os.environ, timeout_s, slow_s)


def wait(
    *,
    require: list[str] | None = None,
    max_wait: str = "10m",
    interval: float = 10.0,
    timeout: float | None = None,
    slow: float | None = None,
    config: Path | None = None,
    fmt: str | None = None,
    json_out: bool = False,
    replay: str | None = None,
    fail_on: str | None = None,
    output: Path | None = None,
    on_change: str | None = None,
    webhook: list[str] | None = None,
    notify: bool = False,
    fail_after: int = 1,
    recover_after: int | None = None,
    then_revert: bool = False,
    deep: bool = False,
    model: list[str] | None = None,
) -> int:
    """Check until the required surfaces are operational (0) or --max-wait passes (2, or the last report's
    verdict under --fail-on); print the last report."""
    limit = parse_duration(max_wait)
    if not 1 <= interval <= 3600:
        raise UsageError(f"--interval must be between 1 and 3600 seconds, got {interval:g}")
    chosen = output_format(fmt, json_out)
    to_file = output_file(output, chosen)
    policy = fail_on_policy(fail_on, os.environ)
    opts = CheckOptions(tuple(require or ()), timeout, slow, config, replay, deep=deep, models=tuple(model or ()))
    from outagecheck.fallback.journal import outstanding  # noqa: PLC0415  # checks/ reads no journal

    next_report = report_source(
        opts, os.environ, outstanding=outstanding, page_every_s=POLL_PAGE_EVERY_S, routes=routes_check
    )
    announce_drill(replay, os.environ)
    from outagecheck.output.emit import emit  # noqa: PLC0415  # after the options are known to be valid

    extra = None
    if on_change is not None or webhook or notify or then_revert or fail_after != 1 or recover_after is not None:
        from outagecheck.cli import hooks  # noqa: PLC0415  # notifiers and the revert load only when asked for

        extra = hooks.build(
            on_change=on_change, webhooks=webhook, desktop=notify, fail_after=fail_after,
            recover_after=recover_after, revert=then_revert,
        )  # fmt: skip
    if extra is not None and then_revert:
        result, ok = hooks.wait_for_revert(next_report, extra, max_wait=limit, interval=interval, progress=_progress)
    else:
        result, ok = wait_until_operational(
            next_report, max_wait=limit, interval=interval, progress=_progress, on_report=extra
        )
    emit(result, chosen, output=to_file)
    if ok:
        return int(ExitCode.OK)
    # Gave up: exit 2 by default; under --fail-on, what the last report's verdict means for the policy.
    return int(ExitCode.DOWN if policy is None else result.exit_code_for(policy))


def announce_drill(option: str | None, environ: Mapping[str, str]) -> None:
    """A replay the environment asked for says so on stderr: a leftover variable must not pass for a live check."""
    from outagecheck.checks.replay import REPLAY_ENV  # noqa: PLC0415  # light: json and the advice, no httpx

    if not option and (name := environ.get(REPLAY_ENV)):
        say(f"outagecheck: ${REPLAY_ENV} is set: replaying {printable(name)}, nothing is checked (unset it to check)")


def output_format(fmt: str | None, json_out: bool) -> str:
    """Reconcile --format and --json into one format name."""
    if json_out and fmt not in (None, "json"):
        raise UsageError(f"--json and --format {fmt} disagree; use one")
    return "json" if json_out else (fmt or "table")


def output_file(path: Path | None, chosen: str) -> Path | None:
    """--output takes a machine format: the table is for a terminal."""
    if path is not None and chosen == "table":
        raise UsageError("--output needs --format json, markdown, nagios or prometheus")
    return path


def fail_on_policy(option: str | None, environ: Mapping[str, str]) -> FailOn | None:
    """--fail-on wins, else $OUTAGECHECK_FAIL_ON; None keeps the default mapping."""
    value = option or environ.get(FAIL_ON_ENV, "").strip()
    if not value:
        return None
    try:
        return FailOn(value.lower())
    except ValueError:
        levels = ", ".join(level.value for level in FailOn)
        raise UsageError(f"${FAIL_ON_ENV}: '{value}' is not one of {levels}") from None


def _progress(line: str) -> None:
    say(f"outagecheck: {printable(redact(line))}")


def _import_in_background(name: str) -> threading.Thread:
    """Import a module on a thread; the caller joins it, then imports it again (instant, or the real error)."""

    def load() -> None:
        with contextlib.suppress(Exception):
            importlib.import_module(name)

    thread = threading.Thread(target=load, name=f"import {name}", daemon=True)
    thread.start()
    return thread
