"""typer, the framework of the full CLI: the root group, and every command and parameter generated from
cli/spec.py (so typer and the fast parser read the same declarations); click's errors become exit codes here."""

from __future__ import annotations

import enum
import inspect
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._completion_classes import completion_init  # typer calls it only with add_completion=True
from typer.core import TyperGroup

from outagecheck import __version__
from outagecheck.cli import dispatch
from outagecheck.cli.spec import EXIT_CODES_HELP, REQUIRED, ROOT_HELP, TABLE, Command, Option
from outagecheck.errors import print_error, say
from outagecheck.model import ExitCode

TYPES: dict[str, type] = {"str": str, "float": float, "int": int, "path": Path, "duration": str}


class _Group(TyperGroup):
    """Map click's failures to exit codes with a one-line message: usage errors → 64; Ctrl-C → 130.
    (An OutagecheckError is mapped where every command runs: cli/dispatch.py.)"""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except _Said as said:
            return self._finish(said.code, standalone_mode)
        except typer.TyperException as e:  # click's UsageError and friends subclass it in typer 0.29
            if type(e).__name__ == "NoArgsIsHelpError":
                # Bare `outagecheck`: the help was printed; still a usage error for scripts.
                if message := e.format_message():
                    sys.stdout.write(message + "\n")
                return self._finish(ExitCode.USAGE, standalone_mode)
            print_error(e.format_message(), hint="run 'outagecheck --help' for usage")
            code = ExitCode.USAGE if getattr(e, "exit_code", 1) == 2 else ExitCode.CONFIG
        except (typer.Abort, KeyboardInterrupt):
            code = ExitCode.INTERRUPTED
        if code == ExitCode.INTERRUPTED:  # typer turns Ctrl-C into Exit(130) itself
            say("outagecheck: interrupted")
        return self._finish(code, standalone_mode)

    @staticmethod
    def _finish(code: Any, standalone_mode: bool) -> int:
        status = int(code) if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(status)
        return status


class _Said(Exception):  # not an error: a code whose one line is said
    """A command's exit code 130 whose one line is said (an interrupted write rolled back): carried past typer,
    which returns a Ctrl-C as the same 130, so the group does not say "interrupted" a second time."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _choices(opt: Option) -> type[enum.StrEnum]:
    """typer needs an enum for a choice: one made from the spec's choices."""
    # mypy types the functional API as returning a member, not the new class.
    return enum.StrEnum(opt.dest.title(), {choice: choice for choice in opt.choices})  # type: ignore[return-value]


def _parameter(opt: Option) -> tuple[Any, Any]:
    """typer's declaration of one option (its annotation and default), from its one line in cli/spec.py."""
    base: Any = _choices(opt) if opt.choices else TYPES[opt.type]
    case = opt.case_sensitive or not opt.choices  # typer's default (True) unless the spec says otherwise
    if opt.kind in ("argument", "arguments"):
        info = typer.Argument(help=opt.help, case_sensitive=case, metavar=opt.metavar)
        if opt.kind == "arguments":
            return Annotated[list[base] | None, info], None
        if opt.default == REQUIRED:
            return Annotated[base, info], inspect.Parameter.empty
        return Annotated[base | None, info], None
    if opt.kind == "switch":
        return Annotated[bool, typer.Option(*opt.names, help=opt.help)], opt.default
    complete = COMPLETERS[opt.completes] if opt.completes else None
    info = typer.Option(*opt.names, metavar=opt.metavar, help=opt.help, case_sensitive=case, autocompletion=complete)
    if opt.kind == "repeat":
        return Annotated[list[base] | None, info], None
    if opt.default is None:
        return Annotated[base | None, info], None
    return Annotated[base, info], base(opt.default) if opt.choices else opt.default


def required_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    """--require's values for the shells: the surface ids and `route:NAME`s of the config the command line
    names (or the default one), as status checks them; Claude's own three when that config can't be read."""
    from outagecheck.surfaces import OWN_IDS, ROUTE_REQUIRED  # noqa: PLC0415  # completing only

    try:
        from outagecheck import config  # noqa: PLC0415  # completing only
        from outagecheck.checks.plan import surfaces_for  # noqa: PLC0415  # completing only

        cfg = config.load(ctx.params.get("config"))
        ids = [s.id for s in surfaces_for(cfg, dict(os.environ))] + [ROUTE_REQUIRED + r.name for r in cfg.routes]
    except Exception:  # a completion must never fail the shell: a broken config is reported when it runs
        ids = list(OWN_IDS)
    return [i for i in ids if i.startswith(incomplete)]


COMPLETERS: dict[str, Callable[[typer.Context, str], list[str]]] = {"required": required_ids}


def _plain(value: Any) -> Any:
    """A value as the fast parser gives it: choices as strings, repeated options as tuples."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return tuple(value)
    return value


def _invoke(command: Command, ctx: typer.Context, values: dict[str, Any]) -> int:
    given = [name for name in values if (source := ctx.get_parameter_source(name)) and source.name != "DEFAULT"]
    plain = {name: _plain(value) for name, value in values.items()}
    if command.group and ctx.invoked_subcommand is not None:
        # `fallback --scope local apply`: handed to the subcommand, which honours or refuses them.
        ctx.obj = {name: plain[name] for name in given}
        return 0
    group = ctx.parent.obj if ctx.parent is not None and isinstance(ctx.parent.obj, dict) else None
    code = dispatch.run(command.path, plain, given=given, group=group, args=ctx.args)
    if code == ExitCode.INTERRUPTED:
        raise _Said(code)
    return code


def _function(command: Command) -> Callable[..., int]:
    """A function whose signature typer reads as the command's parameters, calling cli/dispatch.py."""

    def invoke(ctx: typer.Context, **values: Any) -> int:
        return _invoke(command, ctx, values)

    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [inspect.Parameter("ctx", keyword, annotation=typer.Context)]
    for opt in command.options:
        annotation, default = _parameter(opt)
        parameters.append(inspect.Parameter(opt.dest, keyword, annotation=annotation, default=default))
    signature = inspect.Signature(parameters, return_annotation=int)
    invoke.__signature__ = signature  # type: ignore[attr-defined]  # typer reads the parameters from it
    invoke.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": int}
    invoke.__doc__ = command.help
    invoke.__name__ = invoke.__qualname__ = command.path.replace(" ", "_")
    return invoke


def _build(app: typer.Typer) -> None:
    """Add every command of the spec's table to the root app, groups as sub-apps."""
    apps = {"": app}
    for command in TABLE:
        parent, _, name = command.path.rpartition(" ")
        if command.group:
            apps[command.path] = sub = typer.Typer(help=command.help, no_args_is_help=command.module is None)
            if command.module is not None:
                sub.callback(invoke_without_command=True)(_function(command))
            apps[parent].add_typer(sub, name=name)
        else:
            settings = command.context_settings or {}
            apps[parent].command(name, epilog=command.epilog, context_settings=settings)(_function(command))


app = typer.Typer(
    cls=_Group,
    name="outagecheck",
    help=f"{ROOT_HELP}\n\n{EXIT_CODES_HELP}",
    no_args_is_help=True,
    # Plain help: typer's rich help loads rich.markdown and markdown-it, 115 ms per --help (benchmarks/).
    rich_markup_mode=None,
    # `outagecheck completion SHELL` prints the scripts: no --install-completion (it edits ~/.bashrc) and no
    # --show-completion (it guesses the shell) beside it. The scripts are still typer's (completion_init).
    add_completion=False,
    # -h wherever --help works (click hands it down to every subcommand).
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
completion_init()


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"outagecheck {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Triage a Claude outage: which surface is down, and how to fall back to the raw API."""


_build(app)
