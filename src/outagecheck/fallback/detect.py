"""Find out how this machine reaches Claude, and plan the way around a login outage (read-only)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from outagecheck import paths
from outagecheck.checks.advice import BILLING, FEATURES
from outagecheck.errors import OutagecheckError
from outagecheck.fallback import bigjson, running
from outagecheck.files import SETTINGS_CAP, read_capped
from outagecheck.model import Step
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


@dataclass(frozen=True)
class Guide:
    """The read-only answer of `outagecheck fallback`."""

    route: str  # "api", "cloud", "gateway", "subscription"
    summary: str
    steps: tuple[Step, ...]
    warnings: tuple[str, ...]
    blockers: tuple[str, ...] = ()  # the warnings that would stop or override an applied fallback


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


def guide(setup: Setup, *, scope: str = "user") -> Guide:
    """Say whether this machine is already on the API route, and list the steps for its case."""
    route = route_of(setup)
    warnings: list[str] = []
    blockers: list[str] = []
    layers = setup.layers
    managed = next((layer for layer in layers if layer.name == "managed" and layer.force_login_method), layers[0])
    if managed.force_login_method == "claudeai":
        blockers.append(
            f'Managed settings ({managed.path}) set forceLoginMethod "claudeai": your organisation only allows '
            "the subscription login, which blocks an API-key fallback. Ask your admin."
        )
    for layer in layers:
        if layer.error:
            warnings.append(f"{layer.path}: {layer.error}; Claude Code may ignore this file.")
    if "ANTHROPIC_AUTH_TOKEN" in setup.env and "ANTHROPIC_API_KEY" in setup.env:
        warnings.append(
            "Both ANTHROPIC_AUTH_TOKEN and ANTHROPIC_API_KEY are set: Claude Code uses the token "
            "(Authorization: Bearer) and ignores the key."
        )
    target_rank = LAYER_ORDER.index("local" if scope == "local" else "user")
    for layer in layers:
        if LAYER_ORDER.index(layer.name) < target_rank and layer.api_key_helper:
            blockers.append(
                f"{layer.path} ({layer.name}) sets its own apiKeyHelper, which overrides the one "
                f"outagecheck would write to the {scope} settings."
            )
    if "ANTHROPIC_AUTH_TOKEN" in setup.env:
        blockers.append(
            "ANTHROPIC_AUTH_TOKEN in the environment takes precedence over an API key and apiKeyHelper: "
            "unset it for the key to be used."
        )
    if setup.claude_auth_error:
        warnings.append(setup.claude_auth_error)
    auth = setup.claude_auth or {}
    # Only the fields present: `apiKeySource` is absent when there is no key (Claude Code 2.1.197).
    shown = ", ".join(f"{k}={auth[k]}" for k in ("authMethod", "apiKeySource") if auth.get(k) is not None)
    source = (
        f" (claude auth status: {shown})" if shown else " (inferred from environment and settings; `claude` not asked)"
    )
    steps: list[Step] = []
    if route == "cloud":
        summary = (
            "Claude Code uses a cloud provider (Bedrock, Mantle, Claude Platform on AWS, Vertex or Foundry): "
            "a Claude login outage misses it."
        )
    elif route == "gateway":
        base = setup.env.get("ANTHROPIC_BASE_URL", "the default API")
        summary = f"Claude Code uses ANTHROPIC_AUTH_TOKEN against {base}: it does not depend on the Claude login."
    elif route == "api" and setup.onboarding_done is not True:
        # The TUI's first-start flow checks Anthropic's login hosts, key or not, and stops at "Unable to
        # connect to Anthropic services" while they are down (traced on Claude Code 2.1.197).
        summary = (
            "Claude Code has an API key, but its onboarding is not complete: the interactive client checks "
            "Anthropic's login hosts first and stops while they are down." + source
        )
        steps.append(
            Step(
                'Mark onboarding complete ("hasCompletedOnboarding": true in ~/.claude.json) and point Claude Code '
                "at the key (shows a diff and asks first):",
                f"outagecheck fallback apply claude-code{' --scope local' if scope == 'local' else ''}",
            )
        )
    elif route == "api":
        summary = "Claude Code already uses an API key: a login outage does not touch it." + source
    else:
        if auth.get("authMethod") == "none":
            summary = "Claude Code is not logged in: it has neither a login nor a key." + source
        else:
            summary = "Claude Code uses the subscription login: a login outage locks it out." + source
        has_key = "ANTHROPIC_API_KEY" in setup.env
        if not has_key:
            steps.append(
                Step(
                    "Put an API key in the environment (or keep it in a password manager):",
                    "export ANTHROPIC_API_KEY=sk-ant-...",
                )
            )
        steps.append(
            Step(
                "For a one-off in a script or terminal (non-interactive mode always uses the key):",
                'claude -p "your prompt"',
            )
        )
        scope_flag = " --scope local" if scope == "local" else ""
        helper = "" if has_key else ' --key-command "<command that prints the key>"'
        steps.append(
            Step(
                "For interactive sessions, point Claude Code at the key (sets apiKeyHelper and "
                "hasCompletedOnboarding; shows a diff and asks first):",
                f"outagecheck fallback apply claude-code{scope_flag}{helper}",
            )
        )
        steps.append(Step("When the login is back, undo it:", "outagecheck fallback revert claude-code"))
        warnings[:0] = [BILLING, FEATURES]
    if setup.openclaw_uses_cli:
        steps.append(
            Step(
                f"OpenClaw ({setup.openclaw_path}) runs Claude through the claude-cli runtime, which shares Claude "
                "Code's login. Switch it to the API route: change model refs 'claude-cli/<model>' to "
                "'anthropic/<model>' (or drop agentRuntime.id \"claude-cli\"), put ANTHROPIC_API_KEY in "
                "~/.openclaw/.env, then restart:",
                "openclaw gateway restart && openclaw models status",
            )
        )
    return Guide(route, summary, tuple(steps), (*blockers, *warnings), tuple(blockers))
