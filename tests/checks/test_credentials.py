"""Credential shape checks: what is wrong, naming the variable, never the value."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from outagecheck.checks.credentials import check, notes
from tests.helpers import invoke

GOOD_KEY = "sk-ant-api03-" + "A-_z9" * 18 + "bcdAA"  # 13 + 93 + 2: gitleaks' rule `anthropic-api-key`
GOOD_OAUTH = "sk-ant-oat01-" + "b" * 95


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        pytest.param("ANTHROPIC_API_KEY", GOOD_KEY, None, id="good-key"),
        pytest.param("CLAUDE_CODE_OAUTH_TOKEN", GOOD_OAUTH, None, id="good-oauth"),
        pytest.param("ANTHROPIC_AUTH_TOKEN", "anything-a-gateway-issues", None, id="gateway-token-any-shape"),
        pytest.param(
            "CLAUDE_CODE_OAUTH_TOKEN",
            GOOD_OAUTH[:80],
            "CLAUDE_CODE_OAUTH_TOKEN looks truncated (80 characters; expected 108)",
            id="wrapped-paste",
        ),
        pytest.param(
            "CLAUDE_CODE_OAUTH_TOKEN",
            GOOD_OAUTH[:80] + "\n" + GOOD_OAUTH[80:],
            "CLAUDE_CODE_OAUTH_TOKEN contains a line break: a wrapped paste? Set it again on one line",
            id="line-break",
        ),
        pytest.param(
            "ANTHROPIC_API_KEY",
            GOOD_KEY + "\n",
            "ANTHROPIC_API_KEY has leading or trailing whitespace; some clients send it as is",
            id="trailing-newline",
        ),
        pytest.param("ANTHROPIC_API_KEY", "  ", "ANTHROPIC_API_KEY is set but empty", id="empty"),
        pytest.param(
            "ANTHROPIC_API_KEY",
            GOOD_OAUTH,
            "ANTHROPIC_API_KEY holds a Claude Code OAuth token, not an API key: use CLAUDE_CODE_OAUTH_TOKEN for it",
            id="oauth-in-key-variable",
        ),
        pytest.param(
            "ANTHROPIC_API_KEY",
            "sk-ant-admin01-" + GOOD_KEY.removeprefix("sk-ant-api03-"),
            "ANTHROPIC_API_KEY holds an Admin API key, which manages the organisation and can't send messages",
            id="admin-key",
        ),
        pytest.param(
            "ANTHROPIC_API_KEY",
            "sk-proj-" + "x" * 100,
            "ANTHROPIC_API_KEY does not start like an Anthropic API key (sk-ant-api...)",
            id="openai-key",
        ),
        pytest.param(
            "ANTHROPIC_API_KEY",
            '"' + GOOD_KEY[:-2] + '"',
            "ANTHROPIC_API_KEY does not start like an Anthropic API key (sk-ant-api...)",
            id="quoted",
        ),
        pytest.param(
            "ANTHROPIC_API_KEY",
            GOOD_KEY + "x",
            "ANTHROPIC_API_KEY is longer than an Anthropic API key (109 characters; expected 108)",
            id="long",
        ),
    ],
)
def test_check(name: str, value: str, expected: str | None) -> None:
    found = check(name, value)
    assert found == expected
    if found is not None and len(value.strip()) > 12:
        assert value.strip()[12:] not in found  # never the value, nor its secret part


def test_the_expected_length_is_the_published_key_format() -> None:
    """gitleaks' `anthropic-api-key` rule, the format secret scanners match: a key of that shape is 108 long."""
    assert re.fullmatch(r"sk-ant-api03-[a-zA-Z0-9_\-]{93}AA", GOOD_KEY)
    assert len(GOOD_KEY) == 108
    truncated = check("ANTHROPIC_API_KEY", GOOD_KEY[:-1])
    assert truncated == "ANTHROPIC_API_KEY looks truncated (107 characters; expected 108)"


def test_only_set_variables_are_checked() -> None:
    assert notes({"CLAUDE_CODE_OAUTH_TOKEN": GOOD_OAUTH[:80], "PATH": "/bin"}) == (
        "CLAUDE_CODE_OAUTH_TOKEN looks truncated (80 characters; expected 108)",
    )


def test_status_blames_the_token_not_claude(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUDE_CODE_OAUTH_TOKEN", GOOD_OAUTH[:80])
    doc = invoke(runner, "status", "--replay", "march-2026", "--json").stdout
    assert "CLAUDE_CODE_OAUTH_TOKEN looks truncated (80 characters; expected 108)" in doc
    assert GOOD_OAUTH[:80] not in doc
    guide = invoke(runner, "fallback").stdout
    assert "Note: CLAUDE_CODE_OAUTH_TOKEN looks truncated (80 characters; expected 108)" in guide
