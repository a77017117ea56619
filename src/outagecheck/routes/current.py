"""The route Claude Code uses now, decided as Claude Code decides it: pure, from the environment and the layers.

Rules (code.claude.com/docs/en/authentication §Authentication precedence, env-vars §Precedence), each checked
against the published client (`claude auth status`, tests/routes/test_real_current.py):
- a settings-file `env` value beats a shell export; between files managed > local > project > user, and
  managed-settings.d/ fragments merge over managed-settings.json in name order;
- a switch is on for "1", "true", "yes", "on" in any casing and spacing, off for anything else ("", "0",
  "false", "2", "enabled" included) — Claude Code's isEnvTruthy;
- cloud providers first, in the order the client takes when several are on; then ANTHROPIC_AUTH_TOKEN,
  ANTHROPIC_API_KEY, apiKeyHelper, CLAUDE_CODE_OAUTH_TOKEN, and last the subscription login;
- managed `forceLoginMethod: "gateway"` / `forceLoginGatewayUrl`: a signed-in Claude apps gateway session
  "sits outside this list … and outranks" the providers (authentication); its `upstreams` choose the route;
- CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST in the environment: the host (the Desktop app, a cloud session)
  decides, and the provider, endpoint and auth variables of every settings file are ignored
  (anthropics/claude-code#41533).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from outagecheck.routes.model import SWITCHES, Kind, Route
from outagecheck.routes.settings import ROUTE_VARS, SECRET_SHOWN, SECRET_VARS, SettingsLayer
from outagecheck.surfaces import is_gateway
from outagecheck.text import mask_url

TRUE_VALUES: Final = frozenset({"1", "true", "yes", "on"})
# Measured on Claude Code 2.1.197 with every pair of switches on; the docs only say Bedrock and Foundry take
# precedence over Claude Platform on AWS (code.claude.com/docs/en/claude-platform-on-aws).
PROVIDER_ORDER: Final = (Kind.BEDROCK, Kind.FOUNDRY, Kind.ANTHROPIC_AWS, Kind.MANTLE, Kind.VERTEX)
HOST_VAR: Final = "CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST"
Show = Callable[[str, str], str]  # how a (variable, value) is held: shown() masks, winning() keeps
MODEL_VARS: Final = frozenset(
    {
        "ANTHROPIC_DEFAULT_OPUS_MODEL",
        "ANTHROPIC_DEFAULT_SONNET_MODEL",
        "ANTHROPIC_DEFAULT_HAIKU_MODEL",
        "ANTHROPIC_MODEL",
    }
)
HOST_STRIPPED: Final = frozenset(ROUTE_VARS) - MODEL_VARS  # provider, endpoint and auth: the host's
# What `claude auth status` calls each kind (apiProvider); gateways and OpenRouter are first party to it.
API_PROVIDER: Final = {
    Kind.BEDROCK: "bedrock",
    Kind.MANTLE: "mantle",
    Kind.ANTHROPIC_AWS: "anthropicAws",
    Kind.VERTEX: "vertex",
    Kind.FOUNDRY: "foundry",
}
BASE_URL_VAR: Final = {
    Kind.BEDROCK: "ANTHROPIC_BEDROCK_BASE_URL",
    Kind.MANTLE: "ANTHROPIC_BEDROCK_MANTLE_BASE_URL",
    Kind.ANTHROPIC_AWS: "ANTHROPIC_AWS_BASE_URL",
    Kind.VERTEX: "ANTHROPIC_VERTEX_BASE_URL",
    Kind.FOUNDRY: "ANTHROPIC_FOUNDRY_BASE_URL",
}
_AWS: Final = ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE")
KIND_VARS: Final[dict[Kind, tuple[str, ...]]] = {
    Kind.BEDROCK: _AWS,
    Kind.MANTLE: _AWS,
    Kind.ANTHROPIC_AWS: (*_AWS, "ANTHROPIC_AWS_WORKSPACE_ID"),
    Kind.VERTEX: ("CLOUD_ML_REGION", "ANTHROPIC_VERTEX_PROJECT_ID", "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT"),
    Kind.FOUNDRY: ("ANTHROPIC_FOUNDRY_RESOURCE",),
}
AUTH_VARS: Final = {
    "token": "ANTHROPIC_AUTH_TOKEN",
    "key": "ANTHROPIC_API_KEY",
    "oauth_token": "CLAUDE_CODE_OAUTH_TOKEN",
}


def truthy(value: str | None) -> bool:
    """Whether Claude Code reads this value of a switch as on."""
    return value is not None and value.strip().lower() in TRUE_VALUES


@dataclass(frozen=True)
class Setting:
    """One value that decides the route, as shown (secrets as SECRET_SHOWN, URLs masked), and where it is set."""

    name: str  # an environment variable, or a settings key (apiKeyHelper)
    value: str
    layer: str  # "environment", or the settings layer: "managed", "local", "project", "user"
    path: str | None = None  # the settings file (or registry value); None for the environment

    @property
    def where(self) -> str:
        return "environment" if self.path is None else f"{self.layer} settings {self.path}"


@dataclass(frozen=True)
class Current:
    """The route Claude Code takes now, the values that decide it (each with its source), and what is odd."""

    kind: Kind
    auth: str  # "cloud", "token", "key", "helper", "oauth_token" or "subscription"
    host_decides: bool = False
    values: tuple[Setting, ...] = ()
    conflicts: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    apps_gateway: Setting | None = None  # managed settings force the Claude apps gateway sign-in

    @property
    def api_provider(self) -> str:
        """What `claude auth status` reports as apiProvider for this route."""
        return API_PROVIDER.get(self.kind, "firstParty")

    def value(self, name: str) -> Setting | None:
        return next((s for s in self.values if s.name == name), None)

    def route(self) -> Route:
        """This route as a Route (name "current"), its source the switch's or the base URL's; its base URL is
        masked as shown (credentials in a URL are never held here), so it is for display and matching only."""
        deciding = self.value(SWITCHES[self.kind]) if self.kind.cloud else self.value("ANTHROPIC_BASE_URL")
        get = {s.name: s.value for s in self.values}.get
        return route_from(self.kind, get, name="current", source=deciding.where if deciding else "default")


def route_from(kind: Kind, get: Callable[[str], str | None], *, name: str, source: str) -> Route:
    """A route of `kind` from the winning value of each route variable (`get`, None or "" when unset)."""
    pins = (("opus", "OPUS"), ("sonnet", "SONNET"), ("haiku", "HAIKU"))
    models = tuple((r, v) for r, n in pins if (v := get(f"ANTHROPIC_DEFAULT_{n}_MODEL")))
    aws = kind in (Kind.BEDROCK, Kind.MANTLE, Kind.ANTHROPIC_AWS)
    region = get("AWS_REGION") or get("AWS_DEFAULT_REGION") if aws else get("CLOUD_ML_REGION")
    return Route(
        name=name,
        kind=kind,
        region=(region or None) if aws or kind is Kind.VERTEX else None,
        profile=(get("AWS_PROFILE") or None) if aws else None,
        project=get("ANTHROPIC_VERTEX_PROJECT_ID") or None,
        resource=get("ANTHROPIC_FOUNDRY_RESOURCE") or None,
        workspace=get("ANTHROPIC_AWS_WORKSPACE_ID") or None,
        base_url=get(BASE_URL_VAR.get(kind, "ANTHROPIC_BASE_URL")) or None,
        models=models,
        source=source,
    )


def resolve(environ: Mapping[str, str], layers: tuple[SettingsLayer, ...]) -> Current:
    """The route Claude Code takes with this environment (routes.settings.environment) and these layers."""
    host = truthy(environ.get(HOST_VAR))
    found, conflicts, notes = _merge(environ, layers, host=host, show=shown)

    def on(name: str) -> str:
        return found[name].value.strip() if name in found else ""

    active = [kind for kind in PROVIDER_ORDER if truthy(on(SWITCHES[kind]))]
    if active == [Kind.BEDROCK, Kind.MANTLE]:
        # A supported pair (code.claude.com/docs/en/amazon-bedrock): Mantle-format model ids go to Mantle.
        notes.append(
            "CLAUDE_CODE_USE_BEDROCK and CLAUDE_CODE_USE_MANTLE are both on: Bedrock, with model ids "
            "of the form anthropic.claude-… sent to Mantle"
        )
    elif len(active) > 1:
        names = " and ".join(SWITCHES[k] for k in active)
        conflicts.append(f"{names} are on: Claude Code takes {active[0]} (first of {_order()})")
    base = on("ANTHROPIC_BASE_URL")
    if active:
        kind, auth = active[0], "cloud"
    else:
        host_name = _host(base)
        kind = Kind.OPENROUTER if host_name == "openrouter.ai" else Kind.GATEWAY if is_gateway(base) else Kind.ANTHROPIC
        auth = _auth(on, layers, conflicts)
    deciding = [*(SWITCHES[k] for k in active), *KIND_VARS.get(kind, ()), BASE_URL_VAR.get(kind, "ANTHROPIC_BASE_URL")]
    deciding += [AUTH_VARS[auth]] if auth in AUTH_VARS else []
    deciding += sorted(MODEL_VARS)
    values = [found[n] for n in deciding if n in found and found[n].value.strip()]
    if auth == "helper":
        values.append(_helper(layers))
    if host:
        values.insert(0, Setting(HOST_VAR, environ[HOST_VAR], "environment"))
        notes.insert(0, f"{HOST_VAR} is set: the host decides the provider; settings files can't change it")
    if (gateway := apps_gateway(layers)) is not None:
        values.insert(0, gateway)
        notes.insert(0, apps_gateway_note(gateway))
    notes += _region_notes(kind, on)
    notes += [f"{layer.path}: {layer.error}; Claude Code may ignore this file" for layer in layers if layer.error]
    notes += [
        f"{layer.path}: an OS policy (MDM profile) manages Claude Code here and outranks the settings files; "
        "outagecheck does not read it, so it may set another provider"
        for layer in layers
        if layer.unread
    ]
    return Current(kind, auth, host, tuple(values), tuple(conflicts), tuple(notes), gateway)


def apps_gateway(layers: tuple[SettingsLayer, ...]) -> Setting | None:
    """The managed setting that forces the Claude apps gateway sign-in, its URL first (masked), else None."""
    managed = [layer for layer in layers if layer.name == "managed" and layer.apps_gateway]
    for layer in managed:  # highest first: the drop-ins, then managed-settings.json
        if url := layer.get("forceLoginGatewayUrl"):
            return Setting("forceLoginGatewayUrl", mask_url(url), "managed", layer.path)
    return Setting("forceLoginMethod", "gateway", "managed", managed[0].path) if managed else None


def apps_gateway_note(gateway: Setting) -> str:
    """Why the provider settings do not decide: the apps gateway session outranks them."""
    url = f" at {gateway.value}" if gateway.name == "forceLoginGatewayUrl" else ""
    return (
        f"{gateway.where} forces the Claude apps gateway{url}: a signed-in gateway session outranks every "
        "provider setting, and the gateway's own upstreams choose the route"
    )


def winning(environ: Mapping[str, str], layers: tuple[SettingsLayer, ...]) -> dict[str, Setting]:
    """Each route variable's winning value as Claude Code's process gets it, not masked (a file's secret stays
    SECRET_SHOWN: settings.read_secret): for the probe after a switch only, never shown."""
    return _merge(environ, layers, host=truthy(environ.get(HOST_VAR)), show=lambda name, value: value)[0]


def _merge(
    environ: Mapping[str, str], layers: tuple[SettingsLayer, ...], *, host: bool, show: Show
) -> tuple[dict[str, Setting], list[str], list[str]]:
    """Each route variable's winning value: the environment, then every layer from the lowest up."""
    found = {name: Setting(name, show(name, environ[name]), "environment") for name in ROUTE_VARS if name in environ}
    conflicts: list[str] = []
    notes: list[str] = []
    for layer in reversed(layers):
        for name, value in layer.env:
            if host and name in HOST_STRIPPED:
                notes.append(f"{name} in {layer.path} is ignored: the host decides the provider")
                continue
            new = Setting(name, show(name, value), layer.name, layer.path)
            old = found.get(name)
            if old is not None and old.path is None and old.value != new.value:
                conflicts.append(f"{name}: {_said(new)} in {layer.path} ({layer.name}) beats the shell's {_said(old)}")
            found[name] = new
    return found, conflicts, notes


def _auth(on: Callable[[str], str], layers: tuple[SettingsLayer, ...], conflicts: list[str]) -> str:
    """Token, key, helper, OAuth token, subscription: the first one set wins (first-party and gateways)."""
    helper = any(layer.api_key_helper for layer in layers)
    present = [m for m, var in (("token", AUTH_VARS["token"]), ("key", AUTH_VARS["key"])) if on(var)]
    present += ["helper"] if helper else []
    present += ["oauth_token"] if on(AUTH_VARS["oauth_token"]) else []
    if len(present) > 1:
        conflicts.append(
            f"both {_auth_name(present[0])} and {_auth_name(present[1])} are set: Claude Code uses "
            f"{_auth_name(present[0])} (auth conflict)"
        )
    return present[0] if present else "subscription"


def _auth_name(auth: str) -> str:
    return "apiKeyHelper" if auth == "helper" else AUTH_VARS[auth]


def _helper(layers: tuple[SettingsLayer, ...]) -> Setting:
    layer = next(layer for layer in layers if layer.api_key_helper)
    return Setting("apiKeyHelper", SECRET_SHOWN, layer.name, layer.path)  # a command may hold a key: not shown


def _region_notes(kind: Kind, on: Callable[[str], str]) -> list[str]:
    if kind in (Kind.BEDROCK, Kind.MANTLE, Kind.ANTHROPIC_AWS) and not (on("AWS_REGION") or on("AWS_DEFAULT_REGION")):
        return ["no AWS_REGION: Claude Code takes the AWS profile's region, else us-east-1"]
    if kind is Kind.VERTEX and not on("CLOUD_ML_REGION"):
        return ["no CLOUD_ML_REGION: Claude Code takes us-east5"]
    if kind is Kind.VERTEX and (on("GOOGLE_CLOUD_PROJECT") or on("GCLOUD_PROJECT")):
        return ["GOOGLE_CLOUD_PROJECT / GCLOUD_PROJECT take precedence over ANTHROPIC_VERTEX_PROJECT_ID"]
    return []


def shown(name: str, value: str) -> str:
    """A route variable's value as it may be shown: a secret as SECRET_SHOWN, a URL's credentials masked."""
    if name in SECRET_VARS:
        return SECRET_SHOWN if value else value
    return mask_url(value) if "BASE_URL" in name else value


def _said(setting: Setting) -> str:
    return f'"{setting.value}"'


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _order() -> str:
    return ", ".join(k.value for k in PROVIDER_ORDER)


def matches(route: Route, now: Route) -> bool:
    """Whether a configured route is the one Claude Code uses now: same kind, and no field both set differs."""
    if route.kind is not now.kind:
        return False
    pairs = [(route.region, now.region), (route.profile, now.profile), (route.project, now.project)]
    pairs += [(route.resource, now.resource), (route.workspace, now.workspace)]
    # The current route's URL is shown masked (Setting.value): compare the two masked.
    pairs += [
        (route.base_url and mask_url(route.base_url).rstrip("/"), now.base_url and mask_url(now.base_url).rstrip("/"))
    ]
    return all(a is None or b is None or a == b for a, b in pairs)
