"""The proof after `fallback apply claude-code --to ROUTE` writes: every layer as written resolved as Claude Code
will, compared with the switch, and the route it gives probed again with that resolution's credentials."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from outagecheck.fallback import resolved, routes_plan
from outagecheck.routes.model import Kind, Route
from outagecheck.routes.settings import ROUTE_VARS, settings_layers
from tests.cloudfakes import Fake, anthropic, bedrock
from tests.helpers import SETTINGS_TEXT, STATE_TEXT, invoke, write_config

KEYS = ("AKIDEXAMPLE1234567890", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token-example-0123456789")
SONNET = "us.anthropic.claude-sonnet-4-6"
GATEWAY_KEY = "gw-key-after-the-write-0123456789"


@pytest.fixture(autouse=True)
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, claude_home: Path) -> None:
    """No managed settings, no route variable, no `claude` on PATH; AWS keys for the Bedrock fake; feeds closed."""
    from outagecheck.routes import feeds  # noqa: PLC0415  # the routes' feeds: never beyond this machine

    monkeypatch.setenv("OUTAGECHECK_MANAGED_SETTINGS", str(tmp_path / "managed" / "managed-settings.json"))
    for name in (*ROUTE_VARS, "AWS_DEFAULT_PROFILE", "GOOGLE_APPLICATION_CREDENTIALS", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in zip(("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"), KEYS, strict=True):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_FEED", "GCP_FEED", "AZURE_FEED"):
        monkeypatch.setattr(feeds, name, "http://127.0.0.1:9/feed")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")


def _bedrock_config(tmp_path: Path, url: str) -> Path:
    text = f'[[routes]]\nname = "b"\nkind = "bedrock"\nregion = "us-east-1"\nbase_url = "{url}"\n'
    return write_config(tmp_path / "config.toml", text + f'models = {{ sonnet = "{SONNET}" }}\n')


def _apply(runner: CliRunner, cfg: Path, route: str, *more: str) -> Result:
    return invoke(runner, "fallback", "apply", "claude-code", "--to", route, "--config", str(cfg), "--yes", *more)


def test_the_route_as_written_is_probed_again_and_said_in_one_line(
    runner: CliRunner, tmp_path: Path, claude_home: Path
) -> None:
    with Fake(bedrock(KEYS)) as fake:
        result = _apply(runner, _bedrock_config(tmp_path, fake.url), "b")
    assert result.exit_code == 0, result.output
    stdout = result.stdout
    assert "Claude Code not asked: no claude on PATH." in stdout  # no client: the probe runs all the same
    (line,) = [x for x in stdout.splitlines() if x.startswith("After the write: ")]
    assert re.fullmatch(
        rf"After the write: bedrock us-east-1 {fake.url}, 1 pin answered \(count_tokens free\) in \d+\.\d\d s", line
    )
    counted = [r for r in fake.requests if r.path.endswith("/count-tokens")]
    assert len(counted) == 2  # before the write, and after it with the credentials Claude Code will use
    assert "(bedrock, verified)" in stdout


def test_no_verify_skips_the_probe_after_the_write(runner: CliRunner, tmp_path: Path) -> None:
    with Fake(bedrock(KEYS)) as fake:
        result = _apply(runner, _bedrock_config(tmp_path, fake.url), "b", "--no-verify")
    assert result.exit_code == 0, result.output
    assert fake.requests == []
    assert "After the write" not in result.stdout
    assert "(bedrock, unverified)" in result.stdout


def _claude_that_moves_the_region(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `claude` that reports Bedrock but whose start leaves a project-local AWS_REGION (a higher layer)."""
    local = tmp_path / ".claude" / "settings.local.json"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    said = json.dumps({"loggedIn": True, "authMethod": "third_party", "apiProvider": "bedrock"})
    move = f"mkdir -p '{local.parent}' && printf '%s' '{{\"env\": {{\"AWS_REGION\": \"eu-west-1\"}}}}' > '{local}'"
    (bin_dir / "claude").write_text(
        f'#!/bin/sh\nif [ "$1" = --version ]; then echo "2.1.197 (Claude Code)"; else {move}; echo \'{said}\'; fi\n'
    )
    (bin_dir / "claude").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    return local


def test_a_higher_layer_that_moves_the_region_after_the_write_rolls_it_back(
    runner: CliRunner, tmp_path: Path, claude_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = _claude_that_moves_the_region(tmp_path, monkeypatch)
    with Fake(bedrock(KEYS)) as fake:
        result = _apply(runner, _bedrock_config(tmp_path, fake.url), "b")
        after = [r for r in fake.requests if r.path.endswith("/count-tokens")]
    assert result.exit_code == 78, result.output
    assert result.stderr == (
        f"outagecheck: error: after the write, as Claude Code will resolve it (bedrock eu-west-1 {fake.url}): "
        f'AWS_REGION is "eu-west-1" from local settings {local} (the switch wrote "us-east-1"); rolled back '
        "(--force keeps it, labelled forced)\n"
    )
    assert len(after) == 1  # the proof before; a route that differs is not probed again
    assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT
    assert (claude_home / ".claude.json").read_text() == STATE_TEXT
    assert invoke(runner, "fallback", "revert", "--yes").stdout == "Nothing to revert.\n"


def test_force_keeps_it_and_labels_it_forced(
    runner: CliRunner, tmp_path: Path, claude_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _claude_that_moves_the_region(tmp_path, monkeypatch)
    with Fake(bedrock(KEYS)) as fake:  # signed for eu-west-1, the fake (us-east-1) refuses it: named too
        result = _apply(runner, _bedrock_config(tmp_path, fake.url), "b", "--force")
    assert result.exit_code == 0, result.output
    forced = [x for x in result.stdout.splitlines() if x.startswith("Forced past, after the write")]
    assert forced[0].endswith(
        'AWS_REGION is "eu-west-1" from local settings '
        + str(tmp_path / ".claude" / "settings.local.json")
        + ' (the switch wrote "us-east-1")'
    )
    assert "route 'b' is not usable: access_denied" in forced[1]
    assert "Claude Code now uses route 'b' (bedrock, forced) from its next start." in result.stdout
    env = json.loads((claude_home / ".claude" / "settings.json").read_text())["env"]
    assert env["CLAUDE_CODE_USE_BEDROCK"] == "1"


def test_a_gateway_whose_helper_fails_after_the_write_is_rolled_back(
    runner: CliRunner, tmp_path: Path, claude_home: Path
) -> None:
    once, key = tmp_path / "helper-ran", tmp_path / "gateway.key"
    key.write_text(GATEWAY_KEY + "\n")
    command = f"test ! -e '{once}' && touch '{once}' && cat '{key}'"  # works for the proof before only
    with Fake(anthropic(GATEWAY_KEY)) as fake:
        text = f'[[routes]]\nname = "gw"\nkind = "gateway"\nbase_url = "{fake.url}"\nkey_command = "{command}"\n'
        result = _apply(runner, write_config(tmp_path / "config.toml", text), "gw")
    assert result.exit_code == 78, result.output
    assert result.stderr.startswith(
        f"outagecheck: error: after the write, as Claude Code will resolve it (gateway {fake.url} with "
        "apiKeyHelper): route 'gw' is not usable: no_credentials: key_command failed: exit 1"
    )
    assert result.stderr.endswith("; rolled back (--force keeps it, labelled forced)\n")
    assert "Proof: route 'gw' is operational" in result.stdout
    assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT
    assert (claude_home / ".claude.json").read_text() == STATE_TEXT
    assert GATEWAY_KEY not in result.output


def test_a_layer_the_plan_did_not_see_is_named_with_its_value_and_file(tmp_path: Path, claude_home: Path) -> None:
    route = Route("v", Kind.VERTEX, region="global", project="acme-ai-prod")
    plan = routes_plan.plan_route(route, settings_layers(tmp_path), {}, scope="user", cwd=tmp_path)
    doc = json.loads(SETTINGS_TEXT)
    (claude_home / ".claude" / "settings.json").write_text(json.dumps({**doc, "env": {**doc["env"], **plan.env}}))
    project = write_config(
        tmp_path / ".claude" / "settings.json",
        json.dumps({"env": {"GCLOUD_PROJECT": "someone-elses", "CLAUDE_CODE_USE_BEDROCK": "true"}}),
    )
    found = resolved.resolve(plan, {"CLOUD_ML_REGION": "us-east5"}, tmp_path)
    assert found.differences == (
        f"Claude Code will take bedrock (from project settings {project}), not vertex",
        f'CLAUDE_CODE_USE_BEDROCK is "true" from project settings {project}: another provider is on',
        f'GCLOUD_PROJECT is "someone-elses" from project settings {project}: it outranks the route\'s project '
        "acme-ai-prod",
    )
    clean = resolved.resolve(plan, {"CLOUD_ML_REGION": "us-east5"}, tmp_path / "elsewhere")
    assert clean.differences == ()  # the settings file wins over the shell's CLOUD_ML_REGION
    assert (clean.route.kind, clean.route.region, clean.route.project) == (Kind.VERTEX, "global", "acme-ai-prod")


def test_a_gateways_token_in_a_higher_layer_outranks_its_helper_and_a_files_secret_is_sent_not_shown(
    tmp_path: Path, claude_home: Path
) -> None:
    from outagecheck.errors import redact  # noqa: PLC0415

    route = Route("gw", Kind.GATEWAY, base_url="https://llm.example.com", key_command="pass show llm")
    plan = routes_plan.plan_route(route, settings_layers(tmp_path), {}, scope="user", cwd=tmp_path)
    doc = json.loads(SETTINGS_TEXT)
    written = {**doc, "env": {**doc["env"], **plan.env}, **plan.top}
    (claude_home / ".claude" / "settings.json").write_text(json.dumps(written))
    assert resolved.resolve(plan, {}, tmp_path).differences == ()
    token = "tok-from-a-project-file-0123456789"
    project = write_config(tmp_path / ".claude" / "settings.json", json.dumps({"env": {"ANTHROPIC_AUTH_TOKEN": token}}))
    found = resolved.resolve(plan, {}, tmp_path)
    assert found.differences == (
        f"ANTHROPIC_AUTH_TOKEN from project settings {project} outranks the route's apiKeyHelper",
    )
    assert found.environ["ANTHROPIC_AUTH_TOKEN"] == token  # what Claude Code would send, for the probe only
    assert found.route.key_command is None
    assert token not in redact(f"said {token}")
    assert token not in repr(found)


def test_another_layers_helper_is_named_and_never_run(tmp_path: Path, claude_home: Path) -> None:
    route = Route("gw", Kind.GATEWAY, base_url="https://llm.example.com", key_command="pass show llm")
    plan = routes_plan.plan_route(route, settings_layers(tmp_path), {}, scope="user", cwd=tmp_path)
    doc = json.loads(SETTINGS_TEXT)
    (claude_home / ".claude" / "settings.json").write_text(json.dumps({**doc, "env": plan.env, **plan.top}))
    ran = tmp_path / "ran"
    project = write_config(tmp_path / ".claude" / "settings.json", json.dumps({"apiKeyHelper": f"touch '{ran}'"}))
    found = resolved.resolve(plan, {}, tmp_path)
    assert found.differences == (f"apiKeyHelper after the write comes from project settings {project}, not the switch",)
    assert found.route.key_command is None  # a cloned project's command is not ours to run


def test_a_cloned_projects_values_are_text_never_terminal_codes(tmp_path: Path, claude_home: Path) -> None:
    route = Route("b", Kind.BEDROCK, region="us-east-1")
    plan = routes_plan.plan_route(route, settings_layers(tmp_path), {}, scope="user", cwd=tmp_path)
    doc = json.loads(SETTINGS_TEXT)
    (claude_home / ".claude" / "settings.json").write_text(json.dumps({**doc, "env": plan.env}))
    write_config(tmp_path / ".claude" / "settings.json", json.dumps({"env": {"AWS_REGION": "\x1b]0;pwned\x07\nx"}}))
    found = resolved.resolve(plan, {}, tmp_path)
    assert len(found.differences) == 1
    assert "\x1b" not in found.differences[0] + resolved.describe(found.route)
    assert "\n" not in found.differences[0] + resolved.describe(found.route)
