"""Routes: the ways this machine can reach Claude (API, Bedrock, Vertex, Foundry, gateways), as data.

Shared by the config parser (routes/config.py), the reader of the route Claude Code uses now
(routes/current.py) and the free probes (routes/check.py and the per-provider modules). Standard
library only, so `status` without routes pays nothing for it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Final

from outagecheck.model import Evidence, Status


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
