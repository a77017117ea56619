"""Where things live: outagecheck's own dirs, and Claude Code's and OpenClaw's files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from outagecheck.config import user_config_dir

__all__ = [
    "claude_dir",
    "claude_state_file",
    "journal_file",
    "key_file",
    "lock_file",
    "managed_settings",
    "openclaw_config",
    "project_settings",
    "state_dir",
    "user_config_dir",
    "user_settings",
]


def state_dir() -> Path:
    """Return outagecheck's state dir (journal, backups, lock): $XDG_STATE_HOME/outagecheck on Linux."""
    if override := os.environ.get("OUTAGECHECK_STATE_DIR"):
        return Path(override)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "outagecheck" / "state"
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "outagecheck"


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


def managed_settings() -> Path:
    """The system-wide managed settings file, which nothing else can override."""
    if sys.platform == "darwin":
        return Path("/Library/Application Support/ClaudeCode/managed-settings.json")
    return Path(os.environ.get("OUTAGECHECK_MANAGED_SETTINGS", "/etc/claude-code/managed-settings.json"))


def openclaw_config() -> Path:
    """OpenClaw's JSON5 config: $OPENCLAW_CONFIG_PATH or ~/.openclaw/openclaw.json."""
    env = os.environ.get("OPENCLAW_CONFIG_PATH")
    return Path(env).expanduser() if env else Path.home() / ".openclaw" / "openclaw.json"
