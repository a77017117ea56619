"""--format markdown: a table for a chat message or an issue, with the incidents and the advice."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from outagecheck.model import Advice, Incident, Report, Status, StatusPage, Step, SurfaceResult
from outagecheck.output.markdown import to_markdown
from tests.helpers import invoke


@pytest.mark.usefixtures("mocked_march_outage")
def test_markdown_is_a_table_with_incidents_and_advice(runner: CliRunner) -> None:
    result = invoke(runner, "status", "--format", "markdown")
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    header = lines.index("| Service | Status | Impact |")
    assert lines[header + 1] == "|---|---|---|"
    assert lines[header + 2] == "| Claude.ai (web) | **Down** | Login failures, session errors (http_5xx: HTTP 500) |"
    assert "**Open incidents**" in lines
    assert any(line.startswith("- [Elevated errors on claude.ai") for line in lines)
    assert "   ```sh" in lines  # commands are fenced, ready to copy


# -- pure: to_markdown of a finished report ---------------------------------------------------------


def _report(*, impact: str = "Login failures", incidents: tuple[Incident, ...] = (), needed: bool = True) -> Report:
    web = SurfaceResult("web", "Claude.ai (web)", Status.DOWN, impact, Status.DOWN, None, ())
    api = SurfaceResult("api", "Claude API", Status.OPERATIONAL, "No reported disruption", None, None, ())
    page = StatusPage(True, "https://s/api/v2/summary.json", "ok", "read", incidents=incidents)
    steps = (Step("Scripts and CI:", "curl -sS https://api.anthropic.com/v1/messages"), Step("Then wait."))
    advice = Advice(needed, True, "Go | through the API.", steps if needed else (), ("Billing: API rates.",))
    return Report("2026-03-02T12:00:00Z", (web, api), page, ("web",), advice, ("Careful.",), ("Pages lag.",))


@pytest.mark.parametrize(
    ("impact", "cell"),
    [
        pytest.param("plain", "plain", id="plain"),
        pytest.param("a | b", "a \\| b", id="pipe-escaped"),
        pytest.param("two\nlines  and   spaces", "two lines and spaces", id="newlines-collapsed"),
    ],
)
def test_cells_never_break_the_table(impact: str, cell: str) -> None:
    lines = to_markdown(_report(impact=impact)).splitlines()
    assert f"| Claude.ai (web) | **Down** | {cell} |" in lines
    assert "| Claude API (not required) | **Operational** | No reported disruption |" in lines


def test_markdown_sections_in_order() -> None:
    incident = Incident("Login errors", "investigating", "major", "We are on it.", "", "https://stspg.io/x")
    text = to_markdown(_report(incidents=(incident,)))
    order = [
        "### outagecheck: 2026-03-02T12:00:00Z",
        "**Open incidents**",
        "- [Login errors](https://stspg.io/x) (investigating, impact major)",
        "  > We are on it.",
        "> **Warning:** Careful.",
        "_Note: Pages lag._",
        "**Go \\| through the API.**",
        "1. Scripts and CI:",
        "   curl -sS https://api.anthropic.com/v1/messages",
        "2. Then wait.",
        "- Billing: API rates.",
        "Exit code 2.",
    ]
    lines = text.splitlines()
    assert [lines.index(line) for line in order] == sorted(lines.index(line) for line in order)
    assert text.endswith("Exit code 2.\n")


def test_no_incidents_and_no_advice() -> None:
    text = to_markdown(_report(needed=False))
    assert "No open incidents on the status page." in text
    assert "1. " not in text
