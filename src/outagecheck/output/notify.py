"""Tell someone when a surface changes: a command, webhooks (Slack and Discord), a desktop notification.

A notifier that fails never stops `watch` or `wait` and never changes the exit code: each kind of
failure is reported once on stderr. Webhook URLs carry their secret in the path (Slack, Discord), so a
URL is never printed: messages name it "webhook 1", "webhook 2"...
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import signal
import subprocess
import sys
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Final

from outagecheck.durations import clock_text
from outagecheck.errors import UsageError, child_environ, printable, shell_command
from outagecheck.output.debounce import Change

COMMAND_TIMEOUT_S: Final = 10.0
WEBHOOK_TIMEOUT_S: Final = 10.0


def message(changes: Sequence[Change]) -> str:
    """One human line for a batch of changes (one check's worth)."""
    parts = []
    for c in changes:
        if c.recovered:
            lasted = f" after {clock_text(c.outage_s)}" if c.outage_s is not None else ""
            parts.append(f"{c.service} is operational again{lasted} (was {c.old.value})")
        else:
            parts.append(f"{c.service} is {c.new.value} (was {c.old.value}): {c.reason}")
    return "Claude status: " + "; ".join(parts)


def check_webhook(url: str, n: int) -> None:
    """Refuse a URL that is not https, or plain http to this machine; the URL itself is never shown."""
    try:
        parts = urllib.parse.urlsplit(url)
        scheme, host = parts.scheme, parts.hostname or ""
    except ValueError:
        scheme, host = "", ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not (scheme == "https" or (scheme == "http" and loopback)) or not host:
        raise UsageError(f"--webhook {n}: not an https:// URL (plain http only to this machine); URL not shown")


@dataclass
class Notifier:
    """Sends each batch of announced changes everywhere it was asked to."""

    command: str | None = None
    webhooks: tuple[str, ...] = ()
    desktop: bool = False
    warn: Callable[[str], None] = field(default=lambda line: _stderr(f"warning: {line}"))
    command_timeout_s: float = COMMAND_TIMEOUT_S
    _failed: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for n, url in enumerate(self.webhooks, 1):
            check_webhook(url, n)

    @property
    def active(self) -> bool:
        return bool(self.command or self.webhooks or self.desktop)

    def send(self, changes: Sequence[Change], report_json: str) -> None:
        """Announce one check's changes: the command once per changed surface, the rest once per batch."""
        if not changes:
            return
        text = message(changes)
        if self.command:
            for change in changes:
                self._guard("--on-change", partial(self._run_command, change, report_json))
        self.say(text)

    def say(self, text: str) -> None:
        """Send a line to the webhooks and the desktop (a batch of changes, or the fallback's 'reverted')."""
        for n, url in enumerate(self.webhooks, 1):
            self._guard("--webhook", partial(_post, url, n, text))
        if self.desktop:
            self._guard("--notify", partial(_desktop, text))

    def _guard(self, kind: str, action: Callable[[], None]) -> None:
        try:
            action()
        except (OSError, ValueError, subprocess.SubprocessError, _Failed) as e:
            if kind not in self._failed:
                self._failed.add(kind)
                self.warn(f"{kind} failed: {printable(str(e))} (further {kind} failures are not shown)")

    def _run_command(self, change: Change, report_json: str) -> None:
        env = child_environ(os.environ) | {  # no API key or token: a hook gets the report on stdin
            "OUTAGECHECK_SURFACE": change.surface,
            "OUTAGECHECK_OLD": change.old.value,
            "OUTAGECHECK_NEW": change.new.value,
            "OUTAGECHECK_REASON": change.reason,
        }
        windows = sys.platform == "win32"
        # Its own session (process group on Windows), so a timeout kills the whole pipeline it started.
        with subprocess.Popen(
            shell_command(self.command or "", environ=os.environ),
            stdin=subprocess.PIPE,
            stdout=sys.stderr.fileno() if _has_fileno(sys.stderr) else subprocess.DEVNULL,
            env=env,
            start_new_session=not windows,
            creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200) if windows else 0,
        ) as proc:
            try:
                proc.communicate(report_json.encode() + b"\n", timeout=self.command_timeout_s)
            except subprocess.TimeoutExpired:
                _kill_tree(proc)
                raise _Failed(f"killed after {self.command_timeout_s:g} s") from None
            if proc.returncode:
                raise _Failed(f"exited {proc.returncode}")


def _kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """Kill the command and everything it started: its process group, or on Windows its tree (taskkill /T)."""
    if sys.platform == "win32":
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            taskkill = ["taskkill", "/F", "/T", "/PID", str(proc.pid)]
            subprocess.run(taskkill, stdin=subprocess.DEVNULL, capture_output=True, timeout=COMMAND_TIMEOUT_S)
        proc.kill()  # taskkill missing or late: the command itself, at least
    else:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _stderr(line: str) -> None:
    sys.stderr.write(f"outagecheck: {line}\n")
    sys.stderr.flush()


class _Failed(Exception):
    """A notifier ran and did not succeed."""


def _has_fileno(stream: object) -> bool:
    try:
        return isinstance(stream.fileno(), int)  # type: ignore[attr-defined]  # any text stream, or a fake
    except (AttributeError, OSError, ValueError):
        return False


def _post(url: str, n: int, text: str) -> None:
    """POST a Slack- and Discord-compatible message under one 10 s deadline, never along a redirect."""
    from outagecheck.output import webhook  # noqa: PLC0415  # only with --webhook; httpx stays out of output/

    try:
        webhook.post(url, text, deadline_s=WEBHOOK_TIMEOUT_S)
    except webhook.Failed as e:
        raise _Failed(f"webhook {n} {e}") from None


def _desktop(text: str) -> None:
    """notify-send (freedesktop) or osascript (macOS); the text goes as an argument, never as script."""
    if tool := shutil.which("notify-send"):
        # The body may be read as markup (<a href>, <img>: the freedesktop notification spec): escaped.
        body = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        argv = [tool, "--app-name=outagecheck", "Claude status", body]
    elif tool := shutil.which("osascript"):
        script = ["-e", "on run argv", "-e", 'display notification (item 1 of argv) with title "outagecheck"']
        argv = [tool, *script, "-e", "end run", text]
    else:
        raise _Failed("neither notify-send nor osascript is installed")
    subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=COMMAND_TIMEOUT_S, check=True)
