"""assess: evidence and the status page in, verdicts, impact, notes and warnings out (pure, table-driven)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pytest

from outagecheck.checks.assess import assess
from outagecheck.model import Evidence, Status, StatusPage
from outagecheck.surfaces import SURFACES, custom

WHEN = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
OK_PAGE_COMPONENTS = {
    "rwppv331jlwc": ("claude.ai", "operational"),
    "yyzkbfz2thpt": ("Claude Code", "operational"),
    "0qbwn08sd68x": ("Claude Console", "operational"),
    "k8w3r06qmzrp": ("Claude API", "operational"),
}


def ev(
    endpoint: str, status: Status = Status.OPERATIONAL, reason: str = "ok", *, local: bool = False, sig: str = ""
) -> Evidence:
    detail = "HTTP 200" if reason == "ok" else f"{reason} detail"
    return Evidence(endpoint, f"https://example.test/{endpoint}", status, reason, detail, local=local, signature=sig)


def by(e: Evidence, who: str, product: str = "") -> Evidence:
    """The evidence with who answered it, as the live classification names it."""
    return replace(e, answered_by=who, product=product)


def page_attempt(reason: str, *, local: bool = False, sig: str = "") -> StatusPage:
    attempt = Evidence("status_page", "https://status.example.test/", UNK_, reason, "x", local=local, signature=sig)
    return StatusPage(False, attempt.url, reason, "x", attempts=(attempt,))


UNK_ = Status.UNKNOWN


def healthy() -> dict[str, Evidence]:
    return {k: ev(k) for k in ("web", "oauth_hello", "api_hello")}


def page(**states: str) -> StatusPage:
    comps = {cid: (name, states.get(cid, state)) for cid, (name, state) in OK_PAGE_COMPONENTS.items()}
    return StatusPage(True, "https://status.example.test/api/v2/summary.json", "ok", "read", comps)


UNUSABLE = StatusPage(False, "https://status.example.test/api/v2/summary.json", "timeout", "no answer within 5 s")


@dataclass(frozen=True)
class Case:
    evidence: dict[str, Evidence]
    page: StatusPage
    statuses: tuple[Status, Status, Status]  # web, code, api
    exit_code: int
    local: bool = False
    notes: tuple[str, ...] = ()  # fragments that must appear in the notes, in order
    warnings: tuple[str, ...] = ()
    impacts: dict[str, str] = field(default_factory=dict)  # surface id -> fragment of its impact


OP, DEG, DOWN, UNK = Status.OPERATIONAL, Status.DEGRADED, Status.DOWN, Status.UNKNOWN

CASES = [
    pytest.param(Case(healthy(), page(), (OP, OP, OP), 0, impacts={"web": "No reported disruption"}), id="all-up"),
    pytest.param(
        Case(
            {**healthy(), "web": ev("web", DOWN, "http_5xx"), "oauth_hello": ev("oauth_hello", DOWN, "http_5xx")},
            page(),
            (DOWN, DOWN, OP),
            2,
            notes=("Claude.ai (web): probes see Down, the status page says Operational (status pages often lag",),
            impacts={"web": "Login failures, session errors (http_5xx: http_5xx detail)"},
        ),
        id="march-probes-ahead-of-the-page",
    ),
    pytest.param(
        Case(
            healthy(),
            page(rwppv331jlwc="major_outage"),
            (DOWN, OP, OP),
            2,
            notes=("a login failure can be invisible to a probe without credentials",),
            impacts={"web": "Login failures, session errors (status page: major outage)"},
        ),
        id="page-ahead-of-the-probes",
    ),
    pytest.param(
        Case(
            {k: ev(k, DOWN, "connect_refused", local=True) for k in ("web", "oauth_hello", "api_hello")},
            StatusPage(
                False,
                None,
                "connect_refused",
                "refused",
                attempts=(ev("status_page", UNK, "connect_refused", local=True),),
            ),
            (UNK, UNK, UNK),
            3,
            local=True,
            warnings=("the local network, proxy or DNS is the likely cause, not Claude",),
            impacts={"api": "Could not verify: local network, proxy or DNS (connect_refused"},
        ),
        id="everything-local-blames-the-network",
    ),
    pytest.param(
        Case(
            {**healthy(), "web": ev("web", UNK, "bot_challenge")},
            UNUSABLE,
            (UNK, OP, OP),
            3,
            notes=("The status page gave no official signal: no answer within 5 s",),
            impacts={"web": "Could not verify: bot_challenge: bot_challenge detail"},
        ),
        id="challenge-alone-is-unknown",
    ),
    pytest.param(
        Case(
            healthy(),
            page(k8w3r06qmzrp="brand_new_state"),
            (OP, OP, DEG),
            1,
            notes=("unknown state 'brand_new_state'; read as degraded",),
        ),
        id="unknown-component-state-is-degraded",
    ),
    pytest.param(
        Case(
            {**healthy(), "api_models": ev("api_models", OP, "key_rejected")},
            page(),
            (OP, OP, OP),
            0,
            warnings=("rejected your ANTHROPIC_API_KEY",),
        ),
        id="rejected-key-warns-api-stays-up",
    ),
    pytest.param(
        Case(
            {**healthy(), "api_hello": ev("api_hello", DEG, "overloaded")},
            page(),
            (OP, DEG, DEG),
            1,
            notes=("Claude API: probes see Degraded, the status page says Operational",),
            impacts={"api": "Overloaded: requests intermittently rejected"},
        ),
        id="overloaded-names-the-reason",
    ),
    pytest.param(
        Case(
            {
                "web": ev("web"),  # the portal's page for claude.ai, unrecognised: still no green
                "oauth_hello": ev("oauth_hello", UNK, "captive_portal", local=True),
                "api_hello": ev("api_hello", UNK, "captive_portal", local=True),
            },
            page_attempt("bad_summary"),
            (UNK, UNK, UNK),
            3,
            local=True,
            warnings=("A captive portal (hotel or guest Wi-Fi login) answered instead of Claude",),
        ),
        id="captive-portal-is-never-operational",
    ),
    pytest.param(
        Case(
            {k: ev(k, UNK, "proxy_error", local=True) for k in ("web", "oauth_hello", "api_hello")},
            page_attempt("proxy_error", local=True),
            (UNK, UNK, UNK),
            3,
            local=True,
            warnings=("A proxy or other intermediary on this network answered for every host",),
        ),
        id="squid-for-every-host-is-local-not-down",
    ),
    pytest.param(
        Case(
            {k: ev(k, DOWN, "http_5xx", sig="abc") for k in ("web", "oauth_hello", "api_hello")},
            page_attempt("http_5xx", sig="abc"),
            (UNK, UNK, UNK),
            3,
            local=True,
            warnings=("answered for every host",),
        ),
        id="the-same-error-page-from-every-host-is-an-intermediary",
    ),
    pytest.param(
        Case(
            {k: ev(k, DOWN, "http_5xx", sig="abc") for k in ("web", "oauth_hello", "api_hello")},
            page(rwppv331jlwc="major_outage", yyzkbfz2thpt="major_outage", k8w3r06qmzrp="major_outage"),
            (DOWN, DOWN, DOWN),
            2,
        ),
        id="the-same-page-with-a-readable-status-page-is-the-service",
    ),
    pytest.param(
        Case(
            {
                **healthy(),
                "api_hello": ev("api_hello", UNK, "access_denied"),
                "api_models": ev("api_models", UNK, "access_denied"),
            },
            page(),
            (OP, UNK, UNK),
            3,
            warnings=("the API route will not work from this network or region",),
            impacts={"api": "Not reachable from here (access_denied"},
        ),
        id="region-block-is-access-not-health",
    ),
    pytest.param(
        Case(
            {**healthy(), "api_models": ev("api_models", OP, "account_billing")},
            page(),
            (OP, OP, OP),
            0,
            warnings=("add credit",),
        ),
        id="credit-balance-is-an-account-warning-not-degradation",
    ),
    pytest.param(
        Case(
            {**healthy(), "web": by(ev("web", UNK, "client_rate_limited"), "rate_limit_client", "Cloudflare")},
            page(),
            (UNK, OP, OP),
            3,
            notes=("a limit on this machine, not an outage",),
            impacts={"web": "Cloudflare rate-limits this client at example.test"},
        ),
        id="cloudflare-1015-is-this-client-not-the-service",
    ),
    pytest.param(
        Case(
            {**healthy(), "web": by(ev("web", UNK, "web_filter", local=True), "web_filter", "Zscaler")},
            page(),
            (UNK, OP, OP),
            3,
            impacts={"web": "your network's web filter (Zscaler) blocked example.test"},
        ),
        id="a-web-filter-is-never-operational-and-names-the-status-page",
    ),
    pytest.param(
        Case(
            {**healthy(), "web": ev("web", UNK, "blocked")},
            page(),
            (UNK, OP, OP),
            3,
            impacts={"web": "the status page says Operational"},
        ),
        id="a-bare-403-nobody-claimed-is-not-the-service-answering",
    ),
    pytest.param(
        Case(
            {**healthy(), "web": by(ev("web", UNK, "bot_challenge"), "bot_challenge", "Cloudflare")},
            page(),
            (OP, OP, OP),
            0,
            impacts={"web": "No reported disruption (the status page decides: Cloudflare asks for a browser check"},
        ),
        id="a-bot-challenge-alone-lets-the-status-page-decide",
    ),
    pytest.param(
        Case(
            {**healthy(), "web": by(ev("web", Status.DOWN, "http_5xx"), "service_edge", "Cloudflare")},
            page(),
            (Status.DOWN, OP, OP),
            2,
            notes=("probes see Down, the status page says Operational",),
        ),
        id="cloudflare-reporting-the-origin-is-down",
    ),
]


@pytest.mark.parametrize("case", CASES)
def test_assess(case: Case) -> None:
    report = assess(case.evidence, case.page, required=("web", "code", "api"), checked_at=WHEN)
    assert tuple(s.status for s in report.surfaces) == case.statuses
    assert int(report.exit_code) == case.exit_code
    assert report.local_network is case.local
    assert report.checked_at == "2026-03-02T12:00:00Z"
    notes, warnings = " | ".join(report.notes), " | ".join(report.warnings)
    for fragment in case.notes:
        assert fragment in notes
    for fragment in case.warnings:
        assert fragment in warnings
    if not case.notes:
        assert all("probes see" not in n for n in report.notes)
    by_id = {s.id: s for s in report.surfaces}
    for sid, fragment in case.impacts.items():
        assert fragment in by_id[sid].impact


def test_required_limits_the_exit_code() -> None:
    evidence = {**healthy(), "web": ev("web", DOWN, "http_5xx")}
    assert int(assess(evidence, page(), required=("api",)).exit_code) == 0
    assert int(assess(evidence, page(), required=("web",)).exit_code) == 2


def test_an_unsent_check_does_not_hide_a_local_failure() -> None:
    evidence = {k: ev(k, DOWN, "dns", local=True) for k in ("web", "oauth_hello", "api_hello")}
    evidence["surface:team"] = ev("surface:team", UNK, "missing_env")
    team = custom("team", "Team gateway", "", None, None)
    answered = StatusPage(False, None, "timeout", "x", attempts=(ev("status_page", UNK, "timeout"),))
    report = assess(evidence, answered, required=("web",), surfaces=(*SURFACES, team))
    assert report.local_network is False  # the status page connected, then timed out: not local
    report = assess(
        evidence,
        StatusPage(False, None, "dns", "x", attempts=(ev("status_page", UNK, "dns", local=True),)),
        required=("web",),
        surfaces=(*SURFACES, team),
    )
    assert report.local_network is True


def test_custom_surface_reads_its_own_status_page() -> None:
    team = custom("team", "Team gateway", "Team down", "https://status.team.test", "abc")
    evidence = {**healthy(), "surface:team": ev("surface:team")}
    theirs = StatusPage(
        True, "https://status.team.test/api/v2/summary.json", "ok", "read", {"abc": ("GW", "major_outage")}
    )
    report = assess(
        evidence,
        page(),
        required=("team",),
        surfaces=(*SURFACES, team),
        other_pages={"https://status.team.test": theirs},
    )
    row = report.surfaces[-1]
    assert (row.id, row.status, row.official_status) == ("team", DOWN, DOWN)
    missing = assess(evidence, page(), required=("team",), surfaces=(*SURFACES, team))
    assert missing.surfaces[-1].status is OP
    assert any("Team gateway: its status page gave no signal" in n for n in missing.notes)
