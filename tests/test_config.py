from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck import config
from outagecheck.config import DEFAULT_STATUS_PAGES, Config, config_path, load, parse
from outagecheck.errors import ConfigError
from tests.helpers import invoke, own_config_dir, write_config


def test_empty_config_is_the_defaults() -> None:
    assert parse("") == Config()


def test_full_config() -> None:
    cfg = parse(
        """
timeout = 2
slow = 0.5
[endpoints]
claude_ai = "http://127.0.0.1:8080/"
platform = "https://platform.example"
api = "https://gateway.example/anthropic"
status_page = ["https://one.example", "https://two.example/"]
"""
    )
    assert (cfg.timeout, cfg.slow) == (2.0, 0.5)
    assert cfg.endpoints == {
        "claude_ai": "http://127.0.0.1:8080",
        "platform": "https://platform.example",
        "api": "https://gateway.example/anthropic",
    }
    assert cfg.status_pages == ("https://one.example", "https://two.example")


def test_single_status_page_replaces_both_defaults() -> None:
    assert parse('[endpoints]\nstatus_page = "https://only.example"').status_pages == ("https://only.example",)
    assert Config().status_pages == DEFAULT_STATUS_PAGES


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("timeout = [", "<config>: invalid TOML: ", id="syntax"),
        pytest.param("timeout = 0", "'timeout' must be between 0 and 300 seconds, got 0", id="zero-timeout"),
        pytest.param("timeout = 1e999", "'timeout' must be between 0 and 300", id="infinite"),
        pytest.param("timeout = nan", "'timeout' must be between 0 and 300", id="nan"),
        pytest.param("slow = true", "'slow' must be a number of seconds, not bool", id="bool-is-not-seconds"),
        pytest.param("endpoints = 3", "'endpoints' must be a table", id="endpoints-not-table"),
        pytest.param("[endpoints]\nweb = 'https://x'", "unknown key 'endpoints.web'", id="unknown-endpoint"),
        pytest.param("[endpoints]\napi = 3", "'endpoints.api' must be a URL string, not int", id="url-type"),
        pytest.param("[endpoints]\napi = 'api.anthropic.com'", "must be an http:// or https:// URL", id="no-scheme"),
        pytest.param("[endpoints]\napi = 'https://x/?a=1'", "without ?query", id="query"),
        pytest.param("[endpoints]\napi = 'https://x:99999'", "invalid port", id="port"),
        pytest.param("[endpoints]\nstatus_page = []", "non-empty list of URLs", id="empty-status-list"),
        pytest.param("[endpoints]\nstatus_page = [1]", "must be a URL string, not int", id="status-list-type"),
    ],
)
def test_invalid_config(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse(text)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(ConfigError, match=r"at line 3"):
        parse("timeout = 1\n\nslow = \n", source="c.toml")


def test_path_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path) -> None:
    option = tmp_path / "option.toml"
    env = tmp_path / "env.toml"
    monkeypatch.setenv("OUTAGECHECK_CONFIG", str(env))
    assert config_path(option) == (option, True)
    assert config_path(None) == (env, True)
    monkeypatch.delenv("OUTAGECHECK_CONFIG")
    assert config_path(None) == (own_config_dir(isolated_home) / "config.toml", False)


def test_missing_default_file_means_defaults() -> None:
    assert load(None) == Config()


def test_default_file_is_read(isolated_home: Path) -> None:
    path = own_config_dir(isolated_home) / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("timeout = 9")
    cfg = load(None)
    assert (cfg.timeout, cfg.source) == (9.0, path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"timeout = \xff\xfe", "not UTF-8 text (byte 10)", id="not-utf8"),
        pytest.param(None, "is a directory, not a regular file", id="directory"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "c.toml"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    with pytest.raises(ConfigError) as info:
        load(path)
    assert str(info.value) == f"{path}: {message}"


# -- outagecheck config init / show -------------------------------------------------------------------


def test_config_init_writes_a_starter_that_loads(runner: CliRunner, isolated_home: Path) -> None:
    result = invoke(runner, "config", "init")
    path = own_config_dir(isolated_home) / "config.toml"
    assert (result.exit_code, result.stdout) == (0, f"wrote {path}\n")
    assert "# [surfaces.litellm]" in path.read_text()
    assert config.load(None) == replace(config.Config(), source=path)  # all commented out: the defaults
    # Uncommented, the examples are valid too.
    lines = [line[2:] for line in path.read_text().splitlines() if line.startswith("# ")]
    example = config.parse("\n".join(line for line in lines if "=" in line or line.startswith("[")))
    assert [s.id for s in example.surfaces] == ["litellm"]
    assert example.fallback["targets"][0]["name"] == "my-tool"
    assert [(r.name, r.region) for r in example.routes] == [("bedrock-us", "us-east-1")]


def test_config_init_refuses_to_overwrite(runner: CliRunner, isolated_home: Path) -> None:
    path = own_config_dir(isolated_home) / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("timeout = 9\n")
    result = invoke(runner, "config", "init")
    assert result.exit_code == 73
    assert "already exists; pass --force" in result.stderr
    assert path.read_text() == "timeout = 9\n"
    assert invoke(runner, "config", "init", "--force").exit_code == 0
    assert path.read_text().startswith("# outagecheck configuration")


def test_config_show_says_where_and_hides_literal_header_values(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://litellm.internal:4000")
    cfg = write_config(
        tmp_path / "c.toml",
        'timeout = 2\n[surfaces.gw]\nname = "GW"\nurl = "https://gw.internal/health"\n'
        'headers = { Authorization = "Bearer ${GW_KEY}", X-Static = "literal-secret" }\n',
    )
    result = invoke(runner, "config", "show", "--config", str(cfg))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:2] == [f"# from {cfg}", "# ANTHROPIC_BASE_URL adds a gateway row"]
    shown = tomllib.loads(result.stdout)
    assert shown["timeout"] == 2.0
    assert shown["surfaces"]["gw"]["headers"] == {"Authorization": "Bearer ${GW_KEY}", "X-Static": "<hidden>"}
    assert "literal-secret" not in result.stdout
    assert config.parse(result.stdout.replace("<hidden>", "x")).surfaces[0].url == "https://gw.internal/health"


def test_config_show_defaults_and_errors(runner: CliRunner, isolated_home: Path, tmp_path: Path) -> None:
    result = invoke(runner, "config", "show")
    assert result.stdout.startswith("# built-in defaults (")
    assert tomllib.loads(result.stdout)["endpoints"]["api"] == "https://api.anthropic.com"
    bad = invoke(runner, "config", "show", "--config", str(write_config(tmp_path / "b.toml", "timeout = 'x'\n")))
    assert bad.exit_code == 78


def test_the_same_file_is_parsed_once_and_a_changed_one_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # status reads its config twice (checks/early.py, then the checks): one parse; an edit is never missed.
    path = tmp_path / "c.toml"
    path.write_text("timeout = 4\n")
    parsed: list[str] = []
    real = config.parse

    def counted(text: str, *, source: str) -> config.Config:
        parsed.append(text)
        return real(text, source=source)

    monkeypatch.setattr(config, "parse", counted)
    first, second = config.load(path), config.load(path)
    assert (first.timeout, second.timeout, len(parsed)) == (4.0, 4.0, 1)
    path.write_text("timeout = 5\n")
    assert (config.load(path).timeout, len(parsed)) == (5.0, 2)
    other = tmp_path / "d.toml"  # the same text under another name: its own source in every message
    other.write_text("timeout = 5\n")
    assert (config.load(other).source, len(parsed)) == (other, 3)
