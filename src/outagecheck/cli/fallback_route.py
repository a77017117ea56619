"""`fallback apply claude-code --to ROUTE`: the proof, the route's diff, the question and the write."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from outagecheck.cli.ask import confirm as _confirm
from outagecheck.cli.commands.fallback import out as _out
from outagecheck.cli.commands.fallback import warn_running as _warn_running
from outagecheck.errors import ConfigError, UsageError, print_error

if TYPE_CHECKING:
    from collections.abc import Mapping

    from outagecheck.config import Config
    from outagecheck.fallback.journal import Entry
    from outagecheck.fallback.routes_plan import RoutePlan
    from outagecheck.routes.model import Route


def apply_route(
    target: str,
    name: str,
    cfg: Config,
    config: Path | None,
    where: tuple[str, Path],
    key_command: str | None,
    *how: bool,
) -> int:
    """`apply claude-code --to ROUTE`: proven, then the route's diff, asked, written by the same transaction.
    `where` is the scope and the project directory commands/apply.py checked (never read twice)."""
    (scope, cwd), (dry_run, yes, force, no_verify) = where, how
    if target != "claude-code":
        raise UsageError(f"--to only applies to the claude-code target, not '{target}'")
    if key_command is not None:
        raise UsageError("--key-command does not go with --to ROUTE: the route's key_command is its apiKeyHelper")
    from outagecheck.fallback import routes_plan, transaction  # noqa: PLC0415  # --to only
    from outagecheck.routes.settings import settings_layers, with_locations  # noqa: PLC0415  # --to only

    layers = settings_layers(cwd)  # read once: the apps-gateway refusal comes before any route is checked
    routes_plan.refuse_apps_gateway(layers)
    seen = with_locations(os.environ, layers)  # credentials looked for where Claude Code's process will look
    label = ""
    if name == "auto":
        if no_verify:
            raise UsageError("--to auto chooses by checking every route: it does not go with --no-verify")
        name, label = _auto(cfg, config, seen, force=force)
    plan, proposal = routes_plan.propose_route(name, cfg.routes, os.environ, cwd, scope=scope, layers=layers)
    from outagecheck.fallback.running import claude_version  # noqa: PLC0415  # --to only

    routes_plan.refuse_old(plan.route, claude_version())
    label = label or _prove(plan.route, cfg, config, seen, no_verify=no_verify, force=force)
    if not proposal.planned:
        _out(f"Nothing to do: Claude Code's {scope} settings already switch it to route '{name}'.")
        return 0
    for change in proposal.planned:
        sys.stdout.write(change.diff())
    if dry_run:
        _out("Dry run: nothing written.")
        return 0
    if not _confirm(yes, f"Switch Claude Code to route '{name}' ({plan.route.kind.value})?"):
        _out("Nothing written.")
        return 0
    _warn_running()
    from outagecheck.fallback.journal import before  # noqa: PLC0415  # --to only
    from outagecheck.routes import current, settings  # noqa: PLC0415  # --to only
    from outagecheck.routes.verdict import billed_to  # noqa: PLC0415  # --to only

    # What Claude Code uses until this write: journaled, so status can say when it is back.
    now = current.resolve(settings.environment(os.environ), layers)  # the layers the diff was made from
    was = before(now, [r for r in cfg.routes if r.name != name])
    stamp = (name, plan.route.kind.value, billed_to(plan.route), *was)
    written = transaction.write_planned(target, [c.edit for c in proposal.planned], force=force, route=stamp)
    for e in written:
        _out(f"Wrote {e.path}" + (f" (backup: {e.backup})" if e.backup else " (new file)"))
    label = _after(plan, written, cwd, cfg, force=force, verify=not no_verify) or label
    _out(f"Claude Code now uses route '{name}' ({plan.route.kind.value}, {label}) from its next start.")
    _out(f"Undo with: outagecheck fallback revert {target}")
    return 0


def _after(plan: RoutePlan, written: list[Entry], cwd: Path, cfg: Config, *, force: bool, verify: bool) -> str | None:
    """The proof after the write: Claude Code itself must report the route, and (unless --no-verify) the route
    as it will resolve it must be the one asked for and answer; else the write is rolled back. "forced" when
    --force kept it past a finding."""
    from outagecheck.fallback import proof  # noqa: PLC0415  # --to only
    from outagecheck.fallback.running import claude_auth_status  # noqa: PLC0415  # --to only
    from outagecheck.routes.verdict import billed_to  # noqa: PLC0415  # --to only

    route = plan.route
    said, why_not = claude_auth_status()
    if (instead := proof.after(route, said)) is not None:
        layer = proof.overriding_layers(route, cwd)
        raise ConfigError(
            f"Claude Code reports {instead} after the switch to route '{route.name}': {layer} overrides it; "
            + _roll_back(written)
        )
    wanted = ", ".join(f"{k} {v}" for k, v in proof.expected(route).items())
    _out(
        f"Claude Code confirms: {wanted}."
        if said is not None
        else f"Claude Code not asked: {why_not or 'no claude on PATH'}."
    )
    forced = _as_resolved(plan, written, cwd, cfg, force=force) if verify else None
    _out(f"Billed to: {billed_to(route)}. Not available on this route: {proof.LOST[route.kind]}.")
    return forced


def _as_resolved(plan: RoutePlan, written: list[Entry], cwd: Path, cfg: Config, *, force: bool) -> str | None:
    """Every layer as written resolved as Claude Code will, compared with the switch, and the free probe run
    with that resolution's credentials (claude installed or not): each finding named, exit 78 and rolled back
    unless --force (then "forced")."""
    from outagecheck.fallback import proof, resolved  # noqa: PLC0415  # --to only

    found = resolved.resolve(plan, os.environ, cwd)
    problems = list(found.differences)
    seen = f"as Claude Code will resolve it ({resolved.describe(found.route)})"
    if not problems or force:  # a route that differs is rolled back without asking it
        result, seconds = resolved.probe(found, timeout_s=cfg.timeout, slow_s=cfg.slow)
        problems += proof.problems_of(result)
        if not problems:
            _out(resolved.summary(result, seconds))
            return None
    if force:
        for problem in problems:
            _out(f"Forced past, after the write, {seen}: {problem}")
        return "forced"
    for problem in problems[1:]:
        print_error(f"after the write, {seen}: {problem}")
    raise ConfigError(
        f"after the write, {seen}: {problems[0]}; {_roll_back(written)} (--force keeps it, labelled forced)"
    )


def _roll_back(written: list[Entry]) -> str:
    """Undo this run's writes (revert_these): "rolled back", or what could not be."""
    from outagecheck.fallback.revert import revert_these  # noqa: PLC0415  # --to only

    _, problems = revert_these(written)
    return "rolled back" if not problems else "NOT rolled back: " + "; ".join(problems)


def _prove(
    route: Route, cfg: Config, config: Path | None, environ: Mapping[str, str], *, no_verify: bool, force: bool
) -> str:
    """The proof before the write: each reason the route would not hold, refused (78) unless --force."""
    from outagecheck.fallback import proof  # noqa: PLC0415  # --to only

    if no_verify:
        _out(f"Not proven (--no-verify): the switch to route '{route.name}' is unverified.")
        return proof.skipped().label
    from outagecheck.routes.verdict import shares_fate  # noqa: PLC0415  # --to only

    failing = _failing_surfaces(config) if shares_fate(route) else frozenset()
    found = proof.before(route, environ, timeout_s=cfg.timeout, slow_s=cfg.slow, failing=failing)
    assert found.result is not None
    result = found.result
    _out(f"Proof: route '{route.name}' is {result.status.value}" + (f" ({result.detail})" if result.detail else ""))
    if found.problems and not force:
        for problem in found.problems[1:]:
            print_error(problem)
        raise ConfigError(f"{found.problems[0]}; nothing written (--force writes it anyway, labelled forced)")
    for problem in found.problems:
        _out(f"Forced past: {problem}")
    return found.label


def _auto(cfg: Config, config: Path | None, environ: Mapping[str, str], *, force: bool) -> tuple[str, str]:
    """`--to auto`: the best route with nothing against it, and why; refused (78) when none, unless --force."""
    from outagecheck.fallback import proof  # noqa: PLC0415  # --to only
    from outagecheck.routes.verdict import shares_fate  # noqa: PLC0415  # --to only

    if not cfg.routes:
        raise ConfigError("--to auto: the config has no [[routes]] to choose from")
    fate = any(shares_fate(r) for r in cfg.routes)
    failing = _failing_surfaces(config) if fate else frozenset()
    ranked, best = proof.choose(cfg.routes, environ, timeout_s=cfg.timeout, slow_s=cfg.slow, failing=failing)
    for result, problems in ranked:
        why = "; ".join(problems) or f"usable, {result.status.value}, priority {result.route.priority}"
        _out(f"  {result.route.name} ({result.route.kind.value}): {why}")
    if best is not None:
        _out(f"Chosen: route '{best.route.name}' (the best usable route, by the order above).")
        return best.route.name, "verified"
    if not force or not ranked:
        raise ConfigError("--to auto: no route is usable now (each one's reason is above); nothing written")
    _out(f"Chosen: route '{ranked[0][0].route.name}' (forced: no route is usable now).")
    return ranked[0][0].route.name, "forced"


def _failing_surfaces(config: Path | None) -> frozenset[str]:
    """The surfaces failing now, for a route that shares their fate: the same check as `status`."""
    from outagecheck.checks.run import CheckOptions, report_source  # noqa: PLC0415  # shared-fate routes only
    from outagecheck.fallback.journal import outstanding  # noqa: PLC0415  # checks/ reads no journal
    from outagecheck.model import Status  # noqa: PLC0415

    report = report_source(CheckOptions(config=config), os.environ, outstanding=outstanding)()
    return frozenset(s.id for s in report.surfaces if s.status in (Status.DOWN, Status.DEGRADED))
