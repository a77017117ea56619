"""Which URLs one run fetches, decided from the config and the environment; pure data, no I/O, no httpx."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from outagecheck.checks.deep import DEEP_PATH, deep_key, request_body
from outagecheck.classes import dataclass
from outagecheck.config import ENV_REF, Config, expand
from outagecheck.errors import unsendable
from outagecheck.surfaces import API, ENDPOINTS, GATEWAY_ID, SURFACES, Surface, custom, endpoint_key, is_gateway


@dataclass(frozen=True)
class Target:
    """A concrete URL to probe."""

    key: str
    url: str
    keyed: bool = False
    method: str = "GET"  # GET or HEAD: a check never changes anything, so a retry is safe; a POST is never retried
    headers: tuple[tuple[str, str], ...] = ()  # already expanded; never printed
    expect: tuple[int, ...] = ()  # these codes are operational; empty: the usual rules
    blocked: str | None = None  # why it can't be sent (a header's variable is unset); no request is made
    expect_body: str = ""  # the body contract of a healthy 2xx (surfaces.Endpoint.expect_body)
    edge: str = ""  # the CDN in front of the host; "" when unknown (custom surfaces, the gateway)
    blocked_reason: str = "missing_env"  # the evidence reason when blocked
    body: bytes | None = None  # a POST's JSON body (status --deep)


@dataclass(frozen=True)
class CheckPlan:
    """Everything one run of the checks needs; built from the config, holds no I/O."""

    targets: tuple[Target, ...]
    status_pages: tuple[str, ...]  # base URLs, tried in order
    timeout_s: float
    slow_s: float
    api_key: str | None = None
    other_pages: tuple[str, ...] = ()  # Statuspage bases of custom surfaces, each read once


def gateway_url(cfg: Config, environ: Mapping[str, str]) -> str | None:
    """ANTHROPIC_BASE_URL when it gets a gateway row: set, not Anthropic's host, not turned off."""
    url = environ.get("ANTHROPIC_BASE_URL", "").strip()
    return url if cfg.gateway and is_gateway(url) else None


def surfaces_for(cfg: Config, environ: Mapping[str, str], deep: tuple[str, ...] = ()) -> tuple[Surface, ...]:
    """Claude's three surfaces (the API row with the `deep` models' checks), the config's [surfaces.*], and
    the gateway row when there is one."""
    extra = [custom(c.id, c.name, c.impact, c.statuspage, c.component) for c in cfg.surfaces]
    if gateway_url(cfg, environ):
        extra.append(
            Surface(
                GATEWAY_ID,
                "Gateway (ANTHROPIC_BASE_URL)",
                (endpoint_key(GATEWAY_ID),),
                (),
                impact_down="Requests through your gateway fail",
                impact_degraded="Gateway slow or erroring",
            )
        )
    own = tuple(replace(s, endpoints=(*s.endpoints, *map(deep_key, deep))) if s.id == API else s for s in SURFACES)
    return (*own, *extra)


def build_plan(
    cfg: Config,
    environ: Mapping[str, str],
    *,
    api_key: str | None,
    key_problem: str | None = None,
    deep: tuple[str, ...] = (),
) -> CheckPlan:
    """Decide which URLs to fetch: each shared endpoint once, the keyed one only with a key.

    A key that can't be a credential (`key_problem`, from errors.credential) blocks the keyed check:
    its row says why, and nothing is sent. `deep` (status --deep) adds one POST /v1/messages per model,
    sent under the same key rules; without a key it is planned blocked, so its row says why.
    """
    targets = [
        Target(
            e.key,
            cfg.endpoints[e.base] + e.path,
            e.keyed,
            blocked=key_problem if e.keyed else None,
            blocked_reason="bad_credential",
            expect_body=e.expect_body,
            edge=e.edge,
        )
        for e in ENDPOINTS.values()
        if not e.keyed or api_key or key_problem
    ]
    for model in deep:
        no_key = None if api_key or key_problem else "--deep needs ANTHROPIC_API_KEY; nothing was sent"
        targets.append(
            Target(
                deep_key(model),
                cfg.endpoints["api"] + DEEP_PATH,
                keyed=True,
                method="POST",
                blocked=key_problem or no_key,
                blocked_reason="bad_credential" if key_problem else "missing_env",
                body=request_body(model),
            )
        )
    for c in cfg.surfaces:
        headers, blocked, why = [], None, "missing_env"
        for name, value in c.headers:
            expanded, missing = expand(value, environ)
            headers.append((name, expanded))
            if missing and blocked is None:
                blocked = f"header {name} needs ${{{missing[0]}}}, which is not set"
            # Checked as the API key is: a value httpx would refuse (echoing it) or send split is not sent,
            # and the row names the variable, never its value.
            bad = next(((v, p) for v in ENV_REF().findall(value) if (p := unsendable(environ.get(v, "")))), None)
            if bad and blocked is None:
                blocked, why = f"header {name}: ${{{bad[0]}}} {bad[1]}; nothing was sent", "bad_credential"
        targets.append(
            Target(endpoint_key(c.id), c.url, False, c.method, tuple(headers), c.expect, blocked, blocked_reason=why)
        )
    if gateway := gateway_url(cfg, environ):
        # Any HTTP answer below 500 means the gateway is up; the key is never sent to it.
        targets.append(Target(endpoint_key(GATEWAY_ID), gateway, expect=tuple(range(100, 500))))
    pages = tuple(dict.fromkeys(c.statuspage for c in cfg.surfaces if c.statuspage))
    return CheckPlan(tuple(targets), cfg.status_pages, cfg.timeout, cfg.slow, api_key, pages)


def summary_url(base: str) -> str:
    """Return the summary.json URL for a status page base URL."""
    return base.rstrip("/") + "/api/v2/summary.json"
