"""Plan the way around a login outage for this machine: the read-only answer of `outagecheck fallback`."""

from __future__ import annotations

from dataclasses import dataclass

from outagecheck.checks.advice import BILLING, FEATURES
from outagecheck.fallback.detect import LAYER_ORDER, Setup, route_of
from outagecheck.model import Step
from outagecheck.routes.current import apps_gateway


@dataclass(frozen=True)
class Guide:
    """The read-only answer of `outagecheck fallback`."""

    route: str  # "api", "cloud", "gateway", "subscription"
    summary: str
    steps: tuple[Step, ...]
    warnings: tuple[str, ...]
    blockers: tuple[str, ...] = ()  # the warnings that would stop or override an applied fallback


def guide(setup: Setup, *, scope: str = "user") -> Guide:
    """Say whether this machine is already on the API route, and list the steps for its case."""
    route = route_of(setup)
    blockers = _blockers(setup, scope)
    summary, steps, costs = _route_plan(route, setup, scope)
    warnings = [*costs, *_warnings(setup)]
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


def _blockers(setup: Setup, scope: str) -> list[str]:
    """What would stop or override an applied fallback: a forced login, a stronger apiKeyHelper, a token."""
    blockers: list[str] = []
    managed = next(
        (layer for layer in setup.layers if layer.name == "managed" and layer.force_login_method), setup.layers[0]
    )
    if managed.force_login_method == "claudeai":
        blockers.append(
            f'Managed settings ({managed.path}) set forceLoginMethod "claudeai": your organisation only allows '
            "the subscription login, which blocks an API-key fallback. Ask your admin."
        )
    if (gateway := apps_gateway(setup.layers)) is not None:  # routes/current.py: it outranks every credential
        at = f" at {gateway.value}" if gateway.name == "forceLoginGatewayUrl" else ""
        blockers.append(
            f"Managed settings ({gateway.path}) force the Claude apps gateway{at}: a signed-in gateway session "
            "outranks an API key too, so a fallback written here would not be used; the switch between "
            "providers belongs in the gateway's own upstreams. Ask your admin."
        )
    target_rank = LAYER_ORDER.index("local" if scope == "local" else "user")
    for layer in setup.layers:
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
    return blockers


def _warnings(setup: Setup) -> list[str]:
    """What Claude Code may not do as the settings say: unreadable layers, a token hiding the key."""
    warnings = [
        f"{layer.path}: {layer.error}; Claude Code may ignore this file." for layer in setup.layers if layer.error
    ]
    if "ANTHROPIC_AUTH_TOKEN" in setup.env and "ANTHROPIC_API_KEY" in setup.env:
        warnings.append(
            "Both ANTHROPIC_AUTH_TOKEN and ANTHROPIC_API_KEY are set: Claude Code uses the token "
            "(Authorization: Bearer) and ignores the key."
        )
    if setup.claude_auth_error:
        warnings.append(setup.claude_auth_error)
    return warnings


def _auth_source(setup: Setup) -> str:
    """Where the summary's answer came from: `claude auth status`, or the environment and settings."""
    auth = setup.claude_auth or {}
    # Only the fields present: `apiKeySource` is absent when there is no key (Claude Code 2.1.197).
    shown = ", ".join(f"{k}={auth[k]}" for k in ("authMethod", "apiKeySource") if auth.get(k) is not None)
    return (
        f" (claude auth status: {shown})" if shown else " (inferred from environment and settings; `claude` not asked)"
    )


def _route_plan(route: str, setup: Setup, scope: str) -> tuple[str, list[Step], tuple[str, ...]]:
    """The summary and steps for the route in use, and what the API route costs when it is the way out."""
    source = _auth_source(setup)
    scope_flag = " --scope local" if scope == "local" else ""
    if route == "cloud":
        return (
            "Claude Code uses a cloud provider (Bedrock, Mantle, Claude Platform on AWS, Vertex or Foundry): "
            "a Claude login outage misses it.",
            [],
            (),
        )
    if route == "gateway":
        base = setup.env.get("ANTHROPIC_BASE_URL", "the default API")
        return f"Claude Code uses ANTHROPIC_AUTH_TOKEN against {base}: it does not depend on the Claude login.", [], ()
    if route == "api" and setup.onboarding_done is not True:
        # The TUI's first-start flow checks Anthropic's login hosts, key or not, and stops at "Unable to
        # connect to Anthropic services" while they are down (traced on Claude Code 2.1.197).
        summary = (
            "Claude Code has an API key, but its onboarding is not complete: the interactive client checks "
            "Anthropic's login hosts first and stops while they are down." + source
        )
        step = Step(
            'Mark onboarding complete ("hasCompletedOnboarding": true in ~/.claude.json) and point Claude Code '
            "at the key (shows a diff and asks first):",
            f"outagecheck fallback apply claude-code{scope_flag}",
        )
        return summary, [step], ()
    if route == "api":
        return "Claude Code already uses an API key: a login outage does not touch it." + source, [], ()
    return _subscription_plan(setup, scope_flag, source)


def _subscription_plan(setup: Setup, scope_flag: str, source: str) -> tuple[str, list[Step], tuple[str, ...]]:
    """A login (or none) and no key in use: the steps onto the API route, and what that route costs."""
    if (setup.claude_auth or {}).get("authMethod") == "none":
        summary = "Claude Code is not logged in: it has neither a login nor a key." + source
    else:
        summary = "Claude Code uses the subscription login: a login outage locks it out." + source
    has_key = "ANTHROPIC_API_KEY" in setup.env
    steps: list[Step] = []
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
    helper = "" if has_key else ' --key-command "<command that prints the key>"'
    steps.append(
        Step(
            "For interactive sessions, point Claude Code at the key (sets apiKeyHelper and "
            "hasCompletedOnboarding; shows a diff and asks first):",
            f"outagecheck fallback apply claude-code{scope_flag}{helper}",
        )
    )
    steps.append(Step("When the login is back, undo it:", "outagecheck fallback revert claude-code"))
    return summary, steps, (BILLING, FEATURES)
