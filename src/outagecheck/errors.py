"""Errors meant for users: each becomes one line on stderr and a documented exit code."""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable, Mapping
from typing import Final, TypeVar

from outagecheck.model import ExitCode

T = TypeVar("T")


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


class Interrupted(OutagecheckError):
    """Ctrl-C during a write: the message says whether what was written was rolled back."""

    exit_code = ExitCode.INTERRUPTED


class OutputError(OutagecheckError):
    """stdout is closed or can't take the report (a full disk, /dev/full)."""

    exit_code = ExitCode.IO_ERROR


# Every secret outagecheck may meet in its environment: validated at the edge, redacted everywhere.
SECRET_VARIABLES: Final = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN")
# Credentials no child outagecheck starts needs, so none inherits them: the detached --until-recovered
# watcher checks the login surfaces (no key) and its revert only removes the key file apply wrote; an
# --on-change hook gets the report on stdin. (Claude Code's credential variables, and the cloud ones.)
HIDDEN_FROM_CHILDREN: Final = (
    *SECRET_VARIABLES,
    "ANTHROPIC_FOUNDRY_API_KEY",
    "AWS_BEARER_TOKEN_BEDROCK",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)


def child_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment for a process outagecheck starts: this one without HIDDEN_FROM_CHILDREN."""
    return {k: v for k, v in environ.items() if k not in HIDDEN_FROM_CHILDREN}


def shell_command(
    command: str, platform: str | None = None, environ: Mapping[str, str] = os.environ
) -> str | list[str]:
    """How Node (and so Claude Code) runs a shell command — its apiKeyHelper, our --on-change hook:
    `/bin/sh -c` on macOS and Linux; on Windows `%ComSpec% /d /s /c "<command>"`, a command line passed
    verbatim (a list would be re-quoted by subprocess, and cmd reads quotes its own way)."""
    if (platform or sys.platform) != "win32":
        return ["/bin/sh", "-c", command]
    comspec = environ.get("ComSpec") or environ.get("COMSPEC") or "cmd.exe"
    return f'{comspec} /d /s /c "{command}"'


# Anthropic keys are ~108 characters and OAuth tokens a few hundred; anything outside this is a paste accident.
SECRET_LENGTH: Final = (16, 4096)
REDACTED: Final = "[redacted]"
# Shorter pieces of a secret are not hunted for in text: they would match ordinary words.
MIN_FRAGMENT: Final = 8


def credential(name: str, environ: Mapping[str, str]) -> tuple[str | None, str | None]:
    """Return (value, problem) for a secret variable: surrounding whitespace stripped, or what is wrong with it.

    A value that can't be a credential (a line break, a control or non-ASCII character, an impossible
    length) is never sent: httpx would echo it in "Illegal header value b'...'" or crash on it. The
    problem names the variable, never its value.
    """
    value = environ.get(name, "").strip()
    if not value:
        return None, None
    problem = unsendable(value) or ("contains a space" if " " in value else None)
    if problem is None and not SECRET_LENGTH[0] <= len(value) <= SECRET_LENGTH[1]:
        problem = f"has an impossible length ({len(value)} characters)"
    return (value, None) if problem is None else (None, f"{name} {problem}")


# Variables a run reads secrets from besides SECRET_VARIABLES (the ${VAR} of configured headers), and URLs
# whose userinfo and query values are secret (ANTHROPIC_BASE_URL is always one): joined by `keep_secret`.
_MORE_VARIABLES: set[str] = set()
_SECRET_URLS: set[str] = set()
# Secrets that live in no variable: a route's key_command output, a cloud token (routes/creds.py).
_MORE_VALUES: set[str] = set()


@functools.cache
def _userinfo() -> re.Pattern[str]:
    """A URL's userinfo (`user:pass@`), wherever a URL appears in text; compiled when a text has an `@`."""
    return re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s@]+@")


def keep_secret(*, variables: tuple[str, ...] = (), urls: tuple[str, ...] = (), values: tuple[str, ...] = ()) -> None:
    """Add variables whose values are secret, URLs whose userinfo and query values are, and secret values
    themselves, to what redact() hides."""
    _MORE_VARIABLES.update(variables)
    _SECRET_URLS.update(urls)
    _MORE_VALUES.update(v for v in values if len(v) >= MIN_FRAGMENT)


def unsendable(value: str) -> str | None:
    """What makes a value unfit for an HTTP header (httpx would refuse it, echoing it, or send it
    split), or None: a line break, a control character, a non-ASCII character."""
    if "\n" in value or "\r" in value:
        return "contains a line break"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "contains a control character"
    if not value.isascii():
        return "contains a non-ASCII character"
    return None


def _secrets() -> list[str]:
    """Every string to hide: each secret whole, raw and stripped, and each printable-ASCII run of it
    (a multi-line or non-ASCII key reaches text escaped, line by line, or as a repr)."""
    from outagecheck.text import url_secrets  # noqa: PLC0415  # only when there is text to redact

    found: set[str] = set()
    for name in (*SECRET_VARIABLES, *sorted(_MORE_VARIABLES)):
        raw = os.environ.get(name, "")
        for whole in (raw, raw.strip()):
            if len(whole) >= MIN_FRAGMENT:
                found.add(whole)
        found.update(f for f in re.split(r"[^\x21-\x7e]+", raw) if len(f) >= MIN_FRAGMENT)
    for url in _urls():
        found.update(f for f in url_secrets(url) if len(f) >= MIN_FRAGMENT)
    found.update(_MORE_VALUES)
    return sorted(found, key=len, reverse=True)  # longest first: a whole key before its pieces


def _urls() -> list[str]:
    base = os.environ.get("ANTHROPIC_BASE_URL", "").strip()
    return sorted({*_SECRET_URLS, base} - {""}, key=len, reverse=True)


def _redactor() -> Callable[[str], str]:
    """redact(), with the secrets and URLs to hide looked up once (a whole report is many strings)."""
    from outagecheck.text import mask_url  # noqa: PLC0415  # only when there is text to redact

    urls = [(url, masked) for url in _urls() if (masked := mask_url(url)) != url]
    secrets = _secrets()

    def hide(text: str) -> str:
        for url, masked in urls:
            text = text.replace(url, masked)
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        return _userinfo().sub(r"\1***@", text) if "@" in text else text

    return hide


def redact(text: str) -> str:
    """Hide every secret of SECRET_VARIABLES (and keep_secret's) in text bound for any output or file, whatever
    produced it; a secret URL is shown masked (`https://***@host/?token=***`), and no URL shows its userinfo."""
    return _redactor()(text)


def scrub(value: T) -> T:
    """redact() every string inside a value: str, tuple, list, dict, frozen dataclass (a whole Report)."""
    from outagecheck.text import map_strings  # noqa: PLC0415  # only when there is a value to scrub

    return map_strings(value, _redactor())


def printable(text: str) -> str:
    """Escape control characters (newlines included), so a message stays on one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def print_error(message: str, *, hint: str | None = None) -> None:
    """Print one 'outagecheck: error: ...' line on stderr, with any secret redacted."""
    text = printable(redact(message))
    if hint:
        text += f" ({hint})"
    say(f"outagecheck: error: {text}")


def say(line: str) -> None:
    """Write one line on stderr; a closed or full stderr loses the line, never the exit code."""
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):  # ValueError: closed file; AttributeError: sys.stderr None
        pass


def announce(e: OutagecheckError) -> int:
    """Print an expected error as its one line and return its exit code."""
    print_error(str(e))
    return int(e.exit_code)
