"""The key helper runs as Claude Code runs it: /bin/sh on macOS and Linux, cmd.exe's verbatim line on Windows."""

from __future__ import annotations

import shlex
import subprocess
import types
from pathlib import Path

import pytest
from pytest_httpx import HTTPXMock

from outagecheck.checks import verify
from outagecheck.checks.verify import verify_helper
from outagecheck.errors import shell_command
from tests.helpers import API_MODELS, FakeCmd

API = "https://api.anthropic.com"
KEY = "sk-ant-api03-helper-test"  # not the swept KEY: these tests keep a key in files of their own


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_posix_runs_the_helper_with_bin_sh(platform: str) -> None:
    assert shell_command("cat '/a b/k'", platform, {}) == ["/bin/sh", "-c", "cat '/a b/k'"]


@pytest.mark.parametrize(
    ("environ", "shell"),
    [
        ({"ComSpec": r"C:\Windows\system32\cmd.exe"}, r"C:\Windows\system32\cmd.exe"),
        ({"COMSPEC": r"D:\Win\System32\cmd.exe"}, r"D:\Win\System32\cmd.exe"),
        ({}, "cmd.exe"),  # Node's fallback when ComSpec is unset
    ],
    ids=["comspec", "comspec-upper", "no-comspec"],
)
def test_windows_runs_the_helper_as_node_runs_a_shell_command(environ: dict[str, str], shell: str) -> None:
    # One string, passed to CreateProcess verbatim: /s strips the outer quotes, leaving the helper as written.
    assert shell_command('type "C:\\a b\\k"', "win32", environ) == f'{shell} /d /s /c "type "C:\\a b\\k""'


def test_a_real_helper_under_bin_sh_gives_the_key(tmp_path: Path, httpx_mock: HTTPXMock) -> None:
    key_file = tmp_path / "it's a key"
    key_file.write_text(KEY + "\n")
    httpx_mock.add_response(url=API_MODELS, json={"data": [], "has_more": False})
    ok, message = verify_helper(f"cat {shlex.quote(str(key_file))}", API, 5.0)
    assert (ok, message) == (True, f"the key from the helper works (GET {API_MODELS}: HTTP 200)")
    request = httpx_mock.get_request()
    assert request is not None
    assert request.headers["x-api-key"] == KEY


@pytest.mark.usefixtures("windows")
def test_on_windows_the_helper_goes_through_cmd(
    tmp_path: Path, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "a b" / "anthropic-api-key"
    key_file.parent.mkdir()
    key_file.write_text(KEY + "\r\n")  # as `type` prints it; Claude Code trims the output, and so do we
    monkeypatch.setenv("ComSpec", r"C:\Windows\system32\cmd.exe")
    cmd = FakeCmd()
    monkeypatch.setattr(verify, "subprocess", types.SimpleNamespace(run=cmd, TimeoutExpired=subprocess.TimeoutExpired))
    httpx_mock.add_response(url=API_MODELS, json={"data": [], "has_more": False})
    assert verify_helper(f'type "{key_file}"', API, 5.0)[0] is True
    request = httpx_mock.get_request()
    assert request is not None
    assert request.headers["x-api-key"] == KEY
    assert verify_helper(f"cat '{key_file}'", API, 5.0) == (False, "the key command exited 1 without printing a key")


def test_a_shell_that_cannot_start_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError(2, "No such file or directory")

    fake = types.SimpleNamespace(run=missing, TimeoutExpired=subprocess.TimeoutExpired)
    monkeypatch.setattr(verify, "subprocess", fake)
    assert verify_helper("cat /k", API, 5.0) == (
        False,
        "the key command could not be started: No such file or directory",
    )
