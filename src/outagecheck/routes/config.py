"""`[[routes]]` in the outagecheck config: parsed and validated, pure; each mistake is one ConfigError line.

Called by config.parse only when the file has `[[routes]]`, so a config without routes imports nothing here.
Model-id shapes per kind follow the providers' docs (code.claude.com/docs/en/amazon-bedrock,
google-vertex-ai, microsoft-foundry, claude-platform-on-aws; openrouter.ai/docs/guides/coding-agents).
"""

from __future__ import annotations

import re
from typing import Any, Final

from outagecheck import config
from outagecheck.errors import ConfigError, printable
from outagecheck.routes.model import MODEL_ROLES, Kind, Route

NAME: Final = re.compile(r"[a-z0-9_-]{1,32}")
RESERVED_NAMES: Final = frozenset({"auto"})  # `fallback apply --to auto` picks the best route
MAX_PRIORITY: Final = 1000
_AWS: Final = frozenset({Kind.BEDROCK, Kind.MANTLE, Kind.ANTHROPIC_AWS})
_KEYED: Final = frozenset({Kind.ANTHROPIC, Kind.GATEWAY, Kind.OPENROUTER})  # apiKeyHelper routes
# The keys each kind uses besides the ones every kind has (name, kind, base_url, models, status_feed, priority).
KIND_KEYS: Final[dict[str, frozenset[Kind]]] = {
    "region": _AWS | {Kind.VERTEX},
    "profile": _AWS,
    "workspace": frozenset({Kind.ANTHROPIC_AWS}),
    "project": frozenset({Kind.VERTEX}),
    "resource": frozenset({Kind.FOUNDRY}),
    "key_command": _KEYED,
    "auth_refresh": _AWS | {Kind.VERTEX},  # awsAuthRefresh / gcpAuthRefresh
}
COMMON_KEYS: Final = frozenset({"name", "kind", "base_url", "models", "status_feed", "priority"})

AWS_REGION: Final = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")  # us-east-1, us-gov-west-1, ap-southeast-2
VERTEX_REGION: Final = re.compile(r"global|us|eu|[a-z]+-[a-z]+\d{1,2}")  # global, us, eu, us-east5
# A GCP project id (6-30 of a-z0-9-, a letter first, no '-' last), optionally domain-scoped ("example.com:p").
PROJECT: Final = re.compile(r"([a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]")
RESOURCE: Final = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?")  # {resource}.services.ai.azure.com
WORKSPACE: Final = re.compile(r"wrkspc_[A-Za-z0-9]{1,64}")
PROFILE: Final = re.compile(r"[A-Za-z0-9_.@+=,/:-]{1,128}")

_CLAUDE: Final = r"claude-[a-z0-9.-]+"
# Bedrock Invoke needs an inference profile ("us.anthropic.claude-…", "global.…") or its ARN.
BEDROCK_MODEL: Final = re.compile(
    rf"[a-z]{{2,6}}(-[a-z]+)?\.anthropic\.{_CLAUDE}(-v\d+(:\d+)?)?"
    r"|arn:aws[a-z-]*:bedrock:[a-z0-9-]+:\d{12}:(application-)?inference-profile/[A-Za-z0-9._:/-]+"
)
BARE_BEDROCK: Final = re.compile(rf"(arn:aws[a-z-]*:bedrock:[a-z0-9-]*::foundation-model/)?anthropic\.{_CLAUDE}.*")
MODEL_SHAPES: Final[dict[Kind, tuple[re.Pattern[str], str]]] = {
    Kind.ANTHROPIC: (re.compile(_CLAUDE), "a Claude API model id, like 'claude-sonnet-4-5'"),
    Kind.ANTHROPIC_AWS: (re.compile(_CLAUDE), "a Claude API model id, like 'claude-sonnet-4-5'"),
    Kind.BEDROCK: (BEDROCK_MODEL, "an inference profile id or ARN, like 'us.anthropic.claude-sonnet-4-6'"),
    Kind.MANTLE: (re.compile(rf"anthropic\.{_CLAUDE}"), "'anthropic.' and a model with no version suffix"),
    Kind.VERTEX: (re.compile(rf"{_CLAUDE}(@\d{{8}})?"), "a Vertex model id, like 'claude-haiku-4-5@20251001'"),
    Kind.FOUNDRY: (re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"), "the Foundry deployment name"),
    Kind.OPENROUTER: (re.compile(r"[a-z0-9-]+/[a-z0-9._-]+(:[a-z0-9-]+)?"), "'vendor/slug'"),
    Kind.GATEWAY: (re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}"), "the gateway's model name"),
}


def parse_routes(value: Any, source: str) -> tuple[Route, ...]:
    """Validate the `routes` array of a parsed config document; raise ConfigError naming the first bad key."""
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise ConfigError(f"{source}: 'routes' must be an array of tables, like [[routes]] (one per route)")
    routes: list[Route] = []
    for index, entry in enumerate(value):
        route = _route(index, entry, source)
        if any(r.name == route.name for r in routes):
            raise ConfigError(f"{source}: 'routes[{index}].name': a route named '{route.name}' is already defined")
        routes.append(route)
    return tuple(routes)


def _route(index: int, entry: dict[str, Any], source: str) -> Route:
    name = entry.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        shown = f"{printable(name)!r}" if isinstance(name, str) else "missing" if name is None else type(name).__name__
        raise ConfigError(f"{source}: 'routes[{index}].name' must be 1-32 of a-z, 0-9, '-' and '_' (got {shown})")
    if name in RESERVED_NAMES:
        raise ConfigError(f"{source}: 'routes[{index}].name': '{name}' is reserved; choose another")
    where = f"routes.{name}"
    kinds = ", ".join(k.value for k in Kind)
    try:
        kind = Kind(str(entry.get("kind")))
    except ValueError:
        raise ConfigError(f"{source}: '{where}.kind' must be one of: {kinds}") from None
    _only_keys(entry, kind, where, source)
    values = {key: _field(key, entry[key], kind, f"{where}.{key}", source) for key in KIND_KEYS if key in entry}
    base_url = _base_url(entry.get("base_url"), kind, f"{where}.base_url", source)
    _required(kind, values, base_url, where, source)
    status_feed = entry.get("status_feed")
    return Route(
        name=name,
        kind=kind,
        base_url=base_url,
        models=_models(entry.get("models", {}), kind, f"{where}.models", source),
        status_feed=None if status_feed is None else _feed(status_feed, f"{where}.status_feed", source),
        priority=_priority(entry.get("priority", 100), f"{where}.priority", source),
        **values,
    )


def _feed(value: Any, where: str, source: str) -> str:
    return config._url(value, where, source, allow_query=True)  # a feed may need ?region=… or a key name


def _only_keys(entry: dict[str, Any], kind: Kind, where: str, source: str) -> None:
    for key in sorted(entry):
        if key in COMMON_KEYS or kind in KIND_KEYS.get(key, frozenset()):
            continue
        if key in KIND_KEYS:
            owners = ", ".join(k.value for k in Kind if k in KIND_KEYS[key])
            raise ConfigError(f"{source}: '{where}.{key}' is not used by kind '{kind}' (only by: {owners})")
        known = ", ".join(sorted(COMMON_KEYS | {k for k, owners in KIND_KEYS.items() if kind in owners}))
        raise ConfigError(f"{source}: unknown key '{printable(where)}.{printable(key)}' (known for {kind}: {known})")


def _field(key: str, value: Any, kind: Kind, where: str, source: str) -> str:
    text = _line(value, where, source)
    shape = {
        "region": VERTEX_REGION if kind is Kind.VERTEX else AWS_REGION,
        "project": PROJECT,
        "resource": RESOURCE,
        "workspace": WORKSPACE,
        "profile": PROFILE,
    }.get(key)
    if shape is not None and not shape.fullmatch(text):
        raise ConfigError(
            f"{source}: '{where}' is not {_SHAPE_NAMES[key, kind is Kind.VERTEX and key == 'region']}: {text!r}"
        )
    return text


_SHAPE_NAMES: Final[dict[tuple[str, bool], str]] = {
    ("region", False): "an AWS region, like 'us-east-1'",
    ("region", True): "a Vertex region: 'global', 'us', 'eu' or one like 'us-east5'",
    ("project", False): "a Google Cloud project id (6-30 of a-z, 0-9 and '-', a letter first)",
    ("resource", False): "an Azure resource name (1-64 letters, digits and '-')",
    ("workspace", False): "a workspace id, like 'wrkspc_01AbC…'",
    ("profile", False): "an AWS profile name",
}


def _line(value: Any, where: str, source: str) -> str:
    """A non-empty one-line string: commands (key_command, auth_refresh) are kept as written, never run here."""
    if not isinstance(value, str):
        raise ConfigError(f"{source}: '{where}' must be a string, not {type(value).__name__}")
    if not value.strip() or not value.isprintable():
        raise ConfigError(f"{source}: '{where}' must be one non-empty line, got {printable(repr(value))}")
    return value


def _base_url(value: Any, kind: Kind, where: str, source: str) -> str | None:
    if value is None:
        return None
    url = config._url(value, where, source)
    if kind is Kind.VERTEX and not url.endswith("/v1"):
        # ANTHROPIC_VERTEX_BASE_URL replaces https://{region}-aiplatform.googleapis.com/v1, /v1 included.
        raise ConfigError(f"{source}: '{where}' must end in /v1 for kind 'vertex' (as ANTHROPIC_VERTEX_BASE_URL does)")
    return url


def _required(kind: Kind, values: dict[str, str], base_url: str | None, where: str, source: str) -> None:
    if kind is Kind.VERTEX and "project" not in values:
        raise ConfigError(f"{source}: '{where}' needs 'project' (ANTHROPIC_VERTEX_PROJECT_ID) for kind 'vertex'")
    if kind is Kind.FOUNDRY and "resource" not in values and base_url is None:
        raise ConfigError(f"{source}: '{where}' needs 'resource' or 'base_url' for kind 'foundry'")
    if kind is Kind.ANTHROPIC_AWS and "workspace" not in values:
        raise ConfigError(
            f"{source}: '{where}' needs 'workspace' (ANTHROPIC_AWS_WORKSPACE_ID) for kind 'anthropic-aws'"
        )
    if kind is Kind.GATEWAY and base_url is None:
        raise ConfigError(f"{source}: '{where}' needs 'base_url' (ANTHROPIC_BASE_URL) for kind 'gateway'")


def _models(value: Any, kind: Kind, where: str, source: str) -> tuple[tuple[str, str], ...]:
    roles = ", ".join(MODEL_ROLES)
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: '{where}' must be a table, like {{ sonnet = \"…\" }} (roles: {roles})")
    for role in value:
        if role not in MODEL_ROLES:
            raise ConfigError(f"{source}: unknown key '{where}.{printable(role)}' (known: {roles})")
    return tuple((role, _model(value[role], kind, f"{where}.{role}", source)) for role in MODEL_ROLES if role in value)


def _model(value: Any, kind: Kind, where: str, source: str) -> str:
    model = _line(value, where, source)
    bare = model.removesuffix("[1m]")  # the 1M-context suffix; Claude Code strips it before sending
    shape, wanted = MODEL_SHAPES[kind]
    if shape.fullmatch(bare):
        return model
    if kind is Kind.BEDROCK and BARE_BEDROCK.fullmatch(bare):
        # Bedrock: "on-demand throughput isn't supported. Retry … with the ID or ARN of an inference profile".
        raise ConfigError(
            f"{source}: '{where}': Bedrock needs an inference profile for {model!r}; "
            f"use 'us.{bare.rsplit('/', 1)[-1]}' (or 'eu.', 'apac.', 'global.' as your region offers)"
        )
    raise ConfigError(f"{source}: '{where}' must be {wanted} for kind '{kind}', got {printable(repr(model))}")


def _priority(value: Any, where: str, source: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PRIORITY:
        raise ConfigError(f"{source}: '{where}' must be a whole number from 0 to {MAX_PRIORITY} (smaller first)")
    return value
