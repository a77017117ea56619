"""outagecheck's own dirs and files, attacked as a second local user would: umask 000, files planted as `nobody`
(when the tests run as root), group/world-writable dirs, a planted symlink. Each refusal is exit 78 naming
the path and the fix; nothing is read from there, and nothing is written."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpx import HTTPXMock
from typer.testing import CliRunner

from outagecheck import private
from outagecheck.fallback import watcher
from outagecheck.model import Status
from outagecheck.output.debounce import Change
from outagecheck.output.notify import Notifier
from tests.helpers import LINE, SETTINGS, TEST_KEY, invoke, line_env, other_user, own_config_dir

DOWN = Change("web", "Claude.ai (web)", Status.OPERATIONAL, Status.DOWN, "Login failures", "t")
HOSTILE_CONFIG = '[endpoints]\napi = "https://attacker.example"\n'


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def umask_000() -> Iterator[None]:
    before = os.umask(0)
    try:
        yield
    finally:
        os.umask(before)


@pytest.mark.usefixtures("umask_000", "with_key", "mocked_models_ok")
def test_under_umask_000_every_dir_is_0700_and_every_file_0600(runner: CliRunner, claude_home: Path) -> None:
    settings = claude_home / ".claude" / "settings.json"
    settings.chmod(0o640)
    assert invoke(runner, "fallback", "apply", "claude-code", "--yes").exit_code == 0
    config, state = claude_home / ".config", claude_home / ".local"
    dirs = [config, config / "outagecheck", state, state / "state", state / "state" / "outagecheck"]
    dirs.append(state / "state" / "outagecheck" / "backups")
    files = [config / "outagecheck" / "anthropic-api-key", *(state / "state" / "outagecheck").rglob("*")]
    assert {str(d): _mode(d) for d in dirs} == {str(d): 0o700 for d in dirs}
    files = [f for f in files if f.is_file()]
    assert len(files) >= 5  # the key file, the journal, the lock, two backups
    assert {str(f): _mode(f) for f in files} == {str(f): 0o600 for f in files}
    # Claude Code's own files keep the mode they had.
    assert _mode(settings) == 0o640


@pytest.mark.usefixtures("umask_000", "with_key", "mocked_models_ok")
def test_under_umask_000_claude_codes_files_that_apply_creates_are_0600(runner: CliRunner, isolated_home: Path) -> None:
    # A new user: no ~/.claude, no ~/.claude.json. A world-writable settings.json would let any local user set
    # apiKeyHelper, a command Claude Code runs as this user.
    assert invoke(runner, "fallback", "apply", "claude-code", "--yes").exit_code == 0
    created = [isolated_home / ".claude" / "settings.json", isolated_home / ".claude.json"]
    assert {str(f): _mode(f) for f in created} == {str(f): 0o600 for f in created}
    assert _mode(isolated_home / ".claude") == 0o700


@pytest.mark.usefixtures("umask_000")
def test_the_watcher_log_is_0600_and_the_watcher_starts_without_secrets(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: dict[str, Any] = {}

    class Child:
        pid = 4242
        returncode: int | None = None

    def popen(argv: list[str], **kwargs: Any) -> Child:
        started.update(kwargs, argv=argv)
        return Child()

    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, TEST_KEY)
    monkeypatch.setenv("OUTAGECHECK_KEEP_ME", "1")
    monkeypatch.setattr("outagecheck.fallback.watcher.subprocess.Popen", popen)
    pid, _ = watcher.start(None)
    assert pid == 4242
    log = isolated_home / ".local" / "state" / "outagecheck" / "until-recovered.log"
    assert (_mode(log), _mode(log.parent), _mode(log.parent.parent)) == (0o600, 0o700, 0o700)
    env = started["env"]
    assert TEST_KEY not in "".join(env.values())
    assert env["OUTAGECHECK_KEEP_ME"] == "1"
    assert env["HOME"] == str(isolated_home)


def test_an_on_change_hook_starts_without_the_key(tmp_path: Path, with_key: str) -> None:
    seen = tmp_path / "seen"
    Notifier(command=f"env > {seen}", warn=print).send([DOWN], "{}")
    text = seen.read_text()
    assert "OUTAGECHECK_SURFACE=web" in text  # the hook ran, with its own variables
    assert "ANTHROPIC_API_KEY" not in text
    assert with_key not in text


# -- another user's files, and files others can write ------------------------------------------------------


def _plant_config(home: Path, *, owner: tuple[int, int] | None = None, dir_mode: int = 0o700) -> Path:
    folder = own_config_dir(home)
    folder.mkdir(parents=True)
    config = folder / "config.toml"
    config.write_text(HOSTILE_CONFIG)
    folder.chmod(dir_mode)
    if owner is not None:
        for path in (folder, config):
            os.chown(path, *owner)
    return folder


@pytest.mark.usefixtures("with_key")
def test_a_config_dir_another_user_owns_is_refused_and_nothing_is_sent(
    runner: CliRunner, isolated_home: Path, httpx_mock: HTTPXMock
) -> None:
    folder = _plant_config(isolated_home, owner=other_user())
    result = invoke(runner, "status")
    assert result.exit_code == 78
    assert result.stderr.startswith(f"outagecheck: error: {folder} belongs to another user (uid ")
    assert "remove it (or move it away) and run again (config file)" in result.stderr
    assert httpx_mock.get_requests() == []  # the key never went to their endpoint


@pytest.mark.parametrize("where", ["dir", "file"])
@pytest.mark.usefixtures("with_key")
def test_a_config_others_can_write_is_refused_with_the_chmod_that_fixes_it(
    runner: CliRunner, isolated_home: Path, httpx_mock: HTTPXMock, where: str
) -> None:
    folder = _plant_config(isolated_home, dir_mode=0o777 if where == "dir" else 0o700)
    target = folder if where == "dir" else folder / "config.toml"
    if where == "file":
        target.chmod(0o666)
    result = invoke(runner, "status")
    assert result.exit_code == 78
    fix = "700" if where == "dir" else "600"
    assert result.stderr == (
        f"outagecheck: error: {target} is writable by group or others (mode {_mode(target):04o}): "
        f"run `chmod {fix} {target}` (config file)\n"
    )
    assert httpx_mock.get_requests() == []


def test_an_explicit_config_in_a_dir_anyone_can_write_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # no sticky bit: anyone can replace the file
    config = shared / "oc.toml"
    config.write_text("timeout = 2\n")
    result = invoke(runner, "config", "show", "--config", str(config))
    assert result.exit_code == 78
    assert "which others can write to (mode 0777), so anyone can replace it" in result.stderr
    shared.chmod(0o1777)  # /tmp style: only the owner can replace it
    assert invoke(runner, "config", "show", "--config", str(config)).exit_code == 0


@pytest.mark.usefixtures("with_key", "mocked_models_ok")
def test_a_journal_or_state_dir_another_user_owns_is_refused_and_nothing_is_written(
    runner: CliRunner, claude_home: Path
) -> None:
    owner = other_user()
    assert invoke(runner, "fallback", "apply", "claude-code", "--yes").exit_code == 0
    state = claude_home / ".local" / "state" / "outagecheck"
    settings = claude_home / ".claude" / "settings.json"
    applied = settings.read_bytes()
    for target in (state / "journal.toml", state):
        os.chown(target, *owner)
        result = invoke(runner, "fallback", "revert", "--yes")
        assert result.exit_code == 78, result.output
        assert result.stderr.startswith(f"outagecheck: error: {target} belongs to another user (uid {owner[0]})")
        assert settings.read_bytes() == applied
        os.chown(target, os.getuid(), os.getgid())
    assert invoke(runner, "fallback", "revert", "--yes").exit_code == 0
    assert json.loads(settings.read_text()) == SETTINGS


@pytest.mark.usefixtures("with_key")
def test_a_backups_dir_others_can_write_stops_the_apply_and_rolls_it_back(
    runner: CliRunner, claude_home: Path, httpx_mock: HTTPXMock
) -> None:
    backups = claude_home / ".local" / "state" / "outagecheck" / "backups"
    backups.mkdir(parents=True)
    backups.chmod(0o777)
    settings = claude_home / ".claude" / "settings.json"
    before = settings.read_bytes()
    result = invoke(runner, "fallback", "apply", "claude-code", "--yes")
    assert result.exit_code == 78
    assert f"{backups} is writable by group or others (mode 0777)" in result.stderr
    assert result.stderr.rstrip().endswith("; nothing changed")
    assert settings.read_bytes() == before
    assert httpx_mock.get_requests() == []


def test_a_cache_dir_that_is_not_the_users_own_is_never_read(tmp_path: Path, isolated_home: Path) -> None:
    """The status line names the problem in its one line (exit 78), reads no planted cache and starts
    no refresh there: group-writable, another user's, or a symlink another user planted."""
    env = line_env(tmp_path, isolated_home)
    folder = tmp_path / "cache" / "outagecheck"
    folder.mkdir(parents=True)
    (folder / "statusline.json").write_text('{"version": 1}')
    folder.chmod(0o770)

    def line() -> subprocess.CompletedProcess[str]:
        return subprocess.run(LINE, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)

    done = line()
    assert (done.returncode, done.stdout) == (
        78,
        f"outagecheck: {folder} is writable by group or others (mode 0770): run `chmod 700 {folder}`\n",
    )
    assert sorted(p.name for p in folder.iterdir()) == ["statusline.json"]  # no lock: no refresh started
    if os.geteuid() != 0:
        return  # the rest needs another user (root plants as `nobody`); the mode case above still ran
    owner = other_user()
    folder.chmod(0o700)
    os.chown(folder, *owner)
    done = line()
    assert done.returncode == 78
    assert "belongs to another user" in done.stdout
    folder.rename(tmp_path / "theirs")
    folder.symlink_to(tmp_path / "theirs")
    os.lchown(folder, *owner)
    done = line()
    assert done.returncode == 78
    assert "is a symlink another user" in done.stdout


def test_make_dir_creates_each_missing_level_0700_whatever_the_umask(tmp_path: Path, umask_000: None) -> None:
    deep = tmp_path / "a" / "b" / "c"
    assert private.make_dir(deep) is None
    assert [_mode(p) for p in (tmp_path / "a", tmp_path / "a" / "b", deep)] == [0o700] * 3
    assert private.make_dir(deep) is None  # existing and private: fine


@pytest.mark.usefixtures("umask_000")
def test_config_init_under_umask_000_writes_a_config_the_next_run_accepts(
    runner: CliRunner, isolated_home: Path
) -> None:
    assert invoke(runner, "config", "init").exit_code == 0
    written = own_config_dir(isolated_home) / "config.toml"
    assert (_mode(written), _mode(written.parent), _mode(written.parent.parent)) == (0o600, 0o700, 0o700)
    assert invoke(runner, "config", "show").exit_code == 0


def _as_other_user(uid: int, gid: int, *command: str) -> subprocess.CompletedProcess[str]:
    """Run `command` as the second user, through setpriv (util-linux); skipped with the reason without it."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is not installed: can't run a process as another user")
    argv = [setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups", *command]
    return subprocess.run(argv, capture_output=True, text=True, timeout=30)


@pytest.mark.usefixtures("umask_000", "with_key", "mocked_models_ok")
def test_a_second_user_can_plant_nothing_after_an_apply_under_umask_000(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real process as `nobody` tries what the issue's attacker did: plant a config.toml, swap a backup,
    add a file to the state dir, read the key. Each is refused by the kernel: the dirs are 0700."""
    uid, gid = other_user()
    base = Path(tempfile.mkdtemp(prefix="outagecheck-second-user-"))  # outside pytest's 0700 tmp: reachable
    try:
        base.chmod(0o755)
        home = base / "home"
        (home / ".claude").mkdir(parents=True, mode=0o755)
        home.chmod(0o755)
        (home / ".claude").chmod(0o755)
        (home / ".claude" / "settings.json").write_text(json.dumps(SETTINGS))
        monkeypatch.setenv("HOME", str(home))
        monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
        assert invoke(runner, "fallback", "apply", "claude-code", "--yes").exit_code == 0
        config = home / ".config" / "outagecheck"
        state = home / ".local" / "state" / "outagecheck"
        [backup] = list((state / "backups").iterdir())
        attempts = {
            "plant config.toml": ("sh", "-c", f"echo '{HOSTILE_CONFIG}' > {config / 'config.toml'}"),
            "swap a backup": ("sh", "-c", f"echo '{{}}' > {backup}"),
            "add to the state dir": ("touch", str(state / "journal.toml.new")),
            "read the key": ("cat", str(config / "anthropic-api-key")),
            "plant in ~/.config": ("mkdir", str(home / ".config" / "other")),
        }
        done = {what: _as_other_user(uid, gid, *argv) for what, argv in attempts.items()}
        assert {what: run.returncode != 0 for what, run in done.items()} == dict.fromkeys(attempts, True)
        assert all("Permission denied" in run.stderr for run in done.values()), done
        assert not (config / "config.toml").exists()
        assert invoke(runner, "fallback", "revert", "--yes").exit_code == 0
    finally:
        shutil.rmtree(base)
