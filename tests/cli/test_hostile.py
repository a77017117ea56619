"""A hostile environment, case by case, through the real CLI in a subprocess: odd variables, closed and full
streams, FIFOs and devices, odd keys. Every case ends with a documented exit code and at most one line on
stderr — never a traceback, never the last-resort handler, never a key fragment, never past the deadline."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from outagecheck.errors import SECRET_VARIABLES
from outagecheck.model import ExitCode
from tests.helpers import (
    FIXTURES,
    PAGE_PATH,
    TEST_KEY,
    cli_env,
    loopback_config,
    run_cli,
    summary,
)
from tests.loopback import LoopbackServer

TIMEOUT_S = 2.0
# Start-up and teardown on a loaded 2-CPU machine: generous, since other suites run beside this one.
MARGIN_S = 20.0
HALF = len(TEST_KEY) // 2
KEY_WITH_NEWLINE = f"{TEST_KEY[:HALF]}\n{TEST_KEY[HALF:]}"


@dataclass(frozen=True)
class Case:
    """One hostile run. `{cfg}`, `{tmp}`, `{fifo}`, `{huge}` and `{url}` in args and env are filled in."""

    args: tuple[str, ...]
    code: ExitCode
    says: str = ""  # in stderr, which then holds exactly one line
    env: dict[str, str] = field(default_factory=dict)
    redirect: str = ""
    shows: str = ""  # in stdout
    plant: tuple[tuple[str, str], ...] = ()  # (path under HOME, one of PLANTS) made before the run


STATUS = ("status", "--config", "{cfg}", "--timeout", str(TIMEOUT_S))
CASES = {
    # Unusable proxies and base URLs: the README promises 78, they used to raise OverflowError mid-request.
    "http-proxy-port-99999": Case(
        STATUS, ExitCode.CONFIG, "HTTP_PROXY is unusable", {"HTTP_PROXY": "http://127.0.0.1:99999"}
    ),
    "https-proxy-port-99999": Case(
        STATUS, ExitCode.CONFIG, "HTTPS_PROXY is unusable", {"HTTPS_PROXY": "http://127.0.0.1:99999"}
    ),
    "all-proxy-newline": Case(STATUS, ExitCode.CONFIG, "ALL_PROXY is unusable", {"ALL_PROXY": "http://p:1\nx"}),
    "base-url-port-99999": Case(
        STATUS,
        ExitCode.CONFIG,
        "'ANTHROPIC_BASE_URL' has an invalid port",
        {"ANTHROPIC_BASE_URL": "http://127.0.0.1:99999"},
    ),
    "base-url-newline": Case(
        STATUS,
        ExitCode.CONFIG,
        "'ANTHROPIC_BASE_URL' holds a control",
        {"ANTHROPIC_BASE_URL": "http://127.0.0.1:1/\nx"},
    ),
    "no-proxy-bracketed-ipv6": Case(
        STATUS, ExitCode.OK, env={"HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "[::1],.example.com,127.0.0.1"}
    ),
    "no-proxy-bad-port": Case(
        STATUS, ExitCode.CONFIG, "NO_PROXY is unusable: 'x:y'", {"HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "x:y"}
    ),
    # Closed and full streams.
    "stdout-closed": Case(STATUS, ExitCode.IO_ERROR, "cannot write the report to stdout", redirect=">&-"),
    "stdout-full-table": Case(STATUS, ExitCode.IO_ERROR, "No space left on device", redirect=">/dev/full"),
    "stdout-full-json": Case((*STATUS, "--json"), ExitCode.IO_ERROR, "No space left", redirect=">/dev/full"),
    "stdout-full-markdown": Case(
        (*STATUS, "--format", "markdown"), ExitCode.IO_ERROR, "No space left", redirect=">/dev/full"
    ),
    "stdout-full-nagios": Case((*STATUS, "-f", "nagios"), ExitCode.IO_ERROR, "No space left", redirect=">/dev/full"),
    "replay-stdout-closed": Case(("status", "--replay", "march-2026"), ExitCode.IO_ERROR, "stdout", redirect=">&-"),
    "version-stdout-closed": Case(("--version",), ExitCode.IO_ERROR, "cannot write to stdout", redirect=">&-"),
    "help-stdout-closed": Case(("--help",), ExitCode.IO_ERROR, "cannot write to stdout", redirect=">&-"),
    "help-stdout-full": Case(("status", "--help"), ExitCode.IO_ERROR, "cannot write to stdout", redirect=">/dev/full"),
    "stderr-closed-usage-error": Case(("status", "--bogus"), ExitCode.USAGE, redirect="2>&-"),
    "stderr-full-usage-error": Case(("status", "--bogus"), ExitCode.USAGE, redirect="2>/dev/full"),
    "stderr-closed-status": Case(STATUS, ExitCode.OK, redirect="2>&-"),
    "stdin-closed-apply": Case(("fallback", "apply", "claude-code"), ExitCode.USAGE, "pass --yes", redirect="<&-"),
    "stdin-closed-status": Case(STATUS, ExitCode.OK, redirect="<&-"),
    # Special files: never a hang, never read past the cap.
    "config-fifo": Case(("status", "--config", "{fifo}"), ExitCode.CONFIG, "not a regular file"),
    "config-env-dev-zero": Case(
        ("status",), ExitCode.CONFIG, "not a regular file", {"OUTAGECHECK_CONFIG": "/dev/zero"}
    ),
    "config-directory": Case(("status", "--config", "{tmp}"), ExitCode.CONFIG, "is a directory"),
    "config-over-1-mib": Case(("status", "--config", "{huge}"), ExitCode.CONFIG, "larger than 1 MiB"),
    "replay-fifo": Case(("status", "--replay", "{fifo}"), ExitCode.CONFIG, "not a regular file"),
    "replay-dev-zero": Case(("wait", "--replay", "/dev/zero"), ExitCode.CONFIG, "not a regular file"),
    "replay-env-dev-urandom": Case(
        ("status",), ExitCode.CONFIG, "not a regular file", {"OUTAGECHECK_REPLAY": "/dev/urandom"}
    ),
    "ssl-cert-file-fifo": Case(STATUS, ExitCode.CONFIG, "not a regular file", {"SSL_CERT_FILE": "{fifo}"}),
    "ssl-cert-file-dev-zero": Case(STATUS, ExitCode.CONFIG, "SSL_CERT_FILE", {"SSL_CERT_FILE": "/dev/zero"}),
    "journal-fifo-status": Case(STATUS, ExitCode.OK, env={"XDG_STATE_HOME": "{tmp}/fifo-state"}),
    "journal-fifo-revert": Case(
        ("fallback", "revert", "--yes"), ExitCode.CONFIG, "not a regular file", {"XDG_STATE_HOME": "{tmp}/fifo-state"}
    ),
    "settings-symlink-loop": Case(("fallback",), ExitCode.OK, shows="settings.json: cannot read"),
    "settings-symlink-loop-apply": Case(
        ("fallback", "apply", "claude-code", "--yes"), ExitCode.CANT_CREATE, "symlink loop"
    ),
    # Local files of hostile shapes: Claude Code's and OpenClaw's files are read capped, non-blocking,
    # regular files only; JSON nested ~5000 deep or holding NaN is exit 78 for what writes it, never exit 70.
    "claude-json-fifo-fallback": Case(
        ("fallback",), ExitCode.CONFIG, ".claude.json: not a regular file", plant=((".claude.json", "fifo"),)
    ),
    "claude-json-dev-zero-apply": Case(
        ("fallback", "apply", "claude-code", "--yes"),
        ExitCode.CONFIG,
        ".claude.json: not a regular file",
        plant=((".claude.json", "dev-zero"),),
    ),
    "openclaw-fifo-fallback": Case(
        ("fallback",),
        ExitCode.CONFIG,
        "openclaw.json: not a regular file",
        plant=((".openclaw/openclaw.json", "fifo"),),
    ),
    "openclaw-dev-zero-fallback": Case(
        ("fallback",), ExitCode.CONFIG, "not a regular file", plant=((".openclaw/openclaw.json", "dev-zero"),)
    ),
    "settings-nested-fallback": Case(
        ("fallback",), ExitCode.OK, shows="nested too deeply", plant=((".claude/settings.json", "nested"),)
    ),
    "settings-nested-apply": Case(
        ("fallback", "apply", "claude-code", "--yes"),
        ExitCode.CONFIG,
        "settings.json: invalid JSON: nested too deeply",
        plant=((".claude/settings.json", "nested"),),
    ),
    "claude-json-nested-apply": Case(
        ("fallback", "apply", "claude-code", "--yes"),
        ExitCode.CONFIG,
        ".claude.json: invalid JSON: nested too deeply",
        plant=((".claude.json", "nested"),),
    ),
    "settings-nan-fallback": Case(
        ("fallback",), ExitCode.OK, shows="NaN is not JSON", plant=((".claude/settings.json", "nan"),)
    ),
    "settings-nan-apply": Case(
        ("fallback", "apply", "claude-code", "--yes"),
        ExitCode.CONFIG,
        "settings.json: invalid JSON: NaN is not JSON",
        plant=((".claude/settings.json", "nan"),),
    ),
    "settings-infinity-in-array-apply": Case(
        ("fallback", "apply", "claude-code", "--yes"),
        ExitCode.CONFIG,
        "-Infinity is not JSON",
        plant=((".claude/settings.json", "infinity"),),
    ),
    "journal-nested-revert": Case(
        ("fallback", "revert", "--yes"),
        ExitCode.CONFIG,
        "the journal is damaged",
        plant=((".local/state/outagecheck/journal.toml", "nested-toml"),),
    ),
    "replay-nested": Case(
        ("status", "--replay", "{home}/nested.json"),
        ExitCode.CONFIG,
        "nested too deeply",
        plant=(("nested.json", "nested"),),
    ),
    # Values that are not finite or not bounded.
    "watch-interval-nan": Case(("watch", "--interval", "nan"), ExitCode.USAGE, "--interval must be between"),
    "watch-interval-inf": Case(("watch", "--interval", "inf"), ExitCode.USAGE, "--interval must be between"),
    "watch-interval-1e308": Case(("watch", "--interval", "1e308"), ExitCode.USAGE, "--interval must be between"),
    "watch-count-huge": Case(("watch", "--count", "9" * 30), ExitCode.USAGE, "--count must be between"),
    "wait-interval-nan": Case(("wait", "--interval", "nan"), ExitCode.USAGE, "--interval must be between"),
    "wait-max-wait-huge": Case(("wait", "--max-wait", "9" * 30 + "h"), ExitCode.USAGE, "at most 7 days"),
    "timeout-nan": Case(("status", "--timeout", "nan"), ExitCode.USAGE, "--timeout must be between"),
    "timeout-inf": Case(("status", "--timeout", "inf"), ExitCode.USAGE, "--timeout must be between"),
    # Keys and tokens of odd shapes: never sent, never shown, never a reason to call a healthy API down.
    "key-with-newline": Case(STATUS, ExitCode.OK, env={"ANTHROPIC_API_KEY": KEY_WITH_NEWLINE}, shows="line break"),
    "key-with-cr": Case(STATUS, ExitCode.OK, env={"ANTHROPIC_API_KEY": KEY_WITH_NEWLINE.replace("\n", "\r")}),
    "key-non-ascii": Case(STATUS, ExitCode.OK, env={"ANTHROPIC_API_KEY": TEST_KEY + "é"}, shows="non-ASCII"),
    "key-very-long": Case(STATUS, ExitCode.OK, env={"ANTHROPIC_API_KEY": TEST_KEY * 200}, shows="impossible"),
    "token-with-newline": Case(STATUS, ExitCode.OK, env={"ANTHROPIC_AUTH_TOKEN": KEY_WITH_NEWLINE}),
    "oauth-token-tab": Case(STATUS, ExitCode.OK, env={"CLAUDE_CODE_OAUTH_TOKEN": TEST_KEY.replace("-", "\t")}),
    "key-in-base-url-json": Case(
        (*STATUS, "--json"), ExitCode.DOWN, env={"ANTHROPIC_BASE_URL": "http://127.0.0.1:1/" + TEST_KEY}
    ),
    # An ASCII-only terminal and a status page in other scripts: '?' instead of a UnicodeEncodeError.
    "ascii-stdout-table": Case(STATUS, ExitCode.OK, env={"PYTHONIOENCODING": "ascii"}, shows="St?rung"),
    "ascii-stdout-json": Case((*STATUS, "--json"), ExitCode.OK, env={"PYTHONIOENCODING": "ascii"}, shows="St?rung"),
    "ascii-stdout-markdown": Case(
        (*STATUS, "-f", "markdown"), ExitCode.OK, env={"PYTHONIOENCODING": "ascii"}, shows="St?rung"
    ),
    "ascii-stdout-replay": Case(("status", "--replay", "march-2026"), ExitCode.DOWN, env={"LC_ALL": "C"}),
    # XDG values the spec says to ignore.
    "xdg-relative-everything": Case(
        ("status", "--replay", "api-down"), ExitCode.DOWN, env={"XDG_STATE_HOME": "state", "XDG_CONFIG_HOME": "."}
    ),
}
DOCUMENTED = {int(c) for c in ExitCode} - {int(ExitCode.SOFTWARE)}
DEEP = 5000
PLANTS = {
    "nested": '{"a": ' + "[" * DEEP + "]" * DEEP + "}",
    "nan": '{"permissions": {"allow": []}, "cleanupPeriodDays": NaN}',
    "infinity": '{"x": [1, {"y": [-Infinity]}], "note": "NaN in a string is fine"}',
    "nested-toml": "version = 1\nx = " + "[" * DEEP + "]" * DEEP + "\n",
}


def _plant(home: Path, where: str, kind: str) -> None:
    path = home / where
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    else:
        path.write_text(PLANTS[kind])


def _fill(text: str, context: dict[str, str]) -> str:
    for name, value in context.items():
        text = text.replace("{" + name + "}", value)
    return text


def _fragments(text: str) -> list[str]:
    return [f for f in re.split(r"[^\x21-\x7e]+", text) if len(f) >= 8]


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_case_ends_with_one_line_and_a_documented_code(
    name: str, tmp_path: Path, isolated_home: Path, loopback: LoopbackServer
) -> None:
    case = CASES[name]
    loopback.route("/api/v1/models?limit=1", json={"data": []})
    page = summary()
    page["incidents"] = json.loads((FIXTURES / "incident_march.json").read_text())
    page["incidents"][0]["name"] = "Störung — 障害 on claude.ai"
    loopback.route(PAGE_PATH, json=page)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (tmp_path / "fifo-state" / "outagecheck").mkdir(parents=True)
    os.mkfifo(tmp_path / "fifo-state" / "outagecheck" / "journal.toml")
    huge = tmp_path / "huge.toml"
    huge.write_bytes(b"# padding\n" * 200_000)
    if name.startswith("settings-symlink-loop"):
        loop = isolated_home / ".claude" / "settings.json"
        loop.parent.mkdir()
        loop.symlink_to(loop)
    for where, kind in case.plant:
        _plant(isolated_home, where, kind)
    context = {
        "home": str(isolated_home),
        "cfg": str(loopback_config(tmp_path, loopback, timeout=TIMEOUT_S)),
        "tmp": str(tmp_path),
        "fifo": str(fifo),
        "huge": str(huge),
        "url": loopback.url,
    }
    secrets = {"ANTHROPIC_API_KEY": TEST_KEY, "ANTHROPIC_AUTH_TOKEN": TEST_KEY[::-1]}
    env = cli_env(isolated_home, **{**secrets, **{k: _fill(v, context) for k, v in case.env.items()}})
    args = [_fill(a, context) for a in case.args]

    code, out, err, elapsed = run_cli(args, env, cwd=tmp_path, redirect=case.redirect)

    assert "Traceback" not in out + err, err
    assert "internal error" not in err, err
    assert code == case.code, (out, err)
    assert code in DOCUMENTED
    if case.says:
        assert case.says in err
        assert err.count("\n") == 1, err
    if case.shows:
        assert case.shows in out, out
    assert elapsed < TIMEOUT_S + MARGIN_S
    for variable, value in {**secrets, **case.env}.items():
        for piece in _fragments(value) if variable in SECRET_VARIABLES else ():
            assert piece not in out, f"a fragment of {variable} leaked into stdout"
            assert piece not in err, f"a fragment of {variable} leaked into stderr"
    # Files the run wrote are swept for the key by the autouse key_sweep (conftest.py).
    if "/api/v1/models?limit=1" in loopback.paths():
        sent = {h.get("x-api-key") for _, p, h in loopback.requests if p == "/api/v1/models?limit=1"}
        assert sent <= {TEST_KEY}, "a malformed key was sent"


def test_the_last_resort_is_one_line_exit_70_and_redacted(tmp_path: Path, isolated_home: Path) -> None:
    # A bug nothing expected (here: the command group itself raising) still ends with one line, never the key.
    code = (
        "import os, sys, outagecheck.cli.app as a\n"
        "def boom(*args, **kwargs):\n"
        "    raise RuntimeError('unexpected ' + os.environ['ANTHROPIC_API_KEY'] + '\\nsecond line')\n"
        "a.app = boom\n"
        "from outagecheck.__main__ import main\n"
        "sys.argv = ['outagecheck', 'scenarios']\n"  # a typer command: status and wait skip the group
        "main()\n"
    )
    script = tmp_path / "boom.py"
    script.write_text(code)
    env = cli_env(isolated_home, ANTHROPIC_API_KEY=TEST_KEY)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode == ExitCode.SOFTWARE
    assert run.stderr.startswith("outagecheck: internal error: RuntimeError: unexpected [redacted] second line;")
    assert run.stderr.rstrip().endswith("please report it at https://github.com/outagecheck/outagecheck/issues")
    assert run.stderr.count("\n") == 1
    assert "Traceback" not in run.stderr
    assert TEST_KEY not in run.stderr
