"""What to do about it: the raw-API fallback, told as concrete steps (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final
from urllib.parse import urlsplit

from outagecheck.classes import dataclass
from outagecheck.model import Advice, Evidence, Incident, Status, Step, SurfaceResult
from outagecheck.surfaces import API, CODE, LOGIN_SURFACES, WEB

STATUS_PAGE: Final = "https://status.claude.com"
KEYS_PAGE: Final = "https://platform.claude.com/settings/keys"
BILLING_PAGE: Final = "https://platform.claude.com/settings/billing"
REGIONS_PAGE: Final = "https://www.anthropic.com/supported-countries"
CURL: Final = (
    "curl -sS https://api.anthropic.com/v1/messages "
    '-H "x-api-key: $ANTHROPIC_API_KEY" -H "anthropic-version: 2023-06-01" '
    '-H "content-type: application/json" '
    """-d '{"model": "claude-sonnet-4-5", "max_tokens": 256, """
    """"messages": [{"role": "user", "content": "Hello"}]}'"""
)
APPLY: Final = "outagecheck fallback apply claude-code"
BILLING: Final = "Billing: API calls are charged at API rates to the key's organisation, not to a Claude subscription."
FEATURES: Final = "While Claude Code uses a key, Remote Control, /schedule and claude.ai connectors are disabled."
# Answers this network gave instead of the service: the API route goes through the same network.
NETWORK: Final = frozenset({"web_filter", "local_proxy", "captive_portal", "tls_interception"})
# Where to point the company's CA when the network re-signs TLS (one PEM file serves both).
TRUST_CA: Final = (
    Step(
        "Get your company's root CA certificate (PEM) from IT and trust it for outagecheck (Python):",
        "export SSL_CERT_FILE=/path/to/company-ca.pem",
    ),
    Step("and for Claude Code (Node.js), before starting it:", "export NODE_EXTRA_CA_CERTS=/path/to/company-ca.pem"),
)


def tls_note(environ: Mapping[str, str]) -> str | None:
    """`outagecheck fallback`'s word on TLS inspection (it runs no check): unless Claude Code already trusts
    an extra CA, say that the API route meets the same inspection and how to trust the company CA."""
    if environ.get("NODE_EXTRA_CA_CERTS"):
        return None
    return (
        "If this network inspects TLS (`outagecheck status` then reports tls_interception and names the "
        "issuer), the API route fails the same way ('self-signed certificate in certificate chain'): trust "
        f"your company's CA first, for Claude Code with `{TRUST_CA[1].command}` and for outagecheck with "
        f"`{TRUST_CA[0].command}`."
    )


@dataclass(frozen=True)
class KeyFlags:
    """What the keyed check (GET /v1/models with ANTHROPIC_API_KEY) says about the user's key."""

    checked: bool  # the key was set, so the keyed check ran
    ok: bool  # the API accepted it
    rejected: bool  # the API answered 401 invalid x-api-key
    # The API refuses this client (403 permission_error, a region or network block): not from here.
    access_denied: bool = False
    billing: bool = False  # the key's organisation cannot pay ("credit balance is too low")


def key_flags(evidence: Mapping[str, Evidence]) -> KeyFlags:
    """Read the API checks' evidence, the same way for a live run and a replayed report.

    The deep checks (`status --deep`, endpoint keys api_deep:MODEL) count too: a key that can list models
    but whose organisation can't pay, or that may not use the API from here, gives no fallback.
    """
    denied = any(evidence[k].reason == "access_denied" for k in ("api_hello", "api_models") if k in evidence)
    deep = {e.reason for k, e in evidence.items() if k.startswith("api_deep:")}
    denied = denied or "permission" in deep
    models = evidence.get("api_models")
    if models is None:
        return KeyFlags(checked=False, ok=False, rejected=False, access_denied=denied)
    return KeyFlags(
        checked=True,
        ok=models.reason in ("ok", "slow") and not deep & {"auth", "billing_limit"},
        rejected=models.reason == "key_rejected" or "auth" in deep,
        access_denied=denied,
        billing=models.reason == "account_billing" or "billing_limit" in deep,
    )


def blocked_route(key: KeyFlags) -> str | None:
    """Why the API route can't work for this machine or account whatever the service's health, or None."""
    if key.access_denied:
        return (
            "the Claude API refuses requests from here (access_denied): the API route will not work from this "
            f"network or region; see {REGIONS_PAGE} and check for a VPN or company proxy"
        )
    if key.billing:
        return (
            "your API key's organisation has no credit (account_billing): add credit at "
            f"{BILLING_PAGE} or use another key; this is not a Claude outage"
        )
    return None


def _broken(status: Status) -> bool:
    return status in (Status.DOWN, Status.DEGRADED)


def advise(
    surfaces: Mapping[str, SurfaceResult],
    key: KeyFlags,
    *,
    incidents: Sequence[Incident] = (),
    outstanding: Sequence[str] = (),
) -> Advice:
    """Say whether the raw API is a way around the outage, and how to take it."""
    if (here := _network(surfaces, key)) is not None:
        return here
    front = [s for s in (surfaces[WEB], surfaces[CODE]) if _broken(s.status)]
    api = surfaces[API].status
    blocked = blocked_route(key)
    if not front and blocked:
        return Advice(needed=False, available=False, headline=f"No fallback needed; but {blocked}.")
    if front and blocked:
        names = " and ".join(s.service for s in front)
        return Advice(needed=True, available=False, headline=f"{names} failing, and {blocked}.")
    if not front:
        logins_back = all(surfaces[i].status is Status.OPERATIONAL for i in LOGIN_SURFACES)
        if outstanding and logins_back:
            return Advice(
                needed=True,
                available=api is Status.OPERATIONAL,
                headline=f"The login paths are back, and a fallback is still applied ({', '.join(outstanding)}).",
                steps=(Step("Switch back to your usual login:", "outagecheck fallback revert"),),
            )
        return Advice(needed=False, available=api is Status.OPERATIONAL, headline="No fallback needed.")
    names = " and ".join(s.service for s in front)
    if api in (Status.DOWN, Status.DEGRADED):
        return _api_failing(names, [*front, surfaces[API]], api, incidents)
    return _through_api(names, len(front), api, key)


def _blocker(surface: SurfaceResult) -> Evidence | None:
    return next((e for e in surface.evidence if e.answered_by in NETWORK), None)


def _network(surfaces: Mapping[str, SurfaceResult], key: KeyFlags) -> Advice | None:
    """Advice when this network, not the service, stands in the way: TLS inspection, a filter, a proxy."""
    every = [e for s in surfaces.values() for e in s.evidence]
    tls = next((e for e in every if e.answered_by == "tls_interception"), None)
    if tls is not None:
        issuer = f" (issuer: {tls.issuer})" if tls.issuer else ""
        headline = (
            f"This network re-signs TLS{issuer}: Claude Code fails here with 'self-signed certificate in "
            "certificate chain' until it trusts your company's CA, and switching to the API does not get past "
            "the inspection."
        )
        return Advice(needed=True, available=False, headline=headline, steps=TRUST_CA)
    front = [s for s in (surfaces[WEB], surfaces[CODE]) if _blocker(s) is not None]
    if not front:
        return None
    hosts = ", ".join(sorted({urlsplit(e.url).hostname or e.url for s in front if (e := _blocker(s))}))
    first = _blocker(front[0])
    who = {"web_filter": "web filter", "local_proxy": "proxy", "captive_portal": "captive portal"}
    what = f"your network's {who.get(first.answered_by, 'proxy') if first else 'proxy'}"
    what += f" ({first.product})" if first and first.product else ""
    api_block = _blocker(surfaces[API])
    if api_block is not None:
        api_host = urlsplit(api_block.url).hostname or "the API"
        hosts = ", ".join(h for h in hosts.split(", ") if h != api_host) or "the Claude hosts"
        return Advice(
            needed=True,
            available=False,
            headline=f"{what[0].upper()}{what[1:]} blocks {hosts} and {api_host} as well: the API route is blocked "
            "from this network too.",
            steps=(Step("Ask your IT team to allow the Claude hosts, or use another network (a phone hotspot)."),),
        )
    if surfaces[API].status is Status.OPERATIONAL:
        names = " and ".join(s.service for s in front)
        advice = _through_api(names, len(front), Status.OPERATIONAL, key)
        headline = (
            f"{what[0].upper()}{what[1:]} blocks {hosts}; the Claude API answers, so the API route works from here."
        )
        return Advice(True, advice.available, headline, advice.steps, advice.notes)
    return None


def _api_failing(names: str, required: Sequence[SurfaceResult], api: Status, incidents: Sequence[Incident]) -> Advice:
    # An API key goes to the same API: when it is overloaded or failing too, the switch avoids nothing and
    # starts API billing. What helps is waiting, or a route that is not Anthropic's API.
    follow = incidents[0].link if incidents else STATUS_PAGE
    why = "down too" if api is Status.DOWN else "degraded too (overloaded or failing requests)"
    ids = " ".join(f"--require {s.id}" for s in required)
    return Advice(
        needed=True,
        available=False,
        headline=(
            f"No API fallback: the Claude API is {why}, not only {names}; an API key would meet the same "
            "problem and start API billing."
        ),
        steps=(
            Step(
                f"Wait for recovery; follow {follow}. This returns once they are back:",
                f"outagecheck wait {ids} --max-wait 1h",
            ),
            Step(
                "If your organisation has Amazon Bedrock, Google Vertex AI or Microsoft Foundry, route "
                "Claude Code there with that provider's credentials (or CLAUDE_CODE_USE_VERTEX=1, "
                "CLAUDE_CODE_USE_FOUNDRY=1):",
                "export CLAUDE_CODE_USE_BEDROCK=1",
            ),
        ),
    )


def _through_api(names: str, failing: int, api: Status, key: KeyFlags) -> Advice:
    if key.ok:
        key_step = Step("Your ANTHROPIC_API_KEY is set and the API accepted it; the steps below use it.")
    else:
        key_step = Step(
            f"Set an API key from {KEYS_PAGE} (if the Console is down too, use a key you already have):",
            "export ANTHROPIC_API_KEY=sk-ant-...",
        )
    steps = (
        key_step,
        Step(
            "Claude Code, one-off (non-interactive mode always uses ANTHROPIC_API_KEY):",
            'claude -p "your prompt"',
        ),
        Step("Scripts and CI, straight to the API:", CURL),
        Step(
            'Claude Code, interactive: set "apiKeyHelper" in ~/.claude/settings.json and '
            '"hasCompletedOnboarding": true in ~/.claude.json; this shows a diff, asks, and can be '
            "undone with `outagecheck fallback revert`:",
            APPLY,
        ),
    )
    notes = [BILLING, FEATURES]
    available = api in (Status.OPERATIONAL, Status.DEGRADED) and not key.rejected
    if api is Status.OPERATIONAL:
        verb = "is" if failing == 1 else "are"
        headline = f"{names} {verb} failing but the Claude API is up: go through the API."
    elif api is Status.DEGRADED:
        headline = f"{names} failing; the Claude API is degraded but answering: the API route may need retries."
    else:
        headline = f"{names} failing; the Claude API could not be verified, so the API route may not work."
        available = False
    if key.rejected:
        headline = f"{names} failing; the API is a way around it, but it rejected your key: fix the key first."
    elif not key.checked:
        notes.insert(0, "Set ANTHROPIC_API_KEY and run outagecheck again to check that the API accepts your key.")
    return Advice(needed=True, available=available, headline=headline, steps=steps, notes=tuple(notes))
