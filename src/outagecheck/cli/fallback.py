"""`outagecheck fallback`: the guide for this machine, and apply / revert of a config switch."""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from outagecheck.cli.options import ConfigOpt, YesOpt
from outagecheck.errors import UsageError, WriteError, print_error, redact
from outagecheck.model import ExitCode, step_lines
from outagecheck.paths import claude_dir, claude_login

fallback_app = typer.Typer(
    help="How to get around a login outage on this machine, and a safe, reversible switch to the raw API.",
    no_args_is_help=False,
)


class Scope(enum.StrEnum):
    USER = "user"
    LOCAL = "local"


ScopeOpt = Annotated[
    Scope,
    typer.Option("--scope", help="user: ~/.claude/settings.json; local: this project's .claude/settings.local.json."),
]

ToOpt = Annotated[
    str | None,
    typer.Option(
        "--to", metavar="ROUTE", help="claude-code: a [[routes]] name, auto (the best usable) or api (default)."
    ),
]

UntilRecoveredOpt = Annotated[
    bool,
    typer.Option(
        "--until-recovered", help="Start a detached 'wait --then-revert' that reverts it once Claude is back."
    ),
]
NoVerifyOpt = Annotated[bool, typer.Option("--no-verify", help="--to: write without the proof; says unverified.")]


def _out(text: str = "") -> None:
    sys.stdout.write(redact(text) + "\n")


def _given(ctx: typer.Context, name: str) -> bool:
    """Whether the command line named this option (not its default)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name != "DEFAULT"


def _group_options(ctx: typer.Context, *, takes: tuple[str, ...]) -> dict[str, Any]:
    """The options given to `fallback` before the subcommand (`fallback --scope local apply ...`): honoured
    when the subcommand takes them, a usage error (64) when it does not; never silently ignored."""
    parent = ctx.parent
    given = {k: v for k, v in ((parent.obj or {}) if parent is not None else {}).items() if v is not None}
    if unused := [name for name in given if name not in takes]:
        flags = " and ".join(f"--{name}" for name in unused)
        raise UsageError(f"fallback {ctx.info_name} does not take {flags}; it undoes what the journal lists")
    for name, value in given.items():
        if _given(ctx, name) and ctx.params[name] != value:
            raise UsageError(f"--{name} is given twice with different values; give it once")
    return given


@fallback_app.callback(invoke_without_command=True)
def fallback(ctx: typer.Context, scope: ScopeOpt = Scope.USER, config: ConfigOpt = None) -> int:
    """Show how this machine reaches Claude and the exact steps to fall back to the API."""
    if ctx.invoked_subcommand is not None:
        # Handed to the subcommand, which honours or refuses them (_group_options).
        ctx.obj = {name: value for name, value in (("scope", scope), ("config", config)) if _given(ctx, name)}
        return 0
    from outagecheck import config as config_file  # noqa: PLC0415  # fallback commands only
    from outagecheck.fallback import detect  # noqa: PLC0415  # fallback commands only: keeps status light
    from outagecheck.fallback.guide import guide as plan  # noqa: PLC0415  # the same

    cfg = config_file.load(config)  # the same config as apply: a broken one is said here, before an apply

    from outagecheck.routes.settings import working_dir  # noqa: PLC0415  # fallback commands only

    setup = detect.detect(working_dir(), os.environ)  # a deleted current directory: no project layers
    guide = plan(setup, scope=scope.value)
    _out(guide.summary)
    for layer in setup.layers:
        if layer.exists:
            extras = [
                "apiKeyHelper set" if layer.api_key_helper else "",
                *(f"env {k}" for k in layer.env_keys),
            ]
            if layer.force_login_method:
                extras.append(f"forceLoginMethod={layer.force_login_method}")
            shown = ", ".join(e for e in extras if e) or "nothing that changes auth"
            _out(f"  {layer.name} settings {layer.path}: {shown}")
    for name, value in setup.env.items():
        _out(f"  environment: {name} {'is set' if value == 'set' else '= ' + value}")
    if setup.onboarding_done is not None:
        _out(f"  hasCompletedOnboarding: {str(setup.onboarding_done).lower()}")
    # Per platform: a file on Linux and Windows, the Keychain on macOS. A fallback leaves it as it is.
    _out(f"  login: {claude_login()} (outagecheck never reads or changes it)")
    if guide.steps:
        _out("Steps:")
        for line in step_lines(guide.steps):
            _out(line)
    for warning in guide.warnings:
        _out(f"Warning: {warning}")
    from outagecheck.checks.credentials import notes  # noqa: PLC0415  # fallback guide only

    for note in notes(os.environ):
        _out(f"Note: {note}")
    from outagecheck.checks.advice import tls_note  # noqa: PLC0415  # fallback guide only

    if tls := tls_note(os.environ):
        _out(f"Note: {tls}")
    if cfg.routes:  # [[routes]]: the other ways in, checked for free, best first
        from outagecheck.cli.routes_check import print_other_routes  # noqa: PLC0415  # only with routes

        print_other_routes(cfg.routes, cfg.timeout, cfg.slow, _out)
    return 0


def _warn_running() -> None:
    """Name the running Claude Code processes: they keep the login they started with until restarted."""
    from outagecheck.fallback.running import running_claude  # noqa: PLC0415  # fallback commands only

    running = running_claude(config_dir=claude_dir())
    if running:
        names = ", ".join(f"pid {p.pid} ({p.command})" for p in running)
        sys.stderr.write(
            f"outagecheck: warning: Claude Code is running ({names}); running sessions keep their current "
            "login until restarted. Its files are written under its own lock, so this is safe.\n"
        )


def _confirm(yes: bool, question: str) -> bool:
    if yes:
        return True
    if sys.stdin is None or sys.stdin.closed:  # `<&-`: click's prompt would crash on a missing stdin
        raise UsageError(f"no answer to '{question}': pass --yes to write without asking")
    try:
        return typer.confirm(question, default=False)
    except typer.Abort:
        raise UsageError(f"no answer to '{question}': pass --yes to write without asking") from None


def _verified(helper: str, api_url: str, timeout: float, target: str) -> bool:
    """Prove the written key helper works against the API; say how to undo it when it does not."""
    from outagecheck.checks.verify import verify_helper  # noqa: PLC0415  # httpx, after the write

    ok, message = verify_helper(helper, api_url, timeout)
    if not ok:
        # The switch is written but does not work: say so, and how to undo it (exit 69, README).
        print_error(
            f"the fallback is written but does not work: {message}; undo with: outagecheck fallback revert {target}"
        )
        return False
    _out("Verified: " + message)
    return True


@fallback_app.command()
def apply(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="claude-code, or a [[fallback.targets]] name from the config.")],
    scope: ScopeOpt = Scope.USER,
    key_command: Annotated[
        str | None,
        typer.Option("--key-command", metavar="CMD", help="A command that prints the key (e.g. a password manager)."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the diff; write nothing.")] = False,
    yes: YesOpt = False,
    config: ConfigOpt = None,
    until_recovered: UntilRecoveredOpt = False,
    force: Annotated[bool, typer.Option("--force", help="Write a read-only file or directory anyway.")] = False,
    to: ToOpt = None,
    no_verify: NoVerifyOpt = False,
) -> int:
    """Switch a config to the raw API: shows a diff, asks, backs up, writes atomically, then verifies."""
    group = _group_options(ctx, takes=("scope", "config"))
    scope = Scope(group.get("scope", scope))
    config = group.get("config", config)
    from outagecheck import config as config_file  # noqa: PLC0415  # fallback commands only
    from outagecheck.fallback import apply as applying  # noqa: PLC0415  # fallback commands only
    from outagecheck.fallback import transaction  # noqa: PLC0415  # fallback commands only

    cfg = config_file.load(config)
    if to is not None and to != "api":
        from outagecheck.cli.fallback_route import apply_route  # noqa: PLC0415  # --to only

        return apply_route(target, to, cfg, config, scope.value, key_command, dry_run, yes, force, no_verify)
    proposal = applying.propose(target, cfg, os.environ, Path.cwd(), scope=scope.value, key_command=key_command)
    for warning in proposal.warnings:
        _out(f"Warning: {warning}")
    if not proposal.planned:
        _out(f"Nothing to do: {target} already uses the API route.")
        return 0
    for change in proposal.planned:
        sys.stdout.write(change.diff())
    # Only the edits go on: the files are read again under the lock, and a big file's bytes are not held twice.
    edits, helper = [change.edit for change in proposal.planned], proposal.helper
    del proposal, change
    if dry_run:
        _out("Dry run: nothing written.")
        return 0
    if not _confirm(yes, "Write these changes?"):
        _out("Nothing written.")
        return 0
    _warn_running()
    for e in transaction.write_planned(target, edits, force=force):
        _out(f"Wrote {e.path}" + (f" (backup: {e.backup})" if e.backup else " (new file)"))
    _out(f"Undo with: outagecheck fallback revert {target}")
    if helper is not None and not _verified(helper, cfg.endpoints["api"], cfg.timeout, target):
        return int(ExitCode.UNAVAILABLE)
    if until_recovered:
        from outagecheck.fallback import watcher  # noqa: PLC0415  # --until-recovered only

        for line in watcher.start(config)[1]:
            _out(line)
    return 0


@fallback_app.command()
def revert(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Target to revert; all outstanding without it.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Revert without asking.")] = False,
) -> int:
    """Undo what apply changed, and nothing else."""
    _group_options(ctx, takes=())
    from outagecheck.fallback import journal  # noqa: PLC0415  # fallback commands only
    from outagecheck.fallback import revert as reverting  # noqa: PLC0415  # fallback commands only

    pending = [e for e in journal.pending() if name is None or e.target == name]
    if not pending:
        reverting.tidy()  # a run killed before it journaled anything can still have left a temp file
        _out("Nothing to revert." if name is None else f"Nothing to revert for {name}.")
        return 0
    for e in reversed(pending):
        _out(f"Will revert {e.path} ({e.target}, applied {e.applied_at})")
    if not _confirm(yes, "Write these changes?"):
        _out("Nothing reverted.")
        return 0
    _warn_running()
    done, problems = reverting.revert(name)
    for r in done:
        _out(f"{r.path}: {r.detail}")
    if problems:
        raise WriteError("could not revert everything: " + "; ".join(problems))
    return int(ExitCode.OK)
