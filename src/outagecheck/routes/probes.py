"""The free requests each kind of route is checked with, as data (pure): URL, method, body, how it is signed.

Never a billed call unless --deep: `GET /v1/models`, `count_tokens`, Bedrock's ListInferenceProfiles and
CountTokens ("doesn't incur charges"), Vertex's count-tokens:rawPredict ("no cost"), OpenRouter's
`/api/v1/key`, and LiteLLM's `/health/liveliness` and `/health/readiness`: never LiteLLM's `/health`,
which calls every model (https://docs.litellm.ai/docs/proxy/health).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, urlsplit

from outagecheck.routes.model import MODEL_ROLES, Kind, Route

ANTHROPIC_VERSION: Final = "2023-06-01"
PING: Final = [{"role": "user", "content": "ping"}]
# The cheapest model each kind names, checked when a route pins none (Foundry pins are deployment names:
# it has no default, and Claude Code fails every request without one).
DEFAULT_MODELS: Final[dict[Kind, str]] = {
    Kind.ANTHROPIC: "claude-haiku-4-5",
    Kind.ANTHROPIC_AWS: "claude-haiku-4-5",
    Kind.GATEWAY: "claude-haiku-4-5",
    Kind.OPENROUTER: "anthropic/claude-haiku-4.5",
    Kind.MANTLE: "anthropic.claude-haiku-4-5",
    Kind.BEDROCK: "{geo}.anthropic.claude-haiku-4-5-20251001-v1:0",
    Kind.VERTEX: "claude-haiku-4-5@20251001",
}
JSON: Final = (("content-type", "application/json"),)
SIGNED: Final = {Kind.BEDROCK: "bedrock", Kind.MANTLE: "bedrock-mantle", Kind.ANTHROPIC_AWS: "aws-external-anthropic"}


@dataclass(frozen=True)
class Call:
    """One request of a route's check."""

    key: str  # "models", "list_profiles", "count_tokens:sonnet", "key", "liveliness", "deep:haiku"
    method: str
    url: str
    body: bytes | None = None
    role: str | None = None  # the model pin it is about, if any
    keyless: bool = False  # sent without credentials (LiteLLM's health endpoints)
    headers: tuple[tuple[str, str], ...] = ()  # besides the credentials
    paid: bool = False


def region(route: Route) -> str:
    """The route's region, or the default its kind falls back to in Claude Code."""
    if route.region:
        return route.region
    return "us-east5" if route.kind is Kind.VERTEX else "us-east-1"


def models(route: Route) -> list[tuple[str, str]]:
    """The pins to check, in role order; the kind's cheapest model when none is pinned (never for Foundry)."""
    pinned = [(role, route.model(role) or "") for role in MODEL_ROLES if route.model(role)]
    if pinned or route.kind not in DEFAULT_MODELS:
        return pinned
    geo = {"eu": "eu", "ap": "apac"}.get(region(route)[:2], "us")
    return [("default", DEFAULT_MODELS[route.kind].format(geo=geo))]


def base(route: Route) -> str:
    """Where the route's requests go: `base_url` (as Claude Code reads it for the kind), else the provider's."""
    if route.base_url:
        return route.base_url.rstrip("/")
    r = region(route)
    if route.kind is Kind.VERTEX:
        host = {"global": "aiplatform.googleapis.com", "us": "aiplatform.us.rep.googleapis.com"}.get(r)
        host = host or ("aiplatform.eu.rep.googleapis.com" if r == "eu" else f"{r}-aiplatform.googleapis.com")
        return f"https://{host}/v1"
    return {
        Kind.ANTHROPIC: "https://api.anthropic.com",
        Kind.OPENROUTER: "https://openrouter.ai/api",
        Kind.ANTHROPIC_AWS: f"https://aws-external-anthropic.{r}.api.aws",
        Kind.MANTLE: f"https://bedrock-mantle.{r}.api.aws/anthropic",
        Kind.FOUNDRY: f"https://{route.resource}.services.ai.azure.com/anthropic" if route.resource else "",
        Kind.BEDROCK: f"https://bedrock-runtime.{r}.amazonaws.com",
        Kind.GATEWAY: "",
    }[route.kind]


def _json(doc: object) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def _anthropic_headers(route: Route, body: bool) -> tuple[tuple[str, str], ...]:
    headers = [("anthropic-version", ANTHROPIC_VERSION)]
    if route.kind is Kind.ANTHROPIC_AWS and route.workspace:
        headers.append(("anthropic-workspace-id", route.workspace))
    if body:
        headers.append(("content-type", "application/json"))
    return tuple(headers)


def count_tokens(route: Route) -> list[Call]:
    """`POST /v1/messages/count_tokens` per pin: free, RPM-limited (Anthropic-shaped routes)."""
    url = f"{base(route)}/v1/messages/count_tokens"
    return [
        Call(
            f"count_tokens:{role}",
            "POST",
            url,
            _json({"model": m, "messages": PING}),
            role,
            headers=_anthropic_headers(route, True),
        )
        for role, m in models(route)
    ]


def _bedrock(route: Route) -> list[Call]:
    control = route.base_url.rstrip("/") if route.base_url else f"https://bedrock.{region(route)}.amazonaws.com"
    calls = [Call("list_profiles", "GET", f"{control}/inference-profiles?maxResults=1&typeEquals=SYSTEM_DEFINED")]
    for role, model in models(route):
        invoke = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 1, "messages": PING}
        body = {"input": {"invokeModel": {"body": base64.b64encode(_json(invoke)).decode()}}}
        url = f"{base(route)}/model/{quote(model, safe='')}/count-tokens"
        calls.append(Call(f"count_tokens:{role}", "POST", url, _json(body), role, headers=JSON))
    return calls


def _vertex_url(route: Route, model: str, verb: str) -> str:
    where = f"projects/{route.project}/locations/{region(route)}/publishers/anthropic/models/{model}:{verb}"
    return f"{base(route)}/{where}"


def _vertex(route: Route) -> list[Call]:
    headers = JSON
    return [
        Call(
            f"count_tokens:{role}",
            "POST",
            _vertex_url(route, "count-tokens", "rawPredict"),
            _json({"model": m, "messages": PING}),
            role,
            headers=headers,
        )
        for role, m in models(route)
    ]


def plan(route: Route) -> list[Call]:
    """The free first round of a route's check (gateways may add a second: see check.py)."""
    if route.kind is Kind.BEDROCK:
        return _bedrock(route)
    if route.kind is Kind.VERTEX:
        return _vertex(route)
    if route.kind is Kind.OPENROUTER:
        return [Call("key", "GET", f"{base(route)}/v1/key")]
    if route.kind in (Kind.MANTLE, Kind.FOUNDRY):  # Foundry has no Models API; Mantle's is unconfirmed
        return count_tokens(route)
    return [Call("models", "GET", f"{base(route)}/v1/models?limit=1", headers=_anthropic_headers(route, False))]


def litellm(route: Route) -> list[Call]:
    """LiteLLM's two keyless health endpoints: no model is called (unlike `/health`)."""
    return [Call(k, "GET", f"{base(route)}/health/{k}", keyless=True) for k in ("liveliness", "readiness")]


def deep(route: Route) -> list[Call]:
    """--deep: one paid 1-token message per pinned model."""
    calls = []
    for role, model in models(route):
        message = {"max_tokens": 1, "messages": PING}
        if route.kind is Kind.BEDROCK:
            body = {"anthropic_version": "bedrock-2023-05-31", **message}
            url = f"{base(route)}/model/{quote(model, safe='')}/invoke"
        elif route.kind is Kind.VERTEX:
            body, url = {"anthropic_version": "vertex-2023-10-16", **message}, _vertex_url(route, model, "rawPredict")
        else:
            body, url = {"model": model, **message}, f"{base(route)}/v1/messages"
        headers = _anthropic_headers(route, True) if route.kind not in (Kind.BEDROCK, Kind.VERTEX) else JSON
        calls.append(Call(f"deep:{role}", "POST", url, _json(body), role, headers=headers, paid=True))
    return calls


def host(url: str) -> str:
    return urlsplit(url).hostname or ""
