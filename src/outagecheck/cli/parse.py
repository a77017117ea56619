"""The one parser over cli/spec.py for the fast paths, and the one validation every command's values pass.

`parse` reads a command line as click does, without typer, and answers only what it is sure of: anything
unusual (an unknown flag, a positional argument, `--`, a value that does not convert) returns None and the
command line goes to typer, which gives the proper usage error. `options` takes the values either parser
produced and applies what typer does not: defaults, bounds, environment fallbacks and durations, once for
every command. Imports nothing beyond os, sys and the spec at load (__main__ reads it for checks/early.py).
"""

from __future__ import annotations

import os

from outagecheck.cli.spec import CHECKS, COMMANDS, TABLE, Option
from outagecheck.durations import out_of_range, parse_duration

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy reads the name
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any

# The commands that check (they take the CHECKS group): checks/early.py starts their connections first thing.
EARLY = tuple(command.path for command in TABLE if set(CHECKS) <= set(command.options))


class Options:
    """One command's validated options, an attribute per option (`opts.timeout`), plus what the command
    line said: `given` (the options it named), `group` (what it gave the group, `fallback --scope local
    apply`), `args` (what the command takes unparsed: statusline's)."""

    def __init__(
        self,
        values: Mapping[str, Any],
        *,
        given: Iterable[str] = (),
        group: Mapping[str, Any] | None = None,
        args: Sequence[str] = (),
    ) -> None:
        self.__dict__.update(values)
        self.given = frozenset(given)
        self.group = dict(group or {})
        self.args = tuple(args)

    def __getattr__(self, name: str) -> Any:  # for mypy: every option is an attribute (set in __init__)
        raise AttributeError(name)

    def __repr__(self) -> str:
        return f"Options({self.__dict__!r})"


def parse(argv: Sequence[str], options: Sequence[Option]) -> dict[str, Any] | None:
    """The options argv names, converted, as click reads them (`--name value`, `--name=value`, `-n value`,
    `-nvalue`; the last value of a single option wins); None when the command line is anything else."""
    by_name = {name: opt for opt in options for name in opt.names}
    found: dict[str, Any] = {}
    args = list(argv)
    while args:
        arg = args.pop(0)
        name, value = arg, None
        if arg.startswith("--") and "=" in arg:
            name, value = arg.split("=", 1)
        elif arg.startswith("-") and not arg.startswith("--") and len(arg) > 2:
            name, value = arg[:2], arg[2:]
        opt = by_name.get(name)
        if opt is None:
            return None  # a positional, `--`, `-`, or a flag this command does not take
        if opt.kind == "switch":
            if value is not None:
                return None
            found[opt.dest] = True
            continue
        if value is None:
            if not args:
                return None
            value = args.pop(0)
        try:
            converted = convert(opt, value)
        except ValueError:
            return None
        if opt.kind == "repeat":
            found.setdefault(opt.dest, []).append(converted)
        else:
            found[opt.dest] = converted
    return found


def problem(argv: Sequence[str], options: Sequence[Option]) -> str | None:
    """The one-line reason a command that never reaches typer (statusline) refuses argv, from the spec (the
    option's kind, type and bounds, the value as written); None when `parse` reads it and it is in bounds."""
    by_name = {name: opt for opt in options for name in opt.names}
    args = list(argv)
    while args:
        arg = args.pop(0)
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg[:2], "", arg[2:])
        opt = by_name.get(name)
        if opt is None or ((eq or value) and opt.kind == "switch"):
            return f"no such option: {arg}"
        if opt.kind == "switch":
            continue
        if not eq and not value:
            if not args:
                return f"option '{name}' requires an argument"
            value = args.pop(0)
        if (reason := _refused(opt, value)) is not None:
            return reason
    return None


def _refused(opt: Option, value: str) -> str | None:
    """Why one value of a fast-only option is refused, naming it as written; None when it is accepted."""
    try:
        converted = convert(opt, value)
    except ValueError:
        wanted = "a number of seconds" if opt.type == "float" else "valid"
        return f"{opt.names[0]}: '{value}' is not {wanted}"
    if opt.bounds is not None:
        low, high = opt.bounds
        if not ((low < converted if opt.low_open else low <= converted) and converted <= high):  # nan too
            return out_of_range(opt.names[0], opt.bounds, value, " seconds")
    return None


def convert(opt: Option, value: str) -> Any:
    """One value as typer converts it; ValueError when it would refuse it."""
    if opt.choices:
        chosen = value if opt.case_sensitive else value.lower()
        if chosen not in opt.choices:
            raise ValueError(value)
        return chosen
    if opt.type == "float":
        return float(value)
    if opt.type == "int":
        return int(value)
    if opt.type == "path":
        from pathlib import Path  # noqa: PLC0415  # only when a path is given: the spec loads without it

        return Path(value)
    return value


def options(
    path: str,
    values: Mapping[str, Any],
    environ: Mapping[str, str] = os.environ,
    *,
    given: Iterable[str] | None = None,
    group: Mapping[str, Any] | None = None,
    args: Sequence[str] = (),
) -> Options:
    """The command's options object from parsed values (either parser's): defaults filled in, repeated
    options as tuples, environment fallbacks, bounds and durations applied; a UsageError for a bad value."""
    found = {}
    for opt in COMMANDS[path].options:
        value = values.get(opt.dest)
        if value is None:
            value = () if opt.kind in ("repeat", "arguments") else None if opt.kind == "argument" else opt.default
        found[opt.dest] = _checked(opt, value, environ)
    return Options(found, given=values if given is None else given, group=group, args=args)


def _checked(opt: Option, value: Any, environ: Mapping[str, str]) -> Any:
    if opt.kind in ("repeat", "arguments"):
        return tuple(value)
    if opt.env and not opt.env_reader and not value:
        value = _from_environment(opt, environ)
    if opt.type == "duration" and value is not None:
        return parse_duration(value)
    if opt.bounds is not None and value is not None:
        low, high = opt.bounds
        inside = (low < value if opt.low_open else low <= value) and value <= high  # False for nan too
        if not inside:
            unit, shown = (" seconds", "{:g}".format) if opt.type == "float" else ("", str)
            _refuse(out_of_range(opt.names[0], opt.bounds, shown(value), unit))
    return value


def _from_environment(opt: Option, environ: Mapping[str, str]) -> str | None:
    """The option's environment variable when the command line did not give it; None when it is unset."""
    assert opt.env is not None  # only called for an option with one
    value = environ.get(opt.env, "").strip()
    if not value:
        return None
    if opt.choices:
        if (chosen := value if opt.case_sensitive else value.lower()) not in opt.choices:
            _refuse(f"${opt.env}: '{value}' is not one of {', '.join(opt.choices)}")
        return chosen
    return value


def _refuse(message: str) -> None:
    from outagecheck.errors import UsageError  # noqa: PLC0415  # only when a value is refused

    raise UsageError(message)


def early_options(argv: Sequence[str]) -> dict[str, Any] | None:
    """The options of `status`, `wait` or `watch` for checks/early.py; None for anything else or unparsable."""
    if not argv or argv[0] not in EARLY:
        return None
    return parse(argv[1:], COMMANDS[argv[0]].options)
