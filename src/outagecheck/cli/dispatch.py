"""Run a command from its spec entry: validate its values, call its module's run(opts), and map an
OutagecheckError to its exit code, the one place that does. Both ways in arrive here: the fast path
(`fast`, no typer) and typer's generated commands (cli/app.py)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any

from outagecheck.cli.parse import options, parse
from outagecheck.cli.spec import COMMANDS
from outagecheck.errors import OutagecheckError, announce


def run(
    path: str,
    values: Mapping[str, Any],
    *,
    given: Sequence[str] | None = None,
    group: Mapping[str, Any] | None = None,
    args: Sequence[str] = (),
) -> int:
    """Run the command at `path` ("fallback apply") with the values a parser read; its exit code."""
    command = COMMANDS[path]
    try:
        opts = options(path, values, given=given, group=group, args=args)
        module = importlib.import_module(f"outagecheck.cli.commands.{command.module}")
        return int(module.run(opts))
    except OutagecheckError as e:
        return announce(e)  # its one line; Ctrl-C goes up to __main__, which says "interrupted" and exits 130


def fast(argv: Sequence[str]) -> int | None:
    """Run a fast command (spec: fast=True) parsed without typer; None when typer should handle argv."""
    command = COMMANDS.get(argv[0]) if argv else None
    if command is None or not command.fast:
        return None
    values = parse(argv[1:], command.options)
    if values is None:
        return None
    return run(command.path, values)
