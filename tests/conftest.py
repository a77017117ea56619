"""Fixtures and hooks only; the helpers the tests share are in helpers.py."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import traceback
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

# Typer's help console reads these at import time (typer/rich_utils.py): set them before it loads.
os.environ["_TYPER_FORCE_DISABLE_TERMINAL"] = "1"
os.environ["TERMINAL_WIDTH"] = "100"

# A run started in the background by a shell without job control (`pytest &` in a script, as a CI harness
# may do) inherits SIGINT ignored (POSIX: asynchronous lists ignore SIGINT), and so would every CLI it starts:
# the Ctrl-C tests then saw nothing happen, or hung to their timeout. They test Python's own default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

import pytest
from pytest_httpx import HTTPXMock
from typer.testing import CliRunner

from tests.helpers import (
    API_MODELS,
    SETTINGS_TEXT,
    STATE_TEXT,
    TEST_KEY,
    all_operational,
    march,
    route_healthy,
    sweep,
    sweep_files,
)
from tests.loopback import LoopbackServer


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
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Whatever a test printed or logged (pytest's capture) is swept too; a leak fails the test."""
    report = yield
    captured = report.capstdout + report.capstderr + report.caplog
    if report.passed and TEST_KEY in captured:
        report.outcome = "failed"
        report.longrepr = f"the API key leaked into captured output of {item.nodeid}"
    return report


# -- the real Claude Code client (npm), cached across runs -------------------------------------------------

# Read before any test swaps HOME: the cache outlives the temporary homes.
NPM_CACHE = Path(os.environ.get("OUTAGECHECK_TEST_NPM_CACHE") or Path.home() / ".cache" / "outagecheck-tests" / "npm")


@pytest.fixture(scope="session")
def real_claude() -> Path:
    """The published Claude Code CLI, installed once with npm into a cache dir and reused."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: cannot install the real Claude Code client (@anthropic-ai/claude-code)")
    exe = NPM_CACHE / "node_modules" / ".bin" / "claude"
    if not exe.exists():
        started = time.monotonic()
        subprocess.run(
            [npm, "install", "--prefix", str(NPM_CACHE), "--no-audit", "--no-fund", "@anthropic-ai/claude-code"],
            check=True,
            timeout=1800,
            capture_output=True,
        )
        print(f"npm install @anthropic-ai/claude-code took {time.monotonic() - started:.1f} s")
    return exe


# -- a Claude Code home and a key, for fallback apply / revert ----------------------------------------------


@pytest.fixture
def claude_home(isolated_home: Path) -> Path:
    """A HOME holding a Claude Code settings.json with the user's own keys and a ~/.claude.json."""
    (isolated_home / ".claude").mkdir()
    (isolated_home / ".claude" / "settings.json").write_text(SETTINGS_TEXT)
    (isolated_home / ".claude.json").write_text(STATE_TEXT)
    return isolated_home


@pytest.fixture
def mocked_models_ok(httpx_mock: HTTPXMock) -> HTTPXMock:
    httpx_mock.add_response(url=API_MODELS, json={"data": [{"id": "claude-x", "type": "model"}], "has_more": True})
    return httpx_mock


@pytest.fixture
def with_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    return TEST_KEY


# -- mocked HTTP (pytest-httpx) and the loopback server -------------------------------------------------


@pytest.fixture
def mocked_all_operational(httpx_mock: HTTPXMock) -> HTTPXMock:
    all_operational(httpx_mock)
    return httpx_mock


@pytest.fixture
def mocked_march_outage(httpx_mock: HTTPXMock) -> HTTPXMock:
    march(httpx_mock)  # a 5xx is retried once: those answers are reusable
    return httpx_mock


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    """A real HTTP server on 127.0.0.1, answering as on a good day at the paths loopback_config() points
    every surface at (helpers.route_healthy); a test re-routes what it breaks."""
    with LoopbackServer() as server:
        route_healthy(server)
        yield server


# -- Claude Code's routes: a machine with no provider set anywhere ----------------------------------------


@pytest.fixture
def no_route(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, isolated_home: Path) -> Path:
    """No route variable in the environment and the managed settings moved to an empty temporary folder
    ($OUTAGECHECK_MANAGED_SETTINGS): this machine's /etc/claude-code is never read. Returns that folder."""
    from outagecheck.routes.current import HOST_VAR  # noqa: PLC0415  # only the routes tests load routes/
    from outagecheck.routes.settings import ROUTE_VARS  # noqa: PLC0415  # only the routes tests load routes/

    for name in (*ROUTE_VARS, HOST_VAR):
        monkeypatch.delenv(name, raising=False)
    managed = tmp_path / "managed"
    managed.mkdir()
    monkeypatch.setenv("OUTAGECHECK_MANAGED_SETTINGS", str(managed / "managed-settings.json"))
    return managed
