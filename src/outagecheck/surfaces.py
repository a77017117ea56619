"""The three Claude surfaces, as data: which endpoints they need and which status-page components."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit


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
