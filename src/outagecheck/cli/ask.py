"""The one yes/no question the commands ask (fallback apply and revert), through typer's prompt."""

from __future__ import annotations

import sys

import typer

from outagecheck.errors import UsageError


def confirm(yes: bool, question: str) -> bool:
    """True to go on: --yes, or the user said yes; a usage error when no one can answer."""
    if yes:
        return True
    if sys.stdin is None or sys.stdin.closed:  # `<&-`: click's prompt would crash on a missing stdin
        raise UsageError(f"no answer to '{question}': pass --yes to write without asking")
    try:
        return typer.confirm(question, default=False)
    except typer.Abort:
        raise UsageError(f"no answer to '{question}': pass --yes to write without asking") from None
