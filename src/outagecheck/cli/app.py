"""The command group: the root app, its subcommands, and the one place errors become exit codes."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer._completion_classes import completion_init  # typer calls it only with add_completion=True
from typer.core import TyperGroup

from outagecheck import __version__
from outagecheck.cli import meta, status
from outagecheck.cli.config import config_app
from outagecheck.cli.fallback import fallback_app
from outagecheck.cli.options import EXIT_CODES_HELP
from outagecheck.cli.routes import routes_app
from outagecheck.errors import OutagecheckError, announce, print_error, say
from outagecheck.model import ExitCode


class _Group(TyperGroup):
    """Map every expected failure to its exit code with a one-line message, once for every command.

    OutagecheckError → its own code; click's usage errors → 64; Ctrl-C → 130.
    """

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
        except OutagecheckError as e:
            return self._finish(announce(e), standalone_mode)  # its one line said it, Interrupted too
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


app = typer.Typer(
    cls=_Group,
    name="outagecheck",
    help=f"Triage a Claude outage: which surface is down, and how to fall back to the raw API.\n\n{EXIT_CODES_HELP}",
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


app.add_typer(fallback_app, name="fallback")
app.add_typer(config_app, name="config")
app.add_typer(routes_app, name="routes")
status.register(app)
meta.register(app)


@app.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
    help="One short line for Claude Code's statusLine, from a cache (see 'outagecheck statusline --help').",
)
def statusline(ctx: typer.Context) -> int:
    # The console script answers `statusline` before typer loads (__main__.py); this is the same command
    # for `outagecheck --help`, completion and in-process callers.
    from outagecheck.cli.statusline import main  # noqa: PLC0415  # the fast path's own parser

    return main(list(ctx.args))
