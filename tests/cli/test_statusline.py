"""`outagecheck statusline` through the real entry point: cold, warm and stale caches, one refresh at a time,
stdin that never closes, the fallback reminder, and Claude Code's own client where it is installed."""

from __future__ import annotations

import json
import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck import paths
from outagecheck.cli import cache
from outagecheck.fallback import journal
from tests.helpers import (
    CF_EDGE,
    LINE,
    OAUTH_PATH,
    WEB_PATH,
    invoke,
    line_env,
    loopback_config,
    statusline,
    statusline_loading,
    wait_for_cache,
)
from tests.loopback import LoopbackServer


def test_cold_then_warm(tmp_path: Path, isolated_home: Path, loopback: LoopbackServer) -> None:
    loopback.route(WEB_PATH, status=500, body=b"down", headers=dict(CF_EDGE))
    env = line_env(tmp_path, isolated_home, loopback_config(tmp_path, loopback, timeout=2.0))
    assert statusline(env) == "Claude: checking…\n"
    wait_for_cache(tmp_path / "cache" / "outagecheck")
    assert statusline(env) == "Claude: web ✖ code ● api ●\n"
    assert loopback.paths().count(WEB_PATH) == 2  # one refresh (a 5xx is retried once); warm reads no network


def test_stale_cache_starts_exactly_one_refresh_for_ten_concurrent_calls(
    tmp_path: Path, isolated_home: Path, loopback: LoopbackServer
) -> None:
    directory = tmp_path / "cache" / "outagecheck"
    directory.mkdir(parents=True)
    old = {"version": 1, "written_at": 1.0, "fallback": [], "checked_at": "x", "exit_code": 2,
           "surfaces": [{"id": "web", "status": "down"}]}  # fmt: skip
    (directory / cache.CACHE_NAME).write_text(json.dumps(old))
    five_minutes_ago = time.time() - 300
    os.utime(directory / cache.CACHE_NAME, (five_minutes_ago, five_minutes_ago))
    loopback.route(OAUTH_PATH, json={"message": "hello"}, delay=1.0)  # the refresh is still running meanwhile
    env = line_env(tmp_path, isolated_home, loopback_config(tmp_path, loopback, timeout=4.0))
    with ThreadPoolExecutor(10) as pool:
        lines = list(pool.map(lambda _: statusline(env), range(10)))
    assert all(text.startswith("Claude: web ✖ (stale 5m") for text in lines), lines
    fresh = wait_for_cache(directory, newer_than=1.0)
    assert fresh["surfaces"] == [{"id": i, "status": "operational"} for i in ("web", "code", "api")]
    assert loopback.paths().count(WEB_PATH) == 1  # one refresh for ten calls
    assert statusline(env) == "Claude: web ● code ● api ●\n"


def test_outstanding_fallback_is_shown_with_its_age(
    tmp_path: Path, isolated_home: Path, loopback: LoopbackServer
) -> None:
    applied = (datetime.now(UTC) - timedelta(hours=3)).isoformat(timespec="seconds")
    entry = journal.Entry("claude-code", str(isolated_home / ".claude.json"), "json", False, "", "", applied)
    journal.save(paths.journal_file(), [entry])
    loopback.route(WEB_PATH, status=503, body=b"down", headers=dict(CF_EDGE))
    env = line_env(tmp_path, isolated_home, loopback_config(tmp_path, loopback, timeout=2.0))
    env["XDG_STATE_HOME"] = os.environ["XDG_STATE_HOME"]
    statusline(env)
    wait_for_cache(tmp_path / "cache" / "outagecheck")
    assert statusline(env) == "Claude: web ✖ code ● api ● · fallback on 3h — revert when back\n"


def test_stdin_that_never_closes_or_is_a_terminal_is_not_waited_for(tmp_path: Path, isolated_home: Path) -> None:
    env = line_env(tmp_path, isolated_home, tmp_path / "missing.toml")
    with subprocess.Popen([*LINE], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE) as proc:
        assert proc.stdin is not None
        proc.stdin.write(b'{"session_id": "abc", "model": {"id": "claude-opus-4-1"}}')  # and never closed
        proc.stdin.flush()
        assert proc.stdout is not None
        out = proc.stdout.read()  # returns once it has exited: it did not wait for the end of stdin
        assert proc.wait(timeout=30) == 0
    assert out.decode() == "Claude: checking…\n"
    import pty  # noqa: PLC0415  # POSIX only: at module level it would stop the file's collection on Windows

    primary, secondary = pty.openpty()
    try:
        assert statusline(env, stdin=secondary) == "Claude: checking…\n"
    finally:
        os.close(primary)
        os.close(secondary)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ttl", "soon"], "--ttl: 'soon' is not a number of seconds"),
        (["--ttl=1"], "--ttl must be between 5 and 86400 seconds, got 1"),
        (["--ttl"], "option '--ttl' requires an argument"),
        (["--bogus"], "no such option: --bogus"),
    ],
)
def test_bad_options_are_usage_errors(runner: CliRunner, args: list[str], message: str) -> None:
    result = invoke(runner, "statusline", *args)  # in-process, through typer: the same parser
    assert result.exit_code == 64
    assert result.stderr == f"outagecheck: error: {message} (run 'outagecheck statusline --help' for usage)\n"


def test_help_shows_the_settings_snippet(runner: CliRunner) -> None:
    result = invoke(runner, "statusline", "--help")
    assert result.exit_code == 0
    assert '"statusLine": {"type": "command", "command": "outagecheck statusline"}' in result.stdout


def test_the_fast_path_loads_neither_typer_nor_rich_nor_httpx(tmp_path: Path, isolated_home: Path) -> None:
    env = line_env(tmp_path, isolated_home)
    (tmp_path / "cache" / "outagecheck").mkdir(parents=True)
    (tmp_path / "cache" / "outagecheck" / cache.CACHE_NAME).write_text('{"version": 1, "surfaces": []}')
    assert statusline_loading(env, [], ("typer", "rich", "httpx"))[-1] == "0 []"


def test_the_usual_line_loads_neither_the_spec_nor_the_help_pages(tmp_path: Path, isolated_home: Path) -> None:
    # Claude Code runs `outagecheck statusline` with no option on every prompt update: nothing to parse.
    env = line_env(tmp_path, isolated_home)
    (tmp_path / "cache" / "outagecheck").mkdir(parents=True)
    (tmp_path / "cache" / "outagecheck" / cache.CACHE_NAME).write_text('{"version": 1, "surfaces": []}')
    modules = ("outagecheck.cli.spec", "outagecheck.cli.parse", "outagecheck.cli.pages")
    assert statusline_loading(env, [], modules)[-1] == "0 []"
    # With an option, the one parser over the spec reads it (and still no help page).
    loaded = "0 ['outagecheck.cli.parse', 'outagecheck.cli.spec']"
    assert statusline_loading(env, ["--ttl", "30"], modules)[-1] == loaded


def test_the_default_ttl_is_the_specs() -> None:
    from outagecheck.cli import spec, statusline  # noqa: PLC0415  # the two places that name it

    assert spec.TTL.default == statusline.DEFAULT_TTL_S
