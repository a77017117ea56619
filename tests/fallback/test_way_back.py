"""A route switch journals what Claude Code used before it, and everything that ends a fallback goes back to that:
status's note, `wait --then-revert`, the `--until-recovered` watcher, `--require route:NAME`."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from outagecheck.cli import hooks
from outagecheck.fallback import journal, watcher
from outagecheck.model import Status
from outagecheck.output.debounce import Debouncer, Streak
from outagecheck.output.json import from_dict, to_dict
from outagecheck.routes import current
from outagecheck.surfaces import Kind, Route, RouteResult, back_when
from tests.helpers import TEST_KEY, invoke, no_route_settings, routes_toml, write_config

ROUTES = routes_toml(
    {
        "east": {"kind": "bedrock", "region": "us-east-1", "profile": "work",
                 "models": {"sonnet": "us.anthropic.claude-sonnet-4-6"}},
        "vertex": {"kind": "vertex", "region": "global", "project": "acme-ai-prod",
                   "models": {"opus": "claude-opus-4-8"}},
    }
)  # fmt: skip
BACK = "Claude Code can go back from route "


@pytest.fixture
def cfg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, claude_home: Path) -> Path:
    """Two routes; no managed settings, no route variable and no key from the machine; no claude installed."""
    no_route_settings(tmp_path, monkeypatch)
    return write_config(tmp_path / "config.toml", ROUTES)


def _apply(runner: CliRunner, cfg: Path, route: str, *more: str) -> Any:
    return invoke(runner, "fallback", "apply", "claude-code", "--to", route, "--config", str(cfg), "--no-verify",
                  "--yes", *more)  # fmt: skip


def _notes(runner: CliRunner, replay: str) -> list[str]:
    doc = json.loads(invoke(runner, "status", "--replay", replay, "--json").stdout)
    return [n for n in doc["notes"] if BACK in n]


@pytest.mark.parametrize(
    ("env", "before"),
    [
        pytest.param({}, ("login", ""), id="the-subscription-login"),
        pytest.param({"CLAUDE_CODE_OAUTH_TOKEN": "sk-ant-oat01-" + "x" * 80}, ("login", ""), id="a-login-token"),
        pytest.param({"ANTHROPIC_API_KEY": TEST_KEY}, ("api", ""), id="an-api-key"),
        pytest.param(
            {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1", "AWS_PROFILE": "work"},
            ("bedrock", "east"),
            id="a-configured-route",
        ),
        pytest.param(
            {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "eu-west-1"}, ("bedrock", ""), id="an-unconfigured-route"
        ),
    ],
)
def test_apply_to_a_route_journals_what_claude_code_used_before(
    runner: CliRunner, cfg: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], before: tuple[str, str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert _apply(runner, cfg, "vertex").exit_code == 0
    [item] = journal.outstanding()
    assert item[2:] == ("vertex", "vertex", "GCP project acme-ai-prod", *before)
    assert {(e.before, e.before_route) for e in journal.pending()} == {before}


def test_the_current_route_matches_one_configured_route_by_name_and_several_by_none() -> None:
    now = current.Current(Kind.BEDROCK, "cloud").route()
    one, other = Route("east", Kind.BEDROCK, region="us-east-1"), Route("west", Kind.VERTEX)
    assert journal.before(current.Current(Kind.BEDROCK, "cloud"), [one, other]) == ("bedrock", "east")
    assert current.matches(one, now)
    assert journal.before(current.Current(Kind.BEDROCK, "cloud"), [one, replace(one, name="east2")]) == ("bedrock", "")
    assert journal.before(current.Current(Kind.ANTHROPIC, "helper"), [one]) == ("api", "")


def test_status_says_go_back_once_what_was_replaced_is_operational_and_revert_ends_it(
    runner: CliRunner, cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)  # an API-key user, switched to Bedrock in an API outage
    assert _apply(runner, cfg, "east").exit_code == 0
    assert _notes(runner, "api-down") == []
    # march-2026: the login paths are down and the API is up: the API this user left is back.
    assert _notes(runner, "march-2026") == [
        f"The API (api) is operational now: {BACK}east with `outagecheck fallback revert claude-code`"
    ]
    doc = json.loads(invoke(runner, "status", "--replay", "march-2026", "--json").stdout)
    assert any(n.startswith("Claude Code is on route east (bedrock) since ") for n in doc["notes"])  # still said
    assert invoke(runner, "fallback", "revert", "--yes").exit_code == 0
    assert _notes(runner, "march-2026") == []


def test_a_switch_from_the_login_waits_for_the_login_paths(runner: CliRunner, cfg: Path) -> None:
    assert _apply(runner, cfg, "east").exit_code == 0
    assert _notes(runner, "march-2026") == []  # the API is up, the login paths are not
    assert _notes(runner, "all-operational") == [
        f"The login paths (web, code) are operational now: {BACK}east with `outagecheck fallback revert claude-code`"
    ]


def _saved_with_route(runner: CliRunner, tmp_path: Path, status: Status) -> Path:
    """The all-operational drill, saved with route east's result beside it (what `status` adds with routes)."""
    doc = json.loads(invoke(runner, "status", "--replay", "all-operational", "--json").stdout)
    route = RouteResult(Route("east", Kind.BEDROCK, region="us-east-1"), status, "ok", billed_to="AWS")
    doc["routes"] = to_dict(replace(from_dict(doc), routes=(route,)))["routes"]
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps(doc))
    return saved


def test_a_switch_from_a_configured_route_waits_for_that_route(
    runner: CliRunner, cfg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1", "AWS_PROFILE": "work"}.items():
        monkeypatch.setenv(name, value)
    assert _apply(runner, cfg, "vertex").exit_code == 0
    assert watcher.condition() == ("route:east",)
    assert _notes(runner, str(_saved_with_route(runner, tmp_path, Status.DOWN))) == []
    assert _notes(runner, str(_saved_with_route(runner, tmp_path, Status.OPERATIONAL))) == [
        f"Route east is operational now: {BACK}vertex with `outagecheck fallback revert claude-code`"
    ]
    # --require route:NAME: the route alone decides the exit code
    saved = str(_saved_with_route(runner, tmp_path, Status.DOWN))
    assert invoke(runner, "status", "--replay", saved, "--require", "route:east").exit_code == 2
    assert invoke(runner, "status", "--replay", saved, "--require", "web").exit_code == 0
    unknown = invoke(runner, "status", "--replay", saved, "--require", "route:west")
    assert unknown.exit_code == 64
    assert unknown.stderr == (
        "outagecheck: error: unknown surface 'route:west' for --require (the report has web, code, api, route:east)\n"
    )


@pytest.mark.parametrize(
    ("env", "back"),
    [
        pytest.param({}, ("web", "code"), id="login"),
        pytest.param({"ANTHROPIC_API_KEY": TEST_KEY}, ("api",), id="api"),
        pytest.param(
            {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1", "AWS_PROFILE": "work"},
            ("route:east",),
            id="route",
        ),
    ],
)
def test_until_recovered_watches_what_the_switch_replaced(
    runner: CliRunner, cfg: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], back: tuple[str, ...]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    started: list[tuple[Path | None, tuple[str, ...]]] = []

    def start(config: Path | None, got: tuple[str, ...]) -> tuple[int, list[str]]:
        started.append((config, got))
        return 1, ["started"]

    monkeypatch.setattr(watcher, "start", start)
    result = _apply(runner, cfg, "vertex", "--until-recovered")
    assert result.exit_code == 0, result.output
    assert started == [(cfg, back)]
    assert result.stdout.endswith("started\n")
    argv = watcher.command(cfg, back)
    assert argv[:2] == ["wait", "--then-revert"]
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "--require"] == list(back)


def test_until_recovered_is_not_started_when_the_route_before_cannot_be_watched(
    runner: CliRunner, cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAUDE_CODE_USE_BEDROCK", "1")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")  # no configured route is this one
    monkeypatch.setattr(watcher, "start", lambda *_: pytest.fail("the watcher must not start"))
    result = _apply(runner, cfg, "vertex", "--until-recovered")
    assert result.exit_code == 0
    [line] = [n for n in result.stdout.splitlines() if n.startswith("Not watching")]
    assert line == (
        "Not watching: claude-code was on a bedrock route that matched no single [[routes]] entry of the config when "
        "it was switched: outagecheck can't tell when that route is back; revert by hand once it is: outagecheck "
        "fallback revert"
    )
    said = invoke(runner, "wait", "--then-revert", "--replay", "all-operational", "--max-wait", "1")
    assert said.exit_code == 78
    assert said.stderr.startswith("outagecheck: error: claude-code was on a bedrock route that matched no single")


def test_until_recovered_starts_nothing_on_a_dry_run(
    runner: CliRunner, cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watcher, "start", lambda *_: pytest.fail("the watcher must not start"))
    assert _apply(runner, cfg, "vertex", "--until-recovered", "--dry-run").exit_code == 0
    assert journal.outstanding() == ()


def test_back_when_maps_each_kind_of_before() -> None:
    assert back_when("") == back_when("login") == ("web", "code")
    assert back_when("api") == ("api",)
    assert back_when("bedrock", "east") == ("route:east",)
    assert back_when("bedrock") is None


def test_wait_then_revert_ends_a_switch_from_an_api_key_once_the_api_is_back(
    runner: CliRunner, cfg: Path, claude_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = claude_home / ".claude" / "settings.json"
    before = settings.read_bytes()
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    assert _apply(runner, cfg, "east").exit_code == 0
    assert watcher.condition() == ("api",)
    # march-2026: the API is up and the login paths are down; the login paths never mattered to this user.
    result = invoke(runner, "wait", "--then-revert", "--require", "api", "--recover-after", "1", "--replay",
                    "march-2026", "--interval", "5", "--max-wait", "10s")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "api operational for 1 checks: reverted the fallback" in result.stderr
    assert "Note: outagecheck reverted the fallback (claude-code) once api was back." in result.stdout
    assert BACK not in result.stdout  # the note of the report before the revert is gone with it
    assert settings.read_bytes() == before
    assert journal.outstanding() == ()


class _Told:
    """A notifier that keeps what it is told (webhooks and desktop are tested in tests/cli/test_notifications.py)."""

    active = True

    def __init__(self) -> None:
        self.said: list[str] = []

    def say(self, text: str) -> None:
        self.said.append(text)


def test_the_revert_says_what_came_back_to_the_terminal_and_the_notifiers(
    runner: CliRunner, cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    assert _apply(runner, cfg, "east").exit_code == 0
    told, lines = _Told(), list[str]()
    streak = Streak(hooks.back_condition(), 1)
    ending = hooks.Hooks(told, Debouncer(), streak, say=lines.append)  # type: ignore[arg-type]  # a stand-in Notifier
    ending._revert()
    assert lines[0] == "api operational for 1 checks: reverted the fallback"
    assert told.said == ["api is back: outagecheck reverted the fallback (no more billing from it)."]
    assert journal.outstanding() == ()


def test_require_route_is_checked_against_the_config_before_any_request(runner: CliRunner, cfg: Path) -> None:
    result = invoke(runner, "status", "--require", "route:west", "--config", str(cfg))
    assert result.exit_code == 64
    assert result.stderr == (
        "outagecheck: error: unknown route 'west' for --require (the config's routes: east, vertex)\n"
    )
    bare = write_config(cfg.parent / "bare.toml", "")
    result = invoke(runner, "wait", "--require", "route:east", "--config", str(bare))
    assert result.exit_code == 64
    assert result.stderr == "outagecheck: error: unknown route 'east' for --require (the config has no [[routes]])\n"


def test_wait_for_a_required_route_says_how_it_is_and_ends_when_it_is_operational(
    runner: CliRunner, cfg: Path, tmp_path: Path
) -> None:
    down = str(_saved_with_route(runner, tmp_path, Status.DOWN))
    result = invoke(runner, "wait", "--replay", down, "--require", "route:east", "--max-wait", "1s")
    assert result.exit_code == 2
    assert "waiting: route:east down; next check in 1 s" in result.stderr
    up = str(_saved_with_route(runner, tmp_path, Status.OPERATIONAL))
    result = invoke(runner, "wait", "--replay", up, "--require", "route:east", "--max-wait", "1s")
    assert result.exit_code == 0
    assert "route:east operational" in result.stderr


def test_nagios_names_a_required_route_that_is_down(runner: CliRunner, tmp_path: Path) -> None:
    saved = str(_saved_with_route(runner, tmp_path, Status.DOWN))
    result = invoke(runner, "status", "--replay", saved, "--require", "route:east", "--format", "nagios")
    assert result.exit_code == 2
    assert result.stdout.startswith(
        "OUTAGECHECK CRITICAL - REPLAY of all-operational, nothing was checked: route east down | "
    )
