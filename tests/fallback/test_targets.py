"""Generic [[fallback.targets]] (TOML, JSON, .env) and the hard cases: races, kills, read-only dirs."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
import types
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from pytest_httpx import HTTPXMock
from typer.testing import CliRunner

from outagecheck.checks import verify
from outagecheck.errors import ConfigError
from outagecheck.fallback.targets import LOCAL_SETTINGS_PATTERN, git_ignore_edit, key_helper
from tests.helpers import API_MODELS, SETTINGS_TEXT, TEST_KEY, FakeCmd, invoke, write_config

TOML_TEXT = """# my tool's config
[llm]
provider = "claude-code"   # uses the login
model = "sonnet"

[llm.auth]
mode = "oauth"
"""
JSON_TEXT = '{\n  "llm": {"base_url": "https://login.example", "retries": 3},\n  "ui": "dark"\n}\n'
ENV_TEXT = "# secrets\nexport MODE=login\nOTHER='keep me'\n\nURL=https://login.example # old\n"


def targets_config(tmp_path: Path, files: Path) -> Path:
    return write_config(
        tmp_path / "outagecheck.toml",
        f"""
[[fallback.targets]]
name = "tool-toml"
path = "{files}/tool.toml"
set = {{"llm.provider" = "anthropic-api", "llm.auth.mode" = "api-key"}}
unset = ["llm.model"]

[[fallback.targets]]
name = "tool-json"
path = "{files}/tool.json"
set = {{"llm.base_url" = "https://api.anthropic.com", "llm.fallback" = true}}

[[fallback.targets]]
name = "tool-env"
path = "{files}/app.env"
format = "env"
set = {{"MODE" = "api", "URL" = "https://api.anthropic.com"}}
unset = ["OTHER"]
""",
    )


@pytest.fixture
def files(tmp_path: Path) -> Path:
    root = tmp_path / "files"
    root.mkdir()
    (root / "tool.toml").write_text(TOML_TEXT)
    (root / "tool.json").write_text(JSON_TEXT)
    (root / "app.env").write_text(ENV_TEXT)
    return root


def test_generic_targets_round_trip(runner: CliRunner, tmp_path: Path, files: Path) -> None:
    cfg = str(targets_config(tmp_path, files))
    for name in ("tool-toml", "tool-json", "tool-env"):
        result = invoke(runner, "fallback", "apply", name, "--yes", "--config", cfg)
        assert result.exit_code == 0, result.output
    toml_doc = tomllib.loads((files / "tool.toml").read_text())
    assert toml_doc == {"llm": {"provider": "anthropic-api", "auth": {"mode": "api-key"}}}
    assert json.loads((files / "tool.json").read_text()) == {
        "llm": {"base_url": "https://api.anthropic.com", "retries": 3, "fallback": True},
        "ui": "dark",
    }
    # .env: only the changed lines change; comments, export and blank lines stay.
    assert (files / "app.env").read_text() == "# secrets\nexport MODE=api\n\nURL=https://api.anthropic.com\n"
    result = invoke(runner, "fallback", "revert", "--yes", "--")
    assert result.exit_code == 0
    assert (files / "tool.toml").read_text() == TOML_TEXT
    assert (files / "tool.json").read_text() == JSON_TEXT
    assert (files / "app.env").read_text() == ENV_TEXT


def test_toml_diff_says_comments_are_dropped(runner: CliRunner, tmp_path: Path, files: Path) -> None:
    cfg = str(targets_config(tmp_path, files))
    result = invoke(runner, "fallback", "apply", "tool-toml", "--dry-run", "--config", cfg)
    assert "(note: TOML is rewritten without its comments; the backup keeps them)" in result.stdout
    assert '-provider = "claude-code"   # uses the login' in result.stdout


def test_revert_by_name_touches_only_that_target(runner: CliRunner, tmp_path: Path, files: Path) -> None:
    cfg = str(targets_config(tmp_path, files))
    invoke(runner, "fallback", "apply", "tool-json", "--yes", "--config", cfg)
    invoke(runner, "fallback", "apply", "tool-env", "--yes", "--config", cfg)
    assert invoke(runner, "fallback", "revert", "tool-env", "--yes").exit_code == 0
    assert (files / "app.env").read_text() == ENV_TEXT
    assert json.loads((files / "tool.json").read_text())["llm"]["fallback"] is True


@pytest.mark.parametrize(
    ("target", "message"),
    [
        pytest.param(
            'name = "t"\npath = "x.yaml"\nset = {a = 1}',
            "'format' must be one of json, toml, env",
            id="format-not-inferable",
        ),
        pytest.param('name = "t"\npath = "x.json"', "'set' must be a table", id="nothing-to-set"),
        pytest.param(
            'name = "t"\npath = "x.json"\nset = {a = 1}\ncolour = 1', "unknown key 'colour'", id="unknown-key"
        ),
        pytest.param('name = "t"\npath = 3\nset = {a = 1}', "'path' must be a file path", id="path-type"),
    ],
)
def test_invalid_target_exits_78(runner: CliRunner, tmp_path: Path, target: str, message: str) -> None:
    cfg = write_config(tmp_path / "c.toml", f"[[fallback.targets]]\n{target}\n")
    result = invoke(runner, "fallback", "apply", "t", "--yes", "--config", str(cfg))
    assert result.exit_code == 78
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_unknown_target_exits_64(runner: CliRunner) -> None:
    result = invoke(runner, "fallback", "apply", "nope", "--yes")
    assert result.exit_code == 64
    assert "unknown fallback target 'nope' (known: claude-code)" in result.stderr


def _apply_cmd(cfg: Path, name: str) -> list[str]:
    return [sys.executable, "-m", "outagecheck", "fallback", "apply", name, "--yes", "--config", str(cfg)]


def test_concurrent_applies_do_not_interleave(tmp_path: Path, files: Path) -> None:
    cfg = targets_config(tmp_path, files)
    procs = [
        subprocess.Popen(_apply_cmd(cfg, "tool-json"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outs
    assert sum("Wrote " in out for out, _ in outs) == 1  # the others found nothing to do
    journal = tomllib.loads((Path(os.environ["XDG_STATE_HOME"]) / "outagecheck" / "journal.toml").read_text())
    assert len(journal["changes"]) == 1
    assert json.loads((files / "tool.json").read_text())["llm"]["fallback"] is True


def test_killed_mid_write_leaves_old_or_new_never_torn(tmp_path: Path) -> None:
    # A large file makes the write window wide enough for SIGKILL to land inside it.
    big = tmp_path / "big.json"
    old = json.dumps({"pad": ["x" * 200] * 20000, "mode": "login"}, indent=1) + "\n"
    big.write_text(old)
    cfg = write_config(
        tmp_path / "c.toml", f'[[fallback.targets]]\nname = "big"\npath = "{big}"\nset = {{"mode" = "api"}}\n'
    )
    new = old.replace('"mode": "login"', '"mode": "api"')
    rng = random.Random(1234)
    seen = []
    for _ in range(12):
        proc = subprocess.Popen(_apply_cmd(cfg, "big"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        text = big.read_text()
        assert text in (old, new)  # the whole old file or the whole new one, never a torn mix
        seen.append(text == new)
        big.write_text(old)  # reset for the next round
    assert False in seen  # some kills landed before the rename: the old file survived them


def test_read_only_directory_exits_73_and_leaves_the_file(tmp_path: Path) -> None:
    # Root ignores directory permissions, so as root the apply runs as 'nobody' via setpriv.
    base = Path(tempfile.mkdtemp(prefix="oc-ro-", dir="/tmp"))
    try:
        home = base / "home"
        ro = base / "ro"
        for d in (home, ro):
            d.mkdir()
        (ro / "tool.json").write_text('{"mode": "login"}\n')
        cfg = base / "c.toml"
        cfg.write_text(f'[[fallback.targets]]\nname = "t"\npath = "{ro}/tool.json"\nset = {{"mode" = "api"}}\n')
        env = {**os.environ, "HOME": str(home), "XDG_STATE_HOME": str(home / "state"), "PYTHONDONTWRITEBYTECODE": "1"}
        cmd = _apply_cmd(cfg, "t")
        if os.geteuid() == 0:
            for path in (base, home, ro, ro / "tool.json", cfg):
                os.chown(path, 65534, 65534)
            (ro / "tool.json").chmod(0o644)
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        os.chmod(base, 0o755)
        ro.chmod(0o555)
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 73, done.stderr
        assert _without_running_claude(done.stderr) == (
            f"outagecheck: error: {ro} is a read-only directory (mode 0555): refusing to write {ro}/tool.json; "
            "nothing changed (--force writes it anyway)\n"
        )
        assert (ro / "tool.json").read_text() == '{"mode": "login"}\n'
        # --force tries, the system refuses, and the failed apply says nothing changed.
        forced = subprocess.run([*cmd, "--force"], capture_output=True, text=True, env=env, timeout=60)
        assert forced.returncode == 73, forced.stderr
        assert _without_running_claude(forced.stderr).startswith(
            f"outagecheck: error: {ro}/tool.json: cannot write in {ro}: "
        )
        assert forced.stderr.endswith("; nothing changed\n")
        assert "Traceback" not in forced.stderr
        assert (ro / "tool.json").read_text() == '{"mode": "login"}\n'
    finally:
        ro.chmod(0o755)
        subprocess.run(["rm", "-rf", str(base)], check=False)


def test_a_worktrees_local_settings_are_ignored_in_the_common_info_exclude(tmp_path: Path) -> None:
    """In a `git worktree` (or submodule) .git is a file naming the git dir; info/exclude is in the common dir."""
    common = tmp_path / "main" / ".git"
    (common / "worktrees" / "wt").mkdir(parents=True)
    (common / "worktrees" / "wt" / "commondir").write_text("../..\n")
    worktree = tmp_path / "wt"
    (worktree / "sub").mkdir(parents=True)
    (worktree / ".git").write_text(f"gitdir: {common / 'worktrees' / 'wt'}\n")
    edit = git_ignore_edit(worktree / "sub")
    assert edit is not None
    assert (edit.path, edit.fmt, dict(edit.set)) == (
        common / "info" / "exclude",
        "lines",
        {LOCAL_SETTINGS_PATTERN: True},
    )
    (worktree / ".gitignore").write_text("dist/\n")
    again = git_ignore_edit(worktree / "sub")
    assert again is not None
    assert again.path == worktree / ".gitignore"


def test_outside_a_git_repository_nothing_is_ignored(tmp_path: Path) -> None:
    assert git_ignore_edit(tmp_path) is None


# -- the apiKeyHelper, for the shell Claude Code runs it in ----------------------------------------------------


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_the_posix_helper_is_unchanged(platform: str) -> None:
    # /bin/sh: byte for byte what earlier versions wrote, so a journal and a revert still match it.
    assert key_helper(PurePosixPath("/home/ann/.config/outagecheck/anthropic-api-key"), platform) == (
        "cat /home/ann/.config/outagecheck/anthropic-api-key"
    )
    assert key_helper(PurePosixPath("/Users/Ann Lee/it's/k"), platform) == "cat '/Users/Ann Lee/it'\"'\"'s/k'"


@pytest.mark.parametrize(
    "path",
    [
        r"C:\Users\ann\AppData\Roaming\outagecheck\anthropic-api-key",
        r"C:\Users\Ann Lee\AppData\Roaming\outagecheck\anthropic-api-key",
        r"C:\Users\a&b (x) ^y\AppData\Roaming\outagecheck\anthropic-api-key",  # literal inside cmd's quotes
        r"\\server\home$\ann\outagecheck\anthropic-api-key",
    ],
    ids=["plain", "space", "cmd-metacharacters", "unc"],
)
def test_the_windows_helper_runs_under_cmd(path: str) -> None:
    helper = key_helper(PureWindowsPath(path), "win32")
    assert helper == f'type "{path}"'
    assert "'" not in helper  # cmd has no single quotes: `cat '<path>'` is what failed there


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        (r"C:\Users\100%off\AppData\Roaming\outagecheck\anthropic-api-key", "'%'"),  # %VAR% expands inside quotes
        (r"C:\Users\hey!\AppData\Roaming\outagecheck\anthropic-api-key", "'!'"),  # !VAR! under delayed expansion
        ('C:\\Users\\a"b\\k', "'\"'"),  # would end the quoted word
        ("C:\\Users\\a\nb\\k", "'\\n'"),  # would end the command
    ],
    ids=["percent", "bang", "quote", "newline"],
)
def test_a_path_cmd_cannot_quote_is_refused(path: str, bad: str) -> None:
    with pytest.raises(ConfigError) as caught:
        key_helper(PureWindowsPath(path), "win32")
    assert str(caught.value) == (
        f"{PureWindowsPath(path)}: can't be quoted safely for cmd, where Claude Code runs apiKeyHelper on Windows "
        f"(it holds {bad}); pass --key-command CMD that prints the key"
    )
    assert caught.value.exit_code == 78


@pytest.mark.usefixtures("with_key", "windows")
def test_apply_on_windows_writes_a_helper_cmd_runs(
    runner: CliRunner,
    claude_home: Path,
    mocked_models_ok: HTTPXMock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The key file goes to %APPDATA%\outagecheck; the verification runs the helper through (a model of) cmd.exe.
    monkeypatch.setenv("APPDATA", str(claude_home / ".config"))
    monkeypatch.setenv("ComSpec", r"C:\Windows\system32\cmd.exe")
    cmd = FakeCmd()
    fake_subprocess = types.SimpleNamespace(run=cmd, TimeoutExpired=subprocess.TimeoutExpired)
    monkeypatch.setattr(verify, "subprocess", fake_subprocess)  # verify's runs only: `ps` still runs for real
    applied = invoke(runner, "fallback", "apply", "claude-code", "--yes")
    assert applied.exit_code == 0, applied.output
    key_file = claude_home / ".config" / "outagecheck" / "anthropic-api-key"
    helper = json.loads((claude_home / ".claude" / "settings.json").read_text())["apiKeyHelper"]
    assert helper == f'type "{key_file}"'
    assert cmd.lines == [f'{FakeCmd.PREFIX}"type "{key_file}""']
    assert "Verified: the key from the helper works" in applied.stdout
    request = mocked_models_ok.get_request(url=API_MODELS)
    assert request is not None
    assert request.headers["x-api-key"] == TEST_KEY
    reverted = invoke(runner, "fallback", "revert", "--yes")
    assert reverted.exit_code == 0, reverted.output
    assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT


@pytest.mark.usefixtures("with_key", "windows")
def test_apply_on_windows_refuses_a_key_path_cmd_cannot_quote(
    runner: CliRunner, claude_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    appdata = claude_home / "100%"
    monkeypatch.setenv("APPDATA", str(appdata))
    result = invoke(runner, "fallback", "apply", "claude-code", "--yes")
    assert result.exit_code == 78
    assert result.stderr == (
        f"outagecheck: error: {appdata / 'outagecheck' / 'anthropic-api-key'}: can't be quoted safely for cmd, where "
        "Claude Code runs apiKeyHelper on Windows (it holds '%'); pass --key-command CMD that prints the key\n"
    )
    assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT
    assert not appdata.exists()


def test_the_old_posix_helper_fails_under_cmd() -> None:
    # Why the helper changed: what cmd says to today's Linux form (databricks/unity-gateway#116 is the same).
    done = FakeCmd()(f"{FakeCmd.PREFIX}\"cat '/k'\"")
    assert done.returncode == 1
    assert done.stderr.startswith("'cat' is not recognized as an internal or external command")


def _without_running_claude(stderr: str) -> str:
    """stderr less the warning naming a running Claude Code: as 'nobody' every other user's `claude` counts
    (its environment can't be read), so a real client on the machine (the slow tier's, a developer's) adds it."""
    lines = stderr.splitlines(keepends=True)
    return "".join(ln for ln in lines if not ln.startswith("outagecheck: warning: Claude Code is running"))
