"""What one answer says about a route (pure): its health, and whether this machine can use it.

Who answered is decided first, by the same rules as the surfaces (checks/classify.py): a proxy's block page,
a captive portal or TLS inspection is Unknown, answered by your network, never Down. Then the provider's
own refusals: a 401/403 for this route's credentials says nothing about its health and everything about its
usability (Unknown plus a blocker); 404 and model errors, no credit, quota (claude-routes §8.5's table).
"""

from __future__ import annotations

import json
from typing import Final
from urllib.parse import urlsplit

from outagecheck.checks.answered import OBSTACLES
from outagecheck.checks.classify import classify_response
from outagecheck.checks.http import Answer
from outagecheck.model import Evidence, Status
from outagecheck.routes.model import Blocker, Kind, Route
from outagecheck.routes.probes import Call

EXPIRED: Final = ("expired", "expiredtoken", "token is expired", "reauth")
NOT_ENABLED: Final = (
    "data sharing",
    "not enabled",
    "marketplace",
    "subscription",
    "don't have access to the model",
    "not allowed to use publisher model",
    "failed_precondition",
)
NOT_FOUND: Final = ("model", "inference profile", "on-demand throughput", "deployment")
QUOTA: Final = ("quota", "resource_exhausted", "too many tokens")
# The order blockers are reported in when a route has several: the most fundamental first.
ORDER: Final = tuple(Blocker)


def message(answer: Answer) -> str:
    """The provider's own error text: Anthropic's, AWS's (`message`, x-amzn-errortype) or Google's."""
    kind = answer.headers.get("x-amzn-errortype", "").split(":")[0]
    try:
        doc = json.loads(answer.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return " ".join(filter(None, (kind, answer.body[:120].decode("utf-8", "replace").strip())))
    error = doc.get("error", doc) if isinstance(doc, dict) else {}
    if not isinstance(error, dict):
        error = {"message": str(error)}
    said = error.get("message") or error.get("Message") or doc.get("message") if isinstance(doc, dict) else ""
    status = error.get("status") or error.get("type") or kind
    return " ".join(filter(None, (str(status or ""), str(said or ""))))[:200]


def _refusal(call: Call, code: int, text: str) -> tuple[Status, str, Blocker | None]:
    """A 4xx the provider answered: (status, reason, blocker)."""
    low = text.lower()
    per_model = call.role is not None
    if code == 401:
        return (
            Status.UNKNOWN,
            "credentials_rejected",
            Blocker.CREDENTIALS_EXPIRED if any(w in low for w in EXPIRED) else Blocker.ACCESS_DENIED,
        )
    if code == 402 or "credit balance" in low or "billing_error" in low or "insufficient credits" in low:
        return Status.OPERATIONAL, "no_credit", Blocker.NO_CREDIT
    if code == 403:
        if any(w in low for w in EXPIRED):
            return Status.UNKNOWN, "credentials_rejected", Blocker.CREDENTIALS_EXPIRED
        if any(w in low for w in NOT_ENABLED):
            return Status.UNKNOWN, "model_not_enabled", Blocker.MODEL_NOT_ENABLED
        return Status.UNKNOWN, "access_denied", Blocker.ACCESS_DENIED
    if code == 429:
        return Status.DEGRADED, "rate_limited", Blocker.QUOTA if any(w in low for w in QUOTA) else None
    if per_model and code == 400 and any(w in low for w in NOT_ENABLED):
        return Status.UNKNOWN, "model_not_enabled", Blocker.MODEL_NOT_ENABLED
    if per_model and (code == 404 or (code == 400 and any(w in low for w in NOT_FOUND))):
        return Status.OPERATIONAL, "model_not_found", Blocker.MODEL_NOT_FOUND
    if code == 404:
        return Status.UNKNOWN, "not_found", None  # a list endpoint that isn't there: the URL, not the service
    return Status.OPERATIONAL, "answered", None  # the provider parsed and refused the request: it is up


def judge(call: Call, answer: Answer, *, slow_s: float) -> tuple[Evidence, Blocker | None]:
    """Evidence for one answer, and the blocker it shows (None: nothing in the way)."""
    host = urlsplit(call.url).hostname or ""
    verdict = classify_response(
        answer.status_code, answer.headers, answer.body, latency_s=answer.latency_s, slow_s=slow_s, host=host
    )
    status, reason, detail, blocker = verdict.status, verdict.reason, verdict.detail, None
    speaks = verdict.answered_by not in OBSTACLES and not verdict.local
    if speaks and 400 <= answer.status_code < 500:
        text = message(answer)
        status, reason, blocker = _refusal(call, answer.status_code, text)
        detail = f"HTTP {answer.status_code}" + (f": {text[:120]}" if text else "")
    elif speaks and call.key == "key" and 200 <= answer.status_code < 300:
        status, reason, detail, blocker = _credit(answer, verdict.status, verdict.reason)
    elif speaks and call.key == "readiness" and answer.status_code != 200:
        status, reason, detail = Status.DEGRADED, "not_ready", f"HTTP {answer.status_code} (LiteLLM readiness)"
    evidence = Evidence(
        call.key,
        call.url,
        status,
        reason,
        detail,
        http_status=answer.status_code,
        latency_s=answer.latency_s,
        local=verdict.local,
        answered_by=verdict.answered_by,
        product=verdict.product,
    )
    return evidence, blocker


def _credit(answer: Answer, status: Status, reason: str) -> tuple[Status, str, str, Blocker | None]:
    """OpenRouter's `/api/v1/key`: the credit left on the key (`limit_remaining`; null: no limit)."""
    try:
        data = json.loads(answer.body).get("data") or {}
        left = data.get("limit_remaining")
    except (ValueError, AttributeError, RecursionError):
        return status, reason, f"HTTP {answer.status_code}", None
    if isinstance(left, int | float) and not isinstance(left, bool):
        if left <= 0:
            return status, "no_credit", f"key ok, no credit left (limit {data.get('limit')})", Blocker.NO_CREDIT
        return status, reason, f"key ok, {left:.2f} credit left", None
    return status, reason, "key ok, no credit limit", None


def billed_to(route: Route) -> str:
    """Who pays for what goes through the route, as far as this machine can tell without asking."""
    host = urlsplit(route.base_url or "").hostname or ""
    profile = f"profile {route.profile}" if route.profile else "the default AWS credentials"
    return {
        Kind.ANTHROPIC: "the Anthropic organisation of the API key",
        Kind.ANTHROPIC_AWS: f"AWS Marketplace (workspace {route.workspace or '?'}, {profile})",
        Kind.BEDROCK: f"the AWS account of {profile}",
        Kind.MANTLE: f"the AWS account of {profile}",
        Kind.VERTEX: f"GCP project {route.project or '?'}",
        Kind.FOUNDRY: f"Azure resource {route.resource or host or '?'}",
        Kind.OPENROUTER: "the OpenRouter key's account",
        Kind.GATEWAY: f"the account behind the gateway {host or '?'}",
    }[route.kind]


def shares_fate(route: Route) -> tuple[str, ...]:
    """The surfaces a route goes down with: Anthropic-operated routes, and passthrough gateways to the API."""
    parts = urlsplit(route.base_url or "")
    to_anthropic = (parts.hostname or "").endswith("anthropic.com")
    if route.kind in (Kind.ANTHROPIC, Kind.ANTHROPIC_AWS):
        return ("api",)
    if route.kind is Kind.GATEWAY and (to_anthropic or parts.path.rstrip("/").endswith("/anthropic")):
        return ("api",)  # a passthrough (Cloudflare AI Gateway's /anthropic, a proxy in front of the API)
    if route.kind is Kind.FOUNDRY and to_anthropic:
        return ("api",)  # "Hosted on Anthropic"
    return ()


def first_blocker(blockers: list[Blocker | None]) -> Blocker | None:
    found = [b for b in blockers if b is not None]
    return min(found, key=ORDER.index) if found else None
