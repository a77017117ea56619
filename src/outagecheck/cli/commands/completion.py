"""`outagecheck completion SHELL`: the completion script shipped for a shell."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

from outagecheck.cli.parse import Options
from outagecheck.errors import ConfigError


def run(opts: Options) -> int:
    """Print the completion script for a shell; the README shows where each shell looks for it."""
    sys.stdout.write(completion_script(opts.shell))
    return 0


def completion_script(shell: str) -> str:
    """The script shipped in the wheel (outagecheck/completions/), or completions/ of a source checkout."""
    name = f"outagecheck.{shell}"
    shipped = resources.files("outagecheck").joinpath("completions", name)
    # An editable install (pip install -e .) runs from src/: the wheel's copy is not there, the repository's is.
    checkout = Path(__file__).resolve().parents[4] / "completions" / name
    for source in (shipped, checkout):
        if source.is_file():
            return source.read_text(encoding="utf-8")
    raise ConfigError(f"the {shell} completion script is not installed ({name}); reinstall outagecheck")
