"""The route Claude Code uses now: a table of its rules, each kind, each off value, env vs settings, managed
over user, the host deciding, two providers on."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from outagecheck.routes.current import PROVIDER_ORDER, Current, Setting, matches, resolve, truthy
from outagecheck.routes.model import SWITCHES, Kind, Route
from outagecheck.routes.settings import SettingsLayer, environment, layer_of

USER = "/home/u/.claude/settings.json"
MANAGED = "/etc/claude-code/managed-settings.json"
LOCAL = "/p/.claude/settings.local.json"


def _layer(name: str, path: str, doc: dict[str, Any]) -> SettingsLayer:
    return layer_of(name, path, doc)


def _now(env: dict[str, str] | None = None, **layers: dict[str, Any]) -> Current:
    paths = {"managed": MANAGED, "local": LOCAL, "project": "/p/.claude/settings.json", "user": USER}
    order = ("managed", "local", "project", "user")
    built = tuple(_layer(name, paths[name], layers[name]) for name in order if name in layers)
    return resolve(environment(env or {}), built)


@pytest.mark.parametrize(
    ("value", "on"),
    [
        *(pytest.param(v, True, id=f"on-{v!r}") for v in ("1", "true", "TRUE", "True", "yes", "on", "ON", " true ")),
        *(pytest.param(v, False, id=f"off-{v!r}") for v in ("", "0", "false", "FALSE", "no", "off", "2", "enabled")),
    ],
)
def test_switch_values_read_as_claude_code_reads_them(value: str, on: bool) -> None:
    assert truthy(value) is on
    assert _now({"CLAUDE_CODE_USE_BEDROCK": value}).kind is (Kind.BEDROCK if on else Kind.ANTHROPIC)
    assert _now(user={"env": {"CLAUDE_CODE_USE_VERTEX": value}}).kind is (Kind.VERTEX if on else Kind.ANTHROPIC)


@pytest.mark.parametrize("kind", list(SWITCHES), ids=str)
def test_each_cloud_kind_by_its_switch_from_the_environment(kind: Kind) -> None:
    now = _now({SWITCHES[kind]: "1", "AWS_REGION": "eu-west-1", "CLOUD_ML_REGION": "global"})
    assert (now.kind, now.auth) == (kind, "cloud")
    assert now.values[0] == Setting(SWITCHES[kind], "1", "environment")
    assert now.route().source == "environment"


@pytest.mark.parametrize(
    ("env", "kind", "auth", "api_provider"),
    [
        pytest.param({}, Kind.ANTHROPIC, "subscription", "firstParty", id="nothing-is-the-login"),
        pytest.param({"ANTHROPIC_API_KEY": "sk-ant-x"}, Kind.ANTHROPIC, "key", "firstParty", id="key"),
        pytest.param({"ANTHROPIC_AUTH_TOKEN": "t"}, Kind.ANTHROPIC, "token", "firstParty", id="token"),
        pytest.param({"CLAUDE_CODE_OAUTH_TOKEN": "o"}, Kind.ANTHROPIC, "oauth_token", "firstParty", id="oauth-token"),
        pytest.param(
            {"ANTHROPIC_BASE_URL": "https://llm-gw.example.com", "ANTHROPIC_AUTH_TOKEN": "t"},
            Kind.GATEWAY,
            "token",
            "firstParty",
            id="gateway",
        ),
        pytest.param(
            {"ANTHROPIC_BASE_URL": "https://openrouter.ai/api", "ANTHROPIC_AUTH_TOKEN": "t", "ANTHROPIC_API_KEY": ""},
            Kind.OPENROUTER,
            "token",
            "firstParty",
            id="openrouter-with-the-key-blank",
        ),
        pytest.param(
            {"ANTHROPIC_BASE_URL": "https://api.anthropic.com"},
            Kind.ANTHROPIC,
            "subscription",
            "firstParty",
            id="anthropic-url",
        ),
        pytest.param({"ANTHROPIC_API_KEY": ""}, Kind.ANTHROPIC, "subscription", "firstParty", id="empty-key-is-unset"),
    ],
)
def test_first_party_and_gateway_routes(env: dict[str, str], kind: Kind, auth: str, api_provider: str) -> None:
    now = _now(env)
    assert (now.kind, now.auth, now.api_provider) == (kind, auth, api_provider)


def test_token_beats_key_beats_helper_and_says_so() -> None:
    now = _now({"ANTHROPIC_API_KEY": "sk-ant-secret"}, user={"apiKeyHelper": "echo sk-ant-helper"})
    assert now.auth == "key"
    assert now.conflicts == (
        "both ANTHROPIC_API_KEY and apiKeyHelper are set: Claude Code uses ANTHROPIC_API_KEY (auth conflict)",
    )
    assert _now({"ANTHROPIC_AUTH_TOKEN": "t", "ANTHROPIC_API_KEY": "k"}).auth == "token"
    helper = _now(local={"apiKeyHelper": "vault read key"}, user={"apiKeyHelper": "other"})
    assert helper.auth == "helper"
    assert helper.value("apiKeyHelper") == Setting("apiKeyHelper", "<set>", "local", LOCAL)  # the command is not shown


def test_secrets_are_never_held() -> None:
    now = _now({"ANTHROPIC_AUTH_TOKEN": "tok-secret"}, user={"env": {"ANTHROPIC_API_KEY": "sk-ant-file-secret"}})
    assert "secret" not in repr(now)
    assert now.value("ANTHROPIC_AUTH_TOKEN") == Setting("ANTHROPIC_AUTH_TOKEN", "<set>", "environment")


def test_a_settings_env_value_beats_the_shell_and_the_conflict_is_named() -> None:
    now = _now({"CLAUDE_CODE_USE_BEDROCK": "0"}, user={"env": {"CLAUDE_CODE_USE_BEDROCK": "1"}})
    assert now.kind is Kind.BEDROCK
    assert now.value("CLAUDE_CODE_USE_BEDROCK") == Setting("CLAUDE_CODE_USE_BEDROCK", "1", "user", USER)
    assert now.conflicts == (f'CLAUDE_CODE_USE_BEDROCK: "1" in {USER} (user) beats the shell\'s "0"',)
    assert now.route().source == f"user settings {USER}"


def test_an_empty_settings_value_cancels_a_stale_shell_export() -> None:
    # The documented cancel (code.claude.com/docs/en/env-vars): "" in env turns off a switch you can't unset.
    now = _now({"CLAUDE_CODE_USE_VERTEX": "1"}, user={"env": {"CLAUDE_CODE_USE_VERTEX": ""}})
    assert (now.kind, now.auth) == (Kind.ANTHROPIC, "subscription")


def test_managed_beats_local_beats_user() -> None:
    now = _now(
        managed={"env": {"CLAUDE_CODE_USE_FOUNDRY": "1", "ANTHROPIC_FOUNDRY_RESOURCE": "corp"}},
        local={"env": {"ANTHROPIC_FOUNDRY_RESOURCE": "mine", "CLAUDE_CODE_USE_FOUNDRY": "0", "AWS_PROFILE": "p"}},
        user={"env": {"CLAUDE_CODE_USE_FOUNDRY": "0", "AWS_PROFILE": "u"}},
    )
    assert now.kind is Kind.FOUNDRY
    assert now.value("ANTHROPIC_FOUNDRY_RESOURCE") == Setting("ANTHROPIC_FOUNDRY_RESOURCE", "corp", "managed", MANAGED)
    assert now.conflicts == ()  # only a shell export overridden by a file is a surprise worth saying
    now = _now(local={"env": {"CLAUDE_CODE_USE_BEDROCK": "1"}}, user={"env": {"CLAUDE_CODE_USE_BEDROCK": "false"}})
    assert now.kind is Kind.BEDROCK
    assert now.route().source == f"local settings {LOCAL}"


def test_two_providers_on_take_claude_codes_order_and_are_named() -> None:
    now = _now({"CLAUDE_CODE_USE_VERTEX": "1"}, managed={"env": {"CLAUDE_CODE_USE_FOUNDRY": "true"}})
    assert now.kind is Kind.FOUNDRY
    assert now.conflicts == (
        "CLAUDE_CODE_USE_FOUNDRY and CLAUDE_CODE_USE_VERTEX are on: Claude Code takes foundry "
        "(first of bedrock, foundry, anthropic-aws, mantle, vertex)",
    )
    assert [_now({SWITCHES[a]: "1", SWITCHES[b]: "1"}).kind for a, b in itertools.pairwise(PROVIDER_ORDER)] == list(
        PROVIDER_ORDER[:-1]
    )


def test_the_host_decides_and_settings_provider_variables_are_ignored() -> None:
    env = {"CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST": "1", "ANTHROPIC_BASE_URL": "https://gw.example"}
    now = _now(env, user={"env": {"CLAUDE_CODE_USE_FOUNDRY": "1", "ANTHROPIC_DEFAULT_OPUS_MODEL": "opus-dep"}})
    assert (now.kind, now.host_decides) == (Kind.GATEWAY, True)
    assert now.values[0] == Setting("CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST", "1", "environment")
    assert now.notes[:2] == (
        "CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST is set: the host decides the provider; settings files can't change it",
        f"CLAUDE_CODE_USE_FOUNDRY in {USER} is ignored: the host decides the provider",
    )
    assert now.value("ANTHROPIC_DEFAULT_OPUS_MODEL") == Setting(
        "ANTHROPIC_DEFAULT_OPUS_MODEL", "opus-dep", "user", USER
    )
    assert (
        _now({"CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST": "0"}, user={"env": {"CLAUDE_CODE_USE_FOUNDRY": "1"}}).kind
        is Kind.FOUNDRY
    )


def test_the_values_that_decide_a_cloud_route_and_its_route() -> None:
    now = _now(
        {"AWS_PROFILE": "dev", "ANTHROPIC_API_KEY": "sk-ant-x"},
        user={
            "env": {
                "CLAUDE_CODE_USE_BEDROCK": "1",
                "AWS_REGION": "us-west-2",
                "ANTHROPIC_BEDROCK_BASE_URL": "https://user:pw@bedrock.example/?token=abc",
                "ANTHROPIC_DEFAULT_HAIKU_MODEL": "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            }
        },
    )
    assert [(s.name, s.value, s.layer) for s in now.values] == [
        ("CLAUDE_CODE_USE_BEDROCK", "1", "user"),
        ("AWS_REGION", "us-west-2", "user"),
        ("AWS_PROFILE", "dev", "environment"),
        ("ANTHROPIC_BEDROCK_BASE_URL", "https://***@bedrock.example/?token=***", "user"),
        ("ANTHROPIC_DEFAULT_HAIKU_MODEL", "us.anthropic.claude-haiku-4-5-20251001-v1:0", "user"),
    ]
    route = now.route()
    assert (route.kind, route.region, route.profile) == (Kind.BEDROCK, "us-west-2", "dev")
    assert route.models == (("haiku", "us.anthropic.claude-haiku-4-5-20251001-v1:0"),)


@pytest.mark.parametrize(
    ("env", "note"),
    [
        pytest.param(
            {"CLAUDE_CODE_USE_BEDROCK": "1"},
            "no AWS_REGION: Claude Code takes the AWS profile's region, else us-east-1",
            id="aws",
        ),
        pytest.param({"CLAUDE_CODE_USE_VERTEX": "1"}, "no CLOUD_ML_REGION: Claude Code takes us-east5", id="vertex"),
        pytest.param(
            {"CLAUDE_CODE_USE_VERTEX": "1", "CLOUD_ML_REGION": "global", "GOOGLE_CLOUD_PROJECT": "other"},
            "GOOGLE_CLOUD_PROJECT / GCLOUD_PROJECT take precedence over ANTHROPIC_VERTEX_PROJECT_ID",
            id="vertex-project-trap",
        ),
    ],
)
def test_defaults_and_traps_are_noted(env: dict[str, str], note: str) -> None:
    assert _now(env).notes == (note,)


def test_an_unreadable_layer_and_an_os_policy_are_noted() -> None:
    layers = (
        SettingsLayer("managed", "/Library/Managed Preferences/com.anthropic.claudecode.plist", True, unread=True),
        SettingsLayer("user", USER, True, error="invalid JSON: Expecting value"),
    )
    assert resolve({}, layers).notes == (
        f"{USER}: invalid JSON: Expecting value; Claude Code may ignore this file",
        "/Library/Managed Preferences/com.anthropic.claudecode.plist: an OS policy (MDM profile) manages Claude Code "
        "here and outranks the settings files; outagecheck does not read it, so it may set another provider",
    )


@pytest.mark.parametrize(
    ("configured", "is_current"),
    [
        pytest.param(Route("b", Kind.BEDROCK, region="us-west-2"), True, id="same-region"),
        pytest.param(Route("b", Kind.BEDROCK), True, id="region-not-configured"),
        pytest.param(Route("b", Kind.BEDROCK, region="eu-west-1"), False, id="other-region"),
        pytest.param(Route("b", Kind.BEDROCK, profile="other"), False, id="other-profile"),
        pytest.param(Route("m", Kind.MANTLE, region="us-west-2"), False, id="other-kind"),
    ],
)
def test_a_configured_route_matches_the_current_one(configured: Route, is_current: bool) -> None:
    now = _now({"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-west-2", "AWS_PROFILE": "dev"}).route()
    assert matches(configured, now) is is_current


def test_a_gateway_matches_by_its_url_credentials_and_all() -> None:
    now = _now({"ANTHROPIC_BASE_URL": "https://u:p@gw.example/", "ANTHROPIC_AUTH_TOKEN": "t"}).route()
    assert now.base_url == "https://***@gw.example/"
    assert matches(Route("g", Kind.GATEWAY, base_url="https://u:p@gw.example"), now)
    assert not matches(Route("g", Kind.GATEWAY, base_url="https://other.example"), now)


def test_bedrock_and_mantle_together_is_a_supported_pair_not_a_conflict() -> None:
    now = _now({"CLAUDE_CODE_USE_BEDROCK": "1", "CLAUDE_CODE_USE_MANTLE": "1", "AWS_REGION": "us-east-1"})
    assert (now.kind, now.conflicts) == (Kind.BEDROCK, ())
    assert now.notes == (
        "CLAUDE_CODE_USE_BEDROCK and CLAUDE_CODE_USE_MANTLE are both on: Bedrock, with model ids of the form "
        "anthropic.claude-… sent to Mantle",
    )
