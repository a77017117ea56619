"""GitHub Actions: annotations, the step summary and step outputs, only when running there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

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
    errors = [a for a in annotations if a.startswith("::error ")]
    assert errors == [
        "::error title=Claude.ai (web) down::Login failures, session errors (http_5xx: HTTP 500)",
        "::error title=Claude Code (CLI) down::Authentication failures (http_5xx: HTTP 500)",
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
        "fallback_available": "true",
        "exit_code": "0",
    }


@pytest.mark.usefixtures("mocked_all_operational")
def test_outside_github_actions_nothing_is_written(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "output"))
    result = invoke(runner, "status")
    assert "::" not in result.stdout
    assert not (tmp_path / "output").exists()
