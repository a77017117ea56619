"""GitHub Actions: annotations, the step summary and step outputs, only when running there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck.checks.replay import load_replay, replay_report
from outagecheck.model import Status
from outagecheck.output.github import github_annotations
from tests.helpers import invoke


@pytest.mark.usefixtures("mocked_march_outage")
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_github_actions_annotations_summary_and_outputs(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    summary_file, output_file = tmp_path / "summary.md", tmp_path / "output"
    summary_file.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_file))
    monkeypatch.setenv("GITHUB_OUTPUT", str(output_file))
    # The README's pre-flight step: gate only on the surface the job uses.
    result = invoke(runner, "status", "--require", "api", "--format", fmt)
    assert result.exit_code == 0
    annotations = (result.stderr if fmt == "json" else result.stdout).splitlines()
    # Not required: a notice, never an error on a step that passes.
    assert [a for a in annotations if a.startswith(("::error", "::warning"))] == []
    assert [a for a in annotations if a.startswith("::notice title=Claude")] == [
        "::notice title=Claude.ai (web) (not required) down::Login failures, session errors (http_5xx: HTTP 500)",
        "::notice title=Claude Code (CLI) (not required) down::Authentication failures (http_5xx: HTTP 500)",
    ]
    if fmt == "json":
        assert json.loads(result.stdout)["exit_code"] == 0  # stdout stays one JSON document
    text = summary_file.read_text()
    assert text.startswith("earlier step\n")  # appended, never overwritten
    assert "| Claude API | **Operational** | No reported disruption |" in text
    outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines())
    assert outputs == {
        "web": "down",
        "code": "down",
        "api": "operational",
        "ok": "true",
        "fallback_available": "true",
        "exit_code": "0",
        "replay": "",  # a live check
    }


@pytest.mark.usefixtures("mocked_all_operational")
def test_outside_github_actions_nothing_is_written(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "output"))
    result = invoke(runner, "status")
    assert "::" not in result.stdout
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize(
    ("scenario", "require", "expected"),
    [
        pytest.param(
            "march-2026",
            "web",
            [
                "::error title=[replay] Claude.ai (web) down::Login failures, session errors (http_5xx: HTTP 500)",
                "::notice title=[replay] Claude Code (CLI) (not required) down::Authentication failures "
                "(http_5xx: HTTP 500)",
            ],
            id="required-down-is-an-error",
        ),
        pytest.param(
            "api-overloaded",
            "api",
            [
                "::notice title=[replay] Claude Code (CLI) (not required) degraded::Overloaded: requests "
                "intermittently rejected (overloaded: HTTP 529 overloaded_error)",
                "::warning title=[replay] Claude API degraded::Overloaded: requests intermittently rejected "
                "(overloaded: HTTP 529 overloaded_error)",
            ],
            id="required-degraded-is-a-warning",
        ),
    ],
)
def test_annotations_follow_require(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, scenario: str, require: str, expected: list[str]
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = invoke(runner, "status", "--replay", scenario, "--require", require, "--format", "json")
    annotations = result.stderr.splitlines()
    # A drill says so first, and in every title: it is never taken for a live outage.
    assert annotations[0] == f"::notice title=outagecheck replay::Replay of {scenario} — nothing was checked"
    assert [a for a in annotations if a.startswith(("::error", "::warning", "::notice title=[replay]"))] == expected


def test_exit_3_is_annotated_as_a_warning() -> None:
    doc, where = load_replay("all-operational")
    doc["surfaces"][2]["status"] = Status.UNKNOWN.value
    report = replay_report(doc, where, ("api",))
    assert int(report.exit_code) == 3
    assert github_annotations(report).startswith("::warning title=Claude API unknown::")
