"""Find out how this machine reaches Claude: its settings layers, environment, login and route (read-only)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from outagecheck import paths
from outagecheck.errors import OutagecheckError
from outagecheck.fallback import bigjson, running
from outagecheck.files import SETTINGS_CAP, read_capped
from outagecheck.routes import current, settings
from outagecheck.routes.model import SWITCHES

ENV_VARS: Final = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_BASE_URL",
    *SWITCHES.values(),
    current.HOST_VAR,
)
SECRET_VARS: Final = frozenset({"ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"})
LAYER_ORDER: Final = settings.LAYER_ORDER  # highest first (code.claude.com settings docs)
Layer = settings.SettingsLayer  # one reader of Claude Code's settings: routes/settings.py


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


def _parse_layer(raw: bytes) -> Any:
    """The layer's JSON; of a big file only the keys read here are decoded (bigjson.py)."""
    if len(raw) < bigjson.LARGE:
        text = raw.decode("utf-8")
        return bigjson.loads(text) if text.strip() else {}  # no NaN (JSON.parse refuses it), no RecursionError
    return bigjson.pick(raw, {"env", *settings.ROUTE_KEYS})


class _Unreadable(OutagecheckError):
    """A file this user may not read: read as absent, as before."""


def _read_quietly(path: Path) -> bytes | None:
    """A file the guide reads in passing (~/.claude.json, OpenClaw's config): absent or unreadable is None;
    a FIFO, a device or a file past the cap is a ConfigError (one line, exit 78), never a hang."""
    try:
        return read_capped(path, SETTINGS_CAP, unreadable=_Unreadable)
    except _Unreadable:
        return None


def detect(cwd: Path | None, env: Mapping[str, str], *, ask_claude: bool = True) -> Setup:
    """Read the environment and every settings layer; run `claude auth status` when installed."""
    found = {k: ("set" if k in SECRET_VARS else env[k]) for k in ENV_VARS if env.get(k, "").strip()}
    layers = settings.settings_layers(cwd, decode=_parse_layer)
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


def route_of(setup: Setup) -> str:
    """Which route Claude Code takes, by its auth precedence: cloud, token, key, helper, then login; the
    switches read as Claude Code reads them ("", "0", "false" are off: routes/current.py)."""
    auth = setup.claude_auth or {}
    now = current.resolve(setup.env, setup.layers)
    if now.kind.cloud or auth.get("apiProvider") in current.API_PROVIDER.values():
        return "cloud"
    if now.auth == "token":
        return "gateway"
    if auth.get("authMethod") == "api_key":
        return "api"
    if auth.get("authMethod"):
        return "subscription"
    key = now.value("ANTHROPIC_API_KEY")
    if (key is not None and key.path is not None) or any(layer.api_key_helper for layer in setup.layers):
        return "api"
    return "subscription"
