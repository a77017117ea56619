"""Options shared by several commands, declared once; and the parsing of their values."""

from __future__ import annotations

import enum
import re
from pathlib import Path
from typing import Annotated

import typer

from outagecheck.errors import UsageError

EXIT_CODES_HELP = (
    "Exit codes: 0 every required surface operational; 1 the worst is degraded; "
    "2 a required surface is down; 3 unknown (could not tell), none down or degraded; "
    "64 usage error; 69 fallback written but the API route fails; 73 cannot write a file; "
    "78 configuration error; 130 interrupted."
)

RequireOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--require",
        "-r",
        metavar="ID",
        help="Only these surfaces decide the exit code (repeatable): web, code, api, gateway or a [surfaces.ID].",
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="PATH",
        help="Config file (default: $OUTAGECHECK_CONFIG, then the user config dir).",
    ),
]
TimeoutOpt = Annotated[
    float | None, typer.Option("--timeout", metavar="SECONDS", help="Deadline of one check (default 5).")
]
SlowOpt = Annotated[
    float | None, typer.Option("--slow", metavar="SECONDS", help="Slower than this is degraded (default 3).")
]
ReplayOpt = Annotated[
    str | None,
    typer.Option(
        "--replay",
        metavar="FILE|SCENARIO",
        help="Render a saved --json report or a bundled scenario (see 'outagecheck scenarios') "
        "instead of checking; no network. Default: $OUTAGECHECK_REPLAY.",
    ),
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Write without asking.")]


class Format(enum.StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    nagios = "nagios"


FormatOpt = Annotated[
    Format | None,
    typer.Option("--format", "-f", case_sensitive=False, help="Output: table (default), json, markdown, nagios."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Same as --format json (schema_version 1).")]


def output_format(fmt: Format | None, json_out: bool) -> str:
    """Reconcile --format and --json into one format name."""
    if json_out and fmt not in (None, Format.json):
        raise UsageError(f"--json and --format {fmt.value if fmt else ''} disagree; use one")
    return "json" if json_out else (fmt.value if fmt else "table")


def parse_duration(text: str) -> float:
    """'90', '90s', '10m', '1h30m' -> seconds; at most 7 days."""
    match = re.fullmatch(r"\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+(?:\.\d+)?)s?)?\s*", text)
    if not text.strip() or match is None or not any(match.groups()):
        raise UsageError(f"--max-wait: '{text}' is not a duration (like 90s, 10m or 1h30m)")
    hours, minutes, seconds = match.groups()
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
    if not 0 < total <= 7 * 86400:
        raise UsageError(f"--max-wait must be more than 0 and at most 7 days, got '{text}'")
    return total
