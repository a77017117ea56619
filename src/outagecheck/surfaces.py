"""The ways to Claude, as data: the three surfaces (which endpoints they need and which status-page
components), and the routes (API, Bedrock, Vertex, Foundry, gateways: routes/ reads and probes them).

Routes live here, in the kernel, because a Report carries their results (model.Report.routes) and the kernel
imports no room; routes/model.py re-exports them. Standard library only, so `status` pays nothing for them.
"""

from __future__ import annotations

import enum
from dataclasses import field
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from outagecheck.classes import dataclass
from outagecheck.model import Evidence, Status

if TYPE_CHECKING:
    from collections.abc import Sequence

    from outagecheck.model import Report


@dataclass(frozen=True)
class Endpoint:
    """One URL to probe: a base from the config plus a path."""

    key: str
    base: str  # key in [endpoints]: "claude_ai", "platform" or "api"
    path: str
    keyed: bool = False  # carries the user's API key; sent only to the api base
    # What a healthy 2xx body is: "hello" ({"message": "hello"}), "models" (a JSON list or an Anthropic
    # error envelope), "" (no contract: any page). Anything else gets no vote (unexpected_body, captive_portal).
    expect_body: str = ""
    # The CDN in front of the host: an error page from another intermediary is not the service's own.
    edge: str = "cloudflare"


@dataclass(frozen=True)
class Component:
    """A Statuspage component, matched by id and, when the id is missing, by name."""

    id: str
    names: tuple[str, ...]  # lower-case prefixes of names seen on the page


@dataclass(frozen=True)
class Surface:
    """A row of the table."""

    id: str
    service: str
    endpoints: tuple[str, ...]
    components: tuple[Component, ...]
    impact_down: str
    impact_degraded: str
    page: str | None = None  # the Statuspage base its components are on; None: Claude's own page


ENDPOINTS: Final[dict[str, Endpoint]] = {
    e.key: e
    for e in (
        Endpoint("web", "claude_ai", "/"),
        # Claude Code's start-up connectivity check fetches both hellos and needs a 200 from each; a
        # failure prints "Unable to connect to Anthropic services" before any login screen.
        Endpoint("oauth_hello", "platform", "/v1/oauth/hello", expect_body="hello"),
        Endpoint("api_hello", "api", "/api/hello", expect_body="hello"),
        # Costs no tokens; only probed when ANTHROPIC_API_KEY is set.
        Endpoint("api_models", "api", "/v1/models?limit=1", keyed=True, expect_body="models"),
    )
}

# The surface ids: written here only, every other module names them.
WEB: Final = "web"
CODE: Final = "code"
API: Final = "api"
GATEWAY_ID: Final = "gateway"
OWN_IDS: Final = (WEB, CODE, API)  # Claude's own surfaces, always checked and always in a report
LOGIN_SURFACES: Final = (WEB, CODE)  # what a Claude Code login needs: the fallback exists for these
RESERVED_IDS: Final = frozenset({*OWN_IDS, GATEWAY_ID})  # a [surfaces.<id>] table can't take these
ROUTE_REQUIRED: Final = "route:"  # `--require route:NAME`: a [[routes]] entry, by name (ids and names have no ':')


def back_when(before: str, before_route: str = "") -> tuple[str, ...] | None:
    """What must be operational (in --require's terms) for the way Claude Code took before a fallback to be back:
    the login surfaces for "login" and for a fallback that recorded nothing (the API-key fallback, which exists
    for them; an older journal), the API for "api", the configured route for another route; None when it can't
    be watched (a route that matched no [[routes]] entry)."""
    if before in ("", "login"):
        return LOGIN_SURFACES
    if before == "api":
        return (API,)
    return (ROUTE_REQUIRED + before_route,) if before_route else None


def back_words(back: tuple[str, ...]) -> str:
    """--require's terms for people: "the login paths" for the login surfaces, else the ids and `route NAME`s."""
    if back == LOGIN_SURFACES:
        return "the login paths"
    return ", ".join(f"route {i.removeprefix(ROUTE_REQUIRED)}" if i.startswith(ROUTE_REQUIRED) else i for i in back)


def unknown_required(require: Sequence[str], ids: Sequence[str], routes: Sequence[str]) -> str | None:
    """What is wrong with --require's values, in one line (None: each names a surface, or `route:NAME` a
    [[routes]] entry of the config)."""
    for wanted in require:
        name = wanted.removeprefix(ROUTE_REQUIRED)
        if wanted.startswith(ROUTE_REQUIRED) and name not in routes:
            from outagecheck.errors import printable  # noqa: PLC0415  # only for the error

            have = f"the config's routes: {', '.join(routes)}" if routes else "the config has no [[routes]]"
            return f"unknown route '{printable(name)}' for --require ({have})"
        if not wanted.startswith(ROUTE_REQUIRED) and wanted not in ids:
            return f"unknown surface '{wanted}' for --require (choose from {', '.join(ids)})"
    return None


def statuses(report: Report) -> dict[str, Status]:
    """What --require can name, with its status in this report: each surface by id, each checked route as
    `route:NAME` (--then-revert's streak and the notes read it; Report.exit_code counts the same)."""
    return {x.id: x.status for x in report.surfaces + report.routes}


CLAUDE_AI: Final = Component("rwppv331jlwc", ("claude.ai",))
CLAUDE_CODE: Final = Component("yyzkbfz2thpt", ("claude code",))
# The Console is a Claude Code login path too (the "Anthropic Console account" login).
CLAUDE_CONSOLE: Final = Component("0qbwn08sd68x", ("claude console", "platform.claude.com", "console.anthropic.com"))
CLAUDE_API: Final = Component("k8w3r06qmzrp", ("claude api", "api.anthropic.com"))

SURFACES: Final[tuple[Surface, ...]] = (
    Surface(
        id=WEB,
        service="Claude.ai (web)",
        endpoints=("web",),
        components=(CLAUDE_AI,),
        impact_down="Login failures, session errors",
        impact_degraded="Slow pages or intermittent errors",
    ),
    Surface(
        id=CODE,
        service="Claude Code (CLI)",
        endpoints=("oauth_hello", "api_hello"),
        components=(CLAUDE_CODE, CLAUDE_CONSOLE),
        impact_down="Authentication failures",
        impact_degraded="Slow or intermittent login and start-up",
    ),
    Surface(
        id=API,
        service="Claude API",
        endpoints=("api_hello", "api_models"),
        components=(CLAUDE_API,),
        impact_down="API requests failing",
        impact_degraded="Slow or intermittently rejected requests",
    ),
)

# ANTHROPIC_BASE_URL hosts that are Anthropic's own: no gateway row for them.
ANTHROPIC_DOMAINS: Final = ("anthropic.com", "claude.ai", "claude.com")


def custom(surface_id: str, name: str, impact: str, page: str | None, component: str | None) -> Surface:
    """The row for a `[surfaces.<id>]` table: one endpoint, keyed by the surface id."""
    components = (Component(component, ()),) if component else ()
    return Surface(
        id=surface_id,
        service=name,
        endpoints=(endpoint_key(surface_id),),
        components=components,
        impact_down=impact or "Unreachable",
        impact_degraded=impact or "Degraded",
        page=page,
    )


def endpoint_key(surface_id: str) -> str:
    return f"surface:{surface_id}"


def is_gateway(base_url: str) -> bool:
    """True when ANTHROPIC_BASE_URL points at a host that isn't Anthropic's (OpenClaw, LiteLLM, a proxy)."""
    try:
        host = (urlsplit(base_url).hostname or "").lower()
    except ValueError:
        return False
    return bool(host) and not any(host == d or host.endswith("." + d) for d in ANTHROPIC_DOMAINS)


# -- routes: every way this machine can reach Claude besides the surfaces ------------------------------------


class Kind(enum.StrEnum):
    """How Claude Code reaches Claude on this route (the `kind` of a `[[routes]]` entry)."""

    ANTHROPIC = "anthropic"  # the Claude API, api.anthropic.com (or ANTHROPIC_BASE_URL pointing at it)
    BEDROCK = "bedrock"  # CLAUDE_CODE_USE_BEDROCK: Amazon Bedrock, Invoke API
    MANTLE = "mantle"  # CLAUDE_CODE_USE_MANTLE: Bedrock's Messages-shaped endpoint
    ANTHROPIC_AWS = "anthropic-aws"  # CLAUDE_CODE_USE_ANTHROPIC_AWS: Claude Platform on AWS
    VERTEX = "vertex"  # CLAUDE_CODE_USE_VERTEX: Google Vertex AI
    FOUNDRY = "foundry"  # CLAUDE_CODE_USE_FOUNDRY: Microsoft Foundry
    GATEWAY = "gateway"  # ANTHROPIC_BASE_URL: LiteLLM, Portkey, Cloudflare AI Gateway, a company gateway
    OPENROUTER = "openrouter"  # ANTHROPIC_BASE_URL=https://openrouter.ai/api

    @property
    def cloud(self) -> bool:
        """A cloud provider route (selected by a CLAUDE_CODE_USE_* switch, first in Claude Code's precedence)."""
        return self in CLOUD_KINDS


CLOUD_KINDS: Final = frozenset({Kind.BEDROCK, Kind.MANTLE, Kind.ANTHROPIC_AWS, Kind.VERTEX, Kind.FOUNDRY})

# The switch Claude Code reads for each cloud kind ("", "0", "false" in any casing are off).
SWITCHES: Final[dict[Kind, str]] = {
    Kind.BEDROCK: "CLAUDE_CODE_USE_BEDROCK",
    Kind.MANTLE: "CLAUDE_CODE_USE_MANTLE",
    Kind.ANTHROPIC_AWS: "CLAUDE_CODE_USE_ANTHROPIC_AWS",
    Kind.VERTEX: "CLAUDE_CODE_USE_VERTEX",
    Kind.FOUNDRY: "CLAUDE_CODE_USE_FOUNDRY",
}

MODEL_ROLES: Final = ("opus", "sonnet", "haiku")  # the pins: ANTHROPIC_DEFAULT_{OPUS,SONNET,HAIKU}_MODEL


class Blocker(enum.StrEnum):
    """Why a route that may be healthy cannot be used from this machine now (usability other than ok)."""

    NO_CREDENTIALS = "no_credentials"
    CREDENTIALS_EXPIRED = "credentials_expired"
    ACCESS_DENIED = "access_denied"
    MODEL_NOT_ENABLED = "model_not_enabled"
    MODEL_NOT_FOUND = "model_not_found"
    QUOTA = "quota"
    NO_CREDIT = "no_credit"
    OVERRIDDEN = "overridden"  # a higher settings layer or the host decides the provider
    SHARES_FATE = "shares_fate"  # goes down with the Claude API, which is failing now


@dataclass(frozen=True)
class Route:
    """A `[[routes]]` entry, validated (routes/config.py), or a route found in Claude Code's settings.

    Fields a kind does not use stay None/empty. `base_url` means what Claude Code gives it per kind:
    ANTHROPIC_BEDROCK_BASE_URL (runtime and ListInferenceProfiles alike), ANTHROPIC_VERTEX_BASE_URL
    (ending in /v1), ANTHROPIC_FOUNDRY_BASE_URL, ANTHROPIC_BASE_URL; it is also how tests reach fakes.
    """

    name: str
    kind: Kind
    region: str | None = None
    profile: str | None = None  # AWS_PROFILE
    project: str | None = None  # ANTHROPIC_VERTEX_PROJECT_ID
    resource: str | None = None  # ANTHROPIC_FOUNDRY_RESOURCE
    workspace: str | None = None  # ANTHROPIC_AWS_WORKSPACE_ID (Claude Platform on AWS)
    base_url: str | None = None
    key_command: str | None = None  # becomes apiKeyHelper; its output is the gateway's credential
    models: tuple[tuple[str, str], ...] = ()  # (role, model id) in MODEL_ROLES order
    auth_refresh: str | None = None  # awsAuthRefresh / gcpAuthRefresh
    status_feed: str | None = None  # overrides the provider feed's URL
    priority: int = 100  # the smaller number first
    source: str = "config"  # "config", or where a discovered route was found (a settings file, the environment)

    def model(self, role: str) -> str | None:
        return dict(self.models).get(role)


@dataclass(frozen=True)
class RouteResult:
    """What the free probes found for one route: health (as surfaces have) and usability (from here)."""

    route: Route
    status: Status
    reason: str  # same vocabulary as SurfaceResult.reason where it applies
    detail: str = ""  # one sanitised line for people
    blocker: Blocker | None = None  # None: usable ("ok")
    evidence: tuple[Evidence, ...] = ()
    billed_to: str | None = None  # "AWS account 1234…", "GCP project acme-ai", "OpenRouter key", "Anthropic org"
    shares_fate_with: tuple[str, ...] = ()  # surface ids this route goes down with, e.g. ("api",)
    status_feed: str | None = None  # the feed that was read, if any
    feed_incidents: tuple[str, ...] = field(default=())  # open provider incidents for this service and region
    current: bool = False  # Claude Code uses this route now
    latency_ms: float | None = None

    @property
    def usable(self) -> str:
        return "ok" if self.blocker is None else self.blocker.value

    @property
    def id(self) -> str:
        """How --require names this route (`route:NAME`), beside the surfaces' ids."""
        return ROUTE_REQUIRED + self.route.name
