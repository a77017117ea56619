"""A hostile status page and a hostile API error body, through the real CLI in every format: no terminal
control sequence, bidi override or workflow command from them reaches stdout, stderr or a CI log.

The log is read the way the GitHub Actions runner reads it (tests/ci/workflow.py): the only workflow
commands carried out are outagecheck's own annotations."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.ci.workflow import commands
from tests.helpers import (
    API_PATH,
    CF_EDGE,
    OAUTH_PATH,
    PAGE_PATH,
    WEB_PATH,
    invoke,
    loopback_config,
    real_sockets,
    summary,
)
from tests.loopback import LoopbackServer

# Everything a line of remote text can try: terminal escapes (CSI, OSC 52 clipboard write, OSC 8 link, C1),
# a bidi override, and workflow commands after a line break or anywhere in a line (v1).
ATTACK = (
    "\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07\x1b]8;;https://evil.example\x1b\\\x9b31m\u202e"
    "\n::set-output name=ok::PWNED\r\n::error title=PWNED::PWNED\n::stop-commands::PWNED\n"
    "##[set-output name=ok;]PWNED\n::add-mask::PWNED\n::PWNED::"
)
# Nothing in printed text may be a C0 control but tab and newline, DEL, C1, a bidi control or a line separator.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]")


def hostile_page() -> dict[str, object]:
    doc = summary(rwppv331jlwc="major_outage")
    for comp in doc["components"]:
        comp["name"] = comp["name"] + ATTACK
    doc["incidents"] = [
        {
            "id": "x1",
            "name": "Login failures " + ATTACK,
            "status": "investigating" + ATTACK,
            "impact": "major",
            "shortlink": "javascript:alert(document.cookie)",
            "incident_updates": [
                {
                    "body": "<img src=x onerror=alert(1)> [click](javascript:alert(1)) " + ATTACK,
                    "display_at": "2026-03-02T12:00:00Z",
                }
            ],
            "components": [{"name": "claude.ai" + ATTACK}],
        }
    ]
    return doc


def serve_hostile(server: LoopbackServer) -> None:
    server.route(WEB_PATH, status=500, body=b"down", headers=dict(CF_EDGE))
    server.route(OAUTH_PATH, json={"message": "hello"})
    # The API's own error envelope, the type and message written by the attacker.
    server.route(API_PATH, status=403, json={"type": "error", "error": {"type": "permission_error", "message": ATTACK}})
    server.route(PAGE_PATH, json=hostile_page())


@real_sockets
@pytest.mark.parametrize("fmt", ["table", "markdown", "nagios", "json", "prometheus"])
def test_hostile_text_reaches_no_terminal_and_no_runner(
    fmt: str, runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_hostile(loopback)
    summary_file, output_file = tmp_path / "summary.md", tmp_path / "output.txt"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_file))
    monkeypatch.setenv("GITHUB_OUTPUT", str(output_file))
    cfg = loopback_config(tmp_path, loopback)
    result = invoke(runner, "status", "--config", str(cfg), "--format", fmt, "--verbose")
    assert result.exit_code == 2, result.output
    # The remote text is shown, only its controls are gone.
    assert ("claude.ai[2J" if fmt == "prometheus" else "Login failures") in result.stdout
    for name, text in (("stdout", result.stdout), ("stderr", result.stderr), ("summary", summary_file.read_text())):
        assert not FORBIDDEN.search(text), f"{name}: {FORBIDDEN.search(text)!r}"
        # Only outagecheck's own annotations are carried out; nothing the attacker wrote.
        done = commands(text)
        assert all(c.name in ("error", "warning", "notice") and "PWNED" not in c.props + c.data for c in done), done
    annotations = commands(result.stderr if fmt in ("json", "nagios", "prometheus") else result.stdout)
    assert [c.props for c in annotations if c.name == "error"] == ["title=Claude.ai (web) down"]
    assert "PWNED" not in output_file.read_text()
    if fmt == "json":
        doc = json.loads(result.stdout)  # still one document
        assert doc["incidents"][0]["name"].startswith("Login failures ")


@real_sockets
def test_markdown_makes_no_link_image_or_html_from_remote_text(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path
) -> None:
    serve_hostile(loopback)
    result = invoke(runner, "status", "--config", str(loopback_config(tmp_path, loopback)), "--format", "markdown")
    text = result.stdout
    assert not re.search(r"(?<!\\)\]\((?!https:)", text), "a link to anything but https:"
    assert not re.search(r"(?<!\\)<", text), "raw HTML"
    assert "\\<img src=x onerror=alert(1)\\> \\[click\\](javascript:alert(1))" in text
    assert "- Login failures" in text
    assert "(javascript:alert(document.cookie))" in text  # shown, not linked


@real_sockets
def test_table_fence_is_closed_by_its_own_token(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_hostile(loopback)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = invoke(runner, "status", "--config", str(loopback_config(tmp_path, loopback)))
    lines = result.stdout.splitlines()
    stop = lines[0]
    assert stop.startswith("::stop-commands::")
    token = stop.removeprefix("::stop-commands::")
    assert len(token) == 32
    assert f"::{token}::" in lines
    assert lines.index(f"::{token}::") < lines.index(next(line for line in lines if line.startswith("::error ")))


@real_sockets
@pytest.mark.parametrize(
    "command",
    [["watch", "--count", "1"], ["wait", "--max-wait", "1s", "--interval", "1", "--format", "json"]],
    ids=["watch", "wait"],
)
def test_watch_and_wait_lines_carry_no_command_or_control(
    command: list[str], runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_hostile(loopback)
    # The web row's impact holds the API's hostile text too: every line of watch and wait shows it.
    loopback.route(
        WEB_PATH, status=403, json={"type": "error", "error": {"type": "permission_error", "message": ATTACK}}
    )
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = invoke(runner, *command, "--config", str(loopback_config(tmp_path, loopback)))
    assert "::set-output" in result.stdout + result.stderr  # the text is there, defused
    for text in (result.stdout, result.stderr):
        assert not FORBIDDEN.search(text)
        assert all("PWNED" not in c.props + c.data for c in commands(text))
        assert all(c.name in ("error", "warning", "notice") for c in commands(text))
    if command[0] == "watch":
        assert result.stdout.startswith("::stop-commands::")
