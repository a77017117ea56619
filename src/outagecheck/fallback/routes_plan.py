"""What `fallback apply claude-code --to ROUTE` writes for a configured route, and when it refuses to write.

Facts from code.claude.com/docs (env-vars, amazon-bedrock, google-vertex-ai, microsoft-foundry,
claude-platform-on-aws, llm-gateway-connect): a settings `env` value beats a shell export; an empty value is
the documented cancel of a provider switch; env follows settings precedence (managed, local, project, user).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from outagecheck import paths
from outagecheck.errors import ConfigError, UsageError
from outagecheck.fallback.apply import Proposal, changes_for
from outagecheck.fallback.targets import FileEdit, git_ignore_edit
from outagecheck.routes.config import MODEL_SHAPES
from outagecheck.routes.current import BASE_URL_VAR, HOST_VAR, apps_gateway, truthy
from outagecheck.routes.model import MODEL_ROLES, SWITCHES, Kind, Route
from outagecheck.routes.settings import LAYER_ORDER, ROUTE_VARS, SECRET_VARS, SettingsLayer

OPENROUTER_URL: Final = "https://openrouter.ai/api"  # openrouter.ai/docs/guides/coding-agents/claude-code-integration
CANCEL: Final = ""  # Claude Code treats an empty switch as unset for provider selection (env-vars, Precedence)
PIN_VARS: Final = {role: f"ANTHROPIC_DEFAULT_{role.upper()}_MODEL" for role in MODEL_ROLES}
_CLOUD_CANCELS: Final = ("ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN")  # a cloud route must not be sent there
_KEYED_CANCELS: Final = ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_API_KEY")  # both outrank apiKeyHelper
REFRESH_KEY: Final = {
    Kind.BEDROCK: "awsAuthRefresh",
    Kind.MANTLE: "awsAuthRefresh",
    Kind.ANTHROPIC_AWS: "awsAuthRefresh",
    Kind.VERTEX: "gcpAuthRefresh",
}


@dataclass(frozen=True)
class RoutePlan:
    """A route's writes, before any file is read for the diff: the edits and what they set in `env`."""

    route: Route
    env: Mapping[str, str]  # the settings `env` values written ("" cancels)
    top: Mapping[str, Any]  # top-level settings keys written (awsAuthRefresh, gcpAuthRefresh, apiKeyHelper)
    edits: tuple[FileEdit, ...]
    settings: Path


def plan_route(
    route: Route, layers: tuple[SettingsLayer, ...], environ: Mapping[str, str], *, scope: str, cwd: Path
) -> RoutePlan:
    """Work out what switching Claude Code to `route` writes; ConfigError (78) when the switch would not hold."""
    if route.kind is Kind.ANTHROPIC:
        raise UsageError(f"route '{route.name}' is the Claude API: use --to api (or fallback revert)")
    settings = paths.project_settings(cwd, local=True) if scope == "local" else paths.user_settings()
    _refuse_managed(route, layers, environ)
    lower = _effective(layers, environ, below=scope)
    env = {**_route_env(route), **_cancels(route, lower)}
    env.update(_model_fix(route, lower))
    top = _top_keys(route)
    _refuse_higher(route, env, layers, scope)
    _refuse_secrets(env)
    _refuse_two_on(route, env, layers, environ, scope)
    edits = [FileEdit(settings, "json", {**{f"env.{k}": v for k, v in env.items()}, **top})]
    if scope == "local" and (ignore := git_ignore_edit(cwd)) is not None:
        edits.append(ignore)
    if not route.kind.cloud:  # a gateway's key replaces the login: the first-run gate must not ask for it
        edits.append(FileEdit(paths.claude_state_file(), "json", {"hasCompletedOnboarding": True}))
    return RoutePlan(route, env, top, tuple(edits), settings)


def propose_route(
    name: str,
    routes: tuple[Route, ...],
    environ: Mapping[str, str],
    cwd: Path,
    *,
    scope: str,
    layers: tuple[SettingsLayer, ...] | None = None,
) -> tuple[RoutePlan, Proposal]:
    """`fallback apply claude-code --to NAME`: the configured route's plan and its diffs; nothing is written.
    `layers`: Claude Code's settings layers in `cwd` when the caller read them already."""
    from outagecheck.routes.settings import settings_layers  # noqa: PLC0415  # reads Claude Code's files

    found = [r for r in routes if r.name == name]
    if not found:
        known = ", ".join(["api", *(r.name for r in routes)])
        raise UsageError(f"unknown route '{name}' for --to (known: {known})")
    layers = settings_layers(cwd) if layers is None else layers
    plan = plan_route(found[0], layers, environ, scope=scope, cwd=cwd)
    return plan, Proposal("claude-code", tuple(changes_for(list(plan.edits))))


def _route_env(route: Route) -> dict[str, str]:
    """The route's own switch, where it goes, and its pins."""
    env: dict[str, str] = {}
    if route.kind in SWITCHES:
        env[SWITCHES[route.kind]] = "1"
    if route.kind in (Kind.BEDROCK, Kind.MANTLE, Kind.ANTHROPIC_AWS):
        env.update(_set(AWS_REGION=route.region, AWS_PROFILE=route.profile))
        if route.kind is Kind.ANTHROPIC_AWS:
            env.update(_set(ANTHROPIC_AWS_WORKSPACE_ID=route.workspace))
    elif route.kind is Kind.VERTEX:
        env.update(_set(CLOUD_ML_REGION=route.region, ANTHROPIC_VERTEX_PROJECT_ID=route.project))
    elif route.kind is Kind.FOUNDRY:
        env.update(_set(ANTHROPIC_FOUNDRY_RESOURCE=None if route.base_url else route.resource))
    if route.kind is Kind.OPENROUTER:
        env["ANTHROPIC_BASE_URL"] = route.base_url or OPENROUTER_URL
    elif route.base_url:
        if route.kind is Kind.FOUNDRY:
            env[BASE_URL_VAR[route.kind]] = foundry_url(route.base_url)
        elif route.kind in BASE_URL_VAR:
            env[BASE_URL_VAR[route.kind]] = route.base_url
        else:
            env["ANTHROPIC_BASE_URL"] = route.base_url
    if route.kind is Kind.OPENROUTER:
        env["ANTHROPIC_API_KEY"] = CANCEL  # OpenRouter's own setup: the token only (openrouter.ai docs)
    env.update({PIN_VARS[role]: model for role, model in route.models})
    return env


def _set(**values: str | None) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


def foundry_url(url: str) -> str:
    """Foundry's base URL ends in /anthropic (anthropics/claude-code-action#816)."""
    url = url.rstrip("/")
    return url if url.endswith("/anthropic") else url + "/anthropic"


def _top_keys(route: Route) -> dict[str, Any]:
    top: dict[str, Any] = {}
    if route.auth_refresh and route.kind in REFRESH_KEY:
        top[REFRESH_KEY[route.kind]] = route.auth_refresh
    if route.key_command and not route.kind.cloud:
        top["apiKeyHelper"] = route.key_command  # the gateway's credential, never its value
    return top


def _effective(layers: tuple[SettingsLayer, ...], environ: Mapping[str, str], *, below: str) -> dict[str, str]:
    """The route variables as Claude Code merges them from the scope's layer down to the shell."""
    start = LAYER_ORDER.index(below)
    merged = {k: v for k, v in environ.items() if k in ROUTE_VARS}
    for layer in reversed(layers):
        if layer.name in LAYER_ORDER[start:]:
            merged.update(dict(layer.env))
    return merged


def _cancels(route: Route, lower: Mapping[str, str]) -> dict[str, str]:
    """Every other provider switch on below, and for a cloud route the base URL and token, set to ''."""
    out = {var: CANCEL for kind, var in SWITCHES.items() if kind is not route.kind and truthy(lower.get(var))}
    if route.kind is Kind.ANTHROPIC_AWS:  # Bedrock and Foundry take precedence over it (claude-platform-on-aws)
        out.update({SWITCHES[Kind.BEDROCK]: CANCEL, SWITCHES[Kind.FOUNDRY]: CANCEL})
    cancels = _CLOUD_CANCELS if route.kind.cloud else _KEYED_CANCELS if route.key_command else ()
    out.update({var: CANCEL for var in cancels if lower.get(var)})
    return out


def _model_fix(route: Route, lower: Mapping[str, str]) -> dict[str, str]:
    """ANTHROPIC_MODEL holding an id in another provider's form is set to the route's first pin."""
    model = lower.get("ANTHROPIC_MODEL")
    shape = MODEL_SHAPES.get(route.kind)
    if not model or shape is None or shape[0].fullmatch(model.removesuffix("[1m]")):
        return {}
    if not route.models:
        raise ConfigError(
            f"ANTHROPIC_MODEL is {model!r}, not {shape[1]}: add models to route '{route.name}' so it can be pinned"
        )
    return {"ANTHROPIC_MODEL": route.models[0][1]}


def _refuse_managed(route: Route, layers: tuple[SettingsLayer, ...], environ: Mapping[str, str]) -> None:
    """The host or a managed setting decides the provider: an edit below it would not hold."""
    refuse_apps_gateway(layers)
    if truthy(environ.get(HOST_VAR)):
        raise ConfigError(f"{HOST_VAR} is set: the host decides Claude Code's provider; nothing written")
    for layer in layers:
        if layer.name != "managed" or not layer.exists:
            continue
        where = f"managed settings {layer.path}"
        if layer.unread:
            raise ConfigError(f"{where} can't be read here and may set the provider; nothing written")
        if layer.env or layer.api_key_helper:
            named = layer.env[0][0] if layer.env else "apiKeyHelper"
            raise ConfigError(f"{where} sets {named}, which overrides this switch; nothing written")
        if layer.force_login_method and not route.kind.cloud:
            raise ConfigError(
                f"{where} sets forceLoginMethod: Claude Code rejects a gateway key under it; nothing written"
            )


def refuse_apps_gateway(layers: tuple[SettingsLayer, ...]) -> None:
    """Managed settings force the Claude apps gateway sign-in: its session outranks every provider setting, so
    no edit of ours would hold (not forceable). The switch between providers is the gateway's `upstreams`."""
    if (gateway := apps_gateway(layers)) is not None:
        at = f" ({gateway.value})" if gateway.name == "forceLoginGatewayUrl" else ""
        raise ConfigError(
            f"{gateway.where} forces the Claude apps gateway{at}: a signed-in gateway session outranks every "
            "provider setting, so this switch would not hold; switch routes in the gateway's own upstreams "
            "(its gateway.yaml); nothing written"
        )


def _refuse_higher(route: Route, env: Mapping[str, str], layers: tuple[SettingsLayer, ...], scope: str) -> None:
    """A settings layer above the scope sets a value we write, or turns another provider on."""
    higher = LAYER_ORDER[1 : LAYER_ORDER.index(scope)]
    for layer in layers:
        if layer.name not in higher or not layer.exists:
            continue
        for var, value in layer.env:
            other_on = var in SWITCHES.values() and var != SWITCHES.get(route.kind) and truthy(value)
            if other_on or (var in env and value != env[var]):
                raise ConfigError(
                    f"{layer.name} settings {layer.path} sets {var}, which overrides --scope {scope}; "
                    "nothing written (use --scope local, or edit that file)"
                )


def _refuse_secrets(env: Mapping[str, str]) -> None:
    """No secret is ever written into a settings file: a cancel ('') is no secret."""
    for var, value in env.items():
        if value and (var in SECRET_VARS or "SECRET" in var or var.endswith("_KEY")):
            raise ConfigError(f"{var} would be written into a settings file; use a profile or apiKeyHelper instead")


def _refuse_two_on(
    route: Route, env: Mapping[str, str], layers: tuple[SettingsLayer, ...], environ: Mapping[str, str], scope: str
) -> None:
    """After the edit exactly the route's own switch is on (no order between providers is documented)."""
    after = {**_effective(layers, environ, below=scope), **env}
    for layer in reversed(layers):  # the layers above the scope still win over it
        if layer.name in LAYER_ORDER[: LAYER_ORDER.index(scope)]:
            after.update(dict(layer.env))
    on = sorted(var for var in SWITCHES.values() if truthy(after.get(var)))
    wanted = [SWITCHES[route.kind]] if route.kind in SWITCHES else []
    if on != wanted:
        raise ConfigError(f"{' and '.join(on)} would be on after the edit in --scope {scope}; nothing written")


# The first Claude Code that reads a route's variables (its CHANGELOG; code.claude.com/docs provider pages).
def minimum_version(route: Route) -> tuple[tuple[int, int, int], str] | None:
    """The oldest Claude Code that takes this route as written, and why; None when any will."""
    aws = route.kind in (Kind.BEDROCK, Kind.MANTLE, Kind.ANTHROPIC_AWS)
    if route.kind in (Kind.MANTLE, Kind.ANTHROPIC_AWS) and route.auth_refresh:
        return (2, 1, 198), "awsAuthRefresh on this route"
    if aws and not route.region:
        return (2, 1, 172), "the AWS profile's region (no region in the route)"
    if route.kind is Kind.FOUNDRY:
        return (2, 0, 45), "Microsoft Foundry"
    return None


def refuse_old(route: Route, version: str | None) -> None:
    """A Claude Code too old for the route's variables would silently ignore them: refused (78)."""
    needed = minimum_version(route)
    found = _parse_version(version or "")
    if needed is None or found is None or found >= needed[0]:
        return
    wanted, have = ".".join(map(str, needed[0])), ".".join(map(str, found))
    raise ConfigError(
        f"Claude Code {have} is too old for route '{route.name}' ({needed[1]} needs {wanted} or later); "
        "update it (claude update); nothing written"
    )


def _parse_version(text: str) -> tuple[int, int, int] | None:
    parts = text.strip().split(" ")[0].split(".")
    if len(parts) < 3 or not all(p.isdigit() for p in parts[:3]):
        return None
    return int(parts[0]), int(parts[1]), int(parts[2])
