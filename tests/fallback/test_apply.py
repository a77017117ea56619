"""apply / revert through the real CLI, on real files in a temporary HOME."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from pytest_httpx import HTTPXMock
from typer.testing import CliRunner

from tests.helpers import (
    API_MODELS,
    SETTINGS,
    SETTINGS_TEXT,
    STATE_TEXT,
    TEST_KEY,
    invoke,
    own_config_dir,
    write_config,
)


def all_text(root: Path) -> str:
    """Every file under a tree, as text: for secret sweeps."""
    return "".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file())


@pytest.mark.usefixtures("with_key")
def test_apply_then_revert_is_byte_identical(runner: CliRunner, claude_home: Path, mocked_models_ok: HTTPXMock) -> None:
    settings = claude_home / ".claude" / "settings.json"
    state = claude_home / ".claude.json"
    applied = invoke(runner, "fallback", "apply", "claude-code", "--yes")
    assert applied.exit_code == 0, applied.output
    new_settings = json.loads(settings.read_text())
    assert {k: v for k, v in new_settings.items() if k != "apiKeyHelper"} == SETTINGS
    key_file = own_config_dir(claude_home) / "anthropic-api-key"
    assert new_settings["apiKeyHelper"] == f"cat {shlex.quote(str(key_file))}"  # macOS: "Application Support"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text() == TEST_KEY + "\n"
    assert json.loads(state.read_text()) == {**json.loads(STATE_TEXT), "hasCompletedOnboarding": True}
    # Only the key file holds the key: not settings, not the journal, not any output.
    assert TEST_KEY not in settings.read_text() + state.read_text()
    assert TEST_KEY not in all_text(claude_home / ".local")
    assert TEST_KEY not in applied.output
    assert "Verified: the key from the helper works" in applied.stdout
    request = mocked_models_ok.get_request(url=API_MODELS)
    assert request is not None
    assert request.headers["x-api-key"] == TEST_KEY

    reverted = invoke(runner, "fallback", "revert", "--yes")
    assert reverted.exit_code == 0, reverted.output
    assert settings.read_text() == SETTINGS_TEXT
    assert state.read_text() == STATE_TEXT
    assert not key_file.exists()
    assert "restored from backup" in reverted.stdout
    assert invoke(runner, "fallback", "revert", "--yes").stdout == "Nothing to revert.\n"


@pytest.mark.usefixtures("with_key", "mocked_models_ok")
def test_minimal_diff_keeps_the_users_layout(runner: CliRunner, claude_home: Path) -> None:
    result = invoke(runner, "fallback", "apply", "claude-code", "--yes")
    settings = (claude_home / ".claude" / "settings.json").read_text()
    # 4-space indentation and key order kept; only the new member is added.
    assert settings.startswith(SETTINGS_TEXT.rstrip().rstrip("}").rstrip())
    assert settings.endswith(
        '    "apiKeyHelper": "cat ' + shlex.quote(str(own_config_dir(claude_home) / "anthropic-api-key")) + '"\n}\n'
    )
    diff_lines = [line for line in result.stdout.splitlines() if line.startswith(("+", "-")) and line[1:2] == " "]
    assert len(diff_lines) <= 4


@pytest.mark.usefixtures("with_key", "mocked_models_ok")
def test_apply_twice_changes_nothing_the_second_time(runner: CliRunner, claude_home: Path) -> None:
    invoke(runner, "fallback", "apply", "claude-code", "--yes")
    journal = claude_home / ".local" / "state" / "outagecheck" / "journal.toml"
    first = journal.read_text()
    settings = (claude_home / ".claude" / "settings.json").read_bytes()
    again = invoke(runner, "fallback", "apply", "claude-code", "--yes")
    assert again.exit_code == 0
    assert "Nothing to do" in again.stdout
    assert journal.read_text() == first
    assert (claude_home / ".claude" / "settings.json").read_bytes() == settings


@pytest.mark.usefixtures("with_key")
def test_dry_run_writes_nothing(runner: CliRunner, claude_home: Path) -> None:
    result = invoke(runner, "fallback", "apply", "claude-code", "--dry-run")
    assert result.exit_code == 0
    assert '+    "apiKeyHelper": ' in result.stdout
    assert "(new file, mode 0600, holds your API key; contents not shown)" in result.stdout
    assert "Dry run: nothing written." in result.stdout
    assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT
    assert not (claude_home / ".config").exists()
    assert not (claude_home / ".local").exists()


@pytest.mark.usefixtures("with_key")
def test_no_answer_writes_nothing_and_says_use_yes(runner: CliRunner, claude_home: Path) -> None:
    result = invoke(runner, "fallback", "apply", "claude-code")
    assert result.exit_code == 64
    assert "pass --yes" in result.stderr
    assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT


@pytest.mark.usefixtures("with_key")
def test_answering_no_writes_nothing(runner: CliRunner, claude_home: Path) -> None:
    result = invoke(runner, "fallback", "apply", "claude-code", input="n\n")
    assert result.exit_code == 0
    assert "Nothing written." in result.stdout
    assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT


def test_key_command_needs_no_key_file(runner: CliRunner, claude_home: Path, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=API_MODELS,
        status_code=401,
        json={"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}},
    )
    result = invoke(runner, "fallback", "apply", "claude-code", "--key-command", "printf wrong-key", "--yes")
    # Written but not working: a non-zero exit (69) with the reason and the way back.
    assert result.exit_code == 69
    assert json.loads((claude_home / ".claude" / "settings.json").read_text())["apiKeyHelper"] == "printf wrong-key"
    assert not (own_config_dir(claude_home) / "anthropic-api-key").exists()
    assert result.stderr == (
        "outagecheck: error: the fallback is written but does not work: the API rejected the key from the helper "
        f"(GET {API_MODELS}: HTTP 401); undo with: outagecheck fallback revert claude-code\n"
    )
    request = httpx_mock.get_request(url=API_MODELS)
    assert request is not None
    assert request.headers["x-api-key"] == "wrong-key"


def test_no_key_at_all_is_a_usage_error(runner: CliRunner, claude_home: Path) -> None:
    result = invoke(runner, "fallback", "apply", "claude-code", "--yes")
    assert result.exit_code == 64
    assert result.stderr == (
        "outagecheck: error: no key to use: set ANTHROPIC_API_KEY, or pass --key-command CMD that prints it\n"
    )


@pytest.mark.usefixtures("with_key", "mocked_models_ok")
def test_local_scope_writes_settings_local_never_the_shared_file(
    runner: CliRunner, claude_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    (project / ".claude").mkdir(parents=True)
    shared = project / ".claude" / "settings.json"
    shared.write_text('{"permissions": {}}\n')
    monkeypatch.chdir(project)
    assert invoke(runner, "fallback", "apply", "claude-code", "--scope", "local", "--yes").exit_code == 0
    assert shared.read_text() == '{"permissions": {}}\n'
    assert "apiKeyHelper" in json.loads((project / ".claude" / "settings.local.json").read_text())
    assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT
    assert invoke(runner, "fallback", "revert", "claude-code", "--yes").exit_code == 0
    assert not (project / ".claude" / "settings.local.json").exists()


PATTERN = "**/.claude/settings.local.json"  # what Claude Code adds (anthropics/claude-code#1073)
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gitignore: str | None) -> Path:
    project = tmp_path / "project"
    subprocess.run(["git", "init", "-q", str(project)], check=True, timeout=30)
    if gitignore is not None:
        (project / ".gitignore").write_text(gitignore)
    monkeypatch.chdir(project)
    return project


def _ignored(project: Path) -> bool:
    done = subprocess.run(["git", "check-ignore", "-q", ".claude/settings.local.json"], cwd=project, timeout=30)
    return done.returncode == 0


@needs_git
@pytest.mark.usefixtures("with_key", "mocked_models_ok", "claude_home")
def test_local_scope_git_ignores_the_file_and_revert_restores_the_gitignore(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _repo(tmp_path, monkeypatch, "# build output\ndist/\n")
    assert invoke(runner, "fallback", "apply", "claude-code", "--scope", "local", "--yes").exit_code == 0
    assert (project / ".gitignore").read_text() == f"# build output\ndist/\n{PATTERN}\n"
    assert _ignored(project)
    assert invoke(runner, "fallback", "revert", "--yes").exit_code == 0
    assert (project / ".gitignore").read_text() == "# build output\ndist/\n"


@needs_git
@pytest.mark.usefixtures("with_key", "mocked_models_ok", "claude_home")
def test_revert_removes_only_the_line_it_added_from_an_edited_gitignore(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _repo(tmp_path, monkeypatch, "dist/\n")
    assert invoke(runner, "fallback", "apply", "claude-code", "--scope", "local", "--yes").exit_code == 0
    with (project / ".gitignore").open("a") as f:
        f.write("*.log\n")  # the user's own edit since
    assert invoke(runner, "fallback", "revert", "--yes").exit_code == 0
    assert (project / ".gitignore").read_text() == "dist/\n*.log\n"


@needs_git
@pytest.mark.usefixtures("with_key", "mocked_models_ok", "claude_home")
def test_without_a_gitignore_the_pattern_goes_to_info_exclude(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _repo(tmp_path, monkeypatch, None)
    exclude = project / ".git" / "info" / "exclude"
    before = exclude.read_bytes()
    assert invoke(runner, "fallback", "apply", "claude-code", "--scope", "local", "--yes").exit_code == 0
    assert not (project / ".gitignore").exists()
    assert exclude.read_text().endswith(f"\n{PATTERN}\n")
    assert _ignored(project)
    assert invoke(runner, "fallback", "revert", "--yes").exit_code == 0
    assert exclude.read_bytes() == before


@needs_git
@pytest.mark.usefixtures("with_key", "mocked_models_ok", "claude_home")
def test_a_file_git_ignores_already_is_left_alone(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _repo(tmp_path, monkeypatch, ".claude/\n")
    result = invoke(runner, "fallback", "apply", "claude-code", "--scope", "local", "--yes")
    assert result.exit_code == 0
    assert ".gitignore" not in result.stdout
    assert (project / ".gitignore").read_text() == ".claude/\n"


@pytest.mark.usefixtures("with_key", "mocked_models_ok")
def test_the_group_level_scope_is_honoured_by_apply(
    runner: CliRunner, claude_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`fallback --scope local apply claude-code` (the group's option, as `fallback --help` shows it) used to
    edit ~/.claude/settings.json."""
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    assert invoke(runner, "fallback", "--scope", "local", "apply", "claude-code", "--yes").exit_code == 0
    assert "apiKeyHelper" in json.loads((project / ".claude" / "settings.local.json").read_text())
    assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["fallback", "--scope", "local", "revert", "--yes"],
            "fallback revert does not take --scope; it undoes what the journal lists",
            id="revert-takes-no-scope",
        ),
        pytest.param(
            ["fallback", "--config", "x.toml", "revert"],
            "fallback revert does not take --config; it undoes what the journal lists",
            id="revert-takes-no-config",
        ),
        pytest.param(
            ["fallback", "--scope", "local", "apply", "claude-code", "--scope", "user", "--yes"],
            "--scope is given twice with different values; give it once",
            id="two-different-scopes",
        ),
    ],
)
def test_a_group_level_option_a_subcommand_cannot_honour_is_refused(
    runner: CliRunner, claude_home: Path, args: list[str], message: str
) -> None:
    result = invoke(runner, *args)
    assert (result.exit_code, result.stderr) == (64, f"outagecheck: error: {message}\n")
    assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT


@pytest.mark.usefixtures("with_key", "mocked_models_ok")
def test_symlinked_settings_are_written_through(runner: CliRunner, claude_home: Path, tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "claude-settings.json"
    link = claude_home / ".claude" / "settings.json"
    real.write_text(SETTINGS_TEXT)
    link.unlink()
    link.symlink_to(real)
    assert invoke(runner, "fallback", "apply", "claude-code", "--yes").exit_code == 0
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert "apiKeyHelper" in json.loads(real.read_text())
    assert invoke(runner, "fallback", "revert", "--yes").exit_code == 0
    assert link.is_symlink()
    assert real.read_text() == SETTINGS_TEXT


@pytest.mark.usefixtures("with_key")
def test_malformed_settings_are_refused_and_untouched(runner: CliRunner, claude_home: Path) -> None:
    settings = claude_home / ".claude" / "settings.json"
    settings.write_text('{"permissions": {,}\n')
    result = invoke(runner, "fallback", "apply", "claude-code", "--yes")
    assert result.exit_code == 78
    assert result.stderr.startswith(f"outagecheck: error: {settings}: invalid JSON: ")
    assert result.stderr.endswith("; left untouched\n")
    assert settings.read_text() == '{"permissions": {,}\n'
    assert not (own_config_dir(claude_home) / "anthropic-api-key").exists()


@pytest.mark.usefixtures("with_key", "mocked_models_ok")
def test_user_edits_after_apply_survive_revert(runner: CliRunner, claude_home: Path) -> None:
    settings = claude_home / ".claude" / "settings.json"
    invoke(runner, "fallback", "apply", "claude-code", "--yes")
    doc = json.loads(settings.read_text())
    doc["model"] = "opus"  # the user's own edit, made during the outage
    settings.write_text(json.dumps(doc, indent=2))
    result = invoke(runner, "fallback", "revert", "--yes")
    assert result.exit_code == 0
    assert "reverted only outagecheck's keys, kept your edits" in result.stdout
    assert json.loads(settings.read_text()) == {**SETTINGS, "model": "opus"}


@pytest.mark.usefixtures("with_key", "mocked_models_ok")
def test_a_key_the_user_changed_is_left_alone(runner: CliRunner, claude_home: Path) -> None:
    settings = claude_home / ".claude" / "settings.json"
    invoke(runner, "fallback", "apply", "claude-code", "--yes")
    doc = json.loads(settings.read_text())
    doc["apiKeyHelper"] = "op read op://vault/anthropic"
    settings.write_text(json.dumps(doc))
    result = invoke(runner, "fallback", "revert", "--yes")
    assert "left apiKeyHelper: you changed it since" in result.stdout
    assert json.loads(settings.read_text())["apiKeyHelper"] == "op read op://vault/anthropic"


def test_unwritable_directory_exits_73(runner: CliRunner, claude_home: Path, tmp_path: Path) -> None:
    # A file where the settings directory should be: nothing can be created under it (even as root).
    blocked = tmp_path / "blocked"
    blocked.write_text("not a directory")
    cfg = write_config(
        tmp_path / "c.toml",
        f'[[fallback.targets]]\nname = "tool"\npath = "{blocked}/sub/tool.json"\nset = {{"mode" = "api"}}\n',
    )
    result = invoke(runner, "fallback", "apply", "tool", "--yes", "--config", str(cfg))
    assert result.exit_code == 73
    assert result.stderr.startswith(f"outagecheck: error: {blocked}/sub/tool.json: ")
    assert blocked.read_text() == "not a directory"


def test_helper_already_set_still_gets_onboarding_and_verify(
    runner: CliRunner, claude_home: Path, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=API_MODELS, json={"data": []})
    settings = claude_home / ".claude" / "settings.json"
    settings.write_text('{"apiKeyHelper": "printf k"}\n')
    result = invoke(runner, "fallback", "apply", "claude-code", "--key-command", "printf k", "--yes")
    assert result.exit_code == 0, result.output
    assert settings.read_text() == '{"apiKeyHelper": "printf k"}\n'
    assert json.loads((claude_home / ".claude.json").read_text())["hasCompletedOnboarding"] is True
    assert "Verified:" in result.stdout
