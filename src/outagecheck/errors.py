"""Errors meant for users: each becomes one line on stderr and a documented exit code."""

from __future__ import annotations

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
