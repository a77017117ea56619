"""`schema` and `completion`: print what the package ships, for tools and shells."""

from __future__ import annotations

import enum
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from outagecheck.errors import ConfigError


class Shell(enum.StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command()(schema)
    app.command()(completion)


def schema() -> int:
    """Print the JSON Schema (draft 2020-12) of the --json report, schema_version 1."""
    from outagecheck.output.json import schema_text  # noqa: PLC0415  # this command only

    sys.stdout.write(schema_text())
    return 0


def completion(shell: Annotated[Shell, typer.Argument(case_sensitive=False, help="bash, zsh or fish.")]) -> int:
    """Print the completion script for a shell; the README shows where each shell looks for it.

    outagecheck completion fish > ~/.config/fish/completions/outagecheck.fish
    """
    sys.stdout.write(completion_script(shell.value))
    return 0


def completion_script(shell: str) -> str:
    """The script shipped in the wheel (outagecheck/completions/), or completions/ of a source checkout."""
    name = f"outagecheck.{shell}"
    shipped = resources.files("outagecheck").joinpath("completions", name)
    # An editable install (pip install -e .) runs from src/: the wheel's copy is not there, the repository's is.
    checkout = Path(__file__).resolve().parents[3] / "completions" / name
    for source in (shipped, checkout):
        if source.is_file():
            return source.read_text(encoding="utf-8")
    raise ConfigError(f"the {shell} completion script is not installed ({name}); reinstall outagecheck")
