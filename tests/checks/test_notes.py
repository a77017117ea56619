"""This machine's notes, added to every report status, wait and watch build (pure: environ, journal, clock in)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from outagecheck.checks.notes import annotate, fallbacks_on, forget
from outagecheck.model import Advice, Report, StatusPage

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
