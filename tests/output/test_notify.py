"""Notifiers: the message, webhooks against a loopback receiver, a command that hangs, a missing desktop tool."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from outagecheck.errors import UsageError
from outagecheck.model import Status
from outagecheck.output.debounce import Change
from outagecheck.output.notify import Notifier, check_webhook, message
from tests.loopback import LoopbackServer

DOWN = Change("web", "Claude.ai (web)", Status.OPERATIONAL, Status.DOWN, "Login failures (http_5xx: HTTP 500)", "t")
BACK = Change("web", "Claude.ai (web)", Status.DOWN, Status.OPERATIONAL, "No reported disruption", "t", 5400.0)
SECRET_HOOK = "/services/T000/B000/XXXXsecretXXXX"


def test_message_names_the_change_and_the_outage_length() -> None:
    assert (
        message([DOWN])
        == "Claude status: Claude.ai (web) is down (was operational): Login failures (http_5xx: HTTP 500)"
    )
    assert message([BACK]) == "Claude status: Claude.ai (web) is operational again after 1h30m (was down)"


@pytest.mark.parametrize("url", ["https://hooks.slack.com/x", "http://127.0.0.1:9/x", "http://localhost/x"])
def test_webhook_urls_that_are_allowed(url: str) -> None:
    check_webhook(url, 1)


@pytest.mark.parametrize("url", ["http://hooks.example.com/s3cret", "ftp://x/s3cret", "s3cret", "https:///s3cret"])
def test_webhook_urls_refused_without_showing_them(url: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_webhook(url, 2)
    assert "s3cret" not in str(caught.value)
    assert str(caught.value).startswith("--webhook 2: not an https:// URL")


def test_webhook_posts_a_slack_and_discord_compatible_message(loopback: LoopbackServer) -> None:
    loopback.route(SECRET_HOOK, status=204)
    warnings: list[str] = []
    Notifier(webhooks=(loopback.url + SECRET_HOOK,), warn=warnings.append).send([DOWN], "{}")
    assert warnings == []
    ((path, body),) = loopback.bodies
    assert path == SECRET_HOOK
    # Discord's markdown escaped (http\\_5xx shows as http_5xx), and it pings no one.
    text = message([DOWN])
    assert json.loads(body) == {"text": text, "content": text.replace("_", "\\_"), "allowed_mentions": {"parse": []}}
    assert [h[":method"] for _, p, h in loopback.requests if p == SECRET_HOOK] == ["POST"]


def test_a_failing_webhook_is_reported_once_and_never_shown(loopback: LoopbackServer) -> None:
    loopback.route(SECRET_HOOK, status=500, body=b"no")
    warnings: list[str] = []
    notifier = Notifier(webhooks=(loopback.url + SECRET_HOOK,), warn=warnings.append)
    for _ in range(3):
        notifier.send([DOWN], "{}")
    assert warnings == ["--webhook failed: webhook 1 answered HTTP 500 (further --webhook failures are not shown)"]
    assert len(loopback.bodies) == 3  # still tried every time


def test_on_change_gets_the_report_and_the_variables(tmp_path: Path) -> None:
    out = tmp_path / "seen"
    cmd = f'{{ echo "$OUTAGECHECK_SURFACE $OUTAGECHECK_OLD $OUTAGECHECK_NEW $OUTAGECHECK_REASON"; cat; }} >> {out}'
    warnings: list[str] = []
    Notifier(command=cmd, warn=warnings.append).send([DOWN, BACK], '{"exit_code": 2}')
    assert warnings == []
    assert out.read_text().splitlines() == [
        "web operational down Login failures (http_5xx: HTTP 500)",
        '{"exit_code": 2}',
        "web down operational No reported disruption",
        '{"exit_code": 2}',
    ]


def test_a_command_that_hangs_is_killed_with_everything_it_started(tmp_path: Path) -> None:
    warnings: list[str] = []
    marker = tmp_path / "late"
    notifier = Notifier(command=f"sleep 30; touch {marker}", warn=warnings.append, command_timeout_s=1.0)
    start = time.monotonic()
    notifier.send([DOWN], "{}")
    notifier.send([BACK], "{}")
    assert time.monotonic() - start < 20  # two runs, each bounded by the timeout
    assert warnings == ["--on-change failed: killed after 1 s (further --on-change failures are not shown)"]
    time.sleep(0.5)
    assert not marker.exists()


class _Hanging:
    """A Popen whose command never finishes: what the Notifier started, and how it was stopped."""

    pid = 4242
    last: _Hanging

    def __init__(self, args: object, **kwargs: object) -> None:
        self.started = (args, kwargs)
        self.stopped: list[object] = []
        _Hanging.last = self

    def __enter__(self) -> _Hanging:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def communicate(self, data: bytes, timeout: float) -> None:
        raise subprocess.TimeoutExpired("cmd", timeout)

    def kill(self) -> None:
        self.stopped.append("kill")

    def wait(self) -> int:
        return 1


def test_on_windows_the_command_runs_under_cmd_and_a_timeout_kills_its_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    # Windows has no /bin/sh (every hook failed there) nor os.killpg: cmd runs the hook as Node runs a shell
    # command, in its own process group, and taskkill /T ends it with everything it started.
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("ComSpec", r"C:\Windows\system32\cmd.exe")
    monkeypatch.delattr(os, "killpg", raising=False)  # as on Windows
    monkeypatch.setattr(subprocess, "Popen", _Hanging)
    monkeypatch.setattr(subprocess, "run", lambda argv, **_: _Hanging.last.stopped.append(argv))
    warnings: list[str] = []
    Notifier(command="echo %OUTAGECHECK_NEW%", warn=warnings.append, command_timeout_s=1.0).send([DOWN], "{}")
    args, kwargs = _Hanging.last.started
    assert args == r'C:\Windows\system32\cmd.exe /d /s /c "echo %OUTAGECHECK_NEW%"'
    assert (kwargs["start_new_session"], kwargs["creationflags"]) == (False, 0x200)  # CREATE_NEW_PROCESS_GROUP
    assert _Hanging.last.stopped == [["taskkill", "/F", "/T", "/PID", "4242"], "kill"]
    assert warnings == ["--on-change failed: killed after 1 s (further --on-change failures are not shown)"]


def test_desktop_notification_through_notify_send_or_a_warning_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    warnings: list[str] = []
    Notifier(desktop=True, warn=warnings.append).send([DOWN], "{}")
    assert warnings == ["--notify failed: neither notify-send nor osascript is installed "
                        "(further --notify failures are not shown)"]  # fmt: skip
    fake = tmp_path / "notify-send"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {tmp_path / "args"}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}/usr/bin{os.pathsep}/bin")
    Notifier(desktop=True, warn=warnings.append).send([BACK], "{}")
    assert (tmp_path / "args").read_text().splitlines() == ["--app-name=outagecheck", "Claude status", message([BACK])]
    # A status page's <a href> or <img> is text in the notification, never markup.
    Notifier(desktop=True, warn=warnings.append).say('Claude <a href="https://evil.example">x</a> & <img src=y>')
    shown = (tmp_path / "args").read_text().splitlines()[-1]
    assert shown == 'Claude &lt;a href="https://evil.example"&gt;x&lt;/a&gt; &amp; &lt;img src=y&gt;'
