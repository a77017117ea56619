"""`fallback apply --until-recovered`: a detached `wait --then-revert` that ends the fallback once Claude is back."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from outagecheck import paths, private
from outagecheck.errors import child_environ
from outagecheck.fallback.journal import outstanding
from outagecheck.surfaces import LOGIN_SURFACES, back_when, back_words

INTERVAL_S = 60  # Statuspage throttles pollers; a minute is plenty for "is login back"
MAX_WAIT = "168h"  # wait's longest --max-wait (7 days; it takes h, m and s)


def condition() -> tuple[str, ...] | str:
    """What the fallbacks left on replaced, in --require's terms (what `wait --then-revert` waits for): the
    login surfaces for an API-key fallback or a switch from the login, `api` for a switch from an API key,
    `route:NAME` for one from a configured route; the login surfaces when none is on. A str says, in one
    line, why it can't be watched."""
    needed: list[str] = []
    for target, _, *route in outstanding():
        before, name = (route[3], route[4]) if len(route) >= 5 else ("", "")
        back = back_when(before, name)
        if back is None:
            return (
                f"{target} was on a {before} route that matched no single [[routes]] entry of the config when it was "
                "switched: outagecheck can't tell when that route is back"
            )
        needed += back
    return tuple(dict.fromkeys(needed)) or LOGIN_SURFACES


def command(config: Path | None, back: tuple[str, ...] = LOGIN_SURFACES) -> list[str]:
    """The watcher's command line: what the fallback replaced (`back`, the login surfaces unless told), then
    revert."""
    argv = ["wait", "--then-revert", *(arg for i in back for arg in ("--require", i))]
    argv += ["--max-wait", MAX_WAIT, "--interval", str(INTERVAL_S)]
    return argv + (["--config", str(config.resolve())] if config else [])


def start(config: Path | None, back: tuple[str, ...] = LOGIN_SURFACES) -> tuple[int | None, list[str]]:
    """Start the watcher in its own session, output to a log; (pid, lines to print), pid None when it can't."""
    argv = [sys.executable, "-m", "outagecheck", *command(config, back)]
    log = paths.state_dir() / "until-recovered.log"
    if problem := private.make_dir(log.parent):  # the state dir: 0700, each missing level
        return None, [f"Could not start the watcher ({problem}); run it as a user service instead:", *units(argv)]
    try:
        with os.fdopen(private.open_private(log, os.O_WRONLY | os.O_APPEND), "ab") as out:  # 0600
            child = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                close_fds=True,
                env=child_environ(os.environ),  # seven days without the API key: it needs none
                **_detached(),
            )
    except OSError as e:
        return None, [
            f"Could not start the watcher ({e.strerror or e}); run it as a user service instead:",
            *units(argv),
        ]
    child.returncode = 0  # it outlives us on purpose: keeps Popen.__del__ quiet
    what = "Claude" if back == LOGIN_SURFACES else back_words(back)
    return child.pid, [
        f"Watching for {what} to come back (pid {child.pid}); the fallback is reverted after 3 good checks.",
        f"Log: {log}. Stop it with: {'taskkill /PID' if sys.platform == 'win32' else 'kill'} {child.pid}",
    ]


def _detached() -> dict[str, Any]:
    """Outlive the terminal: its own session on POSIX; on Windows, where start_new_session does nothing, a
    process detached from the console in its own group (so the terminal's Ctrl-C and close don't reach it)."""
    if sys.platform == "win32":
        detached = getattr(subprocess, "DETACHED_PROCESS", 0x8)
        return {"creationflags": detached | getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200)}
    return {"start_new_session": True}


def units(argv: list[str]) -> list[str]:
    """The same watcher as a systemd (Linux) or launchd (macOS) user job, or a command (Windows), to paste."""
    line = shlex.join(argv)
    if sys.platform == "win32":  # no user service manager to paste into: a window left open does it
        return [f"  {subprocess.list2cmdline(argv)}   (in a terminal you leave open)"]
    if sys.platform == "darwin":
        label = "com.outagecheck.until-recovered"
        args = "".join(f"<string>{a}</string>" for a in argv)
        plist = (
            f'<plist version="1.0"><dict><key>Label</key><string>{label}</string>'
            f"<key>ProgramArguments</key><array>{args}</array><key>RunAtLoad</key><true/></dict></plist>"
        )
        path = f"~/Library/LaunchAgents/{label}.plist"
        return [f"  echo {shlex.quote(plist)} > {path} && launchctl load {path}"]
    return [f"  systemd-run --user --unit=outagecheck-until-recovered {line}"]
