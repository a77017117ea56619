"""`outagecheck statusline` through typer (`outagecheck --help`, completion, in-process callers): the same
command the console script answers before typer loads (__main__.py), with its own parser (cli/statusline.py)."""

from __future__ import annotations

from outagecheck.cli.parse import Options


def run(opts: Options) -> int:
    """One short line for Claude Code's statusLine, from the cache."""
    from outagecheck.cli.statusline import main  # noqa: PLC0415  # the fast path's own parser

    return main(list(opts.args))
