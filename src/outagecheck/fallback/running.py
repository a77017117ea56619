"""Find running Claude Code processes: they keep the login they started with until restarted."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

NPM_PACKAGE: Final = "@anthropic-ai/claude-code"
PS_TIMEOUT_S: Final = 3.0


@dataclass(frozen=True)
class Process:
    """A running Claude Code: its pid and how it was started (argv, shortened)."""

    pid: int
    command: str


def is_claude(argv: list[str], exe: str = "") -> bool:
    """The native client is an executable or argv[0] named `claude`; older npm installs run it under node."""
    names = {os.path.basename(argv[0]) if argv else "", os.path.basename(exe)}
    if "claude" in names:
        return True
    runs_node = any(n == "node" or n.startswith("node.") or n == "nodejs" for n in names)
    return runs_node and any(NPM_PACKAGE in arg for arg in argv[1:])


def _short(argv: list[str]) -> str:
    text = " ".join(argv)
    return text if len(text) <= 80 else text[:77] + "..."


def _config_dir(environ: bytes) -> Path | None:
    """The Claude Code user dir a process's environment names ($CLAUDE_CONFIG_DIR, else $HOME/.claude)."""
    env = dict(item.partition(b"=")[::2] for item in environ.split(b"\0") if b"=" in item)
    if config := env.get(b"CLAUDE_CONFIG_DIR"):
        return Path(os.fsdecode(config)).expanduser()
    home = env.get(b"HOME")
    return Path(os.fsdecode(home)) / ".claude" if home else None


def _same_dir(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return os.path.abspath(a) == os.path.abspath(b)


def _uses(entry: Path, config_dir: Path | None) -> bool:
    """Whether the process may use `config_dir`: False only when its environment names another one."""
    if config_dir is None:
        return True
    try:
        theirs = _config_dir((entry / "environ").read_bytes())
    except OSError:
        return True  # not ours to read: it may share the files, so it is named
    return theirs is None or _same_dir(theirs, config_dir)


def _from_proc(proc: Path, config_dir: Path | None) -> list[Process]:
    found = []
    me = os.getpid()
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            raw = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # gone, or not ours to read
        argv = [a.decode(errors="replace") for a in raw.split(b"\0") if a]
        exe = ""
        with contextlib.suppress(OSError):
            exe = os.readlink(entry / "exe")
        if argv and is_claude(argv, exe) and _uses(entry, config_dir):
            found.append(Process(int(entry.name), _short(argv)))
    return found


def _listing(argv: list[str]) -> str:
    """What a process lister (ps, tasklist) prints, under PS_TIMEOUT_S; "" when it is missing or stuck."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=PS_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout


def _from_ps() -> list[Process]:
    found = []
    for line in _listing(["ps", "-axww", "-o", "pid=", "-o", "args="]).splitlines():
        pid, _, args = line.strip().partition(" ")
        argv = args.split()
        if pid.isdigit() and int(pid) != os.getpid() and argv and is_claude(argv):
            found.append(Process(int(pid), _short(argv)))
    return found


def _from_tasklist() -> list[Process]:
    """Windows: the native clients (claude.exe) that `tasklist` lists. It shows image names only, so an npm
    install, which runs under node.exe, is not named (its command line needs WMI or psutil)."""
    found = []
    # "claude.exe","1234","Console","1","210,332 K"; no match is one INFO line, which is no row of ours.
    for row in csv.reader(_listing(["tasklist", "/FO", "CSV", "/NH", "/FI", "IMAGENAME eq claude.exe"]).splitlines()):
        if len(row) >= 2 and row[0].lower() == "claude.exe" and row[1].isdigit() and int(row[1]) != os.getpid():
            found.append(Process(int(row[1]), row[0]))
    return found


def running_claude(proc: Path = Path("/proc"), config_dir: Path | None = None) -> list[Process]:
    """List the running Claude Code processes (Linux /proc, Windows tasklist, others `ps`).

    With `config_dir`, a process whose environment names another Claude Code dir (another $HOME or
    $CLAUDE_CONFIG_DIR: another login, other files) is left out; one whose environment can't be read
    (`ps`, another user) is kept.
    """
    if sys.platform.startswith("linux") and proc.is_dir():
        return _from_proc(proc, config_dir)
    if sys.platform == "win32":
        return _from_tasklist()
    return _from_ps()


# `claude` starts Node or its native binary: 3-5 s is normal.
CLAUDE_AUTH_TIMEOUT_S = 8.0


def claude_auth_status() -> tuple[dict[str, Any] | None, str | None]:
    """Ask the installed `claude` how it authenticates: (the fields we report, or None; why not, or None)."""
    exe = shutil.which("claude")
    if exe is None:
        return None, None
    try:
        done = subprocess.run(
            [exe, "auth", "status"],
            capture_output=True,
            text=True,
            timeout=CLAUDE_AUTH_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, f"`claude auth status` gave no answer within {CLAUDE_AUTH_TIMEOUT_S:g} s"
    except OSError as e:
        return None, f"`claude auth status` could not run: {e.strerror or e}"
    try:
        doc = json.loads(done.stdout)
    except (ValueError, RecursionError):
        return None, f"`claude auth status` printed no JSON (exit {done.returncode})"
    if not isinstance(doc, dict):
        return None, "`claude auth status` printed unexpected JSON"
    # Keep only the fields we report; the rest may name accounts.
    return {k: doc[k] for k in ("loggedIn", "authMethod", "apiKeySource", "apiProvider") if k in doc}, None


def claude_version() -> str | None:
    """The installed `claude`'s version ("2.1.197 (Claude Code)"), or None when it is not installed or silent."""
    exe = shutil.which("claude")
    if exe is None:
        return None
    try:
        done = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=CLAUDE_AUTH_TIMEOUT_S)
    except (subprocess.TimeoutExpired, OSError):
        return None
    return done.stdout.strip()[:64] or None
