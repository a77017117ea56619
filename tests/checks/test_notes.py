"""This machine's notes, added to every report status, wait and watch build (pure: environ, journal, clock in)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from outagecheck.checks.advice import advise, key_flags
from outagecheck.checks.notes import annotate, fallbacks_on, forget
from outagecheck.model import Advice, Report, Status, StatusPage, SurfaceResult
from outagecheck.surfaces import Kind, Route, RouteResult

NOW = datetime.fromisoformat("2026-03-03T12:00:00+00:00").timestamp()
DAY_AGO = "2026-03-02T11:00:00+00:00"  # 25 hours before NOW
HOUR_AGO = "2026-03-03T11:00:00+00:00"
BARE = Report(
    "2026-03-03T12:00:00Z", (), StatusPage(True, "https://s", "ok", "read"), (), Advice(False, True, "Fine."),
    notes=("From the checks.",), warnings=("From the checks.",),
)  # fmt: skip


def test_each_fallback_left_on_gets_its_age_and_after_a_day_a_billing_warning() -> None:
    report = fallbacks_on(BARE, [("claude-code", DAY_AGO), ("openclaw", HOUR_AGO)], NOW)
    assert report.notes == (
        "From the checks.",
        "Fallback claude-code is on (applied 25h00m ago); undo: outagecheck fallback revert claude-code",
        "Fallback openclaw is on (applied 1h00m ago); undo: outagecheck fallback revert openclaw",
    )
    assert [w.split(":")[0] for w in report.warnings] == [
        "From the checks.",
        "The claude-code fallback has been on for 25h00m",
    ]


def test_forget_drops_only_what_was_said_about_the_reverted_targets() -> None:
    on = fallbacks_on(BARE, [("claude-code", DAY_AGO), ("openclaw", DAY_AGO)], NOW)
    left = forget(on, ["claude-code"])
    assert left.notes == ("From the checks.", on.notes[2])
    assert left.warnings == ("From the checks.", on.warnings[2])
    assert forget(on, []) == on


def test_annotate_adds_the_fallback_notes_only_for_a_report_that_lists_them() -> None:
    fallbacks = [("claude-code", HOUR_AGO)]
    assert annotate(BARE, {}, fallbacks, NOW, verbose=False) == BARE
    listed = replace(BARE, fallback_outstanding=("claude-code",))
    assert annotate(listed, {}, fallbacks, NOW, verbose=False).notes[-1].startswith("Fallback claude-code is on")


def test_annotate_names_a_malformed_credential_never_its_value() -> None:
    report = annotate(BARE, {"ANTHROPIC_API_KEY": "sk-ant-api03-secretpart"}, (), NOW, verbose=False)
    assert report.notes[-1] == "ANTHROPIC_API_KEY looks truncated (23 characters; expected 108)"
    assert "secretpart" not in " ".join(report.notes)


ROUTE = ("claude-code", DAY_AGO, "bedrock-east", "bedrock", "the AWS account of profile work")


def test_a_route_fallback_names_the_route_its_kind_and_who_pays_and_its_warning_says_so() -> None:
    report = fallbacks_on(BARE, [ROUTE], NOW)
    assert report.notes[-1] == (
        "Claude Code is on route bedrock-east (bedrock) since 25h00m ago, billed to the AWS account of profile work: "
        "revert with `outagecheck fallback revert claude-code`"
    )
    assert "it bills the AWS account of profile work for every request" in report.warnings[-1]
    assert "the API" not in report.warnings[-1]


def test_forget_drops_a_route_fallbacks_note_once_claude_code_is_reverted() -> None:
    on = fallbacks_on(BARE, [ROUTE, ("openclaw", HOUR_AGO)], NOW)
    assert forget(on, ["openclaw"]).notes == on.notes[:2]
    assert forget(on, ["claude-code"]).notes == ("From the checks.", on.notes[2])
    assert forget(on, ["claude-code"]).warnings == ("From the checks.",)


OP, DOWN = Status.OPERATIONAL, Status.DOWN
# journal.outstanding()'s item for a route switch: route, kind, who pays, then what Claude Code used before.
FROM_LOGIN = ("claude-code", HOUR_AGO, "east", "bedrock", "AWS", "login", "")
FROM_API = ("claude-code", HOUR_AGO, "east", "bedrock", "AWS", "api", "")
FROM_ROUTE = ("claude-code", HOUR_AGO, "corp", "gateway", "the gateway", "bedrock", "east")
FROM_UNCONFIGURED = ("claude-code", HOUR_AGO, "corp", "gateway", "the gateway", "vertex", "")


def checked(web: Status = OP, code: Status = OP, api: Status = OP, east: Status | None = None) -> Report:
    """A report with the three surfaces and, when given, route east's result; one fallback outstanding."""
    surfaces = tuple(
        SurfaceResult(i, i.upper(), s, f"{i} {s.value}", s, None, ())
        for i, s in (("web", web), ("code", code), ("api", api))
    )
    routes = () if east is None else (RouteResult(Route("east", Kind.BEDROCK), east, "ok"),)
    advice = advise({s.id: s for s in surfaces}, key_flags({}), outstanding=("claude-code",))  # as assess says it
    return replace(BARE, surfaces=surfaces, required=("web", "code", "api"), routes=routes, advice=advice,
                   fallback_outstanding=("claude-code",))  # fmt: skip


def _back(report: Report) -> list[str]:
    return [n for n in report.notes if "Claude Code can go back" in n]


@pytest.mark.parametrize(
    ("item", "report", "said"),
    [
        pytest.param(FROM_LOGIN, checked(api=DOWN), "The login paths (web, code) are operational now", id="login-back"),
        pytest.param(FROM_LOGIN, checked(code=DOWN), None, id="login-still-down"),
        pytest.param(FROM_API, checked(), "The API (api) is operational now", id="api-back"),
        pytest.param(FROM_API, checked(api=DOWN), None, id="api-still-down-though-login-is-up"),
        pytest.param(FROM_ROUTE, checked(api=DOWN, east=OP), "Route east is operational now", id="route-back"),
        pytest.param(FROM_ROUTE, checked(east=DOWN), None, id="route-still-down"),
        pytest.param(FROM_ROUTE, checked(), None, id="route-not-checked-says-nothing"),
        pytest.param(FROM_UNCONFIGURED, checked(east=OP), None, id="unconfigured-before-route-says-nothing"),
        pytest.param(("claude-code", HOUR_AGO), checked(), None, id="api-key-fallback-has-the-advice-only"),
    ],
)
def test_a_route_switch_says_when_what_it_replaced_is_back(
    item: tuple[str, ...], report: Report, said: str | None
) -> None:
    notes = _back(annotate(report, {}, [item], NOW, verbose=False))
    if said is None:
        assert notes == []
    else:
        assert notes == [
            f"{said}: Claude Code can go back from route {item[2]} with `outagecheck fallback revert claude-code`"
        ]


def test_wait_and_watch_count_the_checks_in_a_row_and_start_again_after_a_bad_one() -> None:
    held: dict[str, int] = {}

    def note(report: Report) -> list[str]:
        return _back(annotate(report, {}, [FROM_API], NOW, verbose=False, held=held))

    assert note(checked())[0].startswith("The API (api) is operational now: ")
    assert note(checked())[0].startswith("The API (api) has been operational for 2 checks in a row: ")
    assert note(checked(api=DOWN)) == []
    assert note(checked())[0].startswith("The API (api) is operational now: ")


def test_a_switch_from_an_api_key_is_not_told_to_revert_because_the_login_paths_are_back() -> None:
    # During an API outage the login paths are up: the advice's "login paths are back ... revert" would send an
    # API-key user back to the API that is down.
    assert checked(api=DOWN).advice.headline.startswith("The login paths are back")  # what assess says
    api_down = annotate(checked(api=DOWN), {}, [FROM_API], NOW, verbose=False)
    assert not any(step.command == "outagecheck fallback revert" for step in api_down.advice.steps)
    assert not api_down.advice.headline.startswith("The login paths are back")
    from_login = annotate(checked(api=DOWN), {}, [FROM_LOGIN], NOW, verbose=False)
    assert from_login.advice == checked(api=DOWN).advice  # what assess said stands


def test_forget_drops_the_way_back_note_once_claude_code_is_reverted() -> None:
    on = annotate(checked(), {}, [FROM_API], NOW, verbose=False)
    assert _back(on)
    assert not _back(forget(on, ["claude-code"]))


def test_a_switch_from_a_route_no_entry_matched_says_it_cannot_be_watched() -> None:
    notes = annotate(checked(east=OP), {}, [FROM_UNCONFIGURED], NOW, verbose=False).notes
    assert notes[-1] == (
        "Before route corp, Claude Code was on a vertex route that matched none (or several) of the config's "
        "[[routes]]: outagecheck can't tell when it is back"
    )
    assert not any(n.startswith("Before route ") for n in forget(replace(BARE, notes=notes), ["claude-code"]).notes)
