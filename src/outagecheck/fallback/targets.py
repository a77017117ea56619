"""What a fallback changes: the files of `apply claude-code`, or a `[[fallback.targets]]` entry, as edits."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, Final

from outagecheck import paths
from outagecheck.errors import ConfigError, OutagecheckError, UsageError
from outagecheck.fallback import documents
from outagecheck.files import read_capped
from outagecheck.safefile import real_path

CLAUDE_CODE: Final = "claude-code"


@dataclass(frozen=True)
class FileEdit:
    """What to do to one file, before it is read."""

    path: Path
    fmt: str  # json, toml, env, or "secret" (a whole-file secret written verbatim)
    set: Mapping[str, Any]
    unset: tuple[str, ...] = ()
    secret_bytes: bytes | None = None  # for fmt == "secret"


def claude_code_edits(*, scope: str, key_command: str | None, api_key: str | None, cwd: Path) -> list[FileEdit]:
    """The files `apply claude-code` changes: the key file (if needed), settings, ~/.claude.json."""
    edits = []
    if key_command:
        helper = key_command
    elif api_key:
        key_path = paths.key_file()
        edits.append(FileEdit(key_path, "secret", {}, secret_bytes=(api_key + "\n").encode()))
        helper = key_helper(real_path(key_path))
    else:
        raise UsageError("no key to use: set ANTHROPIC_API_KEY, or pass --key-command CMD that prints it")
    settings = paths.project_settings(cwd, local=True) if scope == "local" else paths.user_settings()
    edits.append(FileEdit(settings, "json", {"apiKeyHelper": helper}))
    if scope == "local" and (ignore := git_ignore_edit(cwd)) is not None:
        edits.append(ignore)
    # Claude Code's start-up gate: without it a fresh API-key setup hits the (down) login screen.
    edits.append(FileEdit(paths.claude_state_file(), "json", {"hasCompletedOnboarding": True}))
    return edits


# Claude Code runs apiKeyHelper through a shell: /bin/sh on macOS and Linux, cmd.exe on Windows (its settings
# reference; 2.1.197 runs it with execa `shell: true`, which on Windows is Node's `cmd.exe /d /s /c "<command>"`).
# A POSIX `cat '<path>'` fails there (databricks/unity-gateway#116). In cmd a double-quoted word keeps & | < > ^ ( )
# and spaces literal, but still expands %VAR% (and !VAR! under delayed expansion), and can't hold a quote or a
# line break: such a path is refused, never half-quoted.
CMD_UNQUOTABLE: Final = frozenset('"%!') | frozenset(map(chr, range(32))) | {"\x7f"}


def key_helper(key_path: PurePath, platform: str | None = None) -> str:
    """The apiKeyHelper that prints the key file, for the shell Claude Code runs it in on `platform` (this one)."""
    text = str(key_path)
    if (platform or sys.platform) != "win32":
        return f"cat {shlex.quote(text)}"
    if bad := next((c for c in text if c in CMD_UNQUOTABLE), None):
        raise ConfigError(
            f"{text}: can't be quoted safely for cmd, where Claude Code runs apiKeyHelper on Windows (it holds "
            f"{bad!r}); pass --key-command CMD that prints the key"
        )
    return f'type "{text}"'


# What Claude Code adds when it creates the file (anthropics/claude-code#1073): one pattern, for any project dir.
LOCAL_SETTINGS_PATTERN: Final = "**/.claude/settings.local.json"


def _git_dirs(cwd: Path) -> tuple[Path, Path] | None:
    """(work tree root, the directory holding info/exclude) of the repository cwd is in, or None."""
    for root in (cwd, *cwd.parents):
        dot_git = root / ".git"
        if dot_git.is_dir():
            return root, dot_git
        if dot_git.is_file():  # a worktree or submodule: "gitdir: <path>"; info/exclude is in the common dir
            text = _small_text(dot_git)
            if not text.startswith("gitdir:"):
                return None
            gitdir = (root / text.removeprefix("gitdir:").strip()).resolve()
            if common := _small_text(gitdir / "commondir"):
                gitdir = (gitdir / common).resolve()
            return root, gitdir
    return None


def _small_text(path: Path) -> str:
    """A pointer file of git's, stripped; '' when missing or unreadable (then there is nothing to ignore in)."""
    try:
        raw = read_capped(path, 64 * 1024)
    except OutagecheckError:
        return ""
    return raw.decode("utf-8", errors="replace").strip() if raw else ""


def _ignored_already(cwd: Path) -> bool:
    """Whether git ignores the local settings file already (a global excludesFile, a wider pattern)."""
    git = shutil.which("git")
    if git is None:
        return False
    try:
        done = subprocess.run(
            [git, "check-ignore", "-q", "--no-index", str(paths.project_settings(cwd, local=True))],
            cwd=cwd, capture_output=True, timeout=5, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def git_ignore_edit(cwd: Path) -> FileEdit | None:
    """`--scope local`: git-ignore .claude/settings.local.json as Claude Code does, in the project's .gitignore, or
    in .git/info/exclude when it has none; None outside a git repository or when git ignores it already."""
    found = _git_dirs(cwd)
    if found is None or _ignored_already(cwd):
        return None
    root, gitdir = found
    ignore = root / ".gitignore" if (root / ".gitignore").is_file() else gitdir / "info" / "exclude"
    return FileEdit(ignore, "lines", {LOCAL_SETTINGS_PATTERN: True})


def generic_edits(name: str, fallback_config: Mapping[str, Any], source: str) -> list[FileEdit]:
    """The file a `[[fallback.targets]]` entry names, validated."""
    targets = fallback_config.get("targets", [])
    if not isinstance(targets, list) or not all(isinstance(t, dict) for t in targets):
        raise ConfigError(f"{source}: 'fallback.targets' must be an array of tables, like [[fallback.targets]]")
    match = [t for t in targets if t.get("name") == name]
    if not match:
        known = ", ".join([CLAUDE_CODE, *(str(t.get("name")) for t in targets)])
        raise UsageError(f"unknown fallback target '{name}' (known: {known})")
    t = match[0]
    where = f"{source}: fallback target '{name}'"
    unknown = set(t) - {"name", "path", "format", "set", "unset"}
    if unknown:
        raise ConfigError(f"{where}: unknown key '{sorted(unknown)[0]}'")
    if not isinstance(t.get("path"), str) or not t["path"]:
        raise ConfigError(f"{where}: 'path' must be a file path")
    path = Path(os.path.expandvars(t["path"])).expanduser()
    fmt = t.get("format") or documents.infer_format(str(path))
    if fmt not in documents.FORMATS:
        raise ConfigError(f"{where}: 'format' must be one of {', '.join(documents.FORMATS)} (cannot infer it)")
    sets = t.get("set", {})
    unset = t.get("unset", [])
    if not isinstance(sets, dict) or (not sets and not unset):
        raise ConfigError(f"{where}: 'set' must be a table of keys to values, like set = {{\"a.b\" = 1}}")
    if not isinstance(unset, list) or not all(isinstance(k, str) for k in unset):
        raise ConfigError(f"{where}: 'unset' must be a list of key names")
    return [FileEdit(path, fmt, sets, tuple(unset))]
