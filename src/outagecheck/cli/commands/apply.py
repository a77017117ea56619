"""`outagecheck fallback apply TARGET`: switch a config to the raw API, safely and reversibly."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from outagecheck.cli.ask import confirm
from outagecheck.cli.commands.fallback import group_options, out, warn_running
from outagecheck.cli.parse import Options
from outagecheck.errors import UsageError, print_error
from outagecheck.model import ExitCode
from outagecheck.routes.settings import working_dir

if TYPE_CHECKING:
    from pathlib import Path


def run(opts: Options) -> int:
    """Switch a config to the raw API: shows a diff, asks, backs up, writes atomically, then verifies."""
    group = group_options(opts, "apply", takes=("scope", "config"))
    scope, config, target = group.get("scope", opts.scope), group.get("config", opts.config), opts.target
    from outagecheck import config as config_file  # noqa: PLC0415  # fallback commands only
    from outagecheck.fallback import apply as applying  # noqa: PLC0415  # fallback commands only
    from outagecheck.fallback import transaction  # noqa: PLC0415  # fallback commands only

    cfg = config_file.load(config)
    if (cwd := working_dir()) is None:  # Path.cwd() raises: which project's settings would be read and written?
        raise UsageError(
            "the current directory no longer exists: cd to an existing directory (the project you run claude in) "
            "and run it again"
        )
    if opts.to not in (None, "api"):  # a configured route: cli/fallback_route.py
        from outagecheck.cli.fallback_route import apply_route  # noqa: PLC0415  # --to only

        how = (opts.dry_run, opts.yes, opts.force, opts.no_verify)
        from outagecheck.fallback.journal import pending  # noqa: PLC0415  # fallback commands only

        journaled = len(pending()) if opts.until_recovered else 0
        code = apply_route(target, opts.to, cfg, config, (scope, cwd), opts.key_command, *how)
        if opts.until_recovered and len(pending()) > journaled:  # written (not a dry run, a no, nothing to do)
            _watch(config)
        return code
    proposal = applying.propose(target, cfg, os.environ, cwd, scope=scope, key_command=opts.key_command)
    for warning in proposal.warnings:
        out(f"Warning: {warning}")
    if not proposal.planned:
        out(f"Nothing to do: {target} already uses the API route.")
        return 0
    for change in proposal.planned:
        sys.stdout.write(change.diff())
    # Only the edits go on: the files are read again under the lock, and a big file's bytes are not held twice.
    edits, helper = [change.edit for change in proposal.planned], proposal.helper
    del proposal, change
    if opts.dry_run:
        out("Dry run: nothing written.")
        return 0
    if not confirm(opts.yes, "Write these changes?"):
        out("Nothing written.")
        return 0
    warn_running()
    for e in transaction.write_planned(target, edits, force=opts.force):
        out(f"Wrote {e.path}" + (f" (backup: {e.backup})" if e.backup else " (new file)"))
    out(f"Undo with: outagecheck fallback revert {target}")
    if helper is not None and not _verified(helper, cfg.endpoints["api"], cfg.timeout, target):
        return int(ExitCode.UNAVAILABLE)
    if opts.until_recovered:
        _watch(config)
    return 0


def _watch(config: Path | None) -> None:
    """--until-recovered: start the watcher for what the fallback replaced, or say in one line why not."""
    from outagecheck.fallback import watcher  # noqa: PLC0415  # --until-recovered only

    back = watcher.condition()
    if isinstance(back, str):
        out(f"Not watching: {back}; revert by hand once it is: outagecheck fallback revert")
        return
    for line in watcher.start(config, back)[1]:
        out(line)


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
    out("Verified: " + message)
    return True
