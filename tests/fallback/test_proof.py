"""The proof before `fallback apply claude-code --to ROUTE` writes: a loopback Bedrock, refusals and --force."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck.fallback import proof
from outagecheck.model import Status
from outagecheck.routes.model import Blocker, Kind, Route, RouteResult
from outagecheck.routes.settings import ROUTE_VARS
from tests.cloudfakes import Fake, bedrock
from tests.helpers import SETTINGS_TEXT, invoke, write_config

KEYS = ("AKIDEXAMPLE1234567890", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token-example-0123456789")
SONNET = "us.anthropic.claude-sonnet-4-6"


@pytest.fixture(autouse=True)
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, claude_home: Path) -> None:
    """No managed settings, no route variable and no cloud credential of the machine; feeds on a closed port."""
    from outagecheck.routes import feeds  # noqa: PLC0415  # the routes' feeds: never beyond this machine

    monkeypatch.setenv("OUTAGECHECK_MANAGED_SETTINGS", str(tmp_path / "managed-settings.json"))
    for name in (*ROUTE_VARS, "AWS_DEFAULT_PROFILE", "GOOGLE_APPLICATION_CREDENTIALS", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("NO_GCE_CHECK", "true")
    for name in ("AWS_FEED", "GCP_FEED", "AZURE_FEED"):
        monkeypatch.setattr(feeds, name, "http://127.0.0.1:9/feed")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no claude to ask after the write (test_routes_plan.py asks one)


def _config(tmp_path: Path, url: str) -> Path:
    text = f'[[routes]]\nname = "b"\nkind = "bedrock"\nregion = "us-east-1"\nbase_url = "{url}"\n'
    return write_config(tmp_path / "config.toml", text + f'models = {{ sonnet = "{SONNET}" }}\n')


def test_a_route_that_answers_is_proven_then_written(
    runner: CliRunner, tmp_path: Path, claude_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in zip(("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"), KEYS, strict=True):
        monkeypatch.setenv(name, value)
    with Fake(bedrock(KEYS)) as fake:
        cfg = _config(tmp_path, fake.url)
        result = invoke(runner, "fallback", "apply", "claude-code", "--to", "b", "--config", str(cfg), "--yes")
    assert result.exit_code == 0, result.output
    assert "Proof: route 'b' is operational" in result.stdout
    assert "Claude Code now uses route 'b' (bedrock, verified) from its next start." in result.stdout
    assert any(r.path.endswith("/count-tokens") for r in fake.requests)  # the free probe per pinned model
    env = json.loads((claude_home / ".claude" / "settings.json").read_text())["env"]
    assert env["CLAUDE_CODE_USE_BEDROCK"] == "1"
    assert env["ANTHROPIC_BEDROCK_BASE_URL"] == fake.url
    assert KEYS[1] not in (claude_home / ".claude" / "settings.json").read_text() + result.output


def test_a_route_that_refuses_the_credentials_is_refused_unless_forced(
    runner: CliRunner, tmp_path: Path, claude_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDOTHER00000000000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "other-secret")
    with Fake(bedrock(KEYS)) as fake:
        cfg = _config(tmp_path, fake.url)
        args = ("fallback", "apply", "claude-code", "--to", "b", "--config", str(cfg), "--yes")
        refused = invoke(runner, *args)
        assert refused.exit_code == 78
        assert "route 'b' is not usable: access_denied" in refused.stderr
        assert "nothing written (--force writes it anyway, labelled forced)" in refused.stderr
        assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT
        forced = invoke(runner, *args, "--force")
    assert forced.exit_code == 0, forced.output
    assert "Forced past: route 'b' is not usable: access_denied" in forced.stdout
    assert "(bedrock, forced)" in forced.stdout


def test_credentials_found_where_claude_codes_settings_point_prove_the_route(
    runner: CliRunner, tmp_path: Path, claude_home: Path
) -> None:
    # The shell names no usable credentials file; Claude Code's user settings do (`env` beats the shell for
    # Claude Code's process): the proofs before and after the write look there, as Claude Code will.
    named = tmp_path / "aws-credentials"
    named.write_text(f"[default]\naws_access_key_id = {KEYS[0]}\naws_secret_access_key = {KEYS[1]}\n")
    user = claude_home / ".claude" / "settings.json"
    doc = json.loads(user.read_text())
    user.write_text(json.dumps(doc | {"env": {**doc.get("env", {}), "AWS_SHARED_CREDENTIALS_FILE": str(named)}}))
    with Fake(bedrock((KEYS[0], KEYS[1], None))) as fake:
        cfg = _config(tmp_path, fake.url)
        result = invoke(runner, "fallback", "apply", "claude-code", "--to", "b", "--config", str(cfg), "--yes")
        probes = [r for r in fake.requests if r.path.endswith("/count-tokens")]
    assert result.exit_code == 0, result.output
    assert "Proof: route 'b' is operational" in result.stdout
    assert "After the write: bedrock us-east-1" in result.stdout
    assert len(probes) == 2  # the pin, before the write and after it
    env = json.loads(user.read_text())["env"]
    assert (env["CLAUDE_CODE_USE_BEDROCK"], env["AWS_SHARED_CREDENTIALS_FILE"]) == ("1", str(named))
    assert KEYS[1] not in user.read_text() + result.output


def test_no_credentials_at_all_is_named(runner: CliRunner, tmp_path: Path, claude_home: Path) -> None:
    cfg = _config(tmp_path, "http://127.0.0.1:9")
    result = invoke(runner, "fallback", "apply", "claude-code", "--to", "b", "--config", str(cfg), "--yes")
    assert result.exit_code == 78
    assert "route 'b' is not usable: no_credentials" in result.stderr
    assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT


def _result(**kw: object) -> RouteResult:
    fields: dict[str, object] = {"status": Status.OPERATIONAL, "reason": "ok", **kw}
    return RouteResult(Route("r", Kind.FOUNDRY, base_url="https://x.anthropic.com"), **fields)  # type: ignore[arg-type]  # fields typed per test


@pytest.mark.parametrize(
    ("result", "said"),
    [
        pytest.param(_result(), [], id="operational-and-usable-is-no-problem"),
        pytest.param(
            _result(blocker=Blocker.SHARES_FATE, shares_fate_with=("api",)),
            ["route 'r' goes down with the failing api: it is no way around it"],
            id="shared-fate",
        ),
        pytest.param(
            _result(status=Status.DEGRADED, feed_incidents=("Increased error rates in eastus",)),
            ["route 'r' has an open provider incident: Increased error rates in eastus"],
            id="open-provider-incident",
        ),
        pytest.param(_result(status=Status.DEGRADED, blocker=Blocker.QUOTA), [], id="quota-is-degraded-not-refused"),
        pytest.param(
            _result(status=Status.DOWN, detail="count_tokens HTTP 503"),
            ["route 'r' did not prove up (down): count_tokens HTTP 503"],
            id="down",
        ),
    ],
)
def test_what_refuses_a_checked_route(result: RouteResult, said: list[str]) -> None:
    assert proof.problems_of(result) == said


def test_the_vertex_project_trap_is_named() -> None:
    route = Route("v", Kind.VERTEX, region="global", project="acme-ai-prod")
    assert proof.resolve_problems(route, {"GOOGLE_CLOUD_PROJECT": "acme-ai-prod"}) == []
    (problem,) = proof.resolve_problems(route, {"GCLOUD_PROJECT": "other-proj"})
    assert problem.startswith("GCLOUD_PROJECT=other-proj in the environment wins over the route's project")


def _two_routes(tmp_path: Path, first: str, second: str) -> Path:
    text = "".join(
        f'[[routes]]\nname = "{name}"\nkind = "bedrock"\nregion = "us-east-1"\nbase_url = "{url}"\n'
        f'priority = {priority}\nmodels = {{ sonnet = "{SONNET}" }}\n\n'
        for name, url, priority in (("first", first, 1), ("second", second, 2))
    )
    return write_config(tmp_path / "config.toml", text)


def _aws_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in zip(("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"), KEYS, strict=True):
        monkeypatch.setenv(name, value)


def test_auto_takes_the_best_usable_route_and_says_why_the_others_lost(
    runner: CliRunner, tmp_path: Path, claude_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _aws_keys(monkeypatch)
    with Fake(bedrock(("AKIDOTHER00000000000", "x", None))) as denied, Fake(bedrock(KEYS)) as ok:
        cfg = _two_routes(tmp_path, denied.url, ok.url)
        result = invoke(runner, "fallback", "apply", "claude-code", "--to", "auto", "--config", str(cfg), "--yes")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "  second (bedrock): usable, operational, priority 2"
    assert lines[1].startswith("  first (bedrock): route 'first' is not usable: access_denied")
    assert "Chosen: route 'second' (the best usable route, by the order above)." in result.stdout
    assert "(bedrock, verified)" in result.stdout
    env = json.loads((claude_home / ".claude" / "settings.json").read_text())["env"]
    assert env["ANTHROPIC_BEDROCK_BASE_URL"] == ok.url


def test_auto_with_nothing_usable_is_refused_unless_forced(
    runner: CliRunner, tmp_path: Path, claude_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _aws_keys(monkeypatch)
    with Fake(bedrock(("AKIDOTHER00000000000", "x", None))) as denied:
        cfg = _two_routes(tmp_path, denied.url, "http://127.0.0.1:9")
        args = ("fallback", "apply", "claude-code", "--to", "auto", "--config", str(cfg), "--yes")
        refused = invoke(runner, *args)
        assert refused.exit_code == 78
        assert refused.stderr == (
            "outagecheck: error: --to auto: no route is usable now (each one's reason is above); nothing written\n"
        )
        assert "  first (bedrock): route 'first' is not usable: access_denied" in refused.stdout
        assert "  second (bedrock): route 'second' did not prove up" in refused.stdout
        assert (claude_home / ".claude" / "settings.json").read_text() == SETTINGS_TEXT
        forced = invoke(runner, *args, "--force")
    assert forced.exit_code == 0, forced.output
    assert "(forced: no route is usable now)" in forced.stdout
    assert "(bedrock, forced)" in forced.stdout


def test_auto_does_not_go_with_no_verify(runner: CliRunner, tmp_path: Path) -> None:
    cfg = _config(tmp_path, "http://127.0.0.1:9")
    args = ("fallback", "apply", "claude-code", "--to", "auto", "--no-verify", "--config", str(cfg))
    assert invoke(runner, *args).exit_code == 64
