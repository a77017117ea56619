"""Every option and every command of the CLI, declared once: the one source both parsers and the help read.

An option is one `Option(...)` line (names, kind, type, default, bounds, choices, environment variable,
config key, metavar, help); a command is one `Command(...)` entry naming its module under cli/commands/
and its options in help order. cli/parse.py reads this table without typer (the fast paths) and cli/app.py
builds typer's commands and parameters from it; tests/cli/test_parse.py runs one argv table through both.
Imports nothing beyond os, sys and the kernel's durations.py (which loads nothing): __main__ reads it before
anything heavy loads.
"""

from __future__ import annotations

from outagecheck.durations import MAX_CHECK_S

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy reads the name
if TYPE_CHECKING:
    from typing import Any

REQUIRED = "<required>"  # the default of an argument that must be given


class Option:
    """One option or argument.

    kind: "value" (`--name V`), "repeat" (a value, repeatable: a tuple), "switch" (a flag), "argument"
    (positional), "arguments" (positional, any number: a tuple). type: "str", "float", "int", "path" (a pathlib.Path) or "duration" (`90s`, `1h30m`:
    seconds once validated). bounds: (low, high), inclusive unless low_open. env: the variable read when
    the option is not given; env_reader names who reads it when that is not the parser, and why. completes:
    what the shells complete its values from, when not its choices ("required": the surface ids and routes
    of the config the command line names, cli/app.py).
    """

    __slots__ = (
        "bounds", "case_sensitive", "choices", "completes", "config_key", "default", "dest", "env", "env_reader",
        "help", "kind", "low_open", "metavar", "names", "type",
    )  # fmt: skip

    def __init__(
        self,
        dest: str,
        names: tuple[str, ...],
        help: str,
        *,
        kind: str = "value",
        type: str = "str",
        default: Any = None,
        bounds: tuple[float, float] | None = None,
        low_open: bool = False,
        choices: tuple[str, ...] = (),
        case_sensitive: bool = False,
        env: str | None = None,
        env_reader: str | None = None,
        config_key: str | None = None,
        metavar: str | None = None,
        completes: str | None = None,
    ) -> None:
        self.dest, self.names, self.help, self.kind, self.type = dest, names, help, kind, type
        self.default = False if kind == "switch" else default
        self.bounds, self.low_open, self.choices = bounds, low_open, choices
        self.case_sensitive, self.env, self.env_reader, self.config_key = case_sensitive, env, env_reader, config_key
        self.metavar, self.completes = metavar, completes

    def __repr__(self) -> str:
        return f"Option({self.dest!r})"


class Command:
    """One command: its path ("fallback apply"), the module under cli/commands/ whose run(opts) answers it
    (None: a group that only holds subcommands), its options in help order, and its help."""

    __slots__ = ("context_settings", "epilog", "fast", "group", "help", "module", "options", "path")

    def __init__(
        self,
        path: str,
        module: str | None,
        help: str,
        options: tuple[Option, ...] = (),
        *,
        epilog: str | None = None,
        fast: bool = False,
        group: bool = False,
        context_settings: dict[str, Any] | None = None,
    ) -> None:
        self.path, self.module, self.help, self.options, self.epilog = path, module, help, options, epilog
        self.fast, self.group, self.context_settings = fast, group, context_settings

    def __repr__(self) -> str:
        return f"Command({self.path!r})"


EXIT_CODES_HELP = (
    "Exit codes: 0 every required surface operational; 1 the worst is degraded; "
    "2 a required surface is down; 3 unknown (could not tell), none down or degraded; "
    "64 usage error; 69 fallback written but the API route fails; 70 internal error (please report it); "
    "73 cannot write a file; 74 cannot write the report (stdout closed or full); 78 configuration error; "
    "130 interrupted."
)
ROOT_HELP = "Triage a Claude outage: which surface is down, and how to fall back to the raw API."
MAX_TTL_S = 86400.0  # statusline --ttl: a day
FORMATS = ("table", "json", "markdown", "nagios", "prometheus")
FAIL_ON_LEVELS = ("down", "degraded", "unknown", "never")  # model.FailOn's values, in its order

# One option, one line (pyproject.toml lets this file's lines run long).
# fmt: off
# -- the checks: what status, wait and watch check ---------------------------------------------------------
REQUIRE = Option("require", ("--require", "-r"), "Only these surfaces decide the exit code (repeatable): web, code, api, gateway, a [surfaces.ID], or route:NAME for a [[routes]] entry.", kind="repeat", metavar="ID", completes="required")
TIMEOUT = Option("timeout", ("--timeout",), "Deadline of one check (default 5).", type="float", bounds=(0, MAX_CHECK_S), low_open=True, config_key="timeout", metavar="SECONDS")
SLOW = Option("slow", ("--slow",), "Slower than this is degraded (default 3).", type="float", bounds=(0, MAX_CHECK_S), low_open=True, config_key="slow", metavar="SECONDS")
CONFIG = Option("config", ("--config",), "Config file (default: $OUTAGECHECK_CONFIG, then the user config dir).", type="path", env="OUTAGECHECK_CONFIG", env_reader="config.config_path: `config init` treats a path given by either as explicit", metavar="PATH")
REPLAY = Option("replay", ("--replay",), "Render a saved --json report or a bundled scenario (see 'outagecheck scenarios') instead of checking; no network. Default: $OUTAGECHECK_REPLAY.", env="OUTAGECHECK_REPLAY", env_reader="checks/replay.resolve: the Report says the drill came from the environment", metavar="FILE|SCENARIO")
DEEP = Option("deep", ("--deep",), "Also send one POST /v1/messages per model (per check) with ANTHROPIC_API_KEY (1 output token, a fraction of a cent; never on by default): tells billing_limit, model_not_found, overloaded, permission and auth apart.", kind="switch")
MODEL = Option("model", ("--model",), "Model for --deep (repeatable; default claude-haiku-4-5); also shows only the incidents about these models (or about none).", kind="repeat", metavar="M")
CHECKS = (REQUIRE, TIMEOUT, SLOW, CONFIG, REPLAY, DEEP, MODEL)

# -- the report: how status and wait show it, and what exit code it means ----------------------------------
FORMAT = Option("fmt", ("--format", "-f"), "Output: table (default), json, markdown, nagios, prometheus.", choices=FORMATS)
JSON = Option("json_out", ("--json",), "Same as --format json (schema_version 1).", kind="switch")
FAIL_ON = Option("fail_on", ("--fail-on",), "Exit non-zero only for a verdict at least this bad: down, degraded, unknown (the default mapping) or never (always 0 after reporting). Default: $OUTAGECHECK_FAIL_ON.", choices=FAIL_ON_LEVELS, env="OUTAGECHECK_FAIL_ON")
OUTPUT = Option("output", ("--output", "-o"), "Write the report to FILE atomically instead of stdout (not with the table), e.g. for node_exporter's textfile collector.", type="path", metavar="FILE")
VERBOSE = Option("verbose", ("--verbose", "-v"), "Show every check behind the table.", kind="switch")
REPORT = (FORMAT, JSON, FAIL_ON, OUTPUT)

# -- the hooks: what wait and watch do with each report -----------------------------------------------------
ON_CHANGE = Option("on_change", ("--on-change",), "Run CMD (sh -c) once per announced change: report JSON on stdin, OUTAGECHECK_SURFACE, OUTAGECHECK_OLD, OUTAGECHECK_NEW, OUTAGECHECK_REASON in its environment; killed after 10 s.", metavar="CMD")
WEBHOOK = Option("webhook", ("--webhook",), "POST a Slack/Discord-compatible message per change (repeatable; never printed): the URL, env:VAR or file:PATH (keeps it out of ps).", kind="repeat", metavar="URL")
NOTIFY = Option("notify", ("--notify",), "Desktop notification per change (notify-send, osascript).", kind="switch")
FAIL_AFTER = Option("fail_after", ("--fail-after",), "Announce a failure after N checks in a row agree.", type="int", default=1, bounds=(1, 1000), metavar="N")
RECOVER_AFTER = Option("recover_after", ("--recover-after",), "Announce a recovery after M good checks in a row (default 1; 3 for reverting a fallback).", type="int", bounds=(1, 1000), metavar="M")
HOOKS = (ON_CHANGE, WEBHOOK, NOTIFY, FAIL_AFTER, RECOVER_AFTER)

# -- one command's own -------------------------------------------------------------------------------------
MAX_WAIT = Option("max_wait", ("--max-wait",), "Give up after this long: 90s, 10m, 1h30m.", type="duration", default="10m", metavar="DURATION")
WAIT_INTERVAL = Option("interval", ("--interval",), "Between checks, at least 1.", type="float", default=10.0, bounds=(1, 3600), metavar="SECONDS")
THEN_REVERT = Option("then_revert", ("--then-revert",), "Once what the fallback replaced (web and code; api or route:NAME for a --to switch from them) is operational for --recover-after checks (default 3), run 'fallback revert --yes', then exit.", kind="switch")
WATCH_INTERVAL = Option("interval", ("--interval",), "Between checks, at least 5.", type="float", default=30.0, bounds=(5, 3600), metavar="SECONDS")
COUNT = Option("count", ("--count",), "Stop after N checks (default: until Ctrl-C).", type="int", bounds=(1, 1_000_000), metavar="N")
REVERT_WHEN_BACK = Option("revert_when_back", ("--revert-when-back",), "Once what the fallback replaced (web and code; api or route:NAME for a --to switch from them) is operational for --recover-after checks (default 3), run 'fallback revert --yes' and keep watching.", kind="switch")
SHELL = Option("shell", (), "bash, zsh or fish.", kind="argument", choices=("bash", "zsh", "fish"), default=REQUIRED)
SCOPE = Option("scope", ("--scope",), "user: ~/.claude/settings.json; local: this project's .claude/settings.local.json.", choices=("user", "local"), case_sensitive=True, default="user")
TARGET = Option("target", (), "claude-code, or a [[fallback.targets]] name from the config.", kind="argument", default=REQUIRED)
KEY_COMMAND = Option("key_command", ("--key-command",), "A command that prints the key (e.g. a password manager).", metavar="CMD")
DRY_RUN = Option("dry_run", ("--dry-run",), "Show the diff; write nothing.", kind="switch")
YES = Option("yes", ("--yes", "-y"), "Write without asking.", kind="switch")
UNTIL_RECOVERED = Option("until_recovered", ("--until-recovered",), "Start a detached 'wait --then-revert' that reverts it once what it replaced is back (the login, the API or a route).", kind="switch")
FORCE_WRITE = Option("force", ("--force",), "Write a read-only file or directory anyway.", kind="switch")
TO = Option("to", ("--to",), "claude-code: a [[routes]] name, auto (the best usable) or api (default).", metavar="ROUTE")
NO_VERIFY = Option("no_verify", ("--no-verify",), "--to: write without the proof; says unverified.", kind="switch")
NAME = Option("name", (), "Target to revert; all outstanding without it.", kind="argument")
YES_REVERT = Option("yes", ("--yes", "-y"), "Revert without asking.", kind="switch")
FORCE_INIT = Option("force", ("--force",), "Overwrite an existing file.", kind="switch")
ROUTES_JSON = Option("json_out", ("--json",), "Print JSON (its shape is in the README).", kind="switch")
ROUTE_NAMES = Option("names", (), "Check only these routes (default: every one).", kind="arguments", metavar="[NAME]...")
ROUTES_FORMAT = Option("fmt", ("--format", "-f"), "table, json, nagios or prometheus.", choices=("table", "json", "nagios", "prometheus"), metavar="FORMAT")
TTL = Option("ttl", ("--ttl",), "Refresh the cache when it is older than this (default 60, at least 5).", type="float", default=60.0, bounds=(5, MAX_TTL_S), metavar="SECONDS")
STATUSLINE_CONFIG = Option("config", ("--config",), "Config file for the refresh's check (default: as for status).", metavar="PATH")
ROUTES_DEEP = Option("deep", ("--deep",), "Also send one paid 1-token message per pinned model (who pays is printed first).", kind="switch")
# fmt: on

WAIT_HELP = """Block until the required surfaces are operational (exit 0), or give up after --max-wait (exit 2).

Progress goes to stderr, the last report to stdout. For example:

\b
  outagecheck wait --require api --max-wait 10m && run-job

With --fail-on, giving up exits as `status --fail-on` would for the last report."""
WATCH_HELP = """Re-check on a timer: a live table on a terminal, one line per change otherwise. Ctrl-C stops it.

The status page is read at most once a minute, whatever the interval."""
COMPLETION_HELP = """Print the completion script for a shell; the README shows where each shell looks for it.

outagecheck completion fish > ~/.config/fish/completions/outagecheck.fish"""

# The command table, in help order: a command is one entry here plus its module under cli/commands/.
# fast: answered by cli/parse.py without typer when the whole command line is one the spec reads.
# fmt: off
TABLE = (
    Command("status", "status", "Check Claude.ai, Claude Code and the Claude API in parallel and print what is down.", (FORMAT, JSON, REQUIRE, TIMEOUT, SLOW, CONFIG, VERBOSE, REPLAY, FAIL_ON, OUTPUT, DEEP, MODEL), epilog=EXIT_CODES_HELP, fast=True),
    Command("wait", "wait", WAIT_HELP, (REQUIRE, MAX_WAIT, WAIT_INTERVAL, TIMEOUT, SLOW, CONFIG, FORMAT, JSON, REPLAY, FAIL_ON, OUTPUT, *HOOKS, THEN_REVERT, DEEP, MODEL), epilog=EXIT_CODES_HELP, fast=True),
    Command("watch", "watch", WATCH_HELP, (WATCH_INTERVAL, REQUIRE, TIMEOUT, SLOW, CONFIG, COUNT, REPLAY, *HOOKS, REVERT_WHEN_BACK, DEEP, MODEL), epilog=EXIT_CODES_HELP),
    Command("scenarios", "scenarios", "List the bundled outage scenarios for --replay (outage drills without the network)."),
    Command("schema", "schema", "Print the JSON Schema (draft 2020-12) of the --json report, schema_version 1."),
    Command("completion", "completion", COMPLETION_HELP, (SHELL,)),
    # Answered before typer loads (__main__.py): typer hands its command line over whole, and cli/statusline.py
    # reads it with cli/parse.py over STATUSLINE, so both ways in give the same messages byte for byte.
    Command("statusline", "statusline", "One short line for Claude Code's statusLine, from a cache (see 'outagecheck statusline --help').", context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}),
    Command("fallback", "fallback", "How to get around a login outage on this machine, and a safe, reversible switch to the raw API.", (SCOPE, CONFIG), group=True),
    Command("fallback apply", "apply", "Switch a config to the raw API: shows a diff, asks, backs up, writes atomically, then verifies.", (TARGET, SCOPE, KEY_COMMAND, DRY_RUN, YES, CONFIG, UNTIL_RECOVERED, FORCE_WRITE, TO, NO_VERIFY)),
    Command("fallback revert", "revert", "Undo what apply changed, and nothing else.", (NAME, YES_REVERT)),
    Command("config", None, "Create the config file, or show the settings in effect.", group=True),
    Command("config init", "config_init", "Write a commented starter config (refuses to overwrite without --force).", (CONFIG, FORCE_INIT)),
    Command("config show", "config_show", "Print the settings in effect, as TOML, and the file they came from.", (CONFIG,)),
    Command("routes", "routes", "The ways this machine can reach Claude: your [[routes]] and the route Claude Code uses now.", (ROUTES_JSON, CONFIG), group=True),
    Command("routes check", "routes_check", "Check every route for free, in parallel under one deadline: up, usable from here, who pays.", (ROUTE_NAMES, JSON, ROUTES_FORMAT, TIMEOUT, ROUTES_DEEP, CONFIG), epilog="Exit codes as `status`: 0 every route operational, 1 degraded, 2 down, 3 unknown."),
)
# fmt: on
STATUSLINE = (TTL, STATUSLINE_CONFIG)  # statusline's options: not typer parameters (see its row above)
COMMANDS = {command.path: command for command in TABLE}
