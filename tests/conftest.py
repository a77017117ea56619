from __future__ import annotations

import json
import os
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Typer's help console reads these at import time (typer/rich_utils.py): set them before it loads.
os.environ["_TYPER_FORCE_DISABLE_TERMINAL"] = "1"
os.environ["TERMINAL_WIDTH"] = "100"

import pytest
from pytest_httpx import HTTPXMock
from typer.testing import CliRunner

from outagecheck.cli.app import app
from tests.loopback import LoopbackServer

FIXTURES = Path(__file__).parent / "fixtures"
WEB = "https://claude.ai/"
OAUTH_HELLO = "https://platform.claude.com/v1/oauth/hello"
API_HELLO = "https://api.anthropic.com/api/hello"
API_MODELS = "https://api.anthropic.com/v1/models?limit=1"
STATUS = "https://status.claude.com/api/v2/summary.json"
STATUS_ORIGIN = "https://anthropic.statuspage.io/api/v2/summary.json"
TEST_KEY = "sk-ant-api03-TESTKEY-do-not-leak-0123456789abcdef"


@pytest.fixture(autouse=True)
def plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin the terminal: no colour, fixed width, nothing from the outer CI environment."""
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "PY_COLORS", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("COLUMNS", "100")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary HOME and config dir; no test reads or writes the real ones."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    for name in (
        "OUTAGECHECK_CONFIG",
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_BASE_URL",
        "CLAUDE_CONFIG_DIR",
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "ALL_PROXY",
        "https_proxy",
        "http_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


# -- the key sweep: no test's output or files may hold TEST_KEY ------------------------------------------


def sweep(where: str, text: str | bytes) -> None:
    """Fail if the test key appears in `text`."""
    needle: str | bytes = TEST_KEY.encode() if isinstance(text, bytes) else TEST_KEY
    assert needle not in text, f"the API key leaked into {where}"


def sweep_files(root: Path, allowed: set[Path]) -> None:
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and path not in allowed and path.stat().st_size < 8 << 20:
            sweep(str(path), path.read_bytes())


@pytest.fixture(autouse=True)
def key_sweep(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, isolated_home: Path) -> Iterator[None]:
    """Every CLI run's stdout, stderr and traceback, and every file a test leaves, is swept for the key."""
    original = CliRunner.invoke

    def invoke_and_sweep(self: CliRunner, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        sweep("stdout", result.stdout)
        sweep("stderr", result.stderr)
        if result.exc_info is not None:
            sweep("a traceback", "".join(traceback.format_exception(*result.exc_info)))
        return result

    monkeypatch.setattr(CliRunner, "invoke", invoke_and_sweep)
    yield
    # The one file meant to hold a key: `fallback apply`'s key file, 0600, read by apiKeyHelper.
    key_file = isolated_home / ".config" / "outagecheck" / "anthropic-api-key"
    sweep_files(tmp_path, {key_file})


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Whatever a test printed or logged (pytest's capture) is swept too; a leak fails the test."""
    report = yield
    captured = report.capstdout + report.capstderr + report.caplog
    if report.passed and TEST_KEY in captured:
        report.outcome = "failed"
        report.longrepr = f"the API key leaked into captured output of {item.nodeid}"
    return report


def invoke(runner: CliRunner, *args: str, **kwargs: Any) -> Any:
    """Run the real CLI in-process; tests see real tracebacks."""
    return runner.invoke(app, list(args), catch_exceptions=False, **kwargs)


def summary(**states: str) -> dict[str, Any]:
    """A status page summary with every component operational except those named (by id)."""
    doc = json.loads((FIXTURES / "summary_operational.json").read_text())
    for comp in doc["components"]:
        comp["status"] = states.get(comp["id"], comp["status"])
    return doc


def march_summary() -> dict[str, Any]:
    """The 2026-03-02 page: claude.ai and Claude Code in major outage, one open incident."""
    doc = summary(rwppv331jlwc="major_outage", yyzkbfz2thpt="major_outage", **{"0qbwn08sd68x": "partial_outage"})
    doc["status"] = {"indicator": "major", "description": "Partial System Outage"}
    doc["incidents"] = json.loads((FIXTURES / "incident_march.json").read_text())
    return doc


@pytest.fixture
def mocked_all_operational(httpx_mock: HTTPXMock) -> HTTPXMock:
    httpx_mock.add_response(url=WEB, text="<html>Claude</html>")
    httpx_mock.add_response(url=OAUTH_HELLO, json={"message": "hello"})
    httpx_mock.add_response(url=API_HELLO, json={"message": "hello"})
    httpx_mock.add_response(url=STATUS, json=summary())
    return httpx_mock


@pytest.fixture
def mocked_march_outage(httpx_mock: HTTPXMock) -> HTTPXMock:
    httpx_mock.add_response(url=WEB, status_code=500, text="Claude will return soon", is_reusable=True)
    httpx_mock.add_response(
        url=OAUTH_HELLO,
        status_code=500,
        json={"type": "error", "error": {"type": "api_error", "message": "Internal server error"}},
        is_reusable=True,  # a 5xx is retried once
    )
    httpx_mock.add_response(url=API_HELLO, json={"message": "hello"})
    httpx_mock.add_response(url=STATUS, json=march_summary())
    return httpx_mock


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    """A real HTTP server on 127.0.0.1 whose routes a test scripts."""
    with LoopbackServer() as server:
        yield server


def write_config(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def loopback_config(tmp_path: Path, server: LoopbackServer, *, timeout: float = 5.0, slow: float = 3.0) -> Path:
    """A config that points every surface and the status page at the loopback server."""
    base = server.url
    return write_config(
        tmp_path / "loopback.toml",
        f"""timeout = {timeout}
slow = {slow}
[endpoints]
claude_ai = "{base}/web"
platform = "{base}/platform"
api = "{base}/api"
status_page = "{base}/status"
""",
    )
