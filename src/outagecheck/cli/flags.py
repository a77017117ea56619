"""The options of `status` and `wait` as data, and a parser for them that needs no typer.

typer's declarations (cli/options.py) are built from these same Flag objects, so the names, metavars
and help cannot drift; tests/cli/test_flags.py parses the same command lines both ways and compares.
The parser answers only what it is sure of: anything unusual (an unknown flag, a positional argument,
`--`, a value that does not convert) returns None and the command line goes to typer, which gives the
proper usage error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal


@dataclass(frozen=True)
class Flag:
    """One option: its destination (the command's parameter name), names, and how its value is read."""

    dest: str
    names: tuple[str, ...]
    kind: Literal["value", "repeat", "switch"]
    help: str
    metavar: str | None = None
    convert: Callable[[str], Any] = str
    choices: tuple[str, ...] = field(default=())  # case-insensitive, as typer's case_sensitive=False


FORMATS = ("table", "json", "markdown", "nagios", "prometheus")
FAIL_ON_LEVELS = ("down", "degraded", "unknown", "never")  # model.FailOn's values

FORMAT = Flag(
    "fmt",
    ("--format", "-f"),
    "value",
    "Output: table (default), json, markdown, nagios, prometheus.",
    choices=FORMATS,
)
FAIL_ON = Flag(
    "fail_on",
    ("--fail-on",),
    "value",
    "Exit non-zero only for a verdict at least this bad: down, degraded, unknown (the default mapping) "
    "or never (always 0 after reporting). Default: $OUTAGECHECK_FAIL_ON.",
    choices=FAIL_ON_LEVELS,
)
OUTPUT = Flag(
    "output",
    ("--output", "-o"),
    "value",
    "Write the report to FILE atomically instead of stdout (not with the table), "
    "e.g. for node_exporter's textfile collector.",
    "FILE",
    Path,
)
JSON = Flag("json_out", ("--json",), "switch", "Same as --format json (schema_version 1).")
REQUIRE = Flag(
    "require",
    ("--require", "-r"),
    "repeat",
    "Only these surfaces decide the exit code (repeatable): web, code, api, gateway or a [surfaces.ID].",
    "ID",
)
TIMEOUT = Flag("timeout", ("--timeout",), "value", "Deadline of one check (default 5).", "SECONDS", float)
SLOW = Flag("slow", ("--slow",), "value", "Slower than this is degraded (default 3).", "SECONDS", float)
CONFIG = Flag(
    "config",
    ("--config",),
    "value",
    "Config file (default: $OUTAGECHECK_CONFIG, then the user config dir).",
    "PATH",
    Path,
)
REPLAY = Flag(
    "replay",
    ("--replay",),
    "value",
    "Render a saved --json report or a bundled scenario (see 'outagecheck scenarios') "
    "instead of checking; no network. Default: $OUTAGECHECK_REPLAY.",
    "FILE|SCENARIO",
)
VERBOSE = Flag("verbose", ("--verbose", "-v"), "switch", "Show every check behind the table.")
MAX_WAIT = Flag("max_wait", ("--max-wait",), "value", "Give up after this long: 90s, 10m, 1h30m.", "DURATION")
WAIT_INTERVAL = Flag("interval", ("--interval",), "value", "Between checks, at least 1.", "SECONDS", float)

ON_CHANGE = Flag(
    "on_change",
    ("--on-change",),
    "value",
    "Run CMD (sh -c) once per announced change: report JSON on stdin, OUTAGECHECK_SURFACE, "
    "OUTAGECHECK_OLD, OUTAGECHECK_NEW, OUTAGECHECK_REASON in its environment; killed after 10 s.",
    "CMD",
)
WEBHOOK = Flag(
    "webhook",
    ("--webhook",),
    "repeat",
    "POST a Slack/Discord-compatible message per change (repeatable; never printed): the URL, env:VAR or "
    "file:PATH (keeps it out of ps).",
    "URL",
)
NOTIFY = Flag("notify", ("--notify",), "switch", "Desktop notification per change (notify-send, osascript).")
FAIL_AFTER = Flag(
    "fail_after", ("--fail-after",), "value", "Announce a failure after N checks in a row agree.", "N", int
)
RECOVER_AFTER = Flag(
    "recover_after",
    ("--recover-after",),
    "value",
    "Announce a recovery after M good checks in a row (default 1; 3 for reverting a fallback).",
    "M",
    int,
)
THEN_REVERT = Flag(
    "then_revert",
    ("--then-revert",),
    "switch",
    "Once web and code are operational for --recover-after checks (default 3), run 'fallback revert --yes', then exit.",
)
DEEP = Flag(
    "deep",
    ("--deep",),
    "switch",
    "Also send one POST /v1/messages per model (per check) with ANTHROPIC_API_KEY (1 output token, a fraction "
    "of a cent; never on by default): tells billing_limit, model_not_found, overloaded, permission and auth apart.",
)
MODEL = Flag(
    "model",
    ("--model",),
    "repeat",
    "Model for --deep (repeatable; default claude-haiku-4-5); also shows only the incidents about these "
    "models (or about none).",
    "M",
)
HOOKS = (ON_CHANGE, WEBHOOK, NOTIFY, FAIL_AFTER, RECOVER_AFTER)

# The flags each fast-path command understands; any other goes to typer.
STATUS = (FORMAT, JSON, REQUIRE, TIMEOUT, SLOW, CONFIG, VERBOSE, REPLAY, FAIL_ON, OUTPUT, DEEP, MODEL)
WAIT = (
    REQUIRE,
    MAX_WAIT,
    WAIT_INTERVAL,
    TIMEOUT,
    SLOW,
    CONFIG,
    FORMAT,
    JSON,
    REPLAY,
    FAIL_ON,
    OUTPUT,
    *HOOKS,
    THEN_REVERT,
    DEEP,
    MODEL,
)


def parse(argv: Sequence[str], flags: Sequence[Flag]) -> dict[str, Any] | None:
    """Parse options as click does (`--name value`, `--name=value`, `-n value`, `-nvalue`; the last
    value of a single option wins); None when the command line is anything else."""
    by_name = {name: flag for flag in flags for name in flag.names}
    found: dict[str, Any] = {}
    args = list(argv)
    while args:
        arg = args.pop(0)
        name, value = arg, None
        if arg.startswith("--") and "=" in arg:
            name, value = arg.split("=", 1)
        elif arg.startswith("-") and not arg.startswith("--") and len(arg) > 2:
            name, value = arg[:2], arg[2:]
        flag = by_name.get(name)
        if flag is None:
            return None  # a positional, `--`, `-`, or a flag this table does not know
        if flag.kind == "switch":
            if value is not None:
                return None
            found[flag.dest] = True
            continue
        if value is None:
            if not args:
                return None
            value = args.pop(0)
        try:
            converted = _convert(flag, value)
        except ValueError:
            return None
        if flag.kind == "repeat":
            found.setdefault(flag.dest, []).append(converted)
        else:
            found[flag.dest] = converted
    return found


def _convert(flag: Flag, value: str) -> Any:
    if flag.choices:
        lowered = value.lower()
        if lowered not in flag.choices:
            raise ValueError(value)
        return lowered
    return flag.convert(value)


# What checks/early.py needs of `watch` (typer parses the rest of it): the options that pick its targets.
WATCH_EARLY = (
    Flag("interval", ("--interval",), "value", ""),
    Flag("count", ("--count",), "value", ""),
    Flag("revert", ("--revert-when-back",), "switch", ""),
    REQUIRE, TIMEOUT, SLOW, CONFIG, REPLAY, *HOOKS, DEEP, MODEL,
)  # fmt: skip


def early_options(argv: Sequence[str]) -> dict[str, Any] | None:
    """The options of `status`, `wait` or `watch` for checks/early.py; None for anything else or unparsable."""
    table = {"status": STATUS, "wait": WAIT, "watch": WATCH_EARLY}.get(argv[0]) if argv else None
    return parse(argv[1:], table) if table is not None else None
