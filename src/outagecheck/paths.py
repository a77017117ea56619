"""Where things live: outagecheck's own dirs, and Claude Code's and OpenClaw's files.

The status line's cache dir is cli/cache.py's `cache_dir`, kept free of pathlib for its fast path.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "outagecheck"


def _xdg(variable: str, default: Path) -> Path:
    """An XDG base directory: the variable when it holds an absolute path, else the default.

    The XDG Base Directory spec: "If an implementation encounters a relative path in any of these
    variables it should consider the path invalid and ignore it"; an empty one means "unset". Reading
    a relative value would put the config in the current directory, where a cloned repository could
    plant one. https://specifications.freedesktop.org/basedir-spec/latest/
    """
    value = os.environ.get(variable, "")
    return Path(value) if value and os.path.isabs(value) else default


def user_config_dir() -> Path:
    """outagecheck's config dir: $XDG_CONFIG_HOME/outagecheck, ~/Library/Application Support/outagecheck
    on macOS, %APPDATA%\\outagecheck on Windows (the same places click's get_app_dir chose)."""
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP
    if sys.platform == "win32":
        appdata = os.environ.get("APPDATA", "")
        return (Path(appdata) if appdata and os.path.isabs(appdata) else Path.home() / "AppData" / "Roaming") / APP
    return _xdg("XDG_CONFIG_HOME", Path.home() / ".config") / APP


def state_dir() -> Path:
    """Return outagecheck's state dir (journal, backups, lock): $XDG_STATE_HOME/outagecheck on Linux,
    %LOCALAPPDATA%\\outagecheck\\state on Windows (machine-local, like the backups it holds)."""
    if override := os.environ.get("OUTAGECHECK_STATE_DIR"):
        return Path(override)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP / "state"
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA", "")
        return (Path(local) if local and os.path.isabs(local) else Path.home() / "AppData" / "Local") / APP / "state"
    return _xdg("XDG_STATE_HOME", Path.home() / ".local" / "state") / APP


def journal_file() -> Path:
    """The journal of applied fallback changes."""
    return state_dir() / "journal.toml"


def lock_file() -> Path:
    """The lock every apply and revert holds while it writes."""
    return state_dir() / "lock"


def key_file() -> Path:
    """The 0600 file that holds the API key for the apiKeyHelper outagecheck sets up."""
    return user_config_dir() / "anthropic-api-key"


def claude_dir() -> Path:
    """Claude Code's user dir: $CLAUDE_CONFIG_DIR or ~/.claude."""
    env = os.environ.get("CLAUDE_CONFIG_DIR")
    return Path(env).expanduser() if env else Path.home() / ".claude"


def claude_login() -> str:
    """Where Claude Code keeps its subscription login, in words: a file, or on macOS a Keychain item.

    Read from Claude Code 2.1.197: `.credentials.json` in $CLAUDE_SECURESTORAGE_CONFIG_DIR (an empty one means
    ~/.claude) or else the config dir, on Linux and Windows; on macOS the Keychain's generic password
    "Claude Code-credentials", suffixed with the first 8 hex digits of the SHA-256 of the (NFC) dir string when
    either variable names a dir: $CLAUDE_CONFIG_DIR moves everything else, not the login's service name root.
    """
    secure = os.environ.get("CLAUDE_SECURESTORAGE_CONFIG_DIR")
    if sys.platform == "darwin":
        import hashlib  # noqa: PLC0415  # macOS only; ~5 ms that status would pay before its first connection
        import unicodedata  # noqa: PLC0415  # the same

        named = secure if secure is not None else os.environ.get("CLAUDE_CONFIG_DIR", "")
        digest = hashlib.sha256(unicodedata.normalize("NFC", named).encode()).hexdigest()[:8] if named else ""
        return f'the macOS Keychain, item "Claude Code-credentials{"-" + digest if digest else ""}"'
    if secure is None:
        return str(claude_dir() / ".credentials.json")
    return str((Path(secure) if secure else Path.home() / ".claude") / ".credentials.json")


def user_settings() -> Path:
    """Claude Code's user settings file."""
    return claude_dir() / "settings.json"


def claude_state_file() -> Path:
    """Claude Code's global state (hasCompletedOnboarding): ~/.claude.json, inside $CLAUDE_CONFIG_DIR if set."""
    env = os.environ.get("CLAUDE_CONFIG_DIR")
    return Path(env).expanduser() / ".claude.json" if env else Path.home() / ".claude.json"


def project_settings(cwd: Path, *, local: bool) -> Path:
    """The project's shared (.claude/settings.json) or local, git-ignored (settings.local.json) file."""
    return cwd / ".claude" / ("settings.local.json" if local else "settings.json")


MANAGED_ENV = "OUTAGECHECK_MANAGED_SETTINGS"


def managed_settings() -> Path:
    """The system-wide managed settings file, which nothing but an OS policy overrides; its drop-in folder
    (managed_dropins) sits beside it. $OUTAGECHECK_MANAGED_SETTINGS moves both, for tests and odd installs.

    Locations: code.claude.com/docs/en/managed-settings ("Deploy a managed settings file").
    """
    if override := os.environ.get(MANAGED_ENV):
        return Path(override)
    if sys.platform == "darwin":
        return Path("/Library/Application Support/ClaudeCode/managed-settings.json")
    if sys.platform == "win32":  # C:\ProgramData\ClaudeCode is no longer read
        return Path("C:\\Program Files\\ClaudeCode\\managed-settings.json")
    return Path("/etc/claude-code/managed-settings.json")


def managed_dropins() -> Path:
    """The managed drop-in folder: its *.json files merge over managed-settings.json in name order."""
    return managed_settings().parent / "managed-settings.d"


def managed_plists(user: str) -> tuple[Path, ...]:
    """macOS MDM policy files of Claude Code's preference domain, highest first (per user, then device)."""
    base = Path("/Library/Managed Preferences")
    return (base / user / "com.anthropic.claudecode.plist", base / "com.anthropic.claudecode.plist")


def openclaw_config() -> Path:
    """OpenClaw's JSON5 config: $OPENCLAW_CONFIG_PATH or ~/.openclaw/openclaw.json."""
    env = os.environ.get("OPENCLAW_CONFIG_PATH")
    return Path(env).expanduser() if env else Path.home() / ".openclaw" / "openclaw.json"
