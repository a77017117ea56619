"""The runner's reading of workflow commands, as tests/ci/workflow.py models it."""

from __future__ import annotations

from tests.ci.workflow import Command, commands


def test_v2_commands_start_a_line_after_whitespace() -> None:
    assert commands("  ::error title=x::boom\nsay ::error::not a command\n") == [Command("error", "title=x", "boom")]


def test_v1_commands_are_found_anywhere_in_a_line() -> None:
    assert commands("text ##[set-output name=a;]b\n") == [Command("set-output", "name=a;", "b")]


def test_unknown_names_are_not_commands() -> None:
    assert commands("::frobnicate::x\n##[nothing]y\n") == []


def test_stop_commands_holds_until_its_token() -> None:
    log = "::stop-commands::t0k\n::error::inside\n##[warning]inside\n::other::x\n::T0K::\n::notice::after\n"
    assert commands(log) == [Command("notice", "", "after")]


def test_a_stop_without_its_token_swallows_the_rest() -> None:
    assert commands("::stop-commands::abc\n::error::ours\n") == []
