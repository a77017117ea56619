"""Claude Code's settings layers, read as it reads them: managed file + drop-ins (or the OS policy), local,
project, user; the override variable; unreadable files are a note, never a raise."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from outagecheck import paths
from outagecheck.routes import settings
from outagecheck.routes.current import resolve
from outagecheck.routes.model import Kind
from outagecheck.routes.settings import SettingsLayer, environment, settings_layers
from tests.helpers import write_config


def _json(path: Path, doc: object) -> Path:
    return write_config(path, json.dumps(doc))


def test_the_override_moves_the_managed_file_and_its_drop_in_folder(no_route: Path, tmp_path: Path) -> None:
    _json(no_route / "managed-settings.json", {"env": {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1"}})
    _json(no_route / "managed-settings.d" / "50-region.json", {"env": {"AWS_REGION": "eu-west-1"}})
    _json(no_route / "managed-settings.d" / "10-first.json", {"env": {"AWS_REGION": "ap-south-1", "AWS_PROFILE": "a"}})
    _json(no_route / "managed-settings.d" / ".hidden.json", {"env": {"AWS_REGION": "us-west-2"}})
    write_config(no_route / "managed-settings.d" / "notes.txt", "not json")
    layers = settings_layers(tmp_path)
    assert [(layer.name, Path(layer.path).name) for layer in layers] == [
        ("managed", "50-region.json"),  # highest first: the fragment last in name order wins
        ("managed", "10-first.json"),
        ("managed", "managed-settings.json"),
        ("local", "settings.local.json"),
        ("project", "settings.json"),
        ("user", "settings.json"),
    ]
    now = resolve({}, layers)
    assert (now.kind, now.route().region, now.route().profile) == (Kind.BEDROCK, "eu-west-1", "a")
    assert now.value("AWS_REGION").path == str(no_route / "managed-settings.d" / "50-region.json")  # type: ignore[union-attr]


def test_no_managed_file_is_one_absent_layer(no_route: Path, tmp_path: Path) -> None:
    managed = settings_layers(tmp_path)[0]
    assert managed == SettingsLayer("managed", str(no_route / "managed-settings.json"), False)


def test_local_project_and_user_layers_and_cwd_home_counted_once(
    no_route: Path, tmp_path: Path, isolated_home: Path
) -> None:
    _json(isolated_home / ".claude" / "settings.json", {"env": {"CLAUDE_CODE_USE_VERTEX": "1"}})
    by_name = {layer.name: layer for layer in settings_layers(isolated_home)}
    assert by_name["project"].exists is False  # ~/.claude/settings.json is the user file: read once
    assert by_name["user"].env == (("CLAUDE_CODE_USE_VERTEX", "1"),)
    project = tmp_path / "proj"
    _json(project / ".claude" / "settings.local.json", {"env": {"CLAUDE_CODE_USE_VERTEX": "0"}})
    assert resolve({}, settings_layers(project)).kind is Kind.ANTHROPIC  # local "0" cancels the user's "1"


def test_claude_config_dir_moves_the_user_layer(
    no_route: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "cc"
    _json(elsewhere / "settings.json", {"apiKeyHelper": "echo k"})
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(elsewhere))
    user = settings_layers(tmp_path)[-1]
    assert (user.path, user.api_key_helper) == (str(elsewhere / "settings.json"), "echo k")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        pytest.param("{", "invalid JSON: Expecting property name", id="broken"),
        pytest.param('{"a": NaN}', "invalid JSON: NaN is not JSON", id="nan"),
        pytest.param("[1]", "not a JSON object", id="array"),
        pytest.param("[" * 5000 + "]" * 5000, "invalid JSON: nested too deeply", id="deep"),
    ],
)
def test_a_bad_file_is_an_error_never_a_raise(no_route: Path, tmp_path: Path, text: str, error: str) -> None:
    write_config(tmp_path / ".claude" / "settings.json", text)
    layer = settings_layers(tmp_path)[2]
    assert layer.name == "project"
    assert layer.error is not None
    assert layer.error.startswith(error)


def test_only_strings_count_and_secrets_are_never_kept(no_route: Path, tmp_path: Path) -> None:
    doc = {
        "env": {"ANTHROPIC_API_KEY": "sk-ant-secret", "ANTHROPIC_AUTH_TOKEN": "", "CLAUDE_CODE_USE_BEDROCK": 1},
        "apiKeyHelper": ["not", "a", "string"],
        "awsAuthRefresh": "aws sso login",
    }
    layer = settings.layer_of("user", "u.json", doc)
    assert layer.env == (("ANTHROPIC_API_KEY", "<set>"), ("ANTHROPIC_AUTH_TOKEN", ""))
    assert layer.keys == (("awsAuthRefresh", "aws sso login"),)
    assert environment({"ANTHROPIC_API_KEY": "sk-ant-secret", "PATH": "/bin"}) == {"ANTHROPIC_API_KEY": "<set>"}


def test_a_macos_mdm_profile_wins_and_is_reported_unread(
    no_route: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plist = write_config(tmp_path / "Managed Preferences" / "com.anthropic.claudecode.plist", "<plist/>")
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.delenv("OUTAGECHECK_MANAGED_SETTINGS")
    monkeypatch.setattr(paths, "managed_plists", lambda user: (tmp_path / "none.plist", plist))
    assert settings.managed_layers() == (SettingsLayer("managed", str(plist), True, unread=True),)


def test_windows_hklm_wins_over_the_file_and_hkcu_comes_last(no_route: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    managed = _json(no_route / "managed-settings.json", {"env": {"CLAUDE_CODE_USE_VERTEX": "1"}})
    hives = {"HKLM": settings.layer_of("managed", "HKLM\\...\\Settings", {"env": {"CLAUDE_CODE_USE_FOUNDRY": "1"}})}
    monkeypatch.setattr(sys, "platform", "win32")
    assert resolve({}, settings.managed_layers()).kind is Kind.VERTEX  # the override: the one source read
    monkeypatch.delenv("OUTAGECHECK_MANAGED_SETTINGS")
    monkeypatch.setattr(paths, "managed_settings", lambda: managed)
    monkeypatch.setattr(settings, "_registry", hives.get)
    assert resolve({}, settings.managed_layers()).kind is Kind.FOUNDRY
    hives = {"HKCU": settings.layer_of("managed", "HKCU\\...\\Settings", {"env": {"CLAUDE_CODE_USE_MANTLE": "1"}})}
    monkeypatch.setattr(settings, "_registry", hives.get)
    assert resolve({}, settings.managed_layers()).kind is Kind.VERTEX  # the file is found: HKCU is not read
    (no_route / "managed-settings.json").unlink()
    assert resolve({}, settings.managed_layers()).kind is Kind.MANTLE


def test_the_default_managed_locations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OUTAGECHECK_MANAGED_SETTINGS", raising=False)
    for platform, where in [
        ("linux", "/etc/claude-code/managed-settings.json"),
        ("darwin", "/Library/Application Support/ClaudeCode/managed-settings.json"),
    ]:
        monkeypatch.setattr(sys, "platform", platform)
        assert str(paths.managed_settings()) == where
        assert str(paths.managed_dropins()) == where.replace("managed-settings.json", "managed-settings.d")
    monkeypatch.setattr(sys, "platform", "win32")
    assert str(paths.managed_settings()) == "C:\\Program Files\\ClaudeCode\\managed-settings.json"
    monkeypatch.setenv("OUTAGECHECK_MANAGED_SETTINGS", "/srv/m.json")  # the override wins on every platform
    assert paths.managed_settings() == Path("/srv/m.json")
    assert paths.managed_dropins() == Path("/srv/managed-settings.d")
    assert paths.managed_plists("ann")[0] == Path("/Library/Managed Preferences/ann/com.anthropic.claudecode.plist")


class _Key:
    def __init__(self, hive: str) -> None:
        self.hive = hive

    def __enter__(self) -> _Key:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _fake_winreg(values: dict[str, str]) -> types.SimpleNamespace:
    """winreg as far as _registry uses it: the Settings value of SOFTWARE\\Policies\\ClaudeCode per hive."""

    def open_key(root: str, sub: str) -> _Key:
        assert sub == "SOFTWARE\\Policies\\ClaudeCode"
        if root not in values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return _Key(root)

    def query(key: _Key, name: str) -> tuple[str, int]:
        assert name == "Settings"
        return values[key.hive], 1  # REG_SZ

    return types.SimpleNamespace(
        HKEY_LOCAL_MACHINE="HKLM", HKEY_CURRENT_USER="HKCU", OpenKey=open_key, QueryValueEx=query
    )


def test_the_registry_policy_is_read_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "winreg", _fake_winreg({"HKLM": '{"env": {"CLAUDE_CODE_USE_VERTEX": "1"}}'}))
    hklm = settings._registry("HKLM")
    assert hklm == SettingsLayer(
        "managed", "HKLM\\SOFTWARE\\Policies\\ClaudeCode\\Settings", True, env=(("CLAUDE_CODE_USE_VERTEX", "1"),)
    )
    assert settings._registry("HKCU") is None
    monkeypatch.setitem(sys.modules, "winreg", _fake_winreg({"HKCU": "{not json"}))
    hkcu = settings._registry("HKCU")
    assert hkcu is not None
    assert hkcu.error is not None
    assert hkcu.error.startswith("invalid JSON: ")
