"""Contract tests of `fallback apply claude-code --to ROUTE` against the published Claude Code CLI, offline: after
the switch `claude auth status` reports the route's provider and `claude -p` sends its request to a loopback fake
of that provider, with the provider's own auth; revert brings the previous provider back."""

from __future__ import annotations

import json
import secrets
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from tests.cloudfakes import (
    Fake,
    Handler,
    Request,
    anthropic,
    bearer,
    bedrock,
    gce_metadata,
    google_sts,
    reply,
    sigv4_ok,
)
from tests.helpers import MESSAGE, SETTINGS_TEXT, invoke, real_sockets, write_config

pytestmark = [pytest.mark.slow, real_sockets]

KEYS = ("AKIDEXAMPLE1234567890", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token-example-0123456789")
SONNET = "us.anthropic.claude-sonnet-4-6"
GATEWAY_KEY = "gw-key-0123456789abcdef"
FOUNDRY_KEY = "foundry-key-0123456789abcdef"


@pytest.fixture
def client(
    real_claude: Path, claude_home: Path, no_route: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The real client on PATH for apply's proof after the write; the whole environment `claude` runs with."""
    path = f"{real_claude.parent}:/usr/bin:/bin"
    quiet = {"DISABLE_AUTOUPDATER": "1", "DISABLE_TELEMETRY": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
    for name, value in {"PATH": path, **quiet}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    from outagecheck.routes import feeds  # noqa: PLC0415  # the routes' feeds: never beyond this machine

    for name in ("AWS_FEED", "GCP_FEED", "AZURE_FEED"):
        monkeypatch.setattr(feeds, name, "http://127.0.0.1:9/feed")
    monkeypatch.chdir(claude_home)
    return {"PATH": path, "HOME": str(claude_home), "NO_PROXY": "127.0.0.1,localhost", **quiet}


def _auth_status(env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(["claude", "auth", "status"], env=env, capture_output=True, text=True, timeout=120)
    doc = json.loads(done.stdout)
    assert isinstance(doc, dict)
    return doc


def _ask(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["claude", "-p", "ping"], env=env, capture_output=True, text=True, timeout=180)


def _apply(runner: CliRunner, cfg: Path, route: str, *more: str) -> Result:
    result = invoke(runner, "fallback", "apply", "claude-code", "--to", route, "--config", str(cfg), "--yes", *more)
    assert result.exit_code == 0, result.output
    assert "Claude Code confirms:" in result.stdout
    return result


def _revert_restores(runner: CliRunner, home: Path, env: dict[str, str]) -> None:
    state_file = home / ".claude.json"
    before = json.loads(state_file.read_text())
    reverted = invoke(runner, "fallback", "revert", "--yes")
    assert reverted.exit_code == 0, reverted.output
    # Claude Code's own state (what its starts wrote) untouched; only our first-run gate, if we set it, goes.
    assert json.loads(state_file.read_text()) == {k: v for k, v in before.items() if k != "hasCompletedOnboarding"}
    assert _auth_status(env)["apiProvider"] == "firstParty"
    settings = json.loads((home / ".claude" / "settings.json").read_text())
    assert settings["env"] == json.loads(SETTINGS_TEXT)["env"] | {  # Claude Code's own edits since are kept
        k: v for k, v in settings["env"].items() if k == "DISABLE_AUTOUPDATER"
    }


def test_bedrock_route_is_taken_and_signed_by_the_real_client(
    runner: CliRunner, client: dict[str, str], claude_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws = dict(zip(("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"), KEYS, strict=True))
    for name, value in aws.items():
        monkeypatch.setenv(name, value)
    with Fake(bedrock(KEYS)) as fake:
        text = f'[[routes]]\nname = "b"\nkind = "bedrock"\nregion = "us-east-1"\nbase_url = "{fake.url}"\n'
        cfg = write_config(tmp_path / "config.toml", text + f'models = {{ sonnet = "{SONNET}" }}\n')
        _apply(runner, cfg, "b")
        env = {**client, **aws}
        assert _auth_status(env)["apiProvider"] == "bedrock"
        _ask(env)  # the fake answers no message: what counts is the request it got
        invoked = [r for r in fake.requests if "/invoke" in r.path]
    assert invoked, [r.path for r in fake.requests]
    assert all(_signed(r) for r in invoked)
    _revert_restores(runner, claude_home, env)


def _signed(req: Request) -> bool:
    keys = {"access_key": KEYS[0], "secret_key": KEYS[1], "token": KEYS[2]}
    return sigv4_ok(req, service="bedrock", region="us-east-1", **keys)


def test_gateway_route_sends_the_helpers_key_to_the_gateway(
    runner: CliRunner, client: dict[str, str], claude_home: Path, tmp_path: Path
) -> None:
    answers = {"/v1/messages": reply(200, MESSAGE)}
    with Fake(anthropic(GATEWAY_KEY, answers)) as fake:
        text = f'[[routes]]\nname = "gw"\nkind = "gateway"\nbase_url = "{fake.url}"\n'
        cfg = write_config(tmp_path / "config.toml", text + f'key_command = "echo {GATEWAY_KEY}"\n')
        _apply(runner, cfg, "gw")
        assert _auth_status(client).get("apiKeySource") == "apiKeyHelper"
        done = _ask(client)
        sent = [r for r in fake.requests if r.path.startswith("/v1/messages")]
    assert done.stdout.strip() == "pong", done.stderr
    assert sent
    assert GATEWAY_KEY in {sent[0].headers.get("x-api-key"), sent[0].headers.get("authorization", "")[7:]}
    assert GATEWAY_KEY not in (claude_home / ".claude" / "settings.json").read_text().replace(f"echo {GATEWAY_KEY}", "")
    _revert_restores(runner, claude_home, client)


def test_foundry_route_is_taken_with_the_key_from_the_environment(
    runner: CliRunner, client: dict[str, str], claude_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_FOUNDRY_API_KEY", FOUNDRY_KEY)
    with Fake(anthropic(FOUNDRY_KEY, {"/anthropic/v1/messages": reply(200, MESSAGE)})) as fake:
        text = f'[[routes]]\nname = "f"\nkind = "foundry"\nbase_url = "{fake.url}/anthropic"\n'
        cfg = write_config(tmp_path / "config.toml", text + 'models = { sonnet = "claude-sonnet-4-5" }\n')
        _apply(runner, cfg, "f", "--no-verify")
        env = {**client, "ANTHROPIC_FOUNDRY_API_KEY": FOUNDRY_KEY}
        assert _auth_status(env)["apiProvider"] == "foundry"
        done = _ask(env)
        sent = [r for r in fake.requests if r.path.startswith("/anthropic/v1/messages")]
    assert sent, ([r.path for r in fake.requests], done.stderr)
    assert FOUNDRY_KEY not in (claude_home / ".claude" / "settings.json").read_text()
    _revert_restores(runner, claude_home, client)


def _vertex(token: str) -> Handler:
    """Vertex wanting `token` (the one a fake Google minted), else Vertex's 401."""
    answer = bearer(token, reply(200, MESSAGE))
    counted = bearer(token, reply(200, {"input_tokens": 8}))
    return lambda req: (counted if "count-tokens" in req.path else answer)(req)


def test_vertex_route_takes_a_token_from_the_metadata_server_and_sends_it_to_the_project_and_region(
    runner: CliRunner, client: dict[str, str], claude_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No ADC file: Claude Code's Google auth falls back to the metadata server, which gcp-metadata finds at
    # GCE_METADATA_HOST (off GCE too); the proof before the write asks the same server (routes/clouds.py).
    token = f"ya29.{secrets.token_urlsafe(24)}"
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    with Fake(gce_metadata(token, "gce-home-project", _vertex(token))) as fake:
        host = fake.url.removeprefix("http://")
        monkeypatch.setenv("GCE_METADATA_HOST", host)
        monkeypatch.delenv("GCE_METADATA_IP", raising=False)  # it would win over GCE_METADATA_HOST
        text = '[[routes]]\nname = "v"\nkind = "vertex"\nregion = "us-east5"\nproject = "acme-ai-prod"\n'
        cfg = write_config(tmp_path / "config.toml", text + f'base_url = "{fake.url}/v1"\n')
        applied = _apply(runner, cfg, "v")
        proven = [r for r in fake.requests if "count-tokens:rawPredict" in r.path]
        env = {**client, "GCE_METADATA_HOST": host}
        assert _auth_status(env)["apiProvider"] == "vertex"
        del fake.requests[:]
        done = _ask(env)
        sent = [r for r in fake.requests if ":streamRawPredict" in r.path or ":rawPredict" in r.path]
        minted = [r for r in fake.requests if r.path.startswith("/computeMetadata/v1/instance/service-accounts/")]
    assert "(vertex, verified)" in applied.stdout  # proven before the write: credentials and count-tokens
    assert proven
    assert all(r.headers["authorization"] == f"Bearer {token}" for r in proven)  # the proof's, from the same server
    assert done.stdout.strip() == "pong", (fake.paths(), done.returncode, done.stdout[-500:], done.stderr[-500:])
    assert minted
    assert all(r.headers["metadata-flavor"] == "Google" for r in minted)
    assert sent
    assert all(r.headers["authorization"] == f"Bearer {token}" for r in sent)
    assert all(r.path.startswith("/v1/projects/acme-ai-prod/locations/us-east5/publishers/anthropic/") for r in sent)
    assert token not in (claude_home / ".claude" / "settings.json").read_text() + applied.output
    _revert_restores(runner, claude_home, client)


def test_vertex_route_with_a_workload_identity_file_exchanges_its_token_at_the_files_token_url(
    runner: CliRunner, client: dict[str, str], claude_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An external_account ADC file (workload identity federation, as CI runners use): both google-auth libraries
    # exchange the workload's own token at the file's token_url. GOOGLE_CLOUD_PROJECT spares both a Cloud
    # Resource Manager lookup of the project (its URL in the file is ignored by the Python library).
    token, subject = f"ya29.{secrets.token_urlsafe(24)}", f"oidc.{secrets.token_urlsafe(24)}"
    (tmp_path / "subject-token").write_text(subject)
    with Fake(google_sts(token, subject, _vertex(token))) as fake:
        adc = tmp_path / "wif.json"
        adc.write_text(json.dumps(_wif(fake.url, tmp_path / "subject-token")))
        google = {"GOOGLE_APPLICATION_CREDENTIALS": str(adc), "GOOGLE_CLOUD_PROJECT": "acme-ai-prod"}
        for name, value in google.items():
            monkeypatch.setenv(name, value)
        text = '[[routes]]\nname = "v"\nkind = "vertex"\nregion = "us-east5"\nproject = "acme-ai-prod"\n'
        cfg = write_config(tmp_path / "config.toml", text + f'base_url = "{fake.url}/v1"\n')
        applied = _apply(runner, cfg, "v")
        env = {**client, **google}
        assert _auth_status(env)["apiProvider"] == "vertex"
        done = _ask(env)
        exchanges = [r for r in fake.requests if r.path == "/sts/v1/token"]
        sent = [r for r in fake.requests if ":streamRawPredict" in r.path or ":rawPredict" in r.path]
    assert "(vertex, verified)" in applied.stdout
    assert done.stdout.strip() == "pong", (fake.paths(), done.returncode, done.stdout[-500:], done.stderr[-500:])
    # The proof's exchange (google-auth for Python) and Claude Code's (google-auth-library for Node, bundled).
    assert {r.headers.get("x-goog-api-client", "").split("/")[0] for r in exchanges} == {"gl-python", "gl-node"}
    assert sent
    assert all(r.headers["authorization"] == f"Bearer {token}" for r in sent)
    assert token not in (claude_home / ".claude" / "settings.json").read_text() + applied.output
    _revert_restores(runner, claude_home, client)


def _wif(url: str, subject_file: Path) -> dict[str, Any]:
    pool = "//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/ci/providers/github"
    return {
        "type": "external_account",
        "audience": pool,
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": f"{url}/sts/v1/token",
        "credential_source": {"file": str(subject_file)},
    }
