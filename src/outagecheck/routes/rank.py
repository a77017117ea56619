"""Routes best first, and what Claude Code needs to use one (pure): for `outagecheck fallback`."""

from __future__ import annotations

from collections.abc import Sequence

from outagecheck.model import Status
from outagecheck.routes.model import SWITCHES, Kind, Route, RouteResult
from outagecheck.text import mask_url

OPENROUTER = "https://openrouter.ai/api"
_ORDER = {Status.OPERATIONAL: 0, Status.DEGRADED: 1, Status.UNKNOWN: 2, Status.DOWN: 3}


def best_first(results: Sequence[RouteResult]) -> list[RouteResult]:
    """Usable first (no blocker, shared fate included), then operational over degraded, then the user's
    priority, then the faster; a route the check could not reach (unknown, down) last."""
    return sorted(
        results,
        key=lambda r: (r.blocker is not None, _ORDER[r.status], r.route.priority, r.latency_ms or float("inf")),
    )


def up_and_usable(r: RouteResult) -> bool:
    return r.blocker is None and r.status in (Status.OPERATIONAL, Status.DEGRADED)


def _pairs(route: Route) -> list[tuple[str, str]]:
    r = route
    foundry = "" if r.resource else mask_url(r.base_url or "")
    aws = [("AWS_REGION", r.region or ""), ("AWS_PROFILE", r.profile or "")]
    pairs: dict[Kind, list[tuple[str, str]]] = {
        Kind.BEDROCK: aws,
        Kind.MANTLE: aws,
        Kind.ANTHROPIC_AWS: [("ANTHROPIC_AWS_WORKSPACE_ID", r.workspace or ""), *aws],
        Kind.VERTEX: [("CLOUD_ML_REGION", r.region or ""), ("ANTHROPIC_VERTEX_PROJECT_ID", r.project or "")],
        Kind.FOUNDRY: [("ANTHROPIC_FOUNDRY_RESOURCE", r.resource or ""), ("ANTHROPIC_FOUNDRY_BASE_URL", foundry)],
        Kind.GATEWAY: [("ANTHROPIC_BASE_URL", mask_url(r.base_url or ""))],
        Kind.OPENROUTER: [
            ("ANTHROPIC_BASE_URL", mask_url(r.base_url or "https://openrouter.ai/api")),
            ("ANTHROPIC_API_KEY", '""'),
        ],
        Kind.ANTHROPIC: [],
    }
    switch = [(SWITCHES[r.kind], "1")] if r.kind in SWITCHES else []
    pins = [(f"ANTHROPIC_DEFAULT_{role.upper()}_MODEL", model) for role, model in r.models]
    return [(k, v) for k, v in (*switch, *pairs[r.kind], *pins) if v]


def needs(route: Route) -> str:
    """What Claude Code needs to take this route, in its own variables (the settings `env` or the shell)."""
    said = " ".join(f"{k}={v}" for k, v in _pairs(route))
    if route.kind is Kind.ANTHROPIC:
        return "an API key: outagecheck fallback apply claude-code"
    if route.key_command:
        said += " and apiKeyHelper = the route's key_command"
    return said
