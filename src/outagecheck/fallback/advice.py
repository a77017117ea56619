"""What to do about it: the raw-API fallback, told as concrete steps (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from outagecheck.model import Advice, Evidence, Incident, Status, Step, SurfaceResult

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
    front = [s for s in (surfaces["web"], surfaces["code"]) if _broken(s.status)]
    api = surfaces["api"].status
    blocked = blocked_route(key)
    if not front and blocked:
        return Advice(needed=False, available=False, headline=f"No fallback needed; but {blocked}.")
    if front and blocked:
        names = " and ".join(s.service for s in front)
        return Advice(needed=True, available=False, headline=f"{names} failing, and {blocked}.")
    if not front:
        logins_back = all(surfaces[i].status is Status.OPERATIONAL for i in ("web", "code"))
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
        # An API key goes to the same API: when it is overloaded or failing too, the switch avoids nothing and
        # starts API billing. What helps is waiting, or a route that is not Anthropic's API.
        follow = incidents[0].link if incidents else STATUS_PAGE
        why = "down too" if api is Status.DOWN else "degraded too (overloaded or failing requests)"
        ids = " ".join(f"--require {s.id}" for s in (*front, surfaces["api"]))
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
    available = api is Status.OPERATIONAL and not key.rejected
    if api is Status.OPERATIONAL:
        verb = "is" if len(front) == 1 else "are"
        headline = f"{names} {verb} failing but the Claude API is up: go through the API."
    else:
        headline = f"{names} failing; the Claude API could not be verified, so the API route may not work."
        available = False
    if key.rejected:
        headline = f"{names} failing; the API is a way around it, but it rejected your key: fix the key first."
    elif not key.checked:
        notes.insert(0, "Set ANTHROPIC_API_KEY and run outagecheck again to check that the API accepts your key.")
    return Advice(needed=True, available=available, headline=headline, steps=steps, notes=tuple(notes))
