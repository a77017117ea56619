"""Options shared by several commands, declared once; and the parsing of their values."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any

import typer

from outagecheck.cli import flags
from outagecheck.model import FailOn

EXIT_CODES_HELP = (
    "Exit codes: 0 every required surface operational; 1 the worst is degraded; "
    "2 a required surface is down; 3 unknown (could not tell), none down or degraded; "
    "64 usage error; 69 fallback written but the API route fails; 70 internal error (please report it); "
    "73 cannot write a file; 74 cannot write the report (stdout closed or full); 78 configuration error; "
    "130 interrupted."
)


def _option(flag: flags.Flag, **extra: Any) -> Any:
    """typer's declaration of a flag from its one definition in cli/flags.py."""
    return typer.Option(*flag.names, metavar=flag.metavar, help=flag.help, **extra)


RequireOpt = Annotated[list[str] | None, _option(flags.REQUIRE)]
ConfigOpt = Annotated[Path | None, _option(flags.CONFIG)]
TimeoutOpt = Annotated[float | None, _option(flags.TIMEOUT)]
SlowOpt = Annotated[float | None, _option(flags.SLOW)]
ReplayOpt = Annotated[str | None, _option(flags.REPLAY)]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Write without asking.")]
VerboseOpt = Annotated[bool, _option(flags.VERBOSE)]
MaxWaitOpt = Annotated[str, _option(flags.MAX_WAIT)]
WaitIntervalOpt = Annotated[float, _option(flags.WAIT_INTERVAL)]


class Format(enum.StrEnum):
    """typer needs an enum for a choice; its members are flags.FORMATS (tests/cli/test_flags.py)."""

    table = "table"
    json = "json"
    markdown = "markdown"
    nagios = "nagios"
    prometheus = "prometheus"


FormatOpt = Annotated[Format | None, _option(flags.FORMAT, case_sensitive=False)]
JsonOpt = Annotated[bool, _option(flags.JSON)]
# $OUTAGECHECK_FAIL_ON is read in cli/commands.py, the one place both parsers reach.
FailOnOpt = Annotated[FailOn | None, _option(flags.FAIL_ON, case_sensitive=False)]
OutputOpt = Annotated[Path | None, _option(flags.OUTPUT)]
OnChangeOpt = Annotated[str | None, _option(flags.ON_CHANGE)]
WebhookOpt = Annotated[list[str] | None, _option(flags.WEBHOOK)]
NotifyOpt = Annotated[bool, _option(flags.NOTIFY)]
FailAfterOpt = Annotated[int, _option(flags.FAIL_AFTER)]
RecoverAfterOpt = Annotated[int | None, _option(flags.RECOVER_AFTER)]
ThenRevertOpt = Annotated[bool, _option(flags.THEN_REVERT)]
DeepOpt = Annotated[bool, _option(flags.DEEP)]
ModelOpt = Annotated[list[str] | None, _option(flags.MODEL)]
