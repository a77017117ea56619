"""`outagecheck statusline`, answered before typer, rich or httpx load (see __main__.py): cache in, one line out.

Claude Code runs the command on every prompt update, pipes a JSON description of the session to its
stdin, and shows the first line of its stdout (https://code.claude.com/docs/en/statusline). We need
nothing from that JSON: it is read (so the writer never sees a broken pipe) only when it is already
there, and never waited for.
"""

from __future__ import annotations

import os
import stat
import sys
import time

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms); mypy reads the name

if TYPE_CHECKING:
    from collections.abc import Mapping

USAGE_HEAD = """\
Usage: outagecheck statusline [--ttl SECONDS] [--config PATH]

  One short line for Claude Code's statusLine setting, from the cache of the last check
  ($XDG_CACHE_HOME/outagecheck/statusline.json). When the cache is older than --ttl (default 60),
  one detached `outagecheck status --json` refreshes it and the line is marked "(stale ...)".
  In ~/.claude/settings.json:
    "statusLine": {"type": "command", "command": "outagecheck statusline"}

Options:
"""
STDIN_CAP = 256 * 1024
# cli/spec.py's --ttl default (a test holds them equal): the usual `outagecheck statusline`, with no option,
# loads neither the spec nor its parser (~2 ms of a ~30 ms line, run on every prompt update).
DEFAULT_TTL_S = 60.0


def usage() -> str:
    """The help text: its option lines from cli/spec.py."""
    from outagecheck.cli.spec import STATUSLINE  # noqa: PLC0415  # os and sys only; not on the usual path

    rows = [(f"{opt.names[0]} {opt.metavar}", opt.help) for opt in STATUSLINE]
    rows.append(("-h, --help", "Show this message and exit."))
    return USAGE_HEAD + "".join(f"  {left:<16}{text}\n" for left, text in rows)


def _usage_error(message: str) -> int:
    sys.stderr.write(f"outagecheck: error: {message} (run 'outagecheck statusline --help' for usage)\n")
    return 64  # ExitCode.USAGE; model.py is not imported on this path (enum alone costs milliseconds)


def _parse(argv: list[str]) -> tuple[float, str | None] | str:
    """(ttl, config) from the arguments through cli/parse.py over the spec, or the one-line error message."""
    if not argv:
        return DEFAULT_TTL_S, None
    from outagecheck.cli.parse import parse, problem  # noqa: PLC0415  # os and the spec only
    from outagecheck.cli.spec import STATUSLINE, TTL  # noqa: PLC0415  # imports nothing

    if (message := problem(argv, STATUSLINE)) is not None:
        return message
    found = parse(argv, STATUSLINE) or {}
    config = found.get("config")
    # An absolute path: the refresh may run from another directory one day.
    return found.get("ttl", TTL.default), None if config is None else os.path.abspath(config)


def drain_stdin(fd: int = 0) -> bytes:
    """Whatever Claude Code already wrote to stdin (capped); b'' for a terminal, nothing yet, or no stdin."""
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISREG(mode):
            return os.read(fd, STDIN_CAP)
        if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
            import select  # noqa: PLC0415  # a pipe only; a terminal is never read

            if select.select([fd], [], [], 0)[0]:
                return os.read(fd, STDIN_CAP)
    except (OSError, ValueError):
        pass
    return b""


def main(argv: list[str], environ: Mapping[str, str] = os.environ) -> int:
    """Print the status line; start a background refresh when the cache is stale or missing."""
    if "-h" in argv or "--help" in argv:
        sys.stdout.write(usage())
        return 0
    parsed = _parse(argv)
    if isinstance(parsed, str):
        return _usage_error(parsed)
    ttl, config = parsed
    drain_stdin()
    from outagecheck.cli import cache  # noqa: PLC0415  # after the options are valid
    from outagecheck.output.statusline import line  # noqa: PLC0415  # after the options are valid

    directory = cache.cache_dir(environ)
    from outagecheck.private import dir_problem  # noqa: PLC0415  # after the options are valid

    if problem := dir_problem(directory):  # another user's cache dir, or one others can write: not read
        sys.stdout.write(f"outagecheck: {problem}\n")
        return 78  # ExitCode.CONFIG (model.py is not imported on this path)
    found = cache.read(directory)
    doc, age = found if found is not None else (None, 0.0)
    if doc is None or age > ttl:
        cache.start_refresh(directory, ["--config", config] if config else [])
    colour = not environ.get("NO_COLOR")  # https://no-color.org: set and not empty
    sys.stdout.write(line(doc, age_s=age, ttl_s=ttl, now=time.time(), colour=colour) + "\n")
    return 0
