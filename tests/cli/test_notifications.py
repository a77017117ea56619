"""watch and wait tell someone: a flapping surface posts one message per real change and one recovery with
its duration; wait --then-revert leaves the files as they were before the apply once Claude is back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck import paths
from tests.helpers import CF_EDGE, TEST_KEY, WEB_PATH, invoke, loopback_config, real_sockets
from tests.loopback import LoopbackServer

HOOK = "/hooks/T000/B000/SECRETSECRET"


class FakeTime:
    """A clock the watch loop's sleeps advance, and a script of web answers, one per check."""

    def __init__(self, server: LoopbackServer, script: list[bool]) -> None:
        self.now = 1000.0
        self.server = server
        self.answers: Iterator[bool] = iter(script[1:])
        self.route(script[0])

    def route(self, up: bool) -> None:
        self.server.route(
            WEB_PATH,
            **({"body": b"<html>Claude</html>"} if up else {"status": 500, "body": b"down", "headers": dict(CF_EDGE)}),
        )

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.route(next(self.answers, True))


def fake_time(monkeypatch: pytest.MonkeyPatch, server: LoopbackServer, script: list[bool]) -> FakeTime:
    """Script the web answers; sleeps (watch's and wait's) cost nothing and move the hooks' clock."""
    clock = FakeTime(server, script)
    monkeypatch.setattr("outagecheck.cli.hooks._now", lambda: clock.now)
    monkeypatch.setattr("outagecheck.output.live.time.sleep", clock.sleep)
    monkeypatch.setattr("outagecheck.cli.hooks.time.sleep", clock.sleep)
    return clock


@real_sockets
def test_watch_webhook_against_a_flapping_surface(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = [True, False, True, False, False, False, True, False, True, True]  # one answer per check
    fake_time(monkeypatch, loopback, script)
    loopback.route(HOOK, status=200, body=b"ok")
    cfg = loopback_config(tmp_path, loopback, timeout=1.0)
    result = invoke(runner, "watch", "--interval", "60", "--count", str(len(script)), "--config", str(cfg),
                    "--webhook", loopback.url + HOOK, "--fail-after", "2", "--recover-after", "2")  # fmt: skip
    assert result.exit_code == 0
    texts = [json.loads(body)["text"] for path, body in loopback.bodies if path == HOOK]
    assert texts == [
        "Claude status: Claude.ai (web) is down (was operational): Login failures, session errors (http_5xx: HTTP 500)",
        "Claude status: Claude.ai (web) is operational again after 5m00s (was down)",  # checks 4 to 9, 60 s apart
    ]
    assert "SECRETSECRET" not in result.stdout + result.stderr


@real_sockets
def test_a_webhook_that_fails_never_stops_the_watch(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_time(monkeypatch, loopback, [True, False, True, False])
    cfg = loopback_config(tmp_path, loopback, timeout=1.0)
    # Nothing routed at HOOK: 404 on every post.
    result = invoke(runner, "watch", "--interval", "5", "--count", "4", "--config", str(cfg), "--webhook",
                    loopback.url + HOOK)  # fmt: skip
    assert result.exit_code == 2  # the last check's verdict: web down
    assert result.stderr == (
        "outagecheck: warning: --webhook failed: webhook 1 answered HTTP 404 "
        "(further --webhook failures are not shown)\n"
    )
    assert len([p for p, _ in loopback.bodies if p == HOOK]) == 3  # every change was still tried


@real_sockets
def test_wait_then_revert_restores_the_files_byte_for_byte(
    runner: CliRunner,
    loopback: LoopbackServer,
    tmp_path: Path,
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = isolated_home / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_bytes(b'{\n    "model": "opus",  \n  "env": {"X": "1"}\n}\n')
    state = isolated_home / ".claude.json"
    state.write_bytes(b'{"numStartups": 3}')
    before = {p: p.read_bytes() for p in (settings, state)}
    loopback.route("/api/v1/models?limit=1", json={"data": []})  # apply proves the key here
    cfg = loopback_config(tmp_path, loopback, timeout=1.0)
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    applied = invoke(runner, "fallback", "apply", "claude-code", "--yes", "--config", str(cfg))
    assert applied.exit_code == 0, applied.stdout
    assert settings.read_bytes() != before[settings]
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    fake_time(monkeypatch, loopback, [False, False, True, True, True, True])  # down, then back
    result = invoke(runner, "wait", "--then-revert", "--interval", "1", "--max-wait", "1m", "--config", str(cfg))
    assert result.exit_code == 0, result.stderr
    assert "web, code operational for 3 checks: reverted the fallback" in result.stderr
    # The final report is the state after the revert: no "still applied", no revert to run again.
    assert "fallback revert" not in result.stdout
    assert "still applied" not in result.stdout
    assert "Note: outagecheck reverted the fallback (claude-code) once the login paths were back." in result.stdout
    assert "Fallback claude-code is on" not in result.stdout  # the note of the reports before the revert
    assert {p: p.read_bytes() for p in (settings, state)} == before
    assert not paths.key_file().exists()
    assert json.loads(invoke(runner, "status", "--json", "--config", str(cfg)).stdout)["exit_code"] == 0


@real_sockets
def test_watch_reports_carry_the_notes_status_shows(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The report a hook gets on a change is built like status's: this machine's notes included.
    fake_time(monkeypatch, loopback, [True, False])
    cfg = loopback_config(tmp_path, loopback, timeout=1.0)
    monkeypatch.setenv("CLAUDE_CODE_OAUTH_TOKEN", "sk-ant-oat01-" + "x" * 60)
    seen = tmp_path / "seen.json"
    result = invoke(runner, "watch", "--interval", "5", "--count", "2", "--config", str(cfg),
                    "--on-change", f"cat > {seen}")  # fmt: skip
    assert result.exit_code == 2, result.stderr
    notes = json.loads(seen.read_text())["notes"]
    assert "CLAUDE_CODE_OAUTH_TOKEN looks truncated (73 characters; expected 108)" in notes


def test_notification_options_are_checked(runner: CliRunner) -> None:
    for args, message in (
        (["watch", "--fail-after", "0"], "--fail-after must be between 1 and 1000, got 0"),
        (["wait", "--recover-after", "5000"], "--recover-after must be between 1 and 1000, got 5000"),
        (["watch", "--on-change", " "], "--on-change is empty"),
        (["wait", "--webhook", "http://example.com/s3cret"], "--webhook 1: not an https:// URL"),
    ):
        result = invoke(runner, *args)
        assert result.exit_code == 64, args
        assert message in result.stderr
        assert "s3cret" not in result.stderr


@real_sockets
@pytest.mark.parametrize("source", ["env", "file"])
def test_the_webhook_url_can_stay_out_of_the_command_line(
    source: str, runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_time(monkeypatch, loopback, [True, False])
    loopback.route(HOOK, status=200, body=b"ok")
    secret_file = tmp_path / "slack-webhook"
    secret_file.write_text("\n" + loopback.url + HOOK + "\n")
    monkeypatch.setenv("SLACK_WEBHOOK_URL", loopback.url + HOOK)
    value = "env:SLACK_WEBHOOK_URL" if source == "env" else f"file:{secret_file}"
    cfg = loopback_config(tmp_path, loopback, timeout=1.0)
    result = invoke(runner, "watch", "--interval", "5", "--count", "2", "--config", str(cfg), "--webhook", value)
    assert result.exit_code == 2
    assert [p for p, _ in loopback.bodies] == [HOOK]
    assert "SECRETSECRET" not in result.stdout + result.stderr


def test_a_webhook_source_that_holds_nothing_is_named_never_shown(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_URL", "http://example.com/s3cret")
    (tmp_path / "empty").write_text("\n")
    for value, message in (
        ("env:NOT_SET_ANYWHERE", "--webhook 1: $NOT_SET_ANYWHERE is not set"),
        (f"file:{tmp_path / 'missing'}", f"--webhook 1: {tmp_path / 'missing'}: no such file"),
        (f"file:{tmp_path / 'empty'}", f"--webhook 1: {tmp_path / 'empty'} is empty"),
        ("env:HOOK_URL", "--webhook 1: not an https:// URL"),
    ):
        result = invoke(runner, "wait", "--webhook", value)
        assert result.exit_code == 64, value
        assert message in result.stderr
        assert "s3cret" not in result.stderr
