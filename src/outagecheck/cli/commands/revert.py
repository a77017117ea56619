"""`outagecheck fallback revert [NAME]`: undo what apply changed, and nothing else."""

from __future__ import annotations

from outagecheck.cli.ask import confirm
from outagecheck.cli.commands.fallback import group_options, out, warn_running
from outagecheck.cli.parse import Options
from outagecheck.errors import WriteError
from outagecheck.model import ExitCode


def run(opts: Options) -> int:
    """Undo what apply changed, and nothing else."""
    group_options(opts, "revert", takes=())
    from outagecheck.fallback import journal  # noqa: PLC0415  # fallback commands only
    from outagecheck.fallback import revert as reverting  # noqa: PLC0415  # fallback commands only

    name = opts.name
    pending = [e for e in journal.pending() if name is None or e.target == name]
    if not pending:
        reverting.tidy()  # a run killed before it journaled anything can still have left a temp file
        out("Nothing to revert." if name is None else f"Nothing to revert for {name}.")
        return 0
    for e in reversed(pending):
        out(f"Will revert {e.path} ({e.target}, applied {e.applied_at})")
    if not confirm(opts.yes, "Write these changes?"):
        out("Nothing reverted.")
        return 0
    warn_running()
    done, problems = reverting.revert(name)
    for r in done:
        out(f"{r.path}: {r.detail}")
    if problems:
        raise WriteError("could not revert everything: " + "; ".join(problems))
    return int(ExitCode.OK)
