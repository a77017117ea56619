"""`outagecheck fallback`: the guide for this machine; and what apply and revert share (output, asking)."""

from __future__ import annotations

import os
import sys
from typing import Any

from outagecheck.cli.parse import Options
from outagecheck.errors import UsageError, redact
from outagecheck.model import step_lines
from outagecheck.paths import claude_dir, claude_login


def out(text: str = "") -> None:
    sys.stdout.write(redact(text) + "\n")


def group_options(opts: Options, command: str, *, takes: tuple[str, ...]) -> dict[str, Any]:
    """The options given to `fallback` before the subcommand (`fallback --scope local apply ...`): honoured
    when the subcommand takes them, a usage error (64) when it does not; never silently ignored."""
    given = {k: v for k, v in opts.group.items() if v is not None}
    if unused := [name for name in given if name not in takes]:
        flags = " and ".join(f"--{name}" for name in unused)
        raise UsageError(f"fallback {command} does not take {flags}; it undoes what the journal lists")
    for name, value in given.items():
        if name in opts.given and getattr(opts, name) != value:
            raise UsageError(f"--{name} is given twice with different values; give it once")
    return given


def warn_running() -> None:
    """Name the running Claude Code processes: they keep the login they started with until restarted."""
    from outagecheck.fallback.running import running_claude  # noqa: PLC0415  # fallback commands only

    running = running_claude(config_dir=claude_dir())
    if running:
        names = ", ".join(f"pid {p.pid} ({p.command})" for p in running)
        sys.stderr.write(
            f"outagecheck: warning: Claude Code is running ({names}); running sessions keep their current "
            "login until restarted. Its files are written under its own lock, so this is safe.\n"
        )


def run(opts: Options) -> int:
    """Show how this machine reaches Claude and the exact steps to fall back to the API."""
    from outagecheck import config as config_file  # noqa: PLC0415  # fallback commands only
    from outagecheck.fallback import detect  # noqa: PLC0415  # fallback commands only: keeps status light
    from outagecheck.fallback.guide import guide as plan  # noqa: PLC0415  # the same

    cfg = config_file.load(opts.config)  # the same config as apply: a broken one is said here, before an apply

    from outagecheck.routes.settings import working_dir  # noqa: PLC0415  # fallback commands only

    setup = detect.detect(working_dir(), os.environ)  # a deleted current directory: no project layers
    guide = plan(setup, scope=opts.scope)
    out(guide.summary)
    for layer in setup.layers:
        if layer.exists:
            extras = [
                "apiKeyHelper set" if layer.api_key_helper else "",
                *(f"env {k}" for k in layer.env_keys),
            ]
            if layer.force_login_method:
                extras.append(f"forceLoginMethod={layer.force_login_method}")
            shown = ", ".join(e for e in extras if e) or "nothing that changes auth"
            out(f"  {layer.name} settings {layer.path}: {shown}")
    for name, value in setup.env.items():
        out(f"  environment: {name} {'is set' if value == 'set' else '= ' + value}")
    if setup.onboarding_done is not None:
        out(f"  hasCompletedOnboarding: {str(setup.onboarding_done).lower()}")
    # Per platform: a file on Linux and Windows, the Keychain on macOS. A fallback leaves it as it is.
    out(f"  login: {claude_login()} (outagecheck never reads or changes it)")
    if guide.steps:
        out("Steps:")
        for line in step_lines(guide.steps):
            out(line)
    for warning in guide.warnings:
        out(f"Warning: {warning}")
    _notes()
    if cfg.routes:  # [[routes]]: the other ways in, checked for free, best first
        from outagecheck.cli.commands.routes_check import print_other_routes  # noqa: PLC0415  # only with routes

        print_other_routes(cfg.routes, cfg.timeout, cfg.slow, out, setup.layers)  # the layers read once
    return 0


def _notes() -> None:
    from outagecheck.checks.credentials import notes  # noqa: PLC0415  # fallback guide only

    for note in notes(os.environ):
        out(f"Note: {note}")
    from outagecheck.checks.advice import tls_note  # noqa: PLC0415  # fallback guide only

    if tls := tls_note(os.environ):
        out(f"Note: {tls}")
