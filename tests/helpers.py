"""What more than one test module shares, short of fixtures (those live in conftest.py): URLs, the test
key and its sweep, the CLI runner helper, status page summaries, config files, mocked outages, the statusline
in a subprocess, and the real Claude Code client (its environment, its TUI in tmux)."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import types
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final, TypedDict, Unpack

import pytest
from pytest_httpx import HTTPXMock
from typer.testing import CliRunner, Result

from outagecheck.cli import cache
from outagecheck.cli.app import app
from tests.loopback import LoopbackServer

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
FIXTURES = TESTS / "fixtures"
GOLDEN = TESTS / "golden"

# The real endpoints, as the mocked (pytest-httpx) tests see them.
WEB = "https://claude.ai/"
OAUTH_HELLO = "https://platform.claude.com/v1/oauth/hello"
API_HELLO = "https://api.anthropic.com/api/hello"
API_MODELS = "https://api.anthropic.com/v1/models?limit=1"
STATUS = "https://status.claude.com/api/v2/summary.json"
STATUS_ORIGIN = "https://anthropic.statuspage.io/api/v2/summary.json"

# The same endpoints on the loopback server, at the bases loopback_config() points each surface at.
WEB_PATH = "/web/"
OAUTH_PATH = "/platform/v1/oauth/hello"
API_PATH = "/api/api/hello"
PAGE_PATH = "/status/api/v2/summary.json"
HELLO: dict[str, Any] = {"json": {"message": "hello"}}

TEST_KEY = "sk-ant-api03-TESTKEY-do-not-leak-0123456789abcdef"

# For tests that talk to a real server on 127.0.0.1: pytest-httpx lets every request through.
real_sockets = pytest.mark.httpx_mock(should_mock=lambda request: False)


# -- a Claude Code home: the user's own settings and ~/.claude.json -----------------------------------------

SETTINGS = {
    "permissions": {"allow": ["Bash(npm run test:*)"], "deny": ["Read(./.env)"]},
    "hooks": {"PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "ruff format"}]}]},
    "env": {"GREETING": "grüß dich ✓"},
    "someFutureKey": {"nested": [1, 2, {"x": None}]},
}
SETTINGS_TEXT = json.dumps(SETTINGS, indent=4, ensure_ascii=False) + "\n"
STATE_TEXT = '{"numStartups": 12, "oauthAccount": {"emailAddress": "me@example.com"}, "projects": {"/w": {}}}'


# -- the key sweep: no test's output or files may hold TEST_KEY ------------------------------------------


def sweep(where: str, text: str | bytes) -> None:
    """Fail if the test key appears in `text`."""
    leaked = TEST_KEY.encode() in text if isinstance(text, bytes) else TEST_KEY in text
    assert not leaked, f"the API key leaked into {where}"


def sweep_files(root: Path, allowed: set[Path]) -> None:
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and path not in allowed and path.stat().st_size < 8 << 20:
            sweep(str(path), path.read_bytes())


# -- a second local user ----------------------------------------------------------------------------------


def other_user() -> tuple[int, int]:
    """(uid, gid) of `nobody`, to plant files as a second local user would; the test is skipped with the
    reason unless the tests run as root (only root can give a file to another user)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip(f"planting a file as another user needs root; the tests run as uid {os.getuid()}")
    import pwd  # noqa: PLC0415  # POSIX only

    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user 'nobody' on this machine to plant files as")
    return entry.pw_uid, entry.pw_gid


# -- the CLI and its inputs -------------------------------------------------------------------------------


def invoke(runner: CliRunner, *args: str, **kwargs: Any) -> Result:
    """Run the real CLI in-process; tests see real tracebacks."""
    return runner.invoke(app, list(args), catch_exceptions=False, **kwargs)


def summary(**states: str) -> dict[str, Any]:
    """A status page summary with every component operational except those named (by id)."""
    doc: dict[str, Any] = json.loads((FIXTURES / "summary_operational.json").read_text())
    for comp in doc["components"]:
        comp["status"] = states.get(comp["id"], comp["status"])
    return doc


def march_summary() -> dict[str, Any]:
    """The 2026-03-02 page: claude.ai and Claude Code in major outage, one open incident."""
    doc = summary(rwppv331jlwc="major_outage", yyzkbfz2thpt="major_outage", **{"0qbwn08sd68x": "partial_outage"})
    doc["status"] = {"indicator": "major", "description": "Partial System Outage"}
    doc["incidents"] = json.loads((FIXTURES / "incident_march.json").read_text())
    return doc


def write_config(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def no_route_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """For tests of route switches: no managed settings, no route variable or host decision from the machine,
    tmp_path as the project directory, and no `claude` on PATH unless a test puts a stand-in first."""
    from outagecheck.routes.settings import ROUTE_VARS  # noqa: PLC0415  # route tests only

    monkeypatch.setenv("OUTAGECHECK_MANAGED_SETTINGS", str(tmp_path / "managed" / "managed-settings.json"))
    for name in (*ROUTE_VARS, "CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")


def routes_toml(routes: Mapping[str, Mapping[str, object]]) -> str:
    """A config's `[[routes]]` tables from {name: fields}, in order: strings quoted, `models` an inline table.
    Appended after other tables it still parses as routes (an inline `routes = [...]` would not)."""

    def value(v: object) -> str:
        if isinstance(v, Mapping):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        return json.dumps(v)  # a JSON string, integer or boolean is the same TOML value

    tables = (
        "[[routes]]\n" + "".join(f"{k} = {value(v)}\n" for k, v in {"name": name, **fields}.items())
        for name, fields in routes.items()
    )
    return "\n" + "\n".join(tables)


# The Monitoring Plugins development guidelines, "Performance data":
# 'label'=value[UOM];[warn];[crit];[min];[max], space-separated; value may be U; UOM s, %, B/KB/MB/TB, c.
PERFDATA = re.compile(
    r"(?P<label>'(?:[^']|'')+'|[^' =]+)=(?P<value>-?\d+(?:\.\d+)?|U)(?P<uom>s|ms|us|%|B|KB|MB|TB|c)?"
    r"(?:;(?P<warn>[^; ]*))?(?:;(?P<crit>[^; ]*))?(?:;(?P<min>[^; ]*))?(?:;(?P<max>[^; ]*))?"
)


def parse_plugin_output(text: str) -> tuple[str, str, dict[str, dict[str, str]], list[str]]:
    first, *long_output = text.splitlines()
    status, _, perf = first.partition(" | ")
    assert "|" not in status
    data = {}
    for token in perf.split(" "):
        match = PERFDATA.fullmatch(token)
        assert match, f"not valid perfdata: {token!r}"
        data[match["label"].strip("'")] = match.groupdict()
    state = status.split(" - ")[0]
    return state, status, data, long_output


class Endpoints(TypedDict, total=False):
    """The [endpoints] of a config file; each one a base URL."""

    claude_ai: str
    platform: str
    api: str
    status_page: str


def loopback_config(
    tmp_path: Path,
    server: LoopbackServer | None = None,
    *,
    timeout: float = 3.0,
    slow: float = 3.0,
    extra: str = "",
    **endpoints: Unpack[Endpoints],
) -> Path:
    """A config pointing every surface and the status page at `server` (at WEB_PATH, OAUTH_PATH, API_PATH and
    PAGE_PATH); `endpoints` replace single bases (or, without a server, are the only ones); `extra` is TOML
    appended as is (custom surfaces)."""
    bases: Endpoints = {}
    if server is not None:
        base = server.url
        bases = {
            "claude_ai": f"{base}/web",
            "platform": f"{base}/platform",
            "api": f"{base}/api",
            "status_page": f"{base}/status",
        }
    bases.update(endpoints)
    lines = [f"timeout = {timeout}", f"slow = {slow}", "[endpoints]", *(f'{k} = "{v}"' for k, v in bases.items())]
    return write_config(tmp_path / "loopback.toml", "\n".join(lines) + "\n" + extra)


# -- servers ----------------------------------------------------------------------------------------------


def route_healthy(server: LoopbackServer) -> None:
    """Every surface and the status page answer as on a good day."""
    server.route(WEB_PATH, body=b"<html>Claude</html>")
    server.route(OAUTH_PATH, **HELLO)
    server.route(API_PATH, **HELLO)
    server.route(PAGE_PATH, json=summary())


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connections to it are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- mocked outages (pytest-httpx): the bundled --replay scenarios are regenerated from these -------------


def all_operational(mock: HTTPXMock) -> None:
    mock.add_response(url=WEB, text="<html>Claude</html>")
    mock.add_response(url=OAUTH_HELLO, json={"message": "hello"})
    mock.add_response(url=API_HELLO, json={"message": "hello"})
    mock.add_response(url=STATUS, json=summary())


# Every answer from Claude's hosts passes its Cloudflare edge, which adds these headers even to a 5xx; a 5xx
# without them is some proxy's on this side (checks/intermediaries.py).
CF_EDGE: Final = {"server": "cloudflare", "cf-ray": "8a1b2c3d4e5f6789-FRA"}


def march(mock: HTTPXMock) -> None:
    mock.add_response(url=WEB, status_code=500, text="Claude will return soon", headers=CF_EDGE, is_reusable=True)
    error = {"type": "error", "error": {"type": "api_error", "message": "Internal server error"}}
    mock.add_response(url=OAUTH_HELLO, status_code=500, json=error, headers=CF_EDGE, is_reusable=True)
    mock.add_response(url=API_HELLO, json={"message": "hello"})
    mock.add_response(url=STATUS, json=march_summary())


def api_down(mock: HTTPXMock) -> None:
    # Anthropic's own Envoy answers through its Cloudflare edge.
    for url in (WEB, OAUTH_HELLO, API_HELLO):
        mock.add_response(url=url, status_code=503, text="upstream connect error", headers=CF_EDGE, is_reusable=True)
    down = {k: "major_outage" for k in ("rwppv331jlwc", "yyzkbfz2thpt", "k8w3r06qmzrp")}
    mock.add_response(url=STATUS, json=summary(**down))


def api_overloaded(mock: HTTPXMock) -> None:
    mock.add_response(url=WEB, text="<html>Claude</html>")
    mock.add_response(url=OAUTH_HELLO, json={"message": "hello"})
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    mock.add_response(url=API_HELLO, status_code=529, json=overloaded)
    mock.add_response(url=STATUS, json=summary(k8w3r06qmzrp="degraded_performance"))


# -- the real CLI in a subprocess ---------------------------------------------------------------------------


def own_config_dir(home: Path) -> Path:
    """outagecheck's config dir (config.toml, the API key file) for this HOME on this platform (paths.py)."""
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "outagecheck"
    if sys.platform == "win32":
        return home / "AppData" / "Roaming" / "outagecheck"
    return home / ".config" / "outagecheck"


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment for a subprocess run: this HOME, no secrets, proxies or CI variables of ours."""
    drop = ("ANTHROPIC_", "CLAUDE_", "OUTAGECHECK_", "XDG_", "GITHUB_", "SSL_CERT_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop) and not k.lower().endswith("_proxy")}
    env.update(HOME=str(home), NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    # As isolated_home does: Windows reads the home from USERPROFILE, and outside Linux the state dir is set.
    env.update(USERPROFILE=str(home), APPDATA=str(home / "AppData" / "Roaming"))
    env["LOCALAPPDATA"] = str(home / "AppData" / "Local")
    if not sys.platform.startswith("linux"):
        env["OUTAGECHECK_STATE_DIR"] = str(home / ".local" / "state" / "outagecheck")
    env.update(extra)
    return env


def run_cli(
    args: list[str], env: dict[str, str], *, cwd: Path | None = None, redirect: str = "", timeout: float = 60
) -> tuple[int, str, str, float]:
    """Run `python -m outagecheck ARGS` through bash, so `redirect` can close or point a stream anywhere
    (`>&-`, `>/dev/full`, `2>&-`, `<&-`); return (exit code, stdout, stderr, seconds)."""
    script = f'exec "$0" -m outagecheck "$@" {redirect}'
    start = time.monotonic()
    run = subprocess.run(
        ["bash", "-c", script, sys.executable, *args],
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    elapsed = time.monotonic() - start
    return run.returncode, run.stdout.decode("utf-8", "replace"), run.stderr.decode("utf-8", "replace"), elapsed


# Runs the real entry point; on its way out it writes, as the last line on stderr, which of MODULES (the
# heavy libraries unless told) were ever imported: "loaded: typer=False rich=True".
ENTRY_WITH_IMPORTS = """
import os, sys
import outagecheck.__main__ as entry
def leave(code):
    sys.stderr.write("loaded: " + " ".join(f"{name}={name in sys.modules}" for name in MODULES) + "\\n")
    sys.stderr.flush()
    os._exit(code)
entry._exit = leave
sys.argv[0] = "outagecheck"
entry.main()
"""


def run_entry(
    *args: str, modules: tuple[str, ...] = ("typer", "rich"), **env: str
) -> tuple[subprocess.CompletedProcess[str], str, list[str]]:
    """Run the real entry point in a process: (the result, its "loaded: ..." line naming `modules`, the stderr
    before it)."""
    done = subprocess.run(
        [sys.executable, "-c", f"MODULES = {modules!r}" + ENTRY_WITH_IMPORTS, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )
    *stderr, loaded = done.stderr.splitlines() or [""]
    return done, loaded, stderr


# -- `outagecheck statusline` in a subprocess, its cache refreshed in the background -------------------------

LINE = [sys.executable, "-m", "outagecheck", "statusline"]


def line_env(tmp_path: Path, home: Path, config: Path | None = None) -> dict[str, str]:
    """The environment for a statusline run: this HOME, a cache under tmp_path, no colour, `config` if given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "OUTAGECHECK_", "CLAUDE"))}
    env |= {"HOME": str(home), "XDG_CACHE_HOME": str(tmp_path / "cache"), "NO_COLOR": "1", "NO_PROXY": "127.0.0.1"}
    if config is not None:
        env["OUTAGECHECK_CONFIG"] = str(config)
    return env


def statusline_loading(env: dict[str, str], args: list[str], modules: tuple[str, ...]) -> list[str]:
    """Run `outagecheck statusline ARGS` through the entry point's main(), in a subprocess; its stdout lines, the
    last one "CODE [the modules of `modules` loaded by then]" (printed where main() would exit)."""
    code = (
        f"import sys; sys.argv = ['outagecheck', 'statusline', *{args!r}]\n"
        "import outagecheck.__main__ as m\n"
        "def fake_exit(code):\n"
        f"    print(code, sorted(x for x in {modules!r} if x in sys.modules), flush=True)\n"
        "    raise SystemExit(0)\n"
        "m._exit = fake_exit\n"
        "m.main()"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    return out.stdout.splitlines() or [out.stderr]


def statusline(env: dict[str, str], *args: str, stdin: int | None = subprocess.DEVNULL) -> str:
    """Run `outagecheck statusline ARGS`; it must exit 0 with nothing on stderr; return its stdout."""
    done = subprocess.run([*LINE, *args], env=env, stdin=stdin, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, "")
    return done.stdout


def wait_for_cache(directory: Path, newer_than: float = 0.0) -> dict[str, object]:
    """Wait (up to 60 s) for the background refresh to write a cache newer than `newer_than`; return it."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = cache.read(str(directory))
        if found is not None and float(str(found[0]["written_at"])) > newer_than:
            return found[0]
        time.sleep(0.1)
    raise AssertionError("the background refresh never wrote the cache")


# -- the real Claude Code client (npm @anthropic-ai/claude-code), against a loopback API --------------------

# A Messages API answer of one word, what the loopback API and the provider fakes reply to `claude -p`.
MESSAGE = {
    "id": "msg_01",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "content": [{"type": "text", "text": "pong"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 1, "output_tokens": 1},
}

TMUX = shutil.which("tmux")
needs_tmux = pytest.mark.skipif(TMUX is None, reason="tmux is not installed: the interactive client can't be run")

# What Claude Code 2.1.x shows on its prompt screen only (where no status line takes its place), and on its
# "Accessing workspace" dialog only: that dialog lists its choices behind the same "❯" as the prompt, so "❯"
# alone can't tell them apart.
PROMPT_SCREEN = "? for shortcuts"
TRUST_DIALOG = "Yes, I trust this folder"
NO_CONNECTION = "Unable to connect"


def claude_env(home: Path, claude: Path, api: LoopbackServer, **extra: str) -> dict[str, str]:
    """The whole environment of a real client: this HOME, `api` as its API, no updates or telemetry; `extra`."""
    return {
        "PATH": f"{claude.parent}:/usr/bin:/bin",
        "HOME": str(home),
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_TELEMETRY": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "ANTHROPIC_BASE_URL": api.url,
        **extra,
    }


def trusted_project(home: Path, tmp_path: Path) -> Path:
    """A new project folder the client trusts: marked so in ~/.claude.json (its other keys kept), so the
    interactive client opens on its prompt, not on the "Accessing workspace" trust dialog."""
    project = tmp_path / "project"
    project.mkdir()
    state_file = home / ".claude.json"
    state: dict[str, Any] = json.loads(state_file.read_text()) if state_file.exists() else {}
    state.setdefault("projects", {})[str(project)] = {"hasTrustDialogAccepted": True}
    state_file.write_text(json.dumps(state))
    return project


@contextlib.contextmanager
def claude_tui(
    home: Path, claude: Path, api: LoopbackServer, tmp_path: Path, *, cwd: Path, **extra: str
) -> Iterator[Callable[[str], str]]:
    """The interactive client running in tmux in `cwd`, with claude_env(..., **extra); yields a function that
    waits (up to 60 s) for a text on screen, or for the trust dialog or the connection error, and returns the
    screen."""
    env = claude_env(home, claude, api, **({"TERM": "xterm-256color"} | extra))
    session = "oc-tui"
    exports = " ".join(f"{k}={json.dumps(v)}" for k, v in env.items())
    server = str(tmp_path / "tmux.sock")
    subprocess.run(["tmux", "-S", server, "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                    "-c", str(cwd), f"env -i {exports} {claude}"], check=True, timeout=30)  # fmt: skip

    def screen(until: str) -> str:
        pane = ""
        for _ in range(120):
            pane = subprocess.run(
                ["tmux", "-S", server, "capture-pane", "-p", "-t", session], capture_output=True, text=True, timeout=30
            ).stdout
            if any(mark in pane for mark in (until, TRUST_DIALOG, NO_CONNECTION)):
                break
            time.sleep(0.5)
        return pane

    try:
        yield screen
    finally:
        subprocess.run(["tmux", "-S", server, "kill-server"], check=False, timeout=30)


# -- Windows, faked on this machine --------------------------------------------------------------------------------


class FakeMsvcrt(types.ModuleType):
    """msvcrt.locking as Windows behaves: a range held by another descriptor fails LK_NBLCK with EACCES;
    the lock is on the range at the file position; LK_UNLCK of a range not held fails."""

    LK_NBLCK = 2
    LK_UNLCK = 0

    def __init__(self) -> None:
        super().__init__("msvcrt")
        self.held: dict[tuple[int, int], int] = {}  # (inode, offset) -> fd
        self.log: list[tuple[str, int, int]] = []

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        where = (os.fstat(fd).st_ino, os.lseek(fd, 0, os.SEEK_CUR))
        self.log.append(("lock" if mode == self.LK_NBLCK else "unlock", fd, where[1]))
        if mode == self.LK_NBLCK:
            if where in self.held:
                raise OSError(errno.EACCES, "Permission denied")
            self.held[where] = fd
        elif self.held.get(where) == fd:
            del self.held[where]
        else:
            raise OSError(errno.EACCES, "Permission denied")


def no_registry_policy() -> types.SimpleNamespace:
    """winreg as routes/settings.py reads it, on a machine without SOFTWARE\\Policies\\ClaudeCode in any hive."""

    def open_key(root: int, path: str) -> None:
        raise FileNotFoundError(2, "The system cannot find the file specified")

    return types.SimpleNamespace(HKEY_LOCAL_MACHINE=0x80000002, HKEY_CURRENT_USER=0x80000001, OpenKey=open_key)


class FakeCmd:
    """A subprocess.run that models the cmd.exe Claude Code starts for apiKeyHelper on Windows, just enough for
    outagecheck's own helper: a verbatim command line `%ComSpec% /d /s /c "<command>"` (Node's form), where /s
    strips the first and the last quote; `type "<path>"` prints the file; any other command is not recognised."""

    PREFIX = r"C:\Windows\system32\cmd.exe /d /s /c "

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, args: object, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        assert isinstance(args, str), "cmd reads its own quotes: the command line must go verbatim, not as a list"
        assert not kwargs.get("shell"), "no second shell around cmd"
        self.lines.append(args)
        assert args.startswith(self.PREFIX), args
        inner = args.removeprefix(self.PREFIX)
        assert inner[:1] == inner[-1:] == '"', inner
        command = inner[1:-1]
        word, _, rest = command.partition(" ")
        if word.lower() == "type" and rest.startswith('"') and rest.endswith('"') and rest.count('"') == 2:
            try:
                return subprocess.CompletedProcess(args, 0, Path(rest[1:-1]).read_text(), "")
            except OSError:
                return subprocess.CompletedProcess(args, 1, "", "The system cannot find the file specified.\n")
        message = f"'{word}' is not recognized as an internal or external command,\noperable program or batch file.\n"
        return subprocess.CompletedProcess(args, 1, "", message)
