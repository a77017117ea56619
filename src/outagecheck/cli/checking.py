"""What status, wait and watch share: CheckOptions built in one place, the report source, the output choice
and the exit-code policy."""

from __future__ import annotations

import contextlib
import importlib
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from outagecheck import paths
from outagecheck.checks.run import POLL_PAGE_EVERY_S, REPLAY_ENV, CheckOptions, report_source
from outagecheck.cli.parse import Options
from outagecheck.errors import UsageError, printable, redact, say
from outagecheck.model import FailOn, Report

if TYPE_CHECKING:
    from outagecheck.checks.probe import Extra
    from outagecheck.surfaces import Route


def check_options(opts: Options) -> CheckOptions:
    """The checks the options ask for: the one place a command builds them."""
    return CheckOptions(
        opts.require, opts.timeout, opts.slow, opts.config, opts.replay, deep=opts.deep, models=opts.model,
        verbose=getattr(opts, "verbose", False),  # status only: what to try next names --verbose unless given
    )  # fmt: skip


def reports(opts: Options, *, polling: bool = False) -> Callable[[], Report]:
    """The report source for these options (polling: the status page read at most once a minute), and the
    drill announced when the environment asked for one."""
    every = POLL_PAGE_EVERY_S if polling else 0.0
    source = report_source(
        check_options(opts), os.environ, outstanding=fallbacks_on, page_every_s=every, routes=routes_check
    )
    announce_drill(opts.replay, os.environ)
    return source


def fallbacks_on() -> tuple[tuple[str, ...], ...]:
    """The fallbacks left on (fallback/journal.outstanding; checks/ reads no journal). With no journal file, as
    on a machine where no fallback was ever applied, there are none and the journal's module (its TOML, file
    and permission checks: ~1.5 ms of every status run) is not loaded."""
    if not os.path.lexists(paths.journal_file()):
        return ()
    from outagecheck.fallback.journal import outstanding  # noqa: PLC0415  # a journal exists: read it there

    return outstanding()


def routes_check(routes: tuple[Route, ...], timeout_s: float, slow_s: float) -> Extra:
    """The check of the config's [[routes]], run beside the surfaces (routes/ loads only when there are routes)."""
    from outagecheck.routes.check import beside  # noqa: PLC0415  # a config without routes never loads it

    return beside(routes, os.environ, timeout_s, slow_s)


def announce_drill(option: str | None, environ: Mapping[str, str]) -> None:
    """A replay the environment asked for says so on stderr: a leftover variable must not pass for a live check."""
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


def fail_on_policy(fail_on: str | None) -> FailOn | None:
    """--fail-on (or $OUTAGECHECK_FAIL_ON, cli/parse.py): None keeps the default mapping."""
    return FailOn(fail_on) if fail_on else None


def progress(line: str) -> None:
    say(f"outagecheck: {printable(redact(line))}")


def import_in_background(name: str) -> threading.Thread:
    """Import a module on a thread; the caller joins it, then imports it again (instant, or the real error)."""

    def load() -> None:
        with contextlib.suppress(Exception):
            importlib.import_module(name)

    thread = threading.Thread(target=load, name=f"import {name}", daemon=True)
    thread.start()
    return thread
