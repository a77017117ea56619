"""advice: is the raw API a way around the outage, and how to take it (pure, table-driven)."""

from __future__ import annotations

import pytest

from outagecheck.checks.advice import APPLY, KeyFlags, advise, key_flags
from outagecheck.model import Evidence, Incident, Status, SurfaceResult

OP, DEG, DOWN, UNK = Status.OPERATIONAL, Status.DEGRADED, Status.DOWN, Status.UNKNOWN
NAMES = {"web": "Claude.ai (web)", "code": "Claude Code (CLI)", "api": "Claude API"}
KEY_OK = KeyFlags(checked=True, ok=True, rejected=False)
KEY_BAD = KeyFlags(checked=True, ok=False, rejected=True)
NO_KEY = KeyFlags(checked=False, ok=False, rejected=False)


def surfaces(web: Status, code: Status, api: Status) -> dict[str, SurfaceResult]:
    return {
        sid: SurfaceResult(sid, NAMES[sid], status, "", None, None, ())
        for sid, status in (("web", web), ("code", code), ("api", api))
    }


@pytest.mark.parametrize(
    ("states", "key", "needed", "available", "headline"),
    [
        pytest.param((OP, OP, OP), KEY_OK, False, True, "No fallback needed.", id="all-up"),
        pytest.param((OP, OP, DOWN), KEY_OK, False, False, "No fallback needed.", id="only-api-down"),
        pytest.param(
            (DOWN, DOWN, OP),
            KEY_OK,
            True,
            True,
            "Claude.ai (web) and Claude Code (CLI) are failing but the Claude API is up: go through the API.",
            id="march",
        ),
        pytest.param(
            (OP, DOWN, OP), KEY_OK, True, True, "Claude Code (CLI) is failing but the Claude API is up", id="code-only"
        ),
        pytest.param(
            (DOWN, OP, DEG),
            KEY_OK,
            True,
            False,
            "No API fallback: the Claude API is degraded too (overloaded or failing requests), not only Claude.ai "
            "(web); an API key would meet the same problem and start API billing.",
            id="api-degraded-no-key-switch",
        ),
        pytest.param(
            (DOWN, DOWN, UNK),
            KeyFlags(True, False, False, access_denied=True),
            True,
            False,
            "the API route will not work from this network or region",
            id="access-denied-no-fallback",
        ),
        pytest.param(
            (OP, OP, OP),
            KeyFlags(True, False, False, billing=True),
            False,
            False,
            "add credit at https://platform.claude.com/settings/billing or use another key",
            id="no-credit-no-fallback",
        ),
        pytest.param((DOWN, OP, UNK), KEY_OK, True, False, "could not be verified", id="api-unknown"),
        pytest.param(
            (DOWN, DOWN, DOWN), KEY_OK, True, False, "No API fallback: the Claude API is down too", id="all-down"
        ),
        pytest.param(
            (DOWN, OP, OP), KEY_BAD, True, False, "it rejected your key: fix the key first", id="key-rejected"
        ),
        pytest.param((UNK, UNK, OP), NO_KEY, False, True, "No fallback needed.", id="unknown-is-not-failing"),
    ],
)
def test_advise(
    states: tuple[Status, Status, Status], key: KeyFlags, needed: bool, available: bool, headline: str
) -> None:
    advice = advise(surfaces(*states), key)
    assert (advice.needed, advice.available) == (needed, available)
    assert headline in advice.headline


def test_the_steps_end_with_the_apply_command_and_name_the_costs() -> None:
    advice = advise(surfaces(DOWN, DOWN, OP), NO_KEY)
    assert advice.steps[0].command == "export ANTHROPIC_API_KEY=sk-ant-..."
    assert advice.steps[-1].command == APPLY
    assert advice.notes[0].startswith("Set ANTHROPIC_API_KEY and run outagecheck again")
    assert any(n.startswith("Billing:") for n in advice.notes)
    accepted = advise(surfaces(DOWN, DOWN, OP), KEY_OK)
    assert accepted.steps[0].command is None
    assert "accepted it" in accepted.steps[0].text
    assert not any(n.startswith("Set ANTHROPIC_API_KEY") for n in accepted.notes)


def test_api_down_points_at_the_open_incident() -> None:
    incident = Incident("Login errors", "investigating", "major", "", "", "https://stspg.io/x")
    advice = advise(surfaces(DOWN, DOWN, DOWN), KEY_OK, incidents=[incident])
    assert advice.steps[0].text == "Wait for recovery; follow https://stspg.io/x. This returns once they are back:"
    assert advice.steps[1].command == "export CLAUDE_CODE_USE_BEDROCK=1"


def test_an_outstanding_fallback_is_reverted_once_logins_are_back() -> None:
    advice = advise(surfaces(OP, OP, OP), KEY_OK, outstanding=["claude-code"])
    assert advice.needed
    assert "a fallback is still applied (claude-code)" in advice.headline
    assert advice.steps[-1].command == "outagecheck fallback revert"
    # While a login path still fails, the reminder waits.
    assert not advise(surfaces(OP, UNK, OP), KEY_OK, outstanding=["claude-code"]).needed


def _models(reason: str) -> dict[str, Evidence]:
    return {"api_models": Evidence("api_models", "https://x/v1/models", Status.OPERATIONAL, reason, "")}


@pytest.mark.parametrize(
    ("evidence", "flags"),
    [
        pytest.param({}, NO_KEY, id="no-keyed-check"),
        pytest.param(_models("ok"), KEY_OK, id="accepted"),
        pytest.param(_models("slow"), KEY_OK, id="accepted-slowly"),
        pytest.param(_models("key_rejected"), KEY_BAD, id="rejected"),
        pytest.param(_models("auth_answered"), KeyFlags(True, False, False), id="other-auth-answer"),
        pytest.param(_models("access_denied"), KeyFlags(True, False, False, access_denied=True), id="access-denied"),
        pytest.param(_models("account_billing"), KeyFlags(True, False, False, billing=True), id="no-credit"),
        pytest.param(
            {"api_hello": Evidence("api_hello", "https://x/api/hello", Status.UNKNOWN, "access_denied", "")},
            KeyFlags(False, False, False, access_denied=True),
            id="region-block-without-a-key",
        ),
        pytest.param(
            {"web": Evidence("web", "https://x/", Status.OPERATIONAL, "key_rejected", "")},
            NO_KEY,
            id="only-the-keyed-check-judges-the-key",
        ),
    ],
)
def test_key_flags(evidence: dict[str, Evidence], flags: KeyFlags) -> None:
    assert key_flags(evidence) == flags


def _row(sid: str, status: Status, *found: Evidence) -> SurfaceResult:
    return SurfaceResult(sid, NAMES[sid], status, "", None, None, found)


def _filtered(endpoint: str, host: str) -> Evidence:
    return Evidence(
        endpoint, f"https://{host}/", UNK, "web_filter", "HTTP 403", 403, answered_by="web_filter", product="Zscaler"
    )


def test_a_filter_that_blocks_the_api_too_says_the_api_route_is_blocked() -> None:
    rows = {
        "web": _row("web", UNK, _filtered("web", "claude.ai")),
        "code": _row("code", UNK, _filtered("api_hello", "api.anthropic.com")),
        "api": _row("api", UNK, _filtered("api_hello", "api.anthropic.com")),
    }
    advice = advise(rows, KEY_OK)
    assert (advice.needed, advice.available) == (True, False)
    assert advice.headline == (
        "Your network's web filter (Zscaler) blocks claude.ai and api.anthropic.com as well: "
        "the API route is blocked from this network too."
    )


def test_a_filter_that_blocks_only_claude_ai_says_the_api_route_works_from_here() -> None:
    ok = Evidence("api_hello", "https://api.anthropic.com/api/hello", OP, "ok", "HTTP 200", 200, answered_by="service")
    rows = {
        "web": _row("web", UNK, _filtered("web", "claude.ai")),
        "code": _row("code", OP, ok),
        "api": _row("api", OP, ok),
    }
    advice = advise(rows, KEY_OK)
    assert (advice.needed, advice.available) == (True, True)
    assert advice.headline == (
        "Your network's web filter (Zscaler) blocks claude.ai; "
        "the Claude API answers, so the API route works from here."
    )
    assert any(step.command == APPLY for step in advice.steps)


def test_tls_interception_says_how_to_trust_the_company_ca_for_both_tools() -> None:
    found = Evidence(
        "web", "https://claude.ai/", UNK, "tls_interception", "x", answered_by="tls_interception", issuer="CN=Corp CA"
    )
    rows = {sid: _row(sid, UNK, found) for sid in NAMES}
    advice = advise(rows, KEY_OK)
    assert (advice.needed, advice.available) == (True, False)
    assert "issuer: CN=Corp CA" in advice.headline
    assert "switching to the API does not get past" in advice.headline
    assert [s.command for s in advice.steps] == [
        "export SSL_CERT_FILE=/path/to/company-ca.pem",
        "export NODE_EXTRA_CA_CERTS=/path/to/company-ca.pem",
    ]


@pytest.mark.parametrize("api", [DEG, DOWN], ids=["api-overloaded", "api-down"])
def test_no_api_key_switch_when_the_api_is_failing_too(api: Status) -> None:
    """An API key goes to the same API: offering it when the API is overloaded or down avoids nothing and
    starts API billing. What helps instead: wait (with the command that does), or another provider's route."""
    advice = advise(surfaces(OP, DEG, api), KEY_OK)
    assert (advice.needed, advice.available) == (True, False)
    commands = [step.command for step in advice.steps]
    assert commands == [
        "outagecheck wait --require code --require api --max-wait 1h",
        "export CLAUDE_CODE_USE_BEDROCK=1",
    ]
    assert APPLY not in commands
    assert not any("ANTHROPIC_API_KEY" in (step.command or "") for step in advice.steps)
