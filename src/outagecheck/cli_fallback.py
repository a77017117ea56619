"""`outagecheck fallback`: the plan for this machine, and apply / revert of a config switch."""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from outagecheck.errors import OutagecheckError, UsageError, report
from outagecheck.model import ExitCode, step_lines

fallback_app = typer.Typer(
    help="How to get around a login outage on this machine, and a safe, reversible switch to the raw API.",
    no_args_is_help=False,
)
HELPER_TIMEOUT_S = 10.0


class Scope(enum.StrEnum):
    USER = "user"
    LOCAL = "local"


ScopeOpt = Annotated[
    Scope,
    typer.Option("--scope", help="user: ~/.claude/settings.json; local: this project's .claude/settings.local.json."),
]
ConfigOpt = Annotated[Path | None, typer.Option("--config", metavar="PATH", help="outagecheck config file.")]


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


@fallback_app.callback(invoke_without_command=True)
def fallback(ctx: typer.Context, scope: ScopeOpt = Scope.USER) -> int:
    """Show how this machine reaches Claude and the exact steps to fall back to the API."""
    if ctx.invoked_subcommand is not None:
        return 0
    from outagecheck import detect

    setup = detect.detect(Path.cwd(), os.environ)
    plan = detect.plan(setup, scope=scope.value)
    _out(plan.summary)
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
    if plan.steps:
        _out("Steps:")
        for line in step_lines(plan.steps):
            _out(line)
    for warning in plan.warnings:
        _out(f"Warning: {warning}")
    return 0


def _confirm(yes: bool) -> bool:
    if yes:
        return True
    try:
        return typer.confirm("Write these changes?", default=False)
    except typer.Abort:
        raise UsageError("no answer to 'Write these changes?': pass --yes to write without asking") from None


@fallback_app.command()
def apply(
    target: Annotated[str, typer.Argument(help="claude-code, or a [[fallback.targets]] name from the config.")],
    scope: ScopeOpt = Scope.USER,
    key_command: Annotated[
        str | None,
        typer.Option("--key-command", metavar="CMD", help="A command that prints the key (e.g. a password manager)."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the diff; write nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Write without asking.")] = False,
    config: ConfigOpt = None,
) -> int:
    """Switch a config to the raw API: shows a diff, asks, backs up, writes atomically, then verifies."""
    try:
        return _apply(target, scope.value, key_command, dry_run, yes, config)
    except OutagecheckError as e:
        return report(e)


def _apply(target: str, scope: str, key_command: str | None, dry_run: bool, yes: bool, config: Path | None) -> int:
    from outagecheck import config as config_mod
    from outagecheck import detect, fallback

    cfg = config_mod.load(config)
    api_key = os.environ.get("ANTHROPIC_API_KEY", "").strip() or None
    if key_command is not None and not key_command.strip():
        raise UsageError("--key-command is empty")
    if target == fallback.CLAUDE_CODE:
        edits = fallback.claude_code_edits(scope=scope, key_command=key_command, api_key=api_key, cwd=Path.cwd())
        plan = detect.plan(detect.detect(Path.cwd(), os.environ, ask_claude=False), scope=scope)
        warnings = list(plan.blockers)
        if key_command and api_key:
            warnings.append("ANTHROPIC_API_KEY in the environment takes precedence over the --key-command helper.")
    else:
        if key_command:
            raise UsageError("--key-command only applies to the claude-code target")
        edits = fallback.generic_edits(target, cfg.fallback, str(cfg.source or "config"))
        warnings = []
    planned = fallback.plan_all(edits)
    for warning in warnings:
        _out(f"Warning: {warning}")
    if not planned:
        _out(f"Nothing to do: {target} already uses the API route.")
        return 0
    for p in planned:
        sys.stdout.write(p.diff())
    if dry_run:
        _out("Dry run: nothing written.")
        return 0
    if not _confirm(yes):
        _out("Nothing written.")
        return 0
    entries = fallback.write_planned(target, planned)
    for e in entries:
        _out(f"Wrote {e.path}" + (f" (backup: {e.backup})" if e.backup else " (new file)"))
    _out(f"Undo with: outagecheck fallback revert {target}")
    if target == fallback.CLAUDE_CODE:
        # From the edits, not the planned changes: the settings may already hold this helper.
        helper = next(e.set["apiKeyHelper"] for e in edits if "apiKeyHelper" in e.set)
        ok, message = verify_helper(str(helper), cfg.endpoints["api"], cfg.timeout)
        _out(("Verified: " if ok else "Warning: not verified: ") + message)
    return 0


def verify_helper(helper: str, api_base: str, timeout: float) -> tuple[bool, str]:
    """Run the helper as Claude Code would and make one keyed GET /v1/models; never show the key."""
    import subprocess

    import httpx

    from outagecheck.classify import classify_exception
    from outagecheck.probe import ANTHROPIC_VERSION, USER_AGENT

    try:
        done = subprocess.run(helper, shell=True, capture_output=True, text=True, timeout=HELPER_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return False, f"the key command gave no key within {HELPER_TIMEOUT_S:g} s"
    key = done.stdout.strip()
    if done.returncode != 0 or not key:
        return False, f"the key command exited {done.returncode} without printing a key"
    url = api_base + "/v1/models?limit=1"
    headers = {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION, "user-agent": USER_AGENT}
    try:
        response = httpx.get(url, headers=headers, timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as exc:
        return False, f"GET {url}: {classify_exception(exc, timeout_s=timeout).detail}"
    if response.status_code == 200:
        return True, f"the key from the helper works (GET {url}: HTTP 200)"
    if response.status_code == 401:
        return False, f"the API rejected the key from the helper (GET {url}: HTTP 401)"
    return False, f"GET {url}: HTTP {response.status_code}"


@fallback_app.command()
def revert(
    name: Annotated[str | None, typer.Argument(help="Target to revert; all outstanding without it.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Revert without asking.")] = False,
) -> int:
    """Undo what apply changed, and nothing else."""
    from outagecheck import fallback

    try:
        pending = [e for e in fallback.outstanding() if name is None or e.target == name]
        if not pending:
            _out("Nothing to revert." if name is None else f"Nothing to revert for {name}.")
            return 0
        for e in reversed(pending):
            _out(f"Will revert {e.path} ({e.target}, applied {e.applied_at})")
        if not _confirm(yes):
            _out("Nothing reverted.")
            return 0
        for r in fallback.revert(name):
            _out(f"{r.path}: {r.detail}")
    except OutagecheckError as e:
        return report(e)
    return int(ExitCode.OK)
