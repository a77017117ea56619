"""Find out how this machine reaches Claude: its settings layers, environment, login and route (read-only)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from outagecheck import paths
from outagecheck.errors import OutagecheckError
from outagecheck.fallback import bigjson, running
from outagecheck.files import SETTINGS_CAP, read_capped

ENV_VARS: Final = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_BASE_URL",
    "CLAUDE_CODE_USE_BEDROCK",
    "CLAUDE_CODE_USE_VERTEX",
    "CLAUDE_CODE_USE_FOUNDRY",
)
SECRET_VARS: Final = frozenset({"ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"})
CLOUD_VARS: Final = ("CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX", "CLAUDE_CODE_USE_FOUNDRY")
# Highest precedence first (code.claude.com settings docs).
LAYER_ORDER: Final = ("managed", "local", "project", "user")


@dataclass(frozen=True)
class Layer:
    """One Claude Code settings file and the few keys that matter for the fallback."""

    name: str
    path: str
    exists: bool
    error: str | None = None
    api_key_helper: str | None = None
    force_login_method: str | None = None
    env_keys: tuple[str, ...] = ()  # names only, never values


@dataclass(frozen=True)
class Setup:
    """What was found; holds names and flags, never a secret value."""

    env: dict[str, str] = field(default_factory=dict)  # var -> "set" for secrets, else its value
    layers: tuple[Layer, ...] = ()
    onboarding_done: bool | None = None
    claude_auth: dict[str, Any] | None = None  # authMethod / apiKeySource / loggedIn
    claude_auth_error: str | None = None
    openclaw_path: str | None = None
    openclaw_uses_cli: bool = False


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths lead to one file; os.path.realpath, unlike Path.resolve() on 3.11, never
    raises on a symlink loop (RuntimeError), so a looping settings.json is read, and reported, once."""
    return os.path.realpath(a) == os.path.realpath(b)


def _parse_layer(raw: bytes) -> Any:
    """The layer's JSON; of a big file only the keys read here are decoded (bigjson.py)."""
    if len(raw) < bigjson.LARGE:
        text = raw.decode("utf-8")
        return bigjson.loads(text) if text.strip() else {}  # no NaN (JSON.parse refuses it), no RecursionError
    return bigjson.pick(raw, {"env", "apiKeyHelper", "forceLoginMethod"})


class _Unreadable(OutagecheckError):
    """A file this user may not read: read as absent, as before."""


def _read_quietly(path: Path) -> bytes | None:
    """A file the guide reads in passing (~/.claude.json, OpenClaw's config): absent or unreadable is None;
    a FIFO, a device or a file past the cap is a ConfigError (one line, exit 78), never a hang."""
    try:
        return read_capped(path, SETTINGS_CAP, unreadable=_Unreadable)
    except _Unreadable:
        return None


def _read_layer(name: str, path: Path) -> Layer:
    try:
        raw = read_capped(path, SETTINGS_CAP)  # never blocks on a FIFO; a device or a huge file is refused
    except OutagecheckError as e:
        return Layer(name, str(path), True, error=f"cannot read: {e}")
    if raw is None:
        return Layer(name, str(path), False)
    try:
        data = _parse_layer(raw)
    except UnicodeDecodeError as e:
        return Layer(name, str(path), True, error=f"cannot read: {e}")
    except ValueError as e:
        return Layer(name, str(path), True, error=f"invalid JSON: {e}")
    if not isinstance(data, dict):
        return Layer(name, str(path), True, error="not a JSON object")
    env = data["env"] if isinstance(data.get("env"), dict) else {}
    helper = data.get("apiKeyHelper")
    force = data.get("forceLoginMethod")
    return Layer(
        name,
        str(path),
        True,
        api_key_helper=helper if isinstance(helper, str) and helper else None,
        force_login_method=force if isinstance(force, str) else None,
        env_keys=tuple(k for k in ENV_VARS if k in env),
    )


def detect(cwd: Path, env: Mapping[str, str], *, ask_claude: bool = True) -> Setup:
    """Read the environment and every settings layer; run `claude auth status` when installed."""
    found = {k: ("set" if k in SECRET_VARS else env[k]) for k in ENV_VARS if env.get(k, "").strip()}
    user = paths.user_settings()
    candidates = [
        ("managed", paths.managed_settings()),
        ("local", paths.project_settings(cwd, local=True)),
        ("project", paths.project_settings(cwd, local=False)),
        ("user", user),
    ]
    # Run from $HOME, the "project" .claude/settings.json is the user file itself: count it once.
    layers = tuple(
        _read_layer(name, path) if name == "user" or not _same_file(path, user) else Layer(name, str(path), False)
        for name, path in candidates
    )
    onboarding: bool | None = None
    try:
        state = bigjson.loads(_read_quietly(paths.claude_state_file()) or b"null")
        onboarding = bool(state.get("hasCompletedOnboarding")) if isinstance(state, dict) else None
    except ValueError:
        onboarding = None
    auth, auth_error = running.claude_auth_status() if ask_claude else (None, None)
    oc_path = paths.openclaw_config()
    oc_text = (_read_quietly(oc_path) or b"").decode("utf-8", errors="replace")
    return Setup(
        env=found,
        layers=layers,
        onboarding_done=onboarding,
        claude_auth=auth,
        claude_auth_error=auth_error,
        openclaw_path=str(oc_path) if oc_text else None,
        openclaw_uses_cli="claude-cli" in oc_text,
    )


def _first(layers: tuple[Layer, ...], attr: str) -> Layer | None:
    return next((layer for layer in layers if getattr(layer, attr)), None)


def route_of(setup: Setup) -> str:
    """Which route Claude Code takes, by its auth precedence: cloud, token, key, helper, then login."""
    auth = setup.claude_auth or {}
    settings_env = {k for layer in setup.layers for k in layer.env_keys}
    if any(v in setup.env or v in settings_env for v in CLOUD_VARS) or auth.get("apiProvider") in (
        "bedrock",
        "vertex",
        "foundry",
    ):
        return "cloud"
    if "ANTHROPIC_AUTH_TOKEN" in setup.env or "ANTHROPIC_AUTH_TOKEN" in settings_env:
        return "gateway"
    if auth.get("authMethod") == "api_key":
        return "api"
    if auth.get("authMethod"):
        return "subscription"
    if "ANTHROPIC_API_KEY" in settings_env or _first(setup.layers, "api_key_helper"):
        return "api"
    return "subscription"
