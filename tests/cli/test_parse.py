"""The fast path's parser and typer read the same options the same way: both are built from cli/spec.py, and
one argv table runs through both (the parity test)."""

from __future__ import annotations

import ast
import enum
import importlib
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from outagecheck import config, durations
from outagecheck.checks.run import CheckOptions
from outagecheck.cli import hooks, parse, spec
from outagecheck.cli.app import _plain as app_plain
from outagecheck.cli.app import app
from outagecheck.errors import UsageError
from outagecheck.model import FailOn
from tests.helpers import invoke, run_entry

FAST = [c.path for c in spec.TABLE if c.fast]
PARSED = ["status", "wait", "watch"]  # the commands the parser reads for the fast path or checks/early.py
assert list(parse.EARLY) == PARSED


def _command(path: str) -> typer.core.TyperCommand | typer.core.TyperGroup:
    command: Any = typer.main.get_command(app)
    ctx = typer.Context(command)
    for name in path.split():
        ctx = typer.Context(command, parent=ctx)
        command = command.get_command(ctx, name)
    assert isinstance(command, typer.core.TyperCommand | typer.core.TyperGroup)
    return command


def _plain(value: Any) -> Any:
    """What the command body sees, whichever parser produced it: strings for choices and paths, no empty lists."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return "nan"  # nan != nan; both parsers must still agree on it
    if isinstance(value, list | tuple):
        return list(value) or None
    return value


def _typer_parse(name: str, argv: list[str]) -> dict[str, Any]:
    """The parameters typer would call the command with (click's own parser and conversions)."""
    params = _command(name).make_context(name, list(argv)).params
    if params.get("config") is not None:
        params["config"] = Path(params["config"])  # typer turns click's str into a Path after parsing
    return {k: _plain(v) for k, v in params.items()}


def _fast_parse(name: str, argv: list[str]) -> dict[str, Any] | None:
    parsed = parse.parse(argv, spec.COMMANDS[name].options)
    if parsed is None:
        return None
    defaults = {p.name: p.default for p in _command(name).params if p.name}
    return {k: _plain(v) for k, v in {**defaults, **parsed}.items()}


@pytest.mark.parametrize("path", [c.path for c in spec.TABLE])
def test_every_parameter_of_the_command_is_in_the_spec_with_the_same_names_and_help(path: str) -> None:
    table = {o.dest: o for o in spec.COMMANDS[path].options}
    params = [p for p in _command(path).params if p.name != "help"]
    assert [p.name for p in params] == list(table)  # the spec's order is the help's
    for param in params:
        assert param.name is not None
        opt = table[param.name]
        if isinstance(param, typer.core.TyperArgument):
            assert opt.kind in ("argument", "arguments")
            assert param.required is (opt.default == spec.REQUIRED)
            assert (param.nargs == -1) is (opt.kind == "arguments")
            continue
        assert isinstance(param, typer.core.TyperOption)
        assert set(param.opts) | set(param.secondary_opts) == set(opt.names)
        assert param.help == opt.help
        assert param.metavar == opt.metavar
        assert param.multiple is (opt.kind == "repeat")
        assert param.is_flag is (opt.kind == "switch")


def test_the_spec_agrees_with_the_core() -> None:
    assert tuple(level.value for level in FailOn) == spec.FAIL_ON_LEVELS
    assert spec.TIMEOUT.bounds == spec.SLOW.bounds == (0, durations.MAX_CHECK_S)


def _hooks(fail_after: int = 1, recover_after: int | None = None) -> object:
    return hooks.build(
        on_change=None, webhooks=None, desktop=False, fail_after=fail_after, recover_after=recover_after, revert=False
    )


@pytest.mark.parametrize(
    ("command", "dest", "value", "build"),
    [
        pytest.param("status", "timeout", 301.0, lambda: CheckOptions(timeout=301.0), id="timeout"),
        pytest.param("status", "slow", 0.0, lambda: CheckOptions(slow=0.0), id="slow"),
        pytest.param("watch", "fail_after", 0, lambda: _hooks(fail_after=0), id="fail-after"),
        pytest.param("watch", "recover_after", 1001, lambda: _hooks(recover_after=1001), id="recover-after"),
    ],
)
def test_a_library_caller_meets_the_spec_bound_in_the_same_words(
    command: str, dest: str, value: float, build: Callable[[], object]
) -> None:
    # CheckOptions and hooks.build check again for callers that skip the parser: one bound, one wording.
    with pytest.raises(UsageError) as parsed:
        parse.options(command, {dest: value})
    with pytest.raises(UsageError) as built:
        build()
    assert str(built.value) == str(parsed.value)


@pytest.mark.parametrize("opt", [o for o in vars(spec).values() if isinstance(o, spec.Option) and o.config_key])
def test_a_config_key_is_the_config_files_setting_for_the_option(opt: spec.Option) -> None:
    assert opt.config_key is not None
    cfg = config.parse(f"{opt.config_key} = 2")
    assert getattr(cfg, opt.dest) == 2.0
    assert getattr(config.parse(""), opt.dest) != 2.0  # not the default: the key itself set it


def _top_imports(module: Any) -> list[str]:
    source = Path(module.__file__).read_text()
    return [line for line in source.splitlines() if line.startswith(("import ", "from "))]


def test_the_spec_imports_only_os_and_sys() -> None:
    # Besides os and sys, only the kernel's durations.py (its bounds and their wording), which imports nothing.
    assert _top_imports(durations) == ["from __future__ import annotations"]
    assert _top_imports(spec) == ["from __future__ import annotations", "from outagecheck.durations import MAX_CHECK_S"]
    imports = _top_imports(parse)
    assert imports[:2] == ["from __future__ import annotations", "import os"]
    assert [line.split(" import ")[0] for line in imports[2:]] == [
        "from outagecheck.cli.spec",
        "from outagecheck.durations",
    ]


def test_the_groups_are_shared_whole() -> None:
    """What checks takes every check option; status and wait report alike; wait and watch hook alike."""
    taking = {c.path: set(c.options) for c in spec.TABLE}
    assert [p for p, o in taking.items() if set(spec.CHECKS) <= o] == ["status", "wait", "watch"]
    assert [p for p, o in taking.items() if set(spec.REPORT) <= o] == ["status", "wait"]
    assert [p for p, o in taking.items() if set(spec.HOOKS) <= o] == ["wait", "watch"]


@pytest.mark.parametrize("command", spec.TABLE, ids=lambda c: c.path)
def test_every_command_is_one_module_with_run_and_distinct_options(command: spec.Command) -> None:
    dests = [o.dest for o in command.options]
    assert len(set(dests)) == len(dests)
    names = [n for o in command.options for n in o.names]
    assert len(set(names)) == len(names)
    if command.module is None:
        assert command.group  # a group that only holds subcommands
        return
    module = importlib.import_module(f"outagecheck.cli.commands.{command.module}")
    assert callable(module.run)
    modules = Path(spec.__file__).parent / "commands"
    assert {p.stem for p in modules.glob("*.py")} - {"__init__"} == {c.module for c in spec.TABLE if c.module}


def _read(path: Path) -> set[str]:
    """The attributes a module reads from `opts`."""
    tree = ast.parse(path.read_text())
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "opts"
    }


@pytest.mark.parametrize("command", [c for c in spec.TABLE if c.module], ids=lambda c: c.path)
def test_a_command_reads_only_options_its_spec_entry_declares(command: spec.Command) -> None:
    commands = Path(spec.__file__).parent / "commands"
    read = _read(commands / f"{command.module}.py")
    if command.module in ("status", "wait", "watch"):
        read |= _read(commands.parent / "checking.py")  # what they share reads their options too
    assert read <= {o.dest for o in command.options} | {"given", "group", "args"}


def test_timeout_is_declared_once_in_cli() -> None:
    cli = Path(spec.__file__).parent
    declared = [p.name for p in sorted(cli.rglob("*.py")) if '"--timeout"' in p.read_text()]
    assert declared == ["spec.py"]


# One argv table, through both parsers: each row is read by every command that takes all its options.
AGREE = [
    [],
    ["--json"],
    ["-f", "JSON"],
    ["--format=markdown"],
    ["-fnagios"],
    ["--format", "json", "--format", "table"],
    ["--fail-on", "Degraded", "-o", "out.prom"],
    ["-r", "api", "-r", "web", "--require=code", "-rgateway"],
    ["--timeout", "2.5", "--slow=0.5"],
    ["--timeout", "1e1"],
    ["--timeout", "nan"],
    ["--timeout", "-1"],
    ["--timeout", "300.5"],
    ["--config", "x.toml"],
    ["--config="],
    ["--replay", "march-2026", "--json", "--json"],
    ["--require", "--json"],  # click takes the next word as the value, whatever it looks like
    ["--deep", "--model", "claude-opus-4-1", "--model=claude-haiku-4-5"],
    ["-v", "--verbose"],
    ["--max-wait", "90s", "--interval", "2"],
    ["--max-wait=1h30m", "--interval=1"],
    ["--max-wait", "soon"],
    ["--interval", "0.5"],
    ["--interval", "5", "--count", "3", "--revert-when-back"],
    ["--count", "0"],
    ["--on-change", "echo hi", "--webhook", "env:HOOK", "--webhook=file:/x", "--notify"],
    ["--fail-after", "2", "--recover-after=3", "--then-revert"],
    ["--fail-after", "0"],
    ["--recover-after", "1001"],
]


def _rows() -> list[Any]:
    rows = []
    for name in PARSED:
        names = {n for o in spec.COMMANDS[name].options for n in o.names}
        for argv in AGREE:
            if all(a.split("=")[0] in names or not a.startswith("-") for a in argv):
                rows.append(pytest.param(name, argv, id=f"{name} {' '.join(argv)}".strip()))
    return rows


@pytest.mark.parametrize(("name", "argv"), _rows())
def test_the_fast_parser_reads_what_typer_reads(name: str, argv: list[str]) -> None:
    assert _fast_parse(name, argv) == _typer_parse(name, argv)


def _validated(values: dict[str, Any] | None, name: str) -> dict[str, Any] | str:
    """The options object's values, or the usage error's message."""
    assert values is not None
    try:
        opts = parse.options(name, values, {})
    except UsageError as e:
        return str(e)
    return {k: v for k, v in vars(opts).items() if k not in ("given", "group", "args")}


@pytest.mark.parametrize(("name", "argv"), _rows())
def test_both_parsers_give_the_command_the_same_options(name: str, argv: list[str]) -> None:
    typer_values = {k: app_plain(v) for k, v in _command(name).make_context(name, list(argv)).params.items()}
    for opt in spec.COMMANDS[name].options:  # typer turns click's str into a Path after parsing
        if opt.type == "path" and typer_values.get(opt.dest) is not None:
            typer_values[opt.dest] = Path(typer_values[opt.dest])
    fast_values = parse.parse(argv, spec.COMMANDS[name].options)
    assert _validated(fast_values, name) == _validated(typer_values, name)


@pytest.mark.parametrize(
    ("name", "argv", "message"),
    [
        ("status", ["--timeout", "-1"], "--timeout must be between 0 and 300 seconds, got -1"),
        ("status", ["--slow", "nan"], "--slow must be between 0 and 300 seconds, got nan"),
        ("wait", ["--interval", "0.5"], "--interval must be between 1 and 3600 seconds, got 0.5"),
        ("watch", ["--interval", "4"], "--interval must be between 5 and 3600 seconds, got 4"),
        ("watch", ["--count", "0"], "--count must be between 1 and 1000000, got 0"),
        ("watch", ["--fail-after", "0"], "--fail-after must be between 1 and 1000, got 0"),
        ("wait", ["--max-wait", "soon"], "is not a duration"),
    ],
)
def test_bounds_are_applied_once_with_one_message(name: str, argv: list[str], message: str) -> None:
    assert message in str(_validated(parse.parse(argv, spec.COMMANDS[name].options), name))


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, None),
        ({"OUTAGECHECK_FAIL_ON": " Degraded "}, "degraded"),
        ({"OUTAGECHECK_FAIL_ON": ""}, None),
    ],
)
def test_the_environment_fills_in_an_option_not_given(environ: dict[str, str], expected: str | None) -> None:
    assert parse.options("status", {}, environ).fail_on == expected
    assert parse.options("status", {"fail_on": "down"}, environ).fail_on == "down"  # the option wins


def test_a_bad_environment_value_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"^\$OUTAGECHECK_FAIL_ON: 'sometimes' is not one of down, degraded"):
        parse.options("status", {}, {"OUTAGECHECK_FAIL_ON": "sometimes"})


@pytest.mark.parametrize(
    "argv",
    [
        ["--bogus"],
        ["positional"],
        ["--", "--json"],
        ["--json=1"],
        ["--timeout", "abc"],
        ["-f", "xml"],
        ["--timeout"],
        ["--help"],
        ["-vr", "web"],  # combined short options: typer's business
        ["--verbose=yes"],
    ],
    ids=" ".join,
)
def test_the_fast_parser_leaves_anything_else_to_typer(argv: list[str]) -> None:
    assert parse.parse(argv, spec.COMMANDS["status"].options) is None


def test_paths_are_paths() -> None:
    parsed = parse.parse(["--config", "a/b.toml"], spec.COMMANDS["status"].options)
    assert parsed == {"config": Path("a/b.toml")}


def test_only_status_and_wait_take_the_fast_path() -> None:
    assert FAST == ["status", "wait"]


# -- the fast path end to end: the same output as typer's, without typer -----------------------------


@pytest.mark.parametrize(
    ("args", "rich"),
    [
        pytest.param(["status", "--replay", "march-2026", "--json"], False, id="json-loads-no-rich"),
        pytest.param(["status", "--replay", "march-2026", "-f", "markdown"], False, id="markdown-loads-no-rich"),
        pytest.param(["status", "--replay", "march-2026"], True, id="table"),
        pytest.param(["wait", "--replay", "march-2026", "-r", "api", "--json"], False, id="wait"),
    ],
)
def test_the_fast_path_prints_what_typer_prints(runner: CliRunner, args: list[str], rich: bool) -> None:
    fast, loaded, stderr = run_entry(*args, COLUMNS="100", NO_COLOR="1", TERM="dumb")
    assert loaded == f"loaded: typer=False rich={rich}"
    slow = invoke(runner, *args)
    assert (fast.returncode, fast.stdout, "\n".join(stderr)) == (slow.exit_code, slow.stdout, slow.stderr.rstrip("\n"))


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        pytest.param(
            ["status", "--timeout", "-1"], 64, "--timeout must be between 0 and 300 seconds", id="bad-timeout"
        ),
        pytest.param(["status", "--json", "-f", "nagios"], 64, "--json and --format nagios disagree", id="disagree"),
        pytest.param(["wait", "--max-wait", "soon"], 64, "is not a duration", id="bad-duration"),
        pytest.param(["status", "--config", "/nonexistent.toml"], 78, "config file not found", id="missing-config"),
    ],
)
def test_the_fast_path_reports_errors_like_typer(args: list[str], code: int, message: str) -> None:
    done, loaded, (error,) = run_entry(*args, COLUMNS="100", NO_COLOR="1", TERM="dumb")
    assert loaded.startswith("loaded: typer=False")
    assert done.returncode == code
    assert error.startswith("outagecheck: error: ")
    assert message in error


# -- statusline: the fast parser over spec.STATUSLINE, the only way in (typer hands its command line over) ----

STATUSLINE_ARGV = [
    pytest.param(["--ttl", "x"], 64, "--ttl: 'x' is not a number of seconds", id="not-a-number"),
    pytest.param(["--ttl="], 64, "--ttl: '' is not a number of seconds", id="empty"),
    pytest.param(["--ttl", "3.50"], 64, "--ttl must be between 5 and 86400 seconds, got 3.50", id="low-as-written"),
    pytest.param(["--ttl=1e9"], 64, "--ttl must be between 5 and 86400 seconds, got 1e9", id="high"),
    pytest.param(["--ttl", "nan"], 64, "--ttl must be between 5 and 86400 seconds, got nan", id="nan"),
    pytest.param(["--ttl"], 64, "option '--ttl' requires an argument", id="no-value"),
    pytest.param(["--config"], 64, "option '--config' requires an argument", id="no-path"),
    pytest.param(["--foo=bar"], 64, "no such option: --foo=bar", id="unknown-as-written"),
    pytest.param(["-x5"], 64, "no such option: -x5", id="short"),
    pytest.param(["--", "--ttl", "9"], 64, "no such option: --", id="dashdash"),
    pytest.param(["stray"], 64, "no such option: stray", id="positional"),
]


@pytest.mark.parametrize(("argv", "code", "message"), STATUSLINE_ARGV)
def test_statusline_refuses_from_the_spec_with_one_message(argv: list[str], code: int, message: str) -> None:
    assert parse.problem(argv, spec.STATUSLINE) == message


@pytest.mark.parametrize(
    ("argv", "ttl", "config"),
    [
        pytest.param([], 60.0, None, id="defaults"),
        pytest.param(["--ttl", "5"], 5.0, None, id="lowest"),
        pytest.param(["--ttl=86400", "--config", "c.toml"], 86400.0, "c.toml", id="highest"),
        pytest.param(["--ttl", "30", "--ttl", "90"], 90.0, None, id="last-wins"),
        pytest.param(["--config", "--ttl"], 60.0, "--ttl", id="a-path-that-looks-like-a-flag"),
    ],
)
def test_statusline_reads_what_the_spec_declares(argv: list[str], ttl: float, config: str | None) -> None:
    from outagecheck.cli import statusline  # noqa: PLC0415

    assert parse.problem(argv, spec.STATUSLINE) is None
    expected = (ttl, None if config is None else str(Path(config).absolute()))
    assert statusline._parse(argv) == expected


@pytest.mark.parametrize(("argv", "code", "message"), STATUSLINE_ARGV[:4] + STATUSLINE_ARGV[7:8])
def test_statusline_through_typer_and_before_it_says_the_same(
    runner: CliRunner, argv: list[str], code: int, message: str
) -> None:
    fast, loaded, stderr = run_entry("statusline", *argv)
    assert loaded == "loaded: typer=False rich=False"
    slow = invoke(runner, "statusline", *argv)
    assert (fast.returncode, "\n".join(stderr)) == (slow.exit_code, slow.stderr.rstrip("\n")) == (code, stderr[0])
    assert stderr == [f"outagecheck: error: {message} (run 'outagecheck statusline --help' for usage)"]


def test_statusline_options_are_not_typer_parameters_and_their_help_is_the_spec() -> None:
    from outagecheck.cli import statusline  # noqa: PLC0415

    assert spec.COMMANDS["statusline"].options == ()  # typer must not parse them: its messages differ
    for opt in spec.STATUSLINE:
        assert f"  {opt.names[0]} {opt.metavar}" in statusline.usage()
        assert opt.help in statusline.usage()
    assert (spec.TTL.bounds, spec.TTL.default) == ((5, spec.MAX_TTL_S), 60.0)
