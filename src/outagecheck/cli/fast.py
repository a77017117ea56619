"""The fast path: `status` and `wait` command lines parsed without typer, so the requests go out sooner.

Whatever the table in cli/flags.py does not cover (other commands, --help, unknown or malformed
options) returns None, and __main__ hands the command line to typer as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from outagecheck.cli import commands, flags
from outagecheck.errors import OutagecheckError, announce

COMMANDS: dict[str, tuple[tuple[flags.Flag, ...], Callable[..., int]]] = {
    "status": (flags.STATUS, commands.status),
    "wait": (flags.WAIT, commands.wait),
}


def run(argv: Sequence[str]) -> int | None:
    """Run `status …` or `wait …` and return the exit code; None when typer should handle argv."""
    if not argv or argv[0] not in COMMANDS:
        return None
    table, body = COMMANDS[argv[0]]
    parsed: dict[str, Any] | None = flags.parse(argv[1:], table)
    if parsed is None:
        return None
    try:
        return body(**parsed)
    except OutagecheckError as e:  # the same mapping as the command group's (cli/app.py)
        return announce(e)
    # Ctrl-C goes up to __main__, which says "interrupted" and exits 130 for every path.
