"""Errors meant for users: each becomes one line on stderr and a documented exit code."""

from __future__ import annotations

import os
import sys

from outagecheck.model import ExitCode


class OutagecheckError(Exception):
    """An expected failure with a message for the user."""

    exit_code: ExitCode = ExitCode.UNKNOWN


class UsageError(OutagecheckError):
    """The command line asks for something that cannot be done."""

    exit_code = ExitCode.USAGE


class ConfigError(OutagecheckError):
    """The config file (or a file the config names) is missing, unreadable or invalid."""

    exit_code = ExitCode.CONFIG


class WriteError(OutagecheckError):
    """A file could not be written."""

    exit_code = ExitCode.CANT_CREATE


def redact(text: str) -> str:
    """Remove the API key from text meant for people, whatever produced it."""
    key = os.environ.get("ANTHROPIC_API_KEY", "").strip()
    return text.replace(key, "[redacted]") if len(key) >= 8 else text


def printable(text: str) -> str:
    """Escape control characters (newlines included), so a message stays on one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def print_error(message: str, *, hint: str | None = None) -> None:
    """Print one 'outagecheck: error: ...' line on stderr, with any secret redacted."""
    text = printable(redact(message))
    if hint:
        text += f" ({hint})"
    sys.stderr.write(f"outagecheck: error: {text}\n")


def announce(e: OutagecheckError) -> int:
    """Print an expected error as its one line and return its exit code."""
    print_error(str(e))
    return int(e.exit_code)
