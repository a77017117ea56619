"""The fast path's parser and typer read the same flags the same way (cli/flags.py is their one definition)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from outagecheck.cli import flags
from outagecheck.cli.app import app
from outagecheck.cli.options import Format
from tests.helpers import invoke, run_entry


def _command(name: str) -> typer.core.TyperCommand:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    command = group.get_command(typer.Context(group), name)
    assert isinstance(command, typer.core.TyperCommand)
    return command


def _plain(value: Any) -> Any:
    """What the command body sees, whichever parser produced it: lists, strings for paths, no empty lists."""
    if isinstance(value, Format):
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
    table = flags.STATUS if name == "status" else flags.WAIT
    parsed = flags.parse(argv, table)
    if parsed is None:
        return None
    defaults = {p.name: p.default for p in _command(name).params if p.name}
    return {k: _plain(v) for k, v in {**defaults, **parsed}.items()}


@pytest.mark.parametrize("name", ["status", "wait"])
def test_every_flag_of_the_command_is_in_the_table_with_the_same_names_and_help(name: str) -> None:
    table = {f.dest: f for f in (flags.STATUS if name == "status" else flags.WAIT)}
    options = [p for p in _command(name).params if isinstance(p, typer.core.TyperOption) and p.name != "help"]
    assert {p.name for p in options} == set(table)
    for option in options:
        assert option.name is not None
        flag = table[option.name]
        assert set(option.opts) | set(option.secondary_opts) == set(flag.names)
        assert option.help == flag.help
        if flag.metavar:
            assert option.metavar == flag.metavar
        assert option.multiple is (flag.kind == "repeat")
        assert option.is_flag is (flag.kind == "switch")


def test_the_format_choices_are_the_tables() -> None:
    assert tuple(f.value for f in Format) == flags.FORMATS


AGREE = [
    [],
    ["--json"],
    ["-f", "JSON"],
    ["--format=markdown"],
    ["-fnagios"],
    ["--format", "json", "--format", "table"],
    ["-r", "api", "-r", "web", "--require=code", "-rgateway"],
    ["--timeout", "2.5", "--slow=0.5"],
    ["--timeout", "1e1"],
    ["--timeout", "nan"],
    ["--timeout", "-1"],
    ["--config", "x.toml"],
    ["--config="],
    ["--replay", "march-2026", "--json", "--json"],
    ["--require", "--json"],  # click takes the next word as the value, whatever it looks like
]


@pytest.mark.parametrize("argv", AGREE, ids=lambda a: " ".join(a) or "(none)")
@pytest.mark.parametrize("name", ["status", "wait"])
def test_the_fast_parser_reads_what_typer_reads(name: str, argv: list[str]) -> None:
    assert _fast_parse(name, argv) == _typer_parse(name, argv)


@pytest.mark.parametrize(
    ("name", "argv"),
    [
        ("status", ["-v", "--verbose"]),
        ("wait", ["--max-wait", "90s", "--interval", "2"]),
        ("wait", ["--max-wait=1h30m", "--interval=1"]),
    ],
)
def test_command_specific_flags(name: str, argv: list[str]) -> None:
    assert _fast_parse(name, argv) == _typer_parse(name, argv)


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
    assert flags.parse(argv, flags.STATUS) is None


def test_paths_are_paths() -> None:
    parsed = flags.parse(["--config", "a/b.toml"], flags.STATUS)
    assert parsed == {"config": Path("a/b.toml")}


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
